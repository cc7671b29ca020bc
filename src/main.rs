//! The `newsdex` binary: the command line and the HTTP server over the library. `main` parses
//! arguments, runs, and maps errors to exit codes; `cli` and `server` are glue of the binary,
//! not part of the library a Rust program embeds.
mod cli;
mod server;

use clap::Parser;

fn main() {
    let args = cli::Args::parse();
    match cli::run(args) {
        Ok(code) => std::process::exit(code),
        // The reader of our output has all it wanted (`| head`): end quietly, as a success.
        Err(err) if err.is_broken_pipe() => std::process::exit(0),
        Err(err) => {
            eprintln!("newsdex: {err}");
            std::process::exit(err.exit_code());
        }
    }
}
