//! [`NmfModel`]: the fitted factors, normalised.

use super::rows::Rows;
use super::NmfError;

/// A fitted factorisation V ≈ W·H, normalised: each topic (column of W) sums to 1 over the
/// words, and `H[k, d]` is the expected number of document d's words that come from topic k.
/// Topics are numbered by decreasing share of the corpus.
#[derive(Debug, Clone, PartialEq)]
pub struct NmfModel {
    k: usize,
    n_words: usize,
    n_docs: usize,
    /// W, `(n_words, k)` row-major.
    w: Vec<f32>,
    /// Hᵀ, `(n_documents, k)` row-major.
    h: Vec<f32>,
}

impl NmfModel {
    /// Normalises padded factors (rows of `kp` values of which the first `k` are used) and
    /// orders the topics by decreasing share. Each padded factor is freed once its normalised
    /// copy is made.
    pub(crate) fn from_factors(w: Rows, h: Rows, k: usize, kp: usize) -> NmfModel {
        let n_words = w.len() / kp;
        let n_docs = h.len() / kp;
        let mut col_w = vec![0f64; k];
        let mut row_h = vec![0f64; k];
        for row in w.chunks_exact(kp) {
            for (s, &x) in col_w.iter_mut().zip(row) {
                *s += x as f64;
            }
        }
        for row in h.chunks_exact(kp) {
            for (s, &x) in row_h.iter_mut().zip(row) {
                *s += x as f64;
            }
        }
        let mut order: Vec<usize> = (0..k).collect();
        order.sort_by(|&a, &b| {
            (col_w[b] * row_h[b])
                .total_cmp(&(col_w[a] * row_h[a]))
                .then(a.cmp(&b))
        });
        let mut w_out = Vec::with_capacity(n_words * k);
        for row in w.chunks_exact(kp) {
            w_out.extend(order.iter().map(|&t| {
                if col_w[t] > 0.0 {
                    (row[t] as f64 / col_w[t]) as f32
                } else {
                    0.0
                }
            }));
        }
        drop(w);
        let mut h_out = Vec::with_capacity(n_docs * k);
        for row in h.chunks_exact(kp) {
            h_out.extend(
                order
                    .iter()
                    .map(|&t| finite((row[t] as f64 * col_w[t]) as f32)),
            );
        }
        NmfModel {
            k,
            n_words,
            n_docs,
            w: w_out,
            h: h_out,
        }
    }

    /// A model from normalised factors: `w` `(n_words, k)` and `h` `(n_documents, k)`, both
    /// row-major. Fails when the lengths do not match or a value is negative or not finite.
    pub fn from_parts(k: usize, w: Vec<f32>, h: Vec<f32>) -> Result<NmfModel, NmfError> {
        if k == 0 || !w.len().is_multiple_of(k) || !h.len().is_multiple_of(k) {
            return Err(NmfError::Matrix(format!(
                "factor sizes {} and {} are not multiples of {k} topics",
                w.len(),
                h.len()
            )));
        }
        if let Some(x) = w.iter().chain(&h).find(|x| !x.is_finite() || **x < 0.0) {
            return Err(NmfError::Matrix(format!(
                "factor value {x} is not finite and non-negative"
            )));
        }
        Ok(NmfModel {
            k,
            n_words: w.len() / k,
            n_docs: h.len() / k,
            w,
            h,
        })
    }

    /// Frees H until [`NmfModel::with_counts`] gives the model new counts.
    pub(crate) fn clear_counts(&mut self) {
        self.h = Vec::new();
    }

    /// The model with H replaced by `h`, `(n_documents, topics)` row-major, and the topics
    /// numbered again by decreasing share (ties keep their order).
    pub(crate) fn with_counts(self, h: Vec<f32>) -> NmfModel {
        let k = self.k;
        let mut model = NmfModel { h, ..self };
        let totals = model.topic_totals();
        let mut order: Vec<usize> = (0..k).collect();
        order.sort_by(|&a, &b| totals[b].total_cmp(&totals[a]).then(a.cmp(&b)));
        if order.iter().enumerate().all(|(i, &t)| i == t) {
            return model;
        }
        let permute = |rows: &[f32]| -> Vec<f32> {
            rows.chunks_exact(k)
                .flat_map(|row| order.iter().map(move |&t| row[t]))
                .collect()
        };
        model.w = permute(&model.w);
        model.h = permute(&model.h);
        model
    }

    /// Number of topics.
    pub fn topics(&self) -> usize {
        self.k
    }

    /// Number of words (rows of W).
    pub fn n_words(&self) -> usize {
        self.n_words
    }

    /// Number of documents (columns of H).
    pub fn n_documents(&self) -> usize {
        self.n_docs
    }

    /// W, `(n_words, topics)` row-major: `w()[w * topics + k]` is p(word w | topic k).
    pub fn w(&self) -> &[f32] {
        &self.w
    }

    /// Hᵀ, `(n_documents, topics)` row-major: `h()[d * topics + k]` is the expected number of
    /// document d's words from topic k.
    pub fn h(&self) -> &[f32] {
        &self.h
    }

    /// Word `w`'s weight in each topic.
    pub fn word_row(&self, w: usize) -> &[f32] {
        &self.w[w * self.k..][..self.k]
    }

    /// Expected number of document `d`'s words from each topic.
    pub fn document_counts(&self, d: usize) -> &[f32] {
        &self.h[d * self.k..][..self.k]
    }

    /// Document `d`'s main topic: the largest of its counts (the first on ties); `None` for a
    /// document without words.
    pub fn main_topic(&self, d: usize) -> Option<usize> {
        let counts = self.document_counts(d);
        let (k, &x) = counts
            .iter()
            .enumerate()
            .reduce(|a, b| if b.1 > a.1 { b } else { a })?;
        (x > 0.0).then_some(k)
    }

    /// Document `d`'s topic weights, summing to 1 (all zero for a document without words).
    pub fn document_weights(&self, d: usize) -> Vec<f32> {
        weights_from_counts(self.document_counts(d))
    }

    /// Each topic's expected number of tokens in the corpus: Σ_d H[k, d].
    pub fn topic_totals(&self) -> Vec<f64> {
        let mut totals = vec![0f64; self.k];
        for row in self.h.chunks_exact(self.k) {
            for (t, &x) in totals.iter_mut().zip(row) {
                *t += x as f64;
            }
        }
        totals
    }

    /// Each topic's share of the corpus's tokens; sums to 1.
    pub fn topic_shares(&self) -> Vec<f64> {
        let totals = self.topic_totals();
        let sum: f64 = totals.iter().sum();
        totals
            .iter()
            .map(|&t| if sum > 0.0 { t / sum } else { 0.0 })
            .collect()
    }

    /// The `n` words with the largest weight in topic `k`, with their weights; ties go to the
    /// lower word index.
    pub fn top_words(&self, k: usize, n: usize) -> Vec<(usize, f32)> {
        let mut words: Vec<(usize, f32)> = (0..self.n_words)
            .map(|w| (w, self.w[w * self.k + k]))
            .filter(|&(_, x)| x > 0.0)
            .collect();
        let n = n.min(words.len());
        if n == 0 {
            return Vec::new();
        }
        let by_weight =
            |a: &(usize, f32), b: &(usize, f32)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
        words.select_nth_unstable_by(n - 1, by_weight);
        words.truncate(n);
        words.sort_by(by_weight);
        words
    }
}

fn finite(x: f32) -> f32 {
    if x.is_finite() {
        x
    } else {
        f32::MAX
    }
}

/// A document's expected counts from each topic as weights summing to 1 (all zero when it has
/// no counts), summed in f64.
pub fn weights_from_counts(counts: &[f32]) -> Vec<f32> {
    let total: f64 = counts.iter().map(|&x| x as f64).sum();
    counts
        .iter()
        .map(|&x| {
            if total > 0.0 {
                (x as f64 / total) as f32
            } else {
                0.0
            }
        })
        .collect()
}
