//! nmf-topics: readable topics from a pile of text, by Lee & Seung's non-negative matrix
//! factorisation with the I-divergence (generalised Kullback-Leibler).
//!
//! A corpus becomes a sparse word × document count matrix V, factored as V ≈ W·H with all
//! entries ≥ 0: each column of W is a topic (weights over words), each column of H a
//! document's topic weights.
//!
//! The pipeline, one module a stage, data flowing one way:
//!
//! 1. [`text`]: the [`Analyzer`] — word boundaries, lower-casing, stopwords, stemming;
//! 2. [`corpus`]: readers ([`DocumentReader`]) and counting ([`BagBuilder`] → [`BagOfWords`]);
//! 3. [`matrix`]: vocabulary [`Pruning`] and the sparse [`CountMatrix`];
//! 4. [`nmf`]: the solver ([`Nmf`] → [`NmfModel`] and a [`FitReport`]);
//! 5. [`report`]: terminal, JSON and CSV reports ([`Report`]);
//! 6. [`model`]: a fitted model saved to a directory and loaded back ([`SavedModel`]).
//!
//! The stages that write files (the corpus store, the model) make them with [`scratch`]: under
//! a temporary name beside the destination, put in place whole.
//!
//! ```
//! use nmf_topics::{Analyzer, AnalyzerConfig, BagBuilder, CountMatrix, Document, Nmf, Pruning};
//!
//! let texts = ["cats purr and cats sleep", "dogs bark and dogs run", "cats and dogs play"];
//! let docs: Vec<Document> = texts
//!     .iter()
//!     .enumerate()
//!     .map(|(i, t)| Document { id: i.to_string(), title: None, label: None, time: None, text: t.to_string() })
//!     .collect();
//! let mut bag = BagBuilder::new(Analyzer::new(AnalyzerConfig::default()).unwrap());
//! bag.add(docs);
//! let pruning = Pruning { min_df: "1".parse().unwrap(), ..Pruning::default() };
//! let v = CountMatrix::build(&bag.finish(), &pruning).unwrap();
//! let (model, fit) = Nmf::new(2).seed(7).fit(v.by_doc(), v.by_word()).unwrap();
//! assert_eq!(model.topics(), 2);
//! assert!(fit.divergence.is_finite());
//!
//! // Documents' topic weights with the topics fixed: for the training documents, the fitted ones.
//! let (h, _) = Nmf::new(2).transform(&model, v.by_doc(), v.by_word()).unwrap();
//! assert_eq!(h, model.h(), "a training document gets back its fitted weights");
//! ```
//!
//! A fit is saved with [`SavedModel::save`] (a directory: the matrices in safetensors, the
//! vocabulary, documents and settings in JSON) and read back, checked, with
//! [`SavedModel::load`].
#![deny(missing_docs)]

pub mod corpus;
pub mod matrix;
pub mod model;
pub mod nmf;
pub mod report;
pub mod scratch;
pub mod text;

pub use corpus::{BagBuilder, BagOfWords, Document, DocumentReader};
pub use matrix::{CountMatrix, Pruning};
pub use model::SavedModel;
pub use nmf::{FitReport, Nmf, NmfModel};
pub use report::Report;
pub use text::{Analyzer, AnalyzerConfig};
