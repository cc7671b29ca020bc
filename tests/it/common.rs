//! Helpers shared by the integration tests: run the real binary, write article files, parse JSON.
#![allow(dead_code)]
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde::Deserialize;

pub fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_newsdex"));
    // No config file of the user's may change what a test sees.
    c.env_remove("NEWSDEX_INDEX")
        .env("NEWSDEX_CONFIG", "")
        .env("NO_COLOR", "1");
    c
}

/// `../shared` beside the repository, when present.
pub fn shared() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    p.is_dir().then_some(p)
}

/// A temp folder holding articles and an index.
pub struct Fixture {
    pub dir: tempfile::TempDir,
}

impl Fixture {
    pub fn new() -> Self {
        Fixture {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn docs(&self) -> PathBuf {
        self.dir.path().join("docs")
    }

    pub fn index(&self) -> PathBuf {
        self.dir.path().join("idx")
    }

    pub fn write(&self, rel: &str, content: impl AsRef<[u8]>) -> PathBuf {
        let p = self.docs().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, content).unwrap();
        p
    }

    /// `newsdex index` over the docs folder with extra args; panics unless it exits 0.
    pub fn index_docs(&self, extra: &[&str]) -> Output {
        let out = self.run(&[&["index", self.docs().to_str().unwrap()], extra].concat());
        assert!(
            out.status.success(),
            "index failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    pub fn run(&self, args: &[&str]) -> Output {
        bin()
            .args(args)
            .arg("--index")
            .arg(self.index())
            .output()
            .expect("run newsdex")
    }

    pub fn search(&self, args: &[&str]) -> Results {
        let out = self.run(&[&["search", "--json"], args].concat());
        assert!(
            out.status.success(),
            "search {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("one JSON object")
    }
}

#[derive(Debug, Deserialize)]
pub struct Results {
    pub query: String,
    pub total: u64,
    pub offset: usize,
    pub limit: usize,
    pub took_ms: f64,
    pub hits: Vec<Hit>,
    pub facets: std::collections::BTreeMap<String, Vec<FacetCount>>,
}

#[derive(Debug, Deserialize)]
pub struct Hit {
    pub id: String,
    pub path: String,
    pub headline: String,
    pub source: String,
    pub section: Option<String>,
    pub date: Option<String>,
    pub authors: Vec<String>,
    pub url: Option<String>,
    pub score: f32,
    pub snippet: String,
    pub highlights: Vec<[usize; 2]>,
    pub headline_highlights: Vec<[usize; 2]>,
    #[serde(default)]
    pub entities: std::collections::BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Deserialize, PartialEq)]
pub struct FacetCount {
    pub value: String,
    pub count: u64,
}

impl Hit {
    /// The highlighted pieces of the snippet, as text.
    pub fn marked(&self) -> Vec<String> {
        slices(&self.snippet, &self.highlights)
    }

    pub fn headline_marked(&self) -> Vec<String> {
        slices(&self.headline, &self.headline_highlights)
    }
}

/// Copy a folder of `tests/fixtures` into the fixture's docs folder (tests never write into the
/// repository).
pub fn copy_fixtures(f: &Fixture, name: &str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    for entry in std::fs::read_dir(dir).expect("fixture folder") {
        let entry = entry.unwrap();
        let bytes = std::fs::read(entry.path()).unwrap();
        f.write(entry.file_name().to_str().unwrap(), bytes);
    }
}

pub fn slices(text: &str, ranges: &[[usize; 2]]) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    ranges
        .iter()
        .map(|[s, e]| chars[*s..*e].iter().collect())
        .collect()
}

/// Lower-cased, accent-folded alphanumeric words: the brute-force view of a text for phrase checks.
pub fn words(text: &str) -> Vec<String> {
    let folded: String = text
        .chars()
        .map(|c| match c {
            'à' | 'á' | 'â' | 'ä' | 'ã' | 'å' => 'a',
            'è' | 'é' | 'ê' | 'ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ò' | 'ó' | 'ô' | 'ö' | 'õ' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            'ñ' => 'n',
            c => c,
        })
        .collect();
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase())
        .collect()
}

pub fn contains_phrase(text: &str, phrase: &str) -> bool {
    let hay = words(text);
    let needle = words(phrase);
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle.as_slice())
}
