//! The binary's own modules (`cli`, `server`) are not part of the library, so a test that walks
//! the command-line definition compiles them here, from the binary's sources, as `main.rs` does.
use clap::CommandFactory;

#[allow(dead_code)]
#[path = "../src/cli/mod.rs"]
mod cli;
#[allow(dead_code)]
#[path = "../src/server/mod.rs"]
mod server;

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
    let mut cmd = cli::Args::command();
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
