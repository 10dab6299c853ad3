//! Stage 2: inputs → documents → a bag of words.
//!
//! Readers turn each input into [`Document`]s, one at a time, so memory follows the documents
//! kept, not the size of the files:
//!
//! | input | documents | id |
//! |---|---|---|
//! | a folder | every `.txt` or `.md` file below it, in path order | the relative path |
//! | `*.jsonl`, `*.ndjson`, `*.json` | one JSON object a line | the `id` field, else the line number |
//! | `*.csv`, `*.tsv` | one row a document, below a header row naming the columns | the `id` column, else the line number |
//! | `*.parquet` | one row a document | the `id` column, else the row number |
//! | any file with [`Format::Lines`] | one document a line | the line number |
//! | any other file | the whole file | the path as given |
//! | `-` | standard input, as JSON Lines if it starts with `{`, else like a file | as above |
//! | `*.mtx` | a Matrix Market count matrix, already counted (see [`read_matrix_market`]) | the column number |
//!
//! The text, id, title and label come from named JSON fields or table columns
//! ([`ReadOptions`]); several text fields are joined with a blank line between them.
//!
//! Any of them but Parquet may be gzip-compressed; the gzip magic bytes decide, not the name. Invalid UTF-8
//! is replaced by U+FFFD and reported as a [`Warning`]; binary files in a folder are skipped with
//! one. A document is at most [`ReadOptions::max_doc_bytes`] long and a count within the range
//! the solver factors: see [`limits`].
//!
//! A [`CorpusStore`] keeps a corpus in a tantivy index, ingested once and fitted many times:
//! see [`store`].
//!
//! [`BagBuilder`] tokenises batches of documents in parallel (rayon) with an
//! [`Analyzer`](crate::text::Analyzer) and keeps only their term counts: a [`BagOfWords`].

mod bag;
mod document;
mod error;
mod folder;
mod input;
mod jsonl;
pub mod limits;
mod market;
mod parquet;
pub mod phrases;
mod reader;
mod sequences;
pub mod store;
mod table;
mod time;

pub use bag::{count, count_documents, count_phrased, BagBuilder, BagOfWords, CountStats};
pub use document::{Document, DocumentInfo, DocumentRef, Documents};
pub use error::{BadTimeValue, CorpusError, Warning};
pub use folder::reads_from_folder;
pub use input::{Format, Input};
pub use market::{matrix_market_files, read_matrix_market, MatrixMarketOptions};
pub use phrases::{PhraseConfig, PhraseJoiner, PhraseList, PhraseScoring, Phrasing};
pub use reader::{DocumentReader, ReadOptions, ReadProgress};
pub use sequences::{Sequences, BREAK};
pub use store::CorpusStore;
pub use time::{TimeError, TimeUnit, Timestamp};
