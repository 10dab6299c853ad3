//! Mini-batch updates of W for the Euclidean loss (scikit-learn's `MiniBatchNMF` with
//! `beta_loss='frobenius'`; the statistics of Mairal et al. 2010's online dictionary
//! learning). Per batch V_b with weights H_b solved for W fixed:
//!
//! ```text
//! A ← ρ·A + V_b·H_bᵀ        (n_words, K)
//! B ← ρ·B + H_b·H_bᵀ        (K, K)
//! W ← each word's row updated once by the solver's rule, with c its row of A and G = B
//! ```
//!
//! ½·tr(W B Wᵀ) − tr(W Aᵀ) is, but for a constant, the squared error of every batch so far
//! under its own weights (each weighted by ρ per batch since), and a word's row of W meets it
//! as the W half step meets F: the same quadratic, so the same rule (`frobenius_mu`'s
//! multiplicative update or `frobenius_cd`'s pass of exact minimisations), which never raises
//! it. Each topic of W is then scaled to sum to 1, and A and B with it (A's column t times s_t,
//! B_tu times s_t·s_u): the same statistics in the new units, so the next batches' weights,
//! solved against the scaled W, add to them alike.
//!
//! **Reproducibility.** A word's row of A and of W reads only its own row of V_b and of A; B is
//! summed over fixed chunks of documents, added in chunk order. Same bits on any thread count.

use rayon::prelude::*;

use super::Rule;
use crate::nmf::kernel::guard;
use crate::nmf::seam::{Data, OnlineSolver, OnlineStatistics};
use crate::nmf::solvers::online_parts::{self, Scheme};
use crate::nmf::{Nmf, NmfError};

/// Documents whose outer products one task adds into B.
const CHUNK_DOCS: usize = 256;

/// The squared error's statistics, W updated by the rule `R`.
struct SquaredError<R: Rule>(std::marker::PhantomData<R>);

/// The online mode of a Euclidean solver whose rule updates rows: the settings' document
/// solve and these statistics, `a` holding A `(n_words, k)` and `b` holding B `(k, k)`.
pub(super) fn start<R: Rule>(
    nmf: &Nmf,
    k: usize,
    w: &[f32],
    statistics: Option<OnlineStatistics>,
) -> Result<Box<dyn OnlineSolver>, NmfError> {
    // A is V·Hᵀ and B the Gram matrix H·Hᵀ: both non-negative, as the start's check asks.
    online_parts::start::<SquaredError<R>>(nmf, k, w, statistics)
}

impl<R: Rule> Scheme for SquaredError<R> {
    fn b_len(k: usize) -> usize {
        k * k
    }

    /// A ← ρ·A + V·Hᵀ, B ← ρ·B + H·Hᵀ.
    fn fold(
        stats: &mut OnlineStatistics,
        _w: &[f32],
        k: usize,
        v: Data<'_>,
        h: &[f32],
        forget: f64,
    ) {
        let partials: Vec<Vec<f64>> = h
            .par_chunks(CHUNK_DOCS * k)
            .map(|rows| {
                let mut gram = vec![0f64; k * k];
                for x in rows.chunks_exact(k) {
                    for (t, &xt) in x.iter().enumerate().filter(|(_, &xt)| xt != 0.0) {
                        for (g, &xu) in gram[t * k..][..k].iter_mut().zip(x) {
                            *g += xt as f64 * xu as f64;
                        }
                    }
                }
                gram
            })
            .collect();
        for b in stats.b.iter_mut() {
            *b *= forget;
        }
        for gram in &partials {
            for (b, &g) in stats.b.iter_mut().zip(gram) {
                *b += g;
            }
        }
        let by_word = v.by_word();
        let ptr = by_word.indptr();
        let (indices, data) = (by_word.indices(), by_word.data());
        stats.a.par_chunks_mut(k).enumerate().for_each(|(word, a)| {
            for x in a.iter_mut() {
                *x *= forget;
            }
            let range = ptr.outer_inds_sz(word);
            for (&d, &value) in indices[range.clone()].iter().zip(&data[range]) {
                let hd = &h[d as usize * k..][..k];
                for (a, &y) in a.iter_mut().zip(hd) {
                    *a += value as f64 * y as f64;
                }
            }
        });
    }

    /// Each word's row of W updated once by the rule against its row of A and B, then the
    /// topics scaled to sum to 1.
    fn refresh(stats: &mut OnlineStatistics, w: &mut [f32], k: usize) {
        let b = &stats.b;
        w.par_chunks_mut(k)
            .zip(stats.a.par_chunks(k))
            .for_each_init(|| vec![0f64; k], |aux, (w, a)| R::update(w, a, aux, b, k));
        Self::normalise(stats, w, k);
    }

    /// Scales each topic of W to sum to 1, and A and B with it (a dead topic is left alone).
    fn normalise(stats: &mut OnlineStatistics, w: &mut [f32], k: usize) {
        let mut sums = vec![0f64; k];
        for row in w.chunks_exact(k) {
            for (s, &x) in sums.iter_mut().zip(row) {
                *s += x as f64;
            }
        }
        let scale: Vec<f64> = sums
            .iter()
            .map(|&s| if s > 0.0 { s } else { 1.0 })
            .collect();
        let scale = &scale;
        w.par_chunks_mut(k)
            .zip(stats.a.par_chunks_mut(k))
            .for_each(|(w, a)| {
                for t in 0..k {
                    w[t] = guard((w[t] as f64 / scale[t]) as f32);
                    a[t] *= scale[t];
                }
            });
        for (t, row) in stats.b.chunks_exact_mut(k).enumerate() {
            for (u, b) in row.iter_mut().enumerate() {
                *b *= scale[t] * scale[u];
            }
        }
    }

    /// A = p·W and B = p·I, p the Σ n_d² / K of an average batch (n_d: a document's total):
    /// each document's weight, n_d with W's topics summing to 1, counted in one topic, the
    /// batch's documents shared evenly among the topics. A·B⁻¹ is W.
    fn count_start(
        stats: &mut OnlineStatistics,
        w: &[f32],
        k: usize,
        v: Data<'_>,
        batch_size: usize,
    ) {
        let by_doc = v.by_doc();
        let n_docs = by_doc.cols().max(1);
        let squares: f64 = (0..by_doc.cols())
            .map(|d| {
                let total: f64 = by_doc
                    .outer_view(d)
                    .map_or(0.0, |col| col.data().iter().map(|&x| x as f64).sum());
                total * total
            })
            .sum();
        let prior = squares * batch_size.min(n_docs) as f64 / n_docs as f64 / k as f64;
        for (a, &w) in stats.a.iter_mut().zip(w) {
            *a = w as f64 * prior;
        }
        stats.b.fill(0.0);
        for t in 0..k {
            stats.b[t * k + t] = prior;
        }
    }
}
