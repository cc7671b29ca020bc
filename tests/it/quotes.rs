//! Quotes end to end on the embedded engine: `newsdex quotes FILE`, `quote:` words and phrases,
//! `--speaker`, the speaker facet, the quotes a hit carries, the human output and the export
//! column, on fictional articles in `tests/fixtures/quotes`.
use serde::Deserialize;

use crate::common::{Fixture, bin, copy_fixtures};

#[derive(Debug, Deserialize, Clone, PartialEq)]
struct Quote {
    text: String,
    start: usize,
    end: usize,
    speaker: Option<String>,
    speaker_kind: Option<String>,
    attribution: String,
}

#[derive(Debug, Deserialize)]
struct Hit {
    path: String,
    #[serde(default)]
    quotes: Vec<Quote>,
}

#[derive(Debug, Deserialize)]
struct FacetCount {
    value: String,
    count: u64,
}

#[derive(Debug, Deserialize)]
struct Results {
    total: u64,
    hits: Vec<Hit>,
    facets: std::collections::BTreeMap<String, Vec<FacetCount>>,
}

fn indexed() -> Fixture {
    let f = Fixture::new();
    copy_fixtures(&f, "quotes");
    f.index_docs(&[]);
    f
}

fn search(f: &Fixture, args: &[&str]) -> Results {
    let out = f.run(&[&["search", "--json"], args].concat());
    assert!(
        out.status.success(),
        "search {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("one JSON object")
}

fn paths(r: &Results) -> Vec<String> {
    let mut p: Vec<String> = r.hits.iter().map(|h| h.path.clone()).collect();
    p.sort();
    p
}

fn fixture_text(name: &str) -> (std::path::PathBuf, String) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/quotes")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    (path, text)
}

/// The quotes of one file, by the real `newsdex quotes FILE --json`.
fn quotes_of(path: &std::path::Path) -> Vec<Quote> {
    let out = bin().args(["quotes", "--json"]).arg(path).output().unwrap();
    assert!(
        out.status.success(),
        "{}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("a JSON list")
}

#[test]
fn quotes_command_gives_each_quote_in_order_with_speaker_and_offsets() {
    let (path, text) = fixture_text("harbour-vote.txt");
    let quotes = quotes_of(&path);
    let got: Vec<(&str, Option<&str>)> = quotes
        .iter()
        .map(|q| (q.text.as_str(), q.speaker.as_deref()))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "We will not negotiate with the developers, not this year and not next,",
                Some("Elena Vasquez")
            ),
            ("a costly mistake", Some("Tomas Brenner")),
            (
                "The harbour needs money that the town does not have,",
                Some("Tomas Brenner")
            ),
        ]
    );
    let chars: Vec<char> = text.chars().collect();
    for q in &quotes {
        let slice: String = chars[q.start..q.end].iter().collect();
        assert_eq!(slice, q.text);
        assert_eq!(q.speaker_kind.as_deref(), Some("person"));
    }
    assert!(quotes.windows(2).all(|w| w[0].end <= w[1].start));
    assert_eq!(quotes[2].attribution, "pronoun");
}

#[test]
fn scare_quotes_make_no_quote_and_a_missing_file_is_named() {
    let (path, _) = fixture_text("market-day.txt");
    let quotes = quotes_of(&path);
    assert!(quotes.is_empty(), "{quotes:?}");
    let out = bin().args(["quotes", "no-such-file.txt"]).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no-such-file.txt"), "{err}");
}

#[test]
fn quote_scope_matches_words_inside_quotes_only() {
    let f = indexed();
    // "harbour" is in all three articles, inside a quote in one.
    assert_eq!(search(&f, &["harbour"]).total, 3);
    let r = search(&f, &["quote:harbour"]);
    assert_eq!(paths(&r), vec!["harbour-vote.txt"]);
    assert_eq!(r.hits[0].quotes.len(), 1);
    assert!(r.hits[0].quotes[0].text.contains("harbour"));
}

#[test]
fn quote_phrase_with_a_speaker_answers_who_said_it() {
    let f = indexed();
    let both = search(&f, &["quote:\"will not negotiate\""]);
    assert_eq!(paths(&both), vec!["ferry-talks.txt", "harbour-vote.txt"]);
    let r = search(
        &f,
        &["quote:\"will not negotiate\"", "--speaker", "Elena Vasquez"],
    );
    assert_eq!(paths(&r), vec!["harbour-vote.txt"]);
    let quotes = &r.hits[0].quotes;
    assert_eq!(quotes.len(), 1, "{quotes:?}");
    assert_eq!(quotes[0].speaker.as_deref(), Some("Elena Vasquez"));
    // With --speaker alone a hit carries all of that speaker's quotes.
    let r = search(&f, &["harbour", "--speaker", "Tomas Brenner"]);
    assert_eq!(paths(&r), vec!["ferry-talks.txt", "harbour-vote.txt"]);
    let vote = r
        .hits
        .iter()
        .find(|h| h.path == "harbour-vote.txt")
        .unwrap();
    assert_eq!(vote.quotes.len(), 2);
    assert!(
        vote.quotes
            .iter()
            .all(|q| q.speaker.as_deref() == Some("Tomas Brenner"))
    );
    // Two speakers: both must be quoted.
    let r = search(
        &f,
        &[
            "harbour",
            "--speaker",
            "Tomas Brenner",
            "--speaker",
            "Elena Vasquez",
        ],
    );
    assert_eq!(paths(&r), vec!["harbour-vote.txt"]);
}

#[test]
fn speaker_facet_counts_articles_quoting_each_speaker() {
    let f = indexed();
    let r = search(&f, &["harbour", "--facet", "speaker"]);
    let counts: Vec<(&str, u64)> = r.facets["speaker"]
        .iter()
        .map(|c| (c.value.as_str(), c.count))
        .collect();
    assert_eq!(counts, vec![("Tomas Brenner", 2), ("Elena Vasquez", 1)]);
}

#[test]
fn human_output_prints_quotes_under_the_snippet_and_export_has_a_quotes_column() {
    let f = indexed();
    let out = f.run(&["search", "quote:negotiate", "--speaker", "Elena Vasquez"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("\u{201c}We will not negotiate with the developers, not this year and not next,\u{201d} \u{2014} Elena Vasquez"),
        "{text}"
    );
    let out = f.run(&[
        "export",
        "quote:negotiate",
        "--format",
        "jsonl",
        "--fields",
        "path,quotes",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    #[derive(Deserialize)]
    struct Row {
        path: String,
        quotes: Vec<Quote>,
    }
    let mut rows: Vec<Row> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    rows.sort_by(|a, b| a.path.cmp(&b.path));
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].quotes[0].speaker.as_deref(), Some("Tomas Brenner"));
    assert_eq!(rows[1].quotes[0].speaker.as_deref(), Some("Elena Vasquez"));
}

/// The same questions on OpenSearch give the same answers as on the embedded engine (skipped
/// without a cluster: `NEWSDEX_TEST_OPENSEARCH`).
#[test]
fn opensearch_answers_quote_speaker_and_facet_like_the_embedded_engine() {
    let Some(remote) = crate::opensearch::Remote::for_test("quotes") else {
        return;
    };
    let f = indexed();
    let url = remote.url();
    let out = f.run(&["index", f.docs().to_str().unwrap(), "--engine", &url]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let asks: [&[&str]; 4] = [
        &["quote:harbour"],
        &["quote:\"will not negotiate\"", "--speaker", "Elena Vasquez"],
        &["harbour", "--speaker", "Tomas Brenner"],
        &["harbour", "--facet", "speaker"],
    ];
    for ask in asks {
        let embedded = search(&f, ask);
        let remote = search(&f, &[ask, &["--engine", &url]].concat());
        assert_eq!(paths(&embedded), paths(&remote), "{ask:?}");
        let quotes = |r: &Results| {
            let mut q: Vec<(String, Vec<Quote>)> = r
                .hits
                .iter()
                .map(|h| (h.path.clone(), h.quotes.clone()))
                .collect();
            q.sort_by(|a, b| a.0.cmp(&b.0));
            q
        };
        assert_eq!(quotes(&embedded), quotes(&remote), "{ask:?}");
        let facet = |r: &Results| {
            r.facets.get("speaker").map(|v| {
                v.iter()
                    .map(|c| (c.value.clone(), c.count))
                    .collect::<Vec<_>>()
            })
        };
        assert_eq!(facet(&embedded), facet(&remote), "{ask:?}");
    }
}

#[derive(Debug, Deserialize)]
struct Said {
    text: String,
    start: usize,
    end: usize,
    article: SaidArticle,
}

#[derive(Debug, Deserialize)]
struct SaidArticle {
    id: String,
}

#[derive(Debug, Deserialize)]
struct EntityPage {
    name: String,
    said: Vec<Said>,
    quoted_by: Vec<FacetCount>,
}

#[test]
fn an_entity_page_lists_what_it_said_and_who_quoted_it() {
    let f = indexed();
    let out = f.run(&["entity", "Tomas Brenner", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let page: EntityPage = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(page.name, "Tomas Brenner");
    let mut texts: Vec<&str> = page.said.iter().map(|s| s.text.as_str()).collect();
    texts.sort();
    assert_eq!(
        texts,
        vec![
            "The harbour needs money that the town does not have,",
            "We will not negotiate while the fares are frozen,",
            "a costly mistake",
        ]
    );
    // Each quote points at its words in the article's body.
    for s in &page.said {
        assert!(!s.article.id.is_empty());
        assert_eq!(s.end - s.start, s.text.chars().count());
    }
    let counts: Vec<(&str, u64)> = page
        .quoted_by
        .iter()
        .map(|c| (c.value.as_str(), c.count))
        .collect();
    assert_eq!(counts, vec![("unknown", 2)]);
}

#[test]
fn the_api_takes_speaker_filters_and_returns_hits_with_their_quotes() {
    let f = indexed();
    let server = crate::server::Server::start(&f.index());
    let body = server.json("/api/search?q=quote:negotiate&speaker=Elena%20Vasquez&facet=speaker");
    let r: Results = serde_json::from_value(body).unwrap();
    assert_eq!(r.total, 1);
    assert_eq!(r.hits[0].path, "harbour-vote.txt");
    assert_eq!(
        r.hits[0].quotes[0].speaker.as_deref(),
        Some("Elena Vasquez")
    );
    assert_eq!(r.facets["speaker"].len(), 2);
}

/// The speaker of every quote of one fixture in `tests/fixtures/quotes-attribution`, by the real
/// `newsdex quotes FILE --json`.
fn speakers_of(name: &str) -> Vec<(String, Option<String>)> {
    attributions_of(name)
        .into_iter()
        .map(|(text, speaker, _)| (text, speaker))
        .collect()
}

/// Each quote opening with the given words has the given speaker (or none).
fn expect_speakers(name: &str, cases: &[(&str, Option<&str>)]) {
    let got = speakers_of(name);
    for (opening, speaker) in cases {
        let q = got
            .iter()
            .find(|(t, _)| t.starts_with(opening))
            .unwrap_or_else(|| panic!("{name}: no quote opening {opening:?} in {got:?}"));
        assert_eq!(q.1.as_deref(), *speaker, "{name}: speaker of {opening:?}");
    }
}

#[test]
fn she_said_skips_a_later_man_the_text_calls_he() {
    expect_speakers(
        "pronoun-gender.txt",
        &[("The boats are not safe", Some("Marta Quill"))],
    );
}

#[test]
fn a_pronoun_in_a_relative_clause_is_not_the_name_the_clause_hangs_on() {
    expect_speakers(
        "relative-clause.txt",
        &[
            ("properly", Some("Daniel Okafor")),
            ("People will argue", Some("Daniel Okafor")),
        ],
    );
}

#[test]
fn a_publication_that_writes_and_a_block_quote_after_as_x_notes_have_speakers() {
    expect_speakers(
        "reporting-frames.txt",
        &[
            ("expected to back the plan", Some("Caldmoor Gazette")),
            ("The harbour was never meant", Some("Ruth Adeyemi")),
        ],
    );
}

#[test]
fn continues_to_be_is_no_speech_and_a_verb_inside_a_name_is_no_verb() {
    expect_speakers(
        "other-senses.txt",
        &[
            ("the shelter's largest donor", None),
            ("We will publish every letter", Some("Harbour Post")),
        ],
    );
}

#[test]
fn datelines_and_storms_are_never_speakers() {
    expect_speakers(
        "datelines-and-storms.txt",
        &[
            ("leave the coast tonight", None),
            ("We lost everything", None),
        ],
    );
}

#[test]
fn he_goes_back_through_sentences_whose_subject_is_already_he() {
    expect_speakers(
        "pronoun-chain.txt",
        &[
            ("We are ready", Some("Ivan Petrov")),
            ("It is a worry", Some("Ivan Petrov")),
        ],
    );
}

#[test]
fn a_bare_quote_after_a_sentence_saying_who_speaks_takes_that_speaker_near_a_paragraph_start() {
    expect_speakers(
        "said-then-quote.txt",
        &[("It will stay shut", Some("Rita Solberg"))],
    );
}

// Round 5: one fixture per class fixed after fresh4 was annotated (each fails on the round-4
// rules).

#[test]
fn a_bare_surname_two_people_share_goes_to_the_one_the_text_is_about() {
    expect_speakers(
        "shared-surname.txt",
        &[
            ("Today we are keeping", Some("Marta Quill")),
            ("Nobody in Caldmoor", Some("Marta Quill")),
        ],
    );
}

#[test]
fn an_introductory_phrase_naming_an_organisation_never_gives_the_speaker() {
    expect_speakers(
        "intro-phrase.txt",
        &[("up to the windows", Some("Tomas Brenner"))],
    );
}

#[test]
fn a_complaint_filed_with_a_body_is_not_that_bodys_words() {
    expect_speakers(
        "document-addressee.txt",
        &[("hid the true cost", Some("Harbour Trust"))],
    );
}

#[test]
fn an_aide_named_with_a_person_is_not_that_person() {
    expect_speakers("aide.txt", &[("Ada is a doer", None)]);
}

#[test]
fn a_possessive_or_an_object_of_a_preposition_is_not_what_she_stands_for() {
    expect_speakers(
        "pronoun-antecedent.txt",
        &[
            ("find the money by spring", Some("Ada Kern")),
            ("That contract was a scandal", Some("Rita Solberg")),
        ],
    );
}

#[test]
fn a_verb_right_after_and_shares_the_sentence_subject_not_the_nearest_name() {
    expect_speakers(
        "verb-after-and.txt",
        &[("long before the doors opened", Some("Tomas Brenner"))],
    );
}

#[test]
fn a_quote_ending_its_sentence_ends_the_sentence_a_later_verb_reads() {
    expect_speakers(
        "quote-ends-sentence.txt",
        &[
            ("the river rose", Some("Tomas Brenner")),
            ("some boats", Some("Nora Bell")),
            ("quiet disaster", Some("Nora Bell")),
        ],
    );
}

#[test]
fn ordered_and_concluded_introduce_quotes() {
    expect_speakers(
        "more-verbs.txt",
        &[
            ("Light every lamp", Some("Rita Solberg")),
            (
                "clear signs of a slowdown",
                Some("Caldmoor Building Society"),
            ),
        ],
    );
}

#[test]
fn words_reported_through_said_go_to_the_reporting_source() {
    expect_speakers(
        "reporting-frame.txt",
        &[("deep concern over", Some("Caldmoor Building Society"))],
    );
}

#[test]
fn a_document_that_goes_on_speaks_for_whoever_issued_it_earlier() {
    expect_speakers(
        "document-goes-on.txt",
        &[
            ("Any board must weigh", Some("Harrow Bank")),
            ("The board believes", Some("Harrow Bank")),
            ("and members would lose", Some("Harrow Bank")),
            ("We ask that", Some("Tomas Brenner")),
            // A memo no sentence attributes to anyone speaks for no one.
            ("Some branches may shut", None),
        ],
    );
}

#[test]
fn joint_authors_speak_as_the_first_named() {
    expect_speakers(
        "joint-authors.txt",
        &[("began in the rope store", Some("Tomas Brenner"))],
    );
}

#[test]
fn a_short_quote_inside_a_sentence_closed_by_its_attribution_takes_that_speaker() {
    expect_speakers(
        "sentence-final-attribution.txt",
        &[
            ("considerable time", Some("Nora Bell")),
            // A closing clause that reports more words than an attribution is no attribution.
            ("slower but safer winter timetable", None),
        ],
    );
}

#[test]
fn a_quote_signed_by_a_dash_and_a_name_is_that_persons() {
    expect_speakers(
        "dash-signature.txt",
        &[
            ("The harbour will outlive", Some("Elena Vasquez")),
            ("Boats are cheaper", Some("Tomas Brenner")),
            // A name after a dash that goes on into a sentence of its own signs nothing.
            ("The ferry is late again", None),
        ],
    );
}

#[test]
fn a_quote_signed_on_the_line_after_it_or_by_a_board_is_the_signers() {
    expect_speakers(
        "signature-line.txt",
        &[
            ("The council has chosen", Some("Marta Lindqvist")),
            ("A town that cannot cross", Some("Jonas Feld")),
            // A board signs for its outlet.
            ("Nothing in the plan", Some("Eastbay Times")),
            ("We will keep the ferry", Some("Ada Bell")),
            // The line after is a sentence of its own, with a verb and a full stop: no signature.
            ("The first pier goes in", None),
        ],
    );
}

#[test]
fn a_quote_paragraph_after_the_speakers_paragraph_goes_on_in_that_voice() {
    expect_speakers(
        "quote-paragraph.txt",
        &[
            ("Nobody on the island", Some("Nora Bell")),
            // Someone else came in between (a resident, unnamed): no speaker.
            ("It is a scandal", None),
        ],
    );
}

#[test]
fn a_bare_quote_after_an_action_beat_or_a_colon_paragraph_is_that_persons() {
    expect_speakers(
        "action-beat.txt",
        &[
            ("We have heard enough", Some("Nora Bell")),
            ("The ferry stays", Some("Tomas Brenner")),
            // Across a paragraph break, a sentence about what someone did introduces nothing.
            ("Harbour tax is theft", None),
        ],
    );
}

#[test]
fn a_publications_website_speaks_for_it_but_a_statement_on_a_website_names_no_one() {
    expect_speakers(
        "publication-website.txt",
        &[
            ("Ferry saved by island vote", Some("Harbour Gazette")),
            // The head is the indefinite statement, not the website it stands on.
            ("a quiet closure of the ferry", None),
        ],
    );
}

#[test]
fn initials_in_a_name_end_no_sentence_and_a_party_bracket_keeps_who_on_its_name() {
    expect_speakers(
        "initials-and-brackets.txt",
        &[
            ("A storm this winter", Some("G.K. Marsh")),
            ("never been used for harbours", Some("Nora Bellamy")),
        ],
    );
}

/// A quote that opens inside the sentence introducing a statement and is closed by "the
/// statement said" led the document rule back to the same quote without end: the stack
/// overflowed and took the whole indexing run with it. It now ends with no speaker for that
/// quote (the board that issued the statement is not a name the tagger finds), and the rest of
/// the article is attributed as usual.
#[test]
fn regression_a_quote_closed_by_the_statement_it_opened_overflowed_the_stack() {
    expect_speakers(
        "statement-opened-by-its-own-quote.txt",
        &[
            ("The pier will reopen in May", None),
            ("It is a good day for the town", Some("Ines Garrow")),
        ],
    );
}

/// Every quote of one fixture in `tests/fixtures/quotes-attribution` with its speaker and how
/// it was found.
fn attributions_of(name: &str) -> Vec<(String, Option<String>, String)> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/quotes-attribution")
        .join(name);
    quotes_of(&path)
        .into_iter()
        .map(|q| (q.text, q.speaker, q.attribution))
        .collect()
}

#[test]
fn the_learned_step_names_nobody_when_the_text_names_no_speaker() {
    let got = attributions_of("learned-nobody-named.txt");
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].1, None);
    assert_eq!(got[0].2, "none");
}

// Round 10: one fixture per class fixed on the design sets (every set but fresh7); each fails
// on the round-9 rules.

#[test]
fn a_role_governed_by_a_preposition_is_someone_elses_title() {
    expect_speakers(
        "role-of-another.txt",
        &[("For years, I have counted", Some("Tom Bell"))],
    );
}

#[test]
fn the_plus_a_noun_written_as_a_title_is_that_person_and_no_one_otherwise() {
    expect_speakers(
        "titled-noun.txt",
        &[
            ("Marco has been here", Some("Dipo Arendt")),
            ("It is up to every club", Some("Ada Kern")),
            ("Nobody here wants him gone", None),
        ],
    );
}

#[test]
fn a_nationality_before_a_role_must_be_written_with_the_person() {
    let got = speakers_of("role-nationality.txt");
    assert!(
        !got.iter().any(|(_, s)| s.as_deref() == Some("Nora Bell")),
        "the Veskan ambassador is not Norland's: {got:?}"
    );
    expect_speakers(
        "role-nationality.txt",
        &[("We will not sign", Some("Tomas Brenner"))],
    );
}

#[test]
fn a_name_before_a_role_and_another_name_qualifies_the_second() {
    expect_speakers(
        "name-before-role.txt",
        &[("She has got this gap", Some("Ada Bell"))],
    );
}

#[test]
fn an_example_after_such_as_gives_way_to_the_clauses_subject_but_speaks_alone() {
    expect_speakers(
        "example-in-aside.txt",
        &[
            ("open their doors", Some("Ada Kern")),
            ("cruel and frightening", Some("Harbour Watch")),
        ],
    );
}

#[test]
fn a_place_between_the_and_a_noun_is_no_speaker() {
    expect_speakers(
        "place-modifier.txt",
        &[("Will this be a breakthrough", None)],
    );
}

#[test]
fn a_document_speaks_for_whoever_published_or_signed_it() {
    expect_speakers(
        "document-issued.txt",
        &[
            ("The false matches", Some("Harbour Trust")),
            ("Quite simply, safety", Some("Harbour Watch")),
        ],
    );
}

#[test]
fn a_quote_in_a_subordinate_clause_keeps_that_clauses_speaker() {
    expect_speakers(
        "subordinate-clause.txt",
        &[("ruin the harbour for good", Some("Tom Bell"))],
    );
}

#[test]
fn himself_tells_the_gender_that_an_introductory_phrase_hides() {
    expect_speakers(
        "reflexive-gender.txt",
        &[("The challenge is that", Some("Ada Kern"))],
    );
}

#[test]
fn he_after_a_sentence_about_the_president_is_the_president() {
    expect_speakers(
        "role-subject.txt",
        &[("The board ignored", Some("Tom Bell"))],
    );
}

#[test]
fn a_document_released_with_a_participle_speaks_for_the_subject_that_released_it() {
    expect_speakers(
        "document-participle.txt",
        &[
            ("the parade will honour", Some("Harbour Board")),
            (
                "Every consideration is made",
                Some("Caldmoor Southern University"),
            ),
        ],
    );
}

#[test]
fn a_thought_reported_with_that_introduces_the_thinkers_quote_paragraph() {
    expect_speakers(
        "thought-paragraph.txt",
        &[("The next step, if we think", Some("Daniel Okafor"))],
    );
}

#[test]
fn a_title_before_the_name_and_a_relative_clause_after_it_keep_the_verb_in_reach() {
    expect_speakers(
        "title-before-name.txt",
        &[
            ("The law is on our side", Some("Tom Bell")),
            ("When a species has recovered", Some("Ada Kern")),
        ],
    );
}

#[test]
fn a_verb_with_an_object_reports_no_words_for_a_later_pronoun() {
    expect_speakers(
        "object-verb.txt",
        &[("I did not think that today", Some("Marco Lenz"))],
    );
}

#[test]
fn a_quote_opening_its_sentence_without_a_comma_before_she_said_is_hers() {
    expect_speakers(
        "bare-attribution.txt",
        &[("I never thought I would be back", Some("Rita Solberg"))],
    );
}

/// A regression: a document named right after an issuing verb of the sentence before (`… its
/// office released it. Statement copies …`, then `"…," the statement said`) sent the quote rules
/// a reversed stretch of text. The panic stopped `newsdex quotes` and the whole index run.
#[test]
fn regression_an_issuing_verb_in_the_sentence_before_stopped_the_index_run() {
    let f = Fixture::new();
    let issuer = f.write(
        "ferry.txt",
        "Harbour council votes on ferry plan\n\nThe harbour council met on Monday and its office \
         released it. Statement copies went to every reporter in the room.\n\n\"We will not \
         negotiate over the ferry,\" the statement said.\n",
    );
    f.write(
        "market.txt",
        "Market hall reopens\n\nThe market hall reopened on Tuesday after a year of repairs.\n",
    );
    let quotes = quotes_of(&issuer);
    let texts: Vec<&str> = quotes.iter().map(|q| q.text.as_str()).collect();
    assert_eq!(texts, ["We will not negotiate over the ferry,"]);
    // The previous sentence's verb released something else: no issuer is claimed for it.
    assert_eq!(quotes[0].speaker, None);

    let out = f.index_docs(&[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(search(&f, &["quote:negotiate"]).hits.len(), 1);
    assert_eq!(search(&f, &["market"]).total, 1);
}

// Round 11: one fixture per class fixed on the design sets (every set but fresh8); each fails
// on the round-10 rules.

#[test]
fn a_nested_quotes_closing_mark_hides_no_comma_before_the_attribution() {
    expect_speakers(
        "nested-quote-close.txt",
        &[
            ("I told him, 'Do not shout", Some("Nora Bell")),
            ("Voting for the plan", Some("Tomas Brenner")),
        ],
    );
}

#[test]
fn verbs_of_saying_with_a_manner_attribute_like_said() {
    expect_speakers(
        "manner-verbs.txt",
        &[
            ("They are celebrating", Some("Tomas Brenner")),
            ("It is the best year", Some("Ada Kern")),
        ],
    );
}

#[test]
fn what_someone_called_for_in_marks_is_their_words() {
    expect_speakers(
        "called-for.txt",
        &[("calm and patience on the quays", Some("Ada Kern"))],
    );
}

#[test]
fn a_passive_speech_verb_before_a_quote_takes_the_named_agent_after_it() {
    expect_speakers(
        "passive-by.txt",
        &[
            ("fair and workable", Some("Tomas Brenner")),
            // `by the sentencing judge`: an agent the text does not name gives no speaker.
            ("one of the worst timekeepers", None),
        ],
    );
}

#[test]
fn a_sentence_taking_up_its_subjects_argument_introduces_the_quote_paragraph_after_it() {
    expect_speakers(
        "words-paragraph.txt",
        &[
            ("The ferry carried four hundred", Some("Ada Kern")),
            // A sentence about what someone did introduces nothing across a paragraph break.
            ("The harbour belongs to the people", None),
        ],
    );
}

#[test]
fn an_aside_between_dashes_is_passed_over_for_the_subject() {
    expect_speakers(
        "dash-aside.txt",
        &[("wishful thinking on a grand scale", Some("Tomas Brenner"))],
    );
}

#[test]
fn an_organisation_called_by_the_first_word_of_its_name_speaks_as_itself() {
    expect_speakers(
        "short-org-name.txt",
        &[(
            "The company has shown no reason",
            Some("Transport Department"),
        )],
    );
}

#[test]
fn a_short_sentence_after_a_quotes_own_full_stop_may_be_its_attribution() {
    expect_speakers(
        "attribution-sentence.txt",
        &[
            ("The bridge will stay shut", Some("Harbour Radio")),
            // A sentence of its own after the quote, not an attribution: no speaker.
            ("Nobody will cross it this winter", None),
        ],
    );
}

#[test]
fn a_surname_the_tagger_missed_speaks_when_a_speech_verb_frames_it() {
    // The tagger finds no name in this text; `Quellhorst said` is the frame that makes one,
    // and `he added` goes back to it.
    expect_speakers(
        "frame-untagged.txt",
        &[
            (
                "The channel is shallower than any chart",
                Some("Quellhorst"),
            ),
            ("We will not sign off", Some("Quellhorst")),
        ],
    );
}

#[test]
fn a_station_with_a_number_in_its_name_speaks_after_the_quote_it_reports() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/quotes-attribution/frame-thing.txt");
    let q = quotes_of(&path);
    assert_eq!(q.len(), 1, "{q:?}");
    assert_eq!(q[0].speaker.as_deref(), Some("Radio 7"));
    assert_eq!(q[0].speaker_kind.as_deref(), Some("org"));
}

#[test]
fn a_common_noun_opening_the_sentence_is_no_frame_name() {
    expect_speakers(
        "frame-according.txt",
        &[
            (
                "the only way to keep the service running at all,",
                Some("Ostrowicz"),
            ),
            // `Officials said:` names nobody, capital letter or not.
            ("Nobody wants fewer boats.", None),
        ],
    );
}

// Round 14 (session 21): attribution that generalises. Each fixture is fictional text that
// main's rules before the round attribute wrongly (checked by hand against that build).

#[test]
fn initials_take_the_full_name_the_text_writes() {
    // `CFUA` stands for the association the text names in full (its `'` dropped from the
    // initials): one body under one name.
    expect_speakers(
        "acronym-spelled-out.txt",
        &[(
            "Inspections will resume next week",
            Some("Caldmoor Ferry Users' Association"),
        )],
    );
}

#[test]
fn the_company_is_the_body_named_as_a_subject_not_after_by() {
    expect_speakers(
        "company-subject.txt",
        &[(
            "Sales in January have been lower",
            Some("Northwind Ferries"),
        )],
    );
}

#[test]
fn a_former_official_speaks_for_no_body() {
    expect_speakers(
        "former-official.txt",
        &[
            ("odd and hard to explain", None),
            ("fully reviewed and approved", Some("Harbour Department")),
        ],
    );
}

#[test]
fn the_spokesperson_is_the_one_introduced_not_the_person_named_last() {
    expect_speakers(
        "spokesperson-anaphora.txt",
        &[(
            "The university is working closely",
            Some("Caldmoor University"),
        )],
    );
}

#[test]
fn she_after_a_possessive_and_its_apposition_is_the_apposition() {
    expect_speakers(
        "possessive-apposition.txt",
        &[
            ("as bad as it gets", Some("Ada Bell")),
            ("every harbour job", Some("Ada Bell")),
        ],
    );
}

#[test]
fn echoed_inverts_and_quoted_as_saying_names_the_one_quoted() {
    expect_speakers(
        "echoed-and-quoted.txt",
        &[
            ("We cannot allow this", Some("Tomas Kern")),
            ("It makes a difference", Some("Ada Bell")),
            ("We will have to cut costs", Some("Mira Solano")),
        ],
    );
}

#[test]
fn a_source_in_an_opening_as_clause_is_not_what_she_stands_for() {
    expect_speakers(
        "as-reported.txt",
        &[("There is no fair treatment", Some("Nia Okafor"))],
    );
}

#[test]
fn the_outlet_is_the_latest_body_the_text_gave_as_a_source() {
    expect_speakers(
        "media-noun.txt",
        &[
            ("The board met three times", Some("Caldmoor Gazette")),
            ("Every contract signed", Some("Caldmoor Gazette")),
        ],
    );
}

#[test]
fn the_newspaper_is_no_body_only_mentioned() {
    expect_speakers(
        "media-noun-unsourced.txt",
        &[("Every contract signed", None)],
    );
}

#[test]
fn according_to_names_its_source_up_to_the_comma() {
    expect_speakers(
        "according-source.txt",
        &[
            ("blindsided", Some("Harbour Radio")),
            ("more delays", Some("Tomas Kern")),
        ],
    );
}

#[test]
fn a_claim_that_gives_the_words_of_its_possessor() {
    expect_speakers(
        "possessor-claim.txt",
        &[
            ("save the town", Some("Tomas Kern")),
            ("the harbour belongs to nobody", Some("Ada Bell")),
        ],
    );
}

#[test]
fn an_employer_and_job_title_before_a_name_give_the_name() {
    expect_speakers(
        "employer-title-name.txt",
        &[
            ("No doubt worries", Some("Tomas Kern")),
            ("Stocks could stay volatile", Some("Tomas Kern")),
            ("the cost of a week", Some("Ada Bell")),
        ],
    );
}

#[test]
fn an_employer_before_a_title_with_no_name_still_speaks() {
    expect_speakers(
        "employer-unnamed-title.txt",
        &[("We will not move", Some("Northwind Shipping"))],
    );
}

#[test]
fn a_lone_surname_is_the_person_it_ends_not_a_middle_name() {
    expect_speakers(
        "surname-second-reference.txt",
        &[
            ("When I think about pensions", Some("Peter Kern")),
            ("It is what my mother", Some("Peter Kern")),
        ],
    );
}

#[test]
fn a_quote_that_ends_its_sentence_ends_it_for_the_phrase_in_marks_after_it() {
    let name = "quote-closes-sentence.txt";
    let got = speakers_of(name);
    // The quote's own full stop closed the mayor's sentence: two words in marks in the next
    // sentence are a term, not her words going on, so they are no quote.
    assert!(
        !got.iter().any(|(t, _)| t.starts_with("harbour levy")),
        "{name}: {got:?}"
    );
    // In one sentence a short phrase still shares the attribution.
    expect_speakers(
        name,
        &[
            ("The ferry has to pay", Some("Ada Kern")),
            ("unfair", Some("Ada Kern")),
            ("long overdue", Some("Ada Kern")),
            // The next sentence reports speech itself: the phrase goes on in her voice.
            ("summer", Some("Ada Kern")),
        ],
    );
}

#[test]
fn a_programme_in_capitals_after_on_or_of_is_no_quote() {
    let name = "programme-on-of.txt";
    let got = speakers_of(name);
    for programme in ["Sea Talk", "KTV Tonight"] {
        assert!(
            !got.iter().any(|(t, _)| t.starts_with(programme)),
            "{name}: {programme:?} in {got:?}"
        );
    }
    // The sentence's attribution still reaches the words after the programme's name.
    expect_speakers(
        name,
        &[
            ("a promise kept.", Some("Ada Bell")),
            ("historic", Some("Tomas Kern")),
            ("open by June.", Some("Tomas Kern")),
        ],
    );
}

// Round 19: a definite description of one person right after a quote takes up the person who
// spoke last (fails on round 18's build, which gave these quotes no speaker).
#[test]
fn a_description_after_a_quote_takes_up_the_person_who_spoke_last() {
    expect_speakers(
        "described-speaker.txt",
        &[
            ("Winter is a time of year", Some("Ada Kern")),
            ("My client has sailed", Some("Tomas Brenner")),
            ("I do not believe the wing", Some("Elena Vasquez")),
            // An organisation spoke after the person: the description may be the body.
            ("Our crews are ready", None),
            // A crowd is no one person; a description before a quote is rarely a person.
            ("Open the harbour", None),
            ("a fair settlement", None),
        ],
    );
}
