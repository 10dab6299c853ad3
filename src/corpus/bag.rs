//! Counting: documents → term counts, tokenised in parallel.

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::{CorpusError, Document, DocumentReader, Documents, Warning};
use crate::text::Analyzer;

/// Documents tokenised together by one rayon task. Fixed, so that the work split does not
/// depend on the number of threads (and the result does not either: ids are renumbered later).
const CHUNK: usize = 256;

/// A corpus as term counts: for each document the terms it holds and how often.
///
/// Term ids are in order of first appearance; [`crate::matrix`] renumbers and prunes them.
#[derive(Debug, Clone, Default)]
pub struct BagOfWords {
    documents: Documents,
    terms: Vec<String>,
    display: Vec<String>,
    doc_start: Vec<usize>,
    entries: Vec<(u32, f32)>,
}

impl BagOfWords {
    /// A bag from its parts: `entries[doc_start[d]..doc_start[d + 1]]` are document `d`'s
    /// `(term, count)` pairs, each term at most once. Counts must be finite and positive.
    pub fn from_parts(
        documents: Documents,
        terms: Vec<String>,
        display: Vec<String>,
        doc_start: Vec<usize>,
        entries: Vec<(u32, f32)>,
    ) -> BagOfWords {
        debug_assert_eq!(doc_start.len(), documents.len() + 1);
        debug_assert_eq!(terms.len(), display.len());
        BagOfWords {
            documents,
            terms,
            display,
            doc_start,
            entries,
        }
    }

    /// The documents, the rest of the bag freed.
    pub fn into_documents(self) -> Documents {
        self.documents
    }

    /// The documents, in input order.
    pub fn documents(&self) -> &Documents {
        &self.documents
    }

    /// Number of documents.
    pub fn n_documents(&self) -> usize {
        self.documents.len()
    }

    /// The terms, by id.
    pub fn terms(&self) -> &[String] {
        &self.terms
    }

    /// For each term, the word to show for it: the surface form seen most often (ties: the
    /// first in byte order). The term itself when not stemming.
    pub fn display(&self) -> &[String] {
        &self.display
    }

    /// Document `d`'s `(term, count)` pairs.
    pub fn document(&self, d: usize) -> &[(u32, f32)] {
        &self.entries[self.doc_start[d]..self.doc_start[d + 1]]
    }

    /// Total count of document `d`: its tokens after stopwords and length filters.
    pub fn document_tokens(&self, d: usize) -> f64 {
        self.document(d).iter().map(|&(_, c)| c as f64).sum()
    }
}

/// Builds a [`BagOfWords`] from batches of documents.
pub struct BagBuilder {
    analyzer: Analyzer,
    ids: FxHashMap<String, u32>,
    terms: Vec<String>,
    surfaces: Vec<Vec<(String, u64)>>,
    documents: Documents,
    doc_start: Vec<usize>,
    entries: Vec<(u32, f32)>,
    tokens: u64,
}

/// The counts of one chunk of documents, with chunk-local term ids.
struct ChunkCounts {
    terms: Vec<String>,
    surfaces: Vec<Vec<(String, u64)>>,
    doc_len: Vec<usize>,
    entries: Vec<(u32, u32)>,
}

impl BagBuilder {
    /// A builder that tokenises with `analyzer`.
    pub fn new(analyzer: Analyzer) -> BagBuilder {
        BagBuilder {
            analyzer,
            ids: FxHashMap::default(),
            terms: Vec::new(),
            surfaces: Vec::new(),
            documents: Documents::new(),
            doc_start: vec![0],
            entries: Vec::new(),
            tokens: 0,
        }
    }

    /// Tokens counted so far.
    pub fn tokens(&self) -> u64 {
        self.tokens
    }

    /// Documents counted so far.
    pub fn n_documents(&self) -> usize {
        self.documents.len()
    }

    /// Tokenises `batch` in parallel (on the current rayon pool) and adds its counts. The text is
    /// dropped; the rest of each document is kept.
    pub fn add(&mut self, batch: Vec<Document>) {
        let counted = tokenise(&self.analyzer, &batch);
        self.absorb(counted, batch);
    }

    /// Adds the counts of a tokenised batch, chunk by chunk in order.
    fn absorb(&mut self, counted: Vec<ChunkCounts>, batch: Vec<Document>) {
        let stem = self.analyzer.config().stem;
        for chunk in counted {
            self.merge(chunk, stem);
        }
        for doc in &batch {
            self.documents
                .push(&doc.id, doc.title.as_deref(), doc.label.as_deref());
        }
    }

    fn merge(&mut self, chunk: ChunkCounts, stem: bool) {
        let mut global = Vec::with_capacity(chunk.terms.len());
        for (term, surfaces) in chunk.terms.into_iter().zip(chunk.surfaces) {
            let id = match self.ids.get(&term) {
                Some(&id) => id,
                None => {
                    let id = self.terms.len() as u32;
                    self.ids.insert(term.clone(), id);
                    self.terms.push(term);
                    self.surfaces.push(Vec::new());
                    id
                }
            };
            if stem {
                let known = &mut self.surfaces[id as usize];
                for (surface, n) in surfaces {
                    match known.iter_mut().find(|(s, _)| *s == surface) {
                        Some((_, m)) => *m += n,
                        None => known.push((surface, n)),
                    }
                }
            }
            global.push(id);
        }
        let mut at = 0;
        for len in chunk.doc_len {
            for &(local, count) in &chunk.entries[at..at + len] {
                self.entries.push((global[local as usize], count as f32));
                self.tokens += count as u64;
            }
            at += len;
            self.doc_start.push(self.entries.len());
        }
    }

    /// The bag of words.
    pub fn finish(mut self) -> BagOfWords {
        self.documents.shrink_to_fit();
        let display = self
            .terms
            .iter()
            .zip(&self.surfaces)
            .map(|(term, surfaces)| {
                surfaces
                    .iter()
                    .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
                    .map_or_else(|| term.clone(), |(s, _)| s.clone())
            })
            .collect();
        BagOfWords {
            documents: self.documents,
            terms: self.terms,
            display,
            doc_start: self.doc_start,
            entries: self.entries,
        }
    }
}

/// What [`count`] did besides counting.
#[derive(Debug, Default)]
pub struct CountStats {
    /// Bytes of text tokenised.
    pub text_bytes: u64,
    /// The reader's warnings.
    pub warnings: Vec<Warning>,
}

/// Documents read ahead into one batch; the reader fills the next batch while the pool
/// tokenises this one.
const BATCH_DOCUMENTS: usize = 4096;
/// Or fewer, once they hold this many bytes of text.
const BATCH_BYTES: usize = 16 << 20;

/// Reads every document of `reader` on a thread of its own and counts them with `analyzer` on
/// the current rayon pool, batch by batch; `on_batch` runs after each batch (for progress).
pub fn count(
    mut reader: DocumentReader,
    analyzer: Analyzer,
    mut on_batch: impl FnMut(),
) -> Result<(BagOfWords, CountStats), CorpusError> {
    let (send, receive) = std::sync::mpsc::sync_channel::<Result<Vec<Document>, CorpusError>>(1);
    let reading = std::thread::spawn(move || {
        let mut batch = Vec::with_capacity(BATCH_DOCUMENTS);
        let mut bytes = 0;
        let mut text_bytes = 0u64;
        for doc in reader.by_ref() {
            match doc {
                Ok(doc) => {
                    bytes += doc.text.len();
                    text_bytes += doc.text.len() as u64;
                    batch.push(doc);
                    if batch.len() >= BATCH_DOCUMENTS || bytes >= BATCH_BYTES {
                        bytes = 0;
                        if send.send(Ok(std::mem::take(&mut batch))).is_err() {
                            break;
                        }
                    }
                }
                Err(e) => {
                    let _ = send.send(Err(e));
                    break;
                }
            }
        }
        let _ = send.send(Ok(batch));
        CountStats {
            text_bytes,
            warnings: reader.take_warnings(),
        }
    });
    let tokeniser = analyzer.clone();
    let mut builder = BagBuilder::new(analyzer);
    let mut failure = None;
    // Batch n is merged (in order, one thread) while batch n + 1 is tokenised.
    let mut pending: Option<(Vec<ChunkCounts>, Vec<Document>)> = None;
    for batch in receive {
        match batch {
            Ok(batch) => {
                let previous = pending.take();
                let (counted, ()) = rayon::join(
                    || tokenise(&tokeniser, &batch),
                    || {
                        if let Some((counted, docs)) = previous {
                            builder.absorb(counted, docs);
                        }
                    },
                );
                pending = Some((counted, batch));
            }
            Err(e) => {
                failure = Some(e);
                break;
            }
        }
        on_batch();
    }
    if let Some((counted, docs)) = pending {
        builder.absorb(counted, docs);
    }
    let stats = reading.join().expect("the reading thread does not panic");
    match failure {
        Some(e) => Err(e),
        None => Ok((builder.finish(), stats)),
    }
}

/// The counts of `batch`, chunk by chunk, tokenised in parallel.
fn tokenise(analyzer: &Analyzer, batch: &[Document]) -> Vec<ChunkCounts> {
    let stem = analyzer.config().stem;
    batch
        .par_chunks(CHUNK)
        .map(|docs| count_chunk(analyzer, docs, stem))
        .collect()
}

fn count_chunk(analyzer: &Analyzer, docs: &[Document], stem: bool) -> ChunkCounts {
    let mut ids: FxHashMap<String, u32> = FxHashMap::default();
    let mut out = ChunkCounts {
        terms: Vec::new(),
        surfaces: Vec::new(),
        doc_len: Vec::with_capacity(docs.len()),
        entries: Vec::new(),
    };
    let mut counts: Vec<u32> = Vec::new();
    let mut touched: Vec<u32> = Vec::new();
    for doc in docs {
        analyzer.for_each_term(&doc.text, |term, surface, _| {
            let id = match ids.get(term) {
                Some(&id) => id,
                None => {
                    let id = counts.len() as u32;
                    ids.insert(term.to_owned(), id);
                    out.surfaces.push(Vec::new());
                    counts.push(0);
                    id
                }
            };
            if counts[id as usize] == 0 {
                touched.push(id);
            }
            counts[id as usize] += 1;
            if stem {
                let known = &mut out.surfaces[id as usize];
                match known.iter_mut().find(|(s, _)| s == surface) {
                    Some((_, n)) => *n += 1,
                    None => known.push((surface.to_owned(), 1)),
                }
            }
        });
        out.doc_len.push(touched.len());
        for id in touched.drain(..) {
            out.entries.push((id, counts[id as usize]));
            counts[id as usize] = 0;
        }
    }
    // The map owns each term once; laid out by id, they need no second copy.
    let mut terms: Vec<(u32, String)> = ids.into_iter().map(|(term, id)| (id, term)).collect();
    terms.sort_unstable_by_key(|&(id, _)| id);
    out.terms = terms.into_iter().map(|(_, term)| term).collect();
    out
}
