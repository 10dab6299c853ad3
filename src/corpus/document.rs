//! One document, as readers produce it.

use serde::{Deserialize, Serialize};

/// A document read from an input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// Its id: the reader's (see the module doc); unique within an input.
    pub id: String,
    /// Its title, when the input has one.
    pub title: Option<String>,
    /// Its label (a class or category), when the input has one and it was asked for.
    pub label: Option<String>,
    /// Its text.
    pub text: String,
}

/// What is kept of a document once its words are counted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentInfo {
    /// The document's id.
    pub id: String,
    /// Its title, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Its label, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

impl Document {
    /// The document without its text.
    pub fn info(&self) -> DocumentInfo {
        DocumentInfo {
            id: self.id.clone(),
            title: self.title.clone(),
            label: self.label.clone(),
        }
    }
}
