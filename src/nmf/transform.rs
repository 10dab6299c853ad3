//! Document weights with W fixed: what `fit` ends with for its documents and what `transform`
//! computes for new ones, by one procedure: the solver's
//! [`DocumentSolver`](super::DocumentSolver).
//!
//! With W fixed, the loss splits into one problem per document, convex in its column of H; for
//! the KL divergence
//!
//! ```text
//! h_d = argmin_{h ≥ 0}  Σ_w (Wh)_w − V_wd · ln (Wh)_w
//! ```
//!
//! and KL-MU's H update alone converges to a minimiser
//! ([`KlMu::solve_h`](super::KlMu::solve_h)). When the document has fewer distinct words than
//! there are topics the minimiser is not unique, and which one the updates reach depends on
//! where they start: that is why a model's fitted H, left where the joint updates stopped,
//! differs from what a later transform finds (scikit-learn's issue #18663). Here both start
//! from the same uniform weights and run the same updates to the same stopping rule: `fit`
//! replaces its H by the result, so transforming a training document gives back its fitted
//! weights, the same bits on the same kernel.
//!
//! Each document runs until no weight moves by more than `transform_tol` times its count in an
//! update, or `transform_max_iter` updates (defaults 1e-6 and 1000). Documents run in parallel;
//! a document's result does not depend on the others or on the thread count.

use serde::{Deserialize, Serialize};

use super::seam::Data;
use super::{Nmf, NmfError, NmfModel};
use crate::matrix::Sparse;

/// How the document weights were solved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TransformReport {
    /// Documents solved.
    pub documents: usize,
    /// The most updates a document took.
    pub iterations_max: u32,
    /// The mean number of updates per document (documents without words take none).
    pub iterations_mean: f64,
    /// Documents stopped by `transform_max_iter` rather than by `transform_tol`.
    pub unconverged: usize,
    /// Wall-clock seconds.
    pub seconds: f64,
}

impl Nmf {
    /// The topic counts of the documents of `by_doc` (CSC) and `by_word` (the same matrix in
    /// CSR), shape `(n_words, n_documents)` over the model's vocabulary, with the model's W
    /// fixed: Hᵀ `(n_documents, topics)` row-major, as [`NmfModel::h`], each row summing to
    /// the document's count. Uses `transform_max_iter`, `transform_tol` and `threads`.
    pub fn transform(
        &self,
        model: &NmfModel,
        by_doc: &Sparse,
        by_word: &Sparse,
    ) -> Result<(Vec<f32>, TransformReport), NmfError> {
        let n_words = by_doc.rows();
        if n_words != model.n_words() {
            return Err(NmfError::Matrix(format!(
                "the documents are counted over {n_words} words, the model has {}",
                model.n_words()
            )));
        }
        self.check_settings()?;
        let v = Data::new(by_doc, by_word)?;
        if self.transform_max_iter == 0 {
            return Err(NmfError::Matrix(
                "transform_max_iter is 0: the weights need at least 1 update".into(),
            ));
        }
        let pool = self.pool()?;
        let started = std::time::Instant::now();
        pool.install(|| {
            let mut solver = self.document_solver(v, model.topics(), model.w())?;
            let stats = solver.solve(self.transform_max_iter, self.transform_tol);
            Ok((solver.h(), report(&stats, started.elapsed().as_secs_f64())))
        })
    }
}

pub(super) fn report(stats: &[(u32, bool)], seconds: f64) -> TransformReport {
    let total: u64 = stats.iter().map(|&(i, _)| i as u64).sum();
    TransformReport {
        documents: stats.len(),
        iterations_max: stats.iter().map(|&(i, _)| i).max().unwrap_or(0),
        iterations_mean: if stats.is_empty() {
            0.0
        } else {
            (total as f64 / stats.len() as f64 * 100.0).round() / 100.0
        },
        unconverged: stats.iter().filter(|&&(_, done)| !done).count(),
        seconds,
    }
}
