//! File-level tests: real files in temp dirs through `walk` and `parse_file`, plus the shared
//! real-world corpora when they are present next to the repository.
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use super::*;

fn write(root: &Path, rel: &str, bytes: &[u8]) -> WalkItem {
    let path = root.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("create dir");
    }
    std::fs::write(&path, bytes).expect("write file");
    WalkItem {
        path,
        rel: rel.to_string(),
    }
}

fn parse(root: &Path, rel: &str, bytes: &[u8], opts: &ParseOptions) -> Result<Parsed, SkipReason> {
    let item = write(root, rel, bytes);
    parse_file(root, &item, opts)
}

fn one(root: &Path, rel: &str, bytes: &[u8]) -> Article {
    let mut parsed = parse(root, rel, bytes, &ParseOptions::default()).expect("parses");
    assert_eq!(parsed.articles.len(), 1, "{rel}");
    parsed.articles.remove(0)
}

#[test]
fn txt_file_gets_path_id_section_and_source() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = b"Council freezes fares\nA second year without rises.\n\nThe council voted on Monday to keep bus fares unchanged.\n\nMore detail here.\n\nNorthfield Courier\n";
    let a = one(dir.path(), "politics/fares.txt", text);
    assert_eq!(a.path, "politics/fares.txt");
    assert_eq!(a.id, article_id(dir.path(), "politics/fares.txt"));
    assert_eq!(a.section.as_deref(), Some("politics"));
    assert_eq!(
        a.standfirst.as_deref(),
        Some("A second year without rises.")
    );
    assert_eq!(a.source.as_deref(), Some("Northfield Courier"));
    assert_eq!(
        a.body,
        "The council voted on Monday to keep bus fares unchanged.\n\nMore detail here."
    );
}

#[test]
fn root_level_file_has_no_section_and_default_source_applies() {
    let dir = tempfile::tempdir().expect("tempdir");
    let opts = ParseOptions {
        default_source: Some("  Meridian   Wire ".into()),
        ..Default::default()
    };
    let p = parse(
        dir.path(),
        "a.txt",
        b"Headline\n\nOnly one paragraph.\n",
        &opts,
    )
    .expect("parses");
    assert_eq!(p.articles[0].section, None);
    assert_eq!(p.articles[0].source.as_deref(), Some("Meridian Wire"));
}

#[test]
fn article_source_beats_default_source() {
    let dir = tempfile::tempdir().expect("tempdir");
    let opts = ParseOptions {
        default_source: Some("Default".into()),
        ..Default::default()
    };
    let p = parse(
        dir.path(),
        "a.json",
        br#"{"title": "T", "source": "Capital Ledger"}"#,
        &opts,
    )
    .expect("parses");
    assert_eq!(p.articles[0].source.as_deref(), Some("Capital Ledger"));
}

#[test]
fn latin1_txt_file_is_decoded() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = one(
        dir.path(),
        "x.txt",
        b"Caf\xE9 owner wins award\n\nSe\xF1ora Ruiz opened the caf\xE9 in 1998.\n",
    );
    assert_eq!(a.headline, "Café owner wins award");
    assert!(a.body.contains("Señora Ruiz opened the café"), "{}", a.body);
}

#[test]
fn utf16_bom_file_is_decoded() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut bytes = vec![0xFF, 0xFE];
    for u in "Zürich talks\n\nDelegates met in Zürich.\n".encode_utf16() {
        bytes.extend(u.to_le_bytes());
    }
    let a = one(dir.path(), "x.txt", &bytes);
    assert_eq!(a.headline, "Zürich talks");
    assert_eq!(a.body, "Delegates met in Zürich.");
}

#[test]
fn skip_reasons() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let o = ParseOptions::default();
    assert_eq!(
        parse(d, "notes.csv", b"a,b\n", &o).err(),
        Some(SkipReason::UnsupportedExtension)
    );
    assert_eq!(
        parse(d, "noext", b"hello", &o).err(),
        Some(SkipReason::UnsupportedExtension)
    );
    assert_eq!(
        parse(d, "empty.txt", b"", &o).err(),
        Some(SkipReason::Empty)
    );
    assert_eq!(
        parse(d, "blank.md", b" \n\n\t", &o).err(),
        Some(SkipReason::Empty)
    );
    assert_eq!(
        parse(d, "img.txt", b"GIF89a\0\0\x01\x02\0", &o).err(),
        Some(SkipReason::Binary)
    );
    let limited = ParseOptions {
        max_article_bytes: 10,
        ..Default::default()
    };
    assert_eq!(
        parse(
            d,
            "big.txt",
            b"Headline\n\nA body longer than ten bytes.\n",
            &limited
        )
        .err(),
        Some(SkipReason::TooLarge)
    );
    let missing = WalkItem {
        path: d.join("missing.txt"),
        rel: "missing.txt".into(),
    };
    assert!(matches!(
        parse_file(d, &missing, &o),
        Err(SkipReason::Unreadable(_))
    ));
    assert!(matches!(
        parse(d, "s.json", b"\"str\"", &o),
        Err(SkipReason::Malformed(_))
    ));
    assert_eq!(
        parse(
            d,
            "e.html",
            b"<html><body><script>x()</script></body></html>",
            &o
        )
        .err(),
        Some(SkipReason::NoText)
    );
}

#[test]
fn jsonl_paths_use_line_numbers_and_size_limit_is_per_record() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = b"{\"title\": \"One\", \"body\": \"Body one.\"}\n{broken\n{\"title\": \"Three\", \"body\": \"Body three.\"}\n";
    let opts = ParseOptions {
        max_article_bytes: 60,
        ..Default::default()
    };
    let p = parse(dir.path(), "world/feed.jsonl", text, &opts).expect("parses");
    let paths: Vec<&str> = p.articles.iter().map(|a| a.path.as_str()).collect();
    assert_eq!(paths, vec!["world/feed.jsonl#1", "world/feed.jsonl#3"]);
    assert_ne!(p.articles[0].id, p.articles[1].id);
    assert_eq!(
        p.articles[1].id,
        article_id(dir.path(), "world/feed.jsonl#3")
    );
    assert!(matches!(
        &p.warnings[..],
        [Warning::BadRecord { record: 2, .. }]
    ));
}

#[test]
fn json_array_file_paths() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = parse(
        dir.path(),
        "b/arr.json",
        br#"[{"title": "A", "date": "13/45/2024"}, {"title": "B", "date": 1727604000}]"#,
        &ParseOptions::default(),
    )
    .expect("parses");
    assert_eq!(p.articles[0].path, "b/arr.json#1");
    assert_eq!(p.articles[1].path, "b/arr.json#2");
    assert_eq!(p.articles[0].date, None);
    assert_eq!(p.articles[1].date, NaiveDate::from_ymd_opt(2024, 9, 29));
    assert_eq!(
        p.warnings,
        vec![Warning::BadDate {
            record: Some(1),
            value: "13/45/2024".into()
        }]
    );
}

#[test]
fn markdown_and_html_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let md = one(
        dir.path(),
        "s/a.markdown",
        b"+++\ntitle = \"T\"\npublisher = \"P\"\n+++\nBody *here*.\n",
    );
    assert_eq!(
        (md.headline.as_str(), md.source.as_deref(), md.body.as_str()),
        ("T", Some("P"), "Body here.")
    );
    let html = one(
        dir.path(),
        "s/a.HTM",
        b"<html><head><title>Page</title><script>alert('x')</script></head><body><p>Visible.</p></body></html>",
    );
    assert_eq!(html.headline, "Page");
    assert_eq!(html.body, "Visible.");
}

#[test]
fn ids_are_stable_and_distinct() {
    let root = Path::new("/archive");
    assert_eq!(article_id(root, "a.txt"), article_id(root, "a.txt"));
    assert_ne!(article_id(root, "a.txt"), article_id(root, "b.txt"));
    assert_ne!(article_id(root, "a.jsonl#1"), article_id(root, "a.jsonl#2"));
    assert_eq!(article_id(root, "a.txt").len(), 16);
}

#[test]
fn walk_skips_hidden_files_and_folders_and_sorts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    for rel in [
        "b.txt",
        "a/z.txt",
        "a/y.md",
        ".hidden.txt",
        ".git/config",
        "a/.secret/x.txt",
        "notes.csv",
    ] {
        write(d, rel, b"x");
    }
    let rels: Vec<String> = walk(d).filter_map(Result::ok).map(|i| i.rel).collect();
    assert_eq!(rels, vec!["a/y.md", "a/z.txt", "b.txt", "notes.csv"]);
}

#[test]
fn format_from_extension() {
    assert_eq!(
        Format::from_path(Path::new("a.NDJSON")),
        Some(Format::JsonLines)
    );
    assert_eq!(
        Format::from_path(Path::new("a.markdown")),
        Some(Format::Markdown)
    );
    assert_eq!(Format::from_path(Path::new("a.PDF")), Some(Format::Pdf));
    assert_eq!(Format::from_path(Path::new("a.docx")), Some(Format::Docx));
    assert_eq!(Format::from_path(Path::new("a.odt")), Some(Format::Odt));
    assert_eq!(Format::from_path(Path::new("a.doc")), None);
}

/// The shared corpora live next to the worktrees; tests using them skip when absent.
fn shared(rel: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared")
        .join(rel);
    if p.exists() {
        Some(p)
    } else {
        eprintln!("skipping: {} not found", p.display());
        None
    }
}

#[test]
fn bbc_corpus_parses_without_skips() {
    let Some(root) = shared("corpora/bbc/bbc") else {
        return;
    };
    let opts = ParseOptions::default();
    let mut articles = Vec::new();
    for item in walk(&root) {
        let item = item.expect("walkable");
        if !item.rel.contains('/') {
            continue; // the dataset's own README.TXT
        }
        match parse_file(&root, &item, &opts) {
            Ok(p) => articles.extend(p.articles),
            Err(e) => panic!("{} skipped: {e:?}", item.rel),
        }
    }
    assert_eq!(articles.len(), 2225);
    let mutu = articles
        .iter()
        .find(|a| a.path == "sport/199.txt")
        .expect("sport/199.txt");
    assert_eq!(mutu.headline, "Chelsea sack Mutu");
    assert!(
        mutu.body.contains("a £15.8m signing from Parma"),
        "{}",
        mutu.body
    );
    assert_eq!(mutu.section.as_deref(), Some("sport"));
    assert!(
        articles
            .iter()
            .all(|a| !a.headline.is_empty() && !a.body.is_empty())
    );
    // BBC files have no source lines or standfirsts; a few false positives are tolerable but a
    // heuristic that fires often is broken.
    let sources = articles.iter().filter(|a| a.source.is_some()).count();
    let standfirsts = articles.iter().filter(|a| a.standfirst.is_some()).count();
    assert!(sources <= 5, "{sources} BBC articles got a source line");
    assert!(
        standfirsts <= 22,
        "{standfirsts} BBC articles got a standfirst"
    );
}

#[test]
fn huffpost_sample_parses_as_lines() {
    let Some(file) = shared("corpora/huffpost-sample/News_Category_Dataset_v3.json") else {
        return;
    };
    let root = file.parent().expect("parent").to_path_buf();
    let item = WalkItem {
        path: file.clone(),
        rel: "News_Category_Dataset_v3.json".into(),
    };
    let p = parse_file(&root, &item, &ParseOptions::default()).expect("parses");
    assert!(p.articles.len() >= 9_990, "{}", p.articles.len());
    let a = &p.articles[0];
    assert_eq!(a.path, "News_Category_Dataset_v3.json#1");
    assert!(a.headline.starts_with("Over 4 Million Americans"));
    assert_eq!(a.date, NaiveDate::from_ymd_opt(2022, 9, 23));
    assert_eq!(a.authors, vec!["Carla K. Johnson", "AP"]);
    assert!(
        a.standfirst
            .as_deref()
            .is_some_and(|s| s.starts_with("Health experts"))
    );
    assert!(
        a.url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://www.huffpost.com/"))
    );
}

#[test]
fn allsides_sample_fields() {
    let dir = Path::new("/tmp/corpora/Article-Bias-Prediction/data/jsons");
    if !dir.exists() {
        eprintln!("skipping: {} not unpacked", dir.display());
        return;
    }
    let opts = ParseOptions {
        field_map: vec![("body".into(), "content_original".into())],
        ..Default::default()
    };
    let mut n = 0;
    let mut dated = 0;
    for item in walk(dir).filter_map(Result::ok).take(500) {
        let p = parse_file(dir, &item, &opts).expect("allsides file parses");
        let a = &p.articles[0];
        assert!(a.source.is_some(), "{}", item.rel);
        n += 1;
        dated += usize::from(a.date.is_some());
    }
    assert_eq!(n, 500);
    assert!(dated > 350, "{dated} of 500 dated");
}

#[test]
fn sample_corpus_parses() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    if !root.exists() {
        eprintln!("skipping: corpus/ missing");
        return;
    }
    let opts = ParseOptions::default();
    let mut articles = Vec::new();
    let mut skips = Vec::new();
    let mut warnings = Vec::new();
    for item in walk(&root).filter_map(Result::ok) {
        match parse_file(&root, &item, &opts) {
            Ok(p) => {
                articles.extend(p.articles);
                warnings.extend(p.warnings);
            }
            Err(e) => skips.push((item.rel, e)),
        }
    }
    assert!(articles.len() >= 48, "{}", articles.len());
    let sources: std::collections::BTreeSet<_> =
        articles.iter().filter_map(|a| a.source.clone()).collect();
    assert!(sources.len() >= 6, "{sources:?}");
    assert!(
        articles.iter().all(|a| a.source.is_some()),
        "every sample names its outlet"
    );
    assert!(
        skips.iter().any(|(_, e)| *e == SkipReason::Empty),
        "{skips:?}"
    );
    assert!(
        skips
            .iter()
            .any(|(_, e)| *e == SkipReason::UnsupportedExtension),
        "{skips:?}"
    );
    assert_eq!(skips.len(), 2, "{skips:?}");
    assert!(
        warnings
            .iter()
            .any(|w| matches!(w, Warning::BadDate { .. }))
    );
    assert!(
        warnings
            .iter()
            .any(|w| matches!(w, Warning::BadRecord { .. }))
    );
    assert!(
        articles
            .iter()
            .any(|a| a.headline == "<img src=x onerror=alert(1)>")
    );
    assert!(articles.iter().any(|a| a.body.contains("ñ")));
    assert!(articles.iter().filter(|a| a.date.is_some()).count() >= articles.len() - 1);
}

#[test]
fn missing_headline_is_derived_and_marked_for_display_only() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = one(
        dir.path(),
        "a.json",
        br#"{"body": "Floods closed the bridge. Crews worked overnight."}"#,
    );
    assert_eq!(a.headline, "Floods closed the bridge.");
    assert!(a.headline_derived);
    let b = one(
        dir.path(),
        "b.json",
        br#"{"title": "Bridge shut", "body": "Floods closed the bridge."}"#,
    );
    assert_eq!(b.headline, "Bridge shut");
    assert!(!b.headline_derived);
}
