//! Command line: clap arguments parsed once, validated into plans, handed to the library; output
//! goes through the printers in [`print`]. Only this module and `main.rs` talk to the terminal.
pub mod config;
pub mod export;
pub mod keys;
mod manual;
pub mod print;
mod progress;
pub mod rules;

use std::io::{IsTerminal, Read};
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use newsdex::entities::EntityKind;
use newsdex::features::indexing::{self as writer, IndexPlan};
use newsdex::ingest::ParseOptions;
use newsdex::model::query::{self, MatchMode};
use newsdex::model::ranking::Ranking;
use newsdex::model::request::{
    MAX_FACET_SIZE, MAX_LIMIT, SearchRequest, Sort, asks_for_timeline, parse_facets,
};
use newsdex::model::timeline::Interval;
use newsdex::model::write::WriteOptions;
use newsdex::open::{self, Location, Usage};
use newsdex::{Error, Result};

#[derive(Debug, Parser)]
#[command(
    name = "newsdex",
    version,
    about = "Search engine for news archives",
    long_about = "Search engine for news archives: index a folder of articles (txt, md, json, \
                  jsonl, html, pdf, docx, odt), then search it with phrases, filters, snippets \
                  and facets.",
    after_help = "Settings: flags beat environment variables, which beat the config file \
                  (see `newsdex config`)."
)]
pub struct Args {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, clap::Args, Clone)]
pub struct IndexLocation {
    /// Index folder [default: $NEWSDEX_INDEX, else `index` in the config file, else ./.newsdex]
    #[arg(long = "index", value_name = "DIR", global = true)]
    pub index: Option<PathBuf>,
    /// Use an OpenSearch index instead of a folder: opensearch+http://HOST:PORT/INDEX
    /// (https, user:password@ and ?shards=N&replicas=N allowed) [default: $NEWSDEX_ENGINE, else
    /// `engine_url` in the config file]
    #[arg(long = "engine", value_name = "URL", global = true)]
    pub engine: Option<String>,
}

impl IndexLocation {
    /// The index folder after flags, environment and the config file have had their say.
    fn settings(&self) -> Result<config::Settings> {
        config::Settings::load(&config::Flags {
            index: self.index.clone(),
            engine: self.engine.clone(),
            ..Default::default()
        })
    }

    /// The engine the command talks to.
    fn location(&self) -> Result<Location> {
        self.settings()?.location()
    }
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Index the articles in one or more folders (re-running replaces what changed)
    Index(IndexArgs),
    /// Search the index
    Search(SearchArgs),
    /// Write every hit of a search as CSV or JSON Lines
    Export(export::ExportArgs),
    /// Figures about the index
    Stats(StatsArgs),
    /// Named entities of one article's text, tag a CoNLL file, or edit the index's entity rules
    Entities(EntitiesArgs),
    /// One person, organisation, place or other name: coverage over time, sources, names
    /// mentioned alongside it, latest articles
    #[command(after_help = ENTITY_EXAMPLES)]
    Entity(EntityArgs),
    /// Direct quotes of one article's text, each with its speaker (docs/quotes.md)
    Quotes(QuotesArgs),
    /// Serve the HTTP API and the web page
    #[command(after_help = SERVE_EXAMPLES)]
    Serve(ServeArgs),
    /// Access keys for a shared server: create, list, revoke
    #[command(subcommand)]
    Keys(keys::KeysCommand),
    /// Verify the index: checksums, manifest, document counts
    Check(CheckArgs),
    /// Show the effective settings and where each came from
    Config(ConfigArgs),
    /// Print a shell completion script
    #[command(after_help = COMPLETIONS_EXAMPLES)]
    Completions(CompletionsArgs),
    /// Print the manual page (roff), for newsdex or one of its commands
    #[command(after_help = MAN_EXAMPLES)]
    Man(ManArgs),
}

const INDEX_EXAMPLES: &str = "\
Examples:
  newsdex index corpus                         index the sample articles into ./.newsdex
  newsdex index ~/archive --index ~/news.idx   index another folder into an index of its own
  newsdex index feeds --source \"Meridian Wire\" --field body=content_original
  newsdex index ~/archive --verbose            list every skipped file and warning
  newsdex index ~/archive --json | jq .files_indexed";

const SEARCH_EXAMPLES: &str = "\
Examples:
  newsdex search '\"bank of england\"'              an exact phrase
  newsdex search 'inflation -forecast' --source \"Capital Ledger\"
  newsdex search 'headline:rovers' --sort newest --facet source,section
  newsdex search 'date:2024-05 (flood OR storm)' --limit 20 --offset 20
  newsdex search vasquez --person \"Elena Vasquez\" --json
  newsdex search flood --facet date --interval month    a timeline of the coverage
  newsdex search --batch names.txt --per-source --format csv > counts.csv";

const ENTITY_EXAMPLES: &str = "\
Examples:
  newsdex entity \"Elena Vasquez\"                 her page: timeline, sources, co-mentions
  newsdex entity \"Bank of England\" --kind org --interval year
  newsdex entity vasquez                            an unknown name lists the names that match
  newsdex entity \"Meridian Bank\" --json | jq .co_mentions.person";

const SERVE_EXAMPLES: &str = "\
Examples:
  newsdex serve                                   this machine only, open as before
  newsdex keys create --role admin --name ops     then, for the newsroom:
  newsdex serve --addr 0.0.0.0:7700 --audit-log audit.jsonl
  newsdex serve --addr 0.0.0.0:7700 --public      anyone who reaches it may read
  newsdex serve --addr 127.0.0.1:7700 --require-key --trusted-proxy 127.0.0.1   behind Caddy";

const COMPLETIONS_EXAMPLES: &str = "\
Install:
  bash:       newsdex completions bash > ~/.local/share/bash-completion/completions/newsdex
  zsh:        newsdex completions zsh > ~/.zfunc/_newsdex   (with fpath+=(~/.zfunc) in ~/.zshrc)
  fish:       newsdex completions fish > ~/.config/fish/completions/newsdex.fish
  powershell: newsdex completions powershell >> $PROFILE";

const MAN_EXAMPLES: &str = "\
Install:
  newsdex man > ~/.local/share/man/man1/newsdex.1
  newsdex man search > ~/.local/share/man/man1/newsdex-search.1";

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub location: IndexLocation,
    /// Print the report as one JSON object
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, clap::Args)]
pub struct ConfigArgs {
    #[command(flatten)]
    pub location: IndexLocation,
    /// Map a field from the files' own key, as `index --field` would (repeatable)
    #[arg(long = "field", value_name = "FIELD=KEY")]
    pub fields: Vec<String>,
    /// Print the settings as one JSON object
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell to complete for
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, clap::Args)]
pub struct ManArgs {
    /// A command whose page to print, e.g. search [default: the page for newsdex itself]
    pub command: Option<String>,
}

#[derive(Debug, clap::Args)]
#[command(after_help = INDEX_EXAMPLES)]
pub struct IndexArgs {
    /// Folders of articles
    #[arg(required = true)]
    pub dirs: Vec<PathBuf>,
    #[command(flatten)]
    pub location: IndexLocation,
    /// Source for articles that name none [default: the host of the article's URL, else "unknown"]
    #[arg(long, value_name = "NAME")]
    pub source: Option<String>,
    /// Map a field from the files' own key: --field body=content_original (repeatable; adds to
    /// and overrides the config file's [fields])
    #[arg(long = "field", value_name = "FIELD=KEY")]
    pub fields: Vec<String>,
    /// Treat source FROM as TO in every later search; saved with the index (repeatable)
    #[arg(long = "source-alias", value_name = "FROM=TO")]
    pub source_aliases: Vec<String>,
    /// Start the index from scratch
    #[arg(long)]
    pub rebuild: bool,
    /// Writer memory budget in MB, shared by the indexing threads; parsing, the manifest and the
    /// queues add about 50 MB more, and files mapped during merges add to RSS (see README)
    #[arg(long, value_name = "MB", default_value_t = 256)]
    pub memory: usize,
    /// Largest article accepted, in bytes
    #[arg(long, value_name = "BYTES", default_value_t = 8 * 1024 * 1024)]
    pub max_article_bytes: u64,
    /// Do not extract named entities (faster)
    #[arg(long)]
    pub no_entities: bool,
    /// Skip copy detection for this run's articles (they join no group of copies)
    #[arg(long)]
    pub no_copies: bool,
    /// Read PDF pages that have no text layer (scans) by OCR: needs Tesseract and poppler's
    /// pdftoppm (Debian: tesseract-ocr, poppler-utils); without them the run goes on without OCR
    #[arg(long)]
    pub ocr: bool,
    /// Languages for --ocr, as Tesseract names them, joined by + (deu+fra)
    #[arg(long, value_name = "LANGS", default_value = "eng", requires = "ocr")]
    pub ocr_lang: String,
    /// List every skipped file and warning
    #[arg(long, short)]
    pub verbose: bool,
    /// Print nothing but errors
    #[arg(long, short)]
    pub quiet: bool,
    /// Print the summary as one JSON object on standard output
    #[arg(long)]
    pub json: bool,
    /// Commit at least every this many seconds (a crash loses at most one interval)
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0)]
    pub commit_interval: f64,
    /// Commit after this many new articles
    #[arg(long, value_name = "N", default_value_t = 100_000)]
    pub commit_articles: usize,
    /// Parsing threads [default: one per core]
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
}

#[derive(Debug, clap::Args)]
#[command(after_help = SEARCH_EXAMPLES)]
pub struct SearchArgs {
    #[command(flatten)]
    pub q: QueryArgs,
    /// Number of results to show (at most 1000)
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub limit: usize,
    /// Number of results to pass over first, for paging: --offset 10 shows the second page
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub offset: usize,
    /// Facets to count: source,section,person,org,place,misc, and date for a timeline
    #[arg(long, value_name = "LIST", default_value = "source,person,org,place")]
    pub facet: String,
    /// Values listed per facet (1-100)
    #[arg(long, value_name = "N", default_value_t = 10,
          value_parser = clap::value_parser!(u16).range(1..=MAX_FACET_SIZE as i64))]
    pub facet_size: u16,
    /// Timeline bucket width for --facet date: auto, day, week, month or year
    #[arg(long, value_name = "WIDTH", default_value = "auto")]
    pub interval: String,
    /// Print one JSON object
    #[arg(long)]
    pub json: bool,
    /// Show how the query was understood and what each hit's score is made of
    #[arg(long)]
    pub explain: bool,
    /// List every copy of a story as a hit of its own (by default a story's copies are one hit)
    #[arg(long)]
    pub no_collapse: bool,
    /// Highlight matches in colour (auto: on a terminal, unless NO_COLOR is set)
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Run every query in FILE (one a line, # comments) and print each one's hit count
    #[arg(long, value_name = "FILE", conflicts_with_all = ["explain", "offset"])]
    pub batch: Option<PathBuf>,
    /// With --batch: count each query's hits per source too
    #[arg(long, requires = "batch")]
    pub per_source: bool,
    /// With --batch: print a table, or CSV (--json prints JSON)
    #[arg(long, value_enum, default_value_t = BatchFormat::Table, requires = "batch")]
    pub format: BatchFormat,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum BatchFormat {
    /// Aligned columns for reading
    Table,
    /// Comma-separated values with a header row, one column per source
    Csv,
}

/// What `search` and `export` share: the query, where the index is, and what narrows and orders
/// the hits. One definition, so both commands take the same arguments in the same way.
#[derive(Debug, clap::Args)]
pub struct QueryArgs {
    /// The query: words, "exact phrases", -not, OR, (groups), prefix*, field:value, date:RANGE
    /// (empty: every article the filters keep)
    #[arg(default_value = "")]
    pub query: String,
    #[command(flatten)]
    pub location: IndexLocation,
    #[command(flatten)]
    pub filters: Filters,
}

/// What narrows and orders a search: shared by `search` and `export`.
#[derive(Debug, clap::Args)]
pub struct Filters {
    /// Only these sources (repeatable)
    #[arg(long)]
    pub source: Vec<String>,
    /// Treat source FROM as TO in this search, on top of the index's saved aliases (repeatable)
    #[arg(long = "source-alias", value_name = "FROM=TO")]
    pub source_aliases: Vec<String>,
    /// Only these sections (repeatable)
    #[arg(long)]
    pub section: Vec<String>,
    /// Only articles mentioning this person (repeatable)
    #[arg(long)]
    pub person: Vec<String>,
    /// Only articles mentioning this organisation (repeatable)
    #[arg(long)]
    pub org: Vec<String>,
    /// Only articles mentioning this place (repeatable)
    #[arg(long)]
    pub place: Vec<String>,
    /// Only articles quoting this speaker, by canonical name (repeatable); hits carry their quotes
    #[arg(long)]
    pub speaker: Vec<String>,
    /// Published on or after (YYYY, YYYY-MM or YYYY-MM-DD)
    #[arg(long)]
    pub since: Option<String>,
    /// Published on or before (YYYY, YYYY-MM or YYYY-MM-DD)
    #[arg(long)]
    pub until: Option<String>,
    /// Order of the results
    #[arg(long, value_enum, default_value_t = SortArg::Relevance)]
    pub sort: SortArg,
    /// Whether all words must match or any
    #[arg(long = "match", value_enum, default_value_t = MatchArg::All)]
    pub match_mode: MatchArg,
    /// Only articles of this group of copies of one story (a hit's `group`; repeatable)
    #[arg(long, value_name = "ID")]
    pub group: Vec<String>,
    /// Ranking settings for experiments: KEY=VALUE,... (k1, b, headline, body, fb_docs,
    /// fb_terms, fb_weight, stop_from)
    #[arg(long, hide = true, default_value = "")]
    pub ranking: String,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SortArg {
    /// Best match first
    Relevance,
    /// Latest publication date first
    Newest,
    /// Earliest publication date first
    Oldest,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum MatchArg {
    /// Every word must be in the article
    All,
    /// One word suffices; more words rank higher
    Any,
}

#[derive(Debug, clap::Args)]
pub struct StatsArgs {
    #[command(flatten)]
    pub location: IndexLocation,
    /// Print the figures as one JSON object
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct EntitiesArgs {
    /// The entity rules kept with an index: list, add an alias, retype, block, remove
    #[command(subcommand)]
    pub rules: Option<rules::RulesCommand>,
    /// A text file, or - for standard input
    pub file: Option<PathBuf>,
    /// Tag a CoNLL column file: every line back with one more column, the predicted IOB2 tag
    #[arg(long, value_name = "FILE", conflicts_with = "file")]
    pub conll: Option<PathBuf>,
    /// Print the mentions as one JSON array
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, clap::Args)]
pub struct QuotesArgs {
    /// A text file, or - for standard input
    pub file: PathBuf,
    /// Print the quotes as one JSON array
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, clap::Args)]
pub struct EntityArgs {
    /// The name as the index holds it ("Elena Vasquez"); another case is found too
    pub name: String,
    #[command(flatten)]
    pub location: IndexLocation,
    /// The kind of name [default: the kind most articles give it]
    #[arg(long, value_enum)]
    pub kind: Option<KindArg>,
    /// Latest articles to list
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub latest: usize,
    /// Sources and names mentioned alongside to list (per kind)
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub top: usize,
    /// Timeline bucket width: auto, day, week, month or year
    #[arg(long, value_name = "WIDTH", default_value = "auto")]
    pub interval: String,
    /// Print one JSON object
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum KindArg {
    Person,
    Org,
    Place,
    Misc,
}

impl From<KindArg> for EntityKind {
    fn from(k: KindArg) -> EntityKind {
        match k {
            KindArg::Person => EntityKind::Person,
            KindArg::Org => EntityKind::Org,
            KindArg::Place => EntityKind::Place,
            KindArg::Misc => EntityKind::Misc,
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub location: IndexLocation,
    /// Address to listen on
    #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:7700")]
    pub addr: String,
    /// Search again for every request instead of answering repeats from recent results
    #[arg(long)]
    pub no_cache: bool,
    /// Allow entity-rule edits from requests carrying `Authorization: Bearer TOKEN` (needed for
    /// any edit when --addr is not a loopback address)
    #[arg(
        long,
        value_name = "TOKEN",
        env = "NEWSDEX_EDIT_TOKEN",
        hide_env_values = true
    )]
    pub edit_token: Option<String>,
    /// Beyond loopback without keys: let anyone who reaches the server search and read (edits
    /// still need a key or --edit-token)
    #[arg(long)]
    pub public: bool,
    /// Ask for a key on loopback too (beyond loopback a key is always needed unless --public)
    #[arg(long)]
    pub require_key: bool,
    /// Requests per second one key may make, sustained (bursts of twice that); 0: no limit
    #[arg(long, value_name = "N", default_value_t = 20.0)]
    pub key_rate: f64,
    /// Requests per second one client address may make, sustained (bursts of twice that); 0: no
    /// limit [default: 50 when --addr is reachable beyond this machine, no limit on loopback]
    #[arg(long, value_name = "N")]
    pub address_rate: Option<f64>,
    /// Most rows a read key (or an open server's anonymous reader) may export in one request
    #[arg(long, value_name = "ROWS")]
    pub max_export_rows: Option<u64>,
    /// Append one JSON line per change, export and failed sign-in to FILE
    #[arg(long, value_name = "FILE")]
    pub audit_log: Option<PathBuf>,
    /// A reverse proxy whose X-Forwarded-For is believed (repeatable); from anyone else it is
    /// ignored
    #[arg(long = "trusted-proxy", value_name = "ADDR")]
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Seconds one request may take, waiting for its turn included, before it is answered with
    /// HTTP 503 (busy, or took too long; a search stops itself then): raise it for book-length
    /// documents on a slow machine
    #[arg(long, value_name = "SECONDS", default_value_t = 5.0, value_parser = positive_seconds)]
    pub timeout: f64,
}

/// A timeout of more than nothing and at most a day.
fn positive_seconds(s: &str) -> std::result::Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v > 0.0 && v <= 86_400.0 => Ok(v),
        _ => Err(format!(
            "{s:?} is not a number of seconds between 0 and 86400"
        )),
    }
}

/// Run a parsed command; the returned number is the exit code.
pub fn run(args: Args) -> Result<i32> {
    match args.command {
        Command::Index(a) => run_index(a),
        Command::Search(a) => run_search(a),
        Command::Export(a) => export::run_export(a),
        Command::Stats(a) => run_stats(a),
        Command::Entities(a) => run_entities(a),
        Command::Entity(a) => run_entity(a),
        Command::Quotes(a) => run_quotes(a),
        Command::Serve(a) => run_serve(a),
        Command::Keys(a) => keys::run(a),
        Command::Check(a) => run_check(a),
        Command::Config(a) => run_config(a),
        Command::Completions(a) => print::raw(&manual::completions(a.shell)).map(|()| 0),
        Command::Man(a) => print::raw(&manual::man_page(a.command.as_deref())?).map(|()| 0),
    }
}

/// The OCR settings `--ocr` asks for, or `None` (said once) when this machine cannot do it.
fn ocr_options(a: &IndexArgs) -> Option<newsdex::ingest::OcrOptions> {
    if !a.ocr {
        return None;
    }
    let options = newsdex::ingest::OcrOptions::new(&a.ocr_lang);
    match newsdex::ingest::check_ocr(&options) {
        Ok(()) => Some(options),
        Err(why) => {
            eprintln!("newsdex: --ocr is off for this run: {why}");
            None
        }
    }
}

fn run_index(a: IndexArgs) -> Result<i32> {
    for dir in &a.dirs {
        if !dir.is_dir() {
            return Err(Error::Usage(format!("{}: not a folder", dir.display())));
        }
    }
    let settings = config::Settings::load(&config::Flags {
        index: a.location.index.clone(),
        engine: a.location.engine.clone(),
        fields: a.fields.clone(),
    })?;
    let location = settings.location()?;
    let aliases = parse_source_aliases(&a.source_aliases)?;
    let mut plan = IndexPlan::new(a.dirs.clone());
    plan.parse = ParseOptions {
        default_source: a.source.clone(),
        field_map: settings.field_map(),
        max_article_bytes: a.max_article_bytes,
        ocr: ocr_options(&a),
    };
    plan.memory_bytes = a.memory.max(16) * 1024 * 1024;
    plan.entities = !a.no_entities;
    plan.copies = !a.no_copies;
    plan.commit_interval = std::time::Duration::from_secs_f64(a.commit_interval.max(0.0));
    plan.commit_articles = a.commit_articles.max(1);
    if let Some(t) = a.threads {
        plan.threads = t.max(1);
    }
    let stop = std::sync::Arc::clone(&plan.stop);
    // Ctrl-C and SIGTERM ask the run to commit what it has and stop; a second one is not special.
    let _ = ctrlc::set_handler(move || stop.store(true, std::sync::atomic::Ordering::SeqCst));
    let show_bar = !a.quiet && !a.json && std::io::stderr().is_terminal();
    let observer = progress::Bar::new(show_bar);
    let options = WriteOptions {
        rebuild: a.rebuild,
        memory_bytes: plan.memory_bytes,
    };
    let written = open::open_store(&location, options).and_then(|mut store| {
        store.save_source_aliases(&aliases)?;
        writer::run(store.as_mut(), &plan, &observer)
    });
    observer.finish();
    let summary = written?;
    let shown = location.describe();
    if a.json {
        print::index_json(&summary, &shown)?;
    } else if !a.quiet {
        print::index_summary(&summary, a.verbose, &shown);
    }
    if summary.interrupted {
        return Ok(130);
    }
    Ok(0)
}

fn parse_day(flag: &str, value: &Option<String>, last: bool) -> Result<Option<chrono::NaiveDate>> {
    let Some(v) = value else { return Ok(None) };
    let (first, end) = query::date_span(v.trim()).ok_or_else(|| {
        Error::Usage(format!(
            "{flag} {v}: not a date (use YYYY, YYYY-MM or YYYY-MM-DD)"
        ))
    })?;
    Ok(Some(if last { end } else { first }))
}

pub fn search_request(a: &SearchArgs) -> Result<SearchRequest> {
    let mut request = filtered_request(&a.q)?;
    request.limit = a.limit.min(MAX_LIMIT);
    request.offset = a.offset;
    request.facets = parse_facets(&a.facet)?;
    request.facet_size = usize::from(a.facet_size);
    let interval = Interval::parse(&a.interval)?;
    request.timeline = asks_for_timeline(&a.facet).then_some(interval);
    request.explain = a.explain;
    request.collapse = !a.no_collapse;
    Ok(request)
}

/// A request for `query` under `filters`, with the default page and facets.
pub fn filtered_request(q: &QueryArgs) -> Result<SearchRequest> {
    let (query, a, location) = (q.query.as_str(), &q.filters, &q.location);
    let mut entities = Vec::new();
    for (kind, names) in [
        (EntityKind::Person, &a.person),
        (EntityKind::Org, &a.org),
        (EntityKind::Place, &a.place),
    ] {
        entities.extend(names.iter().map(|n| (kind, n.trim().to_string())));
    }
    Ok(SearchRequest {
        query: query.to_string(),
        match_mode: match a.match_mode {
            MatchArg::All => MatchMode::All,
            MatchArg::Any => MatchMode::Any,
        },
        sources: a.source.clone(),
        sections: a.section.clone(),
        entities,
        speakers: a.speaker.iter().map(|s| s.trim().to_string()).collect(),
        since: parse_day("--since", &a.since, false)?,
        until: parse_day("--until", &a.until, true)?,
        sort: match a.sort {
            SortArg::Relevance => Sort::Relevance,
            SortArg::Newest => Sort::Newest,
            SortArg::Oldest => Sort::Oldest,
        },
        ranking: Ranking::parse(&a.ranking)?,
        source_aliases: request_aliases(a, location)?,
        groups: a
            .group
            .iter()
            .map(|g| newsdex::model::copies::GroupId(g.trim().to_string()))
            .collect(),
        ..SearchRequest::default()
    })
}

/// The config file's source aliases with this search's `--source-alias` flags over them.
fn request_aliases(a: &Filters, location: &IndexLocation) -> Result<Vec<(String, String)>> {
    let flags: Vec<config::SourceAlias> = parse_source_aliases(&a.source_aliases)?
        .into_iter()
        .map(|(alias, canonical)| config::SourceAlias { alias, canonical })
        .collect();
    aliases_over_config(location, &flags)
}

/// The config file's source aliases, for commands without `--source-alias`.
fn config_source_aliases(location: &IndexLocation) -> Result<Vec<(String, String)>> {
    aliases_over_config(location, &[])
}

fn aliases_over_config(
    location: &IndexLocation,
    flags: &[config::SourceAlias],
) -> Result<Vec<(String, String)>> {
    let settings = config::Settings::load(&config::Flags {
        index: location.index.clone(),
        ..Default::default()
    })?;
    Ok(settings
        .source_aliases_with(flags)
        .into_iter()
        .map(|s| (s.alias, s.canonical))
        .collect())
}

fn parse_source_aliases(specs: &[String]) -> Result<Vec<(String, String)>> {
    specs
        .iter()
        .map(|s| {
            newsdex::ingest::source::parse_alias(s)
                .map_err(|e| Error::Usage(format!("--source-alias: {e}")))
        })
        .collect()
}

fn run_search(a: SearchArgs) -> Result<i32> {
    if let Some(file) = &a.batch {
        return run_batch(&a, file);
    }
    let request = search_request(&a)?;
    let engine = open::open(&a.q.location.location()?, Usage::OneShot)?;
    let results = engine.search(&request)?;
    if a.json {
        print::json(&results)?;
    } else {
        let color = match a.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::io::stdout().is_terminal()
                    && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        };
        print::search_results(&results, color)?;
    }
    // The process ends here: freeing the tens of thousands of names the entity rules hold, one
    // by one, was a fifteenth of a one-shot search's time, for memory the exit returns anyway.
    std::mem::forget(engine);
    Ok(0)
}

/// Every query of a list under the search's filters; a bad line is reported and the rest run.
fn run_batch(a: &SearchArgs, file: &std::path::Path) -> Result<i32> {
    if !a.q.query.is_empty() {
        return Err(Error::Usage(
            "give either a query or --batch FILE, not both".into(),
        ));
    }
    let bytes = std::fs::read(file).map_err(|e| Error::io(file, e))?;
    let lines = newsdex::features::batch::parse(&String::from_utf8_lossy(&bytes))?;
    let base = search_request(a)?;
    let engine = open::open(&a.q.location.location()?, Usage::OneShot)?;
    let report = newsdex::features::batch::run(engine.as_ref(), &base, &lines, a.per_source)?;
    for row in &report.rows {
        if let Some(e) = &row.error {
            eprintln!("newsdex: {}:{}: {e}", file.display(), row.line);
        }
    }
    if a.json {
        print::json(&report)?;
    } else if a.format == BatchFormat::Csv {
        newsdex::features::batch::write_csv(&report, std::io::stdout().lock())?;
    } else {
        print::batch_table(&report)?;
    }
    Ok(if report.failed > 0 { 2 } else { 0 })
}

fn run_stats(a: StatsArgs) -> Result<i32> {
    let engine = open::open(&a.location.location()?, Usage::OneShot)?;
    let stats = engine.stats()?;
    if a.json {
        print::json(&stats)?;
    } else {
        print::stats(&stats)?;
    }
    Ok(0)
}

fn read_input(file: &Option<PathBuf>) -> Result<String> {
    match file.as_deref() {
        None => Err(Error::Usage(
            "entities: give a FILE, - for standard input, or --conll FILE".into(),
        )),
        Some(p) if p.as_os_str() == "-" => {
            let mut s = String::new();
            std::io::stdin()
                .read_to_string(&mut s)
                .map_err(|e| Error::io("<stdin>", e))?;
            Ok(s)
        }
        Some(p) => {
            let bytes = std::fs::read(p).map_err(|e| Error::io(p, e))?;
            Ok(String::from_utf8_lossy(&bytes).into_owned())
        }
    }
}

fn run_entities(a: EntitiesArgs) -> Result<i32> {
    if let Some(command) = a.rules {
        return rules::run(command);
    }
    if let Some(conll) = &a.conll {
        let input = std::fs::read_to_string(conll).map_err(|e| Error::io(conll, e))?;
        print::raw(&newsdex::entities::tag_conll(&input))?;
        return Ok(0);
    }
    let text = read_input(&a.file)?;
    let mentions = newsdex::entities::extract(&text);
    if a.json {
        print::json(&mentions)?;
    } else {
        print::mentions(&mentions)?;
    }
    Ok(0)
}

/// The quotes of one text, in order, with their speakers and character offsets.
fn run_quotes(a: QuotesArgs) -> Result<i32> {
    let text = read_input(&Some(a.file))?;
    let quotes = newsdex::quotes::extract(&text);
    if a.json {
        print::json(&quotes)?;
    } else {
        print::quotes(&quotes)?;
    }
    Ok(0)
}

/// An entity's page; a name no article carries is said plainly and, like a search without hits,
/// is no error.
fn run_entity(a: EntityArgs) -> Result<i32> {
    let mut query =
        newsdex::features::entity_page::EntityQuery::new(&a.name, a.kind.map(EntityKind::from));
    if query.name.is_empty() {
        return Err(Error::Usage("entity: give a name".into()));
    }
    query.latest = a.latest.min(MAX_LIMIT);
    query.top = a.top.clamp(1, MAX_LIMIT);
    query.interval = Interval::parse(&a.interval)?;
    let base = SearchRequest {
        source_aliases: config_source_aliases(&a.location)?,
        ..SearchRequest::default()
    };
    let engine = open::open(&a.location.location()?, Usage::OneShot)?;
    let found = newsdex::features::entity_page::lookup(engine.as_ref(), &base, &query)?;
    if a.json {
        print::json(&found)?;
    } else {
        print::entity(&found)?;
    }
    Ok(0)
}

fn run_check(a: CheckArgs) -> Result<i32> {
    let report = open::open(&a.location.location()?, Usage::OneShot)?.check()?;
    if a.json {
        print::json(&report)?;
    } else {
        print::check(&report)?;
    }
    Ok(if report.ok { 0 } else { 1 })
}

fn run_config(a: ConfigArgs) -> Result<i32> {
    let settings = config::Settings::load(&config::Flags {
        index: a.location.index,
        engine: a.location.engine,
        fields: a.fields,
    })?;
    if a.json {
        print::json(&settings)?;
    } else {
        print::settings(&settings)?;
    }
    Ok(0)
}

fn run_serve(a: ServeArgs) -> Result<i32> {
    let usage = Usage::LongLived {
        cache_results: !a.no_cache,
    };
    let settings = a.location.settings()?;
    let aliases = settings
        .source_aliases_with(&[])
        .into_iter()
        .map(|s| (s.alias, s.canonical))
        .collect();
    let engine = open::open_with(&settings.location()?, usage, aliases)?;
    let access = crate::server::AccessOptions {
        edit_token: a.edit_token,
        public: a.public,
        require_key: a.require_key,
        key_rate: a.key_rate,
        address_rate: a.address_rate,
        max_export_rows: a.max_export_rows,
        audit_log: a.audit_log,
        trusted_proxies: a.trusted_proxies,
    };
    let limits = crate::server::Limits {
        search_timeout: std::time::Duration::from_secs_f64(a.timeout),
        ..Default::default()
    };
    crate::server::serve(engine, &a.addr, access, limits)?;
    Ok(0)
}
