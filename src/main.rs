//! The `newsdex` binary: the command line and the HTTP server over the library. `main` parses
//! arguments, runs, and maps errors to exit codes; `cli` and `server` are glue of the binary,
//! not part of the library a Rust program embeds.
mod cli;
mod server;

use clap::Parser;

// The binary allocates from many threads at once (indexing workers, the tagger, tantivy's
// writer and merges, the server's requests). glibc's allocator gives each thread an arena of its
// own and keeps what those arenas once held, so an index run's peak memory grew with the run;
// mimalloc hands freed pages back. The library leaves the choice to the program embedding it.
// Built without transparent huge pages (`no_thp`): asked for on its arena, they made each 2 MiB
// region resident as soon as one of its pages was touched. Indexing 2,000 AllSides articles
// without entities peaked at 132 MiB with them and 72 MiB without (`MIMALLOC_ALLOW_THP=0`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
