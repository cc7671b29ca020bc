// The article view: the full text with its tagged names marked, the names as filters, and related
// coverage, which loads after the text so the article is readable at once.
import { api } from "./api.js";
import { $, appendMarked, clear, el, formatDate, metaLine, setStatus } from "./dom.js";
import { KIND_LABEL } from "./entity.js";
import { renderFacets } from "./facets.js";
import { entityLink, stateLink } from "./links.js";
import { LIST_KEYS, beginLoad, isStale } from "./state.js";

export async function showArticle(id) {
  const mine = beginLoad();
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
    if (isStale(mine)) return;
    setStatus(err.message, "error");
    view.append(stateLink("← Back to results", { article: "" }, { class: "back" }));
    return;
  }
  if (isStale(mine)) return;
  setStatus("");
  renderFacets(null);
  renderArticle(view, article);
  loadRelated(id, mine);
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

export function renderArticle(view, article) {
  const cps = Array.from(article.text);
  const spans = mentionSpans(article.mentions);
  view.append(stateLink("← Back to results", { article: "" }, { class: "back" }));
  const title = el("h1");
  appendMarked(title, cps, 0, Math.max(0, article.body_start - 2), spans);
  view.append(title);
  view.append(metaLine([article.source, formatDate(article.date), article.section, (article.authors || []).join(", ")]));
  if (article.ocr) {
    view.append(el("p", { class: "meta ocr", text: "Text read by OCR from page images: it may contain misreadings." }));
  }
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

// Each name is a chip that searches for it alone, with a small link to its own page beside it.
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

async function loadRelated(id, mine) {
  let related;
  try {
    related = await api("/api/articles/" + encodeURIComponent(id) + "/related");
  } catch (err) {
    related = { hits: [], error: err.message };
  }
  if (isStale(mine)) return;
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
