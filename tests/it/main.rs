//! The integration tests: one binary that runs the real `newsdex` on real files in temp folders.
mod browser;
mod cli;
mod common;
mod config;
mod conventions;
mod dates;
mod documents;
mod entities;
mod incremental;
mod messages;
mod opensearch;
mod ranking;
mod server;
mod shared_corpora;
mod sources;
