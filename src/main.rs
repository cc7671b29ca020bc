//! The `newsdex` binary: parse arguments, run, map errors to exit codes. Nothing else lives here.
use clap::Parser;

fn main() {
    let args = newsdex::cli::Args::parse();
    match newsdex::cli::run(args) {
        Ok(code) => std::process::exit(code),
        // The reader of our output has all it wanted (`| head`): end quietly, as a success.
        Err(err) if err.is_broken_pipe() => std::process::exit(0),
        Err(err) => {
            eprintln!("newsdex: {err}");
            std::process::exit(err.exit_code());
        }
    }
}
