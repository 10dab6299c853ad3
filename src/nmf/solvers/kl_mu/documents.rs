//! KL-MU's document weights with W fixed: the H update alone, each document from the same
//! uniform start until its weights stop moving (see [`KlMu::solve_h`]).

use rayon::prelude::*;

use super::{kernel, padded, pass_over, reciprocals, KlMu, Pass};
use crate::nmf::chunks::column_sums;
use crate::nmf::init;
use crate::nmf::kernel::LANES;
use crate::nmf::rows::Rows;
use crate::nmf::seam::{Data, DocumentSolver};
use crate::nmf::NmfError;

impl<'a> KlMu<'a> {
    /// A solver of the document weights alone, W fixed to `w0`, `(n_words, k)` row-major: for
    /// [`KlMu::solve_h`], [`KlMu::divergence`] and [`KlMu::h`] only. It leaves out what the W
    /// update needs (its accumulators and the bounds of V by word), which the final H solve of
    /// a fit and `transform` would hold for nothing. The topics are held in an order of W's
    /// alone (`init::document_start`).
    pub(crate) fn for_documents(v: Data<'a>, k: usize, w0: &[f32]) -> Result<KlMu<'a>, NmfError> {
        let kp = padded(k);
        let (w, slot) = init::document_start(v, k, kp, w0)?;
        let n_docs = v.shape().1;
        Ok(KlMu::assemble(v, k, w, Rows::zeroed(n_docs * kp), slot))
    }

    /// Solves for H with W fixed, as [`Nmf::transform`](crate::nmf::Nmf::transform) does: every
    /// document starts from the same uniform weights, n_d / K on each topic whose column of W
    /// is not all zero (n_d: the document's count), and runs H updates with W fixed until no
    /// weight moves by more than `tol · n_d` in an update, or `max_iter` updates.
    ///
    /// A document's updates read only W and its own column of V, so its weights are the same
    /// bits whatever the other documents and the thread count. Each update never increases
    /// D(V‖WH) (W being fixed, it is the H half of Lee & Seung's theorem). Returns, for each
    /// document, the updates run and whether `tol` stopped them.
    pub fn solve_h(&mut self, max_iter: usize, tol: f64) -> Vec<(u32, bool)> {
        reciprocals(&self.col_w, &mut self.inv);
        let (kp, kernel) = (self.kp, self.kernel);
        let live = self.col_w[..self.k].iter().filter(|&&s| s > 0.0).count();
        let pass = Pass {
            // A document's rows of W stay in cache over its updates.
            prefetch: false,
            ..pass_over(&self.doc_ptr, self.by_doc, &self.w, &self.inv, kp)
        };
        let chunks = &self.doc_chunks;
        let mut slices: Vec<&mut [f32]> = Vec::with_capacity(chunks.len() - 1);
        let mut rest: &mut [f32] = &mut self.h;
        for c in chunks.windows(2) {
            let (head, tail) = rest.split_at_mut((c[1] - c[0]) * kp);
            slices.push(head);
            rest = tail;
        }
        let col_w = &self.col_w;
        let per_chunk: Vec<Vec<(u32, bool)>> = slices
            .into_par_iter()
            .enumerate()
            .map(|(c, rows)| {
                let mut acc = vec![0f32; kp];
                let mut sums = vec![0f64; kp];
                let mut old = vec![0f32; kp];
                rows.chunks_exact_mut(kp)
                    .enumerate()
                    .map(|(i, row)| {
                        let d = chunks[c] + i;
                        let (start, end) = pass.range(d);
                        let total: f64 = pass.data[start..end].iter().map(|&x| x as f64).sum();
                        let start_value = if live > 0 {
                            (total / live as f64) as f32
                        } else {
                            0.0
                        };
                        for (x, &s) in row.iter_mut().zip(col_w.iter()) {
                            *x = if s > 0.0 { start_value } else { 0.0 };
                        }
                        if total == 0.0 || live == 0 {
                            row.fill(0.0);
                            return (0, true);
                        }
                        for it in 1..=max_iter {
                            old.copy_from_slice(row);
                            kernel::update_rows(kernel, false, &pass, d, row, &mut acc, &mut sums);
                            let change = largest_change(row, &old);
                            if change as f64 <= tol * total {
                                return (it as u32, true);
                            }
                        }
                        (max_iter as u32, false)
                    })
                    .collect()
            })
            .collect();
        column_sums(&self.h, kp, &mut self.row_h);
        per_chunk.into_iter().flatten().collect()
    }
}

/// The seam's document solver: a [`KlMu`] made by [`KlMu::for_documents`], which has no W
/// update to offer.
pub(super) struct Documents<'a>(pub(super) KlMu<'a>);

impl DocumentSolver for Documents<'_> {
    fn solve(&mut self, max_iter: usize, tol: f64) -> Vec<(u32, bool)> {
        self.0.solve_h(max_iter, tol)
    }

    fn loss(&self) -> f64 {
        self.0.divergence()
    }

    fn h(&self) -> Vec<f32> {
        self.0.h()
    }
}

/// max |a − b| over the rows `a` and `b` (padded to [`LANES`]), lane by lane so that it runs on
/// vectors: a plain fold is one long chain of dependent maxima, a tenth of an H update.
fn largest_change(a: &[f32], b: &[f32]) -> f32 {
    let mut lanes = [0f32; LANES];
    for (a, b) in a.chunks_exact(LANES).zip(b.chunks_exact(LANES)) {
        for ((m, &x), &y) in lanes.iter_mut().zip(a).zip(b) {
            *m = m.max((x - y).abs());
        }
    }
    lanes.into_iter().fold(0f32, f32::max)
}

#[cfg(test)]
mod tests {
    use super::super::tests::matrix;
    use super::*;

    #[test]
    fn renumbered_topics_solve_to_the_same_bits() {
        let (csc, csr) = matrix(90, 130);
        let k = 11;
        let mut fitted = KlMu::random(&csc, &csr, k, 3).unwrap();
        for _ in 0..10 {
            fitted.update_h(false);
            fitted.update_w();
        }
        let w: Vec<f32> = (0..csc.rows())
            .flat_map(|i| fitted.w_row(i).to_vec())
            .collect();
        // Topic t of the renumbered W is topic order[t] of W.
        let order = [7, 2, 10, 0, 5, 9, 1, 4, 8, 3, 6];
        let renumbered: Vec<f32> = w
            .chunks_exact(k)
            .flat_map(|row| order.iter().map(|&t| row[t]))
            .collect();
        let solve = |w: &[f32]| {
            let mut solver = KlMu::for_documents(Data::new(&csc, &csr).unwrap(), k, w).unwrap();
            solver.solve_h(200, 1e-6);
            (solver.h(), solver.divergence())
        };
        let (h, d) = solve(&w);
        let (h2, d2) = solve(&renumbered);
        assert_eq!(d.to_bits(), d2.to_bits());
        for (row, row2) in h.chunks_exact(k).zip(h2.chunks_exact(k)) {
            for (t, &x) in row2.iter().enumerate() {
                assert_eq!(x.to_bits(), row[order[t]].to_bits());
            }
        }
    }
}
