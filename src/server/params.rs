//! Query-string parameters of the API, validated into the engine's request types.
//!
//! The string arrives as ordered key/value pairs because filters repeat (`source=A&source=B`).
//! Every parameter is checked here, unknown names included, so a typo is a 400 that names it
//! instead of a filter silently ignored; the web page uses these same names in its own URL.
use chrono::NaiveDate;

use super::ApiError;
use newsdex::entities::EntityKind;
use newsdex::features::entity_page::EntityQuery;
use newsdex::model::query::{self, MatchMode};
use newsdex::model::ranking::Ranking;
use newsdex::model::request::{
    Facet, MAX_FACET_SIZE, SearchRequest, Sort, asks_for_timeline, parse_facets,
};
use newsdex::model::timeline::Interval;

/// Longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 1000;
/// Largest page the API serves (the engine allows more; a web client never needs it).
pub const MAX_PAGE: usize = 100;
/// Deepest offset served: paging further costs the engine more than any reader will go.
pub const MAX_OFFSET: usize = 10_000;
/// Longest single filter value, and most filter values in one request.
const MAX_VALUE_CHARS: usize = 200;
const MAX_FILTERS: usize = 50;

/// Raw pairs as axum's `Query` decodes them.
pub type Pairs = Vec<(String, String)>;

/// Build a [`SearchRequest`] from `/api/search` parameters.
pub fn search_request(pairs: &[(String, String)]) -> Result<SearchRequest, ApiError> {
    let mut req = SearchRequest::default();
    let mut seen = Singles::default();
    let mut facets: Option<Vec<Facet>> = None;
    let mut timeline = false;
    let mut interval = Interval::Auto;
    let mut filters = 0usize;
    for (key, value) in pairs {
        let value = value.trim();
        match key.as_str() {
            "q" => {
                seen.once("q")?;
                req.query = query_text(value)?;
            }
            "source" | "section" | "person" | "org" | "place" | "misc" | "speaker" => {
                if value.is_empty() {
                    continue;
                }
                count_filter(&mut filters)?;
                add_filter(&mut req, key, filter_value(key, value)?);
            }
            "since" => {
                seen.once("since")?;
                req.since = day(key, value, false)?;
            }
            "until" => {
                seen.once("until")?;
                req.until = day(key, value, true)?;
            }
            "sort" => {
                seen.once("sort")?;
                req.sort = sort(value)?;
            }
            "match" => {
                seen.once("match")?;
                req.match_mode = match_mode(value)?;
            }
            "limit" => {
                seen.once("limit")?;
                req.limit = number(key, value, 0, MAX_PAGE)?.unwrap_or(req.limit);
            }
            "offset" => {
                seen.once("offset")?;
                req.offset = number(key, value, 0, MAX_OFFSET)?.unwrap_or(0);
            }
            "explain" => {
                seen.once("explain")?;
                req.explain = flag(key, value)?;
            }
            // Ranking settings for experiments and the bench suite, as the CLI's hidden --ranking.
            "ranking" => {
                seen.once("ranking")?;
                req.ranking = Ranking::parse(value)?;
            }
            "collapse" => {
                seen.once("collapse")?;
                req.collapse = flag(key, value)?;
            }
            "group" => {
                if value.is_empty() {
                    continue;
                }
                count_filter(&mut filters)?;
                req.groups
                    .push(newsdex::model::copies::GroupId(filter_value(key, value)?));
            }
            "facet_size" => {
                seen.once("facet_size")?;
                req.facet_size = number(key, value, 1, MAX_FACET_SIZE)?.unwrap_or(req.facet_size);
            }
            "interval" => {
                seen.once("interval")?;
                interval = Interval::parse(value)?;
            }
            "facet" => {
                timeline |= asks_for_timeline(value);
                let list = parse_facets(value)?;
                let all = facets.get_or_insert_with(Vec::new);
                for facet in list {
                    if !all.contains(&facet) {
                        all.push(facet);
                    }
                }
            }
            other => return Err(unknown(other)),
        }
    }
    if let Some(f) = facets {
        req.facets = f;
    }
    req.timeline = timeline.then_some(interval);
    if let (Some(since), Some(until)) = (req.since, req.until)
        && since > until
    {
        return Err(ApiError::bad_request(format!(
            "since ({since}) is after until ({until})"
        )));
    }
    Ok(req)
}

/// One more filter value, refused past [`MAX_FILTERS`].
fn count_filter(filters: &mut usize) -> Result<(), ApiError> {
    *filters += 1;
    if *filters > MAX_FILTERS {
        return Err(ApiError::bad_request(format!(
            "too many filters (at most {MAX_FILTERS})"
        )));
    }
    Ok(())
}

/// `?limit=` for the related-articles endpoint, the only parameter it takes.
pub fn related_limit(pairs: &[(String, String)]) -> Result<usize, ApiError> {
    let mut limit = 10;
    let mut seen = Singles::default();
    for (key, value) in pairs {
        match key.as_str() {
            "limit" => {
                seen.once("limit")?;
                limit = number(key, value.trim(), 1, 50)?.unwrap_or(limit);
            }
            other => return Err(unknown(other)),
        }
    }
    Ok(limit)
}

/// Most latest articles, sources or co-mentioned names an entity page lists.
const MAX_ENTITY_LIST: usize = 100;

/// `/api/entity` parameters: `name` (required), `kind`, `interval`, `latest`, `top`.
pub fn entity_query(pairs: &[(String, String)]) -> Result<EntityQuery, ApiError> {
    let mut query = EntityQuery::new("", None);
    let mut seen = Singles::default();
    for (key, value) in pairs {
        let value = value.trim();
        match key.as_str() {
            "name" => {
                seen.once("name")?;
                query.name = filter_value(key, value)?;
            }
            "kind" => {
                seen.once("kind")?;
                query.kind = entity_kind(value)?;
            }
            "interval" => {
                seen.once("interval")?;
                query.interval = Interval::parse(value)?;
            }
            "latest" => {
                seen.once("latest")?;
                query.latest = number(key, value, 0, MAX_ENTITY_LIST)?.unwrap_or(query.latest);
            }
            "top" => {
                seen.once("top")?;
                query.top = number(key, value, 1, MAX_ENTITY_LIST)?.unwrap_or(query.top);
            }
            other => return Err(unknown(other)),
        }
    }
    if query.name.is_empty() {
        return Err(ApiError::bad_request("name: give the entity's name"));
    }
    Ok(query)
}

/// An entity kind by its name; empty means "any".
fn entity_kind(value: &str) -> Result<Option<EntityKind>, ApiError> {
    if value.is_empty() {
        return Ok(None);
    }
    EntityKind::ALL
        .into_iter()
        .find(|k| k.as_str() == value.to_ascii_lowercase())
        .map(Some)
        .ok_or_else(|| {
            ApiError::bad_request(format!(
                "kind={}: use person, org, place or misc",
                value.chars().take(20).collect::<String>()
            ))
        })
}

/// Endpoints without parameters still refuse unknown ones, for the same reason as search.
pub fn no_params(pairs: &[(String, String)]) -> Result<(), ApiError> {
    match pairs.first() {
        Some((key, _)) => Err(unknown(key)),
        None => Ok(()),
    }
}

/// Tracks parameters that may appear only once.
#[derive(Default)]
struct Singles(Vec<&'static str>);

impl Singles {
    fn once(&mut self, name: &'static str) -> Result<(), ApiError> {
        if self.0.contains(&name) {
            return Err(ApiError::bad_request(format!(
                "parameter '{name}' given more than once"
            )));
        }
        self.0.push(name);
        Ok(())
    }
}

fn unknown(name: &str) -> ApiError {
    let shown: String = name.chars().take(40).collect();
    ApiError::bad_request(format!("unknown parameter '{shown}'"))
}

fn query_text(value: &str) -> Result<String, ApiError> {
    let chars = value.chars().count();
    if chars > MAX_QUERY_CHARS {
        return Err(ApiError::bad_request(format!(
            "query too long: {chars} characters (at most {MAX_QUERY_CHARS})"
        )));
    }
    Ok(value.to_string())
}

fn filter_value(key: &str, value: &str) -> Result<String, ApiError> {
    if value.chars().count() > MAX_VALUE_CHARS {
        return Err(ApiError::bad_request(format!(
            "{key}: value too long (at most {MAX_VALUE_CHARS} characters)"
        )));
    }
    Ok(value.to_string())
}

fn add_filter(req: &mut SearchRequest, key: &str, value: String) {
    let kind = match key {
        "source" => return req.sources.push(value),
        "section" => return req.sections.push(value),
        "speaker" => return req.speakers.push(value),
        "person" => EntityKind::Person,
        "org" => EntityKind::Org,
        "place" => EntityKind::Place,
        _ => EntityKind::Misc,
    };
    req.entities.push((kind, value));
}

/// A date bound: `since` takes the first day of a month or year, `until` the last.
fn day(key: &str, value: &str, last: bool) -> Result<Option<NaiveDate>, ApiError> {
    if value.is_empty() {
        return Ok(None);
    }
    let (first, end) = query::date_span(value).ok_or_else(|| {
        ApiError::bad_request(format!(
            "{key}={value}: not a date (use YYYY, YYYY-MM or YYYY-MM-DD)"
        ))
    })?;
    Ok(Some(if last { end } else { first }))
}

fn sort(value: &str) -> Result<Sort, ApiError> {
    match value.to_ascii_lowercase().as_str() {
        "" | "relevance" => Ok(Sort::Relevance),
        "newest" => Ok(Sort::Newest),
        "oldest" => Ok(Sort::Oldest),
        _ => Err(ApiError::bad_request(format!(
            "sort={value}: use relevance, newest or oldest"
        ))),
    }
}

fn match_mode(value: &str) -> Result<MatchMode, ApiError> {
    match value.to_ascii_lowercase().as_str() {
        "" | "all" => Ok(MatchMode::All),
        "any" => Ok(MatchMode::Any),
        _ => Err(ApiError::bad_request(format!(
            "match={value}: use all or any"
        ))),
    }
}

/// `true`/`false` (also `1`/`0`); empty means true, as in `?explain`.
pub fn flag(key: &str, value: &str) -> Result<bool, ApiError> {
    match value.to_ascii_lowercase().as_str() {
        "" | "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        _ => Err(ApiError::bad_request(format!(
            "{key}={}: use true or false",
            value.chars().take(20).collect::<String>()
        ))),
    }
}

/// A whole number in `[min, max]`; empty means "not given".
fn number(key: &str, value: &str, min: usize, max: usize) -> Result<Option<usize>, ApiError> {
    if value.is_empty() {
        return Ok(None);
    }
    match value.parse::<usize>() {
        Ok(n) if (min..=max).contains(&n) => Ok(Some(n)),
        _ => Err(ApiError::bad_request(format!(
            "{key}={}: must be a whole number from {min} to {max}",
            value.chars().take(20).collect::<String>()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::StatusCode;

    fn pairs(list: &[(&str, &str)]) -> Pairs {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn repeated_filters_accumulate() {
        let req = search_request(&pairs(&[
            ("q", "ceasefire"),
            ("source", "Reuters"),
            ("source", "AP"),
            ("person", "Jane Doe"),
            ("place", "Gaza"),
        ]))
        .unwrap();
        assert_eq!(req.query, "ceasefire");
        assert_eq!(req.sources, vec!["Reuters", "AP"]);
        assert_eq!(
            req.entities,
            vec![
                (EntityKind::Person, "Jane Doe".to_string()),
                (EntityKind::Place, "Gaza".to_string())
            ]
        );
    }

    #[test]
    fn dates_widen_to_whole_periods() {
        let req = search_request(&pairs(&[("since", "2024-05"), ("until", "2024")])).unwrap();
        assert_eq!(req.since, NaiveDate::from_ymd_opt(2024, 5, 1));
        assert_eq!(req.until, NaiveDate::from_ymd_opt(2024, 12, 31));
    }

    #[test]
    fn bad_values_are_400s_that_name_the_parameter() {
        for bad in [
            ("limit", "abc"),
            ("limit", "101"),
            ("offset", "-1"),
            ("sort", "sideways"),
            ("match", "some"),
            ("since", "May 2024"),
            ("facet", "colour"),
            ("colour", "red"),
        ] {
            let err = search_request(&pairs(&[bad])).unwrap_err();
            assert_eq!(err.status, StatusCode::BAD_REQUEST, "{bad:?}");
            assert!(err.message.contains(bad.0), "{bad:?}: {}", err.message);
        }
    }

    #[test]
    fn long_queries_and_duplicates_are_refused() {
        let long = "a".repeat(MAX_QUERY_CHARS + 1);
        assert!(search_request(&pairs(&[("q", &long)])).is_err());
        assert!(search_request(&pairs(&[("q", "a"), ("q", "b")])).is_err());
        assert!(search_request(&pairs(&[("since", "2025"), ("until", "2024")])).is_err());
    }

    #[test]
    fn facets_merge_lists_and_repeats() {
        let req = search_request(&pairs(&[
            ("facet", "source,person"),
            ("facet", "section"),
            ("facet", "source"),
        ]))
        .unwrap();
        assert_eq!(
            req.facets,
            vec![Facet::Source, Facet::Person, Facet::Section]
        );
    }

    #[test]
    fn entity_parameters_need_a_name_and_a_known_kind() {
        let q = entity_query(&pairs(&[
            ("name", " Elena Vasquez "),
            ("kind", "Person"),
            ("top", "3"),
        ]))
        .unwrap();
        assert_eq!(q.name, "Elena Vasquez");
        assert_eq!(q.kind, Some(EntityKind::Person));
        assert_eq!(q.top, 3);
        assert_eq!(q.latest, 10);
        for bad in [
            vec![("kind", "person")],
            vec![("name", "x"), ("kind", "company")],
            vec![("name", "x"), ("top", "0")],
            vec![("name", "x"), ("q", "y")],
            vec![("name", "x"), ("name", "y")],
        ] {
            let err = entity_query(&pairs(&bad)).unwrap_err();
            assert_eq!(err.status, StatusCode::BAD_REQUEST, "{bad:?}");
        }
        assert!(
            entity_query(&pairs(&[("name", "x"), ("kind", "")]))
                .unwrap()
                .kind
                .is_none()
        );
    }

    #[test]
    fn empty_values_mean_not_given() {
        let req = search_request(&pairs(&[
            ("q", ""),
            ("source", ""),
            ("since", ""),
            ("limit", ""),
        ]))
        .unwrap();
        assert!(req.sources.is_empty());
        assert_eq!(req.since, None);
        assert_eq!(req.limit, 10);
    }
}
