//! New documents counted over a model's vocabulary, for `transform`.

use rustc_hash::FxHashMap;

use super::{CountMatrix, MatrixError, Sparse};
use crate::corpus::BagOfWords;

/// The words of new documents that a vocabulary does not have (pruned, or never seen when the
/// model was fitted): they are left out of the counts.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UnknownWords {
    /// Tokens left out, over all documents.
    pub tokens: f64,
    /// Distinct terms left out.
    pub distinct: usize,
    /// Tokens left out of each document.
    pub per_document: Vec<f64>,
}

impl CountMatrix {
    /// Counts the documents of `bag` over a fixed vocabulary: `terms` (as the analyzer produces
    /// them) with the `words` shown for them, rows in that order. Terms the vocabulary does not
    /// have are left out and counted in [`UnknownWords`]. A document may be left without any
    /// word; its column is empty.
    pub fn with_vocabulary(
        bag: &BagOfWords,
        terms: &[String],
        words: &[String],
    ) -> Result<(CountMatrix, UnknownWords), MatrixError> {
        let n_docs = bag.n_documents();
        if n_docs == 0 {
            return Err(MatrixError::NoDocuments);
        }
        let row: FxHashMap<&str, u32> = terms
            .iter()
            .enumerate()
            .map(|(i, t)| (t.as_str(), i as u32))
            .collect();
        let new_id: Vec<Option<u32>> = bag
            .terms()
            .iter()
            .map(|t| row.get(t.as_str()).copied())
            .collect();
        let mut unknown = UnknownWords {
            per_document: vec![0.0; n_docs],
            ..UnknownWords::default()
        };
        let mut seen_unknown = vec![false; new_id.len()];
        let mut indptr = Vec::with_capacity(n_docs + 1);
        let mut indices = Vec::new();
        let mut data = Vec::new();
        let mut column: Vec<(u32, f32)> = Vec::new();
        indptr.push(0);
        for d in 0..n_docs {
            column.clear();
            for &(t, c) in bag.document(d) {
                match new_id[t as usize] {
                    Some(w) => column.push((w, c)),
                    None => {
                        unknown.per_document[d] += c as f64;
                        seen_unknown[t as usize] = true;
                    }
                }
            }
            column.sort_unstable_by_key(|&(w, _)| w);
            indices.extend(column.iter().map(|&(w, _)| w));
            data.extend(column.iter().map(|&(_, c)| c));
            indptr.push(indices.len());
        }
        // Folded from +0: an empty sum is 0, not the -0 of `Iterator::sum`.
        unknown.tokens = unknown.per_document.iter().fold(0.0, |a, &x| a + x);
        unknown.distinct = seen_unknown.iter().filter(|&&s| s).count();
        let by_doc = Sparse::new_csc((terms.len(), n_docs), indptr, indices, data);
        let matrix = CountMatrix::from_parts(
            by_doc,
            terms.to_vec(),
            words.to_vec(),
            bag.documents().clone(),
            bag.terms().len(),
        )?;
        Ok((matrix, unknown))
    }
}
