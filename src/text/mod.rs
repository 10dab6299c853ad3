//! Stage 1: text → terms.
//!
//! The [`Analyzer`] turns a document's text into the terms that are counted:
//!
//! 1. Unicode word boundaries (UAX #29, `unicode-segmentation`);
//! 2. a word that UAX #29 joins at a full stop or a colon is split there ("node.js" is "node"
//!    and "js"; "e.g." leaves two letters, which step 6 drops);
//! 3. keep a word only if it contains at least one letter (numbers, emoji and punctuation go);
//! 4. Unicode lower-casing and NFC normalisation; the typographic apostrophe `’` becomes `'`,
//!    so "don’t" and "don't" are one word;
//! 5. the language's apostrophe clitics are cut off a word that is not a stopword whole: the
//!    English possessive ("KDE's" is "kde"), French and Italian elisions ("l'homme" is "homme");
//! 6. drop words shorter than `min_chars` (default 2) or longer than `max_chars` (default 40),
//!    counted in characters;
//! 7. drop stopwords: the Snowball list of the chosen [`Language`] (compiled in from
//!    `stopwords/`), plus any words of the user's;
//! 8. optionally, Snowball stemming (`rust-stemmers`). The analyzer then reports both the stem
//!    (the term that is counted) and the surface word, so that reports can show each stem as the
//!    word seen most often in the corpus.
//!
//! 9. optionally, n-grams ([`AnalyzerConfig::ngrams`], scikit-learn's `ngram_range`): after
//!    each word, the runs of 2 to N kept words that end with it, as one term ("command line"),
//!    their words joined by a space. Unlike scikit-learn's, an n-gram never spans a word the
//!    analyzer dropped (a stopword, a number), punctuation, or a blank line, so "kernel of
//!    linux" and "drivers, tools" give no bigram ([`Analyzer::for_each_word`] tells where these
//!    boundaries are).
//!
//! Steps 2 and 5 can be turned off ([`AnalyzerConfig::split_dotted`],
//! [`AnalyzerConfig::cut_clitics`]).
//!
//! Ideographic scripts (Chinese, Japanese kanji) are segmented one character per word by UAX #29;
//! set `min_chars` to 1 to keep them.
//!
//! [`AnalyzerTokenizer`] wraps the analyzer in tantivy's `Tokenizer` trait so that a tantivy index
//! and `fit` see exactly the same terms.

mod analyzer;
mod language;
mod tantivy_tokenizer;

pub use analyzer::{Analyzer, AnalyzerConfig, AnalyzerError, Flag, Ngrams};
pub use language::Language;
pub use tantivy_tokenizer::AnalyzerTokenizer;
