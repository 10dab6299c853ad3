//! The online solver every loss shares ([`OnlineFit`]): W, the statistics, the checks of the
//! start, of each batch and of given weights, and each batch's document solve. What a loss
//! adds is its [`Scheme`]: how a batch's weights enter the statistics, how W is recomputed
//! from them, and the statistics a mini-batch fit starts from.

use std::marker::PhantomData;

use crate::nmf::seam::{Data, OnlineSolver, OnlineStatistics};
use crate::nmf::{Nmf, NmfError};

/// One loss's statistics and update of W, for [`OnlineFit`]; W is `(n_words, k)` row-major.
pub(super) trait Scheme: Send + 'static {
    /// Values of B for `k` topics.
    fn b_len(k: usize) -> usize;

    /// Multiplies the statistics by `forget` and adds those of the batch `v` with weights Hᵀ
    /// `h` `(n_documents, k)`, W as it is.
    fn fold(stats: &mut OnlineStatistics, w: &[f32], k: usize, v: Data<'_>, h: &[f32], forget: f64);

    /// Recomputes W from the statistics, each topic then summing to 1.
    fn refresh(stats: &mut OnlineStatistics, w: &mut [f32], k: usize);

    /// Scales each topic of a given W to sum to 1 (and the statistics with it, where they are
    /// in W's units).
    fn normalise(stats: &mut OnlineStatistics, w: &mut [f32], k: usize);

    /// Statistics that count W as one batch of `batch_size` of `v`'s documents, and whose
    /// minimiser is W ([`OnlineSolver::count_start`]).
    fn count_start(
        stats: &mut OnlineStatistics,
        w: &[f32],
        k: usize,
        v: Data<'_>,
        batch_size: usize,
    );
}

/// W and the statistics of a mini-batch fit under the scheme `S`, the batches' weights solved
/// by the settings' document solve.
pub(super) struct OnlineFit<S: Scheme> {
    nmf: Nmf,
    k: usize,
    w: Vec<f32>,
    stats: OnlineStatistics,
    scheme: PhantomData<S>,
}

/// The online solver of the settings `nmf` from W `(n_words, k)` and the statistics so far
/// (`None`: none yet), W's topics scaled to sum to 1.
pub(super) fn start<S: Scheme>(
    nmf: &Nmf,
    k: usize,
    w: &[f32],
    statistics: Option<OnlineStatistics>,
) -> Result<Box<dyn OnlineSolver>, NmfError> {
    let stats = start_statistics(w, k, S::b_len(k), statistics)?;
    let mut fit = OnlineFit::<S> {
        nmf: nmf.clone(),
        k,
        w: w.to_vec(),
        stats,
        scheme: PhantomData,
    };
    S::normalise(&mut fit.stats, &mut fit.w, k);
    Ok(Box::new(fit))
}

impl<S: Scheme> OnlineSolver for OnlineFit<S> {
    fn batch(&mut self, v: Data<'_>, forget: f64) -> Result<f64, NmfError> {
        check_batch(self.w.len() / self.k, &v, forget)?;
        let (h, loss) = solve_batch(&self.nmf, v, self.k, &self.w)?;
        S::fold(&mut self.stats, &self.w, self.k, v, &h, forget);
        S::refresh(&mut self.stats, &mut self.w, self.k);
        Ok(loss)
    }

    fn accumulate(&mut self, v: Data<'_>, h: &[f32], forget: f64) -> Result<(), NmfError> {
        check_batch(self.w.len() / self.k, &v, forget)?;
        check_weights(&v, h, self.k)?;
        S::fold(&mut self.stats, &self.w, self.k, v, h, forget);
        Ok(())
    }

    fn count_start(&mut self, v: Data<'_>, batch_size: usize) {
        S::count_start(&mut self.stats, &self.w, self.k, v, batch_size);
    }

    fn w(&self) -> &[f32] {
        &self.w
    }

    fn statistics(&self) -> &OnlineStatistics {
        &self.stats
    }

    fn into_parts(self: Box<Self>) -> (Vec<f32>, OnlineStatistics) {
        (self.w, self.stats)
    }
}

/// `statistics` checked against W `(n_words, k)` and `b_len` values of B, or zeros of those
/// sizes when there are none yet.
fn start_statistics(
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
fn check_batch(n_words: usize, v: &Data<'_>, forget: f64) -> Result<(), NmfError> {
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
fn check_weights(v: &Data<'_>, h: &[f32], k: usize) -> Result<(), NmfError> {
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
fn solve_batch(nmf: &Nmf, v: Data<'_>, k: usize, w: &[f32]) -> Result<(Vec<f32>, f64), NmfError> {
    let mut documents = nmf.document_solver(v, k, w)?;
    documents.solve(nmf.transform_max_iter, nmf.transform_tol);
    Ok((documents.h(), documents.loss()))
}
