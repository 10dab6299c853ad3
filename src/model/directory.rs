//! Writing a model directory atomically, and reading one back with every check.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::metadata::{Metadata, Shapes, Snippet, Vocabulary, METADATA_FILE, TENSOR_FILE};
use super::{tensors, ModelError, SavedModel, FORMAT, VERSION};
use crate::matrix::{CountMatrix, Sparse};
use crate::nmf::NmfModel;
use crate::scratch::{self, Placed, Scratch};

/// The files of a model directory: all that [`SavedModel::save`] writes, and all that a
/// directory it replaces may hold.
const MODEL_FILES: [&str; 2] = [METADATA_FILE, TENSOR_FILE];
use crate::report::TimeBins;

impl SavedModel {
    /// Checks, before any work, that [`SavedModel::save`] may write to `dir`: its parent
    /// exists, and `dir` is absent, empty or an nmf-topics model with nothing else in it.
    pub fn check_destination(dir: &Path) -> Result<(), ModelError> {
        check_destination(&resolve(dir))
    }

    /// Checks `dir` as [`SavedModel::check_destination`] does and makes the temporary folder
    /// the model will be written to, beside it: a destination that cannot be written fails
    /// now, before any work.
    pub fn reserve(dir: &Path) -> Result<ModelSlot, ModelError> {
        let dir = resolve(dir);
        check_destination(&dir)?;
        let folder = scratch::parent(&dir);
        let scratch = Scratch::dir_in(folder).map_err(|source| ModelError::Io {
            action: "create a directory in",
            path: folder.to_owned(),
            source,
        })?;
        Ok(ModelSlot { dir, scratch })
    }

    /// Writes the model to the directory `dir`, whole or not at all: see [`ModelSlot`]. An
    /// older model at `dir` is replaced; an empty directory is used; a directory holding
    /// anything else is left alone and refused.
    pub fn save(&self, dir: &Path) -> Result<(), ModelError> {
        let slot = SavedModel::reserve(dir)?;
        slot.write(self)?;
        slot.place()?.finish();
        Ok(())
    }

    fn metadata(&self) -> Metadata {
        let m = &self.matrix;
        Metadata {
            format: FORMAT.to_owned(),
            version: VERSION,
            writer: format!("nmf-topics {}", env!("CARGO_PKG_VERSION")),
            tensors: TENSOR_FILE.to_owned(),
            shapes: Shapes {
                words: m.n_words(),
                documents: m.n_documents(),
                topics: self.model.topics(),
                nonzeros: m.nnz(),
                words_before_pruning: m.terms_before_pruning(),
            },
            vocabulary: Vocabulary {
                terms: m.terms().to_vec(),
                words: m.words().to_vec(),
            },
            documents: m.documents().clone(),
            parameters: self.parameters.clone(),
            fit: self.fit.clone(),
            seconds: self.seconds,
            snippets: self
                .snippets
                .iter()
                .map(|(&document, text)| Snippet {
                    document,
                    text: text.clone(),
                })
                .collect(),
            phrases: self.phrases.clone(),
            time_bins: (self.time_bins != TimeBins::Auto).then_some(self.time_bins),
            updates: self.updates.clone(),
        }
    }

    /// Reads the model in directory `dir`, checking the format, the version and every shape.
    ///
    /// Both files come from one model even while `fit --model` replaces it: the directory is
    /// opened once and both files read from it; if it was removed under the reading, the
    /// directory now at `dir` is read.
    pub fn load(dir: &Path) -> Result<SavedModel, ModelError> {
        let mut attempts = 0;
        loop {
            attempts += 1;
            let opened = OpenedDir::open(dir)?;
            let loaded = SavedModel::load_from(dir, &opened);
            // Both files were read from the one directory opened, so a model read is whole; a
            // failure may come from an old directory removed while it was read.
            if loaded.is_ok() || attempts == 10 || !opened.replaced() {
                return loaded;
            }
        }
    }

    fn load_from(dir: &Path, opened: &OpenedDir) -> Result<SavedModel, ModelError> {
        let meta_path = dir.join(METADATA_FILE);
        let text = opened.read(METADATA_FILE).map_err(|source| {
            if source.kind() == std::io::ErrorKind::NotFound {
                ModelError::NotAModel {
                    path: dir.to_owned(),
                    reason: format!("it has no {METADATA_FILE}"),
                }
            } else {
                ModelError::Io {
                    action: "read",
                    path: meta_path.clone(),
                    source,
                }
            }
        })?;
        let meta = parse_metadata(&meta_path, &text)?;
        let damaged = |reason: String| ModelError::Metadata {
            path: meta_path.clone(),
            reason,
        };
        let s = &meta.shapes;
        if meta.vocabulary.terms.len() != s.words || meta.vocabulary.words.len() != s.words {
            return Err(damaged(format!(
                "shapes.words is {} but the vocabulary has {} terms and {} words",
                s.words,
                meta.vocabulary.terms.len(),
                meta.vocabulary.words.len()
            )));
        }
        if meta.documents.len() != s.documents {
            return Err(damaged(format!(
                "shapes.documents is {} but {} documents are listed",
                s.documents,
                meta.documents.len()
            )));
        }
        if s.topics == 0 || s.topics != meta.parameters.nmf.topics() {
            return Err(damaged(format!(
                "shapes.topics is {} but parameters.nmf.topics is {}",
                s.topics,
                meta.parameters.nmf.topics()
            )));
        }
        meta.parameters
            .nmf
            .check(s.words, s.documents)
            .map_err(|e| damaged(format!("parameters.nmf: {e}")))?;

        if meta.tensors.is_empty() || meta.tensors.contains(['/', '\\']) || meta.tensors == ".." {
            return Err(damaged(format!(
                "\"tensors\" must name a file in the model's directory, not {:?}",
                meta.tensors
            )));
        }
        let tensor_path = dir.join(&meta.tensors);
        let bytes = opened
            .read(&meta.tensors)
            .map_err(|source| ModelError::Io {
                action: "read",
                path: tensor_path.clone(),
                source,
            })?;
        let corrupt = |reason: String| ModelError::Tensors {
            path: tensor_path.clone(),
            reason,
        };
        let t =
            tensors::decode(&bytes, s.words, s.documents, s.topics, s.nonzeros).map_err(corrupt)?;
        let v = Sparse::try_new_csc((s.words, s.documents), t.indptr, t.indices, t.data)
            .map_err(|(_, _, _, e)| corrupt(format!("V is not a valid CSC matrix ({e})")))?;
        let model = NmfModel::from_parts(s.topics, t.w, t.h_t)
            .map_err(|e| corrupt(format!("W or H: {e}")))?;
        let matrix = CountMatrix::from_parts(
            v,
            meta.vocabulary.terms,
            meta.vocabulary.words,
            meta.documents,
            s.words_before_pruning,
        )
        .map_err(|e| corrupt(format!("V: {e}")))?;
        if let Some(bad) = meta
            .snippets
            .iter()
            .find(|s| s.document >= matrix.n_documents())
        {
            return Err(corrupt(format!(
                "a snippet is of document {}, but there are {}",
                bad.document,
                matrix.n_documents()
            )));
        }
        let mut saved = SavedModel::new(matrix, model, meta.fit, meta.parameters, meta.seconds)?;
        saved.snippets = meta
            .snippets
            .into_iter()
            .map(|s| (s.document, s.text))
            .collect();
        if saved.parameters.phrases.is_some() != meta.phrases.is_some() {
            return Err(ModelError::Metadata {
                path: meta_path,
                reason: "the settings and the list of phrases disagree on whether phrases were on"
                    .into(),
            });
        }
        saved.phrases = meta.phrases;
        saved.time_bins = meta.time_bins.unwrap_or_default();
        saved.online = t.online;
        saved.updates = meta.updates;
        Ok(saved)
    }
}

/// A model directory being written: a temporary folder beside the destination, made by
/// [`SavedModel::reserve`], written by [`ModelSlot::write`], and put in place by
/// [`ModelSlot::place`], which exchanges it with the old model atomically where the file
/// system can (see [`scratch`](crate::scratch)): a reader of the directory sees the old model
/// or the new one, and a crash leaves one of them whole at the destination. Dropped before, it
/// is removed.
#[derive(Debug)]
pub struct ModelSlot {
    dir: PathBuf,
    scratch: Scratch,
}

impl ModelSlot {
    /// The destination (a symbolic link resolved: the directory it names is replaced).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes both files of `model` into the temporary folder, durably.
    pub fn write(&self, model: &SavedModel) -> Result<(), ModelError> {
        let tmp = self.scratch.path();
        let bytes = tensors::encode(&model.model, model.matrix.by_doc(), model.online.as_ref())
            .map_err(ModelError::Parts)?;
        write_synced(&tmp.join(TENSOR_FILE), &bytes)?;
        let json = serde_json::to_vec_pretty(&model.metadata()).map_err(|e| {
            ModelError::Parts(format!("the metadata cannot be written as JSON: {e}"))
        })?;
        write_synced(&tmp.join(METADATA_FILE), &json)?;
        self.scratch
            .file()
            .sync_all()
            .map_err(|source| ModelError::Io {
                action: "write",
                path: tmp.to_owned(),
                source,
            })
    }

    /// Puts the written model at its destination. What was there is kept until
    /// [`Placed::finish`], or put back by [`Placed::undo`]; if it turns out to hold anything
    /// but a model (something was added while the model was being fitted), it is put back and
    /// the new model refused.
    pub fn place(self) -> Result<Placed, ModelError> {
        // Checked again: the fit may have taken hours.
        check_destination(&self.dir)?;
        let dir = self.dir;
        let placed = self.scratch.place(&dir).map_err(|source| ModelError::Io {
            action: "write",
            path: dir.clone(),
            source,
        })?;
        if let Some(found) = placed.old().and_then(|old| foreign(old).ok().flatten()) {
            placed.undo().map_err(|source| ModelError::Io {
                action: "restore",
                path: dir.clone(),
                source,
            })?;
            return Err(ModelError::Occupied {
                path: dir,
                found: format!("it holds {found} besides a model"),
            });
        }
        Ok(placed)
    }
}

/// Checks the format and version first, so that a newer model is refused for its version, not
/// for a field this build does not know.
fn parse_metadata(path: &Path, text: &[u8]) -> Result<Metadata, ModelError> {
    let damaged = |reason: String| ModelError::Metadata {
        path: path.to_owned(),
        reason,
    };
    let value: serde_json::Value =
        serde_json::from_slice(text).map_err(|e| damaged(format!("not valid JSON ({e})")))?;
    if value.get("format").and_then(|f| f.as_str()) != Some(FORMAT) {
        return Err(ModelError::NotAModel {
            path: path.to_owned(),
            reason: format!("its \"format\" is not \"{FORMAT}\""),
        });
    }
    let version = value.get("version").and_then(|v| v.as_u64());
    match version {
        Some(v) if v == VERSION as u64 => {}
        Some(found) => {
            return Err(ModelError::Version {
                path: path.to_owned(),
                found,
                supported: VERSION,
                advice: if found > VERSION as u64 {
                    "use the newer nmf-topics that wrote it, or fit the model again"
                } else {
                    "fit the model again"
                },
            })
        }
        None => return Err(damaged("\"version\" is missing or not a number".into())),
    }
    serde_json::from_value(value).map_err(|e| damaged(e.to_string()))
}

/// Where a model may be written: a new name in an existing directory, an empty directory, or
/// a directory holding an nmf-topics model (of any version) and nothing else.
fn check_destination(dir: &Path) -> Result<(), ModelError> {
    let folder = scratch::parent(dir);
    if !folder.is_dir() {
        return Err(ModelError::Io {
            action: "write a model to",
            path: dir.to_owned(),
            source: std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!("the directory {} does not exist", folder.display()),
            ),
        });
    }
    let Ok(meta) = fs::symlink_metadata(dir) else {
        return Ok(());
    };
    let occupied = |found: String| ModelError::Occupied {
        path: dir.to_owned(),
        found,
    };
    if !meta.is_dir() {
        return Err(occupied("it is not a directory".into()));
    }
    let read = |source| ModelError::Io {
        action: "read",
        path: dir.to_owned(),
        source,
    };
    let model = is_model(dir);
    if let Some(found) = foreign(dir).map_err(read)? {
        return Err(occupied(if model {
            format!("it holds {found} besides a model")
        } else {
            format!("it is not an nmf-topics model (it holds {found})")
        }));
    }
    if dir.join(METADATA_FILE).exists() && !model {
        return Err(occupied(format!(
            "it is not an nmf-topics model (its {METADATA_FILE} is another program's)"
        )));
    }
    Ok(())
}

/// The first entry of `dir`, in name order, that a model directory does not hold, quoted.
fn foreign(dir: &Path) -> std::io::Result<Option<String>> {
    let mut others = Vec::new();
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        let ours =
            MODEL_FILES.iter().any(|f| name == *f) && entry.file_type().is_ok_and(|t| t.is_file());
        if !ours {
            others.push(name.to_string_lossy().into_owned());
        }
    }
    others.sort();
    Ok(others.first().map(|name| {
        let more = others.len() - 1;
        match more {
            0 => format!("\"{name}\""),
            1 => format!("\"{name}\" and 1 other entry"),
            _ => format!("\"{name}\" and {more} other entries"),
        }
    }))
}

/// Whether `dir` holds a `model.json` of our format (of any version).
fn is_model(dir: &Path) -> bool {
    fs::read(dir.join(METADATA_FILE))
        .ok()
        .and_then(|text| serde_json::from_slice::<serde_json::Value>(&text).ok())
        .is_some_and(|v| v.get("format").and_then(|f| f.as_str()) == Some(FORMAT))
}

/// `dir` without a trailing slash, and a symbolic link resolved to the directory it names, so
/// that replacing the model keeps the link.
fn resolve(dir: &Path) -> PathBuf {
    let dir: PathBuf = dir.components().collect();
    match fs::read_link(&dir) {
        Ok(target) => fs::canonicalize(&dir).unwrap_or_else(|_| scratch::parent(&dir).join(target)),
        Err(_) => dir,
    }
}

/// A model directory opened once: its files are read from that directory even when another
/// is put at its name meanwhile (where the system has `openat`).
struct OpenedDir {
    path: PathBuf,
    #[cfg(unix)]
    handle: fs::File,
}

impl OpenedDir {
    fn open(dir: &Path) -> Result<OpenedDir, ModelError> {
        if !dir.exists() {
            return Err(ModelError::NotFound {
                path: dir.to_owned(),
            });
        }
        if !dir.is_dir() {
            return Err(ModelError::NotAModel {
                path: dir.to_owned(),
                reason: "it is a file; a model is a directory".into(),
            });
        }
        Ok(OpenedDir {
            path: dir.to_owned(),
            #[cfg(unix)]
            handle: fs::File::open(dir).map_err(|source| ModelError::Io {
                action: "read",
                path: dir.to_owned(),
                source,
            })?,
        })
    }

    /// The whole file `name` of the directory.
    fn read(&self, name: &str) -> std::io::Result<Vec<u8>> {
        #[cfg(unix)]
        {
            use rustix::fs::{openat, Mode, OFlags};
            use std::io::Read;
            let fd = openat(
                &self.handle,
                name,
                OFlags::RDONLY | OFlags::CLOEXEC,
                Mode::empty(),
            )?;
            let mut bytes = Vec::new();
            fs::File::from(fd).read_to_end(&mut bytes)?;
            Ok(bytes)
        }
        #[cfg(not(unix))]
        {
            fs::read(self.path.join(name))
        }
    }

    /// Whether the name now holds another directory than the one opened.
    fn replaced(&self) -> bool {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let id = |m: fs::Metadata| (m.dev(), m.ino());
            match (fs::metadata(&self.path), self.handle.metadata()) {
                (Ok(now), Ok(opened)) => id(now) != id(opened),
                _ => true,
            }
        }
        #[cfg(not(unix))]
        {
            false
        }
    }
}

fn write_synced(path: &Path, bytes: &[u8]) -> Result<(), ModelError> {
    let io = |source| ModelError::Io {
        action: "write",
        path: path.to_owned(),
        source,
    };
    let mut file = fs::File::create(path).map_err(io)?;
    file.write_all(bytes).map_err(io)?;
    file.sync_all().map_err(io)
}
