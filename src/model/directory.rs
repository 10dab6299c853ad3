//! Writing a model directory atomically, and reading one back with every check.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::metadata::{Metadata, Shapes, Snippet, Vocabulary, METADATA_FILE, TENSOR_FILE};
use super::{tensors, ModelError, SavedModel, FORMAT, VERSION};
use crate::matrix::{CountMatrix, Sparse};
use crate::nmf::NmfModel;

impl SavedModel {
    /// Checks, before any work, that [`SavedModel::save`] may write to `dir`: its parent
    /// exists, and `dir` is absent, empty or an nmf-topics model.
    pub fn check_destination(dir: &Path) -> Result<(), ModelError> {
        check_destination(dir)
    }

    /// Writes the model to the directory `dir`: both files go into a temporary sibling
    /// directory that is then renamed to `dir`. An older model at `dir` is replaced; an empty
    /// directory is used; anything else is left alone and refused.
    pub fn save(&self, dir: &Path) -> Result<(), ModelError> {
        check_destination(dir)?;
        let parent = parent(dir);
        let io = |action, path: &Path| {
            let path = path.to_owned();
            move |source| ModelError::Io {
                action,
                path,
                source,
            }
        };
        let tmp = tempfile::Builder::new()
            .prefix(".nmf-topics-model-")
            .tempdir_in(&parent)
            .map_err(io("create a directory in", &parent))?;
        let bytes =
            tensors::encode(&self.model, self.matrix.by_doc()).map_err(ModelError::Parts)?;
        write_synced(&tmp.path().join(TENSOR_FILE), &bytes)?;
        let json = serde_json::to_vec_pretty(&self.metadata()).map_err(|e| {
            ModelError::Parts(format!("the metadata cannot be written as JSON: {e}"))
        })?;
        write_synced(&tmp.path().join(METADATA_FILE), &json)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            // A temporary directory is private; a model gets the usual mode.
            fs::set_permissions(tmp.path(), fs::Permissions::from_mode(0o755))
                .map_err(io("set the permissions of", tmp.path()))?;
        }
        if dir.exists() {
            // rename(2) replaces an empty directory: move the old model aside into one, then
            // the new one into place, then remove the old.
            let old = tempfile::Builder::new()
                .prefix(".nmf-topics-old-")
                .tempdir_in(&parent)
                .map_err(io("create a directory in", &parent))?;
            fs::rename(dir, old.path()).map_err(io("replace", dir))?;
            if let Err(e) = fs::rename(tmp.path(), dir) {
                let _ = fs::rename(old.path(), dir);
                return Err(io("write", dir)(e));
            }
            drop(old);
        } else {
            fs::rename(tmp.path(), dir).map_err(io("write", dir))?;
        }
        // Already renamed: nothing left to remove.
        let _ = tmp.keep();
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
        }
    }

    /// Reads the model in directory `dir`, checking the format, the version and every shape.
    pub fn load(dir: &Path) -> Result<SavedModel, ModelError> {
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
        let meta_path = dir.join(METADATA_FILE);
        if !meta_path.is_file() {
            return Err(ModelError::NotAModel {
                path: dir.to_owned(),
                reason: format!("it has no {METADATA_FILE}"),
            });
        }
        let text = fs::read(&meta_path).map_err(|source| ModelError::Io {
            action: "read",
            path: meta_path.clone(),
            source,
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
        let bytes = fs::read(&tensor_path).map_err(|source| ModelError::Io {
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
        Ok(saved)
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
/// an older model.
fn check_destination(dir: &Path) -> Result<(), ModelError> {
    let parent = parent(dir);
    if !parent.is_dir() {
        return Err(ModelError::Io {
            action: "write a model to",
            path: dir.to_owned(),
            source: std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!("the directory {} does not exist", parent.display()),
            ),
        });
    }
    if !dir.exists() {
        return Ok(());
    }
    let occupied = || ModelError::Occupied {
        path: dir.to_owned(),
    };
    if !dir.is_dir() {
        return Err(occupied());
    }
    let empty = fs::read_dir(dir)
        .map_err(|source| ModelError::Io {
            action: "read",
            path: dir.to_owned(),
            source,
        })?
        .next()
        .is_none();
    if empty || is_model(dir) {
        Ok(())
    } else {
        Err(occupied())
    }
}

/// Whether `dir` holds a `model.json` of our format (of any version).
fn is_model(dir: &Path) -> bool {
    fs::read(dir.join(METADATA_FILE))
        .ok()
        .and_then(|text| serde_json::from_slice::<serde_json::Value>(&text).ok())
        .is_some_and(|v| v.get("format").and_then(|f| f.as_str()) == Some(FORMAT))
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

fn parent(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    }
}
