//! The `newsdex` binary: parse arguments, run, map errors to exit codes. Nothing else lives here.
use clap::Parser;

fn main() {
    let args = newsdex::cli::Args::parse();
    match newsdex::cli::run(args) {
        Ok(code) => std::process::exit(code),
        Err(err) => {
            eprintln!("newsdex: {err}");
            std::process::exit(err.exit_code());
        }
    }
}
