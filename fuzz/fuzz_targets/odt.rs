//! The ODT parser: whole archives, or fuzzed content and meta XML in a good archive.
#![no_main]
use libfuzzer_sys::fuzz_target;
use newsdex::ingest::Format;

#[path = "../shared/article_checks.rs"]
mod article_checks;
#[path = "../shared/office_parts.rs"]
mod office_parts;

const MIMETYPE: &[u8] = b"application/vnd.oasis.opendocument.text";

fuzz_target!(|data: &[u8]| {
    let file = office_parts::document(data, &[("mimetype", MIMETYPE)], "content.xml", "meta.xml");
    article_checks::parse_and_check(Format::Odt, "world/fuzzed.odt", &file);
});
