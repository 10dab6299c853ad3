//! `model.json`: what a model is, its shapes, vocabulary, documents, settings and fit record.

use serde::{Deserialize, Serialize};

use super::UpdateRecord;
use crate::corpus::{Documents, PhraseList};
use crate::nmf::FitReport;
use crate::report::{Parameters, StageSeconds, TimeBins};

/// The `format` field of every `model.json`.
pub const FORMAT: &str = "nmf-topics/model";

/// The `version` field: raised when a field changes meaning; new fields do not raise it.
pub const VERSION: u32 = 1;

/// The file name of the metadata in a model directory.
pub(super) const METADATA_FILE: &str = "model.json";

/// The file name of the matrices in a model directory.
pub(super) const TENSOR_FILE: &str = "model.safetensors";

/// The content of `model.json`, documented field by field in the README.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct Metadata {
    pub format: String,
    pub version: u32,
    /// The program that wrote it, `nmf-topics 0.1.0`.
    pub writer: String,
    /// The tensor file, relative to the directory.
    pub tensors: String,
    pub shapes: Shapes,
    pub vocabulary: Vocabulary,
    pub documents: Documents,
    pub parameters: Parameters,
    pub fit: FitReport,
    pub seconds: StageSeconds,
    /// Snippets of the representative documents (absent in models written without the text).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub snippets: Vec<Snippet>,
    /// The phrases joined in the corpus, as pairs of terms (absent without phrases).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phrases: Option<PhraseList>,
    /// How the reports cut the documents' times (absent: `auto`, or no times).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_bins: Option<TimeBins>,
    /// What updates folded in since the fit (absent for a model only fitted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updates: Option<UpdateRecord>,
}

/// The snippet of one representative document.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct Snippet {
    /// The document's position (0-based, as in `documents`).
    pub document: usize,
    /// The passage.
    pub text: String,
}

/// The sizes every tensor is checked against.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct Shapes {
    pub words: usize,
    pub documents: usize,
    pub topics: usize,
    pub nonzeros: usize,
    /// Distinct terms before pruning (for the report).
    pub words_before_pruning: usize,
}

/// Rows of V and W.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct Vocabulary {
    /// The counted terms (stems when stemming): what the analyzer produces.
    pub terms: Vec<String>,
    /// The word shown for each term: its most frequent surface form.
    pub words: Vec<String>,
}
