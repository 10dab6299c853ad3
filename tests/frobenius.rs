//! The Euclidean loss (`--loss frobenius`), with multiplicative updates, coordinate descent
//! and projected gradient: the loss, and one half step of the first two, against a dense,
//! naive reference; the loss
//! never rising step by step on random and planted matrices; planted topics recovered; the
//! same bits on any thread count; `transform` giving a training document its fitted weights;
//! tf-idf weights against scikit-learn's; `fit --loss frobenius --solver cd --weighting tfidf`
//! and `transform` through the built binary. The seam's contract tests (`seam.rs`) hold both
//! solvers to the rest.

use nmf_topics::matrix::{Idf, Sparse, Weighting};
use nmf_topics::nmf::{Data, Init, Loss, Nmf, Solver, Start};
use serde_json::Value;

use crate::util::{self, arg, run_ok, sparse_from_dense, TestRng};

const SOLVERS: [Solver; 3] = [Solver::Mu, Solver::Cd, Solver::Pg];

fn euclid(solver: Solver, k: usize) -> Nmf {
    Nmf::new(k).solver(solver).loss(Loss::Frobenius)
}

fn bits(x: &[f32]) -> Vec<u32> {
    x.iter().map(|v| v.to_bits()).collect()
}

/// A random real-valued matrix `(n, m)`, about `density` non-zero (values in [0.01, 2)), as a
/// dense row-major array too.
fn values(n: usize, m: usize, density: f64, seed: u64) -> (Vec<f32>, Sparse, Sparse) {
    let mut rng = TestRng::new(seed);
    let v: Vec<f32> = (0..n * m)
        .map(|_| {
            if rng.uniform() < density {
                (0.01 + 1.99 * rng.uniform()) as f32
            } else {
                0.0
            }
        })
        .collect();
    let (csc, csr) = sparse_from_dense(n, m, &v);
    (v, csc, csr)
}

/// A planted non-negative matrix `(n, m)` of rank `k`: topic t owns words t·n/k.. (weight 1 to
/// 2, a thin 0.02 share elsewhere), each document mixes one to three topics, and entries
/// below 0.05 are zero (so V is sparse). Returns V dense and sparse and the planted W `(n, k)`.
fn planted(n: usize, m: usize, k: usize, seed: u64) -> (Vec<f32>, Sparse, Sparse, Vec<f64>) {
    let mut rng = TestRng::new(seed);
    let mut w = vec![0f64; n * k];
    for i in 0..n {
        for t in 0..k {
            w[i * k + t] = if i * k / n == t {
                1.0 + rng.uniform()
            } else {
                0.02 * rng.uniform()
            };
        }
    }
    let mut v = vec![0f32; n * m];
    for j in 0..m {
        let mut h = vec![0f64; k];
        for _ in 0..1 + rng.next_u64() % 3 {
            h[(rng.next_u64() % k as u64) as usize] += 0.5 + rng.uniform();
        }
        for i in 0..n {
            let x: f64 = (0..k).map(|t| w[i * k + t] * h[t]).sum();
            v[i * m + j] = if x >= 0.05 { x as f32 } else { 0.0 };
        }
    }
    let (csc, csr) = sparse_from_dense(n, m, &v);
    (v, csc, csr, w)
}

/// ½‖V − WH‖², the obvious way, over a dense V `(n, m)`, W `(n, k)` and Hᵀ `(m, k)`.
fn dense_loss(v: &[f32], w: &[f64], h: &[f64], n: usize, m: usize, k: usize) -> f64 {
    let mut sum = 0.0;
    for i in 0..n {
        for j in 0..m {
            let wh: f64 = (0..k).map(|t| w[i * k + t] * h[j * k + t]).sum();
            let r = v[i * m + j] as f64 - wh;
            sum += r * r;
        }
    }
    0.5 * sum
}

/// One H half step the obvious way: WᵀV and WᵀW from the dense arrays, then each document's
/// weights by Lee & Seung's rule (`Mu`) or by one cyclic pass of exact minimisations (`Cd`).
fn dense_h_step(solver: Solver, v: &[f32], w: &[f64], h: &mut [f64], dims: (usize, usize, usize)) {
    let (n, m, k) = dims;
    let g = |a: usize, b: usize| (0..n).map(|i| w[i * k + a] * w[i * k + b]).sum::<f64>();
    for j in 0..m {
        let c: Vec<f64> = (0..k)
            .map(|t| (0..n).map(|i| w[i * k + t] * v[i * m + j] as f64).sum())
            .collect();
        let row = &mut h[j * k..][..k];
        match solver {
            Solver::Mu => {
                let old = row.to_vec();
                for t in 0..k {
                    let denominator: f64 = (0..k).map(|r| g(t, r) * old[r]).sum();
                    row[t] = old[t] * c[t] / denominator;
                }
            }
            _ => {
                for t in 0..k {
                    let gx: f64 = (0..k).map(|r| g(t, r) * row[r]).sum();
                    row[t] = (row[t] - (gx - c[t]) / g(t, t)).max(0.0);
                }
            }
        }
    }
}

#[test]
fn the_loss_and_a_half_step_equal_the_dense_reference() {
    for solver in [Solver::Mu, Solver::Cd] {
        for (n, m, k, seed) in [(30, 40, 3, 1), (25, 60, 11, 2), (50, 35, 17, 3)] {
            let (v, csc, csr) = values(n, m, 0.3, seed);
            let mut rng = TestRng::new(seed + 100);
            let w: Vec<f32> = (0..n * k).map(|_| 0.05 + rng.uniform() as f32).collect();
            let h: Vec<f32> = (0..m * k).map(|_| 0.05 + rng.uniform() as f32).collect();
            let data = Data::new(&csc, &csr).unwrap();
            let start = Start::Factors { w: &w, h: &h };
            let mut s = euclid(solver, k).joint_solver(data, start).unwrap();
            let w64: Vec<f64> = w.iter().map(|&x| x as f64).collect();
            let mut h64: Vec<f64> = h.iter().map(|&x| x as f64).collect();
            let expected = dense_loss(&v, &w64, &h64, n, m, k);
            let got = s.loss();
            assert!(
                (got - expected).abs() <= 1e-9 * expected,
                "{solver}, k {k}: loss {got} against {expected}"
            );
            assert_eq!(s.update_h(true).unwrap().to_bits(), got.to_bits());
            dense_h_step(solver, &v, &w64, &mut h64, (n, m, k));
            let expected = dense_loss(&v, &w64, &h64, n, m, k);
            let got = s.loss();
            assert!(
                (got - expected).abs() <= 1e-5 * expected,
                "{solver}, k {k}: after the H half {got} against {expected}"
            );
        }
    }
}

#[test]
fn the_loss_never_rises_step_by_step() {
    let (_, rcsc, rcsr) = values(120, 150, 0.1, 7);
    let (_, pcsc, pcsr, _) = planted(200, 300, 6, 8);
    for (name, csc, csr) in [("random", &rcsc, &rcsr), ("planted", &pcsc, &pcsr)] {
        let data = Data::new(csc, csr).unwrap();
        for solver in SOLVERS {
            for init in [Init::Random, Init::Nndsvda] {
                let mut s = euclid(solver, 6)
                    .init(init)
                    .joint_solver(data, Start::Seed(3))
                    .unwrap();
                assert!(s.descends());
                let first = s.loss();
                let mut before = first;
                for i in 0..150 {
                    s.update_h(false);
                    let mid = s.loss();
                    s.update_w();
                    let after = s.loss();
                    // f32 factors: a rounding of each new value by 6e-8 of itself.
                    let slack = 1e-6 * before;
                    assert!(
                        mid <= before + slack && after <= mid + slack,
                        "{solver} on {name}, {init}, step {i}: {before} → {mid} → {after}"
                    );
                    before = after;
                }
                assert!(
                    before < 0.9 * first,
                    "{solver} on {name}, {init}: {first} → {before}"
                );
            }
        }
    }
}

#[test]
fn planted_topics_are_recovered() {
    let (n, m, k) = (240, 600, 6);
    let (_, csc, csr, w) = planted(n, m, k, 11);
    for solver in SOLVERS {
        for init in [Init::Nndsvda, Init::Random] {
            let (model, fit) = euclid(solver, k)
                .init(init)
                .max_iter(500)
                .tol(1e-7)
                .seed(2)
                .fit(&csc, &csr)
                .unwrap();
            for t in 0..k {
                let planted: Vec<f64> = (0..n).map(|i| w[i * k + t]).collect();
                let best = (0..k)
                    .map(|f| {
                        let fitted: Vec<f64> =
                            (0..n).map(|i| model.word_row(i)[f] as f64).collect();
                        cosine(&planted, &fitted)
                    })
                    .fold(0.0, f64::max);
                assert!(
                    best >= 0.97,
                    "{solver}, {init} start, planted topic {t}: best cosine {best:.3}"
                );
            }
            // V is W·H but for the entries under 0.05 zeroed: the fit explains nearly all.
            let total: f64 = csc.data().iter().map(|&x| 0.5 * x as f64 * x as f64).sum();
            assert!(
                fit.divergence < 0.01 * total,
                "{solver}, {init}: {} of {total}",
                fit.divergence
            );
        }
    }
}

#[test]
fn fits_give_the_same_bits_on_one_two_and_three_threads() {
    let (_, csc, csr) = values(150, 210, 0.08, 17);
    for solver in SOLVERS {
        let fit = |threads: usize| {
            let (model, report) = euclid(solver, 7)
                .max_iter(40)
                .tol(0.0)
                .threads(threads)
                .fit(&csc, &csr)
                .unwrap();
            let trace: Vec<u64> = report
                .trace
                .iter()
                .map(|p| p.divergence.to_bits())
                .collect();
            (bits(model.w()), bits(model.h()), trace)
        };
        let one = fit(1);
        for threads in [2, 3] {
            assert!(fit(threads) == one, "{solver}: {threads} threads differ");
        }
    }
}

#[test]
fn a_training_document_transformed_gets_its_fitted_weights() {
    let (_, csc, csr, _) = planted(180, 260, 5, 23);
    for solver in SOLVERS {
        let nmf = euclid(solver, 5).max_iter(60).seed(4);
        let (model, fit) = nmf.clone().threads(1).fit(&csc, &csr).unwrap();
        let (h, report) = nmf.threads(2).transform(&model, &csc, &csr).unwrap();
        assert_eq!(bits(&h), bits(model.h()), "{solver}");
        assert_eq!(report.unconverged, 0, "{solver}");
        assert!(fit.transform.is_some());
        // A document that is one column of the fitted W·H is explained exactly.
        let k = model.topics();
        let weights = [0.7f32, 0.0, 1.3, 0.0, 0.2];
        let column: Vec<f32> = (0..model.n_words())
            .map(|i| (0..k).map(|t| model.word_row(i)[t] * weights[t]).sum())
            .map(|x: f32| if x < 1e-5 { 0.0 } else { x })
            .collect();
        let (one, one_t) = sparse_from_dense(model.n_words(), 1, &column);
        let (got, _) = euclid(solver, 5).transform(&model, &one, &one_t).unwrap();
        for (g, w) in got.iter().zip(weights) {
            assert!(
                (g - w).abs() <= 1e-3,
                "{solver}: {got:?} against {weights:?}"
            );
        }
    }
}

/// scikit-learn 1.9.1's numbers for the counts below (documents × words, the last document
/// empty), computed once with
/// `TfidfTransformer().fit(X)`: `idf_` and `transform(X).toarray()`.
#[test]
fn tfidf_weights_are_scikit_learns() {
    let counts: [[f32; 5]; 5] = [
        [3.0, 0.0, 1.0, 0.0, 2.0],
        [0.0, 2.0, 0.0, 0.0, 1.0],
        [1.0, 1.0, 1.0, 0.0, 0.0],
        [0.0, 0.0, 0.0, 4.0, 1.0],
        [0.0, 0.0, 0.0, 0.0, 0.0],
    ];
    let idf = [
        1.6931471805599454,
        1.6931471805599454,
        1.6931471805599454,
        2.09861228866811,
        1.4054651081081644,
    ];
    let tfidf: [[f64; 5]; 5] = [
        [
            0.8399638537256445,
            0.0,
            0.27998795124188147,
            0.0,
            0.464830583754703,
        ],
        [0.0, 0.9236077439113727, 0.0, 0.0, 0.38333893017399634],
        [
            0.5773502691896257,
            0.5773502691896257,
            0.5773502691896257,
            0.0,
            0.0,
        ],
        [0.0, 0.0, 0.0, 0.9862719025495194, 0.16512944692377435],
        [0.0; 5],
    ];
    // Ours is words × documents.
    let v: Vec<f32> = (0..5)
        .flat_map(|w| counts.iter().map(move |doc| doc[w]))
        .collect();
    let (csc, _) = sparse_from_dense(5, 5, &v);
    let ours = Idf::of(&csc);
    for (a, b) in ours.values().iter().zip(idf) {
        assert!((a - b).abs() <= 1e-12, "idf {a} against {b}");
    }
    let (weighted, by_word) = Weighting::Tfidf.weigh(&csc, &csc).unwrap();
    assert!(weighted.is_csc() && by_word.is_csr());
    for (d, row) in tfidf.iter().enumerate() {
        for (w, &expected) in row.iter().enumerate() {
            let got = weighted.get(w, d).copied().unwrap_or(0.0) as f64;
            assert!(
                (got - expected).abs() <= 1e-7,
                "document {d}, word {w}: {got} against {expected}"
            );
            assert_eq!(by_word.get(w, d), weighted.get(w, d));
        }
    }
    assert!(Weighting::Counts.weigh(&csc, &csc).is_none());
}

/// The shipped corpus fitted as scikit-learn's default NMF is usually run (tf-idf, squared
/// error, coordinate descent), through the built binary: a report that speaks of tf-idf weight
/// and squared error, finite figures, and a model whose `transform` of its own documents gives
/// back their fitted weights.
#[test]
fn the_cli_fits_tfidf_with_coordinate_descent_on_the_squared_error() {
    let dir = util::tempdir();
    let corpus = util::default_corpus();
    let (json, fitted) = (dir.path().join("r.json"), dir.path().join("fitted.csv"));
    let model = dir.path().join("model");
    let common = [
        "fit",
        arg(&corpus),
        "-k",
        "8",
        "--loss",
        "frobenius",
        "--solver",
        "cd",
        "--weighting",
        "tfidf",
        "--threads",
        "2",
        "-q",
    ];
    let mut args = common.to_vec();
    args.extend(["--json", arg(&json), "--doc-topics", arg(&fitted)]);
    args.extend(["--model", arg(&model)]);
    run_ok(&args);
    let text = util::stdout(&run_ok(&common));
    assert!(
        text.contains("coordinate descent on the squared error"),
        "{text}"
    );
    assert!(text.contains("% of tf-idf weight, NPMI"), "{text}");
    assert!(text.contains("per unit of tf-idf weight"), "{text}");
    assert!(
        !text.contains("of tokens") && !text.contains("per token"),
        "{text}"
    );

    let report: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let p = &report["parameters"];
    assert_eq!(p["weighting"], "tfidf");
    assert_eq!(
        (&p["nmf"]["solver"], &p["nmf"]["loss"]),
        (&"cd".into(), &"frobenius".into())
    );
    let fit = &report["fit"];
    let error = fit["divergence"].as_f64().unwrap();
    // l2-normalised documents: ½‖V‖² is half the documents with words, which the fit lowers.
    let documents = report["corpus"]["documents"].as_f64().unwrap();
    assert!(error > 0.0 && error < 0.5 * documents, "{error}");
    let trace: Vec<f64> = fit["divergence_trace"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["divergence"].as_f64().unwrap())
        .collect();
    assert!(
        trace.windows(2).all(|w| w[1] <= w[0] * (1.0 + 1e-9)),
        "{trace:?}"
    );
    let topics = report["topics"].as_array().unwrap();
    assert_eq!(topics.len(), 8);
    let shares: f64 = topics.iter().map(|t| t["share"].as_f64().unwrap()).sum();
    assert!((shares - 1.0).abs() < 1e-4, "{shares}");
    for t in topics {
        assert_eq!(t["words"].as_array().unwrap().len(), 10, "{t}");
        assert!(t["npmi"].as_f64().unwrap().is_finite());
    }

    let again = dir.path().join("again.csv");
    let transform = [
        "transform",
        "--model",
        arg(&model),
        arg(&corpus),
        "--csv",
        arg(&again),
        "-q",
    ];
    run_ok(&transform);
    assert_eq!(
        std::fs::read_to_string(&fitted).unwrap(),
        std::fs::read_to_string(&again).unwrap(),
        "transform of the training documents"
    );
}

/// A planted positive matrix of rank 4 with about 15% of its entries hidden: fitted with the
/// hidden entries masked as missing, their values come back; fitted with them as zeros, not.
/// The loss skips them (the dense reference over the observed entries), never rises, and the
/// solvers that cannot leave entries out refuse the mask, naming themselves.
#[test]
fn masked_entries_are_completed_better_than_zeros() {
    let (n, m, k) = (120, 150, 4);
    let mut rng = TestRng::new(31);
    let w: Vec<f64> = (0..n * k).map(|_| 0.2 + rng.uniform()).collect();
    let h: Vec<f64> = (0..m * k).map(|_| 0.2 + rng.uniform()).collect();
    let full: Vec<f64> = (0..n * m)
        .map(|at| (0..k).map(|t| w[at / m * k + t] * h[at % m * k + t]).sum())
        .collect();
    let hidden: Vec<bool> = (0..n * m).map(|_| rng.uniform() < 0.15).collect();
    let observed: Vec<f32> = (0..n * m)
        .map(|at| if hidden[at] { 0.0 } else { full[at] as f32 })
        .collect();
    let marks: Vec<f32> = hidden.iter().map(|&x| if x { 1.0 } else { 0.0 }).collect();
    let (csc, csr) = sparse_from_dense(n, m, &observed);
    let (mask_csc, mask_csr) = sparse_from_dense(n, m, &marks);

    let data = Data::new(&csc, &csr)
        .unwrap()
        .with_mask(&mask_csc, &mask_csr)
        .unwrap();
    for solver in [Solver::Mu, Solver::Cd] {
        let mut s = euclid(solver, k)
            .init(Init::Random)
            .joint_solver(data, Start::Seed(5))
            .unwrap();
        let mut before = s.loss();
        for i in 0..60 {
            assert_eq!(s.update_h(true).unwrap().to_bits(), before.to_bits());
            let mid = s.loss();
            s.update_w();
            let after = s.loss();
            let slack = 1e-6 * before;
            assert!(
                mid <= before + slack && after <= mid + slack,
                "{solver}, masked, step {i}: {before} → {mid} → {after}"
            );
            before = after;
        }
        let model = s.into_model();
        // The loss over the observed entries alone, the obvious way.
        let (mw, mh) = (model.w(), model.h());
        let fitted = |at: usize| -> f64 {
            (0..k)
                .map(|t| mw[at / m * k + t] as f64 * mh[at % m * k + t] as f64)
                .sum()
        };
        let dense: f64 = (0..n * m)
            .filter(|&at| !hidden[at])
            .map(|at| 0.5 * (observed[at] as f64 - fitted(at)).powi(2))
            .sum();
        assert!(
            (dense - before).abs() <= 1e-4 * before.max(1e-3),
            "{solver}: loss {before} against {dense} over the observed entries"
        );

        let error = |model: &nmf_topics::nmf::NmfModel| -> f64 {
            let (mw, mh) = (model.w(), model.h());
            let (mut sum, mut count) = (0.0, 0.0);
            for at in (0..n * m).filter(|&at| hidden[at]) {
                let x: f64 = (0..k)
                    .map(|t| mw[at / m * k + t] as f64 * mh[at % m * k + t] as f64)
                    .sum();
                sum += (x - full[at]).powi(2);
                count += 1.0;
            }
            (sum / count).sqrt()
        };
        let nmf = euclid(solver, k).max_iter(400).tol(1e-8).seed(2);
        let (masked, _) = nmf.fit_masked(&csc, &csr, &mask_csc, &mask_csr).unwrap();
        let (zeros, _) = nmf.fit(&csc, &csr).unwrap();
        let (with_mask, as_zeros) = (error(&masked), error(&zeros));
        let mean = full.iter().sum::<f64>() / full.len() as f64;
        assert!(
            with_mask < 0.05 * mean && with_mask < 0.2 * as_zeros,
            "{solver}: hidden entries' RMS error {with_mask} masked, {as_zeros} as zeros (mean {mean})"
        );
    }
    for (solver, loss) in [
        (Solver::Pg, Loss::Frobenius),
        (Solver::Mu, Loss::Kl),
        (Solver::Cd, Loss::Kl),
    ] {
        let refused = Nmf::new(k)
            .solver(solver)
            .loss(loss)
            .fit_masked(&csc, &csr, &mask_csc, &mask_csr)
            .unwrap_err()
            .to_string();
        assert!(
            refused.contains(&format!("--solver {solver} --loss {loss}"))
                && refused.contains("masked"),
            "{refused}"
        );
    }
    // A mask over an entry V holds is no mask of missing values.
    let (over, over_t) = sparse_from_dense(n, m, &vec![1.0; n * m]);
    let bad = Data::new(&csc, &csr).unwrap().with_mask(&over, &over_t);
    assert!(bad.is_err());
}

/// `fit --mask`: a Matrix Market input with entries left out as missing, through the built
/// binary; and the refusals, each naming what is wrong.
#[test]
fn the_cli_leaves_masked_entries_out() {
    let dir = util::tempdir();
    let (n, m, k) = (40, 60, 3);
    let mut rng = TestRng::new(41);
    let w: Vec<f64> = (0..n * k).map(|_| 0.2 + rng.uniform()).collect();
    let h: Vec<f64> = (0..m * k).map(|_| 0.2 + rng.uniform()).collect();
    let (mut values, mut missing) = (String::new(), String::new());
    let (mut nv, mut nm) = (0, 0);
    for i in 0..n {
        for j in 0..m {
            let x: f64 = (0..k).map(|t| w[i * k + t] * h[j * k + t]).sum();
            if rng.uniform() < 0.1 {
                missing.push_str(&format!("{} {}\n", i + 1, j + 1));
                nm += 1;
            } else {
                values.push_str(&format!("{} {} {x}\n", i + 1, j + 1));
                nv += 1;
            }
        }
    }
    let input = dir.path().join("v.mtx");
    let mask = dir.path().join("missing.mtx");
    std::fs::write(
        &input,
        format!("%%MatrixMarket matrix coordinate real general\n{n} {m} {nv}\n{values}"),
    )
    .unwrap();
    std::fs::write(
        &mask,
        format!("%%MatrixMarket matrix coordinate pattern general\n{n} {m} {nm}\n{missing}"),
    )
    .unwrap();
    let json = dir.path().join("r.json");
    let base = vec!["fit", arg(&input), "-k", "3", "--min-df", "1", "-q"];
    let frobenius = ["--loss", "frobenius", "--solver", "cd"];
    let mut args = [base.clone(), frobenius.to_vec()].concat();
    args.extend(["--mask", arg(&mask), "--json", arg(&json)]);
    run_ok(&args);
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let masked = report["fit"]["divergence"].as_f64().unwrap();
    let json_zeros = dir.path().join("zeros.json");
    let mut args = [base.clone(), frobenius.to_vec()].concat();
    args.extend(["--json", arg(&json_zeros)]);
    run_ok(&args);
    let zeros: Value =
        serde_json::from_str(&std::fs::read_to_string(&json_zeros).unwrap()).unwrap();
    // Rank 3 fitted with 3 topics: the observed entries are explained all but exactly once the
    // missing ones are left out; taken as zeros they cannot be.
    let as_zeros = zeros["fit"]["divergence"].as_f64().unwrap();
    assert!(
        masked < 1e-3 * as_zeros,
        "masked {masked}, as zeros {as_zeros}"
    );

    // A model remembers how many entries were missing, and an update, which cannot know
    // which entries of its documents those were, refuses it and leaves it as it was.
    let model = dir.path().join("m");
    let mut args = [base.clone(), frobenius.to_vec()].concat();
    args.extend(["--mask", arg(&mask), "--model", arg(&model)]);
    run_ok(&args);
    let saved: Value =
        serde_json::from_str(&std::fs::read_to_string(model.join("model.json")).unwrap()).unwrap();
    assert_eq!(saved["parameters"]["missing"], nm);
    let before = std::fs::read(model.join("model.safetensors")).unwrap();
    let refused = util::run_err(&["update", arg(&model), arg(&input), "-q"]);
    assert!(
        refused.contains(&format!("fitted with {nm} entries missing")),
        "{refused}"
    );
    assert_eq!(
        std::fs::read(model.join("model.safetensors")).unwrap(),
        before
    );
    let unmasked: Value =
        serde_json::from_str(&std::fs::read_to_string(&json_zeros).unwrap()).unwrap();
    assert_eq!(unmasked["parameters"]["missing"], 0);

    let mut args = [base.clone(), vec!["--solver", "mu"]].concat();
    args.extend(["--mask", arg(&mask)]);
    let refused = util::run_err(&args);
    assert!(
        refused.contains("--solver mu --loss kl") && refused.contains("masked"),
        "{refused}"
    );
    let corpus = util::default_corpus();
    let refused = util::run_err(&[
        "fit",
        arg(&corpus),
        "--loss",
        "frobenius",
        "--mask",
        arg(&mask),
        "-q",
    ]);
    assert!(refused.contains("not one"), "{refused}");
}

fn cosine(a: &[f64], b: &[f64]) -> f64 {
    let dot: f64 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let na: f64 = a.iter().map(|x| x * x).sum::<f64>().sqrt();
    let nb: f64 = b.iter().map(|x| x * x).sum::<f64>().sqrt();
    dot / (na * nb)
}
