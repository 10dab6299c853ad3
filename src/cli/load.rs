//! Loading a corpus, as `fit` and `bench` do: read and count, or read a Matrix Market file.

use std::time::Instant;

use anyhow::{Context, Result};
use nmf_topics::corpus::{
    count, count_phrased, read_matrix_market, BagOfWords, CorpusStore, DocumentReader,
    PhraseConfig, PhraseList, Phrasing,
};
use nmf_topics::matrix::Pruning;
use nmf_topics::matrix::UnknownWords;
use nmf_topics::model::SavedModel;
use nmf_topics::report::printable;
use nmf_topics::text::AnalyzerConfig;
use nmf_topics::{Analyzer, CountMatrix};

use super::options::{AnalyzerArgs, ReadArgs};
use super::progress;

/// A loaded corpus and how the loading went.
pub struct Loaded {
    pub bag: BagOfWords,
    /// The analyzer's settings; `None` for a Matrix Market input.
    pub analyzer: Option<AnalyzerConfig>,
    /// How phrases were found; `None` without phrases.
    pub phrases: Option<PhraseConfig>,
    pub seconds: f64,
    /// Bytes of text tokenised (0 for a Matrix Market input).
    pub text_bytes: u64,
}

pub fn load(read: &ReadArgs, analyzer: &AnalyzerArgs, show_progress: bool) -> Result<Loaded> {
    let (config, phrasing) = if read.matrix_market()?.is_some() {
        anyhow::ensure!(
            !analyzer.phrases && !analyzer.ngrams.joins(),
            "a Matrix Market matrix is already counted: --phrases and --ngrams apply to text"
        );
        (None, None)
    } else {
        let phrasing = analyzer.phrases()?.map(Phrasing::Detect);
        (Some(analyzer.config()?), phrasing)
    };
    load_with(read, config, phrasing, show_progress)
}

/// New documents read as `saved` reads text: its analyzer and phrases, counted over its words
/// alone; with the words it left out. `action` names the command in the error ("transform").
pub fn load_for_model(
    read: &ReadArgs,
    saved: &SavedModel,
    show_progress: bool,
    action: &str,
) -> Result<(CountMatrix, UnknownWords)> {
    let loaded = load_with(
        read,
        saved.parameters().analyzer.clone(),
        saved.phrases().cloned().map(Phrasing::Apply),
        show_progress,
    )?;
    let vocabulary = saved.matrix();
    CountMatrix::with_vocabulary(&loaded.bag, vocabulary.terms(), vocabulary.words())
        .with_context(|| format!("cannot {action} {}", read.inputs.join(" ")))
}

/// As [`load`], with the analyzer's settings given (`None`: only a Matrix Market input can be
/// read), and the phrases to find or join (`None`: none).
pub fn load_with(
    read: &ReadArgs,
    config: Option<AnalyzerConfig>,
    phrasing: Option<Phrasing>,
    show_progress: bool,
) -> Result<Loaded> {
    let started = Instant::now();
    if let Some((path, options)) = read.matrix_market()? {
        let bag = read_matrix_market(&path, &options)?;
        return Ok(Loaded {
            bag,
            analyzer: None,
            phrases: None,
            seconds: started.elapsed().as_secs_f64(),
            text_bytes: 0,
        });
    }
    let config = config.ok_or_else(|| {
        anyhow::anyhow!(
            "the model was fitted to a Matrix Market matrix, so it has no analyzer to read text with: give a .mtx file counted over the model's vocabulary"
        )
    })?;
    let reader = DocumentReader::new(read.inputs(), read.options())?;
    let watch = reader.progress();
    let bar = progress::bar(show_progress, watch.total_bytes(), "reading", true);
    let analyzer = Analyzer::new(config.clone())?;
    let progress = || bar.set_position(watch.bytes());
    let (bag, stats) = match &phrasing {
        Some(phrasing) => count_phrased(reader, analyzer, phrasing, progress)?,
        None => count(reader, analyzer, progress)?,
    };
    bar.finish_and_clear();
    for warning in &stats.warnings {
        eprintln!("warning: {}", printable(&warning.to_string()));
    }
    let phrases = match phrasing {
        Some(Phrasing::Detect(config)) => Some(config),
        _ => None,
    };
    Ok(Loaded {
        bag,
        analyzer: Some(config),
        phrases,
        seconds: started.elapsed().as_secs_f64(),
        text_bytes: stats.text_bytes,
    })
}

/// A corpus read from a store (`index`) or from the inputs, as `fit` and `rank` take it.
pub struct Source {
    /// What was read, for messages.
    pub name: String,
    pub loaded: Loaded,
    /// The store, when the corpus came from one.
    pub store: Option<CorpusStore>,
}

/// Reads the corpus from the store in `index`, when given, with its own word settings (those
/// of `analyzer` that were `given` on the command line must match them); else from the inputs.
pub fn load_source(
    read: &ReadArgs,
    analyzer: &AnalyzerArgs,
    given: &[&'static str],
    index: Option<&std::path::Path>,
    show_progress: bool,
) -> Result<Source> {
    let Some(dir) = index else {
        read.require()?;
        return Ok(Source {
            name: read.inputs.join(" "),
            loaded: load(read, analyzer, show_progress)?,
            store: None,
        });
    };
    let started = Instant::now();
    let store = CorpusStore::open(dir)?;
    store.check_settings(
        &analyzer.over(store.analyzer().config(), given)?,
        analyzer.phrases_over(store.phrases(), given)?.as_ref(),
    )?;
    let bag = store.bag()?;
    Ok(Source {
        name: dir.display().to_string(),
        loaded: Loaded {
            bag,
            analyzer: Some(store.analyzer().config().clone()),
            phrases: store.phrases().copied(),
            seconds: started.elapsed().as_secs_f64(),
            text_bytes: 0,
        },
        store: Some(store),
    })
}

/// A corpus counted into its matrix, as `fit` and `rank` take it.
pub struct Counted {
    /// What was read, for messages.
    pub name: String,
    pub matrix: CountMatrix,
    /// The analyzer's settings; `None` for a Matrix Market input.
    pub analyzer: Option<AnalyzerConfig>,
    /// How phrases were found, and the phrases; `None` without phrases.
    pub phrases: Option<(PhraseConfig, PhraseList)>,
    /// The store, when the corpus came from one.
    pub store: Option<CorpusStore>,
    pub reading_seconds: f64,
    pub matrix_seconds: f64,
}

/// Counts `source` into its matrix under `pruning`, handing back the memory that reading and
/// counting leave freed but resident.
pub fn count_source(source: Source, pruning: &Pruning) -> Result<Counted> {
    let Source {
        name,
        loaded,
        store,
    } = source;
    super::memory::trim();
    let started = Instant::now();
    let phrases = loaded.phrases.zip(
        loaded
            .bag
            .phrases()
            .cloned()
            .or_else(|| Some(PhraseList::default())),
    );
    let matrix = CountMatrix::from_bag(loaded.bag, pruning)
        .with_context(|| format!("no topics can be fitted to {name}"))?;
    super::memory::trim();
    Ok(Counted {
        name,
        matrix,
        analyzer: loaded.analyzer,
        phrases,
        store,
        reading_seconds: loaded.seconds,
        matrix_seconds: started.elapsed().as_secs_f64(),
    })
}
