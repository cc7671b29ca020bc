//! HTTP to the cluster: one blocking agent, JSON in and out, retries with backoff where the
//! cluster asks for them (429, 5xx) or a node did not answer, and errors that name the engine URL
//! with its password masked.
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::Value;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};

use super::url::EngineUrl;
use crate::{Error, Result};

/// How many times a request is tried when the cluster is busy or briefly unreachable.
const ATTEMPTS: u32 = 5;
/// Unreachable is usually down, not busy: fewer tries so a wrong URL is told quickly.
const CONNECT_ATTEMPTS: u32 = 2;
/// First pause between tries; doubled each time.
const BACKOFF: Duration = Duration::from_millis(200);
/// Largest response read (a page of 100 long articles with aggregations stays far below).
const MAX_RESPONSE_BYTES: u64 = 512 * 1024 * 1024;
/// One request may take this long; bulk writes and deletes on a loaded cluster are the slowest.
const TIMEOUT: Duration = Duration::from_secs(120);
/// How long the cluster's host name stays resolved: a node moved to another address is found
/// again within this time.
const RESOLVED_FRESH: Duration = Duration::from_secs(30);

pub use http::Method;

pub struct Client {
    agent: ureq::Agent,
    pub url: EngineUrl,
    auth: Option<String>,
}

/// A reply the cluster gave, successful or not.
pub struct Reply {
    pub status: u16,
    pub body: Value,
}

impl Reply {
    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

impl Client {
    pub fn new(url: EngineUrl) -> Client {
        let mut config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(TIMEOUT))
            .timeout_connect(Some(Duration::from_secs(5)));
        if is_loopback(&url.base) {
            // On the same machine compression only costs: inflating a page of articles' text
            // was 7% of a served search's CPU, and there is no network to save.
            config = config.accept_encoding(ureq::config::AutoHeaderValue::None);
        }
        let agent = ureq::Agent::with_parts(
            config.build(),
            ureq::unversioned::transport::DefaultConnector::default(),
            Remembered::default(),
        );
        let auth = url.credentials.as_ref().map(|(user, password)| {
            use base64::Engine as _;
            let token =
                base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
            format!("Basic {token}")
        });
        Client { agent, url, auth }
    }

    /// A request whose non-2xx reply is an error.
    pub fn call(&self, method: Method, path: &str, body: Option<&Value>) -> Result<Value> {
        let bytes = body.map(|b| b.to_string().into_bytes());
        let reply = self.send(method, path, bytes, "application/json")?;
        if reply.ok() {
            Ok(reply.body)
        } else {
            Err(self.refused(path, &reply))
        }
    }

    /// A request whose reply, whatever its status, is the caller's to judge.
    pub fn call_any(&self, method: Method, path: &str, body: Option<&Value>) -> Result<Reply> {
        let bytes = body.map(|b| b.to_string().into_bytes());
        self.send(method, path, bytes, "application/json")
    }

    /// A `_bulk` request (newline-delimited JSON), `query` its query string or "".
    pub fn bulk_to(&self, ndjson: Vec<u8>, query: &str) -> Result<Value> {
        let path = format!("/_bulk{query}");
        let reply = self.send(Method::POST, &path, Some(ndjson), "application/x-ndjson")?;
        if reply.ok() {
            Ok(reply.body)
        } else {
            Err(self.refused("/_bulk", &reply))
        }
    }

    /// The error for a reply the cluster refused, with its own reason.
    pub fn refused(&self, path: &str, reply: &Reply) -> Error {
        self.error(format!(
            "{path} was refused with status {}: {}",
            reply.status,
            reason(&reply.body)
        ))
    }

    /// An error about this engine, naming it.
    pub fn error(&self, message: impl std::fmt::Display) -> Error {
        Error::Engine {
            url: self.url.masked(),
            message: message.to_string(),
        }
    }

    fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
        content_type: &str,
    ) -> Result<Reply> {
        let uri = format!("{}{path}", self.url.base);
        let mut pause = BACKOFF;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut builder = http::Request::builder()
                .method(method.clone())
                .uri(&uri)
                .header("Content-Type", content_type);
            if let Some(auth) = &self.auth {
                builder = builder.header("Authorization", auth);
            }
            let request = builder
                .body(body.clone().unwrap_or_default())
                .map_err(|e| self.error(format!("{path}: {e}")))?;
            match self.agent.run(request) {
                Ok(response) => {
                    let status = response.status().as_u16();
                    let retry = status == 429 || status >= 500;
                    if retry && attempt < ATTEMPTS {
                        std::thread::sleep(pause);
                        pause *= 2;
                        continue;
                    }
                    let bytes = response
                        .into_body()
                        .with_config()
                        .limit(MAX_RESPONSE_BYTES)
                        .read_to_vec()
                        .map_err(|e| self.error(format!("reading the reply to {path}: {e}")))?;
                    let body = serde_json::from_slice(&bytes).unwrap_or_else(|_| {
                        Value::String(String::from_utf8_lossy(&bytes).chars().take(300).collect())
                    });
                    return Ok(Reply { status, body });
                }
                Err(e) if attempt < CONNECT_ATTEMPTS => {
                    let _ = e;
                    std::thread::sleep(pause);
                    pause *= 2;
                }
                Err(e) => {
                    return Err(
                        self.error(format!("cannot reach the cluster: {}", unreachable(&e)))
                    );
                }
            }
        }
    }
}

/// The agent's resolver: ureq's own, its answer kept for [`RESOLVED_FRESH`]. ureq resolves the
/// host before it looks for a kept-alive connection, and with a timeout set it resolves on a new
/// thread each time, so every request to the cluster, an IP address included, started and joined
/// a thread: on a busy machine each handover waits for a core, about 2 ms of a served one-word
/// search and 9 ms of a three-word one (two requests) that were neither the cluster's time nor
/// newsdex's CPU.
#[derive(Debug, Default)]
struct Remembered {
    resolver: DefaultResolver,
    /// `HOST:PORT` (scheme included), when it was resolved, and what to.
    last: Mutex<Option<(String, Instant, ResolvedSocketAddrs)>>,
}

impl Resolver for Remembered {
    fn resolve(
        &self,
        uri: &http::Uri,
        config: &ureq::config::Config,
        timeout: ureq::unversioned::transport::NextTimeout,
    ) -> std::result::Result<ResolvedSocketAddrs, ureq::Error> {
        let key = format!(
            "{}://{}",
            uri.scheme_str().unwrap_or_default(),
            uri.authority().map(|a| a.as_str()).unwrap_or_default()
        );
        let fresh = |(k, at, _): &(String, Instant, ResolvedSocketAddrs)| {
            *k == key && at.elapsed() < RESOLVED_FRESH
        };
        if let Some((_, _, addrs)) = self.lock().as_ref().filter(|l| fresh(l)) {
            return Ok(addrs.clone());
        }
        let addrs = self.resolver.resolve(uri, config, timeout)?;
        *self.lock() = Some((key, Instant::now(), addrs.clone()));
        Ok(addrs)
    }
}

impl Remembered {
    /// A poisoned lock only means a resolve panicked; the remembered answer is whole.
    fn lock(&self) -> std::sync::MutexGuard<'_, Option<(String, Instant, ResolvedSocketAddrs)>> {
        self.last.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Whether `base` (`http[s]://HOST[:PORT]`) names this machine.
fn is_loopback(base: &str) -> bool {
    let Ok(uri) = base.parse::<http::Uri>() else {
        return false;
    };
    match uri
        .host()
        .map(|h| h.trim_start_matches('[').trim_end_matches(']'))
    {
        Some("localhost") => true,
        Some(host) => host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback()),
        None => false,
    }
}

/// ureq's transport error in words a user acts on.
fn unreachable(e: &ureq::Error) -> String {
    let text = e.to_string();
    let lower = text.to_ascii_lowercase();
    if lower.contains("refused") {
        "connection refused (is OpenSearch running there?)".into()
    } else if lower.contains("dns") || lower.contains("resolve") || lower.contains("host not found")
    {
        format!("the host name does not resolve ({text})")
    } else {
        text
    }
}

/// OpenSearch's own reason from an error body.
pub fn reason(body: &Value) -> String {
    let error = &body["error"];
    let root = &error["root_cause"][0];
    let pick = |v: &Value| {
        v["reason"].as_str().map(|r| match v["type"].as_str() {
            Some(t) => format!("{t}: {r}"),
            None => r.to_string(),
        })
    };
    pick(root)
        .or_else(|| pick(error))
        .or_else(|| error.as_str().map(str::to_string))
        .unwrap_or_else(|| body.to_string().chars().take(300).collect())
}

#[cfg(test)]
mod tests {
    use std::io::{BufRead, BufReader, Read, Write};
    use std::net::TcpListener;

    use super::{Client, Method, is_loopback};
    use crate::engines::opensearch::url::EngineUrl;

    /// A loopback server answering `{"n": N}` to each request, N counting them; it reports how
    /// many connections it accepted once `requests` have been answered.
    fn counting_server(requests: usize) -> (String, std::thread::JoinHandle<usize>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let server = std::thread::spawn(move || {
            let (mut answered, mut accepted) = (0, 0);
            while answered < requests {
                let (stream, _) = listener.accept().unwrap();
                accepted += 1;
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut out = stream;
                while answered < requests {
                    let mut length = 0;
                    let mut line = String::new();
                    loop {
                        line.clear();
                        if reader.read_line(&mut line).unwrap() == 0 {
                            break;
                        }
                        let lower = line.to_ascii_lowercase();
                        if let Some(v) = lower.strip_prefix("content-length:") {
                            length = v.trim().parse().unwrap();
                        }
                        if line == "\r\n" {
                            break;
                        }
                    }
                    if line.is_empty() {
                        break;
                    }
                    reader.read_exact(&mut vec![0; length]).unwrap();
                    answered += 1;
                    let body = format!("{{\"n\":{answered}}}");
                    write!(
                        out,
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                        body.len()
                    )
                    .unwrap();
                }
            }
            accepted
        });
        (base, server)
    }

    #[test]
    fn one_client_asks_every_request_over_one_kept_alive_connection() {
        let (base, server) = counting_server(3);
        let client = Client::new(EngineUrl::parse(&format!("opensearch+{base}/news")).unwrap());
        for n in 1..=3 {
            let reply = client
                .call(Method::POST, "/news/_search", Some(&serde_json::json!({})))
                .unwrap();
            assert_eq!(reply["n"], n);
        }
        assert_eq!(server.join().unwrap(), 1);
    }

    #[test]
    fn only_this_machines_addresses_are_loopback() {
        assert!(is_loopback("http://127.0.0.1:9200"));
        assert!(is_loopback("http://localhost:9200"));
        assert!(is_loopback("https://[::1]:9200"));
        assert!(!is_loopback("http://10.0.0.5:9200"));
        assert!(!is_loopback("https://search.example.org"));
    }
}
