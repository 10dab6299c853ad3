//! The `nmf-topics` binary end to end: reports, outputs, reproducibility, pipes and errors.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::Stdio;

use serde_json::Value;

use crate::util::{self, arg, run_ok};

// ---------------------------------------------------------------------------------------------
// The default corpus

#[test]
fn fit_default_corpus_writes_a_complete_json_report_and_a_terminal_report() {
    let dir = util::tempdir();
    let json = dir.path().join("report.json");
    let corpus = util::default_corpus();
    let out = run_ok(&[
        "fit",
        arg(&corpus),
        "--json",
        arg(&json),
        "-k",
        "8",
        "--max-iter",
        "50",
        "--tol",
        "0",
        "--quiet",
    ]);
    let report = read_json(&json);

    assert_eq!(report["format"], "nmf-topics/report");
    assert!(
        report["version"].as_u64().is_some_and(|v| v >= 1),
        "version"
    );

    // One document a line of the corpus.
    let mut text = String::new();
    flate2::read::MultiGzDecoder::new(std::fs::File::open(&corpus).unwrap())
        .read_to_string(&mut text)
        .unwrap();
    let lines = text.lines().filter(|l| !l.trim().is_empty()).count();
    assert!((4900..=5100).contains(&lines), "{lines} lines");
    let c = &report["corpus"];
    assert_eq!(c["documents"].as_u64(), Some(lines as u64));
    assert_eq!(report["documents"].as_array().unwrap().len(), lines);
    assert!(c["words"].as_u64().unwrap() > 1000);
    assert!(c["words"].as_u64() <= c["words_before_pruning"].as_u64());
    assert!(c["tokens"].as_f64().unwrap() >= c["nonzeros"].as_f64().unwrap());

    // Topics.
    let topics = report["topics"].as_array().unwrap();
    assert_eq!(topics.len(), 8);
    let mut shares = 0.0;
    for (i, topic) in topics.iter().enumerate() {
        assert_eq!(topic["id"].as_u64(), Some(i as u64 + 1));
        let words: Vec<&str> = topic["words"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["word"].as_str().unwrap())
            .collect();
        assert_eq!(words.len(), 10, "topic {}", i + 1);
        assert_eq!(topic["label"].as_str().unwrap(), words[..3].join(" "));
        let weights: Vec<f64> = topic["words"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["weight"].as_f64().unwrap())
            .collect();
        assert!(weights.windows(2).all(|w| w[0] >= w[1]), "{weights:?}");
        shares += topic["share"].as_f64().unwrap();
    }
    assert!((shares - 1.0).abs() <= 1e-3, "shares sum to {shares}");
    let share: Vec<f64> = topics
        .iter()
        .map(|t| t["share"].as_f64().unwrap())
        .collect();
    assert!(
        share.windows(2).all(|s| s[0] >= s[1]),
        "by share: {share:?}"
    );

    // Documents' main topics.
    for doc in report["documents"].as_array().unwrap() {
        let ts = doc["topics"].as_array().unwrap();
        assert!(ts.len() <= 5, "{doc}");
        let weights: Vec<f64> = ts.iter().map(|t| t["weight"].as_f64().unwrap()).collect();
        assert!(weights.iter().all(|&w| w > 0.0), "{doc}");
        assert!(weights.windows(2).all(|w| w[0] >= w[1]), "{doc}");
        assert!(ts
            .iter()
            .all(|t| (1..=8).contains(&t["topic"].as_u64().unwrap())));
    }
    let first = &report["documents"][0];
    assert_eq!(first["id"], "antiword");
    assert!(first["title"].is_string());

    // The fit.
    let fit = &report["fit"];
    assert_eq!(fit["iterations"].as_u64(), Some(50));
    assert_eq!(fit["stop"], "max_iter");
    assert_eq!(fit["converged"], false);
    let trace = divergence_trace(&report);
    assert!(trace.len() >= 6, "{trace:?}");
    assert!(
        trace.windows(2).all(|t| t[1] <= t[0] * (1.0 + 1e-12)),
        "the divergence never increases: {trace:?}"
    );
    assert!(trace[trace.len() - 1] < trace[0]);
    // The trace ends with the joint iterations; solving the weights with W fixed lowers D.
    assert!(fit["divergence"].as_f64().unwrap() <= *trace.last().unwrap());
    assert!(fit["transform"]["iterations_max"].as_u64().unwrap() >= 1);
    assert_eq!(report["parameters"]["nmf"]["topics"].as_u64(), Some(8));
    assert_eq!(report["parameters"]["nmf"]["solver"], "mu");
    assert_eq!(report["parameters"]["nmf"]["loss"], "kl");

    assert_finite(&report, "");

    // The terminal report is still written to standard output.
    let stdout = util::stdout(&out);
    assert!(
        stdout.lines().any(|l| l.trim_start().starts_with("#1 ")),
        "{stdout}"
    );
    assert!(stdout.lines().any(|l| l.starts_with("corpus:")), "{stdout}");
    assert!(
        stdout.contains("fit:    8 topics, 50 iterations of multiplicative updates on the KL divergence (stopped at --max-iter 50)"),
        "{stdout}"
    );
    assert!(stdout.contains(topics[0]["label"].as_str().unwrap()));
    assert!(
        !util::stderr(&out).contains("warning"),
        "{}",
        util::stderr(&out)
    );
}

#[test]
fn default_fit_runs_until_the_divergence_settles() {
    // The cap on iterations is a safety net: the default fit of the shipped corpus stops on --tol.
    let dir = util::tempdir();
    let json = dir.path().join("report.json");
    let corpus = util::default_corpus();
    run_ok(&["fit", arg(&corpus), "--json", arg(&json), "--quiet"]);
    let report = read_json(&json);
    let nmf = &report["parameters"]["nmf"];
    assert_eq!(nmf["max_iter"].as_u64(), Some(1000));
    assert_eq!(nmf["tol"].as_f64(), Some(1e-4));
    let fit = &report["fit"];
    assert_eq!(fit["stop"], "converged", "{fit}");
    let iterations = fit["iterations"].as_u64().unwrap();
    assert!((200..1000).contains(&iterations), "{iterations}");
}

#[test]
fn connectivity_cut_short_says_how_many_documents_still_move() {
    let dir = util::tempdir();
    let json = dir.path().join("report.json");
    let corpus = util::default_corpus();
    let out = run_ok(&[
        "fit",
        arg(&corpus),
        "--stop",
        "connectivity",
        "--max-iter",
        "30",
        "--json",
        arg(&json),
    ]);
    let fit = &read_json(&json)["fit"];
    assert_eq!(fit["stop"], "max_iter", "{fit}");
    let moved = fit["connectivity_changed"].as_u64().unwrap();
    // Some still move after 30 iterations; under 1,000, the terminal writes the plain number.
    assert!((1..1000).contains(&moved), "{fit}");
    let stdout = util::stdout(&out);
    let said = format!("at the last connectivity check {moved} documents still changed");
    assert!(stdout.contains(&said), "{stdout}");
}

// ---------------------------------------------------------------------------------------------
// Outputs

#[test]
fn json_dash_writes_only_json_to_stdout() {
    let dir = util::tempdir();
    let corpus = small_corpus(dir.path());
    let out = run_ok(&[
        "fit",
        arg(&corpus),
        "--json",
        "-",
        "-k",
        "2",
        "--max-iter",
        "20",
    ]);
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is one JSON document ({e}):\n{}", util::stdout(&out)));
    assert_eq!(report["format"], "nmf-topics/report");
    assert_eq!(report["corpus"]["documents"].as_u64(), Some(10));
    assert_eq!(report["topics"].as_array().unwrap().len(), 2);
    assert_eq!(util::files_in(dir.path()), ["corpus"], "no file written");
}

/// `/dev/stdout` is standard output itself, also when that is a file: opened afresh, the
/// report would be written over by what follows on the descriptor.
#[cfg(unix)]
#[test]
fn json_to_dev_stdout_redirected_into_a_file_is_one_json_document() {
    let dir = util::tempdir();
    let corpus = small_corpus(dir.path());
    let captured = dir.path().join("out.json");
    let status = util::bin()
        .args(small_fit_args(&corpus, "/dev/stdout"))
        .stdout(std::fs::File::create(&captured).unwrap())
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(read_json(&captured)["format"], "nmf-topics/report");
}

/// A destination that is not a regular file is written in place: renaming a finished file
/// over it would turn a pipe, or `/dev/null` itself, into a plain file.
#[cfg(unix)]
#[test]
fn json_into_a_named_pipe_keeps_the_pipe() {
    use std::os::unix::fs::FileTypeExt;
    let dir = util::tempdir();
    let corpus = small_corpus(dir.path());
    let fifo = dir.path().join("report.pipe");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("skipped: mkfifo is not available");
        return;
    }
    let mut reader = std::process::Command::new("cat")
        .arg(&fifo)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let out = util::run(&small_fit_args(&corpus, arg(&fifo)));
    let still_a_pipe = std::fs::symlink_metadata(&fifo).is_ok_and(|m| m.file_type().is_fifo());
    if !still_a_pipe {
        let _ = reader.kill();
    }
    let read = reader.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", util::stderr(&out));
    assert!(still_a_pipe, "the pipe was replaced");
    let report: Value = serde_json::from_slice(&read.stdout).expect("the pipe carried the report");
    assert_eq!(report["format"], "nmf-topics/report");
    assert_eq!(
        util::files_in(dir.path()),
        ["corpus", "report.pipe"],
        "no file left beside it"
    );
}

/// A link to a file stays a link: the report replaces the file it names.
#[cfg(unix)]
#[test]
fn json_through_a_symbolic_link_keeps_the_link() {
    let dir = util::tempdir();
    let corpus = small_corpus(dir.path());
    let real = write(dir.path(), "reports/latest.json", "old");
    let link = dir.path().join("report.json");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    run_ok(&small_fit_args(&corpus, arg(&link)));
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(read_json(&real)["format"], "nmf-topics/report");
    assert_eq!(util::files_in(&dir.path().join("reports")), ["latest.json"]);

    // A link to a file not made yet (relative to the link's folder) makes that file.
    let ahead = dir.path().join("next.json");
    std::os::unix::fs::symlink("reports/next.json", &ahead).unwrap();
    run_ok(&small_fit_args(&corpus, arg(&ahead)));
    assert!(std::fs::symlink_metadata(&ahead)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(
        read_json(&dir.path().join("reports/next.json"))["format"],
        "nmf-topics/report"
    );
}

#[test]
fn terminal_report_without_json() {
    let dir = util::tempdir();
    let corpus = small_corpus(dir.path());
    let out = run_ok(&["fit", arg(&corpus), "-k", "2", "--max-iter", "20"]);
    let stdout = util::stdout(&out);
    assert!(
        stdout.lines().any(|l| l.trim_start().starts_with("#1 ")),
        "{stdout}"
    );
    assert!(
        stdout.lines().any(|l| l.trim_start().starts_with("#2 ")),
        "{stdout}"
    );
    assert!(!stdout.contains("#3"), "{stdout}");
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("corpus: 10 documents")),
        "{stdout}"
    );
    assert!(stdout.lines().any(|l| l.starts_with("fit:")), "{stdout}");
    assert_eq!(util::files_in(dir.path()), ["corpus"], "no file written");
}

#[test]
fn doc_topics_csv_has_one_row_per_document_summing_to_one() {
    let dir = util::tempdir();
    let corpus = small_corpus(dir.path());
    // A document of stopwords only: no word left, its weights are all 0.
    write(&corpus, "zz-empty.txt", "the and of");
    let csv_path = dir.path().join("documents.csv");
    let json = dir.path().join("r.json");
    run_ok(&[
        "fit",
        arg(&corpus),
        "-k",
        "3",
        "--max-iter",
        "20",
        "--doc-topics",
        arg(&csv_path),
        "--json",
        arg(&json),
    ]);
    let report = read_json(&json);
    assert_eq!(report["corpus"]["empty_documents"].as_u64(), Some(1));

    let mut reader = csv::Reader::from_path(&csv_path).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header, ["id", "topic_1", "topic_2", "topic_3"]);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let ids: Vec<&str> = rows.iter().map(|r| &r[0]).collect();
    let json_ids: Vec<&str> = report["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 11);
    assert_eq!(ids, json_ids, "one row per document, in input order");
    let mut zero_rows = 0;
    for row in &rows {
        assert_eq!(row.len(), 4);
        let weights: Vec<f64> = row.iter().skip(1).map(|x| x.parse().unwrap()).collect();
        assert!(
            weights.iter().all(|w| w.is_finite() && *w >= 0.0),
            "{row:?}"
        );
        let sum: f64 = weights.iter().sum();
        if weights.iter().all(|&w| w == 0.0) {
            zero_rows += 1;
        } else {
            assert!((sum - 1.0).abs() <= 1e-4, "{row:?} sums to {sum}");
        }
    }
    assert_eq!(zero_rows, 1);
    assert!(rows
        .iter()
        .any(|r| &r[0] == "zz-empty.txt" && r[1].parse::<f64>().unwrap() == 0.0));
}

#[test]
fn export_matrix_then_fit_the_mtx_gives_the_same_topics() {
    let dir = util::tempdir();
    let corpus = synthetic_jsonl(dir.path(), "c.jsonl", 300, 11);
    let mtx = dir.path().join("v.mtx");
    let (json_text, json_mtx) = (dir.path().join("text.json"), dir.path().join("mtx.json"));
    let model = ["-k", "3", "--seed", "5", "--max-iter", "40", "--tol", "0"];

    let mut args = vec![
        "fit",
        arg(&corpus),
        "--json",
        arg(&json_text),
        "--export-matrix",
        arg(&mtx),
    ];
    args.extend(model);
    run_ok(&args);
    assert_eq!(
        util::files_in(dir.path()),
        ["c.jsonl", "text.json", "v.docs.txt", "v.mtx", "v.vocab.txt"]
    );
    let first = read_json(&json_text);
    let words = first["corpus"]["words"].as_u64().unwrap() as usize;
    let vocab = std::fs::read_to_string(dir.path().join("v.vocab.txt")).unwrap();
    assert_eq!(vocab.lines().count(), words);
    let docs = std::fs::read_to_string(dir.path().join("v.docs.txt")).unwrap();
    assert_eq!(docs.lines().count(), 300);
    assert_eq!(docs.lines().next(), Some("doc-0"));
    let matrix = std::fs::read_to_string(&mtx).unwrap();
    assert!(matrix.starts_with("%%MatrixMarket matrix coordinate integer general\n"));

    let mut args = vec!["fit", arg(&mtx), "--json", arg(&json_mtx), "--min-df", "1"];
    args.extend(model);
    run_ok(&args);
    let second = read_json(&json_mtx);

    for field in [
        "documents",
        "words",
        "nonzeros",
        "tokens",
        "empty_documents",
    ] {
        assert_eq!(
            first["corpus"][field], second["corpus"][field],
            "corpus.{field}"
        );
    }
    assert_eq!(labels(&first), labels(&second));
    // The same topics and representative documents; only the text has snippets.
    let mut from_text = first["topics"].clone();
    for topic in from_text.as_array_mut().unwrap() {
        for doc in topic["documents"].as_array_mut().unwrap() {
            assert!(doc.as_object_mut().unwrap().remove("snippet").is_some());
        }
    }
    assert_eq!(from_text, second["topics"]);
    let (a, b) = (
        first["fit"]["divergence"].as_f64().unwrap(),
        second["fit"]["divergence"].as_f64().unwrap(),
    );
    assert!((a - b).abs() <= 1e-9 * a.abs(), "{a} vs {b}");
    assert_eq!(
        doc_ids(&first),
        doc_ids(&second),
        "ids come from v.docs.txt"
    );
    assert!(second["parameters"]["analyzer"].is_null());
}

#[test]
fn export_matrix_adds_the_extension_that_fit_reads_back() {
    let dir = util::tempdir();
    let corpus = synthetic_jsonl(dir.path(), "c.jsonl", 60, 3);
    let prefix = dir.path().join("v");
    run_ok(&[
        "fit",
        arg(&corpus),
        "-k",
        "2",
        "--max-iter",
        "5",
        "--quiet",
        "--export-matrix",
        arg(&prefix),
    ]);
    assert_eq!(
        util::files_in(dir.path()),
        ["c.jsonl", "v.docs.txt", "v.mtx", "v.vocab.txt"]
    );
    let out = run_ok(&[
        "fit",
        arg(&dir.path().join("v.mtx")),
        "-k",
        "2",
        "--max-iter",
        "5",
        "--json",
        "-",
    ]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["corpus"]["documents"], 60);
}

#[test]
fn keep_dotted_and_keep_clitics_reach_the_words() {
    let dir = util::tempdir();
    let corpus = dir.path().join("c.txt");
    std::fs::write(
        &corpus,
        "Node.js runs KDE's apps\nnode.js and KDE's desktop\nKDE apps run on node.js\n",
    )
    .unwrap();
    let words = |extra: &[&str]| -> Vec<String> {
        let prefix = dir.path().join("v.mtx");
        let mut args = vec!["fit", arg(&corpus), "--lines", "-k", "1", "--min-df", "1"];
        args.extend_from_slice(extra);
        args.extend_from_slice(&["--quiet", "--export-matrix", arg(&prefix)]);
        run_ok(&args);
        let vocab = std::fs::read_to_string(dir.path().join("v.vocab.txt")).unwrap();
        let mut words: Vec<String> = vocab.lines().map(str::to_owned).collect();
        words.sort();
        words
    };
    assert_eq!(
        words(&[]),
        ["apps", "desktop", "js", "kde", "node", "run", "runs"]
    );
    assert_eq!(
        words(&["--keep-dotted", "--keep-clitics"]),
        ["apps", "desktop", "kde", "kde's", "node.js", "run", "runs"]
    );
}

#[test]
fn export_matrix_with_repeated_document_ids_reads_back() {
    let dir = util::tempdir();
    let text = "apple banana cherry\napple banana grape\ncherry grape melon\n";
    let a = write(dir.path(), "a.txt", text);
    let b = write(dir.path(), "b.txt", text);
    let mtx = dir.path().join("v.mtx");
    run_ok(&[
        "fit",
        arg(&a),
        arg(&b),
        "--lines",
        "-k",
        "2",
        "--max-iter",
        "10",
        "--export-matrix",
        arg(&mtx),
    ]);
    // Line numbers repeat across the two files: 1 2 3 1 2 3.
    let out = util::run(&[
        "fit",
        arg(&mtx),
        "-k",
        "2",
        "--max-iter",
        "10",
        "--json",
        "-",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", util::stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&str> = report["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["1", "2", "3", "1", "2", "3"]);
}

#[test]
fn fit_mtx_with_transpose_and_vocab_options() {
    let dir = util::tempdir();
    // Documents × words: 4 documents, 3 words.
    let mtx = write(
        dir.path(),
        "dw.mtx",
        "%%MatrixMarket matrix coordinate integer general\n4 3 6\n1 1 3\n1 2 1\n2 1 2\n3 3 4\n4 3 1\n4 2 2\n",
    );
    let vocab = write(dir.path(), "words.txt", "apple\nbanana\ncherry\n");
    let out = run_ok(&[
        "fit",
        arg(&mtx),
        "--transpose",
        "--vocab",
        arg(&vocab),
        "--min-df",
        "1",
        "-k",
        "2",
        "--max-iter",
        "10",
        "--top-words",
        "3",
        "--json",
        "-",
    ]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["corpus"]["documents"].as_u64(), Some(4));
    assert_eq!(report["corpus"]["words"].as_u64(), Some(3));
    assert_eq!(report["corpus"]["tokens"].as_f64(), Some(13.0));
    assert_eq!(doc_ids(&report), ["1", "2", "3", "4"]);
    // Every word comes from --vocab (a topic lists only its words of weight > 0).
    let words: std::collections::BTreeSet<&str> = report["topics"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| t["words"].as_array().unwrap())
        .map(|w| w["word"].as_str().unwrap())
        .collect();
    assert_eq!(words, ["apple", "banana", "cherry"].into());
    let tokens: Vec<f64> = report["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["tokens"].as_f64().unwrap())
        .collect();
    assert_eq!(tokens, [4.0, 2.0, 4.0, 3.0]);
}

#[test]
fn error_transpose_on_a_text_input() {
    let dir = util::tempdir();
    let corpus = small_corpus(dir.path());
    assert_fails(
        dir.path(),
        &[arg(&corpus), "--transpose"],
        &["--transpose", "Matrix Market"],
    );
}

// ---------------------------------------------------------------------------------------------
// Reproducibility

#[test]
fn same_seed_same_result_whatever_the_threads_and_other_seeds_differ() {
    let dir = util::tempdir();
    let corpus = synthetic_jsonl(dir.path(), "c.jsonl", 2000, 3);
    let fit = |seed: &str, threads: &str| -> Value {
        let out = run_ok(&[
            "fit",
            arg(&corpus),
            "--json",
            "-",
            "-k",
            "4",
            "--max-iter",
            "30",
            "--tol",
            "0",
            "--seed",
            seed,
            "--threads",
            threads,
        ]);
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let one = fit("7", "1");
    let two = fit("7", "2");
    assert!(
        one["corpus"]["nonzeros"].as_u64().unwrap() > 20_000,
        "enough for several chunks"
    );
    assert_eq!(one["fit"]["threads"].as_u64(), Some(1));
    assert_eq!(two["fit"]["threads"].as_u64(), Some(2));
    assert_eq!(one["topics"], two["topics"]);
    assert_eq!(one["documents"], two["documents"]);
    assert_eq!(
        one["fit"]["divergence_trace"],
        two["fit"]["divergence_trace"]
    );

    let other = fit("8", "2");
    assert_ne!(
        divergence_trace(&one),
        divergence_trace(&other),
        "another seed starts elsewhere"
    );
    assert_eq!(other["parameters"]["nmf"]["seed"].as_u64(), Some(8));
}

// ---------------------------------------------------------------------------------------------
// Pipes and standard input

#[test]
fn closing_stdout_early_is_not_an_error() {
    let dir = util::tempdir();
    // Enough documents that the JSON on standard output is far larger than a pipe's buffer.
    let corpus = synthetic_jsonl(dir.path(), "c.jsonl", 3000, 5);
    let mut child = util::bin()
        .args([
            "fit",
            arg(&corpus),
            "--json",
            "-",
            "-k",
            "2",
            "--max-iter",
            "5",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    assert_eq!(line, "{\n");
    drop(stdout);
    let out = child.wait_with_output().unwrap();
    let stderr = util::stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("error"), "{stderr}");
}

#[test]
fn stdin_lines_and_stdin_jsonl_gzip() {
    let text = "apple banana cherry\n\napple banana grape\ncherry grape melon\n";
    let out = util::run_with_stdin(
        &[
            "fit", "-", "--lines", "-k", "2", "--min-df", "1", "--json", "-",
        ],
        text.as_bytes(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", util::stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc_ids(&report), ["1", "3", "4"]);

    let jsonl =
        "{\"id\": \"x\", \"text\": \"apple banana cherry\"}\n{\"text\": \"apple grape melon\"}\n";
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(jsonl.as_bytes()).unwrap();
    let out = util::run_with_stdin(
        &["fit", "-", "-k", "2", "--min-df", "1", "--json", "-"],
        &gz.finish().unwrap(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", util::stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc_ids(&report), ["x", "2"]);
}

#[test]
fn jsonl_title_and_label_fields_reach_the_json_report() {
    let dir = util::tempdir();
    let file = write(
        dir.path(),
        "c.jsonl",
        concat!(
            r#"{"key": "a", "name": "Apples", "class": "fruit", "body": "apple banana cherry apple"}"#,
            "\n",
            r#"{"key": "b", "class": "fruit", "body": "banana cherry melon"}"#,
            "\n",
            r#"{"name": "Melons", "body": "melon apple cherry"}"#,
            "\n",
        ),
    );
    let out = run_ok(&[
        "fit",
        arg(&file),
        "--text-field",
        "body",
        "--id-field",
        "key",
        "--title-field",
        "name",
        "--label-field",
        "class",
        "-k",
        "2",
        "--max-iter",
        "10",
        "--json",
        "-",
    ]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let docs = report["documents"].as_array().unwrap();
    assert_eq!(doc_ids(&report), ["a", "b", "3"]);
    assert_eq!(docs[0]["title"], "Apples");
    assert_eq!(docs[0]["label"], "fruit");
    assert!(docs[1].get("title").is_none(), "{}", docs[1]);
    assert_eq!(docs[1]["label"], "fruit");
    assert_eq!(docs[2]["title"], "Melons");
    assert!(docs[2].get("label").is_none(), "{}", docs[2]);
}

// ---------------------------------------------------------------------------------------------
// Bad inputs: exit code 2, "error:" and a message naming the problem, no output file

#[test]
fn error_missing_path() {
    let dir = util::tempdir();
    let missing = dir.path().join("nope.jsonl");
    assert_fails(
        dir.path(),
        &[arg(&missing)],
        &[&format!("{}: no such file or folder", arg(&missing))],
    );
}

#[test]
fn error_folder_without_text_files() {
    let dir = util::tempdir();
    let folder = dir.path().join("data");
    write(&folder, "a.csv", "apple,banana");
    write(&folder, "b.json", "{\"text\": \"apple\"}");
    assert_fails(
        dir.path(),
        &[arg(&folder)],
        &[&format!(
            "{}: this folder holds no .txt or .md file",
            arg(&folder)
        )],
    );
}

#[test]
fn error_empty_jsonl() {
    let dir = util::tempdir();
    let file = write(dir.path(), "empty.jsonl", "\n  \n");
    assert_fails(dir.path(), &[arg(&file)], &[arg(&file), "no document"]);
}

#[test]
fn error_only_stopwords() {
    let dir = util::tempdir();
    let folder = dir.path().join("stop");
    for i in 0..4 {
        write(&folder, &format!("{i}.txt"), "The and of. OF the, AND!");
    }
    assert_fails(
        dir.path(),
        &[arg(&folder), "--min-df", "1"],
        &[
            arg(&folder),
            "none of the 4 documents holds a word",
            "stopword",
        ],
    );
    // With the default --min-df 2, a single such document was blamed on --min-df and --max-df.
    let one = write(dir.path(), "one.txt", "The and of. OF the, AND!");
    let out = util::run(&["fit", arg(&one), "--lines", "--quiet"]);
    let err = util::stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("the only document holds no word"), "{err}");
    assert!(!err.contains("--min-df 2"), "{err}");
}

#[test]
fn error_zero_topics() {
    let dir = util::tempdir();
    let corpus = small_corpus(dir.path());
    assert_fails(
        dir.path(),
        &[arg(&corpus), "-k", "0"],
        &["'0' for '--topics <K>'", "from 1 to 10,000"],
    );
}

#[test]
fn error_more_topics_than_words() {
    let dir = util::tempdir();
    let folder = dir.path().join("few-words");
    for i in 0..10 {
        write(&folder, &format!("{i}.txt"), "apple banana cherry");
    }
    assert_fails(
        dir.path(),
        &[arg(&folder), "-k", "5"],
        &["--topics 5", "number of words (3)"],
    );
}

#[test]
fn error_more_topics_than_documents() {
    let dir = util::tempdir();
    let folder = dir.path().join("few-docs");
    write(&folder, "a.txt", "apple banana cherry grape melon lemon");
    write(&folder, "b.txt", "apple banana cherry grape melon lemon");
    write(&folder, "c.txt", "apple banana cherry grape melon lemon");
    assert_fails(
        dir.path(),
        &[arg(&folder), "-k", "4"],
        &["--topics 4", "of documents (3)"],
    );
}

#[test]
fn error_negative_tolerance() {
    let dir = util::tempdir();
    let corpus = small_corpus(dir.path());
    assert_fails(
        dir.path(),
        &[arg(&corpus), "--tol", "-1"],
        &["--tol -1", "≥ 0"],
    );
}

#[test]
fn error_min_df_above_max_df_counts() {
    let dir = util::tempdir();
    let corpus = small_corpus(dir.path());
    assert_fails(
        dir.path(),
        &[arg(&corpus), "--min-df", "5", "--max-df", "2"],
        &["--min-df 5", "--max-df 2"],
    );
}

#[test]
fn error_min_df_above_max_df_fractions() {
    let dir = util::tempdir();
    let corpus = small_corpus(dir.path());
    assert_fails(
        dir.path(),
        &[arg(&corpus), "--min-df", "0.9", "--max-df", "0.1"],
        &["--min-df 0.9", "--max-df 0.1"],
    );
}

#[test]
fn error_min_df_above_max_df_resolved_on_the_corpus() {
    let dir = util::tempdir();
    let corpus = small_corpus(dir.path());
    // 0.1 of 10 documents is 1 document, below 3.
    assert_fails(
        dir.path(),
        &[arg(&corpus), "--min-df", "3", "--max-df", "0.1"],
        &["--min-df 3", "--max-df 0.1", "of 10"],
    );
}

#[test]
fn error_jsonl_line_that_does_not_parse() {
    let dir = util::tempdir();
    let file = write(
        dir.path(),
        "broken.jsonl",
        "{\"text\": \"apple banana\"}\n{\"text\": \"apple cherry\"}\n{\"text\": apple}\n{\"text\": \"x\"}\n",
    );
    assert_fails(
        dir.path(),
        &[arg(&file)],
        &["broken.jsonl", "line 3", "JSON"],
    );
}

#[test]
fn error_jsonl_line_without_text_field() {
    let dir = util::tempdir();
    let file = write(
        dir.path(),
        "fields.jsonl",
        "{\"text\": \"apple banana\"}\n{\"body\": \"apple cherry\"}\n",
    );
    assert_fails(
        dir.path(),
        &[arg(&file)],
        &["fields.jsonl", "line 2", "\"text\"", "--text-field"],
    );
}

#[test]
fn error_matrix_market_negative_entry() {
    assert_bad_matrix("1 2 -3", &["m.mtx", "line 5", "'-3'"]);
}

#[test]
fn error_matrix_market_nan_entry() {
    assert_bad_matrix("1 2 NaN", &["m.mtx", "line 5", "'NaN'"]);
}

#[test]
fn error_matrix_market_non_numeric_entry() {
    assert_bad_matrix("1 2 many", &["m.mtx", "line 5", "'many'", "not a number"]);
}

#[test]
fn error_matrix_market_index_out_of_range() {
    assert_bad_matrix("4 2 1", &["m.mtx", "line 5", "row index '4'"]);
    assert_bad_matrix("1 3 1", &["m.mtx", "line 5", "column index '3'"]);
}

#[test]
fn error_matrix_market_wrong_number_of_entries() {
    let dir = util::tempdir();
    let file = write(
        dir.path(),
        "m.mtx",
        "%%MatrixMarket matrix coordinate integer general\n3 2 5\n1 1 2\n2 1 1\n3 2 4\n",
    );
    assert_fails(
        dir.path(),
        &[arg(&file), "-k", "1"],
        &["m.mtx", "5 entries", "holds 3"],
    );

    let dir = util::tempdir();
    let file = write(
        dir.path(),
        "m.mtx",
        "%%MatrixMarket matrix coordinate integer general\n3 2 2\n1 1 2\n2 1 1\n3 2 4\n",
    );
    assert_fails(
        dir.path(),
        &[arg(&file), "-k", "1"],
        &["m.mtx", "line 5", "more entries"],
    );
}

#[test]
fn error_json_into_a_missing_folder() {
    let dir = util::tempdir();
    let corpus = small_corpus(dir.path());
    let before = util::files_in(dir.path());
    let target = dir.path().join("no-such-folder").join("report.json");
    let out = util::run(&["fit", arg(&corpus), "-k", "2", "--json", arg(&target)]);
    let stderr = util::stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.starts_with("error:"), "{stderr}");
    assert!(
        stderr.contains("no-such-folder") && stderr.contains("does not exist"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty(), "{}", util::stdout(&out));
    assert_eq!(util::files_in(dir.path()), before);
}

#[test]
fn error_unknown_option_value_is_a_usage_error() {
    let out = util::run(&["fit", "x", "-k", "many"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        util::stderr(&out).starts_with("error:"),
        "{}",
        util::stderr(&out)
    );
}

#[test]
fn error_unknown_solver_or_loss_names_the_choices() {
    let dir = util::tempdir();
    let corpus = small_corpus(dir.path());
    // Names no solver or loss will have: the choices grow as solvers are added.
    assert_fails(
        dir.path(),
        &[arg(&corpus), "--solver", "magic"],
        &["--solver", "unknown solver 'magic'; choose ", "mu"],
    );
    assert_fails(
        dir.path(),
        &[arg(&corpus), "--loss", "hinge"],
        &["--loss", "unknown loss 'hinge'; choose ", "kl"],
    );
    let help = util::stdout(&run_ok(&["fit", "--help"]));
    assert!(help.contains("mu (multiplicative updates)"), "{help}");
    assert!(help.contains("--solver mu --loss kl"), "{help}");
}

#[test]
fn error_leaves_no_exported_matrix() {
    let dir = util::tempdir();
    let corpus = small_corpus(dir.path());
    // An earlier export stays as it was.
    let old = ["v.mtx", "v.vocab.txt", "v.docs.txt"].map(|name| write(dir.path(), name, name));
    let before = util::files_in(dir.path());
    let out = util::run(&[
        "fit",
        arg(&corpus),
        "-k",
        "100",
        "--export-matrix",
        arg(&old[0]),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", util::stderr(&out));
    assert!(util::stderr(&out).contains("--topics 100"));
    assert_eq!(util::files_in(dir.path()), before, "no output file written");
    for path in &old {
        let name = path.file_name().unwrap().to_str().unwrap();
        assert_eq!(std::fs::read_to_string(path).unwrap(), name);
    }
}

// ---------------------------------------------------------------------------------------------
// Warnings, not errors

#[test]
fn invalid_utf8_is_a_warning_not_an_error() {
    let dir = util::tempdir();
    let corpus = small_corpus(dir.path());
    write(
        &corpus,
        "latin1.txt",
        b"apple caf\xe9 banana cr\xe8me cherry".as_slice(),
    );
    let json = dir.path().join("r.json");
    let out = run_ok(&[
        "fit",
        arg(&corpus),
        "-k",
        "2",
        "--max-iter",
        "10",
        "--json",
        arg(&json),
    ]);
    let stderr = util::stderr(&out);
    assert!(
        stderr.lines().any(|l| l.starts_with("warning:")
            && l.contains("latin1.txt")
            && l.contains("2 invalid UTF-8")),
        "{stderr}"
    );
    assert!(!stderr.contains("error"), "{stderr}");
    let report = read_json(&json);
    assert_eq!(report["corpus"]["documents"].as_u64(), Some(11));
    assert!(doc_ids(&report).contains(&"latin1.txt".to_string()));
}

#[test]
fn binary_file_in_a_folder_is_skipped_with_a_warning() {
    let dir = util::tempdir();
    let corpus = small_corpus(dir.path());
    write(
        &corpus,
        "x.txt",
        b"apple\x00\x01\x02banana\x00cherry".as_slice(),
    );
    let json = dir.path().join("r.json");
    let out = run_ok(&[
        "fit",
        arg(&corpus),
        "-k",
        "2",
        "--max-iter",
        "10",
        "--json",
        arg(&json),
    ]);
    let stderr = util::stderr(&out);
    assert!(
        stderr
            .lines()
            .any(|l| l.starts_with("warning:") && l.contains("x.txt") && l.contains("binary")),
        "{stderr}"
    );
    let report = read_json(&json);
    assert_eq!(report["corpus"]["documents"].as_u64(), Some(10));
    assert!(!doc_ids(&report).contains(&"x.txt".to_string()));
}

// ---------------------------------------------------------------------------------------------
// Help

#[test]
fn help_shows_examples() {
    let out = util::run(&["fit", "--help"]);
    assert_eq!(out.status.code(), Some(0), "{}", util::stderr(&out));
    let help = util::stdout(&out);
    assert!(help.contains("Examples"), "{help}");
    for option in [
        "--json",
        "--doc-topics",
        "--export-matrix",
        "--min-df",
        "--lines",
    ] {
        assert!(help.contains(option), "{option} in {help}");
    }

    let out = util::run(&["--help"]);
    assert_eq!(out.status.code(), Some(0), "{}", util::stderr(&out));
    assert!(util::stdout(&out).contains("fit"), "{}", util::stdout(&out));

    let out = util::run(&["--version"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        util::stdout(&out).starts_with("nmf-topics "),
        "{}",
        util::stdout(&out)
    );
}

// ---------------------------------------------------------------------------------------------
// Helpers

/// Writes `content` to `dir/name`, creating folders; returns the path.
fn write(dir: &Path, name: &str, content: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, content).unwrap();
    path
}

/// `fit` of `corpus` into two topics, 20 iterations, the JSON report to `dest`.
fn small_fit_args<'a>(corpus: &'a Path, dest: &'a str) -> [&'a str; 8] {
    [
        "fit",
        arg(corpus),
        "-k",
        "2",
        "--max-iter",
        "20",
        "--json",
        dest,
    ]
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `dir/corpus`: ten short documents on two themes, every word in at least two of them.
fn small_corpus(dir: &Path) -> PathBuf {
    let folder = dir.join("corpus");
    let fruit = ["apple", "banana", "cherry", "grape", "melon"];
    let cars = ["engine", "wheel", "brake", "gearbox", "clutch"];
    for i in 0..10 {
        let theme = if i % 2 == 0 { fruit } else { cars };
        let text: Vec<&str> = (0..8).map(|j| theme[(i * 3 + j) % 5]).collect();
        write(&folder, &format!("doc{i:02}.txt"), text.join(" "));
    }
    folder
}

/// A JSON Lines corpus of `n` documents mixing three themes of 40 made-up words each.
fn synthetic_jsonl(dir: &Path, name: &str, n: usize, seed: u64) -> PathBuf {
    let mut rng = util::TestRng::new(seed);
    let mut out = String::new();
    for d in 0..n {
        let main = (rng.next_u64() % 3) as usize;
        let len = 15 + (rng.next_u64() % 25) as usize;
        let words: Vec<String> = (0..len)
            .map(|_| {
                let theme = if rng.uniform() < 0.8 {
                    main
                } else {
                    (rng.next_u64() % 3) as usize
                };
                // Zipf-like: low ranks are frequent.
                let rank = ((rng.uniform() * rng.uniform()) * 40.0) as usize;
                made_up_word(theme * 40 + rank)
            })
            .collect();
        let line = serde_json::json!({"id": format!("doc-{d}"), "text": words.join(" ")});
        out.push_str(&line.to_string());
        out.push('\n');
    }
    write(dir, name, out)
}

/// Word `i` spelt in letters only (three syllables), so no stopword and no number.
fn made_up_word(i: usize) -> String {
    const SYLLABLES: [&str; 12] = [
        "ka", "lo", "mi", "nu", "pe", "ra", "si", "tu", "vo", "ze", "bri", "dro",
    ];
    let (a, b, c) = (i % 12, (i / 12) % 12, (i / 144) % 12);
    format!("{}{}{}x", SYLLABLES[c], SYLLABLES[b], SYLLABLES[a])
}

/// Runs `fit INPUT… --json out.json --doc-topics out.csv` in `dir` and checks that it fails
/// properly: exit code 2, `error:` first, each of `phrases` in the message, no file written.
fn assert_fails(dir: &Path, args: &[&str], phrases: &[&str]) {
    let before = util::files_in(dir);
    let json = dir.join("out.json");
    let csv = dir.join("out.csv");
    let mut all = vec!["fit"];
    all.extend_from_slice(args);
    all.extend([
        "--json",
        arg(&json),
        "--doc-topics",
        arg(&csv),
        "--max-iter",
        "10",
    ]);
    let out = util::run(&all);
    let stderr = util::stderr(&out);
    assert_eq!(
        out.status.code(),
        Some(2),
        "nmf-topics {}\nstderr:\n{stderr}",
        all.join(" ")
    );
    assert!(stderr.starts_with("error:"), "{stderr}");
    for phrase in phrases {
        assert!(stderr.contains(phrase), "{phrase:?} not in:\n{stderr}");
    }
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(out.stdout.is_empty(), "{}", util::stdout(&out));
    assert_eq!(util::files_in(dir), before, "no output file is written");
}

/// A 3 × 2 matrix whose fourth entry (line 5) is `entry`: the run must fail naming it.
fn assert_bad_matrix(entry: &str, phrases: &[&str]) {
    let dir = util::tempdir();
    let file = write(
        dir.path(),
        "m.mtx",
        format!(
            "%%MatrixMarket matrix coordinate integer general\n3 2 4\n1 1 2\n2 1 1\n{entry}\n3 2 4\n"
        ),
    );
    assert_fails(
        dir.path(),
        &[arg(&file), "-k", "1", "--min-df", "1"],
        phrases,
    );
}

fn divergence_trace(report: &Value) -> Vec<f64> {
    report["fit"]["divergence_trace"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["divergence"].as_f64().unwrap())
        .collect()
}

fn labels(report: &Value) -> Vec<String> {
    report["topics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["label"].as_str().unwrap().to_owned())
        .collect()
}

fn doc_ids(report: &Value) -> Vec<String> {
    report["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap().to_owned())
        .collect()
}

/// Every number in `value` is finite, and no value is null (a NaN would be written as null)
/// except the optional settings under `parameters` and the label agreement of an unlabelled
/// corpus.
fn assert_finite(value: &Value, at: &str) {
    match value {
        Value::Number(n) => {
            let x = n.as_f64().unwrap();
            assert!(x.is_finite(), "{at} = {x}");
        }
        Value::Null => assert!(
            at.starts_with("/parameters") || at == "/quality/label_nmi",
            "{at} is null"
        ),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                assert_finite(item, &format!("{at}/{i}"));
            }
        }
        Value::Object(fields) => {
            for (k, item) in fields {
                assert_finite(item, &format!("{at}/{k}"));
            }
        }
        Value::String(_) | Value::Bool(_) => {}
    }
}

#[test]
fn portable_runs_the_portable_kernel_and_agrees_with_the_fastest_to_rounding() {
    let corpus = util::default_corpus();
    let fit = |extra: &[&str]| -> Value {
        let mut args = vec![
            "fit",
            arg(&corpus),
            "-k",
            "5",
            "--max-iter",
            "30",
            "--quiet",
            "--json",
            "-",
        ];
        args.extend_from_slice(extra);
        serde_json::from_slice(&run_ok(&args).stdout).unwrap()
    };
    let (fast, portable) = (fit(&[]), fit(&["--portable"]));
    assert_eq!(portable["fit"]["kernel"], "portable");
    assert_eq!(
        portable["parameters"]["nmf"]["portable"], true,
        "{}",
        portable["parameters"]
    );
    let (a, b) = (
        fast["fit"]["divergence"].as_f64().unwrap(),
        portable["fit"]["divergence"].as_f64().unwrap(),
    );
    assert!((a - b).abs() <= 1e-4 * a, "{a} against {b}");
}
