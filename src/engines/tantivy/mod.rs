//! The embedded engine: a tantivy index in a folder. Its schema, documents, stem tables and
//! manifest files (the storage), and its searcher (BM25F, a second pass of feedback and proximity, facets, timeline, related
//! coverage, export), behind [`crate::backend::Backend`] and [`crate::backend::Store`].
pub mod best;
pub mod bm25f;
pub mod build;
pub mod check;
pub mod copies;
pub mod deadline;
pub mod document;
pub mod engine;
pub mod export;
pub mod facets;
pub mod feedback;
pub mod files;
pub mod hands;
pub mod index;
pub mod keys;
pub mod manifest;
pub mod proximity;
pub mod related;
pub mod rerank;
pub mod rules;
pub mod schema;
pub mod sources;
pub mod stems;
pub mod store;
pub mod timeline;
pub mod worked;

pub use engine::Engine;
pub use index::{NewsIndex, default_location};
pub use schema::Fields;
pub use store::TantivyStore;
