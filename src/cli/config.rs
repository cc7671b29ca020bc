//! Settings: built-in defaults, then the config file, then environment variables, then flags,
//! each later one winning, and every value remembering where it came from so `newsdex config`
//! can say so.
//!
//! The file lives in the platform's config folder (`~/.config/newsdex/config.toml` on Linux,
//! following `$XDG_CONFIG_HOME`); `$NEWSDEX_CONFIG` names another file, or none when empty.
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use newsdex::engines::opensearch::EngineUrl;
use newsdex::open::Location;
use newsdex::{Error, Result};

/// Environment variable naming the config file (empty: read none).
pub const CONFIG_ENV: &str = "NEWSDEX_CONFIG";
/// Environment variable for the index location.
pub const INDEX_ENV: &str = "NEWSDEX_INDEX";
/// Environment variable for the engine URL.
pub const ENGINE_ENV: &str = "NEWSDEX_ENGINE";

/// What the config file may hold. Unknown keys are errors, so a typo does not pass silently.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSettings {
    index: Option<PathBuf>,
    engine_url: Option<String>,
    #[serde(default)]
    fields: BTreeMap<String, String>,
    #[serde(default)]
    source_aliases: BTreeMap<String, String>,
}

/// Where a setting's value came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    Default,
    ConfigFile,
    Env(&'static str),
    Flag(&'static str),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Default => f.write_str("default"),
            Origin::ConfigFile => f.write_str("config file"),
            Origin::Env(name) => write!(f, "environment ${name}"),
            Origin::Flag(name) => write!(f, "flag {name}"),
        }
    }
}

/// A value and where it came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Setting<T> {
    pub value: T,
    pub origin: Origin,
}

impl<T> Setting<T> {
    fn new(value: T, origin: Origin) -> Self {
        Setting { value, origin }
    }
}

/// A field mapping: one of our fields read from the files' own key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldMapping {
    pub field: String,
    pub key: String,
}

/// A source alias: a name as the files write it, and the name to file it under.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceAlias {
    pub alias: String,
    pub canonical: String,
}

/// The config file consulted, and whether it exists.
#[derive(Debug, Clone, Serialize)]
pub struct ConfigFile {
    pub path: Option<PathBuf>,
    pub found: bool,
}

/// The effective settings.
#[derive(Debug, Clone, Serialize)]
pub struct Settings {
    pub config_file: ConfigFile,
    pub index: Setting<PathBuf>,
    /// An OpenSearch index to use instead of the folder (`opensearch+http://host:port/index`).
    pub engine_url: Setting<Option<String>>,
    pub fields: Vec<Setting<FieldMapping>>,
    pub source_aliases: Vec<Setting<SourceAlias>>,
}

/// Values given on the command line.
#[derive(Debug, Clone, Default)]
pub struct Flags {
    pub index: Option<PathBuf>,
    /// `--engine URL`.
    pub engine: Option<String>,
    /// `--field FIELD=KEY`, as typed.
    pub fields: Vec<String>,
}

impl Settings {
    /// Resolve every setting from the config file, the process environment and `flags`.
    pub fn load(flags: &Flags) -> Result<Settings> {
        let env = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
        let path = match std::env::var_os(CONFIG_ENV) {
            Some(p) if p.is_empty() => None,
            Some(p) => Some(PathBuf::from(p)),
            None => default_config_path(),
        };
        let file = match &path {
            Some(p) => read_file(p)?,
            None => None,
        };
        let found = file.is_some();
        let file = file.unwrap_or_default();
        let config_error = |msg: String| match &path {
            Some(p) => Error::Usage(format!("{}: {msg}", p.display())),
            None => Error::Usage(msg),
        };

        let index = if let Some(p) = &flags.index {
            Setting::new(p.clone(), Origin::Flag("--index"))
        } else if let Some(p) = env(INDEX_ENV) {
            Setting::new(PathBuf::from(p), Origin::Env(INDEX_ENV))
        } else if let Some(p) = &file.index {
            Setting::new(expand_home(p), Origin::ConfigFile)
        } else {
            Setting::new(
                newsdex::engines::tantivy::index::default_location(),
                Origin::Default,
            )
        };

        let engine_url = if let Some(u) = &flags.engine {
            Setting::new(Some(u.clone()), Origin::Flag("--engine"))
        } else if let Some(u) = env(ENGINE_ENV) {
            Setting::new(
                Some(u.to_string_lossy().into_owned()),
                Origin::Env(ENGINE_ENV),
            )
        } else if let Some(u) = &file.engine_url {
            Setting::new(Some(u.clone()), Origin::ConfigFile)
        } else {
            Setting::new(None, Origin::Default)
        };
        if let Some(u) = &engine_url.value {
            check_url(u).map_err(|m| match engine_url.origin {
                Origin::ConfigFile => config_error(m),
                Origin::Flag(flag) => Error::Usage(format!("{flag}: {m}")),
                _ => Error::Usage(format!("${ENGINE_ENV}: {m}")),
            })?;
        }

        let from_flags = parse_field_map(&flags.fields)?;
        let from_file = file
            .fields
            .iter()
            .map(|(field, key)| {
                mapping(field, key).map_err(|m| config_error(format!("[fields] {m}")))
            })
            .collect::<Result<Vec<_>>>()?;
        let mut fields: Vec<Setting<FieldMapping>> = from_file
            .into_iter()
            .filter(|m| !from_flags.iter().any(|f| f.field == m.field))
            .map(|m| Setting::new(m, Origin::ConfigFile))
            .collect();
        fields.extend(
            from_flags
                .into_iter()
                .map(|m| Setting::new(m, Origin::Flag("--field"))),
        );

        let source_aliases = file
            .source_aliases
            .into_iter()
            .map(|(alias, canonical)| {
                Setting::new(SourceAlias { alias, canonical }, Origin::ConfigFile)
            })
            .collect();

        Ok(Settings {
            config_file: ConfigFile { path, found },
            index,
            engine_url,
            fields,
            source_aliases,
        })
    }

    /// The engine commands use: the engine URL or the index folder, whichever was given the
    /// more specific way (flag, then environment, then config file); the URL wins a tie.
    pub fn location(&self) -> Result<Location> {
        match &self.engine_url.value {
            Some(url) if rank(&self.engine_url.origin) >= rank(&self.index.origin) => {
                Ok(Location::OpenSearch(EngineUrl::parse(url)?))
            }
            _ => Ok(Location::Dir(self.index.value.clone())),
        }
    }

    /// The field mappings for the parsers, as (our field, their key).
    pub fn field_map(&self) -> Vec<(String, String)> {
        self.fields
            .iter()
            .map(|s| (s.value.field.clone(), s.value.key.clone()))
            .collect()
    }

    /// The source aliases with those given on the command line added: a flag's alias replaces
    /// the config file's for the same name.
    pub fn source_aliases_with(&self, flags: &[SourceAlias]) -> Vec<SourceAlias> {
        self.source_aliases
            .iter()
            .map(|s| &s.value)
            .filter(|s| !flags.iter().any(|f| f.alias == s.alias))
            .chain(flags)
            .cloned()
            .collect()
    }
}

/// `config.toml` in the platform's config folder for newsdex, if the platform has one.
pub fn default_config_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "newsdex").map(|d| d.config_dir().join("config.toml"))
}

/// The config file's settings, `None` when there is no such file.
fn read_file(path: &Path) -> Result<Option<FileSettings>> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(path, e)),
    };
    toml::from_str(&text)
        .map(Some)
        .map_err(|e| Error::Usage(format!("{}: {}", path.display(), e.message())))
}

/// `~/x` is `x` in the home folder, as a shell would have it.
fn expand_home(p: &Path) -> PathBuf {
    match (p.strip_prefix("~"), directories::BaseDirs::new()) {
        (Ok(rest), Some(dirs)) => dirs.home_dir().join(rest),
        _ => p.to_path_buf(),
    }
}

fn rank(origin: &Origin) -> u8 {
    match origin {
        Origin::Default => 0,
        Origin::ConfigFile => 1,
        Origin::Env(_) => 2,
        Origin::Flag(_) => 3,
    }
}

fn check_url(url: &str) -> Result<(), String> {
    EngineUrl::parse(url).map(|_| ()).map_err(|e| e.to_string())
}

/// Our fields a mapping may name.
const MAPPABLE: &[&str] = &[
    "headline",
    "body",
    "source",
    "date",
    "authors",
    "author",
    "url",
    "standfirst",
];

/// `FIELD=KEY` pairs from the command line, validated.
pub fn parse_field_map(pairs: &[String]) -> Result<Vec<FieldMapping>> {
    pairs
        .iter()
        .map(|p| {
            let usage = |msg: &str| Error::Usage(format!("--field {p}: {msg}"));
            let (field, key) = p
                .split_once('=')
                .ok_or_else(|| usage("expected FIELD=KEY, e.g. body=content_original"))?;
            mapping(field, key).map_err(|m| usage(&m))
        })
        .collect()
}

fn mapping(field: &str, key: &str) -> Result<FieldMapping, String> {
    if !MAPPABLE.contains(&field) {
        return Err(format!(
            "unknown field '{field}' (fields: {})",
            MAPPABLE.join(", ")
        ));
    }
    if key.trim().is_empty() {
        return Err(format!("field '{field}' is mapped to an empty key"));
    }
    Ok(FieldMapping {
        field: field.to_string(),
        key: key.to_string(),
    })
}
