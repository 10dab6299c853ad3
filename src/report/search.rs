//! The documents that match a query, as `search` writes them: for a terminal or as JSON
//! (`"format": "nmf-topics/search"`, documented in the README).

use std::io::{self, Write};

use serde::Serialize;

use super::transformed::{one_line, TopicLabel, Transformed};
use super::TopicWeight;
use crate::corpus::store::SearchHit;

/// The `format` field of the JSON written by `search`.
pub const SEARCH_FORMAT: &str = "nmf-topics/search";

/// A query's best matches, with their topic weights when a model is given.
#[derive(Debug, Clone, Serialize)]
pub struct SearchReport {
    /// Always [`SEARCH_FORMAT`].
    pub format: &'static str,
    /// 1.
    pub version: u32,
    /// The query as given.
    pub query: String,
    /// Documents that match, in all.
    pub total: usize,
    /// The model's topics, when a model was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub topics: Option<Vec<TopicLabel>>,
    /// The best matches, best first.
    pub hits: Vec<Hit>,
}

/// One matching document.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    /// Its id in the store.
    pub id: String,
    /// Its title, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Its label, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// BM25 score; higher is better.
    pub score: f32,
    /// Its top topics under the model, when one was given: the weights `transform` gives its
    /// stored text, which for a document the model was fitted to are its fitted weights.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub topics: Option<Vec<TopicWeight>>,
}

impl SearchReport {
    /// The report of `hits` of `query`, `total` matches in all; `weights` are the hits'
    /// documents transformed by a model, in the same order.
    pub fn new(
        query: &str,
        total: usize,
        hits: &[SearchHit],
        weights: Option<&Transformed>,
    ) -> SearchReport {
        SearchReport {
            format: SEARCH_FORMAT,
            version: 1,
            query: query.to_owned(),
            total,
            topics: weights.map(|w| w.topics.clone()),
            hits: hits
                .iter()
                .enumerate()
                .map(|(i, hit)| Hit {
                    id: hit.document.info.id.clone(),
                    title: hit.document.info.title.clone(),
                    label: hit.document.info.label.clone(),
                    score: hit.score,
                    topics: weights.map(|w| w.documents[i].topics.clone()),
                })
                .collect(),
        }
    }

    /// Writes one pretty-printed JSON object and a newline.
    pub fn write_json(&self, out: &mut dyn Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, self)?;
        writeln!(out)
    }

    /// Writes how many match, then each hit: rank, id, title, score, and its top topics.
    pub fn write_terminal(&self, out: &mut dyn Write) -> io::Result<()> {
        let out = &mut super::Printable::new(out);
        let shown = if self.hits.len() < self.total {
            format!(", the best {}", self.hits.len())
        } else {
            String::new()
        };
        let noun = if self.total == 1 {
            "document matches"
        } else {
            "documents match"
        };
        writeln!(out, "{} {noun} {:?}{shown}", self.total, self.query)?;
        for (rank, hit) in self.hits.iter().enumerate() {
            let title = hit
                .title
                .as_deref()
                .map(|t| format!(" — {}", one_line(t)))
                .unwrap_or_default();
            writeln!(
                out,
                "{:>3}. {}{title}  (score {:.2})",
                rank + 1,
                one_line(&hit.id),
                hit.score
            )?;
            if let (Some(topics), Some(labels)) = (&hit.topics, &self.topics) {
                let listed: Vec<String> = topics
                    .iter()
                    .filter(|t| t.weight >= 0.0005)
                    .map(|t| {
                        format!(
                            "#{} {} {:.1}%",
                            t.topic,
                            labels[t.topic - 1].label,
                            t.weight * 100.0
                        )
                    })
                    .collect();
                if listed.is_empty() {
                    writeln!(out, "     no word the model knows: no topic")?;
                } else {
                    writeln!(out, "     {}", listed.join(" · "))?;
                }
            }
        }
        Ok(())
    }
}
