//! Phrases and n-grams: detection against counts worked by hand, joining, the store, transform,
//! senses and search, through the library and the built binary.

use std::collections::BTreeMap;
use std::path::Path;

use nmf_topics::corpus::{
    count_documents, count_phrased, CorpusStore, Document, DocumentReader, Input, PhraseConfig,
    PhraseList, PhraseScoring, Phrasing, ReadOptions,
};
use nmf_topics::text::{Analyzer, AnalyzerConfig};
use nmf_topics::{BagOfWords, CountMatrix, Pruning};

use crate::readers::write;
use crate::util::{self, arg, default_corpus, run_ok, stdout};

/// alpha 3, beta 3, gamma 4, delta 2 tokens (T = 12); pairs next to each other: alpha beta 3,
/// beta alpha 1, beta gamma 1, gamma delta 2, delta gamma 1 (the comma keeps beta and gamma
/// of the second document apart); 4 words + 5 pairs, N = 9.
const CORPUS: &str = "{\"text\": \"alpha beta alpha beta gamma\"}
{\"text\": \"alpha beta, gamma delta\"}
{\"text\": \"gamma delta gamma\"}
";

fn detect(dir: &Path, config: PhraseConfig) -> BagOfWords {
    let file = write(dir, "c.jsonl", CORPUS);
    let reader = DocumentReader::new(vec![Input::Path(file)], ReadOptions::default()).unwrap();
    let analyzer = Analyzer::new(AnalyzerConfig::default()).unwrap();
    count_phrased(reader, analyzer, &Phrasing::Detect(config), || {})
        .unwrap()
        .0
}

fn pairs(bag: &BagOfWords) -> Vec<(&str, &str)> {
    bag.phrases()
        .unwrap()
        .pairs()
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect()
}

/// Document `d`'s counts by the word shown.
fn counts(bag: &BagOfWords, d: usize) -> BTreeMap<&str, f32> {
    bag.document(d)
        .iter()
        .map(|&(t, c)| (bag.display()[t as usize].as_str(), c))
        .collect()
}

#[test]
fn default_scores_are_gensims_worked_by_hand() {
    let dir = util::tempdir();
    let config = |threshold| PhraseConfig {
        min_count: 1,
        threshold,
        scoring: PhraseScoring::Default,
    };
    // alpha beta: (3 − 1)·9 / (3·3) = 2; gamma delta: (2 − 1)·9 / (4·2) = 1.125; the other
    // pairs, seen once: 0.
    let bag = detect(dir.path(), config(1.0));
    assert_eq!(pairs(&bag), [("alpha", "beta"), ("gamma", "delta")]);
    assert_eq!(pairs(&detect(dir.path(), config(1.124))).len(), 2);
    assert_eq!(
        pairs(&detect(dir.path(), config(1.126))),
        [("alpha", "beta")]
    );
    assert_eq!(
        pairs(&detect(dir.path(), config(1.999))),
        [("alpha", "beta")]
    );
    assert!(
        pairs(&detect(dir.path(), config(2.0))).is_empty(),
        "above, not at"
    );

    // Joined left to right: a word counts outside its phrases only.
    let c = |d| counts(&bag, d);
    assert_eq!(c(0), BTreeMap::from([("alpha beta", 2.0), ("gamma", 1.0)]));
    assert_eq!(
        c(1),
        BTreeMap::from([("alpha beta", 1.0), ("gamma delta", 1.0)])
    );
    assert_eq!(c(2), BTreeMap::from([("gamma delta", 1.0), ("gamma", 1.0)]));
    // alpha, beta and delta are never left alone: they are no terms.
    let mut terms = bag.terms().to_vec();
    terms.sort();
    assert_eq!(terms, ["alpha beta", "gamma", "gamma delta"]);
}

#[test]
fn npmi_scores_worked_by_hand() {
    let dir = util::tempdir();
    let config = |min_count, threshold| PhraseConfig {
        min_count,
        threshold,
        scoring: PhraseScoring::Npmi,
    };
    // NPMI = ln(p(ab) / (p(a)·p(b))) / −ln p(ab): alpha beta ln 4 / ln 4 = 1; gamma delta
    // ln 3 / ln 6 = 0.613; delta gamma ln 1.5 / ln 12 = 0.163; beta alpha ln(4/3) / ln 12 =
    // 0.116; beta gamma 0.
    assert_eq!(
        pairs(&detect(dir.path(), config(1, 0.6))),
        [("alpha", "beta"), ("gamma", "delta")]
    );
    assert_eq!(
        pairs(&detect(dir.path(), config(1, 0.62))),
        [("alpha", "beta")]
    );
    assert_eq!(
        pairs(&detect(dir.path(), config(1, 0.1))),
        [
            ("alpha", "beta"),
            ("beta", "alpha"),
            ("delta", "gamma"),
            ("gamma", "delta")
        ]
    );
    // min_count 2 leaves the pairs seen once out, whatever their score.
    assert_eq!(
        pairs(&detect(dir.path(), config(2, 0.1))),
        [("alpha", "beta"), ("gamma", "delta")]
    );
}

#[test]
fn overlapping_phrases_join_from_the_left_and_new_documents_the_same_way() {
    let analyzer = Analyzer::new(AnalyzerConfig::default()).unwrap();
    let list = PhraseList::new(vec![
        ("web".into(), "server".into()),
        ("server".into(), "side".into()),
    ]);
    let doc = |text: &str| Document {
        id: "1".into(),
        title: None,
        label: None,
        time: None,
        text: text.into(),
    };
    let bag = count_documents(
        analyzer.clone(),
        Some(&list),
        vec![doc("web server side"), doc("server side. Web, server")],
    );
    assert_eq!(
        counts(&bag, 0),
        BTreeMap::from([("web server", 1.0), ("side", 1.0)])
    );
    assert_eq!(
        counts(&bag, 1),
        BTreeMap::from([("server side", 1.0), ("web", 1.0), ("server", 1.0)])
    );
    // The joiner of snippets and look-ups gives the same terms.
    let mut terms = Vec::new();
    list.joiner()
        .for_each_term(&analyzer, "web server side", |t, _, span| {
            terms.push((t.to_owned(), span))
        });
    assert_eq!(
        terms,
        [
            ("web server".to_owned(), 0..10),
            ("side".to_owned(), 11..15)
        ]
    );
}

#[test]
fn stemmed_phrases_show_their_most_frequent_words() {
    let dir = util::tempdir();
    let file = write(
        dir.path(),
        "s.jsonl",
        "{\"text\": \"header files; header files; header file; header files\"}\n{\"text\": \"running servers\"}\n",
    );
    let reader = DocumentReader::new(vec![Input::Path(file)], ReadOptions::default()).unwrap();
    let analyzer = Analyzer::new(AnalyzerConfig {
        stem: true,
        ..AnalyzerConfig::default()
    })
    .unwrap();
    let config = PhraseConfig {
        min_count: 2,
        threshold: 0.0,
        scoring: PhraseScoring::Default,
    };
    let (bag, _) = count_phrased(reader, analyzer, &Phrasing::Detect(config), || {}).unwrap();
    assert_eq!(pairs(&bag), [("header", "file")]);
    assert_eq!(counts(&bag, 0), BTreeMap::from([("header files", 4.0)]));
}

/// A matrix as plain data: terms, words, and each document's counts by row.
type Plain = (Vec<String>, Vec<String>, Vec<Vec<(u32, f32)>>);

/// The matrix of `bag`, every term kept.
fn matrix_of(bag: &BagOfWords) -> Plain {
    let pruning = Pruning {
        min_df: "1".parse().unwrap(),
        ..Pruning::default()
    };
    let m = CountMatrix::build(bag, &pruning).unwrap();
    let columns = m
        .by_doc()
        .outer_iterator()
        .map(|c| c.iter().map(|(w, &x)| (w as u32, x)).collect())
        .collect();
    (m.terms().to_vec(), m.words().to_vec(), columns)
}

#[test]
fn a_store_with_phrases_gives_the_bag_of_its_files() {
    for stem in [false, true] {
        let dir = util::tempdir();
        let corpus = default_corpus();
        let analyzer = AnalyzerConfig {
            stem,
            ..AnalyzerConfig::default()
        };
        let config = PhraseConfig::default();
        let mut store =
            CorpusStore::open_or_create_with(&dir.path().join("s"), &analyzer, Some(&config))
                .unwrap();
        let mut writer = store.writer(2).unwrap();
        let reader =
            DocumentReader::new(vec![Input::Path(corpus.clone())], ReadOptions::default()).unwrap();
        for (i, doc) in reader.enumerate() {
            writer.add(doc.unwrap()).unwrap();
            if i == 1999 {
                writer.commit().unwrap(); // more than one segment
            }
        }
        writer.finish().unwrap();
        let store = CorpusStore::open(&dir.path().join("s")).unwrap();
        let from_store = store.bag().unwrap();

        let reader =
            DocumentReader::new(vec![Input::Path(corpus)], ReadOptions::default()).unwrap();
        let (from_files, _) = count_phrased(
            reader,
            Analyzer::new(analyzer.clone()).unwrap(),
            &Phrasing::Detect(config),
            || {},
        )
        .unwrap();
        assert_eq!(from_store.phrases(), from_files.phrases(), "stem {stem}");
        assert!(from_files.phrases().unwrap().len() > 100);
        assert!(
            matrix_of(&from_store) == matrix_of(&from_files),
            "stem {stem}"
        );
        assert!(from_files.display().iter().any(|w| w == "command line"));

        // Other phrase settings are refused, and so is a store without phrases.
        let other = PhraseConfig {
            threshold: 20.0,
            ..config
        };
        let err = store.check_settings(&analyzer, Some(&other)).unwrap_err();
        assert!(
            err.to_string()
                .contains("--phrase-threshold: 10 in the store, 20 asked for"),
            "{err}"
        );
        let err = store.check_settings(&analyzer, None).unwrap_err();
        assert!(
            err.to_string()
                .contains("--phrases: on in the store, off asked for"),
            "{err}"
        );
    }
}

/// `fit` of the shipped corpus, small, with `extra`; its JSON report.
fn fit_json(extra: &[&str]) -> serde_json::Value {
    let corpus = default_corpus();
    let mut args = vec![
        "fit",
        "-k",
        "6",
        "--max-iter",
        "30",
        "--quiet",
        "--json",
        "-",
    ];
    if !extra.contains(&"--index") {
        args.push(arg(&corpus));
    }
    args.extend_from_slice(extra);
    serde_json::from_slice(&run_ok(&args).stdout).unwrap()
}

#[test]
fn fit_with_phrases_shows_them_readably_and_the_store_agrees() {
    let report = fit_json(&["--phrases"]);
    let words: Vec<&str> = report["topics"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| t["words"].as_array().unwrap())
        .map(|w| w["word"].as_str().unwrap())
        .collect();
    assert!(words.iter().any(|w| w.contains(' ')), "{words:?}");
    assert!(words.iter().all(|w| !w.contains('_')), "{words:?}");
    assert_eq!(report["parameters"]["phrases"]["threshold"], 10.0);
    let found = report["corpus"]["phrases_found"].as_u64().unwrap();
    let kept = report["corpus"]["multiword_terms"].as_u64().unwrap();
    assert!(found >= kept && kept > 100, "{found} {kept}");

    let dir = util::tempdir();
    let store = dir.path().join("store");
    let corpus = default_corpus();
    run_ok(&[
        "index",
        arg(&corpus),
        "--index",
        arg(&store),
        "--phrases",
        "--quiet",
    ]);
    let from_store = fit_json(&["--index", arg(&store)]);
    assert_eq!(report["topics"], from_store["topics"]);
    let err = util::run_err(&[
        "fit",
        "--index",
        arg(&store),
        "--quiet",
        "--phrases",
        "--phrase-min-count",
        "9",
    ]);
    assert!(
        err.contains("--phrase-min-count: 5 in the store, 9 asked for"),
        "{err}"
    );

    // A quoted phrase needs positions, which a store with phrases keeps.
    let out = run_ok(&[
        "search",
        "--index",
        arg(&store),
        "\"command line\" parser",
        "--json",
        "-",
    ]);
    let hits: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(hits["total"].as_u64().unwrap() > 0, "{hits}");
    let out = run_ok(&[
        "search",
        "--index",
        arg(&store),
        "command line parser",
        "--json",
        "-",
    ]);
    let words: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        words["total"].as_u64().unwrap() > hits["total"].as_u64().unwrap(),
        "the words apart match more documents than the phrase: {words} {hits}"
    );
}

#[test]
fn transform_with_phrases_gives_back_the_fitted_weights() {
    let dir = util::tempdir();
    let model = util::fit_small_model(
        dir.path(),
        &[
            "--phrases",
            "--doc-topics",
            arg(&dir.path().join("fit.csv")),
        ],
    );
    let corpus = default_corpus();
    let out = dir.path().join("transform.csv");
    run_ok(&[
        "transform",
        "--model",
        arg(&model),
        arg(&corpus),
        "--csv",
        arg(&out),
        "--quiet",
    ]);
    let fitted = std::fs::read_to_string(dir.path().join("fit.csv")).unwrap();
    let transformed = std::fs::read_to_string(&out).unwrap();
    assert!(
        fitted == transformed,
        "transform's weights differ from fit's"
    );

    // The phrase list is in the model; senses finds a phrase and lists a word's phrases.
    let meta: serde_json::Value =
        serde_json::from_slice(&std::fs::read(model.join("model.json")).unwrap()).unwrap();
    assert!(meta["phrases"].as_array().unwrap().len() > 100);
    let out = run_ok(&[
        "senses",
        "command line",
        "--model",
        arg(&model),
        "--json",
        "-",
    ]);
    let senses: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(senses["word"], "command line");
    let out = run_ok(&["senses", "command", "--model", arg(&model)]);
    assert!(
        stdout(&out).contains("in phrases: command line ("),
        "{}",
        stdout(&out)
    );
}

#[test]
fn ngrams_count_bigrams_in_fit_and_in_the_store() {
    let report = fit_json(&["--ngrams", "1..2"]);
    assert!(report["corpus"]["multiword_terms"].as_u64().unwrap() > 100);
    assert_eq!(report["parameters"]["analyzer"]["ngrams"]["max"], 2);
    let dir = util::tempdir();
    let store = dir.path().join("store");
    let corpus = default_corpus();
    run_ok(&[
        "index",
        arg(&corpus),
        "--index",
        arg(&store),
        "--ngrams",
        "1..2",
        "--quiet",
    ]);
    assert_eq!(
        report["topics"],
        fit_json(&["--index", arg(&store)])["topics"]
    );
    // A quoted phrase is its bigram: fewer documents than its words apart, and excluding it
    // leaves the others.
    let total = |query: &str| {
        let out = run_ok(&["search", "--index", arg(&store), query, "--json", "-"]);
        let hits: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        hits["total"].as_u64().unwrap()
    };
    let (phrase, words) = (total("\"command line\""), total("command line"));
    assert!(phrase > 0 && phrase < words, "{phrase} {words}");
    assert_eq!(total("command line -\"command line\""), words - phrase);
    let err = util::run_err(&["fit", "--index", arg(&store), "--quiet", "--ngrams", "1..3"]);
    assert!(
        err.contains("--ngrams: 1..2 in the store, 1..3 asked for"),
        "{err}"
    );
    let err = util::run_err(&["fit", arg(&corpus), "--ngrams", "1..2", "--phrases"]);
    assert!(err.contains("do not go together"), "{err}");
    let err = util::run_err(&["fit", arg(&corpus), "--ngrams", "3..2"]);
    assert!(err.contains("1 <= A <= B"), "{err}");
}
