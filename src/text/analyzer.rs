//! The analyzer: word boundaries, lower-casing, length and stopword filters, stemming.

use std::ops::Range;
use std::sync::Arc;

use rust_stemmers::Stemmer;
use rustc_hash::FxHashSet;
use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;
use unicode_segmentation::UnicodeSegmentation;

use super::language::Clitics;
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
    /// Cut the language's apostrophe clitics off words: the English possessive ("KDE's" is
    /// "kde"), French and Italian elisions ("l'homme" is "homme"). Default: true; false when
    /// read from a model or store saved before it existed, so that they keep their terms.
    #[serde(default)]
    pub cut_clitics: bool,
    /// Split the words that Unicode word boundaries join at a full stop or a colon ("node.js"
    /// is "node" and "js", "e.g." nothing). Default: true; false when read from a model or store
    /// saved before it existed.
    #[serde(default)]
    pub split_dotted: bool,
    /// Shortest word kept, in characters. Default: 2.
    pub min_chars: usize,
    /// Longest word kept, in characters. Default: 40.
    pub max_chars: usize,
    /// The lengths of the terms counted, in words: 1..1 counts words; 1..2 words and the pairs
    /// of words next to each other (bigrams), as scikit-learn's `ngram_range`. An n-gram never
    /// spans a boundary (see [`Analyzer::for_each_word`]). Default: 1..1, which is also what a
    /// model or store saved before it existed reads as.
    #[serde(default)]
    pub ngrams: Ngrams,
}

/// The n-gram lengths counted, both ends included (see [`AnalyzerConfig::ngrams`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ngrams {
    /// The shortest, at least 1.
    pub min: usize,
    /// The longest, at most [`Ngrams::LONGEST`].
    pub max: usize,
}

impl Ngrams {
    /// The longest n-gram that can be asked for.
    pub const LONGEST: usize = 6;

    /// Whether terms of more than one word are counted.
    pub fn joins(&self) -> bool {
        self.max > 1
    }
}

impl Default for Ngrams {
    fn default() -> Self {
        Ngrams { min: 1, max: 1 }
    }
}

impl std::str::FromStr for Ngrams {
    type Err = String;

    /// `A..B` (both included; `A..=B` too) or `N` alone.
    fn from_str(s: &str) -> Result<Ngrams, String> {
        let number = |x: &str| {
            x.trim()
                .parse::<usize>()
                .map_err(|_| format!("'{}' is not a whole number of words", x.trim()))
        };
        let (min, max) = match s.split_once("..") {
            Some((a, b)) => (number(a)?, number(b.strip_prefix('=').unwrap_or(b))?),
            None => (number(s)?, number(s)?),
        };
        if min == 0 || min > max || max > Ngrams::LONGEST {
            return Err(format!(
                "'{s}': give n-gram lengths A..B with 1 <= A <= B <= {}",
                Ngrams::LONGEST
            ));
        }
        Ok(Ngrams { min, max })
    }
}

impl std::fmt::Display for Ngrams {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}..{}", self.min, self.max)
    }
}

impl Default for AnalyzerConfig {
    fn default() -> Self {
        AnalyzerConfig {
            language: Language::English,
            stopwords: true,
            extra_stopwords: Vec::new(),
            stem: false,
            cut_clitics: true,
            split_dotted: true,
            min_chars: 2,
            max_chars: 40,
            ngrams: Ngrams::default(),
        }
    }
}

/// One analyzer setting named as `fit` and `index` take it, for messages that say which option
/// gives a setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Flag {
    /// A switch (`--stem`): given or not.
    Switch(&'static str, bool),
    /// An option with a value (`--lang english`).
    Value(&'static str, String),
}

impl Flag {
    /// The option's name, with its dashes.
    pub fn name(&self) -> &'static str {
        match self {
            Flag::Switch(name, _) | Flag::Value(name, _) => name,
        }
    }

    /// The value: `true` or `false` for a switch.
    pub fn value(&self) -> String {
        match self {
            Flag::Switch(_, on) => on.to_string(),
            Flag::Value(_, value) => value.clone(),
        }
    }
}

impl std::fmt::Display for Flag {
    /// As given on the command line; nothing for a switch that is off.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Flag::Switch(name, true) => f.write_str(name),
            Flag::Switch(_, false) => Ok(()),
            Flag::Value(name, value) => write!(f, "{name} {value}"),
        }
    }
}

impl AnalyzerConfig {
    /// Every setting but the extra stopwords (a list, not an option value), as command-line
    /// options, in the order `fit --help` lists them.
    pub fn flags(&self) -> [Flag; 8] {
        [
            Flag::Value("--lang", self.language.to_string()),
            Flag::Switch("--no-stopwords", !self.stopwords),
            Flag::Switch("--stem", self.stem),
            Flag::Switch("--keep-clitics", !self.cut_clitics),
            Flag::Switch("--keep-dotted", !self.split_dotted),
            Flag::Value("--min-chars", self.min_chars.to_string()),
            Flag::Value("--max-chars", self.max_chars.to_string()),
            Flag::Value("--ngrams", self.ngrams.to_string()),
        ]
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
    /// N-gram lengths out of order or out of range.
    #[error("n-gram lengths {0}: give 1 <= A <= B <= {max}", max = Ngrams::LONGEST)]
    Ngrams(Ngrams),
}

/// Where [`AnalyzerConfig::split_dotted`] splits a word: full stops and colons, in their ASCII,
/// one-dot-leader, small and fullwidth forms. Not the middle dot, which is inside Catalan words.
const JOINERS: [char; 8] = [
    '.', ':', '\u{2024}', '\u{FE52}', '\u{FF0E}', '\u{FE13}', '\u{FE55}', '\u{FF1A}',
];

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
        let n = config.ngrams;
        if n.min == 0 || n.min > n.max || n.max > Ngrams::LONGEST {
            return Err(AnalyzerError::Ngrams(n));
        }
        let mut stopwords = FxHashSet::default();
        if config.stopwords {
            if let Some(list) = config.language.stopword_list() {
                // An entry the tokeniser cuts in pieces ("s-ar", "ill.") stands for its pieces,
                // which are all it can ever match.
                stopwords.extend(
                    list.lines()
                        .flat_map(|entry| pieces(entry, config.split_dotted))
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
    /// counted (the stem when stemming, else the word), `word` the lower-cased surface word
    /// (without a clitic cut off it) and `span` its byte range in `text` (the same part). With
    /// [`AnalyzerConfig::ngrams`] longer than 1, each word is followed by the n-grams that end
    /// with it, their terms and words joined by one space, their span from the first word's
    /// start to the last word's end.
    pub fn for_each_term(&self, text: &str, mut sink: impl FnMut(&str, &str, Range<usize>)) {
        let ngrams = self.config.ngrams;
        if !ngrams.joins() {
            return self.for_each_word(text, |term, word, span, _| sink(term, word, span));
        }
        let mut window = Window::new(ngrams);
        self.for_each_word(text, |term, word, span, joined| {
            window.push(term, word, span, joined, &mut sink)
        });
    }

    /// Calls `sink(term, word, span, joined)` for every word of `text`, in order, as
    /// [`Analyzer::for_each_term`] without n-grams; `joined` tells whether the word follows the
    /// previous one with no boundary between them. A boundary is a word the analyzer drops (a
    /// stopword, a number, a word too short or too long), anything but white space and
    /// apostrophes between two words (punctuation, a symbol, a spaced dash), or a blank line; a
    /// single line break is not one, since text is wrapped mid-sentence, and neither is a
    /// hyphen or a full stop that joins two words ("well-known", "node.js").
    pub fn for_each_word(&self, text: &str, mut sink: impl FnMut(&str, &str, Range<usize>, bool)) {
        let mut word = String::new();
        // Where the previous word of the text ended, and whether a boundary came since.
        let mut end = 0;
        let mut broken = true;
        for (start, joined) in text.unicode_word_indices() {
            broken |= is_boundary(&text[end..start]);
            end = start + joined.len();
            if self.config.split_dotted && joined.contains(JOINERS) {
                for piece in joined.split(JOINERS).filter(|p| !p.is_empty()) {
                    // A piece of `joined` is a slice of it: its offset is the pointers' distance.
                    let at = piece.as_ptr() as usize - joined.as_ptr() as usize;
                    broken = !self.term(start + at, piece, &mut word, broken, &mut sink);
                }
            } else {
                broken = !self.term(start, joined, &mut word, broken, &mut sink);
            }
        }
    }

    /// Passes `raw`, a word of the text at byte `start`, to `sink` if it is counted, joined to
    /// the previous word unless `broken`; returns whether it was. `word` is scratch space.
    fn term(
        &self,
        start: usize,
        raw: &str,
        word: &mut String,
        broken: bool,
        sink: &mut impl FnMut(&str, &str, Range<usize>, bool),
    ) -> bool {
        let ascii = raw.is_ascii();
        let has_letter = if ascii {
            raw.bytes().any(|b| b.is_ascii_alphabetic())
        } else {
            raw.chars().any(char::is_alphabetic)
        };
        if !has_letter {
            return false;
        }
        normalise_into(raw, word);
        let mut kept = 0..raw.len();
        if self.config.cut_clitics && word.contains('\'') && !self.stopwords.contains(word.as_str())
        {
            kept = cut_clitic(self.config.language.clitics(), raw, word);
            if kept.len() < raw.len() && !word.chars().any(char::is_alphabetic) {
                return false;
            }
        }
        let chars = if ascii {
            word.len()
        } else {
            word.chars().count()
        };
        if chars < self.config.min_chars
            || chars > self.config.max_chars
            || self.stopwords.contains(word.as_str())
        {
            return false;
        }
        let span = start + kept.start..start + kept.end;
        match &self.stemmer {
            Some(stemmer) => sink(&stemmer.stem(word), word, span, !broken),
            None => sink(word, word, span, !broken),
        }
        true
    }

    /// The term counted for `word`, a word as [`Analyzer::for_each_term`] reports it: its stem
    /// when stemming, else the word itself. The words of an n-gram are stemmed one by one.
    pub fn term_of<'a>(&self, word: &'a str) -> std::borrow::Cow<'a, str> {
        match &self.stemmer {
            Some(stemmer) if word.contains(' ') => word
                .split(' ')
                .map(|w| stemmer.stem(w))
                .collect::<Vec<_>>()
                .join(" ")
                .into(),
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

/// Whether the text between two words keeps them apart: anything but white space and
/// apostrophes ("companies' reports"), or a blank line. A lone hyphen joins ("well-known").
fn is_boundary(gap: &str) -> bool {
    if matches!(gap, "-" | "\u{2010}" | "\u{2011}") {
        return false;
    }
    gap.chars()
        .any(|c| !c.is_whitespace() && c != '\'' && c != '\u{2019}')
        || gap.matches('\n').count() > 1
}

/// The last words seen, to make the n-grams that end with each new one.
struct Window {
    ngrams: Ngrams,
    /// The previous `ngrams.max - 1` words, as a ring: term, word, start.
    slots: Vec<(String, String, usize)>,
    next: usize,
    /// How many of them run up to the new word without a boundary.
    run: usize,
    term: String,
    word: String,
}

impl Window {
    fn new(ngrams: Ngrams) -> Window {
        Window {
            ngrams,
            slots: vec![Default::default(); ngrams.max - 1],
            next: 0,
            run: 0,
            term: String::new(),
            word: String::new(),
        }
    }

    /// Passes `term` (when single words are counted) and the n-grams ending with it to `sink`.
    fn push(
        &mut self,
        term: &str,
        word: &str,
        span: Range<usize>,
        joined: bool,
        sink: &mut impl FnMut(&str, &str, Range<usize>),
    ) {
        if !joined {
            self.run = 0;
        }
        if self.ngrams.min == 1 {
            sink(term, word, span.clone());
        }
        let cap = self.slots.len();
        for n in 2.max(self.ngrams.min)..=self.ngrams.max.min(self.run + 1) {
            self.term.clear();
            self.word.clear();
            let first = (self.next + cap - (n - 1)) % cap;
            for k in 0..n - 1 {
                let (t, w, _) = &self.slots[(first + k) % cap];
                self.term.push_str(t);
                self.term.push(' ');
                self.word.push_str(w);
                self.word.push(' ');
            }
            self.term.push_str(term);
            self.word.push_str(word);
            sink(&self.term, &self.word, self.slots[first].2..span.end);
        }
        let slot = &mut self.slots[self.next];
        slot.0.clear();
        slot.0.push_str(term);
        slot.1.clear();
        slot.1.push_str(word);
        slot.2 = span.start;
        self.next = (self.next + 1) % cap;
        self.run = (self.run + 1).min(cap);
    }
}

/// Cuts `clitics` off `word`, the normalised form of `raw`, and returns the bytes of `raw` that
/// are kept. Apostrophes are in the same order in both, since only `’` becomes one.
fn cut_clitic(clitics: Clitics, raw: &str, word: &mut String) -> Range<usize> {
    let apostrophes = ['\'', '\u{2019}'];
    match clitics {
        Clitics::Possessive if word.ends_with("'s") => {
            word.truncate(word.len() - 2);
            0..raw.rfind(apostrophes).unwrap_or(raw.len())
        }
        Clitics::Elided(prefixes) => match word.find('\'') {
            Some(at) if prefixes.contains(&&word[..at]) => {
                word.drain(..=at);
                let raw_at = raw.find(apostrophes).unwrap_or(0);
                let width = raw[raw_at..].chars().next().map_or(0, char::len_utf8);
                raw_at + width..raw.len()
            }
            _ => 0..raw.len(),
        },
        _ => 0..raw.len(),
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

/// The words of a stopword entry, cut as text is.
fn pieces(entry: &str, split_dotted: bool) -> impl Iterator<Item = &str> {
    entry.unicode_words().flat_map(move |word| {
        let joiners: &[char] = if split_dotted { &JOINERS } else { &[] };
        word.split(joiners)
    })
}

fn normalise_word(word: &str) -> String {
    let mut out = String::new();
    normalise_into(word.trim(), &mut out);
    out
}
