//! Documents' times: what `--time-field` reads, table-driven, and the calendar units reports
//! group them by.

use nmf_topics::corpus::{TimeUnit, Timestamp};

/// Accepted: (written, read as, in UTC).
const ACCEPTED: &[(&str, &str)] = &[
    ("2024-03-05T14:30:00Z", "2024-03-05T14:30:00Z"),
    ("2024-03-05t14:30:00z", "2024-03-05T14:30:00Z"),
    ("2024-03-05 14:30", "2024-03-05T14:30:00Z"),
    ("2024-03-05T14:30:59.999", "2024-03-05T14:30:59Z"),
    ("2024-03-05T14:30:00,5Z", "2024-03-05T14:30:00Z"),
    ("2024-03-05T14:30:00+01:00", "2024-03-05T13:30:00Z"),
    ("2024-03-05T00:30:00+0100", "2024-03-04T23:30:00Z"),
    ("2024-03-05T23:30:00-05", "2024-03-06T04:30:00Z"),
    ("2024-02-29", "2024-02-29T00:00:00Z"),
    ("2000-02-29", "2000-02-29T00:00:00Z"),
    ("2024-03", "2024-03-01T00:00:00Z"),
    ("2024", "2024-01-01T00:00:00Z"),
    ("0001", "0001-01-01T00:00:00Z"),
    ("  2024-03-05  ", "2024-03-05T00:00:00Z"),
    ("1709649000", "2024-03-05T14:30:00Z"),
    ("1709649000.75", "2024-03-05T14:30:00Z"),
    ("100000000", "1973-03-03T09:46:40Z"),
    ("9999-12-31T23:59:59Z", "9999-12-31T23:59:59Z"),
];

/// Refused, with a word of the reason.
const REFUSED: &[(&str, &str)] = &[
    ("", "empty"),
    ("2023-02-29", "no day 29"),
    ("1900-02-29", "no day 29"),
    ("2024-13-01", "no month 13"),
    ("2024-00", "no month 0"),
    ("0000", "no year 0"),
    ("2024-3-5", "2 digits of the month"),
    ("24-03-05", "4 digits of the year"),
    ("2024/03/05", "'-' expected"),
    ("05/03/2024", "4 digits of the year"),
    ("March 5, 2024", "4 digits of the year"),
    ("2024-03-05T25:00", "not a time of day"),
    ("2024-03-05T14:60", "not a time of day"),
    ("2024-03-05T14:30:60Z", "not a time of day"),
    ("2024-03-05T14", "hh:mm"),
    (
        "2024-03-05T14:30:00.Z",
        "digits expected after the decimal point",
    ),
    ("2024-03-05T14:30:00+25:00", "offset"),
    ("2024-03-05T14:30:00 UTC", "offset"),
    ("2024-03-05T14:30:00Zjunk", "left over"),
    ("2024-03-05x", "'T' or a space"),
    ("20240305", "ambiguous"),
    ("99999999", "ambiguous"),
    ("123", "neither a year"),
    ("-5", "signed"),
    ("+1709649000", "signed"),
    ("2024.5", "neither a year"),
    ("1.2.3", "not a number"),
    ("253402300800", "after the year 9999"),
];

#[test]
fn times_read_as_the_table_says() {
    for &(text, want) in ACCEPTED {
        let got = Timestamp::parse(text).unwrap_or_else(|e| panic!("{text:?}: {e}"));
        assert_eq!(got.to_string(), want, "{text:?}");
        // What is written reads back the same.
        assert_eq!(Timestamp::parse(&got.to_string()).unwrap(), got);
    }
}

#[test]
fn other_times_are_refused_with_their_reason_and_what_is_accepted() {
    for &(text, why) in REFUSED {
        let err = match Timestamp::parse(text) {
            Ok(t) => panic!("{text:?} was read as {t}"),
            Err(e) => e.to_string(),
        };
        assert!(err.contains(why), "{text:?}: {err}");
        assert!(err.contains("write ISO 8601"), "{text:?}: {err}");
    }
}

#[test]
fn json_values_numbers_and_strings_alike_null_is_no_time() {
    use serde_json::json;
    let read = |v: serde_json::Value| Timestamp::from_json(&v).map(|t| t.map(|t| t.to_string()));
    assert_eq!(
        read(json!(2024)).unwrap().as_deref(),
        Some("2024-01-01T00:00:00Z")
    );
    assert_eq!(
        read(json!("2024")).unwrap().as_deref(),
        Some("2024-01-01T00:00:00Z")
    );
    assert_eq!(
        read(json!(1709649000)).unwrap().as_deref(),
        Some("2024-03-05T14:30:00Z")
    );
    assert_eq!(
        read(json!(1709649000.5)).unwrap().as_deref(),
        Some("2024-03-05T14:30:00Z")
    );
    assert_eq!(read(json!(null)).unwrap(), None);
    assert_eq!(read(json!("  ")).unwrap(), None);
    for bad in [
        json!(true),
        json!([2024]),
        json!({"year": 2024}),
        json!(20240305),
    ] {
        assert!(read(bad.clone()).is_err(), "{bad}");
    }
}

#[test]
fn calendar_units_floor_step_and_name() {
    let t = Timestamp::parse("2024-08-15T10:00:00Z").unwrap(); // a Thursday
    let cases = [
        (TimeUnit::Day, "2024-08-15", "2024-08-16", "2024-08-15"),
        (TimeUnit::Week, "2024-08-12", "2024-08-19", "2024-08-12"),
        (TimeUnit::Month, "2024-08-01", "2024-09-01", "2024-08"),
        (TimeUnit::Quarter, "2024-07-01", "2024-10-01", "2024-Q3"),
        (TimeUnit::Year, "2024-01-01", "2025-01-01", "2024"),
    ];
    for (unit, floor, next, label) in cases {
        let start = t.floor(unit);
        assert_eq!(start.to_string(), format!("{floor}T00:00:00Z"), "{unit:?}");
        assert_eq!(start.next(unit).unwrap().date_label(), next, "{unit:?}");
        assert_eq!(start.unit_label(unit), label, "{unit:?}");
        assert_eq!(
            start.floor(unit),
            start,
            "{unit:?}: a start is its own floor"
        );
    }
    // Across a year's end, and at the end of the calendar.
    let december = Timestamp::parse("2023-12-31").unwrap();
    assert_eq!(
        december
            .floor(TimeUnit::Quarter)
            .next(TimeUnit::Quarter)
            .unwrap()
            .date_label(),
        "2024-01-01"
    );
    assert_eq!(
        december
            .floor(TimeUnit::Month)
            .next(TimeUnit::Month)
            .unwrap()
            .date_label(),
        "2024-01-01"
    );
    let last = Timestamp::parse("9999-12-31T12:00:00Z").unwrap();
    assert_eq!(last.floor(TimeUnit::Year).next(TimeUnit::Year), None);
    // 0001-01-01 was a Monday: the first week starts there.
    let first = Timestamp::parse("0001-01-03").unwrap();
    assert_eq!(first.floor(TimeUnit::Week).date_label(), "0001-01-01");
}
