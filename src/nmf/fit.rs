//! The fitting loop: iterate, watch the divergence, stop.

use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::{KlSolver, Nmf, NmfError, NmfModel, StopReason, TracePoint};
use crate::matrix::Sparse;

/// The record of a fit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FitReport {
    /// Iterations run.
    pub iterations: usize,
    /// Why they stopped.
    pub stop: StopReason,
    /// D(V‖WH) at the end.
    pub divergence: f64,
    /// D(V‖WH) every `eval_every` iterations from the start (iteration 0), and at the end.
    pub trace: Vec<TracePoint>,
    /// Wall-clock seconds of the iterations (the start and the final divergence excluded).
    pub seconds: f64,
    /// `seconds / iterations`.
    pub seconds_per_iteration: f64,
    /// Threads used.
    pub threads: usize,
    /// The inner-loop kernel: `avx2+fma`, `neon` or `portable`.
    pub kernel: String,
}

impl FitReport {
    /// Whether the fit stopped because it converged.
    pub fn converged(&self) -> bool {
        self.stop == StopReason::Converged
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
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(self.threads)
            .build()
            .map_err(|e| NmfError::Matrix(format!("cannot start {} threads: {e}", self.threads)))?;
        pool.install(|| self.run(by_doc, by_word, observe))
    }

    fn run(
        &self,
        by_doc: &Sparse,
        by_word: &Sparse,
        observe: &mut (dyn FnMut(usize, Option<f64>) + Send),
    ) -> Result<(NmfModel, FitReport), NmfError> {
        let mut solver = KlSolver::random(by_doc, by_word, self.topics, self.seed)?;
        let mut trace: Vec<TracePoint> = Vec::new();
        let mut stop = StopReason::MaxIter;
        let mut iterations = 0;
        let started = Instant::now();
        for i in 0..self.max_iter {
            let evaluate = i % self.eval_every == 0;
            let divergence = solver.update_h(evaluate);
            solver.update_w();
            iterations = i + 1;
            if let Some(d) = divergence {
                trace.push(TracePoint {
                    iteration: i,
                    divergence: d,
                });
            }
            observe(iterations, divergence);
            if divergence.is_some() && self.converged(&trace) {
                stop = StopReason::Converged;
                break;
            }
        }
        let seconds = started.elapsed().as_secs_f64();
        let divergence = solver.divergence();
        trace.push(TracePoint {
            iteration: iterations,
            divergence,
        });
        let report = FitReport {
            iterations,
            stop,
            divergence,
            trace,
            seconds,
            seconds_per_iteration: seconds / iterations.max(1) as f64,
            threads: self.threads,
            kernel: solver.kernel().to_owned(),
        };
        Ok((solver.into_model(), report))
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
