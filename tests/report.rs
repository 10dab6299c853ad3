//! Golden reports: the terminal text and the JSON topics for a fixed corpus and seed.
//!
//! After an intended change, regenerate with `NMF_TOPICS_BLESS=1 cargo test --release golden`
//! and review the diff of tests/data/golden/.

use std::path::Path;

use nmf_topics::corpus::{DocumentReader, Input, ReadOptions};
use nmf_topics::report::{write_document_topics, Parameters, StageSeconds};
use nmf_topics::{
    Analyzer, AnalyzerConfig, BagBuilder, CountMatrix, FitReport, Nmf, NmfModel, Pruning, Report,
};

use crate::util::default_corpus;

/// A fit and what its reports are made from.
struct Golden {
    matrix: CountMatrix,
    model: NmfModel,
    fit: FitReport,
    parameters: Parameters,
}

impl Golden {
    /// The report, which borrows the matrix's documents.
    fn report(&self) -> Report<'_> {
        Report::new(
            &self.matrix,
            &self.model,
            &self.fit,
            self.parameters.clone(),
            StageSeconds::default(),
            8,
        )
    }

    /// The documents' topic weights as CSV.
    fn csv(&self) -> String {
        let mut csv = Vec::new();
        write_document_topics(&self.matrix, &self.model, &mut csv).unwrap();
        String::from_utf8(csv).unwrap()
    }
}

/// The first 600 documents of the default corpus, 6 topics, 60 iterations from seed 3, on the
/// portable kernel.
fn golden_fit() -> Golden {
    let reader =
        DocumentReader::new(vec![Input::Path(default_corpus())], ReadOptions::default()).unwrap();
    let docs: Vec<_> = reader.take(600).map(Result::unwrap).collect();
    let config = AnalyzerConfig {
        stem: true,
        ..AnalyzerConfig::default()
    };
    let mut bag = BagBuilder::new(Analyzer::new(config.clone()).unwrap());
    bag.add(docs);
    let pruning = Pruning {
        min_df: "3".parse().unwrap(),
        max_df: "0.5".parse().unwrap(),
        ..Pruning::default()
    };
    let matrix = CountMatrix::build(&bag.finish(), &pruning).unwrap();
    // The portable kernel gives the same bits on every CPU, so the golden files hold anywhere.
    let nmf = Nmf::new(6)
        .max_iter(60)
        .tol(0.0)
        .seed(3)
        .threads(2)
        .portable(true);
    let (model, mut fit) = nmf.fit(matrix.by_doc(), matrix.by_word()).unwrap();
    // Timings are the only figures that change from run to run.
    fit.seconds = 0.0;
    fit.seconds_per_iteration = 0.0;
    fit.kernel = "any".into();
    let parameters = Parameters {
        phrases: None,
        analyzer: Some(config),
        pruning,
        nmf,
        weighting: Default::default(),
        missing: 0,
    };
    Golden {
        matrix,
        model,
        fit,
        parameters,
    }
}

fn check_golden(name: &str, got: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/golden")
        .join(name);
    if std::env::var_os("NMF_TOPICS_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("{} is missing: run with NMF_TOPICS_BLESS=1", path.display()));
    if want != got {
        let diff: Vec<String> = want
            .lines()
            .zip(got.lines())
            .enumerate()
            .filter(|(_, (a, b))| a != b)
            .take(10)
            .map(|(i, (a, b))| format!("line {}:\n  want: {a}\n   got: {b}", i + 1))
            .collect();
        panic!(
            "{name} differs from the golden file ({} vs {} lines):\n{}",
            want.lines().count(),
            got.lines().count(),
            diff.join("\n")
        );
    }
}

#[test]
fn golden_terminal_report() {
    let golden = golden_fit();
    let report = golden.report();
    let mut out = Vec::new();
    report.write_terminal(&mut out).unwrap();
    check_golden("report.txt", &String::from_utf8(out).unwrap());
}

#[test]
fn golden_json_topics_and_document_csv() {
    let golden = golden_fit();
    let (report, csv) = (golden.report(), golden.csv());
    let mut json = Vec::new();
    report.write_json(&mut json).unwrap();
    let mut value: serde_json::Value = serde_json::from_slice(&json).unwrap();
    round_numbers(&mut value["topics"]);
    let topics = serde_json::to_string_pretty(&value["topics"]).unwrap() + "\n";
    check_golden("topics.json", &topics);
    let head: String = csv
        .lines()
        .take(40)
        .map(|line| {
            let cells: Vec<String> = line
                .split(',')
                .map(|c| c.parse::<f64>().map_or(c.to_owned(), |x| format!("{x:.4}")))
                .collect();
            cells.join(",") + "\n"
        })
        .collect();
    check_golden("doc-topics-head.csv", &head);
}

/// Rounds every number to 4 significant digits: the golden files pin the topics, not the float
/// rounding of one kernel (the fast and the portable kernels differ in the 7th digit).
fn round_numbers(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Number(n) if !n.is_u64() => {
            let x: f64 = format!("{:.3e}", n.as_f64().unwrap()).parse().unwrap();
            *value = serde_json::json!(x);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(round_numbers),
        serde_json::Value::Object(map) => map.values_mut().for_each(round_numbers),
        _ => {}
    }
}

#[test]
fn the_json_report_has_every_documented_field() {
    let golden = golden_fit();
    let report = golden.report();
    let mut json = Vec::new();
    report.write_json(&mut json).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(v["format"], "nmf-topics/report");
    assert_eq!(v["version"], 1);
    for field in [
        "documents",
        "words",
        "words_before_pruning",
        "nonzeros",
        "tokens",
        "empty_documents",
    ] {
        assert!(v["corpus"][field].is_number(), "corpus.{field}");
    }
    for field in ["analyzer", "pruning", "nmf"] {
        assert!(v["parameters"][field].is_object(), "parameters.{field}");
    }
    for field in ["topics", "max_iter", "tol", "seed", "threads"] {
        assert!(
            v["parameters"]["nmf"][field].is_number(),
            "parameters.nmf.{field}"
        );
    }
    let fit = &v["fit"];
    assert_eq!(fit["iterations"], 60);
    assert_eq!(fit["converged"], false);
    assert_eq!(fit["stop"], "max_iter");
    for field in [
        "divergence",
        "divergence_per_token",
        "seconds_per_iteration",
    ] {
        assert!(fit[field].as_f64().unwrap().is_finite(), "fit.{field}");
    }
    for stage in ["reading", "matrix", "fitting"] {
        assert!(fit["seconds"][stage].is_number(), "fit.seconds.{stage}");
    }
    let trace = fit["divergence_trace"].as_array().unwrap();
    assert_eq!(trace.first().unwrap()["iteration"], 0);
    assert_eq!(trace.last().unwrap()["iteration"], 60);
    let topics = v["topics"].as_array().unwrap();
    assert_eq!(topics.len(), 6);
    for (i, t) in topics.iter().enumerate() {
        assert_eq!(t["id"], i + 1);
        let words = t["words"].as_array().unwrap();
        assert_eq!(words.len(), 8);
        let label: Vec<&str> = words[..3]
            .iter()
            .map(|w| w["word"].as_str().unwrap())
            .collect();
        assert_eq!(t["label"], label.join(" "));
    }
    let docs = v["documents"].as_array().unwrap();
    assert_eq!(docs.len(), 600);
    assert_eq!(docs[0]["id"], "antiword");
    assert!(docs[0]["title"].is_string());
    for d in docs {
        let weights: Vec<f64> = d["topics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["weight"].as_f64().unwrap())
            .collect();
        assert!(weights.len() <= 5 && weights.iter().all(|&w| w > 0.0));
        assert!(weights.windows(2).all(|p| p[0] >= p[1]));
    }
}
