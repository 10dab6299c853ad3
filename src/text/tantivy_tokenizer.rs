//! The analyzer as a tantivy tokenizer, so that an index sees the same terms as `fit`.

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

use super::Analyzer;

/// [`Analyzer`] behind tantivy's `Tokenizer` trait. Each token's text is the term (the stem when
/// stemming), or with [`AnalyzerTokenizer::words`] the lower-cased word it came from; offsets
/// point at the word in the original text. Without n-grams, positions skip one at each
/// boundary ([`Analyzer::for_each_word`]), so that a phrase query never matches across one and
/// an index with positions gives back where they were.
#[derive(Clone, Debug)]
pub struct AnalyzerTokenizer {
    analyzer: Analyzer,
    words: bool,
    tokens: Vec<Token>,
}

impl AnalyzerTokenizer {
    /// Wraps `analyzer`: tokens are the terms that `fit` counts.
    pub fn new(analyzer: Analyzer) -> Self {
        AnalyzerTokenizer {
            analyzer,
            words: false,
            tokens: Vec::new(),
        }
    }

    /// Wraps `analyzer`, but tokens are the words before stemming: a corpus store counts them
    /// to show each stem as its most frequent word.
    pub fn words(analyzer: Analyzer) -> Self {
        AnalyzerTokenizer {
            words: true,
            ..AnalyzerTokenizer::new(analyzer)
        }
    }
}

/// The tokens of one text, produced up front by the analyzer.
pub struct AnalyzerTokenStream<'a> {
    tokens: &'a mut Vec<Token>,
    next: usize,
}

impl Tokenizer for AnalyzerTokenizer {
    type TokenStream<'a> = AnalyzerTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> AnalyzerTokenStream<'a> {
        self.tokens.clear();
        let (tokens, words) = (&mut self.tokens, self.words);
        let mut push = |term: &str, word: &str, span: std::ops::Range<usize>, position| {
            tokens.push(Token {
                offset_from: span.start,
                offset_to: span.end,
                position,
                text: if words { word } else { term }.to_owned(),
                position_length: 1,
            });
        };
        if self.analyzer.config().ngrams.joins() {
            let mut position = 0;
            self.analyzer.for_each_term(text, |term, word, span| {
                push(term, word, span, position);
                position += 1;
            });
        } else {
            let mut next = 0;
            self.analyzer
                .for_each_word(text, |term, word, span, joined| {
                    if !joined && next > 0 {
                        next += 1;
                    }
                    push(term, word, span, next);
                    next += 1;
                });
        }
        AnalyzerTokenStream {
            tokens: &mut self.tokens,
            next: 0,
        }
    }
}

impl TokenStream for AnalyzerTokenStream<'_> {
    fn advance(&mut self) -> bool {
        self.next += 1;
        self.next <= self.tokens.len()
    }

    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}
