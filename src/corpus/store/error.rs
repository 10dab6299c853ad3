//! What can go wrong with a corpus store. Each message names the store and says what to do.

use std::io;
use std::path::{Path, PathBuf};

/// A store that cannot be opened, written or read.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The folder does not exist.
    #[error("{}: no such corpus store (make one with: nmf-topics index INPUT... --index {})", .dir.display(), .dir.display())]
    Missing {
        /// The folder given.
        dir: PathBuf,
    },
    /// The folder holds something else.
    #[error("{} is not an nmf-topics corpus store: {why}", .dir.display())]
    NotAStore {
        /// The folder given.
        dir: PathBuf,
        /// What was found instead.
        why: String,
    },
    /// A store of another format version.
    #[error("{}: a corpus store of format version {found}; this nmf-topics reads version {} (index the corpus again into a new store)", .dir.display(), super::VERSION)]
    Version {
        /// The folder given.
        dir: PathBuf,
        /// The version found.
        found: String,
    },
    /// The store was made with other analyzer settings.
    #[error("{}: the store was indexed with other word settings ({}); give the store's settings, or index into another store", .dir.display(), .differences.join("; "))]
    OtherAnalyzer {
        /// The store.
        dir: PathBuf,
        /// Each setting that differs.
        differences: Vec<String>,
    },
    /// Settings that cannot make a store.
    #[error("{}: {why}", .dir.display())]
    Settings {
        /// The store.
        dir: PathBuf,
        /// What is wrong.
        why: String,
    },
    /// A document with a time, for a store made before times were kept.
    #[error("{}: document \"{id}\" has a time, but this store was made before stores kept times; index the corpus again into a new store to keep them, or leave out --time-field", .dir.display())]
    NoTimes {
        /// The store.
        dir: PathBuf,
        /// The document.
        id: String,
    },
    /// Another process is writing to the store.
    #[error("{}: another process is writing to this store (nmf-topics index holds its lock); wait for it to finish", .dir.display())]
    Locked {
        /// The store.
        dir: PathBuf,
    },
    /// A search query that does not parse.
    #[error("the query {query:?} does not parse: {why}")]
    Query {
        /// The query.
        query: String,
        /// What is wrong with it.
        why: String,
    },
    /// A file of the store cannot be read or written.
    #[error("cannot {action} {}", .path.display())]
    Io {
        /// What was being done.
        action: &'static str,
        /// The file or folder.
        path: PathBuf,
        /// What the system said.
        #[source]
        source: io::Error,
    },
    /// The index itself failed.
    #[error("cannot {action} the corpus store {}", .dir.display())]
    Tantivy {
        /// The store.
        dir: PathBuf,
        /// What was being done.
        action: &'static str,
        /// What tantivy said.
        #[source]
        source: tantivy::TantivyError,
    },
}

impl StoreError {
    pub(super) fn io(path: &Path, action: &'static str, source: io::Error) -> StoreError {
        StoreError::Io {
            action,
            path: path.into(),
            source,
        }
    }

    /// Wraps tantivy's error for `map_err`; a held writer lock becomes [`StoreError::Locked`].
    pub(super) fn tantivy(
        dir: &Path,
        action: &'static str,
    ) -> impl FnOnce(tantivy::TantivyError) -> StoreError {
        let dir = dir.to_owned();
        move |source| match source {
            tantivy::TantivyError::LockFailure(..) => StoreError::Locked { dir },
            source => StoreError::Tantivy {
                dir,
                action,
                source,
            },
        }
    }
}
