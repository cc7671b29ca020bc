//! The html parser, from raw bytes (any encoding) to articles.
#![no_main]
use libfuzzer_sys::fuzz_target;
use newsdex::ingest::Format;

#[path = "../shared/article_checks.rs"]
mod article_checks;

fuzz_target!(|data: &[u8]| article_checks::parse_and_check(
    Format::Html,
    "world/fuzzed.html",
    data
));
