//! Mini-batch updates of W for the I-divergence (scikit-learn's `MiniBatchNMF` scheme for
//! β-loss multiplicative updates, β = 1). Per batch V_b with weights H_b solved for W fixed:
//!
//! ```text
//! A ← ρ·A + W ⊙ ((V_b / W·H_b)·H_bᵀ)      (n_words, K)
//! B ← ρ·B + H_b·1                          (K)
//! W ← A / B, each topic then scaled to sum to 1
//! ```
//!
//! With ρ = 1 and one batch this is Lee & Seung's W update; over batches A and B carry the
//! documents seen before, weighted by ρ per batch since. Coordinate descent offers the same
//! mode (its own document solve, these statistics).
//!
//! **Reproducibility.** Each word's row of A and W reads only its own row of V_b, so the rows
//! run in parallel in any split; B is summed document after document. No step allocates: A,
//! B and W are made with the solver, and the batch's weights come from the settings' document
//! solver, made for the batch.
//!
//! **Guards.** (W·H) is floored at 1e-12; a topic whose B is not above [`DEAD`] times the
//! largest keeps its words, so a topic no recent document used does not blow up from 0/0;
//! values below `f32::MIN_POSITIVE` are flushed to zero.

use rayon::prelude::*;

use crate::nmf::seam::{Data, OnlineSolver, OnlineStatistics};
use crate::nmf::solvers::online_parts::{self, Scheme};
use crate::nmf::{Nmf, NmfError};

/// A topic's B below this fraction of the largest B: too little weight to move its words.
const DEAD: f64 = 1e-9;

/// The floor of (W·H) before dividing.
const FLOOR: f32 = 1e-12;

/// The I-divergence's statistics and update of W.
pub(in crate::nmf::solvers) struct Kl;

/// The online mode of a KL solver: the settings' document solve and these statistics.
pub(in crate::nmf::solvers) fn start(
    nmf: &Nmf,
    k: usize,
    w: &[f32],
    statistics: Option<OnlineStatistics>,
) -> Result<Box<dyn OnlineSolver>, NmfError> {
    online_parts::start::<Kl>(nmf, k, w, statistics)
}

impl Scheme for Kl {
    fn b_len(k: usize) -> usize {
        k
    }

    /// A ← ρ·A + W ⊙ ((V/WH)·Hᵀ), B ← ρ·B + H·1.
    fn fold(
        stats: &mut OnlineStatistics,
        w: &[f32],
        k: usize,
        v: Data<'_>,
        h: &[f32],
        forget: f64,
    ) {
        for (b, s) in stats.b.iter_mut().zip(row_sums(h, k)) {
            *b = forget * *b + s;
        }
        let by_word = v.by_word();
        let ptr = by_word.indptr();
        let (indices, data) = (by_word.indices(), by_word.data());
        stats
            .a
            .par_chunks_mut(k)
            .zip(w.par_chunks(k))
            .enumerate()
            .for_each(|(word, (a, w))| {
                for x in a.iter_mut() {
                    *x *= forget;
                }
                let range = ptr.outer_inds_sz(word);
                for (&d, &count) in indices[range.clone()].iter().zip(&data[range]) {
                    let hd = &h[d as usize * k..][..k];
                    let wh: f32 = w.iter().zip(hd).map(|(x, y)| x * y).sum();
                    let ratio = (count / wh.max(FLOOR)) as f64;
                    for ((a, &x), &y) in a.iter_mut().zip(w).zip(hd) {
                        *a += ratio * (x as f64 * y as f64);
                    }
                }
            });
    }

    /// W ← A / B on the live topics, each topic then scaled to sum to 1.
    fn refresh(stats: &mut OnlineStatistics, w: &mut [f32], k: usize) {
        let largest = stats.b.iter().copied().fold(0.0, f64::max);
        let live: Vec<bool> = stats
            .b
            .iter()
            .map(|&b| b > 0.0 && b > DEAD * largest)
            .collect();
        let b = &stats.b;
        w.par_chunks_mut(k)
            .zip(stats.a.par_chunks(k))
            .for_each(|(w, a)| {
                for t in 0..k {
                    if live[t] {
                        w[t] = flush((a[t] / b[t]) as f32);
                    }
                }
            });
        normalise(w, k);
    }

    /// W alone: A / B is in no units of W's.
    fn normalise(_stats: &mut OnlineStatistics, w: &mut [f32], k: usize) {
        normalise(w, k);
    }

    /// A = W·p and B = p for every topic, p the tokens of an average batch spread evenly over
    /// the topics: A / B is W.
    fn count_start(
        stats: &mut OnlineStatistics,
        w: &[f32],
        k: usize,
        v: Data<'_>,
        batch_size: usize,
    ) {
        let by_doc = v.by_doc();
        let n_docs = by_doc.cols().max(1);
        let tokens: f64 = by_doc.data().iter().map(|&x| x as f64).sum();
        let prior = tokens * batch_size.min(n_docs) as f64 / n_docs as f64 / k as f64;
        for (a, &w) in stats.a.iter_mut().zip(w) {
            *a = w as f64 * prior;
        }
        stats.b.fill(prior);
    }
}

/// Σ_d H[d, t] for each topic, document after document.
fn row_sums(h: &[f32], k: usize) -> Vec<f64> {
    let mut sums = vec![0f64; k];
    for row in h.chunks_exact(k) {
        for (s, &x) in sums.iter_mut().zip(row) {
            *s += x as f64;
        }
    }
    sums
}

/// Scales each column of W `(n_words, k)` to sum to 1; a column of zeros stays so.
fn normalise(w: &mut [f32], k: usize) {
    let mut sums = vec![0f64; k];
    for row in w.chunks_exact(k) {
        for (s, &x) in sums.iter_mut().zip(row) {
            *s += x as f64;
        }
    }
    w.par_chunks_mut(k).for_each(|row| {
        for (x, &s) in row.iter_mut().zip(&sums) {
            if s > 0.0 {
                *x = flush((*x as f64 / s) as f32);
            }
        }
    });
}

fn flush(x: f32) -> f32 {
    if x.is_finite() && x >= f32::MIN_POSITIVE {
        x
    } else {
        0.0
    }
}
