//! newsdex: a search engine for news archives, as a library a Rust program can embed: index a
//! folder of articles, search it, tag the people, organisations and places the articles name.
//!
//! The layers, bottom to top (docs/architecture.md; no module imports one above it):
//! [`error`] and [`analysis`] are shared by everything; [`ingest`] turns files into articles and
//! [`entities`] tags them; [`model`] is the engine-neutral vocabulary; [`backend`] is the
//! boundary; [`engines`] answer behind it side by side; [`features`] work over the boundary on any
//! engine; [`open`] is the one place that names the engines and stacks the layers. The command
//! line and the server are the `newsdex` binary's, not the library's.
pub mod analysis;
pub mod backend;
pub mod engines;
pub mod entities;
pub mod error;
pub mod features;
pub mod ingest;
pub mod model;
pub mod open;
pub mod quotes;

pub use error::{Error, Result};
