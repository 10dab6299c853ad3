//! What the random-input tests (`random_inputs.rs`) and the fuzz targets (`fuzz/`, which
//! include this file) do with one input: read it every way nmf-topics reads, count it, fit
//! what it yields, and search a store with it. Each function panics when a property fails,
//! so that both the tests and libFuzzer see it; errors are fine, since most random inputs are
//! bad ones.

#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};

use nmf_topics::corpus::limits::{MAX_TOTAL, MIN_COUNT};
use nmf_topics::corpus::store::MAX_QUERY_DEPTH;
use nmf_topics::corpus::{
    read_matrix_market, BagBuilder, CorpusStore, Document, DocumentReader, Format, Input,
    MatrixMarketOptions, ReadOptions,
};
use nmf_topics::matrix::DocFreq;
use nmf_topics::{Analyzer, AnalyzerConfig, BagOfWords, CountMatrix, Nmf, Pruning};

/// The document limit the readers run with: small, so that random inputs reach it.
pub const MAX_DOC_BYTES: usize = 1024;

/// The ways an input is read; `selector` picks one, and gzip when its top bit is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Way {
    JsonLines,
    Lines,
    Text,
    Folder,
    Matrix,
    MatrixTransposed,
    Csv,
    Tsv,
}

impl Way {
    pub const ALL: [Way; 8] = [
        Way::JsonLines,
        Way::Lines,
        Way::Text,
        Way::Folder,
        Way::Matrix,
        Way::MatrixTransposed,
        Way::Csv,
        Way::Tsv,
    ];

    pub fn of(selector: u8) -> (Way, bool) {
        (
            Way::ALL[(selector & 0x7f) as usize % Way::ALL.len()],
            selector & 0x80 != 0,
        )
    }
}

/// Writes `data` (gzip-compressed when `gzip`) where `way` reads it, under `dir`, and returns
/// the input to give.
fn place(data: &[u8], way: Way, gzip: bool, dir: &Path) -> PathBuf {
    let bytes = if gzip {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(data).unwrap();
        encoder.finish().unwrap()
    } else {
        data.to_vec()
    };
    let gz = if gzip { ".gz" } else { "" };
    let (input, file) = match way {
        Way::JsonLines => (dir.join(format!("in.jsonl{gz}")), None),
        Way::Lines | Way::Text => (dir.join(format!("in.txt{gz}")), None),
        Way::Folder => {
            let folder = dir.join("folder");
            (folder.clone(), Some(folder.join(format!("a.txt{gz}"))))
        }
        Way::Matrix | Way::MatrixTransposed => (dir.join(format!("in.mtx{gz}")), None),
        Way::Csv => (dir.join(format!("in.csv{gz}")), None),
        Way::Tsv => (dir.join(format!("in.tsv{gz}")), None),
    };
    let file = file.unwrap_or_else(|| input.clone());
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, bytes).unwrap();
    input
}

/// How far an input got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    /// The reader refused it.
    Refused,
    /// It was read and counted, but gave no matrix to fit (or too big a one to fit here).
    Read,
    /// It was fitted (text: it gave a matrix).
    Fitted,
}

/// Reads `data` the way `selector` picks, in `dir` (a folder of the caller's; each call
/// overwrites the files of the last), and checks what comes out.
pub fn read_every_way(data: &[u8], selector: u8, dir: &Path) -> Outcome {
    let (way, gzip) = Way::of(selector);
    let input = place(data, way, gzip, dir);
    match way {
        Way::Matrix | Way::MatrixTransposed => {
            let options = MatrixMarketOptions {
                transpose: way == Way::MatrixTransposed,
                vocab: None,
            };
            match read_matrix_market(&input, &options) {
                Ok(bag) => {
                    check_counts(&bag);
                    fit_small(&bag, selector)
                }
                Err(_) => Outcome::Refused,
            }
        }
        _ => {
            let format = match way {
                Way::JsonLines => Format::JsonLines,
                Way::Lines => Format::Lines,
                Way::Csv => Format::Csv,
                Way::Tsv => Format::Tsv,
                _ => Format::Text,
            };
            let options = ReadOptions {
                format,
                label_field: Some("label".into()),
                max_doc_bytes: MAX_DOC_BYTES,
                ..ReadOptions::default()
            };
            let reader =
                DocumentReader::new(vec![Input::Path(input)], options).expect("the input exists");
            let mut documents = Vec::new();
            for doc in reader {
                let Ok(doc) = doc else {
                    return Outcome::Refused;
                };
                // Each invalid byte may become a U+FFFD of three.
                assert!(
                    doc.text.len() <= 3 * MAX_DOC_BYTES,
                    "{} bytes",
                    doc.text.len()
                );
                documents.push(doc);
            }
            // Counted as `count` does, without its reading thread.
            let mut builder = BagBuilder::new(Analyzer::new(AnalyzerConfig::default()).unwrap());
            builder.add(documents);
            let bag = builder.finish();
            check_counts(&bag);
            // Text gives whole counts, far inside the solver's range: a fit here would cost
            // more than it finds (the tests fit text at length elsewhere).
            match CountMatrix::build(&bag, &pruning()) {
                Ok(_) => Outcome::Fitted,
                Err(_) => Outcome::Read,
            }
        }
    }
}

/// Counts within the solver's range, terms named once.
fn check_counts(bag: &BagOfWords) {
    let mut total = 0f64;
    for d in 0..bag.n_documents() {
        for &(t, c) in bag.document(d) {
            assert!((t as usize) < bag.terms().len());
            assert!(c.is_finite() && c >= MIN_COUNT, "count {c}");
            total += c as f64;
        }
        assert!(bag.document_tokens(d).is_sign_positive());
    }
    assert!(total <= MAX_TOTAL * (1.0 + 1e-6), "total {total}");
    let mut terms: Vec<&String> = bag.terms().iter().collect();
    terms.sort();
    assert!(terms.windows(2).all(|p| p[0] != p[1]), "a term twice");
}

/// Every word kept.
fn pruning() -> Pruning {
    Pruning {
        min_df: DocFreq::Count(1),
        ..Pruning::default()
    }
}

/// A small fit of whatever the input yields: it must succeed, its divergence finite.
fn fit_small(bag: &BagOfWords, selector: u8) -> Outcome {
    let Ok(matrix) = CountMatrix::build(bag, &pruning()) else {
        return Outcome::Read;
    };
    let k = 1 + (selector as usize / 8) % 3;
    if matrix.nnz() > 400 || k > matrix.n_words().min(matrix.n_documents()) {
        return Outcome::Read;
    }
    let init = if selector & 0x40 != 0 {
        nmf_topics::nmf::Init::Random
    } else {
        nmf_topics::nmf::Init::Nndsvda
    };
    let (model, fit) = Nmf::new(k)
        .init(init)
        .max_iter(30)
        .threads(1)
        .fit(matrix.by_doc(), matrix.by_word())
        .unwrap_or_else(|e| panic!("a matrix the readers accepted does not fit: {e}"));
    assert!(fit.divergence.is_finite(), "divergence {}", fit.divergence);
    assert!(model.w().iter().chain(model.h()).all(|x| x.is_finite()));
    Outcome::Fitted
}

/// A small store to search: a few documents about kernels, fonts and editors.
pub fn search_store(dir: &Path) -> CorpusStore {
    let mut store = CorpusStore::open_or_create(dir, &AnalyzerConfig::default()).unwrap();
    let mut writer = store.writer(1).unwrap();
    let texts = [
        ("linux", "the kernel module loads a driver"),
        ("fonts", "a font of typefaces for the editor"),
        ("emacs", "an editor with modules, written in lisp"),
        ("node", "node.js runs javascript on the server"),
    ];
    for (id, text) in texts {
        writer
            .add(Document {
                id: id.into(),
                title: Some(format!("{id} title")),
                label: None,
                time: None,
                text: text.into(),
            })
            .unwrap();
    }
    writer.finish().unwrap();
    drop(store);
    CorpusStore::open(dir).unwrap()
}

/// Searches `store` for `query` (as UTF-8, invalid bytes replaced): an answer or an error,
/// never a panic or a stack overflow, and a query nested past the limit is refused.
pub fn search(store: &CorpusStore, query: &[u8]) {
    let query = String::from_utf8_lossy(query);
    let result = store.search(&query, 3);
    if let Ok((total, hits)) = &result {
        assert!(hits.len() <= 3 && hits.len() <= *total);
    }
    let opened = query.matches('(').count();
    if opened > MAX_QUERY_DEPTH && !query.contains(['\\', '"', ')']) {
        assert!(result.is_err(), "{opened} brackets deep, not refused");
    }
}
