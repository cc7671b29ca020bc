// An entity's page at /entity: who or what a name is, where and with whom it appears, and the
// corrections to it. A name no article carries gets its nearest known names instead.
import { api } from "./api.js";
import { $, clear, el, formatDate, metaLine, setStatus } from "./dom.js";
import { entityLink, stateLink } from "./links.js";
import { ruleActions, undoRule } from "./rules.js";
import { ENTITY_KINDS, LIST_KEYS, beginLoad, isStale, navigate, render } from "./state.js";
import { renderTimeline } from "./timeline.js";

export const KIND_LABEL = { person: "People", org: "Organisations", place: "Places", misc: "Other names" };
const KIND_NAME = { person: "person", org: "organisation", place: "place", misc: "other name" };

// A search over the articles carrying the entity, with `extra` filters on top.
function entitySearch(name, kind, extra) {
  const change = { q: "", offset: "", article: "", since: "", until: "", sort: "newest" };
  for (const key of LIST_KEYS) change[key] = [];
  if (LIST_KEYS.includes(kind)) change[kind] = [name];
  return Object.assign(change, extra || {});
}

export async function showEntity(name, kind) {
  const mine = beginLoad();
  const view = $("entity");
  for (const id of ["results", "pager", "timeline", "download", "article", "sidebar"]) $(id).hidden = true;
  clear(view);
  document.title = name + " · newsdex";
  setStatus("Loading…", "busy");
  const params = new URLSearchParams({ name });
  if (kind) params.set("kind", kind);
  let page;
  try {
    page = await api("/api/entity?" + params.toString());
  } catch (err) {
    if (isStale(mine)) return;
    setStatus(err.message, "error");
    return;
  }
  if (isStale(mine)) return;
  setStatus("");
  if (page.articles === 0) {
    renderUnknownEntity(view, page);
  } else {
    renderEntity(view, page);
  }
}

function renderUnknownEntity(view, page) {
  view.append(el("h1", { text: page.name }));
  view.append(el("p", { class: "status", text: "No article mentions this name" + (page.kind ? " as " + KIND_NAME[page.kind] : "") + "." }));
  if (page.suggestions.length === 0) return;
  const list = el("ul", { class: "entity-list suggestions" });
  for (const s of page.suggestions) {
    list.append(el("li", {}, entityLink(s.name, s.kind), el("span", { class: "count", text: " " + KIND_NAME[s.kind] + " · " + articlesText(s.articles) })));
  }
  view.append(el("h2", { text: "Names with these words" }), list);
}

function articlesText(n) {
  return n.toLocaleString() + (n === 1 ? " article" : " articles");
}

function renderEntity(view, page) {
  const head = el("header", { class: "entity-head" });
  head.append(el("h1", { text: page.name }));
  const facts = [KIND_NAME[page.kind], articlesText(page.articles)];
  head.append(el("p", { class: "meta", id: "entity-facts", text: facts.join(" · ") }));
  if (page.other_kinds.length) {
    const also = el("p", { class: "meta" }, "Also filed as ");
    page.other_kinds.forEach((k, i) => {
      if (i) also.append(", ");
      also.append(entityLink(KIND_NAME[k.kind], k.kind, { "data-entity": page.name }), " (" + articlesText(k.articles) + ")");
    });
    head.append(also);
  }
  head.append(el("p", {}, stateLink("Search these articles →", entitySearch(page.name, page.kind), { id: "entity-search" })));
  // After a saved correction the page shows the entity as the rules now do: the merged name's
  // page, the new kind, or nothing.
  head.append(el("div", { id: "entity-actions", class: "entity-actions" },
    ruleActions(page.kind, page.name, (action, payload) => {
      if (action === "alias") navigate({ entity: payload.to, kind: page.kind });
      else if (action === "retype") navigate({ entity: page.name, kind: payload.to });
      else render();
    })));
  view.append(head);

  const chart = el("figure", { id: "entity-timeline", class: "timeline" });
  view.append(chart);
  renderTimeline(page.timeline, chart, entitySearch(page.name, page.kind));
  if (chart.hidden && page.timeline.buckets.length === 1) {
    chart.hidden = false;
    chart.append(el("p", { class: "meta", text: "All in " + page.timeline.buckets[0].label }));
  }

  const grid = el("div", { class: "entity-grid" });
  const sources = el("ul", { class: "entity-list", id: "entity-sources" });
  for (const c of page.sources) {
    sources.append(el("li", {}, stateLink(c.value, entitySearch(page.name, page.kind, { source: [c.value] }), { "data-source": c.value }),
      el("span", { class: "count", text: c.count.toLocaleString() })));
  }
  grid.append(el("section", { class: "entity-box" }, el("h2", { text: "Sources" }), sources));
  for (const kind of ENTITY_KINDS) {
    const counts = page.co_mentions[kind] || [];
    if (counts.length === 0) continue;
    const list = el("ul", { class: "entity-list co-mentions", "data-kind": kind });
    for (const c of counts) {
      list.append(el("li", {}, entityLink(c.value, kind, { class: "ent-" + kind }), el("span", { class: "count", text: c.count.toLocaleString() })));
    }
    grid.append(el("section", { class: "entity-box" }, el("h2", { text: "With " + KIND_LABEL[kind].toLowerCase() }), list));
  }
  view.append(grid);

  if (page.merged_names.length) {
    const names = el("ul", { class: "chips", id: "entity-merged" });
    for (const m of page.merged_names) {
      const by = m.by === "rule" ? " by-rule" : m.by === "archive" ? " by-archive" : "";
      const chip = el("li", { class: "chip" + by, title: (m.why ? m.why + "; " : "") + articlesText(m.articles) }, m.name);
      if (m.by === "rule") chip.append(undoRule(m));
      names.append(chip);
    }
    view.append(el("section", { class: "entity-box" },
      el("h2", { text: "Also written" }), names,
      el("p", { class: "meta", text: "in the " + page.merged_names_from + " latest articles" })));
  }

  const latest = el("ul", { class: "related-list", id: "entity-latest" });
  for (const a of page.latest) {
    latest.append(el("li", {}, stateLink(a.headline || "(no headline)", { article: a.id }), metaLine([a.source, formatDate(a.date), a.section])));
  }
  view.append(el("section", { class: "related" }, el("h2", { text: "Latest articles" }), latest));
}
