// The filter sidebar: facet counts and the chips of filters in force. Both are drawn from the
// state, so a filter is always on screen exactly when the URL holds it.
import { $, clear, el } from "./dom.js";
import { entityLink, stateLink } from "./links.js";
import { ENTITY_KINDS, LIST_KEYS, state } from "./state.js";

// The facets a search asks the API to count, in the order the sidebar lists them.
export const FACETS = [
  ["source", "Sources"],
  ["section", "Sections"],
  ["person", "People"],
  ["org", "Organisations"],
  ["place", "Places"],
  ["speaker", "Quoted"],
];

// Clicking a value adds it as a filter; clicking a selected one removes it. Selected values stay
// listed even when they fall out of the top counts, so they can always be removed.
function toggleFilter(key, value) {
  const current = state();
  const values = current[key].includes(value)
    ? current[key].filter((v) => v !== value)
    : current[key].concat([value]);
  return { [key]: values, offset: "" };
}

export function renderFacets(facets) {
  const current = state();
  const box = $("facets");
  clear(box);
  renderActive();
  if (!facets) return;
  for (const [key, label] of FACETS) {
    const counts = (facets[key] || []).slice();
    for (const v of current[key]) {
      if (!counts.some((c) => c.value === v)) counts.push({ value: v, count: null });
    }
    if (counts.length === 0) continue;
    const list = el("ul", { class: "facet-list" });
    for (const { value, count } of counts) {
      const on = current[key].includes(value);
      const link = stateLink("", toggleFilter(key, value), {
        class: "facet" + (on ? " on" : ""),
        "aria-pressed": on ? "true" : "false",
        "data-facet": key,
        "data-value": value,
        title: on ? "Remove this filter" : "Only " + value,
      });
      link.append(el("span", { class: "facet-value", text: value }));
      if (count !== null) link.append(el("span", { class: "count", text: count.toLocaleString() }));
      const page = ENTITY_KINDS.includes(key)
        ? entityLink(value, key, { class: "entity-link", "aria-label": "Page of " + value })
        : null;
      if (page) page.textContent = "›";
      list.append(el("li", {}, link, page));
    }
    box.append(el("section", { class: "facet-group" }, el("h3", { text: label }), list));
  }
}

function renderActive() {
  const current = state();
  const box = $("active");
  clear(box);
  $("filters-toggle").textContent = "Filters";
  const chips = [];
  for (const key of LIST_KEYS) {
    for (const value of current[key]) {
      // Leaving a group of copies folds copies again.
      const change = key === "group" ? Object.assign(toggleFilter(key, value), { collapse: "" }) : toggleFilter(key, value);
      const label = key === "group" ? "copies of one story" : key + ": " + value;
      chips.push(stateLink(label + " ×", change, { class: "chip", title: "Remove filter" }));
    }
  }
  if (current.since || current.until) {
    const span = (current.since || "…") + " – " + (current.until || "…");
    chips.push(stateLink("date: " + span + " ×", { since: "", until: "", offset: "" }, { class: "chip" }));
  }
  if (chips.length === 0) return;
  const reset = {};
  for (const key of LIST_KEYS) reset[key] = [];
  Object.assign(reset, { since: "", until: "", offset: "", collapse: "" });
  chips.push(stateLink("Clear all", reset, { class: "chip clear" }));
  box.append(...chips);
  $("filters-toggle").textContent = "Filters (" + (chips.length - 1) + ")";
}
