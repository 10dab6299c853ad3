//! Documents as their words in order, with the analyzer's boundaries: what phrase detection
//! reads ([`super::phrases`]). Words are numbered, 4 bytes a token.

use rustc_hash::FxHashMap;

use super::bag::Collector;
use super::{Document, Documents};
use crate::text::Analyzer;

/// In a sequence, a boundary between two words (see
/// [`Analyzer::for_each_word`](crate::text::Analyzer::for_each_word)).
pub const BREAK: u32 = u32::MAX;

/// Each document's words in order, as word ids, [`BREAK`] at a boundary. A word is a surface
/// form (the lower-cased word); its term is what is counted (its stem when stemming).
#[derive(Debug, Clone, Default)]
pub struct Sequences {
    documents: Documents,
    words: Vec<String>,
    word_term: Vec<u32>,
    terms: Vec<String>,
    doc_start: Vec<usize>,
    tokens: Vec<u32>,
}

impl Sequences {
    /// Sequences from their parts: document `d`'s tokens are
    /// `tokens[doc_start[d]..doc_start[d + 1]]`, each a word id or [`BREAK`]; word `w` is
    /// `words[w]`, counted as the term `terms[word_term[w]]`.
    pub fn from_parts(
        documents: Documents,
        words: Vec<String>,
        word_term: Vec<u32>,
        terms: Vec<String>,
        doc_start: Vec<usize>,
        tokens: Vec<u32>,
    ) -> Sequences {
        debug_assert_eq!(doc_start.len(), documents.len() + 1);
        debug_assert_eq!(words.len(), word_term.len());
        Sequences {
            documents,
            words,
            word_term,
            terms,
            doc_start,
            tokens,
        }
    }

    /// Number of documents.
    pub fn n_documents(&self) -> usize {
        self.documents.len()
    }

    /// Document `d`'s tokens: word ids and [`BREAK`]s.
    pub fn document(&self, d: usize) -> &[u32] {
        &self.tokens[self.doc_start[d]..self.doc_start[d + 1]]
    }

    /// The surface words, by id.
    pub fn words(&self) -> &[String] {
        &self.words
    }

    /// The terms, by id.
    pub fn terms(&self) -> &[String] {
        &self.terms
    }

    /// The term id of word `w`.
    pub fn term_of(&self, w: u32) -> u32 {
        self.word_term[w as usize]
    }

    /// The documents, the rest freed.
    pub fn into_documents(self) -> Documents {
        self.documents
    }
}

/// Builds [`Sequences`] from batches of documents, tokenised in parallel.
pub(crate) struct SequenceBuilder {
    analyzer: Analyzer,
    word_ids: FxHashMap<String, u32>,
    term_ids: FxHashMap<String, u32>,
    seq: Sequences,
}

/// The sequences of one chunk of documents, with chunk-local word ids.
pub(crate) struct SequenceChunk {
    /// Each local word, and its term when that differs (stemming).
    words: Vec<(String, Option<String>)>,
    doc_len: Vec<usize>,
    tokens: Vec<u32>,
}

impl SequenceBuilder {
    pub fn new(analyzer: Analyzer) -> SequenceBuilder {
        SequenceBuilder {
            analyzer,
            word_ids: FxHashMap::default(),
            term_ids: FxHashMap::default(),
            seq: Sequences {
                doc_start: vec![0],
                ..Sequences::default()
            },
        }
    }

    /// Tokenises `batch` in parallel (on the current rayon pool) and adds it.
    pub fn add(&mut self, batch: Vec<Document>) {
        let chunks = super::bag::tokenise::<SequenceBuilder>(&self.analyzer, &batch);
        self.absorb(chunks, batch);
    }

    pub fn finish(mut self) -> Sequences {
        self.seq.documents.shrink_to_fit();
        self.seq
    }

    fn term_id(&mut self, term: &str) -> u32 {
        if let Some(&t) = self.term_ids.get(term) {
            return t;
        }
        let t = self.seq.terms.len() as u32;
        self.term_ids.insert(term.to_owned(), t);
        self.seq.terms.push(term.to_owned());
        t
    }
}

impl Collector for SequenceBuilder {
    type Chunk = SequenceChunk;

    fn analyzer(&self) -> &Analyzer {
        &self.analyzer
    }

    fn tokenise_chunk(analyzer: &Analyzer, docs: &[Document]) -> SequenceChunk {
        let stem = analyzer.config().stem;
        let mut ids: FxHashMap<String, u32> = FxHashMap::default();
        let mut chunk = SequenceChunk {
            words: Vec::new(),
            doc_len: Vec::with_capacity(docs.len()),
            tokens: Vec::new(),
        };
        for doc in docs {
            let start = chunk.tokens.len();
            analyzer.for_each_word(&doc.text, |term, word, _, joined| {
                let id = match ids.get(word) {
                    Some(&id) => id,
                    None => {
                        let id = chunk.words.len() as u32;
                        ids.insert(word.to_owned(), id);
                        chunk
                            .words
                            .push((word.to_owned(), stem.then(|| term.to_owned())));
                        id
                    }
                };
                if !joined && chunk.tokens.len() > start {
                    chunk.tokens.push(BREAK);
                }
                chunk.tokens.push(id);
            });
            chunk.doc_len.push(chunk.tokens.len() - start);
        }
        chunk
    }

    fn absorb(&mut self, chunks: Vec<SequenceChunk>, docs: Vec<Document>) {
        for chunk in chunks {
            let mut global = Vec::with_capacity(chunk.words.len());
            for (word, term) in chunk.words {
                let id = match self.word_ids.get(&word) {
                    Some(&id) => id,
                    None => {
                        let t = self.term_id(term.as_deref().unwrap_or(&word));
                        let id = self.seq.words.len() as u32;
                        self.word_ids.insert(word.clone(), id);
                        self.seq.words.push(word);
                        self.seq.word_term.push(t);
                        id
                    }
                };
                global.push(id);
            }
            self.seq.tokens.extend(chunk.tokens.iter().map(|&w| {
                if w == BREAK {
                    BREAK
                } else {
                    global[w as usize]
                }
            }));
            let mut at = *self.seq.doc_start.last().expect("starts with 0");
            for len in chunk.doc_len {
                at += len;
                self.seq.doc_start.push(at);
            }
        }
        for doc in &docs {
            self.seq.documents.push_ref(doc.as_ref());
        }
    }
}
