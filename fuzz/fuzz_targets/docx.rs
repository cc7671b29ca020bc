//! The DOCX parser: whole archives, or fuzzed document and core-properties XML in a good archive.
#![no_main]
use libfuzzer_sys::fuzz_target;
use newsdex::ingest::Format;

#[path = "../shared/article_checks.rs"]
mod article_checks;
#[path = "../shared/office_parts.rs"]
mod office_parts;

const CONTENT_TYPES: &[u8] = br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>"#;

fuzz_target!(|data: &[u8]| {
    let file = office_parts::document(
        data,
        &[("[Content_Types].xml", CONTENT_TYPES)],
        "word/document.xml",
        "docProps/core.xml",
    );
    article_checks::parse_and_check(Format::Docx, "world/fuzzed.docx", &file);
});
