//! KL coordinate descent (`--solver cd`): one half step against a dense, naive reference, the
//! divergence after every step, a step further than KL-MU's, the same bits on any thread count
//! through the command line, and `transform` with a cd model. The seam's contract tests
//! (`seam.rs`) hold it to the rest, planted topics among them.

use nmf_topics::matrix::Sparse;
use nmf_topics::nmf::{Data, Init, Loss, Nmf, Solver, Start};

use crate::util::{self, arg, run_ok, sparse_from_dense, TestRng};

fn cd(k: usize) -> Nmf {
    Nmf::new(k).solver(Solver::Cd).loss(Loss::Kl)
}

/// A random count matrix `(n, m)`, about `density` non-zero, as a dense row-major array too.
fn counts(n: usize, m: usize, density: f64, seed: u64) -> (Vec<f32>, Sparse, Sparse) {
    let mut rng = TestRng::new(seed);
    let v: Vec<f32> = (0..n * m)
        .map(|_| {
            if rng.uniform() < density {
                1.0 + (rng.uniform() * 5.0).floor() as f32
            } else {
                0.0
            }
        })
        .collect();
    let (csc, csr) = sparse_from_dense(n, m, &v);
    (v, csc, csr)
}

/// One H half step of coordinate descent, the obvious way in f64 over a dense V `(n, m)`, W
/// `(n, k)` and Hᵀ `(m, k)`: each document's weights in turn, each by one Newton step taken no
/// lower than the multiplicative update's point, (WH) recomputed in full every time.
fn dense_h_step(v: &[f32], w: &[f64], h: &mut [f64], n: usize, m: usize, k: usize) {
    for j in 0..m {
        for t in 0..k {
            let c: f64 = (0..n).map(|i| w[i * k + t]).sum();
            let (mut s, mut h2) = (0.0, 0.0);
            for i in 0..n {
                let x = v[i * m + j] as f64;
                if x > 0.0 {
                    let wh: f64 = (0..k).map(|u| w[i * k + u] * h[j * k + u]).sum();
                    s += w[i * k + t] * x / wh;
                    h2 += w[i * k + t] * w[i * k + t] * x / (wh * wh);
                }
            }
            let x0 = h[j * k + t];
            let grad = c - s;
            h[j * k + t] = if grad < 0.0 {
                x0 - grad / h2
            } else if grad > 0.0 {
                (x0 - grad / h2).max(0.0).max(x0 * s / c)
            } else {
                x0
            };
        }
    }
}

/// W·H of Wᵀ-rows `w` `(n, k)` and Hᵀ `h` `(m, k)`, `(n, m)`.
fn product(w: &[f64], h: &[f64], n: usize, m: usize, k: usize) -> Vec<f64> {
    let mut out = vec![0.0; n * m];
    for i in 0..n {
        for j in 0..m {
            out[i * m + j] = (0..k).map(|t| w[i * k + t] * h[j * k + t]).sum();
        }
    }
    out
}

#[test]
fn a_half_step_equals_the_dense_reference() {
    for (n, m, k, seed) in [(30, 40, 3, 1), (25, 60, 11, 2), (50, 35, 17, 3)] {
        let (v, csc, csr) = counts(n, m, 0.3, seed);
        let mut rng = TestRng::new(seed + 100);
        let w: Vec<f32> = (0..n * k).map(|_| 0.1 + rng.uniform() as f32).collect();
        let h: Vec<f32> = (0..m * k).map(|_| 0.1 + rng.uniform() as f32).collect();
        let data = Data::new(&csc, &csr).unwrap();
        let start = Start::Factors { w: &w, h: &h };
        let mut solver = cd(k).joint_solver(data, start).unwrap();
        solver.update_h(false);
        let model = solver.into_model();
        let got = product(
            &model.w().iter().map(|&x| x as f64).collect::<Vec<_>>(),
            &model.h().iter().map(|&x| x as f64).collect::<Vec<_>>(),
            n,
            m,
            k,
        );
        let w64: Vec<f64> = w.iter().map(|&x| x as f64).collect();
        let mut h64: Vec<f64> = h.iter().map(|&x| x as f64).collect();
        dense_h_step(&v, &w64, &mut h64, n, m, k);
        let want = product(&w64, &h64, n, m, k);
        for (at, (g, e)) in got.iter().zip(&want).enumerate() {
            assert!(
                (g - e).abs() <= 1e-4 * e.abs().max(1e-3),
                "n {n} m {m} k {k}: WH[{at}] {g} against {e}"
            );
        }
    }
}

/// The divergence after every step, from `start`.
fn losses(nmf: &Nmf, csc: &Sparse, csr: &Sparse, start: Start, steps: usize) -> Vec<f64> {
    let data = Data::new(csc, csr).unwrap();
    let mut solver = nmf.joint_solver(data, start).unwrap();
    let mut out = vec![solver.loss()];
    for _ in 0..steps {
        solver.step(false);
        out.push(solver.loss());
    }
    out
}

#[test]
fn the_divergence_never_rises_from_any_start() {
    let mut checked = 0;
    for (n, m, density, seed) in [(80, 120, 0.05, 4), (60, 200, 0.2, 5), (150, 90, 0.1, 6)] {
        let (_, csc, csr) = counts(n, m, density, seed);
        let total: f64 = csc.data().iter().map(|&x| x as f64).sum();
        for k in [2, 9, 20] {
            for init in [Init::Nndsvda, Init::Random] {
                for portable in [false, true] {
                    let nmf = cd(k).init(init).portable(portable);
                    let d = losses(&nmf, &csc, &csr, Start::Seed(seed), 40);
                    for (i, pair) in d.windows(2).enumerate() {
                        // f32 factors: each term may round by about 1e-7 of its count.
                        assert!(
                            pair[1].is_finite() && pair[1] <= pair[0] + 1e-6 * total,
                            "k {k}, {init} start, portable {portable}, step {i}: {} → {}",
                            pair[0],
                            pair[1]
                        );
                    }
                    assert!(d[40] < d[0], "k {k}, {init}: no progress");
                    checked += 1;
                }
            }
        }
    }
    assert_eq!(checked, 36);
}

/// The document solve (`transform`, the end of `fit`) against the conditions of a minimum, each
/// weight's derivative computed from scratch in f64, and its zeros exact.
#[test]
fn the_document_solve_ends_at_each_documents_minimum_with_exact_zeros() {
    let (n, m, k) = (70, 150, 8);
    let (v, csc, csr) = counts(n, m, 0.12, 8);
    let mut rng = TestRng::new(9);
    // A W with a weak topic or two per word, so that many documents' best weights are zero.
    let w: Vec<f32> = (0..n * k)
        .map(|_| {
            if rng.uniform() < 0.4 {
                rng.uniform() as f32
            } else {
                0.0
            }
        })
        .collect();
    let col: Vec<f64> = (0..k)
        .map(|t| (0..n).map(|i| w[i * k + t] as f64).sum())
        .collect();
    let data = Data::new(&csc, &csr).unwrap();
    for portable in [false, true] {
        let mut solver = cd(k)
            .portable(portable)
            .document_solver(data, k, &w)
            .unwrap();
        let stats = solver.solve(1000, 1e-7);
        // A document with fewer words than topics may have a flat valley of minima, which
        // cyclic steps creep along: most documents stop, and every one must be at a minimum.
        let done = stats.iter().filter(|s| s.1).count();
        assert!(done >= m * 95 / 100, "{done} of {m} documents converged");
        let h = solver.h();
        let (mut zeros, mut positive) = (0, 0);
        for d in 0..m {
            let x = &h[d * k..][..k];
            let words: Vec<usize> = (0..n).filter(|&i| v[i * m + d] > 0.0).collect();
            let wh = |i: usize| -> f64 { (0..k).map(|t| w[i * k + t] as f64 * x[t] as f64).sum() };
            let total: f64 = words.iter().map(|&i| v[i * m + d] as f64).sum();
            for t in 0..k {
                // f'(x_t) = c_t − Σ_i W_it v_i / (WH)_i: zero at a positive minimum, ≥ 0 at zero.
                let grad = col[t]
                    - words
                        .iter()
                        // A word no topic has is left out: W's row there is zero.
                        .filter(|&&i| wh(i) > 0.0)
                        .map(|&i| w[i * k + t] as f64 * v[i * m + d] as f64 / wh(i))
                        .sum::<f64>();
                if x[t] > 0.0 {
                    // Moving x_t by a fraction changes D by about that fraction of x_t·f'.
                    positive += 1;
                    let gain = (x[t] as f64 * grad).abs();
                    assert!(
                        gain < 1e-4 * total,
                        "doc {d} topic {t}: x {} f' {grad}",
                        x[t]
                    );
                } else {
                    zeros += 1;
                    assert!(
                        grad > -1e-3 * col[t],
                        "doc {d} topic {t} at zero: f' {grad}"
                    );
                }
            }
        }
        // Exact zeros, not weights shrinking towards them (the floor's rule left 193 here).
        assert!(
            zeros > 2 * m && positive > m,
            "{zeros} zeros, {positive} positive weights"
        );
    }
}

#[test]
fn a_step_goes_further_than_a_multiplicative_one_and_kernels_agree() {
    let (_, csc, csr) = counts(200, 300, 0.08, 7);
    for k in [5, 16] {
        // A random start, the same for both (their NNDSVD starts differ in power iterations).
        let mu = Nmf::new(k).solver(Solver::Mu).init(Init::Random);
        let mu = losses(&mu, &csc, &csr, Start::Seed(1), 20);
        let cd = cd(k).init(Init::Random);
        let fast = losses(&cd, &csc, &csr, Start::Seed(1), 20);
        let portable = losses(&cd.clone().portable(true), &csc, &csr, Start::Seed(1), 20);
        // Each solver sums (WH) in its own order.
        assert!(
            (mu[0] - fast[0]).abs() <= 1e-6 * mu[0],
            "{} {}",
            mu[0],
            fast[0]
        );
        for i in [1, 5, 20] {
            assert!(
                fast[i] < mu[i],
                "k {k}, step {i}: cd {} mu {}",
                fast[i],
                mu[i]
            );
            assert!(
                (fast[i] - portable[i]).abs() <= 1e-5 * fast[i],
                "k {k}, step {i}: {} against the portable kernel's {}",
                fast[i],
                portable[i]
            );
        }
    }
}

/// `fit --solver cd` of the shipped corpus on `threads` threads: the doc-topics CSV and the
/// JSON report.
fn fit_cd(dir: &std::path::Path, threads: &str) -> (String, serde_json::Value) {
    fit_cd_with(dir, threads, &[])
}

/// As [`fit_cd`], with `extra` arguments.
fn fit_cd_with(
    dir: &std::path::Path,
    threads: &str,
    extra: &[&str],
) -> (String, serde_json::Value) {
    let name = format!("{threads}{}", extra.concat());
    let csv = dir.join(format!("doc-topics-{name}.csv"));
    let json = dir.join(format!("fit-{name}.json"));
    let corpus = util::default_corpus();
    run_ok(
        &[
            "fit",
            arg(&corpus),
            "-k",
            "6",
            "--solver",
            "cd",
            "--max-iter",
            "40",
            "--threads",
            threads,
            "--quiet",
            "--doc-topics",
            arg(&csv),
            "--json",
            arg(&json),
        ]
        .iter()
        .chain(extra)
        .copied()
        .collect::<Vec<_>>(),
    );
    let report = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    (std::fs::read_to_string(&csv).unwrap(), report)
}

#[test]
fn fit_solver_cd_gives_the_same_bits_on_any_thread_count_and_reports_as_mu_does() {
    let dir = util::tempdir();
    let (one, report) = fit_cd(dir.path(), "1");
    for threads in ["2", "3"] {
        let (again, other) = fit_cd(dir.path(), threads);
        assert!(again == one, "{threads} threads: other weights");
        assert_eq!(report["topics"], other["topics"], "{threads} threads");
    }
    let fit = &report["fit"];
    assert_eq!(report["parameters"]["nmf"]["solver"], "cd");
    let trace = fit["divergence_trace"].as_array().unwrap();
    assert!(trace.len() >= 2, "{fit:#}");
    let values: Vec<f64> = trace
        .iter()
        .map(|p| p["divergence"].as_f64().unwrap())
        .collect();
    assert!(values.windows(2).all(|w| w[1] <= w[0]), "{values:?}");
    assert!(fit["divergence"].as_f64().unwrap() <= *values.last().unwrap());
}

#[test]
fn transform_with_a_cd_model_gives_back_the_fitted_weights() {
    let dir = util::tempdir();
    let fitted = dir.path().join("fitted.csv");
    let corpus = util::default_corpus();
    let model = util::fit_small_model(
        dir.path(),
        &["--solver", "cd", "--doc-topics", arg(&fitted)],
    );
    let again = dir.path().join("again.csv");
    run_ok(&[
        "transform",
        "--model",
        arg(&model),
        arg(&corpus),
        "--csv",
        arg(&again),
        "--threads",
        "3",
        "-q",
    ]);
    let fitted = std::fs::read_to_string(&fitted).unwrap();
    assert!(fitted.lines().count() > 4900);
    assert_eq!(fitted, std::fs::read_to_string(&again).unwrap());
    // A mu model's weights differ: the model file chose the solver.
    let other = dir.path().join("mu");
    std::fs::create_dir(&other).unwrap();
    let mu_fitted = other.join("fitted.csv");
    util::fit_small_model(&other, &["--doc-topics", arg(&mu_fitted)]);
    assert_ne!(fitted, std::fs::read_to_string(&mu_fitted).unwrap());
}

#[test]
fn extrapolated_steps_stay_finite_and_end_as_low_as_plain_ones() {
    for (n, m, density, seed, k) in [(200, 300, 0.08, 7, 16), (150, 90, 0.1, 6, 9)] {
        let (_, csc, csr) = counts(n, m, density, seed);
        for init in [Init::Nndsvda, Init::Random] {
            let nmf = cd(k).init(init).extrapolate(true);
            let d = losses(&nmf, &csc, &csr, Start::Seed(seed), 60);
            let plain = losses(&cd(k).init(init), &csc, &csr, Start::Seed(seed), 60);
            assert_eq!(d[0].to_bits(), plain[0].to_bits(), "the same start");
            assert!(d.iter().all(|x| x.is_finite()), "{d:?}");
            // Noise has many minima: the pushes may settle in another, but as low within 1%.
            assert!(
                d[60] <= 1.01 * plain[60],
                "{n}×{m}, k {k}, {init}: {} against plain steps' {}",
                d[60],
                plain[60]
            );
            let data = Data::new(&csc, &csr).unwrap();
            let solver = nmf.joint_solver(data, Start::Seed(seed)).unwrap();
            assert!(
                !solver.descends(),
                "a push may raise the loss: the seam must not promise"
            );
        }
    }
}

/// The shipped corpus's count matrix, as `fit` builds it.
fn shipped_matrix(dir: &std::path::Path) -> nmf_topics::CountMatrix {
    let path = dir.join("v.mtx");
    let corpus = util::default_corpus();
    run_ok(&[
        "fit",
        arg(&corpus),
        "-k",
        "1",
        "--max-iter",
        "1",
        "-q",
        "--export-matrix",
        arg(&path),
    ]);
    let bag = nmf_topics::corpus::read_matrix_market(&path, &Default::default()).unwrap();
    let pruning = nmf_topics::Pruning {
        min_df: "1".parse().unwrap(),
        ..Default::default()
    };
    nmf_topics::CountMatrix::build(&bag, &pruning).unwrap()
}

#[test]
fn on_real_text_extrapolation_reaches_the_plain_steps_divergence_in_fewer_steps() {
    let dir = util::tempdir();
    let matrix = shipped_matrix(dir.path());
    for k in [10, 20] {
        let (csc, csr) = (matrix.by_doc(), matrix.by_word());
        let plain = losses(&cd(k), csc, csr, Start::Seed(0), 30);
        let fast = losses(&cd(k).extrapolate(true), csc, csr, Start::Seed(0), 30);
        let reached = fast.iter().position(|&d| d <= plain[30]);
        assert!(
            reached.is_some_and(|at| at <= 22),
            "k {k}: plain cd's 30-step divergence {} reached by the extrapolated at {reached:?}",
            plain[30]
        );
    }
}

#[test]
fn fit_extrapolate_gives_the_same_bits_on_any_thread_count_and_says_so() {
    let dir = util::tempdir();
    let (one, report) = fit_cd_with(dir.path(), "1", &["--extrapolate"]);
    for threads in ["2", "3"] {
        let (again, _) = fit_cd_with(dir.path(), threads, &["--extrapolate"]);
        assert!(again == one, "{threads} threads: other weights");
    }
    assert_eq!(report["parameters"]["nmf"]["extrapolate"], true);
    let (plain, _) = fit_cd(dir.path(), "1");
    assert_ne!(plain, one, "the pushes change the path");
    // The terminal report names it.
    let corpus = util::default_corpus();
    let out = run_ok(&[
        "fit",
        arg(&corpus),
        "-k",
        "4",
        "--solver",
        "cd",
        "--extrapolate",
        "--max-iter",
        "20",
    ]);
    let text = util::stdout(&out);
    assert!(
        text.contains("iterations of coordinate descent on the KL divergence, extrapolated"),
        "{text}"
    );
}

#[test]
fn extrapolate_with_a_solver_that_cannot_is_refused_before_any_work() {
    let corpus = util::default_corpus();
    let err = util::run_err(&["fit", arg(&corpus), "-k", "4", "--extrapolate", "-q"]);
    assert!(
        err.contains(
            "--extrapolate: --solver mu --loss kl does not extrapolate; these do: --solver cd --loss kl"
        ),
        "{err}"
    );
    let err = util::run_err(&[
        "fit",
        arg(&corpus),
        "-k",
        "4",
        "--solver",
        "cd",
        "--extrapolate",
        "--batch-size",
        "500",
        "-q",
    ]);
    assert!(
        err.contains("a mini-batch fit (--batch-size) has none"),
        "{err}"
    );
}

#[test]
fn a_model_fitted_with_extrapolation_takes_updates() {
    let dir = util::tempdir();
    let model = util::fit_small_model(dir.path(), &["--solver", "cd", "--extrapolate"]);
    let corpus = util::default_corpus();
    let out = run_ok(&[
        "update",
        arg(&model),
        arg(&corpus),
        "--batch-size",
        "2500",
        "-q",
    ]);
    assert!(out.status.success());
}
