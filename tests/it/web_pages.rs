//! Saved web pages through the real binary: the article text kept whole when its markup is split
//! or tabulated, and the page furniture beside it still left out. Every page is fictional and
//! written here; each asserts the exact paragraphs stored as the body.
use serde::Deserialize;

use crate::common::Fixture;
use crate::server::Server;

/// What `/api/articles/{id}` returns that these tests read.
#[derive(Debug, Deserialize)]
struct Stored {
    body: String,
}

/// Index `html` as the only page of a fresh folder and read back its stored body's paragraphs.
fn body_of(html: &str) -> Vec<String> {
    let f = Fixture::new();
    f.write("web/page.html", html);
    f.index_docs(&["--no-entities"]);
    let hits = f.search(&["--limit", "5", ""]).hits;
    assert_eq!(hits.len(), 1, "one page, one article");
    let server = Server::start(&f.index());
    let stored: Stored =
        serde_json::from_value(server.json(&format!("/api/articles/{}", hits[0].id)))
            .expect("an article object");
    stored.body.split("\n\n").map(str::to_string).collect()
}

fn page(head: &str, body: &str) -> String {
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{head}</title></head>\
         <body><nav><a href=\"/\">Home</a> <a href=\"/harbour\">Harbour</a></nav>{body}</body></html>"
    )
}

const CARD_PARAGRAPHS: [&str; 6] = [
    "KESTREL BAY (Tideline Wire) - Divers from the harbour trust have raised the bell of the \
     schooner Marigold, which sank off the breakwater in a winter gale, the trust said.",
    "The bell was found upright in silt.",
    "Trust volunteers, working in shifts over three weekends, cleared the hull with hand tools \
     and a borrowed pump, and logged every find on waterproof slates.",
    "“It rang once when we lifted it,” said diver Orla Fenwick.",
    "The schooner carried slate, timber and lamp oil between the bay and the northern islands \
     for forty years before the gale drove her onto the rocks.",
    "The bell goes on show at the harbour museum in spring.",
];

/// Each paragraph in its own wrapper (a "card"), the wrappers siblings of one another: the best
/// scoring block is one card, and the others, each too small to pass the score threshold alone,
/// were left out, so only the longest paragraphs survived.
#[test]
fn an_article_cut_into_one_card_per_paragraph_is_kept_whole() {
    let cards: String = CARD_PARAGRAPHS
        .iter()
        .map(|p| {
            format!(
                "<div class=\"card item\"><div class=\"card-text story-part\"><p>{p}</p></div></div>"
            )
        })
        .collect();
    let related = "<div class=\"card item\"><div class=\"card-text\"><ul>\
        <li><a href=\"/a\">Lighthouse keeper retires after thirty years</a></li>\
        <li><a href=\"/b\">Ferry timetable changes for the winter season</a></li>\
        <li><a href=\"/c\">Gull numbers fall on the outer islands</a></li></ul></div></div>";
    let html = page(
        "Schooner bell raised",
        &format!(
            "<main><h1>Schooner bell raised</h1><div class=\"cards\">{cards}{related}</div></main>\
             <div class=\"rail\"><h3>Elsewhere</h3><p><a href=\"/d\">Storm warning for the bay</a></p></div>"
        ),
    );
    assert_eq!(body_of(&html), CARD_PARAGRAPHS);
}

/// A results table inside the article whose rows carry a class with a furniture word in it
/// ("player-…"): the rows were dropped one by one, losing the table the story is about. A list
/// whose items are named that way keeps its items too, while a list that is furniture as a whole
/// (its own class says share bar) still goes.
#[test]
fn table_rows_and_list_items_named_like_furniture_stay_in_the_article() {
    let rows = [
        ("1", "Ada Brightwater", "5040"),
        ("2", "Tomas Quillfeather", "5035"),
        ("3", "Ines Marrowby", "5033"),
    ];
    let table: String = rows
        .iter()
        .enumerate()
        .map(|(n, (pos, name, pts))| {
            format!("<tr class=\"row player-{n}\"><td>{pos}</td><td>{name}</td><td>{pts}</td></tr>")
        })
        .collect();
    let html = page(
        "Coastal rally standings",
        &format!(
            "<article><h1>Coastal rally standings</h1>\
             <p>After the night stage through the dunes, the leaders are separated by seven \
             points, with two stages left to run on the cliff road, organisers said.</p>\
             <table class=\"standings\"><tbody>{table}</tbody></table>\
             <p>Marrowby, who won the opening stage, lost time with a puncture, but said she \
             still expected to fight for the title.</p>\
             <ul class=\"milestones\"><li class=\"bio-note\">Brightwater won the junior title at sixteen.</li>\
             <li class=\"bio-note\">Quillfeather returned to rallying after a broken wrist.</li></ul>\
             <ul class=\"share-bar\"><li class=\"share-item\">Share on Chirper</li>\
             <li class=\"share-item\">Email this story</li></ul></article>"
        ),
    );
    let expected = [
        "After the night stage through the dunes, the leaders are separated by seven points, \
         with two stages left to run on the cliff road, organisers said.",
        "1",
        "Ada Brightwater",
        "5040",
        "2",
        "Tomas Quillfeather",
        "5035",
        "3",
        "Ines Marrowby",
        "5033",
        "Marrowby, who won the opening stage, lost time with a puncture, but said she still \
         expected to fight for the title.",
        "Brightwater won the junior title at sixteen.",
        "Quillfeather returned to rallying after a broken wrist.",
    ];
    assert_eq!(body_of(&html), expected);
}

/// A paragraph whose facts are each linked to a source is mostly link text, and paragraphs over
/// half links were dropped as link lists. One with words of its own between the links, commas
/// and a full stop is a sentence and stays; a run of links in a `<p>` still goes.
#[test]
fn a_paragraph_linked_word_by_word_stays_and_a_run_of_links_goes() {
    let html = page(
        "Smog over the estuary",
        "<article><h1>Smog over the estuary</h1>\
         <p>A brown haze settled over the estuary towns for a fourth day on Tuesday, and the \
         port authority said visibility at the harbour mouth fell below two hundred metres.</p>\
         <p>The haze led to <a href=\"/s/1\">cancelled ferry crossings</a>, \
         <a href=\"/s/2\">shuttered harbour schools</a>, and <a href=\"/s/3\">a public health \
         warning from the county council</a> for everyone living near the docks.</p>\
         <p><a href=\"/t/1\">Estuary weather</a> | <a href=\"/t/2\">Port notices</a> | \
         <a href=\"/t/3\">County council news</a> | <a href=\"/t/4\">Ferry updates</a></p>\
         <p>Forecasters expect a westerly wind to clear the air by Thursday evening, the \
         weather office said.</p></article>",
    );
    let expected = [
        "A brown haze settled over the estuary towns for a fourth day on Tuesday, and the port \
         authority said visibility at the harbour mouth fell below two hundred metres.",
        "The haze led to cancelled ferry crossings, shuttered harbour schools, and a public \
         health warning from the county council for everyone living near the docks.",
        "Forecasters expect a westerly wind to clear the air by Thursday evening, the weather \
         office said.",
    ];
    assert_eq!(body_of(&html), expected);
}
