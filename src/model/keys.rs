//! The server's access keys as data: who holds one (a name), what it allows (a [`Role`]), when it
//! was made, when it stops working and when it was last seen, and a salted digest of the key
//! itself. The key is never kept: whoever reads the index folder or the companion settings
//! document learns the names and roles, not a key that would let them in.
//!
//! Keys are 256 random bits, so a single salted SHA-256 is enough: a slow password hash defends
//! guessable secrets, and these cannot be guessed. Digests are compared with `subtle`, so how long
//! a refusal takes tells nothing about how close a guess came.
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::{Error, Result};

/// Each action and the least role that may do it: a role allows everything the one before it does.
const ACTIONS: [(&str, Role); 7] = [
    ("search", Role::Read),
    ("read articles", Role::Read),
    ("export", Role::Read),
    ("batch", Role::Read),
    ("entity pages", Role::Read),
    ("edit entity rules", Role::Edit),
    ("manage keys", Role::Admin),
];

/// What a key allows; each role allows everything the one before it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Search, read articles, export, batch, entity pages.
    Read,
    /// Also change the entity rules.
    Edit,
    /// Also create, list and revoke keys through the API.
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Read => "read",
            Role::Edit => "edit",
            Role::Admin => "admin",
        }
    }

    pub fn parse(text: &str) -> Result<Role> {
        match text.trim().to_ascii_lowercase().as_str() {
            "read" => Ok(Role::Read),
            "edit" => Ok(Role::Edit),
            "admin" => Ok(Role::Admin),
            other => Err(Error::Usage(format!(
                "unknown role {other:?} (roles: read, edit, admin)"
            ))),
        }
    }

    /// What the role may do, in words for people (the page shows it).
    pub fn allows(self) -> Vec<&'static str> {
        ACTIONS
            .iter()
            .filter(|(_, needs)| self >= *needs)
            .map(|(action, _)| *action)
            .collect()
    }
}

/// One key as kept with the index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyRecord {
    pub name: String,
    pub role: Role,
    /// Hex of the random salt hashed in front of the key.
    pub salt: String,
    /// Hex of SHA-256(salt || key).
    pub digest: String,
    pub created: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<DateTime<Utc>>,
    /// Approximate: a server records a use only when the last recorded one is older than
    /// [`LAST_USE_EVERY_MINUTES`], so a busy key does not write the index on every request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used: Option<DateTime<Utc>>,
}

/// How stale a key's recorded last use may get before a server writes a newer one.
pub const LAST_USE_EVERY_MINUTES: i64 = 10;

/// The key as a person sees it in `keys list` and `GET /api/keys`: everything but the digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeySummary {
    pub name: String,
    pub role: Role,
    pub created: DateTime<Utc>,
    pub expires: Option<DateTime<Utc>>,
    pub last_used: Option<DateTime<Utc>>,
    pub expired: bool,
}

impl KeyRecord {
    /// Has the key reached its expiry at `now`?
    pub fn expired_at(&self, now: DateTime<Utc>) -> bool {
        self.expires.is_some_and(|e| e <= now)
    }

    /// Does `presented` hash to this record's digest? Constant time in the digest comparison.
    pub fn matches(&self, presented: &str) -> bool {
        let (Some(salt), Some(digest)) = (from_hex(&self.salt), from_hex(&self.digest)) else {
            return false;
        };
        let computed = salted_digest(&salt, presented);
        computed.as_slice().ct_eq(digest.as_slice()).into()
    }

    pub fn summary(&self, now: DateTime<Utc>) -> KeySummary {
        KeySummary {
            name: self.name.clone(),
            role: self.role,
            created: self.created,
            expires: self.expires,
            last_used: self.last_used,
            expired: self.expired_at(now),
        }
    }
}

/// Every key kept with an index.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyRing {
    #[serde(default)]
    pub keys: Vec<KeyRecord>,
}

impl KeyRing {
    /// Read the stored form; `origin` names where it came from for the message.
    pub fn parse(text: &str, origin: &str) -> Result<KeyRing> {
        serde_json::from_str(text)
            .map_err(|e| Error::Usage(format!("{origin}: the access keys cannot be read: {e}")))
    }

    pub fn to_json(&self) -> String {
        // A ring of plain strings and dates always serializes.
        serde_json::to_string_pretty(self).unwrap_or_else(|_| "{\"keys\": []}".to_string())
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    pub fn get(&self, name: &str) -> Option<&KeyRecord> {
        self.keys.iter().find(|k| k.name == name)
    }

    /// The record `presented` belongs to. Every record is hashed and compared, whichever matches,
    /// so the time taken depends on how many keys there are, not on which one (if any) matched.
    pub fn find(&self, presented: &str) -> Option<&KeyRecord> {
        let mut found = None;
        for record in &self.keys {
            if record.matches(presented) && found.is_none() {
                found = Some(record);
            }
        }
        found
    }
}

/// SHA-256 of salt followed by the key.
pub fn salted_digest(salt: &[u8], key: &str) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(salt);
    hasher.update(key.as_bytes());
    hasher.finalize().into()
}

pub fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn from_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(key: &str) -> KeyRecord {
        let salt = [7u8; 16];
        KeyRecord {
            name: "desk".into(),
            role: Role::Read,
            salt: to_hex(&salt),
            digest: to_hex(&salted_digest(&salt, key)),
            created: Utc::now(),
            expires: None,
            last_used: None,
        }
    }

    #[test]
    fn only_the_key_itself_matches() {
        let r = record("ndx_right");
        assert!(r.matches("ndx_right"));
        assert!(!r.matches("ndx_righ"));
        assert!(!r.matches("ndx_right "));
        assert!(!r.matches(""));
    }

    #[test]
    fn a_damaged_record_matches_nothing() {
        let mut r = record("ndx_right");
        r.digest = "zz".into();
        assert!(!r.matches("ndx_right"));
    }

    #[test]
    fn roles_are_ordered_and_parsed() {
        assert!(Role::Read < Role::Edit && Role::Edit < Role::Admin);
        assert_eq!(Role::parse(" Admin ").unwrap(), Role::Admin);
        assert!(Role::parse("root").is_err());
    }

    #[test]
    fn the_stored_form_round_trips_without_the_key() {
        let ring = KeyRing {
            keys: vec![record("ndx_secret_value")],
        };
        let text = ring.to_json();
        assert!(!text.contains("ndx_secret_value"));
        assert_eq!(KeyRing::parse(&text, "test").unwrap(), ring);
    }
}
