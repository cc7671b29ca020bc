//! Batch search: a list of queries (one a line, `#` comments and blank lines skipped) run one by
//! one under the same filters, giving each query's total hits and, when asked, its hits per
//! source. A line that does not parse is reported with its line number; the others still run.
use std::collections::BTreeSet;
use std::io::Write;

use serde::{Deserialize, Serialize};

use crate::backend::Backend;
use crate::model::request::Facet;
use crate::model::request::SearchRequest;
use crate::model::results::FacetCount;
use crate::{Error, Result};

/// Most queries one batch may hold.
pub const MAX_QUERIES: usize = 10_000;

/// One query of the list, with the line it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// 1-based line number in the list.
    pub number: usize,
    pub query: String,
}

/// The queries of a list: trimmed lines, comments and blank lines left out.
pub fn parse(text: &str) -> Result<Vec<Line>> {
    let lines: Vec<Line> = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
        .map(|(number, query)| Line {
            number,
            query: query.to_string(),
        })
        .collect();
    if lines.len() > MAX_QUERIES {
        return Err(Error::Usage(format!(
            "the list has {} queries (at most {MAX_QUERIES} at once)",
            lines.len()
        )));
    }
    Ok(lines)
}

/// One query's outcome.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Row {
    pub line: usize,
    pub query: String,
    /// Matching articles; absent when the query failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<u64>,
    /// Matching articles per source, when asked for.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<FacetCount>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Character position of a query syntax error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<usize>,
}

/// A whole batch.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    pub rows: Vec<Row>,
    /// Queries that could not run.
    pub failed: usize,
}

impl Report {
    pub fn new(rows: Vec<Row>) -> Report {
        let failed = rows.iter().filter(|r| r.error.is_some()).count();
        Report { rows, failed }
    }
}

/// The request for one line: the batch's filters, no hits, only the source counts if wanted.
pub fn request_for(base: &SearchRequest, line: &Line, per_source: bool) -> SearchRequest {
    let mut req = base.clone();
    req.query = line.query.clone();
    req.limit = 0;
    req.offset = 0;
    req.explain = false;
    req.timeline = None;
    req.facets = if per_source {
        vec![Facet::Source]
    } else {
        Vec::new()
    };
    req.facet_size = usize::MAX;
    req
}

/// One line run on `engine`: a failure becomes the row's error, never the batch's, except a
/// search that gave up at `base`'s deadline: the list then has no answer for that line at all, and
/// the caller (the server) says so as it does for a single search.
pub fn run_line(
    engine: &dyn Backend,
    base: &SearchRequest,
    line: &Line,
    per_source: bool,
) -> Result<Row> {
    let mut row = Row {
        line: line.number,
        query: line.query.clone(),
        total: None,
        sources: Vec::new(),
        error: None,
        position: None,
    };
    match engine.search(&request_for(base, line, per_source)) {
        Ok(mut results) => {
            row.total = Some(results.total);
            row.sources = results
                .facets
                .remove(Facet::Source.name())
                .unwrap_or_default();
        }
        Err(Error::Query {
            position, message, ..
        }) => {
            row.error = Some(format!("query error at position {position}: {message}"));
            row.position = Some(position);
        }
        Err(Error::TooLong) => return Err(Error::TooLong),
        Err(e) => row.error = Some(e.to_string()),
    }
    Ok(row)
}

/// Every line of the list, in order.
pub fn run(
    engine: &dyn Backend,
    base: &SearchRequest,
    lines: &[Line],
    per_source: bool,
) -> Result<Report> {
    lines
        .iter()
        .map(|line| run_line(engine, base, line, per_source))
        .collect::<Result<_>>()
        .map(Report::new)
}

/// The report as CSV: line, query, hits, error, then one column per source seen in any row.
pub fn write_csv(report: &Report, out: impl Write) -> Result<()> {
    let sources: BTreeSet<&str> = report
        .rows
        .iter()
        .flat_map(|r| r.sources.iter().map(|s| s.value.as_str()))
        .collect();
    let mut csv = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(out);
    let mut header = vec!["line", "query", "hits", "error"];
    header.extend(sources.iter().copied());
    csv.write_record(&header).map_err(csv_error)?;
    for row in &report.rows {
        let mut record = vec![
            row.line.to_string(),
            row.query.clone(),
            row.total.map(|t| t.to_string()).unwrap_or_default(),
            row.error.clone().unwrap_or_default(),
        ];
        for source in &sources {
            let n = row.sources.iter().find(|s| s.value == *source);
            record.push(n.map_or(0, |s| s.count).to_string());
        }
        csv.write_record(&record).map_err(csv_error)?;
    }
    csv.flush().map_err(|e| Error::io("<stdout>", e))
}

fn csv_error(e: csv::Error) -> Error {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => Error::io("<stdout>", io),
        other => Error::Other(format!("CSV: {other:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_and_blank_lines_are_skipped_and_numbers_kept() {
        let lines =
            parse("# names\nElena Vasquez\n\n  \"Bank of England\"  \n#x\nfloods\r\n").unwrap();
        let got: Vec<(usize, &str)> = lines.iter().map(|l| (l.number, l.query.as_str())).collect();
        assert_eq!(
            got,
            [
                (2, "Elena Vasquez"),
                (4, "\"Bank of England\""),
                (6, "floods")
            ]
        );
    }

    #[test]
    fn a_list_too_long_is_refused_whole() {
        let text = "q\n".repeat(MAX_QUERIES + 1);
        assert!(parse(&text).unwrap_err().to_string().contains("at most"));
    }
}
