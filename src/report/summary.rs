//! The content of a report, built from the matrix, the model and the fit record.

use serde::{Deserialize, Serialize};

use super::explorer::Explorer;
use super::mix::{by_label, LabelMix};
use super::over_time::{OverTime, TimeBins};
use super::quality::{Coherence, Quality};
use crate::corpus::{PhraseConfig, Timestamp};
use crate::matrix::{CountMatrix, Pruning, Weighting};
use crate::nmf::{
    FitReport, MiniBatch, Nmf, NmfModel, Restart, StopReason, TracePoint, TransformReport,
};
use crate::text::AnalyzerConfig;

use super::relevance::{self, Ranking};

/// Topics listed per document in a report (those with weight > 0).
const DOCUMENT_TOPICS: usize = 5;
/// Representative documents listed per topic.
pub const REPRESENTATIVE: usize = 5;

/// Everything a report says. Serialises to the documented JSON format.
///
/// The documents' ids, titles and labels are borrowed from the count matrix: a report of a large
/// corpus adds only each document's top topics to the memory of the fit.
#[derive(Debug, Clone, Serialize)]
pub struct Report<'a> {
    /// Always [`FORMAT`](super::FORMAT).
    pub format: &'static str,
    /// [`VERSION`](super::VERSION) of the format.
    pub version: u32,
    /// The corpus as modelled.
    pub corpus: CorpusFigures,
    /// The settings of every stage.
    pub parameters: Parameters,
    /// The fit.
    pub fit: FitFigures,
    /// How good the topics are.
    pub quality: Quality,
    /// λ when the topics' words are ranked by relevance (absent: by weight).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relevance: Option<f64>,
    /// The topics, by decreasing share.
    pub topics: Vec<Topic>,
    /// Each label's topics, when documents have labels (`--label-field`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<LabelMix>,
    /// The topics over time, when documents have times (`--time-field`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub over_time: Option<OverTime>,
    /// The documents, in input order.
    pub documents: Vec<DocumentTopics<'a>>,
    /// The topic explorer of the HTML page (the intertopic map, the λ slider's data); only
    /// the page shows it, so it is computed on demand ([`SavedModel::explorer`]).
    ///
    /// [`SavedModel::explorer`]: crate::SavedModel::explorer
    #[serde(skip)]
    pub explorer: Option<Explorer>,
}

/// The corpus as modelled.
#[derive(Debug, Clone, Serialize)]
pub struct CorpusFigures {
    /// Documents (columns of V).
    pub documents: usize,
    /// Words kept (rows of V).
    pub words: usize,
    /// Distinct words before pruning.
    pub words_before_pruning: usize,
    /// Non-zero counts.
    pub nonzeros: usize,
    /// Sum of the counts.
    pub tokens: f64,
    /// Documents left without any word.
    pub empty_documents: usize,
    /// Words kept that are of more than one word: phrases or n-grams.
    pub multiword_terms: usize,
    /// With phrases: the phrases the corpus gave, before pruning; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phrases_found: Option<usize>,
}

impl CorpusFigures {
    /// The figures of `matrix`.
    pub fn of(matrix: &CountMatrix) -> CorpusFigures {
        CorpusFigures {
            documents: matrix.n_documents(),
            words: matrix.n_words(),
            words_before_pruning: matrix.terms_before_pruning(),
            nonzeros: matrix.nnz(),
            tokens: matrix.tokens(),
            empty_documents: matrix.empty_documents(),
            multiword_terms: matrix.terms().iter().filter(|t| t.contains(' ')).count(),
            phrases_found: None,
        }
    }
}

/// The settings of every stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Parameters {
    /// The analyzer's settings; `null` for a matrix read from a file.
    pub analyzer: Option<AnalyzerConfig>,
    /// How phrases were found; `null` without phrases.
    #[serde(default)]
    pub phrases: Option<PhraseConfig>,
    /// Vocabulary pruning.
    pub pruning: Pruning,
    /// The solver's settings.
    pub nmf: Nmf,
    /// What the solver was given: the counts or their tf-idf weights (`counts` in a model
    /// written before weightings existed).
    #[serde(default)]
    pub weighting: Weighting,
    /// Entries of V left out of the fit as missing values (`--mask`): the model's V does not
    /// record which, so an update refuses such a model. 0 without a mask, and in a model
    /// written before masks were recorded.
    #[serde(default)]
    pub missing: usize,
}

/// Wall-clock seconds of each stage.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct StageSeconds {
    /// Reading and tokenising.
    pub reading: f64,
    /// Pruning and building the matrix.
    pub matrix: f64,
    /// Fitting.
    pub fitting: f64,
}

/// The fit.
#[derive(Debug, Clone, Serialize)]
pub struct FitFigures {
    /// Iterations run.
    pub iterations: usize,
    /// Whether a stopping rule stopped the fit (else `max_iter` did).
    pub converged: bool,
    /// `converged` (the divergence), `connectivity` or `max_iter`.
    pub stop: StopReason,
    /// Final D(V‖WH).
    pub divergence: f64,
    /// `divergence` over the sum of V's values: its tokens, or with `--weighting tfidf` its
    /// tf-idf weights.
    pub divergence_per_token: f64,
    /// The divergence along the way.
    pub divergence_trace: Vec<TracePoint>,
    /// Seconds of each stage.
    pub seconds: StageSeconds,
    /// Seconds per iteration.
    pub seconds_per_iteration: f64,
    /// Threads used.
    pub threads: usize,
    /// Inner-loop kernel.
    pub kernel: String,
    /// How the document weights were solved with W fixed after the joint iterations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transform: Option<TransformReport>,
    /// With `--restarts`: every run, in seed order; the report is of the lowest divergence.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub restarts: Vec<Restart>,
    /// With `--stop connectivity`: documents whose main topic changed at the last check.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connectivity_changed: Option<usize>,
    /// With `--batch-size`: the batches; the iterations are passes over the documents.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minibatch: Option<MiniBatch>,
}

/// One topic.
#[derive(Debug, Clone, Serialize)]
pub struct Topic {
    /// 1-based, by decreasing share.
    pub id: usize,
    /// Its three top words.
    pub label: String,
    /// Its share of the corpus's tokens (of its tf-idf weight, with `--weighting tfidf`).
    pub share: f64,
    /// Mean NPMI of its top words (`null` with fewer than two words).
    pub npmi: Option<f64>,
    /// Mean over its top words' pairs (v_l ranked above v_m) of
    /// `ln((D(v_m, v_l) + 1) / D(v_l))`, Mimno et al.'s UMass coherence (`null` with fewer than
    /// two words).
    pub umass: Option<f64>,
    /// Its top words, by decreasing weight p(word | topic).
    pub words: Vec<WordWeight>,
    /// The documents it explains best: of those whose main topic it is, the ones with the highest
    /// tokens from it times its share of them, at most [`REPRESENTATIVE`].
    pub documents: Vec<RepresentativeDocument>,
}

/// A document that shows what a topic is about.
#[derive(Debug, Clone, Serialize)]
pub struct RepresentativeDocument {
    /// Its position in the corpus (0-based, input order).
    #[serde(skip)]
    pub position: usize,
    /// Its id.
    pub id: String,
    /// Its title, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The share of its tokens from the topic.
    pub weight: f32,
    /// Its tokens from the topic.
    pub tokens: f64,
    /// The passage that holds most of the topic's top words, when the text was at hand (a
    /// corpus store, or inputs that could be read again).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snippet: Option<String>,
}

/// A word and its weight in a topic.
#[derive(Debug, Clone, Serialize)]
pub struct WordWeight {
    /// The word (the most frequent surface form when stemming).
    pub word: String,
    /// p(word | topic).
    pub weight: f32,
    /// Its relevance to the topic, when words are ranked by relevance.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relevance: Option<f32>,
}

/// A document's main topics.
#[derive(Debug, Clone, Serialize)]
pub struct DocumentTopics<'a> {
    /// The document's id.
    pub id: &'a str,
    /// Its title, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<&'a str>,
    /// Its label, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<&'a str>,
    /// Its time, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time: Option<Timestamp>,
    /// Its words in the matrix.
    pub tokens: f64,
    /// Its top topics (at most 5, weight > 0), by decreasing weight.
    pub topics: TopTopics,
}

/// A document's largest topics, at most five, held in place rather than in a
/// vector of their own: a report keeps one for every document. Serialises as a list.
#[derive(Debug, Clone, Copy, Default)]
pub struct TopTopics {
    len: u8,
    topics: [TopicWeight; DOCUMENT_TOPICS],
}

impl TopTopics {
    /// The topics, by decreasing weight.
    pub fn as_slice(&self) -> &[TopicWeight] {
        &self.topics[..self.len as usize]
    }

    /// The topics, by decreasing weight.
    pub fn iter(&self) -> std::slice::Iter<'_, TopicWeight> {
        self.as_slice().iter()
    }
}

impl Serialize for TopTopics {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.as_slice().serialize(serializer)
    }
}

/// A topic and its weight in a document.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct TopicWeight {
    /// The topic's id.
    pub topic: usize,
    /// The share of the document's words from this topic.
    pub weight: f32,
}

impl<'a> Report<'a> {
    /// A report of `model` fitted to `matrix`, with `top_words` words a topic.
    pub fn new(
        matrix: &'a CountMatrix,
        model: &NmfModel,
        fit: &FitReport,
        parameters: Parameters,
        seconds: StageSeconds,
        top_words: usize,
    ) -> Report<'a> {
        Report::ranked(
            matrix,
            model,
            fit,
            parameters,
            seconds,
            top_words,
            Ranking::Weight,
        )
    }

    /// As [`Report::new`], with each topic's words ranked by `ranking`; the label is the
    /// three best words under it.
    pub fn ranked(
        matrix: &'a CountMatrix,
        model: &NmfModel,
        fit: &FitReport,
        parameters: Parameters,
        seconds: StageSeconds,
        top_words: usize,
        ranking: Ranking,
    ) -> Report<'a> {
        let words = matrix.words();
        let labels: Vec<Option<&str>> = matrix.documents().labels().collect();
        let (mut quality, coherence) = Quality::of(model, matrix.by_doc(), &labels);
        let mut representative = representative_documents(model).into_iter();
        quality.mean_npmi = round(quality.mean_npmi, 6);
        quality.mean_umass = round(quality.mean_umass, 6);
        quality.diversity = round(quality.diversity, 6);
        quality.label_nmi = quality.label_nmi.map(|x| round(x, 6));
        let topics = model
            .topic_shares()
            .iter()
            .enumerate()
            .zip(&coherence)
            .map(|((k, &share), &Coherence { npmi, umass })| {
                let top = relevance::top_words(matrix, model, k, top_words.max(3), ranking);
                let label = top
                    .iter()
                    .take(3)
                    .map(|&(w, _, _)| words[w].as_str())
                    .collect::<Vec<_>>()
                    .join(" ");
                Topic {
                    id: k + 1,
                    label,
                    share: round(share, 6),
                    npmi: npmi.map(|x| round(x, 6)),
                    umass: umass.map(|x| round(x, 6)),
                    words: top
                        .iter()
                        .take(top_words)
                        .map(|&(w, weight, relevance)| WordWeight {
                            word: words[w].clone(),
                            weight: round32(weight),
                            relevance: relevance.map(round32),
                        })
                        .collect(),
                    documents: representative
                        .next()
                        .unwrap_or_default()
                        .into_iter()
                        .map(|(d, tokens)| {
                            let info = matrix.documents().at(d);
                            let total: f64 =
                                model.document_counts(d).iter().map(|&x| x as f64).sum();
                            RepresentativeDocument {
                                position: d,
                                id: info.id.to_owned(),
                                title: info.title.map(str::to_owned),
                                weight: round32(
                                    (tokens as f64 / total.max(f64::MIN_POSITIVE)) as f32,
                                ),
                                tokens: round(tokens as f64, 3),
                                snippet: None,
                            }
                        })
                        .collect(),
                }
            })
            .collect();
        let tokens = matrix.document_tokens();
        let documents = matrix
            .documents()
            .iter()
            .enumerate()
            .map(|(d, info)| DocumentTopics {
                id: info.id,
                title: info.title,
                label: info.label,
                time: info.time,
                tokens: tokens[d],
                topics: top_topics(model, d),
            })
            .collect();
        let fitted = parameters.weighting.total(matrix.by_doc());
        let per_token = if fitted > 0.0 {
            fit.divergence / fitted
        } else {
            0.0
        };
        Report {
            format: super::FORMAT,
            version: super::VERSION,
            corpus: CorpusFigures::of(matrix),
            parameters,
            fit: FitFigures {
                iterations: fit.iterations,
                converged: fit.converged(),
                stop: fit.stop,
                divergence: fit.divergence,
                divergence_per_token: round(per_token, 6),
                divergence_trace: fit.trace.clone(),
                seconds,
                seconds_per_iteration: fit.seconds_per_iteration,
                threads: fit.threads,
                kernel: fit.kernel.clone(),
                transform: fit.transform.clone(),
                restarts: fit.restarts.clone(),
                connectivity_changed: fit.connectivity_changed,
                minibatch: fit.minibatch.clone(),
            },
            relevance: match ranking {
                Ranking::Weight => None,
                Ranking::Relevance(lambda) => Some(lambda),
            },
            quality,
            topics,
            labels: by_label(matrix.documents(), &tokens, model),
            over_time: OverTime::of(matrix.documents(), &tokens, model, TimeBins::Auto),
            documents,
            explorer: None,
        }
    }

    /// Cuts the documents' times into `bins` instead of [`TimeBins::Auto`]; `model` and
    /// `matrix` are the report's.
    pub fn bin_time(&mut self, matrix: &CountMatrix, model: &NmfModel, bins: TimeBins) {
        if bins != TimeBins::Auto {
            let tokens = matrix.document_tokens();
            self.over_time = OverTime::of(matrix.documents(), &tokens, model, bins);
        }
    }
}

/// For each topic, its representative documents with their tokens from it: of the documents
/// whose largest topic it is, the [`REPRESENTATIVE`] with the highest tokens from it times its
/// share of them (ties: input order).
pub fn representative_documents(model: &NmfModel) -> Vec<Vec<(usize, f32)>> {
    let mut by_topic: Vec<Vec<(usize, f32, f32)>> = vec![Vec::new(); model.topics()];
    for d in 0..model.n_documents() {
        let Some(k) = model.main_topic(d) else {
            continue;
        };
        let counts = model.document_counts(d);
        let x = counts[k];
        // Tokens from the topic times its share: long documents mostly about the topic first.
        let total: f32 = counts.iter().sum();
        let score = x * (x / total);
        let top = &mut by_topic[k];
        let at = top.partition_point(|&(_, _, s)| s >= score);
        if at < REPRESENTATIVE {
            top.insert(at, (d, x, score));
            top.truncate(REPRESENTATIVE);
        }
    }
    by_topic
        .into_iter()
        .map(|top| top.into_iter().map(|(d, x, _)| (d, x)).collect())
        .collect()
}

impl Report<'_> {
    /// Why the iterations stopped, in words, for the terminal and HTML reports.
    pub fn why_stopped(&self) -> String {
        let (f, nmf) = (&self.fit, &self.parameters.nmf);
        if let Some(m) = &f.minibatch {
            let stop = match f.stop {
                StopReason::Converged => format!(
                    "converged: the {} of a pass fell by less than {:e}",
                    nmf.loss.quantity(),
                    nmf.tol
                ),
                _ => format!("stopped at --max-iter {}", nmf.max_iter),
            };
            return format!(
                "passes over the documents in {} batches of {}, forgetting factor {:.4} a batch; {stop}",
                m.batches, m.batch_size, m.forget
            );
        }
        match f.stop {
            StopReason::Converged => format!(
                "converged: the {} fell by less than {:e} over 10 iterations",
                nmf.loss.quantity(),
                nmf.tol
            ),
            StopReason::Connectivity => format!(
                "converged: no document changed its main topic over {} checks",
                nmf.stable
            ),
            StopReason::MaxIter => match f.connectivity_changed {
                Some(n) => format!(
                    "stopped at --max-iter {}; at the last connectivity check {} documents \
                     still changed their main topic",
                    nmf.max_iter,
                    super::terminal::thousands(n as f64)
                ),
                None => format!("stopped at --max-iter {}", nmf.max_iter),
            },
        }
    }

    /// Fills in the snippets of representative documents from `snippets`, by position.
    pub fn add_snippets(&mut self, snippets: &std::collections::BTreeMap<usize, String>) {
        for topic in &mut self.topics {
            for doc in &mut topic.documents {
                doc.snippet = snippets.get(&doc.position).cloned();
            }
        }
    }
}

/// Document `d`'s largest topics (at most [`DOCUMENT_TOPICS`], weight > 0), by decreasing
/// weight (ties: the lower topic first).
fn top_topics(model: &NmfModel, d: usize) -> TopTopics {
    let counts = model.document_counts(d);
    let total: f64 = counts.iter().map(|&x| x as f64).sum();
    let mut top = [(0usize, 0f32); DOCUMENT_TOPICS];
    let mut len = 0;
    for (k, &x) in counts.iter().enumerate() {
        if x > 0.0 {
            let at = top[..len].partition_point(|&(j, y)| y > x || (y == x && j < k));
            if at < DOCUMENT_TOPICS {
                len = (len + 1).min(DOCUMENT_TOPICS);
                top.copy_within(at..len - 1, at + 1);
                top[at] = (k, x);
            }
        }
    }
    let mut topics = TopTopics {
        len: len as u8,
        ..TopTopics::default()
    };
    for (slot, &(k, x)) in topics.topics.iter_mut().zip(&top[..len]) {
        *slot = TopicWeight {
            topic: k + 1,
            weight: round32((x as f64 / total) as f32),
        };
    }
    topics
}

/// `x` rounded to `digits` decimals.
pub(super) fn round(x: f64, digits: i32) -> f64 {
    let scale = 10f64.powi(digits);
    (x * scale).round() / scale
}

/// `x` rounded to 6 significant digits, so reports are stable and short.
pub(super) fn round32(x: f32) -> f32 {
    if x == 0.0 {
        return 0.0;
    }
    format!("{x:.5e}").parse().unwrap_or(x)
}
