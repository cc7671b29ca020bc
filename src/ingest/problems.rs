//! Skip reasons and warnings in words: a label a person reads, the detail behind it, and a stable
//! code for scripts. The index summary groups by label and lists `path: label (detail)`.
//!
//! Each kind of problem is one arm in `words` (and in `record` for warnings), so a new kind of
//! problem is a line or two here.
use std::fmt;
use std::path::Path;

use super::{Format, SkipReason, Warning};
use crate::error::plain_detail;

/// How one problem reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Words<'a> {
    /// Stable identifier for scripts, e.g. `too_large`.
    pub code: &'static str,
    /// Short phrase for people, also the key problems are grouped by, e.g. "too large".
    pub label: &'static str,
    /// What exactly was wrong (a parser's message, the value that was not a date).
    pub detail: Option<&'a str>,
}

impl SkipReason {
    pub fn words(&self) -> Words<'_> {
        let (code, label, detail) = match self {
            SkipReason::UnsupportedExtension => {
                ("unsupported_extension", "unsupported extension", None)
            }
            SkipReason::Empty => ("empty", "empty", None),
            SkipReason::Binary => ("binary", "binary", None),
            SkipReason::TooLarge => ("too_large", "larger than --max-article-bytes", None),
            SkipReason::Unreadable(d) => ("unreadable", "unreadable", Some(d.as_str())),
            SkipReason::Malformed(d) => ("malformed", "malformed", Some(d.as_str())),
            SkipReason::NoText => ("no_text", "no text", None),
            SkipReason::Encrypted => ("encrypted", "encrypted", None),
            SkipReason::NoTextLayer => ("no_text_layer", "no text layer", None),
        };
        Words {
            code,
            label,
            detail,
        }
    }

    pub fn label(&self) -> &'static str {
        self.words().label
    }
}

impl Warning {
    pub fn words(&self) -> Words<'_> {
        let (code, label, detail) = match self {
            Warning::BadRecord { reason, .. } => ("bad_record", "record not parsed", reason),
            Warning::BadDate { value, .. } => ("bad_date", "impossible date", value),
            Warning::UnparsedDate { value, .. } => ("unparsed_date", "date not understood", value),
            Warning::PartlyRead { detail } => ("partly_read", "read in part", detail),
            Warning::NotAnalysed { detail } => (
                "not_analysed",
                "indexed without entities and quotes",
                detail,
            ),
        };
        Words {
            code,
            label,
            detail: Some(detail.as_str()),
        }
    }

    /// The record (1-based line or array index) the warning is about, if the file has several.
    pub fn record(&self) -> Option<usize> {
        match self {
            Warning::BadRecord { record, .. } => Some(*record),
            Warning::BadDate { record, .. } | Warning::UnparsedDate { record, .. } => *record,
            Warning::PartlyRead { .. } | Warning::NotAnalysed { .. } => None,
        }
    }

    pub fn label(&self) -> &'static str {
        self.words().label
    }
}

impl fmt::Display for Words<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label)?;
        match self.detail.map(plain_detail).filter(|d| !d.is_empty()) {
            Some(detail) => write!(f, " ({detail})"),
            None => Ok(()),
        }
    }
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.words().fmt(f)
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.words().fmt(f)
    }
}

/// Where a problem is: the file, and `#N` for a record of a file of records (JSON, JSON Lines),
/// as in article paths. Other formats hold one article, whose parts are not numbered for readers.
pub fn location(path: &str, record: Option<usize>) -> String {
    let of_records = matches!(
        Format::from_path(Path::new(path)),
        Some(Format::Json | Format::JsonLines)
    );
    match record {
        Some(n) if of_records => format!("{path}#{n}"),
        _ => path.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skips_read_as_reason_and_detail() {
        assert_eq!(SkipReason::Empty.to_string(), "empty");
        assert_eq!(
            SkipReason::Unreadable("Permission denied (os error 13)".into()).to_string(),
            "unreadable (permission denied)"
        );
        assert_eq!(
            SkipReason::Malformed("EOF while parsing\n a string at line 1".into()).to_string(),
            "malformed (EOF while parsing a string at line 1)"
        );
    }

    #[test]
    fn warnings_carry_their_value_and_record() {
        let w = Warning::UnparsedDate {
            record: None,
            value: "sometime last spring".into(),
        };
        assert_eq!(w.to_string(), "date not understood (sometime last spring)");
        assert_eq!(w.record(), None);
        let w = Warning::BadDate {
            record: Some(2),
            value: "2023-02-29".into(),
        };
        assert_eq!(w.to_string(), "impossible date (2023-02-29)");
        assert_eq!(w.record(), Some(2));
        let r = Warning::BadRecord {
            record: 3,
            reason: "expected value".into(),
        };
        assert_eq!(location("feed.jsonl", r.record()), "feed.jsonl#3");
        assert_eq!(location("front-matter.md", Some(1)), "front-matter.md");
        assert_eq!(r.words().code, "bad_record");
    }
}
