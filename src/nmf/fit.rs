//! The fitting loop: iterate, watch the loss, stop; keep the best of the restarts; solve the
//! documents' weights with W fixed. It drives a [`JointSolver`](super::JointSolver) and a
//! [`DocumentSolver`](super::DocumentSolver) and names no solver.

use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::online::MiniBatch;
use super::seam::{Data, Start};
use super::{Nmf, NmfError, NmfModel, StopReason, StopRule, TracePoint, TransformReport};
use crate::matrix::Sparse;

/// One run of the joint iterations.
pub(super) struct Run {
    pub(super) model: NmfModel,
    pub(super) iterations: usize,
    pub(super) stop: StopReason,
    pub(super) divergence: f64,
    pub(super) trace: Vec<TracePoint>,
    pub(super) seconds: f64,
    pub(super) kernel: String,
    pub(super) connectivity_changed: Option<usize>,
}

/// One of several runs from different seeds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Restart {
    /// Its seed.
    pub seed: u64,
    /// Its iterations.
    pub iterations: usize,
    /// D(V‖WH) at the end of its joint iterations.
    pub divergence: f64,
}

/// The record of a fit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FitReport {
    /// Iterations run.
    pub iterations: usize,
    /// Why they stopped.
    pub stop: StopReason,
    /// D(V‖WH) at the end, after the document weights were solved with W fixed.
    pub divergence: f64,
    /// D(V‖WH) every `eval_every` iterations from the start (iteration 0), and at the end of
    /// the joint iterations.
    pub trace: Vec<TracePoint>,
    /// How the document weights were solved with W fixed after the joint iterations (see
    /// [`Nmf::transform`]); `None` when `transform_max_iter` is 0.
    pub transform: Option<TransformReport>,
    /// Wall-clock seconds of the joint iterations (the start, the final divergence and the
    /// document weights excluded).
    pub seconds: f64,
    /// `seconds / iterations`.
    pub seconds_per_iteration: f64,
    /// Threads used.
    pub threads: usize,
    /// The inner-loop kernel: `avx2+fma`, `neon` or `portable`.
    pub kernel: String,
    /// With restarts, every run in seed order; the fit is the one of lowest divergence (the
    /// first on ties). Empty for a single run.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub restarts: Vec<Restart>,
    /// Under [`StopRule::Connectivity`]: the documents whose main topic changed at the last
    /// check, which shows how far a fit that `max_iter` stopped was from stable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connectivity_changed: Option<usize>,
    /// A fit by mini-batches ([`Nmf::fit_minibatch`]): its batches; its iterations are passes
    /// over the documents, its trace each pass's loss.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minibatch: Option<MiniBatch>,
}

impl FitReport {
    /// Whether a stopping rule (divergence or connectivity) stopped the fit, not `max_iter`.
    pub fn converged(&self) -> bool {
        self.stop != StopReason::MaxIter
    }
}

impl Nmf {
    /// Fits V, given as `by_doc` (CSC) and `by_word` (CSR) of shape `(n_words, n_documents)`.
    pub fn fit(
        &self,
        by_doc: &Sparse,
        by_word: &Sparse,
    ) -> Result<(NmfModel, FitReport), NmfError> {
        self.fit_observed(by_doc, by_word, &mut |_, _| {})
    }

    /// As [`Nmf::fit`], leaving the entries of `mask_by_doc` (CSC) and `mask_by_word` (the same
    /// in CSR) out as missing values (see [`Data::with_mask`]): the loss and the updates skip
    /// them, and the document weights at the end are solved without them. Only
    /// `--loss frobenius` with `--solver mu` or `cd` can; the others refuse, naming themselves.
    pub fn fit_masked(
        &self,
        by_doc: &Sparse,
        by_word: &Sparse,
        mask_by_doc: &Sparse,
        mask_by_word: &Sparse,
    ) -> Result<(NmfModel, FitReport), NmfError> {
        let (n_words, n_docs) = by_doc.shape();
        self.check(n_words, n_docs)?;
        let v = Data::new(by_doc, by_word)?.with_mask(mask_by_doc, mask_by_word)?;
        self.pool()?.install(|| self.run(v, &mut |_, _| {}))
    }

    /// As [`Nmf::fit`], calling `observe(iterations_done, divergence)` after each iteration
    /// (the divergence when it was evaluated then), for progress displays.
    pub fn fit_observed(
        &self,
        by_doc: &Sparse,
        by_word: &Sparse,
        observe: &mut (dyn FnMut(usize, Option<f64>) + Send),
    ) -> Result<(NmfModel, FitReport), NmfError> {
        let (n_words, n_docs) = by_doc.shape();
        self.check(n_words, n_docs)?;
        let v = Data::new(by_doc, by_word)?;
        self.pool()?.install(|| self.run(v, observe))
    }

    /// A pool of `threads` threads for the updates.
    pub(super) fn pool(&self) -> Result<rayon::ThreadPool, NmfError> {
        rayon::ThreadPoolBuilder::new()
            .num_threads(self.threads)
            .build()
            .map_err(|e| NmfError::Matrix(format!("cannot start {} threads: {e}", self.threads)))
    }

    fn run(
        &self,
        v: Data,
        observe: &mut (dyn FnMut(usize, Option<f64>) + Send),
    ) -> Result<(NmfModel, FitReport), NmfError> {
        // Restarts run one after another, each on every thread: the updates already use them.
        let mut best: Option<Run> = None;
        let mut restarts = Vec::new();
        for r in 0..self.restarts as u64 {
            let seed = self.seed.wrapping_add(r);
            let run = self.iterate(v, seed, observe)?;
            if self.restarts > 1 {
                restarts.push(Restart {
                    seed,
                    iterations: run.iterations,
                    divergence: run.divergence,
                });
            }
            if best.as_ref().is_none_or(|b| run.divergence < b.divergence) {
                best = Some(run);
            }
        }
        let Run {
            model,
            iterations,
            stop,
            divergence: joint,
            trace,
            seconds,
            kernel,
            connectivity_changed,
        } = best.expect("at least one run");
        let mut model = model;
        let mut divergence = joint;
        let mut transform = None;
        if self.transform_max_iter > 0 {
            let started = Instant::now();
            // The counts are solved again from scratch: the old ones need not stay alive.
            model.clear_counts();
            let mut solver = self.document_solver(v, self.topics, model.w())?;
            let stats = solver.solve(self.transform_max_iter, self.transform_tol);
            divergence = finite(solver.loss())?;
            let h = solver.h();
            drop(solver);
            // New counts can change the topics' order by share; the solver's order does not
            // depend on their numbering, so a later transform still gives back these bits.
            model = model.with_counts(h);
            transform = Some(super::transform::report(
                &stats,
                started.elapsed().as_secs_f64(),
            ));
        }
        let report = FitReport {
            iterations,
            stop,
            divergence,
            trace,
            seconds,
            seconds_per_iteration: seconds / iterations.max(1) as f64,
            threads: self.threads,
            kernel,
            transform,
            restarts,
            connectivity_changed,
            minibatch: None,
        };
        Ok((model, report))
    }

    /// The joint iterations from `seed`'s start, until a stopping rule or `max_iter`.
    pub(super) fn iterate(
        &self,
        v: Data,
        seed: u64,
        observe: &mut (dyn FnMut(usize, Option<f64>) + Send),
    ) -> Result<Run, NmfError> {
        let mut solver = self.joint_solver(v, Start::Seed(seed))?;
        let connectivity = self.stop == StopRule::Connectivity;
        let n_docs = if connectivity { v.shape().1 } else { 0 };
        let (mut assigned, mut previous) = (vec![0u32; n_docs], vec![u32::MAX; n_docs]);
        let mut stable = 0;
        let mut changed = None;
        let mut trace: Vec<TracePoint> = Vec::new();
        let mut stop = StopReason::MaxIter;
        let mut iterations = 0;
        let started = Instant::now();
        for i in 0..self.max_iter {
            let evaluate = i % self.eval_every == 0;
            let divergence = solver.step(evaluate).map(finite).transpose()?;
            iterations = i + 1;
            if let Some(d) = divergence {
                trace.push(TracePoint {
                    iteration: i,
                    divergence: d,
                });
            }
            observe(iterations, divergence);
            if connectivity {
                if iterations % 10 == 0 {
                    solver.assign_documents(&mut assigned);
                    let moved = assigned
                        .iter()
                        .zip(&previous)
                        .filter(|(a, b)| a != b)
                        .count();
                    stable = if moved == 0 { stable + 1 } else { 0 };
                    changed = Some(moved);
                    std::mem::swap(&mut assigned, &mut previous);
                    if stable >= self.stable {
                        stop = StopReason::Connectivity;
                        break;
                    }
                }
            } else if divergence.is_some() && self.converged(&trace) {
                stop = StopReason::Converged;
                break;
            }
        }
        let seconds = started.elapsed().as_secs_f64();
        let divergence = finite(solver.loss())?;
        trace.push(TracePoint {
            iteration: iterations,
            divergence,
        });
        Ok(Run {
            kernel: solver.kernel().to_owned(),
            model: solver.into_model(),
            iterations,
            stop,
            divergence,
            trace,
            seconds,
            connectivity_changed: changed,
        })
    }

    /// True when the newest point fell by less than `tol` relative to the point 10 iterations
    /// before it.
    fn converged(&self, trace: &[TracePoint]) -> bool {
        if self.tol == 0.0 {
            return false;
        }
        let Some(last) = trace.last() else {
            return false;
        };
        let Some(before) = trace
            .iter()
            .rev()
            .find(|p| p.iteration + 10 == last.iteration)
        else {
            return false;
        };
        if before.divergence <= 0.0 {
            return true;
        }
        (before.divergence - last.divergence) / before.divergence < self.tol
    }
}

/// `divergence`, or the error that says the fit overflowed: a fit never reports an infinite
/// divergence or one that is not a number.
pub(super) fn finite(divergence: f64) -> Result<f64, NmfError> {
    if divergence.is_finite() {
        Ok(divergence)
    } else {
        Err(NmfError::Overflow(divergence))
    }
}
