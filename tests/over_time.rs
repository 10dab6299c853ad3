//! Topics by label and over time: each group's topic mix against sums worked by hand, and how
//! times are cut into bins.

use nmf_topics::corpus::{DocumentRef, Documents, Timestamp};
use nmf_topics::report::{by_label, OverTime, TimeBins};
use nmf_topics::NmfModel;

fn at(text: &str) -> Option<Timestamp> {
    Some(Timestamp::parse(text).unwrap())
}

/// Five documents, two topics: H row by row, (id, label, time).
fn corpus() -> (Documents, Vec<f64>, NmfModel) {
    let docs: [(&str, Option<&str>, Option<Timestamp>); 5] = [
        ("a", Some("x"), at("2021-03-05")),
        ("b", Some("y"), at("2021-11-30T23:59:59Z")),
        ("c", Some("x"), at("2022-01-01")),
        ("d", None, None),
        ("e", Some("x"), at("2023-07-14T12:00:00+02:00")),
    ];
    let mut documents = Documents::new();
    for (id, label, time) in docs {
        documents.push_ref(DocumentRef {
            id,
            title: None,
            label,
            time,
        });
    }
    #[rustfmt::skip]
    let h = vec![
        3.0, 1.0, // a: 4 tokens, mostly topic 1
        0.0, 5.0, // b
        2.0, 2.0, // c: a tie goes to the first topic
        1.0, 0.0, // d
        0.0, 0.0, // e: no words
    ];
    let w = vec![0.5, 0.5, 0.5, 0.5];
    let model = NmfModel::from_parts(2, w, h).unwrap();
    let tokens = vec![4.0, 5.0, 4.0, 1.0, 0.0];
    (documents, tokens, model)
}

#[test]
fn a_labels_mix_is_its_share_of_tokens_by_topic_and_its_main_topics() {
    let (documents, tokens, model) = corpus();
    let labels = by_label(&documents, &tokens, &model);
    let names: Vec<&str> = labels.iter().map(|l| l.label.as_str()).collect();
    assert_eq!(names, ["x", "y"], "by decreasing documents");
    let x = &labels[0].mix;
    assert_eq!((x.documents, x.tokens), (3, 8.0));
    // a + c + e: topic 1 has 3 + 2 + 0 of the 8 expected tokens.
    assert_eq!(x.shares, [5.0 / 8.0, 3.0 / 8.0]);
    assert_eq!(x.main_topic_documents, [2, 0], "a and c; e has no words");
    let y = &labels[1].mix;
    assert_eq!((y.documents, y.shares.clone()), (1, vec![0.0, 1.0]));
    assert_eq!(y.main_topic_documents, [0, 1]);
}

#[test]
fn bins_of_a_year_hold_their_documents_and_name_the_year() {
    let (documents, tokens, model) = corpus();
    let over = OverTime::of(&documents, &tokens, &model, TimeBins::Unit(YEAR)).unwrap();
    assert_eq!(over.unit, "year");
    assert_eq!(
        (over.documents_with_time, over.documents_without_time),
        (4, 1)
    );
    let labels: Vec<&str> = over.bins.iter().map(|b| b.label.as_str()).collect();
    assert_eq!(labels, ["2021", "2022", "2023"]);
    let counts: Vec<usize> = over.bins.iter().map(|b| b.mix.documents).collect();
    assert_eq!(counts, [2, 1, 1]);
    // 2021: a and b, (3 + 0, 1 + 5) of 9 tokens.
    assert_eq!(
        over.bins[0].mix.shares,
        [round6(3.0 / 9.0), round6(6.0 / 9.0)]
    );
    assert_eq!(over.bins[0].mix.main_topic_documents, [1, 1]);
    // 2023: e has no words, so no share and no main topic.
    assert_eq!(over.bins[2].mix.shares, [0.0, 0.0]);
    assert_eq!(over.bins[2].mix.main_topic_documents, [0, 0]);
    assert_eq!(over.bins[0].start.to_string(), "2021-01-01T00:00:00Z");
    assert_eq!(over.bins[2].end.to_string(), "2024-01-01T00:00:00Z");
    for pair in over.bins.windows(2) {
        assert_eq!(pair[0].end, pair[1].start, "contiguous");
    }
}

const YEAR: nmf_topics::corpus::TimeUnit = nmf_topics::corpus::TimeUnit::Year;

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

#[test]
fn months_include_the_empty_ones_between() {
    let (documents, tokens, model) = corpus();
    let bins: TimeBins = "month".parse().unwrap();
    let over = OverTime::of(&documents, &tokens, &model, bins).unwrap();
    // 2021-03 to 2023-07.
    assert_eq!(over.bins.len(), 29);
    assert_eq!(over.bins[0].label, "2021-03");
    assert_eq!(over.bins[8].label, "2021-11");
    assert_eq!(
        over.bins[8].mix.documents, 1,
        "23:59:59 on the 30th is November"
    );
    assert_eq!(over.bins[1].mix.documents, 0);
    assert_eq!(over.bins[1].mix.shares, [0.0, 0.0]);
    // 2023-07-14T12:00+02:00 is 10:00 UTC, in July.
    assert_eq!(over.bins[28].label, "2023-07");
    assert_eq!(over.bins[28].mix.documents, 1);
}

#[test]
fn bins_of_equal_width_are_half_open_and_the_last_holds_the_latest_time() {
    let (documents, tokens, model) = corpus();
    for n in [1, 2, 3, 7, 100] {
        let over = OverTime::of(&documents, &tokens, &model, TimeBins::Count(n)).unwrap();
        assert_eq!(over.unit, "equal");
        assert_eq!(over.bins.len(), n);
        let total: usize = over.bins.iter().map(|b| b.mix.documents).sum();
        assert_eq!(total, 4, "n = {n}");
        assert_eq!(over.bins[0].start, at("2021-03-05").unwrap());
        let last = over.bins.last().unwrap();
        assert!(last.end > at("2023-07-14T10:00:00Z").unwrap());
        assert!(
            last.mix.documents >= 1,
            "n = {n}: the latest document is in the last bin"
        );
        let widths: Vec<i64> = over
            .bins
            .iter()
            .map(|b| b.end.unix() - b.start.unix())
            .collect();
        assert!(widths.iter().all(|&w| w == widths[0]), "{widths:?}");
    }
    let over = OverTime::of(&documents, &tokens, &model, TimeBins::Count(2)).unwrap();
    assert_eq!(over.bins[0].label, "2021-03-05 – 2022-05-09");
}

#[test]
fn auto_takes_the_finest_unit_that_keeps_the_chart_readable() {
    let model = NmfModel::from_parts(1, vec![1.0], vec![1.0; 3]).unwrap();
    let cases = [
        (["2024-03-01", "2024-03-05", "2024-03-20"], "day", 20),
        (["2024-03-01", "2024-04-05", "2024-06-20"], "week", 17),
        (["2024-01-01", "2024-04-05", "2025-06-20"], "month", 18),
        (["2019-01-01", "2020-04-05", "2025-06-20"], "quarter", 26),
        (["1950-01-01", "1980-04-05", "2025-06-20"], "year", 76),
        (["1800-01-01", "1980-04-05", "2025-06-20"], "equal", 30),
    ];
    for (times, unit, bins) in cases {
        let mut documents = Documents::new();
        for t in times {
            documents.push_ref(DocumentRef {
                id: t,
                title: None,
                label: None,
                time: at(t),
            });
        }
        let over = OverTime::of(&documents, &[1.0; 3], &model, TimeBins::Auto).unwrap();
        assert_eq!((over.unit, over.bins.len()), (unit, bins), "{times:?}");
    }
}

#[test]
fn no_time_no_bins_and_bad_binnings_are_refused() {
    let mut documents = Documents::new();
    documents.push("a", None, Some("x"));
    let model = NmfModel::from_parts(1, vec![1.0], vec![1.0]).unwrap();
    assert!(OverTime::of(&documents, &[1.0], &model, TimeBins::Auto).is_none());
    for bad in ["0", "decade", "-3", "10001", ""] {
        let err = bad.parse::<TimeBins>().unwrap_err();
        assert!(
            err.contains("auto, day, week, month, quarter, year"),
            "{err}"
        );
    }
    for good in ["auto", "day", "week", "month", "quarter", "year", "12"] {
        let bins: TimeBins = good.parse().unwrap();
        assert_eq!(bins.to_string(), good);
        let json = serde_json::to_string(&bins).unwrap();
        assert_eq!(serde_json::from_str::<TimeBins>(&json).unwrap(), bins);
    }
    assert_eq!(serde_json::to_string(&TimeBins::Count(12)).unwrap(), "12");
}
