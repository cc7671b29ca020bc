//! `newsdex serve` end to end: the real binary indexes real files, serves on an ephemeral loopback
//! port, and is asked over real HTTP. The helpers here (corpus, server guard, a small HTTP client)
//! are shared with the browser test.
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

pub const BIN: &str = env!("CARGO_BIN_EXE_newsdex");

/// A headline that is markup: the page must show these characters and run nothing.
pub const HOSTILE_HEADLINE: &str = "<img src=x onerror=alert(1)>";

/// Test articles: (publication, section, file name, headline, body). Publications are also the
/// last line of each file, the way archives sign articles.
const ARTICLES: &[(&str, &str, &str, &str, &str)] = &[
    (
        "Reuters",
        "world",
        "cairo.txt",
        "Ceasefire talks resume in Cairo",
        "Negotiators returned to Cairo on Monday as mediators pressed both sides to extend the ceasefire.\n\nDiplomats said the ceasefire talks would focus on prisoner exchanges and aid convoys.",
    ),
    (
        "Reuters",
        "business",
        "rates.txt",
        "Central bank raises interest rates again",
        "The central bank raised interest rates by a quarter point, citing stubborn inflation.\n\nEconomists expect further rate rises before the summer.",
    ),
    (
        "Reuters",
        "world",
        "zurich.txt",
        "Café owners in Zürich 🎉 welcome ceasefire news",
        "Café owners in Zürich said the ceasefire brought customers back to the old town.",
    ),
    (
        "Associated Press",
        "world",
        "holds.txt",
        "Ceasefire holds for a second day",
        "The ceasefire held for a second day as negotiators in Cairo discussed prisoner exchanges and aid convoys.\n\nResidents returned to markets.",
    ),
    (
        "Associated Press",
        "sport",
        "final.txt",
        "Football club wins the cup final",
        "The home side won the cup final after extra time in front of a record crowd.",
    ),
    (
        "Associated Press",
        "world",
        "hostile.txt",
        HOSTILE_HEADLINE,
        "A ceasefire report whose text carries markup <img src=y onerror=\"window.pwned=1\"> and <script>window.pwned=2</script> that must stay text.",
    ),
];

/// A temporary folder with articles in it and an index built from them by the real binary: an
/// embedded index in the folder, or an index in an OpenSearch cluster.
pub struct Corpus {
    pub dir: tempfile::TempDir,
    /// `--engine URL`, when the articles go to OpenSearch.
    engine: Option<String>,
}

impl Corpus {
    pub fn new() -> Corpus {
        Self::build(None)
    }

    /// The same articles in the OpenSearch index at `engine` (an engine URL).
    pub fn on_engine(engine: &str) -> Corpus {
        Self::build(Some(engine.to_string()))
    }

    fn build(engine: Option<String>) -> Corpus {
        let corpus = Corpus {
            dir: tempfile::tempdir().expect("temp dir"),
            engine,
        };
        for source in ["Reuters", "Associated Press"] {
            let root = corpus.source_root(source);
            for (_, section, name, headline, body) in ARTICLES.iter().filter(|a| a.0 == source) {
                write_article(&root.join(section).join(name), headline, body, source);
            }
            corpus.index(&root, source);
        }
        corpus
    }

    pub fn index_path(&self) -> PathBuf {
        self.dir.path().join("idx")
    }

    /// The flags that point a command at this corpus's index.
    pub fn location(&self) -> Vec<std::ffi::OsString> {
        match &self.engine {
            Some(url) => vec!["--engine".into(), url.into()],
            None => vec!["--index".into(), self.index_path().into()],
        }
    }

    fn source_root(&self, source: &str) -> PathBuf {
        self.dir.path().join(source.replace(' ', "-"))
    }

    /// Index a folder of one publication's articles into the corpus index.
    pub fn index(&self, root: &Path, source: &str) {
        let out = Command::new(BIN)
            .arg("index")
            .arg(root)
            .args(self.location())
            .args(["--source", source, "--quiet"])
            .output()
            .expect("run newsdex index");
        assert!(
            out.status.success(),
            "newsdex index failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Add one article in a folder of its own and index it, as a second `newsdex index` would.
    pub fn add(&self, folder: &str, headline: &str, body: &str, source: &str) {
        let root = self.dir.path().join(folder);
        write_article(&root.join("late.txt"), headline, body, source);
        self.index(&root, source);
    }

    pub fn total(&self) -> usize {
        ARTICLES.len()
    }

    pub fn count_from(&self, source: &str) -> usize {
        ARTICLES.iter().filter(|a| a.0 == source).count()
    }
}

fn write_article(path: &Path, headline: &str, body: &str, source: &str) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, format!("{headline}\n\n{body}\n\n{source}\n")).expect("write article");
}

/// The request deadline of a test's server unless the test sets its own: these tests check
/// answers, not speed, and a debug build beside other work can take longer than the default 5 s
/// (the clean-clone CI rehearsal once got 503s at a load average of 25).
pub(crate) fn test_deadline<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Vec<&'static str> {
    let own = args
        .iter()
        .any(|a| a.as_ref().to_string_lossy().starts_with("--timeout"));
    if own {
        Vec::new()
    } else {
        vec!["--timeout", "60"]
    }
}

/// A running `newsdex serve`, killed when dropped.
pub struct Server {
    child: Child,
    pub addr: String,
}

impl Server {
    pub fn start(index: &Path) -> Server {
        Server::start_with(index, crate::common::bin())
    }

    /// `newsdex serve` on the index through `cmd`, a `newsdex` command with its environment set.
    pub fn start_with(index: &Path, cmd: Command) -> Server {
        Server::launch(cmd, &["--index".into(), index.into()])
    }

    /// Serve the index that `location` flags name (`--index DIR` or `--engine URL`).
    pub fn start_on(location: &[std::ffi::OsString]) -> Server {
        Server::launch(crate::common::bin(), location)
    }

    fn launch(mut cmd: Command, location: &[std::ffi::OsString]) -> Server {
        let mut child = cmd
            .arg("serve")
            .args(location)
            .args(["--addr", "127.0.0.1:0"])
            .args(test_deadline(location))
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start newsdex serve");
        let stdout = child.stdout.take().expect("stdout");
        let mut first = String::new();
        BufReader::new(stdout)
            .read_line(&mut first)
            .expect("read the listening line");
        let addr = first
            .trim()
            .strip_prefix("listening on http://")
            .unwrap_or_else(|| panic!("unexpected first line from serve: {first:?}"))
            .to_string();
        Server { child, addr }
    }

    pub fn get(&self, path: &str) -> Reply {
        request(&self.addr, "GET", path, None)
    }

    pub fn json(&self, path: &str) -> Value {
        let reply = self.get(path);
        assert_eq!(reply.status, 200, "GET {path}: {}", reply.body);
        reply.json()
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Wait for the process to end by itself, up to `limit`.
    pub fn wait_exit(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP response, read whole.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

/// One HTTP/1.1 exchange over a fresh loopback connection, closed after the reply.
pub fn request(addr: &str, method: &str, path: &str, body: Option<&str>) -> Reply {
    let mut stream = TcpStream::connect(addr).unwrap_or_else(|e| panic!("connect {addr}: {e}"));
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .expect("timeout");
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nAccept: application/json\r\n"
    );
    if let Some(b) = body {
        head.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            b.len()
        ));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).expect("send");
    if let Some(b) = body {
        stream.write_all(b.as_bytes()).expect("send body");
    }
    read_reply(&mut stream)
}

/// Read one response: headers, then a body delimited by Content-Length, chunked encoding, or the
/// end of the connection. Not every server honours `Connection: close` (chromedriver keeps the
/// socket open), so the length must be respected rather than waiting for EOF.
fn read_reply(stream: &mut TcpStream) -> Reply {
    let mut raw = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    let split = loop {
        if let Some(at) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break at;
        }
        let n = stream.read(&mut buf).expect("read reply");
        assert!(n > 0, "connection closed before the headers ended");
        raw.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .expect("status line");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    let find = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    let mut body = raw[split + 4..].to_vec();
    let chunked = find("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked"));
    if let Some(len) = find("content-length").and_then(|v| v.parse::<usize>().ok()) {
        while body.len() < len {
            let n = stream.read(&mut buf).expect("read body");
            assert!(n > 0, "connection closed inside the body");
            body.extend_from_slice(&buf[..n]);
        }
        body.truncate(len);
    } else if chunked {
        while !body.ends_with(b"0\r\n\r\n") {
            let n = stream.read(&mut buf).expect("read chunks");
            if n == 0 {
                break;
            }
            body.extend_from_slice(&buf[..n]);
        }
        body = dechunk(&body);
    } else {
        stream.read_to_end(&mut body).expect("read to close");
    }
    Reply {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(eol) = data.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let size_text = String::from_utf8_lossy(&data[..eol]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("0").trim(), 16)
            .unwrap_or(0);
        if size == 0 || data.len() < eol + 2 + size {
            return out;
        }
        out.extend_from_slice(&data[eol + 2..eol + 2 + size]);
        data = &data[(eol + 4 + size).min(data.len())..];
    }
}

/// Percent-encode one query-string component.
pub fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn headlines(results: &Value) -> Vec<String> {
    results["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|h| h["headline"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn first_id(server: &Server, query: &str) -> String {
    let results = server.json(&format!("/api/search?q={}", enc(query)));
    results["hits"][0]["id"]
        .as_str()
        .expect("an id")
        .to_string()
}

#[test]
fn search_returns_hits_with_highlights_in_code_points() {
    let corpus = Corpus::new();
    let server = Server::start(&corpus.index_path());
    let results = server.json("/api/search?q=ceasefire&limit=10");
    assert_eq!(results["total"], 4, "{results}");
    assert_eq!(results["query"], "ceasefire");
    for hit in results["hits"].as_array().unwrap() {
        let snippet: Vec<char> = hit["snippet"].as_str().unwrap().chars().collect();
        let marks = hit["highlights"].as_array().unwrap();
        assert!(!marks.is_empty(), "no highlight in {hit}");
        for m in marks {
            let (a, b) = (
                m[0].as_u64().unwrap() as usize,
                m[1].as_u64().unwrap() as usize,
            );
            let marked: String = snippet[a..b].iter().collect();
            assert!(marked.to_lowercase().starts_with("ceasefire"), "{marked:?}");
        }
    }
    // The headline with an emoji before the match: offsets must count code points.
    let zurich = server.json("/api/search?q=headline%3Aceasefire+Z%C3%BCrich");
    let hit = &zurich["hits"][0];
    let headline: Vec<char> = hit["headline"].as_str().unwrap().chars().collect();
    let marked: Vec<String> = hit["headline_highlights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            let (a, b) = (
                m[0].as_u64().unwrap() as usize,
                m[1].as_u64().unwrap() as usize,
            );
            headline[a..b].iter().collect()
        })
        .collect();
    assert!(marked.contains(&"ceasefire".to_string()), "{marked:?}");
    assert!(marked.contains(&"Zürich".to_string()), "{marked:?}");
}

#[test]
fn filters_and_facets_agree_with_totals() {
    let corpus = Corpus::new();
    let server = Server::start(&corpus.index_path());

    let all = server.json("/api/search?facet=source&facet=section");
    assert_eq!(all["total"], corpus.total());
    let sources = all["facets"]["source"].as_array().unwrap();
    let sum: u64 = sources.iter().map(|f| f["count"].as_u64().unwrap()).sum();
    assert_eq!(sum, corpus.total() as u64, "{sources:?}");
    let sections = all["facets"]["section"].as_array().unwrap();
    assert!(
        sections.iter().any(|f| f["value"] == "world"),
        "{sections:?}"
    );

    let reuters = server.json("/api/search?q=ceasefire&source=Reuters");
    assert_eq!(reuters["total"], 2, "{reuters}");
    assert!(
        reuters["hits"]
            .as_array()
            .unwrap()
            .iter()
            .all(|h| h["source"] == "Reuters")
    );
    let facet = &reuters["facets"]["source"];
    assert_eq!(facet[0]["value"], "Reuters");
    assert_eq!(facet[0]["count"], 2);

    // Repeated values of one filter are alternatives.
    let both = server.json(&format!(
        "/api/search?source=Reuters&source={}",
        enc("Associated Press")
    ));
    assert_eq!(both["total"], corpus.total());
    let ap_only = server.json(&format!("/api/search?source={}", enc("associated press")));
    assert_eq!(ap_only["total"], corpus.count_from("Associated Press"));

    let section = server.json("/api/search?section=world&q=ceasefire");
    assert_eq!(section["total"], 4);

    let paged = server.json("/api/search?limit=2&offset=2&sort=newest");
    assert_eq!(paged["hits"].as_array().unwrap().len(), 2);
    assert_eq!(paged["offset"], 2);
    assert_eq!(paged["limit"], 2);
}

/// Facet counts by hand from every hit: articles per value, for source and the entity kinds.
fn hand_facets(results: &Value) -> std::collections::BTreeMap<String, Vec<(String, u64)>> {
    let mut counts: std::collections::BTreeMap<String, std::collections::HashMap<String, u64>> =
        Default::default();
    for hit in results["hits"].as_array().unwrap() {
        let source = hit["source"].as_str().unwrap().to_string();
        *counts
            .entry("source".into())
            .or_default()
            .entry(source)
            .or_default() += 1;
        for kind in ["person", "org", "place"] {
            for name in hit["entities"][kind].as_array().into_iter().flatten() {
                let name = name.as_str().unwrap().to_string();
                *counts
                    .entry(kind.into())
                    .or_default()
                    .entry(name)
                    .or_default() += 1;
            }
        }
    }
    counts
        .into_iter()
        .map(|(facet, values)| {
            let mut values: Vec<(String, u64)> = values.into_iter().collect();
            values.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            (facet, values)
        })
        .collect()
}

fn facet_list(results: &Value, facet: &str) -> Vec<(String, u64)> {
    results["facets"][facet]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| {
            (
                f["value"].as_str().unwrap().to_string(),
                f["count"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// The server counts facets through dictionaries merged across segments, the CLI through
/// per-segment dictionaries; over an index of several commits both must equal a hand count.
#[test]
fn merged_facet_dictionaries_count_like_the_cli_and_by_hand() {
    let corpus = Corpus::new();
    corpus.add(
        "late",
        "Cairo talks draw envoys from Reuters bureau",
        "Envoys met in Cairo and Geneva on Tuesday; Ahmed Hassan of the United Nations spoke.",
        "Reuters",
    );
    corpus.add(
        "later",
        "Geneva talks resume as Cairo waits",
        "Maria Lopez of the Red Cross said in Geneva that Ahmed Hassan would return to Cairo.",
        "Associated Press",
    );
    let server = Server::start(&corpus.index_path());
    for query in ["", "ceasefire", "cairo OR rates", "talks"] {
        let wide = server.json(&format!(
            "/api/search?limit=100&facet_size=100&facet=source,person,org,place&q={}",
            enc(query)
        ));
        let total = wide["total"].as_u64().unwrap();
        assert!(total > 0 && total <= 100, "{query:?}: {wide}");
        let hand = hand_facets(&wide);
        if query.is_empty() {
            for facet in ["source", "person", "place"] {
                assert!(
                    hand.get(facet).is_some_and(|v| v.len() > 1),
                    "{facet}: {hand:?}"
                );
            }
        }
        for facet in ["source", "person", "org", "place"] {
            let expected = hand.get(facet).cloned().unwrap_or_default();
            assert_eq!(facet_list(&wide, facet), expected, "{facet} for {query:?}");
        }
        let top = server.json(&format!(
            "/api/search?facet=source,person,org,place&q={}",
            enc(query)
        ));
        let cli = cli_search_with_entity_facets(query, &corpus.index_path());
        let cli: Value = serde_json::from_slice(&cli.stdout).expect("CLI json");
        for facet in ["source", "person", "org", "place"] {
            let expected: Vec<(String, u64)> = hand
                .get(facet)
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .take(10)
                .collect();
            assert_eq!(
                facet_list(&top, facet),
                expected,
                "server {facet} for {query:?}"
            );
            assert_eq!(
                facet_list(&cli, facet),
                expected,
                "CLI {facet} for {query:?}"
            );
        }
    }
}

#[test]
fn a_timeout_that_is_not_a_positive_number_of_seconds_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    for bad in ["0", "-3", "soon"] {
        let out = crate::common::bin()
            .args(["serve", "--index"])
            .arg(dir.path())
            .args(["--addr", "127.0.0.1:0"])
            .arg(format!("--timeout={bad}"))
            .output()
            .unwrap();
        assert!(!out.status.success(), "--timeout {bad} was accepted");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("--timeout") && err.contains(bad), "{err}");
    }
}

#[test]
fn bad_requests_get_json_errors() {
    let corpus = Corpus::new();
    let server = Server::start(&corpus.index_path());

    let unclosed = server.get(&format!("/api/search?q={}", enc("ceasefire \"unclosed")));
    assert_eq!(unclosed.status, 400, "{}", unclosed.body);
    let body = unclosed.json();
    assert_eq!(body["position"], 10, "{body}");
    assert!(body["error"].as_str().unwrap().contains("quote"), "{body}");
    assert!(
        unclosed
            .header("content-type")
            .unwrap()
            .starts_with("application/json")
    );

    for (path, names) in [
        ("/api/search?limit=abc", "limit"),
        ("/api/search?limit=101", "limit"),
        ("/api/search?offset=x", "offset"),
        ("/api/search?sort=sideways", "sort"),
        ("/api/search?since=yesterday", "since"),
        ("/api/search?facet=colour", "colour"),
        ("/api/search?sources=Reuters", "sources"),
        ("/api/search?q=a&q=b", "q"),
        ("/api/stats?x=1", "x"),
        ("/api/articles/abc/related?limit=0", "limit"),
    ] {
        let reply = server.get(path);
        assert_eq!(reply.status, 400, "{path}: {}", reply.body);
        let message = reply.json()["error"].as_str().unwrap().to_string();
        assert!(message.contains(names), "{path}: {message}");
    }

    let long = "a".repeat(1001);
    assert_eq!(server.get(&format!("/api/search?q={long}")).status, 400);
    let huge = "a".repeat(20_000);
    assert_eq!(server.get(&format!("/api/search?q={huge}")).status, 414);

    let missing = server.get("/api/articles/0000000000000000");
    assert_eq!(missing.status, 404);
    assert!(missing.json()["error"].is_string());
    assert_eq!(server.get("/api/articles/nope/related").status, 404);
    let post = request(&server.addr, "POST", "/api/search", Some("{}"));
    assert_eq!(post.status, 405);
    let refused = post.json()["error"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(refused.starts_with("method not allowed"), "{refused}");
    let undecodable = server.get("/api/articles/%FF");
    assert_eq!(undecodable.status, 404);
    assert!(undecodable.json()["error"].is_string());
    assert_eq!(server.get("/api/nothing").status, 404);
    assert_eq!(
        server.get("/api/nothing").json()["error"],
        "no such API endpoint"
    );
}

#[test]
fn article_endpoint_returns_text_and_mention_offsets() {
    let corpus = Corpus::new();
    let server = Server::start(&corpus.index_path());
    let id = first_id(&server, "headline:Zürich");
    let article = server.json(&format!("/api/articles/{id}"));
    assert_eq!(article["id"], id.as_str());
    assert_eq!(article["source"], "Reuters");
    assert_eq!(article["section"], "world");
    let headline = article["headline"].as_str().unwrap();
    assert_eq!(headline, "Café owners in Zürich 🎉 welcome ceasefire news");
    let text = article["text"].as_str().unwrap();
    assert!(text.starts_with(&format!("{headline}\n\n")));
    let body_start = article["body_start"].as_u64().unwrap() as usize;
    assert_eq!(body_start, headline.chars().count() + 2);
    assert!(article["body"].as_str().unwrap().contains("old town"));
    let text_chars: Vec<char> = text.chars().collect();
    for m in article["mentions"].as_array().expect("mentions list") {
        let (a, b) = (
            m["start"].as_u64().unwrap() as usize,
            m["end"].as_u64().unwrap() as usize,
        );
        assert_eq!(text_chars[a..b].iter().collect::<String>(), m["text"]);
    }
}

/// A book-length document (a long manual) took the article view past its deadline, because
/// every request tagged the whole text for names. The view now marks names in the first part,
/// up to a paragraph break, and says where it stopped.
#[test]
fn regression_a_book_length_article_view_outlived_its_deadline() {
    let corpus = Corpus::new();
    let paragraph = "The harbour board in Velmore met again on Monday and agreed the budget.";
    let mut body = String::from("Edda Marrow opened the harbour report in Velmore.");
    while body.len() < 600_000 {
        body.push_str("\n\n");
        body.push_str(paragraph);
    }
    body.push_str("\n\nHalvard Quist closed the report.");
    corpus.add("book", "Harbour report of the year", &body, "Reuters");
    // What is tested is where marking stops, not how fast: a debug build on a loaded machine
    // may tag 400,000 characters slower than the default 5 s deadline.
    let server = Server::start_on(&[
        "--index".into(),
        corpus.index_path().into(),
        "--timeout".into(),
        "120".into(),
    ]);
    let id = first_id(&server, "headline:\"harbour report of the year\"");
    let article = server.json(&format!("/api/articles/{id}"));
    let text_chars = article["text"].as_str().expect("text").chars().count();
    let until = article["mentions_until"].as_u64().expect("mentions_until") as usize;
    assert!(
        until > 300_000 && until < text_chars,
        "{until} of {text_chars}"
    );
    let mentions = article["mentions"].as_array().expect("mentions list");
    let names: Vec<&str> = mentions.iter().filter_map(|m| m["text"].as_str()).collect();
    assert!(names.contains(&"Edda Marrow"), "{names:?}");
    assert!(!names.contains(&"Halvard Quist"), "{names:?}");
    assert!(
        mentions
            .iter()
            .all(|m| m["end"].as_u64().is_some_and(|e| e as usize <= until))
    );
    // A short article is read whole and says nothing of a limit.
    let short = first_id(&server, "headline:Zürich");
    assert!(
        server
            .json(&format!("/api/articles/{short}"))
            .get("mentions_until")
            .is_none()
    );
}

/// Articles of made-up words, every one carrying "harbour" in each sentence, indexed by the
/// real binary without names (what is timed is searching, not tagging).
fn generated_index(dir: &Path, articles: usize, sentences: usize) -> PathBuf {
    const SYLLABLES: [&str; 12] = [
        "ka", "lo", "mi", "ren", "tus", "vo", "dra", "pel", "sun", "gor", "bi", "fe",
    ];
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) as usize
    };
    let root = dir.join("made-up");
    std::fs::create_dir_all(&root).expect("mkdir");
    for i in 0..articles {
        let mut body = String::new();
        for _ in 0..sentences {
            body.push_str("The harbour");
            for _ in 0..10 {
                body.push(' ');
                for _ in 0..2 + next() % 2 {
                    body.push_str(SYLLABLES[next() % SYLLABLES.len()]);
                }
            }
            body.push_str(". ");
        }
        write_article(
            &root.join(format!("a{i}.txt")),
            &format!("Harbour report number {i}"),
            &body,
            "Made-Up Gazette",
        );
    }
    let index = dir.join("idx");
    let out = Command::new(BIN)
        .arg("index")
        .arg(&root)
        .arg("--index")
        .arg(&index)
        .args(["--source", "Made-Up Gazette", "--no-entities", "--quiet"])
        .output()
        .expect("run newsdex index");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    index
}

/// A server with its own deadline and no memory of answers (every request is a search), after a
/// first search has built what later ones share, so that no timing below pays for it.
fn serve_with_timeout(index: &Path, seconds: f64) -> Server {
    let location: Vec<std::ffi::OsString> = vec![
        "--index".into(),
        index.into(),
        "--timeout".into(),
        format!("{seconds:.4}").into(),
        "--no-cache".into(),
    ];
    let server = Server::start_on(&location);
    server.get("/api/search?q=zzzz");
    server
}

/// The quickest of `tries` requests for `path`, each of them answered with `status`; returns the
/// time and the last reply. The quickest, because a loaded machine only ever adds time.
fn quickest(server: &Server, path: &str, status: u16, tries: usize) -> (Duration, Reply) {
    let mut best = Duration::MAX;
    let mut last = None;
    for _ in 0..tries {
        let started = Instant::now();
        let reply = server.get(path);
        best = best.min(started.elapsed());
        assert_eq!(reply.status, status, "{path}: {}", reply.body);
        last = Some(reply);
    }
    (best, last.expect("at least one try"))
}

/// A search past the server's deadline stops itself: the 503 comes at about the deadline, not
/// when the whole search would have ended. The deadline is a tenth of the same search's own time
/// measured here (book-length articles: snippets and stored texts are most of it), so the test
/// holds on a fast machine and on a loaded one alike.
#[test]
fn a_search_past_its_deadline_gets_its_503_near_the_deadline() {
    let dir = tempfile::tempdir().expect("temp dir");
    let index = generated_index(dir.path(), 150, 2000);
    let slow = "/api/search?q=harbour&match=all&limit=100&facet=source,section";
    let patient = serve_with_timeout(&index, 600.0);
    let (uncut, whole) = quickest(&patient, slow, 200, 3);
    let total = whole.json()["total"].as_u64().expect("total");
    assert_eq!(total, 150);
    assert!(
        uncut > Duration::from_millis(20),
        "the search took only {uncut:?}: too quick to tell a cut search from a whole one"
    );

    let deadline = uncut.as_secs_f64() / 10.0;
    let hurried = serve_with_timeout(&index, deadline.max(0.001));
    let (cut, late) = quickest(&hurried, slow, 503, 3);
    assert!(late.body.contains("too long"), "{}", late.body);
    assert!(
        cut < uncut / 2,
        "503 after {cut:?}; deadline {deadline:.4} s, the whole search {uncut:?}"
    );

    // The command line has no deadline: the same search runs to its end.
    let out = Command::new(BIN)
        .args([
            "search", "harbour", "--match", "all", "--limit", "100", "--json",
        ])
        .arg("--index")
        .arg(&index)
        .output()
        .expect("run newsdex search");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cli: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(cli["total"].as_u64(), Some(total));
    assert_eq!(
        headlines(&cli),
        headlines(&whole.json()),
        "the CLI and the patient server rank alike"
    );
}

/// A batch past the server's deadline stops at it: one deadline covers the list, checked before
/// each query and handed into each search. Four such batches at once (the server's fewest turns)
/// all get their 503 at about the deadline, and a search right after is answered, not "busy":
/// none of them runs on holding its turn. Within its deadline the same batch answers every line.
#[test]
fn a_batch_past_its_deadline_gets_its_503_near_the_deadline_and_frees_its_turn() {
    let dir = tempfile::tempdir().expect("temp dir");
    let index = generated_index(dir.path(), 150, 200);
    let lines = 1000;
    let body =
        serde_json::json!({"text": "harbour\n".repeat(lines), "per_source": true}).to_string();
    let run = |server: &Server| {
        let started = Instant::now();
        let reply = request(&server.addr, "POST", "/api/batch?match=all", Some(&body));
        (started.elapsed(), reply)
    };
    let patient = serve_with_timeout(&index, 600.0);
    let mut uncut = Duration::MAX;
    for _ in 0..3 {
        let (took, whole) = run(&patient);
        assert_eq!(whole.status, 200, "{}", whole.body);
        let rows = whole.json()["rows"].as_array().expect("rows").clone();
        assert_eq!(rows.len(), lines);
        assert!(rows.iter().all(|r| r["total"] == 150), "{}", rows[0]);
        uncut = uncut.min(took);
    }
    assert!(
        uncut > Duration::from_millis(20),
        "the batch took only {uncut:?}: too quick to tell a cut batch from a whole one"
    );

    let deadline = uncut.as_secs_f64() / 10.0;
    let hurried = serve_with_timeout(&index, deadline.max(0.001));
    let cut = std::thread::scope(|scope| {
        let batches: Vec<_> = (0..4).map(|_| scope.spawn(|| run(&hurried))).collect();
        let mut quickest = Duration::MAX;
        for batch in batches {
            let (took, late) = batch.join().expect("batch thread");
            let head: String = late.body.chars().take(200).collect();
            assert_eq!(late.status, 503, "{head}");
            assert!(late.body.contains("too long"), "{}", late.body);
            quickest = quickest.min(took);
        }
        quickest
    });
    assert!(
        cut < uncut / 2,
        "503 after {cut:?}; deadline {deadline:.4} s, the whole batch {uncut:?}"
    );
    let after = hurried.get("/api/search?q=zzzz");
    assert_eq!(after.status, 200, "{}", after.body);
}

/// An export's deadline holds only until its first row: once rows flow the export runs to its
/// end, so one that takes ten times the deadline still sends every row, whole.
#[test]
fn an_export_longer_than_its_deadline_still_sends_every_row() {
    let dir = tempfile::tempdir().expect("temp dir");
    let index = generated_index(dir.path(), 150, 2000);
    let path = "/api/export?q=harbour&match=all&format=jsonl&fields=id,headline,snippet";
    let patient = serve_with_timeout(&index, 600.0);
    let (whole, all) = quickest(&patient, path, 200, 3);
    assert!(
        whole > Duration::from_millis(20),
        "the export took only {whole:?}: too quick to outlast a deadline of a tenth"
    );
    let rows = all.body.lines().count();
    assert_eq!(rows, 150);
    let hurried = serve_with_timeout(&index, (whole.as_secs_f64() / 10.0).max(0.001));
    let long = hurried.get(path);
    assert_eq!(long.status, 200);
    assert_eq!(
        long.body, all.body,
        "the hurried export differs (took ten deadlines: {whole:?})"
    );
}

#[test]
fn related_finds_the_same_story_elsewhere() {
    let corpus = Corpus::new();
    let server = Server::start(&corpus.index_path());
    let id = first_id(&server, "headline:\"talks resume\"");
    let related = server.json(&format!("/api/articles/{id}/related?limit=3"));
    let hits = related["hits"].as_array().unwrap();
    assert!(!hits.is_empty(), "{related}");
    assert!(hits.len() <= 3);
    assert!(hits.iter().all(|h| h["id"] != id.as_str()), "{related}");
    assert_eq!(
        hits[0]["headline"], "Ceasefire holds for a second day",
        "{related}"
    );
    for key in ["id", "headline", "source", "date", "score"] {
        assert!(hits[0].get(key).is_some(), "{key} missing: {}", hits[0]);
    }
}

#[test]
fn stats_and_page_assets() {
    let corpus = Corpus::new();
    let server = Server::start(&corpus.index_path());
    let stats = server.json("/api/stats");
    assert_eq!(stats["documents"], corpus.total());
    assert_eq!(stats["sources"].as_array().unwrap().len(), 2);

    let page = server.get("/?q=ceasefire&source=Reuters");
    assert_eq!(page.status, 200);
    assert!(
        page.header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
    assert!(page.body.contains("/app.js"));
    let csp = page.header("content-security-policy").expect("CSP header");
    assert!(csp.contains("default-src 'self'"), "{csp}");
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"));
    let script = server.get("/app.js");
    assert!(
        script
            .header("content-type")
            .unwrap()
            .starts_with("text/javascript")
    );
    assert!(
        !script.body.contains("innerHTML"),
        "the page must not parse markup"
    );
    assert!(server.get("/app.css").body.contains("@media"));

    // Only embedded files exist: no path reaches the disk.
    for path in [
        "/../Cargo.toml",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/app.js/../../etc/passwd",
        "/assets/app.js",
        "/src/server/mod.rs",
    ] {
        let reply = server.get(path);
        assert_eq!(reply.status, 404, "{path}: {}", reply.body);
        assert!(!reply.body.contains("root:"), "{path}");
    }
}

/// Every module the page's entry imports, however deep, is served as JavaScript under the page's
/// CSP: a browser refuses a module sent with another type, and one missing stops the whole page.
#[test]
fn every_module_the_entry_imports_is_served_as_javascript_with_the_csp() {
    let corpus = Corpus::new();
    let server = Server::start(&corpus.index_path());
    let page = server.get("/");
    assert!(
        page.body
            .contains(r#"<script type="module" src="/app.js"></script>"#),
        "{}",
        page.body
    );
    let csp = page.header("content-security-policy").expect("CSP header");
    let mut served = std::collections::BTreeSet::new();
    let mut pending = vec!["/app.js".to_string()];
    while let Some(path) = pending.pop() {
        if !served.insert(path.clone()) {
            continue;
        }
        let module = server.get(&path);
        assert_eq!(module.status, 200, "{path}: {}", module.body);
        assert_eq!(
            module.header("content-type"),
            Some("text/javascript; charset=utf-8"),
            "{path}"
        );
        assert_eq!(
            module.header("content-security-policy"),
            Some(csp),
            "{path}"
        );
        assert!(
            !module.body.contains("innerHTML"),
            "{path}: the page must not parse markup"
        );
        pending.extend(
            module_imports(&module.body)
                .iter()
                .map(|spec| resolve_import(&path, spec)),
        );
    }
    // Every script in the source folder is reached, which also shows the imports were followed.
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/server/assets");
    let on_disk: std::collections::BTreeSet<String> = std::fs::read_dir(&folder)
        .expect("the assets folder")
        .map(|entry| {
            entry
                .expect("a folder entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|name| name.ends_with(".js"))
        .map(|name| format!("/{name}"))
        .collect();
    assert_eq!(
        served,
        on_disk,
        "modules the page loads (left) against the scripts in {} (right)",
        folder.display()
    );
}

/// The specifiers of a module's static imports: each statement that starts a line with `import`
/// (possibly spanning lines up to its `;`) or a one-line `export ... from`, and ends in a quoted name.
fn module_imports(source: &str) -> Vec<String> {
    let mut specs = Vec::new();
    let mut statement = String::new();
    for line in source.lines().map(str::trim) {
        let starts = line.starts_with("import ")
            || line.starts_with("import{")
            || line.starts_with("import\"")
            || (line.starts_with("export ") && line.contains(" from "));
        if statement.is_empty() && !starts {
            continue;
        }
        statement.push_str(line);
        statement.push(' ');
        if !line.ends_with(';') {
            continue;
        }
        let quoted = statement.trim_end().trim_end_matches(';').trim_end();
        let quote = quoted.chars().last().expect("a statement");
        assert!(
            quote == '"' || quote == '\'',
            "not a static import: {statement}"
        );
        let inner = &quoted[..quoted.len() - 1];
        let start = inner.rfind(quote).expect("an opening quote") + 1;
        specs.push(inner[start..].to_string());
        statement.clear();
    }
    specs
}

/// An import specifier resolved against the path of the module holding it, as a browser does;
/// only relative specifiers work without an import map.
fn resolve_import(from: &str, spec: &str) -> String {
    assert!(
        spec.starts_with("./") || spec.starts_with("../"),
        "{from} imports {spec:?}, not a relative path"
    );
    let mut parts: Vec<&str> = from.split('/').filter(|p| !p.is_empty()).collect();
    parts.pop();
    for part in spec.split('/') {
        match part {
            "." => {}
            ".." => {
                parts.pop();
            }
            name => parts.push(name),
        }
    }
    format!("/{}", parts.join("/"))
}

#[test]
fn commits_made_while_serving_appear() {
    let corpus = Corpus::new();
    let server = Server::start(&corpus.index_path());
    let before = server.json("/api/search?q=zeppelin");
    assert_eq!(before["total"], 0);
    assert!(before.get("cached").is_none(), "{before}");
    // Asked again before any commit, the answer comes from the server's recent results. The
    // engine's first look at the index folder may reload its reader once even with no commit,
    // which empties the cache; so ask a few times: one of them must be answered from it.
    let mut again = server.json("/api/search?q=zeppelin");
    for _ in 0..20 {
        if again["cached"] == true {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
        again = server.json("/api/search?q=zeppelin");
    }
    assert_eq!(again["cached"], true, "{again}");
    assert_eq!(again["total"], 0);
    // ...which a commit must invalidate (checked by the loop below).
    corpus.add(
        "late",
        "Zeppelin lands at the airfield",
        "A restored zeppelin landed at the airfield on Sunday.",
        "Reuters",
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let now = server.json("/api/search?q=zeppelin");
        if now["total"] == 1 {
            assert_eq!(headlines(&now), vec!["Zeppelin lands at the airfield"]);
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the new article did not appear within 10 s"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    assert_eq!(server.json("/api/stats")["documents"], corpus.total() + 1);
}

#[test]
fn sigterm_stops_the_server_cleanly() {
    let corpus = Corpus::new();
    let mut server = Server::start(&corpus.index_path());
    assert_eq!(server.get("/api/stats").status, 200);
    let killed = Command::new("kill")
        .args(["-TERM", &server.pid().to_string()])
        .status()
        .expect("run kill");
    assert!(killed.success());
    let status = server
        .wait_exit(Duration::from_secs(10))
        .expect("the server did not stop on SIGTERM");
    assert!(status.success(), "{status:?}");
}

#[test]
fn explain_true_reports_the_query_and_each_hits_score() {
    let corpus = Corpus::new();
    let server = Server::start(&corpus.index_path());
    let plain = server.json("/api/search?q=ceasefire+talks");
    assert!(plain.get("explanation").is_none(), "{plain}");
    let r = server.json("/api/search?q=ceasefire+talks&explain=true");
    assert_eq!(r["total"], plain["total"]);
    let leaves = r["explanation"]["leaves"].as_array().unwrap();
    assert_eq!(leaves[0]["text"], "ceasefire");
    assert_eq!(leaves[1]["terms"][0], "talk");
    assert_eq!(leaves[1]["role"], "required");
    for hit in r["hits"].as_array().unwrap() {
        let value = hit["explanation"]["value"].as_f64().unwrap();
        assert!(
            (value - hit["score"].as_f64().unwrap()).abs() < 1e-3,
            "{hit}"
        );
    }
    let bad = server.get("/api/search?q=x&explain=maybe");
    assert_eq!(bad.status, 400);
}

/// The server keeps facet values ordered by how many articles carry them, which is not the order
/// of their names: two values with the same count in a result must still come out by name, and a
/// short list must keep the one whose name comes first, as the CLI's count does.
#[test]
fn facet_ties_break_by_name_not_by_how_common_the_value_is() {
    let corpus = Corpus::new();
    let server = Server::start(&corpus.index_path());
    // "world" is the most common section of the corpus, "business" has one article: both once here.
    let query = "/api/search?q=rates%20OR%20owners&facet=section";
    let both = server.json(query);
    assert_eq!(
        facet_list(&both, "section"),
        vec![("business".to_string(), 1), ("world".to_string(), 1)],
        "{both}"
    );
    let first = server.json(&format!("{query}&facet_size=1"));
    assert_eq!(
        facet_list(&first, "section"),
        vec![("business".to_string(), 1)],
        "{first}"
    );
    let everything = server.json("/api/search?facet=section&facet_size=1");
    assert_eq!(
        facet_list(&everything, "section"),
        vec![("world".to_string(), 4)],
        "{everything}"
    );
}

/// The server counts facets apart from the ranking pass, on a thread of its own beside the
/// snippets, through dictionaries ordered by how common each value is; the CLI counts them inside
/// the ranking pass through per-segment dictionaries. On the real articles of `corpus/`, indexed
/// in several commits so the index has several segments, both must give the hand count, in long
/// lists and in short ones (where ties at the cut decide what is shown).
#[test]
fn facets_counted_beside_the_snippets_equal_a_hand_count_and_the_cli() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let dir = tempfile::tempdir().expect("temp dir");
    let index = dir.path().join("idx");
    for section in [
        "politics", "world", "business", "sport", "science", "culture",
    ] {
        let out = Command::new(BIN)
            .arg("index")
            .arg(corpus.join(section))
            .arg("--index")
            .arg(&index)
            .arg("--quiet")
            .output()
            .expect("run newsdex index");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let server = Server::start(&index);
    let facets = ["source", "person", "org", "place"];
    let mut compared = 0;
    for query in [
        "",
        "meridian",
        "council OR bank OR rovers",
        "\"prime minister\"",
    ] {
        let wide = server.json(&format!(
            "/api/search?limit=100&facet_size=100&facet=source,person,org,place&q={}",
            enc(query)
        ));
        let total = wide["total"].as_u64().unwrap();
        assert!(total > 0 && total <= 100, "{query:?}: {wide}");
        let hand = hand_facets(&wide);
        let cli = cli_search_with_entity_facets(query, &index);
        assert!(
            cli.status.success(),
            "{}",
            String::from_utf8_lossy(&cli.stderr)
        );
        let cli: Value = serde_json::from_slice(&cli.stdout).expect("CLI json");
        for size in [2usize, 10, 100] {
            let served = server.json(&format!(
                "/api/search?limit=3&facet_size={size}&facet=source,person,org,place&q={}",
                enc(query)
            ));
            for facet in facets {
                let expected: Vec<(String, u64)> = hand
                    .get(facet)
                    .cloned()
                    .unwrap_or_default()
                    .into_iter()
                    .take(size)
                    .collect();
                assert_eq!(
                    facet_list(&served, facet),
                    expected,
                    "{facet} of {query:?}, {size}"
                );
                if size == 10 {
                    assert_eq!(
                        facet_list(&cli, facet),
                        expected,
                        "CLI {facet} of {query:?}"
                    );
                }
                compared += expected.len();
            }
        }
    }
    assert!(compared > 50, "too few facet values compared: {compared}");
}

/// `newsdex search QUERY --json --facet source,person,org,place` on `index`, as a user would run it.
fn cli_search_with_entity_facets(query: &str, index: &std::path::Path) -> std::process::Output {
    Command::new(BIN)
        .args([
            "search",
            query,
            "--json",
            "--facet",
            "source,person,org,place",
        ])
        .arg("--index")
        .arg(index)
        .output()
        .expect("run newsdex search")
}
