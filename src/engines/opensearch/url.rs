//! Engine URLs: `opensearch+http://[user:password@]host:port/index[?shards=N&replicas=N]` (or
//! `+https`), parsed once into a base address, an index name, the layout of a new index and
//! credentials that no message ever shows.
use std::fmt;

use super::mapping::Layout;
use crate::{Error, Result};

/// URL scheme prefix that selects this engine.
pub const SCHEME_PREFIX: &str = "opensearch+";
/// Credentials from the environment, used when the URL carries none.
pub const USER_ENV: &str = "NEWSDEX_ENGINE_USER";
pub const PASSWORD_ENV: &str = "NEWSDEX_ENGINE_PASSWORD";

/// Where an OpenSearch index is, and how to sign in.
#[derive(Clone, PartialEq, Eq)]
pub struct EngineUrl {
    /// `http://host:port` (no credentials, no trailing slash).
    pub base: String,
    pub index: String,
    pub credentials: Option<(String, String)>,
    /// Shards and replicas when newsdex creates the index.
    pub layout: Layout,
}

impl fmt::Debug for EngineUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

impl fmt::Display for EngineUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

impl EngineUrl {
    /// Whether `text` names this engine at all (so a folder path is never mistaken for it).
    pub fn claims(text: &str) -> bool {
        text.trim().to_ascii_lowercase().starts_with(SCHEME_PREFIX)
    }

    /// Parse an engine URL; credentials come from the URL, else from the environment.
    pub fn parse(text: &str) -> Result<EngineUrl> {
        let text = text.trim();
        let bad = |why: &str| {
            Error::Usage(format!(
                "engine URL {}: {why} (expected opensearch+http://host:port/index)",
                mask_raw(text)
            ))
        };
        if !Self::claims(text) {
            return Err(bad("unknown engine"));
        }
        let rest = &text[SCHEME_PREFIX.len()..];
        let (scheme, rest) = rest.split_once("://").ok_or_else(|| bad("no scheme"))?;
        let scheme = scheme.to_ascii_lowercase();
        if scheme != "http" && scheme != "https" {
            return Err(bad("the scheme must be http or https"));
        }
        let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
        let layout = parse_layout(query).map_err(|why| bad(&why))?;
        let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
        let (userinfo, host) = match authority.rsplit_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, authority),
        };
        if host.is_empty() || host.contains(['?', '#', ' ']) {
            return Err(bad("no host"));
        }
        let index = path.trim_end_matches('/');
        if !valid_index_name(index) {
            return Err(bad(
                "the path must be one index name: lower-case letters, digits, '-' or '_', not starting with '-' or '_'",
            ));
        }
        let credentials = match userinfo {
            Some(u) => {
                let (user, password) = u.split_once(':').unwrap_or((u, ""));
                Some((decode(user), decode(password)))
            }
            None => match std::env::var(USER_ENV) {
                Ok(user) if !user.is_empty() => {
                    Some((user, std::env::var(PASSWORD_ENV).unwrap_or_default()))
                }
                _ => None,
            },
        };
        Ok(EngineUrl {
            base: format!("{scheme}://{host}"),
            index: index.to_string(),
            credentials,
            layout,
        })
    }

    /// The URL as messages show it: the user name kept, the password never.
    pub fn masked(&self) -> String {
        let (scheme, host) = self.base.split_once("://").unwrap_or(("http", &self.base));
        let who = match &self.credentials {
            Some((user, _)) => format!("{user}:***@"),
            None => String::new(),
        };
        format!("{SCHEME_PREFIX}{scheme}://{who}{host}/{}", self.index)
    }

    /// The companion index that holds the manifest and the index's settings.
    pub fn meta_index(&self) -> String {
        format!("{}{META_SUFFIX}", self.index)
    }
}

/// Suffix of the companion index's name.
pub const META_SUFFIX: &str = "-newsdex-meta";

/// `shards=N&replicas=N`, either or both, over the defaults.
fn parse_layout(query: &str) -> std::result::Result<Layout, String> {
    let mut layout = Layout::default();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let number = |min: u32| {
            value
                .parse::<u32>()
                .ok()
                .filter(|n| *n >= min && *n <= 1024)
                .ok_or_else(|| format!("{key}={value} is not a number of {key} (at least {min})"))
        };
        match key {
            "shards" => layout.shards = number(1)?,
            "replicas" => layout.replicas = number(0)?,
            _ => {
                return Err(format!(
                    "unknown setting {key:?} (settings: shards, replicas)"
                ));
            }
        }
    }
    Ok(layout)
}

fn decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// OpenSearch's rules for index names, kept strict so a name means one index and no pattern.
fn valid_index_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 200
        && !name.starts_with(['-', '_', '.'])
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

/// A URL that did not parse, shown with anything between `//` and `@` hidden.
pub fn mask_raw(text: &str) -> String {
    match (text.find("://"), text.rfind('@')) {
        (Some(start), Some(at)) if at > start => {
            format!("{}://***@{}", &text[..start], &text[at + 1..])
        }
        _ => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_taken_and_never_shown() {
        let u = EngineUrl::parse("opensearch+https://ann:s%3Acret@db.example:9200/news").unwrap();
        assert_eq!(u.base, "https://db.example:9200");
        assert_eq!(u.index, "news");
        assert_eq!(u.credentials, Some(("ann".into(), "s:cret".into())));
        assert_eq!(
            u.masked(),
            "opensearch+https://ann:***@db.example:9200/news"
        );
        assert!(!format!("{u} {u:?}").contains("cret"));
        assert_eq!(u.layout, Layout::default());
        let u = EngineUrl::parse("opensearch+http://h:9200/news?shards=4&replicas=0").unwrap();
        assert_eq!(
            (u.layout.shards, u.layout.replicas, u.index.as_str()),
            (4, 0, "news")
        );
    }

    #[test]
    fn bad_urls_say_why_without_the_password() {
        for (url, why) in [
            ("opensearch+ftp://h/news", "http or https"),
            ("opensearch+http://h:9200", "index name"),
            ("opensearch+http://h:9200/News", "index name"),
            ("opensearch+http://h:9200/a/b", "index name"),
            ("opensearch+http://u:hunter2@/news", "no host"),
            ("opensearch+http://h/news?shards=0", "number of shards"),
            ("opensearch+http://h/news?colour=red", "unknown setting"),
        ] {
            let e = EngineUrl::parse(url).unwrap_err().to_string();
            assert!(e.contains(why), "{url}: {e}");
            assert!(!e.contains("hunter2"), "{e}");
        }
    }
}
