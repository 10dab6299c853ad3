//! [`SavedModel::update`]: new documents folded into a saved model by mini-batches.

use serde::{Deserialize, Serialize};

use super::{ModelError, SavedModel};
use crate::matrix::{CountMatrix, Weighting};
use crate::nmf::{BatchReport, TransformReport};

/// What updates folded into a model since its fit, saved in `model.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UpdateRecord {
    /// Updates run.
    pub updates: usize,
    /// Batches folded in, over all updates.
    pub batches: u64,
    /// Documents added, over all updates.
    pub documents: u64,
    /// The forgetting factor of the last update.
    pub forget: f64,
    /// The batch size of the last update.
    pub batch_size: usize,
}

/// How one update went.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UpdateReport {
    /// Documents added.
    pub documents: usize,
    /// Documents in the model now.
    pub documents_total: usize,
    /// Whether the statistics were rebuilt from the model's V and H (a model only fitted).
    pub statistics_rebuilt: bool,
    /// Each batch, in order.
    pub batches: Vec<BatchReport>,
    /// D(V‖WH) over every document of the updated model, its weights solved again.
    pub divergence: f64,
    /// How every document's weights were solved with the new W.
    pub transform: TransformReport,
    /// Wall-clock seconds of the batches.
    pub seconds_batches: f64,
}

impl SavedModel {
    /// Folds the documents of `new`, counted over this model's vocabulary
    /// ([`CountMatrix::with_vocabulary`]), into the model by batches of `batch_size`, on
    /// `threads` threads, with the forgetting factor `forget` (see
    /// [`Nmf::partial_fit`](crate::nmf::Nmf::partial_fit)); `observe` sees each batch.
    ///
    /// The statistics start from those saved by an earlier update, or are rebuilt from the
    /// model's own V and H. The new documents join the model after its own (their ids, titles
    /// and labels with them), every document's weights are solved again with the new W, and
    /// the topics numbered again by share; the fit record's divergence and weight solve become
    /// the update's. The model is returned, not saved.
    pub fn update(
        mut self,
        new: &CountMatrix,
        threads: usize,
        batch_size: usize,
        forget: f64,
        observe: &mut (dyn FnMut(&BatchReport) + Send),
    ) -> Result<(SavedModel, UpdateReport), ModelError> {
        let failed = |e: String| ModelError::Update(e);
        if new.n_documents() == 0 {
            return Err(failed("there are no new documents".into()));
        }
        if !(forget > 0.0 && forget <= 1.0) {
            return Err(failed(format!(
                "--forget {forget}: the forgetting factor must be in (0, 1]"
            )));
        }
        if self.parameters.weighting != Weighting::Counts {
            return Err(failed(
                "the model factors tf-idf weights (--weighting tfidf), whose idf new documents would change for every old one: fit the documents together instead".into(),
            ));
        }
        if self.parameters.missing > 0 {
            return Err(failed(format!(
                "the model was fitted with {} entries missing (--mask), which its saved documents do not record: an update would take them as zeros; fit the documents together instead",
                self.parameters.missing
            )));
        }
        let joined = self.matrix.joined(new).map_err(|e| failed(e.to_string()))?;
        let nmf = self.parameters.nmf.clone().threads(threads);
        let rebuilt = self.online.is_none();
        let mut online = nmf
            .resume_online(
                &self.model,
                self.online.take(),
                self.matrix.by_doc(),
                self.matrix.by_word(),
            )
            .map_err(|e| failed(e.to_string()))?;
        let started = std::time::Instant::now();
        let batches = nmf
            .partial_fit_batches(
                &mut online,
                new.by_doc(),
                new.by_word(),
                batch_size,
                forget,
                observe,
            )
            .map_err(|e| failed(e.to_string()))?;
        let seconds_batches = started.elapsed().as_secs_f64();
        let (model, statistics, transform, divergence) = nmf
            .finish_online(online, joined.by_doc(), joined.by_word())
            .map_err(|e| failed(e.to_string()))?;
        let record = self.updates.take();
        let record = UpdateRecord {
            updates: record.as_ref().map_or(0, |r| r.updates) + 1,
            batches: record.as_ref().map_or(0, |r| r.batches) + batches.len() as u64,
            documents: record.as_ref().map_or(0, |r| r.documents) + new.n_documents() as u64,
            forget,
            batch_size,
        };
        self.fit.divergence = divergence;
        self.fit.transform = Some(transform.clone());
        let report = UpdateReport {
            documents: new.n_documents(),
            documents_total: joined.n_documents(),
            statistics_rebuilt: rebuilt,
            batches,
            divergence,
            transform,
            seconds_batches,
        };
        let mut saved = SavedModel::new(joined, model, self.fit, self.parameters, self.seconds)?;
        saved.snippets = self.snippets;
        saved.phrases = self.phrases;
        saved.time_bins = self.time_bins;
        saved.online = Some(statistics);
        saved.updates = Some(record);
        Ok((saved, report))
    }
}
