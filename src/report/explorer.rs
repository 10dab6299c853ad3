//! What the HTML report's topic explorer needs, computed here so the page only draws: the
//! intertopic distance map ([`TopicMap`]), and for each topic the words that can rank among its
//! best by relevance for some λ, with the two parts of their relevance, so that the page's
//! λ slider re-ranks them exactly as [`Ranking::Relevance`](super::Ranking) does; and for each
//! such word its senses, p(topic | word).
//!
//! Sizes: a topic keeps the words that fewer than `shown` others beat at every λ, usually a few
//! times `shown`, whatever the vocabulary; the page embeds each word once.

use std::collections::BTreeSet;

use super::intertopic::{topic_map, TopicMap};
use super::relevance::{candidates, parts};
use crate::matrix::CountMatrix;
use crate::nmf::NmfModel;

/// Words a topic shows in the explorer by default (LDAvis shows 30).
pub const EXPLORER_WORDS: usize = 30;

/// Senses below this p(topic | word) are left out of the page.
const SENSE_FLOOR: f64 = 0.005;

/// The data of the topic explorer.
#[derive(Debug, Clone, PartialEq)]
pub struct Explorer {
    /// Words shown per topic.
    pub shown: usize,
    /// The topics placed in two dimensions.
    pub map: TopicMap,
    /// Each topic's expected tokens, `Σ_d H[k,d]`.
    pub topic_tokens: Vec<f64>,
    /// The words some topic may show, in vocabulary order.
    pub words: Vec<ExplorerWord>,
    /// For each topic, its candidate words: (index into `words`, ln p(w|k)), in word order.
    pub topics: Vec<Vec<(usize, f64)>>,
}

/// A word the explorer may show.
#[derive(Debug, Clone, PartialEq)]
pub struct ExplorerWord {
    /// The word as reports show it.
    pub word: String,
    /// Its tokens in the corpus.
    pub tokens: f64,
    /// ln p(w): the log of its share of the corpus's tokens.
    pub ln_share: f64,
    /// Its senses: (topic, p(topic | word)) for each topic with p ≥ 0.005, rounded to 4
    /// decimals, by decreasing p. `p(k|w) = W[w,k]·T_k / Σ_j W[w,j]·T_j`, as `senses` has it.
    pub senses: Vec<(usize, f64)>,
}

impl Explorer {
    /// The explorer of `model` fitted to `matrix`, showing `shown` words a topic.
    pub fn new(matrix: &CountMatrix, model: &NmfModel, shown: usize) -> Explorer {
        let k = model.topics();
        let per_topic: Vec<Vec<(usize, f64, f64)>> = (0..k)
            .map(|t| {
                let all = parts(matrix, model, t);
                let keep = candidates(&all, shown);
                let mut kept = Vec::with_capacity(keep.len());
                let mut next = keep.iter().peekable();
                for part in all {
                    if next.peek() == Some(&&part.0) {
                        kept.push(part);
                        next.next();
                    }
                }
                kept
            })
            .collect();
        let union: BTreeSet<usize> = per_topic.iter().flatten().map(|p| p.0).collect();
        let mut local = vec![usize::MAX; model.n_words()];
        for (i, &w) in union.iter().enumerate() {
            local[w] = i;
        }
        let topic_tokens = model.topic_totals();
        let totals = matrix.word_tokens();
        let names = matrix.words();
        let words = union
            .iter()
            .map(|&w| {
                let row = model.word_row(w);
                let uses: Vec<f64> = (0..k).map(|t| row[t] as f64 * topic_tokens[t]).collect();
                let sum: f64 = uses.iter().sum();
                let mut senses: Vec<(usize, f64)> = (0..k)
                    .map(|t| (t, if sum > 0.0 { uses[t] / sum } else { 0.0 }))
                    .filter(|&(_, p)| p >= SENSE_FLOOR)
                    .map(|(t, p)| (t, (p * 1e4).round() / 1e4))
                    .collect();
                senses.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
                ExplorerWord {
                    word: names[w].clone(),
                    tokens: totals[w],
                    // As `parts` computes it, to the bit.
                    ln_share: (totals[w] / matrix.tokens()).ln(),
                    senses,
                }
            })
            .collect();
        let topics = per_topic
            .iter()
            .map(|kept| kept.iter().map(|&(w, a, _)| (local[w], a)).collect())
            .collect();
        Explorer {
            shown,
            map: topic_map(model),
            topic_tokens,
            words,
            topics,
        }
    }
}
