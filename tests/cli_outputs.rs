//! Outputs against the built binary: all of a command's outputs or none, model directories
//! replaced whole and only when they hold nothing else, temporaries of killed runs cleaned,
//! a closed standard output, outputs onto inputs, and control bytes kept off the terminal.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::util::{self, arg, default_corpus, files_in, run, run_err, run_ok, stderr, stdout};

/// `fit` of the shipped corpus, small and fast (3 topics unless `extra` says), with `extra`.
fn fit(extra: &[&str]) -> Output {
    let corpus = default_corpus();
    let mut args = vec!["fit", arg(&corpus), "--max-iter", "10", "--quiet"];
    if !extra.contains(&"-k") {
        args.extend(["-k", "3"]);
    }
    args.extend_from_slice(extra);
    run(&args)
}

fn fit_ok(extra: &[&str]) {
    let out = fit(extra);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

fn fit_err(extra: &[&str]) -> String {
    let out = fit(extra);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "should fail:\n{err}");
    assert!(
        err.starts_with("error:") && !err.contains("panicked"),
        "{err}"
    );
    err
}

fn topics_of_model(model: &Path) -> u64 {
    let meta: serde_json::Value =
        serde_json::from_slice(&fs::read(model.join("model.json")).unwrap()).unwrap();
    meta["shapes"]["topics"].as_u64().unwrap()
}

/// Names in `dir` that are temporaries of nmf-topics.
fn temporaries(dir: &Path) -> Vec<String> {
    files_in(dir)
        .into_iter()
        .filter(|n| n.starts_with(".nmf-topics"))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The model directory

#[test]
fn fit_model_refuses_a_directory_that_holds_more_than_a_model() {
    let dir = util::tempdir();
    let model = dir.path().join("m");
    fit_ok(&["--model", arg(&model)]);
    fs::create_dir(model.join("results")).unwrap();
    fs::write(model.join("results/r.csv"), "x\n").unwrap();
    let before = fs::read(model.join("model.json")).unwrap();

    let slash = format!("{}/", model.display());
    let err = fit_err(&["-k", "4", "--model", &slash]);
    assert!(
        err.contains("results"),
        "the message names what is there: {err}"
    );
    assert_eq!(
        fs::read_to_string(model.join("results/r.csv")).unwrap(),
        "x\n"
    );
    assert_eq!(
        fs::read(model.join("model.json")).unwrap(),
        before,
        "model unchanged"
    );
    assert_eq!(files_in(dir.path()), ["m"], "nothing left beside it");

    // Once the other files are gone, the model is replaced, and nothing else is left.
    fs::remove_dir_all(model.join("results")).unwrap();
    fit_ok(&["-k", "4", "--model", &slash]);
    assert_eq!(topics_of_model(&model), 4);
    assert_eq!(files_in(&model), ["model.json", "model.safetensors"]);
    assert_eq!(files_in(dir.path()), ["m"]);
}

#[test]
fn fit_model_through_a_symbolic_link_replaces_the_model_it_names() {
    let dir = util::tempdir();
    let real = dir.path().join("real");
    fit_ok(&["--model", arg(&real)]);
    let link = dir.path().join("link");
    std::os::unix::fs::symlink("real", &link).unwrap();
    fit_ok(&["-k", "4", "--model", arg(&link)]);
    assert!(fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(topics_of_model(&real), 4);
    assert_eq!(files_in(dir.path()), ["link", "real"]);
}

// ---------------------------------------------------------------------------------------------
// All outputs or none

#[test]
fn a_destination_that_cannot_be_written_stops_the_fit_before_any_output() {
    // /sys takes no new file, even from root.
    let dir = util::tempdir();
    let (m, dt, v) = (
        dir.path().join("m"),
        dir.path().join("dt.csv"),
        dir.path().join("v.mtx"),
    );
    let err = fit_err(&[
        "--model",
        arg(&m),
        "--doc-topics",
        arg(&dt),
        "--export-matrix",
        arg(&v),
        "--json",
        "/sys/nmf-topics-out.json",
    ]);
    assert!(err.contains("/sys/nmf-topics-out.json"), "{err}");
    assert!(
        files_in(dir.path()).is_empty(),
        "{:?}",
        files_in(dir.path())
    );
}

#[test]
fn an_unwritable_folder_stops_the_fit_before_any_output() {
    use std::os::unix::fs::PermissionsExt;
    let dir = util::tempdir();
    let ro = dir.path().join("ro");
    fs::create_dir(&ro).unwrap();
    fs::set_permissions(&ro, fs::Permissions::from_mode(0o555)).unwrap();
    if fs::write(ro.join("probe"), "").is_ok() {
        // Root writes anywhere: the /sys test above covers this case.
        fs::remove_file(ro.join("probe")).unwrap();
        eprintln!("skipped: this user can write into a read-only folder");
        return;
    }
    let (m, dt) = (dir.path().join("m"), dir.path().join("dt.csv"));
    let json = ro.join("out.json");
    let err = fit_err(&[
        "--model",
        arg(&m),
        "--doc-topics",
        arg(&dt),
        "--json",
        arg(&json),
    ]);
    assert!(err.contains("out.json"), "{err}");
    assert_eq!(files_in(dir.path()), ["ro"]);
    assert!(files_in(&ro).is_empty());
}

#[test]
fn an_output_that_fails_last_undoes_the_ones_put_in_place_before_it() {
    let dir = util::tempdir();
    let m = dir.path().join("m");
    let dt = dir.path().join("dt.csv");
    fit_ok(&["--model", arg(&m)]);
    fs::write(&dt, "old\n").unwrap();
    let model_before = fs::read(m.join("model.json")).unwrap();
    // A name longer than any file system takes: its temporary file is made, the rename fails.
    let long = dir.path().join(format!("{}.json", "x".repeat(300)));
    let err = fit_err(&[
        "-k",
        "4",
        "--model",
        arg(&m),
        "--doc-topics",
        arg(&dt),
        "--json",
        arg(&long),
    ]);
    assert!(err.contains("xxxx"), "{err}");
    assert_eq!(fs::read_to_string(&dt).unwrap(), "old\n");
    assert_eq!(fs::read(m.join("model.json")).unwrap(), model_before);
    assert_eq!(files_in(dir.path()), ["dt.csv", "m"]);
}

#[test]
fn transform_and_rank_write_all_their_outputs_or_none() {
    let dir = util::tempdir();
    let model = util::fit_small_model(dir.path(), &[]);
    let docs = dir.path().join("new.jsonl");
    fs::write(
        &docs,
        "{\"id\": \"a\", \"text\": \"a library of shared files\"}\n",
    )
    .unwrap();
    let csv = dir.path().join("w.csv");
    run_err(&[
        "transform",
        "--model",
        arg(&model),
        arg(&docs),
        "--csv",
        arg(&csv),
        "--json",
        "/sys/nmf-topics-out.json",
    ]);
    assert!(!csv.exists());

    let plot = dir.path().join("k.svg");
    run_err(&[
        "rank",
        arg(&default_corpus()),
        "--topics",
        "2,3",
        "--restarts",
        "2",
        "--max-iter",
        "5",
        "--quiet",
        "--plot",
        arg(&plot),
        "--json",
        "/sys/nmf-topics-out.json",
    ]);
    assert!(!plot.exists());
    assert_eq!(files_in(dir.path()), ["model", "new.jsonl"]);
}

#[test]
fn two_outputs_onto_one_file_are_refused() {
    let dir = util::tempdir();
    let out = dir.path().join("out");
    let err = fit_err(&["--json", arg(&out), "--doc-topics", arg(&out)]);
    assert!(
        err.contains("--json") && err.contains("--doc-topics"),
        "{err}"
    );
    assert!(files_in(dir.path()).is_empty());
}

#[test]
fn doc_topics_dash_goes_to_standard_output_instead_of_the_report() {
    let dir = util::tempdir();
    let corpus = default_corpus();
    let mut command = util::bin();
    command.current_dir(dir.path()).args([
        "fit",
        arg(&corpus),
        "-k",
        "3",
        "--max-iter",
        "10",
        "--quiet",
        "--doc-topics",
        "-",
    ]);
    let out = command.output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let csv = stdout(&out);
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("id,topic_1,topic_2,topic_3"));
    assert_eq!(lines.count(), 5000, "one row a document, and no report");
    // Not a file named "-".
    assert!(files_in(dir.path()).is_empty());
    let err = fit_err(&["--doc-topics", "-", "--json", "-"]);
    assert!(
        err.contains("--json") && err.contains("--doc-topics"),
        "{err}"
    );
}

// ---------------------------------------------------------------------------------------------
// The corpus store

#[test]
fn index_delete_from_a_missing_store_creates_nothing() {
    let dir = util::tempdir();
    let store = dir.path().join("s");
    let err = run_err(&["index", "--delete", "x", "--index", arg(&store)]);
    assert!(err.contains("no such corpus store"), "{err}");
    assert!(
        files_in(dir.path()).is_empty(),
        "{:?}",
        files_in(dir.path())
    );
}

#[test]
fn a_first_ingest_that_fails_leaves_no_store() {
    let dir = util::tempdir();
    let bad = dir.path().join("bad.jsonl");
    fs::write(
        &bad,
        "{\"id\": \"a\", \"text\": \"hello world\"}\n{\"id\": \"b\", \"text\": \"more words\"}\nnot json\n",
    )
    .unwrap();
    let store = dir.path().join("s");
    let err = run_err(&[
        "index",
        arg(&bad),
        "--index",
        arg(&store),
        "--stem",
        "--quiet",
    ]);
    assert!(err.contains("line 3"), "{err}");
    assert_eq!(
        files_in(dir.path()),
        ["bad.jsonl"],
        "no store, no temporary"
    );

    // So the next run makes the store with its own settings.
    let good = dir.path().join("good.jsonl");
    fs::write(&good, "{\"id\": \"a\", \"text\": \"hello worlds\"}\n").unwrap();
    let out = run_ok(&["index", arg(&good), "--index", arg(&store), "--quiet"]);
    assert!(!stdout(&out).contains("--stem"), "{}", stdout(&out));

    // A failed ingest into an empty folder leaves the folder empty.
    let empty = dir.path().join("empty");
    fs::create_dir(&empty).unwrap();
    run_err(&["index", arg(&bad), "--index", arg(&empty), "--quiet"]);
    assert!(files_in(&empty).is_empty());
}

// ---------------------------------------------------------------------------------------------
// Temporaries of killed runs

/// The id of a process that has ended.
fn dead_pid() -> u32 {
    let mut child = Command::new("true").spawn().unwrap();
    let pid = child.id();
    child.wait().unwrap();
    pid
}

#[test]
fn temporaries_of_dead_runs_are_removed_and_nothing_else() {
    let dir = util::tempdir();
    let out = dir.path().join("out");
    fs::create_dir(&out).unwrap();
    let dead = dead_pid();
    let stale_file = format!(".nmf-topics-{dead}-0123456789ab.tmp");
    let stale_dir = format!(".nmf-topics-{dead}-ba9876543210.tmp");
    fs::write(out.join(&stale_file), "half a report").unwrap();
    fs::create_dir(out.join(&stale_dir)).unwrap();
    fs::write(out.join(&stale_dir).join("model.json"), "{").unwrap();
    // Kept: a temporary of a live process (this one), another program's, and a user's files.
    let live = format!(".nmf-topics-{}-0123456789ab.tmp", std::process::id());
    let keep = [
        live.as_str(),
        ".nmf-topics-notes.tmp",
        ".other-tool-1.tmp",
        "mine.txt",
    ];
    for name in keep {
        fs::write(out.join(name), "keep").unwrap();
    }

    fit_ok(&["--json", arg(&out.join("r.json"))]);
    let mut expected: Vec<String> = keep.iter().map(|s| s.to_string()).collect();
    expected.push("r.json".into());
    expected.sort();
    assert_eq!(files_in(&out), expected);
}

#[test]
fn a_run_killed_mid_fit_leaves_temporaries_that_the_next_run_removes() {
    let dir = util::tempdir();
    let corpus = default_corpus();
    let (json, model) = (dir.path().join("r.json"), dir.path().join("m"));
    let mut child = util::bin()
        .args([
            "fit",
            arg(&corpus),
            "-k",
            "3",
            "--tol",
            "0",
            "--max-iter",
            "1000000",
            "--quiet",
            "--json",
            arg(&json),
            "--model",
            arg(&model),
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // The temporaries are made before the fit, which runs long enough to be killed in.
    let started = Instant::now();
    while temporaries(dir.path()).len() < 2 && started.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(10));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(
        temporaries(dir.path()).len(),
        2,
        "{:?}",
        files_in(dir.path())
    );

    fit_ok(&["--json", arg(&json)]);
    assert_eq!(files_in(dir.path()), ["r.json"]);
}

// ---------------------------------------------------------------------------------------------
// A closed standard output

/// Runs the binary with `args` and its standard output closed (`>&-`).
fn run_with_stdout_closed(args: &[&str]) -> Output {
    let exe = util::bin();
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg("exec \"$@\" >&-")
        .arg("sh")
        .arg(exe.get_program())
        .args(exe.get_args())
        .args(args)
        .stdin(Stdio::null())
        .stderr(Stdio::piped());
    command.output().unwrap()
}

#[test]
fn a_closed_standard_output_is_an_error_before_any_work() {
    let dir = util::tempdir();
    let json = dir.path().join("r.json");
    let corpus = default_corpus();
    let out = run_with_stdout_closed(&[
        "fit",
        arg(&corpus),
        "-k",
        "3",
        "--quiet",
        "--json",
        arg(&json),
    ]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("standard output"), "{err}");
    assert!(
        files_in(dir.path()).is_empty(),
        "the report file is not written either"
    );

    // A command that writes nothing there does not mind.
    let model = util::fit_small_model(dir.path(), &[]);
    let html = dir.path().join("m.html");
    let out = run_with_stdout_closed(&["report", "--model", arg(&model), "--html", arg(&html)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(html.is_file());
}

#[test]
fn a_pipe_closed_early_is_no_error_and_the_files_are_still_written() {
    use std::io::{BufRead, BufReader};
    let dir = util::tempdir();
    let (model, dt) = (dir.path().join("m"), dir.path().join("dt.csv"));
    let corpus = default_corpus();
    let mut child = util::bin()
        .args([
            "fit",
            arg(&corpus),
            "-k",
            "3",
            "--max-iter",
            "10",
            "--quiet",
            "--json",
            "-",
            "--model",
            arg(&model),
            "--doc-topics",
            arg(&dt),
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // `| head -1`: the report is far larger than a pipe's buffer.
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert_eq!(first, "{\n");
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(topics_of_model(&model), 3);
    assert_eq!(fs::read_to_string(&dt).unwrap().lines().count(), 5001);
    assert_eq!(files_in(dir.path()), ["dt.csv", "m"]);
}

// ---------------------------------------------------------------------------------------------
// Outputs onto inputs

#[test]
fn an_output_onto_an_input_is_refused_before_any_work() {
    let dir = util::tempdir();
    let corpus = dir.path().join("corpus.jsonl");
    let lines: String = (0..40)
        .map(|i| {
            format!("{{\"id\": \"d{i}\", \"text\": \"apple banana cherry engine wheel {i}\"}}\n")
        })
        .collect();
    fs::write(&corpus, &lines).unwrap();
    let stop = dir.path().join("stop.txt");
    fs::write(&stop, "wheel\n").unwrap();
    let hard = dir.path().join("hard-link.jsonl");
    fs::hard_link(&corpus, &hard).unwrap();
    let soft = dir.path().join("soft-link.jsonl");
    std::os::unix::fs::symlink("corpus.jsonl", &soft).unwrap();
    let base = ["fit", arg(&corpus), "-k", "2", "--min-df", "1", "--quiet"];
    let refused = |extra: &[&str], phrase: &str| {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        let err = run_err(&args);
        assert!(err.contains(phrase), "{phrase:?} not in {err}");
    };
    refused(&["--json", arg(&corpus)], "corpus.jsonl");
    refused(&["--doc-topics", arg(&hard)], "hard-link.jsonl");
    refused(&["--json", arg(&soft)], "soft-link.jsonl");
    refused(
        &["--stopwords", arg(&stop), "--doc-topics", arg(&stop)],
        "stop.txt",
    );
    assert_eq!(fs::read_to_string(&corpus).unwrap(), lines);
    assert_eq!(fs::read_to_string(&stop).unwrap(), "wheel\n");

    // A folder's documents, and a matrix with the files beside it.
    let notes = dir.path().join("notes");
    fs::create_dir(&notes).unwrap();
    for i in 0..6 {
        fs::write(notes.join(format!("n{i}.txt")), "apple banana cherry").unwrap();
    }
    let err = run_err(&[
        "fit",
        arg(&notes),
        "-k",
        "1",
        "--doc-topics",
        arg(&notes.join("n3.txt")),
    ]);
    assert!(err.contains("n3.txt"), "{err}");
    // A new file in the folder, or one the folder reader skips, is fine.
    run_ok(&[
        "fit",
        arg(&notes),
        "-k",
        "1",
        "--quiet",
        "--json",
        arg(&notes.join("topics.json")),
    ]);
    let v = dir.path().join("v.mtx");
    run_ok(&[
        "fit",
        arg(&corpus),
        "-k",
        "2",
        "--min-df",
        "1",
        "--quiet",
        "--export-matrix",
        arg(&v),
    ]);
    let before = fs::read(&v).unwrap();
    let err = run_err(&["fit", arg(&v), "-k", "2", "--export-matrix", arg(&v)]);
    assert!(err.contains("v.mtx"), "{err}");
    let err = run_err(&[
        "fit",
        arg(&v),
        "-k",
        "2",
        "--doc-topics",
        arg(&dir.path().join("v.docs.txt")),
    ]);
    assert!(err.contains("v.docs.txt"), "{err}");
    assert_eq!(fs::read(&v).unwrap(), before);
}

#[test]
fn an_output_into_the_model_it_reads_or_a_model_over_its_input_is_refused() {
    let dir = util::tempdir();
    let model = util::fit_small_model(dir.path(), &[]);
    let meta = model.join("model.json");
    let before = fs::read(&meta).unwrap();
    let err = run_err(&["topics", "--model", arg(&model), "--json", arg(&meta)]);
    assert!(err.contains("model.json"), "{err}");
    let err = run_err(&[
        "report",
        "--model",
        arg(&model),
        "--html",
        arg(&model.join("r.html")),
    ]);
    assert!(err.contains("r.html"), "{err}");
    // The model directory of fit is replaced whole: none of its inputs may lie in it.
    let err = run_err(&[
        "fit",
        arg(&meta),
        "--lines",
        "-k",
        "2",
        "--model",
        arg(&model),
    ]);
    assert!(err.contains("model.json"), "{err}");
    assert_eq!(fs::read(&meta).unwrap(), before);
    assert_eq!(files_in(&model), ["model.json", "model.safetensors"]);
}

// ---------------------------------------------------------------------------------------------
// Control bytes from the corpus

/// A corpus whose ids, titles, labels and texts carry escape sequences, C1 controls and bidi
/// overrides.
fn hostile_corpus(dir: &Path) -> PathBuf {
    let mut lines = String::new();
    for i in 0..30 {
        let theme = if i % 2 == 0 {
            "kernel module driver linux"
        } else {
            "garden flower seed water"
        };
        let line = serde_json::json!({
            "id": format!("doc\u{1b}[2J{i}"),
            "title": format!("title \u{202e}gnp.exe\u{202c} \u{9b}31m {i}"),
            "label": "lab\u{7}el",
            "text": format!("{theme} \u{1b}]0;owned\u{7} {theme} text\r{i}"),
        });
        lines.push_str(&line.to_string());
        lines.push('\n');
    }
    let path = dir.join("hostile.jsonl");
    fs::write(&path, lines).unwrap();
    path
}

fn assert_no_control(text: &str, what: &str) {
    let bad: Vec<char> = text
        .chars()
        .filter(|&c| {
            (c.is_control() && c != '\n' && c != '\t')
                || matches!(c, '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        })
        .collect();
    assert!(bad.is_empty(), "{what} shows {bad:?}:\n{text}");
}

#[test]
fn control_bytes_from_the_corpus_are_shown_escaped_on_the_terminal_and_kept_in_json() {
    let dir = util::tempdir();
    let corpus = hostile_corpus(dir.path());
    let model = dir.path().join("m");
    let json = dir.path().join("r.json");
    let out = run_ok(&[
        "fit",
        arg(&corpus),
        "-k",
        "2",
        "--min-df",
        "1",
        "--quiet",
        "--model",
        arg(&model),
        "--json",
        arg(&json),
    ]);
    let text = stdout(&out);
    assert_no_control(&text, "fit");
    assert!(text.contains("\\u{1b}[2J"), "the escape is shown: {text}");
    assert!(text.contains("\\u{202e}"), "{text}");
    // The JSON report is faithful.
    let report: serde_json::Value = serde_json::from_slice(&fs::read(&json).unwrap()).unwrap();
    assert!(report["documents"][0]["id"]
        .as_str()
        .unwrap()
        .contains('\u{1b}'));
    assert!(report["documents"][0]["title"]
        .as_str()
        .unwrap()
        .contains('\u{202e}'));

    for args in [
        vec!["topics", "--model", arg(&model)],
        vec!["senses", "kernel", "--model", arg(&model)],
        vec!["transform", "--model", arg(&model), arg(&corpus), "--quiet"],
    ] {
        let out = run_ok(&args);
        assert_no_control(&stdout(&out), args[0]);
        assert!(stdout(&out).contains("\\u{1b}"), "{}", stdout(&out));
    }

    let store = dir.path().join("s");
    run_ok(&["index", arg(&corpus), "--index", arg(&store), "--quiet"]);
    let out = run_ok(&[
        "search",
        "--index",
        arg(&store),
        "kernel",
        "--model",
        arg(&model),
    ]);
    assert_no_control(&stdout(&out), "search");
    assert!(stdout(&out).contains("\\u{202e}"), "{}", stdout(&out));

    // Messages that quote a name from the corpus.
    let folder = dir.path().join("notes");
    fs::create_dir(&folder).unwrap();
    fs::write(folder.join("a.txt"), "apple banana").unwrap();
    fs::write(folder.join("b\u{1b}[31m.txt"), b"binary\0data").unwrap();
    let out = run(&["fit", arg(&folder), "-k", "1", "--min-df", "1", "--quiet"]);
    assert_no_control(&stderr(&out), "a warning");
    assert!(
        stderr(&out).contains("b\\u{1b}[31m.txt"),
        "{}",
        stderr(&out)
    );
    let missing = dir.path().join("gone\u{1b}[31m.jsonl");
    let err = run_err(&["fit", arg(&missing)]);
    assert_no_control(&err, "an error");
    assert!(err.contains("gone\\u{1b}[31m.jsonl"), "{err}");
}
