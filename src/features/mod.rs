//! What newsdex does over the boundary, on any engine: the indexing run, entity rules, copies of
//! one story (regrouping and collapsing), source aliases from the config, entity pages, export
//! and batch. Each sees only [`crate::backend`] and [`crate::model`], never an engine.
pub mod aliases;
pub mod batch;
pub mod collapse;
pub mod copies;
pub mod entity_page;
pub mod export;
pub mod indexing;
pub mod keys;
pub mod merges;
pub mod rules;
