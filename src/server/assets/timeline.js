// The bar chart of articles over time, drawn for a search and on an entity's page. Drawn as SVG
// nodes one by one, like the rest of the page, so no markup is ever parsed.
import { $, clear, el } from "./dom.js";
import { plainClick } from "./links.js";
import { changed, navigate, pageUrl } from "./state.js";

const SVG_NS = "http://www.w3.org/2000/svg";

function svg(tag, attrs) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, String(value));
  return node;
}

// One bar per period, heights scaled to the busiest; a bar is a link that narrows the dates to its
// period, so clicking filters and the URL keeps it. `base` is the search a bar narrows.
export function renderTimeline(timeline, box = $("timeline"), base = {}) {
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
      if (!plainClick(event)) return;
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
