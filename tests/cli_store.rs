//! `index`, `fit --index` and `search` against the built binary: the same topics as from the
//! files, a killed ingest, a held lock, bad stores.

use std::io::Write;
use std::process::Stdio;
use std::time::{Duration, Instant};

use nmf_topics::corpus::CorpusStore;

use crate::util::{arg, bin, default_corpus, run_err, run_ok, stdout, tempdir};

fn topics_of(json: &str) -> serde_json::Value {
    let report: serde_json::Value = serde_json::from_str(json).unwrap();
    report["topics"].clone()
}

#[test]
fn fit_of_a_store_equals_fit_of_its_files() {
    let dir = tempdir();
    let corpus = default_corpus();
    let store = dir.path().join("store");
    let out = run_ok(&["index", arg(&corpus), "--index", arg(&store), "--quiet"]);
    assert!(
        stdout(&out).contains("indexed 5,000 documents"),
        "{}",
        stdout(&out)
    );

    let fit = |source: &[&str], name: &str| {
        let prefix = dir.path().join(format!("{name}.mtx"));
        let mut args = vec![
            "fit",
            "-k",
            "8",
            "--max-iter",
            "40",
            "--quiet",
            "--json",
            "-",
        ];
        args.extend_from_slice(source);
        args.extend_from_slice(&["--export-matrix", arg(&prefix)]);
        let out = run_ok(&args);
        let files: Vec<Vec<u8>> = ["mtx", "vocab.txt", "docs.txt"]
            .iter()
            .map(|ext| std::fs::read(dir.path().join(format!("{name}.{ext}"))).unwrap())
            .collect();
        (topics_of(&stdout(&out)), files)
    };
    let (from_files, files) = fit(&[arg(&corpus)], "files");
    let (from_store, stored) = fit(&["--index", arg(&store)], "store");
    assert!(files == stored, "the matrices differ");
    assert_eq!(from_files, from_store);
    // Representative documents come with snippets from both sources.
    let snippet = &from_store[0]["documents"][0]["snippet"];
    assert!(
        snippet.as_str().is_some_and(|s| !s.is_empty()),
        "{from_store}"
    );
}

#[test]
fn a_killed_ingest_leaves_the_last_commit_and_a_second_writer_is_refused() {
    let dir = tempdir();
    let store = dir.path().join("store");
    let mut child = bin()
        .args([
            "index",
            "-",
            "--index",
            arg(&store),
            "--commit-every",
            "100",
            "--quiet",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    for i in 0..250 {
        writeln!(
            input,
            r#"{{"id": "d{i}", "title": "doc {i}", "text": "kernel module number {i} driver"}}"#
        )
        .unwrap();
    }
    input.flush().unwrap();
    // Wait for the second commit; the last 50 documents stay uncommitted.
    let started = Instant::now();
    let committed = loop {
        let n = CorpusStore::open(&store)
            .map(|s| s.n_documents())
            .unwrap_or(0);
        if n == 200 || started.elapsed() > Duration::from_secs(60) {
            break n;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(committed, 200);

    // The running ingest holds the store: another is refused and changes nothing.
    let err = run_err(&[
        "index",
        arg(&default_corpus()),
        "--index",
        arg(&store),
        "--quiet",
    ]);
    assert!(err.contains("another process is writing"), "{err}");

    child.kill().unwrap();
    child.wait().unwrap();
    drop(input);
    let opened = CorpusStore::open(&store).unwrap();
    assert_eq!(opened.n_documents(), 200);
    assert!(opened.document("d199").unwrap().is_some());
    assert!(opened.document("d200").unwrap().is_none());
    drop(opened);

    // The store is whole: it fits, and takes more documents.
    run_ok(&[
        "fit",
        "--index",
        arg(&store),
        "-k",
        "2",
        "--max-iter",
        "5",
        "--quiet",
    ]);
    let more = dir.path().join("more.jsonl");
    std::fs::write(
        &more,
        "{\"id\": \"d200\", \"text\": \"kernel driver again\"}\n",
    )
    .unwrap();
    run_ok(&["index", arg(&more), "--index", arg(&store), "--quiet"]);
    assert_eq!(CorpusStore::open(&store).unwrap().n_documents(), 201);
}

#[test]
fn index_deletes_and_replaces_by_id() {
    let dir = tempdir();
    let store = dir.path().join("store");
    let first = dir.path().join("first.jsonl");
    std::fs::write(
        &first,
        "{\"id\": \"a\", \"text\": \"apples and pears\"}\n{\"id\": \"b\", \"text\": \"bananas\"}\n{\"id\": \"c\", \"text\": \"cherries\"}\n",
    )
    .unwrap();
    let out = run_ok(&[
        "index",
        arg(&first),
        "--index",
        arg(&store),
        "--commit-every",
        "2",
        "--quiet",
    ]);
    // One commit after two documents, one at the end.
    assert!(
        stdout(&out).contains("3 new, 0 replaced; 2 commits"),
        "{}",
        stdout(&out)
    );
    let second = dir.path().join("second.jsonl");
    std::fs::write(&second, "{\"id\": \"b\", \"text\": \"blueberries\"}\n").unwrap();
    let out = run_ok(&["index", arg(&second), "--index", arg(&store), "--quiet"]);
    assert!(
        stdout(&out).contains("0 new, 1 replaced; 1 commit\n"),
        "{}",
        stdout(&out)
    );
    let out = run_ok(&[
        "index",
        "--delete",
        "c",
        "--delete",
        "zz",
        "--index",
        arg(&store),
    ]);
    assert!(stdout(&out).contains("deleted 1 of 2"), "{}", stdout(&out));
    assert!(crate::util::stderr(&out).contains("no document has the id zz"));

    let out = run_ok(&[
        "fit",
        "--index",
        arg(&store),
        "-k",
        "1",
        "--min-df",
        "1",
        "--quiet",
        "--json",
        "-",
    ]);
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let ids: Vec<&str> = report["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["a", "b"]);
    let words: Vec<&str> = report["topics"][0]["words"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["word"].as_str().unwrap())
        .collect();
    assert!(
        words.contains(&"blueberries")
            && !words.contains(&"bananas")
            && !words.contains(&"cherries"),
        "{words:?}"
    );
}

#[test]
fn search_shows_matches_and_their_topics() {
    let dir = tempdir();
    let corpus = default_corpus();
    let store = dir.path().join("store");
    let model = dir.path().join("model");
    run_ok(&["index", arg(&corpus), "--index", arg(&store), "--quiet"]);
    run_ok(&[
        "fit",
        "--index",
        arg(&store),
        "-k",
        "6",
        "--max-iter",
        "30",
        "--quiet",
        "--model",
        arg(&model),
    ]);
    let out = run_ok(&[
        "search",
        "--index",
        arg(&store),
        "kernel",
        "module",
        "--limit",
        "3",
        "--model",
        arg(&model),
        "--json",
        "-",
    ]);
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["format"], "nmf-topics/search");
    assert!(report["total"].as_u64().unwrap() >= 3, "{report}");
    let hits = report["hits"].as_array().unwrap();
    assert_eq!(hits.len(), 3);
    for hit in hits {
        assert!(hit["score"].as_f64().unwrap() > 0.0);
        let weights: f64 = hit["topics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["weight"].as_f64().unwrap())
            .sum();
        assert!(weights > 0.5 && weights <= 1.0 + 1e-6, "{hit}");
    }
    let text = stdout(&run_ok(&[
        "search",
        "--index",
        arg(&store),
        "kernel",
        "module",
    ]));
    assert!(text.contains("documents match \"kernel module\""), "{text}");

    let err = run_err(&["search", "--index", arg(&store), "\"kernel module\""]);
    assert!(err.contains("phrase"), "{err}");
}

#[test]
fn unusable_stores_are_clear_errors_that_change_nothing() {
    let dir = tempdir();
    let other = dir.path().join("other");
    std::fs::create_dir(&other).unwrap();
    std::fs::write(other.join("keep.txt"), "mine").unwrap();
    let err = run_err(&["fit", "--index", arg(&other), "--quiet"]);
    assert!(err.contains("is not an nmf-topics corpus store"), "{err}");
    let err = run_err(&[
        "index",
        arg(&default_corpus()),
        "--index",
        arg(&other),
        "--quiet",
    ]);
    assert!(err.contains("is not an nmf-topics corpus store"), "{err}");
    assert_eq!(std::fs::read_dir(&other).unwrap().count(), 1);

    let err = run_err(&["search", "--index", arg(&dir.path().join("none")), "kernel"]);
    assert!(err.contains("no such corpus store"), "{err}");

    let store = dir.path().join("store");
    let small = dir.path().join("small.jsonl");
    std::fs::write(&small, "{\"id\": \"a\", \"text\": \"running servers\"}\n").unwrap();
    run_ok(&["index", arg(&small), "--index", arg(&store), "--quiet"]);
    let err = run_err(&[
        "index",
        arg(&small),
        "--index",
        arg(&store),
        "--stem",
        "--quiet",
    ]);
    assert!(
        err.contains("other word settings") && err.contains("--stem"),
        "{err}"
    );
    let err = run_err(&["fit", "--index", arg(&store), "--min-chars", "3", "--quiet"]);
    assert!(
        err.contains("--min-chars: 2 in the store, 3 asked for"),
        "{err}"
    );
    let err = run_err(&["fit", "--index", arg(&store), arg(&small)]);
    assert!(err.contains("cannot be used with"), "{err}");

    let meta = store.join("meta.json");
    let text = std::fs::read_to_string(&meta).unwrap();
    std::fs::write(&meta, text.replace(r#"\"version\":1"#, r#"\"version\":7"#)).unwrap();
    let err = run_err(&["index", arg(&small), "--index", arg(&store), "--quiet"]);
    assert!(err.contains("format version 7"), "{err}");
    assert_eq!(
        std::fs::read_to_string(&meta).unwrap(),
        text.replace(r#"\"version\":1"#, r#"\"version\":7"#)
    );
}

#[test]
fn a_closed_output_pipe_ends_index_and_search_quietly() {
    let dir = tempdir();
    let store = dir.path().join("store");
    let small = dir.path().join("small.jsonl");
    std::fs::write(&small, "{\"id\": \"a\", \"text\": \"kernel module\"}\n").unwrap();
    for args in [
        vec!["index", arg(&small), "--index", arg(&store), "--quiet"],
        vec!["index", "--index", arg(&store)],
        vec!["search", "--index", arg(&store), "kernel"],
    ] {
        // Standard output is a pipe whose reader is already gone, as in `| head -0`.
        let mut child = bin()
            .args(&args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert_eq!(out.status.code(), Some(0), "{args:?}: {err}");
    }
    assert_eq!(CorpusStore::open(&store).unwrap().n_documents(), 1);
}

#[test]
fn index_summary_and_settings_check_name_every_word_option() {
    let dir = tempdir();
    let small = dir.path().join("small.jsonl");
    std::fs::write(
        &small,
        "{\"id\": \"a\", \"text\": \"serveurs rapides de Paris\"}\n",
    )
    .unwrap();
    let extra = dir.path().join("extra.txt");
    std::fs::write(&extra, "# ours\nparis\nrapides\n").unwrap();
    // Every word option, each unlike its default.
    let words = [
        "--lang",
        "french",
        "--no-stopwords",
        "--stopwords",
        arg(&extra),
        "--stem",
        "--keep-clitics",
        "--keep-dotted",
        "--min-chars",
        "3",
        "--max-chars",
        "30",
    ];
    let store = dir.path().join("store");
    let out = run_ok(
        &[
            &["index", arg(&small), "--index", arg(&store)],
            &words[..],
            &["--quiet"],
        ]
        .concat(),
    );
    let summary = stdout(&out);
    assert!(
        summary.contains(
            "words: --lang french --no-stopwords (+2 stopwords) --stem --keep-clitics \
             --keep-dotted --min-chars 3 --max-chars 30"
        ),
        "{summary}"
    );

    // Only the options given are compared: the others are the store's. A mismatch names
    // the option given, never one that was not (--stem was listed when only --max-chars was).
    let err = run_err(&[
        "fit",
        "--index",
        arg(&store),
        "--max-chars",
        "40",
        "--quiet",
    ]);
    assert!(
        err.contains("(--max-chars: 30 in the store, 40 asked for)"),
        "{err}"
    );
    for absent in ["--stem", "--lang", "--min-chars", "--stopwords"] {
        assert!(!err.contains(absent), "{absent}: {err}");
    }
    run_ok(&[
        "fit",
        "--index",
        arg(&store),
        "--stem",
        "--min-chars",
        "3",
        "-k",
        "1",
        "--min-df",
        "1",
        "--quiet",
    ]);

    // Every option given, each unlike the store's: each one is named.
    let plain = dir.path().join("plain");
    run_ok(&["index", arg(&small), "--index", arg(&plain), "--quiet"]);
    let err = run_err(&[&["index", arg(&small), "--index", arg(&plain)], &words[..]].concat());
    for difference in [
        "--lang: english in the store, french asked for",
        "--no-stopwords: false in the store, true asked for",
        "--stem: false in the store, true asked for",
        "--keep-clitics: false in the store, true asked for",
        "--keep-dotted: false in the store, true asked for",
        "--min-chars: 2 in the store, 3 asked for",
        "--max-chars: 40 in the store, 30 asked for",
        "--stopwords: 0 extra words in the store, 2 extra words asked for",
    ] {
        assert!(err.contains(difference), "{difference}: {err}");
    }
}
