//! Matrix Market count matrices: a corpus someone else already counted.

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::input::{decode, open, read_line, Line};
use super::limits::{bytes_text, MAX_LINE_BYTES, MAX_TOTAL, MIN_COUNT};
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

/// Documents without an entry that a file may declare beyond those with one: past both this
/// and the number of documents with entries, the size line is taken for a mistake, since every
/// document costs a column of V and a row of weights whether it holds a word or not.
const EMPTY_DOCUMENTS: usize = 100_000;

/// Reads a `coordinate` Matrix Market file of counts (`integer`, `real` or `pattern`,
/// `general`), gzip-compressed or not.
///
/// Document ids come from `NAME.docs.txt` beside the file when it exists, else from the column
/// numbers. Entries must be finite and non-negative, their indices inside the declared shape and
/// their number as declared; repeated entries are added up. A positive count must be at least
/// [`MIN_COUNT`] and all of them add up to at most [`MAX_TOTAL`] (see [`limits`](super::limits)).
///
/// Memory follows the entries, not the size line: words (rows) without an entry are left out,
/// as pruning would drop them (the others keep their names, `w` and the row number, or their
/// line of the vocabulary), and a size line declaring more documents without an entry than
/// both 100,000 and the documents with entries is refused. Both dimensions must fit in 32 bits.
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
        let read =
            read_line(reader, &mut buf, MAX_LINE_BYTES).map_err(|e| CorpusError::io(path, e))?;
        line_no += 1;
        match read {
            Line::End => Ok(None),
            Line::TooLong => Err(CorpusError::BadMatrix {
                path: path.to_owned(),
                line: line_no,
                message: format!(
                    "a line longer than {}: is this a Matrix Market file?",
                    bytes_text(MAX_LINE_BYTES)
                ),
            }),
            Line::Read => Ok(Some(decode(std::mem::take(&mut buf)).0)),
        }
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
    let size_error = |line: &str| {
        bad(
            number,
            format!(
                "expected the size line 'ROWS COLUMNS ENTRIES', found '{}'",
                line.trim()
            ),
        )
    };
    let size: Vec<u64> = line
        .split_whitespace()
        .map(str::parse)
        .collect::<Result<_, _>>()
        .map_err(|_| size_error(&line))?;
    let [rows, cols, declared] = size[..] else {
        return Err(size_error(&line));
    };
    let (n_words, n_docs) = if options.transpose {
        (cols, rows)
    } else {
        (rows, cols)
    };
    for (n, what) in [(n_words, "words"), (n_docs, "documents")] {
        if n > u32::MAX as u64 {
            return Err(bad(
                number,
                format!(
                    "{n} {what}: more than this tool can number (2^32 - 1); is the size line 'ROWS COLUMNS ENTRIES'?"
                ),
            ));
        }
    }
    let (rows, cols) = (rows as usize, cols as usize);
    let (n_words, n_docs) = (n_words as usize, n_docs as usize);

    // Grown as entries come, never from the size line, which costs nothing to write.
    let mut triplets: Vec<(u32, u32, f32)> = Vec::new();
    let mut seen = 0u64;
    let mut total = 0f64;
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
            if !v.is_finite() || v < 0.0 {
                return Err(bad(
                    number,
                    format!("value '{field}' is not a finite count ≥ 0"),
                ));
            }
            if v > 0.0 && v < MIN_COUNT as f64 {
                return Err(bad(
                    number,
                    format!(
                        "value '{field}' is below {MIN_COUNT:e}, the smallest count the solver can factor in single precision: multiply every value by the same factor (the topics do not change) or leave out values this small"
                    ),
                ));
            }
            v
        };
        total += value;
        if total > MAX_TOTAL {
            return Err(bad(
                number,
                format!(
                    "the values add up past {MAX_TOTAL:e} here, more than the solver can factor in single precision without overflow: divide every value by the same factor (the topics do not change)"
                ),
            ));
        }
        if fields.next().is_some() {
            return Err(bad(
                number,
                "too many fields: expected 'ROW COLUMN VALUE'".into(),
            ));
        }
        if value > 0.0 {
            let (word, doc) = if options.transpose { (j, i) } else { (i, j) };
            triplets.push((doc as u32, word as u32, value as f32));
        }
    }
    if seen != declared {
        return Err(bad(
            0,
            format!("the size line declares {declared} entries but the file holds {seen}"),
        ));
    }

    triplets.sort_unstable_by_key(|&(d, w, _)| (d, w));
    let mut filled = 0usize;
    let mut last_doc = None;
    for &(d, _, _) in &triplets {
        if last_doc != Some(d) {
            filled += 1;
            last_doc = Some(d);
        }
    }
    let empty = n_docs - filled;
    if empty > EMPTY_DOCUMENTS.max(filled) {
        return Err(bad(
            0,
            format!(
                "the size line declares {n_docs} documents ({}) but only {filled} {} an entry: each of the {empty} empty ones would still take a column and a row of weights; give the real number of documents{}",
                if options.transpose { "rows, with --transpose" } else { "columns" },
                if filled == 1 { "holds" } else { "hold" },
                if options.transpose { "" } else { ", or --transpose if the rows are the documents" }
            ),
        ));
    }
    // The words with an entry, in row order, and each entry's word renumbered among them.
    let mut used: Vec<u32> = triplets.iter().map(|&(_, w, _)| w).collect();
    used.sort_unstable();
    used.dedup();
    used.shrink_to_fit();
    let renumber = |w: u32| used.binary_search(&w).expect("a word of an entry") as u32;

    let mut doc_start = Vec::with_capacity(n_docs + 1);
    let mut entries: Vec<(u32, f32)> = Vec::with_capacity(triplets.len());
    doc_start.push(0);
    let mut at = 0;
    for d in 0..n_docs {
        while at < triplets.len() && triplets[at].0 as usize == d {
            let (_, w, v) = triplets[at];
            let w = renumber(w);
            let in_doc = entries.len() > doc_start[d];
            match entries.last_mut() {
                Some(last) if in_doc && last.0 == w => last.1 += v,
                _ => entries.push((w, v)),
            }
            at += 1;
        }
        doc_start.push(entries.len());
    }
    drop(triplets);

    let terms = match options.vocab.clone().or_else(|| sibling(path, "vocab.txt")) {
        Some(vocab) => read_list(&vocab, n_words, Some(&used), "words", "rows")?,
        None => used.iter().map(|&w| format!("w{}", w + 1)).collect(),
    };
    let ids = match sibling(path, "docs.txt") {
        Some(docs) => read_list(&docs, n_docs, None, "document ids", "columns")?,
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

/// One entry a line; there must be exactly `expected`. With `keep`, the lines at those
/// positions (0-based, increasing) only, which must all differ (words must; document ids from
/// several inputs may repeat).
fn read_list(
    path: &Path,
    expected: usize,
    keep: Option<&[u32]>,
    what: &str,
    of: &str,
) -> Result<Vec<String>, CorpusError> {
    let wrong = |message: String| CorpusError::BadVocabulary {
        path: path.to_owned(),
        message,
    };
    let file = std::fs::File::open(path).map_err(|e| CorpusError::io(path, e))?;
    let mut reader = std::io::BufReader::new(file);
    let mut buf = Vec::new();
    let mut list = Vec::with_capacity(keep.map_or(expected, <[u32]>::len));
    let mut wanted = keep.map(|k| k.iter().peekable());
    let mut lines = 0usize;
    loop {
        match read_line(&mut reader, &mut buf, MAX_LINE_BYTES)
            .map_err(|e| CorpusError::io(path, e))?
        {
            Line::End => break,
            Line::TooLong => {
                return Err(wrong(format!(
                    "line {}: longer than {}: give one entry a line",
                    lines + 1,
                    bytes_text(MAX_LINE_BYTES)
                )))
            }
            Line::Read => {}
        }
        let take = match &mut wanted {
            None => true,
            Some(w) => w.next_if(|&&at| at as usize == lines).is_some(),
        };
        if take {
            list.push(decode(std::mem::take(&mut buf)).0);
        }
        lines += 1;
    }
    if lines != expected {
        return Err(wrong(format!(
            "holds {lines} {what} but the matrix has {expected} {of}: give one a line, in order"
        )));
    }
    if keep.is_some() {
        let mut sorted: Vec<&String> = list.iter().collect();
        sorted.sort();
        if let Some(pair) = sorted.windows(2).find(|p| p[0] == p[1]) {
            return Err(wrong(format!("'{}' appears more than once", pair[0])));
        }
    }
    Ok(list)
}
