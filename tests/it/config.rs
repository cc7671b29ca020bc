//! The config file in the platform's config folder: its settings apply, the environment beats
//! it, flags beat both, and `newsdex config` says where each value came from.
use std::path::Path;
use std::process::{Command, Output};

use serde::Deserialize;

use crate::common::{Fixture, Results, bin};

#[derive(Debug, Deserialize)]
struct Settings {
    config_file: ConfigFile,
    index: Setting<String>,
    engine_url: Setting<Option<String>>,
    fields: Vec<Setting<FieldMapping>>,
    source_aliases: Vec<Setting<SourceAlias>>,
}

#[derive(Debug, Deserialize)]
struct ConfigFile {
    path: Option<String>,
    found: bool,
}

#[derive(Debug, Deserialize)]
struct Setting<T> {
    value: T,
    origin: serde_json::Value,
}

#[derive(Debug, Deserialize, PartialEq)]
struct FieldMapping {
    field: String,
    key: String,
}

#[derive(Debug, Deserialize, PartialEq)]
struct SourceAlias {
    alias: String,
    canonical: String,
}

/// newsdex with `$XDG_CONFIG_HOME` at `home`, as a user whose config folder that is.
fn newsdex(home: &Path) -> Command {
    let mut c = bin();
    c.env_remove("NEWSDEX_CONFIG")
        .env_remove("NEWSDEX_ENGINE")
        .env("XDG_CONFIG_HOME", home)
        .current_dir(home);
    c
}

fn write_config(home: &Path, text: &str) {
    let dir = home.join("newsdex");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("config.toml"), text).unwrap();
}

fn settings(cmd: &mut Command) -> Settings {
    settings_with(cmd, &[])
}

fn settings_with(cmd: &mut Command, flags: &[&std::ffi::OsStr]) -> Settings {
    let out = cmd.args(["config", "--json"]).args(flags).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn ok(out: Output) -> Output {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[test]
fn config_file_then_environment_then_flags() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let from_file = home.join("from-file-idx");
    write_config(
        home,
        &format!(
            "index = {:?}\nengine_url = \"opensearch+http://127.0.0.1:7700/news\"\n\n[fields]\nbody = \"content_original\"\n\n[source_aliases]\n\"Meridian Wire Service\" = \"Meridian Wire\"\n",
            from_file.display()
        ),
    );

    // The file alone.
    let s = settings(&mut newsdex(home));
    assert!(s.config_file.found);
    assert_eq!(
        Path::new(s.config_file.path.as_deref().unwrap()),
        home.join("newsdex/config.toml")
    );
    assert_eq!(Path::new(&s.index.value), from_file);
    assert_eq!(s.index.origin, "config_file");
    assert_eq!(
        s.engine_url.value.as_deref(),
        Some("opensearch+http://127.0.0.1:7700/news")
    );
    assert_eq!(s.engine_url.origin, "config_file");
    assert_eq!(
        s.fields[0].value,
        FieldMapping {
            field: "body".into(),
            key: "content_original".into()
        }
    );
    assert_eq!(
        s.source_aliases[0].value,
        SourceAlias {
            alias: "Meridian Wire Service".into(),
            canonical: "Meridian Wire".into()
        }
    );

    // The environment beats the file.
    let from_env = home.join("from-env-idx");
    let s = settings(newsdex(home).env("NEWSDEX_INDEX", &from_env).env(
        "NEWSDEX_ENGINE",
        "opensearch+https://search.example:9200/news",
    ));
    assert_eq!(Path::new(&s.index.value), from_env);
    assert_eq!(s.index.origin, serde_json::json!({"env": "NEWSDEX_INDEX"}));
    assert_eq!(
        s.engine_url.value.as_deref(),
        Some("opensearch+https://search.example:9200/news")
    );

    // A flag beats both.
    let from_flag = home.join("from-flag-idx");
    let s = settings_with(
        newsdex(home).env("NEWSDEX_INDEX", &from_env),
        &[
            "--index".as_ref(),
            from_flag.as_os_str(),
            "--field".as_ref(),
            "body=story_text".as_ref(),
        ],
    );
    assert_eq!(Path::new(&s.index.value), from_flag);
    assert_eq!(s.index.origin, serde_json::json!({"flag": "--index"}));
    assert_eq!(
        s.fields.len(),
        1,
        "the flag replaces the file's body mapping"
    );
    assert_eq!(s.fields[0].value.key, "story_text");
    assert_eq!(s.fields[0].origin, serde_json::json!({"flag": "--field"}));

    // The human listing names every origin.
    let out = ok(newsdex(home)
        .env("NEWSDEX_INDEX", &from_env)
        .arg("config")
        .output()
        .unwrap());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!(
            "config file: {}",
            home.join("newsdex/config.toml").display()
        )),
        "{text}"
    );
    assert!(text.contains("(environment $NEWSDEX_INDEX)"), "{text}");
    assert!(text.contains("fields.body = content_original"), "{text}");
    assert!(text.contains("(config file)"), "{text}");
}

#[test]
fn the_config_files_index_and_field_mapping_are_used_by_index_and_search() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let f = Fixture::new();
    f.write(
        "feed.jsonl",
        "{\"title\": \"Crane arrives\", \"content_original\": \"The crane reached the quay.\"}\n",
    );
    let index = home.join("configured-idx");
    write_config(
        home,
        &format!(
            "index = {:?}\n[fields]\nbody = \"content_original\"\n",
            index.display()
        ),
    );
    ok(newsdex(home)
        .args(["index", "--no-entities"])
        .arg(f.docs())
        .output()
        .unwrap());
    assert!(
        index.join("meta.json").is_file(),
        "the index went where the file says"
    );
    let out = ok(newsdex(home)
        .args(["search", "quay", "--json"])
        .output()
        .unwrap());
    let r: Results = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        r.total, 1,
        "the mapped body was indexed and the configured index searched"
    );
}

#[test]
fn a_missing_file_means_defaults_and_a_bad_one_is_named() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let s = settings(&mut newsdex(home));
    assert!(!s.config_file.found);
    assert_eq!(s.index.origin, "default");
    assert_eq!(s.engine_url.value, None);
    assert!(s.fields.is_empty() && s.source_aliases.is_empty());

    write_config(home, "index = \"x\"\nindx_typo = 3\n");
    let out = newsdex(home).arg("config").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("config.toml") && err.contains("indx_typo"),
        "{err}"
    );

    write_config(home, "[fields]\nheadlin = \"t\"\n");
    let out = newsdex(home).arg("config").output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unknown field 'headlin'"), "{err}");

    // $NEWSDEX_CONFIG names another file; empty means none.
    let other = home.join("other.toml");
    std::fs::write(
        &other,
        "engine_url = \"opensearch+http://127.0.0.1:7701/news\"\n",
    )
    .unwrap();
    let s = settings(newsdex(home).env("NEWSDEX_CONFIG", &other));
    assert_eq!(
        s.engine_url.value.as_deref(),
        Some("opensearch+http://127.0.0.1:7701/news")
    );
    let s = settings(newsdex(home).env("NEWSDEX_CONFIG", ""));
    assert!(!s.config_file.found && s.config_file.path.is_none());
}
