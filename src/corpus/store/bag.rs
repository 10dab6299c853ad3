//! The bag of words of a store, read from the postings of its live documents.

use rustc_hash::FxHashMap;
use tantivy::postings::{BlockSegmentPostings, Postings};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::{DocId, DocSet, Searcher, SegmentReader, TantivyDocument, TERMINATED};

use super::{CorpusStore, StoreError};
use crate::corpus::{BagOfWords, DocumentInfo, Documents, Sequences, Timestamp, BREAK};

/// Where each live document of a searcher goes: `position[segment][doc]`, `u32::MAX` for a
/// deleted one; documents are numbered in the order they were added.
pub(super) struct Positions {
    pub position: Vec<Vec<u32>>,
    /// Live documents: the positions are `0..live`.
    pub live: usize,
}

impl CorpusStore {
    /// The live documents' term counts, documents in the order they were added. For the same
    /// documents and analyzer this is the bag [`count`](crate::corpus::count) makes from the
    /// inputs, so the count matrices are identical.
    ///
    /// In a store with phrases, the phrases are found in its documents and joined, as
    /// [`count_phrased`](crate::corpus::count_phrased) does with the files.
    pub fn bag(&self) -> Result<BagOfWords, StoreError> {
        if let Some(config) = &self.phrases {
            let sequences = self.sequences()?;
            let found = sequences.detect(config);
            return Ok(sequences.into_bag(&found));
        }
        let searcher = self.reader.searcher();
        let positions = self.positions(&searcher)?;
        let n_docs = positions.live;

        let mut ids: FxHashMap<String, u32> = FxHashMap::default();
        let mut terms: Vec<String> = Vec::new();
        let mut postings: Vec<(u32, u32, u32)> = Vec::new();
        for (s, segment) in searcher.segment_readers().iter().enumerate() {
            let position = &positions.position[s];
            for_each_posting(segment, self.fields.text, |term, docs, freqs| {
                let mut id = None;
                for (&doc, &freq) in docs.iter().zip(freqs) {
                    let p = position[doc as usize];
                    if p == u32::MAX {
                        continue;
                    }
                    let t = *id.get_or_insert_with(|| match ids.get(term) {
                        Some(&t) => t,
                        None => {
                            let t = terms.len() as u32;
                            ids.insert(term.to_owned(), t);
                            terms.push(term.to_owned());
                            t
                        }
                    });
                    postings.push((p, t, freq));
                }
            })
            .map_err(|e| StoreError::io(&self.dir, "read", e))?;
        }

        let mut doc_start = vec![0usize; n_docs + 1];
        for &(p, _, _) in &postings {
            doc_start[p as usize + 1] += 1;
        }
        for d in 0..n_docs {
            doc_start[d + 1] += doc_start[d];
        }
        let mut fill = doc_start.clone();
        let mut entries = vec![(0u32, 0f32); postings.len()];
        for (p, t, freq) in postings {
            entries[fill[p as usize]] = (t, freq as f32);
            fill[p as usize] += 1;
        }

        let display = self.display_words(&searcher, &positions, &ids, &terms)?;
        let documents = self.document_infos(&searcher, &positions)?;
        Ok(BagOfWords::from_parts(
            documents, terms, display, doc_start, entries,
        ))
    }

    /// Each live document's words in order, documents in the order they were added, read from
    /// the positions of a store with phrases: for the same documents and settings, the
    /// sequences the files give (a gap in the positions is a boundary).
    pub fn sequences(&self) -> Result<Sequences, StoreError> {
        if self.phrases.is_none() {
            return Err(StoreError::Settings {
                dir: self.dir.clone(),
                why: "the store was made without --phrases, so it keeps no word positions".into(),
            });
        }
        let searcher = self.reader.searcher();
        let positions = self.positions(&searcher)?;
        // Stemming stores keep the words before stemming in a field of their own.
        let field = if self.analyzer.config().stem {
            self.fields.words
        } else {
            self.fields.text
        };
        let mut word_ids: FxHashMap<String, u32> = FxHashMap::default();
        let mut term_ids: FxHashMap<String, u32> = FxHashMap::default();
        let (mut words, mut word_term, mut terms) = (Vec::new(), Vec::new(), Vec::new());
        let mut docs: Vec<Vec<u32>> = vec![Vec::new(); positions.live];
        let mut at: Vec<u32> = Vec::new();
        let read = |e| StoreError::io(&self.dir, "read", e);
        for (s, segment) in searcher.segment_readers().iter().enumerate() {
            let position = &positions.position[s];
            let index = segment
                .inverted_index(field)
                .map_err(StoreError::tantivy(&self.dir, "read"))?;
            let mut stream = index.terms().stream().map_err(read)?;
            while stream.advance() {
                let Ok(word) = std::str::from_utf8(stream.key()) else {
                    continue;
                };
                let mut postings = index
                    .read_postings_from_terminfo(
                        stream.value(),
                        IndexRecordOption::WithFreqsAndPositions,
                    )
                    .map_err(read)?;
                let mut id = None;
                while postings.doc() != TERMINATED {
                    let p = position[postings.doc() as usize];
                    if p != u32::MAX {
                        let w = *id.get_or_insert_with(|| match word_ids.get(word) {
                            Some(&w) => w,
                            None => {
                                let term = self.analyzer.term_of(word);
                                let t = match term_ids.get(term.as_ref()) {
                                    Some(&t) => t,
                                    None => {
                                        let t = terms.len() as u32;
                                        term_ids.insert(term.to_string(), t);
                                        terms.push(term.into_owned());
                                        t
                                    }
                                };
                                let w = words.len() as u32;
                                word_ids.insert(word.to_owned(), w);
                                words.push(word.to_owned());
                                word_term.push(t);
                                w
                            }
                        });
                        postings.positions(&mut at);
                        let sequence = &mut docs[p as usize];
                        for &i in &at {
                            let i = i as usize;
                            if sequence.len() <= i {
                                sequence.resize(i + 1, BREAK);
                            }
                            sequence[i] = w;
                        }
                    }
                    postings.advance();
                }
            }
        }
        let mut doc_start = Vec::with_capacity(docs.len() + 1);
        doc_start.push(0);
        let mut tokens = Vec::with_capacity(docs.iter().map(Vec::len).sum());
        for sequence in docs {
            tokens.extend(sequence);
            doc_start.push(tokens.len());
        }
        let documents = self.document_infos(&searcher, &positions)?;
        Ok(Sequences::from_parts(
            documents, words, word_term, terms, doc_start, tokens,
        ))
    }

    /// Numbers the live documents of `searcher` by `seq`.
    pub(super) fn positions(&self, searcher: &Searcher) -> Result<Positions, StoreError> {
        let mut live: Vec<(u64, u32, DocId)> = Vec::with_capacity(searcher.num_docs() as usize);
        for (s, segment) in searcher.segment_readers().iter().enumerate() {
            let seq = segment
                .fast_fields()
                .u64("seq")
                .map_err(StoreError::tantivy(&self.dir, "read"))?;
            for doc in 0..segment.max_doc() {
                if segment.alive_bitset().is_none_or(|a| a.is_alive(doc)) {
                    let q = seq.first(doc).ok_or_else(|| StoreError::NotAStore {
                        dir: self.dir.clone(),
                        why: "a document has no sequence number".into(),
                    })?;
                    live.push((q, s as u32, doc));
                }
            }
        }
        live.sort_unstable();
        let mut position: Vec<Vec<u32>> = searcher
            .segment_readers()
            .iter()
            .map(|segment| vec![u32::MAX; segment.max_doc() as usize])
            .collect();
        for (p, &(_, s, doc)) in live.iter().enumerate() {
            position[s as usize][doc as usize] = p as u32;
        }
        Ok(Positions {
            position,
            live: live.len(),
        })
    }

    /// For each term, the word seen most often for it in the live documents (ties: the first in
    /// byte order), as [`BagBuilder`](crate::corpus::BagBuilder) chooses it.
    fn display_words(
        &self,
        searcher: &Searcher,
        positions: &Positions,
        ids: &FxHashMap<String, u32>,
        terms: &[String],
    ) -> Result<Vec<String>, StoreError> {
        if !self.analyzer.config().stem {
            return Ok(terms.to_vec());
        }
        let mut counts: FxHashMap<String, u64> = FxHashMap::default();
        for (s, segment) in searcher.segment_readers().iter().enumerate() {
            let position = &positions.position[s];
            for_each_posting(segment, self.fields.words, |word, docs, freqs| {
                let n: u64 = docs
                    .iter()
                    .zip(freqs)
                    .filter(|&(&doc, _)| position[doc as usize] != u32::MAX)
                    .map(|(_, &f)| f as u64)
                    .sum();
                if n > 0 {
                    *counts.entry(word.to_owned()).or_default() += n;
                }
            })
            .map_err(|e| StoreError::io(&self.dir, "read", e))?;
        }
        let mut best: Vec<Option<(String, u64)>> = vec![None; terms.len()];
        for (word, n) in counts {
            let Some(&t) = ids.get(self.analyzer.term_of(&word).as_ref()) else {
                continue;
            };
            let slot = &mut best[t as usize];
            let better = match slot {
                None => true,
                Some((w, m)) => n > *m || (n == *m && word < *w),
            };
            if better {
                *slot = Some((word, n));
            }
        }
        Ok(best
            .into_iter()
            .zip(terms)
            .map(|(b, term)| b.map_or_else(|| term.clone(), |(w, _)| w))
            .collect())
    }

    /// Id, title, label and time of each live document, by position.
    fn document_infos(
        &self,
        searcher: &Searcher,
        positions: &Positions,
    ) -> Result<Documents, StoreError> {
        let mut infos = vec![None; positions.live];
        for (s, segment) in searcher.segment_readers().iter().enumerate() {
            let store = segment
                .get_store_reader(1)
                .map_err(|e| StoreError::io(&self.dir, "read", e))?;
            let live =
                (0..segment.max_doc()).filter(|&d| positions.position[s][d as usize] != u32::MAX);
            for (doc, stored) in live.zip(store.iter::<TantivyDocument>(segment.alive_bitset())) {
                let stored = stored.map_err(|e| StoreError::tantivy(&self.dir, "read")(e))?;
                infos[positions.position[s][doc as usize] as usize] = Some(self.info_of(&stored));
            }
        }
        infos
            .into_iter()
            .collect::<Option<Documents>>()
            .ok_or_else(|| StoreError::NotAStore {
                dir: self.dir.clone(),
                why: "a live document is missing from the document store".into(),
            })
    }

    pub(super) fn info_of(&self, doc: &TantivyDocument) -> DocumentInfo {
        let text = |field: Field| {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .map(str::to_owned)
        };
        DocumentInfo {
            id: text(self.fields.id).unwrap_or_default(),
            title: text(self.fields.title),
            label: text(self.fields.label),
            time: self
                .fields
                .time
                .and_then(|field| doc.get_first(field))
                .and_then(|v| v.as_i64())
                .and_then(Timestamp::from_unix),
        }
    }
}

/// Calls `sink(term, docs, freqs)` for each block of postings of each term of `field`.
fn for_each_posting(
    segment: &SegmentReader,
    field: Field,
    mut sink: impl FnMut(&str, &[DocId], &[u32]),
) -> std::io::Result<()> {
    let index = segment
        .inverted_index(field)
        .map_err(std::io::Error::other)?;
    let mut stream = index.terms().stream()?;
    let mut block: Option<BlockSegmentPostings> = None;
    while stream.advance() {
        let Ok(term) = std::str::from_utf8(stream.key()) else {
            continue;
        };
        let block =
            match &mut block {
                Some(block) => {
                    index.reset_block_postings_from_terminfo(stream.value(), block)?;
                    block
                }
                None => block.insert(index.read_block_postings_from_terminfo(
                    stream.value(),
                    IndexRecordOption::WithFreqs,
                )?),
            };
        while !block.docs().is_empty() {
            sink(term, block.docs(), block.freqs());
            block.advance();
        }
    }
    Ok(())
}
