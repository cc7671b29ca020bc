// Entity rules: corrections to the names the tagger found (merge one into another, move it to
// another kind, block it), and the edit token the server may ask for to accept them.
//
// The server keeps the rules with the index and applies them to every search at once; it also
// decides who may edit (open on loopback, a token elsewhere), and its refusals are shown as they
// come.
import { key, withKey } from "./account.js";
import { answer } from "./api.js";
import { el, setStatus } from "./dom.js";
import { ENTITY_KINDS, render } from "./state.js";

// Kept for the tab's life, so the token is asked for once rather than on every change.
let editToken = sessionStorage.getItem("newsdex-edit-token") || "";

async function postRule(action, payload) {
  const headers = { Accept: "application/json", "Content-Type": "application/json" };
  // A signed-in key speaks for the page; the old edit token is asked for only without one.
  withKey(headers);
  if (!headers.Authorization && editToken) headers.Authorization = "Bearer " + editToken;
  const response = await fetch("/api/entities/rules/" + action, {
    method: "POST",
    headers,
    body: JSON.stringify(payload),
  });
  if (response.status === 401 && !key()) {
    const token = window.prompt("This server needs its edit token to change entity rules:");
    if (token) {
      editToken = token;
      sessionStorage.setItem("newsdex-edit-token", token);
      return postRule(action, payload);
    }
  }
  return answer(response);
}

// A form with the three corrections for one entity; `done` runs after a saved change.
export function ruleActions(kind, name, done) {
  const form = el("form", { class: "rule-actions", "data-kind": kind, "data-name": name });
  const status = el("p", { class: "rule-status", role: "status" });
  const target = el("input", {
    type: "text",
    class: "rule-alias-to",
    placeholder: "the name to show instead",
    "aria-label": "Merge " + name + " into",
    maxlength: "300",
  });
  const kinds = el("select", { class: "rule-kind", "aria-label": "New kind for " + name });
  for (const k of ENTITY_KINDS.filter((k) => k !== kind)) kinds.append(el("option", { value: k, text: k }));
  const run = async (action, payload, said) => {
    status.className = "rule-status";
    status.textContent = "Saving…";
    try {
      const reply = await postRule(action, payload);
      status.textContent = said + (reply.note ? " (" + reply.note + ")" : "");
      done(action, payload);
    } catch (err) {
      status.className = "rule-status error";
      status.textContent = err.message;
    }
  };
  const button = (cls, text, handler) => {
    const b = el("button", { type: "button", class: cls, text });
    b.addEventListener("click", handler);
    return b;
  };
  form.addEventListener("submit", (event) => event.preventDefault());
  form.append(
    el("p", { class: "rule-title", text: "Correct “" + name + "” (" + kind + ")" }),
    el("div", { class: "rule-row" }, target, button("rule-alias", "Merge", () => {
      const to = target.value.trim();
      if (!to) {
        status.className = "rule-status error";
        status.textContent = "Type the name to show instead.";
        return;
      }
      run("alias", { from: name, to, kind }, name + " now shows as " + to);
    })),
    el("div", { class: "rule-row" }, kinds, button("rule-retype", "Change kind", () => {
      run("retype", { name, to: kinds.value, kind }, name + " is now " + kinds.value);
    })),
    el("div", { class: "rule-row" }, button("rule-block", "Block this name", () => {
      run("block", { name, kind }, name + " is blocked");
    })),
    status,
  );
  return form;
}

// The button that takes a name a rule merged into this page out again.
export function undoRule(merged) {
  const b = el("button", {
    type: "button",
    class: "quiet rule-undo",
    title: "Remove the rule that merges " + merged.name + " here",
    "aria-label": "Unmerge " + merged.name,
    text: "×",
  });
  b.addEventListener("click", async () => {
    try {
      await postRule("remove", { name: merged.name, kind: merged.kind });
      render();
    } catch (err) {
      setStatus(err.message, "error");
    }
  });
  return b;
}
