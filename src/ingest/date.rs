//! Publication dates: every format newsrooms and scrapers emit, reduced to a UTC calendar day.
//!
//! Dates drive `--since/--until` filters and date facets, so a wrong date is worse than none:
//! anything unrecognised or impossible is an error (the caller records a warning and keeps the
//! article undated) and nothing is ever guessed. The search module reuses [`parse_date`] for its
//! command-line bounds so both sides agree on what a date string means.
use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Utc};

/// Earliest plausible publication year; before it a value is a placeholder (`0001-01-01`) or a
/// unit mix-up, not a date. The latest is next year: an archive holds no articles from the future
/// (real scraped data has "2050-09-30"), and a year's slack covers clocks and time zones.
const MIN_YEAR: i32 = 1800;

fn max_year() -> i32 {
    Utc::now().year() + 1
}

/// Unix timestamps at or above this are milliseconds: as seconds they would be past year 5000,
/// as milliseconds they are after March 1973.
const MILLIS_THRESHOLD: i64 = 100_000_000_000;

/// Why a date string was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateError {
    /// Not in any format we read (or not a real calendar day, like Feb 30 or month 13).
    Unrecognised,
    /// A real calendar day outside the plausible range of publication years.
    OutOfRange,
}

impl std::fmt::Display for DateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DateError::Unrecognised => write!(f, "not a recognised date"),
            DateError::OutOfRange => {
                write!(f, "date outside the years {MIN_YEAR}-{}", max_year())
            }
        }
    }
}

impl std::error::Error for DateError {}

/// Formats with a time and an explicit offset.
const OFFSET_FORMATS: &[&str] = &[
    "%Y-%m-%dT%H:%M:%S%.f%z",
    "%Y-%m-%dT%H:%M%z",
    "%Y-%m-%d %H:%M:%S%.f%z",
    "%Y-%m-%d %H:%M:%S%.f %z",
];

/// Formats with a time but no offset: read as UTC.
const NAIVE_DATETIME_FORMATS: &[&str] = &[
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%d %H:%M",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
];

/// Date-only formats. Slashed dates are US order (month first), as in the allsides corpus.
const DATE_FORMATS: &[&str] = &[
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y.%m.%d",
    "%m/%d/%Y",
    "%B %d, %Y",
    "%B %d %Y",
    "%d %B %Y",
    "%d %B, %Y",
    "%A, %B %d, %Y",
    "%A %d %B %Y",
    "%A, %d %B %Y",
];

/// Parse a publication date. `Ok(None)` for an empty string, `Err` for anything that is not a
/// plausible real date.
pub fn parse_date(s: &str) -> Result<Option<NaiveDate>, DateError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    parse_non_empty(s).and_then(check_range).map(Some)
}

/// A Unix timestamp in seconds or milliseconds (told apart by magnitude) as a UTC day.
pub fn from_unix(n: i64) -> Result<NaiveDate, DateError> {
    let dt = if n.abs() >= MILLIS_THRESHOLD {
        DateTime::<Utc>::from_timestamp_millis(n)
    } else {
        DateTime::<Utc>::from_timestamp(n, 0)
    };
    dt.map(|d| d.date_naive())
        .ok_or(DateError::OutOfRange)
        .and_then(check_range)
}

/// A JSON number timestamp, which may carry fractional seconds.
pub fn from_unix_f64(n: f64) -> Result<NaiveDate, DateError> {
    if !n.is_finite() || n.abs() > 1e17 {
        return Err(DateError::OutOfRange);
    }
    from_unix(n.trunc() as i64)
}

fn check_range(d: NaiveDate) -> Result<NaiveDate, DateError> {
    if (MIN_YEAR..=max_year()).contains(&d.year()) {
        Ok(d)
    } else {
        Err(DateError::OutOfRange)
    }
}

fn parse_non_empty(s: &str) -> Result<NaiveDate, DateError> {
    if let Some(d) = parse_numeric(s) {
        return d;
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Ok(dt.with_timezone(&Utc).date_naive());
    }
    if let Ok(dt) = DateTime::parse_from_rfc2822(s) {
        return Ok(dt.with_timezone(&Utc).date_naive());
    }
    let normal = normalise(s);
    let s = normal.as_str();
    for f in OFFSET_FORMATS {
        if let Ok(dt) = DateTime::parse_from_str(s, f) {
            return Ok(dt.with_timezone(&Utc).date_naive());
        }
    }
    for f in NAIVE_DATETIME_FORMATS {
        if let Ok(dt) = NaiveDateTime::parse_from_str(s, f) {
            return Ok(dt.date());
        }
    }
    // Before the table: chrono's `%Y` would read the "24" of "9/29/24" as the year 24.
    if let Some(d) = parse_two_digit_us(s) {
        return Ok(d);
    }
    for f in DATE_FORMATS {
        if let Ok(d) = NaiveDate::parse_from_str(s, f) {
            return Ok(d);
        }
    }
    parse_day_first_abbrev(s)
        .or_else(|| parse_month_first_abbrev(s))
        .ok_or(DateError::Unrecognised)
}

/// Uppercase `Z`/`UTC` suffixes become an offset, and stray periods after abbreviated months
/// ("Sept.") are dropped, so the format tables stay short.
fn normalise(s: &str) -> String {
    let mut s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    for suffix in [" UTC", " GMT", "Z", "z"] {
        if let Some(stripped) = s.strip_suffix(suffix) {
            s = format!("{stripped}+0000");
            break;
        }
    }
    s.replace("Sept ", "Sep ")
        .replace("Sept.", "Sep")
        .replace(". ", " ")
}

/// All-digit strings: `YYYYMMDD` when it is a valid day, else a Unix timestamp.
fn parse_numeric(s: &str) -> Option<Result<NaiveDate, DateError>> {
    let digits = s.strip_prefix('-').unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if s.len() == 8
        && let Ok(d) = NaiveDate::parse_from_str(s, "%Y%m%d")
    {
        return Some(check_range(d));
    }
    Some(
        s.parse::<i64>()
            .map_err(|_| DateError::OutOfRange)
            .and_then(from_unix),
    )
}

/// `M/D/YY` with a two-digit year: 00-68 are 2000s and 69-99 are 1900s, the POSIX convention.
fn parse_two_digit_us(s: &str) -> Option<NaiveDate> {
    let mut parts = s.split('/');
    let (m, d, y) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 2 {
        return None;
    }
    let (m, d, y): (u32, u32, i32) = (m.parse().ok()?, d.parse().ok()?, y.parse().ok()?);
    let year = if y < 69 { 2000 + y } else { 1900 + y };
    NaiveDate::from_ymd_opt(year, m, d)
}

/// "29 Sep 2024" and "Sunday 29 Sep 2024": the abbreviated month is matched by hand because
/// chrono's `%b` also accepts only three letters while newsrooms write "Sept".
fn parse_day_first_abbrev(s: &str) -> Option<NaiveDate> {
    let words: Vec<&str> = s.split([' ', ',']).filter(|w| !w.is_empty()).collect();
    let tail = words.len().checked_sub(3).map(|i| &words[i..])?;
    let day = tail[0].parse().ok()?;
    let month = month_number(tail[1])?;
    let year = tail[2].parse().ok()?;
    NaiveDate::from_ymd_opt(year, month, day)
}

/// "Sep 29, 2024" and "Sunday, Sep 29 2024".
fn parse_month_first_abbrev(s: &str) -> Option<NaiveDate> {
    let words: Vec<&str> = s.split([' ', ',']).filter(|w| !w.is_empty()).collect();
    let tail = words.len().checked_sub(3).map(|i| &words[i..])?;
    let month = month_number(tail[0])?;
    let day = tail[1]
        .trim_end_matches(['s', 't', 'n', 'd', 'r', 'h'])
        .parse()
        .ok()?;
    let year = tail[2].parse().ok()?;
    NaiveDate::from_ymd_opt(year, month, day)
}

fn month_number(word: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let w = word.trim_end_matches('.').to_ascii_lowercase();
    if w.len() < 3 {
        return None;
    }
    let idx = MONTHS.iter().position(|m| w.starts_with(m))?;
    u32::try_from(idx + 1).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, d)
    }

    fn ok(s: &str) -> Option<NaiveDate> {
        match parse_date(s) {
            Ok(d) => d,
            Err(e) => panic!("{s:?} rejected: {e}"),
        }
    }

    #[test]
    fn iso_and_rfc3339_forms() {
        let want = ymd(2024, 9, 29);
        for s in [
            "2024-09-29",
            "2024-09-29T10:00:00",
            "2024-09-29T10:00:00Z",
            "2024-09-29T10:00:00.123Z",
            "2024-09-29T10:00:00+02:00",
            "2024-09-29T10:00:00+0200",
            "2024-09-29 10:00:00",
            "2024-09-29 10:00",
            "2024/09/29",
            "20240929",
        ] {
            assert_eq!(ok(s), want, "{s}");
        }
    }

    #[test]
    fn offsets_are_converted_to_utc_day() {
        assert_eq!(ok("2024-09-29T23:30:00-05:00"), ymd(2024, 9, 30));
        assert_eq!(ok("2024-09-29T01:00:00+03:00"), ymd(2024, 9, 28));
    }

    #[test]
    fn us_slash_dates() {
        assert_eq!(ok("9/29/24"), ymd(2024, 9, 29));
        assert_eq!(ok("6/15/17"), ymd(2017, 6, 15));
        assert_eq!(ok("11/8/99"), ymd(1999, 11, 8));
        assert_eq!(ok("09/29/2024"), ymd(2024, 9, 29));
        assert_eq!(ok("3/8/2017"), ymd(2017, 3, 8));
    }

    #[test]
    fn month_name_forms() {
        let want = ymd(2024, 9, 29);
        for s in [
            "September 29, 2024",
            "Sep 29, 2024",
            "Sept. 29, 2024",
            "29 Sep 2024",
            "29 September 2024",
            "Sunday, September 29, 2024",
        ] {
            assert_eq!(ok(s), want, "{s}");
        }
    }

    #[test]
    fn rfc2822() {
        assert_eq!(ok("Sun, 29 Sep 2024 10:00:00 +0000"), ymd(2024, 9, 29));
        assert_eq!(ok("Sun, 29 Sep 2024 23:00:00 -0300"), ymd(2024, 9, 30));
    }

    #[test]
    fn unix_seconds_and_millis() {
        // 2024-09-29T10:00:00Z
        assert_eq!(ok("1727604000"), ymd(2024, 9, 29));
        assert_eq!(ok("1727604000000"), ymd(2024, 9, 29));
        assert_eq!(from_unix(1_727_604_000).ok(), ymd(2024, 9, 29));
        assert_eq!(from_unix_f64(1_727_604_000_123.0).ok(), ymd(2024, 9, 29));
    }

    #[test]
    fn empty_is_none_not_error() {
        assert_eq!(parse_date(""), Ok(None));
        assert_eq!(parse_date("   "), Ok(None));
    }

    #[test]
    fn impossible_dates_are_errors() {
        assert_eq!(parse_date("0001-01-01"), Err(DateError::OutOfRange));
        assert_eq!(parse_date("1799-12-31"), Err(DateError::OutOfRange));
        assert_eq!(parse_date("2101-01-01"), Err(DateError::OutOfRange));
        assert_eq!(parse_date("2024-13-01"), Err(DateError::Unrecognised));
        assert_eq!(parse_date("2024-02-30"), Err(DateError::Unrecognised));
        assert_eq!(parse_date("2/30/24"), Err(DateError::Unrecognised));
        assert_eq!(parse_date("13/1/2024"), Err(DateError::Unrecognised));
        assert_eq!(parse_date("yesterday"), Err(DateError::Unrecognised));
        assert_eq!(from_unix_f64(f64::NAN), Err(DateError::OutOfRange));
        assert!(from_unix(i64::MAX).is_err());
    }

    #[test]
    fn leap_day_is_real() {
        assert_eq!(ok("2024-02-29"), ymd(2024, 2, 29));
        assert!(parse_date("2025-02-29").is_err());
    }
}
