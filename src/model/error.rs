//! What can go wrong when saving or loading a model.

use std::io;
use std::path::PathBuf;

/// A model that cannot be saved or loaded. Every message names the path and what to do.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// Nothing at the path.
    #[error("no model at {path}: fit one with `nmf-topics fit INPUT --model {path}`")]
    NotFound {
        /// The directory asked for.
        path: PathBuf,
    },
    /// The path exists but holds no nmf-topics model.
    #[error("{path} is not an nmf-topics model: {reason}")]
    NotAModel {
        /// The directory asked for.
        path: PathBuf,
        /// What was found instead.
        reason: String,
    },
    /// A model written by another version of the format.
    #[error("{path} is a model of format version {found}, but this nmf-topics reads version {supported}: {advice}")]
    Version {
        /// The metadata file.
        path: PathBuf,
        /// Its version.
        found: u64,
        /// The version this build reads.
        supported: u32,
        /// What to do.
        advice: &'static str,
    },
    /// The metadata cannot be read.
    #[error("{path} is damaged: {reason}; fit the model again")]
    Metadata {
        /// The metadata file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The matrices cannot be read or do not match the metadata.
    #[error("{path} is damaged: {reason}; fit the model again")]
    Tensors {
        /// The tensor file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The path exists and is not a model directory, or holds more than a model: it is left
    /// alone.
    #[error("will not write a model to {path}: {found}; a model directory holds only model.json and model.safetensors (choose another name, or move what is there yourself)")]
    Occupied {
        /// The directory asked for.
        path: PathBuf,
        /// What is there.
        found: String,
    },
    /// The parts given to [`SavedModel::new`](super::SavedModel::new) do not fit together.
    #[error("the model's parts do not fit together: {0}")]
    Parts(String),
    /// New documents that cannot be folded into the model.
    #[error("cannot update the model: {0}")]
    Update(String),
    /// Reading or writing failed.
    #[error("cannot {action} {path}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// Why it failed.
        #[source]
        source: io::Error,
    },
}
