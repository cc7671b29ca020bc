// Batch search: a list of queries counted in one request, under the filters on screen. Its panel
// is not part of the URL, so a list being edited survives navigation.
import { api } from "./api.js";
import { $, clear, el } from "./dom.js";
import { stateLink } from "./links.js";
import { searchParams, state } from "./state.js";

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

// Each row links to its own search under the same filters.
async function runBatch(event) {
  event.preventDefault();
  const out = $("batch-results");
  clear(out);
  out.append(el("p", { class: "status busy", text: "Running…" }));
  const params = searchParams(state());
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

export function wireBatch() {
  $("batch-toggle").addEventListener("click", toggleBatch);
  $("batch-form").addEventListener("submit", runBatch);
  $("batch-file").addEventListener("change", batchFileChosen);
}
