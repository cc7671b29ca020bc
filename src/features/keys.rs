//! Access keys kept with the index, on any engine: making one (the only moment the key itself
//! exists outside its holder's hands), revoking, listing, and recording when one was last used.
//! The server and `newsdex keys` both go through here, so a key made by one works in the other.
use chrono::{DateTime, NaiveDate, Utc};

use crate::backend::Backend;
use crate::model::keys::{KeyRecord, KeyRing, KeySummary, LAST_USE_EVERY_MINUTES, Role};
use crate::model::keys::{salted_digest, to_hex};
use crate::{Error, Result};

/// Every key starts with this, so a key pasted in the wrong place is recognisable (and a secret
/// scanner can be told to look for it).
pub const KEY_PREFIX: &str = "ndx_";

/// Longest key name accepted; names appear in lists and the audit log.
const MAX_NAME_CHARS: usize = 64;

/// A key just made: the key itself (shown once) and what is kept of it.
#[derive(Debug, Clone)]
pub struct NewKey {
    pub key: String,
    pub record: KeyRecord,
}

fn random_bytes<const N: usize>() -> Result<[u8; N]> {
    let mut buf = [0u8; N];
    getrandom::fill(&mut buf)
        .map_err(|e| Error::Other(format!("the system gave no random bytes: {e}")))?;
    Ok(buf)
}

/// A name people can type and read back: letters, digits, `.`, `_`, `-` and `@`.
pub fn check_name(name: &str) -> Result<()> {
    let ok_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@');
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS || !name.chars().all(ok_char) {
        return Err(Error::Usage(format!(
            "key name {name:?}: use 1 to {MAX_NAME_CHARS} letters, digits, '.', '_', '-' or '@'"
        )));
    }
    Ok(())
}

/// `--expires`: a date (the key stops working at its start, UTC) or an RFC 3339 time.
pub fn parse_expiry(text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>> {
    let text = text.trim();
    let when = if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        date.and_hms_opt(0, 0, 0).map(|t| t.and_utc())
    } else {
        DateTime::parse_from_rfc3339(text)
            .ok()
            .map(|t| t.with_timezone(&Utc))
    };
    let when = when.ok_or_else(|| {
        Error::Usage(format!(
            "expiry {text:?}: give a date (2027-01-31) or a time (2027-01-31T18:00:00Z)"
        ))
    })?;
    if when <= now {
        return Err(Error::Usage(format!(
            "expiry {text:?} is already past; a key must work for some time"
        )));
    }
    Ok(when)
}

/// Make a key with `role`, keep its salted digest with the index, and hand the key back.
pub fn create(
    engine: &dyn Backend,
    role: Role,
    name: Option<&str>,
    expires: Option<DateTime<Utc>>,
) -> Result<NewKey> {
    let name = match name {
        Some(n) => n.to_string(),
        None => format!("{}-{}", role.as_str(), to_hex(&random_bytes::<3>()?)),
    };
    check_name(&name)?;
    let secret = random_bytes::<32>()?;
    let key = format!("{KEY_PREFIX}{}", to_hex(&secret));
    let salt = random_bytes::<16>()?;
    let record = KeyRecord {
        name,
        role,
        salt: to_hex(&salt),
        digest: to_hex(&salted_digest(&salt, &key)),
        created: Utc::now(),
        expires,
        last_used: None,
    };
    engine.update_access_keys(&mut |ring| {
        if ring.get(&record.name).is_some() {
            return Err(Error::Usage(format!(
                "a key named {:?} exists already (revoke it first, or pick another --name)",
                record.name
            )));
        }
        ring.keys.push(record.clone());
        Ok(())
    })?;
    Ok(NewKey { key, record })
}

/// Remove the key called `name`; it stops working at once for a server that re-reads the keys.
pub fn revoke(engine: &dyn Backend, name: &str) -> Result<KeyRecord> {
    let mut gone = None;
    engine.update_access_keys(&mut |ring| {
        let Some(at) = ring.keys.iter().position(|k| k.name == name) else {
            let known: Vec<&str> = ring.keys.iter().map(|k| k.name.as_str()).collect();
            return Err(Error::Usage(format!(
                "no key named {name:?} (keys: {})",
                if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                }
            )));
        };
        gone = Some(ring.keys.remove(at));
        Ok(())
    })?;
    gone.ok_or_else(|| Error::Other(format!("the key {name:?} was not removed")))
}

pub fn list(engine: &dyn Backend) -> Result<Vec<KeySummary>> {
    let now = Utc::now();
    Ok(engine
        .access_keys()?
        .keys
        .iter()
        .map(|k| k.summary(now))
        .collect())
}

/// Does a use at `now` need writing, given the last one recorded?
pub fn use_is_news(last: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    last.is_none_or(|l| now - l >= chrono::Duration::minutes(LAST_USE_EVERY_MINUTES))
}

/// Record that the key `name` was used at `now`, in one step with the engine, so a key made or
/// revoked meanwhile by someone else is kept as they left it and a revoked key is not brought back.
pub fn record_use(engine: &dyn Backend, name: &str, now: DateTime<Utc>) -> Result<()> {
    engine.update_access_keys(&mut |ring: &mut KeyRing| {
        if let Some(record) = ring.keys.iter_mut().find(|k| k.name == name)
            && use_is_news(record.last_used, now)
        {
            record.last_used = Some(now);
        }
        Ok(())
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked() {
        assert!(check_name("maria.lopez@desk").is_ok());
        assert!(check_name("").is_err());
        assert!(check_name("two words").is_err());
        assert!(check_name(&"x".repeat(65)).is_err());
    }

    #[test]
    fn expiry_takes_a_date_or_a_time_in_the_future() {
        let now = "2026-06-01T12:00:00Z".parse::<DateTime<Utc>>().unwrap();
        let day = parse_expiry("2026-07-01", now).unwrap();
        assert_eq!(day.to_rfc3339(), "2026-07-01T00:00:00+00:00");
        assert!(parse_expiry("2026-06-01T13:00:00+02:00", now).is_err());
        assert!(parse_expiry("2026-05-01", now).is_err());
        assert!(parse_expiry("next tuesday", now).is_err());
    }

    #[test]
    fn a_use_is_written_at_most_every_few_minutes() {
        let now = Utc::now();
        assert!(use_is_news(None, now));
        assert!(!use_is_news(Some(now - chrono::Duration::minutes(1)), now));
        assert!(use_is_news(
            Some(now - chrono::Duration::minutes(LAST_USE_EVERY_MINUTES)),
            now
        ));
    }
}
