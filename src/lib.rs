//! newsdex: a search engine for news archives.
//!
//! The library owns everything; `main.rs` only parses arguments and maps errors to exit codes.
pub mod backend;
pub mod batch;
pub mod cli;
pub mod copies;
pub mod entities;
pub mod entity_page;
pub mod error;
pub mod export;
pub mod index;
pub mod ingest;
pub mod opensearch;
pub mod search;
pub mod server;

pub use error::{Error, Result};
