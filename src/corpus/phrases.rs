//! Phrases: pairs of words seen together far more often than chance ("command line", "web
//! server"), found in the corpus and then counted as one term, as gensim's `Phrases` does.
//!
//! Detection runs over the corpus's [`Sequences`] (each document's words in order, with the
//! analyzer's boundaries), after all of it is read, since it needs corpus-wide counts. For two
//! words a and b seen next to each other, with c(·) counts over the corpus:
//!
//! ```text
//! default (Mikolov et al. 2013, gensim's "default"):
//!     score = (c(ab) − min_count) · N / (c(a) · c(b))
//!     N = distinct words + distinct pairs of words next to each other (gensim's len(vocab))
//! npmi (Bouma 2009, gensim's "npmi"), when c(ab) ≥ min_count:
//!     score = ln(p(ab) / (p(a) · p(b))) / −ln p(ab),   p(x) = c(x) / T,   T = tokens
//! ```
//!
//! A pair is a phrase when its score is above the threshold. Then each document is read again
//! from left to right: where a word and the next make a phrase, both become one occurrence of
//! the phrase, and the scan goes on after them ("a b c" with both "a b" and "b c" phrases
//! gives "a b" and "c"), exactly as gensim applies its phrases. A word's count is what is left
//! of it outside phrases. The list of phrases is kept ([`PhraseList`]) so that new documents
//! are joined the same way.

use std::fmt;
use std::str::FromStr;

use std::ops::Range;

use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};

use super::sequences::{Sequences, BREAK};
use super::BagOfWords;
use crate::text::{Analyzer, Flag};

/// How a pair of words is scored (see the module doc).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PhraseScoring {
    /// Mikolov et al.'s score, scaled as gensim scales it; gensim's default threshold is 10.
    Default,
    /// Normalised pointwise mutual information, from −1 to 1.
    Npmi,
}

impl FromStr for PhraseScoring {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "default" => Ok(PhraseScoring::Default),
            "npmi" => Ok(PhraseScoring::Npmi),
            _ => Err(format!(
                "unknown phrase scoring '{s}'; choose default or npmi"
            )),
        }
    }
}

impl fmt::Display for PhraseScoring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PhraseScoring::Default => "default",
            PhraseScoring::Npmi => "npmi",
        })
    }
}

/// How phrases are found.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PhraseConfig {
    /// Pairs seen fewer times are never phrases (and the default score discounts this many).
    /// Default: 5, as gensim.
    pub min_count: u64,
    /// A pair is a phrase when its score is above this. Default: 10 (gensim's, for the
    /// default scoring); for NPMI, something between 0 and 1 (0.5, say).
    pub threshold: f64,
    /// The score. Default: [`PhraseScoring::Default`].
    pub scoring: PhraseScoring,
}

impl Default for PhraseConfig {
    fn default() -> Self {
        PhraseConfig {
            min_count: 5,
            threshold: 10.0,
            scoring: PhraseScoring::Default,
        }
    }
}

impl PhraseConfig {
    /// Fails, naming the option, when a setting cannot work.
    pub fn check(&self) -> Result<(), String> {
        if self.min_count == 0 {
            return Err("--phrase-min-count must be at least 1".into());
        }
        if !self.threshold.is_finite() {
            return Err("--phrase-threshold must be a number".into());
        }
        if self.scoring == PhraseScoring::Npmi && !(-1.0..1.0).contains(&self.threshold) {
            return Err(format!(
                "--phrase-threshold {} with NPMI scoring accepts no pair: NPMI is between -1 and 1",
                self.threshold
            ));
        }
        Ok(())
    }

    /// The settings as command-line options, for messages.
    pub fn flags(&self) -> [Flag; 3] {
        [
            Flag::Value("--phrase-min-count", self.min_count.to_string()),
            Flag::Value("--phrase-threshold", self.threshold.to_string()),
            Flag::Value("--phrase-scoring", self.scoring.to_string()),
        ]
    }
}

/// The phrases found in a corpus: pairs of terms (stems when stemming), in byte order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PhraseList {
    pairs: Vec<(String, String)>,
}

impl PhraseList {
    /// A list of the pairs `pairs` (sorted here, repeats dropped).
    pub fn new(mut pairs: Vec<(String, String)>) -> PhraseList {
        pairs.sort();
        pairs.dedup();
        PhraseList { pairs }
    }

    /// The pairs, in byte order.
    pub fn pairs(&self) -> &[(String, String)] {
        &self.pairs
    }

    /// Number of phrases.
    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    /// The list ready to join the words of a text.
    pub fn joiner(&self) -> PhraseJoiner {
        PhraseJoiner {
            pairs: self.pairs.iter().cloned().collect(),
        }
    }
}

/// Joins the phrases of a [`PhraseList`] in one text at a time, as [`Sequences::into_bag`]
/// joins them in a corpus: for snippets and for looking up what a user typed.
#[derive(Debug, Clone, Default)]
pub struct PhraseJoiner {
    pairs: FxHashSet<(String, String)>,
}

impl PhraseJoiner {
    /// Whether `a b` is a phrase (terms).
    pub fn is_phrase(&self, a: &str, b: &str) -> bool {
        // Borrowed lookups of a pair of strings need owned keys; phrases are few and short.
        self.pairs.contains(&(a.to_owned(), b.to_owned()))
    }

    /// Calls `sink(term, word, span)` for every term of `text` as `analyzer` finds them, with
    /// the phrases joined left to right: a phrase's term and word are its two joined by a
    /// space, its span runs from the first word's start to the second's end.
    pub fn for_each_term(
        &self,
        analyzer: &Analyzer,
        text: &str,
        mut sink: impl FnMut(&str, &str, Range<usize>),
    ) {
        let mut pending: Option<(String, String, Range<usize>)> = None;
        analyzer.for_each_word(text, |term, word, span, joined| {
            if let Some((t, w, s)) = pending.take() {
                if joined && self.is_phrase(&t, term) {
                    sink(
                        &format!("{t} {term}"),
                        &format!("{w} {word}"),
                        s.start..span.end,
                    );
                    return;
                }
                sink(&t, &w, s);
            }
            pending = Some((term.to_owned(), word.to_owned(), span));
        });
        if let Some((t, w, s)) = pending {
            sink(&t, &w, s);
        }
    }
}

/// How a corpus is read into a bag when phrases are on.
#[derive(Debug, Clone)]
pub enum Phrasing {
    /// Find the phrases in the corpus, then join them.
    Detect(PhraseConfig),
    /// Join the phrases of a list (a saved model's), for new documents.
    Apply(PhraseList),
}

/// A pair of term ids as one key.
fn key(a: u32, b: u32) -> u64 {
    (a as u64) << 32 | b as u64
}

impl Sequences {
    /// The pairs of terms of the corpus whose score under `config` is above its threshold.
    pub fn detect(&self, config: &PhraseConfig) -> PhraseList {
        let terms = self.terms();
        let mut unigrams = vec![0u64; terms.len()];
        let mut pairs: FxHashMap<u64, u64> = FxHashMap::default();
        let mut tokens = 0u64;
        for d in 0..self.n_documents() {
            let mut previous = BREAK;
            for &w in self.document(d) {
                if w == BREAK {
                    previous = BREAK;
                    continue;
                }
                let t = self.term_of(w);
                unigrams[t as usize] += 1;
                tokens += 1;
                if previous != BREAK {
                    *pairs.entry(key(previous, t)).or_default() += 1;
                }
                previous = t;
            }
        }
        let distinct = unigrams.iter().filter(|&&c| c > 0).count() + pairs.len();
        let (n, total) = (distinct as f64, tokens as f64);
        let min = config.min_count as f64;
        let found = pairs
            .into_iter()
            .filter(|&(pair, count)| {
                let (a, b) = ((pair >> 32) as usize, (pair & 0xffff_ffff) as usize);
                let (ca, cb, cab) = (unigrams[a] as f64, unigrams[b] as f64, count as f64);
                let score = match config.scoring {
                    PhraseScoring::Default => (cab - min) * n / (ca * cb),
                    PhraseScoring::Npmi if cab < min => return false,
                    PhraseScoring::Npmi => {
                        let pab = cab / total;
                        // −ln p(ab) is 0 only when the pair is the whole corpus.
                        let h = -pab.ln();
                        if h <= 0.0 {
                            1.0
                        } else {
                            (pab / (ca / total * (cb / total))).ln() / h
                        }
                    }
                };
                score > config.threshold
            })
            .map(|(pair, _)| {
                let (a, b) = ((pair >> 32) as usize, (pair & 0xffff_ffff) as usize);
                (terms[a].clone(), terms[b].clone())
            })
            .collect();
        PhraseList::new(found)
    }

    /// The bag of words with the phrases of `phrases` joined, left to right: each phrase is one
    /// term, its words joined by a space ("command line"), shown as the pair of words seen most
    /// often for it; a word counts where it occurs outside phrases.
    pub fn into_bag(self, phrases: &PhraseList) -> BagOfWords {
        let index: FxHashMap<&str, u32> = self
            .terms()
            .iter()
            .enumerate()
            .map(|(i, t)| (t.as_str(), i as u32))
            .collect();
        let n_words = self.terms().len() as u32;
        // Each phrase of the list whose two terms the corpus has: its term id, after the words'.
        let mut phrase_of: FxHashMap<u64, u32> = FxHashMap::default();
        let mut phrase_terms: Vec<(u32, u32)> = Vec::new();
        for (a, b) in phrases.pairs() {
            if let (Some(&a), Some(&b)) = (index.get(a.as_str()), index.get(b.as_str())) {
                phrase_of.insert(key(a, b), n_words + phrase_terms.len() as u32);
                phrase_terms.push((a, b));
            }
        }
        drop(index);
        let n_terms = n_words as usize + phrase_terms.len();

        let mut counts = vec![0u32; n_terms];
        let mut touched: Vec<u32> = Vec::new();
        let mut doc_start = Vec::with_capacity(self.n_documents() + 1);
        doc_start.push(0);
        let mut entries: Vec<(u32, u32)> = Vec::new();
        // How often each surface word, and each surface pair of a phrase, was seen.
        let mut word_seen = vec![0u64; self.words().len()];
        let mut pair_seen: FxHashMap<u64, u64> = FxHashMap::default();
        let count = |t: u32, counts: &mut Vec<u32>, touched: &mut Vec<u32>| {
            if counts[t as usize] == 0 {
                touched.push(t);
            }
            counts[t as usize] += 1;
        };
        for d in 0..self.n_documents() {
            let mut pending: Option<u32> = None;
            for &w in self.document(d) {
                if w == BREAK {
                    if let Some(p) = pending.take() {
                        count(self.term_of(p), &mut counts, &mut touched);
                    }
                    continue;
                }
                word_seen[w as usize] += 1;
                match pending {
                    Some(p) => match phrase_of.get(&key(self.term_of(p), self.term_of(w))) {
                        Some(&phrase) => {
                            count(phrase, &mut counts, &mut touched);
                            *pair_seen.entry(key(p, w)).or_default() += 1;
                            pending = None;
                        }
                        None => {
                            count(self.term_of(p), &mut counts, &mut touched);
                            pending = Some(w);
                        }
                    },
                    None => pending = Some(w),
                }
            }
            if let Some(p) = pending {
                count(self.term_of(p), &mut counts, &mut touched);
            }
            for t in touched.drain(..) {
                entries.push((t, counts[t as usize]));
                counts[t as usize] = 0;
            }
            doc_start.push(entries.len());
        }

        // Shown: the surface seen most often, ties to the first in byte order.
        let mut best: Vec<Option<(String, u64)>> = vec![None; n_terms];
        let mut offer = |t: usize, shown: String, n: u64| {
            let better = match &best[t] {
                None => true,
                Some((s, m)) => n > *m || (n == *m && shown < *s),
            };
            if better {
                best[t] = Some((shown, n));
            }
        };
        for (w, &n) in word_seen.iter().enumerate() {
            if n > 0 {
                offer(self.term_of(w as u32) as usize, self.words()[w].clone(), n);
            }
        }
        for (&pair, &n) in &pair_seen {
            let (a, b) = ((pair >> 32) as u32, (pair & 0xffff_ffff) as u32);
            let t = phrase_of[&key(self.term_of(a), self.term_of(b))];
            let shown = format!("{} {}", self.words()[a as usize], self.words()[b as usize]);
            offer(t as usize, shown, n);
        }

        // Only the terms counted somewhere, in their order.
        let mut used = vec![false; n_terms];
        for &(t, _) in &entries {
            used[t as usize] = true;
        }
        let mut new_id = vec![u32::MAX; n_terms];
        let mut terms = Vec::new();
        let mut display = Vec::new();
        for (t, shown) in best.into_iter().enumerate() {
            let (true, Some((shown, _))) = (used[t], shown) else {
                continue;
            };
            new_id[t] = terms.len() as u32;
            terms.push(if t < n_words as usize {
                self.terms()[t].clone()
            } else {
                let (a, b) = phrase_terms[t - n_words as usize];
                format!("{} {}", self.terms()[a as usize], self.terms()[b as usize])
            });
            display.push(shown);
        }
        let entries = entries
            .into_iter()
            .map(|(t, c)| (new_id[t as usize], c as f32))
            .collect();
        let documents = self.into_documents();
        let mut bag = BagOfWords::from_parts(documents, terms, display, doc_start, entries);
        bag.set_phrases(phrases.clone());
        bag
    }
}
