// newsdex web page, entry module: picks the view the state names and wires the modules together.
// Loaded as a module: the other files arrive through imports, and share state only through state.js.
import { wireAccount } from "./account.js";
import { renderArticle, showArticle } from "./article.js";
import { wireBatch } from "./batch.js";
import { syncControls, wireControls } from "./controls.js";
import { $, clear } from "./dom.js";
import { showEntity } from "./entity.js";
import { runSearch } from "./results.js";
import { followLocation, setRenderer, state } from "./state.js";

function render() {
  const current = state();
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

setRenderer(render);
window.addEventListener("popstate", followLocation);

// The page's only globals, both stateless: the browser test calls them by name to draw an article
// from a mention list the test index cannot produce, as it could when the script was not a module.
window.clear = clear;
window.renderArticle = renderArticle;

function init() {
  wireBatch();
  wireControls();
  // The first search waits for the server to say who this page is (and may ask for a key).
  wireAccount(render);
}

document.addEventListener("DOMContentLoaded", init);
