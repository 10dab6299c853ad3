//! What can go wrong while reading, and what is worth a warning.

use std::fmt;
use std::io;
use std::path::PathBuf;

/// An input that cannot be read. Each message names the input and says what to do.
#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    /// The path does not exist.
    #[error("{}: no such file or folder", .path.display())]
    Missing {
        /// The path given.
        path: PathBuf,
    },
    /// Reading failed.
    #[error("cannot read {}", .path.display())]
    Io {
        /// The input.
        path: PathBuf,
        /// What the system said.
        #[source]
        source: io::Error,
    },
    /// A folder holds no `.txt` or `.md` file.
    #[error("{}: this folder holds no .txt or .md file (give a folder of text files, a .jsonl file, or a file with --lines)", .path.display())]
    EmptyFolder {
        /// The folder.
        path: PathBuf,
    },
    /// A JSON line does not parse.
    #[error("{}, line {line}: not a JSON object ({message}); each line of a JSON Lines file must hold one object", .path.display())]
    BadJson {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: u64,
        /// The parser's complaint.
        message: String,
    },
    /// A JSON line lacks the text field, or it is not a string.
    #[error("{}, line {line}: no text in field \"{field}\" (name the field that holds the text with --text-field)", .path.display())]
    MissingText {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: u64,
        /// The field looked for.
        field: String,
    },
    /// A table lacks a column that an option names.
    #[error("{}: no column \"{column}\" ({}); name the column with {option}", .path.display(), header_note(.header))]
    MissingColumn {
        /// The file.
        path: PathBuf,
        /// The column looked for.
        column: String,
        /// The option that names it: `--text-field`, `--id-field`, ….
        option: &'static str,
        /// The column names the file has.
        header: Vec<String>,
    },
    /// A row of a table that cannot be read.
    #[error("{}, line {line}: {message}", .path.display())]
    BadRow {
        /// The file.
        path: PathBuf,
        /// 1-based line number where the row starts.
        line: u64,
        /// What is wrong and what to do.
        message: String,
    },
    /// A table file that cannot be read as a whole: not Parquet, or a column of the wrong kind.
    #[error("{}: {message}", .path.display())]
    BadTable {
        /// The file.
        path: PathBuf,
        /// What is wrong and what to do.
        message: String,
    },
    /// A document's time (`--time-field`) does not parse.
    #[error("{}, line {line} (document \"{}\"): field \"{}\" holds {}, not a time: {}", .path.display(), .value.id, .value.field, .value.value, .value.why)]
    BadTime {
        /// The file.
        path: PathBuf,
        /// 1-based line number (a table's: where the row starts; Parquet's: the row number).
        line: u64,
        /// The document, the field and its value (boxed: errors stay small).
        value: Box<BadTimeValue>,
    },
    /// A Matrix Market file is malformed.
    #[error("{}: {message}", location(.path, *.line))]
    BadMatrix {
        /// The file.
        path: PathBuf,
        /// 1-based line number (0 when the problem is the file as a whole).
        line: u64,
        /// What is wrong and what to do.
        message: String,
    },
    /// A vocabulary file does not match its matrix.
    #[error("{}: {message}", .path.display())]
    BadVocabulary {
        /// The vocabulary file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A document (a line, or a whole file) longer than the limit of
    /// [`ReadOptions::max_doc_bytes`](super::ReadOptions::max_doc_bytes).
    #[error("{}: a document longer than {}, the limit of --max-doc-bytes: is it the right file and format? (a binary file, a file without line ends, JSON that is not one object a line); for a real document this long, raise --max-doc-bytes", location(.path, *.line), super::limits::bytes_text(*.limit))]
    TooLarge {
        /// The input.
        path: PathBuf,
        /// 1-based line number (0 when the document is the whole file).
        line: u64,
        /// The limit, in bytes.
        limit: usize,
    },
    /// Inputs that cannot be combined.
    #[error("{0}")]
    Usage(String),
}

/// Where a time that does not parse was found, and why it does not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadTimeValue {
    /// The document's id.
    pub id: String,
    /// The field or column.
    pub field: String,
    /// The value, as JSON (a table's cell as a string).
    pub value: String,
    /// Why it is not a time, and what is.
    pub why: super::TimeError,
}

/// `FILE, line N`, or `FILE` alone for line 0 (the file as a whole).
fn location(path: &std::path::Path, line: u64) -> String {
    match line {
        0 => path.display().to_string(),
        n => format!("{}, line {n}", path.display()),
    }
}

/// What a table's header holds, for a message about a missing column.
fn header_note(header: &[String]) -> String {
    if header.iter().all(|h| h.trim().is_empty()) {
        return "the file has no header row: a table's first row must name its columns".into();
    }
    let quoted: Vec<String> = header.iter().map(|h| format!("\"{h}\"")).collect();
    format!(
        "the header names {}; a table's first row must name its columns",
        quoted.join(", ")
    )
}

impl CorpusError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: io::Error) -> Self {
        CorpusError::Io {
            path: path.into(),
            source,
        }
    }
}

/// Something the user should know about an input that did not stop the reading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Warning {
    /// Bytes that are not UTF-8 were replaced by U+FFFD.
    InvalidUtf8 {
        /// The input.
        path: PathBuf,
        /// How many invalid sequences were replaced.
        sequences: u64,
    },
    /// A file in a folder looks binary and was skipped.
    SkippedBinary {
        /// The file.
        path: PathBuf,
    },
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::InvalidUtf8 { path, sequences } => write!(
                f,
                "{}: {sequences} invalid UTF-8 sequence{} replaced by U+FFFD (is the file in another encoding? convert it with iconv)",
                path.display(),
                if *sequences == 1 { "" } else { "s" }
            ),
            Warning::SkippedBinary { path } => {
                write!(f, "{}: skipped, it looks like a binary file", path.display())
            }
        }
    }
}
