//! Table inputs: CSV and TSV (with a header row) and Parquet, one document a row, through the
//! library's reader and through the built binary.

use std::path::Path;
use std::sync::Arc;

use nmf_topics::corpus::{CorpusError, DocumentReader, Format, Input, ReadOptions, Warning};
use parquet::data_type::{ByteArray, ByteArrayType, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;

use crate::readers::{doc, read_all, write, write_gz};
use crate::util::{self, arg};

fn options(text: &[&str], label: Option<&str>) -> ReadOptions {
    ReadOptions {
        text_fields: text.iter().map(|t| t.to_string()).collect(),
        label_field: label.map(str::to_owned),
        ..ReadOptions::default()
    }
}

/// The error of reading `path` with `options` (at opening, or at the first bad row).
fn read_error(path: &Path, options: ReadOptions) -> CorpusError {
    match DocumentReader::new(vec![Input::Path(path.to_owned())], options) {
        Err(e) => e,
        Ok(reader) => reader
            .into_iter()
            .find_map(Result::err)
            .expect("reading fails"),
    }
}

// ---------------------------------------------------------------------------------------------
// CSV and TSV

#[test]
fn csv_rows_are_documents_with_their_columns() {
    let dir = util::tempdir();
    let file = write(
        dir.path(),
        "packages.csv",
        "\u{feff}id,title,text,section\n\
         zsh,Z shell,\"A shell, with \"\"globbing\"\"\nand more.\",shells\n\
         \n\
         vim,,An editor.,editors\n",
    );
    let (docs, warnings) = read_all(vec![Input::Path(file)], options(&["text"], Some("section")));
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(
        docs,
        [
            doc(
                "zsh",
                Some("Z shell"),
                Some("shells"),
                "A shell, with \"globbing\"\nand more."
            ),
            // An empty cell is no title.
            doc("vim", None, Some("editors"), "An editor."),
        ]
    );
}

#[test]
fn a_row_without_an_id_column_is_named_by_the_line_it_starts_on() {
    let dir = util::tempdir();
    let file = write(
        dir.path(),
        "notes.csv",
        "text\nfirst note\n\"second\nnote on two lines\"\nthird note\n",
    );
    let (docs, _) = read_all(vec![Input::Path(file)], ReadOptions::default());
    let ids: Vec<&str> = docs.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, ["2", "3", "5"], "the header is line 1");
}

#[test]
fn tsv_and_gzip_are_known_by_the_name_and_the_content() {
    let dir = util::tempdir();
    let file = write_gz(
        dir.path(),
        "notes.tsv.gz",
        "id\ttext\na\tcommas, stay inside\nb\tsecond row\n",
    );
    assert_eq!(Format::of_path(&file), Format::Tsv);
    assert_eq!(Format::of_path(Path::new("x.CSV")), Format::Csv);
    assert_eq!(Format::of_path(Path::new("x.parquet")), Format::Parquet);
    let (docs, _) = read_all(vec![Input::Path(file)], ReadOptions::default());
    assert_eq!(
        docs,
        [
            doc("a", None, None, "commas, stay inside"),
            doc("b", None, None, "second row")
        ]
    );
}

#[test]
fn repeated_text_fields_are_joined_with_a_blank_line() {
    let dir = util::tempdir();
    let csv = write(
        dir.path(),
        "t.csv",
        "id,title,body\n1,Header files,for the kernel\n2,,only a body\n",
    );
    let (docs, _) = read_all(vec![Input::Path(csv)], options(&["title", "body"], None));
    assert_eq!(docs[0].text, "Header files\n\nfor the kernel");
    assert_eq!(docs[1].text, "only a body", "an empty cell adds nothing");

    let jsonl = write(
        dir.path(),
        "t.jsonl",
        "{\"id\": 1, \"title\": \"Header files\", \"body\": \"for the kernel\"}\n{\"id\": 2, \"body\": \"only a body\"}\n{\"id\": 3}\n",
    );
    let mut reader =
        DocumentReader::new(vec![Input::Path(jsonl)], options(&["title", "body"], None)).unwrap();
    assert_eq!(
        reader.next().unwrap().unwrap().text,
        "Header files\n\nfor the kernel"
    );
    assert_eq!(reader.next().unwrap().unwrap().text, "only a body");
    let err = reader.next().unwrap().unwrap_err();
    assert!(
        matches!(&err, CorpusError::MissingText { line: 3, .. }),
        "{err:?}"
    );
}

#[test]
fn a_missing_column_is_an_error_naming_the_file_the_column_and_the_header() {
    let dir = util::tempdir();
    let file = write(dir.path(), "t.csv", "id,body\n1,some text\n");
    let err = read_error(&file, ReadOptions::default());
    let message = err.to_string();
    assert!(
        matches!(&err, CorpusError::MissingColumn { column, option: "--text-field", .. } if column == "text"),
        "{err:?}"
    );
    assert!(message.contains("t.csv"), "{message}");
    assert!(message.contains("\"id\", \"body\""), "{message}");
    assert!(message.contains("--text-field"), "{message}");

    // A table without a header: its first row is taken for one, and the message says so.
    let headless = write(dir.path(), "h.csv", "1,some text\n2,more text\n");
    let message = read_error(&headless, ReadOptions::default()).to_string();
    assert!(
        message.contains("first row must name its columns"),
        "{message}"
    );

    // The default id and title columns may be absent; columns named otherwise may not.
    let ok = write(dir.path(), "ok.csv", "text\nsome text\n");
    assert_eq!(
        read_all(vec![Input::Path(ok.clone())], ReadOptions::default())
            .0
            .len(),
        1
    );
    for (options, option) in [
        (
            ReadOptions {
                id_field: "name".into(),
                ..ReadOptions::default()
            },
            "--id-field",
        ),
        (
            ReadOptions {
                title_field: "heading".into(),
                ..ReadOptions::default()
            },
            "--title-field",
        ),
        (options(&["text"], Some("section")), "--label-field"),
    ] {
        let err = read_error(&ok, options);
        assert!(
            matches!(&err, CorpusError::MissingColumn { option: o, .. } if *o == option),
            "{err:?}"
        );
    }
    let empty = write(dir.path(), "empty.csv", "");
    let message = read_error(&empty, ReadOptions::default()).to_string();
    assert!(message.contains("no header row"), "{message}");
}

#[test]
fn a_row_of_the_wrong_width_is_an_error_naming_its_line() {
    let dir = util::tempdir();
    let file = write(
        dir.path(),
        "t.csv",
        "id,text\n1,fine\n2,\"two\nlines\"\n3,a, comma unquoted\n",
    );
    let mut reader = DocumentReader::new(vec![Input::Path(file)], ReadOptions::default()).unwrap();
    assert!(reader.next().unwrap().is_ok());
    assert!(reader.next().unwrap().is_ok());
    let err = reader.next().unwrap().unwrap_err();
    assert!(
        matches!(&err, CorpusError::BadRow { line: 5, .. }),
        "{err:?}"
    );
    let message = err.to_string();
    assert!(
        message.contains("t.csv, line 5: 3 fields where the header has 2"),
        "{message}"
    );
    assert!(reader.next().is_none(), "reading stops at the error");
}

#[test]
fn invalid_utf8_in_a_table_is_replaced_with_a_warning() {
    let dir = util::tempdir();
    let file = write(
        dir.path(),
        "t.csv",
        b"id,text\n1,caf\xe9 au lait\n".as_slice(),
    );
    let (docs, warnings) = read_all(vec![Input::Path(file.clone())], ReadOptions::default());
    assert_eq!(docs[0].text, "caf\u{fffd} au lait");
    assert_eq!(
        warnings,
        [Warning::InvalidUtf8 {
            path: file,
            sequences: 1
        }]
    );
}

// ---------------------------------------------------------------------------------------------
// Parquet

/// A column to write: its values, `None` for null.
enum Column<'a> {
    Text(Vec<Option<&'a str>>),
    Long(Vec<Option<i64>>),
}

/// Writes a Parquet file of one row group per `groups` entry, with the schema `message` (its
/// columns in the order of each group's columns), dictionary encoding on or off.
fn write_parquet(path: &Path, message: &str, groups: &[Vec<Column>], dictionary: bool) {
    let schema = Arc::new(parse_message_type(message).unwrap());
    let props = Arc::new(
        WriterProperties::builder()
            .set_dictionary_enabled(dictionary)
            .set_compression(parquet::basic::Compression::SNAPPY)
            .build(),
    );
    let file = std::fs::File::create(path).unwrap();
    let mut writer = SerializedFileWriter::new(file, schema, props).unwrap();
    for columns in groups {
        let mut group = writer.next_row_group().unwrap();
        for column in columns {
            let mut out = group.next_column().unwrap().expect("a column to write");
            match column {
                Column::Text(values) => {
                    let (levels, present) = levels(values);
                    let present: Vec<ByteArray> =
                        present.iter().map(|s| ByteArray::from(*s)).collect();
                    out.typed::<ByteArrayType>()
                        .write_batch(&present, Some(&levels), None)
                        .unwrap();
                }
                Column::Long(values) => {
                    let (levels, present) = levels(values);
                    out.typed::<Int64Type>()
                        .write_batch(&present, Some(&levels), None)
                        .unwrap();
                }
            }
            out.close().unwrap();
        }
        group.close().unwrap();
    }
    writer.close().unwrap();
}

/// Definition levels (1: a value, 0: null) and the values present.
fn levels<T: Copy>(values: &[Option<T>]) -> (Vec<i16>, Vec<T>) {
    (
        values.iter().map(|v| i16::from(v.is_some())).collect(),
        values.iter().flatten().copied().collect(),
    )
}

const PACKAGES: &str = "message schema {
    OPTIONAL INT64 id;
    OPTIONAL BYTE_ARRAY title (UTF8);
    OPTIONAL BYTE_ARRAY text (UTF8);
    OPTIONAL BYTE_ARRAY section (UTF8);
    OPTIONAL INT64 size;
}";

fn packages(dir: &Path, dictionary: bool) -> std::path::PathBuf {
    let path = dir.join("packages.parquet");
    let group = |ids: Vec<Option<i64>>, titles, texts, sections| {
        vec![
            Column::Long(ids),
            Column::Text(titles),
            Column::Text(texts),
            Column::Text(sections),
            Column::Long(vec![Some(7); 2]),
        ]
    };
    write_parquet(
        &path,
        PACKAGES,
        &[
            group(
                vec![Some(10), Some(11)],
                vec![Some("Z shell"), None],
                vec![Some("A shell with globbing."), Some("An editor.")],
                vec![Some("shells"), Some("editors")],
            ),
            group(
                vec![None, Some(13)],
                vec![Some("Web server"), Some("Null text")],
                vec![Some("A fast web server."), None],
                vec![Some("web"), Some("web")],
            ),
        ],
        dictionary,
    );
    path
}

#[test]
fn parquet_rows_are_documents_plain_or_dictionary_encoded() {
    for dictionary in [false, true] {
        let dir = util::tempdir();
        let path = packages(dir.path(), dictionary);
        let (docs, warnings) = read_all(
            vec![Input::Path(path)],
            options(&["title", "text"], Some("section")),
        );
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(
            docs,
            [
                doc(
                    "10",
                    Some("Z shell"),
                    Some("shells"),
                    "Z shell\n\nA shell with globbing."
                ),
                doc("11", None, Some("editors"), "An editor."),
                // No id: the row number, counted over the row groups.
                doc(
                    "3",
                    Some("Web server"),
                    Some("web"),
                    "Web server\n\nA fast web server."
                ),
                // A null text is an empty one.
                doc("13", Some("Null text"), Some("web"), "Null text"),
            ],
            "dictionary encoding {dictionary}"
        );
    }
}

#[test]
fn parquet_columns_that_are_missing_or_not_text_are_clear_errors() {
    let dir = util::tempdir();
    let path = packages(dir.path(), true);
    let err = read_error(&path, options(&["body"], None));
    assert!(
        matches!(&err, CorpusError::MissingColumn { column, .. } if column == "body"),
        "{err:?}"
    );
    let message = read_error(&path, options(&["size"], None)).to_string();
    assert!(
        message.contains("packages.parquet: column \"size\" holds int64 values, not text"),
        "{message}"
    );
    // A number is fine as an id or a label.
    let (docs, _) = read_all(
        vec![Input::Path(path)],
        ReadOptions {
            id_field: "size".into(),
            label_field: Some("id".into()),
            ..ReadOptions::default()
        },
    );
    assert_eq!(docs[0].id, "7");
    assert_eq!(docs[0].label.as_deref(), Some("10"));

    let fake = write(dir.path(), "fake.parquet", "id,text\n1,not parquet\n");
    let message = read_error(&fake, ReadOptions::default()).to_string();
    assert!(
        message.starts_with(&format!("{}: not a Parquet file", fake.display())),
        "{message}"
    );
}

// ---------------------------------------------------------------------------------------------
// The binary

/// The ids of the documents of `fit`'s JSON report.
fn fitted_ids(args: &[&str]) -> Vec<String> {
    let mut all = vec![
        "fit",
        "-k",
        "2",
        "--min-df",
        "1",
        "--max-iter",
        "20",
        "--quiet",
        "--json",
        "-",
    ];
    all.extend_from_slice(args);
    let out = util::run_ok(&all);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    report["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap().to_owned())
        .collect()
}

const ROWS: &str = "name\tbody\tkind
a\tthe kernel module loads drivers for the kernel\tkernel
b\tkernel drivers and kernel module headers\tkernel
c\ta web server and a web proxy for the web\tweb
d\tweb server with web sockets and a web cache\tweb
";

#[test]
fn fit_reads_csv_tsv_and_parquet_one_document_a_row() {
    let dir = util::tempdir();
    let tsv = write(dir.path(), "rows.tsv", ROWS);
    let csv = write(dir.path(), "rows.csv", ROWS.replace('\t', ","));
    let fields = [
        "--id-field",
        "name",
        "--text-field",
        "body",
        "--label-field",
        "kind",
    ];
    let expected = ["a", "b", "c", "d"];
    for file in [&tsv, &csv] {
        let mut args = vec![arg(file)];
        args.extend_from_slice(&fields);
        assert_eq!(fitted_ids(&args), expected, "{}", file.display());
    }
    // By --format, whatever the name; and from standard input.
    let named = write(dir.path(), "rows.txt", ROWS);
    let mut args = vec![arg(&named), "--format", "tsv"];
    args.extend_from_slice(&fields);
    assert_eq!(fitted_ids(&args), expected);
    let out = util::run_with_stdin(
        &[
            "fit",
            "-",
            "--format",
            "csv",
            "-k",
            "2",
            "--min-df",
            "1",
            "--quiet",
            "--json",
            "-",
            "--text-field",
            "body",
            "--id-field",
            "name",
        ],
        ROWS.replace('\t', ",").as_bytes(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", util::stderr(&out));

    let parquet = dir.path().join("rows.parquet");
    let rows: Vec<Vec<&str>> = ROWS
        .lines()
        .skip(1)
        .map(|l| l.split('\t').collect())
        .collect();
    let column = |i: usize| Column::Text(rows.iter().map(|r| Some(r[i])).collect());
    write_parquet(
        &parquet,
        "message m { REQUIRED BYTE_ARRAY name (UTF8); REQUIRED BYTE_ARRAY body (UTF8); REQUIRED BYTE_ARRAY kind (UTF8); }",
        &[vec![column(0), column(1), column(2)]],
        true,
    );
    let mut args = vec![arg(&parquet)];
    args.extend_from_slice(&fields);
    assert_eq!(fitted_ids(&args), expected);

    // Parquet needs a file it can seek in.
    let bytes = std::fs::read(&parquet).unwrap();
    let out = util::run_with_stdin(&["fit", "-", "--format", "parquet", "--quiet"], &bytes);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        util::stderr(&out).contains("cannot be read from standard input"),
        "{}",
        util::stderr(&out)
    );
}

#[test]
fn fit_of_a_table_with_a_bad_row_or_column_fails_clearly() {
    let dir = util::tempdir();
    let csv = write(dir.path(), "rows.csv", "id,text\n1,fine text\n2,too,many\n");
    let err = util::run_err(&["fit", arg(&csv), "--quiet"]);
    assert!(
        err.contains("rows.csv, line 3: 3 fields where the header has 2"),
        "{err}"
    );
    let err = util::run_err(&["fit", arg(&csv), "--quiet", "--text-field", "body"]);
    assert!(err.contains("no column \"body\""), "{err}");
    assert!(util::files_in(dir.path()) == ["rows.csv"]);
}
