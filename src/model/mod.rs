//! The engine-neutral vocabulary: requests and their options, results and hits, the article as
//! stored, the query tree and its parser, snippets and highlights, ranking settings as data,
//! feedback's relevance model, search deadlines, explanations, timelines, copy signatures and groups, the manifest, field names. Everything
//! that searches speaks it and it imports no engine, so both engines answer in one shape.
//!
//! Files here import each other by their own paths (`super::query::...`), never through this
//! module, so the room has no circles.
pub mod article;
pub mod check;
pub mod copies;
pub mod deadline;
pub mod explain;
pub mod feedback;
pub mod fields;
pub mod highlight;
pub mod keys;
pub mod manifest;
pub mod names;
pub mod query;
pub mod quoted;
pub mod ranking;
pub mod related;
pub mod request;
pub mod results;
pub mod scoring;
pub mod snippet;
pub mod sources;
pub mod timeline;
pub mod write;
