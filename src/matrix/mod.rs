//! Stage 3: a bag of words → the word × document count matrix V.
//!
//! [`Pruning`] chooses the vocabulary, in this order:
//!
//! 1. `min_df` and `max_df` keep words whose document frequency is within bounds; a
//!    [`DocFreq::Count`] is a number of documents, a [`DocFreq::Fraction`] a proportion of them,
//!    as in scikit-learn;
//! 2. `drop_top` drops the N most frequent of those (Lee & Seung dropped the 430 most common);
//! 3. `max_words` keeps the N most frequent of the rest.
//!
//! Frequency is the total count in the corpus. Words are numbered by decreasing frequency, ties
//! in byte order of the term, so the order is deterministic and the solver's hot rows are
//! neighbours in memory.
//!
//! [`CountMatrix`] holds V, shape `(n_words, n_documents)`, twice in sprs: compressed by
//! column (CSC: a document's words are contiguous) and by row (CSR: a word's documents are
//! contiguous), the two access orders of the solver. Documents keep the input order; a
//! document left with no word keeps its (empty) column.
//!
//! New documents are counted over a saved model's vocabulary with
//! [`CountMatrix::with_vocabulary`]; the words it lacks are counted in [`UnknownWords`].
//!
//! [`Weighting`] says what the solver is given: the counts, or their tf-idf weights
//! (scikit-learn's `TfidfTransformer` defaults), the idf taken from the training counts.

mod counts;
mod pruning;
mod vocabulary;
mod weighting;

pub use counts::{CountMatrix, MatrixError, Sparse};
pub use pruning::{DocFreq, Pruning};
pub use vocabulary::UnknownWords;
pub use weighting::{Fitted, Idf, Weighting};
