//! `--time-field`, `--time-bins` and `--label-field` through the binary: topics over time and
//! by label in the JSON report, saved with the model, read from a corpus store; bad times and
//! binnings are errors.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::util::{arg, files_in, run_err, run_ok, stdout, tempdir, TestRng};

const THEMES: [[&str; 6]; 3] = [
    ["apple", "banana", "cherry", "grape", "melon", "peach"],
    ["engine", "wheel", "brake", "gearbox", "clutch", "piston"],
    ["violin", "cello", "flute", "oboe", "harp", "trumpet"],
];

/// 240 documents from 2018 to 2023, 40 a year in date order: fruit fades year by year while cars grow, and
/// music stays; each document's section is its theme. Every 10th document has no date.
fn trend_corpus(dir: &Path) -> PathBuf {
    let mut rng = TestRng::new(11);
    let mut lines = String::new();
    for i in 0..240 {
        let year = 2018 + i / 40;
        let step = (year - 2018) as f64 / 5.0;
        let u = rng.uniform();
        let theme = if u < 0.3 {
            2
        } else if u < 0.3 + 0.7 * (1.0 - step) {
            0
        } else {
            1
        };
        let text: Vec<&str> = (0..15)
            .map(|_| THEMES[theme][(rng.next_u64() % 6) as usize])
            .collect();
        let section = ["fruit", "cars", "music"][theme];
        let mut doc = serde_json::json!({
            "id": format!("d{i}"),
            "section": section,
            "text": text.join(" "),
        });
        if i % 10 != 7 {
            doc["date"] = format!("{year}-{:02}-{:02}", 1 + i % 12, 1 + i % 28).into();
        }
        lines.push_str(&doc.to_string());
        lines.push('\n');
    }
    let path = dir.join("trend.jsonl");
    std::fs::write(&path, lines).unwrap();
    path
}

fn json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The topic (0-based) whose label holds `word`.
fn topic_of(report: &Value, word: &str) -> usize {
    report["topics"]
        .as_array()
        .unwrap()
        .iter()
        .position(|t| {
            t["words"]
                .as_array()
                .unwrap()
                .iter()
                .take(6)
                .any(|w| w["word"] == word)
        })
        .unwrap_or_else(|| panic!("no topic holds {word}"))
}

fn fit_args<'a>(corpus: &'a Path, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "fit",
        arg(corpus),
        "-k",
        "3",
        "--max-iter",
        "200",
        "--min-df",
        "1",
        "--time-field",
        "date",
        "--label-field",
        "section",
        "-q",
    ];
    args.extend_from_slice(extra);
    args
}

#[test]
fn the_json_report_has_each_quarters_topics_and_each_labels() {
    let dir = tempdir();
    let corpus = trend_corpus(dir.path());
    let report_path = dir.path().join("r.json");
    let out = run_ok(&fit_args(&corpus, &["--json", arg(&report_path)]));
    let text = stdout(&out);
    assert!(
        text.contains("over time: 216 documents from 2018-01-01 to 2023-12-20 (24 without a time), in 24 bins of a quarter"),
        "{text}"
    );
    let report = json(&report_path);
    let over = &report["over_time"];
    assert_eq!(over["binning"], "auto");
    // Six years make 24 quarters: the finest unit with at most 30 bins.
    assert_eq!(over["unit"], "quarter");
    assert_eq!(over["documents_with_time"], 216);
    assert_eq!(over["documents_without_time"], 24);
    let bins = over["bins"].as_array().unwrap();
    let labels: Vec<&str> = bins.iter().map(|b| b["label"].as_str().unwrap()).collect();
    assert_eq!(labels.len(), 24);
    assert_eq!(
        labels[..5],
        ["2018-Q1", "2018-Q2", "2018-Q3", "2018-Q4", "2019-Q1"]
    );
    assert_eq!(bins[0]["start"], "2018-01-01T00:00:00Z");
    assert_eq!(bins[23]["end"], "2024-01-01T00:00:00Z");
    let (fruit, cars) = (topic_of(&report, "apple"), topic_of(&report, "engine"));
    let share = |b: &Value, k: usize| b["shares"][k].as_f64().unwrap();
    // The first year's quarters against the last year's, on average.
    let year =
        |quarters: &[Value], k: usize| quarters.iter().map(|b| share(b, k)).sum::<f64>() / 4.0;
    assert!(year(&bins[..4], fruit) > 0.5 && year(&bins[20..], fruit) < 0.05);
    assert!(year(&bins[..4], cars) < 0.05 && year(&bins[20..], cars) > 0.5);
    for b in bins {
        let sum: f64 = b["shares"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .sum();
        assert!((sum - 1.0).abs() < 1e-5, "{sum}");
        let main: u64 = b["main_topic_documents"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_u64().unwrap())
            .sum();
        assert_eq!(main, b["documents"].as_u64().unwrap());
    }
    // Each section is one theme: its documents' main topic is that theme's topic.
    let sections = report["labels"].as_array().unwrap();
    assert_eq!(sections.len(), 3);
    for s in sections {
        let k = match s["label"].as_str().unwrap() {
            "fruit" => fruit,
            "cars" => cars,
            _ => topic_of(&report, "violin"),
        };
        assert_eq!(s["main_topic_documents"][k], s["documents"]);
        assert!(share(s, k) > 0.95, "{s}");
    }
    // Each document carries its time.
    assert_eq!(report["documents"][0]["time"], "2018-01-01T00:00:00Z");
    assert!(report["documents"][7].get("time").is_none());
}

#[test]
fn the_binning_is_saved_with_the_model_and_can_be_changed_later() {
    let dir = tempdir();
    let corpus = trend_corpus(dir.path());
    let model = dir.path().join("m");
    run_ok(&fit_args(
        &corpus,
        &["--time-bins", "quarter", "--model", arg(&model)],
    ));
    let saved = json(&model.join("model.json"));
    assert_eq!(saved["time_bins"], "quarter");
    assert_eq!(saved["documents"][0]["time"], "2018-01-01T00:00:00Z");
    let topics = |extra: &[&str]| -> Value {
        let mut args = vec!["topics", "--model", arg(&model), "--json", "-"];
        args.extend_from_slice(extra);
        serde_json::from_slice(&run_ok(&args).stdout).unwrap()
    };
    let again = topics(&[]);
    assert_eq!(again["over_time"]["unit"], "quarter");
    assert_eq!(again["over_time"]["bins"].as_array().unwrap().len(), 24);
    let by_year = topics(&["--time-bins", "year"]);
    assert_eq!(by_year["over_time"]["binning"], "year");
    assert_eq!(by_year["over_time"]["bins"].as_array().unwrap().len(), 6);
    let equal = topics(&["--time-bins", "4"]);
    assert_eq!(equal["over_time"]["unit"], "equal");
    assert_eq!(equal["over_time"]["binning"], 4);
    assert_eq!(equal["over_time"]["bins"].as_array().unwrap().len(), 4);
}

#[test]
fn a_store_keeps_the_times_and_fits_to_the_same_report() {
    let dir = tempdir();
    let corpus = trend_corpus(dir.path());
    let store = dir.path().join("store");
    run_ok(&[
        "index",
        arg(&corpus),
        "--index",
        arg(&store),
        "--time-field",
        "date",
        "--label-field",
        "section",
        "-q",
    ]);
    let from_file = dir.path().join("file.json");
    let from_store = dir.path().join("store.json");
    run_ok(&fit_args(&corpus, &["--json", arg(&from_file)]));
    run_ok(&[
        "fit",
        "--index",
        arg(&store),
        "-k",
        "3",
        "--max-iter",
        "200",
        "--min-df",
        "1",
        "-q",
        "--json",
        arg(&from_store),
    ]);
    let (a, b) = (json(&from_file), json(&from_store));
    assert_eq!(a["over_time"], b["over_time"]);
    assert_eq!(a["labels"], b["labels"]);
}

#[test]
fn bad_times_and_binnings_are_errors_that_write_nothing() {
    let dir = tempdir();
    let corpus = trend_corpus(dir.path());
    let err = run_err(&fit_args(&corpus, &["--time-bins", "decade"]));
    assert!(err.contains("'decade' is not a binning"), "{err}");
    let bad = dir.path().join("bad.jsonl");
    let mut text = std::fs::read_to_string(&corpus).unwrap();
    text.push_str("{\"id\": \"late\", \"text\": \"apple\", \"date\": \"2023-02-30\"}\n");
    std::fs::write(&bad, text).unwrap();
    let model = dir.path().join("m");
    let report = dir.path().join("r.json");
    let before = files_in(dir.path());
    let err = run_err(&fit_args(
        &bad,
        &["--model", arg(&model), "--json", arg(&report)],
    ));
    assert!(
        err.contains("line 241 (document \"late\"): field \"date\" holds \"2023-02-30\""),
        "{err}"
    );
    assert!(err.contains("has no day 30"), "{err}");
    assert_eq!(files_in(dir.path()), before, "no model, no report");
}
