//! The solver seam, for every solver in the registry: what `fit`, `transform`, `rank` and
//! `bench` rely on, checked through `Nmf::joint_solver` and `Nmf::document_solver` alone. A new
//! solver is held to all of it by being registered.

use nmf_topics::matrix::Sparse;
use nmf_topics::nmf::{
    registered, Data, Init, JointSolver, Loss, Nmf, NmfError, NmfModel, Solver, Start,
};

use crate::util::{sparse_from_dense, TestRng};

/// A random count matrix `(n, m)`, about `density` of it non-zero, with an empty row and an
/// empty column.
fn counts(n: usize, m: usize, density: f64, seed: u64) -> (Sparse, Sparse) {
    let mut rng = TestRng::new(seed);
    let v: Vec<f32> = (0..n * m)
        .map(|at| {
            let (i, j) = (at / m, at % m);
            if i == 3 || j == 5 || rng.uniform() >= density {
                0.0
            } else {
                1.0 + (rng.uniform() * 6.0).floor() as f32
            }
        })
        .collect();
    sparse_from_dense(n, m, &v)
}

/// The settings of a registered solver.
fn settings(solver: Solver, loss: Loss, k: usize) -> Nmf {
    Nmf::new(k).solver(solver).loss(loss)
}

fn bits(x: &[f32]) -> Vec<u32> {
    x.iter().map(|v| v.to_bits()).collect()
}

/// Runs `f` on a pool of `threads` threads, as the library's callers do.
fn on_threads<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
        .install(f)
}

#[test]
fn the_registry_has_todays_default_and_names_it() {
    let all: Vec<(Solver, Loss)> = registered().collect();
    assert!(all.contains(&(Solver::Mu, Loss::Kl)), "{all:?}");
    let nmf = Nmf::new(3);
    let json = serde_json::to_value(&nmf).unwrap();
    assert_eq!(
        (json["solver"].as_str(), json["loss"].as_str()),
        (Some("mu"), Some("kl"))
    );
}

#[test]
fn every_solver_gives_the_same_bits_on_any_thread_count() {
    let (csc, csr) = counts(120, 170, 0.1, 5);
    for (solver, loss) in registered() {
        for (init, extrapolate) in [
            (Init::Random, false),
            (Init::Nndsvda, false),
            (Init::Random, true),
        ] {
            let nmf = settings(solver, loss, 11)
                .init(init)
                .extrapolate(extrapolate);
            if extrapolate && nmf.check_settings().is_err() {
                continue;
            }
            let run = |threads: usize| {
                on_threads(threads, || {
                    let v = Data::new(&csc, &csr).unwrap();
                    let mut s = nmf.joint_solver(v, Start::Seed(4)).unwrap();
                    let losses: Vec<u64> = (0..12)
                        .filter_map(|i| s.step(i % 3 == 0).map(f64::to_bits))
                        .collect();
                    let model = s.into_model();
                    (bits(model.w()), bits(model.h()), losses)
                })
            };
            let one = run(1);
            for threads in [2, 3] {
                assert!(
                    run(threads) == one,
                    "{solver} on {loss}, {init} start, extrapolated {extrapolate}: {threads} threads differ from 1"
                );
            }
        }
    }
}

#[test]
fn every_solvers_loss_is_what_its_step_reports_and_falls_where_promised() {
    let (csc, csr) = counts(90, 140, 0.15, 9);
    let v = Data::new(&csc, &csr).unwrap();
    let total: f64 = csc.data().iter().map(|&x| x as f64).sum();
    for (solver, loss) in registered() {
        let mut s = settings(solver, loss, 7)
            .init(Init::Random)
            .joint_solver(v, Start::Seed(2))
            .unwrap();
        let mut before = s.loss();
        assert!(before.is_finite(), "{solver} on {loss}: start {before}");
        for i in 0..40 {
            let reported = s.update_h(true).expect("asked for the loss");
            assert_eq!(
                reported.to_bits(),
                before.to_bits(),
                "{solver} on {loss}, step {i}: update_h(true) reports the loss before it"
            );
            let mid = s.loss();
            s.update_w();
            let after = s.loss();
            assert!(
                mid.is_finite() && after.is_finite(),
                "{solver} on {loss}, step {i}"
            );
            if s.descends() {
                // f32 factors: each term may round by about 1e-7 of its count.
                let slack = 1e-6 * total;
                assert!(
                    mid <= before + slack,
                    "{solver} on {loss}, H {i}: {before} → {mid}"
                );
                assert!(
                    after <= mid + slack,
                    "{solver} on {loss}, W {i}: {mid} → {after}"
                );
            }
            before = after;
        }
        let model = s.into_model();
        assert!(model
            .w()
            .iter()
            .chain(model.h())
            .all(|x| x.is_finite() && *x >= 0.0));
    }
}

/// What `partial_fit` will need: a run resumed from a model it wrote starts where it stopped.
#[test]
fn every_solver_resumes_from_the_factors_of_a_model() {
    let (csc, csr) = counts(100, 150, 0.12, 13);
    let v = Data::new(&csc, &csr).unwrap();
    for (solver, loss) in registered() {
        let nmf = settings(solver, loss, 6).init(Init::Random);
        let mut first = nmf.joint_solver(v, Start::Seed(1)).unwrap();
        for _ in 0..30 {
            first.step(false);
        }
        let stopped = first.loss();
        let model = first.into_model();
        let start = Start::Factors {
            w: model.w(),
            h: model.h(),
        };
        let mut resumed = nmf.joint_solver(v, start).unwrap();
        let again = resumed.loss();
        assert!(
            (again - stopped).abs() <= 1e-5 * stopped,
            "{solver} on {loss}: stopped at {stopped}, resumed at {again}"
        );
        for _ in 0..10 {
            resumed.step(false);
        }
        if resumed.descends() {
            assert!(resumed.loss() < again, "{solver} on {loss}: no progress");
        }
    }
}

#[test]
fn given_starting_factors_are_checked() {
    let (csc, csr) = counts(30, 40, 0.3, 3);
    let v = Data::new(&csc, &csr).unwrap();
    for (solver, loss) in registered() {
        let nmf = settings(solver, loss, 4);
        let (w, h) = (vec![0.5f32; 30 * 4], vec![0.5f32; 40 * 4]);
        assert!(nmf.joint_solver(v, Start::Factors { w: &w, h: &h }).is_ok());
        let short = Start::Factors { w: &w[1..], h: &h };
        assert_eq!(
            nmf.joint_solver(v, short).err(),
            Some(NmfError::Matrix(
                "starting factors must be (30, 4) and (40, 4)".into()
            ))
        );
        let mut negative = h.clone();
        negative[7] = -1.0;
        let bad = Start::Factors {
            w: &w,
            h: &negative,
        };
        let refused = nmf.joint_solver(v, bad).err();
        assert!(
            matches!(&refused, Some(NmfError::Matrix(m)) if m.contains("non-negative")),
            "{refused:?}"
        );
        let mut nan = w.clone();
        nan[0] = f32::NAN;
        assert!(nmf.document_solver(v, 4, &nan).is_err());
        assert!(nmf.document_solver(v, 4, &w[4..]).is_err());
    }
    assert!(matches!(Data::new(&csr, &csc), Err(NmfError::Matrix(_))));
}

#[test]
fn every_solvers_fit_ends_with_the_weights_its_document_solve_gives() {
    let (csc, csr) = counts(150, 220, 0.08, 21);
    for (solver, loss) in registered() {
        let nmf = settings(solver, loss, 8).max_iter(30).tol(0.0).seed(3);
        let (model, fit) = nmf.fit(&csc, &csr).unwrap();
        let (h, report) = nmf
            .clone()
            .threads(3)
            .transform(&model, &csc, &csr)
            .unwrap();
        assert_eq!(bits(&h), bits(model.h()), "{solver} on {loss}");
        assert_eq!(report.documents, 220);
        // The final solve does not leave the fit worse than the joint iterations left it.
        let joint = fit.trace.last().unwrap().divergence;
        assert!(
            fit.divergence <= joint,
            "{solver} on {loss}: {} > {joint}",
            fit.divergence
        );
        // Topics renumbered solve to the same weights, renumbered.
        let v = Data::new(&csc, &csr).unwrap();
        let k = model.topics();
        let reversed: Vec<f32> = model
            .w()
            .chunks_exact(k)
            .flat_map(|row| row.iter().rev().copied())
            .collect();
        let mut documents = nmf.document_solver(v, k, &reversed).unwrap();
        documents.solve(1000, 1e-6);
        let again: Vec<f32> = documents
            .h()
            .chunks_exact(k)
            .flat_map(|row| row.iter().rev().copied().collect::<Vec<_>>())
            .collect();
        assert_eq!(
            bits(&again),
            bits(model.h()),
            "{solver} on {loss}: renumbered"
        );
    }
}

/// The planted matrix: 8 topics over 500 words, each on its own 62 words plus a thin share of
/// the rest; 2,000 documents mixing one to three topics; counts drawn from Poisson(W·H).
/// Returns (n, m, k), the planted W `(n, k)` and V.
fn planted() -> ((usize, usize, usize), Vec<f64>, Sparse, Sparse) {
    let (n, m, k) = (500, 2000, 8);
    let mut rng = TestRng::new(2024);
    let mut w = vec![0f64; n * k];
    for t in 0..k {
        for i in 0..n {
            let own = i / 62 == t;
            w[i * k + t] = if own {
                0.5 + rng.uniform()
            } else {
                0.01 * rng.uniform()
            };
        }
        let s: f64 = (0..n).map(|i| w[i * k + t]).sum();
        (0..n).for_each(|i| w[i * k + t] /= s);
    }
    let mut v = vec![0f32; n * m];
    for j in 0..m {
        let mut h = vec![0f64; k];
        for _ in 0..1 + (rng.next_u64() % 3) {
            h[(rng.next_u64() % k as u64) as usize] += rng.uniform() + 0.2;
        }
        let s: f64 = h.iter().sum();
        let length = 80.0 + 120.0 * rng.uniform();
        for i in 0..n {
            let mean: f64 = (0..k).map(|t| w[i * k + t] * h[t] / s).sum::<f64>() * length;
            v[i * m + j] = rng.poisson(mean) as f32;
        }
    }
    let (csc, csr) = sparse_from_dense(n, m, &v);
    ((n, m, k), w, csc, csr)
}

/// The best cosine of the least well found planted topic among the model's topics.
fn worst_planted_topic(w: &[f64], (n, k): (usize, usize), model: &NmfModel) -> f64 {
    (0..k)
        .map(|t| {
            let planted: Vec<f64> = (0..n).map(|i| w[i * k + t]).collect();
            (0..k)
                .map(|f| {
                    let fitted: Vec<f64> = (0..n).map(|i| model.word_row(i)[f] as f64).collect();
                    cosine(&planted, &fitted)
                })
                .fold(0.0, f64::max)
        })
        .fold(1.0, f64::min)
}

/// Planted topics ([`planted`]), from NNDSVDa, and from random starts as `--restarts` runs
/// them, the run of lowest loss of 4: one random start can end in a poorer minimum
/// ([`one_random_start_finds_the_planted_topics_most_of_the_time`]).
#[test]
fn every_solver_recovers_planted_topics() {
    let ((n, _, k), w, csc, csr) = planted();
    for (solver, loss) in registered() {
        for (init, extrapolate) in [
            (Init::Nndsvda, false),
            (Init::Random, false),
            (Init::Nndsvda, true),
            (Init::Random, true),
        ] {
            let nmf = settings(solver, loss, k).extrapolate(extrapolate);
            if extrapolate && nmf.check_settings().is_err() {
                continue;
            }
            let runs = if init == Init::Random { 4 } else { 1 };
            let (model, _) = nmf
                .init(init)
                .restarts(runs)
                .max_iter(400)
                .tol(1e-6)
                .seed(1)
                .fit(&csc, &csr)
                .unwrap();
            let worst = worst_planted_topic(&w, (n, k), &model);
            assert!(
                worst >= 0.95,
                "{solver} on {loss}, {init} start, extrapolated {extrapolate}: a planted topic's best cosine is {worst:.3}"
            );
        }
    }
}

/// One random start on [`planted`], seeds 0-99, for KL's solvers: a poorer minimum is a
/// property of the start, not of a solver, and most starts still find the topics. Measured:
/// mu 65, cd 64, cd extrapolated 56 of 100. A minute's work, so run on demand:
/// `cargo test --release --test tests one_random_start -- --ignored --nocapture`.
#[test]
#[ignore]
fn one_random_start_finds_the_planted_topics_most_of_the_time() {
    let ((n, _, k), w, csc, csr) = planted();
    for (solver, extrapolate) in [(Solver::Mu, false), (Solver::Cd, false), (Solver::Cd, true)] {
        let found = (0..100)
            .filter(|&seed| {
                let (model, _) = Nmf::new(k)
                    .solver(solver)
                    .extrapolate(extrapolate)
                    .init(Init::Random)
                    .max_iter(400)
                    .tol(1e-6)
                    .seed(seed)
                    .fit(&csc, &csr)
                    .unwrap();
                worst_planted_topic(&w, (n, k), &model) >= 0.95
            })
            .count();
        eprintln!(
            "{solver}, extrapolated {extrapolate}: {found} of 100 random starts find all 8 topics"
        );
        assert!(
            found >= 50,
            "{solver}, extrapolated {extrapolate}: {found} of 100"
        );
    }
}

fn cosine(a: &[f64], b: &[f64]) -> f64 {
    let dot: f64 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let na: f64 = a.iter().map(|x| x * x).sum::<f64>().sqrt();
    let nb: f64 = b.iter().map(|x| x * x).sum::<f64>().sqrt();
    dot / (na * nb)
}

/// The step of the fitting loop is the two halves, for a solver that does not override it.
#[test]
fn a_step_is_the_h_update_then_the_w_update() {
    let (csc, csr) = counts(60, 80, 0.2, 17);
    let v = Data::new(&csc, &csr).unwrap();
    let nmf = Nmf::new(5).init(Init::Random);
    let mut stepped = nmf.joint_solver(v, Start::Seed(6)).unwrap();
    let mut halves = nmf.joint_solver(v, Start::Seed(6)).unwrap();
    for _ in 0..5 {
        let a = stepped.step(true);
        let b = halves.update_h(true);
        halves.update_w();
        assert_eq!(a.map(f64::to_bits), b.map(f64::to_bits));
    }
    let (a, b) = (stepped.into_model(), halves.into_model());
    assert_eq!(bits(a.w()), bits(b.w()));
    assert_eq!(bits(a.h()), bits(b.h()));
}

/// The seam and KL-MU's own stepping interface are one solver.
#[test]
fn the_default_solver_is_kl_mu() {
    let (csc, csr) = counts(70, 90, 0.2, 23);
    let v = Data::new(&csc, &csr).unwrap();
    let mut seam: Box<dyn JointSolver> = Nmf::new(6)
        .init(Init::Random)
        .joint_solver(v, Start::Seed(8))
        .unwrap();
    let mut direct = nmf_topics::nmf::KlMu::random(&csc, &csr, 6, 8).unwrap();
    for _ in 0..7 {
        seam.step(false);
        direct.update_h(false);
        direct.update_w();
    }
    assert_eq!(seam.loss().to_bits(), direct.divergence().to_bits());
    assert_eq!(seam.cost().formula, "4·nnz·K");
    assert_eq!(seam.cost().multiply_adds, 4.0 * csc.nnz() as f64 * 6.0);
}
