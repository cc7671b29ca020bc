//! Incremental indexing, interruption and hostile input, with real processes and real signals.
use std::collections::BTreeSet;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde::Deserialize;

use crate::common::{Fixture, bin};

#[derive(Debug, Deserialize)]
struct Summary {
    files_indexed: usize,
    files_unchanged: usize,
    files_removed: usize,
    articles_added: usize,
    articles_replaced: usize,
    articles_removed: usize,
    skipped: Vec<Skipped>,
    interrupted: bool,
    documents_total: u64,
}

#[derive(Debug, Deserialize)]
struct Skipped {
    path: String,
    code: String,
}

fn index_json(f: &Fixture, extra: &[&str]) -> Summary {
    let out = f.index_docs(&[&["--json", "--no-entities"], extra].concat());
    serde_json::from_slice(&out.stdout).expect("index --json prints one object")
}

fn article(n: usize) -> String {
    let topics = [
        "harbour", "council", "rail", "school", "hospital", "budget", "festival",
    ];
    let t = topics[n % topics.len()];
    format!(
        "Report {n} on the {t}\n\nThe {t} story number {n} continued today with officials answering questions.\n\nResidents said the {t} mattered to them, and item{n} was noted.\n\nMeridian Wire\n"
    )
}

/// Every indexed article path, read page by page through the CLI.
fn all_paths(f: &Fixture) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut offset = 0;
    loop {
        let r = f.search(&[
            "",
            "--limit",
            "1000",
            "--offset",
            &offset.to_string(),
            "--facet",
            "source",
        ]);
        let n = r.hits.len();
        out.extend(r.hits.into_iter().map(|h| h.path));
        if n == 0 {
            return out;
        }
        offset += n;
    }
}

#[test]
fn rerun_touches_only_what_changed_and_prunes_what_is_gone() {
    let f = Fixture::new();
    for n in 0..20 {
        f.write(&format!("a/{n}.txt"), article(n));
    }
    let first = index_json(&f, &[]);
    assert_eq!((first.files_indexed, first.articles_added), (20, 20));

    let again = index_json(&f, &[]);
    assert_eq!((again.files_indexed, again.files_unchanged), (0, 20));

    f.write("a/3.txt", article(1003));
    f.write("b/new.txt", article(2000));
    std::fs::remove_file(f.docs().join("a/7.txt")).unwrap();
    let third = index_json(&f, &[]);
    assert_eq!(third.files_indexed, 2);
    assert_eq!(third.articles_added, 1);
    assert_eq!(third.articles_replaced, 1);
    assert_eq!((third.files_removed, third.articles_removed), (1, 1));
    assert_eq!(third.documents_total, 20);
    assert_eq!(
        f.search(&["item7"]).total,
        0,
        "deleted file's article is gone"
    );
    assert_eq!(f.search(&["item1003"]).total, 1);
    assert_eq!(f.search(&["item3"]).total, 0, "old version replaced");
    assert_eq!(f.search(&["item2000"]).total, 1);
}

#[test]
fn a_root_is_pruned_only_by_a_run_over_that_root() {
    let f = Fixture::new();
    f.write("one/a.txt", article(1));
    f.write("two/b.txt", article(2));
    let one = f.docs().join("one");
    let two = f.docs().join("two");
    for root in [&one, &two] {
        let out = f.run(&["index", root.to_str().unwrap(), "--no-entities"]);
        assert!(out.status.success());
    }
    assert_eq!(f.search(&[""]).total, 2);
    std::fs::remove_file(two.join("b.txt")).unwrap();
    f.run(&["index", one.to_str().unwrap(), "--no-entities"]);
    assert_eq!(
        f.search(&[""]).total,
        2,
        "a run over `one` leaves `two` alone"
    );
    f.run(&["index", two.to_str().unwrap(), "--no-entities"]);
    assert_eq!(f.search(&[""]).total, 1);
}

#[test]
fn rebuild_starts_from_scratch() {
    let f = Fixture::new();
    f.write("a.txt", article(1));
    index_json(&f, &[]);
    let r = index_json(&f, &["--rebuild"]);
    assert_eq!(
        (r.files_indexed, r.articles_added, r.documents_total),
        (1, 1, 1)
    );
}

/// An index written by an earlier layout (here: its marker says schema version 3, whose manifest
/// this newsdex no longer reads) is refused with the advice to rebuild, and `--rebuild` mends it.
#[test]
fn index_of_an_older_schema_version_is_refused_with_rebuild_advice() {
    let f = Fixture::new();
    f.write("a.txt", article(1));
    index_json(&f, &[]);
    let marker = f.index().join("newsdex.json");
    let raw = std::fs::read_to_string(&marker).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&raw).unwrap();
    let current = v["schema_version"].as_u64().unwrap();
    v["schema_version"] = (current - 1).into();
    std::fs::write(&marker, v.to_string()).unwrap();
    for args in [
        vec!["search", "harbour"],
        vec!["index", f.docs().to_str().unwrap()],
    ] {
        let out = f.run(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} read an old index");
        assert!(
            err.contains(&format!("schema version {}", current - 1)) && err.contains("--rebuild"),
            "{args:?}: {err}"
        );
    }
    let r = index_json(&f, &["--rebuild"]);
    assert_eq!((r.articles_added, r.documents_total), (1, 1));
}

fn spawn_index(f: &Fixture, extra: &[&str]) -> Child {
    bin()
        .args([
            "index",
            f.docs().to_str().unwrap(),
            "--index",
            f.index().to_str().unwrap(),
        ])
        .args([
            "--no-entities",
            "--threads",
            "1",
            "--commit-interval",
            "0.2",
            "--quiet",
        ])
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn newsdex index")
}

/// Wait until the running indexer has committed something a searcher can see.
fn wait_for_first_commit(f: &Fixture, child: &mut Child) -> u64 {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        assert!(Instant::now() < deadline, "no commit within 60 s");
        if let Ok(Some(status)) = child.try_wait() {
            panic!(
                "indexer ended ({status}) before the test could interrupt it; make the corpus bigger"
            );
        }
        let out = f.run(&["search", "--json", "", "--limit", "0", "--facet", "source"]);
        if out.status.success() {
            let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            let total = v["total"].as_u64().unwrap();
            if total > 0 {
                return total;
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn big_fixture(files: usize) -> Fixture {
    let f = Fixture::new();
    for n in 0..files {
        f.write(&format!("s{}/{n}.txt", n % 10), article(n));
    }
    f
}

#[test]
fn sigkill_after_a_commit_leaves_a_searchable_index_and_the_rerun_matches_a_clean_run() {
    let f = big_fixture(12_000);
    let mut child = spawn_index(&f, &[]);
    let seen = wait_for_first_commit(&f, &mut child);
    child.kill().expect("SIGKILL");
    child.wait().unwrap();
    let after_kill = f.search(&["", "--limit", "0", "--facet", "source"]).total;
    assert!(
        after_kill >= seen && after_kill < 12_000,
        "killed index holds {after_kill}"
    );
    assert_eq!(f.search(&["harbour"]).hits.is_empty(), after_kill == 0);

    let resumed = index_json(&f, &[]);
    assert_eq!(resumed.documents_total, 12_000);
    let check = f.run(&["check"]);
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );

    let clean = Fixture::new();
    let out = bin()
        .args([
            "index",
            f.docs().to_str().unwrap(),
            "--no-entities",
            "--quiet",
            "--index",
        ])
        .arg(clean.index())
        .output()
        .unwrap();
    assert!(out.status.success());
    let resumed_paths = all_paths(&f);
    assert_eq!(
        resumed_paths.len(),
        12_000,
        "no duplicates, nothing missing"
    );
    assert_eq!(resumed_paths, all_paths(&clean));
}

#[test]
fn sigint_commits_what_is_done_and_exits_cleanly() {
    let f = big_fixture(12_000);
    let mut child = spawn_index(&f, &[]);
    wait_for_first_commit(&f, &mut child);
    let killed = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let out = child.wait_with_output().unwrap();
    let code = out.status.code();
    assert!(code == Some(130) || code == Some(0), "exit {code:?}");
    let total = f.search(&["", "--limit", "0", "--facet", "source"]).total;
    let check = f.run(&["check", "--json"]);
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
    let v: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
    assert_eq!(
        v["manifest_articles"].as_u64(),
        Some(total),
        "manifest matches the commit"
    );
    let rest = index_json(&f, &[]);
    assert_eq!(rest.documents_total, 12_000);
    assert!(!rest.interrupted);
    assert_eq!(rest.files_indexed + rest.files_unchanged, 12_000);
}

#[test]
fn a_second_writer_fails_at_once_with_exit_code_3() {
    let f = big_fixture(12_000);
    let mut child = spawn_index(&f, &[]);
    wait_for_first_commit(&f, &mut child);
    let second = f.run(&["index", f.docs().to_str().unwrap(), "--no-entities"]);
    let first_still_running = child.try_wait().unwrap().is_none();
    child.kill().ok();
    child.wait().ok();
    assert!(
        first_still_running,
        "the first writer ended too soon for this test"
    );
    assert_eq!(second.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&second.stderr).contains("another process is writing"));
}

#[test]
fn hostile_input_is_indexed_or_skipped_with_a_reason_never_a_panic() {
    let f = Fixture::new();
    f.write("good.txt", article(1));
    f.write(
        "invalid-utf8.txt",
        b"Caf\xe9 d\xe9bat\n\nLe caf\xe9 \xff\xfe ouvre.\n",
    );
    let mut utf16 = vec![0xFF, 0xFE];
    for u in "Tide tables printed\n\nThe tide tables were printed.\n".encode_utf16() {
        utf16.extend(u.to_le_bytes());
    }
    f.write("utf16.txt", utf16);
    f.write(
        "binary.txt",
        [0u8, 159, 146, 150, 0, 0, 1, 2, 3, 0, 255].repeat(100),
    );
    f.write("empty.md", "");
    f.write("blank.txt", "   \n\n \t \n");
    f.write("huge.txt", format!("Huge\n\n{}", "word ".repeat(50_000)));
    f.write("broken.json", "{\"title\": \"Half");
    f.write(
        "wrong-types.json",
        "[1, \"two\", {\"title\": 3, \"body\": [\"x\"]}]",
    );
    f.write("lines.jsonl", "{\"title\":\"Kept line\",\"body\":\"Fine.\"}\n{oops\n[]\n{\"title\":\"Also kept\",\"body\":\"Fine too.\"}\n");
    f.write(
        "page.html",
        "<html><head><title>Page title</title><script>var secretscript = 1;</script><style>.x{}</style></head><body><article><h1>Lighthouse restored</h1><p>The lighthouse shines again.</p></article></body></html>",
    );
    f.write("top-level-string.json", "\"just a string\"");
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let name = std::ffi::OsStr::from_bytes(b"latin1-name-\xe9.txt");
        std::fs::write(f.docs().join(name), article(5)).unwrap();
        std::os::unix::fs::symlink(f.docs(), f.docs().join("loop")).unwrap();
    }
    let out = f.index_docs(&["--json", "--no-entities", "--max-article-bytes", "100000"]);
    let s: Summary = serde_json::from_slice(&out.stdout).unwrap();
    let reason_of = |name: &str| -> String {
        s.skipped
            .iter()
            .find(|k| k.path.contains(name))
            .map(|k| k.code.clone())
            .unwrap_or_else(|| panic!("{name} not reported as skipped: {:?}", s.skipped))
    };
    assert_eq!(reason_of("binary.txt"), "binary");
    assert_eq!(reason_of("empty.md"), "empty");
    assert_eq!(reason_of("blank.txt"), "empty");
    assert_eq!(reason_of("huge.txt"), "too_large");
    assert_eq!(reason_of("broken.json"), "malformed");
    assert_eq!(reason_of("loop"), "unreadable");
    assert_eq!(f.search(&["secretscript"]).total, 0, "scripts are not text");
    assert_eq!(f.search(&["lighthouse"]).total, 1);
    assert_eq!(f.search(&["\"kept line\" OR \"also kept\""]).total, 2);
    assert_eq!(f.search(&["tide tables"]).total, 1, "UTF-16 decoded");
    assert_eq!(
        f.search(&["débat"]).total,
        1,
        "invalid UTF-8 decoded, not dropped"
    );
    assert_eq!(
        f.search(&["item5"]).total,
        1,
        "a non-UTF-8 file name is indexed"
    );
    assert_eq!(f.search(&["item1"]).total, 1);
    let check = f.run(&["check"]);
    assert!(check.status.success());
}

#[test]
fn a_large_json_lines_file_is_streamed_with_true_record_numbers() {
    let f = Fixture::new();
    let mut text = String::new();
    let lines = 30_000;
    for n in 1..=lines {
        if n == 25_000 {
            text.push_str("{broken line\n");
            continue;
        }
        text.push_str(&format!(
            "{{\"title\": \"Wire item {n}\", \"body\": \"Body of record number{n} with some padding text to make the line longer than usual.\", \"source\": \"Meridian Wire\"}}\n"
        ));
    }
    assert!(
        text.len() > 4 * 1024 * 1024,
        "big enough to be read in slices"
    );
    f.write("wire.jsonl", &text);
    let out = f.index_docs(&["--json", "--no-entities"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["documents_total"], lines - 1);
    let warnings = v["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1);
    assert_eq!(warnings[0]["code"], "bad_record");
    assert_eq!(warnings[0]["record"], 25_000);
    let r = f.search(&["number29999"]);
    assert_eq!(r.total, 1);
    assert_eq!(r.hits[0].path, "wire.jsonl#29999");
    let again = f.index_docs(&["--json", "--no-entities"]);
    let v: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(v["files_unchanged"], 1);
    assert_eq!(v["documents_total"], lines - 1);
}
