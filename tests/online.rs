//! Online / mini-batch updates: `Nmf::partial_fit` and its drivers, the statistics a model
//! saves, and `nmf-topics update` against the built binary.

use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;

use nmf_topics::matrix::Sparse;
use nmf_topics::nmf::{
    registered, Data, Init, Loss, Nmf, NmfModel, Online, OnlineSolver, OnlineStatistics, Solver,
};
use nmf_topics::SavedModel;

use crate::util::{self, arg, run_err, run_ok, sparse_from_dense, TestRng};

/// Planted topics: `k` topics over `n` words, topic t on its own words `t·n/k..(t+1)·n/k` plus
/// a thin share of the rest.
fn planted_topics(n: usize, k: usize, rng: &mut TestRng) -> Vec<f64> {
    let mut w = vec![0f64; n * k];
    let span = n / k;
    for t in 0..k {
        for i in 0..n {
            w[i * k + t] = if i / span == t {
                0.5 + rng.uniform()
            } else {
                0.01 * rng.uniform()
            };
        }
        let s: f64 = (0..n).map(|i| w[i * k + t]).sum();
        (0..n).for_each(|i| w[i * k + t] /= s);
    }
    w
}

/// `m` documents of 80 to 200 words drawn from Poisson(W·h), each mixing one to three of the
/// topics `topics` of the planted W `(n, k)`.
fn documents(
    w: &[f64],
    n: usize,
    k: usize,
    m: usize,
    topics: &[usize],
    rng: &mut TestRng,
) -> (Sparse, Sparse) {
    let mut v = vec![0f32; n * m];
    for j in 0..m {
        let mut h = vec![0f64; k];
        for _ in 0..1 + (rng.next_u64() % 3) {
            let t = topics[(rng.next_u64() % topics.len() as u64) as usize];
            h[t] += rng.uniform() + 0.2;
        }
        let s: f64 = h.iter().sum();
        let length = 80.0 + 120.0 * rng.uniform();
        for i in 0..n {
            let mean: f64 = (0..k).map(|t| w[i * k + t] * h[t] / s).sum::<f64>() * length;
            v[i * m + j] = rng.poisson(mean) as f32;
        }
    }
    sparse_from_dense(n, m, &v)
}

fn bits(x: &[f32]) -> Vec<u32> {
    x.iter().map(|v| v.to_bits()).collect()
}

fn cosine(a: &[f64], b: &[f64]) -> f64 {
    let dot: f64 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let na: f64 = a.iter().map(|x| x * x).sum::<f64>().sqrt();
    let nb: f64 = b.iter().map(|x| x * x).sum::<f64>().sqrt();
    dot / (na * nb)
}

/// For each planted topic of W `(n, k)`, its best cosine with a topic of the fitted W, given
/// as `fitted(word, topic)`.
fn best_cosines(
    planted: &[f64],
    (n, k): (usize, usize),
    fitted: impl Fn(usize, usize) -> f64,
) -> Vec<f64> {
    (0..k)
        .map(|t| {
            let want: Vec<f64> = (0..n).map(|i| planted[i * k + t]).collect();
            (0..k)
                .map(|f| cosine(&want, &(0..n).map(|i| fitted(i, f)).collect::<Vec<_>>()))
                .fold(0.0, f64::max)
        })
        .collect()
}

/// The loss of `v` under W `(n_words, k)`, its weights solved with W fixed.
fn loss_under(nmf: &Nmf, w: &[f32], k: usize, v: &(Sparse, Sparse)) -> f64 {
    let mut solver = nmf
        .document_solver(Data::new(&v.0, &v.1).unwrap(), k, w)
        .unwrap();
    solver.solve(1000, 1e-6);
    solver.loss()
}

fn tokens(v: &(Sparse, Sparse)) -> f64 {
    v.0.data().iter().map(|&x| x as f64).sum()
}

/// An online fit from W alone, with no statistics yet.
fn from_w(nmf: &Nmf, w: Vec<f32>, k: usize) -> Online {
    let n = w.len() / k;
    let model = NmfModel::from_parts(k, w, Vec::new()).unwrap();
    let empty = Sparse::new_csc((n, 0), vec![0], Vec::new(), Vec::new());
    let stats = OnlineStatistics {
        a: vec![0.0; n * k],
        b: vec![0.0; k],
    };
    nmf.resume_online(&model, Some(stats), &empty, &empty.to_other_storage())
        .unwrap()
}

#[test]
fn a_stream_of_batches_lowers_the_loss_and_never_blows_up() {
    let (n, k) = (400, 8);
    let mut rng = TestRng::new(7);
    let planted = planted_topics(n, k, &mut rng);
    let all: Vec<usize> = (0..k).collect();
    let nmf = Nmf::new(k).threads(2);
    // A poor start: random W.
    let w: Vec<f32> = (0..n * k).map(|_| rng.uniform() as f32 + 0.01).collect();
    let mut online = from_w(&nmf, w, k);
    let mut per_token = Vec::new();
    for _ in 0..12 {
        let batch = documents(&planted, n, k, 150, &all, &mut rng);
        let report = nmf
            .partial_fit(&mut online, &batch.0, &batch.1, 0.8)
            .unwrap();
        assert!(report.divergence.is_finite() && report.divergence >= 0.0);
        assert_eq!(report.documents, 150);
        per_token.push(report.divergence_per_token());
        let w = online.w();
        assert!(w.iter().all(|x| x.is_finite() && *x >= 0.0));
        for t in 0..k {
            let s: f64 = w.chunks_exact(k).map(|row| row[t] as f64).sum();
            assert!((s - 1.0).abs() < 1e-3, "topic {t} sums to {s}");
        }
    }
    let first: f64 = per_token[..3].iter().sum::<f64>() / 3.0;
    let last: f64 = per_token[9..].iter().sum::<f64>() / 3.0;
    assert!(last < 0.8 * first, "loss a token {per_token:?}");
    // Never far above where it was the batch before: no blow-up.
    for pair in per_token.windows(2) {
        assert!(pair[1] < 1.2 * pair[0], "loss a token {per_token:?}");
    }
    assert_eq!((online.batches(), online.documents()), (12, 1800));
}

/// A stream's first batch starts the fit (scikit-learn's first `partial_fit`), and the later
/// batches alone find the topics the first one lacks.
#[test]
fn a_stream_started_on_its_first_batch_finds_every_planted_topic() {
    let (n, k) = (400, 6);
    let mut rng = TestRng::new(31);
    let planted = planted_topics(n, k, &mut rng);
    let nmf = Nmf::new(k).seed(3).threads(2);
    let first = documents(&planted, n, k, 200, &[0, 1, 2, 3], &mut rng);
    let mut online = nmf.start_online(&first.0, &first.1, 200).unwrap();
    assert_eq!((online.batches(), online.documents()), (0, 0));
    nmf.partial_fit(&mut online, &first.0, &first.1, 0.7)
        .unwrap();
    let all: Vec<usize> = (0..k).collect();
    for _ in 0..15 {
        let batch = documents(&planted, n, k, 200, &all, &mut rng);
        nmf.partial_fit(&mut online, &batch.0, &batch.1, 0.7)
            .unwrap();
    }
    let w = online.w();
    for (t, best) in best_cosines(&planted, (n, k), |i, f| w[i * k + f] as f64)
        .iter()
        .enumerate()
    {
        assert!(*best >= 0.9, "planted topic {t}: best cosine {best:.3}");
    }
    // The same seed, the same start, on any number of threads.
    let again = Nmf::new(k).seed(3).threads(1);
    let other = again.start_online(&first.0, &first.1, 200).unwrap();
    let start = nmf.start_online(&first.0, &first.1, 200).unwrap();
    assert_eq!(bits(start.w()), bits(other.w()));
    assert!(nmf.start_online(&first.0, &first.1, 0).is_err());
}

#[test]
fn minibatch_fitting_recovers_planted_topics() {
    let (n, m, k) = (500, 2000, 8);
    let mut rng = TestRng::new(2024);
    let planted = planted_topics(n, k, &mut rng);
    let all: Vec<usize> = (0..k).collect();
    let (csc, csr) = documents(&planted, n, k, m, &all, &mut rng);
    for init in [Init::Nndsvda, Init::Random] {
        let mut observed = Vec::new();
        let (model, stats, report) = Nmf::new(k)
            .init(init)
            .seed(1)
            .max_iter(15)
            .tol(0.0)
            .transform_tol(1e-4)
            .fit_minibatch_observed(&csc, &csr, 250, Some(0.9), &mut |i, d| {
                observed.push((i, d))
            })
            .unwrap();
        let batches = report.minibatch.as_ref().unwrap();
        assert_eq!((batches.batches, batches.batch_size), (8, 250));
        assert_eq!(report.iterations, 15);
        let passes: Vec<f64> = report.trace.iter().map(|p| p.divergence).collect();
        assert!(passes[14] < passes[0], "{passes:?}");
        // Progress is told after every pass, with the loss the trace keeps.
        let told: Vec<(usize, f64)> = passes
            .iter()
            .enumerate()
            .map(|(i, &d)| (i + 1, d))
            .collect();
        assert_eq!(observed, told);
        assert_eq!((stats.a.len(), stats.b.len()), (n * k, k));
        let found = best_cosines(&planted, (n, k), |i, f| model.word_row(i)[f] as f64);
        for (t, best) in found.iter().enumerate() {
            assert!(
                *best >= 0.95,
                "{init} start, planted topic {t}: best cosine {best:.3}"
            );
        }
    }
}

/// The Euclidean loss by mini-batches, with each solver that has a row rule: the planted
/// topics found, each pass lower than the first, and the end within 1% of a whole-corpus fit's
/// squared error; projected gradient has no online mode.
#[test]
fn minibatch_fitting_of_the_squared_error_recovers_planted_topics() {
    let (n, m, k) = (500, 2000, 8);
    let mut rng = TestRng::new(2024);
    let planted = planted_topics(n, k, &mut rng);
    let all: Vec<usize> = (0..k).collect();
    let (csc, csr) = documents(&planted, n, k, m, &all, &mut rng);
    for solver in [Solver::Mu, Solver::Cd] {
        let nmf = Nmf::new(k)
            .solver(solver)
            .loss(Loss::Frobenius)
            .seed(1)
            .transform_tol(1e-4);
        let (model, stats, report) = nmf
            .clone()
            .max_iter(20)
            .tol(0.0)
            .fit_minibatch(&csc, &csr, 250, Some(0.9))
            .unwrap();
        // A is (n_words, K), B the K × K Gram matrix of the weights.
        assert_eq!((stats.a.len(), stats.b.len()), (n * k, k * k));
        let passes: Vec<f64> = report.trace.iter().map(|p| p.divergence).collect();
        assert!(passes[1..].iter().all(|&d| d < passes[0]), "{passes:?}");
        let (_, whole) = nmf.clone().max_iter(300).fit(&csc, &csr).unwrap();
        let loss = loss_under(&nmf, model.w(), k, &(csc.clone(), csr.clone()));
        assert!(
            loss <= 1.01 * whole.divergence,
            "{solver}: {loss} against a whole-corpus fit's {}",
            whole.divergence
        );
        let found = best_cosines(&planted, (n, k), |i, f| model.word_row(i)[f] as f64);
        for (t, best) in found.iter().enumerate() {
            assert!(
                *best >= 0.95,
                "{solver}, planted topic {t}: best cosine {best:.3}"
            );
        }
    }
    let err = Nmf::new(k)
        .solver(Solver::Pg)
        .loss(Loss::Frobenius)
        .fit_minibatch(&csc, &csr, 250, None)
        .unwrap_err()
        .to_string();
    assert!(err.contains("no online mode"), "{err}");
}

/// One Euclidean batch against a dense reference in f64: A ← ρ·A + V·Hᵀ, B ← ρ·B + H·Hᵀ, each
/// word's row of W through one cyclic pass of exact minimisations against its row of A and
/// B, then each topic of W scaled to sum to 1 and A and B with it.
#[test]
fn a_squared_error_batch_is_the_statistics_update_of_a_dense_reference() {
    let (n, m, k) = (40, 30, 4);
    let mut rng = TestRng::new(3);
    let (dense, csc, csr, w, a0) = dense_batch((n, m, k), &mut rng);
    // A Gram matrix: symmetric, positive definite.
    let f: Vec<f64> = (0..k * k).map(|_| rng.uniform()).collect();
    let b0: Vec<f64> = (0..k * k)
        .map(|i| {
            let (t, u) = (i / k, i % k);
            (0..k).map(|j| f[t * k + j] * f[u * k + j]).sum::<f64>()
                + if t == u { 5.0 } else { 0.0 }
        })
        .collect();
    let forget = 0.6;
    let nmf = Nmf::new(k).solver(Solver::Cd).loss(Loss::Frobenius);
    let stats0 = OnlineStatistics {
        a: a0.clone(),
        b: b0.clone(),
    };
    let mut solver = nmf.online_solver(k, &w, Some(stats0)).unwrap();
    // The solver starts from W scaled to sum to 1 a topic, A and B scaled with it.
    let (a0, b0) = (solver.statistics().a.clone(), solver.statistics().b.clone());
    let (w, h) = one_batch(&nmf, &mut solver, &(csc, csr), forget);
    let mut a: Vec<f64> = a0.iter().map(|x| x * forget).collect();
    let mut b: Vec<f64> = b0.iter().map(|x| x * forget).collect();
    for j in 0..m {
        for t in 0..k {
            for u in 0..k {
                b[t * k + u] += h[j * k + t] as f64 * h[j * k + u] as f64;
            }
            for i in 0..n {
                a[i * k + t] += dense[i * m + j] as f64 * h[j * k + t] as f64;
            }
        }
    }
    let mut new_w: Vec<f64> = w.iter().map(|&x| x as f64).collect();
    for i in 0..n {
        let x = &mut new_w[i * k..][..k];
        for t in 0..k {
            let gx: f64 = (0..k).map(|u| b[t * k + u] * x[u]).sum();
            x[t] = (x[t] - (gx - a[i * k + t]) / b[t * k + t]).max(0.0);
        }
    }
    let sums: Vec<f64> = (0..k)
        .map(|t| (0..n).map(|i| new_w[i * k + t]).sum())
        .collect();
    let stats = solver.statistics();
    for i in 0..n {
        for t in 0..k {
            let want = new_w[i * k + t] / sums[t];
            let got = solver.w()[i * k + t] as f64;
            assert!(
                (got - want).abs() <= 1e-5 * want.max(1e-3),
                "W[{i}, {t}]: {got} {want}"
            );
            let want = a[i * k + t] * sums[t];
            let got = stats.a[i * k + t];
            assert!(
                (got - want).abs() <= 1e-5 * want.max(1.0),
                "A[{i}, {t}]: {got} {want}"
            );
        }
    }
    for t in 0..k {
        for u in 0..k {
            let want = b[t * k + u] * sums[t] * sums[u];
            let got = stats.b[t * k + u];
            assert!(
                (got - want).abs() <= 1e-5 * want,
                "B[{t}, {u}]: {got} {want}"
            );
        }
    }
    // Statistics of KL's shape are refused, naming both sizes.
    let kl_shaped = OnlineStatistics {
        a: vec![0.0; n * k],
        b: vec![0.0; k],
    };
    let err = nmf
        .online_solver(k, &w, Some(kl_shaped))
        .err()
        .unwrap()
        .to_string();
    assert!(
        err.contains(&format!("needs {} and {}", n * k, k * k)),
        "{err}"
    );
}

/// Documents sorted by topic, so that the first batches hold the words of one topic alone:
/// the words they lack must keep a weight (multiplicative updates never give back a 0), and
/// every planted topic is found.
#[test]
fn minibatch_fitting_of_sorted_documents_keeps_the_words_the_first_batches_lack() {
    let (n, k, per_topic) = (300, 6, 150);
    let mut rng = TestRng::new(8);
    let planted = planted_topics(n, k, &mut rng);
    let m = k * per_topic;
    let mut dense = vec![0f32; n * m];
    for t in 0..k {
        let (csc, _) = documents(&planted, n, k, per_topic, &[t], &mut rng);
        for (j, col) in csc.outer_iterator().enumerate() {
            for (i, &x) in col.iter() {
                dense[i * m + t * per_topic + j] = x;
            }
        }
    }
    let (csc, csr) = sparse_from_dense(n, m, &dense);
    let (model, _, report) = Nmf::new(k)
        .seed(2)
        .max_iter(20)
        .tol(0.0)
        .fit_minibatch(&csc, &csr, 100, None)
        .unwrap();
    assert_eq!(report.minibatch.map(|b| b.batches), Some(9));
    let found = best_cosines(&planted, (n, k), |i, f| model.word_row(i)[f] as f64);
    for (t, best) in found.iter().enumerate() {
        assert!(*best >= 0.9, "planted topic {t}: best cosine {best:.3}");
    }
}

/// A model fitted on documents of topics 0 to 4, then updated with documents mixing topics 4
/// to 7: the new documents fit the updated W better than the old one, more so the smaller ρ,
/// and the old documents fit it worse the smaller ρ (with ρ = 1 they weigh as much as the new
/// ones, and six topics now share eight planted ones).
#[test]
fn an_update_moves_the_topics_towards_a_new_mixture_as_far_as_forgetting_lets_it() {
    let (n, k) = (400, 8);
    let mut rng = TestRng::new(99);
    let planted = planted_topics(n, k, &mut rng);
    let old = documents(&planted, n, k, 1200, &[0, 1, 2, 3, 4], &mut rng);
    let new = documents(&planted, n, k, 1200, &[4, 5, 6, 7], &mut rng);
    let fitted_k = 6;
    let nmf = Nmf::new(fitted_k).max_iter(300).seed(3).threads(2);
    let (model, _) = nmf.fit(&old.0, &old.1).unwrap();
    let before_new = loss_under(&nmf, model.w(), fitted_k, &new) / tokens(&new);
    let before_old = loss_under(&nmf, model.w(), fitted_k, &old) / tokens(&old);
    let mut after = Vec::new();
    for forget in [1.0, 0.3] {
        let mut online = nmf.resume_online(&model, None, &old.0, &old.1).unwrap();
        let reports = nmf
            .partial_fit_batches(&mut online, &new.0, &new.1, 200, forget, &mut |_| {})
            .unwrap();
        assert_eq!(reports.len(), 6);
        let w = online.w().to_vec();
        after.push((
            forget,
            loss_under(&nmf, &w, fitted_k, &new) / tokens(&new),
            loss_under(&nmf, &w, fitted_k, &old) / tokens(&old),
        ));
    }
    let (_, new_rho1, old_rho1) = after[0];
    let (_, new_small, old_small) = after[1];
    assert!(
        new_rho1 < before_new && new_small < new_rho1,
        "new documents: before {before_new:.4}, after {after:?}"
    );
    assert!(
        old_small > old_rho1,
        "old documents: before {before_old:.4}, after {after:?}"
    );
}

#[test]
fn an_update_gives_the_same_bits_on_any_thread_count() {
    let (n, k) = (300, 6);
    let mut rng = TestRng::new(5);
    let planted = planted_topics(n, k, &mut rng);
    let old = documents(&planted, n, k, 600, &[0, 1, 2, 3], &mut rng);
    let new = documents(&planted, n, k, 700, &[2, 3, 4, 5], &mut rng);
    let (model, _) = Nmf::new(k).max_iter(50).fit(&old.0, &old.1).unwrap();
    let joined = {
        let ptr_a = old.0.indptr().to_proper().into_owned();
        let ptr_b = new.0.indptr().to_proper().into_owned();
        let nnz = old.0.nnz();
        let indptr: Vec<usize> = ptr_a
            .iter()
            .copied()
            .chain(ptr_b[1..].iter().map(|p| p + nnz))
            .collect();
        let indices: Vec<u32> = old
            .0
            .indices()
            .iter()
            .chain(new.0.indices())
            .copied()
            .collect();
        let data: Vec<f32> = old.0.data().iter().chain(new.0.data()).copied().collect();
        let csc = Sparse::new_csc((n, 1300), indptr, indices, data);
        let csr = csc.to_other_storage();
        (csc, csr)
    };
    let run = |(solver, loss): (Solver, Loss), threads: usize| {
        let nmf = Nmf::new(k).solver(solver).loss(loss).threads(threads);
        let mut online = nmf.resume_online(&model, None, &old.0, &old.1).unwrap();
        let reports = nmf
            .partial_fit_batches(&mut online, &new.0, &new.1, 128, 0.7, &mut |_| {})
            .unwrap();
        let a = online
            .statistics()
            .a
            .iter()
            .map(|x| x.to_bits())
            .collect::<Vec<_>>();
        let (m, stats, _, loss) = nmf.finish_online(online, &joined.0, &joined.1).unwrap();
        let b = stats.b.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        let losses: Vec<u64> = reports.iter().map(|r| r.divergence.to_bits()).collect();
        (bits(m.w()), bits(m.h()), a, b, losses, loss.to_bits())
    };
    for solver in [Solver::Mu, Solver::Cd] {
        for loss in [Loss::Kl, Loss::Frobenius] {
            let one = run((solver, loss), 1);
            assert_eq!(one.4.len(), 6);
            for threads in [2, 3] {
                assert!(
                    one == run((solver, loss), threads),
                    "{solver} on {loss}: {threads} threads differ from 1"
                );
            }
        }
    }
}

#[test]
fn statistics_rebuilt_from_a_fitted_model_leave_its_topics_nearly_where_they_are() {
    let (n, k) = (300, 5);
    let mut rng = TestRng::new(11);
    let planted = planted_topics(n, k, &mut rng);
    let all: Vec<usize> = (0..k).collect();
    let v = documents(&planted, n, k, 800, &all, &mut rng);
    let nmf = Nmf::new(k).max_iter(500).tol(1e-7);
    let (model, _) = nmf.fit(&v.0, &v.1).unwrap();
    let online = nmf.resume_online(&model, None, &v.0, &v.1).unwrap();
    let stats = online.statistics();
    // B is each topic's share of the tokens, H's row sums.
    for (t, &total) in model.topic_totals().iter().enumerate() {
        assert!((stats.b[t] - total).abs() <= 1e-6 * total, "topic {t}");
    }
    // A/B is one multiplicative step of W from a converged fit: W again, nearly.
    let moved: f64 = (0..n * k)
        .map(|i| (stats.a[i] / stats.b[i % k] - model.w()[i] as f64).abs())
        .sum();
    assert!(moved / k as f64 <= 0.02, "W would move by {moved}");
    // The W the updates start from is the model's.
    for (a, b) in online.w().iter().zip(model.w()) {
        assert!((a - b).abs() <= 1e-6, "{a} {b}");
    }
}

/// `v` folded into `solver` as one batch; returns W as the batch found it and the batch's
/// weights for that W, solved as the batch solves them (the settings' defaults).
fn one_batch(
    nmf: &Nmf,
    solver: &mut Box<dyn OnlineSolver>,
    v: &(Sparse, Sparse),
    forget: f64,
) -> (Vec<f32>, Vec<f32>) {
    let w = solver.w().to_vec();
    let data = Data::new(&v.0, &v.1).unwrap();
    let mut docs = nmf.document_solver(data, nmf.topics(), &w).unwrap();
    docs.solve(1000, 1e-6);
    let h = docs.h();
    solver.batch(data, forget).unwrap();
    (w, h)
}

/// The dense reference tests' batch: V `(n, m)` about 30% non-zero, dense and sparse, a
/// random W `(n, k)` and a random A.
fn dense_batch(
    (n, m, k): (usize, usize, usize),
    rng: &mut TestRng,
) -> (Vec<f32>, Sparse, Sparse, Vec<f32>, Vec<f64>) {
    let dense: Vec<f32> = (0..n * m)
        .map(|_| {
            if rng.uniform() < 0.3 {
                1.0 + (rng.uniform() * 4.0).floor() as f32
            } else {
                0.0
            }
        })
        .collect();
    let (csc, csr) = sparse_from_dense(n, m, &dense);
    let w: Vec<f32> = (0..n * k).map(|_| rng.uniform() as f32 + 0.05).collect();
    let a0: Vec<f64> = (0..n * k).map(|_| rng.uniform() * 3.0).collect();
    (dense, csc, csr, w, a0)
}

/// Statistics of the squared error rebuilt from a model fitted to convergence: B is the
/// model's H·Hᵀ, and its W meets the conditions of a minimum of ½tr(WBWᵀ) − tr(WAᵀ), so the
/// first update of W starts where the fit ended.
#[test]
fn squared_error_statistics_rebuilt_from_a_fitted_model_have_its_w_as_their_minimum() {
    let (n, k) = (300, 5);
    let mut rng = TestRng::new(11);
    let planted = planted_topics(n, k, &mut rng);
    let all: Vec<usize> = (0..k).collect();
    let v = documents(&planted, n, k, 800, &all, &mut rng);
    let nmf = Nmf::new(k)
        .solver(Solver::Cd)
        .loss(Loss::Frobenius)
        .max_iter(1000)
        .tol(1e-9);
    let (model, _) = nmf.fit(&v.0, &v.1).unwrap();
    let online = nmf.resume_online(&model, None, &v.0, &v.1).unwrap();
    let (stats, w, h) = (online.statistics(), model.w(), model.h());
    assert_eq!((stats.a.len(), stats.b.len()), (n * k, k * k));
    for t in 0..k {
        for u in 0..k {
            let want: f64 = h.chunks_exact(k).map(|x| x[t] as f64 * x[u] as f64).sum();
            let got = stats.b[t * k + u];
            assert!(
                (got - want).abs() <= 1e-9 * want.max(1.0),
                "B[{t}, {u}]: {got} {want}"
            );
        }
    }
    for i in 0..n {
        for t in 0..k {
            // The derivative in W_it: (W·B)_it − A_it, zero where W_it > 0, ≥ 0 where it is 0.
            let wb: f64 = (0..k)
                .map(|u| w[i * k + u] as f64 * stats.b[u * k + t])
                .sum();
            let grad = wb - stats.a[i * k + t];
            let scale = wb.max(stats.a[i * k + t]).max(1e-9 * stats.b[t * k + t]);
            if w[i * k + t] > 0.0 {
                assert!(
                    grad.abs() <= 1e-3 * scale,
                    "W[{i}, {t}] {}: {grad} of {scale}",
                    w[i * k + t]
                );
            } else {
                assert!(
                    grad >= -1e-3 * scale,
                    "W[{i}, {t}] at zero: {grad} of {scale}"
                );
            }
        }
    }
}

/// One batch against a dense reference in f64: A ← ρ·A + W ⊙ ((V/WH)·Hᵀ), B ← ρ·B + H·1,
/// W ← A/B scaled to sum to 1, with H the document solve's weights for W.
#[test]
fn a_batch_is_the_statistics_update_of_a_dense_reference() {
    let (n, m, k) = (40, 30, 4);
    let mut rng = TestRng::new(3);
    let (dense, csc, csr, w, a0) = dense_batch((n, m, k), &mut rng);
    let b0: Vec<f64> = (0..k).map(|_| 20.0 + rng.uniform() * 10.0).collect();
    let forget = 0.6;
    let nmf = Nmf::new(k);
    let stats0 = OnlineStatistics {
        a: a0.clone(),
        b: b0.clone(),
    };
    let mut solver = nmf.online_solver(k, &w, Some(stats0)).unwrap();
    // The solver starts from W scaled to sum to 1 a topic.
    let (w, h) = one_batch(&nmf, &mut solver, &(csc, csr), forget);
    let mut a = a0.iter().map(|x| x * forget).collect::<Vec<f64>>();
    let mut b = b0.iter().map(|x| x * forget).collect::<Vec<f64>>();
    for j in 0..m {
        for t in 0..k {
            b[t] += h[j * k + t] as f64;
        }
        for i in 0..n {
            let v = dense[i * m + j] as f64;
            if v == 0.0 {
                continue;
            }
            let wh: f64 = (0..k)
                .map(|t| w[i * k + t] as f64 * h[j * k + t] as f64)
                .sum();
            for t in 0..k {
                a[i * k + t] += w[i * k + t] as f64 * v / wh * h[j * k + t] as f64;
            }
        }
    }
    let stats = solver.statistics();
    for (i, (&got, &want)) in stats.a.iter().zip(&a).enumerate() {
        assert!(
            (got - want).abs() <= 1e-5 * want.max(1.0),
            "A[{i}]: {got} {want}"
        );
    }
    for (t, (&got, &want)) in stats.b.iter().zip(&b).enumerate() {
        assert!((got - want).abs() <= 1e-9 * want, "B[{t}]: {got} {want}");
    }
    for t in 0..k {
        let total: f64 = (0..n).map(|i| a[i * k + t] / b[t]).sum();
        for i in 0..n {
            let want = a[i * k + t] / b[t] / total;
            let got = solver.w()[i * k + t] as f64;
            assert!(
                (got - want).abs() <= 1e-5 * want.max(1e-3),
                "W[{i}, {t}]: {got} {want}"
            );
        }
    }
}

#[test]
fn every_registered_solver_updates_or_says_it_cannot() {
    let (n, k) = (50, 3);
    let w = vec![1.0 / n as f32; n * k];
    let mut online = 0;
    for (solver, loss) in registered() {
        let nmf = Nmf::new(k).solver(solver).loss(loss);
        match nmf.online_solver(k, &w, None) {
            Ok(s) => {
                online += 1;
                assert_eq!(s.w().len(), n * k);
            }
            Err(e) => assert!(e.to_string().contains("no online mode"), "{e}"),
        }
    }
    assert!(
        online >= 4,
        "KL-MU, KL-CD, and the Euclidean mu and cd update online"
    );
}

#[test]
fn bad_batches_are_refused_with_a_reason() {
    let (n, k) = (60, 3);
    let mut rng = TestRng::new(1);
    let planted = planted_topics(n, k, &mut rng);
    let v = documents(&planted, n, k, 90, &[0, 1, 2], &mut rng);
    let nmf = Nmf::new(k).max_iter(20);
    let (model, _) = nmf.fit(&v.0, &v.1).unwrap();
    let mut online = nmf.resume_online(&model, None, &v.0, &v.1).unwrap();
    let err = |e: nmf_topics::nmf::NmfError| e.to_string();
    let text = err(nmf.partial_fit(&mut online, &v.0, &v.1, 0.0).unwrap_err());
    assert!(text.contains("forgetting factor"), "{text}");
    let text = err(nmf
        .partial_fit_batches(&mut online, &v.0, &v.1, 0, 1.0, &mut |_| {})
        .unwrap_err());
    assert!(text.contains("batch size 0"), "{text}");
    let other = documents(
        &planted_topics(2 * n, k, &mut rng),
        2 * n,
        k,
        10,
        &[0],
        &mut rng,
    );
    let text = err(nmf
        .partial_fit(&mut online, &other.0, &other.1, 1.0)
        .unwrap_err());
    assert!(text.contains("words"), "{text}");
    let wrong = OnlineStatistics {
        a: vec![0.0; 5],
        b: vec![0.0; k],
    };
    let text = err(nmf
        .resume_online(&model, Some(wrong), &v.0, &v.1)
        .err()
        .unwrap());
    assert!(text.contains("online statistics"), "{text}");
    assert_eq!(online.batches(), 0);
}

/// The shipped corpus cut into its first `first` documents and the rest, as JSON Lines.
fn halves(dir: &Path, first: usize) -> (std::path::PathBuf, std::path::PathBuf) {
    let file = fs::File::open(util::default_corpus()).unwrap();
    let lines = BufReader::new(flate2::read::GzDecoder::new(file)).lines();
    let (a, b) = (dir.join("a.jsonl"), dir.join("b.jsonl"));
    let mut out_a = fs::File::create(&a).unwrap();
    let mut out_b = fs::File::create(&b).unwrap();
    for (i, line) in lines.enumerate() {
        let out = if i < first { &mut out_a } else { &mut out_b };
        writeln!(out, "{}", line.unwrap()).unwrap();
    }
    (a, b)
}

fn model_json(dir: &Path) -> serde_json::Value {
    serde_json::from_slice(&fs::read(dir.join("model.json")).unwrap()).unwrap()
}

#[test]
fn update_on_the_shipped_corpus_gives_a_model_every_subcommand_reads() {
    let dir = util::tempdir();
    let (a, b) = halves(dir.path(), 3000);
    let m = dir.path().join("m");
    let fit = [
        "fit",
        arg(&a),
        "-k",
        "6",
        "--max-iter",
        "30",
        "-q",
        "--model",
        arg(&m),
        "--label-field",
        "section",
    ];
    run_ok(&fit);
    let before = model_json(&m);
    let out = run_ok(&[
        "update",
        arg(&m),
        arg(&b),
        "--batch-size",
        "500",
        "-q",
        "--label-field",
        "section",
    ]);
    let text = util::stdout(&out);
    assert!(
        text.contains("2,000 documents added in 4 batches"),
        "{text}"
    );
    assert!(text.contains("5,000 documents now"), "{text}");
    assert!(
        text.contains("words outside the model's vocabulary"),
        "{text}"
    );
    assert!(text.contains("statistics: rebuilt"), "{text}");
    let after = model_json(&m);
    assert_eq!(after["shapes"]["documents"], 5000);
    assert_eq!(after["shapes"]["words"], before["shapes"]["words"]);
    assert_eq!(after["updates"]["documents"], 2000);
    assert_eq!(after["documents"].as_array().map(Vec::len), Some(5000));
    let saved = SavedModel::load(&m).unwrap();
    let stats = saved.online_statistics().expect("statistics saved");
    assert_eq!(stats.b.len(), 6);
    assert_eq!(saved.model().n_documents(), 5000);
    // The new documents carry their labels into the model.
    let labels = saved
        .matrix()
        .documents()
        .labels()
        .skip(3000)
        .flatten()
        .count();
    assert_eq!(labels, 2000);

    // Every reader of a model reads it, and counts the new documents.
    let topics = util::stdout(&run_ok(&["topics", "--model", arg(&m), "--json", "-"]));
    let topics: serde_json::Value = serde_json::from_str(&topics).unwrap();
    assert_eq!(topics["corpus"]["documents"], 5000, "{topics}");
    // The new documents that now represent a topic have their snippets, cut from the input.
    let new_ids: std::collections::HashSet<String> = fs::read_to_string(&b)
        .unwrap()
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    let shown: Vec<&serde_json::Value> = topics["topics"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| t["documents"].as_array().unwrap())
        .filter(|d| new_ids.contains(d["id"].as_str().unwrap()))
        .collect();
    assert!(!shown.is_empty());
    assert!(shown.iter().all(|d| d["snippet"].is_string()), "{shown:?}");
    let html = dir.path().join("r.html");
    run_ok(&["report", "--model", arg(&m), "--html", arg(&html)]);
    assert!(fs::metadata(&html).unwrap().len() > 1000);
    run_ok(&["senses", "package", "--model", arg(&m)]);
    let csv = dir.path().join("t.csv");
    run_ok(&[
        "transform",
        "--model",
        arg(&m),
        arg(&b),
        "--csv",
        arg(&csv),
        "-q",
    ]);
    assert_eq!(fs::read_to_string(&csv).unwrap().lines().count(), 2001);

    // Updated again: the statistics saved are carried, not rebuilt.
    let text = util::stdout(&run_ok(&[
        "update",
        arg(&m),
        arg(&a),
        "--forget",
        "0.5",
        "-q",
        "--output",
        arg(&dir.path().join("m2")),
    ]));
    assert!(!text.contains("statistics: rebuilt"), "{text}");
    let again = model_json(&dir.path().join("m2"));
    assert_eq!(again["shapes"]["documents"], 8000);
    assert_eq!(again["updates"]["updates"], 2);
    assert_eq!(again["updates"]["documents"], 5000);
    // --output left the model it read alone.
    assert_eq!(model_json(&m), after);
}

#[test]
fn fit_by_mini_batches_saves_statistics_that_an_update_carries_on() {
    let dir = util::tempdir();
    let (a, b) = halves(dir.path(), 2500);
    let m = dir.path().join("m");
    let out = run_ok(&[
        "fit",
        arg(&a),
        "-k",
        "6",
        "--batch-size",
        "400",
        "--max-iter",
        "5",
        "--model",
        arg(&m),
    ]);
    let text = util::stdout(&out);
    assert!(
        text.contains("5 iterations of")
            && text.contains("passes over the documents in 7 batches of 400"),
        "{text}"
    );
    let saved = SavedModel::load(&m).unwrap();
    assert!(saved.online_statistics().is_some());
    assert_eq!(saved.fit().minibatch.as_ref().map(|b| b.batches), Some(7));
    let text = util::stdout(&run_ok(&["update", arg(&m), arg(&b), "-q"]));
    assert!(text.contains("2,500 documents added"), "{text}");
    assert!(!text.contains("statistics: rebuilt"), "{text}");

    let err = run_err(&["fit", arg(&a), "--forget", "0.5"]);
    assert!(err.contains("--batch-size"), "{err}");
    let err = run_err(&["fit", arg(&a), "--batch-size", "100", "--restarts", "2"]);
    assert!(err.contains("--restarts"), "{err}");
}

/// The same through the command line for the squared error: `fit --loss frobenius
/// --batch-size` saves A and the K × K B, and `update` carries on from them.
#[test]
fn fit_by_mini_batches_of_the_squared_error_then_update() {
    let dir = util::tempdir();
    let (a, b) = halves(dir.path(), 2500);
    let m = dir.path().join("m");
    run_ok(&[
        "fit",
        arg(&a),
        "-k",
        "6",
        "--loss",
        "frobenius",
        "--solver",
        "cd",
        "--batch-size",
        "400",
        "--max-iter",
        "5",
        "--quiet",
        "--model",
        arg(&m),
    ]);
    let saved = SavedModel::load(&m).unwrap();
    let stats = saved.online_statistics().expect("statistics saved");
    assert_eq!(stats.b.len(), 36);
    let text = util::stdout(&run_ok(&["update", arg(&m), arg(&b), "-q"]));
    assert!(text.contains("2,500 documents added"), "{text}");
    assert!(!text.contains("statistics: rebuilt"), "{text}");
    // The loss by its name.
    assert!(
        text.contains("squared error over all 5,000 documents") && !text.contains("divergence"),
        "{text}"
    );
    let updated = SavedModel::load(&m).unwrap();
    assert_eq!(updated.online_statistics().unwrap().b.len(), 36);
    assert_eq!(model_json(&m)["parameters"]["nmf"]["loss"], "frobenius");
}

#[test]
fn failed_updates_leave_the_old_model_byte_for_byte() {
    let dir = util::tempdir();
    let (_, b) = halves(dir.path(), 4000);
    let m = util::fit_small_model(dir.path(), &[]);
    let snapshot = |m: &Path| {
        (
            fs::read(m.join("model.json")).unwrap(),
            fs::read(m.join("model.safetensors")).unwrap(),
        )
    };
    let before = snapshot(&m);
    let missing = dir.path().join("nothing");
    let err = run_err(&["update", arg(&missing), arg(&b)]);
    assert!(err.contains("no model at"), "{err}");

    let empty = dir.path().join("empty.jsonl");
    fs::write(&empty, "").unwrap();
    let err = run_err(&["update", arg(&m), arg(&empty), "-q"]);
    assert!(err.contains("no document"), "{err}");
    assert!(snapshot(&m) == before);

    let err = run_err(&[
        "update",
        arg(&m),
        arg(&b),
        "-q",
        "--output",
        "/sys/nmf-topics-updated",
    ]);
    assert!(err.contains("/sys"), "{err}");
    assert!(snapshot(&m) == before);

    let err = run_err(&["update", arg(&m), arg(&b), "--forget", "0"]);
    assert!(err.contains("forgetting factor"), "{err}");
    let err = run_err(&["update", arg(&m), arg(&b), "--batch-size", "0"]);
    assert!(err.contains("--batch-size"), "{err}");
    assert!(snapshot(&m) == before);

    // A destination that holds something else is refused, and left as it was.
    let occupied = dir.path().join("occupied");
    fs::create_dir(&occupied).unwrap();
    fs::write(occupied.join("notes.txt"), "mine").unwrap();
    let err = run_err(&["update", arg(&m), arg(&b), "-q", "--output", arg(&occupied)]);
    assert!(err.contains("notes.txt"), "{err}");
    assert_eq!(
        fs::read_to_string(occupied.join("notes.txt")).unwrap(),
        "mine"
    );
    assert!(snapshot(&m) == before);
    assert_eq!(util::files_in(&m), ["model.json", "model.safetensors"]);
}

#[test]
fn an_update_in_place_in_a_read_only_folder_leaves_the_model_as_it_was() {
    use std::os::unix::fs::PermissionsExt;
    let dir = util::tempdir();
    let (_, b) = halves(dir.path(), 4500);
    let ro = dir.path().join("ro");
    fs::create_dir(&ro).unwrap();
    let m = util::fit_small_model(&ro, &[]);
    let before = (
        fs::read(m.join("model.json")).unwrap(),
        fs::read(m.join("model.safetensors")).unwrap(),
    );
    fs::set_permissions(&ro, fs::Permissions::from_mode(0o555)).unwrap();
    if fs::write(ro.join("probe"), "").is_ok() {
        // Root writes anywhere: the /sys destination of the test above covers this case.
        fs::remove_file(ro.join("probe")).unwrap();
        fs::set_permissions(&ro, fs::Permissions::from_mode(0o755)).unwrap();
        eprintln!("skipped: this user can write into a read-only folder");
        return;
    }
    let err = run_err(&["update", arg(&m), arg(&b), "-q"]);
    fs::set_permissions(&ro, fs::Permissions::from_mode(0o755)).unwrap();
    assert!(err.contains("ro"), "{err}");
    assert_eq!(util::files_in(&ro), ["model"]);
    let after = (
        fs::read(m.join("model.json")).unwrap(),
        fs::read(m.join("model.safetensors")).unwrap(),
    );
    assert!(after == before);
}

#[test]
fn tf_idf_and_masks_are_refused_by_the_updates_of_counts() {
    let dir = util::tempdir();
    let corpus = util::default_corpus();
    let err = util::run_err(&[
        "fit",
        arg(&corpus),
        "-k",
        "4",
        "--batch-size",
        "1000",
        "--weighting",
        "tfidf",
        "-q",
    ]);
    assert!(
        err.contains("leave out --mask and --weighting tfidf"),
        "{err}"
    );
    let model = util::fit_small_model(dir.path(), &["--weighting", "tfidf"]);
    let before = fs::read(model.join("model.safetensors")).unwrap();
    let err = util::run_err(&["update", arg(&model), arg(&corpus), "-q"]);
    assert!(err.contains("the model factors tf-idf weights"), "{err}");
    assert_eq!(fs::read(model.join("model.safetensors")).unwrap(), before);
}
