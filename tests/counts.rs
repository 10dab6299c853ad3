//! The bag of words and the count matrix: column sums, pruning, word order, display forms.

use nmf_topics::corpus::{BagOfWords, DocumentInfo, Documents, Timestamp};
use nmf_topics::matrix::{DocFreq, MatrixError, Pruning};
use nmf_topics::{Analyzer, AnalyzerConfig, BagBuilder, CountMatrix, Document};
use proptest::prelude::*;

fn docs(texts: &[&str]) -> Vec<Document> {
    texts
        .iter()
        .enumerate()
        .map(|(i, t)| Document {
            id: format!("d{i}"),
            title: None,
            label: None,
            time: None,
            text: t.to_string(),
        })
        .collect()
}

fn bag(texts: &[&str], config: AnalyzerConfig) -> BagOfWords {
    let mut builder = BagBuilder::new(Analyzer::new(config).unwrap());
    builder.add(docs(texts));
    builder.finish()
}

fn no_pruning() -> Pruning {
    Pruning {
        min_df: DocFreq::Count(1),
        ..Pruning::default()
    }
}

/// Word → count in document `d`.
fn column(m: &CountMatrix, d: usize) -> Vec<(String, f32)> {
    let col = m.by_doc().outer_view(d).unwrap();
    col.iter()
        .map(|(w, &c)| (m.words()[w].clone(), c))
        .collect()
}

#[test]
fn column_sums_equal_token_counts_after_filtering() {
    let texts = [
        "The quick brown fox jumps over the lazy dog.",
        "A dog, a cat, and the dog toy; 42 toys!",
        "",
        "The and of: it is, but not!",
    ];
    let analyzer = Analyzer::new(AnalyzerConfig::default()).unwrap();
    let m = CountMatrix::build(&bag(&texts, AnalyzerConfig::default()), &no_pruning()).unwrap();
    let sums = m.document_tokens();
    for (d, text) in texts.iter().enumerate() {
        assert_eq!(sums[d], analyzer.terms(text).len() as f64, "document {d}");
    }
    assert_eq!(m.tokens(), sums.iter().sum::<f64>());
    assert_eq!(m.empty_documents(), 2);
    assert_eq!(m.n_documents(), 4);
    assert_eq!(
        column(&m, 0).iter().find(|(w, _)| w == "fox").unwrap().1,
        1.0
    );
    assert_eq!(
        column(&m, 1).iter().find(|(w, _)| w == "dog").unwrap().1,
        2.0
    );
}

#[test]
fn words_are_ordered_by_frequency_then_bytes_and_csr_equals_csc() {
    let texts = ["b b b a a c", "c c a", "d"];
    let m = CountMatrix::build(
        &bag(
            &texts,
            AnalyzerConfig {
                min_chars: 1,
                ..AnalyzerConfig::default()
            },
        ),
        &no_pruning(),
    );
    // "a" is a stopword; counts: b 3, c 3, d 1.
    let m = m.unwrap();
    assert_eq!(m.words(), ["b", "c", "d"]);
    assert_eq!(m.by_word().to_other_storage(), *m.by_doc());
    assert_eq!(m.nnz(), 4);
}

/// Words with document frequencies 1..=6 in 6 documents, and total counts that put
/// them in the opposite order: w1 (df 1) is the most frequent.
fn graded_corpus() -> Vec<String> {
    let words = ["wone", "wtwo", "wthree", "wfour", "wfive", "wsix"];
    (0..6)
        .map(|d| {
            let mut text = String::new();
            for (i, w) in words.iter().enumerate() {
                let df = i + 1;
                if d < df {
                    let reps = 20 / df;
                    text.push_str(&format!("{w} ").repeat(reps));
                }
            }
            text
        })
        .collect()
}

fn graded(pruning: Pruning) -> Result<Vec<String>, MatrixError> {
    let texts = graded_corpus();
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    CountMatrix::build(&bag(&refs, AnalyzerConfig::default()), &pruning).map(|m| m.words().to_vec())
}

#[test]
fn min_df_and_max_df_count_documents_or_proportions() {
    let p = |min: &str, max: &str| Pruning {
        min_df: min.parse().unwrap(),
        max_df: max.parse().unwrap(),
        ..Pruning::default()
    };
    // Totals: wone 20, wtwo 20, wthree 18, wfour 20, wfive 20, wsix 18.
    assert_eq!(graded(p("1", "1.0")).unwrap().len(), 6);
    assert_eq!(
        graded(p("3", "1.0")).unwrap(),
        ["wfive", "wfour", "wsix", "wthree"]
    );
    assert_eq!(graded(p("1", "2")).unwrap(), ["wone", "wtwo"]);
    // 0.5 of 6 documents = 3: df ≥ 3 kept by min_df, df ≤ 3 by max_df.
    assert_eq!(
        graded(p("0.5", "1.0")).unwrap(),
        ["wfive", "wfour", "wsix", "wthree"]
    );
    assert_eq!(graded(p("1", "0.5")).unwrap(), ["wone", "wtwo", "wthree"]);
    assert_eq!(graded(p("3", "0.5")).unwrap(), ["wthree"]);
}

#[test]
fn drop_top_then_max_words_follow_total_counts() {
    let base = Pruning {
        min_df: DocFreq::Count(1),
        ..Pruning::default()
    };
    let all = graded(base.clone()).unwrap();
    assert_eq!(all, ["wfive", "wfour", "wone", "wtwo", "wsix", "wthree"]);
    let dropped = graded(Pruning {
        drop_top: 2,
        ..base.clone()
    })
    .unwrap();
    assert_eq!(dropped, all[2..]);
    let capped = graded(Pruning {
        max_words: Some(3),
        ..base.clone()
    })
    .unwrap();
    assert_eq!(capped, all[..3]);
    let both = graded(Pruning {
        drop_top: 1,
        max_words: Some(2),
        ..base.clone()
    })
    .unwrap();
    assert_eq!(both, all[1..3]);
    assert!(matches!(
        graded(Pruning {
            drop_top: 6,
            ..base
        }),
        Err(MatrixError::Empty { .. })
    ));
}

#[test]
fn crossed_or_empty_settings_are_errors() {
    let crossed = Pruning {
        min_df: DocFreq::Count(5),
        max_df: DocFreq::Count(2),
        ..Pruning::default()
    };
    assert!(crossed.check().is_err());
    assert!(matches!(graded(crossed), Err(MatrixError::Settings(_))));
    // Of different kinds, only the corpus size tells: 4 documents > 0.5 × 6.
    let resolved = Pruning {
        min_df: DocFreq::Count(4),
        max_df: DocFreq::Fraction(0.5),
        ..Pruning::default()
    };
    assert!(resolved.check().is_ok());
    assert!(matches!(graded(resolved), Err(MatrixError::Crossed { .. })));
    assert!("1.5".parse::<DocFreq>().is_err());
    assert!("-1".parse::<DocFreq>().is_err());
    assert!("x".parse::<DocFreq>().is_err());
    assert_eq!("0.25".parse::<DocFreq>().unwrap(), DocFreq::Fraction(0.25));
    assert_eq!("7".parse::<DocFreq>().unwrap(), DocFreq::Count(7));
    let stop_only = bag(&["the and of", "it is"], AnalyzerConfig::default());
    assert_eq!(
        CountMatrix::build(&stop_only, &no_pruning()).unwrap_err(),
        MatrixError::NoWords { documents: 2 },
        "no word at all is not blamed on pruning"
    );
    let nothing = bag(&[], AnalyzerConfig::default());
    assert_eq!(
        CountMatrix::build(&nothing, &no_pruning()).unwrap_err(),
        MatrixError::NoDocuments
    );
}

#[test]
fn stems_are_shown_as_their_most_frequent_word() {
    let config = AnalyzerConfig {
        stem: true,
        ..AnalyzerConfig::default()
    };
    let texts = [
        "companies company company",
        "running runs runs",
        "company runs",
    ];
    let m = CountMatrix::build(&bag(&texts, config), &no_pruning()).unwrap();
    let pairs: Vec<(String, String)> = m
        .terms()
        .iter()
        .cloned()
        .zip(m.words().iter().cloned())
        .collect();
    assert!(
        pairs.contains(&("compani".into(), "company".into())),
        "{pairs:?}"
    );
    assert!(pairs.contains(&("run".into(), "runs".into())), "{pairs:?}");
}

#[test]
fn the_result_does_not_depend_on_batches_or_threads() {
    let texts: Vec<String> = (0..500)
        .map(|i| {
            format!(
                "alpha{} beta{} gamma{} shared words here",
                i % 7,
                i % 11,
                i % 13
            )
        })
        .collect();
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let whole = CountMatrix::build(&bag(&refs, AnalyzerConfig::default()), &no_pruning()).unwrap();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let pieces = pool.install(|| {
        let mut builder = BagBuilder::new(Analyzer::new(AnalyzerConfig::default()).unwrap());
        for chunk in docs(&refs).chunks(37) {
            builder.add(chunk.to_vec());
        }
        CountMatrix::build(&builder.finish(), &no_pruning()).unwrap()
    });
    assert_eq!(whole.words(), pieces.words());
    assert_eq!(whole.by_doc(), pieces.by_doc());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn counts_match_tokens_and_the_vocabulary_is_sorted_and_unique(
        corpus in prop::collection::vec(prop::collection::vec(0usize..40, 0..30), 1..25),
        min_df in 1u64..3,
    ) {
        let texts: Vec<String> = corpus
            .iter()
            .map(|doc| doc.iter().map(|&w| format!("word{w}")).collect::<Vec<_>>().join(" "))
            .collect();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let pruning = Pruning { min_df: DocFreq::Count(min_df), ..Pruning::default() };
        match CountMatrix::build(&bag(&refs, AnalyzerConfig::default()), &pruning) {
            Ok(m) => {
                let kept: std::collections::HashSet<&str> = m.words().iter().map(String::as_str).collect();
                prop_assert_eq!(kept.len(), m.n_words());
                for (d, doc) in corpus.iter().enumerate() {
                    let expected = doc.iter().filter(|&&w| kept.contains(format!("word{w}").as_str())).count();
                    prop_assert_eq!(m.document_tokens()[d], expected as f64);
                }
                let totals: Vec<f64> = (0..m.n_words())
                    .map(|w| m.by_word().outer_view(w).unwrap().data().iter().map(|&c| c as f64).sum())
                    .collect();
                for w in 1..m.n_words() {
                    let ordered = totals[w - 1] > totals[w]
                        || (totals[w - 1] == totals[w] && m.terms()[w - 1] < m.terms()[w]);
                    prop_assert!(ordered, "words {} and {} out of order", w - 1, w);
                }
            }
            Err(MatrixError::Empty { .. } | MatrixError::Crossed { .. } | MatrixError::NoWords { .. }) => {}
            Err(e) => prop_assert!(false, "{}", e),
        }
    }
}

#[test]
fn counting_from_a_bag_given_up_equals_counting_from_a_borrowed_one() {
    let texts = [
        "The quick brown fox jumps over the lazy dog.",
        "A dog, a cat, and the dog toy; 42 toys!",
        "",
        "Foxes and dogs and cats: the lazy ones sleep.",
    ];
    let bag = bag(&texts, AnalyzerConfig::default());
    let pruning = Pruning {
        min_df: DocFreq::Count(2),
        ..no_pruning()
    };
    let built = CountMatrix::build(&bag, &pruning).unwrap();
    let moved = CountMatrix::from_bag(bag, &pruning).unwrap();
    assert_eq!(built.by_doc(), moved.by_doc());
    assert_eq!(built.by_word(), moved.by_word());
    assert_eq!(built.terms(), moved.terms());
    assert_eq!(built.words(), moved.words());
    assert_eq!(built.documents(), moved.documents());
    assert_eq!(built.tokens(), moved.tokens());
    assert!(built.n_words() >= 2);
}

#[test]
fn the_document_table_gives_back_what_was_pushed_and_serialises_as_a_list() {
    let time = |t: &str| Some(Timestamp::parse(t).unwrap());
    let infos = vec![
        DocumentInfo {
            id: "a".into(),
            title: Some("First".into()),
            label: Some("net".into()),
            time: None,
        },
        // An empty title is not a missing one; the first time comes after a document without.
        DocumentInfo {
            id: "b".into(),
            title: Some(String::new()),
            label: None,
            time: time("2024-03-05T14:30:00+01:00"),
        },
        DocumentInfo {
            id: String::new(),
            title: None,
            label: Some("net".into()),
            time: None,
        },
        DocumentInfo {
            id: "d\u{e9}j\u{e0}".into(),
            title: None,
            label: Some("web".into()),
            time: time("1999"),
        },
    ];
    let table: Documents = infos.iter().cloned().collect();
    assert_eq!(table.len(), 4);
    let back: Vec<DocumentInfo> = table.iter().map(|d| d.to_info()).collect();
    assert_eq!(back, infos);
    assert_eq!(table.get(4), None);
    assert_eq!(
        table.labels().collect::<Vec<_>>(),
        [Some("net"), None, Some("net"), Some("web")]
    );
    // The same JSON as the list of infos, and read back from it.
    let json = serde_json::to_string(&table).unwrap();
    assert_eq!(json, serde_json::to_string(&infos).unwrap());
    let read: Documents = serde_json::from_str(&json).unwrap();
    assert_eq!(read, table);
    assert!(serde_json::from_str::<Documents>(r#"[{"title": "no id"}]"#).is_err());
    // Times are written in UTC, to the second.
    assert!(json.contains(r#""time":"2024-03-05T13:30:00Z""#), "{json}");
    assert!(json.contains(r#""time":"1999-01-01T00:00:00Z""#), "{json}");
    assert!(table.has_times() && table.has_labels());
    assert_eq!(table.time(0), None);
    let no_times: Documents = infos[..1].iter().cloned().collect();
    assert!(!no_times.has_times());
}
