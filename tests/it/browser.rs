//! The web page in a real headless Chromium, driven through chromedriver's W3C WebDriver API:
//! type a query, see results, click a facet, see the filter in the URL and the results, open an
//! article. The article whose headline is markup must show as text and run nothing. Skips with a
//! message when no browser is installed. Screenshots go to `target/test-artifacts/`.
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::server::{Corpus, HOSTILE_HEADLINE, Server, enc, request};

const BROWSERS: &[&str] = &[
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/usr/bin/google-chrome",
];
const DRIVERS: &[&str] = &["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"];

fn first_existing(paths: &[&str]) -> Option<PathBuf> {
    paths.iter().map(PathBuf::from).find(|p| p.exists())
}

/// Chromium and its driver, or `None` after saying the browser tests skip.
fn installed_browser() -> Option<(PathBuf, PathBuf)> {
    let found = first_existing(BROWSERS).zip(first_existing(DRIVERS));
    if found.is_none() {
        eprintln!(
            "SKIP browser test: no Chromium and chromedriver installed (apt-get install chromium chromium-driver)"
        );
    }
    found
}

fn artifacts() -> PathBuf {
    let target = option_env!("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    let dir = target.join("test-artifacts");
    std::fs::create_dir_all(&dir).expect("create target/test-artifacts");
    dir
}

/// A chromedriver process and one browser session in it; both end when dropped.
struct Browser {
    driver: Child,
    addr: String,
    session: String,
    _profile: tempfile::TempDir,
}

impl Browser {
    fn start(chromium: &Path, chromedriver: &Path) -> Browser {
        let port = free_port();
        let driver = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let addr = format!("127.0.0.1:{port}");
        wait_for_driver(&addr);
        let profile = tempfile::tempdir().expect("profile dir");
        let args = vec![
            "--headless".to_string(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-quic".into(),
            "--no-first-run".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--disable-dev-shm-usage".into(),
            "--window-size=1280,900".into(),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": chromium.to_string_lossy(), "args": args},
            "goog:loggingPrefs": {"browser": "ALL"}
        }}});
        let mut browser = Browser {
            driver,
            addr,
            session: String::new(),
            _profile: profile,
        };
        let created = browser.call("POST", "/session", Some(caps));
        browser.session = created["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {created}"))
            .to_string();
        browser
    }

    /// One WebDriver command; panics with the driver's message on error.
    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let text = body.map(|b| b.to_string());
        let reply = request(&self.addr, method, path, text.as_deref());
        let value: Value = serde_json::from_str(&reply.body)
            .unwrap_or_else(|e| panic!("webdriver {path}: {e}: {}", reply.body));
        assert_eq!(reply.status, 200, "webdriver {method} {path}: {value}");
        value["value"].clone()
    }

    fn session_call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        self.call(method, &format!("/session/{}{path}", self.session), body)
    }

    fn go(&self, url: &str) {
        self.session_call("POST", "/url", Some(json!({ "url": url })));
    }

    fn url(&self) -> String {
        self.session_call("GET", "/url", None)
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    fn run(&self, script: &str) -> Value {
        self.session_call(
            "POST",
            "/execute/sync",
            Some(json!({ "script": script, "args": [] })),
        )
    }

    fn find(&self, css: &str) -> String {
        let found = self.session_call(
            "POST",
            "/element",
            Some(json!({ "using": "css selector", "value": css })),
        );
        // The W3C element reference is an object with one opaque key.
        found
            .as_object()
            .and_then(|o| o.values().next())
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("no element {css}: {found}"))
            .to_string()
    }

    fn click(&self, css: &str) {
        let element = self.find(css);
        self.session_call(
            "POST",
            &format!("/element/{element}/click"),
            Some(json!({})),
        );
    }

    fn type_into(&self, css: &str, text: &str) {
        let element = self.find(css);
        self.session_call(
            "POST",
            &format!("/element/{element}/value"),
            Some(json!({ "text": text })),
        );
    }

    /// Poll a script until it returns true, up to 10 s.
    fn wait_until(&self, what: &str, script: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if self.run(script) == Value::Bool(true) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!(
            "timed out waiting for {what}; page status: {}",
            self.run("return document.getElementById('status').textContent")
        );
    }

    fn screenshot(&self, name: &str) -> PathBuf {
        let data = self.session_call("GET", "/screenshot", None);
        let png = base64_decode(data.as_str().expect("base64 screenshot"));
        let path = artifacts().join(name);
        std::fs::write(&path, png).expect("write screenshot");
        path
    }

    /// Console messages at SEVERE level since the last call: script errors and CSP violations.
    fn console_errors(&self) -> Vec<String> {
        let log = self.session_call("POST", "/se/log", Some(json!({ "type": "browser" })));
        log.as_array()
            .into_iter()
            .flatten()
            .filter(|entry| entry["level"] == "SEVERE")
            .map(|entry| entry["message"].as_str().unwrap_or_default().to_string())
            .collect()
    }

    fn resize(&self, width: u32, height: u32) {
        self.session_call(
            "POST",
            "/window/rect",
            Some(json!({ "width": width, "height": height })),
        );
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let path = format!("/session/{}", self.session);
            let _ = std::panic::catch_unwind(|| request(&self.addr, "DELETE", &path, None));
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn wait_for_driver(addr: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if std::net::TcpStream::connect(addr).is_ok() {
            let status = request(addr, "GET", "/status", None);
            if status.body.contains("\"ready\":true") {
                return;
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("chromedriver did not become ready on {addr}");
}

fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let digits: Vec<u32> = text.bytes().filter_map(value).collect();
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    for group in digits.chunks(4) {
        let n = group
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, d)| acc | d << (18 - 6 * i));
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..group.len().saturating_sub(1)]);
    }
    out
}

/// An article text with emoji before its mentions, and mentions located by char offsets the way
/// the API reports them.
fn sample_mentions() -> (String, usize, Value) {
    let headline = "Zürich 🎉 summit";
    let text = format!("{headline}\n\n🎉 Angela Merkel met 🎉🎉 Macron.\n\nLater, in Paris.");
    let chars: Vec<char> = text.chars().collect();
    let find = |needle: &str| {
        let n: Vec<char> = needle.chars().collect();
        let start = chars
            .windows(n.len())
            .position(|w| w == n.as_slice())
            .expect("needle in text");
        (start, start + n.len())
    };
    let mention = |needle: &str, kind: &str, canonical: &str| {
        let (start, end) = find(needle);
        json!({"kind": kind, "text": needle, "canonical": canonical, "start": start, "end": end})
    };
    let mentions = json!([
        mention("Zürich", "place", "Zürich"),
        mention("Angela Merkel", "person", "Angela Merkel"),
        mention("Macron", "person", "Emmanuel Macron"),
        mention("Paris", "place", "Paris"),
    ]);
    (text, headline.chars().count() + 2, mentions)
}

/// The Download link exports the search on screen (filters kept, paging dropped): fetched by the
/// page itself and parsed back as CSV, it holds exactly the filtered hits.
fn check_download_of_filtered_search(browser: &Browser) {
    let href = browser.run("return document.getElementById('download-csv').href");
    let href = href.as_str().expect("a download link");
    assert!(
        href.contains("/api/export?")
            && href.contains("q=ceasefire")
            && href.contains("source=Reuters")
            && href.contains("format=csv"),
        "{href}"
    );
    let text = browser.run(
        "const x = new XMLHttpRequest(); x.open('GET', document.getElementById('download-csv').href, false); x.send(); return x.responseText",
    );
    let mut reader = csv::Reader::from_reader(text.as_str().expect("CSV text").as_bytes());
    let sources: Vec<String> = reader
        .records()
        .map(|r| r.expect("a CSV record")[3].to_string())
        .collect();
    assert_eq!(sources, ["Reuters", "Reuters"], "{text}");
}

#[test]
fn page_searches_filters_and_shows_hostile_text_as_text() {
    let Some((chromium, chromedriver)) = installed_browser() else {
        return;
    };
    let corpus = Corpus::new();
    let server = Server::start(&corpus.index_path());
    the_page_works(&server, &chromium, &chromedriver);
}

/// The same page and the same checks, served from an index in an OpenSearch cluster.
#[test]
fn page_works_the_same_on_the_opensearch_engine() {
    let (Some(chromium), Some(chromedriver)) = (first_existing(BROWSERS), first_existing(DRIVERS))
    else {
        eprintln!("SKIP browser test on OpenSearch: no Chromium and chromedriver installed");
        return;
    };
    let Some(remote) = super::opensearch::Remote::for_test("browser") else {
        return;
    };
    let corpus = Corpus::on_engine(&remote.url());
    let server = Server::start_on(&corpus.location());
    the_page_works(&server, &chromium, &chromedriver);
}

fn the_page_works(server: &Server, chromium: &Path, chromedriver: &Path) {
    let browser = Browser::start(chromium, chromedriver);
    let base = format!("http://{}", server.addr);

    browser.go(&format!("{base}/"));
    browser.wait_until(
        "the first page of everything",
        "return document.querySelectorAll('#results .hit').length > 0",
    );

    browser.type_into("#q", "ceasefire");
    browser.click("#go");
    browser.wait_until(
        "ceasefire results",
        "return location.search === '?q=ceasefire' && document.querySelectorAll('#results .hit').length === 4",
    );
    let marks = browser.run(
        "return Array.from(document.querySelectorAll('#results mark')).map(m => m.textContent.toLowerCase())",
    );
    assert!(
        marks.as_array().unwrap().iter().any(|m| m == "ceasefire"),
        "{marks}"
    );

    // The hostile headline is shown as the characters it is, and nothing it carries ran.
    let headlines = browser.run(
        "return Array.from(document.querySelectorAll('#results .hit h2')).map(h => h.textContent)",
    );
    assert!(
        headlines
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h == HOSTILE_HEADLINE),
        "{headlines}"
    );
    assert_eq!(
        browser.run("return document.querySelectorAll('#results img, #results script').length"),
        json!(0)
    );
    assert_eq!(
        browser.run("return typeof window.pwned"),
        json!("undefined")
    );

    browser.screenshot("serve-results.png");

    browser.click("a.facet[data-facet='source'][data-value='Reuters']");
    browser.wait_until(
        "the Reuters filter",
        "return location.search.includes('source=Reuters') && document.querySelectorAll('#results .hit').length === 2",
    );
    let url = browser.url();
    assert!(
        url.contains("q=ceasefire") && url.contains("source=Reuters"),
        "{url}"
    );
    let metas = browser.run(
        "return Array.from(document.querySelectorAll('#results .hit .meta')).map(m => m.textContent)",
    );
    assert!(
        metas
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m.as_str().unwrap().starts_with("Reuters")),
        "{metas}"
    );
    assert_eq!(
        browser.run("return document.querySelector(\"a.facet[data-value='Reuters']\").getAttribute('aria-pressed')"),
        json!("true")
    );
    let shot = browser.screenshot("serve.png");
    check_download_of_filtered_search(&browser);

    // Back restores the unfiltered search from the URL alone.
    browser.session_call("POST", "/back", Some(json!({})));
    browser.wait_until(
        "the unfiltered results after Back",
        "return !location.search.includes('source=') && document.querySelectorAll('#results .hit').length === 4",
    );

    // A URL opens its view directly; the article view shows the hostile headline as text too.
    browser.go(&format!("{base}/?q=ceasefire&source=Associated+Press"));
    browser.wait_until(
        "the URL's own search",
        "return document.querySelectorAll('#results .hit').length === 2",
    );
    browser.click("#results .hit h2 a");
    browser.wait_until(
        "the article view",
        "return location.search.includes('article=') && !!document.querySelector('#article h1') && !document.getElementById('article').hidden",
    );
    browser.wait_until(
        "related coverage",
        "return document.querySelectorAll('#related li').length > 0",
    );
    browser.screenshot("serve-article.png");
    let hostile = server.json(&format!("/api/search?q={}", enc("headline:onerror")));
    let hostile_id = hostile["hits"][0]["id"].as_str().expect("hostile id");
    browser.go(&format!("{base}/?article={hostile_id}"));
    browser.wait_until(
        "the hostile article",
        "return !!document.querySelector('#article h1') && document.querySelectorAll('#article .body p').length > 0",
    );
    assert_eq!(
        browser.run("return document.querySelector('#article h1').textContent"),
        json!(HOSTILE_HEADLINE)
    );
    let body = browser.run("return document.querySelector('#article .body').textContent");
    assert!(
        body.as_str()
            .unwrap()
            .contains("<script>window.pwned=2</script>"),
        "{body}"
    );
    assert_eq!(
        browser.run("return document.querySelectorAll('#article img, #article script').length"),
        json!(0)
    );
    assert_eq!(
        browser.run("return typeof window.pwned"),
        json!("undefined")
    );

    // Entity marks land on the right characters when astral code points come first. The tagger is
    // not in the index yet, so the page's own renderer is fed a mention list directly.
    let (text, body_start, mentions) = sample_mentions();
    let script = format!(
        "const view = document.getElementById('article'); clear(view); \
         renderArticle(view, {{id: 'x', headline: '', source: 'Test', date: null, authors: [], \
         entities: {{}}, text: {text}, body_start: {body_start}, mentions: {mentions}}}); \
         return Array.from(view.querySelectorAll('mark.ent')).map(m => [m.textContent, m.className, m.title]);",
        text = json!(text),
        mentions = mentions,
    );
    let marks = browser.run(&script);
    assert_eq!(
        marks,
        json!([
            ["Zürich", "ent ent-place", "place: Zürich"],
            ["Angela Merkel", "ent ent-person", "person: Angela Merkel"],
            ["Macron", "ent ent-person", "person: Emmanuel Macron"],
            ["Paris", "ent ent-place", "place: Paris"]
        ])
    );
    assert_eq!(
        browser.run("return document.querySelectorAll('#article .body p').length"),
        json!(2)
    );
    browser.screenshot("serve-entities.png");

    // Paging, sorting and dates all live in the URL under the API's names.
    browser.go(&format!("{base}/?limit=2"));
    browser.wait_until(
        "the first page of two",
        "return document.querySelectorAll('#results .hit').length === 2 && !!document.querySelector('#pager a[rel=next]')",
    );
    browser.click("#pager a[rel=next]");
    browser.wait_until(
        "the second page",
        "return location.search.includes('offset=2') && document.querySelector('#pager .page-of').textContent === 'Page 2 of 3'",
    );
    browser.run(
        "const s = document.getElementById('sort'); s.value = 'oldest'; s.dispatchEvent(new Event('change')); return true",
    );
    browser.wait_until(
        "sorting to reset the page",
        "return location.search === '?sort=oldest&limit=2' && document.querySelector('#pager .page-of').textContent === 'Page 1 of 3'",
    );
    browser.type_into("#since", "1999");
    browser.run("document.getElementById('since').dispatchEvent(new Event('change')); return true");
    browser.wait_until(
        "the date filter",
        "return location.search.includes('since=1999') && document.getElementById('status').textContent.startsWith('No articles found')",
    );

    // A malformed query shows the server's message and points at the problem.
    browser.go(&format!("{base}/?q={}", enc("ceasefire \"unclosed")));
    browser.wait_until(
        "the query error",
        "return document.getElementById('status').classList.contains('error')",
    );
    let caret = browser.run("return document.querySelector('#status .caret').textContent");
    assert_eq!(caret, json!("ceasefire \"unclosed\n          ^"));
    browser.screenshot("serve-error.png");

    browser.resize(390, 844);
    browser.go(&format!("{base}/?q=ceasefire"));
    browser.wait_until(
        "results on a phone-sized window",
        "return document.querySelectorAll('#results .hit').length === 4",
    );
    browser.screenshot("serve-phone.png");
    // On a phone the filters fold away behind a toggle.
    assert_eq!(
        browser.run("return getComputedStyle(document.getElementById('filters-body')).display"),
        json!("none")
    );
    browser.click("#filters-toggle");
    browser.wait_until(
        "the folded filters to open",
        "return getComputedStyle(document.getElementById('filters-body')).display !== 'none' && document.querySelectorAll('a.facet').length > 0",
    );
    browser.click("#help-toggle");
    browser.wait_until(
        "the syntax help",
        "return !document.getElementById('help').hidden",
    );
    browser.screenshot("serve-phone-help.png");
    // The malformed query's 400 is the one error the console may show; nothing else may fail,
    // and in particular the Content-Security-Policy must block nothing the page itself needs.
    let (expected, errors): (Vec<String>, Vec<String>) = browser
        .console_errors()
        .into_iter()
        .partition(|e| e.contains("400 (Bad Request)"));
    assert!(!expected.is_empty(), "the console log was not captured");
    assert!(errors.is_empty(), "console errors: {errors:#?}");
    eprintln!("screenshot: {}", shot.display());
}

/// The counts of the bars a chart inside `box_css` draws, in order.
fn drawn_bars(browser: &Browser, box_css: &str) -> Vec<u64> {
    let bars = browser.run(&format!(
        "return Array.from(document.querySelectorAll('{box_css} .bar')).map(b => Number(b.dataset.count))"
    ));
    serde_json::from_value(bars).expect("bar counts")
}

/// The bucket counts of a timeline in the API's JSON.
fn bucket_counts(timeline: &Value) -> Vec<u64> {
    timeline["buckets"]
        .as_array()
        .expect("buckets")
        .iter()
        .map(|b| b["count"].as_u64().expect("a count"))
        .collect()
}

/// The timeline above the results: one bar per month of a year of dated articles; clicking a bar
/// narrows the dates to its month, in the URL and in the results, and the chart redraws for it.
#[test]
fn timeline_bar_click_filters_the_dates() {
    let Some((chromium, chromedriver)) = installed_browser() else {
        return;
    };
    let archive = super::export::archive();
    let server = Server::start(&archive.index());
    let browser = Browser::start(&chromium, &chromedriver);
    let base = format!("http://{}", server.addr);
    browser.go(&format!("{base}/?q=harbour+levy"));
    browser.wait_until(
        "a weekly timeline",
        "return document.querySelectorAll('#timeline .bar').length > 40 && !document.getElementById('timeline').hidden",
    );
    browser.screenshot("serve-timeline.png");
    let api = server.json("/api/search?q=harbour+levy&facet=date&limit=0");
    let counts = bucket_counts(&api["timeline"]);
    assert_eq!(
        drawn_bars(&browser, "#timeline"),
        counts,
        "the chart draws the API's counts"
    );

    // The busiest bar, by its index in the chart.
    let busiest = counts
        .iter()
        .enumerate()
        .max_by_key(|(_, c)| **c)
        .map(|(i, _)| i + 1)
        .unwrap();
    let (start, end, count) = {
        let b = &api["timeline"]["buckets"][busiest - 1];
        (
            b["start"].as_str().unwrap().to_string(),
            b["end"].as_str().unwrap().to_string(),
            b["count"].as_u64().unwrap(),
        )
    };
    browser.click(&format!("#timeline .bar:nth-of-type({busiest})"));
    browser.wait_until(
        "the bar's dates in the URL",
        &format!(
            "return location.search.includes('since={start}') && location.search.includes('until={end}')"
        ),
    );
    let shown = count.min(10);
    browser.wait_until(
        "the bar's articles",
        &format!(
            "return document.querySelectorAll('#results .hit').length === {shown} && document.getElementById('status').textContent.startsWith('{count} article')"
        ),
    );
    let dates = browser.run(
        "return Array.from(document.querySelectorAll('#results .hit .meta')).map(m => m.textContent)",
    );
    assert_eq!(dates.as_array().unwrap().len() as u64, shown);
    let narrowed = server.json(&format!(
        "/api/search?q=harbour+levy&since={start}&until={end}&limit=100"
    ));
    assert_eq!(narrowed["total"].as_u64().unwrap(), count);
    for hit in narrowed["hits"].as_array().unwrap() {
        let d = hit["date"].as_str().unwrap();
        assert!(d >= start.as_str() && d <= end.as_str(), "{d}");
    }
    browser.screenshot("serve-timeline-narrowed.png");

    // Batch search under the narrowed dates: each row counts and links to its own search.
    browser.click("#batch-toggle");
    browser.type_into(
        "#batch-text",
        "harbour levy\n# skipped\nregatta\n\"open quote",
    );
    browser.click("#batch-run");
    browser.wait_until(
        "the batch table",
        "return document.querySelectorAll('#batch-results .batch-row').length === 3",
    );
    let first = browser.run(
        "const r = document.querySelector('#batch-results .batch-row'); return [r.children[2].textContent, r.querySelector('a').getAttribute('href')]",
    );
    assert_eq!(first[0], json!(count.to_string()), "{first}");
    let href = first[1].as_str().unwrap();
    assert!(
        href.contains("q=harbour+levy") && href.contains(&format!("since={start}")),
        "{href}"
    );
    assert_eq!(
        browser.run("return document.querySelectorAll('#batch-results .batch-row.failed').length"),
        json!(1)
    );
    browser.screenshot("serve-batch.png");
}

/// Corrections made on an entity's page: merging one name into another leads to the merged
/// page, which counts the articles of both once each and lists the merged name; blocking a name
/// takes it off its page and out of the facets.
#[test]
fn entity_page_actions_merge_and_block_names() {
    let Some((chromium, chromedriver)) = installed_browser() else {
        return;
    };
    let fixture = crate::common::Fixture::new();
    crate::common::copy_fixtures(&fixture, "rules");
    fixture.index_docs(&["--quiet"]);
    let server = Server::start(&fixture.index());
    let browser = Browser::start(&chromium, &chromedriver);
    let base = format!("http://{}", server.addr);
    let heading = |name: &str| {
        format!(
            "return document.querySelector('#entity h1') !== null && document.querySelector('#entity h1').textContent === '{name}'"
        )
    };

    browser.go(&format!("{base}/entity?name=Cllr+P.+Ramaswamy&kind=person"));
    browser.wait_until("the councillor's page", &heading("Cllr P. Ramaswamy"));
    assert_eq!(
        browser.run("return document.getElementById('entity-facts').textContent"),
        json!("person · 2 articles")
    );
    browser.type_into("#entity-actions .rule-alias-to", "Priya Ramaswamy");
    browser.click("#entity-actions .rule-alias");
    browser.wait_until(
        "the merged page",
        &format!(
            "{} && document.getElementById('entity-facts').textContent === 'person · 3 articles'",
            heading("Priya Ramaswamy")
        ),
    );
    assert_eq!(
        browser.url(),
        format!("{base}/entity?name=Priya+Ramaswamy&kind=person")
    );
    let merged = browser.run(
        "return Array.from(document.querySelectorAll('#entity-merged li.by-rule')).map(li => li.firstChild.textContent)",
    );
    assert_eq!(merged, json!(["Cllr P. Ramaswamy"]));
    browser.screenshot("serve-rules.png");

    browser.go(&format!("{base}/entity?name=Kestrel+Pictures&kind=org"));
    browser.wait_until("the photo credit's page", &heading("Kestrel Pictures"));
    browser.click("#entity-actions .rule-block");
    browser.wait_until(
        "the page of nothing",
        "return document.querySelector('#entity .status') !== null && document.querySelector('#entity .status').textContent.startsWith('No article mentions')",
    );
    browser.go(&format!("{base}/?q="));
    browser.wait_until(
        "the facets without it",
        "return document.querySelector(\"#facets .facet[data-value='Harbour Board']\") !== null \
         && document.querySelector(\"#facets .facet[data-value='Kestrel Pictures']\") === null",
    );
    let rules = server.json("/api/entities/rules");
    assert_eq!(
        rules["block"],
        json!([{ "name": "Kestrel Pictures", "kind": "org" }])
    );
    assert_eq!(
        rules["alias"],
        json!([{ "from": "Cllr P. Ramaswamy", "to": "Priya Ramaswamy", "kind": "person" }])
    );
    let errors = browser.console_errors();
    assert!(errors.is_empty(), "console errors: {errors:?}");
}

/// An entity's page opened from a facet link: the URL names it, the page shows its timeline,
/// sources, co-mentioned names and latest articles as the API counts them; a co-mentioned name
/// opens its own page, a source opens the search filtered by both, and every hit's names link
/// to their pages.
#[test]
fn entity_page_opens_from_a_facet_link() {
    let Some((chromium, chromedriver)) = installed_browser() else {
        return;
    };
    let fixture = super::entity::indexed();
    let server = Server::start(&fixture.index());
    let browser = Browser::start(&chromium, &chromedriver);
    let base = format!("http://{}", server.addr);
    browser.go(&format!("{base}/?q=council"));
    browser.wait_until(
        "the person facet's page links",
        "return document.querySelector(\"a.entity-link[data-entity='Helena Marsh']\") !== null",
    );
    browser.click("a.entity-link[data-entity='Helena Marsh'][data-kind='person']");
    browser.wait_until(
        "the entity page",
        "return location.pathname === '/entity' && document.querySelectorAll('#entity-latest li').length === 6",
    );
    assert_eq!(
        browser.url(),
        format!("{base}/entity?name=Helena+Marsh&kind=person")
    );
    assert_eq!(
        browser.run("return document.querySelector('#entity h1').textContent"),
        json!("Helena Marsh")
    );
    assert_eq!(
        browser.run("return document.getElementById('entity-facts').textContent"),
        json!("person · 6 articles")
    );
    let api = server.json("/api/entity?name=Helena+Marsh&kind=person");
    assert_eq!(
        drawn_bars(&browser, "#entity-timeline"),
        bucket_counts(&api["timeline"]),
        "the chart draws the page's timeline"
    );
    assert_eq!(
        browser.run(
            "return Array.from(document.querySelectorAll('#entity-sources li')).map(li => li.textContent)"
        ),
        json!(["Meridian Wire3", "Harbour Gazette2", "Capital Ledger1"])
    );
    assert_eq!(
        browser.run("return Array.from(document.querySelectorAll('#entity-merged li')).map(li => li.textContent)"),
        json!(["Marsh"])
    );
    browser.screenshot("serve-entity.png");

    // A co-mentioned name opens its own page.
    browser.click(".co-mentions[data-kind='person'] a[data-entity='Tom Fielding']");
    browser.wait_until(
        "Tom Fielding's page",
        "return document.querySelector('#entity h1') !== null && document.querySelector('#entity h1').textContent === 'Tom Fielding' && document.querySelectorAll('#entity-latest li').length === 3",
    );
    assert!(
        browser
            .url()
            .ends_with("/entity?name=Tom+Fielding&kind=person")
    );
    // Back to hers, then a source: the search filtered by both.
    browser.run("history.back()");
    browser.wait_until(
        "her page again",
        "return document.querySelector('#entity h1') !== null && document.querySelector('#entity h1').textContent === 'Helena Marsh' && document.querySelectorAll('#entity-sources a').length === 3",
    );
    browser.click("#entity-sources a[data-source='Meridian Wire']");
    browser.wait_until(
        "her articles in one source",
        "return location.pathname === '/' && document.querySelectorAll('#results .hit').length === 3",
    );
    let url = browser.url();
    assert!(
        url.contains("source=Meridian+Wire") && url.contains("person=Helena+Marsh"),
        "{url}"
    );
    // Every hit lists its names, each a link to its page.
    let linked = browser.run(
        "return Array.from(document.querySelectorAll('#results .hit')).map(h => Array.from(h.querySelectorAll('.hit-entities a')).map(a => a.getAttribute('href')))",
    );
    for hit in linked.as_array().unwrap() {
        let hrefs: Vec<&str> = hit
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h.as_str().unwrap())
            .collect();
        assert!(
            hrefs.contains(&"/entity?name=Helena+Marsh&kind=person"),
            "{hrefs:?}"
        );
    }
    // A bar of her timeline opens her articles of that period.
    browser.go(&format!("{base}/entity?name=Helena+Marsh&kind=person"));
    browser.wait_until(
        "her timeline",
        "return document.querySelectorAll('#entity-timeline .bar').length > 1",
    );
    let bars = drawn_bars(&browser, "#entity-timeline");
    let first = bars
        .iter()
        .position(|&c| c > 0)
        .expect("a bar with articles")
        + 1;
    let (since, until) = browser
        .run(&format!(
            "const b = document.querySelector('#entity-timeline .bar:nth-of-type({first})'); return [b.dataset.start, b.dataset.end]"
        ))
        .as_array()
        .map(|a| (a[0].as_str().unwrap().to_string(), a[1].as_str().unwrap().to_string()))
        .unwrap();
    browser.click(&format!("#entity-timeline .bar:nth-of-type({first})"));
    browser.wait_until(
        "the bar's articles",
        &format!(
            "return location.pathname === '/' && location.search.includes('since={since}') && document.querySelectorAll('#results .hit').length === {}",
            bars[first - 1]
        ),
    );
    let url = browser.url();
    assert!(
        url.contains("person=Helena+Marsh") && url.contains(&format!("until={until}")),
        "{url}"
    );
    let errors = browser.console_errors();
    assert!(errors.is_empty(), "console errors: {errors:#?}");
}

/// A story in five outlets is one hit with "+4 copies"; clicking "show copies" puts the group and
/// `collapse=false` in the URL and lists the five, each on its own; removing the chip folds them.
#[test]
fn show_copies_lists_the_members_of_a_collapsed_story() {
    let Some((chromium, chromedriver)) = installed_browser() else {
        return;
    };
    let f = crate::common::Fixture::new();
    super::copies::write_story(&f);
    f.index_docs(&["--no-entities"]);
    let server = Server::start(&f.index());
    let browser = Browser::start(&chromium, &chromedriver);
    let base = format!("http://{}", server.addr);
    browser.go(&format!("{base}/?q=kellerby+barrier"));
    browser.wait_until(
        "three hits, one with copies",
        "return document.querySelectorAll('#results .hit').length === 3 && document.querySelectorAll('#results .show-copies').length === 1",
    );
    let line = browser.run("return document.querySelector('#results .copies').textContent");
    assert!(line.as_str().unwrap().starts_with("+4 copies: "), "{line}");
    assert!(
        browser
            .run("return document.getElementById('status').textContent")
            .as_str()
            .unwrap()
            .starts_with("7 articles"),
    );
    browser.screenshot("serve-copies-collapsed.png");
    let group = browser
        .run("return document.querySelector('#results .show-copies').dataset.group")
        .as_str()
        .unwrap()
        .to_string();
    browser.click("#results .show-copies");
    browser.wait_until(
        "the group in the URL",
        &format!(
            "return location.search.includes('group={group}') && location.search.includes('collapse=false')"
        ),
    );
    browser.wait_until(
        "the five copies",
        "return document.querySelectorAll('#results .hit').length === 5 && document.querySelectorAll('#results .copies').length === 0",
    );
    let sources = browser.run(
        "return Array.from(document.querySelectorAll('#results .hit .meta')).map(m => m.textContent.split(' · ')[0]).sort()",
    );
    assert_eq!(
        sources,
        json!([
            "Coastline Radio News",
            "Estuary Times",
            "Harbour Gazette",
            "Meridian Wire",
            "Valley Post"
        ])
    );
    assert!(browser.url().contains("q=kellerby+barrier"));
    browser.screenshot("serve-copies.png");
    assert!(browser.console_errors().is_empty());
    // The chip takes the group away and folds the copies again.
    browser.click("#active .chip");
    browser.wait_until(
        "the collapsed list again",
        "return document.querySelectorAll('#results .hit').length === 3 && !location.search.includes('collapse')",
    );
}

/// A server that needs a key: the page asks for one, refuses a wrong one with the server's
/// reason, shows who is signed in and what they may do, searches with the key (kept in the tab's
/// sessionStorage, never in the URL or a cookie), and asks again after signing out.
#[test]
fn page_signs_in_with_a_key_and_shows_the_role() {
    let Some((chromium, chromedriver)) = installed_browser() else {
        return;
    };
    let corpus = Corpus::new();
    let index = corpus.index_path();
    let made = crate::common::bin()
        .args([
            "keys", "create", "--role", "edit", "--name", "maria", "--index",
        ])
        .arg(&index)
        .output()
        .expect("keys create");
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let key = String::from_utf8(made.stdout).unwrap().trim().to_string();
    let server = Server::start_on(&["--index".into(), index.into(), "--require-key".into()]);
    let browser = Browser::start(&chromium, &chromedriver);
    let base = format!("http://{}", server.addr);

    browser.go(&format!("{base}/?q=ceasefire"));
    browser.wait_until(
        "the sign-in form",
        "return !document.getElementById('signin').hidden",
    );
    assert_eq!(
        browser.run("return document.querySelectorAll('#results li').length"),
        json!(0),
        "nothing is searched before signing in"
    );

    browser.type_into("#signin-key", "ndx_not_a_key");
    browser.click("#signin-go");
    browser.wait_until(
        "the refusal",
        "return document.getElementById('signin-error').textContent.includes('not known')",
    );
    assert_eq!(browser.run("return sessionStorage.length"), json!(0));

    browser.type_into("#signin-key", &key);
    browser.click("#signin-go");
    browser.wait_until(
        "the signed-in line",
        "return (document.getElementById('account-who') || {textContent: ''}).textContent.includes('Signed in as maria (edit)')",
    );
    let may = browser.run("return document.getElementById('account-may').textContent");
    assert!(
        may.as_str().unwrap().contains("edit entity rules")
            && !may.as_str().unwrap().contains("manage keys"),
        "{may}"
    );
    browser.wait_until(
        "results with the key",
        "return document.querySelectorAll('#results li').length > 0",
    );
    assert!(!browser.url().contains(&key), "the key in the URL");
    assert_eq!(browser.run("return document.cookie"), json!(""));
    assert_eq!(
        browser.run("return sessionStorage.getItem('newsdex-key')"),
        json!(key)
    );
    assert_eq!(
        browser.run("return document.getElementById('signin-key').value"),
        json!(""),
        "the typed key is not left in the form"
    );
    browser.screenshot("signed-in.png");

    browser.click("#signout");
    browser.wait_until(
        "the form again",
        "return !document.getElementById('signin').hidden",
    );
    assert_eq!(browser.run("return sessionStorage.length"), json!(0));
    let errors = browser.console_errors();
    assert!(
        errors.iter().all(|e| e.contains("401")),
        "script errors beyond the expected refusals: {errors:?}"
    );
}

/// Quotes on the page: a `quote:` search shows each hit's quotes with its speaker, and the
/// speaker facet ("Quoted") filters the results through the URL.
#[test]
fn page_shows_quotes_in_hits_and_filters_by_speaker() {
    let Some((chromium, chromedriver)) = installed_browser() else {
        return;
    };
    let fixture = crate::common::Fixture::new();
    crate::common::copy_fixtures(&fixture, "quotes");
    fixture.index_docs(&["--quiet"]);
    let server = Server::start(&fixture.index());
    let browser = Browser::start(&chromium, &chromedriver);
    let base = format!("http://{}", server.addr);
    browser.go(&format!("{base}/?q=quote%3Anegotiate"));
    browser.wait_until(
        "two hits with their quotes",
        "return document.querySelectorAll('#results .hit').length === 2 && document.querySelectorAll('#results .hit-quotes li').length === 2",
    );
    let quotes = browser.run(
        "return Array.from(document.querySelectorAll('#results .hit-quotes li')).map(q => q.textContent).sort()",
    );
    assert_eq!(
        quotes,
        json!([
            "We will not negotiate while the fares are frozen, — Tomas Brenner",
            "We will not negotiate with the developers, not this year and not next, — Elena Vasquez"
        ])
    );
    browser.click("a.facet[data-facet='speaker'][data-value='Elena Vasquez']");
    browser.wait_until(
        "the speaker filter",
        "return location.search.includes('speaker=Elena') && document.querySelectorAll('#results .hit').length === 1",
    );
    browser.screenshot("serve-quotes.png");
    assert!(browser.console_errors().is_empty());
}
