//! Bad inputs against the built binary: the table of `tests/data/bad-inputs.tsv`, and the cases
//! a table cannot hold (a named pipe, inputs too large to write out, memory measured).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::{self, arg, default_corpus, run_ok};

/// The most resident memory any bad input may take, in bytes.
const MEMORY_BOUND: u64 = 300 << 20;

/// The longest any case may run.
const TIME_BOUND: Duration = Duration::from_secs(60);

/// What a finished run left.
struct Finished {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    /// Peak resident memory in bytes, where the platform tells.
    peak: Option<u64>,
    timed_out: bool,
}

/// Runs `command` (standard input closed) to its end or [`TIME_BOUND`], whichever comes
/// first, and measures its peak memory.
fn finish(mut command: Command) -> Finished {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            String::from_utf8_lossy(&bytes).into_owned()
        })
    };
    let out = drain(Box::new(child.stdout.take().unwrap()));
    let err = drain(Box::new(child.stderr.take().unwrap()));
    let (code, peak, timed_out) = wait(&mut child);
    Finished {
        code,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
        peak,
        timed_out,
    }
}

/// Waits for `child` with `wait4`, which also gives its peak resident memory; kills it past
/// [`TIME_BOUND`].
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn wait(child: &mut std::process::Child) -> (Option<i32>, Option<u64>, bool) {
    let pid = child.id() as libc::pid_t;
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let killed = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    // The child's own high-water mark, read as it runs. wait4's ru_maxrss cannot serve: a child
    // spawned with vfork takes on this test process's high-water mark at exec, and the test
    // binary running every test at once is larger than some of the bounds checked.
    let polled = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let watchdog = {
        let (done, killed, polled) = (done.clone(), killed.clone(), polled.clone());
        std::thread::spawn(move || {
            let started = Instant::now();
            let status = format!("/proc/{pid}/status");
            while !done.load(std::sync::atomic::Ordering::SeqCst) {
                if started.elapsed() > TIME_BOUND {
                    killed.store(true, std::sync::atomic::Ordering::SeqCst);
                    // SAFETY: the child is not reaped until wait4 below returns, so the pid
                    // is still ours.
                    unsafe { libc::kill(pid, libc::SIGKILL) };
                    return;
                }
                if let Some(kb) = std::fs::read_to_string(&status).ok().and_then(|s| {
                    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
                    line.split_whitespace().nth(1)?.parse::<u64>().ok()
                }) {
                    polled.fetch_max(kb * 1024, std::sync::atomic::Ordering::SeqCst);
                }
                std::thread::sleep(Duration::from_millis(2));
            }
        })
    };
    let mut status = 0;
    // SAFETY: a zeroed rusage is a valid value for wait4 to fill in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: pid is our child, status and usage point to live locals.
    let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    watchdog.join().unwrap();
    assert_eq!(reaped, pid, "wait4 failed");
    let code = libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status));
    // Polled every 2 ms: what the child adds in its last 2 ms goes unseen, and a child done
    // before the first look is not measured.
    let seen = polled.load(std::sync::atomic::Ordering::SeqCst);
    let peak = (seen > 0).then_some(seen);
    (code, peak, killed.load(std::sync::atomic::Ordering::SeqCst))
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn wait(child: &mut std::process::Child) -> (Option<i32>, Option<u64>, bool) {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return (status.code(), None, false);
        }
        if started.elapsed() > TIME_BOUND {
            let _ = child.kill();
            let status = child.wait().unwrap();
            return (status.code(), None, true);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// What every bad input must do besides its own case: end in time, without a panic or an
/// abort, within [`MEMORY_BOUND`]; and when it succeeds, print no NaN or infinity.
fn general_failures(run: &Finished) -> Vec<String> {
    let mut failures = Vec::new();
    if run.timed_out {
        failures.push(format!(
            "still running after {} s: killed",
            TIME_BOUND.as_secs()
        ));
    }
    for sign in [
        "panicked",
        "stack overflow",
        "fatal runtime error",
        "memory allocation",
    ] {
        if run.stderr.contains(sign) {
            failures.push(format!("stderr says {sign:?}"));
        }
    }
    if let Some(peak) = run.peak.filter(|&p| p > MEMORY_BOUND) {
        failures.push(format!(
            "peak resident memory {} MB, above {} MB",
            peak >> 20,
            MEMORY_BOUND >> 20
        ));
    }
    if run.code == Some(0) {
        for bad in ["NaN", "inf ", "inf,", "inf\n", "infinity"] {
            if run.stdout.contains(bad) {
                failures.push(format!("stdout holds {bad:?}"));
            }
        }
    }
    failures
}

/// `{rep:N:TEXT}` written out as TEXT N times.
fn repeats(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("{rep:") {
        out.push_str(&rest[..at]);
        let inner = &rest[at + 5..];
        let close = inner.find('}').expect("{rep:N:TEXT} is closed");
        let (n, piece) = inner[..close]
            .split_once(':')
            .expect("{rep:N:TEXT} has a count");
        out.push_str(&piece.repeat(n.parse().expect("{rep:N:TEXT}: N is a number")));
        rest = &inner[close + 1..];
    }
    out.push_str(rest);
    out
}

/// A FILE column's CONTENT as bytes: `\n`, `\t`, `\\` and `\xHH` unescaped.
fn unescape(content: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let bytes = content.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' && i + 1 < bytes.len() {
            match bytes[i + 1] {
                b'n' => out.push(b'\n'),
                b't' => out.push(b'\t'),
                b'\\' => out.push(b'\\'),
                b'x' => {
                    let hex = std::str::from_utf8(&bytes[i + 2..i + 4]).unwrap();
                    out.push(u8::from_str_radix(hex, 16).expect("\\xHH is hexadecimal"));
                    i += 4;
                    continue;
                }
                other => panic!("unknown escape \\{}", other as char),
            }
            i += 2;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// The model and stores the table's commands name, made once.
struct Fixtures {
    _dir: tempfile::TempDir,
    model: PathBuf,
    store: PathBuf,
    stem_store: PathBuf,
}

impl Fixtures {
    fn new() -> Fixtures {
        let dir = util::tempdir();
        let model = util::fit_small_model(dir.path(), &[]);
        let corpus = default_corpus();
        let store = dir.path().join("store");
        run_ok(&["index", arg(&corpus), "--index", arg(&store), "--quiet"]);
        let few = dir.path().join("few.jsonl");
        std::fs::write(
            &few,
            "{\"id\": \"a\", \"text\": \"servers running fast\"}\n{\"id\": \"b\", \"text\": \"server runs\"}\n",
        )
        .unwrap();
        let stem_store = dir.path().join("stem-store");
        run_ok(&[
            "index",
            arg(&few),
            "--index",
            arg(&stem_store),
            "--stem",
            "--quiet",
        ]);
        Fixtures {
            _dir: dir,
            model,
            store,
            stem_store,
        }
    }
}

/// One row of the table.
struct Case<'a> {
    name: &'a str,
    file: &'a str,
    command: &'a str,
    exit: i32,
    expect: &'a str,
}

fn cases(table: &str) -> Vec<Case<'_>> {
    table
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let fields: Vec<&str> = l.split('\t').collect();
            assert_eq!(fields.len(), 5, "five tab-separated fields: {l}");
            Case {
                name: fields[0],
                file: fields[1],
                command: fields[2],
                exit: fields[3].parse().expect("EXIT is a number"),
                expect: fields[4],
            }
        })
        .collect()
}

/// Runs one case; what went wrong, if anything.
fn run_case(case: &Case, fixtures: &Fixtures) -> Vec<String> {
    let dir = util::tempdir();
    let mut file = PathBuf::new();
    if case.file != "-" {
        let (name, content) = case.file.split_once('=').expect("FILE is NAME=CONTENT");
        file = dir.path().join(name);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        let bytes = unescape(&repeats(content));
        let bytes = if name.ends_with(".gz") {
            gzip(&bytes)
        } else {
            bytes
        };
        std::fs::write(&file, bytes).unwrap();
    }
    let command = repeats(case.command)
        .replace("{file}", arg(&file))
        .replace("{dir}", arg(dir.path()))
        .replace("{model}", arg(&fixtures.model))
        .replace("{stemstore}", arg(&fixtures.stem_store))
        .replace("{store}", arg(&fixtures.store))
        .replace("{corpus}", arg(&default_corpus()));
    let mut binary = util::bin();
    binary.args(command.split_whitespace());
    let run = finish(binary);
    let mut failures = general_failures(&run);
    if run.code != Some(case.exit) {
        failures.push(format!("exit code {:?}, expected {}", run.code, case.exit));
    }
    let (stream, text) = if case.exit == 0 {
        ("stdout", &run.stdout)
    } else {
        if !run.stderr.starts_with("error:") {
            failures.push("stderr does not start with \"error:\"".into());
        }
        ("stderr", &run.stderr)
    };
    match case.expect.strip_prefix('!') {
        Some(absent) if text.contains(absent) => {
            failures.push(format!("{stream} holds {absent:?}"));
        }
        None if !text.contains(case.expect) => {
            failures.push(format!("{stream} lacks {:?}", case.expect));
        }
        _ => {}
    }
    if !failures.is_empty() {
        let shown = |s: &str| s.chars().take(1500).collect::<String>();
        failures.push(format!(
            "stderr: {}\nstdout: {}",
            shown(&run.stderr),
            shown(&run.stdout)
        ));
    }
    failures
}

#[test]
fn every_bad_input_of_the_table_fails_as_it_should() {
    let table = include_str!("data/bad-inputs.tsv");
    let cases = cases(table);
    assert!(cases.len() > 50, "the table holds its cases");
    let mut names: Vec<&str> = cases.iter().map(|c| c.name).collect();
    names.sort_unstable();
    if let Some(pair) = names.windows(2).find(|p| p[0] == p[1]) {
        panic!("case {} appears twice", pair[0]);
    }
    let fixtures = Fixtures::new();
    let mut failed = Vec::new();
    for case in &cases {
        let failures = run_case(case, &fixtures);
        if !failures.is_empty() {
            failed.push(format!(
                "{} ({}):\n  {}",
                case.name,
                case.command,
                failures.join("\n  ")
            ));
        }
    }
    assert!(
        failed.is_empty(),
        "{} of {} cases failed:\n\n{}",
        failed.len(),
        cases.len(),
        failed.join("\n\n")
    );
}

/// `copies` gzip members of `chunk` of `byte`, one after another: a file that decompresses to
/// `copies × chunk` bytes (gzip readers read every member), written in a moment.
fn gzip_bomb(path: &Path, prefix: &[u8], byte: u8, chunk: usize, copies: usize) {
    let member = gzip(&vec![byte; chunk]);
    let mut file = std::fs::File::create(path).unwrap();
    file.write_all(&gzip(prefix)).unwrap();
    for _ in 0..copies {
        file.write_all(&member).unwrap();
    }
}

#[test]
fn a_gzip_bomb_stops_at_the_document_limit_in_bounded_memory() {
    let dir = util::tempdir();
    // 1 GiB of zeros in one line, then of 'a's in one JSON string and in one CSV field.
    let zeros = dir.path().join("zeros.txt.gz");
    gzip_bomb(&zeros, b"", 0, 16 << 20, 64);
    let json = dir.path().join("one.jsonl.gz");
    gzip_bomb(&json, b"{\"text\": \"", b'a', 16 << 20, 64);
    // A quote left open: the csv reader would grow the row to the end of the file.
    let csv = dir.path().join("open.csv.gz");
    gzip_bomb(&csv, b"id,text\n1,\"", b'a', 16 << 20, 64);
    for (input, extra, expected) in [
        (
            &zeros,
            "--lines",
            "zeros.txt.gz, line 1: a document longer than 16 MiB",
        ),
        (
            &zeros,
            "--format=text",
            "zeros.txt.gz: a document longer than 16 MiB",
        ),
        (
            &json,
            "--format=jsonl",
            "one.jsonl.gz, line 1: a document longer than 16 MiB",
        ),
        (
            &csv,
            "--format=csv",
            "open.csv.gz, line 2: a document longer than 16 MiB",
        ),
    ] {
        let mut command = util::bin();
        command.args(["fit", arg(input), extra, "--quiet"]);
        let run = finish(command);
        let failures = general_failures(&run);
        assert!(failures.is_empty(), "{extra}: {failures:?}\n{}", run.stderr);
        assert_eq!(run.code, Some(2), "{extra}: {}", run.stderr);
        assert!(run.stderr.contains(expected), "{extra}: {}", run.stderr);
        if let Some(peak) = run.peak {
            // The limit, decoded and parsed once or twice over, and the program itself.
            assert!(peak < 150 << 20, "{extra}: peak {} MB", peak >> 20);
        }
    }
}

#[cfg(unix)]
#[test]
fn a_named_pipe_is_read_once_and_the_report_goes_without_snippets() {
    let dir = util::tempdir();
    let pipe = dir.path().join("corpus.pipe");
    let made = Command::new("mkfifo")
        .arg(&pipe)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let lines: String = (0..60)
        .map(|i| {
            let theme = ["apple banana cherry grape", "kernel module driver linux"][i % 2];
            format!("{{\"id\": \"d{i}\", \"text\": \"{theme} words {i}\"}}\n")
        })
        .collect();
    let writer = {
        let pipe = pipe.clone();
        std::thread::spawn(move || {
            // Opening a pipe for writing waits for the reader: the fit below.
            let mut file = std::fs::OpenOptions::new().write(true).open(pipe).unwrap();
            file.write_all(lines.as_bytes()).unwrap();
        })
    };
    let mut command = util::bin();
    command.args([
        "fit",
        arg(&pipe),
        "--format",
        "jsonl",
        "-k",
        "2",
        "--quiet",
        "--json",
        "-",
    ]);
    let run = finish(command);
    writer.join().unwrap();
    assert!(
        general_failures(&run).is_empty(),
        "{:?}",
        general_failures(&run)
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(
        run.stderr.contains("can be read only once"),
        "{}",
        run.stderr
    );
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["corpus"]["documents"], 60);
    let documents = report["topics"][0]["documents"].as_array().unwrap();
    assert!(!documents.is_empty());
    assert!(documents.iter().all(|d| d.get("snippet").is_none()));
}

#[test]
fn memory_follows_the_entries_of_a_matrix_market_file_not_its_size_line() {
    let dir = util::tempdir();
    // A billion words declared, three used: they are kept under their row numbers, and the
    // fit takes no more memory than a three-word matrix.
    let file = dir.path().join("wide.mtx");
    std::fs::write(
        &file,
        "%%MatrixMarket matrix coordinate integer general\n1000000000 3 5\n1 1 4\n500000000 1 1\n1 2 2\n999999999 2 3\n500000000 3 2\n",
    )
    .unwrap();
    let mut command = util::bin();
    command.args([
        "fit",
        arg(&file),
        "-k",
        "1",
        "--min-df",
        "1",
        "--quiet",
        "--json",
        "-",
    ]);
    let run = finish(command);
    assert!(
        general_failures(&run).is_empty(),
        "{:?}",
        general_failures(&run)
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["corpus"]["words"], 3);
    assert_eq!(report["corpus"]["words_before_pruning"], 3);
    let mut words: Vec<&str> = report["topics"][0]["words"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["word"].as_str().unwrap())
        .collect();
    words.sort_unstable();
    assert_eq!(words, ["w1", "w500000000", "w999999999"]);
    if let Some(peak) = run.peak {
        assert!(peak < 64 << 20, "peak {} MB", peak >> 20);
    }

    // With a vocabulary, the used rows' lines name the words; the file must still hold one
    // line a row.
    let small = dir.path().join("v.mtx");
    std::fs::write(
        &small,
        "%%MatrixMarket matrix coordinate integer general\n5 2 3\n2 1 1\n4 1 2\n4 2 1\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("v.vocab.txt"), "a\nbravo\nc\ndelta\ne\n").unwrap();
    let out = run_ok(&[
        "fit",
        arg(&small),
        "-k",
        "1",
        "--min-df",
        "1",
        "--quiet",
        "--json",
        "-",
    ]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut words: Vec<&str> = report["topics"][0]["words"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["word"].as_str().unwrap())
        .collect();
    words.sort_unstable();
    assert_eq!(words, ["bravo", "delta"]);
    std::fs::write(dir.path().join("v.vocab.txt"), "a\nbravo\nc\ndelta\n").unwrap();
    let err = util::run_err(&["fit", arg(&small), "-k", "1", "--min-df", "1", "--quiet"]);
    assert!(
        err.contains("holds 4 words but the matrix has 5 rows"),
        "{err}"
    );
}
