//! The analyzer, table-driven from tests/data/tokenizer.tsv, and through tantivy's trait.

use nmf_topics::text::{Analyzer, AnalyzerConfig, AnalyzerTokenizer, Language};
use tantivy::tokenizer::{TokenStream, Tokenizer};

/// `\u{301}`-style escapes in the table, so invisible characters stay readable.
fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(at) = rest.find("\\u{") {
        out.push_str(&rest[..at]);
        let end = rest[at..].find('}').expect("closed escape") + at;
        let code = u32::from_str_radix(&rest[at + 3..end], 16).expect("hex escape");
        out.push(char::from_u32(code).expect("a character"));
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

fn config(options: &str) -> AnalyzerConfig {
    let mut config = AnalyzerConfig::default();
    for option in options.split(',').filter(|o| *o != "-") {
        match option.split_once('=') {
            None if option == "stem" => config.stem = true,
            None if option == "nostop" => config.stopwords = false,
            None if option == "keep" => config.cut_clitics = false,
            None if option == "keepdot" => config.split_dotted = false,
            Some(("lang", l)) => config.language = l.parse().unwrap(),
            Some(("min", n)) => config.min_chars = n.parse().unwrap(),
            Some(("max", n)) => config.max_chars = n.parse().unwrap(),
            Some(("stop", w)) => config.extra_stopwords.push(w.to_owned()),
            Some(("ngrams", n)) => config.ngrams = n.parse().unwrap(),
            _ => panic!("unknown option {option}"),
        }
    }
    config
}

#[test]
fn table_of_cases() {
    let table = include_str!("data/tokenizer.tsv");
    let mut failures = Vec::new();
    let mut cases = 0;
    for (n, line) in table.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        assert_eq!(
            fields.len(),
            3,
            "line {} needs 3 tab-separated fields",
            n + 1
        );
        let analyzer = Analyzer::new(config(fields[0])).unwrap();
        let got = analyzer
            .terms(&unescape(fields[1]))
            .iter()
            .map(|t| t.replace(' ', "_"))
            .collect::<Vec<_>>()
            .join(" ");
        if got != fields[2] {
            failures.push(format!(
                "line {}: {:?}\n  expected: {}\n       got: {}",
                n + 1,
                fields[1],
                fields[2],
                got
            ));
        }
        cases += 1;
    }
    assert!(cases >= 25, "the table should hold the cases");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_language_loads_and_those_with_lists_drop_stopwords() {
    for &language in Language::ALL {
        let config = AnalyzerConfig {
            language,
            stem: true,
            ..AnalyzerConfig::default()
        };
        let analyzer = Analyzer::new(config).unwrap();
        if let Some(list) = language.stopword_list() {
            let first = list.lines().find(|w| w.chars().count() >= 2).unwrap();
            assert!(analyzer.is_stopword(first), "{language}: {first}");
            assert!(analyzer.terms(first).is_empty(), "{language}: {first}");
        }
        assert_eq!(language.name().parse::<Language>().unwrap(), language);
    }
    assert!("klingon"
        .parse::<Language>()
        .unwrap_err()
        .contains("english"));
}

#[test]
fn every_entry_of_every_list_is_dropped_from_text() {
    for &language in Language::ALL {
        let Some(list) = language.stopword_list() else {
            continue;
        };
        let analyzer = Analyzer::new(AnalyzerConfig {
            language,
            ..AnalyzerConfig::default()
        })
        .unwrap();
        for entry in list.lines() {
            // Hungarian "ill." and Romanian "s-ar" are cut in pieces by the tokeniser.
            assert_eq!(
                analyzer.terms(entry),
                Vec::<String>::new(),
                "{language}: {entry}"
            );
        }
    }
}

#[test]
fn stopword_lists_are_sorted_lowercase_and_unique() {
    for &language in Language::ALL {
        let Some(list) = language.stopword_list() else {
            continue;
        };
        let words: Vec<&str> = list.lines().collect();
        assert!(words.len() > 50, "{language} has {} words", words.len());
        for pair in words.windows(2) {
            assert!(
                pair[0] < pair[1],
                "{language}: {pair:?} not sorted and unique"
            );
        }
        for w in &words {
            assert_eq!(*w, w.to_lowercase(), "{language}: {w}");
        }
    }
    let english = Language::English.stopword_list().unwrap();
    assert!(english.lines().any(|w| w == "don't"));
    assert_eq!(english.lines().count(), 174);
}

#[test]
fn bad_lengths_are_refused() {
    for (min, max) in [(0, 40), (5, 4)] {
        let config = AnalyzerConfig {
            min_chars: min,
            max_chars: max,
            ..AnalyzerConfig::default()
        };
        assert!(Analyzer::new(config).is_err(), "{min}..{max}");
    }
}

#[test]
fn spans_point_at_the_words_and_surfaces_are_lower_case() {
    let analyzer = Analyzer::new(AnalyzerConfig {
        stem: true,
        ..AnalyzerConfig::default()
    })
    .unwrap();
    let text = "The Companies’ RUNNING Company’s";
    let mut seen = Vec::new();
    analyzer.for_each_term(text, |term, word, span| {
        seen.push((term.to_owned(), word.to_owned(), text[span].to_owned()))
    });
    assert_eq!(
        seen,
        vec![
            ("compani".into(), "companies".into(), "Companies".into()),
            ("run".into(), "running".into(), "RUNNING".into()),
            ("compani".into(), "company".into(), "Company".into()),
        ]
    );
    let french = Analyzer::new(AnalyzerConfig {
        language: Language::French,
        ..AnalyzerConfig::default()
    })
    .unwrap();
    let text = "L’Été d'Ève";
    let mut seen = Vec::new();
    french.for_each_term(text, |_, word, span| {
        seen.push((word.to_owned(), text[span].to_owned()))
    });
    assert_eq!(
        seen,
        vec![("été".into(), "Été".into()), ("ève".into(), "Ève".into())]
    );
}

#[test]
fn the_tantivy_tokenizer_gives_the_same_terms() {
    let analyzer = Analyzer::new(AnalyzerConfig {
        stem: true,
        ..AnalyzerConfig::default()
    })
    .unwrap();
    let text = "Topic models: running NMF on the companies' reports, twice.";
    let mut tokenizer = AnalyzerTokenizer::new(analyzer.clone());
    let mut stream = tokenizer.token_stream(text);
    let mut terms = Vec::new();
    let mut positions = Vec::new();
    while stream.advance() {
        let token = stream.token();
        terms.push(token.text.clone());
        positions.push(token.position);
        assert!(text[token.offset_from..token.offset_to]
            .chars()
            .next()
            .unwrap()
            .is_alphanumeric());
    }
    assert_eq!(terms, analyzer.terms(text));
    // A position is skipped at each boundary: the colon, the stopwords, the comma.
    assert_eq!(positions, [0, 1, 3, 4, 6, 7, 9]);

    // With n-grams, the tokens are the terms, n-grams included, one position each.
    let bigrams = Analyzer::new(AnalyzerConfig {
        ngrams: "1..2".parse().unwrap(),
        ..AnalyzerConfig::default()
    })
    .unwrap();
    let mut tokenizer = AnalyzerTokenizer::new(bigrams.clone());
    let mut stream = tokenizer.token_stream("web server logs");
    let mut terms = Vec::new();
    while stream.advance() {
        terms.push(stream.token().text.clone());
    }
    assert_eq!(terms, bigrams.terms("web server logs"));
    assert_eq!(
        terms,
        ["web", "server", "web server", "logs", "server logs"]
    );
}

#[test]
fn settings_saved_before_the_word_cuts_read_as_off() {
    let saved = r#"{"language":"english","stopwords":true,"extra_stopwords":[],"stem":false,"min_chars":2,"max_chars":40}"#;
    let config: AnalyzerConfig = serde_json::from_str(saved).unwrap();
    assert!(!config.cut_clitics && !config.split_dotted);
    let analyzer = Analyzer::new(config).unwrap();
    assert_eq!(analyzer.terms("KDE's node.js"), ["kde's", "node.js"]);
    let today = AnalyzerConfig::default();
    assert!(today.cut_clitics && today.split_dotted);
    let round_trip: AnalyzerConfig =
        serde_json::from_str(&serde_json::to_string(&today).unwrap()).unwrap();
    assert_eq!(round_trip, today);
}
