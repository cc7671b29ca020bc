//! The integration tests: one binary that runs the real `newsdex` on real files in temp folders.
mod browser;
mod cli;
mod common;
mod config;
mod conventions;
mod entities;
mod incremental;
mod messages;
mod server;
mod shared_corpora;
