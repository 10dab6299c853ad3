//! How good are the topics? Scores computed on the fitted corpus itself.
//!
//! - **NPMI** (normalised pointwise mutual information) of a topic's top words, from document
//!   co-occurrence: for words i and j in `D_i`, `D_j` and `D_ij` of the D documents,
//!   `ln(D·D_ij / (D_i·D_j)) / −ln(D_ij / D)`, −1 for a pair that never co-occurs and 1 for a
//!   pair in every document; a topic's score is the mean over its pairs. From −1 to 1; higher
//!   means its words are used together (Bouma 2009; Lau, Newman & Baldwin 2014).
//! - **UMass** coherence (Mimno, Wallach, Talley, Leenders & McCallum, "Optimizing semantic
//!   coherence in topic models", EMNLP 2011): for the top words v_1 … v_M, best first,
//!   `ln((D(v_m, v_l) + 1) / D(v_l))` for each pair l < m, where `D(v_l)` counts the documents
//!   holding the higher-ranked word and `D(v_m, v_l)` those holding both; the topic's score is
//!   the mean over the M(M − 1)/2 pairs, which is Mimno et al.'s sum divided by the number of
//!   pairs. The +1 is Mimno's smoothing. gensim's `u_mass` computes
//!   `ln((D(v_m, v_l)/D + 10⁻¹²) / (D(v_l)/D))` instead: lower for every pair, and far lower
//!   for a pair that never co-occurs (`ln(10⁻¹²·D/D(v_l))` there, `−ln D(v_l)` here), so the
//!   two tools' figures do not compare. Higher is better; a pair scores above 0 only when
//!   the two words nearly always occur together (`ln((D + 1)/D)` when both are in the same D
//!   documents), so the score is at most ln 2 and usually negative.
//! - **Diversity**: distinct words among all topics' top 25, divided by 25·K. 1 means no topic
//!   repeats another's words.
//! - **NMI** between each document's largest topic and its label, when documents carry one:
//!   mutual information over the arithmetic mean of the two entropies (scikit-learn's default).

use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::matrix::Sparse;
use crate::nmf::NmfModel;

/// Top words per topic scored by NPMI and UMass.
pub const COHERENCE_WORDS: usize = 10;
/// Top words per topic compared by diversity.
pub const DIVERSITY_WORDS: usize = 25;

/// The quality scores of a fitted model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Quality {
    /// Words per topic scored by NPMI and UMass.
    pub coherence_words: usize,
    /// Mean NPMI over the topics that have at least two words.
    pub mean_npmi: f64,
    /// Mean over the same topics of their UMass coherence (Mimno et al. 2011, as a mean over
    /// pairs: see the module documentation).
    pub mean_umass: f64,
    /// Distinct words among all topics' top 25 over 25·K.
    pub diversity: f64,
    /// NMI between each document's largest topic and its label; `null` when no document has
    /// a label.
    pub label_nmi: Option<f64>,
    /// Documents scored by `label_nmi`: those with a label and at least one word.
    pub labelled_documents: usize,
}

/// A topic's coherence; `None` for a topic with fewer than two words of positive weight.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Coherence {
    /// Mean NPMI of its top words' pairs.
    pub npmi: Option<f64>,
    /// Mean over its top words' pairs (v_l ranked above v_m) of
    /// `ln((D(v_m, v_l) + 1) / D(v_l))`: Mimno et al.'s UMass coherence over the pairs.
    pub umass: Option<f64>,
}

impl Quality {
    /// Scores `model`, fitted to `by_doc` (V by column), with each document's label when known.
    /// Also returns each topic's coherence.
    pub fn of(
        model: &NmfModel,
        by_doc: &Sparse,
        labels: &[Option<&str>],
    ) -> (Quality, Vec<Coherence>) {
        let tops: Vec<Vec<usize>> = (0..model.topics())
            .map(|k| {
                model
                    .top_words(k, COHERENCE_WORDS)
                    .into_iter()
                    .map(|(w, _)| w)
                    .collect()
            })
            .collect();
        let coherence = coherence(by_doc, &tops);
        let scored: Vec<&Coherence> = coherence.iter().filter(|c| c.npmi.is_some()).collect();
        let mean = |f: fn(&Coherence) -> Option<f64>| {
            if scored.is_empty() {
                0.0
            } else {
                scored.iter().filter_map(|c| f(c)).sum::<f64>() / scored.len() as f64
            }
        };
        let (label_nmi, labelled_documents) = label_agreement(model, labels);
        let quality = Quality {
            coherence_words: COHERENCE_WORDS,
            mean_npmi: mean(|c| c.npmi),
            mean_umass: mean(|c| c.umass),
            diversity: diversity(model, DIVERSITY_WORDS),
            label_nmi,
            labelled_documents,
        };
        (quality, coherence)
    }
}

/// NPMI and UMass of each list of words (ranked, best first), from their document frequencies
/// and co-occurrences in `by_doc`.
pub fn coherence(by_doc: &Sparse, tops: &[Vec<usize>]) -> Vec<Coherence> {
    // Only the words of some list are counted: a slot each, and a dense table of pairs.
    let (n_words, n_docs) = by_doc.shape();
    let mut slot = vec![u32::MAX; n_words];
    let mut words = 0;
    for &w in tops.iter().flatten() {
        if slot[w] == u32::MAX {
            slot[w] = words;
            words += 1;
        }
    }
    let s = words as usize;
    let mut pairs = vec![0u32; s * s];
    let mut present = Vec::new();
    for d in 0..n_docs {
        present.clear();
        if let Some(column) = by_doc.outer_view(d) {
            present.extend(
                column
                    .indices()
                    .iter()
                    .map(|&w| slot[w as usize])
                    .filter(|&i| i != u32::MAX),
            );
        }
        for (n, &i) in present.iter().enumerate() {
            let row = &mut pairs[i as usize * s..][..s];
            for &j in &present[n..] {
                row[j as usize] += 1;
            }
        }
    }
    let together = |a: usize, b: usize| -> f64 {
        let (i, j) = (slot[a] as usize, slot[b] as usize);
        // Each pair was counted once, in the order the words appear in the column.
        let n = if i == j {
            pairs[i * s + i]
        } else {
            pairs[i * s + j] + pairs[j * s + i]
        };
        n as f64
    };
    let d = n_docs as f64;
    tops.iter()
        .map(|top| {
            if top.len() < 2 {
                return Coherence {
                    npmi: None,
                    umass: None,
                };
            }
            let (mut npmi, mut umass, mut n) = (0.0, 0.0, 0.0);
            for (m, &later) in top.iter().enumerate().skip(1) {
                for &earlier in &top[..m] {
                    let (di, dj, dij) = (
                        together(earlier, earlier),
                        together(later, later),
                        together(earlier, later),
                    );
                    npmi += if dij == 0.0 {
                        -1.0
                    } else if dij >= d {
                        1.0
                    } else {
                        (d * dij / (di * dj)).ln() / -(dij / d).ln()
                    };
                    umass += ((dij + 1.0) / di.max(1.0)).ln();
                    n += 1.0;
                }
            }
            Coherence {
                npmi: Some(npmi / n),
                umass: Some(umass / n),
            }
        })
        .collect()
}

/// Distinct words among all topics' top `n`, over `n`·K.
pub fn diversity(model: &NmfModel, n: usize) -> f64 {
    let mut seen = vec![false; model.n_words()];
    let mut distinct = 0usize;
    for k in 0..model.topics() {
        for (w, _) in model.top_words(k, n) {
            if !seen[w] {
                seen[w] = true;
                distinct += 1;
            }
        }
    }
    distinct as f64 / (n * model.topics()) as f64
}

/// NMI between each labelled document's largest topic and its label, and how many documents
/// it scored (those with a label and some word).
fn label_agreement(model: &NmfModel, labels: &[Option<&str>]) -> (Option<f64>, usize) {
    let mut label_ids: FxHashMap<&str, usize> = FxHashMap::default();
    let mut topics = Vec::new();
    let mut classes = Vec::new();
    for (d, label) in labels.iter().enumerate().take(model.n_documents()) {
        let (Some(label), Some(topic)) = (label, model.main_topic(d)) else {
            continue;
        };
        let next = label_ids.len();
        classes.push(*label_ids.entry(label).or_insert(next));
        topics.push(topic);
    }
    if topics.is_empty() {
        return (None, 0);
    }
    (Some(nmi(&topics, &classes)), topics.len())
}

/// Normalised mutual information of two labellings of the same items, by the arithmetic mean
/// of their entropies: 1 when they agree up to renaming (two single-class labellings included),
/// 0 when independent.
pub fn nmi(a: &[usize], b: &[usize]) -> f64 {
    assert_eq!(a.len(), b.len(), "two labellings of the same items");
    let n = a.len() as f64;
    if a.is_empty() {
        return 0.0;
    }
    let mut joint: FxHashMap<(usize, usize), f64> = FxHashMap::default();
    let mut ca: FxHashMap<usize, f64> = FxHashMap::default();
    let mut cb: FxHashMap<usize, f64> = FxHashMap::default();
    for (&x, &y) in a.iter().zip(b) {
        *joint.entry((x, y)).or_default() += 1.0;
        *ca.entry(x).or_default() += 1.0;
        *cb.entry(y).or_default() += 1.0;
    }
    let entropy = |counts: &FxHashMap<usize, f64>| -> f64 {
        counts.values().map(|&c| -(c / n) * (c / n).ln()).sum()
    };
    let (ha, hb) = (entropy(&ca), entropy(&cb));
    if ha == 0.0 && hb == 0.0 {
        return 1.0;
    }
    let mi: f64 = joint
        .iter()
        .map(|(&(x, y), &c)| (c / n) * (n * c / (ca[&x] * cb[&y])).ln())
        .sum();
    (mi / ((ha + hb) / 2.0)).clamp(0.0, 1.0)
}
