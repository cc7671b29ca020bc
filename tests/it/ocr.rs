//! `index --ocr` on scans made here: a text PDF rendered to an image and written again as a PDF
//! with that image alone, then read back by Tesseract through the real binary. Skips with a
//! message where Tesseract, its English data or poppler's pdftoppm is not installed.
use std::process::Command;

use crate::common::{Fixture, words};
use crate::documents::{Summary, write_pdf};
use crate::server::Server;

/// The words of the page the scan is made from; common words and names, one size of type.
const LINES: [&str; 6] = [
    "The harbour board met on Tuesday to discuss",
    "the new ferry timetable for the winter months.",
    "Councillors agreed that the evening crossing",
    "should run twice a day until the end of March,",
    "and asked the operator to publish the changes",
    "in the weekly newspaper and at every terminal.",
];

/// Why OCR cannot be tested here, or `None` when it can.
fn missing_tools() -> Option<String> {
    let langs = Command::new("tesseract").arg("--list-langs").output();
    match langs {
        Err(_) => return Some("tesseract is not installed (apt-get install tesseract-ocr)".into()),
        Ok(out) => {
            let all = String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr);
            if !all.lines().any(|l| l.trim() == "eng") {
                return Some("Tesseract has no English data (tesseract-ocr-eng)".into());
            }
        }
    }
    if Command::new("pdftoppm").arg("-v").output().is_err() {
        return Some("pdftoppm is not installed (apt-get install poppler-utils)".into());
    }
    None
}

/// A one-page PDF of Helvetica text with a correct cross-reference table.
fn text_pdf() -> Vec<u8> {
    let mut content = String::from("BT /F1 16 Tf 20 TL 72 700 Td\n");
    for line in LINES {
        content.push_str(&format!("({line}) Tj T*\n"));
    }
    content.push_str("ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Count 1 /Kids [3 0 R] >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>".to_string(),
        format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_string(),
    ];
    write_pdf(objects.iter().map(|o| o.as_bytes().to_vec()).collect())
}

/// The page of `pdf` as a scan: rendered to grey pixels by pdftoppm at 150 dpi, and written
/// again as a PDF whose page draws that image and has no text at all.
fn scan_of(f: &Fixture, pdf: &[u8]) -> Vec<u8> {
    let dir = f.dir.path();
    std::fs::write(dir.join("original.pdf"), pdf).unwrap();
    let status = Command::new("pdftoppm")
        .args(["-r", "150", "-gray", "-singlefile"])
        .arg(dir.join("original.pdf"))
        .arg(dir.join("page"))
        .status()
        .unwrap();
    assert!(status.success());
    let pgm = std::fs::read(dir.join("page.pgm")).unwrap();
    let (width, height, pixels) = parse_pgm(&pgm);
    let mut image = pdf_extract::Stream::new(pdf_extract::Dictionary::new(), pixels.to_vec());
    image.compress().unwrap();
    let mut image_object = format!(
        "<< /Type /XObject /Subtype /Image /Width {width} /Height {height} /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode /Length {} >>\nstream\n",
        image.content.len()
    )
    .into_bytes();
    image_object.extend_from_slice(&image.content);
    image_object.extend_from_slice(b"\nendstream");
    let draw = "q 612 0 0 792 0 0 cm /Im1 Do Q";
    write_pdf(vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Count 1 /Kids [3 0 R] >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /XObject << /Im1 5 0 R >> >> /Contents 4 0 R >>".to_vec(),
        format!("<< /Length {} >>\nstream\n{draw}\nendstream", draw.len()).into_bytes(),
        image_object,
    ])
}

/// Width, height and pixels of a binary 8-bit PGM (`P5`) file as pdftoppm writes it.
fn parse_pgm(bytes: &[u8]) -> (usize, usize, &[u8]) {
    let mut fields = Vec::new();
    let mut at = 0;
    while fields.len() < 4 {
        while bytes[at].is_ascii_whitespace() {
            at += 1;
        }
        let start = at;
        while !bytes[at].is_ascii_whitespace() {
            at += 1;
        }
        fields.push(String::from_utf8_lossy(&bytes[start..at]).into_owned());
    }
    assert_eq!(fields[0], "P5", "pdftoppm -gray writes PGM");
    let (width, height) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
    let pixels = &bytes[at + 1..];
    assert_eq!(pixels.len(), width * height);
    (width, height, pixels)
}

#[test]
fn ocr_reads_a_scanned_pdf_back_and_marks_the_article() {
    if let Some(why) = missing_tools() {
        eprintln!("skipping the OCR test: {why}");
        return;
    }
    let f = Fixture::new();
    let scan = scan_of(&f, &text_pdf());
    f.write("letters/scan.pdf", &scan);

    // Without --ocr a scan has nothing to index.
    let out = f.index_docs(&["--json", "--no-entities"]);
    let s: Summary = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(s.files_indexed, 0);
    assert_eq!(s.skipped.len(), 1);
    assert_eq!(
        (s.skipped[0].path.as_str(), s.skipped[0].code.as_str()),
        ("letters/scan.pdf", "no_text_layer")
    );

    let out = f.index_docs(&["--json", "--no-entities", "--ocr", "--ocr-lang", "eng"]);
    let s: Summary = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(s.files_indexed, 1, "{:?}", s.skipped);
    let hit = &f.search(&["ferry timetable"]).hits;
    assert_eq!(hit.len(), 1);

    let server = Server::start(&f.index());
    let article = server.json(&format!("/api/articles/{}", hit[0].id));
    assert_eq!(article["ocr"], true, "{article}");
    let read = words(&format!(
        "{} {}",
        article["headline"].as_str().unwrap_or(""),
        article["body"].as_str().unwrap_or("")
    ));
    let known = words(&LINES.join(" "));
    let recovered = known.iter().filter(|w| read.contains(w)).count();
    eprintln!("OCR recovered {recovered} of {} words", known.len());
    assert!(
        recovered * 10 >= known.len() * 9,
        "recovered {recovered} of {} words: {read:?}",
        known.len()
    );
}

/// Without Tesseract `--ocr` is off with one message, and the run goes on.
#[test]
fn ocr_without_tesseract_says_so_once_and_goes_on() {
    let f = Fixture::new();
    f.write("note.txt", "Ferry fares\n\nFares rise in May.\n");
    let out = crate::common::bin()
        .env("PATH", f.dir.path())
        .args(["index", f.docs().to_str().unwrap(), "--index"])
        .arg(f.index())
        .args(["--no-entities", "--ocr"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.matches("--ocr is off").count(), 1, "{err}");
    assert!(err.contains("tesseract is not installed"), "{err}");
    assert_eq!(f.search(&["fares"]).total, 1);
}
