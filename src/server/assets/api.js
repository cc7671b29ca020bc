// Requests to the JSON API, so every caller sees the server's refusals as one kind of Error.
import { withKey } from "./account.js";

export async function api(path, payload) {
  const options = { headers: withKey({ Accept: "application/json" }) };
  if (payload !== undefined) {
    options.method = "POST";
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(payload);
  }
  return answer(await fetch(path, options));
}

// The body of a reply, or an Error carrying the server's message and, for a query it could not
// parse, the code-point position of the fault.
export async function answer(response) {
  let body = null;
  try {
    body = await response.json();
  } catch (_) {
    body = { error: "the server sent an unreadable answer (" + response.status + ")" };
  }
  if (!response.ok) {
    const err = new Error((body && body.error) || "request failed (" + response.status + ")");
    err.position = body && typeof body.position === "number" ? body.position : null;
    throw err;
  }
  return body;
}
