//! What every online solver checks and runs alike, whatever its statistics: the start's W and
//! saved statistics, each batch and its forgetting factor, given weights, and the batch's own
//! document solve.

use crate::nmf::seam::{Data, OnlineStatistics};
use crate::nmf::{Nmf, NmfError};

/// `statistics` checked against W `(n_words, k)` and `b_len` values of B, or zeros of those
/// sizes when there are none yet.
pub(super) fn start_statistics(
    w: &[f32],
    k: usize,
    b_len: usize,
    statistics: Option<OnlineStatistics>,
) -> Result<OnlineStatistics, NmfError> {
    if k == 0 || !w.len().is_multiple_of(k) {
        return Err(NmfError::Matrix(format!(
            "W of {} values is not (n_words, {k})",
            w.len()
        )));
    }
    if w.iter().any(|x| !x.is_finite() || *x < 0.0) {
        return Err(NmfError::Matrix("W must be finite and non-negative".into()));
    }
    let Some(s) = statistics else {
        return Ok(OnlineStatistics {
            a: vec![0.0; w.len()],
            b: vec![0.0; b_len],
        });
    };
    if s.a.len() != w.len() || s.b.len() != b_len {
        return Err(NmfError::Matrix(format!(
            "the online statistics are of {} and {} values, the model needs {} and {b_len}",
            s.a.len(),
            s.b.len(),
            w.len()
        )));
    }
    if s.a.iter().chain(&s.b).any(|x| !x.is_finite() || *x < 0.0) {
        return Err(NmfError::Matrix(
            "the online statistics must be finite and non-negative".into(),
        ));
    }
    Ok(s)
}

/// A batch `v` over the `n_words` of W, and a forgetting factor in (0, 1].
pub(super) fn check_batch(n_words: usize, v: &Data<'_>, forget: f64) -> Result<(), NmfError> {
    if v.shape().0 != n_words {
        return Err(NmfError::Matrix(format!(
            "the batch is counted over {} words, the model has {n_words}",
            v.shape().0
        )));
    }
    if !(forget > 0.0 && forget <= 1.0) {
        return Err(NmfError::Matrix(format!(
            "forgetting factor {forget}: it must be in (0, 1]"
        )));
    }
    Ok(())
}

/// Given weights Hᵀ of `v`'s documents: `(n_documents, k)`, finite and non-negative.
pub(super) fn check_weights(v: &Data<'_>, h: &[f32], k: usize) -> Result<(), NmfError> {
    if h.len() != v.shape().1 * k || h.iter().any(|x| !x.is_finite() || *x < 0.0) {
        return Err(NmfError::Matrix(format!(
            "the weights must be ({}, {k}), finite and non-negative",
            v.shape().1
        )));
    }
    Ok(())
}

/// The batch's weights with W fixed, by the settings' document solve (that of `fit` and
/// `transform`), and the batch's loss under W.
pub(super) fn solve_batch(
    nmf: &Nmf,
    v: Data<'_>,
    k: usize,
    w: &[f32],
) -> Result<(Vec<f32>, f64), NmfError> {
    let mut documents = nmf.document_solver(v, k, w)?;
    documents.solve(nmf.transform_max_iter, nmf.transform_tol);
    Ok((documents.h(), documents.loss()))
}
