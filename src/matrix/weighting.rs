//! What the solver is given: the counts themselves, or their tf-idf weights.
//!
//! [`Weighting::Tfidf`] follows scikit-learn's `TfidfTransformer` with its defaults: a word's
//! inverse document frequency is the smoothed
//!
//! ```text
//! idf_w = ln((1 + n) / (1 + df_w)) + 1        (n documents, df_w of them holding word w)
//! ```
//!
//! a document's weights are its counts times the idf, divided by their Euclidean norm (each
//! document of unit l2 norm; a document without words stays empty). The idf is a function of
//! the training counts alone, which a saved model holds, so [`Idf::of`] on a model's counts
//! gives new documents the very weights of the fit.
//!
//! A weight under [`MIN_COUNT`](crate::corpus::limits::MIN_COUNT) (10⁻⁶) is dropped: the
//! solvers factor nothing smaller, and in a document of unit norm it moves the squared norm by
//! less than 10⁻¹². It takes a document of more than about 10¹² of its largest weight's
//! words for every weight to fall under it, so no document with words is left empty.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::Sparse;
use crate::corpus::limits::MIN_COUNT;

/// V as a solver sees it ([`Weighting::fitted`]): the counts, borrowed, or their weights,
/// made for the solver and freed after it.
pub enum Fitted<'a> {
    /// The counts by document and by word.
    Counts(&'a Sparse, &'a Sparse),
    /// Their weights by document and by word.
    Weighted(Sparse, Sparse),
}

impl Fitted<'_> {
    /// V by document (CSC) and by word (CSR).
    pub fn pair(&self) -> (&Sparse, &Sparse) {
        match self {
            Fitted::Counts(by_doc, by_word) => (by_doc, by_word),
            Fitted::Weighted(by_doc, by_word) => (by_doc, by_word),
        }
    }

    /// The sum of V's values: what [`Weighting::total`] gives, from the weights at hand.
    pub fn total(&self) -> f64 {
        self.pair().0.data().iter().map(|&x| x as f64).sum()
    }
}

/// What the solver factors: the counts, or their tf-idf weights.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Weighting {
    /// The counts as they are: what the KL divergence models.
    #[default]
    Counts,
    /// Counts times smoothed idf, each document scaled to unit l2 norm (scikit-learn's
    /// `TfidfTransformer()`): the usual input of the Euclidean loss.
    Tfidf,
}

impl Weighting {
    /// Its name on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Weighting::Counts => "counts",
            Weighting::Tfidf => "tfidf",
        }
    }

    /// What the reports call the mass that the topics share: "tokens" or "tf-idf weight".
    pub fn mass(self) -> &'static str {
        match self {
            Weighting::Counts => "tokens",
            Weighting::Tfidf => "tf-idf weight",
        }
    }

    /// A unit of that mass, after "per": "token" or "unit of tf-idf weight".
    pub fn unit(self) -> &'static str {
        match self {
            Weighting::Counts => "token",
            Weighting::Tfidf => "unit of tf-idf weight",
        }
    }

    /// V as the solver sees the counts `by_doc` (CSC) and `by_word` (CSR), with the idf of
    /// the training counts `training` (CSC; the same matrix when fitting): the counts
    /// themselves, borrowed, or their weights.
    pub fn fitted<'a>(
        self,
        training: &Sparse,
        by_doc: &'a Sparse,
        by_word: &'a Sparse,
    ) -> Fitted<'a> {
        match self.weigh(training, by_doc) {
            Some((by_doc, by_word)) => Fitted::Weighted(by_doc, by_word),
            None => Fitted::Counts(by_doc, by_word),
        }
    }

    /// V as the solver sees it, by document (CSC) and by word (CSR), from the counts
    /// `by_doc` (CSC), with the idf of the training counts `training` (CSC; the same matrix
    /// when fitting): `None` for [`Weighting::Counts`], whose V is the counts.
    pub fn weigh(self, training: &Sparse, by_doc: &Sparse) -> Option<(Sparse, Sparse)> {
        match self {
            Weighting::Counts => None,
            Weighting::Tfidf => {
                let weighted = Idf::of(training).weigh(by_doc);
                let by_word = weighted.to_other_storage();
                Some((weighted, by_word))
            }
        }
    }

    /// The sum of V's values as the solver sees it: the tokens, or the tf-idf weights.
    pub fn total(self, training: &Sparse) -> f64 {
        let sum = |v: &Sparse| v.data().iter().map(|&x| x as f64).sum::<f64>();
        match self {
            Weighting::Counts => sum(training),
            Weighting::Tfidf => sum(&Idf::of(training).weigh(training)),
        }
    }
}

impl fmt::Display for Weighting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Weighting {
    type Err = String;

    fn from_str(s: &str) -> Result<Weighting, String> {
        match s.trim().to_lowercase().as_str() {
            "counts" => Ok(Weighting::Counts),
            "tfidf" | "tf-idf" => Ok(Weighting::Tfidf),
            _ => Err(format!("unknown weighting '{s}'; choose counts or tfidf")),
        }
    }
}

/// The smoothed inverse document frequency of each word of a count matrix.
#[derive(Debug, Clone, PartialEq)]
pub struct Idf {
    idf: Vec<f64>,
}

impl Idf {
    /// The idf of the counts `by_doc` (CSC, `(n_words, n_documents)`): a word's document
    /// frequency is the number of documents where its count is positive.
    pub fn of(by_doc: &Sparse) -> Idf {
        let (n_words, n_docs) = by_doc.shape();
        let mut df = vec![0u64; n_words];
        for (&w, &x) in by_doc.indices().iter().zip(by_doc.data()) {
            if x > 0.0 {
                df[w as usize] += 1;
            }
        }
        let n = n_docs as f64;
        let idf = df
            .iter()
            .map(|&d| ((1.0 + n) / (1.0 + d as f64)).ln() + 1.0)
            .collect();
        Idf { idf }
    }

    /// Each word's idf.
    pub fn values(&self) -> &[f64] {
        &self.idf
    }

    /// The tf-idf weights of the counts `by_doc` (CSC, over the same words), each document
    /// of unit l2 norm, weights under 10⁻⁶ dropped.
    pub fn weigh(&self, by_doc: &Sparse) -> Sparse {
        let (n_words, n_docs) = by_doc.shape();
        let indptr = by_doc.indptr();
        let mut ptr = Vec::with_capacity(n_docs + 1);
        let mut indices = Vec::with_capacity(by_doc.nnz());
        let mut data = Vec::with_capacity(by_doc.nnz());
        ptr.push(0);
        for d in 0..n_docs {
            let range = indptr.outer_inds_sz(d);
            let words = &by_doc.indices()[range.clone()];
            let counts = &by_doc.data()[range];
            let norm = words
                .iter()
                .zip(counts)
                .map(|(&w, &c)| (c as f64 * self.idf[w as usize]).powi(2))
                .sum::<f64>()
                .sqrt();
            for (&w, &c) in words.iter().zip(counts) {
                let x = (c as f64 * self.idf[w as usize] / norm) as f32;
                if x >= MIN_COUNT {
                    indices.push(w);
                    data.push(x);
                }
            }
            ptr.push(indices.len());
        }
        Sparse::new_csc((n_words, n_docs), ptr, indices, data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_back() {
        for w in [Weighting::Counts, Weighting::Tfidf] {
            assert_eq!(w.to_string().parse::<Weighting>(), Ok(w));
        }
        assert_eq!("TF-IDF".parse::<Weighting>(), Ok(Weighting::Tfidf));
        assert!("bm25"
            .parse::<Weighting>()
            .unwrap_err()
            .contains("counts or tfidf"));
    }

    #[test]
    fn tiny_weights_are_dropped_and_the_rest_kept() {
        // One document of a million tokens of word 0 and one of word 1.
        let v = Sparse::new_csc((2, 2), vec![0, 2, 3], vec![0, 1, 1], vec![1e7, 1.0, 1.0]);
        let weighted = Idf::of(&v).weigh(&v);
        assert_eq!(weighted.indices(), &[0, 1]);
        assert!((weighted.data()[0] - 1.0).abs() < 1e-6);
        assert_eq!(weighted.data()[1], 1.0);
    }
}
