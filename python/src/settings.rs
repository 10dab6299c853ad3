//! The settings that the Python estimators pass, as dictionaries, turned into the library's.
//!
//! The estimators check the types of their parameters; the rules on values are the library's,
//! and so are its messages, with its command-line option names replaced by the Python
//! parameters that set them (`--max-iter 0` reads `max_iter 0`).

use std::fmt::Display;

use nmf_topics::matrix::Pruning;
use nmf_topics::nmf::{Init, Loss};
use nmf_topics::text::AnalyzerConfig;
use nmf_topics::Nmf;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

/// How text becomes terms: `TopicModel`'s word parameters.
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
pub struct Words {
    language: String,
    stopwords: bool,
    extra_stopwords: Vec<String>,
    stem: bool,
    keep_clitics: bool,
    keep_dotted: bool,
    min_chars: usize,
    max_chars: usize,
}

impl Words {
    /// The analyzer's settings.
    pub fn config(&self) -> PyResult<AnalyzerConfig> {
        Ok(AnalyzerConfig {
            language: self.language.parse().map_err(value_error)?,
            stopwords: self.stopwords,
            extra_stopwords: self.extra_stopwords.clone(),
            stem: self.stem,
            cut_clitics: !self.keep_clitics,
            split_dotted: !self.keep_dotted,
            min_chars: self.min_chars,
            max_chars: self.max_chars,
            // Single words, as `fit` counts without --ngrams.
            ..AnalyzerConfig::default()
        })
    }
}

/// Which words are kept: `TopicModel`'s vocabulary parameters. The document-frequency bounds
/// come as the text of a Python `int` (a count) or `float` (a proportion), which the library's
/// parser tells apart as the command line's `--min-df` does.
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
pub struct Vocabulary {
    min_df: String,
    max_df: String,
    drop_top: usize,
    max_features: Option<usize>,
}

impl Vocabulary {
    /// The pruning, checked.
    pub fn pruning(&self) -> PyResult<Pruning> {
        let bound = |name: &str, text: &str| {
            text.parse()
                .map_err(|e| PyValueError::new_err(format!("{name} {text}: {e}")))
        };
        let pruning = Pruning {
            min_df: bound("min_df", &self.min_df)?,
            max_df: bound("max_df", &self.max_df)?,
            drop_top: self.drop_top,
            max_words: self.max_features,
        };
        pruning.check().map_err(value_error)?;
        Ok(pruning)
    }
}

/// The fit's parameters, shared by `NMF` and `TopicModel`.
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
pub struct Solver {
    n_components: usize,
    init: String,
    max_iter: usize,
    tol: f64,
    seed: u64,
    threads: usize,
    portable: bool,
    extrapolate: bool,
    /// The library's names: `mu` or `cd`, and `kl` (scikit-learn's `beta_loss` read in Python).
    solver: String,
    loss: String,
}

impl Solver {
    /// The library's parameters, checked as far as they can be without the matrix.
    pub fn nmf(&self) -> PyResult<Nmf> {
        let init: Init = self.init.parse().map_err(value_error)?;
        let solver: nmf_topics::nmf::Solver = self.solver.parse().map_err(value_error)?;
        let loss: Loss = self.loss.parse().map_err(value_error)?;
        let nmf = Nmf::new(self.n_components)
            .solver(solver)
            .loss(loss)
            .init(init)
            .max_iter(self.max_iter)
            .tol(self.tol)
            .seed(self.seed)
            .threads(self.threads)
            .portable(self.portable)
            .extrapolate(self.extrapolate);
        nmf.check_settings().map_err(value_error)?;
        Ok(nmf)
    }

    /// Threads to tokenise on.
    pub fn threads(&self) -> usize {
        self.threads
    }
}

/// The command-line options in the library's messages, and the Python parameters that set
/// them.
const PARAMETERS: [(&str, &str); 16] = [
    ("--topics", "n_components"),
    ("--max-iter", "max_iter"),
    ("--tol", "tol"),
    ("--threads", "n_jobs"),
    ("--init", "init"),
    ("--solver", "solver"),
    ("--loss", "beta_loss"),
    ("--extrapolate", "extrapolate"),
    ("--min-df", "min_df"),
    ("--max-df", "max_df"),
    ("--drop-top", "drop_top"),
    ("--max-words", "max_features"),
    ("--lang", "language"),
    ("--min-chars", "min_chars"),
    ("--max-chars", "max_chars"),
    ("--batch-size", "batch_size"),
];

/// The library's message, with Python's parameter names for its command-line options.
fn python_names(message: &str) -> String {
    PARAMETERS
        .iter()
        .fold(message.to_owned(), |text, (option, parameter)| {
            text.replace(option, parameter)
        })
}

/// A `ValueError` with the library's message in Python's names.
pub fn value_error(error: impl Display) -> PyErr {
    PyValueError::new_err(python_names(&error.to_string()))
}
