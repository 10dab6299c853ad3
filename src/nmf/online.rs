//! Online / mini-batch fits (scikit-learn's `MiniBatchNMF`): W updated batch by batch from
//! statistics accumulated over the batches, each batch's weights solved with W fixed. It
//! drives the settings' [`OnlineSolver`](super::OnlineSolver) and names no solver.
//!
//! - [`Nmf::resume_online`] starts from a fitted model: its W, and its statistics as an
//!   earlier update saved them, or, for a model without them, rebuilt from its own V and H as
//!   if its training documents had been one batch (for KL: A = W ⊙ ((V/WH)·Hᵀ), B = H·1;
//!   for the squared error: A = V·Hᵀ, B = H·Hᵀ, whose minimiser a converged fit's W is; both
//!   leave such a W nearly where it is).
//! - [`Nmf::partial_fit`] folds one batch of new documents in; [`Nmf::partial_fit_batches`]
//!   cuts a matrix into batches of consecutive documents and folds them in order.
//! - [`Nmf::finish_online`] makes the model: W as the batches left it, and every document's
//!   weights solved again with it, by the document solve of `fit` and `transform`, the topics
//!   numbered by decreasing share.
//! - [`Nmf::fit_minibatch`] fits from scratch: the settings' start, its W counted as one
//!   batch's worth of statistics (so that no word is zeroed for good by the first batches,
//!   which may lack it), then passes of batches.
//!
//! The forgetting factor ρ multiplies the statistics before each batch is added: ρ = 1 weighs
//! every document seen alike, a smaller ρ follows the newer ones. (scikit-learn's
//! `forget_factor` f is per pass over `n` documents: ρ = f^(batch/n).)

use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::fit::finite;
use super::kernel::{Kernel, LANES};
use super::nndsvd::POWER_ITERATIONS;
use super::seam::{Data, OnlineSolver, OnlineStatistics, Start};
use super::{init, FitReport, Nmf, NmfError, NmfModel, StopReason, TracePoint, TransformReport};
use crate::matrix::Sparse;

/// A mini-batch fit under way: W and its statistics, and what was folded in.
pub struct Online {
    solver: Box<dyn OnlineSolver>,
    k: usize,
    batches: u64,
    documents: u64,
}

impl Online {
    /// W, `(n_words, topics)` row-major, each topic summing to 1.
    pub fn w(&self) -> &[f32] {
        self.solver.w()
    }

    /// The statistics W is recomputed from.
    pub fn statistics(&self) -> &OnlineStatistics {
        self.solver.statistics()
    }

    /// Number of topics.
    pub fn topics(&self) -> usize {
        self.k
    }

    /// Batches folded in since it started.
    pub fn batches(&self) -> u64 {
        self.batches
    }

    /// Documents folded in since it started.
    pub fn documents(&self) -> u64 {
        self.documents
    }
}

/// One batch folded in.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BatchReport {
    /// Its documents.
    pub documents: usize,
    /// Its tokens (the sum of its counts).
    pub tokens: f64,
    /// Its loss under W as it was before the batch, its weights solved with that W.
    pub divergence: f64,
    /// Wall-clock seconds: the weights solved, the statistics and W updated.
    pub seconds: f64,
}

impl BatchReport {
    /// The loss per token, to compare batches of different sizes.
    pub fn divergence_per_token(&self) -> f64 {
        if self.tokens > 0.0 {
            self.divergence / self.tokens
        } else {
            0.0
        }
    }
}

/// How a fit by mini-batches ran ([`Nmf::fit_minibatch`]), in its [`FitReport`]: its
/// iterations are passes over the documents, and its trace holds each pass's loss, the sum of
/// its batches' losses, each under W as it was before the batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MiniBatch {
    /// Documents a batch.
    pub batch_size: usize,
    /// Batches a pass.
    pub batches: usize,
    /// The forgetting factor ρ a batch.
    pub forget: f64,
}

impl Nmf {
    /// An online fit resumed from `model`: its W, and `statistics` saved by an earlier update,
    /// or, when `None`, statistics rebuilt from the model's own training documents `by_doc`
    /// (CSC) and `by_word` (CSR) and its H.
    pub fn resume_online(
        &self,
        model: &NmfModel,
        statistics: Option<OnlineStatistics>,
        by_doc: &Sparse,
        by_word: &Sparse,
    ) -> Result<Online, NmfError> {
        self.check_settings()?;
        let k = model.topics();
        let rebuild = statistics.is_none();
        let mut solver = self.online_solver(k, model.w(), statistics)?;
        if rebuild {
            if by_doc.shape() != (model.n_words(), model.n_documents()) {
                return Err(NmfError::Matrix(format!(
                    "the training documents are {} × {}, the model's {} × {}",
                    by_doc.rows(),
                    by_doc.cols(),
                    model.n_words(),
                    model.n_documents()
                )));
            }
            let v = Data::new(by_doc, by_word)?;
            self.pool()?
                .install(|| solver.accumulate(v, model.h(), 1.0))?;
        }
        Ok(Online {
            solver,
            k,
            batches: 0,
            documents: 0,
        })
    }

    /// Folds one batch of new documents into `online` (scikit-learn's `partial_fit`): their
    /// weights solved with W fixed, then the statistics multiplied by `forget` and the batch's
    /// added, then W recomputed. `by_doc` (CSC) and `by_word` (CSR) are the batch, shape
    /// `(n_words, n_documents)` over the model's vocabulary.
    pub fn partial_fit(
        &self,
        online: &mut Online,
        by_doc: &Sparse,
        by_word: &Sparse,
        forget: f64,
    ) -> Result<BatchReport, NmfError> {
        self.check_settings()?;
        let v = Data::new(by_doc, by_word)?;
        self.pool()?.install(|| step(online, v, forget))
    }

    /// Folds the documents of `by_doc` (CSC) and `by_word` (CSR) into `online` in batches of
    /// `batch_size` consecutive documents, in order, calling `observe` after each batch.
    pub fn partial_fit_batches(
        &self,
        online: &mut Online,
        by_doc: &Sparse,
        by_word: &Sparse,
        batch_size: usize,
        forget: f64,
        observe: &mut (dyn FnMut(&BatchReport) + Send),
    ) -> Result<Vec<BatchReport>, NmfError> {
        self.check_settings()?;
        let n_docs = by_doc.cols();
        check_batches(n_docs, batch_size)?;
        Data::new(by_doc, by_word)?;
        self.pool()?.install(|| {
            let mut reports = Vec::with_capacity(n_docs.div_ceil(batch_size));
            for (csc, csr) in batches(by_doc, batch_size) {
                let report = step(online, Data::new(&csc, &csr)?, forget)?;
                observe(&report);
                reports.push(report);
            }
            Ok(reports)
        })
    }

    /// The model of `online` over the documents of `by_doc` (CSC) and `by_word` (CSR), all of
    /// them (the training ones and those folded in since): W as the batches left it, each
    /// topic summing to 1, and every document's weights solved with it, the topics numbered by
    /// decreasing share (the statistics with them). Returns the model, its statistics, how the
    /// weights were solved, and D(V‖WH).
    pub fn finish_online(
        &self,
        online: Online,
        by_doc: &Sparse,
        by_word: &Sparse,
    ) -> Result<(NmfModel, OnlineStatistics, TransformReport, f64), NmfError> {
        self.check_settings()?;
        let k = online.k;
        let (mut w, mut stats) = online.solver.into_parts();
        if by_doc.rows() * k != w.len() {
            return Err(NmfError::Matrix(format!(
                "the documents are counted over {} words, the model has {}",
                by_doc.rows(),
                w.len() / k
            )));
        }
        let v = Data::new(by_doc, by_word)?;
        let started = Instant::now();
        let (mut h, stats_solve, loss) = self.pool()?.install(|| {
            let mut solver = self.document_solver(v, k, &w)?;
            let solved = solver.solve(self.transform_max_iter.max(1), self.transform_tol);
            Ok::<_, NmfError>((solver.h(), solved, finite(solver.loss())?))
        })?;
        let report = super::transform::report(&stats_solve, started.elapsed().as_secs_f64());
        let mut totals = vec![0f64; k];
        for row in h.chunks_exact(k) {
            for (t, &x) in totals.iter_mut().zip(row) {
                *t += x as f64;
            }
        }
        let mut order: Vec<usize> = (0..k).collect();
        order.sort_by(|&a, &b| totals[b].total_cmp(&totals[a]).then(a.cmp(&b)));
        if order.iter().enumerate().any(|(i, &t)| i != t) {
            w = permute(&w, &order);
            h = permute(&h, &order);
            stats.a = permute(&stats.a, &order);
            if stats.b.len() == k {
                stats.b = order.iter().map(|&t| stats.b[t]).collect();
            }
        }
        let model = NmfModel::from_parts(k, w, h)?;
        Ok((model, stats, report, loss))
    }

    /// A mini-batch fit started on V, `by_doc` (CSC) and `by_word` (CSR), as
    /// [`Nmf::fit_minibatch`] starts one: W from the settings' start, and statistics that
    /// count the start as one batch of `batch_size` documents. Nothing is folded in yet:
    /// [`Nmf::partial_fit`] does that, on V or on any batch.
    pub fn start_online(
        &self,
        by_doc: &Sparse,
        by_word: &Sparse,
        batch_size: usize,
    ) -> Result<Online, NmfError> {
        let (n_words, n_docs) = by_doc.shape();
        self.check(n_words, n_docs)?;
        check_batches(n_docs, batch_size)?;
        let v = Data::new(by_doc, by_word)?;
        self.pool()?.install(|| self.online_start(v, batch_size))
    }

    /// [`Nmf::start_online`] on the current pool, V checked.
    fn online_start(&self, v: Data, batch_size: usize) -> Result<Online, NmfError> {
        let k = self.topics;
        let kp = k.div_ceil(LANES) * LANES;
        let start = Start::Seed(self.seed);
        let (w0, h0) = init::factors(v, (k, kp), self.init, start, POWER_ITERATIONS)?;
        drop(h0);
        let w: Vec<f32> = w0
            .chunks_exact(kp)
            .flat_map(|row| row[..k].iter().copied())
            .collect();
        drop(w0);
        let mut solver = self.online_solver(k, &w, None)?;
        solver.count_start(v, batch_size);
        Ok(Online {
            solver,
            k,
            batches: 0,
            documents: 0,
        })
    }

    /// Fits V, `by_doc` (CSC) and `by_word` (CSR), by mini-batches (scikit-learn's
    /// `MiniBatchNMF.fit`): W from the settings' start (`init`, `seed`), then passes over the
    /// documents in batches of `batch_size` consecutive ones, the statistics multiplied by
    /// `forget` before each batch (`None`: 0.7 a pass, scikit-learn's default, so ρ =
    /// 0.7^(batch_size / n_documents)), until a pass's loss falls by less than `tol` (relative)
    /// from the pass before, or `max_iter` passes; then [`Nmf::finish_online`]. Returns the
    /// model, its statistics and the fit's record.
    pub fn fit_minibatch(
        &self,
        by_doc: &Sparse,
        by_word: &Sparse,
        batch_size: usize,
        forget: Option<f64>,
    ) -> Result<(NmfModel, OnlineStatistics, FitReport), NmfError> {
        self.fit_minibatch_observed(by_doc, by_word, batch_size, forget, &mut |_, _| {})
    }

    /// As [`Nmf::fit_minibatch`], calling `observe(passes_done, loss)` after each pass over
    /// the documents, for progress displays (its loss as the trace holds it).
    pub fn fit_minibatch_observed(
        &self,
        by_doc: &Sparse,
        by_word: &Sparse,
        batch_size: usize,
        forget: Option<f64>,
        observe: &mut (dyn FnMut(usize, f64) + Send),
    ) -> Result<(NmfModel, OnlineStatistics, FitReport), NmfError> {
        let (n_words, n_docs) = by_doc.shape();
        self.check(n_words, n_docs)?;
        check_batches(n_docs, batch_size)?;
        if self.extrapolate {
            return Err(NmfError::Matrix(
                "--extrapolate pushes the joint steps of a whole-corpus fit; a mini-batch fit (--batch-size) has none: give one or the other".into(),
            ));
        }
        let forget =
            forget.unwrap_or_else(|| 0.7f64.powf(batch_size.min(n_docs) as f64 / n_docs as f64));
        let v = Data::new(by_doc, by_word)?;
        let started = Instant::now();
        let (online, trace, stop, n_batches) = self.pool()?.install(|| {
            let mut online = self.online_start(v, batch_size)?;
            let parts: Vec<(Sparse, Sparse)> = batches(by_doc, batch_size).collect();
            let mut trace: Vec<TracePoint> = Vec::new();
            let mut stop = StopReason::MaxIter;
            for pass in 0..self.max_iter {
                let mut loss = 0.0;
                for (csc, csr) in &parts {
                    loss += step(&mut online, Data::new(csc, csr)?, forget)?.divergence;
                }
                let loss = finite(loss)?;
                let before = trace.last().map(|p| p.divergence);
                trace.push(TracePoint {
                    iteration: pass,
                    divergence: loss,
                });
                observe(pass + 1, loss);
                if let Some(before) = before.filter(|_| self.tol > 0.0) {
                    if before <= 0.0 || (before - loss) / before < self.tol {
                        stop = StopReason::Converged;
                        break;
                    }
                }
            }
            Ok::<_, NmfError>((online, trace, stop, parts.len()))
        })?;
        let seconds = started.elapsed().as_secs_f64();
        let passes = trace.len();
        let (model, stats, transform, divergence) = self.finish_online(online, by_doc, by_word)?;
        let kernel = if self.portable {
            Kernel::Portable
        } else {
            Kernel::detect()
        };
        let report = FitReport {
            iterations: passes,
            stop,
            divergence,
            trace,
            transform: Some(transform),
            seconds,
            seconds_per_iteration: seconds / passes.max(1) as f64,
            threads: self.threads,
            kernel: kernel.name().to_owned(),
            restarts: Vec::new(),
            connectivity_changed: None,
            minibatch: Some(MiniBatch {
                batch_size,
                batches: n_batches,
                forget,
            }),
        };
        Ok((model, stats, report))
    }
}

/// One batch on the current pool.
fn step(online: &mut Online, v: Data<'_>, forget: f64) -> Result<BatchReport, NmfError> {
    let started = Instant::now();
    let divergence = finite(online.solver.batch(v, forget)?)?;
    let documents = v.shape().1;
    online.batches += 1;
    online.documents += documents as u64;
    Ok(BatchReport {
        documents,
        tokens: v.by_doc().data().iter().map(|&x| x as f64).sum(),
        divergence,
        seconds: started.elapsed().as_secs_f64(),
    })
}

fn check_batches(n_docs: usize, batch_size: usize) -> Result<(), NmfError> {
    if batch_size == 0 {
        return Err(NmfError::Matrix(
            "batch size 0: give at least 1 document a batch".into(),
        ));
    }
    if n_docs == 0 {
        return Err(NmfError::Matrix("no documents to fold in".into()));
    }
    Ok(())
}

/// Consecutive documents of V `(n_words, n_documents)` in CSC, `size` at a time, each batch
/// in CSC and CSR.
fn batches(by_doc: &Sparse, size: usize) -> impl Iterator<Item = (Sparse, Sparse)> + '_ {
    let n_docs = by_doc.cols();
    let ptr = by_doc.indptr().to_proper().into_owned();
    (0..n_docs).step_by(size).map(move |first| {
        let end = (first + size).min(n_docs);
        let (lo, hi) = (ptr[first], ptr[end]);
        let indptr: Vec<usize> = ptr[first..=end].iter().map(|&p| p - lo).collect();
        let csc = Sparse::new_csc(
            (by_doc.rows(), end - first),
            indptr,
            by_doc.indices()[lo..hi].to_vec(),
            by_doc.data()[lo..hi].to_vec(),
        );
        let csr = csc.to_other_storage();
        (csc, csr)
    })
}

/// Rows of `order.len()` values with their columns taken in `order`.
fn permute<T: Copy>(rows: &[T], order: &[usize]) -> Vec<T> {
    rows.chunks_exact(order.len())
        .flat_map(|row| order.iter().map(move |&t| row[t]))
        .collect()
}
