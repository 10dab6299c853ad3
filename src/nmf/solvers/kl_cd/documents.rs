//! KL-CD's document weights with W fixed: the H sweeps alone, each document from the same
//! uniform start until its weights stop moving, weights whose minimum is zero set to zero.

use rayon::prelude::*;

use super::{kernel, padded, topic_sums, Half, KlCd};
use crate::nmf::init;
use crate::nmf::rows::Rows;
use crate::nmf::seam::{Data, DocumentSolver};
use crate::nmf::NmfError;

/// Documents one task solves, holding its thread's scratch space: results do not depend on it.
const TASK_DOCS: usize = 64;

/// Between sweeps over every weight, sweeps over the non-zero ones alone: a weight at zero
/// that would now leave it waits at most this many sweeps.
const FULL_EVERY: usize = 4;

impl<'a> KlCd<'a> {
    /// A solver of the document weights alone, W fixed to `w0`, `(n_words, k)` row-major, its
    /// topics held in an order of W's alone (`init::document_start`); it has no W half.
    pub(super) fn for_documents(v: Data<'a>, k: usize, w0: &[f32]) -> Result<KlCd<'a>, NmfError> {
        let kp = padded(k);
        let (w, slot) = init::document_start(v, k, kp, w0)?;
        let n_docs = v.shape().1;
        let mut solver = KlCd::assemble(v, k, w, Rows::zeroed(n_docs * kp), slot, false);
        solver.col_w = topic_sums(&solver.w, kp);
        Ok(solver)
    }

    /// Every document from n_d / K on each topic whose column of W is not all zero (n_d: its
    /// count), sweeping its topics until no weight moves by more than `tol · n_d` in a sweep,
    /// or `max_iter` sweeps. (WH) at the document's words is computed afresh before each sweep,
    /// so that rounding cannot build up over many. A weight whose minimum is zero is set to it
    /// (`kernel::sweep_to_zero`) rather than shrunk towards it a sweep at a time; then most
    /// weights are exact zeros, and three sweeps in four pass over the others alone, (WH)
    /// summed over them too. On the Debian corpus (K = 20 and 50, seeds 0-2, the same W) the
    /// solve takes 43-54 sweeps a document instead of 70-90, and 0.60-1.08 s instead of
    /// 1.5-3.3 (the zero rule alone: 0.74-1.63 s). The document is solved only after a sweep
    /// over every weight moved none by more than the tolerance. Each sweep never raises D; a
    /// document's weights depend on W and its own words alone.
    fn solve_h(&mut self, max_iter: usize, tol: f64) -> Vec<(u32, bool)> {
        let (k, kp) = (self.k, self.kp);
        let live = self.col_w[..k].iter().filter(|&&s| s > 0.0).count();
        let half = Half {
            ptr: &self.doc_ptr,
            m: self.by_doc,
            other: &self.w,
            lin: &self.col_w,
            k,
            kp,
            kernel: self.kernel,
            locals: &self.locals,
        };
        let mut stats = vec![(0u32, true); self.doc_ptr.len() - 1];
        let col_w = &self.col_w;
        self.h
            .par_chunks_mut(kp * TASK_DOCS)
            .zip(stats.par_chunks_mut(TASK_DOCS))
            .enumerate()
            .for_each(|(task, (rows, stats))| {
                let mut locals = half.local();
                let local = &mut locals.0;
                for (i, (x, stat)) in rows.chunks_exact_mut(kp).zip(stats).enumerate() {
                    let d = task * TASK_DOCS + i;
                    let (start, end) = (half.ptr[d], half.ptr[d + 1]);
                    let total: f64 = half.m.data()[start..end].iter().map(|&v| v as f64).sum();
                    x.fill(0.0);
                    if total == 0.0 || live == 0 {
                        *stat = (0, true);
                        continue;
                    }
                    let even = (total / live as f64) as f32;
                    for (x, &s) in x.iter_mut().zip(col_w.iter()) {
                        *x = if s > 0.0 { even } else { 0.0 };
                    }
                    *stat = (max_iter as u32, false);
                    // W is fixed: its rows are gathered once.
                    half.gather(local, d);
                    let mut full = true;
                    for it in 1..=max_iter {
                        local.old.copy_from_slice(x);
                        kernel::compute_wh(half.kernel, local, x, k, true);
                        kernel::sweep_to_zero(half.kernel, local, x, half.lin, k, !full);
                        let change = x
                            .iter()
                            .zip(&local.old)
                            .map(|(a, b)| (a - b).abs())
                            .fold(0f32, f32::max);
                        // Only a sweep over every weight can say the document is solved.
                        let settled = change as f64 <= tol * total;
                        if settled && full {
                            *stat = (it as u32, true);
                            break;
                        }
                        full = settled || it % FULL_EVERY == 0;
                    }
                }
            });
        self.row_h = topic_sums(&self.h, kp);
        stats
    }
}

/// The seam's document solver: a [`KlCd`] made by [`KlCd::for_documents`].
pub(super) struct Documents<'a>(pub(super) KlCd<'a>);

impl DocumentSolver for Documents<'_> {
    fn solve(&mut self, max_iter: usize, tol: f64) -> Vec<(u32, bool)> {
        self.0.solve_h(max_iter, tol)
    }

    fn loss(&self) -> f64 {
        self.0.divergence()
    }

    fn h(&self) -> Vec<f32> {
        self.0.h_out()
    }
}
