// Building page nodes. Article text is untrusted, so every node is made with createElement and
// textContent, never from markup.
//
// Offsets from the API count Unicode scalar values, while JS strings count UTF-16 units, so texts
// are indexed as Array.from(text).

export const $ = (id) => document.getElementById(id);

export function el(tag, attrs, ...children) {
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

export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
}

// Append cps[from, to) to parent, wrapping each span (absolute code-point offsets) in its own
// element. Spans must be sorted; overlapping ones are skipped rather than nested.
export function appendMarked(parent, cps, from, to, spans) {
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

export function highlighted(tag, attrs, text, ranges) {
  const node = el(tag, attrs);
  const cps = Array.from(text || "");
  const spans = (ranges || [])
    .map(([start, end]) => ({ start, end }))
    .sort((a, b) => a.start - b.start);
  appendMarked(node, cps, 0, cps.length, spans);
  return node;
}

export function formatDate(date) {
  if (!date) return "";
  const d = new Date(date + "T00:00:00Z");
  if (isNaN(d)) return date;
  return d.toLocaleDateString(undefined, { year: "numeric", month: "short", day: "numeric", timeZone: "UTC" });
}

export function metaLine(parts) {
  return el("p", { class: "meta" }, parts.filter(Boolean).join(" · "));
}

export function setStatus(text, kind) {
  const status = $("status");
  clear(status);
  status.className = "status" + (kind ? " " + kind : "");
  if (text) status.append(text);
  status.hidden = !text && !kind;
  return status;
}
