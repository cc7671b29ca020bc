//! Publication dates: every format newsrooms and scrapers emit, reduced to a UTC calendar day.
//!
//! Dates drive `--since/--until` filters and date facets, so a wrong date is worse than none:
//! anything unrecognised or impossible is an error (the caller records a warning and keeps the
//! article undated) and nothing is ever guessed. The search module reuses [`parse_date`] for its
//! command-line bounds so both sides agree on what a date string means.
//!
//! Two entry points differ in trust. [`parse_date`] reads metadata values, where a bare number is
//! a Unix time (if it is a plausible one) or `YYYYMMDD`. [`parse_dateline`] reads a line of plain
//! text, where a bare number is a figure from a table, and accepts only a line that is a date
//! and nothing else (a weekday in front and a time and zone after it are allowed).
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

/// Smallest plausible Unix time in seconds (March 1973): a smaller number in a date field is a
/// count or an id, not a time, and would otherwise date an article to 1970.
const MIN_UNIX_SECONDS: i64 = 100_000_000;

/// Why a date string was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateError {
    /// Not in any format we read.
    Unrecognised,
    /// In a format we read, but no such day (Feb 30, month 13).
    Impossible,
    /// A real calendar day (or Unix time) outside the plausible range of publication dates.
    OutOfRange,
}

impl DateError {
    /// Whether the value was understood as a date at all: unparsed values and impossible ones
    /// are reported apart, since the first often means a format to add and the second bad data.
    pub fn understood(self) -> bool {
        self != DateError::Unrecognised
    }
}

impl std::fmt::Display for DateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DateError::Unrecognised => write!(f, "not a recognised date"),
            DateError::Impossible => write!(f, "no such day"),
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

/// A line of plain text that is a date and nothing else, as a UTC day. `Ok(None)` when the line
/// is not shaped like a date (prose, a figure, a table row): such a line is simply not a dateline.
/// `Err` when it is shaped like one but is not a plausible real day.
pub fn parse_dateline(line: &str) -> Result<Option<NaiveDate>, DateError> {
    let line = line.trim();
    if line.is_empty() || !line.chars().any(|c| c.is_ascii_digit()) {
        return Ok(None);
    }
    // A bare number ("5507", "1987", even "19870226") is a figure, never a date, in free text.
    let unsigned = line.trim_start_matches(['-', '+']);
    if unsigned.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(None);
    }
    match parse_non_empty(line).and_then(check_range) {
        Ok(d) => Ok(Some(d)),
        Err(DateError::Unrecognised) => Ok(None),
        Err(e) => Err(e),
    }
}

/// A Unix timestamp in seconds or milliseconds (told apart by magnitude) as a UTC day. Only
/// metadata holds these; a value before March 1973 is not taken for one.
pub fn from_unix(n: i64) -> Result<NaiveDate, DateError> {
    let seconds = if n.abs() >= MILLIS_THRESHOLD {
        n / 1000
    } else {
        n
    };
    if seconds < MIN_UNIX_SECONDS {
        return Err(DateError::OutOfRange);
    }
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
    let original = s;
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
    let two_digit = parse_two_digit_us(s);
    if let Some(Some(d)) = two_digit {
        return Ok(d);
    }
    for f in DATE_FORMATS {
        if let Ok(d) = NaiveDate::parse_from_str(s, f) {
            return Ok(d);
        }
    }
    match month_name_date(original) {
        Some(Some(d)) => Ok(d),
        Some(None) => Err(DateError::Impossible),
        None if two_digit.is_some() || numeric_date_shape(s) => Err(DateError::Impossible),
        None => Err(DateError::Unrecognised),
    }
}

/// Whether a string starts with three digit groups joined by one separator (`2024-13-01`,
/// `13/45/2024`, `2024.02.30`), optionally followed by a time: the shape of a numeric date, so
/// one that parsed to no day is impossible rather than unrecognised.
fn numeric_date_shape(s: &str) -> bool {
    let date = s.split([' ', 'T']).next().unwrap_or("");
    let Some(sep) = date.chars().find(|c| matches!(c, '-' | '/' | '.')) else {
        return false;
    };
    let parts: Vec<&str> = date.split(sep).collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| (1..=4).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()))
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
        && check_range(d).is_ok()
    {
        return Some(Ok(d));
    }
    Some(
        s.parse::<i64>()
            .map_err(|_| DateError::OutOfRange)
            .and_then(from_unix),
    )
}

/// `M/D/YY`: `None` if not that shape, `Some(None)` if that shape but no such day.
fn parse_two_digit_us(s: &str) -> Option<Option<NaiveDate>> {
    let mut parts = s.split('/');
    let (m, d, y) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 2 {
        return None;
    }
    let (m, d, y): (u32, u32, i32) = (m.parse().ok()?, d.parse().ok()?, y.parse().ok()?);
    Some(NaiveDate::from_ymd_opt(two_digit_year(y), m, d))
}

/// 00-68 are 2000s and 69-99 are 1900s, the POSIX convention.
fn two_digit_year(y: i32) -> i32 {
    if y < 69 { 2000 + y } else { 1900 + y }
}

/// Dates with a month name, the whole string and nothing else: an optional weekday, then
/// `29 Sep 2024`, `Sep 29, 2024`, `29-SEP-2024` or `29-SEP-24`, then optionally a time
/// (`15:01:01.79`, `07:47 PM`) and a zone (`EST`, `UTC`, `+0200`). Unlike machine timestamps,
/// which are moved to UTC, a date written out for readers keeps the day it names: "November 19,
/// 2019, 07:47 PM EST" is a story of November 19 wherever the reader is. Time and zone are
/// checked, so "April 4, 1987 results" is not a date.
/// Month names are matched by hand because chrono's `%b` takes exactly three letters while
/// newsrooms write "Sept". `None` if not that shape, `Some(None)` if that shape but no such day.
fn month_name_date(s: &str) -> Option<Option<NaiveDate>> {
    let words: Vec<&str> = s.split([' ', ',']).filter(|w| !w.is_empty()).collect();
    let mut rest = words.as_slice();
    if rest.first().is_some_and(|w| is_weekday(w)) {
        rest = &rest[1..];
    }
    let ((y, m, d), used) = day_month_year(rest)?;
    time_and_zone(&rest[used..])?;
    Some(NaiveDate::from_ymd_opt(y, m, d))
}

/// Year, month, day from the start of `words`, and how many words they took.
fn day_month_year(words: &[&str]) -> Option<((i32, u32, u32), usize)> {
    let num = |w: &str| w.parse::<u32>().ok();
    let year = |w: &str| -> Option<i32> {
        match w.len() {
            4 => w.parse().ok(),
            2 => w.parse().ok().map(two_digit_year),
            _ => None,
        }
    };
    let first = *words.first()?;
    // 26-FEB-1987, 26-FEB-87
    let parts: Vec<&str> = first.split('-').collect();
    if let [d, m, y] = parts.as_slice() {
        return Some(((year(y)?, month_number(m)?, num(d)?), 1));
    }
    let ordinal = |w: &str| num(w.trim_end_matches(['s', 't', 'n', 'd', 'r', 'h']));
    // 29 Sep 2024
    if let (Some(d), Some(m), Some(y)) = (
        num(first),
        words.get(1).and_then(|w| month_number(w)),
        words.get(2).filter(|w| w.len() == 4).and_then(|w| year(w)),
    ) {
        return Some(((y, m, d), 3));
    }
    // Sep 29, 2024
    let m = month_number(first)?;
    let d = ordinal(words.get(1)?)?;
    let y = words
        .get(2)
        .filter(|w| w.len() == 4)
        .and_then(|w| year(w))?;
    Some(((y, m, d), 3))
}

/// An optional time and zone after a date: (minute of the day, zone offset in minutes), or
/// `None` if the words are anything else.
fn time_and_zone(words: &[&str]) -> Option<(i32, i32)> {
    let mut minute = 0;
    let mut rest = words;
    let mut has_time = false;
    if let Some(t) = rest.first().and_then(|w| clock(w)) {
        minute = t;
        has_time = true;
        rest = &rest[1..];
        match rest.first().map(|w| w.to_ascii_lowercase()) {
            Some(m) if m == "am" || m == "a.m." => {
                minute = twelve_hour(minute, false)?;
                rest = &rest[1..];
            }
            Some(m) if m == "pm" || m == "p.m." => {
                minute = twelve_hour(minute, true)?;
                rest = &rest[1..];
            }
            _ => {}
        }
    }
    let offset = match rest {
        [] => 0,
        [zone] if has_time => zone_offset(zone)?,
        _ => return None,
    };
    Some((minute, offset))
}

/// `HH:MM`, `HH:MM:SS` or `HH:MM:SS.ff` as the minute of the day. Wire feeds glue a short code
/// of letters to the fraction (`00:02:59.13RM`, the desk that filed it): it says nothing of the
/// time and is passed over.
fn clock(word: &str) -> Option<i32> {
    let mut parts = word.split(':');
    let h: i32 = parts.next()?.parse().ok()?;
    let m: i32 = parts.next()?.parse().ok()?;
    if let Some(sec) = parts.next() {
        let whole = sec.split('.').next()?;
        let s: u32 = whole.parse().ok()?;
        if s > 60
            || sec
                .split('.')
                .nth(1)
                .is_some_and(|f| !fraction_with_code(f))
        {
            return None;
        }
    }
    if parts.next().is_some() || !(0..24).contains(&h) || !(0..60).contains(&m) {
        return None;
    }
    Some(h * 60 + m)
}

/// Digits, then at most a few letters glued on (a feed's desk code), and nothing else.
fn fraction_with_code(f: &str) -> bool {
    let digits = f.bytes().take_while(u8::is_ascii_digit).count();
    let code = &f.as_bytes()[digits..];
    digits > 0 && code.len() <= 4 && code.iter().all(u8::is_ascii_alphabetic)
}

fn twelve_hour(minute: i32, pm: bool) -> Option<i32> {
    let (h, m) = (minute / 60, minute % 60);
    if !(1..=12).contains(&h) {
        return None;
    }
    let h = match (h, pm) {
        (12, false) => 0,
        (12, true) => 12,
        (h, true) => h + 12,
        (h, false) => h,
    };
    Some(h * 60 + m)
}

/// A zone's offset from UTC in minutes: `UTC`/`GMT`/`Z`, the North American abbreviations news
/// wires use, or a numeric `+HHMM`/`-HH:MM`.
fn zone_offset(zone: &str) -> Option<i32> {
    let hours = match zone.to_ascii_uppercase().as_str() {
        "UTC" | "GMT" | "Z" | "+0000" => 0,
        "EST" => -5,
        "EDT" => -4,
        "CST" => -6,
        "CDT" => -5,
        "MST" => -7,
        "MDT" => -6,
        "PST" => -8,
        "PDT" => -7,
        _ => {
            let sign = match zone.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let digits: String = zone[1..].chars().filter(|c| *c != ':').collect();
            if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let h: i32 = digits[..2].parse().ok()?;
            let m: i32 = digits[2..].parse().ok()?;
            return Some(sign * (h * 60 + m));
        }
    };
    Some(hours * 60)
}

fn is_weekday(word: &str) -> bool {
    const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    let w = word.trim_end_matches(['.', ',']).to_ascii_lowercase();
    w.len() >= 3
        && DAYS.iter().any(|d| w.starts_with(d))
        && w.chars().all(|c| c.is_ascii_alphabetic())
        && (w.len() == 3 || w.ends_with("day") || w.len() <= 5)
}

/// A month's number from its name or an abbreviation of it ("Sep", "Sept.", "SEPT"), never from
/// a longer word that merely starts like one ("Marketing").
fn month_number(word: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let w = word.trim_end_matches('.').to_ascii_lowercase();
    if w.len() < 3 {
        return None;
    }
    let idx = MONTHS.iter().position(|m| m.starts_with(&w))?;
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
        assert_eq!(parse_date("2024-13-01"), Err(DateError::Impossible));
        assert_eq!(parse_date("2024-02-30"), Err(DateError::Impossible));
        assert_eq!(parse_date("2/30/24"), Err(DateError::Impossible));
        assert_eq!(parse_date("13/1/2024"), Err(DateError::Impossible));
        assert_eq!(parse_date("30-FEB-1987"), Err(DateError::Impossible));
        assert_eq!(parse_date("yesterday"), Err(DateError::Unrecognised));
        assert_eq!(from_unix_f64(f64::NAN), Err(DateError::OutOfRange));
        assert!(from_unix(i64::MAX).is_err());
    }

    #[test]
    fn wire_and_written_out_formats() {
        assert_eq!(ok("26-FEB-1987 15:01:01.79"), ymd(1987, 2, 26));
        assert_eq!(ok("26-FEB-1987"), ymd(1987, 2, 26));
        // A desk code glued to the fraction of a second is passed over; other debris is not.
        assert_eq!(ok("27-MAR-1987 00:02:59.13RM"), ymd(1987, 3, 27));
        assert_eq!(ok("04-APR-1991 10:11:12.45f"), ymd(1991, 4, 4));
        assert!(parse_date("04-APR-1991 10:11:12.4x5").is_err());
        assert!(parse_date("04-APR-1991 10:11:12.RM").is_err());
        assert!(parse_date("04-APR-1991 10:11:12.45ABCDE").is_err());
        assert_eq!(ok("3-MAR-87"), ymd(1987, 3, 3));
        assert_eq!(ok("03-mar-05"), ymd(2005, 3, 3));
        assert_eq!(ok("19870305"), ymd(1987, 3, 5));
        assert_eq!(ok("Mar 6, 1987"), ymd(1987, 3, 6));
        assert_eq!(ok("March 7, 1987 10:15"), ymd(1987, 3, 7));
        assert_eq!(ok("March 7, 1987 10:15 AM"), ymd(1987, 3, 7));
        // The written day, not the UTC one (00:47 on the 20th).
        assert_eq!(ok("November 19, 2019, 07:47 PM EST"), ymd(2019, 11, 19));
        assert_eq!(ok("Nov 19, 2019 19:47 UTC"), ymd(2019, 11, 19));
        assert_eq!(ok("Tuesday, Nov 19, 2019 7:47 pm +0100"), ymd(2019, 11, 19));
        assert_eq!(
            parse_date("November 19, 2019, 13:47 PM"),
            Err(DateError::Unrecognised)
        );
    }

    #[test]
    fn unix_times_must_be_plausible() {
        assert_eq!(parse_date("5507"), Err(DateError::OutOfRange));
        assert_eq!(from_unix(5507), Err(DateError::OutOfRange));
        assert_eq!(from_unix(99_999_999), Err(DateError::OutOfRange));
        assert_eq!(from_unix(100_000_000).ok(), ymd(1973, 3, 3));
    }

    #[test]
    fn datelines_are_whole_lines_never_numbers_or_phrases() {
        assert_eq!(parse_dateline("5507"), Ok(None));
        assert_eq!(parse_dateline("1987"), Ok(None));
        assert_eq!(parse_dateline("19870226"), Ok(None));
        assert_eq!(parse_dateline("1727604000"), Ok(None));
        assert_eq!(parse_dateline("53 weeks to April 4, 1987"), Ok(None));
        assert_eq!(parse_dateline("Shr 1.20 dlrs vs 1.05 dlrs"), Ok(None));
        assert_eq!(parse_dateline("Net 12.4 mln"), Ok(None));
        assert_eq!(parse_dateline("April 4, 1987 results"), Ok(None));
        assert_eq!(parse_dateline("March was wet."), Ok(None));
        assert_eq!(parse_dateline("April 4, 1987"), Ok(ymd(1987, 4, 4)));
        assert_eq!(
            parse_dateline("26-FEB-1987 15:01:01.79"),
            Ok(ymd(1987, 2, 26))
        );
        assert_eq!(parse_dateline("Sunday 29 Sep 2024"), Ok(ymd(2024, 9, 29)));
        assert_eq!(parse_dateline("2024-02-30"), Err(DateError::Impossible));
    }

    #[test]
    fn leap_day_is_real() {
        assert_eq!(ok("2024-02-29"), ymd(2024, 2, 29));
        assert!(parse_date("2025-02-29").is_err());
    }
}
