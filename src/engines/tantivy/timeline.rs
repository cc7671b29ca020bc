//! The timeline as tantivy collects it: matching articles counted per publication day from the
//! date column, then bucketed by the engine-neutral [`histogram`].
use std::collections::HashMap;

use chrono::NaiveDate;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::{DateTime, DocId, Score, SegmentOrdinal, SegmentReader};

use super::document::from_tantivy_date;
use crate::model::fields::column;
use crate::model::timeline::{Interval, Timeline, histogram};

/// Counts matching articles per publication day.
pub struct TimelineCollector {
    pub interval: Interval,
}

pub struct SegmentDays {
    dates: Column<DateTime>,
    days: HashMap<i64, u64>,
    undated: u64,
}

/// Seconds in a day: dates are stored at midnight UTC, so whole days divide exactly.
const DAY_SECS: i64 = 86_400;

impl Collector for TimelineCollector {
    type Fruit = Timeline;
    type Child = SegmentDays;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentDays> {
        Ok(SegmentDays {
            dates: reader.fast_fields().date(column::DATE)?,
            days: HashMap::new(),
            undated: 0,
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<(HashMap<i64, u64>, u64)>) -> tantivy::Result<Timeline> {
        let mut days: HashMap<NaiveDate, u64> = HashMap::new();
        let mut undated = 0;
        for (segment_days, segment_undated) in fruits {
            undated += segment_undated;
            for (day, n) in segment_days {
                let date = from_tantivy_date(DateTime::from_timestamp_secs(day * DAY_SECS));
                match date {
                    Some(d) => *days.entry(d).or_default() += n,
                    None => undated += n,
                }
            }
        }
        Ok(histogram(&days, self.interval, undated))
    }
}

impl SegmentCollector for SegmentDays {
    type Fruit = (HashMap<i64, u64>, u64);

    fn collect(&mut self, doc: DocId, _: Score) {
        match self.dates.first(doc) {
            Some(d) => {
                *self
                    .days
                    .entry(d.into_timestamp_secs().div_euclid(DAY_SECS))
                    .or_default() += 1
            }
            None => self.undated += 1,
        }
    }

    fn harvest(self) -> Self::Fruit {
        (self.days, self.undated)
    }
}
