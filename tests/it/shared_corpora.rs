//! Tests on the real public corpora in `../shared`; each skips with a message when it is absent.
use crate::common::{Fixture, contains_phrase, shared};

#[test]
fn bbc_indexes_every_article_and_phrase_counts_match_a_brute_force_scan() {
    let Some(shared) = shared() else {
        eprintln!("skipping: ../shared/corpora/bbc is not present");
        return;
    };
    // The articles sit under bbc/bbc/<section>/; the folder also holds the dataset's README.TXT,
    // which is indexed like any text file, so the expected count is every .txt file.
    let bbc = shared.join("corpora/bbc/bbc");
    let f = Fixture::new();
    let out = f.run(&[
        "index",
        bbc.to_str().unwrap(),
        "--source",
        "BBC",
        "--no-entities",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let all = f.search(&["", "--facet", "source,section", "--limit", "0"]);
    assert_eq!(all.total, 2226, "2,225 articles and the README");
    let sections: u64 = all.facets["section"].iter().map(|c| c.count).sum();
    assert_eq!(sections, 2225, "every article has its folder as section");
    assert_eq!(all.facets["section"].len(), 5);
    let texts: Vec<String> = walkdir::WalkDir::new(&bbc)
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| {
            e.path()
                .extension()
                .is_some_and(|x| x.eq_ignore_ascii_case("txt"))
        })
        .map(|e| {
            let bytes = std::fs::read(e.path()).unwrap();
            match String::from_utf8(bytes.clone()) {
                Ok(s) => s,
                Err(_) => bytes.iter().map(|&b| b as char).collect(),
            }
        })
        .collect();
    assert_eq!(texts.len(), 2226);
    for phrase in [
        "bank of england",
        "prime minister",
        "world cup",
        "the new york",
        "chief executive",
        "interest rates",
        "tony blair",
        "six nations",
        "mobile phone",
        "in the end",
        "box office",
        "of the year",
    ] {
        let expected = texts.iter().filter(|t| contains_phrase(t, phrase)).count() as u64;
        let r = f.search(&[
            &format!("\"{phrase}\""),
            "--limit",
            "0",
            "--facet",
            "source",
        ]);
        assert_eq!(r.total, expected, "phrase {phrase:?}");
    }
}
