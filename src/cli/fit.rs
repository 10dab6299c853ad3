//! `nmf-topics fit`: read, count, factor, report.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::Args;
use nmf_topics::corpus::{read_matrix_market, CorpusStore, DocumentReader, Input};
use nmf_topics::matrix::{Sparse, Weighting};
use nmf_topics::nmf::{Init, StopRule};
use nmf_topics::report::{write_document_topics, Parameters, StageSeconds, TimeBins};
use nmf_topics::{Nmf, SavedModel};

use super::bounds::{self, MAX_RESTARTS, MAX_TOPICS};
use super::load::{count_source, load_source, Counted};
use super::options::{AnalyzerArgs, IterationArgs, PruningArgs, ReadArgs, SolverArgs};
use super::output::{self, Destination, Output, Outputs, Source};
use super::progress;

const EXAMPLES: &str = "\
Examples:
  nmf-topics fit corpora/debian-5000.jsonl.gz
  nmf-topics fit notes/ -k 30 --json topics.json --doc-topics documents.csv
  zcat posts.txt.gz | nmf-topics fit - --lines --stem --min-df 5 --max-df 0.5
  nmf-topics fit posts.csv --text-field title --text-field body --id-field post_id
  nmf-topics fit corpus.jsonl --phrases                 # \"command line\" as one term
  nmf-topics fit corpus.jsonl --export-matrix v.mtx     # then run any other tool on v.mtx
  nmf-topics fit v.mtx -k 50 --tol 0 --max-iter 500
  nmf-topics fit corpus.jsonl --model topics.model      # then: topics, senses, transform, report
  nmf-topics fit --index corpus.store -k 50             # a store written by nmf-topics index";

/// Find topics in documents and report them
#[derive(Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct FitArgs {
    #[command(flatten)]
    read: ReadArgs,

    /// Fit the documents of this corpus store (written by index) instead of reading inputs;
    /// its word settings are used
    #[arg(long, value_name = "DIR", conflicts_with_all = ["inputs", "format", "lines", "label_field", "time_field", "transpose", "vocab"])]
    index: Option<PathBuf>,

    /// The word options given on the command line (the others take a store's own settings)
    #[arg(skip)]
    pub analyzer_given: Vec<&'static str>,

    /// Number of topics
    #[arg(
        short = 'k',
        long,
        default_value_t = 20,
        value_name = "K",
        value_parser = bounds::whole::<1, MAX_TOPICS>,
        help_heading = "Model"
    )]
    topics: usize,

    #[command(flatten)]
    solver: SolverArgs,

    /// What the solver factors: counts, or tfidf (counts times smoothed idf, each document of
    /// unit length, as scikit-learn's TfidfTransformer; usual with --loss frobenius); saved
    /// with the model, so transform weights new documents alike
    #[arg(long, default_value_t = Weighting::Counts, value_name = "WEIGHTING", help_heading = "Model")]
    weighting: Weighting,

    /// Leave the entries listed in this Matrix Market file out as missing values (a pattern
    /// file, or any positive values; rows and columns as the input's): only with a Matrix
    /// Market input and --loss frobenius --solver mu or cd
    #[arg(long, value_name = "FILE.mtx", help_heading = "Model")]
    mask: Option<PathBuf>,

    /// How the factors start: nndsvda (from a truncated SVD of the counts; steadier, more
    /// coherent topics) or random
    #[arg(long, default_value_t = Init::Nndsvda, value_name = "INIT", help_heading = "Model")]
    init: Init,

    #[command(flatten)]
    iterations: IterationArgs,

    /// What stops the iterations before --max-iter: divergence (--tol) or connectivity (no
    /// document changes its main topic for --stable checks, one every 10 iterations)
    #[arg(long = "stop", default_value_t = StopRule::Divergence, value_name = "RULE", help_heading = "Model")]
    stop_rule: StopRule,

    /// Checks without a change before --stop connectivity stops
    #[arg(long, default_value_t = 40, value_name = "N", value_parser = bounds::whole::<1, 100_000>, help_heading = "Model")]
    stable: usize,

    /// Fit from N seeds (--seed, --seed + 1, …) and keep the lowest divergence
    #[arg(long, default_value_t = 1, value_name = "N", value_parser = bounds::whole::<1, MAX_RESTARTS>, help_heading = "Model")]
    restarts: usize,

    /// Fit by mini-batches of N documents (scikit-learn's MiniBatchNMF): W is updated after
    /// each batch, and --max-iter and --tol count passes over the documents
    #[arg(long, value_name = "N", value_parser = bounds::whole::<1, 100_000_000>, help_heading = "Model")]
    batch_size: Option<usize>,

    /// With --batch-size: the forgetting factor a batch, in (0, 1] [default: 0.7 a pass over
    /// the documents]
    #[arg(long, value_name = "RHO", requires = "batch_size", value_parser = super::update::forget, help_heading = "Model")]
    forget: Option<f64>,

    /// Seed of the random start: the same seed gives the same topics, whatever --threads
    #[arg(long, default_value_t = 0, value_name = "SEED", help_heading = "Model")]
    seed: u64,

    /// Threads to use [default: all cores]
    #[arg(long, value_name = "N", value_parser = bounds::threads, help_heading = "Model")]
    threads: Option<usize>,

    /// Run the portable kernel (plain multiplies and adds) instead of the fastest this CPU has:
    /// the same factors on every machine, several times slower
    #[arg(long, help_heading = "Model")]
    portable: bool,

    #[command(flatten)]
    analyzer: AnalyzerArgs,

    #[command(flatten)]
    pruning: PruningArgs,

    /// Words shown per topic
    #[arg(long, default_value_t = 10, value_name = "N", value_parser = bounds::whole::<0, 100_000>, help_heading = "Output")]
    top_words: usize,

    /// How the reports cut the documents' times (--time-field) into bins: auto, day, week,
    /// month, quarter, year, or a number of bins of equal width; saved with the model
    #[arg(long, default_value_t = TimeBins::Auto, value_name = "BINS", help_heading = "Output")]
    time_bins: TimeBins,

    /// Write the report as JSON to FILE (- for standard output, instead of the text report)
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    json: Option<String>,

    /// Write every document's topic weights to FILE as CSV (one row a document; - for standard
    /// output, instead of the text report)
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    doc_topics: Option<String>,

    /// Write the count matrix to FILE (Matrix Market, words × documents; .mtx is added when the
    /// name lacks it), with FILE.vocab.txt and FILE.docs.txt beside it
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    export_matrix: Option<PathBuf>,

    /// Save the model to the directory DIR (created, or replaced if it holds a model and
    /// nothing else), for the topics, senses, transform and report subcommands
    #[arg(long, value_name = "DIR", help_heading = "Output")]
    model: Option<PathBuf>,

    /// No progress bars
    #[arg(short, long, help_heading = "Output")]
    quiet: bool,
}

pub fn run(args: FitArgs) -> Result<()> {
    let threads = bounds::threads_or_all(args.threads);
    let nmf = args
        .solver
        .apply(Nmf::new(args.topics))
        .init(args.init)
        .stop(args.stop_rule)
        .stable(args.stable)
        .restarts(args.restarts)
        .max_iter(args.iterations.max_iter)
        .tol(args.iterations.tol)
        .seed(args.seed)
        .threads(threads)
        .portable(args.portable);
    nmf.check_settings()?;
    if args.batch_size.is_some() {
        anyhow::ensure!(
            args.restarts == 1 && args.stop_rule == StopRule::Divergence,
            "--batch-size fits one run, stopped by --tol on its passes: leave out --restarts and --stop connectivity"
        );
        anyhow::ensure!(
            args.mask.is_none() && args.weighting == Weighting::Counts,
            "--batch-size updates counts, batch by batch, and so does update later: leave out --mask and --weighting tfidf (whose idf would change with every batch)"
        );
    }
    let pruning = args.pruning.pruning()?;
    let mut sources = args.read.sources();
    sources.extend(args.analyzer.sources());
    sources.extend(args.index.clone().map(Source::Whole));
    // Every output is checked and reserved before any work, and put in place at the end.
    let mut outputs = Outputs::new(sources);
    let model_out = args
        .model
        .as_deref()
        .map(|dir| outputs.reserve_model("--model", dir))
        .transpose()?;
    let export_out = match args.export_matrix.as_deref().map(with_mtx_extension) {
        Some(path) => Some(ExportOutputs {
            mtx: outputs.reserve("--export-matrix", &Destination::File(path.clone()))?,
            vocab: outputs.reserve(
                "--export-matrix",
                &Destination::File(output::sibling(&path, "vocab.txt")),
            )?,
            docs: outputs.reserve(
                "--export-matrix",
                &Destination::File(output::sibling(&path, "docs.txt")),
            )?,
        }),
        None => None,
    };
    let doc_topics = args.doc_topics.as_deref().map(Destination::parse);
    let doc_topics_out = doc_topics
        .as_ref()
        .map(|dest| outputs.reserve("--doc-topics", dest))
        .transpose()?;
    let (json_out, text_out) = if doc_topics == Some(Destination::Stdout) {
        // The weights take standard output, as --json - does: no text report.
        let json = args.json.as_deref().map(Destination::parse);
        let json_out = json
            .as_ref()
            .map(|dest| outputs.reserve("--json", dest))
            .transpose()?;
        (json_out, None)
    } else {
        outputs.reserve_report(args.json.as_deref(), "the report")?
    };
    bounds::start_threads(threads)?;
    let show = progress::wanted(args.quiet);
    let source = load_source(
        &args.read,
        &args.analyzer,
        &args.analyzer_given,
        args.index.as_deref(),
        show,
    )?;
    let Counted {
        name: inputs,
        matrix,
        analyzer,
        phrases,
        store,
        reading_seconds: reading,
        matrix_seconds,
    } = count_source(source, &pruning)?;
    nmf.check(matrix.n_words(), matrix.n_documents())
        .with_context(|| format!("no topics can be fitted to {inputs}"))?;
    if let Some(export) = export_out {
        outputs.write(export.vocab, |out| matrix.write_vocabulary(out))?;
        outputs.write(export.docs, |out| matrix.write_document_ids(out))?;
        outputs.write(export.mtx, |out| matrix.write_matrix_market(out))?;
    }
    let bar = progress::bar(
        show,
        Some(args.iterations.max_iter as u64),
        "fitting",
        false,
    );
    let started = Instant::now();
    // Under --stop divergence, show how far the divergence is from meeting --tol.
    let watch_tol = args.stop_rule == StopRule::Divergence && args.iterations.tol > 0.0;
    let mut last = None;
    // The weights are made here, and freed once fitted: the model keeps the counts.
    let v = args
        .weighting
        .fitted(matrix.by_doc(), matrix.by_doc(), matrix.by_word());
    let (by_doc, by_word) = v.pair();
    let mask = args
        .mask
        .as_deref()
        .map(|path| read_mask(path, &args.read, &matrix))
        .transpose()?;
    let mut statistics = None;
    let (model, fit) = if let Some(batch_size) = args.batch_size {
        // A pass over the documents is an iteration here, and stops on its own fall.
        let (model, stats, fit) =
            nmf.fit_minibatch_observed(by_doc, by_word, batch_size, args.forget, &mut |i, d| {
                bar.set_position(i as u64);
                if let Some(before) = last.replace(d).filter(|&b: &f64| b > 0.0) {
                    if args.iterations.tol > 0.0 {
                        bar.set_prefix(format!(
                            ", {} down {:.1e} in a pass (stops under {:e})",
                            args.solver.loss.quantity(),
                            (before - d) / before,
                            args.iterations.tol
                        ));
                    }
                }
            })?;
        statistics = Some(stats);
        (model, fit)
    } else if let Some((mask_by_doc, mask_by_word)) = &mask {
        nmf.fit_masked(by_doc, by_word, mask_by_doc, mask_by_word)?
    } else {
        nmf.fit_observed(by_doc, by_word, &mut |i, d| {
            bar.set_position(i as u64);
            if i == 1 {
                last = None; // a restart's first iteration
            }
            if let (true, Some(d)) = (watch_tol, d) {
                if let Some(before) = last.replace(d).filter(|&b: &f64| b > 0.0) {
                    let fall = (before - d) / before;
                    bar.set_prefix(format!(
                        ", {} down {fall:.1e} in 10 (stops under {:e})",
                        args.solver.loss.quantity(),
                        args.iterations.tol
                    ));
                }
            }
        })?
    };
    let missing = mask.as_ref().map_or(0, |(by_doc, _)| by_doc.nnz());
    drop(mask);
    bar.finish_and_clear();
    let fitting = started.elapsed().as_secs_f64();
    drop(v);

    let mut saved = SavedModel::new(
        matrix,
        model,
        fit,
        Parameters {
            analyzer,
            phrases: phrases.as_ref().map(|(config, _)| *config),
            pruning,
            nmf,
            weighting: args.weighting,
            missing,
        },
        StageSeconds {
            reading,
            matrix: matrix_seconds,
            fitting,
        },
    )?;
    saved.set_phrases(phrases.map(|(_, list)| list));
    saved.set_online_statistics(statistics);
    let wanted = saved.representative_positions();
    let texts = match &store {
        Some(store) => texts_from_store(store, &saved, &wanted)?,
        None => texts_from_inputs(&args.read, &wanted),
    };
    saved.set_snippets(texts.iter().map(|(d, text)| (*d, text.as_str())));
    saved.set_time_bins(args.time_bins);
    if let Some(out) = model_out {
        outputs.write_model(out, &saved)?;
    }
    if let Some(out) = doc_topics_out {
        outputs.write(out, |w| {
            write_document_topics(saved.matrix(), saved.model(), w)
        })?;
    }
    let report = saved.report(args.top_words);
    if let Some(out) = json_out {
        outputs.write(out, |w| report.write_json(w))?;
    }
    if let Some(out) = text_out {
        outputs.write(out, |w| report.write_terminal(w))?;
    }
    outputs.commit()
}

/// The entries of the Matrix Market file `path` as a mask over `matrix`, by document (CSC)
/// and by word (CSR): its rows are named as the input's (by the input's vocabulary), so they
/// find their words after pruning renumbered them; a row of a word the matrix lacks (pruned)
/// is left out. Its columns are the input's documents.
fn read_mask(
    path: &std::path::Path,
    read: &ReadArgs,
    matrix: &nmf_topics::CountMatrix,
) -> Result<(Sparse, Sparse)> {
    let Some((input, mut options)) = read.matrix_market()? else {
        anyhow::bail!(
            "--mask {}: a mask lists entries of a Matrix Market input, and the input is not one",
            path.display()
        );
    };
    if options.vocab.is_none() {
        let vocab = output::sibling(&input, "vocab.txt");
        options.vocab = vocab.exists().then_some(vocab);
    }
    let bag = read_matrix_market(path, &options)
        .with_context(|| format!("cannot read the mask {}", path.display()))?;
    let n_docs = matrix.n_documents();
    if bag.n_documents() != n_docs {
        anyhow::bail!(
            "--mask {}: it has {} documents (columns), the input {n_docs}",
            path.display(),
            bag.n_documents()
        );
    }
    let index: std::collections::HashMap<&str, usize> = matrix
        .terms()
        .iter()
        .enumerate()
        .map(|(i, t)| (t.as_str(), i))
        .collect();
    let mut entries = sprs::TriMatI::<f32, u32>::new((matrix.n_words(), n_docs));
    for d in 0..n_docs {
        for &(t, _) in bag.document(d) {
            if let Some(&w) = index.get(bag.terms()[t as usize].as_str()) {
                entries.add_triplet(w, d, 1.0);
            }
        }
    }
    let by_doc: Sparse = entries.to_csc();
    let by_word = by_doc.to_other_storage();
    Ok((by_doc, by_word))
}

/// The three files of `--export-matrix`.
struct ExportOutputs {
    mtx: Output,
    vocab: Output,
    docs: Output,
}

/// The texts of the documents at `positions`, from the store.
fn texts_from_store(
    store: &CorpusStore,
    saved: &SavedModel,
    positions: &[usize],
) -> Result<Vec<(usize, String)>> {
    let documents = saved.matrix().documents();
    let mut texts = Vec::with_capacity(positions.len());
    for &d in positions {
        if let Some(doc) = store.document(documents.at(d).id)? {
            texts.push((d, doc.text));
        }
    }
    Ok(texts)
}

/// The texts of the documents at `positions` (increasing), read again from the inputs. None
/// when an input cannot be read twice (standard input, a named pipe, a device: opening a pipe
/// again would wait for ever, so none is opened twice, and a note says why the report lacks
/// snippets) or holds no text (a Matrix Market file), or when reading fails: snippets are a
/// help, not worth failing a fit for.
pub(super) fn texts_from_inputs(read: &ReadArgs, positions: &[usize]) -> Vec<(usize, String)> {
    if positions.is_empty() || !matches!(read.matrix_market(), Ok(None)) {
        return Vec::new();
    }
    let inputs = read.inputs();
    if let Some(once) = inputs.iter().find(|i| !i.can_read_twice()) {
        let name = match once {
            Input::Stdin => "standard input".to_owned(),
            Input::Path(p) => p.display().to_string(),
        };
        eprintln!(
            "note: {name} can be read only once, so the representative documents are shown without snippets (give a regular file for them)"
        );
        return Vec::new();
    }
    let Ok(reader) = DocumentReader::new(inputs, read.options()) else {
        return Vec::new();
    };
    let mut wanted = positions.iter().copied().peekable();
    let mut texts = Vec::with_capacity(positions.len());
    for (d, doc) in reader.enumerate() {
        let Some(&next) = wanted.peek() else { break };
        let Ok(doc) = doc else { break };
        if d == next {
            texts.push((d, doc.text));
            wanted.next();
        }
    }
    texts
}

/// `path`, ending in `.mtx`: the name `fit` reads back as a matrix.
fn with_mtx_extension(path: &std::path::Path) -> PathBuf {
    if path.extension().is_some_and(|e| e == "mtx") {
        path.to_owned()
    } else {
        let mut name = path.as_os_str().to_owned();
        name.push(".mtx");
        PathBuf::from(name)
    }
}
