//! One K of a rank survey: runs from several seeds, and how stable their clusterings are.

use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::consensus::{main_topics, Consensus};
use super::fit::Run;
use super::seam::Data;
use super::{Nmf, NmfError, NmfModel, Restart};
use crate::matrix::Sparse;

/// The record of one K's runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RankFit {
    /// K.
    pub topics: usize,
    /// Every run, in seed order.
    pub restarts: Vec<Restart>,
    /// The lowest divergence of the runs, at the end of their joint iterations.
    pub divergence: f64,
    /// The cophenetic correlation of the runs' consensus on the sampled documents; `None` for
    /// a single run.
    pub cophenetic: Option<f64>,
    /// Documents in the consensus.
    pub sampled: usize,
    /// Wall-clock seconds of the runs and the consensus.
    pub seconds: f64,
}

impl Nmf {
    /// Fits V once per restart (seeds `seed`, `seed + 1`, …) and gathers, for the documents
    /// in `sample`, how often two of them share their main topic (Brunet et al. 2004). Returns
    /// every run's model, in seed order, with H as the joint iterations left it: the final
    /// solve of H with W fixed that [`Nmf::fit`] runs is skipped, since the topics' words and
    /// the documents' main topics are all a survey reads. `observe(run, iterations)` is called
    /// after each iteration of each run (0-based run).
    pub fn rank_fit(
        &self,
        by_doc: &Sparse,
        by_word: &Sparse,
        sample: &[usize],
        observe: &mut (dyn FnMut(usize, usize) + Send),
    ) -> Result<(Vec<NmfModel>, RankFit), NmfError> {
        let (n_words, n_docs) = by_doc.shape();
        self.check(n_words, n_docs)?;
        if let Some(&d) = sample.iter().find(|&&d| d >= n_docs) {
            return Err(NmfError::Matrix(format!(
                "sampled document {d} is beyond the matrix's {n_docs} documents"
            )));
        }
        let v = Data::new(by_doc, by_word)?;
        let started = Instant::now();
        let mut consensus = Consensus::new(sample.len());
        let (mut models, mut restarts) = (Vec::new(), Vec::new());
        self.pool()?.install(|| -> Result<(), NmfError> {
            for r in 0..self.restarts {
                let seed = self.seed.wrapping_add(r as u64);
                let Run {
                    model,
                    iterations,
                    divergence,
                    ..
                } = self.iterate(v, seed, &mut |i, _| observe(r, i))?;
                consensus.add(&main_topics(&model, sample));
                restarts.push(Restart {
                    seed,
                    iterations,
                    divergence,
                });
                models.push(model);
            }
            Ok(())
        })?;
        let fit = RankFit {
            topics: self.topics,
            divergence: restarts
                .iter()
                .map(|r| r.divergence)
                .fold(f64::INFINITY, f64::min),
            restarts,
            cophenetic: consensus.cophenetic_correlation(),
            sampled: sample.len(),
            seconds: started.elapsed().as_secs_f64(),
        };
        Ok((models, fit))
    }
}
