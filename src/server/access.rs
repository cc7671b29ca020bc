//! Who may use the server and how much: keys and their roles, the anonymous reader an open
//! server allows, rate limits per key and per client address, the real client address behind a
//! trusted reverse proxy, and the audit trail. One middleware ([`guard`]) applies all of it before
//! any handler runs, so no route can forget it.
//!
//! Keys travel only in `Authorization: Bearer KEY`: a key in the query string is not looked at
//! (URLs end up in proxy logs and browser history). The keys kept with the index are cached and
//! re-read every [`KEYS_RELOAD`], so a key made or revoked with `newsdex keys` reaches a running
//! server within seconds; one made or revoked through the API applies at once.
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{ConnectInfo, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Value, json};
use subtle::ConstantTimeEq;

use super::rules::{self, Edits};
use super::{ApiError, AppState, MAX_BODY_BYTES};
use newsdex::backend::Backend;
use newsdex::features::keys;
use newsdex::model::keys::{KeyRing, Role, salted_digest};
use newsdex::{Error, Result};

/// How long the cached keys are trusted before they are read again.
pub const KEYS_RELOAD: Duration = Duration::from_secs(5);
/// A bucket holds this many seconds of its rate, so a page load's burst of requests passes.
const BURST_SECONDS: f64 = 2.0;
/// Past this many client addresses, buckets that have refilled are forgotten.
const MAX_TRACKED: usize = 10_000;
/// The name the audit log and `/api/me` give the holder of `--edit-token`.
const EDIT_TOKEN_NAME: &str = "edit-token";

/// Requests per second one client address may make on a server reachable beyond this machine,
/// unless told otherwise. A loopback server has no address limit unless given one: its only
/// clients are the machine's own user and their scripts, and throttling them protects nothing.
pub const DEFAULT_ADDRESS_RATE: f64 = 50.0;

/// What `serve` was told about access, as flags.
#[derive(Debug, Clone, Default)]
pub struct AccessOptions {
    pub edit_token: Option<String>,
    pub public: bool,
    pub require_key: bool,
    /// Requests per second per key (0: none).
    pub key_rate: f64,
    /// Requests per second per client address (0: none); `None`: [`DEFAULT_ADDRESS_RATE`] on a
    /// server reachable beyond this machine, none on a loopback one.
    pub address_rate: Option<f64>,
    pub max_export_rows: Option<u64>,
    pub audit_log: Option<PathBuf>,
    pub trusted_proxies: Vec<IpAddr>,
}

/// Who made a request, as the handlers see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The key's name; `None` for a request without a key on an open server.
    pub name: Option<String>,
    pub role: Role,
    pub address: IpAddr,
}

/// Everything the guard needs, built once at start.
pub struct Access {
    ring: RwLock<(Arc<KeyRing>, Instant)>,
    /// The role of a request without a key, if such requests are served at all.
    anonymous: Option<Role>,
    /// The old single-token guard for edits by callers without an edit key.
    edits: Edits,
    edit_token_digest: Option<[u8; 32]>,
    key_rate: f64,
    address_rate: f64,
    buckets: Mutex<Buckets>,
    pub max_export_rows: Option<u64>,
    audit: Option<Mutex<std::fs::File>>,
    trusted: Vec<IpAddr>,
    /// Last use written per key by this process, so a busy key is written at most every few minutes.
    uses_written: Mutex<HashMap<String, DateTime<Utc>>>,
}

#[derive(Default)]
struct Buckets {
    keys: HashMap<String, Bucket>,
    addresses: HashMap<IpAddr, Bucket>,
}

/// A token bucket: `tokens` refill at the rate up to the burst.
#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// Take one token, or say how many whole seconds until one is there.
fn take(map_bucket: &mut Bucket, rate: f64, now: Instant) -> std::result::Result<(), u64> {
    let burst = (rate * BURST_SECONDS).max(1.0);
    let elapsed = now.saturating_duration_since(map_bucket.at).as_secs_f64();
    map_bucket.tokens = (map_bucket.tokens + elapsed * rate).min(burst);
    map_bucket.at = now;
    if map_bucket.tokens >= 1.0 {
        map_bucket.tokens -= 1.0;
        Ok(())
    } else {
        Err(((1.0 - map_bucket.tokens) / rate).ceil().max(1.0) as u64)
    }
}

fn take_from<K: std::hash::Hash + Eq + Clone>(
    map: &mut HashMap<K, Bucket>,
    key: &K,
    rate: f64,
) -> std::result::Result<(), u64> {
    if rate <= 0.0 {
        return Ok(());
    }
    let now = Instant::now();
    if map.len() >= MAX_TRACKED && !map.contains_key(key) {
        let burst = (rate * BURST_SECONDS).max(1.0);
        map.retain(|_, b| {
            b.tokens + now.saturating_duration_since(b.at).as_secs_f64() * rate < burst
        });
    }
    let bucket = map.entry(key.clone()).or_insert(Bucket {
        tokens: (rate * BURST_SECONDS).max(1.0),
        at: now,
    });
    take(bucket, rate, now)
}

/// The edit token is one secret the operator typed, compared like a key but with no salt to keep.
fn digest(text: &str) -> [u8; 32] {
    salted_digest(&[], text)
}

impl Access {
    /// Everyone on loopback may do everything but manage keys, as before keys existed.
    #[cfg(test)]
    pub fn open() -> Access {
        Access {
            ring: RwLock::new((Arc::new(KeyRing::default()), Instant::now())),
            anonymous: Some(Role::Edit),
            edits: Edits::Open,
            edit_token_digest: None,
            key_rate: 0.0,
            address_rate: 0.0,
            buckets: Mutex::new(Buckets::default()),
            max_export_rows: None,
            audit: None,
            trusted: Vec::new(),
            uses_written: Mutex::new(HashMap::new()),
        }
    }

    /// The access a server at `local` gets from `options`; refuses combinations that would serve
    /// beyond this machine without anyone having said so.
    pub fn new(
        engine: Arc<dyn Backend>,
        local: &SocketAddr,
        options: AccessOptions,
    ) -> Result<Access> {
        let ring = engine.access_keys()?;
        let loopback = local.ip().is_loopback();
        let token = options.edit_token.clone().filter(|t| !t.is_empty());
        if !loopback && ring.is_empty() && !options.public {
            return Err(Error::Usage(format!(
                "{local} is reachable beyond this machine and the index has no access keys: create \
                 one with `newsdex keys create --role read` (same --index/--engine), or pass \
                 --public to let anyone who reaches the server search and read"
            )));
        }
        if options.require_key && ring.is_empty() && token.is_none() {
            return Err(Error::Usage(
                "--require-key, but the index has no access keys: create one with `newsdex keys \
                 create --role read` (same --index/--engine)"
                    .into(),
            ));
        }
        let address_rate =
            options
                .address_rate
                .unwrap_or(if loopback { 0.0 } else { DEFAULT_ADDRESS_RATE });
        for rate in [options.key_rate, address_rate] {
            if !rate.is_finite() || rate < 0.0 {
                return Err(Error::Usage(format!(
                    "rate {rate}: give requests per second, 0 or more"
                )));
            }
        }
        let anonymous = if options.require_key {
            None
        } else if loopback {
            Some(if token.is_some() {
                Role::Read
            } else {
                Role::Edit
            })
        } else if options.public {
            Some(Role::Read)
        } else {
            None
        };
        let audit = match &options.audit_log {
            Some(path) => Some(Mutex::new(
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)
                    .map_err(|e| Error::io(path, e))?,
            )),
            None => None,
        };
        Ok(Access {
            edits: Edits::for_address(local, token.clone()),
            edit_token_digest: token.as_deref().map(digest),
            ring: RwLock::new((Arc::new(ring), Instant::now())),
            anonymous,
            key_rate: options.key_rate,
            address_rate,
            buckets: Mutex::new(Buckets::default()),
            max_export_rows: options.max_export_rows,
            audit,
            trusted: options.trusted_proxies,
            uses_written: Mutex::new(HashMap::new()),
        })
    }

    /// One line for the operator on what the server lets in.
    pub fn describe(&self) -> String {
        let keys = match self.cached().keys.len() {
            0 => "no access keys".to_string(),
            1 => "1 access key".to_string(),
            n => format!("{n} access keys"),
        };
        match self.anonymous {
            None => format!("every API request needs a key ({keys})"),
            Some(Role::Read) => format!("anyone who reaches this server may read; {keys}"),
            Some(_) => format!("open to this machine as before; {keys}"),
        }
    }

    fn cached(&self) -> Arc<KeyRing> {
        self.ring.read().map(|r| r.0.clone()).unwrap_or_default()
    }

    /// The keys, read again when the cache is older than [`KEYS_RELOAD`].
    async fn keys(&self, engine: Arc<dyn Backend>) -> Arc<KeyRing> {
        let fresh = self
            .ring
            .read()
            .map(|r| r.1.elapsed() < KEYS_RELOAD)
            .unwrap_or(false);
        if fresh {
            return self.cached();
        }
        match tokio::task::spawn_blocking(move || engine.access_keys()).await {
            Ok(Ok(ring)) => {
                let ring = Arc::new(ring);
                if let Ok(mut slot) = self.ring.write() {
                    *slot = (ring.clone(), Instant::now());
                }
                ring
            }
            // A store that cannot be read keeps the last keys known, and is tried again later.
            Ok(Err(e)) => {
                eprintln!("newsdex: could not re-read the access keys: {e}");
                self.cached()
            }
            Err(e) => {
                eprintln!("newsdex: could not re-read the access keys: {e}");
                self.cached()
            }
        }
    }

    /// Replace the cache after a change made through this server, so it applies at once.
    pub fn reloaded(&self, ring: KeyRing) {
        if let Ok(mut slot) = self.ring.write() {
            *slot = (Arc::new(ring), Instant::now());
        }
    }

    /// The client: the peer, or behind a trusted proxy the last address in `X-Forwarded-For` that
    /// is not itself a trusted proxy. Anyone else's `X-Forwarded-For` is ignored, or a client
    /// could name a fresh address on each request and never meet its limit.
    fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        if !self.trusted.contains(&peer) {
            return peer;
        }
        let forwarded = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect::<Vec<_>>();
        for hop in forwarded.iter().rev() {
            match hop.parse::<IpAddr>() {
                Ok(ip) if self.trusted.contains(&ip) => continue,
                Ok(ip) => return ip,
                Err(_) => return peer,
            }
        }
        peer
    }

    fn audit(&self, entry: Value) {
        let Some(file) = &self.audit else { return };
        let mut line = entry.to_string();
        line.push('\n');
        if let Ok(mut file) = file.lock() {
            use std::io::Write;
            if let Err(e) = file.write_all(line.as_bytes()) {
                eprintln!("newsdex: could not write the audit log: {e}");
            }
        }
    }

    /// Write a key's last use when the one recorded is old enough, off the request's path.
    fn note_use(&self, engine: Arc<dyn Backend>, name: &str, recorded: Option<DateTime<Utc>>) {
        let now = Utc::now();
        let Ok(mut written) = self.uses_written.lock() else {
            return;
        };
        let last = written.get(name).copied().max(recorded);
        if !keys::use_is_news(last, now) {
            return;
        }
        written.insert(name.to_string(), now);
        let name = name.to_string();
        tokio::task::spawn_blocking(move || {
            if let Err(e) = keys::record_use(engine.as_ref(), &name, now) {
                eprintln!("newsdex: could not record the use of key {name:?}: {e}");
            }
        });
    }
}

/// What a route needs.
fn needs(method: &Method, path: &str) -> Role {
    if path == "/api/keys" || path.starts_with("/api/keys/") {
        Role::Admin
    } else if method == Method::POST && path.starts_with("/api/entities/rules/") {
        Role::Edit
    } else {
        Role::Read
    }
}

/// The audit action of a request, if it is one that changes something or exports data.
fn action(method: &Method, path: &str) -> Option<String> {
    match (method, path) {
        (&Method::GET, "/api/export") => Some("export".into()),
        (&Method::POST, "/api/keys") => Some("keys.create".into()),
        (&Method::DELETE, p) if p.starts_with("/api/keys/") => Some("keys.revoke".into()),
        (&Method::POST, p) if p.starts_with("/api/entities/rules/") => Some(format!(
            "rules.{}",
            p.trim_start_matches("/api/entities/rules/")
        )),
        _ => None,
    }
}

/// Search parameters worth keeping in the audit; anything else in a query string (a key pasted
/// there by mistake, say) is left out.
const AUDITED_PARAMS: &[&str] = &[
    "q", "source", "section", "person", "org", "place", "misc", "speaker", "group", "since",
    "until", "sort", "match", "format", "fields",
];

fn refusal(status: StatusCode, message: impl Into<String>) -> Response {
    ApiError::new(status, message).into_response()
}

fn too_many(retry_after: u64, whose: &str) -> Response {
    let mut response = refusal(
        StatusCode::TOO_MANY_REQUESTS,
        format!("too many requests from {whose}; try again in {retry_after} s"),
    );
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
    response
}

/// The bearer credential, if the request carries an `Authorization` header at all.
fn bearer(headers: &HeaderMap) -> Option<std::result::Result<&str, ()>> {
    let value = headers.get(header::AUTHORIZATION)?;
    Some(
        value
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .ok_or(()),
    )
}

/// Every request passes here: limits, authentication, the role its route needs, the audit.
pub async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let access = &state.0.access;
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::from([127, 0, 0, 1]));
    let address = access.client(peer, request.headers());
    let limited = access
        .buckets
        .lock()
        .map(|mut b| take_from(&mut b.addresses, &address, access.address_rate))
        .unwrap_or(Ok(()));
    if let Err(after) = limited {
        return too_many(after, "this address");
    }
    let path = request.uri().path().to_string();
    if !path.starts_with("/api/") {
        return next.run(request).await;
    }
    let method = request.method().clone();
    let time = || Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let failed = |reason: &str, key: Option<&str>| {
        access.audit(json!({
            "time": time(), "address": address.to_string(), "key": key, "role": null,
            "action": "auth.failed", "what": {"method": method.as_str(), "path": &path},
            "reason": reason,
        }));
    };

    // Owned, so nothing borrowed from the request is held across the key lookup's await.
    let presented = bearer(request.headers()).map(|b| b.map(str::to_string));
    let caller = match presented {
        Some(Err(())) => {
            failed("malformed Authorization header", None);
            return refusal(
                StatusCode::UNAUTHORIZED,
                "the Authorization header must be `Bearer KEY`",
            );
        }
        Some(Ok(presented)) => {
            let ring = access.keys(state.0.engine.clone()).await;
            if let Some(record) = ring.find(&presented) {
                if record.expired_at(Utc::now()) {
                    failed("expired key", Some(&record.name));
                    let when = record.expires.map(|e| e.to_rfc3339()).unwrap_or_default();
                    return refusal(
                        StatusCode::UNAUTHORIZED,
                        format!(
                            "the key {:?} expired at {when}; ask for a new one",
                            record.name
                        ),
                    );
                }
                access.note_use(state.0.engine.clone(), &record.name, record.last_used);
                Caller {
                    name: Some(record.name.clone()),
                    role: record.role,
                    address,
                }
            } else if access
                .edit_token_digest
                .is_some_and(|d| bool::from(digest(&presented)[..].ct_eq(&d[..])))
            {
                Caller {
                    name: Some(EDIT_TOKEN_NAME.into()),
                    role: Role::Edit,
                    address,
                }
            } else {
                failed("unknown key", None);
                return refusal(
                    StatusCode::UNAUTHORIZED,
                    "that key is not known to this server (revoked, mistyped, or for another index)",
                );
            }
        }
        None => match access.anonymous {
            Some(role) => Caller {
                name: None,
                role,
                address,
            },
            None => {
                failed("no key", None);
                return refusal(
                    StatusCode::UNAUTHORIZED,
                    "this server needs a key: send `Authorization: Bearer KEY` (or sign in on the \
                     page); a key in the URL is not accepted",
                );
            }
        },
    };

    if let Some(name) = caller.name.as_deref().filter(|n| *n != EDIT_TOKEN_NAME) {
        let limited = access
            .buckets
            .lock()
            .map(|mut b| take_from(&mut b.keys, &name.to_string(), access.key_rate))
            .unwrap_or(Ok(()));
        if let Err(after) = limited {
            return too_many(after, "this key");
        }
    }

    let needed = needs(&method, &path);
    let action = action(&method, &path);
    let audit_entry = |status: u16, what: Value| {
        json!({
            "time": time(), "address": address.to_string(), "key": caller.name,
            "role": caller.role.as_str(), "action": action, "what": what, "status": status,
        })
    };
    if let Err(refused) = allowed(access, &caller, needed, request.headers()) {
        if let Some(action) = &action {
            access.audit(json!({
                "time": time(), "address": address.to_string(), "key": caller.name,
                "role": caller.role.as_str(), "action": action, "what": {"path": &path},
                "status": refused.status.as_u16(), "refused": refused.message,
            }));
        }
        return refused.into_response();
    }

    // What the audit names: the export's search, the edit's or new key's body (never a key, and
    // never article text: bodies here are entity names and key names).
    let (mut request, what) = match &action {
        None => (request, Value::Null),
        Some(a) if a == "export" => {
            let pairs: Vec<(String, String)> =
                Query::<Vec<(String, String)>>::try_from_uri(request.uri())
                    .map(|q| q.0)
                    .unwrap_or_default();
            let kept: serde_json::Map<String, Value> = pairs
                .into_iter()
                .filter(|(k, _)| AUDITED_PARAMS.contains(&k.as_str()))
                .map(|(k, v)| (k, Value::String(v)))
                .collect();
            (request, Value::Object(kept))
        }
        Some(a) if a == "keys.revoke" => {
            let name = path.trim_start_matches("/api/keys/").to_string();
            (request, json!({ "name": name }))
        }
        Some(_) => {
            let (parts, body) = request.into_parts();
            let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY_BYTES).await else {
                return refusal(StatusCode::PAYLOAD_TOO_LARGE, "the body is too large");
            };
            let what = serde_json::from_slice::<Value>(&bytes).unwrap_or(Value::Null);
            (Request::from_parts(parts, Body::from(bytes)), what)
        }
    };
    request.extensions_mut().insert(caller.clone());
    let response = next.run(request).await;
    if action.is_some() {
        access.audit(audit_entry(response.status().as_u16(), what));
    }
    response
}

/// May `caller` use a route that needs `needed`?
fn allowed(
    access: &Access,
    caller: &Caller,
    needed: Role,
    headers: &HeaderMap,
) -> std::result::Result<(), ApiError> {
    if needed == Role::Read {
        return Ok(());
    }
    let keyed = caller.name.as_deref().is_some_and(|n| n != EDIT_TOKEN_NAME);
    if needed == Role::Edit && !keyed {
        // The single-token guard of old, exactly as it was: loopback open, elsewhere the token.
        return access.edits.check(headers);
    }
    rules::same_origin(headers)?;
    if caller.role >= needed {
        return Ok(());
    }
    let what = if needed == Role::Admin {
        "managing keys needs an admin key"
    } else {
        "editing entity rules needs an edit or admin key"
    };
    match &caller.name {
        Some(name) => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            format!(
                "the key {name:?} has the {} role; {what}",
                caller.role.as_str()
            ),
        )),
        None => Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            format!("{what} (Authorization: Bearer KEY)"),
        )),
    }
}

/// `GET /api/me`: who the page is signed in as and what that allows.
#[derive(Debug, Serialize)]
pub struct Me {
    pub signed_in: bool,
    pub name: Option<String>,
    pub role: Role,
    pub may: Vec<&'static str>,
}

pub async fn me(caller: axum::Extension<Caller>) -> axum::Json<Me> {
    let caller = caller.0;
    axum::Json(Me {
        signed_in: caller.name.is_some(),
        role: caller.role,
        may: caller.role.allows(),
        name: caller.name,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_lets_a_burst_through_then_asks_to_wait() {
        let mut map = HashMap::new();
        let mut passed = 0;
        let mut refused = None;
        for _ in 0..10 {
            match take_from(&mut map, &"k", 2.0) {
                Ok(()) => passed += 1,
                Err(after) => refused = Some(after),
            }
        }
        assert_eq!(passed, 4, "a burst of two seconds at 2/s");
        assert_eq!(refused, Some(1));
        assert!(
            take_from(&mut map, &"other", 2.0).is_ok(),
            "buckets are per key"
        );
        assert!(take_from(&mut map, &"k", 0.0).is_ok(), "0 means no limit");
    }

    #[test]
    fn routes_need_their_roles() {
        assert_eq!(needs(&Method::GET, "/api/search"), Role::Read);
        assert_eq!(needs(&Method::GET, "/api/export"), Role::Read);
        assert_eq!(needs(&Method::GET, "/api/entities/rules"), Role::Read);
        assert_eq!(
            needs(&Method::POST, "/api/entities/rules/block"),
            Role::Edit
        );
        assert_eq!(needs(&Method::GET, "/api/keys"), Role::Admin);
        assert_eq!(needs(&Method::DELETE, "/api/keys/desk"), Role::Admin);
    }
}
