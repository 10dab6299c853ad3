//! Folders: every `.txt` or `.md` file below, in path order.

use std::fs;
use std::path::{Path, PathBuf};

use super::CorpusError;

/// The text files below `root`, sorted by their path relative to it. Symbolic links to folders
/// are not followed, so a link cycle cannot make the walk endless.
pub(crate) fn text_files(root: &Path) -> Result<Vec<(PathBuf, String)>, CorpusError> {
    let mut files = Vec::new();
    let mut pending = vec![root.to_owned()];
    while let Some(dir) = pending.pop() {
        let entries = fs::read_dir(&dir).map_err(|e| CorpusError::io(&dir, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| CorpusError::io(&dir, e))?;
            let path = entry.path();
            let kind = entry.file_type().map_err(|e| CorpusError::io(&path, e))?;
            if kind.is_dir() {
                pending.push(path);
            } else if is_text_name(&path) && (kind.is_file() || path.is_file()) {
                let relative = path.strip_prefix(root).unwrap_or(&path);
                let id = relative
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/");
                files.push((path, id));
            }
        }
    }
    if files.is_empty() {
        return Err(CorpusError::EmptyFolder {
            path: root.to_owned(),
        });
    }
    files.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(files)
}

/// Whether a folder input reads the file at `path`: whether its name ends in `.txt` or `.md`
/// (maybe then `.gz`), in any case.
pub fn reads_from_folder(path: &Path) -> bool {
    is_text_name(path)
}

fn is_text_name(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    name.ends_with(".txt") || name.ends_with(".md")
}

/// A file is taken for binary when its first 8 KiB hold a NUL byte, as git and grep decide.
pub(crate) fn looks_binary(bytes: &[u8]) -> bool {
    bytes[..bytes.len().min(8192)].contains(&0)
}
