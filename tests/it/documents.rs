//! PDF, Word and OpenDocument files through the real binary. Every fixture is written here at
//! test time (a small PDF writer, zip archives of XML we write), so nothing binary is committed
//! and each file's content is known exactly.
use std::io::Write;

use serde::Deserialize;

use crate::common::{Fixture, contains_phrase};

#[derive(Debug, Deserialize)]
pub struct Summary {
    pub files_indexed: usize,
    pub skipped: Vec<Skipped>,
    /// Problems inside files that were kept; same shape as a skip.
    #[serde(default)]
    pub warnings: Vec<Skipped>,
}

#[derive(Debug, Deserialize)]
pub struct Skipped {
    pub path: String,
    pub code: String,
    pub detail: Option<String>,
}

fn index_json(f: &Fixture) -> Summary {
    let out = f.index_docs(&["--json", "--no-entities"]);
    serde_json::from_slice(&out.stdout).expect("index --json prints one object")
}

/// One line of text placed on a PDF page.
struct Text<'a> {
    x: f64,
    y: f64,
    size: f64,
    text: &'a str,
}

fn t(x: f64, y: f64, size: f64, text: &str) -> Text<'_> {
    Text { x, y, size, text }
}

/// A minimal, valid PDF: US Letter pages of Helvetica text, an information dictionary with the
/// given entries, and a correct cross-reference table.
fn pdf(pages: &[Vec<Text<'_>>], info: &[(&str, &str)]) -> Vec<u8> {
    let n = pages.len();
    // Objects: 1 catalog, 2 pages, 3 font, 4 info, then page + content for each page.
    let mut objects: Vec<String> = vec![
        "<< /Type /Catalog /Pages 2 0 R >>".into(),
        format!(
            "<< /Type /Pages /Count {n} /Kids [{}] >>",
            (0..n)
                .map(|i| format!("{} 0 R", 5 + 2 * i))
                .collect::<Vec<_>>()
                .join(" ")
        ),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".into(),
        format!(
            "<< {} >>",
            info.iter()
                .map(|(k, v)| format!("/{k} ({})", escape_pdf(v)))
                .collect::<Vec<_>>()
                .join(" ")
        ),
    ];
    for (i, page) in pages.iter().enumerate() {
        let content: String = page
            .iter()
            .map(|l| {
                format!(
                    "BT /F1 {} Tf {} {} Td ({}) Tj ET\n",
                    l.size,
                    l.x,
                    l.y,
                    escape_pdf(l.text)
                )
            })
            .collect();
        // A page without text still draws something, as a scan's page draws its image.
        let content = if content.is_empty() {
            "0 0 m 100 100 l S\n".to_string()
        } else {
            content
        };
        objects.push(format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents {} 0 R >>",
            6 + 2 * i
        ));
        objects.push(format!(
            "<< /Length {} >>\nstream\n{content}endstream",
            content.len()
        ));
    }
    let objects = objects.into_iter().map(String::into_bytes).collect();
    write_pdf_with(objects, &format!("/Info 4 0 R /ID [<{ID}> <{ID}>]"))
}

/// The file identifier PDF writers put in the trailer (encryption keys are derived from it).
const ID: &str = "6e657773646578207465737420706466";

fn escape_pdf(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('(', "\\(")
        .replace(')', "\\)")
}

/// Two pages set in two columns with a running header and a page-numbered footer; the left
/// column's text runs on into the right column, with a word hyphenated across a line break.
fn report_pdf() -> Vec<u8> {
    let page = |n: usize, left: [&'static str; 4], right: [&'static str; 4]| {
        let mut lines = vec![
            t(72.0, 760.0, 9.0, "Harbour Authority Annual Review"),
            t(300.0, 40.0, 9.0, if n == 1 { "Page 1" } else { "Page 2" }),
        ];
        for (i, l) in left.iter().enumerate() {
            lines.push(t(50.0, 700.0 - 14.0 * i as f64, 11.0, l));
        }
        for (i, r) in right.iter().enumerate() {
            lines.push(t(320.0, 700.0 - 14.0 * i as f64, 11.0, r));
        }
        lines
    };
    let mut first = page(
        1,
        [
            "The harbour handled more ships",
            "than in any year before, and the",
            "inter-",
            "national quays stayed open.",
        ],
        [
            "Dredging of the eastern channel",
            "finished in spring, which let the",
            "larger container vessels berth at",
            "night for the first time.",
        ],
    );
    first.insert(0, t(50.0, 730.0, 20.0, "Record year at the eastern quays"));
    let second = page(
        2,
        [
            "The board published its quarterly",
            "tonnage figures every month, with",
            "grain exports up by a fifth and",
            "timber steady.",
        ],
        [
            "Pilots asked for a second tug to",
            "be stationed at the breakwater so",
            "that storms no longer close the",
            "approach for days.",
        ],
    );
    pdf(
        &[first, second],
        &[
            ("Author", "Ines Carvalho"),
            ("CreationDate", "D:20240314093000Z"),
        ],
    )
}

#[test]
fn pdf_reads_columns_in_order_joins_hyphens_and_drops_running_lines() {
    let f = Fixture::new();
    f.write("review.pdf", report_pdf());
    let s = index_json(&f);
    assert_eq!(s.files_indexed, 1, "{:?}", s.skipped);
    let all = f.search(&["", "--limit", "5"]);
    assert_eq!(all.total, 1);
    let hit = &all.hits[0];
    assert_eq!(hit.headline, "Record year at the eastern quays");
    assert_eq!(hit.date.as_deref(), Some("2024-03-14"));
    assert_eq!(hit.authors, ["Ines Carvalho"]);
    // Hyphenated across a line break, and a phrase that crosses a line break.
    assert_eq!(f.search(&["\"international quays\""]).total, 1);
    assert_eq!(f.search(&["\"quarterly tonnage figures\""]).total, 1);
    // The left column runs on into the right one, not into the right column's first line.
    assert_eq!(f.search(&["\"stayed open dredging\""]).total, 1);
    assert_eq!(f.search(&["\"ships finished\""]).total, 0);
    // The running header is not article text; the page numbers neither.
    assert_eq!(f.search(&["authority"]).total, 0);
    let body = f.search(&["\"second tug\""]);
    assert_eq!(body.total, 1);
    assert!(contains_phrase(&body.hits[0].snippet, "second tug"));
}

#[test]
fn pdf_title_from_metadata_wins_over_first_heading() {
    let f = Fixture::new();
    f.write(
        "notice.pdf",
        pdf(
            &[vec![
                t(72.0, 720.0, 18.0, "Notice"),
                t(72.0, 690.0, 11.0, "The ferry timetable changes on Monday."),
            ]],
            &[("Title", "Ferry timetable changes")],
        ),
    );
    index_json(&f);
    let r = f.search(&["ferry"]);
    assert_eq!(r.total, 1);
    assert_eq!(r.hits[0].headline, "Ferry timetable changes");
}

fn skip_of<'a>(s: &'a Summary, name: &str) -> &'a Skipped {
    s.skipped
        .iter()
        .find(|k| k.path.ends_with(name))
        .unwrap_or_else(|| panic!("{name} not reported as skipped: {:?}", s.skipped))
}

fn reason_of<'a>(s: &'a Summary, name: &str) -> &'a str {
    &skip_of(s, name).code
}

/// A good PDF and one of each way a PDF, DOCX or ODT file goes wrong, under `dir` in the
/// fixture's docs folder. Binary documents are written by the tests, not kept in the repository.
pub fn write_broken_documents(f: &Fixture, dir: &str) {
    let at = |name: &str| format!("{dir}{name}");
    let good = report_pdf();
    f.write(&at("good.pdf"), &good);
    f.write(&at("truncated.pdf"), &good[..first_page_at(&good)]);
    f.write(
        &at("garbage.pdf"),
        b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 9 0 R",
    );
    f.write(
        &at("scan.pdf"),
        pdf(&[vec![]], &[("Title", "Scanned letter")]),
    );
    f.write(&at("locked.pdf"), encrypted_pdf());
    f.write(&at("cut.docx"), &docx_file()[..200]);
    f.write(
        &at("not-a-zip.odt"),
        b"plain text pretending to be a document",
    );
    f.write(&at("locked.odt"), odt_file(true));
    f.write(&at("bad-operands.pdf"), bad_operands_pdf());
}

/// Where a PDF from [`pdf`] has its first page object: a file cut there has no page at all.
fn first_page_at(pdf: &[u8]) -> usize {
    pdf.windows(7).position(|w| w == b"5 0 obj").unwrap()
}

/// A file cut short in its second page lost the first too ("malformed"); the first page is read,
/// as readers do, from a cross-reference table rebuilt from the objects that are there.
#[test]
fn pdf_cut_short_keeps_the_pages_before_the_cut() {
    let good = report_pdf();
    let second_page = good.windows(7).position(|w| w == b"7 0 obj").unwrap();
    let f = Fixture::new();
    f.write("cut.pdf", &good[..second_page + 40]);
    let s = index_json(&f);
    assert_eq!(s.files_indexed, 1, "{:?}", s.skipped);
    assert_eq!(f.search(&["\"eastern channel\""]).total, 1);
    assert_eq!(f.search(&["\"second tug\""]).total, 0);
}

/// A text-showing operator given a stray number: the PDF library panics on it with a message
/// that is its own debug structure. Same-length edit, so the offsets stay right.
fn bad_operands_pdf() -> Vec<u8> {
    let good = String::from_utf8(pdf(&[vec![t(50.0, 700.0, 11.0, "XX")]], &[])).unwrap();
    let bad = good.replacen("(XX) Tj", "9(X) Tj", 1);
    assert_ne!(bad, good);
    bad.into_bytes()
}

/// A panic inside the PDF library once reached the skip reason as its debug text
/// ("unexpected Tj operand Operation { operator: ... }").
#[test]
fn pdf_library_panic_is_a_skip_told_in_words_not_its_debug_text() {
    let f = Fixture::new();
    f.write("bad-operands.pdf", bad_operands_pdf());
    let out = f.index_docs(&["--verbose", "--no-entities"]);
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(
        text.contains("skipped: bad-operands.pdf: malformed (the PDF parser failed on this file)"),
        "{text}"
    );
    assert!(
        !text.contains("{ ") && !text.contains("Operation"),
        "{text}"
    );
}

/// A three-page report whose middle page makes the PDF library panic: the whole file used to be
/// skipped; now that page alone is lost, and a warning names it.
#[test]
fn pdf_page_the_parser_cannot_read_costs_that_page_only() {
    let good = String::from_utf8(pdf(
        &[
            vec![t(50.0, 700.0, 11.0, "The pilot boarded at dawn.")],
            vec![t(50.0, 700.0, 11.0, "XX")],
            vec![t(50.0, 700.0, 11.0, "The tug cast off at noon.")],
        ],
        &[],
    ))
    .unwrap();
    // Same-length edit, so the offsets stay right.
    let bad = good.replacen("(XX) Tj", "9(X) Tj", 1);
    assert_ne!(bad, good);
    let f = Fixture::new();
    f.write("report.pdf", bad);
    let s = index_json(&f);
    assert_eq!(s.files_indexed, 1, "{:?}", s.skipped);
    assert_eq!(f.search(&["\"pilot boarded\""]).total, 1);
    assert_eq!(f.search(&["\"tug cast off\""]).total, 1);
    let [warning] = s.warnings.as_slice() else {
        panic!("{:?}", s.warnings);
    };
    assert_eq!(warning.code, "partly_read");
    assert_eq!(
        warning.detail.as_deref(),
        Some("page 2 not read: the PDF parser failed on this file")
    );
}

/// A long manual (1,500 pages) is read whole, with no skip and no warning: the time budget grows
/// with the page count, so length alone never costs a document.
#[test]
fn pdf_long_manual_is_indexed_whole() {
    let numbers: Vec<(String, String)> = (1..=1500)
        .map(|k| {
            (
                format!("Berth {k} takes ships of the eastern channel."),
                k.to_string(),
            )
        })
        .collect();
    // A running header, a line of text and a page number on each page.
    let pages: Vec<Vec<Text<'_>>> = numbers
        .iter()
        .map(|(line, number)| {
            vec![
                t(72.0, 760.0, 9.0, "Harbour pilotage manual"),
                t(72.0, 700.0, 11.0, line.as_str()),
                t(300.0, 40.0, 9.0, number.as_str()),
            ]
        })
        .collect();
    let f = Fixture::new();
    f.write(
        "manual.pdf",
        pdf(&pages, &[("Title", "Harbour pilotage manual")]),
    );
    let s = index_json(&f);
    assert_eq!(s.files_indexed, 1, "{:?}", s.skipped);
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
    for k in ["1", "750", "1500"] {
        let phrase = format!("\"berth {k} takes\"");
        assert_eq!(f.search(&[phrase.as_str()]).total, 1, "{phrase}");
    }
}

#[test]
fn broken_encrypted_and_scanned_documents_are_reported_skips() {
    let f = Fixture::new();
    write_broken_documents(&f, "");
    let s = index_json(&f);
    assert_eq!(s.files_indexed, 1, "{:?}", s.skipped);
    assert_eq!(reason_of(&s, "scan.pdf"), "no_text_layer");
    assert_eq!(reason_of(&s, "locked.pdf"), "encrypted");
    for broken in ["truncated.pdf", "garbage.pdf", "cut.docx", "not-a-zip.odt"] {
        let skip = skip_of(&s, broken);
        assert_eq!(skip.code, "malformed", "{broken}: {skip:?}");
        assert!(
            skip.detail.as_deref().is_some_and(|d| !d.is_empty()),
            "{broken}: {skip:?}"
        );
    }
    assert_eq!(
        f.search(&["\"second tug\""]).total,
        1,
        "the good file is indexed"
    );
}

/// A page that names itself as its parent and lacks `/Resources`: the PDF library looked the
/// resources up that chain for ever, a core kept busy long after the file's time budget ran out.
#[test]
fn pdf_page_that_is_its_own_parent_is_a_malformed_skip_not_an_endless_walk() {
    let f = Fixture::new();
    let good = String::from_utf8(report_pdf()).unwrap();
    // Same-length edits keep the cross-reference offsets right.
    let looped = good
        .replacen("/Type /Page /Parent 2 0 R", "/Type /Page /Parent 5 0 R", 1)
        .replacen("/Resources", "/Resourcex", 1);
    assert_eq!(looped.len(), good.len());
    f.write("looped.pdf", looped);
    f.write("good.pdf", good);
    let s = index_json(&f);
    assert_eq!(s.files_indexed, 1, "{:?}", s.skipped);
    let skip = skip_of(&s, "looped.pdf");
    assert_eq!(skip.code, "malformed", "{skip:?}");
    assert!(
        skip.detail
            .as_deref()
            .is_some_and(|d| d.contains("page tree loops")),
        "{skip:?}"
    );
}

/// The report, encrypted with a user password (RC4, 128-bit), as PDF writers do.
fn encrypted_pdf() -> Vec<u8> {
    use pdf_extract::encryption::{EncryptionState, EncryptionVersion, Permissions};
    let mut doc = pdf_extract::Document::load_mem(&report_pdf()).unwrap();
    let state = EncryptionState::try_from(EncryptionVersion::V2 {
        document: &doc,
        owner_password: "owner",
        user_password: "secret",
        key_length: 128,
        permissions: Permissions::default(),
    })
    .unwrap();
    doc.encrypt(&state).unwrap();
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

fn zip_file(entries: &[(&str, &str)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, content) in entries {
        let method = if *name == "mimetype" {
            zip::CompressionMethod::Stored
        } else {
            zip::CompressionMethod::Deflated
        };
        let opts = zip::write::SimpleFileOptions::default().compression_method(method);
        w.start_file(*name, opts).unwrap();
        w.write_all(content.as_bytes()).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn docx_file() -> Vec<u8> {
    let para = |style: Option<&str>, text: &str| {
        let ppr = style
            .map(|s| format!("<w:pPr><w:pStyle w:val=\"{s}\"/></w:pPr>"))
            .unwrap_or_default();
        format!("<w:p>{ppr}<w:r><w:t xml:space=\"preserve\">{text}</w:t></w:r></w:p>")
    };
    let body = [
        para(Some("Heading1"), "Statement on the lighthouse keepers"),
        para(None, "The keepers of the northern lighthouse will stay on."),
        "<w:p><w:r><w:t>Funding was </w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>agreed</w:t></w:r><w:r><w:t> for ten winters &amp; summers.</w:t></w:r></w:p>".to_string(),
    ]
    .concat();
    let document = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>"#
    );
    let core = r#"<?xml version="1.0" encoding="UTF-8"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:creator>Tomas Lindqvist</dc:creator><dcterms:created xsi:type="dcterms:W3CDTF">2023-11-20T10:00:00Z</dcterms:created></cp:coreProperties>"#;
    let types = r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#;
    zip_file(&[
        ("[Content_Types].xml", types),
        ("word/document.xml", &document),
        ("docProps/core.xml", core),
    ])
}

fn odt_file(encrypted: bool) -> Vec<u8> {
    let content = r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:text><text:h text:outline-level="1">Orchard cooperative minutes</text:h><text:p>The orchard cooperative chose a new <text:span>cider press</text:span> supplier.</text:p><text:p>Members voted<text:s/>by a show of hands.</text:p></office:text></office:body></office:document-content>"#;
    let meta = r#"<?xml version="1.0" encoding="UTF-8"?><office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><office:meta><dc:title>Cooperative minutes, June</dc:title><meta:initial-creator>Maja Brandt</meta:initial-creator><meta:creation-date>2022-06-30T18:00:00</meta:creation-date></office:meta></office:document-meta>"#;
    let manifest = if encrypted {
        r#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"><manifest:encryption-data manifest:checksum-type="SHA1"/></manifest:file-entry></manifest:manifest>"#
    } else {
        r#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/></manifest:manifest>"#
    };
    zip_file(&[
        ("mimetype", "application/vnd.oasis.opendocument.text"),
        ("META-INF/manifest.xml", manifest),
        ("content.xml", content),
        ("meta.xml", meta),
    ])
}

#[test]
fn docx_and_odt_paragraphs_and_properties() {
    let f = Fixture::new();
    f.write("statement.docx", docx_file());
    f.write("minutes.odt", odt_file(false));
    f.write("sealed.odt", odt_file(true));
    let s = index_json(&f);
    assert_eq!(s.files_indexed, 2, "{:?}", s.skipped);
    assert_eq!(reason_of(&s, "sealed.odt"), "encrypted");

    let docx = f.search(&["lighthouse"]);
    assert_eq!(docx.total, 1);
    let hit = &docx.hits[0];
    assert_eq!(hit.headline, "Statement on the lighthouse keepers");
    assert_eq!(hit.authors, ["Tomas Lindqvist"]);
    assert_eq!(hit.date.as_deref(), Some("2023-11-20"));
    assert_eq!(
        f.search(&["\"funding was agreed for ten winters\""]).total,
        1
    );

    let odt = f.search(&["orchard"]);
    assert_eq!(odt.total, 1);
    let hit = &odt.hits[0];
    assert_eq!(hit.headline, "Cooperative minutes, June");
    assert_eq!(hit.authors, ["Maja Brandt"]);
    assert_eq!(hit.date.as_deref(), Some("2022-06-30"));
    assert_eq!(f.search(&["\"new cider press supplier\""]).total, 1);
    assert_eq!(f.search(&["\"voted by a show\""]).total, 1);
}

#[test]
fn a_folder_of_every_format_finds_each_article_by_its_own_words() {
    let f = Fixture::new();
    f.write(
        "wire/plain.txt",
        "Glacier survey delayed\n\nThe glacier survey was delayed by fog.\n",
    );
    f.write(
        "wire/notes.md",
        "# Beekeepers meet\n\nThe beekeepers met in the village hall.\n",
    );
    f.write(
        "feeds/one.json",
        r#"{"title": "Tramline extended", "body": "The tramline reaches the stadium."}"#,
    );
    f.write(
        "feeds/many.jsonl",
        "{\"title\": \"Observatory opens\", \"body\": \"The observatory opened its dome.\"}\n",
    );
    f.write(
        "web/page.html",
        "<html><head><title>Vineyard harvest</title></head><body><nav>Home News</nav><article><p>The vineyard harvest began early this year, pickers said.</p></article></body></html>",
    );
    f.write("docs/review.pdf", report_pdf());
    f.write("docs/statement.docx", docx_file());
    f.write("docs/minutes.odt", odt_file(false));
    let s = index_json(&f);
    assert_eq!(s.files_indexed, 8, "{:?}", s.skipped);
    for (word, path) in [
        ("glacier", "wire/plain.txt"),
        ("beekeepers", "wire/notes.md"),
        ("tramline", "feeds/one.json"),
        ("observatory", "feeds/many.jsonl#1"),
        ("vineyard", "web/page.html"),
        ("dredging", "docs/review.pdf"),
        ("keepers", "docs/statement.docx"),
        ("cider", "docs/minutes.odt"),
    ] {
        let r = f.search(&[word]);
        let paths: Vec<&str> = r.hits.iter().map(|h| h.path.as_str()).collect();
        assert_eq!(paths, [path], "{word}");
    }
    assert_eq!(f.search(&["home"]).total, 0, "page navigation is not text");
}

/// A one-page PDF drawing `content` in Helvetica (`/F1`), with `page_extra` added to the page
/// dictionary, `stream_extra` to the content stream's, and `more` as objects 5, 6, ...; the
/// cross-reference table is correct. For the repairs below, each made by editing one of these.
fn one_page_pdf(content: &[u8], page_extra: &str, stream_extra: &str, more: &[&str]) -> Vec<u8> {
    let mut objects: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Count 1 /Kids [3 0 R] >>".to_vec(),
        format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] {page_extra} /Resources << /Font << /F1 {} 0 R >> >> /Contents 4 0 R >>",
            5 + more.len()
        )
        .into_bytes(),
    ];
    let mut stream =
        format!("<< /Length {} {stream_extra} >>\nstream\n", content.len()).into_bytes();
    stream.extend_from_slice(content);
    stream.extend_from_slice(b"\nendstream");
    objects.push(stream);
    objects.extend(more.iter().map(|m| m.as_bytes().to_vec()));
    objects.push(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
            .to_vec(),
    );
    write_pdf(objects)
}

/// Objects numbered from 1 (the catalog first) with a correct cross-reference table and trailer.
pub fn write_pdf(objects: Vec<Vec<u8>>) -> Vec<u8> {
    write_pdf_with(objects, "")
}

/// [`write_pdf`] with more entries in the trailer dictionary.
fn write_pdf_with(objects: Vec<Vec<u8>>, trailer: &str) -> Vec<u8> {
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        writeln!(out, "{} 0 obj", i + 1).unwrap();
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    write!(out, "xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).unwrap();
    for o in offsets {
        writeln!(out, "{o:010} 00000 n ").unwrap();
    }
    write!(
        out,
        "trailer\n<< /Size {} /Root 1 0 R {trailer} >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    )
    .unwrap();
    out
}

/// Write `bytes` as `name`, index the folder and check that the one file was indexed.
fn index_one(f: &Fixture, name: &str, bytes: impl AsRef<[u8]>) {
    f.write(name, bytes);
    let s = index_json(f);
    assert_eq!(s.files_indexed, 1, "{name}: {:?}", s.skipped);
}

/// Lines drawn with `'` (next line, show) and `"` (set spacing, next line, show) were ignored,
/// so a file written that way was skipped as having no text layer.
#[test]
fn pdf_text_drawn_with_quote_operators_is_read() {
    let f = Fixture::new();
    let content = b"BT /F1 12 Tf 14 TL 72 720 Td (Quayside cranes idle) Tj (while the dockers vote) ' 1 0 (on the night shift) \" ET";
    index_one(&f, "quotes.pdf", one_page_pdf(content, "", "", &[]));
    assert_eq!(f.search(&["\"while the dockers vote\""]).total, 1);
    assert_eq!(f.search(&["\"vote on the night shift\""]).total, 1);
}

/// A cross-reference table whose `startxref` is a byte out, or whose offsets all point a few
/// bytes off (bytes added before the objects), made the file "malformed"; readers rebuild it.
#[test]
fn pdf_with_cross_reference_table_off_by_some_bytes_is_read() {
    let good = one_page_pdf(
        b"BT /F1 12 Tf 72 720 Td (Ferry timetable restored) Tj ET",
        "",
        "",
        &[],
    );
    let text = String::from_utf8(good).unwrap();
    let at = text.rfind("startxref\n").unwrap() + "startxref\n".len();
    let end = at + text[at..].find('\n').unwrap();
    let xref: usize = text[at..end].parse().unwrap();
    let shifted = format!("{}{}{}", &text[..at], xref + 1, &text[end..]);
    let padded = text.replacen("%PDF-1.4\n", "%PDF-1.4\n%\u{7f}\u{7f}\n", 1);
    for (name, bytes) in [("shifted.pdf", shifted), ("padded.pdf", padded)] {
        let f = Fixture::new();
        f.write(name, bytes);
        let s = index_json(&f);
        assert_eq!(s.files_indexed, 1, "{name}: {:?}", s.skipped);
        assert_eq!(
            f.search(&["\"ferry timetable restored\""]).total,
            1,
            "{name}"
        );
    }
}

/// A content stream whose `/Filter` is a reference to a name object lost its page.
#[test]
fn pdf_content_stream_with_indirect_filter_is_read() {
    // Long enough that the library's writer does compress it.
    let plain = format!(
        "BT /F1 12 Tf 72 720 Td (Lighthouse keeper retires) Tj ET{}",
        " ".repeat(200)
    );
    let mut packed = pdf_extract::Stream::new(pdf_extract::Dictionary::new(), plain.into_bytes());
    packed.compress().unwrap();
    assert!(
        packed.dict.get(b"Filter").is_ok(),
        "the content is compressed"
    );
    let f = Fixture::new();
    index_one(
        &f,
        "indirect.pdf",
        one_page_pdf(&packed.content, "", "/Filter 5 0 R", &["/FlateDecode"]),
    );
    assert_eq!(f.search(&["\"lighthouse keeper retires\""]).total, 1);
}

/// A `%` comment before an indented line in a content stream lost the page.
#[test]
fn pdf_comment_in_content_stream_keeps_the_page() {
    let content = b"BT % the heading\n   /F1 12 Tf 72 720 Td (Harbour pilots strike) Tj\n% body (not shown)\n  ET";
    let f = Fixture::new();
    index_one(&f, "comment.pdf", one_page_pdf(content, "", "", &[]));
    assert_eq!(f.search(&["\"harbour pilots strike\""]).total, 1);
    assert_eq!(f.search(&["shown"]).total, 0);
}

/// Text set a quarter turn round (a landscape page stored rotated) or upside down (a negative
/// font size) came out one letter a line or reversed.
#[test]
fn pdf_rotated_and_upside_down_text_reads_in_order() {
    let turned = b"BT /F1 12 Tf 0 1 -1 0 300 100 Tm (Tide tables for the northern estuary) Tj 0 -14 Td (published every spring by the board) Tj ET";
    let upside = b"BT /F1 -12 Tf 500 400 Td (Salt marsh survey completed) Tj 0 14 Td (after three wet seasons) Tj ET";
    for (name, content, page) in [
        ("turned.pdf", &turned[..], "/Rotate 90"),
        ("upside.pdf", &upside[..], ""),
    ] {
        let f = Fixture::new();
        f.write(name, one_page_pdf(content, page, "", &[]));
        let s = index_json(&f);
        assert_eq!(s.files_indexed, 1, "{name}: {:?}", s.skipped);
        let phrase = if name == "turned.pdf" {
            "\"northern estuary published every spring\""
        } else {
            "\"survey completed after three wet seasons\""
        };
        assert_eq!(f.search(&[phrase]).total, 1, "{name}");
    }
}
