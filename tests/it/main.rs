//! The integration tests: one binary that runs the real `newsdex` on real files in temp folders.
mod cli;
mod common;
mod incremental;
mod shared_corpora;
