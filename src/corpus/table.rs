//! Tables: CSV and TSV files with a header row, one document a row; the text, id, title and
//! label come from named columns. Parquet files share the choice of columns ([`Columns`]).

use std::io::BufRead;
use std::path::{Path, PathBuf};

use super::input::decode_slice;
use super::jsonl::join_text;
use super::{CorpusError, Document, ReadOptions};

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
}

impl Columns {
    /// Finds the columns that `options` name in `header`. Every text column must be there, and
    /// so must the label column and an id or title column named other than by default.
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
        let label = match &options.label_field {
            Some(name) => Some(position(name).ok_or_else(|| missing(name, "--label-field"))?),
            None => None,
        };
        Ok(Columns {
            text,
            id,
            title,
            label,
        })
    }

    /// The document of a row whose cells `cell(i)` gives (`None`: an empty or null cell),
    /// starting on line `line`.
    pub fn document<'a>(&self, line: u64, cell: impl Fn(usize) -> Option<&'a str>) -> Document {
        let mut text = String::new();
        for &c in &self.text {
            if let Some(part) = cell(c) {
                join_text(&mut text, part);
            }
        }
        let field = |c: Option<usize>| c.and_then(&cell).map(str::to_owned);
        Document {
            id: field(self.id).unwrap_or_else(|| line.to_string()),
            title: field(self.title),
            label: field(self.label),
            text,
        }
    }
}

/// A CSV or TSV file being read, row by row.
pub(crate) struct Table {
    reader: csv::Reader<Box<dyn BufRead + Send>>,
    path: PathBuf,
    columns: Columns,
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
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(true)
            .from_reader(input);
        let header = reader
            .byte_headers()
            .map_err(|e| row_error(&path, e))?
            .clone();
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
            path,
            columns,
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
            .map_err(|e| row_error(&self.path, e))?;
        if !more {
            return Ok(None);
        }
        let line = self.record.position().map_or(0, |p| p.line());
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
        let doc = self.columns.document(line, |c| {
            let cell: &str = &cells[c];
            (!cell.is_empty()).then_some(cell)
        });
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

/// A CSV error as ours: a row of the wrong width, or the file could not be read.
fn row_error(path: &Path, e: csv::Error) -> CorpusError {
    let line = e.position().map_or(0, |p| p.line());
    match e.into_kind() {
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
