//! `nmf-topics transform`: new documents' weights with the model's topics fixed.

use std::path::Path;

use serde_json::Value;

use crate::util::{self, arg, run_err, run_ok, run_with_stdin};

fn read_csv(path: &Path) -> Vec<(String, Vec<f64>)> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (
                r[0].to_owned(),
                r.iter().skip(1).map(|x| x.parse().unwrap()).collect(),
            )
        })
        .collect()
}

#[test]
fn transforming_every_training_document_gives_back_its_fitted_weights() {
    let dir = util::tempdir();
    let fitted = dir.path().join("fitted.csv");
    let corpus = util::default_corpus();
    let model = util::fit_small_model(dir.path(), &["--doc-topics", arg(&fitted)]);
    let again = dir.path().join("again.csv");
    run_ok(&[
        "transform",
        "--model",
        arg(&model),
        arg(&corpus),
        "--csv",
        arg(&again),
        "-q",
    ]);
    let (a, b) = (read_csv(&fitted), read_csv(&again));
    assert!(a.len() > 4900, "{} documents", a.len());
    assert_eq!(a.len(), b.len());
    let mut worst = 0f64;
    for ((id_a, wa), (id_b, wb)) in a.iter().zip(&b) {
        assert_eq!(id_a, id_b);
        assert_eq!(wa.len(), 6);
        for (x, y) in wa.iter().zip(wb) {
            worst = worst.max((x - y).abs());
        }
    }
    assert!(worst <= 1e-3, "largest difference {worst}");
    // In fact the same procedure on the same numbers: the same bits.
    assert_eq!(
        std::fs::read_to_string(&fitted).unwrap(),
        std::fs::read_to_string(&again).unwrap()
    );
}

#[test]
fn unknown_words_are_ignored_and_counted() {
    let dir = util::tempdir();
    let model = util::fit_small_model(dir.path(), &["--stem"]);
    let input = "{\"id\": \"web\", \"title\": \"A server\", \"text\": \"servers and web servers for the network, zqxjv zqxjv blorft\"}\n\
                 {\"id\": \"none\", \"text\": \"zqxjv blorft\"}\n";
    let out = run_with_stdin(
        &["transform", "--model", arg(&model), "-", "--json", "-"],
        input.as_bytes(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", util::stderr(&out));
    let result: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(result["format"], "nmf-topics/transform");
    assert_eq!(result["version"], 1);
    assert_eq!(result["topics"].as_array().unwrap().len(), 6);
    assert_eq!(result["unknown"]["tokens"].as_f64(), Some(5.0));
    assert_eq!(result["unknown"]["distinct"].as_u64(), Some(2));
    let web = &result["documents"][0];
    assert_eq!(web["id"], "web");
    assert_eq!(web["title"], "A server");
    // Stemmed as the model was: "servers" counts as "server".
    assert_eq!(web["tokens"].as_f64(), Some(4.0));
    assert_eq!(web["unknown_tokens"].as_f64(), Some(3.0));
    let weights: Vec<f64> = web["weights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_f64().unwrap())
        .collect();
    assert!(
        (weights.iter().sum::<f64>() - 1.0).abs() < 1e-4,
        "{weights:?}"
    );
    assert!(web["topics"].as_array().unwrap().len() <= 3);
    let none = &result["documents"][1];
    assert_eq!(none["tokens"].as_f64(), Some(0.0));
    assert_eq!(none["unknown_tokens"].as_f64(), Some(2.0));
    assert!(none["weights"]
        .as_array()
        .unwrap()
        .iter()
        .all(|w| w.as_f64() == Some(0.0)));
    assert!(none["topics"].as_array().unwrap().is_empty());

    // The text report says the same.
    let out = run_with_stdin(
        &["transform", "--model", arg(&model), "-"],
        input.as_bytes(),
    );
    let text = util::stdout(&out);
    assert!(
        text.contains("web — A server  (4 words, 3 unknown)"),
        "{text}"
    );
    assert!(text.contains("no word the model knows"), "{text}");
    assert!(
        text.contains("5 tokens of 2 distinct words the model does not know"),
        "{text}"
    );
}

#[test]
fn transform_errors_name_the_problem() {
    let dir = util::tempdir();
    let corpus = util::default_corpus();
    let err = run_err(&[
        "transform",
        "--model",
        arg(&dir.path().join("absent")),
        arg(&corpus),
    ]);
    assert!(err.contains("no model at"), "{err}");
    let model = util::fit_small_model(dir.path(), &[]);
    let err = run_err(&[
        "transform",
        "--model",
        arg(&model),
        arg(&corpus),
        "--json",
        "-",
        "--csv",
        "-",
    ]);
    assert!(err.contains("both write to standard output"), "{err}");
    let err = run_err(&[
        "transform",
        "--model",
        arg(&model),
        arg(&dir.path().join("missing.jsonl")),
    ]);
    assert!(err.contains("missing.jsonl"), "{err}");
}

#[test]
fn a_model_fitted_to_a_matrix_market_file_reads_only_matrices() {
    let dir = util::tempdir();
    let corpus = util::default_corpus();
    let mtx = dir.path().join("v.mtx");
    run_ok(&[
        "fit",
        arg(&corpus),
        "-k",
        "4",
        "--max-iter",
        "10",
        "-q",
        "--export-matrix",
        arg(&mtx),
    ]);
    let model = dir.path().join("m");
    run_ok(&[
        "fit",
        arg(&mtx),
        "-k",
        "4",
        "--max-iter",
        "10",
        "-q",
        "--model",
        arg(&model),
        "--doc-topics",
        arg(&dir.path().join("fitted.csv")),
    ]);
    let err = run_err(&["transform", "--model", arg(&model), arg(&corpus)]);
    assert!(err.contains("Matrix Market"), "{err}");
    let again = dir.path().join("again.csv");
    run_ok(&[
        "transform",
        "--model",
        arg(&model),
        arg(&mtx),
        "--csv",
        arg(&again),
    ]);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("fitted.csv")).unwrap(),
        std::fs::read_to_string(&again).unwrap()
    );
}
