//! The senses of a word: the topics in which it carries weight, and the documents where each
//! sense dominates. Lee & Seung's encyclopedia example: "lead" is in a topic of metals and in a
//! topic of leadership, and each article uses one of them.
//!
//! For word w and topic k, with T_k = Σ_d H[k,d] the topic's expected tokens:
//!
//! ```text
//! p(w|k) = W[w,k]                                  (each topic sums to 1 over the words)
//! p(k|w) = W[w,k]·T_k / Σ_j W[w,j]·T_j             (the topic's part of the word's use)
//! share of w's count in document d that topic k explains = W[w,k]·H[k,d] / (WH)[w,d]
//! ```
//!
//! A sense is a topic with p(k|w) at least `min_share`. Each document containing w goes to the
//! sense that explains most of w's count there; a sense lists its documents by the number of
//! w's occurrences it explains there (share × count), then by share, then in input order.

use std::io::{self, Write};

use serde::Serialize;

use crate::matrix::CountMatrix;
use crate::nmf::NmfModel;
use crate::text::{Analyzer, AnalyzerConfig};

/// The `format` field of the JSON written by `senses`.
pub const SENSES_FORMAT: &str = "nmf-topics/senses";

/// A word that cannot be looked up.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum SenseError {
    /// The analyzer drops the word.
    #[error("'{word}' is never counted: {reason}")]
    Dropped {
        /// The word asked for.
        word: String,
        /// Why the analyzer drops it.
        reason: String,
    },
    /// More than one word.
    #[error("'{0}' is {1} words: give one word")]
    Several(String, usize),
    /// Not in the vocabulary.
    #[error("'{word}' is not in the model's vocabulary of {words} words: it was never seen, or pruned (--min-df, --max-df, --drop-top, --max-words){suggestion}")]
    Unknown {
        /// The word asked for.
        word: String,
        /// Words in the vocabulary.
        words: usize,
        /// Close words, when any: `"; close words: …"`.
        suggestion: String,
    },
}

/// How many senses, words and documents to show.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SenseOptions {
    /// Keep topics with p(k|w) at least this. Default 0.05.
    pub min_share: f64,
    /// Other top words shown per sense. Default 8.
    pub top_words: usize,
    /// Documents listed per sense. Default 5.
    pub documents: usize,
}

impl Default for SenseOptions {
    fn default() -> Self {
        SenseOptions {
            min_share: 0.05,
            top_words: 8,
            documents: 5,
        }
    }
}

/// A word's senses, as `senses` writes them.
#[derive(Debug, Clone, Serialize)]
pub struct Senses {
    /// Always [`SENSES_FORMAT`].
    pub format: &'static str,
    /// 1.
    pub version: u32,
    /// The word shown (the most frequent surface form when stemming).
    pub word: String,
    /// The counted term (the stem when stemming).
    pub term: String,
    /// Its count in the corpus.
    pub tokens: f64,
    /// Documents containing it.
    pub documents: usize,
    /// Its senses, by decreasing p(k|w).
    pub senses: Vec<Sense>,
    /// The phrases (or n-grams) of the vocabulary that contain the word, by decreasing count:
    /// where the word's other uses are, since a phrase's occurrences are not the word's.
    /// Empty for a model without them.
    pub phrases: Vec<PhraseUse>,
}

/// A phrase (or n-gram) of the vocabulary that contains the word.
#[derive(Debug, Clone, Serialize)]
pub struct PhraseUse {
    /// The phrase as shown.
    pub phrase: String,
    /// Its count in the corpus.
    pub tokens: f64,
    /// Documents containing it.
    pub documents: usize,
    /// The topic that explains most of its uses, p(k|phrase) largest.
    pub topic: usize,
    /// That topic's p(k|phrase).
    pub p_topic_given_phrase: f64,
}

/// Phrases listed with a word's senses.
const PHRASES_SHOWN: usize = 8;

/// One topic in which the word carries weight.
#[derive(Debug, Clone, Serialize)]
pub struct Sense {
    /// The topic's id.
    pub topic: usize,
    /// Its three top words.
    pub label: String,
    /// p(topic | word).
    pub p_topic_given_word: f64,
    /// p(word | topic).
    pub p_word_given_topic: f32,
    /// The topic's other top words, by weight.
    pub other_words: Vec<String>,
    /// Documents where this sense explains most of the word's count.
    pub dominant_in: usize,
    /// The first of them, by occurrences explained (share × count), then share.
    pub top_documents: Vec<SenseDocument>,
}

/// A document where a sense dominates.
#[derive(Debug, Clone, Serialize)]
pub struct SenseDocument {
    /// Its id.
    pub id: String,
    /// Its title, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The word's count in it.
    pub count: f32,
    /// The share of that count the topic explains: `W[w,k]·H[k,d] / (WH)[w,d]`.
    pub share: f64,
}

/// The row of `word` in `matrix`: analysed with `analyzer` when the model has one (so
/// "Servers" finds the stem "server"), else looked up as it is.
pub fn find_word(
    word: &str,
    matrix: &CountMatrix,
    analyzer: Option<&AnalyzerConfig>,
) -> Result<usize, SenseError> {
    let multiword = matrix.terms().iter().any(|t| t.contains(' '));
    let term = match analyzer.and_then(|c| Analyzer::new(c.clone()).ok()) {
        Some(analyzer) => {
            let mut terms = Vec::new();
            analyzer.for_each_word(word, |term, _, _, _| terms.push(term.to_owned()));
            match terms.len() {
                1 => terms.into_iter().next().unwrap(),
                0 => {
                    return Err(SenseError::Dropped {
                        word: word.to_owned(),
                        reason: why_dropped(word, &analyzer),
                    })
                }
                // A phrase or an n-gram, when the model has them.
                _ if multiword => terms.join(" "),
                n => return Err(SenseError::Several(word.to_owned(), n)),
            }
        }
        None => word.trim().to_lowercase(),
    };
    if let Some(row) = matrix.terms().iter().position(|t| *t == term) {
        return Ok(row);
    }
    if let Some(row) = matrix.words().iter().position(|w| *w == term) {
        return Ok(row);
    }
    let close = close_words(&word.trim().to_lowercase(), matrix.words(), 5);
    Err(SenseError::Unknown {
        word: word.to_owned(),
        words: matrix.n_words(),
        suggestion: if close.is_empty() {
            String::new()
        } else {
            format!("; close words: {}", close.join(", "))
        },
    })
}

fn why_dropped(word: &str, analyzer: &Analyzer) -> String {
    let lower = word.trim().to_lowercase();
    let config = analyzer.config();
    let chars = lower.chars().count();
    if !lower.chars().any(char::is_alphabetic) {
        "it has no letter".into()
    } else if analyzer.is_stopword(&lower) {
        format!("it is a stopword of the model ({:?})", config.language).to_lowercase()
    } else if chars < config.min_chars {
        format!(
            "the model keeps words of at least {} characters",
            config.min_chars
        )
    } else if chars > config.max_chars {
        format!(
            "the model keeps words of at most {} characters",
            config.max_chars
        )
    } else if config.split_dotted && lower.contains(['.', ':']) {
        "the model splits it at its full stops and colons, and drops every part".into()
    } else {
        "the model's analyzer leaves nothing of it".into()
    }
}

/// Up to `n` words within edit distance 2 of `word`, closest first, then most frequent (words
/// are numbered by frequency).
fn close_words(word: &str, words: &[String], n: usize) -> Vec<String> {
    let target: Vec<char> = word.chars().collect();
    let mut found: Vec<(usize, usize)> = words
        .iter()
        .enumerate()
        .filter_map(|(i, w)| {
            let chars: Vec<char> = w.chars().collect();
            if chars.len().abs_diff(target.len()) > 2 {
                return None;
            }
            let d = edit_distance(&target, &chars);
            (d <= 2).then_some((d, i))
        })
        .collect();
    found.sort();
    found
        .into_iter()
        .take(n)
        .map(|(_, i)| words[i].clone())
        .collect()
}

fn edit_distance(a: &[char], b: &[char]) -> usize {
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

impl Senses {
    /// The senses of the word in row `w` of `matrix`, under `model`.
    pub fn new(matrix: &CountMatrix, model: &NmfModel, w: usize, options: SenseOptions) -> Senses {
        let k = model.topics();
        let row = model.word_row(w);
        let totals = model.topic_totals();
        let use_k: Vec<f64> = (0..k).map(|t| row[t] as f64 * totals[t]).collect();
        let sum: f64 = use_k.iter().sum();
        let p_k: Vec<f64> = use_k
            .iter()
            .map(|&u| if sum > 0.0 { u / sum } else { 0.0 })
            .collect();
        let mut topics: Vec<usize> = (0..k)
            .filter(|&t| p_k[t] > 0.0 && p_k[t] >= options.min_share)
            .collect();
        topics.sort_by(|&a, &b| p_k[b].total_cmp(&p_k[a]).then(a.cmp(&b)));

        // Each document containing the word, to the topic explaining most of its count.
        let occurrences = matrix.by_word().outer_view(w).expect("row in range");
        let mut by_topic: Vec<Vec<(usize, f32, f64)>> = vec![Vec::new(); k];
        for (d, &count) in occurrences.iter() {
            let h = model.document_counts(d);
            let parts: Vec<f64> = (0..k).map(|t| row[t] as f64 * h[t] as f64).collect();
            let wh: f64 = parts.iter().sum();
            if wh <= 0.0 {
                continue;
            }
            let best = (0..k)
                .max_by(|&a, &b| parts[a].total_cmp(&parts[b]).then(b.cmp(&a)))
                .unwrap_or(0);
            by_topic[best].push((d, count, parts[best] / wh));
        }
        let words = matrix.words();
        let documents = matrix.documents();
        let senses = topics
            .iter()
            .map(|&t| {
                let top = model.top_words(t, options.top_words.max(3) + 1);
                let mut docs = by_topic[t].clone();
                // By the number of the word's occurrences the sense explains, then share.
                docs.sort_by(|a, b| {
                    (b.2 * b.1 as f64)
                        .total_cmp(&(a.2 * a.1 as f64))
                        .then(b.2.total_cmp(&a.2))
                        .then(a.0.cmp(&b.0))
                });
                Sense {
                    topic: t + 1,
                    label: top
                        .iter()
                        .take(3)
                        .map(|&(i, _)| words[i].as_str())
                        .collect::<Vec<_>>()
                        .join(" "),
                    p_topic_given_word: round(p_k[t]),
                    p_word_given_topic: row[t],
                    other_words: top
                        .iter()
                        .filter(|&&(i, _)| i != w)
                        .take(options.top_words)
                        .map(|&(i, _)| words[i].clone())
                        .collect(),
                    dominant_in: docs.len(),
                    top_documents: docs
                        .iter()
                        .take(options.documents)
                        .map(|&(d, count, share)| SenseDocument {
                            id: documents.at(d).id.to_owned(),
                            title: documents.at(d).title.map(str::to_owned),
                            count,
                            share: round(share),
                        })
                        .collect(),
                }
            })
            .collect();
        let phrases = phrase_uses(matrix, model, w);
        Senses {
            format: SENSES_FORMAT,
            version: 1,
            phrases,
            word: words[w].clone(),
            term: matrix.terms()[w].clone(),
            tokens: occurrences.data().iter().map(|&c| c as f64).sum(),
            documents: occurrences.nnz(),
            senses,
        }
    }

    /// Writes one pretty-printed JSON object and a newline.
    pub fn write_json(&self, out: &mut dyn Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, self)?;
        writeln!(out)
    }

    /// Writes each sense: its topic, p(k|w) and p(w|k), its other words and its documents.
    pub fn write_terminal(&self, out: &mut dyn Write) -> io::Result<()> {
        let out = &mut super::Printable::new(out);
        let stem = if self.term != self.word {
            format!(" (counted as \"{}\")", self.term)
        } else {
            String::new()
        };
        writeln!(
            out,
            "\"{}\"{stem}: {} times in {} documents; {} sense{}\n",
            self.word,
            self.tokens,
            self.documents,
            self.senses.len(),
            if self.senses.len() == 1 { "" } else { "s" }
        )?;
        if !self.phrases.is_empty() {
            let listed: Vec<String> = self
                .phrases
                .iter()
                .map(|p| format!("{} ({}, #{})", p.phrase, p.tokens, p.topic))
                .collect();
            writeln!(out, "in phrases: {}\n", listed.join(", "))?;
        }
        for s in &self.senses {
            writeln!(
                out,
                "#{}  {}   p(topic | {}) {:.2}, p({} | topic) {:.4}",
                s.topic, s.label, self.word, s.p_topic_given_word, self.word, s.p_word_given_topic
            )?;
            writeln!(out, "    with: {}", s.other_words.join(", "))?;
            writeln!(out, "    dominates in {} documents", s.dominant_in)?;
            for d in &s.top_documents {
                let title = d
                    .title
                    .as_deref()
                    .map(|t| format!(" — {}", t.replace(['\n', '\r', '\t'], " ")))
                    .unwrap_or_default();
                writeln!(
                    out,
                    "    {:>5.1}%  {}{title}  (×{})",
                    d.share * 100.0,
                    d.id.replace(['\n', '\r', '\t'], " "),
                    d.count
                )?;
            }
            writeln!(out)?;
        }
        Ok(())
    }
}

/// The terms of more than one word that hold the single word of row `w` as one of their words,
/// by decreasing count (then in row order), at most [`PHRASES_SHOWN`].
fn phrase_uses(matrix: &CountMatrix, model: &NmfModel, w: usize) -> Vec<PhraseUse> {
    let term = &matrix.terms()[w];
    if term.contains(' ') {
        return Vec::new();
    }
    let totals = model.topic_totals();
    let by_word = matrix.by_word();
    let mut found: Vec<(f64, usize)> = matrix
        .terms()
        .iter()
        .enumerate()
        .filter(|(_, t)| t.contains(' ') && t.split(' ').any(|part| part == term))
        .map(|(row, _)| {
            let view = by_word.outer_view(row).expect("row in range");
            (view.data().iter().map(|&c| c as f64).sum(), row)
        })
        .collect();
    found.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    found
        .into_iter()
        .take(PHRASES_SHOWN)
        .map(|(tokens, row)| {
            let weights = model.word_row(row);
            let uses: Vec<f64> = (0..model.topics())
                .map(|t| weights[t] as f64 * totals[t])
                .collect();
            let sum: f64 = uses.iter().sum();
            let best = (0..uses.len())
                .max_by(|&a, &b| uses[a].total_cmp(&uses[b]).then(b.cmp(&a)))
                .unwrap_or(0);
            PhraseUse {
                phrase: matrix.words()[row].clone(),
                tokens,
                documents: by_word.outer_view(row).expect("row in range").nnz(),
                topic: best + 1,
                p_topic_given_phrase: if sum > 0.0 {
                    round(uses[best] / sum)
                } else {
                    0.0
                },
            }
        })
        .collect()
}

fn round(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}
