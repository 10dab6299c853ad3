//! The analyzer as a tantivy tokenizer, so that an index sees the same terms as `fit`.

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

use super::Analyzer;

/// [`Analyzer`] behind tantivy's `Tokenizer` trait. Each token's text is the term (the stem when
/// stemming); offsets point at the word in the original text.
#[derive(Clone, Debug)]
pub struct AnalyzerTokenizer {
    analyzer: Analyzer,
    tokens: Vec<Token>,
}

impl AnalyzerTokenizer {
    /// Wraps `analyzer`.
    pub fn new(analyzer: Analyzer) -> Self {
        AnalyzerTokenizer {
            analyzer,
            tokens: Vec::new(),
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
        let tokens = &mut self.tokens;
        self.analyzer.for_each_term(text, |term, _, span| {
            tokens.push(Token {
                offset_from: span.start,
                offset_to: span.end,
                position: tokens.len(),
                text: term.to_owned(),
                position_length: 1,
            });
        });
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
