//! Parquet files: one document a row, the columns chosen as in a CSV table ([`Columns`]).
//!
//! Read with the `parquet` crate's record API, row group by row group, only the named columns:
//! text columns must hold strings (`BYTE_ARRAY`, plain or dictionary-encoded, annotated as
//! UTF-8 or not); id, title and label columns may also hold numbers or booleans. A time column
//! may hold text or numbers (read as [`Timestamp::parse`] reads them), or Parquet dates and
//! timestamps (milliseconds or microseconds, taken as UTC). A null cell is an empty one.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use parquet::basic::{Repetition, Type as PhysicalType};
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::reader::RowIter;
use parquet::record::Field;
use parquet::schema::types::Type;

use super::input::{decode_slice, open_error};
use super::table::Columns;
use super::{CorpusError, Document, ReadOptions, Timestamp};

/// A Parquet file being read, row by row.
pub(crate) struct ParquetTable {
    rows: RowIter<'static>,
    path: PathBuf,
    /// Each projected column's place in `Columns`' numbering.
    columns: Columns,
    time_field: Option<String>,
    row: u64,
    /// The longest document, in bytes.
    limit: usize,
    /// The file's size, added to the bytes read once it is done.
    pub size: u64,
    /// Invalid UTF-8 sequences replaced so far (in text not annotated as UTF-8).
    pub invalid_utf8: u64,
}

impl ParquetTable {
    /// Opens `path`, checks that the columns `options` name are there and hold text, and
    /// prepares to read only those.
    pub fn open(path: &Path, options: &ReadOptions) -> Result<ParquetTable, CorpusError> {
        let bad = |message: String| CorpusError::BadTable {
            path: path.to_owned(),
            message,
        };
        let file = File::open(path).map_err(|e| open_error(path, e))?;
        let size = file.metadata().map_or(0, |m| m.len());
        let reader = SerializedFileReader::new(file)
            .map_err(|e| bad(format!("not a Parquet file ({e})")))?;
        let schema = reader.metadata().file_metadata().schema_descr_ptr();
        let fields = schema.root_schema().get_fields().to_vec();
        let names: Vec<String> = fields.iter().map(|f| f.name().to_owned()).collect();
        let columns = Columns::find(&names, options, path)?;

        // Only the columns wanted, each once, in file order.
        let mut wanted: Vec<usize> = columns
            .text
            .iter()
            .copied()
            .chain(columns.id)
            .chain(columns.title)
            .chain(columns.label)
            .chain(columns.time)
            .collect();
        wanted.sort_unstable();
        wanted.dedup();
        for &c in &wanted {
            let field = &fields[c];
            let text = columns.text.contains(&c);
            check_column(field, text).map_err(|why| {
                bad(format!(
                    "column \"{}\" {why}; name a column of text with --text-field",
                    field.name()
                ))
            })?;
        }
        let renumber = |c: usize| wanted.binary_search(&c).expect("a wanted column");
        let projected = Columns {
            text: columns.text.iter().map(|&c| renumber(c)).collect(),
            id: columns.id.map(renumber),
            title: columns.title.map(renumber),
            label: columns.label.map(renumber),
            time: columns.time.map(renumber),
        };
        let projection = Type::group_type_builder(schema.root_schema().name())
            .with_fields(wanted.iter().map(|&c| Arc::clone(&fields[c])).collect())
            .build()
            .map_err(|e| bad(format!("cannot select its columns ({e})")))?;
        let rows = RowIter::from_file_into(Box::new(reader))
            .project(Some(projection))
            .map_err(|e| bad(format!("cannot select its columns ({e})")))?;
        Ok(ParquetTable {
            rows,
            limit: options.max_doc_bytes,
            path: path.to_owned(),
            columns: projected,
            time_field: options.time_field.clone(),
            row: 0,
            size,
            invalid_utf8: 0,
        })
    }

    /// The file, as named.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The next row's document, named by its row number (from 1) when it has no id; `None` at
    /// the end of the file.
    pub fn next_document(&mut self) -> Result<Option<Document>, CorpusError> {
        let Some(row) = self.rows.next() else {
            return Ok(None);
        };
        self.row += 1;
        let row = row.map_err(|e| CorpusError::BadRow {
            path: self.path.clone(),
            line: self.row,
            message: format!("row {} cannot be read ({e})", self.row),
        })?;
        let mut bad = 0;
        let time = self.columns.time;
        let cells: Vec<Option<String>> = row
            .get_column_iter()
            .enumerate()
            .map(|(c, (_, field))| match field {
                Field::Null => None,
                // Parquet's own dates and timestamps, written as the times they are.
                Field::Date(_) | Field::TimestampMillis(_) | Field::TimestampMicros(_)
                    if Some(c) == time =>
                {
                    Some(parquet_time(field).map_or_else(|| field.to_string(), |t| t.to_string()))
                }
                Field::Str(s) => Some(s.clone()),
                Field::Bytes(b) => {
                    let (text, n) = decode_slice(b.data());
                    bad += n;
                    Some(text.into_owned())
                }
                other => Some(other.to_string()),
            })
            .collect();
        self.invalid_utf8 += bad;
        let doc = self
            .columns
            .document(&self.path, self.row, &self.time_field, |c| {
                cells[c].as_deref().filter(|s| !s.is_empty())
            })?;
        // Parquet decodes a row whole, so the limit is checked once it is read.
        if doc.text.len() > self.limit {
            return Err(CorpusError::TooLarge {
                path: self.path.clone(),
                line: self.row,
                limit: self.limit,
            });
        }
        Ok(Some(doc))
    }
}

/// A Parquet date (days) or timestamp (UTC milliseconds or microseconds) as a time, to the
/// second; `None` outside the years 1 to 9999.
fn parquet_time(field: &Field) -> Option<Timestamp> {
    let seconds = match *field {
        Field::Date(days) => days as i64 * 86_400,
        Field::TimestampMillis(ms) => ms.div_euclid(1_000),
        Field::TimestampMicros(us) => us.div_euclid(1_000_000),
        _ => return None,
    };
    Timestamp::from_unix(seconds)
}

/// Why a column cannot be read: a nested or repeated column, or, for a text column, one that
/// does not hold strings.
fn check_column(field: &Type, text: bool) -> Result<(), String> {
    if field.is_group() {
        return Err("is nested (a group of columns), not a column of values".into());
    }
    if field.get_basic_info().repetition() == Repetition::REPEATED {
        return Err("holds lists of values, not one value a row".into());
    }
    let physical = field.get_physical_type();
    if text && physical != PhysicalType::BYTE_ARRAY {
        return Err(format!(
            "holds {} values, not text",
            physical.to_string().to_lowercase()
        ));
    }
    Ok(())
}
