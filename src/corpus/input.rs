//! Inputs: paths or standard input, their format, gzip, and UTF-8 decoding.

use std::borrow::Cow;
use std::ffi::OsStr;
use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use flate2::bufread::MultiGzDecoder;

use super::CorpusError;

/// Where documents come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A file or a folder.
    Path(PathBuf),
    /// Standard input.
    Stdin,
}

impl Input {
    /// `-` is standard input; anything else a path.
    pub fn parse(arg: &str) -> Input {
        if arg == "-" {
            Input::Stdin
        } else {
            Input::Path(PathBuf::from(arg))
        }
    }

    /// Whether the input can be read a second time: a regular file or a folder. Standard input,
    /// a named pipe or a device gives its content once (or, like `/dev/zero`, never the same),
    /// and opening a pipe again waits for a writer that will not come.
    pub fn can_read_twice(&self) -> bool {
        match self {
            Input::Path(p) => std::fs::metadata(p).is_ok_and(|m| m.is_file() || m.is_dir()),
            Input::Stdin => false,
        }
    }

    /// How the input is named in messages.
    pub fn display_path(&self) -> PathBuf {
        match self {
            Input::Path(p) => p.clone(),
            Input::Stdin => PathBuf::from("<stdin>"),
        }
    }
}

/// How a file's content is cut into documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// By the name: `.jsonl`/`.ndjson`/`.json` are JSON Lines, `.csv` and `.tsv` tables,
    /// `.parquet` Parquet, `.mtx` Matrix Market, anything else one document a file; standard
    /// input is JSON Lines when it starts with `{`.
    #[default]
    Auto,
    /// One JSON object a line.
    JsonLines,
    /// A table of comma-separated values with a header row: one document a row.
    Csv,
    /// A table of tab-separated values with a header row: one document a row.
    Tsv,
    /// A Parquet file: one document a row.
    Parquet,
    /// One document a line.
    Lines,
    /// The whole file is one document.
    Text,
    /// A Matrix Market count matrix.
    MatrixMarket,
}

impl FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "auto" => Ok(Format::Auto),
            "jsonl" | "ndjson" | "json" => Ok(Format::JsonLines),
            "csv" => Ok(Format::Csv),
            "tsv" => Ok(Format::Tsv),
            "parquet" => Ok(Format::Parquet),
            "lines" => Ok(Format::Lines),
            "text" => Ok(Format::Text),
            "mtx" => Ok(Format::MatrixMarket),
            _ => Err(format!(
                "unknown format '{s}'; choose auto, jsonl, csv, tsv, parquet, lines, text or mtx"
            )),
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Auto => "auto",
            Format::JsonLines => "jsonl",
            Format::Csv => "csv",
            Format::Tsv => "tsv",
            Format::Parquet => "parquet",
            Format::Lines => "lines",
            Format::Text => "text",
            Format::MatrixMarket => "mtx",
        })
    }
}

impl Format {
    /// The format of a file named `path` (a `.gz` suffix is looked through).
    pub fn of_path(path: &Path) -> Format {
        let mut name = path.file_name().unwrap_or(OsStr::new("")).to_string_lossy();
        if let Some(stem) = name.strip_suffix(".gz") {
            name = stem.to_owned().into();
        }
        let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
        match ext.as_deref() {
            Some("jsonl" | "ndjson" | "json") => Format::JsonLines,
            Some("csv") => Format::Csv,
            Some("tsv" | "tab") => Format::Tsv,
            Some("parquet" | "pq") => Format::Parquet,
            Some("mtx") => Format::MatrixMarket,
            _ => Format::Text,
        }
    }
}

/// Counts the bytes read from the underlying file (before decompression), for progress bars.
pub(crate) struct Counted<R> {
    inner: R,
    bytes: Arc<AtomicU64>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bytes.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Opens a file or standard input, decompressing gzip when the content starts with its magic
/// bytes.
pub(crate) fn open(
    input: &Input,
    bytes: Arc<AtomicU64>,
) -> Result<Box<dyn BufRead + Send>, CorpusError> {
    let raw: Box<dyn Read + Send> = match input {
        Input::Stdin => Box::new(io::stdin()),
        Input::Path(path) => Box::new(File::open(path).map_err(|e| open_error(path, e))?),
    };
    let mut reader = BufReader::with_capacity(1 << 16, Counted { inner: raw, bytes });
    let head = reader
        .fill_buf()
        .map_err(|e| CorpusError::io(input.display_path(), e))?;
    if head.starts_with(&[0x1f, 0x8b]) {
        Ok(Box::new(BufReader::with_capacity(
            1 << 16,
            MultiGzDecoder::new(reader),
        )))
    } else {
        Ok(Box::new(reader))
    }
}

pub(crate) fn open_error(path: &Path, e: io::Error) -> CorpusError {
    if e.kind() == io::ErrorKind::NotFound {
        CorpusError::Missing {
            path: path.to_owned(),
        }
    } else {
        CorpusError::io(path, e)
    }
}

/// Decodes UTF-8, replacing each invalid sequence by U+FFFD; returns the text and how many
/// sequences were replaced.
pub(crate) fn decode(bytes: Vec<u8>) -> (String, u64) {
    match String::from_utf8(bytes) {
        Ok(text) => (text, 0),
        Err(e) => replace_invalid(e.as_bytes()),
    }
}

/// [`decode`] of borrowed bytes: no copy when they are valid UTF-8.
pub(crate) fn decode_slice(bytes: &[u8]) -> (Cow<'_, str>, u64) {
    match std::str::from_utf8(bytes) {
        Ok(text) => (Cow::Borrowed(text), 0),
        Err(_) => {
            let (text, bad) = replace_invalid(bytes);
            (Cow::Owned(text), bad)
        }
    }
}

fn replace_invalid(bytes: &[u8]) -> (String, u64) {
    let mut text = String::with_capacity(bytes.len() + 8);
    let mut bad = 0;
    for chunk in bytes.utf8_chunks() {
        text.push_str(chunk.valid());
        if !chunk.invalid().is_empty() {
            text.push('\u{FFFD}');
            bad += 1;
        }
    }
    (text, bad)
}

/// What [`read_line`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Line {
    /// A line, now in the buffer without its end.
    Read,
    /// The end of the input.
    End,
    /// A line longer than the limit: the buffer holds its first bytes, no more than the limit.
    TooLong,
}

/// Reads one line (without its end) into `buf`, holding at most `limit` bytes of it: a line
/// without an end (a file of zeros, say) is cut off there, not read into memory whole.
pub(crate) fn read_line(
    reader: &mut dyn BufRead,
    buf: &mut Vec<u8>,
    limit: usize,
) -> io::Result<Line> {
    buf.clear();
    let mut any = false;
    loop {
        let available = match reader.fill_buf() {
            Ok(available) => available,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            break;
        }
        any = true;
        let (piece, done) = match memchr::memchr(b'\n', available) {
            Some(at) => (&available[..at], true),
            None => (available, false),
        };
        if buf.len() + piece.len() > limit {
            let room = limit - buf.len();
            buf.extend_from_slice(&piece[..room]);
            return Ok(Line::TooLong);
        }
        reserve_within(buf, piece.len(), limit);
        buf.extend_from_slice(piece);
        let used = piece.len() + usize::from(done);
        reader.consume(used);
        if done {
            break;
        }
    }
    if !any {
        return Ok(Line::End);
    }
    while matches!(buf.last(), Some(b'\r')) {
        buf.pop();
    }
    Ok(Line::Read)
}

/// All of `reader`, or `None` when it holds more than `limit` bytes (then no more than `limit`
/// were kept).
pub(crate) fn read_to_limit(reader: &mut dyn Read, limit: usize) -> io::Result<Option<Vec<u8>>> {
    let mut bytes = Vec::new();
    let mut chunk = [0u8; 1 << 16];
    loop {
        let n = match reader.read(&mut chunk) {
            Ok(0) => return Ok(Some(bytes)),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if bytes.len() + n > limit {
            return Ok(None);
        }
        reserve_within(&mut bytes, n, limit);
        bytes.extend_from_slice(&chunk[..n]);
    }
}

/// Makes room for `extra` more bytes, doubling as a `Vec` does but never past `limit`, so a
/// buffer near the limit does not take twice the limit.
fn reserve_within(buf: &mut Vec<u8>, extra: usize, limit: usize) {
    let need = buf.len() + extra;
    if need > buf.capacity() {
        let want = need.max(buf.capacity() * 2).min(limit.max(need));
        buf.reserve_exact(want - buf.len());
    }
}
