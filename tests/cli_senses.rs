//! `nmf-topics senses`: a word planted in two topics is found in both, and each document goes
//! to the right one.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use crate::util::{self, arg, run_err, run_ok, TestRng};

const METALS: [&str; 10] = [
    "iron", "copper", "zinc", "tin", "ore", "alloy", "smelter", "mine", "nickel", "steel",
];
const LEADERSHIP: [&str; 10] = [
    "team", "manager", "leader", "vision", "strategy", "coach", "mentor", "board", "staff", "goals",
];
const GARDEN: [&str; 10] = [
    "rose", "tulip", "soil", "seed", "compost", "shovel", "hedge", "orchard", "bloom", "weed",
];

/// 150 documents, 50 a theme; "lead" is in a third of the metal and leadership documents.
/// Returns the corpus and, for each document containing "lead", its theme.
fn planted_corpus(dir: &Path) -> (std::path::PathBuf, BTreeMap<String, &'static str>) {
    let mut rng = TestRng::new(42);
    let mut lines = String::new();
    let mut planted = BTreeMap::new();
    for i in 0..150 {
        let (theme, words) = match i % 3 {
            0 => ("metals", METALS),
            1 => ("leadership", LEADERSHIP),
            _ => ("garden", GARDEN),
        };
        let mut text: Vec<&str> = (0..14)
            .map(|_| words[(rng.next_u64() % 10) as usize])
            .collect();
        let id = format!("{theme}-{i:03}");
        if theme != "garden" && i % 2 == 0 {
            text.push("lead");
            text.push("lead");
            planted.insert(id.clone(), theme);
        }
        lines.push_str(&format!(
            "{{\"id\": \"{id}\", \"title\": \"On {theme} <{i}>\", \"text\": \"{}\"}}\n",
            text.join(" ")
        ));
    }
    let path = dir.join("planted.jsonl");
    std::fs::write(&path, lines).unwrap();
    (path, planted)
}

#[test]
fn a_word_planted_in_two_topics_has_both_senses_and_each_document_the_right_one() {
    let dir = util::tempdir();
    let (corpus, planted) = planted_corpus(dir.path());
    let model = dir.path().join("m");
    run_ok(&[
        "fit",
        arg(&corpus),
        "-k",
        "3",
        "--max-iter",
        "300",
        "--seed",
        "1",
        "-q",
        "--model",
        arg(&model),
    ]);
    let out = run_ok(&[
        "senses",
        "Lead",
        "--model",
        arg(&model),
        "--documents",
        "1000",
        "--json",
        "-",
    ]);
    let senses: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(senses["format"], "nmf-topics/senses");
    assert_eq!(senses["word"], "lead");
    assert_eq!(senses["documents"].as_u64(), Some(planted.len() as u64));
    let list = senses["senses"].as_array().unwrap();
    assert_eq!(list.len(), 2, "{senses:#}");
    let mut seen = BTreeMap::new();
    let mut themes = Vec::new();
    for sense in list {
        let others: Vec<&str> = sense["other_words"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w.as_str().unwrap())
            .collect();
        let theme = if others.iter().all(|w| METALS.contains(w)) {
            "metals"
        } else if others.iter().all(|w| LEADERSHIP.contains(w)) {
            "leadership"
        } else {
            panic!("a sense mixes themes: {others:?}")
        };
        themes.push(theme);
        let p = sense["p_topic_given_word"].as_f64().unwrap();
        assert!((0.3..=0.7).contains(&p), "p(k|lead) = {p}");
        assert!(sense["p_word_given_topic"].as_f64().unwrap() > 0.05);
        let docs = sense["top_documents"].as_array().unwrap();
        assert_eq!(sense["dominant_in"].as_u64(), Some(docs.len() as u64));
        for d in docs {
            let id = d["id"].as_str().unwrap().to_owned();
            assert!(d["title"].as_str().unwrap().starts_with("On "));
            assert!(d["share"].as_f64().unwrap() > 0.9, "{d}");
            assert_eq!(d["count"].as_f64(), Some(2.0));
            seen.insert(id, theme);
        }
    }
    themes.sort();
    assert_eq!(themes, ["leadership", "metals"]);
    assert_eq!(
        seen, planted,
        "every document with 'lead', to its own theme"
    );

    // The terminal report shows the same, titles included.
    let text = util::stdout(&run_ok(&["senses", "lead", "--model", arg(&model)]));
    assert!(text.starts_with("\"lead\": "), "{text}");
    assert!(text.contains("2 senses"), "{text}");
    assert!(text.contains("— On metals <"), "{text}");
    assert!(text.contains("— On leadership <"), "{text}");
    assert_eq!(text.matches("dominates in").count(), 2);
}

#[test]
fn senses_explains_words_it_cannot_show() {
    let dir = util::tempdir();
    let (corpus, _) = planted_corpus(dir.path());
    let model = dir.path().join("m");
    run_ok(&[
        "fit",
        arg(&corpus),
        "-k",
        "3",
        "--max-iter",
        "20",
        "-q",
        "--model",
        arg(&model),
    ]);
    let err = run_err(&["senses", "leed", "--model", arg(&model)]);
    assert!(err.contains("not in the model's vocabulary"), "{err}");
    assert!(err.contains("close words: lead"), "{err}");
    let err = run_err(&["senses", "The", "--model", arg(&model)]);
    assert!(err.contains("stopword"), "{err}");
    let err = run_err(&["senses", "iron ore", "--model", arg(&model)]);
    assert!(err.contains("give one word"), "{err}");
    let err = run_err(&["senses", "iron.ore", "--model", arg(&model)]);
    assert!(err.contains("give one word"), "{err}");
    let err = run_err(&["senses", "e.g.", "--model", arg(&model)]);
    assert!(err.contains("splits it at its full stops"), "{err}");
    let err = run_err(&["senses", "lead", "--model", arg(&model), "--min-share", "2"]);
    assert!(err.contains("between 0 and 1"), "{err}");
    let err = run_err(&["senses", "lead", "--model", arg(&dir.path().join("x"))]);
    assert!(err.contains("no model at"), "{err}");
}
