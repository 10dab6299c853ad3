//! The corpus store: a corpus ingested once into a tantivy index and fitted many times.
//!
//! A store is a directory holding a tantivy index whose documents have these fields:
//!
//! | field | indexed | stored | why |
//! |---|---|---|---|
//! | `id` | as one token | yes | the reader's id: adding a document with a known id replaces it |
//! | `title`, `label` | no | yes | shown in reports; the label is scored against the topics |
//! | `time` | no | yes, as Unix seconds | the reports' topics over time (`--time-field`) |
//! | `text` | by the [`Analyzer`], with term frequencies (and positions with phrases) | yes | the counts, search, snippets |
//! | `words` | by the analyzer, before stemming (stemming stores only; positions with phrases) | no | each stem's most frequent word |
//! | `seq` | fast field | no | the order documents were added in |
//!
//! The `time` field came after the first stores: a store made without it still opens, reads
//! and takes documents, and only refuses a document with a time, naming the store to make
//! again.
//!
//! The analyzer's settings travel in every commit's payload (with the next `seq`), so a commit
//! and the settings it was made with cannot part. Opening a store registers the analyzer as the
//! index's tokenizer; opening it with other settings is an error, never a silent re-analysis.
//!
//! [`CorpusStore::bag`] reads the term counts straight from the postings of the live documents,
//! in the order they were added: for the same documents and settings it equals the bag that
//! [`count`](super::count) makes from the files, so [`CountMatrix`](crate::CountMatrix) builds
//! the same matrix.
//!
//! Positions are not indexed, which keeps the store small: search takes words and boolean
//! operators, not phrases. A store made with phrases ([`PhraseConfig`]) is the exception: it
//! indexes positions, with a gap at each of the analyzer's boundaries, so that
//! [`CorpusStore::bag`] can give back each document's words in order to find and join the
//! phrases exactly as reading the files does, and search can match quoted phrases.

mod bag;
mod error;
mod search;
mod settings;
mod writer;

use std::path::{Path, PathBuf};

use tantivy::directory::MmapDirectory;
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST, STORED, STRING,
};
use tantivy::store::{Compressor, ZstdCompressor};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Index, IndexReader, IndexSettings, ReloadPolicy, TantivyDocument};

pub use error::StoreError;
pub use search::{SearchHit, StoredDocument, MAX_QUERY_DEPTH};
pub use settings::{FORMAT, VERSION};
pub use writer::{IngestFigures, StoreWriter, MAX_INDEXING_THREADS};

use crate::corpus::PhraseConfig;
use crate::scratch::{self, Scratch};
use crate::text::{Analyzer, AnalyzerConfig, AnalyzerTokenizer};
use settings::Settings;

/// The tokenizer names the schema refers to.
const TERMS: &str = "nmf-topics";
const WORDS: &str = "nmf-topics-words";

/// Compressed blocks of the document store: large blocks at a high zstd level keep the store
/// smaller than the gzip-compressed input; reading one document back costs about a millisecond.
const DOCSTORE_BLOCK: usize = 1 << 20;
const ZSTD_LEVEL: i32 = 9;

/// The fields of a store.
#[derive(Debug, Clone, Copy)]
struct Fields {
    id: Field,
    title: Field,
    label: Field,
    text: Field,
    words: Field,
    seq: Field,
    /// `None` in a store made before times were kept.
    time: Option<Field>,
}

impl Fields {
    /// The schema of a store, with word positions or without.
    fn schema(positions: bool) -> (Schema, Fields) {
        let mut schema = Schema::builder();
        let option = if positions {
            IndexRecordOption::WithFreqsAndPositions
        } else {
            IndexRecordOption::WithFreqs
        };
        let indexed = |tokenizer: &str| {
            TextFieldIndexing::default()
                .set_tokenizer(tokenizer)
                .set_index_option(option)
        };
        let fields = Fields {
            id: schema.add_text_field("id", STRING | STORED),
            title: schema.add_text_field("title", STORED),
            label: schema.add_text_field("label", STORED),
            text: schema.add_text_field(
                "text",
                TextOptions::default()
                    .set_indexing_options(indexed(TERMS))
                    .set_stored(),
            ),
            words: schema.add_text_field(
                "words",
                TextOptions::default().set_indexing_options(indexed(WORDS).set_fieldnorms(false)),
            ),
            seq: schema.add_u64_field("seq", FAST),
            time: Some(schema.add_i64_field("time", STORED)),
        };
        (schema.build(), fields)
    }

    /// The fields of an existing index, which must have this schema, or this schema without
    /// `time` (a store made before times were kept).
    fn of(schema: &Schema, positions: bool) -> Option<Fields> {
        let (expected, fields) = Fields::schema(positions);
        let want: Vec<_> = expected.fields().map(|(_, e)| e).collect();
        let have: Vec<_> = schema.fields().map(|(_, e)| e).collect();
        if have == want {
            Some(fields)
        } else if have[..] == want[..want.len() - 1] {
            Some(Fields {
                time: None,
                ..fields
            })
        } else {
            None
        }
    }
}

/// A corpus store, open for reading (and, through [`CorpusStore::writer`], for adding).
pub struct CorpusStore {
    dir: PathBuf,
    index: Index,
    reader: IndexReader,
    fields: Fields,
    analyzer: Analyzer,
    phrases: Option<PhraseConfig>,
    next_seq: u64,
    /// A new store, still in a temporary folder beside `dir` until its first commit (dropped
    /// last: it removes the folder).
    pending: Option<Scratch>,
}

impl std::fmt::Debug for CorpusStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CorpusStore")
            .field("dir", &self.dir)
            .field("analyzer", self.analyzer.config())
            .finish()
    }
}

impl CorpusStore {
    /// Opens the store in `dir`, with the analyzer settings it was made with.
    pub fn open(dir: &Path) -> Result<CorpusStore, StoreError> {
        if !dir.is_dir() {
            return Err(StoreError::Missing { dir: dir.into() });
        }
        if !dir.join("meta.json").is_file() {
            return Err(StoreError::NotAStore {
                dir: dir.into(),
                why: "it holds no index (meta.json)".into(),
            });
        }
        CorpusStore::open_in(dir, dir)
    }

    /// Opens the index in `files` as the store `dir` (the name in messages).
    fn open_in(files: &Path, dir: &Path) -> Result<CorpusStore, StoreError> {
        let index = Index::open_in_dir(files).map_err(StoreError::tantivy(dir, "open"))?;
        let meta = index
            .load_metas()
            .map_err(StoreError::tantivy(dir, "open"))?;
        let settings = Settings::from_payload(dir, meta.payload.as_deref())?;
        let positions = settings.phrases.is_some();
        let fields =
            Fields::of(&index.schema(), positions).ok_or_else(|| StoreError::NotAStore {
                dir: dir.into(),
                why: "its fields are not a corpus store's".into(),
            })?;
        let analyzer =
            Analyzer::new(settings.analyzer.clone()).map_err(|e| StoreError::NotAStore {
                dir: dir.into(),
                why: format!("its analyzer settings are invalid: {e}"),
            })?;
        register(&index, &analyzer);
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(StoreError::tantivy(dir, "open"))?;
        Ok(CorpusStore {
            dir: dir.into(),
            index,
            reader,
            fields,
            analyzer,
            phrases: settings.phrases,
            next_seq: settings.next_seq,
            pending: None,
        })
    }

    /// Opens the store in `dir` and checks that it was made with `analyzer`; or, when `dir` does
    /// not exist or is an empty folder, makes a new store for it. A new store is made in a
    /// temporary folder beside `dir` and renamed to `dir` by its first
    /// [`StoreWriter::commit`]: until then nothing is at `dir`, and dropped before, it leaves
    /// nothing behind (a store killed before is a temporary that a later run removes, see
    /// [`scratch`]). Opening it again before that commit fails as for a store
    /// that does not exist.
    pub fn open_or_create(
        dir: &Path,
        analyzer: &AnalyzerConfig,
    ) -> Result<CorpusStore, StoreError> {
        CorpusStore::open_or_create_with(dir, analyzer, None)
    }

    /// As [`CorpusStore::open_or_create`], for a store whose fits find `phrases` (`None`: no
    /// phrases); an existing store must have the same phrase settings.
    pub fn open_or_create_with(
        dir: &Path,
        analyzer: &AnalyzerConfig,
        phrases: Option<&PhraseConfig>,
    ) -> Result<CorpusStore, StoreError> {
        let empty = match std::fs::read_dir(dir) {
            Ok(mut entries) => entries.next().is_none(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => true,
            Err(e) => return Err(StoreError::io(dir, "read", e)),
        };
        if !empty {
            let store = CorpusStore::open(dir)?;
            store.check_settings(analyzer, phrases)?;
            return Ok(store);
        }
        let checked = Analyzer::new(analyzer.clone()).map_err(|e| StoreError::Settings {
            dir: dir.into(),
            why: e.to_string(),
        })?;
        if let Some(p) = phrases {
            p.check().map_err(|why| StoreError::Settings {
                dir: dir.into(),
                why,
            })?;
            if analyzer.ngrams.joins() {
                return Err(StoreError::Settings {
                    dir: dir.into(),
                    why: "--phrases and --ngrams longer than 1 do not go together: choose one"
                        .into(),
                });
            }
        }
        let tmp =
            Scratch::dir_in(scratch::parent(dir)).map_err(|e| StoreError::io(dir, "create", e))?;
        let (schema, _) = Fields::schema(phrases.is_some());
        let settings = IndexSettings {
            docstore_compression: Compressor::Zstd(ZstdCompressor {
                compression_level: Some(ZSTD_LEVEL),
            }),
            docstore_blocksize: DOCSTORE_BLOCK,
            ..IndexSettings::default()
        };
        let directory = MmapDirectory::open(tmp.path()).map_err(|e| StoreError::Tantivy {
            dir: dir.into(),
            action: "create",
            source: e.into(),
        })?;
        let index = Index::builder()
            .schema(schema)
            .settings(settings)
            .open_or_create(directory)
            .map_err(StoreError::tantivy(dir, "create"))?;
        register(&index, &checked);
        let mut writer = index
            .writer_with_num_threads::<TantivyDocument>(1, writer::MEMORY_PER_THREAD)
            .map_err(StoreError::tantivy(dir, "create"))?;
        let payload = Settings::new(analyzer.clone(), phrases.copied(), 0).to_payload();
        let mut commit = writer
            .prepare_commit()
            .map_err(StoreError::tantivy(dir, "create"))?;
        commit.set_payload(&payload);
        commit
            .commit()
            .map_err(StoreError::tantivy(dir, "create"))?;
        writer
            .wait_merging_threads()
            .map_err(StoreError::tantivy(dir, "create"))?;
        drop(index);
        let mut store = CorpusStore::open_in(tmp.path(), dir)?;
        store.pending = Some(tmp);
        Ok(store)
    }

    /// Fails unless the store was made with `analyzer` (whatever its phrases).
    pub fn check_analyzer(&self, analyzer: &AnalyzerConfig) -> Result<(), StoreError> {
        self.check_settings(analyzer, self.phrases.as_ref())
    }

    /// Fails unless the store was made with `analyzer` and `phrases`.
    pub fn check_settings(
        &self,
        analyzer: &AnalyzerConfig,
        phrases: Option<&PhraseConfig>,
    ) -> Result<(), StoreError> {
        let stored = self.analyzer.config();
        let mut differences = settings::differences(stored, analyzer);
        differences.extend(settings::phrase_differences(self.phrases.as_ref(), phrases));
        if differences.is_empty() {
            return Ok(());
        }
        Err(StoreError::OtherAnalyzer {
            dir: self.dir.clone(),
            differences,
        })
    }

    /// How the store's fits find phrases; `None`: no phrases.
    pub fn phrases(&self) -> Option<&PhraseConfig> {
        self.phrases.as_ref()
    }

    /// The folder of the store.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The analyzer the store was made with.
    pub fn analyzer(&self) -> &Analyzer {
        &self.analyzer
    }

    /// Live documents in the last commit.
    pub fn n_documents(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Bytes the store takes on disk (every file in its folder).
    pub fn disk_bytes(&self) -> Result<u64, StoreError> {
        let mut total = 0;
        let entries =
            std::fs::read_dir(&self.dir).map_err(|e| StoreError::io(&self.dir, "read", e))?;
        for entry in entries {
            let entry = entry.map_err(|e| StoreError::io(&self.dir, "read", e))?;
            let meta = entry
                .metadata()
                .map_err(|e| StoreError::io(&self.dir, "read", e))?;
            if meta.is_file() {
                total += meta.len();
            }
        }
        Ok(total)
    }
}

/// Registers the analyzer under the names the schema uses.
fn register(index: &Index, analyzer: &Analyzer) {
    let tokenizers = index.tokenizers();
    tokenizers.register(
        TERMS,
        TextAnalyzer::from(AnalyzerTokenizer::new(analyzer.clone())),
    );
    tokenizers.register(
        WORDS,
        TextAnalyzer::from(AnalyzerTokenizer::words(analyzer.clone())),
    );
}
