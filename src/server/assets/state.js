// The page's one piece of shared state: which view the URL names, and which request may still draw
// it. Other modules read it through these functions and change it only by navigating.
//
// The URL is the whole state, with the API's own parameter names, so any view can be bookmarked,
// shared and restored by back/forward; an entity's page lives at /entity?name=&kind=.

// `group` narrows to one group of copies of a story, and `collapse=false` lists each copy.
export const LIST_KEYS = ["source", "section", "person", "org", "place", "misc", "speaker", "group"];
const SINGLE_KEYS = ["q", "since", "until", "sort", "match", "limit", "offset", "collapse"];
export const ENTITY_KINDS = ["person", "org", "place", "misc"];

export function readState(path, search) {
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
export function searchParams(state) {
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

export function pageUrl(state) {
  if (state.entity) return entityUrl(state.entity, state.kind);
  const params = searchParams(state);
  if (state.article) params.set("article", state.article);
  const text = params.toString();
  return text ? "/?" + text : "/";
}

// Frozen so that a module holding it cannot change the page behind the URL's back.
let current = Object.freeze(readState(location.pathname, location.search));
let renderer = () => {};
let generation = 0;

export function state() {
  return current;
}

// The state a change leads to. An entity's page is left by any change that does not name one.
export function changed(change) {
  const from = change.entity ? readState("/", "") : current;
  return Object.assign({}, from, { entity: "", kind: "" }, change);
}

// The entry module supplies the drawing, so views can ask for a redraw without importing it.
export function setRenderer(draw) {
  renderer = draw;
}

export function render() {
  renderer();
}

export function navigate(change) {
  current = Object.freeze(changed(change));
  history.pushState(null, "", pageUrl(current));
  render();
}

export function goHome() {
  current = Object.freeze(readState("/", ""));
  history.pushState(null, "", "/");
  render();
}

// Back and forward: the browser has already changed the URL, so only the state follows it.
export function followLocation() {
  current = Object.freeze(readState(location.pathname, location.search));
  render();
}

// Each view load takes a ticket; an answer that arrives after a newer load began is dropped, so a
// slow reply never draws over the view the user has moved on to.
export function beginLoad() {
  return ++generation;
}

export function isStale(ticket) {
  return ticket !== generation;
}
