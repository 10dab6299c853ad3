//! The topic weights of new documents, as `transform` writes them: for a terminal, as JSON
//! (`"format": "nmf-topics/transform"`, documented in the README) or as CSV.

use std::io::{self, Write};

use serde::Serialize;

use crate::matrix::{CountMatrix, UnknownWords};
use crate::nmf::{weights_from_counts, NmfModel, TransformReport};

/// The `format` field of the JSON written by `transform`.
pub const TRANSFORM_FORMAT: &str = "nmf-topics/transform";

/// Topics listed per document in the terminal and in `documents[].topics`.
const TOP_TOPICS: usize = 3;

/// New documents' topic weights under a saved model.
#[derive(Debug, Clone, Serialize)]
pub struct Transformed {
    /// Always [`TRANSFORM_FORMAT`].
    pub format: &'static str,
    /// 1.
    pub version: u32,
    /// The model's topics: `{id, label}`.
    pub topics: Vec<TopicLabel>,
    /// Tokens and distinct words of the documents that the model's vocabulary lacks.
    pub unknown: UnknownFigures,
    /// How the weights were solved.
    pub solve: TransformReport,
    /// The documents, in input order.
    pub documents: Vec<TransformedDocument>,
}

/// A topic's id and label.
#[derive(Debug, Clone, Serialize)]
pub struct TopicLabel {
    /// 1-based, as in the model's report.
    pub id: usize,
    /// Its three top words.
    pub label: String,
}

/// Words left out because the model does not know them.
#[derive(Debug, Clone, Serialize)]
pub struct UnknownFigures {
    /// Tokens left out.
    pub tokens: f64,
    /// Distinct words left out.
    pub distinct: usize,
}

/// One new document.
#[derive(Debug, Clone, Serialize)]
pub struct TransformedDocument {
    /// Its id.
    pub id: String,
    /// Its title, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Its label, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Its tokens that the model knows (those the weights explain).
    pub tokens: f64,
    /// Its tokens that the model does not know, left out.
    pub unknown_tokens: f64,
    /// Its weight on every topic, in topic order, summing to 1 (all 0 without known words).
    pub weights: Vec<f32>,
    /// Its top 3 topics with weight > 0, by decreasing weight (the terminal leaves out those
    /// below 0.05%).
    pub topics: Vec<super::TopicWeight>,
}

impl Transformed {
    /// The report for documents counted in `matrix` (over the model's vocabulary, with the
    /// `unknown` words left out) whose topic counts are `counts`, `(n_documents, topics)`
    /// row-major, as [`Nmf::transform`](crate::nmf::Nmf::transform) returns them.
    pub fn new(
        matrix: &CountMatrix,
        unknown: &UnknownWords,
        model: &NmfModel,
        counts: &[f32],
        solve: TransformReport,
    ) -> Transformed {
        let k = model.topics();
        let words = matrix.words();
        let topics = (0..k)
            .map(|t| TopicLabel {
                id: t + 1,
                label: model
                    .top_words(t, 3)
                    .iter()
                    .map(|&(w, _)| words[w].as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
            })
            .collect();
        let tokens = matrix.document_tokens();
        let documents = matrix
            .documents()
            .iter()
            .enumerate()
            .map(|(d, info)| {
                let weights = weights_from_counts(&counts[d * k..][..k]);
                let mut top: Vec<(usize, f32)> = weights
                    .iter()
                    .copied()
                    .enumerate()
                    .filter(|&(_, x)| x > 0.0)
                    .collect();
                top.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
                top.truncate(TOP_TOPICS);
                TransformedDocument {
                    id: info.id.to_owned(),
                    title: info.title.map(str::to_owned),
                    label: info.label.map(str::to_owned),
                    tokens: tokens[d],
                    unknown_tokens: unknown.per_document.get(d).copied().unwrap_or(0.0),
                    weights,
                    topics: top
                        .into_iter()
                        .map(|(t, weight)| super::TopicWeight {
                            topic: t + 1,
                            weight,
                        })
                        .collect(),
                }
            })
            .collect();
        Transformed {
            format: TRANSFORM_FORMAT,
            version: 1,
            topics,
            unknown: UnknownFigures {
                tokens: unknown.tokens,
                distinct: unknown.distinct,
            },
            solve,
            documents,
        }
    }

    /// Writes one pretty-printed JSON object and a newline.
    pub fn write_json(&self, out: &mut dyn Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, self)?;
        writeln!(out)
    }

    /// Writes `id,topic_1,…,topic_K`, one row a document, 6 decimals: the format of `fit
    /// --doc-topics`.
    pub fn write_csv(&self, out: &mut dyn Write) -> io::Result<()> {
        let mut writer = ::csv::Writer::from_writer(out);
        let mut row: Vec<String> = Vec::with_capacity(self.topics.len() + 1);
        row.push("id".into());
        row.extend(self.topics.iter().map(|t| format!("topic_{}", t.id)));
        writer.write_record(&row)?;
        for doc in &self.documents {
            row.clear();
            row.push(doc.id.clone());
            row.extend(doc.weights.iter().map(|w| format!("{w:.6}")));
            writer.write_record(&row)?;
        }
        writer.flush()
    }

    /// Writes each document's id (and title), its counts, and its top topics with their labels,
    /// then what was left out.
    pub fn write_terminal(&self, out: &mut dyn Write) -> io::Result<()> {
        let out = &mut super::Printable::new(out);
        for doc in &self.documents {
            let title = doc
                .title
                .as_deref()
                .map(|t| format!(" — {}", one_line(t)))
                .unwrap_or_default();
            let unknown = if doc.unknown_tokens > 0.0 {
                format!(", {} unknown", doc.unknown_tokens)
            } else {
                String::new()
            };
            writeln!(
                out,
                "{}{title}  ({} words{unknown})",
                one_line(&doc.id),
                doc.tokens
            )?;
            if doc.topics.is_empty() {
                writeln!(out, "    no word the model knows: no topic")?;
            }
            for t in doc.topics.iter().filter(|t| t.weight >= 0.0005) {
                writeln!(
                    out,
                    "    {:>5.1}%  #{} {}",
                    t.weight * 100.0,
                    t.topic,
                    self.topics[t.topic - 1].label
                )?;
            }
        }
        writeln!(
            out,
            "\n{} documents; {} tokens of {} distinct words the model does not know were left out",
            self.documents.len(),
            self.unknown.tokens,
            self.unknown.distinct
        )?;
        writeln!(
            out,
            "weights solved with W fixed: {:.0} updates a document on average, at most {}{}",
            self.solve.iterations_mean,
            self.solve.iterations_max,
            if self.solve.unconverged > 0 {
                format!(" ({} stopped at the limit)", self.solve.unconverged)
            } else {
                String::new()
            }
        )
    }
}

pub(super) fn one_line(s: &str) -> String {
    s.replace(['\n', '\r', '\t'], " ")
}
