//! `nmf_topics._core`: the compiled part of the Python package. A few functions, each a thin
//! path through the library, as the command line takes it: text is counted by the library's
//! analyzer and pruning, matrices are fitted and transformed by its solver, so the same input
//! and seed give the same bits as `nmf-topics fit`. The estimators (`nmf_topics.NMF`,
//! `nmf_topics.TopicModel`) are Python, over these.
//!
//! Every function releases the GIL while it tokenises, fits or transforms. Text is taken from
//! any Python iterable, a batch of documents at a time, so memory follows the batch rather than
//! the corpus.
#![deny(missing_docs)]

mod arrays;
mod settings;

use nmf_topics::corpus::Document;
use nmf_topics::matrix::Sparse;
use nmf_topics::nmf::{weights_from_counts, FitReport, OnlineStatistics, StopReason};
use nmf_topics::{Analyzer, BagBuilder, BagOfWords, CountMatrix, NmfModel};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};

use settings::{value_error, Solver, Vocabulary, Words};

/// Documents taken from Python at a time (the command line reads 4096 a batch too).
const BATCH: usize = 4096;

/// A pool of the solver's threads, for tokenising.
fn pool(solver: &Solver) -> PyResult<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(solver.threads())
        .build()
        .map_err(|e| value_error(format!("cannot start {} threads: {e}", solver.threads())))
}

/// Counts the documents of the iterable `texts` with `words`' analyzer, `BATCH` at a time,
/// tokenising without the GIL. A document is named by its position.
fn count_texts(
    py: Python<'_>,
    texts: &Bound<'_, PyAny>,
    words: &Words,
    solver: &Solver,
) -> PyResult<BagOfWords> {
    let analyzer = Analyzer::new(words.config()?).map_err(value_error)?;
    let pool = pool(solver)?;
    let mut builder = BagBuilder::new(analyzer);
    let mut batch = Vec::with_capacity(BATCH);
    let add = |py: Python<'_>, batch: Vec<Document>, builder: &mut BagBuilder| {
        py.detach(|| pool.install(|| builder.add(batch)));
    };
    for (position, item) in texts.try_iter()?.enumerate() {
        let item = item?;
        let text = item.cast::<PyString>().map_err(|_| {
            let kind = item
                .get_type()
                .name()
                .map_or_else(|_| "?".to_owned(), |n| n.to_string());
            PyTypeError::new_err(format!(
                "document {position} is {kind}, not str: give the text of each document"
            ))
        })?;
        batch.push(Document {
            id: position.to_string(),
            title: None,
            label: None,
            time: None,
            text: text.to_cow()?.into_owned(),
        });
        if batch.len() == BATCH {
            add(py, std::mem::take(&mut batch), &mut builder);
        }
    }
    add(py, batch, &mut builder);
    Ok(builder.finish())
}

/// The fit's record as a dictionary: `components` `(k, n_words)` and `doc_topics`
/// `(n_documents, k)`, both `float32` bytes, and the figures of `fit`.
fn fit_result<'py>(
    py: Python<'py>,
    model: &NmfModel,
    fit: &FitReport,
) -> PyResult<Bound<'py, PyDict>> {
    let k = model.topics();
    let result = PyDict::new(py);
    let components = arrays::components_from_w(model.w(), k);
    result.set_item("components", arrays::to_python(py, &components))?;
    result.set_item("doc_topics", arrays::to_python(py, model.h()))?;
    result.set_item("n_components", k)?;
    result.set_item("n_words", model.n_words())?;
    result.set_item("n_documents", model.n_documents())?;
    result.set_item("iterations", fit.iterations)?;
    result.set_item(
        "stop",
        match fit.stop {
            StopReason::Converged => "converged",
            StopReason::MaxIter => "max_iter",
            StopReason::Connectivity => "connectivity",
        },
    )?;
    result.set_item("divergence", fit.divergence)?;
    let trace: Vec<(usize, f64)> = fit
        .trace
        .iter()
        .map(|p| (p.iteration, p.divergence))
        .collect();
    result.set_item("trace", trace)?;
    Ok(result)
}

/// Fits V, checking the topics against its shape.
fn fit_matrix<'py>(
    py: Python<'py>,
    solver: &Solver,
    by_doc: &Sparse,
    by_word: &Sparse,
) -> PyResult<Bound<'py, PyDict>> {
    let nmf = solver.nmf()?;
    let (model, fit) = py
        .detach(|| nmf.fit(by_doc, by_word))
        .map_err(value_error)?;
    fit_result(py, &model, &fit)
}

/// Fits the documents of the iterable `texts`: counted with the analyzer `words`, pruned by
/// `vocabulary`, fitted with `solver`. Returns [`fit_result`]'s dictionary, with `terms` (the
/// counted terms, stems when stemming) and `words` (the word shown for each), by column of
/// `components`, and `tokens` (the sum of the counts).
#[pyfunction]
fn fit_texts<'py>(
    py: Python<'py>,
    texts: &Bound<'py, PyAny>,
    words: Words,
    vocabulary: Vocabulary,
    solver: Solver,
) -> PyResult<Bound<'py, PyDict>> {
    let pruning = vocabulary.pruning()?;
    solver.nmf()?;
    let bag = count_texts(py, texts, &words, &solver)?;
    let matrix = py
        .detach(|| CountMatrix::from_bag(bag, &pruning))
        .map_err(value_error)?;
    let result = fit_matrix(py, &solver, matrix.by_doc(), matrix.by_word())?;
    result.set_item("terms", matrix.terms())?;
    result.set_item("words", matrix.words())?;
    result.set_item("tokens", matrix.tokens())?;
    Ok(result)
}

/// The model of scikit-learn's `components_` `(k, n_words)`, as `float32` bytes.
fn model_of(components: &[u8], k: usize) -> PyResult<NmfModel> {
    let components = arrays::f32s("components", components)?;
    if k == 0 || !components.len().is_multiple_of(k) {
        return Err(value_error(format!(
            "{} topic weights are not a whole number of rows of {k} topics",
            components.len()
        )));
    }
    NmfModel::from_parts(k, arrays::w_from_components(&components, k), Vec::new())
        .map_err(value_error)
}

/// The topic counts `(n_documents, k)` of the documents of `by_doc` and `by_word` with the
/// topics `components` fixed, as `float32` bytes.
fn transform_matrix<'py>(
    py: Python<'py>,
    solver: &Solver,
    components: &[u8],
    by_doc: &Sparse,
    by_word: &Sparse,
) -> PyResult<Bound<'py, pyo3::types::PyByteArray>> {
    let nmf = solver.nmf()?;
    let model = model_of(components, nmf.topics())?;
    let (h, _) = py
        .detach(|| nmf.transform(&model, by_doc, by_word))
        .map_err(value_error)?;
    Ok(arrays::to_python(py, &h))
}

/// The topic counts of the documents of the iterable `texts` under a model fitted by
/// [`fit_texts`]: its analyzer settings `words`, its `terms` and shown `vocabulary_words`, its
/// `components`. Words the model does not have are left out. Returns the counts `(n_documents,
/// k)` as `float32` bytes, and the number of documents.
#[pyfunction]
fn transform_texts<'py>(
    py: Python<'py>,
    texts: &Bound<'py, PyAny>,
    words: Words,
    terms: Vec<String>,
    vocabulary_words: Vec<String>,
    components: &[u8],
    solver: Solver,
) -> PyResult<(Bound<'py, pyo3::types::PyByteArray>, usize)> {
    solver.nmf()?;
    let bag = count_texts(py, texts, &words, &solver)?;
    if bag.n_documents() == 0 {
        return Ok((arrays::to_python(py, &[]), 0));
    }
    let (matrix, _unknown) = py
        .detach(|| CountMatrix::with_vocabulary(&bag, &terms, &vocabulary_words))
        .map_err(value_error)?;
    let counts = transform_matrix(py, &solver, components, matrix.by_doc(), matrix.by_word())?;
    Ok((counts, matrix.n_documents()))
}

/// V of a documents × words matrix given as CSR arrays, its counts checked by the library.
fn counts_matrix(
    shape: (usize, usize),
    indptr: &[u8],
    indices: &[u8],
    data: &[u8],
) -> PyResult<CountMatrix> {
    let by_doc = arrays::by_document(shape, indptr, indices, data)?;
    let (n_docs, n_words) = shape;
    let names = |n: usize| (0..n).map(|i| i.to_string()).collect::<Vec<_>>();
    let documents = names(n_docs)
        .iter()
        .map(|id| nmf_topics::corpus::DocumentInfo {
            id: id.clone(),
            title: None,
            label: None,
            time: None,
        })
        .collect();
    CountMatrix::from_parts(by_doc, names(n_words), names(n_words), documents, n_words)
        .map_err(value_error)
}

/// Fits the documents × words counts X, given as SciPy's CSR arrays (see
/// [`arrays::by_document`]), with `solver`. Returns [`fit_result`]'s dictionary.
#[pyfunction]
fn fit_counts<'py>(
    py: Python<'py>,
    shape: (usize, usize),
    indptr: &[u8],
    indices: &[u8],
    data: &[u8],
    solver: Solver,
) -> PyResult<Bound<'py, PyDict>> {
    solver.nmf()?;
    let matrix = counts_matrix(shape, indptr, indices, data)?;
    fit_matrix(py, &solver, matrix.by_doc(), matrix.by_word())
}

/// Sets a mini-batch fit's statistics in `result`: `a` `(n_words, k)` and `b` as `float64`
/// bytes, the state a later [`partial_fit_counts`] resumes from.
fn set_statistics(result: &Bound<'_, PyDict>, stats: &OnlineStatistics) -> PyResult<()> {
    let py = result.py();
    result.set_item("a", arrays::f64s_to_python(py, &stats.a))?;
    result.set_item("b", arrays::f64s_to_python(py, &stats.b))
}

/// Fits the documents × words counts X, given as SciPy's CSR arrays, by mini-batches of
/// `batch_size` documents, the statistics multiplied by `forget` before each (scikit-learn's
/// `MiniBatchNMF.fit`). Returns [`fit_result`]'s dictionary with the statistics `a` and `b`.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn fit_counts_minibatch<'py>(
    py: Python<'py>,
    shape: (usize, usize),
    indptr: &[u8],
    indices: &[u8],
    data: &[u8],
    solver: Solver,
    batch_size: usize,
    forget: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let nmf = solver.nmf()?;
    let matrix = counts_matrix(shape, indptr, indices, data)?;
    let (by_doc, by_word) = (matrix.by_doc(), matrix.by_word());
    let (model, stats, fit) = py
        .detach(|| nmf.fit_minibatch(by_doc, by_word, batch_size, Some(forget)))
        .map_err(value_error)?;
    let result = fit_result(py, &model, &fit)?;
    set_statistics(&result, &stats)?;
    Ok(result)
}

/// Folds the documents × words counts X, given as SciPy's CSR arrays, into a mini-batch fit as
/// one batch (scikit-learn's `MiniBatchNMF.partial_fit`): a fit started on X when `components`
/// is `None`, else the fit of the topics `components` `(k, n_words)` and their statistics `a`
/// and `b`, the statistics multiplied by `forget` first. Returns a dictionary: the new
/// `components` (`float32` bytes), `a` and `b`, and the batch's `divergence` (under the topics
/// as they were), `documents` and `tokens`.
#[pyfunction]
#[pyo3(signature = (shape, indptr, indices, data, solver, forget, components=None, a=None, b=None))]
#[allow(clippy::too_many_arguments)]
fn partial_fit_counts<'py>(
    py: Python<'py>,
    shape: (usize, usize),
    indptr: &[u8],
    indices: &[u8],
    data: &[u8],
    solver: Solver,
    forget: f64,
    components: Option<&[u8]>,
    a: Option<&[u8]>,
    b: Option<&[u8]>,
) -> PyResult<Bound<'py, PyDict>> {
    let nmf = solver.nmf()?;
    let k = nmf.topics();
    let matrix = counts_matrix(shape, indptr, indices, data)?;
    let (by_doc, by_word) = (matrix.by_doc(), matrix.by_word());
    let mut online = match (components, a, b) {
        (None, None, None) => py
            .detach(|| nmf.start_online(by_doc, by_word, shape.0))
            .map_err(value_error)?,
        (Some(components), Some(a), Some(b)) => {
            let model = model_of(components, k)?;
            let statistics = OnlineStatistics {
                a: arrays::f64s("a", a)?,
                b: arrays::f64s("b", b)?,
            };
            // With statistics given, the training documents are not read.
            py.detach(|| nmf.resume_online(&model, Some(statistics), by_doc, by_word))
                .map_err(value_error)?
        }
        _ => {
            return Err(value_error(
                "give the topics and both statistics of a fit, or none of them",
            ))
        }
    };
    let report = py
        .detach(|| nmf.partial_fit(&mut online, by_doc, by_word, forget))
        .map_err(value_error)?;
    let result = PyDict::new(py);
    let components = arrays::components_from_w(online.w(), k);
    result.set_item("components", arrays::to_python(py, &components))?;
    set_statistics(&result, online.statistics())?;
    result.set_item("divergence", report.divergence)?;
    result.set_item("documents", report.documents)?;
    result.set_item("tokens", report.tokens)?;
    Ok(result)
}

/// The topic counts `(n_documents, k)` of the documents × words counts X, given as SciPy's CSR
/// arrays, with the topics `components` `(k, n_words)` fixed, as `float32` bytes.
#[pyfunction]
fn transform_counts<'py>(
    py: Python<'py>,
    shape: (usize, usize),
    indptr: &[u8],
    indices: &[u8],
    data: &[u8],
    components: &[u8],
    solver: Solver,
) -> PyResult<Bound<'py, pyo3::types::PyByteArray>> {
    let matrix = counts_matrix(shape, indptr, indices, data)?;
    transform_matrix(py, &solver, components, matrix.by_doc(), matrix.by_word())
}

/// Topic counts `(n_documents, k)` as weights: each row divided by its sum (in `f64`, as the
/// command line's reports do), all zero for a document without counts.
#[pyfunction]
fn proportions<'py>(
    py: Python<'py>,
    counts: &[u8],
    k: usize,
) -> PyResult<Bound<'py, pyo3::types::PyByteArray>> {
    let counts = arrays::f32s("counts", counts)?;
    if k == 0 || !counts.len().is_multiple_of(k) {
        return Err(value_error(format!(
            "{} values are not a whole number of rows of {k} topics",
            counts.len()
        )));
    }
    let weights: Vec<f32> = counts
        .chunks_exact(k)
        .flat_map(weights_from_counts)
        .collect();
    Ok(arrays::to_python(py, &weights))
}

/// The compiled part of `nmf_topics`.
#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(fit_texts, m)?)?;
    m.add_function(wrap_pyfunction!(transform_texts, m)?)?;
    m.add_function(wrap_pyfunction!(fit_counts, m)?)?;
    m.add_function(wrap_pyfunction!(transform_counts, m)?)?;
    m.add_function(wrap_pyfunction!(fit_counts_minibatch, m)?)?;
    m.add_function(wrap_pyfunction!(partial_fit_counts, m)?)?;
    m.add_function(wrap_pyfunction!(proportions, m)?)?;
    Ok(())
}
