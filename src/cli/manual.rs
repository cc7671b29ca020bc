//! Shell completions and manual pages, both generated from the one clap definition of the
//! command line so they can never disagree with `--help`.
use clap::CommandFactory;
use clap_complete::Shell;

use super::Args;
use newsdex::{Error, Result};

/// The completion script for `shell`.
pub fn completions(shell: Shell) -> String {
    let mut cmd = Args::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, "newsdex", &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// The roff page for newsdex, or for one of its commands (`newsdex-search(1)`).
pub fn man_page(command: Option<&str>) -> Result<String> {
    let mut top = Args::command();
    top.build();
    let page = match command {
        None => top,
        Some(name) => {
            let names: Vec<String> = top
                .get_subcommands()
                .map(|c| c.get_name().to_string())
                .filter(|n| n != "help")
                .collect();
            top.find_subcommand(name)
                .filter(|c| c.get_name() != "help")
                .cloned()
                .ok_or_else(|| {
                    Error::Usage(format!(
                        "man {name}: no such command (commands: {})",
                        names.join(", ")
                    ))
                })?
        }
    };
    let mut out = Vec::new();
    clap_mangen::Man::new(page)
        .render(&mut out)
        .map_err(|e| Error::io("<man page>", e))?;
    Ok(String::from_utf8_lossy(&out).into_owned())
}
