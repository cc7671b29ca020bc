//! The query language: any text either parses or is an error that points inside the query.
#![no_main]
use libfuzzer_sys::fuzz_target;
use newsdex::Error;
use newsdex::model::query::MatchMode;
use newsdex::model::query::{date_span, parse};

fuzz_target!(|data: &[u8]| {
    let Ok(query) = std::str::from_utf8(data) else {
        return;
    };
    for mode in [MatchMode::All, MatchMode::Any] {
        match parse(query, mode) {
            Ok(_) => {}
            Err(Error::Query { position, .. }) => assert!(position <= query.chars().count()),
            Err(other) => panic!("a query error must be Error::Query, got {other:?}"),
        }
    }
    if let Some((first, last)) = date_span(query.trim()) {
        assert!(
            first <= last,
            "{query:?}: span {first}..{last} runs backwards"
        );
    }
});
