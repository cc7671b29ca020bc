// The fixed controls of the page (search box, sort, dates, toggles). They only navigate, and are
// set from the state on every render, so they never disagree with the URL.
import { $ } from "./dom.js";
import { goHome, navigate, state } from "./state.js";

const DATE_RE = /^\d{4}(-\d{2}(-\d{2})?)?$/;

export function syncControls() {
  const current = state();
  $("q").value = current.q;
  $("sort").value = current.sort || "relevance";
  $("since").value = current.since;
  $("until").value = current.until;
  $("match-any").checked = current.match === "any";
  document.title = current.q ? current.q + " · newsdex" : "newsdex";
}

function submitSearch(event) {
  event.preventDefault();
  navigate({ q: $("q").value.trim(), offset: "", article: "" });
}

function dateChanged(key) {
  const input = $(key);
  const value = input.value.trim();
  if (value !== "" && !DATE_RE.test(value)) {
    input.setCustomValidity("Use YYYY, YYYY-MM or YYYY-MM-DD");
    input.reportValidity();
    return;
  }
  input.setCustomValidity("");
  navigate({ [key]: value, offset: "", article: "" });
}

function toggleHelp() {
  const help = $("help");
  help.hidden = !help.hidden;
  $("help-toggle").setAttribute("aria-expanded", help.hidden ? "false" : "true");
}

export function wireControls() {
  $("search-form").addEventListener("submit", submitSearch);
  $("sort").addEventListener("change", () => navigate({ sort: $("sort").value, offset: "", article: "" }));
  $("match-any").addEventListener("change", () => navigate({ match: $("match-any").checked ? "any" : "", offset: "", article: "" }));
  $("since").addEventListener("change", () => dateChanged("since"));
  $("until").addEventListener("change", () => dateChanged("until"));
  $("help-toggle").addEventListener("click", toggleHelp);
  $("filters-toggle").addEventListener("click", () => {
    const body = $("filters-body");
    const open = body.classList.toggle("open");
    $("filters-toggle").setAttribute("aria-expanded", open ? "true" : "false");
  });
  $("home").addEventListener("click", (event) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey) return;
    event.preventDefault();
    goHome();
  });
  // "/" jumps to the search box, as on most search pages.
  document.addEventListener("keydown", (event) => {
    const typing = /^(INPUT|SELECT|TEXTAREA)$/.test(document.activeElement.tagName);
    if (event.key === "/" && !typing) {
      event.preventDefault();
      $("q").focus();
    }
  });
}
