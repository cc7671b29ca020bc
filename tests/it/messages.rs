//! What newsdex says: problems in words grouped with counts, the summary as JSON, plurals, a
//! closed pipe, a full disk, and the outlet taken from an article's URL.
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde::Deserialize;

use crate::common::{Fixture, bin};

fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// Copy a folder of the repository into the fixture's docs folder under `name`.
fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let dest = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(entry.path(), &dest).unwrap();
        }
    }
}

/// The sample corpus, the problem fixtures and the binary documents the tests write, side by
/// side, with a symlink loop.
fn every_fixture() -> Fixture {
    let f = Fixture::new();
    copy_tree(&repo("corpus"), &f.docs().join("corpus"));
    copy_tree(&repo("tests/fixtures"), &f.docs().join("fixtures"));
    #[cfg(unix)]
    std::os::unix::fs::symlink(f.docs(), f.docs().join("fixtures/loop")).unwrap();
    crate::documents::write_broken_documents(&f, "documents/");
    f
}

#[derive(Debug, Deserialize)]
struct IndexReport {
    files_indexed: usize,
    articles_added: usize,
    documents_total: u64,
    skipped_by_reason: BTreeMap<String, usize>,
    warnings_by_reason: BTreeMap<String, usize>,
    skipped: Vec<Problem>,
    warnings: Vec<Problem>,
}

#[derive(Debug, Deserialize)]
struct Problem {
    path: String,
    record: Option<usize>,
    code: String,
    reason: String,
    detail: Option<String>,
    message: String,
}

#[test]
fn no_debug_formatting_in_the_human_output_of_any_fixture() {
    let f = every_fixture();
    let out = f.index_docs(&["--verbose", "--no-entities"]);
    let text = String::from_utf8_lossy(&out.stderr);
    for debug in [
        "{ ",
        "Some(",
        "None",
        "\\\"",
        "BadDate",
        "BadRecord",
        "Malformed(",
    ] {
        assert!(!text.contains(debug), "{debug:?} in the output:\n{text}");
    }
    // Every kind of problem the fixtures hold is told in words, with its path.
    for line in [
        "skipped: fixtures/problems/empty.txt: empty",
        "skipped: fixtures/problems/binary.txt: binary",
        "skipped: fixtures/problems/ledger.csv: unsupported extension",
        "skipped: fixtures/problems/no-text.html: no text",
        "warning: fixtures/problems/wire/feed.jsonl#2: record not parsed (",
        "warning: fixtures/problems/impossible-date.md: impossible date (2023-02-29)",
        "warning: fixtures/problems/wire/feed.jsonl#4: date not understood (sometime last spring)",
        "warning: fixtures/problems/broken-front-matter.md: record not parsed (front matter: ",
        "skipped: documents/locked.pdf: encrypted",
        "skipped: documents/locked.odt: encrypted",
        "skipped: documents/scan.pdf: no text layer",
        "skipped: documents/truncated.pdf: malformed (",
        "skipped: documents/garbage.pdf: malformed (",
        "skipped: documents/cut.docx: malformed (",
        "skipped: documents/not-a-zip.odt: malformed (",
        "skipped: documents/bad-operands.pdf: malformed (the PDF parser failed on this file)",
    ] {
        assert!(text.contains(line), "missing {line:?} in:\n{text}");
    }
    assert!(
        text.lines()
            .any(|l| l.starts_with("skipped: fixtures/problems/broken.json: malformed (")),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("skipped: ") && l.contains("loop: unreadable (")),
        "{text}"
    );
    // The summary groups them with counts.
    let skipped = text
        .lines()
        .find(|l| l.starts_with("skipped ") && l.contains(" files ("))
        .unwrap_or_else(|| panic!("no grouped skip line in:\n{text}"));
    assert!(skipped.contains("unsupported extension: 2"), "{skipped}");
    assert!(skipped.contains("malformed: 6"), "{skipped}");
    assert!(skipped.contains("encrypted: 2"), "{skipped}");
}

#[test]
fn index_json_reports_problems_for_scripts_and_agrees_with_the_words() {
    let f = every_fixture();
    let out = f.index_docs(&["--json", "--no-entities"]);
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: IndexReport = serde_json::from_slice(&out.stdout).expect("one JSON object");
    assert!(r.files_indexed >= 40 && r.articles_added as u64 == r.documents_total);
    let empty = r
        .skipped
        .iter()
        .find(|p| p.path.ends_with("empty.txt"))
        .unwrap();
    assert_eq!(
        (empty.code.as_str(), empty.reason.as_str()),
        ("empty", "empty")
    );
    assert_eq!(empty.message, "fixtures/problems/empty.txt: empty");
    let bad = r
        .warnings
        .iter()
        .find(|p| p.path.ends_with("feed.jsonl") && p.code == "bad_record")
        .expect("the broken JSON line is reported");
    assert_eq!(bad.record, Some(2));
    assert!(bad.detail.as_deref().is_some_and(|d| !d.is_empty()));
    // The counts are the lists, grouped.
    let total: usize = r.skipped_by_reason.values().sum();
    assert_eq!(total, r.skipped.len());
    let total: usize = r.warnings_by_reason.values().sum();
    assert_eq!(total, r.warnings.len());
    for p in r.skipped.iter().chain(&r.warnings) {
        assert!(p.message.contains(&p.reason), "{p:?}");
    }
}

#[test]
fn counts_are_singular_for_one() {
    let f = Fixture::new();
    f.write(
        "one.txt",
        "Harbour reopens\n\nThe harbour reopened today.\n",
    );
    f.write("skip.csv", "a,b\n");
    let out = f.index_docs(&["--no-entities"]);
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(
        text.contains("indexed 1 article from 1 file (1 new, 0 replaced)"),
        "{text}"
    );
    assert!(text.contains("1 document in"), "{text}");
    assert!(
        text.contains("skipped 1 file (unsupported extension: 1"),
        "{text}"
    );
    f.write("two.txt", "Second story\n\nAnother story.\n");
    let out = f.index_docs(&["--no-entities"]);
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(text.contains("indexed 1 article from 1 file"), "{text}");
    assert!(
        text.contains("; 1 file unchanged; 2 documents in"),
        "{text}"
    );
}

#[test]
fn a_closed_stdout_ends_quietly_with_success() {
    let f = Fixture::new();
    for n in 0..30 {
        f.write(
            &format!("s/{n}.txt"),
            format!("Story {n}\n\nBody of story {n}.\n\nOutlet {n}\n"),
        );
    }
    f.index_docs(&["--no-entities"]);
    for args in [
        &["stats", "--json"][..],
        &["stats"],
        &["search", "story", "--json"],
        &["search", "story", "--limit", "30"],
    ] {
        // The reading end is closed before newsdex writes a byte, as `| head -c 0` would.
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = bin()
            .args(args)
            .arg("--index")
            .arg(f.index())
            .stdout(Stdio::from(writer))
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        assert!(
            out.stderr.is_empty(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = bin()
        .args(["completions", "bash"])
        .stdout(Stdio::from(writer))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The same through a real `head`, which closes the pipe after 60 bytes.
    let script = format!(
        "{} stats --json --index {} | head -c 60 >/dev/null; echo \"${{PIPESTATUS[0]}}\"",
        env!("CARGO_BIN_EXE_newsdex"),
        f.index().display()
    );
    let out = Command::new("bash")
        .arg("-c")
        .arg(&script)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "0");
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_url_host_is_the_source_when_the_article_names_none() {
    let f = Fixture::new();
    f.write(
        "feed.jsonl",
        concat!(
            r#"{"title": "Crane arrives", "body": "The crane arrived.", "url": "https://www.harbour-gazette.example/a"}"#,
            "\n",
            r#"{"title": "Fares frozen", "body": "Fares froze.", "url": "http://News.Northfield-Courier.example:8080/b?x=1"}"#,
            "\n",
            r#"{"title": "Named outlet", "body": "Has a source.", "source": "Meridian Wire", "url": "https://www.harbour-gazette.example/c"}"#,
            "\n",
            r#"{"title": "Local address", "body": "No outlet here.", "url": "http://127.0.0.1/d"}"#,
            "\n",
            r#"{"title": "No address", "body": "No URL at all."}"#,
            "\n",
        ),
    );
    f.index_docs(&["--no-entities"]);
    let r = f.search(&["", "--facet", "source", "--limit", "10"]);
    let source = |headline: &str| {
        r.hits
            .iter()
            .find(|h| h.headline == headline)
            .map(|h| h.source.clone())
            .unwrap()
    };
    assert_eq!(source("Crane arrives"), "harbour-gazette.example");
    assert_eq!(source("Fares frozen"), "news.northfield-courier.example");
    assert_eq!(source("Named outlet"), "Meridian Wire");
    assert_eq!(source("Local address"), "unknown");
    assert_eq!(source("No address"), "unknown");
    // --source still comes before the URL.
    f.index_docs(&["--no-entities", "--rebuild", "--source", "Wire Desk"]);
    let r = f.search(&["crane"]);
    assert_eq!(r.hits[0].source, "Wire Desk");
}

/// A tmpfs of `size` mounted for the test's lifetime, when this process may mount one.
struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    fn mount(size: &str) -> Option<SmallDisk> {
        let dir = tempfile::tempdir().ok()?;
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then_some(SmallDisk { dir })
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.dir.path()).status();
    }
}

#[test]
fn a_full_disk_is_named_with_the_index_path_and_the_last_commit_survives() {
    let Some(disk) = SmallDisk::mount("3m") else {
        eprintln!("skipping: cannot mount a small tmpfs here (needs root and mount rights)");
        return;
    };
    let index = disk.path().join("idx");
    let f = Fixture::new();
    f.write(
        "first/harbour.txt",
        "Harbour reopens\n\nThe harbour reopened.\n",
    );
    let run = |dir: &Path| {
        bin()
            .args(["index", "--no-entities", "--index"])
            .arg(&index)
            .arg(dir)
            .output()
            .unwrap()
    };
    let first = run(&f.docs().join("first"));
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    // Far more text than 3 MB of index can hold, every word distinct so nothing compresses away.
    for n in 0..40 {
        let body: String = (0..12_000).map(|i| format!("w{n}x{i} ")).collect();
        f.write(
            &format!("big/{n}.txt"),
            format!("Big story {n}\n\n{body}\n"),
        );
    }
    let full = run(&f.docs().join("big"));
    let stderr = String::from_utf8_lossy(&full.stderr);
    assert_eq!(full.status.code(), Some(1), "{stderr}");
    let expected = format!(
        "newsdex: no space left on device while writing the index in {}; nothing committed was lost; free space and run again",
        index.display()
    );
    assert!(stderr.contains(&expected), "{stderr}");
    assert!(!stderr.contains("thread"), "no engine internals: {stderr}");
    // What the first run committed is intact and searchable.
    let check = bin()
        .arg("check")
        .arg("--index")
        .arg(&index)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}{}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );
    let search = bin()
        .args(["search", "harbour", "--json", "--index"])
        .arg(&index)
        .output()
        .unwrap();
    let r: crate::common::Results = serde_json::from_slice(&search.stdout).unwrap();
    assert_eq!(r.total, 1);
}
