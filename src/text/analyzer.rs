//! The analyzer: word boundaries, lower-casing, length and stopword filters, stemming.

use std::ops::Range;
use std::sync::Arc;

use rust_stemmers::Stemmer;
use rustc_hash::FxHashSet;
use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;
use unicode_segmentation::UnicodeSegmentation;

use super::Language;

/// The analyzer's settings. They decide which terms a corpus has, so they are saved with a
/// model or a corpus store and compared when one is reused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnalyzerConfig {
    /// Stopword list and stemmer language. Default: English.
    pub language: Language,
    /// Drop the language's Snowball stopwords. Default: true.
    pub stopwords: bool,
    /// The user's own stopwords, added to (or, with `stopwords: false`, used instead of) the
    /// language's list. Compared after lower-casing. Default: none.
    pub extra_stopwords: Vec<String>,
    /// Count Snowball stems instead of words. Default: false.
    pub stem: bool,
    /// Shortest word kept, in characters. Default: 2.
    pub min_chars: usize,
    /// Longest word kept, in characters. Default: 40.
    pub max_chars: usize,
}

impl Default for AnalyzerConfig {
    fn default() -> Self {
        AnalyzerConfig {
            language: Language::English,
            stopwords: true,
            extra_stopwords: Vec::new(),
            stem: false,
            min_chars: 2,
            max_chars: 40,
        }
    }
}

/// Settings that cannot work together.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AnalyzerError {
    /// `min_chars` must be at least 1 and at most `max_chars`.
    #[error(
        "word lengths: the shortest ({min}) must be at least 1 and at most the longest ({max})"
    )]
    Lengths {
        /// The shortest word length asked for.
        min: usize,
        /// The longest word length asked for.
        max: usize,
    },
}

/// Turns text into terms. Cheap to clone (the stopword set is shared) and safe to use from many
/// threads at once.
#[derive(Clone)]
pub struct Analyzer {
    config: AnalyzerConfig,
    stopwords: Arc<FxHashSet<String>>,
    stemmer: Option<Arc<Stemmer>>,
}

impl std::fmt::Debug for Analyzer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Analyzer")
            .field("config", &self.config)
            .field("stopwords", &self.stopwords.len())
            .finish()
    }
}

impl Analyzer {
    /// An analyzer for `config`, after checking it.
    pub fn new(config: AnalyzerConfig) -> Result<Analyzer, AnalyzerError> {
        if config.min_chars == 0 || config.min_chars > config.max_chars {
            return Err(AnalyzerError::Lengths {
                min: config.min_chars,
                max: config.max_chars,
            });
        }
        let mut stopwords = FxHashSet::default();
        if config.stopwords {
            if let Some(list) = config.language.stopword_list() {
                // An entry the tokeniser cuts in pieces ("s-ar", "ill.") stands for its pieces,
                // which are all it can ever match.
                stopwords.extend(
                    list.lines()
                        .flat_map(|entry| entry.unicode_words())
                        .map(normalise_word)
                        .filter(|w| !w.is_empty())
                        .flat_map(both_romanian_forms),
                );
            }
        }
        stopwords.extend(
            config
                .extra_stopwords
                .iter()
                .map(|w| normalise_word(w))
                .filter(|w| !w.is_empty())
                .flat_map(both_romanian_forms),
        );
        let stemmer = config
            .stem
            .then(|| Arc::new(Stemmer::create(config.language.algorithm())));
        Ok(Analyzer {
            config,
            stopwords: Arc::new(stopwords),
            stemmer,
        })
    }

    /// The settings this analyzer was made from.
    pub fn config(&self) -> &AnalyzerConfig {
        &self.config
    }

    /// Whether `word` (already lower-cased) is a stopword.
    pub fn is_stopword(&self, word: &str) -> bool {
        self.stopwords.contains(word)
    }

    /// Calls `sink(term, word, span)` for every term of `text`, in order: `term` is what is
    /// counted (the stem when stemming, else the word), `word` the lower-cased surface word and
    /// `span` its byte range in `text`.
    pub fn for_each_term(&self, text: &str, mut sink: impl FnMut(&str, &str, Range<usize>)) {
        let mut word = String::new();
        for (start, raw) in text.unicode_word_indices() {
            let ascii = raw.is_ascii();
            let has_letter = if ascii {
                raw.bytes().any(|b| b.is_ascii_alphabetic())
            } else {
                raw.chars().any(char::is_alphabetic)
            };
            if !has_letter {
                continue;
            }
            normalise_into(raw, &mut word);
            let chars = if ascii {
                word.len()
            } else {
                word.chars().count()
            };
            if chars < self.config.min_chars
                || chars > self.config.max_chars
                || self.stopwords.contains(word.as_str())
            {
                continue;
            }
            let span = start..start + raw.len();
            match &self.stemmer {
                Some(stemmer) => sink(&stemmer.stem(&word), &word, span),
                None => sink(&word, &word, span),
            }
        }
    }

    /// The term counted for `word`, a word as [`Analyzer::for_each_term`] reports it: its stem
    /// when stemming, else the word itself.
    pub fn term_of<'a>(&self, word: &'a str) -> std::borrow::Cow<'a, str> {
        match &self.stemmer {
            Some(stemmer) => stemmer.stem(word),
            None => std::borrow::Cow::Borrowed(word),
        }
    }

    /// The terms of `text`, in order. Convenient for tests and small inputs; counting uses
    /// [`Analyzer::for_each_term`], which does not allocate a string per token.
    pub fn terms(&self, text: &str) -> Vec<String> {
        let mut out = Vec::new();
        self.for_each_term(text, |term, _, _| out.push(term.to_owned()));
        out
    }
}

/// Lower-case, NFC, and one apostrophe: the form in which words are compared and counted.
fn normalise_into(raw: &str, out: &mut String) {
    out.clear();
    if raw.is_ascii() {
        out.push_str(raw);
        out.make_ascii_lowercase();
    } else {
        // Whole-string lower-casing: Greek final sigma depends on the position in the word.
        out.extend(raw.to_lowercase().chars().nfc().map(
            |c| {
                if c == '\u{2019}' {
                    '\''
                } else {
                    c
                }
            },
        ));
    }
}

/// `word`, and the same word with ş ţ and ș ț swapped when it has them. Romanian writes ș and
/// ț with a comma below; older text, and the Snowball list, with a cedilla (ş ţ): a stopword
/// in either form stands for both, so that "și" is dropped as "şi" is. Counted words keep the
/// form they were written in.
fn both_romanian_forms(word: String) -> impl Iterator<Item = String> {
    let swapped: Option<String> = word.contains(['ş', 'ţ', 'ș', 'ț']).then(|| {
        word.chars()
            .map(|c| match c {
                'ş' => 'ș',
                'ţ' => 'ț',
                'ș' => 'ş',
                'ț' => 'ţ',
                c => c,
            })
            .collect()
    });
    std::iter::once(word).chain(swapped)
}

fn normalise_word(word: &str) -> String {
    let mut out = String::new();
    normalise_into(word.trim(), &mut out);
    out
}
