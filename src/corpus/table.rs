//! Tables: CSV and TSV files with a header row, one document a row; the text, id, title, label
//! and time come from named columns. Parquet files share the choice of columns ([`Columns`]).

use std::io::{self, BufRead, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use super::input::decode_slice;
use super::jsonl::join_text;
use super::{BadTimeValue, CorpusError, Document, ReadOptions, Timestamp};

/// The default column names: a table may lack them. A column named by an option with another
/// value must be there.
const DEFAULT_ID: &str = "id";
const DEFAULT_TITLE: &str = "title";

/// Where the fields of a document are in a row: column numbers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Columns {
    /// The text columns, in the order they were named.
    pub text: Vec<usize>,
    pub id: Option<usize>,
    pub title: Option<usize>,
    pub label: Option<usize>,
    pub time: Option<usize>,
}

impl Columns {
    /// Finds the columns that `options` name in `header`. Every text column must be there, and
    /// so must the label and time columns and an id or title column named other than by
    /// default.
    pub fn find(
        header: &[String],
        options: &ReadOptions,
        path: &Path,
    ) -> Result<Columns, CorpusError> {
        let position = |name: &str| header.iter().position(|h| h == name);
        let missing = |column: &str, option: &'static str| CorpusError::MissingColumn {
            path: path.to_owned(),
            column: column.to_owned(),
            option,
            header: header.to_vec(),
        };
        let text = options
            .text_fields
            .iter()
            .map(|name| position(name).ok_or_else(|| missing(name, "--text-field")))
            .collect::<Result<Vec<_>, _>>()?;
        let optional = |name: &str, default: &str, option| match position(name) {
            Some(at) => Ok(Some(at)),
            None if name == default => Ok(None),
            None => Err(missing(name, option)),
        };
        let id = optional(&options.id_field, DEFAULT_ID, "--id-field")?;
        let title = optional(&options.title_field, DEFAULT_TITLE, "--title-field")?;
        let named = |field: &Option<String>, option| match field {
            Some(name) => position(name)
                .map(Some)
                .ok_or_else(|| missing(name, option)),
            None => Ok(None),
        };
        Ok(Columns {
            text,
            id,
            title,
            label: named(&options.label_field, "--label-field")?,
            time: named(&options.time_field, "--time-field")?,
        })
    }

    /// The document of a row of `path` whose cells `cell(i)` gives (`None`: an empty or null
    /// cell), starting on line `line`; its time, when a column holds one, is read as
    /// [`Timestamp::parse`] reads it, and one that does not parse is an error naming the row.
    pub fn document<'a>(
        &self,
        path: &Path,
        line: u64,
        field_name: &Option<String>,
        cell: impl Fn(usize) -> Option<&'a str>,
    ) -> Result<Document, CorpusError> {
        let mut text = String::new();
        for &c in &self.text {
            if let Some(part) = cell(c) {
                join_text(&mut text, part);
            }
        }
        let field = |c: Option<usize>| c.and_then(&cell).map(str::to_owned);
        let id = field(self.id).unwrap_or_else(|| line.to_string());
        let time = match self.time.and_then(&cell).filter(|t| !t.trim().is_empty()) {
            None => None,
            Some(value) => Some(Timestamp::parse(value).map_err(|why| CorpusError::BadTime {
                path: path.to_owned(),
                line,
                value: Box::new(BadTimeValue {
                    id: id.clone(),
                    field: field_name.clone().unwrap_or_default(),
                    value: format!("{value:?}"),
                    why,
                }),
            })?),
        };
        Ok(Document {
            id,
            title: field(self.title),
            label: field(self.label),
            time,
            text,
        })
    }
}

/// Bytes the csv reader may hold past a row's start beyond the row itself: its read-ahead.
const READ_AHEAD: u64 = 64 * 1024;

/// A table's input, cut off once the row being read runs past the longest document: the csv
/// reader grows a row for as long as it has no end (a quote left open, a file without line
/// ends), so without this a bad file would fill memory.
struct RowLimit {
    inner: Box<dyn BufRead + Send>,
    /// Bytes handed to the csv reader so far.
    read: u64,
    /// Where the row being read starts, set by [`Table`] after each row.
    row_start: Arc<AtomicU64>,
    limit: u64,
}

/// The error [`RowLimit`] stops reading with.
#[derive(Debug)]
struct RowTooLong;

impl std::fmt::Display for RowTooLong {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a row longer than the longest document")
    }
}

impl std::error::Error for RowTooLong {}

impl Read for RowLimit {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let held = self.read - self.row_start.load(Ordering::Relaxed);
        if held > self.limit + READ_AHEAD {
            return Err(io::Error::other(RowTooLong));
        }
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        Ok(n)
    }
}

/// A CSV or TSV file being read, row by row.
pub(crate) struct Table {
    reader: csv::Reader<RowLimit>,
    row_start: Arc<AtomicU64>,
    limit: usize,
    path: PathBuf,
    columns: Columns,
    time_field: Option<String>,
    width: usize,
    record: csv::ByteRecord,
    /// Invalid UTF-8 sequences replaced so far.
    pub invalid_utf8: u64,
}

impl Table {
    /// Reads the header of `input`, fields separated by `delimiter`, and finds the columns.
    pub fn open(
        input: Box<dyn BufRead + Send>,
        path: PathBuf,
        delimiter: u8,
        options: &ReadOptions,
    ) -> Result<Table, CorpusError> {
        let row_start = Arc::new(AtomicU64::new(0));
        let limit = options.max_doc_bytes;
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(true)
            .from_reader(RowLimit {
                inner: input,
                read: 0,
                row_start: Arc::clone(&row_start),
                limit: limit as u64,
            });
        let header = reader
            .byte_headers()
            .map_err(|e| row_error(&path, e, limit, 1))?
            .clone();
        row_start.store(reader.position().byte(), Ordering::Relaxed);
        let mut invalid_utf8 = 0;
        let names: Vec<String> = header
            .iter()
            .map(|cell| {
                let (name, bad) = decode_slice(cell);
                invalid_utf8 += bad;
                name.trim().to_owned()
            })
            .collect();
        let columns = Columns::find(&names, options, &path)?;
        Ok(Table {
            reader,
            row_start,
            limit,
            path,
            columns,
            time_field: options.time_field.clone(),
            width: names.len(),
            record: csv::ByteRecord::new(),
            invalid_utf8,
        })
    }

    /// The file, as named.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The next row's document; `None` at the end of the file.
    pub fn next_document(&mut self) -> Result<Option<Document>, CorpusError> {
        let more = self
            .reader
            .read_byte_record(&mut self.record)
            .map_err(|e| row_error(&self.path, e, self.limit, self.reader.position().line()))?;
        if !more {
            return Ok(None);
        }
        self.row_start
            .store(self.reader.position().byte(), Ordering::Relaxed);
        let line = self.record.position().map_or(0, |p| p.line());
        if self.record.as_slice().len() > self.limit {
            return Err(CorpusError::TooLarge {
                path: self.path.clone(),
                line,
                limit: self.limit,
            });
        }
        if self.record.len() != self.width {
            return Err(unequal(&self.path, line, self.record.len(), self.width));
        }
        let mut bad = 0;
        let cells: Vec<_> = self
            .record
            .iter()
            .map(|cell| {
                let (text, b) = decode_slice(cell);
                bad += b;
                text
            })
            .collect();
        self.invalid_utf8 += bad;
        let doc = self
            .columns
            .document(&self.path, line, &self.time_field, |c| {
                let cell: &str = &cells[c];
                (!cell.is_empty()).then_some(cell)
            })?;
        Ok(Some(doc))
    }
}

fn unequal(path: &Path, line: u64, found: usize, expected: usize) -> CorpusError {
    CorpusError::BadRow {
        path: path.to_owned(),
        line,
        message: format!(
            "{found} field{} where the header has {expected} (a field holding the delimiter, a quote or a line break must be in double quotes, its quotes doubled)",
            if found == 1 { "" } else { "s" }
        ),
    }
}

/// A CSV error as ours: a row of the wrong width or too long, or the file could not be read;
/// `row_line` is where the row being read starts.
fn row_error(path: &Path, e: csv::Error, limit: usize, row_line: u64) -> CorpusError {
    let line = e.position().map_or(row_line, |p| p.line());
    match e.into_kind() {
        csv::ErrorKind::Io(e) if e.get_ref().is_some_and(|e| e.is::<RowTooLong>()) => {
            CorpusError::TooLarge {
                path: path.to_owned(),
                line,
                limit,
            }
        }
        csv::ErrorKind::Io(e) => CorpusError::io(path, e),
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => unequal(path, line, len as usize, expected_len as usize),
        kind => CorpusError::BadRow {
            path: path.to_owned(),
            line,
            message: format!("{:?}", kind),
        },
    }
}
