// Who the page is signed in as, and the sign-in form. The key lives in this tab's sessionStorage
// (gone when the tab closes), never in a URL, a cookie or the page's address, and reaches the
// server only in the Authorization header.
import { $, clear, el } from "./dom.js";

const STORE = "newsdex-key";

export function key() {
  return sessionStorage.getItem(STORE) || "";
}

// The headers every API request carries: `headers` plus the key, when signed in.
export function withKey(headers) {
  const k = key();
  if (k) headers.Authorization = "Bearer " + k;
  return headers;
}

async function whoAmI() {
  const response = await fetch("/api/me", { headers: withKey({ Accept: "application/json" }) });
  let body = null;
  try {
    body = await response.json();
  } catch (_) {
    body = { error: "the server sent an unreadable answer (" + response.status + ")" };
  }
  return { ok: response.ok, status: response.status, body };
}

function drawAccount(me, onChange) {
  const box = $("account");
  clear(box);
  const may = "may " + me.may.join(", ");
  if (me.signed_in) {
    box.append(
      el("span", { id: "account-who" }, "Signed in as ", el("strong", {}, me.name), " (" + me.role + ")"),
      el("span", { id: "account-may", class: "muted" }, " — " + may + " "),
    );
    const out = el("button", { id: "signout", class: "quiet", type: "button" }, "Sign out");
    out.addEventListener("click", () => {
      sessionStorage.removeItem(STORE);
      start(onChange);
    });
    box.append(out);
  } else {
    box.append(el("span", { id: "account-who", class: "muted" }, "Not signed in — " + may + " "));
    const inButton = el("button", { id: "signin-toggle", class: "quiet", type: "button" }, "Sign in");
    inButton.addEventListener("click", () => showForm(""));
    box.append(inButton);
  }
}

function showForm(message) {
  $("signin").hidden = false;
  $("signin-error").textContent = message;
  $("signin-key").focus();
}

// Ask the server who this page is; draw it, or ask for a key. Resolves true when the page may
// go on to search.
export async function start(onChange) {
  const me = await whoAmI();
  if (me.ok) {
    $("signin").hidden = true;
    drawAccount(me.body, onChange);
    onChange();
    return true;
  }
  const hadKey = key() !== "";
  sessionStorage.removeItem(STORE);
  clear($("account"));
  if (me.status === 401) {
    showForm(hadKey ? me.body.error : "This server needs a key to sign in.");
  } else {
    showForm(me.body.error || "the server did not answer (" + me.status + ")");
  }
  return false;
}

export function wireAccount(onChange) {
  $("signin").addEventListener("submit", async (event) => {
    event.preventDefault();
    const typed = $("signin-key").value.trim();
    $("signin-key").value = "";
    if (!typed) return;
    sessionStorage.setItem(STORE, typed);
    await start(onChange);
  });
  return start(onChange);
}
