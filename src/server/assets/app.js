// newsdex web page: search, facets, paging and the article view over the JSON API.
//
// The URL is the whole state, with the API's own parameter names, so any view can be bookmarked,
// shared and restored by back/forward; an entity's page lives at /entity?name=&kind=. Article text is untrusted: every node is built with
// createElement and textContent, never from markup. Offsets from the API count Unicode scalar
// values, while JS strings count UTF-16 units, so texts are indexed as Array.from(text).
"use strict";

// `group` narrows to one group of copies of a story, and `collapse=false` lists each copy.
const LIST_KEYS = ["source", "section", "person", "org", "place", "misc", "group"];
const SINGLE_KEYS = ["q", "since", "until", "sort", "match", "limit", "offset", "collapse"];
const FACETS = [
  ["source", "Sources"],
  ["section", "Sections"],
  ["person", "People"],
  ["org", "Organisations"],
  ["place", "Places"],
];
const ENTITY_KINDS = ["person", "org", "place", "misc"];
const PAGE_SIZE = 10;
const DATE_RE = /^\d{4}(-\d{2}(-\d{2})?)?$/;

const $ = (id) => document.getElementById(id);

// ---------- state <-> URL ----------

function readState(path, search) {
  const params = new URLSearchParams(search);
  const onEntity = path === "/entity";
  const state = {
    article: params.get("article") || "",
    entity: onEntity ? params.get("name") || "" : "",
    kind: onEntity ? params.get("kind") || "" : "",
  };
  for (const key of SINGLE_KEYS) state[key] = onEntity ? "" : params.get(key) || "";
  for (const key of LIST_KEYS) state[key] = onEntity ? [] : params.getAll(key).filter((v) => v !== "");
  return state;
}

// Stable order and no defaults, so equal states give equal URLs.
function searchParams(state) {
  const params = new URLSearchParams();
  for (const key of SINGLE_KEYS) {
    const value = state[key];
    if (!value) continue;
    if (key === "sort" && value === "relevance") continue;
    if (key === "match" && value === "all") continue;
    if (key === "offset" && value === "0") continue;
    params.set(key, value);
  }
  for (const key of LIST_KEYS) for (const v of state[key]) params.append(key, v);
  return params;
}

function entityUrl(name, kind) {
  const params = new URLSearchParams({ name });
  if (kind) params.set("kind", kind);
  return "/entity?" + params.toString();
}

function pageUrl(state) {
  if (state.entity) return entityUrl(state.entity, state.kind);
  const params = searchParams(state);
  if (state.article) params.set("article", state.article);
  const text = params.toString();
  return text ? "/?" + text : "/";
}

let current = readState(location.pathname, location.search);

// The state a change leads to. An entity's page is left by any change that does not name one.
function changed(change) {
  const from = change.entity ? readState("/", "") : current;
  return Object.assign({}, from, { entity: "", kind: "" }, change);
}

function navigate(change) {
  current = changed(change);
  history.pushState(null, "", pageUrl(current));
  render();
}

window.addEventListener("popstate", () => {
  current = readState(location.pathname, location.search);
  render();
});

// ---------- small DOM helpers ----------

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") node.className = value;
    else if (name === "text") node.textContent = value;
    else node.setAttribute(name, value);
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}

function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
}

// Append cps[from, to) to parent, wrapping each span (absolute code-point offsets) in its own
// element. Spans must be sorted; overlapping ones are skipped rather than nested.
function appendMarked(parent, cps, from, to, spans) {
  let at = from;
  for (const span of spans) {
    const start = Math.max(span.start, from);
    const end = Math.min(span.end, to);
    if (end <= start || start < at) continue;
    if (start > at) parent.append(cps.slice(at, start).join(""));
    const mark = el(span.tag || "mark", { class: span.className, title: span.title });
    mark.textContent = cps.slice(start, end).join("");
    parent.append(mark);
    at = end;
  }
  if (at < to) parent.append(cps.slice(at, to).join(""));
}

function highlighted(tag, attrs, text, ranges) {
  const node = el(tag, attrs);
  const cps = Array.from(text || "");
  const spans = (ranges || [])
    .map(([start, end]) => ({ start, end }))
    .sort((a, b) => a.start - b.start);
  appendMarked(node, cps, 0, cps.length, spans);
  return node;
}

function formatDate(date) {
  if (!date) return "";
  const d = new Date(date + "T00:00:00Z");
  if (isNaN(d)) return date;
  return d.toLocaleDateString(undefined, { year: "numeric", month: "short", day: "numeric", timeZone: "UTC" });
}

function metaLine(parts) {
  return el("p", { class: "meta" }, parts.filter(Boolean).join(" · "));
}

// A link that opens another page state; plain clicks stay in the page, modified clicks open tabs.
function stateLink(text, change, attrs) {
  const target = changed(change);
  const a = el("a", Object.assign({ href: pageUrl(target) }, attrs || {}), text);
  a.addEventListener("click", (event) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(change);
  });
  return a;
}

// ---------- API ----------

let generation = 0;

async function api(path, payload) {
  const options = { headers: { Accept: "application/json" } };
  if (payload !== undefined) {
    options.method = "POST";
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(payload);
  }
  const response = await fetch(path, options);
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

// ---------- rendering ----------

function syncControls() {
  $("q").value = current.q;
  $("sort").value = current.sort || "relevance";
  $("since").value = current.since;
  $("until").value = current.until;
  $("match-any").checked = current.match === "any";
  document.title = current.q ? current.q + " · newsdex" : "newsdex";
}

function render() {
  syncControls();
  $("entity").hidden = !current.entity;
  if (current.entity) {
    showEntity(current.entity, current.kind);
  } else if (current.article) {
    showArticle(current.article);
  } else {
    runSearch();
  }
}

function setStatus(text, kind) {
  const status = $("status");
  clear(status);
  status.className = "status" + (kind ? " " + kind : "");
  if (text) status.append(text);
  status.hidden = !text && !kind;
  return status;
}

function showQueryError(err) {
  const status = setStatus("", "error");
  status.append(el("p", { text: err.message }));
  if (err.position !== null && err.position !== undefined && current.q) {
    const cps = Array.from(current.q);
    const caret = " ".repeat(Math.min(err.position, cps.length)) + "^";
    status.append(el("pre", { class: "caret", text: current.q + "\n" + caret }));
  }
}

async function runSearch() {
  const mine = ++generation;
  $("article").hidden = true;
  $("sidebar").hidden = false;
  $("results").hidden = false;
  $("pager").hidden = false;
  setStatus("Searching…", "busy");
  const params = searchParams(current);
  for (const [name] of FACETS) params.append("facet", name);
  params.append("facet", "date");
  if (!params.has("limit")) params.set("limit", String(PAGE_SIZE));
  let results;
  try {
    results = await api("/api/search?" + params.toString());
  } catch (err) {
    if (mine !== generation) return;
    clear($("results"));
    clear($("pager"));
    $("download").hidden = true;
    renderTimeline(null);
    renderFacets(null);
    showQueryError(err);
    return;
  }
  if (mine !== generation) return;
  renderStatus(results);
  renderTimeline(results.timeline);
  renderDownload(results);
  renderResults(results);
  renderPager(results);
  renderFacets(results.facets);
}

function renderStatus(results) {
  const n = results.total;
  if (n === 0) {
    const hint = current.q || LIST_KEYS.some((k) => current[k].length) || current.since || current.until
      ? " — try fewer words, another spelling, or remove a filter."
      : " — the index is empty.";
    setStatus("No articles found" + hint + " (" + results.took_ms.toFixed(1) + " ms)");
    return;
  }
  const words = n.toLocaleString() + (n === 1 ? " article" : " articles");
  const from = results.offset + 1;
  const to = results.offset + results.hits.length;
  const range = results.hits.length > 0 && n > results.hits.length ? " — showing " + from + "–" + to : "";
  const folded = results.hits.some((h) => h.copies > 0) ? ", copies of one story shown once" : "";
  setStatus(words + range + folded + " (" + results.took_ms.toFixed(1) + " ms)");
}

// ---------- timeline ----------

const SVG_NS = "http://www.w3.org/2000/svg";

function svg(tag, attrs) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, String(value));
  return node;
}

// One bar per period, heights scaled to the busiest; a bar is a link that narrows the dates to its
// period, so clicking filters and the URL keeps it.
function renderTimeline(timeline, box = $("timeline"), base = {}) {
  clear(box);
  const buckets = (timeline && timeline.buckets) || [];
  box.hidden = buckets.length < 2;
  if (box.hidden) return;
  const most = Math.max(1, ...buckets.map((b) => b.count));
  const width = 600, height = 80, gap = buckets.length > 60 ? 0 : 1;
  const step = width / buckets.length;
  const chart = svg("svg", { viewBox: "0 0 " + width + " " + (height + 2), role: "img",
    "aria-label": "Articles per " + timeline.interval, preserveAspectRatio: "none" });
  buckets.forEach((b, i) => {
    const h = b.count === 0 ? 0 : Math.max(2, (b.count / most) * height);
    const change = Object.assign({}, base, { since: b.start, until: b.end, offset: "" });
    const link = svg("a", { href: pageUrl(changed(change)), class: "bar",
      "data-start": b.start, "data-end": b.end, "data-count": b.count });
    const title = svg("title");
    title.textContent = b.label + ": " + b.count.toLocaleString() + (b.count === 1 ? " article" : " articles");
    link.append(title);
    link.append(svg("rect", { x: i * step, y: 0, width: Math.max(step - gap, 0.5), height: height + 2, class: "hit-area" }));
    link.append(svg("rect", { x: i * step, y: height + 2 - h, width: Math.max(step - gap, 0.5), height: h }));
    link.addEventListener("click", (event) => {
      if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      event.preventDefault();
      navigate(change);
    });
    chart.append(link);
  });
  const first = buckets[0], last = buckets[buckets.length - 1];
  const caption = el("figcaption", {}, first.label + " – " + last.label + " · per " + timeline.interval +
    (timeline.undated ? " · " + timeline.undated.toLocaleString() + " undated" : "") + " · click a bar to narrow the dates");
  box.append(chart, caption);
}

// The links export the whole result set of the current search, not the page shown.
function exportUrl(format) {
  const params = searchParams(current);
  params.delete("limit");
  params.delete("offset");
  params.set("format", format);
  return "/api/export?" + params.toString();
}

function renderDownload(results) {
  $("download").hidden = results.total === 0;
  $("download-csv").href = exportUrl("csv");
  $("download-jsonl").href = exportUrl("jsonl");
}

function renderResults(results) {
  const list = $("results");
  clear(list);
  for (const hit of results.hits) {
    const item = el("li", { class: "hit" });
    const heading = el("h2");
    const link = stateLink("", { article: hit.id }, { class: "hit-link" });
    link.append(highlighted("span", {}, hit.headline || "(no headline)", hit.headline_highlights));
    heading.append(link);
    item.append(heading);
    item.append(metaLine([hit.source, formatDate(hit.date), hit.section, (hit.authors || []).join(", ")]));
    if (hit.snippet) item.append(highlighted("p", { class: "snippet" }, hit.snippet, hit.highlights));
    if (hit.copies > 0 && hit.group) item.append(copiesLine(hit));
    const names = hitEntities(hit.entities || {});
    if (names) item.append(names);
    list.append(item);
  }
}

// Every name a hit carries, each a link to its page.
function hitEntities(entities) {
  const list = el("ul", { class: "chips hit-entities" });
  for (const kind of ["person", "org", "place", "misc"]) {
    for (const name of entities[kind] || []) {
      list.append(el("li", {}, entityLink(name, kind, { class: "chip ent-" + kind })));
    }
  }
  return list.childElementCount ? list : null;
}

function entityLink(name, kind, attrs) {
  return stateLink(name, { entity: name, kind: kind, article: "" },
    Object.assign({ "data-entity": name, "data-kind": kind, title: "Page of " + name }, attrs || {}));
}

// "+4 copies: Outlet A, Outlet B" and the link that lists the group's members one by one.
function copiesLine(hit) {
  const line = el("p", { class: "copies" },
    "+" + hit.copies + (hit.copies === 1 ? " copy: " : " copies: ") + hit.copy_sources.join(", ") + " ");
  line.append(stateLink("show copies", { group: [hit.group], collapse: "false", offset: "" },
    { class: "show-copies", "data-group": hit.group }));
  return line;
}

function renderPager(results) {
  const pager = $("pager");
  clear(pager);
  const size = results.limit || PAGE_SIZE;
  if (results.total <= size) return;
  const page = Math.floor(results.offset / size) + 1;
  // Collapsed pages hold stories, not articles: a short page is the last.
  const short = results.collapsed && results.hits.length < size;
  const pages = short ? page : Math.ceil(results.total / size);
  const at = (p) => ({ offset: String((p - 1) * size) });
  if (page > 1) pager.append(stateLink("← Previous", at(page - 1), { class: "button", rel: "prev" }));
  pager.append(el("span", { class: "page-of", text: "Page " + page + " of " + pages.toLocaleString() }));
  if (page < pages) pager.append(stateLink("Next →", at(page + 1), { class: "button", rel: "next" }));
}

// Clicking a value adds it as a filter; clicking a selected one removes it. Selected values stay
// listed even when they fall out of the top counts, so they can always be removed.
function toggleFilter(key, value) {
  const values = current[key].includes(value)
    ? current[key].filter((v) => v !== value)
    : current[key].concat([value]);
  return { [key]: values, offset: "" };
}

function renderFacets(facets) {
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

// ---------- entity rules ----------
// Corrections to the names the tagger found: merge one into another, move it to another kind,
// block it. The server keeps them with the index and applies them to every search at once; it
// also decides who may edit (open on loopback, a token elsewhere), and its refusals are shown as
// they come.

let editToken = sessionStorage.getItem("newsdex-edit-token") || "";

async function postRule(action, payload) {
  const headers = { Accept: "application/json", "Content-Type": "application/json" };
  if (editToken) headers.Authorization = "Bearer " + editToken;
  const response = await fetch("/api/entities/rules/" + action, {
    method: "POST",
    headers,
    body: JSON.stringify(payload),
  });
  if (response.status === 401) {
    const token = window.prompt("This server needs its edit token to change entity rules:");
    if (token) {
      editToken = token;
      sessionStorage.setItem("newsdex-edit-token", token);
      return postRule(action, payload);
    }
  }
  let body = null;
  try {
    body = await response.json();
  } catch (_) {
    body = { error: "the server sent an unreadable answer (" + response.status + ")" };
  }
  if (!response.ok) throw new Error((body && body.error) || "request failed (" + response.status + ")");
  return body;
}

// A form with the three corrections for one entity; `done` runs after a saved change.
function ruleActions(kind, name, done) {
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

function renderActive() {
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

// ---------- article view ----------

const KIND_LABEL = { person: "People", org: "Organisations", place: "Places", misc: "Other names" };

async function showArticle(id) {
  const mine = ++generation;
  const view = $("article");
  $("sidebar").hidden = false;
  $("results").hidden = true;
  $("pager").hidden = true;
  $("timeline").hidden = true;
  $("download").hidden = true;
  view.hidden = false;
  clear(view);
  setStatus("Loading article…", "busy");
  let article;
  try {
    article = await api("/api/articles/" + encodeURIComponent(id));
  } catch (err) {
    if (mine !== generation) return;
    setStatus(err.message, "error");
    view.append(stateLink("← Back to results", { article: "" }, { class: "back" }));
    return;
  }
  if (mine !== generation) return;
  setStatus("");
  renderFacets(null);
  renderArticle(view, article);
  loadRelated(view, id, mine);
}

function mentionSpans(mentions) {
  return (mentions || [])
    .map((m) => ({
      start: m.start,
      end: m.end,
      className: "ent ent-" + m.kind,
      title: m.kind + ": " + m.canonical,
    }))
    .sort((a, b) => a.start - b.start);
}

// Paragraph ranges of cps[from, to): blank lines (or single newlines) separate paragraphs.
function paragraphs(cps, from, to) {
  const out = [];
  let start = from;
  for (let i = from; i <= to; i++) {
    if (i === to || cps[i] === "\n") {
      if (i > start && cps.slice(start, i).join("").trim() !== "") out.push([start, i]);
      start = i + 1;
    }
  }
  return out;
}

function renderArticle(view, article) {
  const cps = Array.from(article.text);
  const spans = mentionSpans(article.mentions);
  view.append(stateLink("← Back to results", { article: "" }, { class: "back" }));
  const title = el("h1");
  appendMarked(title, cps, 0, Math.max(0, article.body_start - 2), spans);
  view.append(title);
  view.append(metaLine([article.source, formatDate(article.date), article.section, (article.authors || []).join(", ")]));
  if (article.url && /^https?:\/\//i.test(article.url)) {
    view.append(el("p", { class: "meta" }, el("a", { href: article.url, rel: "noopener noreferrer nofollow", target: "_blank", text: "Original article" })));
  }
  const body = el("div", { class: "body" });
  for (const [start, end] of paragraphs(cps, article.body_start, cps.length)) {
    const p = el("p");
    appendMarked(p, cps, start, end, spans);
    body.append(p);
  }
  view.append(body);
  view.append(entityBox(article.entities || {}));
  view.append(el("section", { class: "related", id: "related" }, el("h2", { text: "Related coverage" }), el("p", { class: "meta", text: "Loading…" })));
}

function entityBox(entities) {
  const box = el("section", { class: "entities" });
  for (const kind of ["person", "org", "place", "misc"]) {
    const names = entities[kind] || [];
    if (names.length === 0) continue;
    const list = el("ul", { class: "chips" });
    for (const name of names) {
      const change = { article: "", q: "", offset: "" };
      for (const key of LIST_KEYS) change[key] = [];
      change[kind] = [name];
      const page = entityLink(name, kind, { class: "entity-link", "aria-label": "Page of " + name });
      page.textContent = "›";
      list.append(el("li", {}, stateLink(name, change, { class: "chip ent-" + kind, title: "Articles mentioning " + name }), page));
    }
    box.append(el("h3", { text: KIND_LABEL[kind] }), list);
  }
  return box;
}

async function loadRelated(view, id, mine) {
  let related;
  try {
    related = await api("/api/articles/" + encodeURIComponent(id) + "/related");
  } catch (err) {
    related = { hits: [], error: err.message };
  }
  if (mine !== generation) return;
  const box = $("related");
  if (!box) return;
  clear(box);
  box.append(el("h2", { text: "Related coverage" }));
  if (related.error) {
    box.append(el("p", { class: "meta", text: related.error }));
    return;
  }
  if (related.hits.length === 0) {
    box.append(el("p", { class: "meta", text: "Nothing similar in the archive." }));
    return;
  }
  const list = el("ul", { class: "related-list" });
  for (const hit of related.hits) {
    list.append(el("li", {},
      stateLink(hit.headline || "(no headline)", { article: hit.id }),
      metaLine([hit.source, formatDate(hit.date)])));
  }
  box.append(list);
}

// ---------- entity page ----------

// A search over the articles carrying the entity, with `extra` filters on top.
function entitySearch(name, kind, extra) {
  const change = { q: "", offset: "", article: "", since: "", until: "", sort: "newest" };
  for (const key of LIST_KEYS) change[key] = [];
  if (LIST_KEYS.includes(kind)) change[kind] = [name];
  return Object.assign(change, extra || {});
}

async function showEntity(name, kind) {
  const mine = ++generation;
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
    if (mine !== generation) return;
    setStatus(err.message, "error");
    return;
  }
  if (mine !== generation) return;
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

const KIND_NAME = { person: "person", org: "organisation", place: "place", misc: "other name" };

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
  // Corrections to this entity (alias, retype, block), kept with the index: after one, the page
  // shows the entity as the rules now do (the merged name's page, the new kind, or nothing).
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
      const chip = el("li", { class: "chip" + (m.by === "rule" ? " by-rule" : ""), title: articlesText(m.articles) }, m.name);
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

// The button that takes a name a rule merged into this page out again.
function undoRule(merged) {
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

// ---------- controls ----------

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

// ---------- batch search ----------

function toggleBatch() {
  const box = $("batch");
  box.hidden = !box.hidden;
  $("batch-toggle").setAttribute("aria-expanded", box.hidden ? "false" : "true");
}

// An uploaded list is read into the text box, where it can be checked and edited before running.
function batchFileChosen() {
  const file = $("batch-file").files[0];
  if (!file) return;
  const reader = new FileReader();
  reader.onload = () => { $("batch-text").value = String(reader.result); };
  reader.readAsText(file);
}

// The list runs under the filters on screen; each row links to its own search with them.
async function runBatch(event) {
  event.preventDefault();
  const out = $("batch-results");
  clear(out);
  out.append(el("p", { class: "status busy", text: "Running…" }));
  const params = searchParams(current);
  for (const key of ["q", "limit", "offset", "sort"]) params.delete(key);
  let report;
  try {
    report = await api("/api/batch?" + params.toString(),
      { text: $("batch-text").value, per_source: $("batch-per-source").checked });
  } catch (err) {
    clear(out);
    out.append(el("p", { class: "status error", text: err.message }));
    return;
  }
  clear(out);
  const table = el("table", { class: "batch-table" });
  table.append(el("thead", {}, el("tr", {}, el("th", { text: "Line" }), el("th", { text: "Query" }),
    el("th", { text: "Hits" }), el("th", { text: "By source" }))));
  const body = el("tbody");
  for (const row of report.rows) {
    const tr = el("tr", { class: row.error ? "batch-row failed" : "batch-row" });
    const link = stateLink(row.query, { q: row.query, offset: "", article: "" }, { class: "batch-query" });
    const hits = row.error ? el("td", { class: "error", text: row.error }) : el("td", { class: "num", text: row.total.toLocaleString() });
    const sources = (row.sources || []).map((s) => s.value + " " + s.count).join(", ");
    tr.append(el("td", { class: "num", text: String(row.line) }), el("td", {}, link), hits, el("td", { text: sources }));
    body.append(tr);
  }
  table.append(body);
  const n = report.rows.length;
  out.append(el("p", { class: "meta", text: n + (n === 1 ? " query" : " queries") + (report.failed ? ", " + report.failed + " failed" : "") }), table);
}

function init() {
  $("batch-toggle").addEventListener("click", toggleBatch);
  $("batch-form").addEventListener("submit", runBatch);
  $("batch-file").addEventListener("change", batchFileChosen);
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
    current = readState("/", "");
    history.pushState(null, "", "/");
    render();
  });
  // "/" jumps to the search box, as on most search pages.
  document.addEventListener("keydown", (event) => {
    const typing = /^(INPUT|SELECT|TEXTAREA)$/.test(document.activeElement.tagName);
    if (event.key === "/" && !typing) {
      event.preventDefault();
      $("q").focus();
    }
  });
  render();
}

document.addEventListener("DOMContentLoaded", init);
