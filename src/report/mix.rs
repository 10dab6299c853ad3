//! The topic mix of a group of documents (a label, a span of time): BERTopic's
//! `topics_per_class` and `topics_over_time`, with NMF's weights.
//!
//! A group's share of topic k is Σ_d H[k,d] / Σ_d Σ_j H[j,d] over its documents: the part of
//! the group's tokens that topic k explains (H holds each document's expected tokens from each
//! topic, and they sum to its tokens). `main_topic_documents[k]` counts the group's documents
//! whose largest topic is k, BERTopic's "frequency"; a document without words has none.

use std::collections::BTreeMap;

use serde::Serialize;

use super::summary::round;
use crate::corpus::Documents;
use crate::nmf::NmfModel;

/// The topics of a group of documents.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TopicMix {
    /// Documents in the group.
    pub documents: usize,
    /// Their tokens (words in the matrix).
    pub tokens: f64,
    /// Each topic's share of the group's tokens, in topic order; they sum to 1, or are all 0
    /// for a group without tokens.
    pub shares: Vec<f64>,
    /// For each topic, the group's documents whose largest topic it is.
    pub main_topic_documents: Vec<usize>,
}

/// Adds up the documents of a group.
#[derive(Debug, Clone)]
pub(super) struct MixSum {
    documents: usize,
    tokens: f64,
    counts: Vec<f64>,
    main: Vec<usize>,
}

impl MixSum {
    pub fn new(topics: usize) -> MixSum {
        MixSum {
            documents: 0,
            tokens: 0.0,
            counts: vec![0.0; topics],
            main: vec![0; topics],
        }
    }

    /// Adds document `d`, of `tokens` tokens.
    pub fn add(&mut self, model: &NmfModel, d: usize, tokens: f64) {
        self.documents += 1;
        self.tokens += tokens;
        for (sum, &x) in self.counts.iter_mut().zip(model.document_counts(d)) {
            *sum += x as f64;
        }
        if let Some(k) = model.main_topic(d) {
            self.main[k] += 1;
        }
    }

    /// The mix, shares rounded to 6 decimals.
    pub fn finish(self) -> TopicMix {
        let total: f64 = self.counts.iter().sum();
        TopicMix {
            documents: self.documents,
            tokens: round(self.tokens, 3),
            shares: self
                .counts
                .iter()
                .map(|&c| {
                    if total > 0.0 {
                        round(c / total, 6)
                    } else {
                        0.0
                    }
                })
                .collect(),
            main_topic_documents: self.main,
        }
    }
}

/// The topics of the documents of one label.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LabelMix {
    /// The label.
    pub label: String,
    /// Its documents' topics.
    #[serde(flatten)]
    pub mix: TopicMix,
}

/// Each label's topics (BERTopic's `topics_per_class`), by decreasing number of documents,
/// ties by label; empty when no document has a label.
pub fn by_label(documents: &Documents, tokens: &[f64], model: &NmfModel) -> Vec<LabelMix> {
    let mut sums: BTreeMap<&str, MixSum> = BTreeMap::new();
    for (d, label) in documents.labels().enumerate() {
        if let Some(label) = label {
            sums.entry(label)
                .or_insert_with(|| MixSum::new(model.topics()))
                .add(model, d, tokens[d]);
        }
    }
    let mut labels: Vec<LabelMix> = sums
        .into_iter()
        .map(|(label, sum)| LabelMix {
            label: label.to_owned(),
            mix: sum.finish(),
        })
        .collect();
    // Stable: equal counts stay in label order.
    labels.sort_by_key(|l| std::cmp::Reverse(l.mix.documents));
    labels
}
