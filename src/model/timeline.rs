//! Timelines: how many matching articles fall in each day, week, month or year, counted exactly
//! over the whole result set (not the page), with every bucket between the first and the last
//! present, empty ones included, so a chart's gaps are real.
//!
//! Counting keeps one number per distinct publication day seen, read from the date column;
//! buckets are made from those days at the end, so any interval costs the same pass.
use std::collections::HashMap;

use chrono::{Datelike, Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// Bucket width.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Interval {
    /// The widest of day, week, month, year that keeps the chart within [`AUTO_BUCKETS`].
    #[default]
    Auto,
    Day,
    /// Weeks start on Monday (ISO 8601).
    Week,
    Month,
    Year,
}

/// Most buckets an automatic interval gives, when a finer one would give more.
pub const AUTO_BUCKETS: i64 = 60;

impl Interval {
    pub fn parse(s: &str) -> Result<Interval> {
        match s.trim().to_ascii_lowercase().as_str() {
            "" | "auto" => Ok(Interval::Auto),
            "day" => Ok(Interval::Day),
            "week" => Ok(Interval::Week),
            "month" => Ok(Interval::Month),
            "year" => Ok(Interval::Year),
            other => Err(Error::Usage(format!(
                "unknown interval '{other}' (use auto, day, week, month or year)"
            ))),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Interval::Auto => "auto",
            Interval::Day => "day",
            Interval::Week => "week",
            Interval::Month => "month",
            Interval::Year => "year",
        }
    }

    /// The finest interval that keeps `first..=last` within [`AUTO_BUCKETS`] buckets.
    fn for_span(first: NaiveDate, last: NaiveDate) -> Interval {
        let days = (last - first).num_days() + 1;
        let months = i64::from(last.year() - first.year()) * 12 + i64::from(last.month())
            - i64::from(first.month())
            + 1;
        if days <= AUTO_BUCKETS {
            Interval::Day
        } else if days / 7 < AUTO_BUCKETS {
            Interval::Week
        } else if months <= AUTO_BUCKETS {
            Interval::Month
        } else {
            Interval::Year
        }
    }

    /// The first day of the bucket holding `day`.
    fn start(self, day: NaiveDate) -> NaiveDate {
        match self {
            Interval::Auto | Interval::Day => day,
            Interval::Week => day - Days::new(u64::from(day.weekday().num_days_from_monday())),
            Interval::Month => day.with_day(1).unwrap_or(day),
            Interval::Year => NaiveDate::from_ymd_opt(day.year(), 1, 1).unwrap_or(day),
        }
    }

    /// The first day of the bucket after the one starting at `start`.
    fn next(self, start: NaiveDate) -> Option<NaiveDate> {
        match self {
            Interval::Auto | Interval::Day => start.checked_add_days(Days::new(1)),
            Interval::Week => start.checked_add_days(Days::new(7)),
            Interval::Month => start.checked_add_months(Months::new(1)),
            Interval::Year => start.checked_add_months(Months::new(12)),
        }
    }

    /// How a bucket is named: 2024-05-14, 2024-W20, 2024-05, 2024.
    fn label(self, start: NaiveDate) -> String {
        match self {
            Interval::Auto | Interval::Day => start.to_string(),
            Interval::Week => {
                let w = start.iso_week();
                format!("{}-W{:02}", w.year(), w.week())
            }
            Interval::Month => start.format("%Y-%m").to_string(),
            Interval::Year => start.year().to_string(),
        }
    }
}

/// One bar of the chart: articles published from `start` to `end`, both included.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bucket {
    pub label: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub count: u64,
}

/// A date histogram of the results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timeline {
    /// The interval used (never `auto`: an automatic one says which it chose).
    pub interval: Interval,
    pub buckets: Vec<Bucket>,
    /// Matching articles without a publication date: with the buckets they sum to the total.
    pub undated: u64,
}

/// Buckets from the first to the last day with articles, empty ones included.
pub fn histogram(days: &HashMap<NaiveDate, u64>, interval: Interval, undated: u64) -> Timeline {
    let (Some(first), Some(last)) = (days.keys().min(), days.keys().max()) else {
        let interval = match interval {
            Interval::Auto => Interval::Day,
            i => i,
        };
        return Timeline {
            interval,
            buckets: Vec::new(),
            undated,
        };
    };
    let interval = match interval {
        Interval::Auto => Interval::for_span(*first, *last),
        i => i,
    };
    let mut counts: HashMap<NaiveDate, u64> = HashMap::new();
    for (day, n) in days {
        *counts.entry(interval.start(*day)).or_default() += n;
    }
    let mut buckets = Vec::new();
    let mut start = interval.start(*first);
    while start <= *last {
        let Some(next) = interval.next(start) else {
            break;
        };
        buckets.push(Bucket {
            label: interval.label(start),
            start,
            end: next.pred_opt().unwrap_or(start),
            count: counts.get(&start).copied().unwrap_or(0),
        });
        start = next;
    }
    Timeline {
        interval,
        buckets,
        undated,
    }
}

/// A one-line chart of the buckets in block characters, scaled to the largest.
pub fn sparkline(timeline: &Timeline) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let most = timeline.buckets.iter().map(|b| b.count).max().unwrap_or(0);
    timeline
        .buckets
        .iter()
        .map(|b| match b.count {
            0 => ' ',
            n => BARS[((n - 1) * BARS.len() as u64 / most.max(1)) as usize],
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn days(list: &[(&str, u64)]) -> HashMap<NaiveDate, u64> {
        list.iter().map(|(d, n)| (day(d), *n)).collect()
    }

    #[test]
    fn months_cover_the_span_with_empty_buckets_and_sum_to_the_counts() {
        let t = histogram(
            &days(&[("2024-01-31", 2), ("2024-01-01", 1), ("2024-04-15", 4)]),
            Interval::Month,
            3,
        );
        let labels: Vec<&str> = t.buckets.iter().map(|b| b.label.as_str()).collect();
        assert_eq!(labels, ["2024-01", "2024-02", "2024-03", "2024-04"]);
        let counts: Vec<u64> = t.buckets.iter().map(|b| b.count).collect();
        assert_eq!(counts, [3, 0, 0, 4]);
        assert_eq!(t.buckets[1].start, day("2024-02-01"));
        assert_eq!(t.buckets[1].end, day("2024-02-29"));
        assert_eq!(t.undated, 3);
    }

    #[test]
    fn weeks_start_on_monday_and_years_on_new_year() {
        let t = histogram(
            &days(&[("2024-05-19", 1), ("2024-05-20", 1)]),
            Interval::Week,
            0,
        );
        assert_eq!(
            t.buckets.len(),
            2,
            "Sunday and Monday are in different weeks"
        );
        assert_eq!(t.buckets[0].start, day("2024-05-13"));
        assert_eq!(t.buckets[0].label, "2024-W20");
        let y = histogram(
            &days(&[("2023-07-01", 1), ("2025-02-01", 2)]),
            Interval::Year,
            0,
        );
        let labels: Vec<&str> = y.buckets.iter().map(|b| b.label.as_str()).collect();
        assert_eq!(labels, ["2023", "2024", "2025"]);
        assert_eq!(y.buckets[2].end, day("2025-12-31"));
    }

    #[test]
    fn auto_picks_the_finest_interval_within_the_bucket_limit() {
        let pick = |a: &str, b: &str| Interval::for_span(day(a), day(b));
        assert_eq!(pick("2024-05-01", "2024-05-30"), Interval::Day);
        assert_eq!(pick("2024-01-01", "2024-06-30"), Interval::Week);
        assert_eq!(pick("2020-01-01", "2024-06-30"), Interval::Month);
        assert_eq!(pick("1987-01-01", "2024-06-30"), Interval::Year);
        let t = histogram(&days(&[("2024-05-01", 1)]), Interval::Auto, 0);
        assert_eq!(t.interval, Interval::Day);
    }

    #[test]
    fn sparkline_scales_to_the_tallest_bar_and_leaves_empty_buckets_blank() {
        let t = histogram(
            &days(&[("2024-01-01", 8), ("2024-03-01", 1), ("2024-04-01", 4)]),
            Interval::Month,
            0,
        );
        assert_eq!(sparkline(&t), "█ ▁▄");
    }
}
