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
    let totals = matrix.word_tokens();
    let tokens = matrix.tokens();
    let mut scored: Vec<(usize, f32, f64)> = (0..model.n_words())
        .filter_map(|w| {
            let p_wk = model.word_row(w)[k];
            let p_w = totals[w] / tokens;
            (p_wk > 0.0 && p_w > 0.0).then(|| {
                let ln_p = (p_wk as f64).ln();
                (w, p_wk, lambda * ln_p + (1.0 - lambda) * (ln_p - p_w.ln()))
            })
        })
        .collect();
    scored.sort_by(|a, b| b.2.total_cmp(&a.2).then(a.0.cmp(&b.0)));
    scored.truncate(n);
    scored
        .into_iter()
        .map(|(w, x, r)| (w, x, Some(r as f32)))
        .collect()
}
