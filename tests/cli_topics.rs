//! `fit --model` and `nmf-topics topics`.

use serde_json::Value;

use crate::util::{self, arg, run_err, run_ok};

#[test]
fn topics_of_a_saved_model_is_the_report_fit_printed() {
    let dir = util::tempdir();
    let model = dir.path().join("model");
    let fitted = dir.path().join("fit.json");
    let corpus = util::default_corpus();
    let fit = run_ok(&[
        "fit",
        arg(&corpus),
        "-k",
        "6",
        "--max-iter",
        "30",
        "--stem",
        "-q",
        "--model",
        arg(&model),
        "--json",
        arg(&fitted),
    ]);
    let again = dir.path().join("topics.json");
    let topics = run_ok(&["topics", "--model", arg(&model), "--json", arg(&again)]);
    let (a, b) = (
        std::fs::read_to_string(&fitted).unwrap(),
        std::fs::read_to_string(&again).unwrap(),
    );
    assert!(a.contains("\"label\""), "{a}");
    assert_eq!(a, b, "the same JSON report, timings included");
    let text = util::stdout(&topics);
    assert!(text.contains("#6 "), "{text}");
    assert_eq!(text, util::stdout(&fit), "the same terminal report");
}

#[test]
fn relevance_ranks_specific_words_first_and_one_is_the_plain_ranking() {
    let dir = util::tempdir();
    let model = util::fit_small_model(dir.path(), &[]);
    let json = |extra: &[&str]| -> Value {
        let mut args = vec![
            "topics",
            "--model",
            arg(&model),
            "--json",
            "-",
            "--top-words",
            "15",
        ];
        args.extend_from_slice(extra);
        serde_json::from_slice(&run_ok(&args).stdout).unwrap()
    };
    let words = |report: &Value, k: usize| -> Vec<String> {
        report["topics"][k]["words"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["word"].as_str().unwrap().to_owned())
            .collect()
    };
    let plain = json(&[]);
    let one = json(&["--relevance", "1"]);
    let zero = json(&["--relevance", "0"]);
    assert!(plain.get("relevance").is_none());
    assert_eq!(one["relevance"].as_f64(), Some(1.0));
    for k in 0..6 {
        assert_eq!(words(&plain, k), words(&one, k), "topic {}", k + 1);
        // λ = 0 ranks by lift p(w|k)/p(w): rarer words than the plain ranking.
        let rel: Vec<f64> = zero["topics"][k]["words"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["relevance"].as_f64().unwrap())
            .collect();
        assert!(rel.windows(2).all(|r| r[0] >= r[1]), "{rel:?}");
        assert_ne!(words(&plain, k), words(&zero, k), "topic {}", k + 1);
    }
    // The plain top word of a topic is a frequent word; the lift's is rarer across the corpus.
    let stats: Value =
        serde_json::from_str(&std::fs::read_to_string(model.join("model.json")).unwrap()).unwrap();
    let vocabulary: Vec<&str> = stats["vocabulary"]["words"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    let rank = |w: &str| vocabulary.iter().position(|v| *v == w).unwrap();
    let mean_rank = |report: &Value| -> f64 {
        (0..6)
            .map(|k| rank(&words(report, k)[0]) as f64)
            .sum::<f64>()
            / 6.0
    };
    assert!(
        mean_rank(&zero) > 10.0 * mean_rank(&plain).max(1.0),
        "words are numbered by frequency: {} vs {}",
        mean_rank(&zero),
        mean_rank(&plain)
    );
}

#[test]
fn topics_errors_name_the_problem() {
    let dir = util::tempdir();
    let err = run_err(&["topics", "--model", arg(&dir.path().join("nope"))]);
    assert!(err.contains("no model at"), "{err}");
    let model = util::fit_small_model(dir.path(), &[]);
    for bad in ["1.5", "-0.1", "x"] {
        let err = run_err(&[
            "topics",
            "--model",
            arg(&model),
            &format!("--relevance={bad}"),
        ]);
        assert!(err.contains("between 0 and 1"), "{err}");
    }
}

#[test]
fn fit_refuses_to_overwrite_a_folder_that_is_not_a_model_before_any_work() {
    let dir = util::tempdir();
    let notes = dir.path().join("notes");
    std::fs::create_dir(&notes).unwrap();
    std::fs::write(notes.join("a.txt"), "mine").unwrap();
    let err = run_err(&[
        "fit",
        arg(&util::default_corpus()),
        "--model",
        arg(&notes),
        "-q",
    ]);
    assert!(err.contains("is not an nmf-topics model"), "{err}");
    assert_eq!(util::files_in(&notes), ["a.txt"]);
}
