//! Micro-benchmarks of the hot paths through the library API: entity tagging (warm and cold
//! word caches), one search (hits, snippets, facets) on an index of the sample `corpus/`, and
//! snippet generation on its own.
//!
//! `cargo bench` runs them all; `cargo bench -- search` only the searches. The side-by-side
//! comparison with other engines is `scripts/bench`; these numbers are for spotting regressions.
use std::path::PathBuf;
use std::sync::OnceLock;

use divan::counter::BytesCount;
use divan::{Bencher, black_box};
use newsdex::engines::tantivy::Engine;
use newsdex::engines::tantivy::NewsIndex;
use newsdex::features::indexing::{self as writer, IndexPlan, Silent};
use newsdex::model::highlight::Highlight;
use newsdex::model::query::Scope;
use newsdex::model::request::SearchRequest;
use newsdex::model::snippet::SnippetGenerator;

fn main() {
    divan::main();
}

/// A made-up wire story: names of people, organisations and places in ordinary news prose.
const ARTICLE: &str = "LONDON (Meridian Wire) - The Bank of England held interest rates at 5.25 \
per cent on Thursday, with Governor Andrew Bailey telling reporters in London that inflation was \
falling faster than the Monetary Policy Committee had expected in August. Two members, Jonathan \
Haskel and Catherine Mann, voted for another rise. Markets in Frankfurt and New York barely moved: \
traders at Goldman Sachs and Deutsche Bank had priced in the pause for weeks. The Treasury said \
Chancellor Jeremy Hunt welcomed the decision, while the Confederation of British Industry warned \
that small firms in Manchester and Glasgow were still struggling with borrowing costs. Economists \
at the Resolution Foundation expect the first cut next spring, once wage growth slows. Rates on \
fixed mortgages have already eased, lenders including Nationwide and Barclays said on Friday.";

/// The sample corpus indexed once per benchmark run, in a temporary folder that lives as long as
/// the process: building it inside a timed loop would measure the writer instead.
struct Fixture {
    _dir: tempfile::TempDir,
    engine: Engine,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temporary folder");
        let corpus = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus");
        let options = newsdex::model::write::WriteOptions {
            rebuild: false,
            memory_bytes: newsdex::features::indexing::DEFAULT_MEMORY,
        };
        let mut store = newsdex::open::open_store(
            &newsdex::open::Location::Dir(dir.path().to_path_buf()),
            options,
        )
        .expect("create index");
        writer::run(store.as_mut(), &IndexPlan::new(vec![corpus]), &Silent).expect("index corpus/");
        drop(store);
        let engine =
            Engine::open(NewsIndex::open(dir.path()).expect("open index")).expect("engine");
        Fixture { _dir: dir, engine }
    })
}

/// Extraction as the indexer runs it: the thread's tagger, its word cache warm.
#[divan::bench]
fn entities_extract(bencher: Bencher) {
    bencher
        .counter(BytesCount::of_str(ARTICLE))
        .bench(|| newsdex::entities::extract(black_box(ARTICLE)));
}

/// Extraction with empty caches: every word of the article is new to the tagger.
#[divan::bench]
fn entities_extract_cold(bencher: Bencher) {
    let model = newsdex::entities::model::embedded().expect("a trained model is compiled in");
    bencher
        .counter(BytesCount::of_str(ARTICLE))
        .bench(|| newsdex::entities::extract_with(model, black_box(ARTICLE)));
}

#[divan::bench(args = [
    "inflation",
    "interest rates",
    "\"bank of england\"",
    "storm -warning",
    "infla*",
])]
fn search(bencher: Bencher, query: &str) {
    let engine = &fixture().engine;
    let request = SearchRequest {
        query: query.to_string(),
        limit: 10,
        ..Default::default()
    };
    bencher.bench(|| engine.search(black_box(&request)).expect("search"));
}

fn highlights() -> Vec<Highlight> {
    vec![
        Highlight::Stem {
            scope: Scope::Text,
            term: "rate".to_string(),
        },
        Highlight::Phrase {
            scope: Scope::Text,
            terms: vec!["bank".into(), "of".into(), "england".into()],
            slop: 0,
        },
    ]
}

/// A body the length of a long feature (about 6 KB), so fragment choice has work to do.
fn long_body() -> String {
    [ARTICLE; 6].join("\n\n")
}

#[divan::bench]
fn snippet_body(bencher: Bencher) {
    let body = long_body();
    bencher
        .counter(BytesCount::of_str(&body))
        .with_inputs(|| SnippetGenerator::new(highlights()))
        .bench_local_refs(|generator| generator.body(black_box(&body)));
}

/// A generator reused across hits, as the search does for one page: its stem cache is warm.
#[divan::bench]
fn snippet_body_warm(bencher: Bencher) {
    let body = long_body();
    let mut generator = SnippetGenerator::new(highlights());
    generator.body(&body);
    bencher
        .counter(BytesCount::of_str(&body))
        .bench_local(|| generator.body(black_box(&body)));
}

#[divan::bench]
fn snippet_headline(bencher: Bencher) {
    let mut generator = SnippetGenerator::new(highlights());
    bencher.bench_local(|| {
        generator.headline(black_box(
            "Bank of England holds rates as inflation falls faster than expected",
        ))
    });
}
