//! [`SavedModel`]: a fitted model with everything needed to use it again.

use std::collections::BTreeMap;

use super::ModelError;
use super::UpdateRecord;
use crate::corpus::PhraseList;
use crate::matrix::CountMatrix;
use crate::nmf::{FitReport, Nmf, NmfError, NmfModel, OnlineStatistics, TransformReport};
use crate::report::{
    after_title, representative_documents, snippet_joined, Explorer, Parameters, Ranking, Report,
    StageSeconds, TimeBins,
};
use crate::text::Analyzer;

/// A fitted model with its count matrix (vocabulary, documents, V), the settings of every
/// stage and the fit record: what `fit` knows at its end, and all that `topics`, `senses` and
/// `transform` need later. Save it with [`SavedModel::save`], read it back with
/// [`SavedModel::load`].
#[derive(Debug, Clone)]
pub struct SavedModel {
    pub(super) matrix: CountMatrix,
    pub(super) model: NmfModel,
    pub(super) fit: FitReport,
    pub(super) parameters: Parameters,
    pub(super) seconds: StageSeconds,
    /// Snippets of the representative documents, by position.
    pub(super) snippets: BTreeMap<usize, String>,
    /// The phrases joined in the corpus, when phrases were on.
    pub(super) phrases: Option<PhraseList>,
    /// How the reports cut the documents' times.
    pub(super) time_bins: TimeBins,
    /// The online statistics, saved by an update (a fitted model has none: they are rebuilt).
    pub(super) online: Option<OnlineStatistics>,
    /// What updates folded in since the fit.
    pub(super) updates: Option<UpdateRecord>,
}

impl SavedModel {
    /// Gathers a fit's results. Fails when the model was not fitted to a matrix of this shape.
    pub fn new(
        matrix: CountMatrix,
        model: NmfModel,
        fit: FitReport,
        parameters: Parameters,
        seconds: StageSeconds,
    ) -> Result<SavedModel, ModelError> {
        if model.n_words() != matrix.n_words() || model.n_documents() != matrix.n_documents() {
            return Err(ModelError::Parts(format!(
                "the factors are for {} words and {} documents, the matrix has {} and {}",
                model.n_words(),
                model.n_documents(),
                matrix.n_words(),
                matrix.n_documents()
            )));
        }
        if model.topics() != parameters.nmf.topics() {
            return Err(ModelError::Parts(format!(
                "the factors have {} topics, the settings say {}",
                model.topics(),
                parameters.nmf.topics()
            )));
        }
        Ok(SavedModel {
            matrix,
            model,
            fit,
            parameters,
            seconds,
            snippets: BTreeMap::new(),
            phrases: None,
            time_bins: TimeBins::Auto,
            online: None,
            updates: None,
        })
    }

    /// Records the phrases the corpus was counted with (see [`crate::corpus::phrases`]), so
    /// that new documents are joined the same way. Saved with the model.
    pub fn set_phrases(&mut self, phrases: Option<PhraseList>) {
        self.phrases = phrases;
    }

    /// The phrases the corpus was counted with, when phrases were on.
    pub fn phrases(&self) -> Option<&PhraseList> {
        self.phrases.as_ref()
    }

    /// The positions of the documents the reports show for each topic, in increasing order:
    /// the texts [`SavedModel::set_snippets`] wants.
    pub fn representative_positions(&self) -> Vec<usize> {
        let mut positions: Vec<usize> = representative_documents(&self.model)
            .into_iter()
            .flatten()
            .map(|(d, _)| d)
            .collect();
        positions.sort_unstable();
        positions
    }

    /// Cuts a snippet from each `(position, text)` of a representative document: the passage
    /// with most of the top 10 words of the document's main topic. Needs the analyzer, so a
    /// model fitted to a Matrix Market matrix gets none. The snippets are saved with the model.
    pub fn set_snippets<'a>(&mut self, texts: impl IntoIterator<Item = (usize, &'a str)>) {
        let Some(config) = &self.parameters.analyzer else {
            return;
        };
        let Ok(analyzer) = Analyzer::new(config.clone()) else {
            return;
        };
        let terms = self.matrix.terms();
        let joiner = self.phrases.as_ref().map(PhraseList::joiner);
        for (d, text) in texts {
            if d >= self.model.n_documents() {
                continue;
            }
            let Some(k) = self.model.main_topic(d) else {
                continue;
            };
            let top: Vec<&str> = self
                .model
                .top_words(k, 10)
                .iter()
                .map(|&(w, _)| terms[w].as_str())
                .collect();
            let title = self.matrix.documents().get(d).and_then(|doc| doc.title);
            self.snippets.insert(
                d,
                snippet_joined(after_title(text, title), &analyzer, joiner.as_ref(), &top),
            );
        }
    }

    /// How the reports cut the documents' times into bins; saved with the model.
    pub fn set_time_bins(&mut self, bins: TimeBins) {
        self.time_bins = bins;
    }

    /// How the reports cut the documents' times into bins.
    pub fn time_bins(&self) -> TimeBins {
        self.time_bins
    }

    /// The snippets of representative documents, by position.
    pub fn snippets(&self) -> &BTreeMap<usize, String> {
        &self.snippets
    }

    /// The count matrix V, its vocabulary and its documents.
    pub fn matrix(&self) -> &CountMatrix {
        &self.matrix
    }

    /// The normalised factors W and H.
    pub fn model(&self) -> &NmfModel {
        &self.model
    }

    /// Records the online statistics of a fit by mini-batches
    /// ([`Nmf::fit_minibatch`](crate::nmf::Nmf::fit_minibatch)), so that an update starts from
    /// them. Saved with the model.
    pub fn set_online_statistics(&mut self, statistics: Option<OnlineStatistics>) {
        self.online = statistics;
    }

    /// The online statistics an update saved; `None` for a model only fitted (an update
    /// rebuilds them from V and H).
    pub fn online_statistics(&self) -> Option<&OnlineStatistics> {
        self.online.as_ref()
    }

    /// What updates folded into the model since its fit; `None` for a model only fitted.
    pub fn updates(&self) -> Option<&UpdateRecord> {
        self.updates.as_ref()
    }

    /// The fit record.
    pub fn fit(&self) -> &FitReport {
        &self.fit
    }

    /// The analyzer, pruning and solver settings.
    pub fn parameters(&self) -> &Parameters {
        &self.parameters
    }

    /// The topic weights of the documents counted in `matrix` over this model's vocabulary,
    /// with its W fixed, by `nmf`'s solver (see [`Nmf::transform`]): the counts weighted as
    /// the fit's were (with `--weighting tfidf`, by the idf of the model's own counts), so a
    /// training document gets back its fitted weights.
    pub fn transform(
        &self,
        nmf: &Nmf,
        matrix: &CountMatrix,
    ) -> Result<(Vec<f32>, TransformReport), NmfError> {
        let v = self.parameters.weighting.fitted(
            self.matrix.by_doc(),
            matrix.by_doc(),
            matrix.by_word(),
        );
        let (by_doc, by_word) = v.pair();
        nmf.transform(&self.model, by_doc, by_word)
    }

    /// Wall-clock seconds of each stage of the fit.
    pub fn seconds(&self) -> StageSeconds {
        self.seconds
    }

    /// The HTML report's topic explorer, showing `shown` words a topic: the intertopic map and
    /// what the λ slider re-ranks (see [`Explorer`]).
    pub fn explorer(&self, shown: usize) -> Explorer {
        Explorer::new(&self.matrix, &self.model, shown)
    }

    /// The report of the fit, with `top_words` words a topic: the same report `fit` printed.
    pub fn report(&self, top_words: usize) -> Report<'_> {
        self.report_ranked(top_words, Ranking::Weight)
    }

    /// The report of the fit, with each topic's `top_words` best words under `ranking`.
    pub fn report_ranked(&self, top_words: usize, ranking: Ranking) -> Report<'_> {
        let mut report = Report::ranked(
            &self.matrix,
            &self.model,
            &self.fit,
            self.parameters.clone(),
            self.seconds,
            top_words,
            ranking,
        );
        report.add_snippets(&self.snippets);
        report.corpus.phrases_found = self.phrases.as_ref().map(PhraseList::len);
        report.bin_time(&self.matrix, &self.model, self.time_bins);
        report
    }
}
