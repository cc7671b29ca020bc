//! Keys, roles, limits and the audit trail of a shared server, end to end: the real binary makes
//! keys with `newsdex keys`, serves beyond loopback, and every role and every refusal is tried
//! over real HTTP (no key, a wrong, expired or revoked key, a read key editing, a key in the query
//! string), then the audit log and the rate limits are checked against what was sent.
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::{Fixture, copy_fixtures};

fn fixture() -> Fixture {
    let f = Fixture::new();
    copy_fixtures(&f, "rules");
    f.index_docs(&["--quiet"]);
    f
}

/// `newsdex keys create --role ROLE --name NAME [extra]`: the printed key.
fn create(f: &Fixture, role: &str, name: &str, extra: &[&str]) -> String {
    let out = f.run(&[&["keys", "create", "--role", role, "--name", name], extra].concat());
    assert!(
        out.status.success(),
        "keys create: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let key = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert!(key.starts_with("ndx_") && key.len() == 68, "{key:?}");
    key
}

/// A running `newsdex serve`, killed when dropped (the rules tests use it too).
pub(crate) struct Serve {
    child: Child,
    port: u16,
}

impl Serve {
    fn try_start(f: &Fixture, addr: &str, extra: &[&str]) -> Result<Serve, String> {
        let mut child = crate::common::bin()
            .arg("serve")
            .arg("--index")
            .arg(f.index())
            .args(["--addr", addr])
            .args(extra)
            .args(crate::server::test_deadline(extra))
            .env_remove("NEWSDEX_EDIT_TOKEN")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start serve");
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        if first.is_empty() {
            let mut err = String::new();
            child
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut err)
                .unwrap();
            let status = child.wait().unwrap();
            return Err(format!("{status}: {err}"));
        }
        // Nothing reads stderr from here on; a thread drains it so the server never blocks on it.
        let mut stderr = child.stderr.take().unwrap();
        std::thread::spawn(move || std::io::copy(&mut stderr, &mut std::io::sink()));
        let port = first
            .trim()
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("listening line: {first:?}"));
        Ok(Serve { child, port })
    }

    pub(crate) fn start(f: &Fixture, addr: &str, extra: &[&str]) -> Serve {
        Serve::try_start(f, addr, extra).unwrap_or_else(|e| panic!("serve did not start: {e}"))
    }

    fn call(&self, method: &str, path: &str, key: Option<&str>, body: Option<&str>) -> Reply {
        self.call_with(method, path, key, body, &[])
    }

    pub(crate) fn call_with(
        &self,
        method: &str,
        path: &str,
        key: Option<&str>,
        body: Option<&str>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(30)))
            .http_status_as_error(false)
            .build()
            .into();
        let url = format!("http://127.0.0.1:{}{path}", self.port);
        let auth = key.map(|k| format!("Bearer {k}"));
        let mut resp = match method {
            "GET" | "DELETE" => {
                let mut req = if method == "GET" {
                    agent.get(&url)
                } else {
                    agent.delete(&url)
                };
                if let Some(a) = &auth {
                    req = req.header("Authorization", a);
                }
                for (k, v) in headers {
                    req = req.header(*k, *v);
                }
                req.call()
            }
            _ => {
                let mut req = agent.post(&url).header("Content-Type", "application/json");
                if let Some(a) = &auth {
                    req = req.header("Authorization", a);
                }
                for (k, v) in headers {
                    req = req.header(*k, *v);
                }
                req.send(body.unwrap_or(""))
            }
        }
        .expect("HTTP request");
        let status = resp.status().as_u16();
        let retry_after = resp
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let mut text = String::new();
        resp.body_mut()
            .as_reader()
            .read_to_string(&mut text)
            .unwrap();
        Reply {
            status,
            body: text,
            retry_after,
        }
    }

    fn get(&self, path: &str, key: Option<&str>) -> Reply {
        self.call("GET", path, key, None)
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) body: String,
    retry_after: Option<String>,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }

    fn expect(self, status: u16, says: &str) -> Reply {
        assert_eq!(self.status, status, "{}", self.body);
        assert!(self.body.contains(says), "{says:?} not in {}", self.body);
        self
    }
}

const BLOCK: &str = r#"{"name": "Kestrel Pictures"}"#;

#[test]
fn a_key_is_printed_once_and_only_its_hash_is_kept() {
    let f = fixture();
    let key = create(&f, "read", "maria", &["--expires", "2099-01-01"]);
    let other = create(&f, "read", "tom", &[]);
    assert_ne!(key, other, "every key is drawn afresh");
    let stored = std::fs::read_to_string(f.index().join("access-keys.json")).unwrap();
    assert!(
        !stored.contains(&key) && !stored.contains(&key[4..]),
        "{stored}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(f.index().join("access-keys.json"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "readable by others: {mode:o}");
    }
    let list = f.run(&["keys", "list"]);
    let list = String::from_utf8(list.stdout).unwrap();
    assert!(
        list.contains("maria") && list.contains("2099-01-01"),
        "{list}"
    );
    assert!(list.contains("never"), "{list}");
    assert!(!list.contains(&key), "{list}");
    // A name taken, a past expiry and an unknown name to revoke are refused with the reason.
    let again = f.run(&["keys", "create", "--role", "edit", "--name", "maria"]);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists already"));
    let past = f.run(&[
        "keys",
        "create",
        "--role",
        "read",
        "--expires",
        "2001-01-01",
    ]);
    assert!(String::from_utf8_lossy(&past.stderr).contains("already past"));
    let nobody = f.run(&["keys", "revoke", "nobody"]);
    assert!(String::from_utf8_lossy(&nobody.stderr).contains("maria, tom"));
    // A rebuild keeps the keys.
    f.index_docs(&["--quiet", "--rebuild"]);
    let list = String::from_utf8(f.run(&["keys", "list", "--json"]).stdout).unwrap();
    let list: Value = serde_json::from_str(&list).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 2, "{list}");
    assert!(f.run(&["keys", "revoke", "tom"]).status.success());
    let list = String::from_utf8(f.run(&["keys", "list"]).stdout).unwrap();
    assert!(!list.contains("tom"), "{list}");
}

#[test]
fn beyond_loopback_the_server_needs_keys_or_public() {
    let f = fixture();
    let refused = Serve::try_start(&f, "0.0.0.0:0", &[])
        .err()
        .expect("refused");
    assert!(
        refused.contains("--public") && refused.contains("keys create"),
        "{refused}"
    );
    let refused = Serve::try_start(&f, "127.0.0.1:0", &["--require-key"])
        .err()
        .expect("refused");
    assert!(refused.contains("no access keys"), "{refused}");
    // --public: anyone may read, nobody without a key may edit.
    let public = Serve::start(&f, "0.0.0.0:0", &["--public"]);
    public
        .get("/api/search?q=harbour", None)
        .expect(200, "\"total\":");
    public
        .call("POST", "/api/entities/rules/block", None, Some(BLOCK))
        .expect(403, "--edit-token");
    let me = public.get("/api/me", None).json();
    assert_eq!(me["signed_in"], false);
    assert_eq!(me["role"], "read");
}

#[test]
fn loopback_stays_open_unless_a_key_is_required() {
    let f = fixture();
    let key = create(&f, "read", "maria", &[]);
    let open = Serve::start(&f, "127.0.0.1:0", &[]);
    open.get("/api/search?q=harbour", None)
        .expect(200, "\"total\":");
    // A key presented on an open server still counts, and a wrong one is still refused.
    assert_eq!(open.get("/api/me", Some(&key)).json()["name"], "maria");
    open.get("/api/search?q=harbour", Some("ndx_wrong"))
        .expect(401, "not known");
    drop(open);
    let closed = Serve::start(&f, "127.0.0.1:0", &["--require-key"]);
    closed
        .get("/api/search?q=harbour", None)
        .expect(401, "needs a key");
    closed
        .get("/api/search?q=harbour", Some(&key))
        .expect(200, "\"total\":");
    // The page itself loads without a key, so it can ask for one.
    assert_eq!(closed.get("/", None).status, 200);
}

#[test]
fn every_role_and_every_refusal_over_http() {
    let f = fixture();
    let read = create(&f, "read", "maria", &[]);
    let edit = create(&f, "edit", "desk", &[]);
    let admin = create(&f, "admin", "ops", &[]);
    let doomed = create(&f, "read", "leaver", &[]);
    let soon = (chrono::Utc::now() + chrono::Duration::seconds(3)).to_rfc3339();
    let expiring = create(&f, "read", "temp", &["--expires", &soon]);
    let audit = f.dir.path().join("audit.jsonl");
    let s = Serve::start(
        &f,
        "0.0.0.0:0",
        &["--audit-log", audit.to_str().unwrap(), "--key-rate", "0"],
    );

    // No key, a wrong key, a malformed header, a key in the query string.
    s.get("/api/search?q=harbour", None)
        .expect(401, "needs a key");
    s.get("/api/search?q=harbour", Some("ndx_0000"))
        .expect(401, "not known");
    s.call_with(
        "GET",
        "/api/stats",
        None,
        None,
        &[("Authorization", &format!("Basic {read}"))],
    )
    .expect(401, "Bearer KEY");
    for name in ["key", "access_token", "token"] {
        s.get(&format!("/api/search?q=harbour&{name}={read}"), None)
            .expect(401, "not accepted");
    }

    // read: search, articles, export, batch, entity pages; no edits, no keys.
    let found = s
        .get("/api/search?q=harbour", Some(&read))
        .expect(200, "hits")
        .json();
    let id = found["hits"][0]["id"].as_str().unwrap().to_string();
    s.get(&format!("/api/articles/{id}"), Some(&read))
        .expect(200, "mentions");
    s.get("/api/export?q=harbour&format=jsonl", Some(&read))
        .expect(200, "headline");
    s.call(
        "POST",
        "/api/batch",
        Some(&read),
        Some(r#"{"text": "harbour\nlevy"}"#),
    )
    .expect(200, "rows");
    s.get("/api/entity?name=Priya%20Ramaswamy", Some(&read))
        .expect(200, "articles");
    s.call(
        "POST",
        "/api/entities/rules/block",
        Some(&read),
        Some(BLOCK),
    )
    .expect(403, "has the read role");
    s.get("/api/keys", Some(&read)).expect(403, "admin");
    let me = s.get("/api/me", Some(&read)).json();
    assert_eq!(
        (me["name"].as_str(), me["role"].as_str()),
        (Some("maria"), Some("read"))
    );
    assert!(!me["may"].to_string().contains("edit entity rules"), "{me}");

    // edit: rules, but not keys; an edit from another site's page is refused even with the key.
    s.call_with(
        "POST",
        "/api/entities/rules/block",
        Some(&edit),
        Some(BLOCK),
        &[("Origin", "http://evil.example")],
    )
    .expect(403, "own page");
    s.call(
        "POST",
        "/api/entities/rules/block",
        Some(&edit),
        Some(BLOCK),
    )
    .expect(200, "Kestrel Pictures");
    s.get("/api/keys", Some(&edit))
        .expect(403, "has the edit role");

    // admin: lists keys (never a key or digest), makes one that works, revokes it at once.
    let listed = s.get("/api/keys", Some(&admin)).expect(200, "leaver");
    for secret in [&read, &edit, &admin, &doomed] {
        assert!(!listed.body.contains(secret.as_str()), "{}", listed.body);
    }
    assert!(!listed.body.contains("digest") && !listed.body.contains("salt"));
    let made = s
        .call(
            "POST",
            "/api/keys",
            Some(&admin),
            Some(r#"{"role": "read", "name": "guest"}"#),
        )
        .expect(200, "ndx_")
        .json();
    let guest = made["key"].as_str().unwrap().to_string();
    s.get("/api/stats", Some(&guest)).expect(200, "documents");
    s.call("DELETE", "/api/keys/guest", Some(&admin), None)
        .expect(200, "guest");
    s.get("/api/stats", Some(&guest)).expect(401, "not known");
    s.call("DELETE", "/api/keys/guest", Some(&admin), None)
        .expect(404, "no key named");
    s.call(
        "POST",
        "/api/keys",
        Some(&admin),
        Some(r#"{"role": "root"}"#),
    )
    .expect(400, "unknown role");

    // Revoked from the command line while the server runs: refused within the reload interval.
    s.get("/api/stats", Some(&doomed)).expect(200, "documents");
    assert!(f.run(&["keys", "revoke", "leaver"]).status.success());
    let deadline = Instant::now() + Duration::from_secs(8);
    while s.get("/api/stats", Some(&doomed)).status == 200 {
        assert!(Instant::now() < deadline, "a revoked key still works");
        std::thread::sleep(Duration::from_millis(250));
    }
    s.get("/api/stats", Some(&doomed)).expect(401, "not known");

    // Expired: worked a moment ago, refused now, and the refusal says so.
    let expires = chrono::DateTime::parse_from_rfc3339(&soon).unwrap();
    let wait = (expires.with_timezone(&chrono::Utc) - chrono::Utc::now())
        .to_std()
        .unwrap_or_default();
    std::thread::sleep(wait + Duration::from_millis(200));
    s.get("/api/stats", Some(&expiring)).expect(401, "expired");

    // Last use is recorded (a first use is written at once).
    let list: Value = serde_json::from_slice(&f.run(&["keys", "list", "--json"]).stdout).unwrap();
    let maria = list
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["name"] == "maria")
        .unwrap();
    assert!(maria["last_used"].is_string(), "{list}");

    // The audit trail: changes, exports and failed sign-ins, named by key, never holding a key
    // or article text.
    let log = std::fs::read_to_string(&audit).unwrap();
    for secret in [&read, &edit, &admin, &doomed, &expiring, &guest] {
        assert!(!log.contains(secret.as_str()), "a key in the audit log");
    }
    assert!(
        !log.contains("steered the harbour levy"),
        "article text in the audit log"
    );
    let lines: Vec<Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let count = |action: &str, key: Option<&str>, status: u64| {
        lines
            .iter()
            .filter(|l| {
                l["action"] == action
                    && l["key"].as_str() == key
                    && l["status"].as_u64().unwrap_or(401) == status
            })
            .count()
    };
    assert_eq!(count("rules.block", Some("desk"), 200), 1, "{log}");
    assert_eq!(count("rules.block", Some("desk"), 403), 1, "{log}");
    assert_eq!(count("rules.block", Some("maria"), 403), 1, "{log}");
    assert_eq!(count("export", Some("maria"), 200), 1, "{log}");
    assert_eq!(count("keys.create", Some("ops"), 200), 1, "{log}");
    assert_eq!(count("keys.revoke", Some("ops"), 200), 1, "{log}");
    let failed = lines
        .iter()
        .filter(|l| l["action"] == "auth.failed")
        .count();
    // no key, wrong key, Basic, three keys in URLs, guest after revoking, leaver, expired.
    assert!(failed >= 9, "{failed} failed sign-ins logged: {log}");
    let export = lines.iter().find(|l| l["action"] == "export").unwrap();
    assert_eq!(export["what"]["q"], "harbour", "{export}");
    assert_eq!(export["role"], "read");
    // Reads that change nothing are not audited.
    assert!(
        !lines
            .iter()
            .any(|l| l["what"]["path"] == "/api/stats" && l["status"] == 200)
    );
}

#[test]
fn read_keys_export_at_most_the_set_number_of_rows() {
    let f = fixture();
    let read = create(&f, "read", "maria", &[]);
    let edit = create(&f, "edit", "desk", &[]);
    let s = Serve::start(
        &f,
        "127.0.0.1:0",
        &["--require-key", "--max-export-rows", "1"],
    );
    let total = s.get("/api/search?q=harbour&limit=0", Some(&read)).json()["total"]
        .as_u64()
        .unwrap();
    assert!(total > 1, "the fixture needs more than one hit: {total}");
    s.get("/api/export?q=harbour&format=jsonl", Some(&read))
        .expect(403, &format!("would have {total} rows"));
    let one = s.get("/api/export?q=midnight&format=jsonl", Some(&read));
    assert_eq!(one.status, 200, "{}", one.body);
    let rows = s
        .get("/api/export?q=harbour&format=jsonl", Some(&edit))
        .expect(200, "");
    assert_eq!(rows.body.lines().count() as u64, total);
}

/// Fire `n` GETs from `threads` threads; every answer is counted by status, none is dropped.
fn hammer(
    s: &Serve,
    key: Option<&str>,
    forwarded: &[&str],
    n: usize,
    threads: usize,
) -> HashMap<u16, usize> {
    let counts = Arc::new(Mutex::new(HashMap::new()));
    let next = Arc::new(AtomicUsize::new(0));
    let retry_ok = Arc::new(AtomicUsize::new(0));
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let (counts, next, retry_ok) = (counts.clone(), next.clone(), retry_ok.clone());
            scope.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    if i >= n {
                        break;
                    }
                    let headers: Vec<(&str, &str)> = if forwarded.is_empty() {
                        vec![]
                    } else {
                        vec![("X-Forwarded-For", forwarded[i % forwarded.len()])]
                    };
                    let reply = s.call_with("GET", "/api/stats", key, None, &headers);
                    if reply.status == 429 {
                        let after: u64 = reply.retry_after.as_deref().unwrap().parse().unwrap();
                        assert!((1..=60).contains(&after), "Retry-After {after}");
                        retry_ok.fetch_add(1, Ordering::SeqCst);
                    }
                    *counts.lock().unwrap().entry(reply.status).or_insert(0) += 1;
                }
            });
        }
    });
    let counts = counts.lock().unwrap().clone();
    assert_eq!(
        counts.get(&429).copied().unwrap_or(0),
        retry_ok.load(Ordering::SeqCst)
    );
    counts
}

#[test]
fn a_load_beyond_the_key_rate_gets_200_or_429_and_nothing_else() {
    let f = fixture();
    let read = create(&f, "read", "maria", &[]);
    let other = create(&f, "read", "tom", &[]);
    let s = Serve::start(
        &f,
        "127.0.0.1:0",
        &["--require-key", "--key-rate", "5", "--address-rate", "0"],
    );
    let started = Instant::now();
    let counts = hammer(&s, Some(&read), &[], 120, 6);
    let elapsed = started.elapsed().as_secs_f64();
    let ok = counts.get(&200).copied().unwrap_or(0);
    let limited = counts.get(&429).copied().unwrap_or(0);
    assert_eq!(
        ok + limited,
        120,
        "every request answered 200 or 429: {counts:?}"
    );
    // A burst of 10 plus 5 a second while the load lasted (and one for rounding).
    let most = 10.0 + 5.0 * elapsed + 1.0;
    assert!(
        (ok as f64) <= most,
        "{ok} passed in {elapsed:.2} s (at most {most:.0})"
    );
    assert!(ok >= 10, "the burst passes: {counts:?}");
    assert!(limited > 0, "{counts:?}");
    // Another key has a bucket of its own.
    s.get("/api/stats", Some(&other)).expect(200, "documents");
}

#[test]
fn the_address_limit_believes_forwarded_for_only_from_trusted_proxies() {
    let f = fixture();
    let audit = f.dir.path().join("audit.jsonl");
    let audit_flag = audit.to_str().unwrap();
    let addrs = ["203.0.113.1", "203.0.113.2", "203.0.113.3", "203.0.113.4"];
    {
        // Not trusted: a client naming a fresh address on each request still meets its limit.
        let s = Serve::start(&f, "127.0.0.1:0", &["--address-rate", "2"]);
        let counts = hammer(&s, None, &addrs, 24, 4);
        assert!(counts.get(&429).copied().unwrap_or(0) >= 12, "{counts:?}");
        assert_eq!(counts.values().sum::<usize>(), 24);
    }
    let s = Serve::start(
        &f,
        "127.0.0.1:0",
        &[
            "--address-rate",
            "2",
            "--trusted-proxy",
            "127.0.0.1",
            "--audit-log",
            audit_flag,
        ],
    );
    // Trusted: each forwarded address has its own bucket of 4.
    let counts = hammer(&s, None, &addrs, 16, 4);
    assert_eq!(counts.get(&200).copied(), Some(16), "{counts:?}");
    // The audit names the forwarded address (the last hop the proxy saw), not the proxy.
    s.call_with(
        "GET",
        "/api/search?q=x",
        Some("ndx_nope"),
        None,
        &[("X-Forwarded-For", "198.51.100.9, 203.0.113.77")],
    )
    .expect(401, "not known");
    let log = std::fs::read_to_string(&audit).unwrap();
    let line: Value = serde_json::from_str(log.lines().last().unwrap()).unwrap();
    assert_eq!(line["address"], "203.0.113.77", "{log}");
    assert_eq!(line["action"], "auth.failed");
}

/// On OpenSearch the keys live in the companion settings document: made and listed with
/// `--engine`, checked by a server on that engine, and only their digests stored.
#[test]
fn keys_work_the_same_on_the_opensearch_engine() {
    let Some(remote) = super::opensearch::Remote::for_test("keys") else {
        return;
    };
    let corpus = super::server::Corpus::on_engine(&remote.url());
    let engine = remote.url();
    let run = |args: &[&str]| {
        crate::common::bin()
            .args(args)
            .args(["--engine", &engine])
            .output()
            .expect("run newsdex")
    };
    let made = run(&["keys", "create", "--role", "read", "--name", "maria"]);
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let key = String::from_utf8(made.stdout).unwrap().trim().to_string();
    let list = String::from_utf8(run(&["keys", "list"]).stdout).unwrap();
    assert!(list.contains("maria") && !list.contains(&key), "{list}");
    let mut location = corpus.location();
    location.push("--require-key".into());
    let server = super::server::Server::start_on(&location);
    assert_eq!(server.get("/api/search?q=ceasefire").status, 401);
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let reply = agent
        .get(format!("http://{}/api/search?q=ceasefire", server.addr))
        .header("Authorization", format!("Bearer {key}"))
        .call()
        .expect("GET");
    assert_eq!(reply.status().as_u16(), 200);
    assert!(run(&["keys", "revoke", "maria"]).status.success());
    let list = String::from_utf8(run(&["keys", "list", "--json"]).stdout).unwrap();
    assert_eq!(list.trim(), "[]");
    // Made at once by four processes: the settings document is written only over what each read.
    create_keys_at_once(4, &["--engine", &engine]);
    let list: Value = serde_json::from_slice(&run(&["keys", "list", "--json"]).stdout).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 4, "{list}");
}

/// Keys made at the same moment by several processes all survive: each change is one locked
/// read-change-write, so none overwrites another's.
#[test]
fn keys_made_at_once_are_all_kept() {
    let f = fixture();
    let index = f.index().to_string_lossy().into_owned();
    create_keys_at_once(8, &["--index", &index]);
    let list: Value = serde_json::from_slice(&f.run(&["keys", "list", "--json"]).stdout).unwrap();
    let mut names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["name"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7"]);
}

/// `n` read keys named `k0`, `k1`, ... made by `n` processes started together on one index.
fn create_keys_at_once(n: usize, location: &[&str]) {
    let children: Vec<_> = (0..n)
        .map(|i| {
            crate::common::bin()
                .args([
                    "keys",
                    "create",
                    "--role",
                    "read",
                    "--name",
                    &format!("k{i}"),
                ])
                .args(location)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("spawn keys create")
        })
        .collect();
    for mut child in children {
        assert!(child.wait().unwrap().success());
    }
}

/// Regression (a loopback server throttled its own user's scripts: an evaluation script reading
/// a few hundred articles got 429s from the default per-address limit): on loopback there is no
/// address limit unless one is given, and a given one still applies.
#[test]
fn regression_a_loopback_server_throttled_its_own_users_scripts() {
    let f = fixture();
    let s = Serve::start(&f, "127.0.0.1:0", &[]);
    let counts = hammer(&s, None, &[], 600, 4);
    assert_eq!(counts.get(&200).copied(), Some(600), "{counts:?}");
    let limited = Serve::start(&f, "127.0.0.1:0", &["--address-rate", "5"]);
    let counts = hammer(&limited, None, &[], 60, 4);
    assert!(counts.get(&429).copied().unwrap_or(0) >= 30, "{counts:?}");
}
