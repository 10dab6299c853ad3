//! Ranking a topic's words: by weight, or by relevance, which surfaces rare, topic-specific
//! words (Sievert & Shirley, "LDAvis", 2014, as in pyLDAvis):
//!
//! ```text
//! relevance(w, k) = λ · ln p(w|k) + (1 − λ) · ln(p(w|k) / p(w))
//! ```
//!
//! p(w|k) is W's column k; p(w) is the word's share of all the corpus's tokens. λ = 1 ranks by
//! weight; λ = 0 by lift p(w|k)/p(w), which favours words seen almost only in topic k. Words
//! with p(w|k) = 0 are never listed.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::matrix::CountMatrix;
use crate::nmf::NmfModel;

/// How a report ranks each topic's words.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Ranking {
    /// By p(word | topic), the default.
    #[default]
    Weight,
    /// By relevance with this λ, in [0, 1] (pyLDAvis suggests 0.6).
    Relevance(f64),
}

impl Ranking {
    /// Ranking by relevance with `lambda`, which must be in [0, 1].
    pub fn relevance(lambda: f64) -> Result<Ranking, String> {
        if (0.0..=1.0).contains(&lambda) {
            Ok(Ranking::Relevance(lambda))
        } else {
            Err(format!(
                "--relevance {lambda}: λ must be between 0 and 1 (1 ranks by weight, 0 by how specific a word is to the topic; 0.6 is a good start)"
            ))
        }
    }
}

/// The `n` best words of topic `k` under `ranking`: `(word, p(w|k), relevance)`, best first,
/// ties to the lower word index; the relevance is `None` when ranking by weight.
pub(super) fn top_words(
    matrix: &CountMatrix,
    model: &NmfModel,
    k: usize,
    n: usize,
    ranking: Ranking,
) -> Vec<(usize, f32, Option<f32>)> {
    let lambda = match ranking {
        Ranking::Weight => {
            return model
                .top_words(k, n)
                .into_iter()
                .map(|(w, x)| (w, x, None))
                .collect()
        }
        Ranking::Relevance(lambda) => lambda,
    };
    let mut scored: Vec<(usize, f32, f64)> = parts(matrix, model, k)
        .into_iter()
        .map(|(w, a, c)| (w, model.word_row(w)[k], relevance(lambda, a, c)))
        .collect();
    scored.sort_by(|a, b| b.2.total_cmp(&a.2).then(a.0.cmp(&b.0)));
    scored.truncate(n);
    scored
        .into_iter()
        .map(|(w, x, r)| (w, x, Some(r as f32)))
        .collect()
}

/// Relevance from its parts: `a` = ln p(w|k), `c` = ln p(w). The HTML report's script computes
/// it in the same order, on the same numbers, and so ranks exactly as this does.
pub(super) fn relevance(lambda: f64, a: f64, c: f64) -> f64 {
    lambda * a + (1.0 - lambda) * (a - c)
}

/// The two parts of a word's relevance to topic `k`, as [`top_words`] computes them:
/// `(ln p(w|k), ln p(w))`, for each word with `p(w|k) > 0`; relevance is then
/// `λ·a + (1 − λ)·(a − c)` for `(a, c)`.
pub(super) fn parts(matrix: &CountMatrix, model: &NmfModel, k: usize) -> Vec<(usize, f64, f64)> {
    let totals = matrix.word_tokens();
    let tokens = matrix.tokens();
    (0..model.n_words())
        .filter_map(|w| {
            let p_wk = model.word_row(w)[k];
            let p_w = totals[w] / tokens;
            (p_wk > 0.0 && p_w > 0.0).then(|| (w, (p_wk as f64).ln(), p_w.ln()))
        })
        .collect()
}

/// A margin far above the rounding of a relevance (|a|, |c| < 100, so under 1e-13), far below
/// any difference that matters.
const SURELY: f64 = 1e-9;

/// Of `parts` (one topic's, from [`parts`]), the words that may rank among the `n` best by
/// relevance for some λ in [0, 1]: all but those that `n` others beat at every λ, in word
/// order. Relevance is linear in λ between a = ln p(w|k) at λ = 1 and the lift b = a − c at
/// λ = 0, so a word beats another at every λ when both its a and its b are higher (by a margin
/// that rounding cannot undo); ranking these candidates gives the same `n` best as ranking
/// every word, whatever λ, so a page can re-rank them live.
pub(super) fn candidates(parts: &[(usize, f64, f64)], n: usize) -> Vec<usize> {
    if n == 0 {
        return Vec::new();
    }
    // By a, highest first; b alongside.
    let mut by_a: Vec<(usize, f64, f64)> = parts.iter().map(|&(w, a, c)| (w, a, a - c)).collect();
    by_a.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
    // The n highest b among the words whose a is surely higher than the current word's.
    let mut best_b: BinaryHeap<Reverse<Ordered>> = BinaryHeap::with_capacity(n + 1);
    let mut taken = 0;
    let mut out = Vec::new();
    for &(w, a, b) in &by_a {
        while taken < by_a.len() && by_a[taken].1 > a + SURELY {
            best_b.push(Reverse(Ordered(by_a[taken].2)));
            if best_b.len() > n {
                best_b.pop();
            }
            taken += 1;
        }
        let beaten = best_b.len() == n && best_b.peek().is_some_and(|r| r.0 .0 > b + SURELY);
        if !beaten {
            out.push(w);
        }
    }
    out.sort_unstable();
    out
}

/// An f64 ordered by `total_cmp`, for the heap.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Ordered(f64);

impl Eq for Ordered {}

impl PartialOrd for Ordered {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Ordered {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}
