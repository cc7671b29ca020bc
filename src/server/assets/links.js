// Links that move the page to another state. Each carries a real href, so a modified click can
// still open the state in a new tab while a plain click stays in the page.
import { el } from "./dom.js";
import { changed, navigate, pageUrl } from "./state.js";

// A click the page should handle itself rather than leave to the browser.
export function plainClick(event) {
  return !(event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey);
}

export function stateLink(text, change, attrs) {
  const target = changed(change);
  const a = el("a", Object.assign({ href: pageUrl(target) }, attrs || {}), text);
  a.addEventListener("click", (event) => {
    if (!plainClick(event)) return;
    event.preventDefault();
    navigate(change);
  });
  return a;
}

export function entityLink(name, kind, attrs) {
  return stateLink(name, { entity: name, kind: kind, article: "" },
    Object.assign({ "data-entity": name, "data-kind": kind, title: "Page of " + name }, attrs || {}));
}
