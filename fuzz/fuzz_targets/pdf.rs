//! The PDF parser, from raw bytes to an article or a reported skip.
#![no_main]
use libfuzzer_sys::fuzz_target;
use newsdex::ingest::Format;

#[path = "../shared/article_checks.rs"]
mod article_checks;

fuzz_target!(|data: &[u8]| article_checks::parse_and_check(Format::Pdf, "world/fuzzed.pdf", data));
