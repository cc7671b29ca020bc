//! The engines, side by side behind [`crate::backend`]: the embedded tantivy index and an
//! OpenSearch cluster. They never import each other; [`crate::open`] chooses between them.
pub mod opensearch;
pub mod tantivy;
