//! Starting factors, in the padded layout of [`Rows`]: of the joint iterations ([`factors`],
//! from a seed or given factors) and of a document solve ([`document_start`], W in an order of
//! its own).

use rand::SeedableRng;
use rand_distr::{Distribution, StandardNormal};
use rand_pcg::Pcg64;

use super::rows::Rows;
use super::seam::{Data, Start};
use super::{nndsvd, Init, NmfError};
use crate::matrix::Sparse;

/// W `(n_words, kp)` and Hᵀ `(n_documents, kp)` of `k` topics padded with zeros to `kp`, as
/// `start` says: `init` from its seed, or the given factors, checked. `power`: the power
/// iterations of an NNDSVD start ([`nndsvd::POWER_ITERATIONS`] unless the solver needs fewer).
pub(crate) fn factors(
    v: Data,
    (k, kp): (usize, usize),
    init: Init,
    start: Start,
    power: usize,
) -> Result<(Rows, Rows), NmfError> {
    let (n_words, n_docs) = v.shape();
    match start {
        Start::Factors { w, h } => {
            if k == 0 || w.len() != n_words * k || h.len() != n_docs * k {
                return Err(NmfError::Matrix(format!(
                    "starting factors must be ({n_words}, {k}) and ({n_docs}, {k})"
                )));
            }
            if w.iter().chain(h).any(|x| !x.is_finite() || *x < 0.0) {
                return Err(NmfError::Matrix(
                    "starting factors must be finite and non-negative".into(),
                ));
            }
            Ok((pad(w, k, kp), pad(h, k, kp)))
        }
        Start::Seed(seed) => match init {
            Init::Random => {
                if k == 0 {
                    return Err(NmfError::Matrix("k must be at least 1".into()));
                }
                Ok(random(v.by_doc(), k, kp, seed))
            }
            Init::Nndsvda => {
                if k == 0 || k > n_words.min(n_docs) {
                    return Err(NmfError::Matrix(format!(
                        "k must be between 1 and {}",
                        n_words.min(n_docs)
                    )));
                }
                let (by_doc, by_word) = (v.by_doc(), v.by_word());
                Ok(nndsvd::nndsvd(by_doc, by_word, (k, kp), seed, power, true))
            }
        },
    }
}

/// W `(n_words, k)` row-major, checked, with its topics held in [`canonical_order`] and padded
/// to `kp`, and where each of the caller's topics is held: the start of a document solve, whose
/// bits then do not depend on how the topics are numbered (a fit renumbers its topics after
/// its final solve, and `transform` with the renumbered model still gives back the fitted
/// weights).
pub(crate) fn document_start(
    v: Data,
    k: usize,
    kp: usize,
    w0: &[f32],
) -> Result<(Rows, Vec<usize>), NmfError> {
    let n_words = v.shape().0;
    if k == 0 || w0.len() != n_words * k {
        return Err(NmfError::Matrix(format!("W must be ({n_words}, {k})")));
    }
    if w0.iter().any(|x| !x.is_finite() || *x < 0.0) {
        return Err(NmfError::Matrix("W must be finite and non-negative".into()));
    }
    let order = canonical_order(w0, k);
    let mut w = Rows::zeroed(n_words * kp);
    for (row, from) in w.chunks_exact_mut(kp).zip(w0.chunks_exact(k)) {
        for (x, &t) in row.iter_mut().zip(&order) {
            *x = from[t];
        }
    }
    let mut slot = vec![0; k];
    for (c, &t) in order.iter().enumerate() {
        slot[t] = c;
    }
    Ok((w, slot))
}

/// An order of W's `k` columns (W `(n_words, k)` row-major) that depends on their values
/// alone, not on their numbering: by value, word after word, the first difference deciding.
/// Columns that are equal keep their numbering's order; the updates treat them alike, so that
/// changes no bits either.
fn canonical_order(w: &[f32], k: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..k).collect();
    order.sort_by(|&a, &b| {
        w.chunks_exact(k)
            .map(|row| row[a].total_cmp(&row[b]))
            .find(|o| o.is_ne())
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    order
}

/// Random W `(n_words, k)` and Hᵀ `(n_documents, k)`, rows padded with zeros to `kp`:
/// |N(0, 1)|·√(mean(V)/k), drawn from a PCG-64 stream seeded with `seed`, all of W first.
fn random(v: &Sparse, k: usize, kp: usize, seed: u64) -> (Rows, Rows) {
    let (n_words, n_docs) = v.shape();
    let total: f64 = v.data().iter().map(|&x| x as f64).sum();
    let mean = total / (n_words as f64 * n_docs as f64);
    let scale = (mean / k as f64).sqrt();
    let mut rng = Pcg64::seed_from_u64(seed);
    let mut draw = |rows: usize| -> Rows {
        let mut out = Rows::zeroed(rows * kp);
        for row in out.chunks_exact_mut(kp) {
            for x in &mut row[..k] {
                let z: f64 = StandardNormal.sample(&mut rng);
                *x = (z.abs() * scale) as f32;
            }
        }
        out
    };
    let w = draw(n_words);
    let h = draw(n_docs);
    (w, h)
}

/// Rows of `k` values padded with zeros to `kp`.
fn pad(rows: &[f32], k: usize, kp: usize) -> Rows {
    let mut out = Rows::zeroed(rows.len() / k * kp);
    for (dst, src) in out.chunks_exact_mut(kp).zip(rows.chunks_exact(k)) {
        dst[..k].copy_from_slice(src);
    }
    out
}
