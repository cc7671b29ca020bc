//! OCR for PDF pages with no text layer (scans), through the Tesseract and poppler programs.
//!
//! A scan is an image of a page: nothing to index unless it is read. Tesseract is the reader
//! (Debian's `tesseract-ocr`, with a language pack per language). Pages are rendered to images
//! by poppler's `pdftoppm` (`poppler-utils`) rather than by a Rust rasteriser: it is the reference
//! renderer the PDF benchmark already compares against, it renders every image codec scans use
//! (CCITT fax, JBIG2, JPEG 2000), it costs the binary nothing, and a machine that has the one
//! Debian package for OCR gets the other beside it. Both run as child processes with a time
//! budget per page, so a huge or hostile page costs its budget and no more, and the index run
//! never depends on their being installed: without them `--ocr` says so once and is off.
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Render resolution: Tesseract reads body type best at about 300 dots per inch.
const DPI: u32 = 300;

/// Most pages read from one file; past them a scanned book is indexed by its first pages only.
const MAX_PAGES: usize = 500;

/// What `--ocr` asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OcrOptions {
    /// Tesseract's language codes, `+`-joined (`eng`, `deu+fra`).
    pub lang: String,
    /// Render and read time for one page; a page over it is left unread.
    pub page_budget: Duration,
}

impl OcrOptions {
    pub fn new(lang: &str) -> OcrOptions {
        OcrOptions {
            lang: lang.to_string(),
            page_budget: Duration::from_secs(60),
        }
    }
}

/// Why OCR cannot run on this machine, in words for the person who asked for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unavailable(pub String);

impl std::fmt::Display for Unavailable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Whether the programs OCR needs are installed, with the languages asked for.
pub fn check(options: &OcrOptions) -> Result<(), Unavailable> {
    let missing = |program: &str, package: &str| {
        Unavailable(format!(
            "{program} is not installed (Debian: apt-get install {package})"
        ))
    };
    let langs = run_quiet(Command::new("tesseract").arg("--list-langs"))
        .ok_or_else(|| missing("tesseract", "tesseract-ocr"))?;
    run_quiet(Command::new("pdftoppm").arg("-v"))
        .ok_or_else(|| missing("pdftoppm", "poppler-utils"))?;
    let installed: Vec<&str> = langs.lines().map(str::trim).collect();
    for lang in options.lang.split('+').filter(|l| !l.is_empty()) {
        if !installed.contains(&lang) {
            return Err(Unavailable(format!(
                "Tesseract has no language {lang:?} (Debian: apt-get install tesseract-ocr-{lang})"
            )));
        }
    }
    Ok(())
}

/// Run a program to its end, its output and errors as one text, or `None` when it cannot run.
fn run_quiet(command: &mut Command) -> Option<String> {
    let out = command.stdin(Stdio::null()).output().ok()?;
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    Some(text)
}

/// The text of the given pages (1-based) of a PDF, page by page; a page that could not be read
/// in its budget, or had no words, is left out.
pub fn read_pages(pdf: &[u8], pages: &[u32], options: &OcrOptions) -> Vec<(u32, String)> {
    let Ok(work) = WorkDir::new() else {
        return Vec::new();
    };
    let file = work.path.join("in.pdf");
    if std::fs::write(&file, pdf).is_err() {
        return Vec::new();
    }
    pages
        .iter()
        .take(MAX_PAGES)
        .filter_map(|&page| {
            let text = read_page(&work.path, &file, page, options)?;
            (!text.trim().is_empty()).then_some((page, text))
        })
        .collect()
}

fn read_page(work: &Path, file: &Path, page: u32, options: &OcrOptions) -> Option<String> {
    let deadline = Instant::now() + options.page_budget;
    let image = work.join(format!("page-{page}"));
    let n = page.to_string();
    let mut render = Command::new("pdftoppm");
    render
        .args(["-r", &DPI.to_string(), "-gray", "-png", "-singlefile"])
        .args(["-f", &n, "-l", &n])
        .arg(file)
        .arg(&image);
    run_until(&mut render, deadline)?;
    let png = image.with_extension("png");
    let mut read = Command::new("tesseract");
    read.arg(&png).arg("stdout").args(["-l", &options.lang]);
    let text = run_until(&mut read, deadline);
    let _ = std::fs::remove_file(&png);
    text
}

/// Run a child process until it ends or `deadline` passes (then it is killed); its standard
/// output when it ended well.
fn run_until(command: &mut Command, deadline: Instant) -> Option<String> {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    // Read output on a thread of its own so a child that writes much never blocks on a full pipe.
    let mut stdout = child.stdout.take()?;
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        let _ = stdout.read_to_end(&mut out);
        out
    });
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
        }
    };
    let out = reader.join().ok()?;
    status
        .filter(|s| s.success())
        .map(|_| String::from_utf8_lossy(&out).into_owned())
}

/// A private temporary folder, removed with everything in it when dropped.
struct WorkDir {
    path: PathBuf,
}

impl WorkDir {
    fn new() -> std::io::Result<WorkDir> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("newsdex-ocr-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&path)?;
        Ok(WorkDir { path })
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}
