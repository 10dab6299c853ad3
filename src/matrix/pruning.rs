//! Vocabulary pruning settings.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A document-frequency bound: a number of documents or a proportion of them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum DocFreq {
    /// A number of documents (`5`).
    Count(u64),
    /// A proportion of the documents, in [0, 1] (`0.5`).
    Fraction(f64),
}

impl DocFreq {
    /// The bound in documents, for a corpus of `n` documents.
    pub fn documents(self, n: usize) -> f64 {
        match self {
            DocFreq::Count(c) => c as f64,
            DocFreq::Fraction(f) => f * n as f64,
        }
    }
}

impl FromStr for DocFreq {
    type Err = String;

    /// An integer (`5`) is a count; a number with a point (`0.5`, `1.0`) a proportion in [0, 1].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s.contains(['.', 'e', 'E']) {
            match s.parse::<f64>() {
                Ok(f) if (0.0..=1.0).contains(&f) => Ok(DocFreq::Fraction(f)),
                _ => Err(format!(
                    "'{s}' is not a proportion between 0.0 and 1.0 (or a whole number of documents)"
                )),
            }
        } else {
            s.parse::<u64>().map(DocFreq::Count).map_err(|_| {
                format!("'{s}' is not a number of documents (or a proportion such as 0.5)")
            })
        }
    }
}

impl fmt::Display for DocFreq {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DocFreq::Count(c) => write!(f, "{c}"),
            DocFreq::Fraction(x) => write!(f, "{x:?}"),
        }
    }
}

/// Which words to keep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pruning {
    /// Keep words in at least this many documents. Default: 2 documents.
    pub min_df: DocFreq,
    /// Keep words in at most this many documents. Default: all (1.0).
    pub max_df: DocFreq,
    /// Then drop this many of the most frequent words. Default: 0.
    pub drop_top: usize,
    /// Then keep at most this many of the most frequent words. Default: no limit.
    pub max_words: Option<usize>,
}

impl Default for Pruning {
    fn default() -> Self {
        Pruning {
            min_df: DocFreq::Count(2),
            max_df: DocFreq::Fraction(1.0),
            drop_top: 0,
            max_words: None,
        }
    }
}

impl Pruning {
    /// When both bounds are of the same kind, `min_df` must not exceed `max_df`; otherwise this
    /// is checked once the number of documents is known.
    pub fn check(&self) -> Result<(), String> {
        let crossed = match (self.min_df, self.max_df) {
            (DocFreq::Count(a), DocFreq::Count(b)) => a > b,
            (DocFreq::Fraction(a), DocFreq::Fraction(b)) => a > b,
            _ => false,
        };
        if crossed {
            return Err(format!(
                "--min-df {} is above --max-df {}: no word could be kept",
                self.min_df, self.max_df
            ));
        }
        if self.max_words == Some(0) {
            return Err("--max-words 0 keeps no word: give at least 1".into());
        }
        Ok(())
    }
}
