//! Matrix Market count matrices: a corpus someone else already counted.

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::input::{decode, open, read_line};
use super::{BagOfWords, CorpusError, Documents, Input};

/// How to read a Matrix Market file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MatrixMarketOptions {
    /// The file holds documents × words instead of words × documents (V in Lee & Seung).
    pub transpose: bool,
    /// One word a line, in row order. Default: `NAME.vocab.txt` beside `NAME.mtx` when it
    /// exists (as [`crate::matrix::CountMatrix::write_matrix_market`] writes it), else `w1`,
    /// `w2`, ….
    pub vocab: Option<PathBuf>,
}

/// Reads a `coordinate` Matrix Market file of counts (`integer`, `real` or `pattern`,
/// `general`), gzip-compressed or not.
///
/// Document ids come from `NAME.docs.txt` beside the file when it exists, else from the column
/// numbers. Entries must be finite and non-negative, their indices inside the declared shape and
/// their number as declared; repeated entries are added up.
pub fn read_matrix_market(
    path: &Path,
    options: &MatrixMarketOptions,
) -> Result<BagOfWords, CorpusError> {
    let mut reader = open(&Input::Path(path.to_owned()), Arc::default())?;
    let bad = |line: u64, message: String| CorpusError::BadMatrix {
        path: path.to_owned(),
        line,
        message,
    };
    let mut buf = Vec::new();
    let mut line_no = 0u64;
    let mut next_line = |reader: &mut dyn BufRead| -> Result<Option<String>, CorpusError> {
        if !read_line(reader, &mut buf).map_err(|e| CorpusError::io(path, e))? {
            return Ok(None);
        }
        line_no += 1;
        Ok(Some(decode(std::mem::take(&mut buf)).0))
    };

    let header = next_line(reader.as_mut())?.unwrap_or_default();
    let words: Vec<String> = header.split_whitespace().map(str::to_lowercase).collect();
    if words.len() != 5 || words[0] != "%%matrixmarket" || words[1] != "matrix" {
        return Err(bad(
            1,
            "not a Matrix Market file: the first line must be '%%MatrixMarket matrix coordinate integer general'".into(),
        ));
    }
    if words[2] != "coordinate" {
        return Err(bad(
            1,
            format!(
                "'{}' matrices are not supported: write the counts in 'coordinate' format",
                words[2]
            ),
        ));
    }
    let pattern = match words[3].as_str() {
        "integer" | "real" => false,
        "pattern" => true,
        other => {
            return Err(bad(
                1,
                format!("'{other}' entries are not counts: use 'integer' or 'real'"),
            ))
        }
    };
    if words[4] != "general" {
        return Err(bad(
            1,
            format!(
                "'{}' matrices are not supported: write every entry and declare 'general'",
                words[4]
            ),
        ));
    }

    let (mut line, mut number) = (String::new(), 1);
    while let Some(l) = next_line(reader.as_mut())? {
        number += 1;
        if !l.trim().is_empty() && !l.starts_with('%') {
            line = l;
            break;
        }
    }
    let size: Vec<usize> = line
        .split_whitespace()
        .map(str::parse)
        .collect::<Result<_, _>>()
        .map_err(|_| {
            bad(
                number,
                format!(
                    "expected the size line 'ROWS COLUMNS ENTRIES', found '{}'",
                    line.trim()
                ),
            )
        })?;
    let [rows, cols, declared] = size[..] else {
        return Err(bad(
            number,
            format!(
                "expected the size line 'ROWS COLUMNS ENTRIES', found '{}'",
                line.trim()
            ),
        ));
    };
    let (n_words, n_docs) = if options.transpose {
        (cols, rows)
    } else {
        (rows, cols)
    };
    if n_words > u32::MAX as usize {
        return Err(bad(
            number,
            "more words than this tool can index (2^32)".into(),
        ));
    }

    let mut triplets: Vec<(u32, u32, f32)> = Vec::with_capacity(declared.min(1 << 24));
    let mut seen = 0usize;
    while let Some(l) = next_line(reader.as_mut())? {
        number += 1;
        let l = l.trim();
        if l.is_empty() || l.starts_with('%') {
            continue;
        }
        seen += 1;
        if seen > declared {
            return Err(bad(
                number,
                format!("more entries than the {declared} the size line declares"),
            ));
        }
        let mut fields = l.split_whitespace();
        let mut index = |name: &str, limit: usize| -> Result<usize, CorpusError> {
            let field = fields
                .next()
                .ok_or_else(|| bad(number, format!("missing {name} index")))?;
            match field.parse::<usize>() {
                Ok(i) if (1..=limit).contains(&i) => Ok(i - 1),
                _ => Err(bad(
                    number,
                    format!("{name} index '{field}' is not between 1 and {limit}"),
                )),
            }
        };
        let i = index("row", rows)?;
        let j = index("column", cols)?;
        let value = if pattern {
            1.0
        } else {
            let field = fields
                .next()
                .ok_or_else(|| bad(number, "missing value".into()))?;
            let v: f64 = field
                .parse()
                .map_err(|_| bad(number, format!("value '{field}' is not a number")))?;
            if !v.is_finite() || v < 0.0 || v > f32::MAX as f64 {
                return Err(bad(
                    number,
                    format!("value '{field}' is not a finite count ≥ 0"),
                ));
            }
            v as f32
        };
        if fields.next().is_some() {
            return Err(bad(
                number,
                "too many fields: expected 'ROW COLUMN VALUE'".into(),
            ));
        }
        if value > 0.0 {
            let (word, doc) = if options.transpose { (j, i) } else { (i, j) };
            triplets.push((doc as u32, word as u32, value));
        }
    }
    if seen != declared {
        return Err(bad(
            0,
            format!("the size line declares {declared} entries but the file holds {seen}"),
        ));
    }

    triplets.sort_unstable_by_key(|&(d, w, _)| (d, w));
    let mut doc_start = Vec::with_capacity(n_docs + 1);
    let mut entries: Vec<(u32, f32)> = Vec::with_capacity(triplets.len());
    doc_start.push(0);
    let mut at = 0;
    for d in 0..n_docs as u32 {
        while at < triplets.len() && triplets[at].0 == d {
            let (_, w, v) = triplets[at];
            let in_doc = entries.len() > doc_start[d as usize];
            match entries.last_mut() {
                Some(last) if in_doc && last.0 == w => last.1 += v,
                _ => entries.push((w, v)),
            }
            at += 1;
        }
        doc_start.push(entries.len());
    }

    let terms = match options.vocab.clone().or_else(|| sibling(path, "vocab.txt")) {
        Some(vocab) => read_list(&vocab, n_words, "words", "rows", true)?,
        None => (1..=n_words).map(|i| format!("w{i}")).collect(),
    };
    let ids = match sibling(path, "docs.txt") {
        Some(docs) => read_list(&docs, n_docs, "document ids", "columns", false)?,
        None => (1..=n_docs).map(|i| i.to_string()).collect(),
    };
    let mut documents = Documents::new();
    for id in &ids {
        documents.push(id, None, None);
    }
    documents.shrink_to_fit();
    Ok(BagOfWords::from_parts(
        documents,
        terms.clone(),
        terms,
        doc_start,
        entries,
    ))
}

/// The files that reading the Matrix Market file `path` reads: it, the vocabulary (given, or
/// `NAME.vocab.txt`) and `NAME.docs.txt`, those that exist.
pub fn matrix_market_files(path: &Path, options: &MatrixMarketOptions) -> Vec<PathBuf> {
    let mut files = vec![path.to_owned()];
    files.extend(options.vocab.clone().or_else(|| sibling(path, "vocab.txt")));
    files.extend(sibling(path, "docs.txt"));
    files
}

/// `NAME.<suffix>` beside `NAME.mtx` (or `NAME.mtx.gz`), if it exists.
fn sibling(path: &Path, suffix: &str) -> Option<PathBuf> {
    let name = path.file_name()?.to_string_lossy();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    let stem = name.strip_suffix(".mtx").unwrap_or(name);
    let candidate = path.with_file_name(format!("{stem}.{suffix}"));
    candidate.is_file().then_some(candidate)
}

/// One entry a line; there must be exactly `expected`, all different when `unique` (words must
/// be; document ids from several inputs may repeat).
fn read_list(
    path: &Path,
    expected: usize,
    what: &str,
    of: &str,
    unique: bool,
) -> Result<Vec<String>, CorpusError> {
    let text = std::fs::read(path).map_err(|e| CorpusError::io(path, e))?;
    let (text, _) = decode(text);
    let list: Vec<String> = text
        .lines()
        .map(|l| l.trim_end_matches('\r').to_owned())
        .collect();
    let wrong = |message: String| CorpusError::BadVocabulary {
        path: path.to_owned(),
        message,
    };
    if list.len() != expected {
        return Err(wrong(format!(
            "holds {} {what} but the matrix has {expected} {of}: give one a line, in order",
            list.len()
        )));
    }
    if unique {
        let mut sorted: Vec<&String> = list.iter().collect();
        sorted.sort();
        if let Some(pair) = sorted.windows(2).find(|p| p[0] == p[1]) {
            return Err(wrong(format!("'{}' appears more than once", pair[0])));
        }
    }
    Ok(list)
}
