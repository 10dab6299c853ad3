//! Adding, replacing and deleting documents, in atomic commits.

use rustc_hash::FxHashSet;
use tantivy::collector::Count;
use tantivy::merge_policy::LogMergePolicy;
use tantivy::query::TermQuery;
use tantivy::schema::IndexRecordOption;
use tantivy::{IndexWriter, TantivyDocument, Term};

use super::settings::Settings;
use super::{CorpusStore, StoreError};
use crate::corpus::Document;

/// Indexing memory per thread; a segment is written when it is full.
pub(super) const MEMORY_PER_THREAD: usize = 96 << 20;

/// The most indexing threads a writer runs, as tantivy's own default writer: each fills a
/// segment of its own in 96 MiB of memory, so 64 threads would hold 6 GB.
pub const MAX_INDEXING_THREADS: usize = 8;

/// What a writer did since it was opened.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IngestFigures {
    /// Documents added, new or replacing one.
    pub added: u64,
    /// Of those, how many replaced a document of the same id that was committed before.
    pub replaced: u64,
    /// Of those, how many had an id given earlier in this same ingest (the later one is kept).
    pub repeated: u64,
    /// Documents deleted by id.
    pub deleted: u64,
    /// Ids asked to be deleted that the store did not hold.
    pub not_found: Vec<String>,
    /// Bytes of text added.
    pub text_bytes: u64,
    /// Commits made.
    pub commits: u64,
}

/// Writes to a store. Holds the store's lock until dropped; nothing is visible to readers, or
/// survives a crash, until [`StoreWriter::commit`]. The first commit to a new store puts the
/// store at its name.
pub struct StoreWriter<'a> {
    store: &'a mut CorpusStore,
    /// `None` only after a failure while a new store was put at its name.
    writer: Option<IndexWriter>,
    threads: usize,
    next_seq: u64,
    /// Ids added since the writer opened: a repeat replaces a document of this same ingest.
    seen: FxHashSet<String>,
    /// The last commit held no document: no id needs looking up in it.
    was_empty: bool,
    figures: IngestFigures,
}

impl CorpusStore {
    /// A writer on `threads` indexing threads, at most [`MAX_INDEXING_THREADS`]. Fails with
    /// [`StoreError::Locked`] while another writer, in this or another process, holds the store.
    pub fn writer(&mut self, threads: usize) -> Result<StoreWriter<'_>, StoreError> {
        let threads = threads.clamp(1, MAX_INDEXING_THREADS);
        let writer = self.index_writer(threads)?;
        Ok(StoreWriter {
            next_seq: self.next_seq,
            was_empty: self.n_documents() == 0,
            store: self,
            writer: Some(writer),
            threads,
            seen: FxHashSet::default(),
            figures: IngestFigures::default(),
        })
    }

    fn index_writer(&self, threads: usize) -> Result<IndexWriter, StoreError> {
        let writer = self
            .index
            .writer_with_num_threads::<TantivyDocument>(threads, threads * MEMORY_PER_THREAD)
            .map_err(StoreError::tantivy(&self.dir, "write to"))?;
        writer.set_merge_policy(Box::new(merge_policy()));
        Ok(writer)
    }

    /// Whether a live document of the last commit has `id`.
    pub fn contains(&self, id: &str) -> Result<bool, StoreError> {
        let query = TermQuery::new(
            Term::from_field_text(self.fields.id, id),
            IndexRecordOption::Basic,
        );
        let n = self
            .reader
            .searcher()
            .search(&query, &Count)
            .map_err(StoreError::tantivy(&self.dir, "read"))?;
        Ok(n > 0)
    }
}

/// Merges segments in pairs of similar size (tantivy waits for 8): fewer segments mean one
/// term dictionary instead of several, a smaller store and faster reads, at a cost that stays
/// logarithmic in the store's size. A segment a quarter deleted is rewritten, so deleted texts
/// do not linger on disk.
fn merge_policy() -> LogMergePolicy {
    let mut policy = LogMergePolicy::default();
    policy.set_min_num_segments(2);
    policy.set_del_docs_ratio_before_merge(0.25);
    policy
}

impl StoreWriter<'_> {
    fn live(&mut self) -> Result<&mut IndexWriter, StoreError> {
        let dir = &self.store.dir;
        self.writer.as_mut().ok_or_else(|| {
            StoreError::io(
                dir,
                "write to",
                std::io::Error::other("an earlier commit failed"),
            )
        })
    }

    /// Adds `doc`, replacing any document with its id.
    pub fn add(&mut self, doc: Document) -> Result<(), StoreError> {
        let fields = self.store.fields;
        if doc.time.is_some() && fields.time.is_none() {
            return Err(StoreError::NoTimes {
                dir: self.store.dir.clone(),
                id: doc.id,
            });
        }
        let id = Term::from_field_text(fields.id, &doc.id);
        if self.seen.contains(&doc.id) {
            self.figures.repeated += 1;
        } else if !self.was_empty && self.store.contains(&doc.id)? {
            self.figures.replaced += 1;
        }
        self.live()?.delete_term(id);
        let mut stored = TantivyDocument::new();
        stored.add_text(fields.id, &doc.id);
        if let Some(title) = &doc.title {
            stored.add_text(fields.title, title);
        }
        if let Some(label) = &doc.label {
            stored.add_text(fields.label, label);
        }
        if let (Some(time), Some(field)) = (doc.time, fields.time) {
            stored.add_i64(field, time.unix());
        }
        if self.store.analyzer.config().stem {
            stored.add_text(fields.words, &doc.text);
        }
        stored.add_text(fields.text, &doc.text);
        stored.add_u64(fields.seq, self.next_seq);
        let dir = self.store.dir.clone();
        self.live()?
            .add_document(stored)
            .map_err(StoreError::tantivy(&dir, "write to"))?;
        self.next_seq += 1;
        self.figures.added += 1;
        self.figures.text_bytes += doc.text.len() as u64;
        self.seen.insert(doc.id);
        Ok(())
    }

    /// Deletes the document with `id`; returns whether the store held one.
    pub fn delete(&mut self, id: &str) -> Result<bool, StoreError> {
        let known = self.seen.remove(id) || (!self.was_empty && self.store.contains(id)?);
        if known {
            let term = Term::from_field_text(self.store.fields.id, id);
            self.live()?.delete_term(term);
            self.figures.deleted += 1;
        } else {
            self.figures.not_found.push(id.to_owned());
        }
        Ok(known)
    }

    /// Makes everything written so far durable and visible, atomically. The first commit to a
    /// new store also puts it at its name.
    pub fn commit(&mut self) -> Result<(), StoreError> {
        let payload = Settings::new(
            self.store.analyzer.config().clone(),
            self.store.phrases,
            self.next_seq,
        )
        .to_payload();
        let dir = self.store.dir.clone();
        let mut commit = self
            .live()?
            .prepare_commit()
            .map_err(StoreError::tantivy(&dir, "commit to"))?;
        commit.set_payload(&payload);
        commit
            .commit()
            .map_err(StoreError::tantivy(&dir, "commit to"))?;
        self.figures.commits += 1;
        if self.store.pending.is_some() {
            self.publish()?;
        }
        Ok(())
    }

    /// Renames a new store's temporary folder to the store's name. The index's files are
    /// bound to the folder's path, so the writer is closed first and the store and a writer
    /// opened again under the new name.
    fn publish(&mut self) -> Result<(), StoreError> {
        let dir = self.store.dir.clone();
        if let Some(writer) = self.writer.take() {
            writer
                .wait_merging_threads()
                .map_err(StoreError::tantivy(&dir, "commit to"))?;
        }
        if let Some(folder) = self.store.pending.take() {
            folder
                .rename_to(&dir)
                .map_err(|e| StoreError::io(&dir, "create", e))?;
            crate::scratch::sync_folder(crate::scratch::parent(&dir));
        }
        *self.store = CorpusStore::open(&dir)?;
        self.writer = Some(self.store.index_writer(self.threads)?);
        Ok(())
    }

    /// What the writer did so far.
    pub fn figures(&self) -> &IngestFigures {
        &self.figures
    }

    /// Commits, waits for segment merges to end, and releases the lock.
    pub fn finish(mut self) -> Result<IngestFigures, StoreError> {
        self.commit()?;
        let dir = self.store.dir.clone();
        if let Some(writer) = self.writer.take() {
            writer
                .wait_merging_threads()
                .map_err(StoreError::tantivy(&dir, "merge the segments of"))?;
        }
        Ok(self.figures)
    }
}
