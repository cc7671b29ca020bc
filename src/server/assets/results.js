// The search view: one request per state draws the status line, the list of hits, the pager, the
// download links, and hands the timeline and facets their parts of the same answer.
import { key, withKey } from "./account.js";
import { api } from "./api.js";
import { $, clear, el, formatDate, highlighted, metaLine, setStatus } from "./dom.js";
import { FACETS, renderFacets } from "./facets.js";
import { entityLink, stateLink } from "./links.js";
import { LIST_KEYS, beginLoad, isStale, searchParams, state } from "./state.js";
import { renderTimeline } from "./timeline.js";

const PAGE_SIZE = 10;

export async function runSearch() {
  const mine = beginLoad();
  const current = state();
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
    if (isStale(mine)) return;
    clear($("results"));
    clear($("pager"));
    $("download").hidden = true;
    renderTimeline(null);
    renderFacets(null);
    showQueryError(err);
    return;
  }
  if (isStale(mine)) return;
  renderStatus(results);
  renderTimeline(results.timeline);
  renderDownload(results);
  renderResults(results);
  renderPager(results);
  renderFacets(results.facets);
}

// A caret under the query points at where the parser gave up.
function showQueryError(err) {
  const q = state().q;
  const status = setStatus("", "error");
  status.append(el("p", { text: err.message }));
  if (err.position !== null && err.position !== undefined && q) {
    const cps = Array.from(q);
    const caret = " ".repeat(Math.min(err.position, cps.length)) + "^";
    status.append(el("pre", { class: "caret", text: q + "\n" + caret }));
  }
}

function renderStatus(results) {
  const current = state();
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

// The links export the whole result set of the current search, not the page shown.
function exportUrl(format) {
  const params = searchParams(state());
  params.delete("limit");
  params.delete("offset");
  params.set("format", format);
  return "/api/export?" + params.toString();
}

function renderDownload(results) {
  $("download").hidden = results.total === 0;
  $("download-csv").href = exportUrl("csv");
  $("download-jsonl").href = exportUrl("jsonl");
  $("download-csv").onclick = keyedDownload;
  $("download-jsonl").onclick = keyedDownload;
}

// A plain link cannot carry the key, so when signed in the file is fetched with it and handed to
// the browser as a download from memory.
async function keyedDownload(event) {
  if (!key()) return;
  event.preventDefault();
  const link = event.currentTarget;
  const response = await fetch(link.href, { headers: withKey({}) });
  if (!response.ok) {
    let message = "export refused (" + response.status + ")";
    try {
      message = (await response.json()).error || message;
    } catch (_) {}
    setStatus(message, "error");
    return;
  }
  const url = URL.createObjectURL(await response.blob());
  const save = el("a", { href: url, download: link.href.includes("format=jsonl") ? "newsdex-export.jsonl" : "newsdex-export.csv" });
  document.body.append(save);
  save.click();
  save.remove();
  URL.revokeObjectURL(url);
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
    if (hit.quotes && hit.quotes.length) item.append(hitQuotes(hit.quotes));
    if (hit.copies > 0 && hit.group) item.append(copiesLine(hit));
    const names = hitEntities(hit.entities || {});
    if (names) item.append(names);
    list.append(item);
  }
}

// The quotes the search asked about (quote: words, a speaker filter), each with who said it.
function hitQuotes(quotes) {
  const list = el("ul", { class: "hit-quotes" });
  for (const q of quotes) {
    const who = q.speaker || "unattributed";
    list.append(el("li", { class: "quote" },
      el("q", { text: q.text }),
      el("span", { class: "speaker", text: " — " + who })));
  }
  return list;
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
