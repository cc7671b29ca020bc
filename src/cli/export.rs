//! `newsdex export`: every hit of a search written as CSV or JSON Lines, to a file or standard
//! output, streamed row by row so an export of the whole archive needs no more memory than one.
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use clap::ValueEnum;

use super::QueryArgs;
use newsdex::backend::Backend;
use newsdex::features::export::{Column, Exporter, Format, Layout};
use newsdex::model::request::{ExportOptions, SearchRequest};
use newsdex::open::{self, Usage};
use newsdex::{Error, Result};

pub const EXPORT_EXAMPLES: &str = "\
Examples:
  newsdex export ceasefire --output ceasefire.csv          every hit, best first
  newsdex export '' --source \"Capital Ledger\" --sort oldest --format jsonl > ledger.jsonl
  newsdex export 'bank rates' --fields id,date,headline,entities,snippet --bom -o rates.csv";

#[derive(Debug, clap::Args)]
#[command(after_help = EXPORT_EXAMPLES)]
pub struct ExportArgs {
    #[command(flatten)]
    pub q: QueryArgs,
    /// Output format
    #[arg(long, value_enum, default_value_t = FormatArg::Csv)]
    pub format: FormatArg,
    /// Columns, comma-separated: id, path, headline, source, section, date, authors, url, score,
    /// group, person, org, place, misc, entities (the four kinds), snippet [default: all but snippet]
    #[arg(long, value_name = "LIST")]
    pub fields: Option<String>,
    /// Write to this file instead of standard output (written whole or not at all)
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Start a CSV with a UTF-8 byte-order mark (some spreadsheets need it to read accents)
    #[arg(long)]
    pub bom: bool,
    /// Hits read per pass over the index; memory grows with this, not with the hit count
    #[arg(long, value_name = "N", default_value_t = ExportOptions::default().page, hide = true)]
    pub page_size: usize,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FormatArg {
    /// Comma-separated values with a header row
    Csv,
    /// One JSON object a line
    Jsonl,
}

pub fn run_export(a: ExportArgs) -> Result<i32> {
    let request = super::filtered_request(&a.q)?;
    let layout = Layout {
        format: match a.format {
            FormatArg::Csv => Format::Csv,
            FormatArg::Jsonl => Format::Jsonl,
        },
        columns: match &a.fields {
            Some(list) => Column::parse_list(list)?,
            None => Column::DEFAULT.to_vec(),
        },
        bom: a.bom,
    };
    let options = ExportOptions {
        snippets: layout.wants_snippets(),
        page: a.page_size.max(1),
    };
    let engine = open::open(&a.q.location.location()?, Usage::OneShot)?;
    match &a.output {
        None => {
            let stdout = std::io::stdout().lock();
            write_all(
                engine.as_ref(),
                &request,
                options,
                BufWriter::new(stdout),
                &layout,
            )?;
        }
        Some(path) => {
            let count = write_file(engine.as_ref(), &request, options, path, &layout)?;
            let s = if count == 1 { "" } else { "s" };
            eprintln!("exported {count} article{s} to {}", path.display());
        }
    }
    Ok(0)
}

fn write_all<W: Write>(
    engine: &dyn Backend,
    request: &SearchRequest,
    options: ExportOptions,
    out: W,
    layout: &Layout,
) -> Result<u64> {
    let mut exporter = Exporter::new(out, layout)?;
    let count = engine.export(request, options, &mut |hit| exporter.write(&hit))?;
    exporter.finish()?;
    Ok(count)
}

/// Rows go to a file beside the target that replaces it only once complete, so a failed export
/// never leaves a truncated file that looks finished.
fn write_file(
    engine: &dyn Backend,
    request: &SearchRequest,
    options: ExportOptions,
    path: &Path,
    layout: &Layout,
) -> Result<u64> {
    let partial = partial_path(path);
    let file = File::create(&partial).map_err(|e| Error::io(&partial, e))?;
    let written = write_all(engine, request, options, BufWriter::new(file), layout)
        .map_err(|e| name_output(e, path));
    match written {
        Ok(count) => {
            std::fs::rename(&partial, path).map_err(|e| Error::io(path, e))?;
            Ok(count)
        }
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            Err(e)
        }
    }
}

fn partial_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    path.with_file_name(name)
}

/// An output error names the file the user asked for.
fn name_output(e: Error, path: &Path) -> Error {
    match e {
        Error::Io { path: p, source } if p == Path::new(newsdex::features::export::OUTPUT) => {
            Error::io(path, source)
        }
        other => other,
    }
}
