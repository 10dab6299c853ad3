//! Stage 6: a fitted model on disk, to inspect and reuse it later.
//!
//! A [`SavedModel`] is everything the reports, `senses` and `transform` need without the
//! corpus: the count matrix V with its vocabulary and documents, the normalised factors W and
//! H, the settings of every stage (so new text is analysed and counted the same way) and the
//! fit record. [`SavedModel::save`] writes it as a directory of two files:
//!
//! - `model.safetensors`: the matrices, little-endian, in the
//!   [safetensors](https://huggingface.co/docs/safetensors) format, which Python reads without
//!   our code (`safetensors.numpy.load_file`):
//!   - `W`, `f32`, `(n_words, n_topics)`: p(word | topic), each column sums to 1;
//!   - `H`, `f32`, `(n_topics, n_documents)`: expected number of each document's words from
//!     each topic;
//!   - `V.indptr` (`i64`, `n_documents + 1`), `V.indices` (`i32`, `nnz`), `V.data` (`f32`,
//!     `nnz`): V, `(n_words, n_documents)`, compressed by column (scipy's `csc_matrix`);
//!   - in a model an update wrote, `online.A` (`f64`, `(n_words, n_topics)`) and `online.B`
//!     (`f64`, `n_topics`, or `n_topics²` for the squared error): the online statistics W is
//!     recomputed from (see
//!     [`SavedModel::update`]); a model only fitted has none, and an update rebuilds them;
//! - `model.json`: `"format": "nmf-topics/model"`, `"version"`, the shapes, the vocabulary
//!   (counted terms and the words shown for them), the documents (id, title, label), the
//!   analyzer, pruning and solver settings, and the fit record.
//!
//! Writing is atomic: both files go into a temporary sibling directory that is put in place
//! whole ([`ModelSlot`]), replacing an older model there: a directory that holds anything but
//! a model's two files is never replaced. [`SavedModel::load`] checks the format, the version
//! and every shape, and says what is wrong and with which file; it reads both files of one
//! model even while the directory is being replaced.

mod directory;
mod error;
mod metadata;
mod saved;
mod tensors;
mod update;

pub use directory::ModelSlot;
pub use error::ModelError;
pub use metadata::{FORMAT, VERSION};
pub use saved::SavedModel;
pub use update::{UpdateRecord, UpdateReport};
