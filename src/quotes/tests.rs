//! One fictional fixture per class of quote and attribution the extractor handles, and per class
//! it must leave alone.
use super::*;

fn quotes(text: &str) -> Vec<Quote> {
    extract(text)
}

fn said(text: &str) -> Vec<(String, Option<String>)> {
    quotes(text)
        .into_iter()
        .map(|q| (q.text, q.speaker))
        .collect()
}

fn one(text: &str, quote: &str, speaker: Option<&str>) {
    let got = said(text);
    assert!(
        got.iter()
            .any(|(q, s)| q == quote && s.as_deref() == speaker),
        "{quote:?} by {speaker:?} not in {got:?}"
    );
}

#[test]
fn named_speaker_after_the_quote_inverted() {
    one(
        "The harbour plan was approved on Monday. \"We will not negotiate with anyone,\" said Elena Vasquez, the mayor of Port Allard.",
        "We will not negotiate with anyone,",
        Some("Elena Vasquez"),
    );
}

#[test]
fn surname_resolves_to_the_canonical_name() {
    let text = "Elena Vasquez became mayor of Port Allard in 2019.\n\n\"The harbour belongs to the town,\" Vasquez said on Tuesday.";
    one(
        text,
        "The harbour belongs to the town,",
        Some("Elena Vasquez"),
    );
    let q = &quotes(text)[0];
    assert_eq!(q.speaker_kind, Some(crate::entities::EntityKind::Person));
    assert_eq!(q.attribution, Attribution::Named);
}

#[test]
fn speaker_before_the_quote_with_a_colon() {
    one(
        "Tomas Brenner, who runs the ferry service, told reporters: \"The boats are older than I am.\"",
        "The boats are older than I am.",
        Some("Tomas Brenner"),
    );
}

#[test]
fn an_organisation_speaks_in_a_statement() {
    let text = "Caldmoor Council has closed the bridge. \"The structure is unsafe and will stay shut,\" the council said in a statement.";
    one(
        text,
        "The structure is unsafe and will stay shut,",
        Some("Caldmoor Council"),
    );
}

#[test]
fn a_spokesman_speaks_for_his_organisation() {
    one(
        "A spokesman for Northwind Airways said: \"All flights will run as planned tomorrow.\"",
        "All flights will run as planned tomorrow.",
        Some("Northwind Airways"),
    );
}

#[test]
fn pronoun_resolves_to_the_person_named_before() {
    let text = "Farmer Idris Pell lost half his herd in the flood.\n\n\"I have never seen water like it,\" he said.";
    one(text, "I have never seen water like it,", Some("Idris Pell"));
    assert_eq!(quotes(text)[0].attribution, Attribution::Pronoun);
}

#[test]
fn role_noun_resolves_to_the_person_with_that_role() {
    let text = "Finance Minister Ada Kern presented the budget on Wednesday, and the opposition leader Rolf Marten attacked it.\n\n\"This budget keeps every promise we made,\" the minister said.";
    one(
        text,
        "This budget keeps every promise we made,",
        Some("Ada Kern"),
    );
    assert_eq!(quotes(text)[0].attribution, Attribution::Role);
}

#[test]
fn mixed_quote_inside_a_sentence() {
    one(
        "Opposition leader Rolf Marten called the plan \"reckless\" and promised to repeal it.",
        "reckless",
        Some("Rolf Marten"),
    );
}

#[test]
fn according_to() {
    one(
        "According to Mira Solberg, \"nobody had checked the pumps for years\".",
        "nobody had checked the pumps for years",
        Some("Mira Solberg"),
    );
}

#[test]
fn a_quote_split_by_its_attribution_keeps_the_speaker() {
    let text = "\"We lost,\" said coach Henrik Dahl, \"but we learned a great deal today.\"";
    let got = said(text);
    assert_eq!(got.len(), 2, "{got:?}");
    assert!(
        got.iter().all(|(_, s)| s.as_deref() == Some("Henrik Dahl")),
        "{got:?}"
    );
}

#[test]
fn a_second_quote_in_the_paragraph_continues_the_first() {
    let text =
        "\"The rain came in the night,\" said Oona Farrell. \"By morning the road was gone.\"";
    let got = quotes(text);
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(got[1].speaker.as_deref(), Some("Oona Farrell"));
    assert_eq!(got[1].attribution, Attribution::Continued);
}

#[test]
fn a_quote_over_several_paragraphs_is_one_quote() {
    let text = "Ada Kern spoke for an hour. She said: \"We inherited debts we did not make.\n\n\"We will pay them, and then we will build.\"\n\nThe hall applauded.";
    let got = quotes(text);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(
        got[0].text,
        "We inherited debts we did not make. We will pay them, and then we will build."
    );
    assert_eq!(got[0].speaker.as_deref(), Some("Ada Kern"));
}

#[test]
fn curly_marks_and_guillemets() {
    one(
        "“There is no money left,” said Petra Lund.",
        "There is no money left,",
        Some("Petra Lund"),
    );
    one(
        "« Nous resterons ici », a dit Lucien Barre. Lucien Barre said: «We are staying here.»",
        "We are staying here.",
        Some("Lucien Barre"),
    );
}

#[test]
fn unattributed_speech_has_no_speaker_never_a_guess() {
    let text = "Idris Pell lost half his herd.\n\n\"Nobody came to help us for three days,\" one neighbour said.\n\n\"We had to carry the calves ourselves up the hill.\"";
    let got = said(text);
    assert_eq!(got.len(), 2, "{got:?}");
    assert!(got.iter().all(|(_, s)| s.is_none()), "{got:?}");
}

#[test]
fn scare_quotes_titles_and_nicknames_are_not_quotes() {
    let text = "The so-called \"harbour tax\" was dropped. Ada Kern's memoir, \"Salt And Iron Years\", sold well. \
                The striker, dubbed \"the Hammer\", scored twice. Critics called the \"reform\" a sham.";
    assert!(quotes(text).is_empty(), "{:?}", quotes(text));
}

#[test]
fn offsets_are_characters_of_the_body() {
    let text = "Café owner Zoë Lind said: “Prices rose again.”";
    let q = &quotes(text)[0];
    let chars: Vec<char> = text.chars().collect();
    let slice: String = chars[q.start..q.end].iter().collect();
    assert_eq!(slice, "Prices rose again.");
    assert_eq!(q.speaker.as_deref(), Some("Zoë Lind"));
}

#[test]
fn speakers_most_quoted_first() {
    let text = "\"One thing,\" said Oona Farrell. \"Another thing here,\" said Henrik Dahl, the coach. \"A third thing,\" Dahl added.";
    let q = quotes(text);
    assert_eq!(speakers(&q), vec!["Henrik Dahl", "Oona Farrell"]);
}

#[test]
fn empty_and_odd_input() {
    assert!(quotes("").is_empty());
    assert!(quotes("\"").is_empty());
    assert!(quotes("\"\"").is_empty());
    assert!(quotes("“ ” « » „").is_empty());
    assert!(quotes("He said \"unclosed\n\nnext").is_empty());
}
