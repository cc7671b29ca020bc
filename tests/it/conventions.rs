//! What terminal users expect of a command-line tool: help for every option, examples, shell
//! completions that the shells accept, and a manual page.
use std::process::{Command, Stdio};

use clap::CommandFactory;

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

/// Every argument of every command, with the path of commands leading to it.
fn all_args(cmd: &clap::Command, path: &str, out: &mut Vec<(String, clap::Arg)>) {
    for arg in cmd.get_arguments() {
        out.push((path.to_string(), arg.clone()));
    }
    for sub in cmd.get_subcommands() {
        all_args(sub, &format!("{path} {}", sub.get_name()), out);
    }
}

#[test]
fn every_option_and_argument_has_help() {
    let mut cmd = newsdex::cli::Args::command();
    cmd.build();
    let mut args = Vec::new();
    all_args(&cmd, "newsdex", &mut args);
    assert!(
        args.len() > 40,
        "walked the whole tree ({} args)",
        args.len()
    );
    let missing: Vec<String> = args
        .iter()
        .filter(|(_, a)| a.get_help().is_none_or(|h| h.to_string().trim().is_empty()))
        .map(|(path, a)| format!("{path} {}", a.get_id()))
        .collect();
    assert!(missing.is_empty(), "arguments without help: {missing:?}");
    // Every command says what it does, too.
    for sub in cmd.get_subcommands() {
        assert!(sub.get_about().is_some(), "{} has no about", sub.get_name());
    }
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
