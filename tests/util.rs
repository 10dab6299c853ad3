//! Helpers: temporary folders, the built binary, small corpora.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use nmf_topics::matrix::Sparse;

/// The binary under test; run through `NMF_TOPICS_TEST_RUNNER` when it is set, for testing
/// another target (`qemu-aarch64 -L /usr/aarch64-linux-gnu`, say).
pub fn bin() -> Command {
    let exe = env!("CARGO_BIN_EXE_nmf-topics");
    let runner = std::env::var("NMF_TOPICS_TEST_RUNNER").unwrap_or_default();
    let mut words = runner.split_whitespace();
    match words.next() {
        Some(program) => {
            let mut command = Command::new(program);
            command.args(words).arg(exe);
            command
        }
        None => Command::new(exe),
    }
}

/// Runs the binary with `args` and no standard input.
pub fn run(args: &[&str]) -> Output {
    bin()
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("the binary runs")
}

/// Runs the binary with `args`, feeding `input` on standard input.
pub fn run_with_stdin(args: &[&str], input: &[u8]) -> Output {
    use std::io::Write;
    let mut child = bin()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

/// Standard output as text.
pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Standard error as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A fresh temporary folder, removed when dropped.
pub fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("a temporary folder")
}

/// The shipped default corpus.
pub fn default_corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpora/debian-5000.jsonl.gz")
}

/// The full shared corpus, when this machine has it.
pub fn shared_corpus() -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpora/debian-descriptions.jsonl.gz");
    path.is_file().then_some(path)
}

/// Files in `dir` (names), sorted: to check that nothing half-written was left.
pub fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A small seeded generator for test data (SplitMix64), independent of any crate's streams.
pub struct TestRng(u64);

impl TestRng {
    pub fn new(seed: u64) -> Self {
        TestRng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Poisson with mean `lambda` (Knuth for small means, normal approximation above 30).
    pub fn poisson(&mut self, lambda: f64) -> u32 {
        if lambda <= 0.0 {
            return 0;
        }
        if lambda > 30.0 {
            let u1 = self.uniform().max(1e-300);
            let u2 = self.uniform();
            let z = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
            return (lambda + z * lambda.sqrt()).round().max(0.0) as u32;
        }
        let limit = (-lambda).exp();
        let mut k = 0;
        let mut p = self.uniform();
        while p > limit {
            k += 1;
            p *= self.uniform();
        }
        k
    }
}

/// V as CSC and CSR from a dense `(rows, cols)` row-major matrix.
pub fn sparse_from_dense(rows: usize, cols: usize, dense: &[f32]) -> (Sparse, Sparse) {
    let mut tri = sprs::TriMatI::<f32, u32>::new((rows, cols));
    for r in 0..rows {
        for c in 0..cols {
            let v = dense[r * cols + c];
            if v != 0.0 {
                tri.add_triplet(r, c, v);
            }
        }
    }
    let csc: Sparse = tri.to_csc();
    let csr = csc.to_other_storage();
    (csc, csr)
}

/// A path as an argument.
pub fn arg(path: &Path) -> &str {
    path.to_str().expect("temporary paths are UTF-8")
}

/// Runs the binary and checks that it succeeded.
pub fn run_ok(args: &[&str]) -> Output {
    let out = run(args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "nmf-topics {}\nstderr:\n{}",
        args.join(" "),
        stderr(&out)
    );
    out
}

/// Runs the binary, checks that it failed with exit code 2 and no panic, and returns its
/// standard error.
pub fn run_err(args: &[&str]) -> String {
    let out = run(args);
    let err = stderr(&out);
    assert_eq!(
        out.status.code(),
        Some(2),
        "nmf-topics {} should fail\nstderr:\n{err}",
        args.join(" ")
    );
    assert!(err.starts_with("error:"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    err
}

/// `fit` of the shipped corpus, small and fast, saved to `dir/model`; returns the model's path.
pub fn fit_small_model(dir: &Path, extra: &[&str]) -> PathBuf {
    let model = dir.join("model");
    let corpus = default_corpus();
    let mut args = vec![
        "fit",
        arg(&corpus),
        "-k",
        "6",
        "--max-iter",
        "30",
        "--quiet",
        "--model",
        arg(&model),
    ];
    args.extend_from_slice(extra);
    run_ok(&args);
    model
}
