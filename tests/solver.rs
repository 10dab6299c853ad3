//! KL-MU against a dense, naive reference, and its properties (planted topics, for every
//! solver, are in `seam.rs`).

use nmf_topics::corpus::limits::MIN_COUNT;
use nmf_topics::matrix::Sparse;
use nmf_topics::nmf::{Init, KlMu, Nmf, NmfError, StopReason, StopRule};
use proptest::prelude::*;

use crate::util::{sparse_from_dense, TestRng};

/// The obvious implementation, in f64, over every entry of a dense V `(n, m)`, W `(n, k)` and
/// Hᵀ `(m, k)`.
struct Dense {
    n: usize,
    m: usize,
    k: usize,
    v: Vec<f64>,
}

impl Dense {
    fn wh(&self, w: &[f64], h: &[f64], i: usize, j: usize) -> f64 {
        (0..self.k)
            .map(|t| w[i * self.k + t] * h[j * self.k + t])
            .sum()
    }

    fn divergence(&self, w: &[f64], h: &[f64]) -> f64 {
        let mut d = 0.0;
        for i in 0..self.n {
            for j in 0..self.m {
                let v = self.v[i * self.m + j];
                let wh = self.wh(w, h, i, j);
                d += wh - v;
                if v > 0.0 {
                    d += v * (v / wh).ln();
                }
            }
        }
        d
    }

    fn update_h(&self, w: &[f64], h: &[f64]) -> Vec<f64> {
        let mut out = h.to_vec();
        for j in 0..self.m {
            for t in 0..self.k {
                let (mut num, mut den) = (0.0, 0.0);
                for i in 0..self.n {
                    num += w[i * self.k + t] * self.v[i * self.m + j] / self.wh(w, h, i, j);
                    den += w[i * self.k + t];
                }
                out[j * self.k + t] = h[j * self.k + t] * num / den;
            }
        }
        out
    }

    fn update_w(&self, w: &[f64], h: &[f64]) -> Vec<f64> {
        let mut out = w.to_vec();
        for i in 0..self.n {
            for t in 0..self.k {
                let (mut num, mut den) = (0.0, 0.0);
                for j in 0..self.m {
                    num += h[j * self.k + t] * self.v[i * self.m + j] / self.wh(w, h, i, j);
                    den += h[j * self.k + t];
                }
                out[i * self.k + t] = w[i * self.k + t] * num / den;
            }
        }
        out
    }
}

/// A random sparse count matrix `(n, m)` (about `density` non-zero), and positive factors.
fn random_problem(
    n: usize,
    m: usize,
    k: usize,
    density: f64,
    seed: u64,
) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
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
    let w: Vec<f32> = (0..n * k).map(|_| 0.1 + rng.uniform() as f32).collect();
    let h: Vec<f32> = (0..m * k).map(|_| 0.1 + rng.uniform() as f32).collect();
    (v, w, h)
}

fn as_f64(x: &[f32]) -> Vec<f64> {
    x.iter().map(|&v| v as f64).collect()
}

fn assert_close(got: &[f32], want: &[f64], rel: f64, what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: lengths");
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        let err = (g as f64 - w).abs() / w.abs().max(1e-6);
        assert!(
            err < rel,
            "{what}[{i}]: {g} vs {w} (relative error {err:e})"
        );
    }
}

fn solver_w(s: &KlMu, n: usize) -> Vec<f32> {
    (0..n).flat_map(|i| s.w_row(i).to_vec()).collect()
}

fn solver_h(s: &KlMu, m: usize) -> Vec<f32> {
    (0..m).flat_map(|j| s.h_column(j).to_vec()).collect()
}

#[test]
fn divergence_and_both_updates_equal_the_dense_reference() {
    for (n, m, k, seed) in [
        (7, 5, 1, 1),
        (20, 13, 3, 2),
        (31, 40, 9, 3),
        (50, 17, 16, 4),
        // More than 64 topics: the rows no longer fit in registers.
        (90, 80, 70, 5),
    ] {
        let (v, w0, h0) = random_problem(n, m, k, 0.4, seed);
        let (csc, csr) = sparse_from_dense(n, m, &v);
        let dense = Dense {
            n,
            m,
            k,
            v: as_f64(&v),
        };
        let (w, h) = (as_f64(&w0), as_f64(&h0));
        for portable in [false, true] {
            let mut s = KlMu::new(&csc, &csr, k, &w0, &h0).unwrap();
            if portable {
                s.use_portable_kernel();
            }
            let what = format!("{n}x{m} k={k} {}", s.kernel());
            let d0 = dense.divergence(&w, &h);
            assert!(
                (s.divergence() - d0).abs() / d0 < 1e-5,
                "{what}: divergence"
            );
            let fused = s.update_h(true).unwrap();
            assert!((fused - d0).abs() / d0 < 1e-5, "{what}: fused divergence");
            let h1 = dense.update_h(&w, &h);
            assert_close(&solver_h(&s, m), &h1, 1e-4, &format!("{what}: H"));
            s.update_w();
            let w1 = dense.update_w(&w, &h1);
            assert_close(&solver_w(&s, n), &w1, 1e-4, &format!("{what}: W"));
            let d1 = dense.divergence(&w1, &h1);
            assert!(
                (s.divergence() - d1).abs() / d1 < 1e-5,
                "{what}: divergence after"
            );
        }
    }
}

#[test]
fn the_fused_divergence_is_bit_identical_to_the_separate_pass() {
    let (v, w0, h0) = random_problem(60, 80, 5, 0.3, 9);
    let (csc, csr) = sparse_from_dense(60, 80, &v);
    let mut s = KlMu::new(&csc, &csr, 5, &w0, &h0).unwrap();
    for _ in 0..5 {
        let separate = s.divergence();
        assert_eq!(s.update_h(true).unwrap().to_bits(), separate.to_bits());
        s.update_w();
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Lee & Seung's theorem: neither update increases D. Each term of D is computed from an f32
    /// (WH), so rounding may move it by about 1e-7 of its count: the slack is 1e-6 of Σ V.
    #[test]
    fn the_divergence_never_increases(
        n in 2usize..40, m in 2usize..40, k in 1usize..10, density in 0.05f64..0.9, seed in 0u64..1000,
    ) {
        let k = k.min(n).min(m);
        let (v, _, _) = random_problem(n, m, k, density, seed);
        prop_assume!(v.iter().any(|&x| x > 0.0));
        let (csc, csr) = sparse_from_dense(n, m, &v);
        let slack = 1e-6 * v.iter().map(|&x| x as f64).sum::<f64>();
        let mut s = KlMu::random(&csc, &csr, k, seed).unwrap();
        let mut before = s.divergence();
        for it in 0..60 {
            s.update_h(false);
            let mid = s.divergence();
            prop_assert!(mid <= before + slack, "H update {}: {} → {}", it, before, mid);
            s.update_w();
            let after = s.divergence();
            prop_assert!(after <= mid + slack, "W update {}: {} → {}", it, mid, after);
            before = after;
        }
        for i in 0..n {
            prop_assert!(s.w_row(i).iter().all(|x| x.is_finite() && *x >= 0.0));
        }
        for j in 0..m {
            prop_assert!(s.h_column(j).iter().all(|x| x.is_finite() && *x >= 0.0));
        }
    }
}

#[test]
fn factors_stay_finite_on_hostile_matrices() {
    // Counts at both ends of the range the solver takes, empty rows and columns, K as large as
    // allowed.
    let (n, m) = (12, 9);
    let mut v = vec![0f32; n * m];
    v[0] = 9.9e29;
    v[1] = MIN_COUNT;
    v[m + 2] = 3.0;
    v[5 * m + 8] = 1e6;
    v[11 * m] = 0.5;
    let (csc, csr) = sparse_from_dense(n, m, &v);
    let (model, fit) = Nmf::new(9)
        .max_iter(300)
        .tol(0.0)
        .threads(2)
        .fit(&csc, &csr)
        .unwrap();
    assert!(fit.divergence.is_finite());
    assert!(fit.trace.iter().all(|p| p.divergence.is_finite()));
    assert!(model
        .w()
        .iter()
        .chain(model.h())
        .all(|x| x.is_finite() && *x >= 0.0));
    for d in 0..m {
        assert!(model.document_weights(d).iter().all(|x| x.is_finite()));
    }
}

#[test]
fn counts_outside_the_range_are_refused_not_fitted_to_nan() {
    let fit = |values: &[f32]| {
        let (csc, csr) = sparse_from_dense(2, 2, values);
        Nmf::new(1).max_iter(20).threads(1).fit(&csc, &csr)
    };
    for values in [
        [1e-40, 0.0, 0.0, 1e-40],
        [1e-7, 1.0, 1.0, 1.0],
        [3e38, 0.0, 0.0, 3e38],
        [6e29, 6e29, 1.0, 1.0],
        [f32::INFINITY, 1.0, 1.0, 1.0],
        [f32::NAN, 1.0, 1.0, 1.0],
        [-1.0, 1.0, 1.0, 1.0],
    ] {
        match fit(&values) {
            Err(NmfError::Values(message)) => {
                assert!(message.starts_with("V"), "{values:?}: {message}")
            }
            other => panic!("{values:?}: {other:?}"),
        }
    }
    let (_, report) = fit(&[MIN_COUNT, 0.0, 0.0, MIN_COUNT]).unwrap();
    assert!(report.divergence.is_finite());
    let (_, report) = fit(&[4e29, 1.0, 1.0, 5e29]).unwrap();
    assert!(report.divergence.is_finite());
}

/// A random matrix big enough to be cut into many chunks.
fn big_problem() -> (Sparse, Sparse) {
    let (n, m) = (400, 900);
    let (v, _, _) = random_problem(n, m, 1, 0.08, 77);
    sparse_from_dense(n, m, &v)
}

#[test]
fn any_thread_count_gives_identical_bits() {
    let (csc, csr) = big_problem();
    let fit = |threads| {
        Nmf::new(12)
            .max_iter(40)
            .tol(0.0)
            .seed(5)
            .threads(threads)
            .fit(&csc, &csr)
            .unwrap()
    };
    let (m1, f1) = fit(1);
    for threads in [2, 3, 7] {
        let (m, f) = fit(threads);
        let bits = |x: &[f32]| x.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(m.w()), bits(m1.w()), "W with {threads} threads");
        assert_eq!(bits(m.h()), bits(m1.h()), "H with {threads} threads");
        assert_eq!(f.divergence.to_bits(), f1.divergence.to_bits());
        assert_eq!(f.trace, f1.trace);
    }
    let (_, other_seed) = Nmf::new(12)
        .max_iter(40)
        .tol(0.0)
        .seed(6)
        .fit(&csc, &csr)
        .unwrap();
    assert_ne!(other_seed.divergence, f1.divergence);
}

#[test]
fn the_fast_kernel_reaches_the_same_divergence_as_the_portable_one() {
    let (csc, csr) = big_problem();
    let run = |portable: bool| {
        let mut s = KlMu::random(&csc, &csr, 10, 3).unwrap();
        if portable {
            s.use_portable_kernel();
        }
        for _ in 0..100 {
            s.update_h(false);
            s.update_w();
        }
        s.divergence()
    };
    let (fast, portable) = (run(false), run(true));
    assert!(
        (fast - portable).abs() / portable < 1e-3,
        "{fast} vs {portable}"
    );
}

#[test]
fn the_model_is_normalised_and_ordered_by_share() {
    let (csc, csr) = big_problem();
    let (model, fit) = Nmf::new(6).max_iter(30).fit(&csc, &csr).unwrap();
    for k in 0..6 {
        let total: f64 = (0..model.n_words())
            .map(|w| model.word_row(w)[k] as f64)
            .sum();
        assert!((total - 1.0).abs() < 1e-4, "topic {k} sums to {total}");
    }
    let shares = model.topic_shares();
    assert!(shares.windows(2).all(|p| p[0] >= p[1]), "{shares:?}");
    assert!((shares.iter().sum::<f64>() - 1.0).abs() < 1e-9);
    // H holds expected counts: they add up to the corpus's tokens (a fixed point of KL-NMF).
    let tokens: f64 = csc.data().iter().map(|&x| x as f64).sum();
    let expected: f64 = model.topic_totals().iter().sum();
    assert!(
        (expected - tokens).abs() / tokens < 1e-3,
        "{expected} vs {tokens}"
    );
    for d in 0..model.n_documents() {
        let s: f32 = model.document_weights(d).iter().sum();
        assert!(s == 0.0 || (s - 1.0).abs() < 1e-4);
    }
    assert_eq!(fit.iterations, 30);
}

#[test]
fn stopping_follows_tol_and_max_iter() {
    let (csc, csr) = big_problem();
    let (_, loose) = Nmf::new(5).tol(1e-2).max_iter(500).fit(&csc, &csr).unwrap();
    assert_eq!(loose.stop, StopReason::Converged);
    assert!(
        loose.iterations < 500 && loose.iterations % 10 == 1,
        "{}",
        loose.iterations
    );
    let last = loose.trace[loose.trace.len() - 2];
    let before = loose
        .trace
        .iter()
        .find(|p| p.iteration + 10 == last.iteration)
        .unwrap();
    assert!((before.divergence - last.divergence) / before.divergence < 1e-2);
    let (_, all) = Nmf::new(5).tol(0.0).max_iter(37).fit(&csc, &csr).unwrap();
    assert_eq!((all.stop, all.iterations), (StopReason::MaxIter, 37));
    assert_eq!(all.trace.first().unwrap().iteration, 0);
    assert_eq!(all.trace.last().unwrap().iteration, 37);
    assert!(all
        .trace
        .windows(2)
        .all(|p| p[1].divergence <= p[0].divergence));
}

#[test]
fn bad_parameters_are_refused_with_their_rule() {
    let (csc, csr) = big_problem();
    let err = |nmf: Nmf| nmf.fit(&csc, &csr).unwrap_err();
    assert!(matches!(err(Nmf::new(0)), NmfError::Topics { k: 0, .. }));
    assert!(matches!(
        err(Nmf::new(401)),
        NmfError::Topics { words: 400, .. }
    ));
    assert_eq!(err(Nmf::new(3).tol(-1.0)), NmfError::Tolerance(-1.0));
    assert!(matches!(
        err(Nmf::new(3).tol(f64::NAN)),
        NmfError::Tolerance(_)
    ));
    assert_eq!(err(Nmf::new(3).max_iter(0)), NmfError::MaxIter);
    assert_eq!(err(Nmf::new(3).threads(0)), NmfError::Threads(0));
    assert!(Nmf::new(401)
        .fit(&csc, &csr)
        .unwrap_err()
        .to_string()
        .contains("--topics 401"));
    assert!(matches!(
        Nmf::new(3).fit(&csr, &csc),
        Err(NmfError::Matrix(_))
    ));
}

// ---------------------------------------------------------------------------------------------
// Solving H with W fixed (the end of a fit, and transform)

#[test]
fn solve_h_equals_the_dense_reference_from_a_uniform_start() {
    let (n, m, k) = (30, 25, 4);
    let (v, w, _) = random_problem(n, m, k, 0.3, 11);
    let (csc, csr) = sparse_from_dense(n, m, &v);
    let dense = Dense {
        n,
        m,
        k,
        v: as_f64(&v),
    };
    for updates in [1, 3, 8] {
        let mut s = KlMu::new(&csc, &csr, k, &w, &vec![0.0; m * k]).unwrap();
        let stats = s.solve_h(updates, 0.0);
        let wd = as_f64(&w);
        // Uniform start: the document's count spread evenly over the topics.
        let mut h: Vec<f64> = (0..m)
            .flat_map(|j| {
                let total: f64 = (0..n).map(|i| dense.v[i * m + j]).sum();
                std::iter::repeat_n(total / k as f64, k)
            })
            .collect();
        for _ in 0..updates {
            h = dense.update_h(&wd, &h);
        }
        // A document without words stays at 0 without an update.
        for (j, stat) in stats.iter().enumerate() {
            let empty = (0..n).all(|i| dense.v[i * m + j] == 0.0);
            assert_eq!(*stat, (if empty { 0 } else { updates as u32 }, empty));
        }
        assert_close(&solver_h(&s, m), &h, 1e-4, &format!("H after {updates}"));
    }
}

#[test]
fn solving_h_never_increases_the_divergence() {
    let (csc, csr) = big_problem();
    let (model, _) = Nmf::new(8)
        .max_iter(20)
        .transform_max_iter(0)
        .seed(2)
        .fit(&csc, &csr)
        .unwrap();
    let m = csc.cols();
    let mut last = f64::INFINITY;
    for updates in 1..=40 {
        let mut s = KlMu::new(&csc, &csr, 8, model.w(), &vec![0.0; m * 8]).unwrap();
        s.solve_h(updates, 1e-6);
        let d = s.divergence();
        assert!(d.is_finite());
        assert!(d <= last * (1.0 + 1e-9), "{updates} updates: {d} > {last}");
        last = d;
    }
}

#[test]
fn a_documents_weights_depend_neither_on_the_others_nor_on_the_threads() {
    let (csc, csr) = big_problem();
    let nmf = Nmf::new(7).max_iter(15).seed(4);
    let (model, _) = nmf.clone().threads(2).fit(&csc, &csr).unwrap();
    let bits = |x: &[f32]| x.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
    let (all, _) = nmf
        .clone()
        .threads(1)
        .transform(&model, &csc, &csr)
        .unwrap();
    let (all3, report) = nmf
        .clone()
        .threads(3)
        .transform(&model, &csc, &csr)
        .unwrap();
    assert_eq!(bits(&all), bits(&all3), "1 and 3 threads");
    assert_eq!(report.documents, csc.cols());
    // Every third document on its own.
    let picked: Vec<usize> = (0..csc.cols()).step_by(3).collect();
    let dense: Vec<f32> = {
        let n = csc.rows();
        let mut d = vec![0f32; n * picked.len()];
        for (c, &j) in picked.iter().enumerate() {
            for (i, &x) in csc.outer_view(j).unwrap().iter() {
                d[i * picked.len() + c] = x;
            }
        }
        d
    };
    let (sub_csc, sub_csr) = sparse_from_dense(csc.rows(), picked.len(), &dense);
    let (some, _) = nmf.transform(&model, &sub_csc, &sub_csr).unwrap();
    for (c, &j) in picked.iter().enumerate() {
        assert_eq!(
            bits(&some[c * 7..][..7]),
            bits(&all[j * 7..][..7]),
            "doc {j}"
        );
    }
}

#[test]
fn a_fit_ends_with_the_weights_transform_gives_and_a_lower_divergence() {
    let (csc, csr) = big_problem();
    let nmf = Nmf::new(9).max_iter(25).tol(0.0).seed(8);
    let (model, fit) = nmf.fit(&csc, &csr).unwrap();
    let joint = fit.trace.last().unwrap().divergence;
    assert!(fit.divergence < joint, "{} vs {joint}", fit.divergence);
    let report = fit.transform.as_ref().unwrap();
    assert_eq!(report.documents, csc.cols());
    assert!(report.iterations_max >= 1);
    let (h, _) = nmf.transform(&model, &csc, &csr).unwrap();
    let bits = |x: &[f32]| x.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
    assert_eq!(
        bits(&h),
        bits(model.h()),
        "transform gives back the fitted H"
    );
    // Each document's counts sum to its words.
    for j in 0..csc.cols() {
        let words: f64 = csc
            .outer_view(j)
            .unwrap()
            .data()
            .iter()
            .map(|&x| x as f64)
            .sum();
        let counts: f64 = model.document_counts(j).iter().map(|&x| x as f64).sum();
        assert!((words - counts).abs() <= 1e-3 * words.max(1.0), "doc {j}");
    }
    // Without the step, H is where the joint updates left it.
    let (_, plain) = nmf.transform_max_iter(0).fit(&csc, &csr).unwrap();
    assert!(plain.transform.is_none());
    assert_eq!(plain.divergence, joint);
}

#[test]
fn restarts_keep_the_run_of_lowest_divergence() {
    let (csc, csr) = big_problem();
    let nmf = Nmf::new(6)
        .max_iter(30)
        .tol(0.0)
        .seed(10)
        .init(Init::Random);
    let (best, fit) = nmf.clone().restarts(3).fit(&csc, &csr).unwrap();
    let seeds: Vec<u64> = fit.restarts.iter().map(|r| r.seed).collect();
    assert_eq!(seeds, [10, 11, 12]);
    let mut singles = Vec::new();
    for seed in seeds {
        let (model, single) = nmf.clone().seed(seed).fit(&csc, &csr).unwrap();
        assert!(single.restarts.is_empty());
        let recorded = fit.restarts.iter().find(|r| r.seed == seed).unwrap();
        assert_eq!(recorded.divergence, single.trace.last().unwrap().divergence);
        singles.push((recorded.divergence, model, single));
    }
    let distinct: std::collections::BTreeSet<u64> = singles.iter().map(|s| s.0.to_bits()).collect();
    assert_eq!(distinct.len(), 3, "the seeds should give different runs");
    let (_, model, single) = singles
        .into_iter()
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .unwrap();
    assert_eq!(best, model);
    assert_eq!(fit.divergence, single.divergence);
}

#[test]
fn connectivity_stops_once_no_document_changes_its_topic() {
    let (csc, csr) = big_problem();
    let (_, fit) = Nmf::new(4)
        .init(Init::Random)
        .stop(StopRule::Connectivity)
        .stable(3)
        .max_iter(2000)
        .seed(2)
        .fit(&csc, &csr)
        .unwrap();
    assert_eq!(fit.stop, StopReason::Connectivity);
    assert!(fit.iterations < 2000 && fit.iterations % 10 == 0);
    // Step the same start by hand: the assignment is the same at the last 4 checks (3 stable
    // checks after the first), and differs just before them.
    let mut solver = KlMu::random(&csc, &csr, 4, 2).unwrap();
    let n_docs = csc.shape().1;
    let mut checks = Vec::new();
    for i in 1..=fit.iterations {
        solver.update_h(false);
        solver.update_w();
        if i % 10 == 0 {
            let mut assigned = vec![0u32; n_docs];
            solver.assign_documents(&mut assigned);
            checks.push(assigned);
        }
    }
    let n = checks.len();
    assert!(n >= 5, "{n} checks");
    assert!(checks[n - 4..].windows(2).all(|w| w[0] == w[1]));
    assert_ne!(checks[n - 5], checks[n - 4]);
    assert_eq!(fit.connectivity_changed, Some(0));

    // Stopped by max_iter at the last check that saw a change, the fit says how many moved.
    let moved = checks[n - 5]
        .iter()
        .zip(&checks[n - 4])
        .filter(|(a, b)| a != b)
        .count();
    let (_, cut) = Nmf::new(4)
        .init(Init::Random)
        .stop(StopRule::Connectivity)
        .stable(3)
        .max_iter((n - 3) * 10)
        .seed(2)
        .fit(&csc, &csr)
        .unwrap();
    assert_eq!(cut.stop, StopReason::MaxIter);
    assert_eq!(cut.connectivity_changed, Some(moved));
    let (_, by_divergence) = Nmf::new(4).max_iter(20).fit(&csc, &csr).unwrap();
    assert_eq!(by_divergence.connectivity_changed, None);
}

#[test]
fn restarts_and_stable_must_be_positive() {
    let (csc, csr) = big_problem();
    assert!(Nmf::new(3).restarts(0).fit(&csc, &csr).is_err());
    assert!(Nmf::new(3).stable(0).fit(&csc, &csr).is_err());
}
