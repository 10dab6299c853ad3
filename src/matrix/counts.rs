//! The count matrix V and its export to Matrix Market.

use std::io::{self, Write};

use sprs::CsMatI;

use super::Pruning;
use crate::corpus::{BagOfWords, Documents};

/// A sparse matrix as the solver reads it: `f32` values, `u32` indices.
pub type Sparse = CsMatI<f32, u32, usize>;

/// Why no matrix could be built.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum MatrixError {
    /// The corpus has no document.
    #[error("the input holds no document: it is empty, or every line of it is blank")]
    NoDocuments,
    /// No document holds a word, before any pruning.
    #[error("{}: every token was a stopword, a number, or shorter or longer than --min-chars and --max-chars allow (check --lang and --stopwords, and that --text-field names the field of the text)", if *.documents == 1 { "the only document holds no word".to_owned() } else { format!("none of the {documents} documents holds a word") })]
    NoWords {
        /// Documents in the corpus.
        documents: usize,
    },
    /// Nothing is left after stopwords and pruning.
    #[error("no word is left after stopwords and pruning ({terms} distinct words before pruning, in {documents} documents): loosen --min-df, --max-df, --drop-top or --max-words, or check the stopwords and --lang")]
    Empty {
        /// Distinct terms before pruning.
        terms: usize,
        /// Documents in the corpus.
        documents: usize,
    },
    /// `min_df` resolves above `max_df`.
    #[error("--min-df {min} means at least {min_docs} documents but --max-df {max} at most {max_docs} (of {documents}): no word could be kept")]
    Crossed {
        /// `min_df` as given.
        min: String,
        /// `max_df` as given.
        max: String,
        /// `min_df` in documents.
        min_docs: f64,
        /// `max_df` in documents.
        max_docs: f64,
        /// Documents in the corpus.
        documents: usize,
    },
    /// Settings that are wrong on their own.
    #[error("{0}")]
    Settings(String),
    /// Parts given to [`CountMatrix::from_parts`] that do not fit together.
    #[error("{0}")]
    Parts(String),
}

/// The word × document count matrix V, shape `(n_words, n_documents)`, with its vocabulary and
/// documents.
#[derive(Debug, Clone)]
pub struct CountMatrix {
    by_doc: Sparse,
    by_word: Sparse,
    terms: Vec<String>,
    words: Vec<String>,
    documents: Documents,
    tokens: f64,
    terms_before: usize,
}

impl CountMatrix {
    /// Prunes the vocabulary of `bag` and counts.
    pub fn build(bag: &BagOfWords, pruning: &Pruning) -> Result<CountMatrix, MatrixError> {
        let (by_doc, mut matrix) = CountMatrix::count(bag, pruning)?;
        matrix.documents = bag.documents().clone();
        matrix.by_word = by_doc.to_other_storage();
        matrix.by_doc = by_doc;
        Ok(matrix)
    }

    /// As [`CountMatrix::build`], consuming `bag`: its documents move into the matrix, and the
    /// rest of it is freed before V is copied by word, so the bag, V by document and V by word
    /// are never all held at once (on a large corpus that is the peak of the whole fit).
    pub fn from_bag(bag: BagOfWords, pruning: &Pruning) -> Result<CountMatrix, MatrixError> {
        let (by_doc, mut matrix) = CountMatrix::count(&bag, pruning)?;
        matrix.documents = bag.into_documents();
        matrix.by_word = by_doc.to_other_storage();
        matrix.by_doc = by_doc;
        Ok(matrix)
    }

    /// V by document, and the matrix without its documents and with empty placeholders for V.
    fn count(bag: &BagOfWords, pruning: &Pruning) -> Result<(Sparse, CountMatrix), MatrixError> {
        pruning.check().map_err(MatrixError::Settings)?;
        let n_docs = bag.n_documents();
        if n_docs == 0 {
            return Err(MatrixError::NoDocuments);
        }
        let n_terms = bag.terms().len();
        if n_terms == 0 {
            return Err(MatrixError::NoWords { documents: n_docs });
        }
        let mut df = vec![0u64; n_terms];
        let mut tf = vec![0f64; n_terms];
        for d in 0..n_docs {
            for &(t, c) in bag.document(d) {
                df[t as usize] += 1;
                tf[t as usize] += c as f64;
            }
        }
        let (lo, hi) = (
            pruning.min_df.documents(n_docs),
            pruning.max_df.documents(n_docs),
        );
        if lo > hi {
            return Err(MatrixError::Crossed {
                min: pruning.min_df.to_string(),
                max: pruning.max_df.to_string(),
                min_docs: lo,
                max_docs: hi,
                documents: n_docs,
            });
        }
        let terms = bag.terms();
        let mut kept: Vec<u32> = (0..n_terms as u32)
            .filter(|&t| (lo..=hi).contains(&(df[t as usize] as f64)))
            .collect();
        kept.sort_by(|&a, &b| {
            tf[b as usize]
                .total_cmp(&tf[a as usize])
                .then_with(|| terms[a as usize].cmp(&terms[b as usize]))
        });
        let kept = &kept[pruning.drop_top.min(kept.len())..];
        let kept = &kept[..pruning.max_words.unwrap_or(usize::MAX).min(kept.len())];
        if kept.is_empty() {
            return Err(MatrixError::Empty {
                terms: n_terms,
                documents: n_docs,
            });
        }

        let mut new_id = vec![u32::MAX; n_terms];
        for (i, &t) in kept.iter().enumerate() {
            new_id[t as usize] = i as u32;
        }
        let mut indptr = Vec::with_capacity(n_docs + 1);
        // Sized exactly: grown by doubling, they kept up to twice their length for good.
        let nnz: u64 = kept.iter().map(|&t| df[t as usize]).sum();
        let mut indices = Vec::with_capacity(nnz as usize);
        let mut data = Vec::with_capacity(nnz as usize);
        let mut column: Vec<(u32, f32)> = Vec::new();
        indptr.push(0);
        for d in 0..n_docs {
            column.clear();
            column.extend(
                bag.document(d)
                    .iter()
                    .filter(|&&(t, _)| new_id[t as usize] != u32::MAX)
                    .map(|&(t, c)| (new_id[t as usize], c)),
            );
            column.sort_unstable_by_key(|&(w, _)| w);
            indices.extend(column.iter().map(|&(w, _)| w));
            data.extend(column.iter().map(|&(_, c)| c));
            indptr.push(indices.len());
        }
        if indices.is_empty() {
            return Err(MatrixError::Empty {
                terms: n_terms,
                documents: n_docs,
            });
        }
        let tokens = total(&data);
        let by_doc = Sparse::new_csc((kept.len(), n_docs), indptr, indices, data);
        let empty = || Sparse::new_csc((0, 0), vec![0], Vec::new(), Vec::new());
        let matrix = CountMatrix {
            by_doc: empty(),
            by_word: empty(),
            terms: kept.iter().map(|&t| terms[t as usize].clone()).collect(),
            words: kept
                .iter()
                .map(|&t| bag.display()[t as usize].clone())
                .collect(),
            documents: Documents::new(),
            tokens,
            terms_before: n_terms,
        };
        Ok((by_doc, matrix))
    }

    /// A count matrix from its parts, as a saved model holds them: V in CSC, shape
    /// `(terms.len(), documents.len())`, the counted `terms` and the `words` shown for them
    /// (the same when not stemming), the documents, and the number of distinct terms there were
    /// before pruning. Fails, saying what is wrong, when the parts do not fit together or a
    /// count is negative or not finite.
    pub fn from_parts(
        by_doc: Sparse,
        terms: Vec<String>,
        words: Vec<String>,
        documents: Documents,
        terms_before: usize,
    ) -> Result<CountMatrix, MatrixError> {
        let bad = |what: String| Err(MatrixError::Parts(what));
        if !by_doc.is_csc() {
            return bad("the counts must be stored by column (CSC)".into());
        }
        if by_doc.shape() != (terms.len(), documents.len()) {
            return bad(format!(
                "the counts are {} × {} but there are {} words and {} documents",
                by_doc.rows(),
                by_doc.cols(),
                terms.len(),
                documents.len()
            ));
        }
        if words.len() != terms.len() {
            return bad(format!(
                "{} words are shown for {} terms",
                words.len(),
                terms.len()
            ));
        }
        if let Some(c) = by_doc
            .data()
            .iter()
            .find(|c| !(c.is_finite() && **c >= 0.0))
        {
            return bad(format!(
                "a count is {c}: counts must be finite and non-negative"
            ));
        }
        let tokens = total(by_doc.data());
        let by_word = by_doc.to_other_storage();
        Ok(CountMatrix {
            by_doc,
            by_word,
            terms,
            words,
            documents,
            tokens,
            terms_before,
        })
    }

    /// This matrix with the documents of `more` after its own: what an update of a model
    /// holds. `more` must be counted over the same vocabulary (as
    /// [`CountMatrix::with_vocabulary`] counts new documents for a model).
    pub fn joined(&self, more: &CountMatrix) -> Result<CountMatrix, MatrixError> {
        if more.terms != self.terms {
            return Err(MatrixError::Parts(format!(
                "the new documents are counted over {} terms that are not the model's {}",
                more.terms.len(),
                self.terms.len()
            )));
        }
        let (a, b) = (self.by_doc.indptr(), more.by_doc.indptr());
        let (a, b) = (a.to_proper(), b.to_proper());
        let nnz = self.nnz();
        let indptr: Vec<usize> = a
            .iter()
            .copied()
            .chain(b[1..].iter().map(|&p| p + nnz))
            .collect();
        let indices: Vec<u32> = self
            .by_doc
            .indices()
            .iter()
            .chain(more.by_doc.indices())
            .copied()
            .collect();
        let data: Vec<f32> = self
            .by_doc
            .data()
            .iter()
            .chain(more.by_doc.data())
            .copied()
            .collect();
        let shape = (self.n_words(), self.n_documents() + more.n_documents());
        let by_doc =
            Sparse::try_new_csc(shape, indptr, indices, data).map_err(|(_, _, _, e)| {
                MatrixError::Parts(format!("the joined counts are not a matrix ({e})"))
            })?;
        let mut documents = self.documents.clone();
        for doc in more.documents.iter() {
            documents.push_ref(doc);
        }
        CountMatrix::from_parts(
            by_doc,
            self.terms.clone(),
            self.words.clone(),
            documents,
            self.terms_before,
        )
    }

    /// V compressed by column (CSC): document `d`'s words are `by_doc().outer_view(d)`.
    pub fn by_doc(&self) -> &Sparse {
        &self.by_doc
    }

    /// V compressed by row (CSR): word `w`'s documents are `by_word().outer_view(w)`.
    pub fn by_word(&self) -> &Sparse {
        &self.by_word
    }

    /// Number of words (rows).
    pub fn n_words(&self) -> usize {
        self.terms.len()
    }

    /// Number of documents (columns).
    pub fn n_documents(&self) -> usize {
        self.documents.len()
    }

    /// Number of non-zero counts.
    pub fn nnz(&self) -> usize {
        self.by_doc.nnz()
    }

    /// Sum of all counts: the tokens that are modelled.
    pub fn tokens(&self) -> f64 {
        self.tokens
    }

    /// Distinct terms before pruning.
    pub fn terms_before_pruning(&self) -> usize {
        self.terms_before
    }

    /// The counted terms (stems when stemming), by row.
    pub fn terms(&self) -> &[String] {
        &self.terms
    }

    /// The words to show, by row: the most frequent surface form of each term.
    pub fn words(&self) -> &[String] {
        &self.words
    }

    /// The documents, by column.
    pub fn documents(&self) -> &Documents {
        &self.documents
    }

    /// Documents without any word after pruning.
    pub fn empty_documents(&self) -> usize {
        self.by_doc
            .indptr()
            .as_slice()
            .map_or(0, |p| p.windows(2).filter(|w| w[0] == w[1]).count())
    }

    /// Total count of each word: its row sums.
    pub fn word_tokens(&self) -> Vec<f64> {
        self.by_word
            .outer_iterator()
            .map(|row| total(row.data()))
            .collect()
    }

    /// Total count of each document: its column sums.
    pub fn document_tokens(&self) -> Vec<f64> {
        self.by_doc
            .outer_iterator()
            .map(|col| total(col.data()))
            .collect()
    }

    /// Writes V (words × documents) in Matrix Market coordinate format: `integer` when every
    /// count is whole, else `real`.
    pub fn write_matrix_market(&self, out: &mut dyn Write) -> io::Result<()> {
        let integer = self.by_doc.data().iter().all(|c| c.fract() == 0.0);
        writeln!(
            out,
            "%%MatrixMarket matrix coordinate {} general",
            if integer { "integer" } else { "real" }
        )?;
        writeln!(
            out,
            "% nmf-topics word x document counts: rows are words (NAME.vocab.txt), columns documents (NAME.docs.txt)"
        )?;
        writeln!(
            out,
            "{} {} {}",
            self.n_words(),
            self.n_documents(),
            self.nnz()
        )?;
        for (d, col) in self.by_doc.outer_iterator().enumerate() {
            for (w, &c) in col.iter() {
                writeln!(out, "{} {} {}", w + 1, d + 1, c)?;
            }
        }
        Ok(())
    }

    /// Writes the shown words, one a line, in row order.
    pub fn write_vocabulary(&self, out: &mut dyn Write) -> io::Result<()> {
        self.words.iter().try_for_each(|w| writeln!(out, "{w}"))
    }

    /// Writes the document ids, one a line, in column order. Line breaks in ids become spaces.
    pub fn write_document_ids(&self, out: &mut dyn Write) -> io::Result<()> {
        self.documents
            .iter()
            .try_for_each(|d| writeln!(out, "{}", d.id.replace(['\n', '\r'], " ")))
    }
}

/// The sum of counts, in `f64`, folded from +0: an empty sum (a document or word without
/// counts) is 0, where `Iterator::sum` of floats gives −0, which reports print as "-0".
fn total(counts: &[f32]) -> f64 {
    counts.iter().fold(0.0, |a, &c| a + c as f64)
}
