//! Topics over time: the documents that have a time (`--time-field`), cut into bins, and each
//! bin's [`TopicMix`] (BERTopic's `topics_over_time`).
//!
//! Bins are calendar units in UTC (a day, a week from Monday, a month, a quarter, a year) from
//! the one holding the earliest time to the one holding the latest, empty ones included so that
//! a chart shows the gaps; or N bins of equal width, `[first, first + w)`, … with
//! `w = ⌊(last − first)/N⌋ + 1` seconds: every bin is half-open and every time falls in one
//! (the last bins may be empty when the span is under N seconds). `auto` takes the finest of
//! day, week, month and quarter that makes at most [`AUTO_BINS`] bins, else years when there
//! are at most [`AUTO_YEARS`], else [`AUTO_BINS`] bins of equal width.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::mix::{MixSum, TopicMix};
use crate::corpus::{Documents, TimeUnit, Timestamp};
use crate::nmf::NmfModel;

/// The most bins `auto` makes of days, weeks, months or quarters, and of equal width.
pub const AUTO_BINS: usize = 30;
/// The most years `auto` makes a bin each: a chart of a century by year still reads well.
pub const AUTO_YEARS: usize = 100;
/// The most bins any binning makes: a finer one is refused.
pub const MAX_BINS: usize = 10_000;

/// How documents' times are cut into bins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TimeBins {
    /// The finest of day, week, month and quarter with at most [`AUTO_BINS`] bins, else years
    /// up to [`AUTO_YEARS`], else [`AUTO_BINS`] bins of equal width.
    #[default]
    Auto,
    /// One bin a calendar unit.
    Unit(TimeUnit),
    /// This many bins of equal width.
    Count(usize),
}

impl FromStr for TimeBins {
    type Err = String;

    fn from_str(s: &str) -> Result<TimeBins, String> {
        if s == "auto" {
            return Ok(TimeBins::Auto);
        }
        if let Some(unit) = TimeUnit::ALL.iter().find(|u| u.name() == s) {
            return Ok(TimeBins::Unit(*unit));
        }
        match s.parse::<usize>() {
            Ok(n) if (1..=MAX_BINS).contains(&n) => Ok(TimeBins::Count(n)),
            _ => Err(format!(
                "'{s}' is not a binning: give auto, day, week, month, quarter, year, or a number \
                 of bins of equal width from 1 to {MAX_BINS}"
            )),
        }
    }
}

impl fmt::Display for TimeBins {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TimeBins::Auto => f.write_str("auto"),
            TimeBins::Unit(unit) => f.write_str(unit.name()),
            TimeBins::Count(n) => write!(f, "{n}"),
        }
    }
}

/// Written as `"auto"`, `"month"`, … or the number of bins.
impl Serialize for TimeBins {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            TimeBins::Count(n) => serializer.serialize_u64(*n as u64),
            other => serializer.collect_str(other),
        }
    }
}

impl<'de> Deserialize<'de> for TimeBins {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<TimeBins, D::Error> {
        match serde_json::Value::deserialize(deserializer)? {
            serde_json::Value::String(s) => s.parse().map_err(serde::de::Error::custom),
            serde_json::Value::Number(n) => n.to_string().parse().map_err(serde::de::Error::custom),
            other => Err(serde::de::Error::custom(format!(
                "{other} is not a binning of times"
            ))),
        }
    }
}

/// The documents' topics over time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OverTime {
    /// The binning asked for.
    pub binning: TimeBins,
    /// The bins' unit: `day`, `week`, `month`, `quarter`, `year`, or `equal` for bins of equal
    /// width.
    pub unit: &'static str,
    /// Documents with a time, all in some bin.
    pub documents_with_time: usize,
    /// Documents without one, in no bin.
    pub documents_without_time: usize,
    /// The bins, in time order.
    pub bins: Vec<TimeBin>,
}

/// One span of time and its documents' topics.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimeBin {
    /// Its name: `2024`, `2024-Q1`, `2024-03`, the first day of a day or week, or for a bin of
    /// equal width its first and last day (and minute, for bins shorter than a day).
    pub label: String,
    /// Its first moment.
    pub start: Timestamp,
    /// The first moment after it (the bin is `[start, end)`).
    pub end: Timestamp,
    /// Its documents' topics.
    #[serde(flatten)]
    pub mix: TopicMix,
}

impl OverTime {
    /// The topics over time of `documents` (with `tokens` each) under `model`, cut by `bins`;
    /// `None` when no document has a time.
    pub fn of(
        documents: &Documents,
        tokens: &[f64],
        model: &NmfModel,
        bins: TimeBins,
    ) -> Option<OverTime> {
        let timed: Vec<(usize, Timestamp)> = (0..documents.len())
            .filter_map(|d| documents.time(d).map(|t| (d, t)))
            .collect();
        let first = timed.iter().map(|&(_, t)| t).min()?;
        let last = timed.iter().map(|&(_, t)| t).max()?;
        let (unit, starts, end) = starts(first, last, bins);
        let mut sums = vec![MixSum::new(model.topics()); starts.len()];
        for &(d, t) in &timed {
            // The last start at or before t; the first start is at or before every time.
            let bin = starts.partition_point(|&s| s <= t) - 1;
            sums[bin].add(model, d, tokens[d]);
        }
        let bins_out = sums
            .into_iter()
            .enumerate()
            .map(|(i, sum)| {
                let start = starts[i];
                let end = starts.get(i + 1).copied().unwrap_or(end);
                TimeBin {
                    label: match unit {
                        Some(unit) => start.unit_label(unit),
                        None => equal_label(start, end),
                    },
                    start,
                    end,
                    mix: sum.finish(),
                }
            })
            .collect();
        Some(OverTime {
            binning: bins,
            unit: unit.map_or("equal", TimeUnit::name),
            documents_with_time: timed.len(),
            documents_without_time: documents.len() - timed.len(),
            bins: bins_out,
        })
    }
}

/// The bins' unit (`None`: equal width), their starts, increasing, and the last one's end.
fn starts(
    first: Timestamp,
    last: Timestamp,
    bins: TimeBins,
) -> (Option<TimeUnit>, Vec<Timestamp>, Timestamp) {
    let calendar_or_equal = |unit: TimeUnit, most: usize| match calendar(first, last, unit, most) {
        Some((starts, end)) => (Some(unit), starts, end),
        None => {
            let (starts, end) = equal(first, last, most);
            (None, starts, end)
        }
    };
    match bins {
        // Finer than MAX_BINS bins: keep that many, of equal width.
        TimeBins::Unit(unit) => calendar_or_equal(unit, MAX_BINS),
        TimeBins::Count(n) => {
            let (starts, end) = equal(first, last, n);
            (None, starts, end)
        }
        TimeBins::Auto => TimeUnit::ALL
            .iter()
            .find_map(|&unit| {
                let most = if unit == TimeUnit::Year {
                    AUTO_YEARS
                } else {
                    AUTO_BINS
                };
                calendar(first, last, unit, most).map(|(starts, end)| (Some(unit), starts, end))
            })
            .unwrap_or_else(|| {
                let (starts, end) = equal(first, last, AUTO_BINS);
                (None, starts, end)
            }),
    }
}

/// The starts of the `unit`s from the one holding `first` to the one holding `last`, and the
/// end of the last; `None` when that makes more than `most` bins.
fn calendar(
    first: Timestamp,
    last: Timestamp,
    unit: TimeUnit,
    most: usize,
) -> Option<(Vec<Timestamp>, Timestamp)> {
    let mut starts = vec![first.floor(unit)];
    loop {
        let start = *starts.last().expect("one start");
        // Past the year 9999 the end is cut to the last second a Timestamp holds.
        let next = start.next(unit).unwrap_or(LAST_SECOND);
        if next > last || next == start {
            return Some((starts, next));
        }
        if starts.len() == most {
            return None;
        }
        starts.push(next);
    }
}

/// The last second a [`Timestamp`] holds.
const LAST_SECOND: Timestamp = Timestamp::LAST;

/// The starts of `n` bins of equal width from `first`, the last ending after `last`, and its
/// end.
fn equal(first: Timestamp, last: Timestamp, n: usize) -> (Vec<Timestamp>, Timestamp) {
    let width = (last.unix() - first.unix()) / n as i64 + 1;
    let at = |i: i64| Timestamp::from_unix(first.unix() + i * width).unwrap_or(LAST_SECOND);
    ((0..n as i64).map(at).collect(), at(n as i64))
}

/// `first day – last day` of a bin of equal width, with the minutes when it is under a day.
fn equal_label(start: Timestamp, end: Timestamp) -> String {
    let last = Timestamp::from_unix(end.unix() - 1)
        .unwrap_or(start)
        .max(start);
    if end.unix() - start.unix() < 86_400 {
        format!("{} – {}", start.minute_label(), last.minute_label())
    } else if start.date_label() == last.date_label() {
        start.date_label()
    } else {
        format!("{} – {}", start.date_label(), last.date_label())
    }
}
