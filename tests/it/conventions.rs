//! What terminal users expect of a command-line tool: help for every option, examples, shell
//! completions that the shells accept, and a manual page.
use std::process::{Command, Stdio};

use crate::common::bin;

fn stdout_of(args: &[&str]) -> String {
    let out = bin().args(args).output().expect("run newsdex");
    assert!(
        out.status.success(),
        "newsdex {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

#[test]
fn search_help_describes_limit_and_offset_and_shows_examples() {
    let short = stdout_of(&["search", "-h"]);
    for line in short.lines().filter(|l| {
        let t = l.trim_start();
        t.starts_with("--limit") || t.starts_with("--offset")
    }) {
        let words = line.split_whitespace().count();
        assert!(words > 3, "option line without description: {line:?}");
    }
    let help = stdout_of(&["search", "--help"]);
    assert!(help.contains("Number of results to show"), "{help}");
    assert!(help.contains("for paging"), "{help}");
    assert!(help.contains("Examples:"), "{help}");
    assert!(
        help.contains("newsdex search '\"bank of england\"'"),
        "{help}"
    );
    let index_help = stdout_of(&["index", "--help"]);
    assert!(index_help.contains("Examples:"), "{index_help}");
    assert!(index_help.contains("newsdex index corpus"), "{index_help}");
}

#[test]
fn bash_completion_is_valid_bash_and_completes_commands_and_options() {
    let script = stdout_of(&["completions", "bash"]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("newsdex.bash");
    std::fs::write(&path, &script).unwrap();
    let check = Command::new("bash").arg("-n").arg(&path).output().unwrap();
    assert!(
        check.status.success(),
        "bash -n rejected the completion: {}",
        String::from_utf8_lossy(&check.stderr)
    );
    // Source it and ask for completions the way bash's completion machinery does.
    let probe = format!(
        "source {}; COMP_WORDS=(newsdex search --li); COMP_CWORD=2; COMP_LINE='newsdex search --li'; \
         COMP_POINT=${{#COMP_LINE}}; _newsdex newsdex --li search; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        path.display()
    );
    let out = Command::new("bash").arg("-c").arg(&probe).output().unwrap();
    let replies = String::from_utf8_lossy(&out.stdout);
    assert!(
        replies.lines().any(|l| l == "--limit"),
        "completing `newsdex search --li` offered {replies:?} ({})",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A shell may be absent; then its check is skipped with a message.
fn shell_accepts(shell: &str, check_flag: &str, script: &str) {
    if Command::new(shell)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_err()
    {
        eprintln!("skipping: {shell} is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("completion");
    std::fs::write(&path, script).unwrap();
    let out = Command::new(shell)
        .arg(check_flag)
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{shell} {check_flag} rejected the completion: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn zsh_and_fish_completions_parse_in_their_shells() {
    let zsh = stdout_of(&["completions", "zsh"]);
    assert!(zsh.starts_with("#compdef newsdex"), "{}", &zsh[..80]);
    shell_accepts("zsh", "-n", &zsh);
    let fish = stdout_of(&["completions", "fish"]);
    assert!(
        fish.contains("complete -c newsdex"),
        "fish script names newsdex"
    );
    shell_accepts("fish", "--no-execute", &fish);
    let ps = stdout_of(&["completions", "powershell"]);
    assert!(
        ps.contains("Register-ArgumentCompleter"),
        "powershell script"
    );
}

#[test]
fn man_page_is_roff_that_man_renders() {
    let page = stdout_of(&["man"]);
    assert!(
        page.starts_with(".ie") || page.contains(".TH newsdex 1"),
        "{page:.200}"
    );
    for command in ["index", "search", "completions", "man", "config"] {
        assert!(page.contains(command), "top page lists {command}");
    }
    let search = stdout_of(&["man", "search"]);
    assert!(search.contains(".TH newsdex-search 1"), "{search:.300}");
    assert!(search.contains("offset"), "search page documents --offset");
    let unknown = bin().args(["man", "serach"]).output().unwrap();
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no such command"));

    if Command::new("man").arg("--version").output().is_err() {
        eprintln!("skipping rendering: man is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("newsdex-search.1");
    std::fs::write(&path, &search).unwrap();
    let out = Command::new("man")
        .arg("-l")
        .arg(&path)
        .env("MANPAGER", "cat")
        .env("MANWIDTH", "100")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("--offset"),
        "rendered page: {text:.500} {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The layer of a library module, bottom to top (docs/architecture.md); `None` for a module the
/// table does not know, which the test reports.
fn layer(room: &str) -> Option<u8> {
    Some(match room {
        "error" | "analysis" => 0,
        "ingest" | "entities" | "quotes" => 1,
        "model" => 2,
        "backend" => 3,
        "engines/tantivy" | "engines/opensearch" | "engines" => 4,
        "features" => 5,
        "open" => 6,
        _ => return None,
    })
}

/// The room of a source file: its top-level module, or `engines/NAME` inside `engines/`.
fn room_of(rel: &std::path::Path) -> String {
    let parts: Vec<String> = rel
        .with_extension("")
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    match parts.as_slice() {
        [engines, name, ..] if engines == "engines" && name != "mod" => format!("engines/{name}"),
        [first, ..] => first.clone(),
        [] => String::new(),
    }
}

/// Every `crate::a::b` path in `text` outside comments and the file's test module, as the room
/// it names (`engines/NAME` for the engines).
fn crate_paths(text: &str) -> Vec<String> {
    let code: String = text
        .split("#[cfg(test)]\nmod tests")
        .next()
        .unwrap_or_default()
        .lines()
        .map(|l| l.split("//").next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n");
    let mut rooms = Vec::new();
    for (at, _) in code.match_indices("crate::") {
        let before = code[..at].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let rest = &code[at + "crate::".len()..];
        let word = |s: &str| -> String {
            s.chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect()
        };
        let first = word(rest);
        if first == "engines" {
            let second = rest.strip_prefix("engines::").map(word).unwrap_or_default();
            rooms.push(if second.is_empty() {
                first
            } else {
                format!("engines/{second}")
            });
        } else if !first.is_empty() && first.chars().next().is_some_and(|c| c.is_lowercase()) {
            rooms.push(first);
        }
    }
    rooms
}

#[test]
fn no_module_imports_one_above_it_and_engines_never_import_each_other() {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    let mut wrong = Vec::new();
    let mut checked = 0;
    for file in &files {
        let rel = file.strip_prefix(&src).unwrap();
        let room = room_of(rel);
        // The binary's own modules sit on top and reach the library as `newsdex::`.
        if ["bin", "cli", "server", "main", "lib"].contains(&room.as_str()) {
            continue;
        }
        let Some(own) = layer(&room) else {
            wrong.push(format!(
                "{}: module '{room}' has no layer in the table",
                rel.display()
            ));
            continue;
        };
        let text = std::fs::read_to_string(file).unwrap();
        for target in crate_paths(&text) {
            checked += 1;
            if ["Error", "Result"].contains(&target.as_str()) || target == room {
                continue;
            }
            match layer(&target) {
                Some(l) if l > own => wrong.push(format!(
                    "{}: {room} (layer {own}) imports {target} (layer {l})",
                    rel.display()
                )),
                Some(_) if own == 4 && target.starts_with("engines/") => wrong.push(format!(
                    "{}: engine {room} imports engine {target}",
                    rel.display()
                )),
                Some(_) => {}
                None => wrong.push(format!(
                    "{}: imports unknown module '{target}'",
                    rel.display()
                )),
            }
        }
    }
    assert!(checked > 100, "read the crate's paths ({checked})");
    assert!(wrong.is_empty(), "layering broken:\n{}", wrong.join("\n"));
}
