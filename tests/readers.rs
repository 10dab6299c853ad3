//! Readers through the library API: folders, JSON Lines, lines, plain files, gzip, UTF-8
//! repair, Matrix Market, and how errors end the iteration.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use nmf_topics::corpus::{
    read_matrix_market, CorpusError, Document, DocumentReader, Format, Input, MatrixMarketOptions,
    ReadOptions, Warning,
};
use nmf_topics::BagOfWords;

use crate::util;

// ---------------------------------------------------------------------------------------------
// Folders

#[test]
fn folder_reads_txt_and_md_recursively_with_sorted_relative_ids() {
    let dir = util::tempdir();
    let root = dir.path().join("corpus");
    write(&root, "b.txt", "bravo text");
    write(&root, "a.md", "# alpha markdown");
    write(&root, "sub/e.txt", "echo text");
    write(&root, "sub/deeper/d.md", "delta markdown");
    write(&root, "sub/c.TXT", "charlie upper-case extension");
    write_gz(&root, "sub/f.txt.gz", "foxtrot compressed");
    // Not text files: ignored.
    write(&root, "notes.csv", "x,y");
    write(&root, "sub/data.json", "{\"text\": \"no\"}");
    write(&root, "README", "no extension");
    write(&root, "sub/deeper/image.png", "not an image either");

    let (docs, warnings) = read_all(vec![Input::Path(root.clone())], ReadOptions::default());
    assert!(warnings.is_empty(), "{warnings:?}");
    let ids: Vec<&str> = docs.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "a.md",
            "b.txt",
            "sub/c.TXT",
            "sub/deeper/d.md",
            "sub/e.txt",
            "sub/f.txt.gz"
        ]
    );
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted, "documents come in path order");
    let text: BTreeMap<&str, &str> = docs
        .iter()
        .map(|d| (d.id.as_str(), d.text.as_str()))
        .collect();
    assert_eq!(text["a.md"], "# alpha markdown");
    assert_eq!(text["sub/deeper/d.md"], "delta markdown");
    assert_eq!(
        text["sub/f.txt.gz"], "foxtrot compressed",
        "a .txt.gz file is read decompressed"
    );
    assert!(docs.iter().all(|d| d.title.is_none() && d.label.is_none()));
}

#[test]
fn folder_skips_binary_files_with_a_warning() {
    let dir = util::tempdir();
    write(dir.path(), "a.txt", "alpha");
    write(dir.path(), "x.txt", b"PK\x03\x04\x00\x00binary".as_slice());
    write(dir.path(), "z.txt", "zulu");
    let (docs, warnings) = read_all(
        vec![Input::Path(dir.path().to_owned())],
        ReadOptions::default(),
    );
    let ids: Vec<&str> = docs.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, ["a.txt", "z.txt"]);
    assert_eq!(
        warnings,
        [Warning::SkippedBinary {
            path: dir.path().join("x.txt")
        }]
    );
}

#[test]
fn folder_without_text_files_is_an_error_at_once() {
    let dir = util::tempdir();
    write(dir.path(), "a.csv", "a,b");
    write(dir.path(), "sub/b.json", "{}");
    let err = DocumentReader::new(
        vec![Input::Path(dir.path().to_owned())],
        ReadOptions::default(),
    )
    .err()
    .expect("a folder without .txt/.md files is refused");
    assert!(
        matches!(&err, CorpusError::EmptyFolder { path } if path == dir.path()),
        "{err:?}"
    );
}

#[test]
fn missing_path_is_an_error_at_once() {
    let dir = util::tempdir();
    let missing = dir.path().join("nope.jsonl");
    let err = DocumentReader::new(vec![Input::Path(missing.clone())], ReadOptions::default())
        .err()
        .expect("a missing path is refused");
    assert!(
        matches!(&err, CorpusError::Missing { path } if *path == missing),
        "{err:?}"
    );
}

#[test]
fn matrix_market_file_is_refused_by_the_document_reader() {
    let dir = util::tempdir();
    let mtx = write(
        dir.path(),
        "m.mtx",
        "%%MatrixMarket matrix coordinate integer general\n1 1 1\n1 1 1\n",
    );
    let err = DocumentReader::new(vec![Input::Path(mtx)], ReadOptions::default())
        .err()
        .expect("a .mtx file is not a document input");
    assert!(matches!(err, CorpusError::Usage(_)), "{err:?}");
}

// ---------------------------------------------------------------------------------------------
// JSON Lines

#[test]
fn jsonl_reads_id_title_and_label_fields() {
    let dir = util::tempdir();
    let file = write(
        dir.path(),
        "c.jsonl",
        concat!(
            r#"{"id": "alpha", "title": "First", "category": "news", "text": "one"}"#,
            "\n",
            r#"{"id": 7, "text": "two", "category": 3}"#,
            "\n",
            "\n",
            r#"{"text": "four", "title": "Fourth"}"#,
            "\n",
            "   \t \n",
            r#"{"text": "six", "id": null}"#,
            "\n",
        ),
    );
    let options = ReadOptions {
        label_field: Some("category".into()),
        ..ReadOptions::default()
    };
    let (docs, warnings) = read_all(vec![Input::Path(file)], options);
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(
        docs,
        [
            doc("alpha", Some("First"), Some("news"), "one"),
            doc("7", None, Some("3"), "two"),
            // No id: the 1-based line number, blank lines counted.
            doc("4", Some("Fourth"), None, "four"),
            doc("6", None, None, "six"),
        ]
    );
}

#[test]
fn jsonl_reads_times_from_the_time_field_and_none_where_it_is_absent() {
    let dir = util::tempdir();
    let file = write(
        dir.path(),
        "t.jsonl",
        concat!(
            "{\"id\": \"a\", \"text\": \"x\", \"date\": \"2021-06-01\"}\n",
            "{\"id\": \"b\", \"text\": \"x\", \"date\": 2019}\n",
            "{\"id\": \"c\", \"text\": \"x\"}\n",
            "{\"id\": \"d\", \"text\": \"x\", \"date\": null}\n",
            "{\"id\": \"e\", \"text\": \"x\", \"date\": 1709649000}\n",
        ),
    );
    let options = ReadOptions {
        time_field: Some("date".into()),
        ..ReadOptions::default()
    };
    let (docs, _) = read_all(vec![Input::Path(file.clone())], options);
    let times: Vec<Option<String>> = docs.iter().map(|d| d.time.map(|t| t.to_string())).collect();
    assert_eq!(
        times,
        [
            Some("2021-06-01T00:00:00Z".to_owned()),
            Some("2019-01-01T00:00:00Z".to_owned()),
            None,
            None,
            Some("2024-03-05T14:30:00Z".to_owned()),
        ]
    );
    // Without --time-field the field is another field.
    let (docs, _) = read_all(vec![Input::Path(file)], ReadOptions::default());
    assert!(docs.iter().all(|d| d.time.is_none()));
}

#[test]
fn a_time_that_does_not_parse_is_an_error_naming_the_document() {
    let dir = util::tempdir();
    let file = write(
        dir.path(),
        "t.jsonl",
        "{\"id\": \"a\", \"text\": \"x\", \"date\": \"2021-06-01\"}\n\
         {\"id\": \"pkg-b\", \"text\": \"x\", \"date\": \"2021-02-30\"}\n",
    );
    let options = ReadOptions {
        time_field: Some("date".into()),
        ..ReadOptions::default()
    };
    let mut reader = DocumentReader::new(vec![Input::Path(file)], options).unwrap();
    assert!(reader.next().unwrap().is_ok());
    let err = reader.next().unwrap().unwrap_err();
    assert!(
        matches!(err, CorpusError::BadTime { line: 2, .. }),
        "{err:?}"
    );
    let message = err.to_string();
    for part in [
        "t.jsonl, line 2",
        "document \"pkg-b\"",
        "field \"date\"",
        "\"2021-02-30\"",
        "no day 30",
        "write ISO 8601",
    ] {
        assert!(message.contains(part), "{part}: {message}");
    }
    assert!(reader.next().is_none(), "reading stops at the error");
}

#[test]
fn jsonl_without_label_field_has_no_labels() {
    let dir = util::tempdir();
    let file = write(
        dir.path(),
        "c.jsonl",
        "{\"id\": \"a\", \"label\": \"x\", \"text\": \"one\"}\n",
    );
    let (docs, _) = read_all(vec![Input::Path(file)], ReadOptions::default());
    assert_eq!(docs, [doc("a", None, None, "one")]);
}

#[test]
fn jsonl_custom_text_id_and_title_fields() {
    let dir = util::tempdir();
    let file = write(
        dir.path(),
        "c.ndjson",
        concat!(
            r#"{"name": "n1", "heading": "H1", "body": "first body", "text": "not this"}"#,
            "\n",
            r#"{"name": "n2", "body": "second body"}"#,
            "\n",
        ),
    );
    let options = ReadOptions {
        text_fields: vec!["body".into()],
        id_field: "name".into(),
        title_field: "heading".into(),
        ..ReadOptions::default()
    };
    let (docs, _) = read_all(vec![Input::Path(file.clone())], options);
    assert_eq!(
        docs,
        [
            doc("n1", Some("H1"), None, "first body"),
            doc("n2", None, None, "second body"),
        ]
    );

    // With the default text field, the second line has no text.
    let mut reader = DocumentReader::new(vec![Input::Path(file)], ReadOptions::default()).unwrap();
    assert_eq!(reader.next().unwrap().unwrap().text, "not this");
    let err = reader.next().unwrap().unwrap_err();
    assert!(
        matches!(&err, CorpusError::MissingText { line: 2, field, .. } if field == "text"),
        "{err:?}"
    );
}

#[test]
fn jsonl_gzip_compressed_is_read() {
    let dir = util::tempdir();
    let content = "{\"id\": \"a\", \"text\": \"alpha\"}\n\n{\"text\": \"gamma\"}\n";
    let file = write_gz(dir.path(), "c.jsonl.gz", content);
    let (docs, _) = read_all(vec![Input::Path(file)], ReadOptions::default());
    assert_eq!(
        docs,
        [doc("a", None, None, "alpha"), doc("3", None, None, "gamma")]
    );
}

#[test]
fn gzip_is_recognised_by_its_magic_bytes_not_its_name() {
    let dir = util::tempdir();
    let file = write_gz(
        dir.path(),
        "c.jsonl",
        "{\"id\": \"a\", \"text\": \"alpha\"}\n",
    );
    let (docs, _) = read_all(vec![Input::Path(file)], ReadOptions::default());
    assert_eq!(docs, [doc("a", None, None, "alpha")]);
}

#[test]
fn jsonl_with_crlf_line_endings() {
    let dir = util::tempdir();
    let file = write(
        dir.path(),
        "c.jsonl",
        "{\"id\": \"a\", \"text\": \"alpha\"}\r\n\r\n{\"text\": \"gamma\"}\r\n",
    );
    let (docs, _) = read_all(vec![Input::Path(file)], ReadOptions::default());
    assert_eq!(
        docs,
        [doc("a", None, None, "alpha"), doc("3", None, None, "gamma")]
    );
}

#[test]
fn jsonl_bad_line_is_an_error_naming_file_and_line() {
    let dir = util::tempdir();
    let file = write(
        dir.path(),
        "c.jsonl",
        "{\"text\": \"one\"}\n\n{\"text\": oops}\n{\"text\": \"four\"}\n",
    );
    let mut reader =
        DocumentReader::new(vec![Input::Path(file.clone())], ReadOptions::default()).unwrap();
    assert_eq!(reader.next().unwrap().unwrap().text, "one");
    let err = reader.next().unwrap().unwrap_err();
    assert!(
        matches!(&err, CorpusError::BadJson { path, line: 3, .. } if *path == file),
        "{err:?}"
    );
    let message = err.to_string();
    assert!(
        message.contains("c.jsonl") && message.contains("line 3"),
        "{message}"
    );
}

#[test]
fn jsonl_line_that_is_not_an_object_is_an_error() {
    let dir = util::tempdir();
    let file = write(dir.path(), "c.jsonl", "[\"text\", \"one\"]\n");
    let mut reader = DocumentReader::new(vec![Input::Path(file)], ReadOptions::default()).unwrap();
    let err = reader.next().unwrap().unwrap_err();
    assert!(
        matches!(err, CorpusError::BadJson { line: 1, .. }),
        "{err:?}"
    );
}

#[test]
fn jsonl_text_that_is_not_a_string_is_missing_text() {
    let dir = util::tempdir();
    let file = write(dir.path(), "c.jsonl", "{\"text\": 42}\n");
    let mut reader = DocumentReader::new(vec![Input::Path(file)], ReadOptions::default()).unwrap();
    let err = reader.next().unwrap().unwrap_err();
    assert!(
        matches!(err, CorpusError::MissingText { line: 1, .. }),
        "{err:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Lines and plain files

#[test]
fn lines_format_gives_one_document_per_non_blank_line() {
    let dir = util::tempdir();
    let file = write(
        dir.path(),
        "posts.txt",
        "first post\n\nthird post\r\n  \nfifth post",
    );
    let options = ReadOptions {
        format: Format::Lines,
        ..ReadOptions::default()
    };
    let (docs, _) = read_all(vec![Input::Path(file)], options);
    assert_eq!(
        docs,
        [
            doc("1", None, None, "first post"),
            doc("3", None, None, "third post"),
            doc("5", None, None, "fifth post"),
        ]
    );
}

#[test]
fn lines_format_applies_to_a_jsonl_name_too() {
    let dir = util::tempdir();
    let file = write(dir.path(), "c.jsonl", "{\"text\": \"one\"}\nplain\n");
    let options = ReadOptions {
        format: Format::Lines,
        ..ReadOptions::default()
    };
    let (docs, _) = read_all(vec![Input::Path(file)], options);
    assert_eq!(
        docs,
        [
            doc("1", None, None, "{\"text\": \"one\"}"),
            doc("2", None, None, "plain")
        ]
    );
}

#[test]
fn plain_text_file_is_one_document_named_by_its_path() {
    let dir = util::tempdir();
    let file = write(dir.path(), "essay.txt", "line one\n\nline three\n");
    let (docs, _) = read_all(vec![Input::Path(file.clone())], ReadOptions::default());
    assert_eq!(
        docs,
        [Document {
            id: file.to_string_lossy().into_owned(),
            title: None,
            label: None,
            time: None,
            text: "line one\n\nline three\n".into(),
        }]
    );
}

#[test]
fn several_inputs_are_read_in_order() {
    let dir = util::tempdir();
    let a = write(
        dir.path(),
        "a.jsonl",
        "{\"id\": \"j\", \"text\": \"json\"}\n",
    );
    let b = write(dir.path(), "b.txt", "plain");
    let folder = dir.path().join("f");
    write(&folder, "x.md", "markdown");
    let (docs, _) = read_all(
        vec![Input::Path(b.clone()), Input::Path(a), Input::Path(folder)],
        ReadOptions::default(),
    );
    let ids: Vec<String> = docs.iter().map(|d| d.id.clone()).collect();
    assert_eq!(
        ids,
        [b.to_string_lossy().into_owned(), "j".into(), "x.md".into()]
    );
}

// ---------------------------------------------------------------------------------------------
// UTF-8

/// Three invalid sequences: a lone 0xFF, a truncated 3-byte sequence, a lead byte before ASCII.
const INVALID_UTF8: &[u8] = b"ok \xff then \xe2\x82 and \xc3( end";

#[test]
fn invalid_utf8_is_replaced_and_counted_in_a_plain_file() {
    let dir = util::tempdir();
    let file = write(dir.path(), "latin.txt", INVALID_UTF8);
    let mut reader =
        DocumentReader::new(vec![Input::Path(file.clone())], ReadOptions::default()).unwrap();
    let docs: Vec<Document> = reader.by_ref().map(Result::unwrap).collect();
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0].text, "ok \u{FFFD} then \u{FFFD} and \u{FFFD}( end");
    assert_eq!(
        reader.take_warnings(),
        [Warning::InvalidUtf8 {
            path: file,
            sequences: 3
        }]
    );
    assert!(reader.take_warnings().is_empty(), "warnings are taken once");
}

#[test]
fn invalid_utf8_in_a_folder_file_is_warned_with_its_path() {
    let dir = util::tempdir();
    write(dir.path(), "good.txt", "fine");
    let bad = write(dir.path(), "latin.txt", b"caf\xe9 cr\xe8me".as_slice());
    let (docs, warnings) = read_all(
        vec![Input::Path(dir.path().to_owned())],
        ReadOptions::default(),
    );
    assert_eq!(docs.len(), 2);
    assert_eq!(docs[1].text, "caf\u{FFFD} cr\u{FFFD}me");
    assert_eq!(
        warnings,
        [Warning::InvalidUtf8 {
            path: bad,
            sequences: 2
        }]
    );
}

#[test]
fn invalid_utf8_in_lines_is_summed_over_the_file_and_warned_once() {
    let dir = util::tempdir();
    let mut content = b"first \xff line\n".to_vec();
    content.extend_from_slice(b"clean line\n");
    content.extend_from_slice(INVALID_UTF8);
    content.push(b'\n');
    let file = write(dir.path(), "lines.txt", content);
    let options = ReadOptions {
        format: Format::Lines,
        ..ReadOptions::default()
    };
    let (docs, warnings) = read_all(vec![Input::Path(file.clone())], options);
    assert_eq!(docs.len(), 3);
    assert_eq!(docs[0].text, "first \u{FFFD} line");
    assert_eq!(docs[1].text, "clean line");
    assert_eq!(docs[2].text.matches('\u{FFFD}').count(), 3);
    assert_eq!(
        warnings,
        [Warning::InvalidUtf8 {
            path: file,
            sequences: 4
        }]
    );
}

#[test]
fn valid_utf8_gives_no_warning() {
    let dir = util::tempdir();
    let file = write(dir.path(), "ok.txt", "crème brûlée, Ελληνικά, 日本語 ✓");
    let (docs, warnings) = read_all(vec![Input::Path(file)], ReadOptions::default());
    assert_eq!(docs[0].text, "crème brûlée, Ελληνικά, 日本語 ✓");
    assert!(warnings.is_empty(), "{warnings:?}");
}

// ---------------------------------------------------------------------------------------------
// Errors end the iteration

#[test]
fn reader_yields_none_after_an_error() {
    let dir = util::tempdir();
    let bad = write(
        dir.path(),
        "a.jsonl",
        "{\"text\": \"one\"}\nnot json\n{\"text\": \"three\"}\n",
    );
    let good = write(dir.path(), "b.jsonl", "{\"text\": \"other file\"}\n");
    let mut reader = DocumentReader::new(
        vec![Input::Path(bad), Input::Path(good)],
        ReadOptions::default(),
    )
    .unwrap();
    assert_eq!(reader.next().unwrap().unwrap().text, "one");
    assert!(matches!(
        reader.next(),
        Some(Err(CorpusError::BadJson { line: 2, .. }))
    ));
    assert!(reader.next().is_none(), "no document after an error");
    assert!(reader.next().is_none(), "still none");
}

// ---------------------------------------------------------------------------------------------
// Matrix Market

/// A 3 words × 2 documents integer matrix:
///
/// ```text
///        d1 d2
///   w1 [  2  0 ]
///   w2 [  0  1 ]
///   w3 [  5  4 ]
/// ```
const MATRIX_3X2: &str = "%%MatrixMarket matrix coordinate integer general
% a comment
3 2 4
1 1 2
3 1 5
2 2 1
3 2 4
";

#[test]
fn matrix_market_reads_words_by_documents_counts() {
    let dir = util::tempdir();
    let file = write(dir.path(), "m.mtx", MATRIX_3X2);
    let bag = read_matrix_market(&file, &MatrixMarketOptions::default()).unwrap();
    assert_eq!(bag.n_documents(), 2);
    assert_eq!(bag.terms(), ["w1", "w2", "w3"]);
    assert_eq!(ids(&bag), ["1", "2"]);
    assert_eq!(counts(&bag, 0), [("w1", 2.0), ("w3", 5.0)].into());
    assert_eq!(counts(&bag, 1), [("w2", 1.0), ("w3", 4.0)].into());
    assert_eq!(bag.document_tokens(0), 7.0);
    assert_eq!(bag.document_tokens(1), 5.0);
}

#[test]
fn matrix_market_transpose_reads_documents_by_words() {
    let dir = util::tempdir();
    let file = write(dir.path(), "m.mtx", MATRIX_3X2);
    let options = MatrixMarketOptions {
        transpose: true,
        ..MatrixMarketOptions::default()
    };
    let bag = read_matrix_market(&file, &options).unwrap();
    assert_eq!(bag.n_documents(), 3);
    assert_eq!(bag.terms(), ["w1", "w2"]);
    assert_eq!(ids(&bag), ["1", "2", "3"]);
    assert_eq!(counts(&bag, 0), [("w1", 2.0)].into());
    assert_eq!(counts(&bag, 1), [("w2", 1.0)].into());
    assert_eq!(counts(&bag, 2), [("w1", 5.0), ("w2", 4.0)].into());
}

#[test]
fn matrix_market_gzip_compressed_is_read() {
    let dir = util::tempdir();
    let file = write_gz(dir.path(), "m.mtx.gz", MATRIX_3X2);
    write(dir.path(), "m.vocab.txt", "apple\nbanana\ncherry\n");
    let bag = read_matrix_market(&file, &MatrixMarketOptions::default()).unwrap();
    assert_eq!(bag.terms(), ["apple", "banana", "cherry"]);
    assert_eq!(counts(&bag, 1), [("banana", 1.0), ("cherry", 4.0)].into());
}

#[test]
fn matrix_market_sums_duplicate_entries() {
    let dir = util::tempdir();
    let file = write(
        dir.path(),
        "m.mtx",
        "%%MatrixMarket matrix coordinate real general\n2 2 4\n1 1 2\n2 2 1.5\n1 1 3\n2 2 0.5\n",
    );
    let bag = read_matrix_market(&file, &MatrixMarketOptions::default()).unwrap();
    assert_eq!(counts(&bag, 0), [("w1", 5.0)].into());
    assert_eq!(counts(&bag, 1), [("w2", 2.0)].into());
    assert_eq!(bag.document(0).len(), 1, "one entry per term");
}

#[test]
fn matrix_market_pattern_entries_count_one() {
    let dir = util::tempdir();
    let file = write(
        dir.path(),
        "m.mtx",
        "%%MatrixMarket matrix coordinate pattern general\n3 2 3\n1 1\n3 1\n2 2\n",
    );
    let bag = read_matrix_market(&file, &MatrixMarketOptions::default()).unwrap();
    assert_eq!(counts(&bag, 0), [("w1", 1.0), ("w3", 1.0)].into());
    assert_eq!(counts(&bag, 1), [("w2", 1.0)].into());
}

#[test]
fn matrix_market_header_is_case_insensitive_and_zero_entries_are_dropped() {
    let dir = util::tempdir();
    let file = write(
        dir.path(),
        "m.mtx",
        "%%matrixmarket MATRIX Coordinate Integer General\r\n2 2 3\r\n1 1 0\r\n2 1 3\r\n2 2 1\r\n",
    );
    let bag = read_matrix_market(&file, &MatrixMarketOptions::default()).unwrap();
    assert_eq!(counts(&bag, 0), [("w2", 3.0)].into());
    assert_eq!(counts(&bag, 1), [("w2", 1.0)].into());
}

#[test]
fn matrix_market_sibling_vocab_and_docs_files_name_words_and_documents() {
    let dir = util::tempdir();
    let file = write(dir.path(), "v.mtx", MATRIX_3X2);
    write(dir.path(), "v.vocab.txt", "apple\nbanana\ncherry\n");
    write(dir.path(), "v.docs.txt", "doc-a\ndoc-b\n");
    let bag = read_matrix_market(&file, &MatrixMarketOptions::default()).unwrap();
    assert_eq!(bag.terms(), ["apple", "banana", "cherry"]);
    assert_eq!(bag.display(), ["apple", "banana", "cherry"]);
    assert_eq!(ids(&bag), ["doc-a", "doc-b"]);
    assert_eq!(counts(&bag, 0), [("apple", 2.0), ("cherry", 5.0)].into());
}

#[test]
fn matrix_market_vocab_option_overrides_the_sibling() {
    let dir = util::tempdir();
    let file = write(dir.path(), "v.mtx", MATRIX_3X2);
    write(dir.path(), "v.vocab.txt", "apple\nbanana\ncherry\n");
    let other = write(dir.path(), "words.txt", "x\ny\nz\n");
    let options = MatrixMarketOptions {
        vocab: Some(other),
        ..MatrixMarketOptions::default()
    };
    let bag = read_matrix_market(&file, &options).unwrap();
    assert_eq!(bag.terms(), ["x", "y", "z"]);
}

#[test]
fn matrix_market_vocab_with_wrong_number_of_lines_is_an_error() {
    let dir = util::tempdir();
    let file = write(dir.path(), "v.mtx", MATRIX_3X2);
    let vocab = write(dir.path(), "v.vocab.txt", "apple\nbanana\n");
    let err = read_matrix_market(&file, &MatrixMarketOptions::default()).unwrap_err();
    assert!(
        matches!(&err, CorpusError::BadVocabulary { path, .. } if *path == vocab),
        "{err:?}"
    );
    // With --transpose the same matrix has 2 words: the same vocabulary now fits.
    let options = MatrixMarketOptions {
        transpose: true,
        ..MatrixMarketOptions::default()
    };
    let bag = read_matrix_market(&file, &options).unwrap();
    assert_eq!(bag.terms(), ["apple", "banana"]);
}

#[test]
fn matrix_market_docs_file_with_wrong_number_of_lines_is_an_error() {
    let dir = util::tempdir();
    let file = write(dir.path(), "v.mtx", MATRIX_3X2);
    let docs = write(dir.path(), "v.docs.txt", "a\nb\nc\n");
    let err = read_matrix_market(&file, &MatrixMarketOptions::default()).unwrap_err();
    assert!(
        matches!(&err, CorpusError::BadVocabulary { path, .. } if *path == docs),
        "{err:?}"
    );
}

#[test]
fn matrix_market_header_errors_are_on_line_1() {
    let cases = [
        ("not a header", "3 2 1\n1 1 1\n"),
        ("", ""),
        (
            "%%MatrixMarket matrix array integer general",
            "3 2\n1\n2\n3\n4\n5\n6\n",
        ),
        (
            "%%MatrixMarket matrix coordinate integer symmetric",
            "3 3 1\n1 1 1\n",
        ),
        (
            "%%MatrixMarket matrix coordinate complex general",
            "3 2 1\n1 1 1 0\n",
        ),
        ("%%MatrixMarket matrix coordinate integer", "3 2 1\n1 1 1\n"),
    ];
    let dir = util::tempdir();
    for (header, body) in cases {
        let file = write(dir.path(), "m.mtx", format!("{header}\n{body}"));
        let err = read_matrix_market(&file, &MatrixMarketOptions::default()).unwrap_err();
        assert!(
            matches!(&err, CorpusError::BadMatrix { path, line: 1, .. } if *path == file),
            "header {header:?}: {err:?}"
        );
    }
}

#[test]
fn matrix_market_bad_size_line_is_an_error_on_its_line() {
    let dir = util::tempdir();
    for size in ["3 2", "3 two 1", "3 2 1 4", "-3 2 1"] {
        let file = write(
            dir.path(),
            "m.mtx",
            format!("%%MatrixMarket matrix coordinate integer general\n%\n{size}\n1 1 1\n"),
        );
        let err = read_matrix_market(&file, &MatrixMarketOptions::default()).unwrap_err();
        assert!(
            matches!(err, CorpusError::BadMatrix { line: 3, .. }),
            "size {size:?}: {err:?}"
        );
    }
}

#[test]
fn matrix_market_bad_entries_are_errors_on_their_line() {
    // Lines: 1 header, 2 comment, 3 size, 4 good entry, 5 comment, 6 blank, 7 the entry tested.
    let cases = [
        ("2 1 -1", "negative"),
        ("2 1 NaN", "NaN"),
        ("2 1 nan", "nan"),
        ("2 1 inf", "infinite"),
        ("2 1 1e400", "overflowing"),
        ("2 1 abc", "not a number"),
        ("0 1 1", "row index 0"),
        ("4 1 1", "row index above the rows"),
        ("2 0 1", "column index 0"),
        ("2 3 1", "column index above the columns"),
        ("x 1 1", "row index not a number"),
        ("2", "missing column"),
        ("2 1", "missing value"),
        ("2 1 1 9", "too many fields"),
    ];
    let dir = util::tempdir();
    for (entry, what) in cases {
        let file = write(
            dir.path(),
            "m.mtx",
            format!(
                "%%MatrixMarket matrix coordinate real general\n% c\n3 2 3\n1 1 2\n% c\n\n{entry}\n3 2 1\n"
            ),
        );
        let err = read_matrix_market(&file, &MatrixMarketOptions::default()).unwrap_err();
        assert!(
            matches!(&err, CorpusError::BadMatrix { path, line: 7, .. } if *path == file),
            "{what} ({entry:?}): {err:?}"
        );
        assert!(err.to_string().contains("line 7"), "{what}: {err}");
    }
}

#[test]
fn matrix_market_too_many_entries_is_an_error_on_the_first_extra_line() {
    let dir = util::tempdir();
    let file = write(
        dir.path(),
        "m.mtx",
        "%%MatrixMarket matrix coordinate integer general\n3 2 2\n1 1 1\n2 2 1\n% c\n3 1 1\n",
    );
    let err = read_matrix_market(&file, &MatrixMarketOptions::default()).unwrap_err();
    assert!(
        matches!(err, CorpusError::BadMatrix { line: 6, .. }),
        "{err:?}"
    );
}

#[test]
fn matrix_market_too_few_entries_is_an_error_about_the_whole_file() {
    let dir = util::tempdir();
    let file = write(
        dir.path(),
        "m.mtx",
        "%%MatrixMarket matrix coordinate integer general\n3 2 4\n1 1 1\n2 2 1\n",
    );
    let err = read_matrix_market(&file, &MatrixMarketOptions::default()).unwrap_err();
    assert!(
        matches!(&err, CorpusError::BadMatrix { line: 0, message, .. } if message.contains('4') && message.contains('2')),
        "{err:?}"
    );
}

#[test]
fn matrix_market_missing_file_is_missing() {
    let dir = util::tempdir();
    let err = read_matrix_market(
        &dir.path().join("none.mtx"),
        &MatrixMarketOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(err, CorpusError::Missing { .. }), "{err:?}");
}

// ---------------------------------------------------------------------------------------------
// Helpers

/// Writes `content` to `dir/name`, creating folders; returns the path.
pub(crate) fn write(dir: &Path, name: &str, content: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, content).unwrap();
    path
}

/// Writes `content` gzip-compressed to `dir/name`; returns the path.
pub(crate) fn write_gz(dir: &Path, name: &str, content: &str) -> PathBuf {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(content.as_bytes()).unwrap();
    write(dir, name, gz.finish().unwrap())
}

/// Every document of `inputs` (panicking on an error) and the warnings.
pub(crate) fn read_all(inputs: Vec<Input>, options: ReadOptions) -> (Vec<Document>, Vec<Warning>) {
    let mut reader = DocumentReader::new(inputs, options).expect("the inputs open");
    let docs = reader
        .by_ref()
        .collect::<Result<Vec<_>, _>>()
        .expect("the inputs read");
    (docs, reader.take_warnings())
}

pub(crate) fn doc(id: &str, title: Option<&str>, label: Option<&str>, text: &str) -> Document {
    Document {
        id: id.into(),
        title: title.map(Into::into),
        label: label.map(Into::into),
        time: None,
        text: text.into(),
    }
}

/// Document `d`'s counts by term.
fn counts(bag: &BagOfWords, d: usize) -> BTreeMap<&str, f32> {
    bag.document(d)
        .iter()
        .map(|&(t, c)| (bag.terms()[t as usize].as_str(), c))
        .collect()
}

fn ids(bag: &BagOfWords) -> Vec<&str> {
    bag.documents().iter().map(|d| d.id).collect()
}
