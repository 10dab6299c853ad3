//! Counting: documents → term counts, tokenised in parallel.

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::phrases::{PhraseList, Phrasing};
use super::sequences::SequenceBuilder;
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
    phrases: Option<PhraseList>,
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
            phrases: None,
        }
    }

    /// Records the phrases joined in this bag (see [`super::phrases`]).
    pub fn set_phrases(&mut self, phrases: PhraseList) {
        self.phrases = Some(phrases);
    }

    /// The phrases joined in this bag, when phrases were on: what new documents must be joined
    /// with to be counted the same way.
    pub fn phrases(&self) -> Option<&PhraseList> {
        self.phrases.as_ref()
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
        // Folded from +0: an empty sum is 0, not the -0 of `Iterator::sum`.
        self.document(d).iter().fold(0.0, |a, &(_, c)| a + c as f64)
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
pub(crate) struct ChunkCounts {
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
        let counted = tokenise::<BagBuilder>(&self.analyzer, &batch);
        self.absorb(counted, batch);
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
            phrases: None,
        }
    }
}

/// What [`count`] fills, batch by batch: tokenising is done in parallel, chunk by chunk, and
/// the chunks are then absorbed in order on one thread.
pub(crate) trait Collector: Send {
    /// What tokenising one chunk of documents gives.
    type Chunk: Send;

    /// The analyzer the documents are tokenised with.
    fn analyzer(&self) -> &Analyzer;

    /// Tokenises one chunk of documents.
    fn tokenise_chunk(analyzer: &Analyzer, docs: &[Document]) -> Self::Chunk;

    /// Adds the chunks of a batch, in order, and the batch's documents.
    fn absorb(&mut self, chunks: Vec<Self::Chunk>, docs: Vec<Document>);
}

impl Collector for BagBuilder {
    type Chunk = ChunkCounts;

    fn analyzer(&self) -> &Analyzer {
        &self.analyzer
    }

    fn tokenise_chunk(analyzer: &Analyzer, docs: &[Document]) -> ChunkCounts {
        count_chunk(analyzer, docs, analyzer.config().stem)
    }

    fn absorb(&mut self, counted: Vec<ChunkCounts>, batch: Vec<Document>) {
        let stem = self.analyzer.config().stem;
        for chunk in counted {
            self.merge(chunk, stem);
        }
        for doc in &batch {
            self.documents.push_ref(doc.as_ref());
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
    reader: DocumentReader,
    analyzer: Analyzer,
    on_batch: impl FnMut(),
) -> Result<(BagOfWords, CountStats), CorpusError> {
    let (builder, stats) = drive(reader, BagBuilder::new(analyzer), on_batch)?;
    Ok((builder.finish(), stats))
}

/// As [`count`], with phrases: each document's words are kept in order until the whole corpus
/// is read, then the phrases are found (or, for new documents, those of a saved list taken)
/// and joined (see [`super::phrases`]). The bag records the phrases it joined.
pub fn count_phrased(
    reader: DocumentReader,
    analyzer: Analyzer,
    phrasing: &Phrasing,
    on_batch: impl FnMut(),
) -> Result<(BagOfWords, CountStats), CorpusError> {
    let (builder, stats) = drive(reader, SequenceBuilder::new(analyzer), on_batch)?;
    let sequences = builder.finish();
    let bag = match phrasing {
        Phrasing::Detect(config) => {
            let found = sequences.detect(config);
            sequences.into_bag(&found)
        }
        Phrasing::Apply(list) => sequences.into_bag(list),
    };
    Ok((bag, stats))
}

/// The bag of a few documents already in memory, counted as [`count_phrased`] counts new
/// documents when `phrases` is given (the list to join), else as [`count`].
pub fn count_documents(
    analyzer: Analyzer,
    phrases: Option<&PhraseList>,
    documents: Vec<Document>,
) -> BagOfWords {
    match phrases {
        Some(list) => {
            let mut builder = SequenceBuilder::new(analyzer);
            builder.add(documents);
            builder.finish().into_bag(list)
        }
        None => {
            let mut builder = BagBuilder::new(analyzer);
            builder.add(documents);
            builder.finish()
        }
    }
}

/// Reads `reader` into `collector`: the reading thread fills the next batch while the pool
/// tokenises this one and the previous one is absorbed.
fn drive<C: Collector>(
    mut reader: DocumentReader,
    mut collector: C,
    mut on_batch: impl FnMut(),
) -> Result<(C, CountStats), CorpusError> {
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
    let tokeniser = collector.analyzer().clone();
    let mut failure = None;
    // Batch n is absorbed (in order, one thread) while batch n + 1 is tokenised.
    let mut pending: Option<(Vec<C::Chunk>, Vec<Document>)> = None;
    for batch in receive {
        match batch {
            Ok(batch) => {
                let previous = pending.take();
                let (counted, ()) = rayon::join(
                    || tokenise::<C>(&tokeniser, &batch),
                    || {
                        if let Some((counted, docs)) = previous {
                            collector.absorb(counted, docs);
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
        collector.absorb(counted, docs);
    }
    let stats = reading.join().expect("the reading thread does not panic");
    match failure {
        Some(e) => Err(e),
        None => Ok((collector, stats)),
    }
}

/// The chunks of `batch`, tokenised in parallel.
pub(crate) fn tokenise<C: Collector>(analyzer: &Analyzer, batch: &[Document]) -> Vec<C::Chunk> {
    batch
        .par_chunks(CHUNK)
        .map(|docs| C::tokenise_chunk(analyzer, docs))
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
