//! Office documents for the DOCX and ODT targets, built around fuzzed XML.
//!
//! Mutating a zip archive mostly breaks its checksums, so few inputs would reach the XML readers.
//! An input that starts like a zip archive ("PK") is fed as it is, which fuzzes the container;
//! any other input is the document's body part and, after a NUL byte, its properties part,
//! wrapped in a well-formed archive so every mutation reaches the XML.
use std::io::{Cursor, Write};

/// The bytes to parse for one fuzzed input: the input itself, or an archive holding
/// `fixed` parts and the input's body and properties parts under the given names.
pub fn document(data: &[u8], fixed: &[(&str, &[u8])], body: &str, props: &str) -> Vec<u8> {
    if data.starts_with(b"PK") {
        return data.to_vec();
    }
    let (body_xml, props_xml) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], Some(&data[i + 1..])),
        None => (data, None),
    };
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let mut add = |name: &str, bytes: &[u8]| {
        w.start_file(name, stored).expect("start a part");
        w.write_all(bytes).expect("write a part");
    };
    for (name, bytes) in fixed {
        add(name, bytes);
    }
    add(body, body_xml);
    if let Some(p) = props_xml {
        add(props, p);
    }
    w.finish().expect("finish the archive").into_inner()
}
