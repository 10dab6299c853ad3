//! The corpus store: the same counts as the files, replacement and deletion, search, and the
//! errors of stores that cannot be used.

use std::path::Path;

use nmf_topics::corpus::store::StoreError;
use nmf_topics::corpus::{count, CorpusStore, DocumentReader, Input, ReadOptions, Timestamp};
use nmf_topics::matrix::DocFreq;
use nmf_topics::report::snippet;
use nmf_topics::{Analyzer, AnalyzerConfig, BagOfWords, CountMatrix, Document, Pruning};

use crate::util::{tempdir, TestRng};

const WORDS: &[&str] = &[
    "kernel", "kernels", "module", "driver", "drivers", "font", "fonts", "serif", "glyph",
    "server", "servers", "client", "http", "request", "running", "runs", "run", "café", "naïve",
    "Straße", "über", "editor", "editing", "edits", "the", "and", "of",
];

/// `n` documents of random words, with ids, titles, labels and times (but every 5th); every
/// 7th has an empty text.
fn documents(n: usize, seed: u64) -> Vec<Document> {
    let mut rng = TestRng::new(seed);
    (0..n)
        .map(|i| {
            let len = if i % 7 == 3 {
                0
            } else {
                5 + (rng.next_u64() % 40) as usize
            };
            let text: Vec<&str> = (0..len)
                .map(|_| WORDS[(rng.next_u64() % WORDS.len() as u64) as usize])
                .collect();
            Document {
                id: format!("doc-{i}"),
                title: Some(format!("Title {i}")),
                label: Some(["a", "b", "c"][i % 3].into()),
                time: (i % 5 != 2)
                    .then(|| Timestamp::from_unix(1_600_000_000 + 86_400 * i as i64).unwrap()),
                text: text.join(" "),
            }
        })
        .collect()
}

fn write_jsonl(path: &Path, docs: &[Document]) {
    let lines: Vec<String> = docs
        .iter()
        .map(|d| {
            serde_json::json!({
                "id": d.id, "title": d.title, "section": d.label, "date": d.time, "text": d.text
            })
            .to_string()
        })
        .collect();
    std::fs::write(path, lines.join("\n") + "\n").unwrap();
}

fn bag_of_file(path: &Path, config: &AnalyzerConfig) -> BagOfWords {
    let options = ReadOptions {
        label_field: Some("section".into()),
        time_field: Some("date".into()),
        ..ReadOptions::default()
    };
    let reader = DocumentReader::new(vec![Input::Path(path.into())], options).unwrap();
    count(reader, Analyzer::new(config.clone()).unwrap(), || {})
        .unwrap()
        .0
}

/// Adds `docs`, committing every `commit_every` documents (several segments).
fn ingest(store: &mut CorpusStore, docs: &[Document], commit_every: usize) {
    let mut writer = store.writer(2).unwrap();
    for (i, doc) in docs.iter().enumerate() {
        writer.add(doc.clone()).unwrap();
        if (i + 1) % commit_every == 0 {
            writer.commit().unwrap();
        }
    }
    writer.finish().unwrap();
}

fn assert_same_matrix(a: &BagOfWords, b: &BagOfWords) {
    let pruning = Pruning {
        min_df: DocFreq::Count(1),
        ..Pruning::default()
    };
    let (a, b) = (
        CountMatrix::build(a, &pruning).unwrap(),
        CountMatrix::build(b, &pruning).unwrap(),
    );
    assert_eq!(a.terms(), b.terms());
    assert_eq!(a.words(), b.words());
    assert_eq!(a.documents(), b.documents());
    assert_eq!(a.terms_before_pruning(), b.terms_before_pruning());
    assert_eq!(
        a.by_doc().indptr().as_slice(),
        b.by_doc().indptr().as_slice()
    );
    assert_eq!(a.by_doc().indices(), b.by_doc().indices());
    assert_eq!(a.by_doc().data(), b.by_doc().data());
}

#[test]
fn a_store_gives_the_matrix_of_its_files_with_and_without_stemming() {
    for stem in [false, true] {
        let dir = tempdir();
        let docs = documents(300, 7);
        let file = dir.path().join("docs.jsonl");
        write_jsonl(&file, &docs);
        let config = AnalyzerConfig {
            stem,
            ..AnalyzerConfig::default()
        };
        let mut store = CorpusStore::open_or_create(&dir.path().join("store"), &config).unwrap();
        ingest(&mut store, &docs, 70);
        let store = CorpusStore::open(&dir.path().join("store")).unwrap();
        assert_eq!(store.n_documents(), 300);
        let from_store = store.bag().unwrap();
        assert_same_matrix(&from_store, &bag_of_file(&file, &config));
        // Times included (the matrices compare their documents whole).
        let times = from_store.documents().iter().filter(|d| d.time.is_some());
        assert_eq!(times.count(), 240);
        if stem {
            // Each stem is shown as its most frequent word, as when reading the file.
            assert!(from_store
                .display()
                .iter()
                .any(|w| w == "kernels" || w == "kernel"));
            assert!(from_store.terms().iter().any(|t| t == "kernel"));
        }
    }
}

#[test]
fn replacing_and_deleting_leave_no_trace_in_the_counts() {
    let dir = tempdir();
    let config = AnalyzerConfig::default();
    let path = dir.path().join("store");
    let mut store = CorpusStore::open_or_create(&path, &config).unwrap();
    let mut docs = documents(50, 3);
    docs[10].text = "zebra zebra unicorn".into();
    ingest(&mut store, &docs, 20);

    let mut store = CorpusStore::open(&path).unwrap();
    let mut writer = store.writer(1).unwrap();
    let mut replaced = docs[20].clone();
    replaced.text = "platypus kernel".into();
    writer.add(replaced.clone()).unwrap();
    assert!(writer.delete("doc-10").unwrap());
    assert!(!writer.delete("no-such-id").unwrap());
    let figures = writer.finish().unwrap();
    assert_eq!(
        (figures.added, figures.replaced, figures.deleted),
        (1, 1, 1)
    );
    assert_eq!(figures.not_found, vec!["no-such-id".to_owned()]);

    // The store now holds what a file of the survivors, the replacement last, holds.
    let mut expected: Vec<Document> = docs
        .iter()
        .filter(|d| d.id != "doc-10" && d.id != "doc-20")
        .cloned()
        .collect();
    expected.push(replaced);
    let file = dir.path().join("expected.jsonl");
    write_jsonl(&file, &expected);
    let store = CorpusStore::open(&path).unwrap();
    assert_eq!(store.n_documents(), 49);
    let bag = store.bag().unwrap();
    assert!(!bag.terms().iter().any(|t| t == "zebra" || t == "unicorn"));
    assert_same_matrix(&bag, &bag_of_file(&file, &config));
    assert!(store.document("doc-10").unwrap().is_none());
    assert_eq!(
        store.document("doc-20").unwrap().unwrap().text,
        "platypus kernel"
    );
}

#[test]
fn a_repeated_id_in_one_ingest_keeps_the_later_document() {
    let dir = tempdir();
    let path = dir.path().join("store");
    let mut store = CorpusStore::open_or_create(&path, &AnalyzerConfig::default()).unwrap();
    let mut writer = store.writer(1).unwrap();
    for text in ["first version", "second version"] {
        writer
            .add(Document {
                id: "same".into(),
                title: None,
                label: None,
                time: None,
                text: text.into(),
            })
            .unwrap();
    }
    assert_eq!(writer.finish().unwrap().repeated, 1);
    let store = CorpusStore::open(&path).unwrap();
    assert_eq!(store.n_documents(), 1);
    assert_eq!(
        store.document("same").unwrap().unwrap().text,
        "second version"
    );
}

#[test]
fn search_finds_documents_through_the_analyzer() {
    let dir = tempdir();
    let path = dir.path().join("store");
    let config = AnalyzerConfig {
        stem: true,
        ..AnalyzerConfig::default()
    };
    let mut store = CorpusStore::open_or_create(&path, &config).unwrap();
    let doc = |id: &str, text: &str| Document {
        id: id.into(),
        title: Some(format!("about {id}")),
        label: None,
        time: None,
        text: text.into(),
    };
    let mut writer = store.writer(1).unwrap();
    writer
        .add(doc("web", "A fast web server for static files"))
        .unwrap();
    writer
        .add(doc("mail", "A mail server and a mail client"))
        .unwrap();
    writer
        .add(doc("font", "A serif font with many glyphs"))
        .unwrap();
    writer.finish().unwrap();
    let store = CorpusStore::open(&path).unwrap();

    let (total, hits) = store.search("servers", 10).unwrap();
    assert_eq!(total, 2);
    let ids: Vec<&str> = hits.iter().map(|h| h.document.info.id.as_str()).collect();
    assert!(ids.contains(&"web") && ids.contains(&"mail"));
    let (total, hits) = store.search("server -mail", 10).unwrap();
    assert_eq!((total, hits[0].document.info.id.as_str()), (1, "web"));
    let (total, _) = store.search("server font", 10).unwrap();
    assert_eq!(total, 0, "words are all required by default");
    let (total, _) = store.search("server OR font", 10).unwrap();
    assert_eq!(total, 3);
    let (_, hits) = store.search("id:font", 10).unwrap();
    assert_eq!(hits[0].document.info.title.as_deref(), Some("about font"));

    for (query, expected) in [
        ("\"web server\"", "phrase"),
        ("the and", "stopword"),
        ("title:serif", "cannot be searched"),
    ] {
        let err = store.search(query, 10).unwrap_err();
        assert!(matches!(err, StoreError::Query { .. }), "{query}: {err}");
        assert!(err.to_string().contains(expected), "{query}: {err}");
    }
}

#[test]
fn search_words_are_cut_as_the_text_was() {
    let dir = tempdir();
    let path = dir.path().join("store");
    let mut store = CorpusStore::open_or_create(&path, &AnalyzerConfig::default()).unwrap();
    let doc = |id: &str, text: &str| Document {
        id: id.into(),
        title: None,
        label: None,
        time: None,
        text: text.into(),
    };
    let mut writer = store.writer(1).unwrap();
    writer
        .add(doc("js", "A Node.js server for KDE’s desktop"))
        .unwrap();
    writer.add(doc("node", "A server on one node")).unwrap();
    writer.add(doc("o", "O'Reilly's server books")).unwrap();
    writer.finish().unwrap();
    let store = CorpusStore::open(&path).unwrap();
    let ids = |query: &str| -> Vec<String> {
        let (_, hits) = store.search(query, 10).unwrap();
        let mut ids: Vec<String> = hits.into_iter().map(|h| h.document.info.id).collect();
        ids.sort();
        ids
    };
    assert_eq!(ids("node.js"), ["js"]);
    assert_eq!(ids("KDE's"), ["js"]);
    assert_eq!(ids("kde"), ["js"]);
    assert_eq!(ids("server -node.js"), ["node", "o"]);
    assert_eq!(ids("o'reilly"), ["o"]);
    assert_eq!(ids("node OR o'reilly's"), ["js", "node", "o"]);
    assert_eq!(ids("std::server"), Vec::<String>::new());
}

#[test]
fn a_store_with_other_settings_or_of_another_kind_is_refused() {
    let dir = tempdir();
    let path = dir.path().join("store");
    let mut store = CorpusStore::open_or_create(&path, &AnalyzerConfig::default()).unwrap();
    ingest(&mut store, &documents(10, 1), 100);
    drop(store);

    let stemming = AnalyzerConfig {
        stem: true,
        ..AnalyzerConfig::default()
    };
    let err = CorpusStore::open_or_create(&path, &stemming).unwrap_err();
    assert!(matches!(err, StoreError::OtherAnalyzer { .. }), "{err}");
    assert!(
        err.to_string()
            .contains("--stem: false in the store, true asked for"),
        "{err}"
    );

    // A folder of other files.
    let other = dir.path().join("other");
    std::fs::create_dir(&other).unwrap();
    std::fs::write(other.join("notes.txt"), "hello").unwrap();
    let err = CorpusStore::open_or_create(&other, &AnalyzerConfig::default()).unwrap_err();
    assert!(matches!(err, StoreError::NotAStore { .. }), "{err}");
    assert_eq!(
        std::fs::read_dir(&other).unwrap().count(),
        1,
        "left as it was"
    );

    // A store of a later format version.
    let meta = path.join("meta.json");
    let text = std::fs::read_to_string(&meta).unwrap();
    assert!(text.contains(r#"\"version\":1"#), "{text}");
    std::fs::write(&meta, text.replace(r#"\"version\":1"#, r#"\"version\":2"#)).unwrap();
    let err = CorpusStore::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::Version { .. }), "{err}");

    // A tantivy index without the store's settings.
    std::fs::write(&meta, text.replace("nmf-topics/store", "someone-else")).unwrap();
    let err = CorpusStore::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::NotAStore { .. }), "{err}");

    let err = CorpusStore::open(&dir.path().join("missing")).unwrap_err();
    assert!(matches!(err, StoreError::Missing { .. }), "{err}");
}

#[test]
fn a_new_store_appears_with_its_first_commit_and_not_before() {
    let dir = tempdir();
    let path = dir.path().join("store");
    let docs = documents(30, 5);
    {
        let mut store = CorpusStore::open_or_create(&path, &AnalyzerConfig::default()).unwrap();
        let mut writer = store.writer(1).unwrap();
        for doc in docs.iter().take(10) {
            writer.add(doc.clone()).unwrap();
        }
        assert!(
            !path.exists(),
            "nothing at the store's name before a commit"
        );
        // Dropped without a commit, as when the input fails half-way.
    }
    assert!(crate::util::files_in(dir.path()).is_empty());

    let mut store = CorpusStore::open_or_create(&path, &AnalyzerConfig::default()).unwrap();
    ingest(&mut store, &docs, 20);
    assert_eq!(CorpusStore::open(&path).unwrap().n_documents(), 30);
    assert_eq!(crate::util::files_in(dir.path()), ["store"]);
}

#[test]
fn a_second_writer_is_refused_while_the_first_holds_the_store() {
    let dir = tempdir();
    let path = dir.path().join("store");
    let mut store = CorpusStore::open_or_create(&path, &AnalyzerConfig::default()).unwrap();
    ingest(&mut store, &documents(3, 1), 100);
    let mut store = CorpusStore::open(&path).unwrap();
    let first = store.writer(1).unwrap();
    let mut other = CorpusStore::open(&path).unwrap();
    let err = other.writer(1).err().expect("the store is locked");
    assert!(matches!(err, StoreError::Locked { .. }), "{err}");
    drop(first);
    assert!(other.writer(1).is_ok(), "the lock goes with the writer");
}

#[test]
fn a_snippet_is_the_passage_with_most_topic_words() {
    let analyzer = Analyzer::new(AnalyzerConfig::default()).unwrap();
    let filler = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. ".repeat(6);
    let text = format!(
        "{filler}The kernel loads a module; the driver module talks to the kernel. {filler}"
    );
    let s = snippet(&text, &analyzer, &["kernel", "module", "driver"]);
    assert!(
        s.contains("The kernel loads a module; the driver module talks to the kernel."),
        "{s}"
    );
    assert!(s.starts_with('…') && s.ends_with('…'), "{s}");
    assert!(
        s.chars().count() <= nmf_topics::report::SNIPPET_CHARS + 2,
        "{s}"
    );

    // No topic word: the beginning. Short texts are whole; white space is collapsed.
    assert_eq!(
        snippet("Über  café\n naïve", &analyzer, &["kernel"]),
        "Über café naïve"
    );
    let long = "ü".repeat(500);
    let s = snippet(&long, &analyzer, &["kernel"]);
    assert!(
        s.chars().count() <= nmf_topics::report::SNIPPET_CHARS + 1,
        "{s}"
    );
}

/// A store as nmf-topics made them before stores kept times: the same fields but `time`, and
/// the same payload. Built with tantivy directly, as that version would have.
fn store_without_times(dir: &Path, docs: &[Document]) {
    use tantivy::schema::{
        IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST, STORED, STRING,
    };
    use tantivy::tokenizer::TextAnalyzer;
    let config = AnalyzerConfig::default();
    let analyzer = Analyzer::new(config.clone()).unwrap();
    let mut schema = Schema::builder();
    let indexed = |tokenizer: &str| {
        TextFieldIndexing::default()
            .set_tokenizer(tokenizer)
            .set_index_option(IndexRecordOption::WithFreqs)
    };
    let id = schema.add_text_field("id", STRING | STORED);
    let title = schema.add_text_field("title", STORED);
    let label = schema.add_text_field("label", STORED);
    let text = schema.add_text_field(
        "text",
        TextOptions::default()
            .set_indexing_options(indexed("nmf-topics"))
            .set_stored(),
    );
    schema.add_text_field(
        "words",
        TextOptions::default()
            .set_indexing_options(indexed("nmf-topics-words").set_fieldnorms(false)),
    );
    let seq = schema.add_u64_field("seq", FAST);
    std::fs::create_dir_all(dir).unwrap();
    let index = tantivy::Index::create_in_dir(dir, schema.build()).unwrap();
    index.tokenizers().register(
        "nmf-topics",
        TextAnalyzer::from(nmf_topics::text::AnalyzerTokenizer::new(analyzer.clone())),
    );
    index.tokenizers().register(
        "nmf-topics-words",
        TextAnalyzer::from(nmf_topics::text::AnalyzerTokenizer::words(analyzer)),
    );
    let mut writer = index.writer_with_num_threads(1, 20_000_000).unwrap();
    for (i, doc) in docs.iter().enumerate() {
        let mut stored = tantivy::TantivyDocument::new();
        stored.add_text(id, &doc.id);
        if let Some(t) = &doc.title {
            stored.add_text(title, t);
        }
        if let Some(l) = &doc.label {
            stored.add_text(label, l);
        }
        stored.add_text(text, &doc.text);
        stored.add_u64(seq, i as u64);
        writer.add_document(stored).unwrap();
    }
    let payload = serde_json::json!({
        "format": "nmf-topics/store", "version": 1, "analyzer": config, "next_seq": docs.len()
    });
    let mut commit = writer.prepare_commit().unwrap();
    commit.set_payload(&payload.to_string());
    commit.commit().unwrap();
    writer.wait_merging_threads().unwrap();
}

#[test]
fn a_store_made_before_times_were_kept_still_opens_reads_and_takes_documents() {
    let dir = tempdir();
    let path = dir.path().join("old");
    let docs: Vec<Document> = documents(30, 5)
        .into_iter()
        .map(|d| Document { time: None, ..d })
        .collect();
    store_without_times(&path, &docs[..20]);
    let mut store = CorpusStore::open(&path).unwrap();
    assert_eq!(store.n_documents(), 20);
    let bag = store.bag().unwrap();
    assert!(!bag.documents().has_times());
    assert_eq!(bag.documents().at(3).label, Some("a"));
    // Documents without a time go in; one with a time is refused, naming the store and the
    // document, and leaves the store as it was.
    let mut writer = store.writer(1).unwrap();
    for doc in &docs[20..] {
        writer.add(doc.clone()).unwrap();
    }
    writer.finish().unwrap();
    let mut store = CorpusStore::open(&path).unwrap();
    assert_eq!(store.n_documents(), 30);
    let timed = Document {
        time: Timestamp::from_unix(1_700_000_000),
        ..docs[0].clone()
    };
    let mut writer = store.writer(1).unwrap();
    let err = writer.add(timed).unwrap_err();
    assert!(matches!(err, StoreError::NoTimes { .. }), "{err:?}");
    let message = err.to_string();
    assert!(
        message.contains("doc-0") && message.contains("old") && message.contains("new store"),
        "{message}"
    );
    drop(writer);
    let store = CorpusStore::open(&path).unwrap();
    assert_eq!(store.n_documents(), 30);
    assert_eq!(store.document("doc-0").unwrap().unwrap().text, docs[0].text);
}
