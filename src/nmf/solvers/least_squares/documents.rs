//! The Euclidean solvers' document weights with W fixed: for each document d,
//!
//! ```text
//! h_d = argmin_{h ≥ 0}  ½‖v_d − W h‖²  =  argmin  ½ hᵀ(WᵀW)h − (Wᵀv_d)ᵀh + ½‖v_d‖²
//! ```
//!
//! a non-negative least squares problem of K unknowns, convex, the same whichever Euclidean
//! solver fitted W; so every one of them solves it alike, by cyclic coordinate descent (each
//! weight in turn set to its exact minimum with the others fixed), which converges to the
//! minimum in a few sweeps of K² multiply-adds. Each document starts from zero weights and
//! sweeps until no weight moves by more than `tol` times the document's total in a sweep, or
//! `max_iter` sweeps. W is held in an order of its values alone (`init::document_start`), so
//! a document's weights do not depend on how the topics are numbered.

use rayon::prelude::*;

use super::{coordinate_pass_on, dot, gram_times, half_norm, kernel_for, padded, Half};
use crate::matrix::Sparse;
use crate::nmf::chunks::chunk_bounds;
use crate::nmf::init;
use crate::nmf::kernel::Kernel;
use crate::nmf::rows::Rows;
use crate::nmf::seam::{Data, DocumentSolver};
use crate::nmf::NmfError;

/// One chunk's rows of Hᵀ, their statistics and the chunk's scratch.
type Part<'p> = (&'p mut [f32], &'p mut [(u32, bool)], &'p mut [f64]);

/// The document weights of V with W fixed.
pub(in crate::nmf::solvers) struct Documents<'a> {
    by_doc: &'a Sparse,
    doc_ptr: Vec<usize>,
    k: usize,
    kp: usize,
    kernel: Kernel,
    /// W in the order of its values, `(n_words, kp)`.
    w: Rows,
    /// Where each of the caller's topics is held.
    slot: Vec<usize>,
    /// WᵀW, `(k, k)`, in that order.
    gram: Vec<f64>,
    /// Hᵀ, `(n_documents, kp)`.
    h: Rows,
    chunks: Vec<usize>,
    /// Each chunk's rows of c and Gx and a document's own Gram matrix, `(chunks, 2·kp + k·k)`.
    scratch: Vec<f64>,
    /// The missing entries by document, and their row pointers.
    mask: Option<&'a Sparse>,
    mask_ptr: Vec<usize>,
}

impl<'a> Documents<'a> {
    /// The solver of `v`'s weights with W fixed to `w0`, `(n_words, k)` row-major, on the
    /// portable loops when `portable` says so.
    pub(in crate::nmf::solvers) fn new(
        v: Data<'a>,
        k: usize,
        w0: &[f32],
        portable: bool,
    ) -> Result<Documents<'a>, NmfError> {
        let kp = padded(k);
        let (mut w, slot) = init::document_start(v, k, kp, w0)?;
        let by_doc = v.by_doc();
        let doc_ptr = by_doc.indptr().to_proper().into_owned();
        let chunks = chunk_bounds(&doc_ptr);
        let word_chunks = chunk_bounds(&v.by_word().indptr().to_proper());
        let n = word_chunks.len() - 1;
        let (mut partials, mut scratch, mut outs) =
            (vec![0.0; n * k * k], vec![0.0; n * 2 * kp], vec![0.0; n]);
        let mut gram = vec![0.0; k * k];
        super::gram(
            &word_chunks,
            &mut w,
            k,
            kp,
            &mut scratch,
            &mut partials,
            &mut outs,
            &mut gram,
        );
        Ok(Documents {
            by_doc,
            k,
            kp,
            kernel: kernel_for(portable),
            w,
            slot,
            gram,
            h: Rows::zeroed(v.shape().1 * kp),
            scratch: vec![0.0; (chunks.len() - 1) * (2 * kp + k * k)],
            chunks,
            doc_ptr,
            mask: v.mask().map(|(d, _)| d),
            mask_ptr: v
                .mask()
                .map(|(d, _)| d.indptr().to_proper().into_owned())
                .unwrap_or_default(),
        })
    }

    fn half(&self) -> Half<'_> {
        Half {
            ptr: &self.doc_ptr,
            m: self.by_doc,
            other: &self.w,
            gram: &self.gram,
            k: self.k,
            kp: self.kp,
            missing: self.mask.map(|m| (&self.mask_ptr[..], m.indices())),
        }
    }
}

impl DocumentSolver for Documents<'_> {
    fn solve(&mut self, max_iter: usize, tol: f64) -> Vec<(u32, bool)> {
        let (k, kp, kernel) = (self.k, self.kp, self.kernel);
        let mut stats = vec![(0u32, true); self.doc_ptr.len() - 1];
        let half = Half {
            ptr: &self.doc_ptr,
            m: self.by_doc,
            other: &self.w,
            gram: &self.gram,
            k,
            kp,
            missing: self.mask.map(|m| (&self.mask_ptr[..], m.indices())),
        };
        let bounds = &self.chunks;
        // Chunks are split at their bounds: each gets its rows, statistics and scratch.
        let mut parts: Vec<Part> = Vec::with_capacity(bounds.len() - 1);
        let (mut rows, mut st, mut sc) = (&mut self.h[..], &mut stats[..], &mut self.scratch[..]);
        for c in 0..bounds.len() - 1 {
            let n = bounds[c + 1] - bounds[c];
            let (r, r1) = std::mem::take(&mut rows).split_at_mut(n * kp);
            let (s, s1) = std::mem::take(&mut st).split_at_mut(n);
            let (x, x1) = std::mem::take(&mut sc).split_at_mut(2 * kp + k * k);
            parts.push((r, s, x));
            (rows, st, sc) = (r1, s1, x1);
        }
        parts
            .into_par_iter()
            .enumerate()
            .for_each(|(c, (rows, stats, scratch))| {
                let (cv, rest) = scratch.split_at_mut(kp);
                let (gx, own) = rest.split_at_mut(kp);
                for (i, (x, stat)) in rows.chunks_exact_mut(kp).zip(stats).enumerate() {
                    let d = bounds[c] + i;
                    let (start, end) = (half.ptr[d], half.ptr[d + 1]);
                    let total: f64 = half.m.data()[start..end].iter().map(|&v| v as f64).sum();
                    x.fill(0.0);
                    if total == 0.0 {
                        *stat = (0, true);
                        continue;
                    }
                    half.product(d, cv);
                    let gram = half.row_gram(d, own);
                    *stat = (max_iter as u32, false);
                    for it in 1..=max_iter {
                        let moved = coordinate_pass_on(kernel, x, cv, gx, gram, k);
                        if moved as f64 <= tol * total {
                            *stat = (it as u32, true);
                            break;
                        }
                    }
                }
            });
        stats
    }

    /// Σ_d ½‖v_d‖² − Σ_nz v·(W_w·h_d) + ½ h_dᵀ(WᵀW)h_d, documents in chunks added in order.
    fn loss(&self) -> f64 {
        let half = self.half();
        let (k, kp) = (self.k, self.kp);
        let bounds = &self.chunks;
        let parts: Vec<f64> = (0..bounds.len() - 1)
            .into_par_iter()
            .map(|c| {
                let rows = &self.h[bounds[c] * kp..bounds[c + 1] * kp];
                // Not a step: the loss alone makes its rows of c and Gx here.
                let (mut cv, mut gx) = (vec![0.0; kp], vec![0.0; kp]);
                let mut sum = 0.0;
                for (i, x) in rows.chunks_exact(kp).enumerate() {
                    gram_times(&mut gx, &self.gram, x, k);
                    let quadratic = dot(&gx, x, k);
                    sum += 0.5 * (quadratic - half.missing_square(bounds[c] + i, x))
                        - half.cross(bounds[c] + i, x, &mut cv);
                }
                sum
            })
            .collect();
        (half_norm(self.by_doc) + parts.iter().sum::<f64>()).max(0.0)
    }

    fn h(&self) -> Vec<f32> {
        self.h
            .chunks_exact(self.kp)
            .flat_map(|row| self.slot.iter().map(|&c| row[c]))
            .collect()
    }
}
