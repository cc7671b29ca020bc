//! Command line: clap arguments, validated into plans, and the printers. Placeholder.
use clap::Parser;

#[derive(Debug, Parser)]
#[command(name = "newsdex", version, about = "Search engine for news archives")]
pub struct Args {}

pub fn run(_args: Args) -> crate::Result<i32> {
    Ok(0)
}
