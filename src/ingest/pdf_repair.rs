//! PDF repairs made before the text layer is read: what poppler tolerates and the PDF library
//! (`pdf-extract` over `lopdf`) does not.
//!
//! Real files are often slightly wrong, and the library then loses a whole file or page that a
//! reader shows without complaint. Rather than fork the library, the document is mended first,
//! with the library's own object model: a cross-reference table that points a few bytes off is
//! rebuilt from the `N G obj` markers in the file; in content streams, comments are removed, a
//! `/Filter` given as a reference is made direct, and the two text operators the library does not
//! know (`'`: next line, show; `"`: set spacing, next line, show) are spelled with the ones it
//! does. Each repair changes only what it must, so a well-formed file reads exactly as before.
use std::collections::BTreeMap;

use pdf_extract::content::{Content, Operation};
use pdf_extract::{Document, Object, ObjectId, Stream};

/// A copy of `bytes` with a fresh cross-reference table and trailer appended, built from the
/// objects found in the file, or `None` when no catalog can be found. A later table overrides
/// the broken one, so the objects themselves are read where they really are.
pub fn rebuild_xref(bytes: &[u8]) -> Option<Vec<u8>> {
    let objects = object_offsets(bytes);
    let root = objects
        .iter()
        .find(|(_, (_, at))| object_is_catalog(&bytes[*at..]))
        .map(|(&num, &(generation, _))| (num, generation))?;
    let info = trailer_reference(bytes, b"/Info");
    let size = objects.keys().next_back().map_or(1, |&n| n + 1);
    let mut out = bytes.to_vec();
    out.push(b'\n');
    let start = out.len();
    out.extend_from_slice(format!("xref\n0 {size}\n").as_bytes());
    for num in 0..size {
        let entry = match objects.get(&num) {
            Some(&(generation, at)) => format!("{at:010} {generation:05} n\r\n"),
            None => "0000000000 65535 f\r\n".to_string(),
        };
        out.extend_from_slice(entry.as_bytes());
    }
    let mut trailer = format!("trailer\n<< /Size {size} /Root {} {} R", root.0, root.1);
    if let Some((n, g)) = info.filter(|(n, _)| objects.contains_key(n)) {
        trailer.push_str(&format!(" /Info {n} {g} R"));
    }
    trailer.push_str(&format!(" >>\nstartxref\n{start}\n%%EOF\n"));
    out.extend_from_slice(trailer.as_bytes());
    Some(out)
}

/// Every `N G obj` at the start of a line (the last definition of a number wins, as in an
/// incrementally updated file): object number to (generation, byte offset).
fn object_offsets(bytes: &[u8]) -> BTreeMap<u32, (u16, usize)> {
    let mut found = BTreeMap::new();
    let mut at = 0;
    while let Some(pos) = find_from(bytes, b"obj", at) {
        at = pos + 3;
        if let Some((start, num, generation)) = object_header_before(bytes, pos) {
            found.insert(num, (generation, start));
        }
    }
    found
}

/// The `N G ` before an `obj` keyword at `pos`, when it starts a line.
fn object_header_before(bytes: &[u8], pos: usize) -> Option<(usize, u32, u16)> {
    let after = bytes.get(pos + 3).copied().unwrap_or(b' ');
    if after.is_ascii_alphanumeric() {
        return None; // `objects`, `obj1`...
    }
    let mut i = pos;
    let mut fields = Vec::new();
    for _ in 0..2 {
        while i > 0 && bytes[i - 1].is_ascii_whitespace() {
            i -= 1;
        }
        let end = i;
        while i > 0 && bytes[i - 1].is_ascii_digit() {
            i -= 1;
        }
        if i == end || end - i > 10 {
            return None;
        }
        fields.push(std::str::from_utf8(&bytes[i..end]).ok()?);
    }
    if i > 0 && !matches!(bytes[i - 1], b'\n' | b'\r' | b'>' | b' ') {
        return None;
    }
    Some((i, fields[1].parse().ok()?, fields[0].parse().ok()?))
}

/// Whether the object starting here is the document catalog (`/Type /Catalog`).
fn object_is_catalog(object: &[u8]) -> bool {
    let end = find_from(object, b"endobj", 0).unwrap_or(object.len().min(4096));
    let body: Vec<u8> = object[..end]
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    find_from(&body, b"/Type/Catalog", 0).is_some()
}

/// `key N G R` in the last trailer dictionary of the file.
fn trailer_reference(bytes: &[u8], key: &[u8]) -> Option<(u32, u16)> {
    let trailer = rfind(bytes, b"trailer")?;
    let at = find_from(bytes, key, trailer)? + key.len();
    let rest = std::str::from_utf8(&bytes[at..(at + 32).min(bytes.len())]).ok()?;
    let mut parts = rest.split_whitespace();
    let n = parts.next()?.parse().ok()?;
    let g = parts.next()?.parse().ok()?;
    (parts.next()?.starts_with('R')).then_some((n, g))
}

fn find_from(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

/// Mend every page content stream and form XObject in place (see the module header).
pub fn mend_content_streams(doc: &mut Document) {
    let mut ids: Vec<ObjectId> = doc
        .get_pages()
        .values()
        .flat_map(|&page| doc.get_page_contents(page))
        .collect();
    ids.extend(doc.objects.iter().filter_map(|(&id, object)| {
        let stream = object.as_stream().ok()?;
        let form = stream.dict.get(b"Subtype").and_then(Object::as_name).ok() == Some(b"Form");
        form.then_some(id)
    }));
    ids.sort_unstable();
    ids.dedup();
    for id in ids {
        let direct_filter = direct_filters(doc, id);
        let Some(Object::Stream(stream)) = doc.objects.get_mut(&id) else {
            continue;
        };
        if let Some((filter, params)) = direct_filter {
            stream.dict.set("Filter", filter);
            match params {
                Some(p) => stream.dict.set("DecodeParms", p),
                None => {
                    stream.dict.remove(b"DecodeParms");
                }
            }
        }
        mend_stream(stream);
    }
}

/// The stream's `/Filter` and `/DecodeParms` resolved, when either is given as a reference.
fn direct_filters(doc: &Document, id: ObjectId) -> Option<(Object, Option<Object>)> {
    let stream = doc.objects.get(&id)?.as_stream().ok()?;
    let filter = stream.dict.get(b"Filter").ok()?;
    let params = stream.dict.get(b"DecodeParms").ok();
    let indirect = |o: &Object| matches!(o, Object::Reference(_));
    if !indirect(filter) && !params.is_some_and(indirect) {
        return None;
    }
    let resolve = |o: &Object| match o {
        Object::Reference(r) => doc.get_object(*r).ok().cloned(),
        other => Some(other.clone()),
    };
    Some((resolve(filter)?, params.and_then(resolve)))
}

/// Rewrite one content stream when it has comments or the `'` and `"` operators.
fn mend_stream(stream: &mut Stream) {
    let Ok(plain) = stream.get_plain_content() else {
        return;
    };
    let Some(scan) = scan_content(&plain) else {
        return;
    };
    if !scan.had_comments && !scan.quote_operators {
        return;
    }
    let Ok(content) = Content::decode(&scan.text) else {
        return;
    };
    let operations = spell_quote_operators(content.operations);
    if let Ok(encoded) = (Content { operations }).encode() {
        stream.set_plain_content(encoded);
    }
}

/// A content stream with its comments taken out, and whether it had any or used `'` or `"`.
struct Scanned {
    text: Vec<u8>,
    had_comments: bool,
    quote_operators: bool,
}

/// Walk a content stream's bytes outside strings; `None` for streams with inline images, whose
/// binary data cannot be told from operators without a full parse.
fn scan_content(bytes: &[u8]) -> Option<Scanned> {
    let mut out = Vec::with_capacity(bytes.len());
    let (mut had_comments, mut quote_operators) = (false, false);
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'(' => {
                let end = literal_string_end(bytes, i);
                out.extend_from_slice(&bytes[i..end]);
                i = end;
                continue;
            }
            b'%' => {
                had_comments = true;
                while i < bytes.len() && !matches!(bytes[i], b'\n' | b'\r') {
                    i += 1;
                }
                out.push(b'\n');
                continue;
            }
            b'\'' | b'"' => quote_operators = true,
            b'B' if bytes.get(i + 1) == Some(&b'I')
                && (i == 0 || bytes[i - 1].is_ascii_whitespace())
                && bytes.get(i + 2).is_none_or(u8::is_ascii_whitespace) =>
            {
                return None;
            }
            _ => {}
        }
        out.push(b);
        i += 1;
    }
    Some(Scanned {
        text: out,
        had_comments,
        quote_operators,
    })
}

/// The index just past the literal string opening at `start` (balanced parentheses, `\` escapes).
fn literal_string_end(bytes: &[u8], start: usize) -> usize {
    let mut depth = 0usize;
    let mut i = start;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 1,
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    bytes.len()
}

/// `s '` is `T* s Tj`; `aw ac s "` is `aw Tw ac Tc T* s Tj` (PDF 32000-1, table 109).
fn spell_quote_operators(operations: Vec<Operation>) -> Vec<Operation> {
    let mut out = Vec::with_capacity(operations.len());
    for op in operations {
        match (op.operator.as_str(), op.operands.as_slice()) {
            ("'", [text]) => {
                out.push(Operation::new("T*", vec![]));
                out.push(Operation::new("Tj", vec![text.clone()]));
            }
            ("\"", [word, character, text]) => {
                out.push(Operation::new("Tw", vec![word.clone()]));
                out.push(Operation::new("Tc", vec![character.clone()]));
                out.push(Operation::new("T*", vec![]));
                out.push(Operation::new("Tj", vec![text.clone()]));
            }
            _ => out.push(op),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_are_removed_but_percent_signs_in_strings_stay() {
        let s = scan_content(b"BT % a note\n  /F1 12 Tf (50% off) Tj ET").unwrap();
        assert!(s.had_comments);
        // The comment becomes a line break of its own; the line it ended keeps its own.
        assert_eq!(s.text, b"BT \n\n  /F1 12 Tf (50% off) Tj ET");
    }

    #[test]
    fn quote_operators_become_next_line_and_show() {
        let content = Content::decode(b"BT 14 TL (one) ' 1 0.5 (two) \" ET").unwrap();
        let ops: Vec<String> = spell_quote_operators(content.operations)
            .into_iter()
            .map(|o| o.operator)
            .collect();
        assert_eq!(ops, ["BT", "TL", "T*", "Tj", "Tw", "Tc", "T*", "Tj", "ET"]);
    }

    #[test]
    fn object_headers_found_only_at_line_starts() {
        let bytes = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\nx 2 0 objects\n12 3 obj\n";
        let found = object_offsets(bytes);
        assert_eq!(found.get(&1), Some(&(0, 9)));
        assert_eq!(found.get(&12).map(|f| f.0), Some(3));
        assert!(!found.contains_key(&2));
    }
}
