//! Finding documents in a store: by query, by id.

use tantivy::collector::{Count, TopDocs};
use tantivy::query::{
    AllQuery, BooleanQuery, Occur, Query, QueryParser, QueryParserError, TermQuery,
};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{DocAddress, TantivyDocument, Term};

use super::{CorpusStore, StoreError};
use crate::corpus::{Document, DocumentInfo};

/// A document that matches a query.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchHit {
    /// BM25 score of the match; higher is better.
    pub score: f32,
    /// The document.
    pub document: StoredDocument,
}

/// A document as the store holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDocument {
    /// Id, title and label.
    pub info: DocumentInfo,
    /// The text, as it was read.
    pub text: String,
}

impl StoredDocument {
    /// The document as a reader would give it.
    pub fn into_document(self) -> Document {
        Document {
            id: self.info.id,
            title: self.info.title,
            label: self.info.label,
            time: self.info.time,
            text: self.text,
        }
    }
}

/// The quoted phrases of `query` (each with whether a `-` before it excludes it) and the rest.
fn split_quoted(query: &str) -> (String, Vec<(bool, String)>) {
    let mut rest = String::new();
    let mut phrases = Vec::new();
    let mut parts = query.split('"');
    if let Some(first) = parts.next() {
        rest.push_str(first);
    }
    let pieces: Vec<&str> = parts.collect();
    // Odd pieces are inside quotes; an unclosed quote leaves its text to the parser.
    let closed = pieces.len() - pieces.len() % 2;
    for pair in pieces[..closed].chunks(2) {
        let negated = rest.ends_with('-')
            && rest[..rest.len() - 1]
                .chars()
                .last()
                .is_none_or(char::is_whitespace);
        if negated {
            rest.pop();
        }
        phrases.push((negated, pair[0].to_owned()));
        rest.push(' ');
        rest.push_str(pair[1]);
    }
    if closed < pieces.len() {
        rest.push('"');
        rest.push_str(pieces[closed]);
    }
    (rest, phrases)
}

/// The deepest a query may nest brackets and `NOT`s. tantivy's parser, and the query it builds,
/// recurse once a level: some thousands of levels overflow a thread's stack and abort the
/// process, where no query a person writes goes past a handful.
pub const MAX_QUERY_DEPTH: usize = 64;

/// How deep tantivy's parser recurses on `query`: open brackets, and the `NOT`s that wait for
/// their operand (`NOT NOT x` nests twice, `NOT (x)` too). Brackets that are escaped or inside
/// quotes are text.
fn nesting(query: &str) -> usize {
    let bytes = query.as_bytes();
    // For each open bracket, the NOTs that were waiting when it opened.
    let mut open: Vec<usize> = Vec::new();
    let (mut waiting, mut held, mut deepest) = (0usize, 0usize, 0usize);
    let mut quoted = false;
    let mut at = 0;
    while at < bytes.len() {
        let b = bytes[at];
        let starts_token = at == 0 || bytes[at - 1].is_ascii_whitespace() || bytes[at - 1] == b'(';
        match b {
            b'\\' => {
                at += 2;
                waiting = 0;
                continue;
            }
            b'"' => {
                quoted = !quoted;
                waiting = 0;
            }
            _ if quoted => {}
            b'(' => {
                open.push(waiting);
                held += waiting;
                waiting = 0;
            }
            b')' => {
                held -= open.pop().unwrap_or(0);
                waiting = 0;
            }
            b'N' if starts_token
                && bytes[at..].starts_with(b"NOT")
                && bytes.get(at + 3).is_some_and(u8::is_ascii_whitespace) =>
            {
                waiting += 1;
                at += 3;
            }
            _ if b.is_ascii_whitespace() => {}
            _ => waiting = 0,
        }
        deepest = deepest.max(open.len() + held + waiting);
        at += 1;
    }
    deepest
}

/// `word` with the characters that tantivy's query grammar reads as syntax escaped.
fn escaped(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for c in word.chars() {
        if "+-^`:{}\"'[]()!\\*~/<>=".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

impl CorpusStore {
    /// The `limit` documents that best match `query` (BM25), and how many match in all. A query
    /// is words, all of which must occur (`OR` between two words accepts either, `-word` excludes
    /// one); the words go through the store's analyzer, so stopwords are ignored and, in a
    /// stemming store, `servers` finds `server`. `id:NAME` finds a document by id. Brackets and
    /// `NOT`s nest at most [`MAX_QUERY_DEPTH`] deep.
    pub fn search(&self, query: &str, limit: usize) -> Result<(usize, Vec<SearchHit>), StoreError> {
        let bad = |why: String| StoreError::Query {
            query: query.to_owned(),
            why,
        };
        let has_words = query
            .split_whitespace()
            .any(|w| w.contains(':') || !self.analyzer.terms(w).is_empty());
        if !has_words {
            return Err(bad(
                "it has no word to look for: every word is a stopword or too short".into(),
            ));
        }
        let depth = nesting(query);
        if depth > MAX_QUERY_DEPTH {
            return Err(bad(format!(
                "it nests brackets or NOTs {depth} deep; at most {MAX_QUERY_DEPTH} are allowed"
            )));
        }
        // A store of n-grams keeps no positions, but it has the n-grams: a quoted phrase is the
        // n-grams that cover it.
        let ngrams = self.analyzer.config().ngrams;
        let (query_rest, quoted) = if ngrams.joins() {
            split_quoted(query)
        } else {
            (query.to_owned(), Vec::new())
        };
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (negated, phrase) in &quoted {
            let mut words = 0;
            self.analyzer.for_each_word(phrase, |_, _, _, _| words += 1);
            let longest = words.min(ngrams.max);
            let mut terms: Vec<Box<dyn Query>> = Vec::new();
            self.analyzer.for_each_term(phrase, |term, _, _| {
                if term.split(' ').count() == longest {
                    terms.push(Box::new(TermQuery::new(
                        Term::from_field_text(self.fields.text, term),
                        IndexRecordOption::WithFreqs,
                    )));
                }
            });
            if terms.is_empty() {
                continue;
            }
            let all = BooleanQuery::new(terms.into_iter().map(|q| (Occur::Must, q)).collect());
            let occur = if *negated {
                Occur::MustNot
            } else {
                Occur::Must
            };
            clauses.push((occur, Box::new(all)));
        }
        if query_rest.trim().is_empty() && !clauses.iter().any(|(o, _)| *o == Occur::Must) {
            return Err(bad("it has no word or phrase to look for".into()));
        }
        let mut parser = QueryParser::for_index(&self.index, vec![self.fields.text]);
        parser.set_conjunction_by_default();
        let plain = self.plain_words(&query_rest);
        let parsed = if plain.trim().is_empty() {
            Box::new(AllQuery)
        } else {
            parser.parse_query(&plain).map_err(|e| {
            bad(match e {
                QueryParserError::FieldDoesNotHavePositionsIndexed(_) => {
                    "a phrase needs word positions, which a corpus store does not keep: search for the words without quotes".into()
                }
                QueryParserError::FieldDoesNotExist(f) | QueryParserError::FieldNotIndexed(f) => {
                    format!("'{f}' cannot be searched: search the text, or a document by id:NAME")
                }
                e => e.to_string(),
            })
        })?
        };
        let parsed: Box<dyn Query> = if clauses.is_empty() {
            parsed
        } else {
            clauses.push((Occur::Must, parsed));
            Box::new(BooleanQuery::new(clauses))
        };
        let searcher = self.reader.searcher();
        let (total, top) = searcher
            .search(
                &parsed,
                // Never more places than documents: a huge limit allocates nothing.
                &(
                    Count,
                    TopDocs::with_limit(limit.min(searcher.num_docs() as usize).max(1))
                        .order_by_score(),
                ),
            )
            .map_err(StoreError::tantivy(&self.dir, "search"))?;
        let hits = top
            .into_iter()
            .take(limit)
            .map(|(score, address)| {
                Ok(SearchHit {
                    score,
                    document: self.stored(address)?,
                })
            })
            .collect::<Result<_, StoreError>>()?;
        Ok((total, hits))
    }

    /// `query` with each word replaced by the words the store's analyzer makes of it, escaped,
    /// so that tantivy's parser sees plain words: "node.js" becomes "(node js)", both required,
    /// and "KDE's" becomes "kde" instead of a syntax error at its apostrophe. Operators,
    /// `field:value`, quotes and brackets are left to the parser.
    fn plain_words(&self, query: &str) -> String {
        let mut out = Vec::new();
        for token in query.split_whitespace() {
            let (sign, body) = match token.strip_prefix(['-', '+']) {
                Some(rest) => (&token[..1], rest),
                None => ("", token),
            };
            let field = body.split_once(':').is_some_and(|(name, value)| {
                !name.is_empty()
                    && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                    && !value.is_empty()
                    && !value.starts_with(':')
            });
            if matches!(token, "OR" | "AND" | "NOT")
                || field
                || body.is_empty()
                || body.contains(['"', '(', ')'])
            {
                out.push(token.to_owned());
                continue;
            }
            let mut words = Vec::new();
            self.analyzer
                .for_each_term(body, |_, word, _| words.push(escaped(word)));
            out.push(match words.len() {
                // A stopword: the parser's own analysis drops it, as it drops "the".
                0 => format!("{sign}{}", escaped(body)),
                1 => format!("{sign}{}", words[0]),
                _ => format!("{sign}({})", words.join(" ")),
            });
        }
        out.join(" ")
    }

    /// The live document with `id`, if there is one.
    pub fn document(&self, id: &str) -> Result<Option<StoredDocument>, StoreError> {
        let query = TermQuery::new(
            Term::from_field_text(self.fields.id, id),
            IndexRecordOption::Basic,
        );
        let top = self
            .reader
            .searcher()
            .search(&query, &TopDocs::with_limit(1).order_by_score())
            .map_err(StoreError::tantivy(&self.dir, "read"))?;
        top.first()
            .map(|&(_, address)| self.stored(address))
            .transpose()
    }

    fn stored(&self, address: DocAddress) -> Result<StoredDocument, StoreError> {
        let doc: TantivyDocument = self
            .reader
            .searcher()
            .doc(address)
            .map_err(StoreError::tantivy(&self.dir, "read"))?;
        let text = doc
            .get_first(self.fields.text)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_owned();
        Ok(StoredDocument {
            info: self.info_of(&doc),
            text,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::nesting;

    #[test]
    fn nesting_counts_brackets_and_waiting_nots_but_not_text() {
        assert_eq!(nesting("kernel module"), 0);
        assert_eq!(nesting("(a OR b) c"), 1);
        assert_eq!(nesting("((a)) (b)"), 2);
        assert_eq!(nesting("NOT a"), 1);
        assert_eq!(nesting("NOT NOT NOT a b"), 3);
        assert_eq!(nesting("NOT (NOT (a))"), 4);
        assert_eq!(nesting("a NOT b NOT c"), 1, "NOTs apart do not nest");
        assert_eq!(nesting(r"\(\(\( a"), 0, "escaped brackets are text");
        assert_eq!(nesting("\"((( a\""), 0, "quoted brackets are text");
        assert_eq!(nesting("NOTE NOTHING"), 0);
        assert_eq!(nesting(")))((("), 3, "unbalanced brackets still count");
        let deep = format!("{}a{}", "(".repeat(12_000), ")".repeat(12_000));
        assert_eq!(nesting(&deep), 12_000);
    }
}
