//! Documents' times: what `--time-field` accepts, kept to the second in UTC.
//!
//! A time is read strictly, and one that does not parse is an error naming the document, never
//! a guess:
//!
//! | written | read as |
//! |---|---|
//! | `2024-03-05T14:30:00Z`, `2024-03-05 14:30`, `2024-03-05T14:30:00.25+01:00` | ISO 8601 / RFC 3339: a date and a time of day (seconds and a fraction optional), `T` or a space between; an offset `Z`, `±hh:mm`, `±hhmm` or `±hh`, else UTC |
//! | `2024-03-05`, `2024-03`, `2024` | a date, a month, a year: its first moment, UTC |
//! | `1709649000`, `1709649000.5` | Unix seconds, from 100,000,000 (1973-03-03) on |
//!
//! A number is read as its digits are: four digits are a year (`2024` or `"2024"`), nine or more
//! Unix seconds, and anything else (`20240305`, `-5`, `123`) is refused as ambiguous: write a
//! date as ISO 8601. Fractions of a second are dropped. Years run from 1 to 9999.
//!
//! The calendar arithmetic (days in a month, leap years, offsets) is the `time` crate's.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::{Date, Duration, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

/// Unix seconds of 0001-01-01T00:00:00Z and of 9999-12-31T23:59:59Z: the times [`Timestamp`]
/// holds, so that every one is written with a four-digit year.
const FIRST: i64 = -62_135_596_800;
const LAST: i64 = 253_402_300_799;
/// The smallest number read as Unix seconds: 1973-03-03T09:46:40Z.
const UNIX_FROM: i64 = 100_000_000;

/// A moment, to the second: Unix seconds, UTC. Written (`Display`, JSON) as
/// `YYYY-MM-DDTHH:MM:SSZ`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

/// Why a time does not parse; the message says what is accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{why}; write ISO 8601 (2024-03-05, 2024-03-05T14:30:00Z, 2024-03 or 2024) or Unix seconds (1709649000)")]
pub struct TimeError {
    why: String,
}

fn bad(why: impl Into<String>) -> TimeError {
    TimeError { why: why.into() }
}

/// Calendar units that times are grouped by, each starting at its first moment in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TimeUnit {
    /// A day.
    Day,
    /// A week, from Monday.
    Week,
    /// A month.
    Month,
    /// A quarter: January, April, July or October and the two months after.
    Quarter,
    /// A year.
    Year,
}

impl TimeUnit {
    /// Every unit, finest first.
    pub const ALL: [TimeUnit; 5] = [
        TimeUnit::Day,
        TimeUnit::Week,
        TimeUnit::Month,
        TimeUnit::Quarter,
        TimeUnit::Year,
    ];

    /// Its name: `day`, `week`, `month`, `quarter`, `year`.
    pub fn name(self) -> &'static str {
        match self {
            TimeUnit::Day => "day",
            TimeUnit::Week => "week",
            TimeUnit::Month => "month",
            TimeUnit::Quarter => "quarter",
            TimeUnit::Year => "year",
        }
    }
}

impl Timestamp {
    /// The first moment a timestamp holds: 0001-01-01T00:00:00Z.
    pub const FIRST: Timestamp = Timestamp(FIRST);
    /// The last: 9999-12-31T23:59:59Z.
    pub const LAST: Timestamp = Timestamp(LAST);

    /// The moment `seconds` after 1970-01-01T00:00:00Z; `None` outside the years 1 to 9999.
    pub fn from_unix(seconds: i64) -> Option<Timestamp> {
        (FIRST..=LAST)
            .contains(&seconds)
            .then_some(Timestamp(seconds))
    }

    /// Seconds since 1970-01-01T00:00:00Z.
    pub fn unix(self) -> i64 {
        self.0
    }

    /// Reads a time as the module documentation says. Surrounding spaces are ignored; an
    /// empty text is an error (a missing time is `None` before this).
    pub fn parse(text: &str) -> Result<Timestamp, TimeError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(bad("it is empty"));
        }
        let digits = text.split_once('.').map_or(text, |(whole, _)| whole);
        if text.bytes().all(|b| b.is_ascii_digit() || b == b'.') && !digits.is_empty() {
            return number(text, digits);
        }
        if text.starts_with('-') || text.starts_with('+') {
            return Err(bad(format!(
                "a signed number: Unix seconds are read from {UNIX_FROM} (1973-03-03) on"
            )));
        }
        iso(text)
    }

    /// Reads the value of a JSON field: a string or a number as [`Timestamp::parse`] reads it;
    /// `null` or a blank string is no time (`Ok(None)`).
    pub fn from_json(value: &serde_json::Value) -> Result<Option<Timestamp>, TimeError> {
        match value {
            serde_json::Value::Null => Ok(None),
            serde_json::Value::String(s) if s.trim().is_empty() => Ok(None),
            serde_json::Value::String(s) => Timestamp::parse(s).map(Some),
            serde_json::Value::Number(n) => Timestamp::parse(&n.to_string()).map(Some),
            other => Err(bad(format!(
                "{} is not a time",
                match other {
                    serde_json::Value::Bool(_) => "true or false",
                    serde_json::Value::Array(_) => "a list",
                    _ => "an object",
                }
            ))),
        }
    }

    fn datetime(self) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(self.0).expect("within the years 1 to 9999")
    }

    fn of(datetime: OffsetDateTime) -> Option<Timestamp> {
        Timestamp::from_unix(datetime.unix_timestamp())
    }

    /// Its year.
    pub fn year(self) -> i32 {
        self.datetime().year()
    }

    /// The first moment of the `unit` that holds it.
    pub fn floor(self, unit: TimeUnit) -> Timestamp {
        let date = self.datetime().date();
        let first = match unit {
            TimeUnit::Day => date,
            TimeUnit::Week => {
                // The Monday on or before: 0001-01-01 was a Monday, so there always is one.
                let back = date.weekday().number_days_from_monday() as i64;
                date.checked_sub(Duration::days(back))
                    .expect("a Monday in range")
            }
            TimeUnit::Month => date.replace_day(1).expect("day 1"),
            TimeUnit::Quarter => {
                let month = (date.month() as u8 - 1) / 3 * 3 + 1;
                Date::from_calendar_date(date.year(), month_of(month), 1).expect("day 1")
            }
            TimeUnit::Year => {
                Date::from_calendar_date(date.year(), Month::January, 1).expect("January 1st")
            }
        };
        Timestamp::of(first.midnight().assume_utc()).expect("within range")
    }

    /// The first moment of the `unit` after the one that starts at `self` (which
    /// [`Timestamp::floor`] gave); `None` past the year 9999.
    pub fn next(self, unit: TimeUnit) -> Option<Timestamp> {
        let date = self.datetime().date();
        let months = |n: u8| -> Option<Date> {
            let index = date.month() as u8 - 1 + n;
            let year = date.year() + (index / 12) as i32;
            Date::from_calendar_date(year, month_of(index % 12 + 1), 1).ok()
        };
        let next = match unit {
            TimeUnit::Day => date.next_day(),
            TimeUnit::Week => date.checked_add(Duration::days(7)),
            TimeUnit::Month => months(1),
            TimeUnit::Quarter => months(3),
            TimeUnit::Year => Date::from_calendar_date(date.year() + 1, Month::January, 1).ok(),
        }?;
        Timestamp::of(next.midnight().assume_utc())
    }

    /// How the `unit` that starts at `self` is named: `2024`, `2024-Q1`, `2024-03`, or the
    /// date of its first day (a week: its Monday).
    pub fn unit_label(self, unit: TimeUnit) -> String {
        let d = self.datetime().date();
        match unit {
            TimeUnit::Year => format!("{:04}", d.year()),
            TimeUnit::Quarter => format!("{:04}-Q{}", d.year(), (d.month() as u8 - 1) / 3 + 1),
            TimeUnit::Month => format!("{:04}-{:02}", d.year(), d.month() as u8),
            TimeUnit::Week | TimeUnit::Day => self.date_label(),
        }
    }

    /// `YYYY-MM-DD`.
    pub fn date_label(self) -> String {
        let d = self.datetime().date();
        format!("{:04}-{:02}-{:02}", d.year(), d.month() as u8, d.day())
    }

    /// `YYYY-MM-DD HH:MM` (UTC).
    pub fn minute_label(self) -> String {
        let t = self.datetime();
        format!("{} {:02}:{:02}", self.date_label(), t.hour(), t.minute())
    }
}

fn month_of(number: u8) -> Month {
    Month::try_from(number).expect("a month from 1 to 12")
}

/// An all-digit text (with at most one decimal point): a year or Unix seconds.
fn number(text: &str, whole: &str) -> Result<Timestamp, TimeError> {
    if text.matches('.').count() > 1 || text.ends_with('.') {
        return Err(bad("not a number"));
    }
    let fraction = text.len() > whole.len();
    if whole.len() == 4 && !fraction {
        let year: i32 = whole.parse().expect("four digits");
        if year == 0 {
            return Err(bad("there is no year 0"));
        }
        return Ok(first_of_year(year));
    }
    let seconds = whole
        .parse::<i64>()
        .ok()
        .filter(|&s| s >= UNIX_FROM)
        .ok_or_else(|| {
            bad(format!(
                "neither a year (four digits) nor Unix seconds (from {UNIX_FROM}, 1973-03-03; \
                 a date written as digits, like 20240305, is ambiguous)"
            ))
        })?;
    Timestamp::from_unix(seconds).ok_or_else(|| bad("Unix seconds after the year 9999"))
}

fn first_of_year(year: i32) -> Timestamp {
    let date = Date::from_calendar_date(year, Month::January, 1).expect("years 1 to 9999");
    Timestamp::of(date.midnight().assume_utc()).expect("years 1 to 9999")
}

/// A text of fixed-width fields: `Cursor` takes digits and separators from the front.
struct Cursor<'a> {
    rest: &'a str,
}

impl Cursor<'_> {
    fn digits(&mut self, n: usize, what: &str) -> Result<u32, TimeError> {
        let field = self
            .rest
            .get(..n)
            .filter(|f| f.bytes().all(|b| b.is_ascii_digit()));
        match field {
            Some(f) => {
                self.rest = &self.rest[n..];
                Ok(f.parse().expect("digits"))
            }
            None => Err(bad(format!(
                "{n} digits of the {what} expected at {:?}",
                self.rest
            ))),
        }
    }

    fn eat(&mut self, c: char) -> bool {
        match self.rest.strip_prefix(c) {
            Some(rest) => {
                self.rest = rest;
                true
            }
            None => false,
        }
    }
}

/// ISO 8601: `YYYY-MM`, `YYYY-MM-DD`, or a date, `T` or a space, `hh:mm[:ss[.f]]` and an
/// optional offset.
fn iso(text: &str) -> Result<Timestamp, TimeError> {
    let mut c = Cursor { rest: text };
    let year = c.digits(4, "year")? as i32;
    if year == 0 {
        return Err(bad("there is no year 0"));
    }
    if !c.eat('-') {
        return Err(bad("a '-' expected after the year"));
    }
    let month = c.digits(2, "month")? as u8;
    let month = Month::try_from(month).map_err(|_| bad(format!("there is no month {month}")))?;
    if c.rest.is_empty() {
        let date = Date::from_calendar_date(year, month, 1).expect("day 1");
        return Ok(Timestamp::of(date.midnight().assume_utc()).expect("years 1 to 9999"));
    }
    if !c.eat('-') {
        return Err(bad("a '-' expected after the month"));
    }
    let day = c.digits(2, "day")? as u8;
    let date = Date::from_calendar_date(year, month, day)
        .map_err(|_| bad(format!("{month} {year} has no day {day}")))?;
    if c.rest.is_empty() {
        return Ok(Timestamp::of(date.midnight().assume_utc()).expect("years 1 to 9999"));
    }
    if !(c.eat('T') || c.eat('t') || c.eat(' ')) {
        return Err(bad("'T' or a space expected after the date"));
    }
    let hour = c.digits(2, "hour")? as u8;
    if !c.eat(':') {
        return Err(bad("hh:mm expected after the date"));
    }
    let minute = c.digits(2, "minute")? as u8;
    let mut second = 0u8;
    if c.eat(':') {
        second = c.digits(2, "second")? as u8;
        if c.eat('.') || c.eat(',') {
            let fraction = c.rest.bytes().take_while(u8::is_ascii_digit).count();
            if fraction == 0 {
                return Err(bad("digits expected after the decimal point"));
            }
            c.rest = &c.rest[fraction..];
        }
    }
    let clock = Time::from_hms(hour, minute, second).map_err(|_| {
        bad(format!(
            "{hour:02}:{minute:02}:{second:02} is not a time of day"
        ))
    })?;
    let offset = if c.rest.is_empty() || c.eat('Z') || c.eat('z') {
        UtcOffset::UTC
    } else {
        let sign = if c.eat('+') {
            1
        } else if c.eat('-') {
            -1
        } else {
            return Err(bad(
                "an offset (Z, +hh:mm) or nothing expected after the time of day",
            ));
        };
        let hours = c.digits(2, "offset's hours")? as i8;
        let minutes = if c.rest.is_empty() {
            0
        } else {
            c.eat(':');
            c.digits(2, "offset's minutes")? as i8
        };
        UtcOffset::from_hms(sign * hours, sign * minutes, 0)
            .ok()
            .filter(|_| hours < 24 && minutes < 60)
            .ok_or_else(|| bad("the offset is out of range"))?
    };
    if !c.rest.is_empty() {
        return Err(bad(format!("{:?} is left over", c.rest)));
    }
    let at = PrimitiveDateTime::new(date, clock).assume_offset(offset);
    Timestamp::of(at).ok_or_else(|| bad("outside the years 1 to 9999"))
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = self.datetime();
        write!(
            f,
            "{}T{:02}:{:02}:{:02}Z",
            self.date_label(),
            t.hour(),
            t.minute(),
            t.second()
        )
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Timestamp, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Timestamp::parse(&text).map_err(serde::de::Error::custom)
    }
}
