//! Starting factors.

use rand::SeedableRng;
use rand_distr::{Distribution, StandardNormal};
use rand_pcg::Pcg64;

use super::rows::Rows;
use crate::matrix::Sparse;

/// Random W `(n_words, k)` and Hᵀ `(n_documents, k)`, rows padded with zeros to `kp`:
/// |N(0, 1)|·√(mean(V)/k), drawn from a PCG-64 stream seeded with `seed`, all of W first.
pub(crate) fn random(v: &Sparse, k: usize, kp: usize, seed: u64) -> (Rows, Rows) {
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
pub(crate) fn pad(rows: &[f32], k: usize, kp: usize) -> Rows {
    let mut out = Rows::zeroed(rows.len() / k * kp);
    for (dst, src) in out.chunks_exact_mut(kp).zip(rows.chunks_exact(k)) {
        dst[..k].copy_from_slice(src);
    }
    out
}
