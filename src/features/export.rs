//! Export formats: search hits written as CSV or JSON Lines, one article per row, whatever engine
//! produced them. The CLI writes to a file or standard output, the server to a streamed body;
//! both go through [`Exporter`], so a column means the same everywhere.
use std::io::Write;

use serde::Serialize;
use serde_json::Value;

use crate::entities::EntityKind;
use crate::model::results::Hit;
use crate::{Error, Result};

/// How rows are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Comma-separated, RFC 4180 quoting, a header row; several values in one cell joined by "; ".
    #[default]
    Csv,
    /// One JSON object a line; several values stay arrays.
    Jsonl,
}

impl Format {
    pub fn parse(s: &str) -> Result<Format> {
        match s.trim().to_ascii_lowercase().as_str() {
            "csv" => Ok(Format::Csv),
            "jsonl" | "ndjson" => Ok(Format::Jsonl),
            other => Err(Error::Usage(format!(
                "unknown export format '{other}' (use csv or jsonl)"
            ))),
        }
    }

    pub fn media_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Jsonl => "application/x-ndjson",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Jsonl => "jsonl",
        }
    }
}

/// One exported column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Id,
    Path,
    Headline,
    Source,
    Section,
    Date,
    Authors,
    Url,
    Score,
    /// The group of copies of one story (empty for an article without copies).
    Group,
    Entity(EntityKind),
    Snippet,
    /// The quotes the search selects (`quote:` words, `--speaker`), each with its speaker.
    Quotes,
}

impl Column {
    /// Every column but the snippet, which costs a pass over each body and is asked for by name.
    pub const DEFAULT: [Column; 14] = [
        Column::Id,
        Column::Path,
        Column::Headline,
        Column::Source,
        Column::Section,
        Column::Date,
        Column::Authors,
        Column::Url,
        Column::Score,
        Column::Group,
        Column::Entity(EntityKind::Person),
        Column::Entity(EntityKind::Org),
        Column::Entity(EntityKind::Place),
        Column::Entity(EntityKind::Misc),
    ];

    pub fn name(self) -> &'static str {
        match self {
            Column::Id => "id",
            Column::Path => "path",
            Column::Headline => "headline",
            Column::Source => "source",
            Column::Section => "section",
            Column::Date => "date",
            Column::Authors => "authors",
            Column::Url => "url",
            Column::Score => "score",
            Column::Group => "group",
            Column::Entity(kind) => kind.as_str(),
            Column::Snippet => "snippet",
            Column::Quotes => "quotes",
        }
    }

    /// A comma list of column names; `entities` stands for the four entity kinds.
    pub fn parse_list(list: &str) -> Result<Vec<Column>> {
        let mut out: Vec<Column> = Vec::new();
        for name in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let named: Vec<Column> = if name.eq_ignore_ascii_case("entities") {
                Column::DEFAULT[10..].to_vec()
            } else {
                let all = Column::DEFAULT
                    .iter()
                    .chain(&[Column::Snippet, Column::Quotes]);
                let found = all.copied().find(|c| c.name().eq_ignore_ascii_case(name));
                vec![found.ok_or_else(|| {
                    Error::Usage(format!(
                        "unknown export field '{name}' (fields: {}, entities, snippet, quotes)",
                        Column::DEFAULT.map(Column::name).join(", ")
                    ))
                })?]
            };
            for c in named {
                if !out.contains(&c) {
                    out.push(c);
                }
            }
        }
        if out.is_empty() {
            return Err(Error::Usage("--fields: name at least one field".into()));
        }
        Ok(out)
    }

    fn cell(self, hit: &Hit) -> String {
        match self {
            Column::Id => hit.id.clone(),
            Column::Path => hit.path.clone(),
            Column::Headline => hit.headline.clone(),
            Column::Source => hit.source.clone(),
            Column::Section => hit.section.clone().unwrap_or_default(),
            Column::Date => hit.date.map(|d| d.to_string()).unwrap_or_default(),
            Column::Authors => hit.authors.join("; "),
            Column::Url => hit.url.clone().unwrap_or_default(),
            Column::Score => format!("{:.4}", hit.score),
            Column::Group => hit.group.as_ref().map(|g| g.0.clone()).unwrap_or_default(),
            Column::Entity(kind) => hit
                .entities
                .get(&kind)
                .map_or_else(String::new, |names| names.join("; ")),
            Column::Snippet => hit.snippet.clone(),
            Column::Quotes => hit
                .quotes
                .iter()
                .map(|q| {
                    let who = q.speaker.as_deref().unwrap_or("-");
                    format!("{who}: \u{201c}{}\u{201d}", q.text)
                })
                .collect::<Vec<_>>()
                .join(" | "),
        }
    }

    fn value(self, hit: &Hit) -> Value {
        let list = |v: &[String]| Value::from(v.to_vec());
        match self {
            Column::Section => hit.section.clone().map_or(Value::Null, Value::from),
            Column::Date => hit.date.map_or(Value::Null, |d| Value::from(d.to_string())),
            Column::Url => hit.url.clone().map_or(Value::Null, Value::from),
            Column::Authors => list(&hit.authors),
            Column::Score => Value::from(f64::from(hit.score)),
            Column::Group => hit
                .group
                .as_ref()
                .map_or(Value::Null, |g| Value::from(g.0.clone())),
            Column::Entity(kind) => list(hit.entities.get(&kind).map_or(&[], Vec::as_slice)),
            Column::Quotes => serde_json::to_value(&hit.quotes).unwrap_or(Value::Null),
            other => Value::from(other.cell(hit)),
        }
    }
}

/// What to export and how.
#[derive(Debug, Clone)]
pub struct Layout {
    pub format: Format,
    pub columns: Vec<Column>,
    /// Start a CSV with a UTF-8 byte-order mark, for spreadsheets that guess the encoding.
    pub bom: bool,
}

impl Default for Layout {
    fn default() -> Self {
        Layout {
            format: Format::Csv,
            columns: Column::DEFAULT.to_vec(),
            bom: false,
        }
    }
}

impl Layout {
    pub fn wants_snippets(&self) -> bool {
        self.columns.contains(&Column::Snippet)
    }
}

/// Writes hits one at a time; nothing but the current row is held.
pub struct Exporter<W: Write> {
    columns: Vec<Column>,
    sink: Sink<W>,
}

enum Sink<W: Write> {
    Csv(Box<csv::Writer<W>>),
    Jsonl(W),
}

impl<W: Write> Exporter<W> {
    /// Start an export: the byte-order mark and header row of a CSV go out at once.
    pub fn new(mut out: W, layout: &Layout) -> Result<Exporter<W>> {
        let sink = match layout.format {
            Format::Csv => {
                if layout.bom {
                    out.write_all("\u{feff}".as_bytes()).map_err(output_error)?;
                }
                let mut csv = csv::WriterBuilder::new()
                    .terminator(csv::Terminator::CRLF)
                    .from_writer(out);
                csv.write_record(layout.columns.iter().map(|c| c.name()))
                    .map_err(csv_error)?;
                Sink::Csv(Box::new(csv))
            }
            Format::Jsonl => Sink::Jsonl(out),
        };
        Ok(Exporter {
            columns: layout.columns.clone(),
            sink,
        })
    }

    pub fn write(&mut self, hit: &Hit) -> Result<()> {
        match &mut self.sink {
            Sink::Csv(csv) => csv
                .write_record(self.columns.iter().map(|c| c.cell(hit)))
                .map_err(csv_error),
            Sink::Jsonl(out) => {
                let line = json_line(&self.columns, hit)?;
                out.write_all(line.as_bytes()).map_err(output_error)
            }
        }
    }

    /// Flush what is buffered and hand the output back.
    pub fn finish(self) -> Result<W> {
        match self.sink {
            Sink::Csv(csv) => csv.into_inner().map_err(|e| output_error(e.into_error())),
            Sink::Jsonl(mut out) => {
                out.flush().map_err(output_error)?;
                Ok(out)
            }
        }
    }
}

/// One object with the columns in the order asked for (a JSON map would sort them).
fn json_line(columns: &[Column], hit: &Hit) -> Result<String> {
    let mut line = String::from("{");
    for (i, column) in columns.iter().enumerate() {
        if i > 0 {
            line.push(',');
        }
        let pair = (column.name(), column.value(hit));
        let key = serde_json::to_string(pair.0).map_err(|e| Error::Other(e.to_string()))?;
        let value = serde_json::to_string(&pair.1).map_err(|e| Error::Other(e.to_string()))?;
        line.push_str(&key);
        line.push(':');
        line.push_str(&value);
    }
    line.push_str("}\n");
    Ok(line)
}

/// The name output errors carry until the caller says where the rows were going.
pub const OUTPUT: &str = "<export output>";

fn output_error(e: std::io::Error) -> Error {
    Error::io(OUTPUT, e)
}

fn csv_error(e: csv::Error) -> Error {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => output_error(io),
        other => Error::Other(format!("CSV: {other:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_lists_expand_entities_and_refuse_unknown_names() {
        let cols = Column::parse_list("id, headline,entities,headline").unwrap();
        assert_eq!(cols.len(), 6);
        assert_eq!(cols[2], Column::Entity(EntityKind::Person));
        let err = Column::parse_list("id,colour").unwrap_err().to_string();
        assert!(err.contains("colour"), "{err}");
        assert!(Column::parse_list(" , ").is_err());
    }
}
