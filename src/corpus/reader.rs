//! [`DocumentReader`]: the documents of a list of inputs, one at a time.

use std::collections::VecDeque;
use std::io::{BufRead, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use super::input::{decode, decode_slice, open, open_error, read_line, read_to_limit, Line};
use super::limits::DEFAULT_MAX_DOC_BYTES;
use super::parquet::ParquetTable;
use super::table::Table;
use super::{folder, jsonl, CorpusError, Document, Format, Input, Warning};

/// How inputs are read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadOptions {
    /// How files are cut into documents. Default: [`Format::Auto`].
    pub format: Format,
    /// JSON fields or table columns holding the text; the text of several is joined with a
    /// blank line between them. Default: `text`.
    pub text_fields: Vec<String>,
    /// JSON field or table column holding the id. Default: `id`; a line or row without it is
    /// named by its line number.
    pub id_field: String,
    /// JSON field or table column holding the title. Default: `title`.
    pub title_field: String,
    /// JSON field or table column holding a label (a class), if any. Default: none.
    pub label_field: Option<String>,
    /// JSON field holding a time (see [`Timestamp`](super::Timestamp) for what it may hold),
    /// if any. Default: none.
    pub time_field: Option<String>,
    /// The longest document, in bytes: a line of JSON Lines or `--lines`, or a whole file. A
    /// longer one is a [`CorpusError::TooLarge`], found before more than this much of it is
    /// held. Default: [`DEFAULT_MAX_DOC_BYTES`].
    pub max_doc_bytes: usize,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            format: Format::Auto,
            text_fields: vec!["text".into()],
            id_field: "id".into(),
            title_field: "title".into(),
            label_field: None,
            time_field: None,
            max_doc_bytes: DEFAULT_MAX_DOC_BYTES,
        }
    }
}

/// How far reading has got; shared with whoever draws a progress bar.
#[derive(Debug, Default)]
pub struct ReadProgress {
    bytes: Arc<AtomicU64>,
    documents: AtomicU64,
    total_bytes: Option<u64>,
}

impl ReadProgress {
    /// Bytes read from the files so far (compressed bytes for gzip files).
    pub fn bytes(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }

    /// Documents read so far.
    pub fn documents(&self) -> u64 {
        self.documents.load(Ordering::Relaxed)
    }

    /// The size of all input files, when every input is a file or folder.
    pub fn total_bytes(&self) -> Option<u64> {
        self.total_bytes
    }
}

/// The documents of some inputs, in order: an iterator of `Result<Document, CorpusError>` that
/// stops after the first error. Warnings are collected; take them with
/// [`DocumentReader::take_warnings`].
pub struct DocumentReader {
    inputs: VecDeque<Input>,
    options: ReadOptions,
    progress: Arc<ReadProgress>,
    current: Source,
    warnings: Vec<Warning>,
    failed: bool,
}

enum Source {
    Idle,
    Folder(std::vec::IntoIter<(PathBuf, String)>),
    Stream {
        reader: Box<dyn BufRead + Send>,
        path: PathBuf,
        json: bool,
        line: u64,
        invalid_utf8: u64,
        /// The current line, reused from line to line.
        buf: Vec<u8>,
    },
    Table(Box<Table>),
    Parquet(Box<ParquetTable>),
}

impl DocumentReader {
    /// A reader of `inputs`. Fails at once, before anything is read, when a path does not exist,
    /// a folder holds no text file, or an input is a Matrix Market file (read those with
    /// [`read_matrix_market`](super::read_matrix_market)).
    pub fn new(inputs: Vec<Input>, options: ReadOptions) -> Result<DocumentReader, CorpusError> {
        if inputs.is_empty() {
            return Err(CorpusError::Usage("no input given".into()));
        }
        let mut total = Some(0u64);
        for input in &inputs {
            let Input::Path(path) = input else {
                total = None;
                continue;
            };
            let meta = std::fs::metadata(path).map_err(|e| open_error(path, e))?;
            if meta.is_dir() {
                let files = folder::text_files(path)?;
                let size: u64 = files
                    .iter()
                    .filter_map(|(p, _)| std::fs::metadata(p).ok())
                    .map(|m| m.len())
                    .sum();
                total = total.map(|t| t + size);
            } else {
                if !meta.is_file() {
                    // A named pipe or a device: its size says nothing.
                    total = None;
                }
                let format = match options.format {
                    Format::Auto => Format::of_path(path),
                    f => f,
                };
                if format == Format::MatrixMarket {
                    return Err(CorpusError::Usage(format!(
                        "{} is a Matrix Market matrix: give it as the only input",
                        path.display()
                    )));
                }
                total = total.map(|t| t + meta.len());
            }
        }
        if options.max_doc_bytes == 0 {
            return Err(CorpusError::Usage(
                "the longest document (--max-doc-bytes) must be at least 1 byte".into(),
            ));
        }
        Ok(DocumentReader {
            inputs: inputs.into(),
            options,
            progress: Arc::new(ReadProgress {
                total_bytes: total,
                ..ReadProgress::default()
            }),
            current: Source::Idle,
            warnings: Vec::new(),
            failed: false,
        })
    }

    /// A handle on the reader's progress, for another thread to watch.
    pub fn progress(&self) -> Arc<ReadProgress> {
        Arc::clone(&self.progress)
    }

    /// The warnings collected so far.
    pub fn take_warnings(&mut self) -> Vec<Warning> {
        std::mem::take(&mut self.warnings)
    }

    fn start(&mut self, input: Input) -> Result<Option<Document>, CorpusError> {
        let path = input.display_path();
        if let Input::Path(p) = &input {
            if p.is_dir() {
                self.current = Source::Folder(folder::text_files(p)?.into_iter());
                return Ok(None);
            }
        }
        if let Input::Path(p) = &input {
            let format = match self.options.format {
                Format::Auto => Format::of_path(p),
                f => f,
            };
            if format == Format::Parquet {
                self.current = Source::Parquet(Box::new(ParquetTable::open(p, &self.options)?));
                return Ok(None);
            }
        }
        let mut reader = open(&input, Arc::clone(&self.progress.bytes))?;
        let format = match (self.options.format, &input) {
            (Format::Auto, Input::Path(p)) => Format::of_path(p),
            (Format::Auto, Input::Stdin) => {
                let head = reader.fill_buf().map_err(|e| CorpusError::io(&path, e))?;
                match head.iter().find(|b| !b.is_ascii_whitespace()) {
                    Some(b'{') => Format::JsonLines,
                    _ => Format::Text,
                }
            }
            (f, _) => f,
        };
        match format {
            Format::Parquet => Err(CorpusError::Usage(
                "a Parquet file cannot be read from standard input (its index is at its end): give its name".into(),
            )),
            Format::Csv | Format::Tsv => {
                let delimiter = if format == Format::Csv { b',' } else { b'\t' };
                let table = Table::open(reader, path, delimiter, &self.options)?;
                self.current = Source::Table(Box::new(table));
                Ok(None)
            }
            Format::JsonLines | Format::Lines => {
                self.current = Source::Stream {
                    reader,
                    path,
                    json: format == Format::JsonLines,
                    line: 0,
                    invalid_utf8: 0,
                    buf: Vec::new(),
                };
                Ok(None)
            }
            _ => {
                let bytes = self.whole(reader.as_mut(), &path)?;
                let (text, bad) = decode(bytes);
                self.warn_utf8(&path, bad);
                Ok(Some(Document {
                    id: path.to_string_lossy().into_owned(),
                    title: None,
                    label: None,
                    time: None,
                    text,
                }))
            }
        }
    }

    /// All of a file that is one document, within the limit.
    fn whole(&self, reader: &mut dyn Read, path: &Path) -> Result<Vec<u8>, CorpusError> {
        read_to_limit(reader, self.options.max_doc_bytes)
            .map_err(|e| CorpusError::io(path, e))?
            .ok_or_else(|| CorpusError::TooLarge {
                path: path.to_owned(),
                line: 0,
                limit: self.options.max_doc_bytes,
            })
    }

    fn warn_utf8(&mut self, path: &std::path::Path, sequences: u64) {
        if sequences > 0 {
            self.warnings.push(Warning::InvalidUtf8 {
                path: path.to_owned(),
                sequences,
            });
        }
    }

    fn next_document(&mut self) -> Result<Option<Document>, CorpusError> {
        loop {
            match &mut self.current {
                Source::Idle => match self.inputs.pop_front() {
                    None => return Ok(None),
                    Some(input) => {
                        if let Some(doc) = self.start(input)? {
                            return Ok(Some(doc));
                        }
                    }
                },
                Source::Folder(files) => {
                    let Some((path, id)) = files.next() else {
                        self.current = Source::Idle;
                        continue;
                    };
                    let mut file =
                        open(&Input::Path(path.clone()), Arc::clone(&self.progress.bytes))?;
                    let bytes = self.whole(file.as_mut(), &path)?;
                    if folder::looks_binary(&bytes) {
                        self.warnings.push(Warning::SkippedBinary { path });
                        continue;
                    }
                    let (text, bad) = decode(bytes);
                    self.warn_utf8(&path, bad);
                    return Ok(Some(Document {
                        id,
                        title: None,
                        label: None,
                        time: None,
                        text,
                    }));
                }
                Source::Table(table) => match table.next_document()? {
                    Some(doc) => return Ok(Some(doc)),
                    None => {
                        let (path, bad) = (table.path().to_owned(), table.invalid_utf8);
                        self.current = Source::Idle;
                        self.warn_utf8(&path, bad);
                    }
                },
                Source::Parquet(table) => match table.next_document()? {
                    Some(doc) => return Ok(Some(doc)),
                    None => {
                        let (path, bad) = (table.path().to_owned(), table.invalid_utf8);
                        self.progress.bytes.fetch_add(table.size, Ordering::Relaxed);
                        self.current = Source::Idle;
                        self.warn_utf8(&path, bad);
                    }
                },
                Source::Stream {
                    reader,
                    path,
                    json,
                    line,
                    invalid_utf8,
                    buf,
                } => {
                    let limit = self.options.max_doc_bytes;
                    let read = read_line(reader.as_mut(), buf, limit)
                        .map_err(|e| CorpusError::io(&*path, e))?;
                    *line += 1;
                    match read {
                        Line::Read => {}
                        Line::End => {
                            let (path, bad) = (path.clone(), *invalid_utf8);
                            self.current = Source::Idle;
                            self.warn_utf8(&path, bad);
                            continue;
                        }
                        Line::TooLong => {
                            return Err(CorpusError::TooLarge {
                                path: path.clone(),
                                line: *line,
                                limit,
                            })
                        }
                    }
                    let (text, bad) = decode_slice(buf);
                    *invalid_utf8 += bad;
                    if text.trim().is_empty() {
                        continue;
                    }
                    return if *json {
                        jsonl::parse_line(&text, *line, path, &self.options).map(Some)
                    } else {
                        Ok(Some(Document {
                            id: line.to_string(),
                            title: None,
                            label: None,
                            time: None,
                            text: text.into_owned(),
                        }))
                    };
                }
            }
        }
    }
}

impl Iterator for DocumentReader {
    type Item = Result<Document, CorpusError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        match self.next_document() {
            Ok(Some(doc)) => {
                self.progress.documents.fetch_add(1, Ordering::Relaxed);
                Some(Ok(doc))
            }
            Ok(None) => None,
            Err(e) => {
                self.failed = true;
                Some(Err(e))
            }
        }
    }
}
