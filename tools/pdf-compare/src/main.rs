//! The text of one PDF as each candidate library gives it, for the library comparison of issue 29
//! (BENCHMARKS.md, "PDF libraries compared").
//!
//!     pdf-compare LIBRARY FILE
//!
//! LIBRARY is `pdf-extract` (its plain-text output, what newsdex builds on), `pdf_oxide`,
//! `lopdf` (its own `extract_text`) or `oxidize-pdf`. Prints one JSON line: the text, the seconds
//! the library took (reading the file excluded) and an error, if any; a panic is caught and
//! reported as `panic`. Each library is used the way its documentation shows for plain text,
//! page by page where it offers that, so one bad page costs that page only. The caller
//! (`compare.py` beside this file) runs one process per file under a time limit, so a hang costs
//! the file and not the run.
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Instant;

type Extracted = Result<String, String>;

fn pdf_extract_text(bytes: &[u8]) -> Extracted {
    pdf_extract::extract_text_from_mem(bytes).map_err(|e| e.to_string())
}

fn pdf_oxide_text(bytes: &[u8]) -> Extracted {
    let doc =
        pdf_oxide::document::PdfDocument::from_bytes(bytes.to_vec()).map_err(|e| e.to_string())?;
    let pages = doc.page_count().map_err(|e| e.to_string())?;
    let mut out = String::new();
    for page in 0..pages {
        if let Ok(text) = doc.extract_text(page) {
            out.push_str(&text);
            out.push('\n');
        }
    }
    Ok(out)
}

fn lopdf_text(bytes: &[u8]) -> Extracted {
    let doc = lopdf::Document::load_mem(bytes).map_err(|e| e.to_string())?;
    let numbers: Vec<u32> = doc.get_pages().keys().copied().collect();
    let mut out = String::new();
    for chunk in doc.extract_text_chunks(&numbers).into_iter().flatten() {
        out.push_str(&chunk);
        out.push('\n');
    }
    Ok(out)
}

fn oxidize_text(bytes: &[u8]) -> Extracted {
    use oxidize_pdf::parser::{PdfDocument, PdfReader};
    let reader = PdfReader::new(std::io::Cursor::new(bytes.to_vec())).map_err(|e| e.to_string())?;
    let doc = PdfDocument::new(reader);
    let pages = doc.page_count().map_err(|e| e.to_string())?;
    let mut extractor = oxidize_pdf::text::TextExtractor::new();
    let mut out = String::new();
    for page in 0..pages {
        if let Ok(text) = extractor.extract_from_page(&doc, page) {
            out.push_str(&text.text);
            out.push('\n');
        }
    }
    Ok(out)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(library), Some(path)) = (args.next(), args.next()) else {
        eprintln!("usage: pdf-compare pdf-extract|pdf_oxide|lopdf|oxidize-pdf FILE");
        std::process::exit(2);
    };
    let extract: fn(&[u8]) -> Extracted = match library.as_str() {
        "pdf-extract" => pdf_extract_text,
        "pdf_oxide" => pdf_oxide_text,
        "lopdf" => lopdf_text,
        "oxidize-pdf" => oxidize_text,
        other => {
            eprintln!("unknown library {other}");
            std::process::exit(2);
        }
    };
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(1);
        }
    };
    // The libraries' own panic messages would flood the log; the panic is reported below.
    std::panic::set_hook(Box::new(|_| {}));
    let start = Instant::now();
    let result = catch_unwind(AssertUnwindSafe(|| extract(&bytes)));
    let seconds = start.elapsed().as_secs_f64();
    let (text, error) = match result {
        Ok(Ok(text)) => (text, String::new()),
        Ok(Err(e)) => (String::new(), e),
        Err(_) => (String::new(), "panic".to_string()),
    };
    let line = serde_json::json!({
        "library": library, "file": path, "seconds": seconds, "text": text, "error": error,
    });
    println!("{line}");
}
