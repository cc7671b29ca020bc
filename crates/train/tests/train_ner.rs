//! `train-ner` end to end on small fictional CoNLL files: which documents it trains on and which
//! it scores, and that the model it writes tags text.
use std::path::PathBuf;
use std::process::Output;

/// A temp folder for the CoNLL files and the model (the part of the main suite's fixture that
/// these tests use).
struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new() -> Self {
        Fixture {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    fn docs(&self) -> PathBuf {
        self.dir.path().join("docs")
    }

    fn write(&self, rel: &str, content: impl AsRef<[u8]>) -> PathBuf {
        let p = self.docs().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, content).unwrap();
        p
    }
}

/// A CoNLL document of three sentences, "NAME told ORG in PLACE .", varied by `i`.
fn document(i: usize) -> String {
    let people = [("Alma", "Reyes"), ("Tomas", "Weld"), ("Greta", "Lind")];
    let orgs = ["Harbour Board", "Kestrel Pictures", "Northfield Council"];
    let places = ["Millbrook", "Saltmarsh", "Eastry", "Dunmore"];
    let mut out = String::from("-DOCSTART- -X- -X- O\n\n");
    for s in 0..3 {
        let (first, last) = people[(i + s) % people.len()];
        out += &format!("{first} X X B-PER\n{last} X X I-PER\ntold X X O\n");
        for (k, w) in orgs[(i * 2 + s) % orgs.len()].split(' ').enumerate() {
            out += &format!("{w} X X {}-ORG\n", if k == 0 { "B" } else { "I" });
        }
        out += &format!(
            "in X X O\n{} X X B-LOC\n. X X O\n\n",
            places[(i + 3 * s) % 4]
        );
    }
    out
}

fn documents(n: usize) -> String {
    (0..n).map(document).collect()
}

fn train_ner(f: &Fixture, extra: &[&str]) -> Output {
    let train = f.write("train.txt", documents(10));
    let dev = f.write("dev.txt", documents(7));
    let gazetteers = f.docs().join("no-gazetteers");
    std::fs::create_dir_all(&gazetteers).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_train-ner"))
        .arg("--train")
        .arg(&train)
        .arg("--dev")
        .arg(&dev)
        .arg("--gazetteers")
        .arg(&gazetteers)
        .arg("--out")
        .arg(f.docs().join("model.bin"))
        .args(["--folds", "2", "--max-epochs", "2", "--bits", "14"])
        .args(extra)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "train-ner failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn counts_line(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .find(|l| l.starts_with("train: "))
        .expect("a line with the document counts")
        .to_string()
}

#[test]
fn train_on_dev_trains_on_all_but_every_kth_dev_document_and_scores_those() {
    let f = Fixture::new();
    let plain = train_ner(&f, &[]);
    assert!(
        counts_line(&plain).starts_with("train: 10 docs, 240 tokens; dev: 7 docs, 168 tokens"),
        "{}",
        counts_line(&plain)
    );
    // Seven dev documents, one in three held out: the first, the fourth and the seventh.
    let mixed = train_ner(&f, &["--train-on-dev", "3"]);
    assert!(
        counts_line(&mixed).starts_with("train: 14 docs, 336 tokens; dev: 3 docs, 72 tokens"),
        "{}",
        counts_line(&mixed)
    );
    // The model written tags every token of a file given to it.
    let tagged = std::process::Command::new(env!("CARGO_BIN_EXE_train-ner"))
        .arg("--predict")
        .arg(f.docs().join("dev.txt"))
        .arg("--out")
        .arg(f.docs().join("model.bin"))
        .output()
        .unwrap();
    assert!(tagged.status.success());
    let text = String::from_utf8_lossy(&tagged.stdout);
    let tokens: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with("-DOCSTART-"))
        .collect();
    assert_eq!(tokens.len(), 7 * 24);
    assert!(
        tokens.iter().all(|l| l.split(' ').count() == 5),
        "{text:.200}"
    );
}
