//! `nmf-topics rank`: fit a range of K from several seeds each and suggest one.

use std::path::PathBuf;
use std::str::FromStr;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::Args;
use nmf_topics::matrix::Weighting;
use nmf_topics::nmf::consensus::sample_documents;
use nmf_topics::nmf::Init;
use nmf_topics::report::{RankParameters, RankReport, RankRow, RankSeconds};
use nmf_topics::Nmf;

use super::bounds::{self, MAX_RESTARTS, MAX_TOPICS};
use super::load::{count_source, load_source, Counted};
use super::options::{AnalyzerArgs, IterationArgs, PruningArgs, ReadArgs, SolverArgs};
use super::output::{Destination, Outputs, Source};
use super::progress;

/// The consensus and its clustering hold about 18 bytes a pair: 0.9 GB at 10,000 documents.
const MAX_SAMPLE: usize = 10_000;

const EXAMPLES: &str = "\
Examples:
  nmf-topics rank corpora/debian-5000.jsonl.gz --topics 5..30 --step 5
  nmf-topics rank corpus.jsonl.gz --topics 5..50 --step 5 --restarts 3 --plot k.svg --json k.json
  nmf-topics rank notes/ --topics 4,8,16,32 --restarts 5";

/// Fit a range of topic counts K from several seeds each and report, for each K, the divergence,
/// the topics' coherence (NPMI) and diversity, and how stable the documents' main topics are
/// across the seeds (the cophenetic correlation, Brunet et al. 2004); suggest a K and say why
#[derive(Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct RankArgs {
    #[command(flatten)]
    read: ReadArgs,

    /// Survey the documents of this corpus store (written by index) instead of reading inputs;
    /// its word settings are used
    #[arg(long, value_name = "DIR", conflicts_with_all = ["inputs", "format", "lines", "label_field", "time_field", "transpose", "vocab"])]
    index: Option<std::path::PathBuf>,

    /// The word options given on the command line (the others take a store's own settings)
    #[arg(skip)]
    pub analyzer_given: Vec<&'static str>,

    /// The K to try: a range A..B (both included; see --step) or a list A,B,C
    #[arg(short = 'k', long, value_name = "A..B|A,B,…", help_heading = "Model")]
    topics: TopicSpec,

    /// With a range A..B: try A, A + STEP, … up to B
    #[arg(long, value_name = "STEP", value_parser = bounds::whole::<1, MAX_TOPICS>, help_heading = "Model")]
    step: Option<usize>,

    #[command(flatten)]
    solver: SolverArgs,

    /// What the solver factors: counts, or tfidf (counts times smoothed idf, each document of
    /// unit length, as scikit-learn's TfidfTransformer; usual with --loss frobenius)
    #[arg(long, default_value_t = Weighting::Counts, value_name = "WEIGHTING", help_heading = "Model")]
    weighting: Weighting,

    /// Runs for each K, from seeds --seed, --seed + 1, …; the cophenetic correlation needs 2 or
    /// more
    #[arg(long, default_value_t = 3, value_name = "N", value_parser = bounds::whole::<1, MAX_RESTARTS>, help_heading = "Model")]
    restarts: usize,

    /// How the factors start: random (each seed a different start, as the consensus needs) or
    /// nndsvda (the seed only changes the SVD's random projection: runs barely differ)
    #[arg(long, default_value_t = Init::Random, value_name = "INIT", help_heading = "Model")]
    init: Init,

    #[command(flatten)]
    iterations: IterationArgs,

    /// Seed of the first run and of the document sample: the same seed gives the same table,
    /// whatever --threads
    #[arg(long, default_value_t = 0, value_name = "SEED", help_heading = "Model")]
    seed: u64,

    /// Documents in the consensus matrix (at most 10,000), drawn by --seed, the same for every
    /// K; all when the corpus has fewer
    #[arg(long, default_value_t = 2000, value_name = "N", value_parser = bounds::whole::<3, MAX_SAMPLE>, help_heading = "Model")]
    sample: usize,

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

    /// Write the survey as JSON to FILE (- for standard output, instead of the table)
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    json: Option<String>,

    /// Draw each figure against K, the suggested K marked, as an SVG image in FILE.svg
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    plot: Option<PathBuf>,

    /// No progress bars
    #[arg(short, long, help_heading = "Output")]
    quiet: bool,
}

/// `--topics`: a range or a list.
#[derive(Debug, Clone, PartialEq)]
enum TopicSpec {
    Range(usize, usize),
    List(Vec<usize>),
}

impl FromStr for TopicSpec {
    type Err = String;

    fn from_str(s: &str) -> Result<TopicSpec, String> {
        let number = |x: &str| -> Result<usize, String> {
            let k = x
                .trim()
                .parse::<usize>()
                .map_err(|_| format!("'{}' is not a whole number of topics", x.trim()))?;
            if k > MAX_TOPICS {
                return Err(format!(
                    "K = {k}: give a number of topics from 1 to {}",
                    bounds::grouped(MAX_TOPICS)
                ));
            }
            Ok(k)
        };
        if let Some((a, b)) = s.split_once("..") {
            let (a, b) = (number(a)?, number(b.strip_prefix('=').unwrap_or(b))?);
            if a == 0 {
                return Err("the smallest K is 1".into());
            }
            if b < a {
                return Err(format!(
                    "the range {a}..{b} is empty: write the smaller K first"
                ));
            }
            return Ok(TopicSpec::Range(a, b));
        }
        let mut list = s.split(',').map(number).collect::<Result<Vec<_>, _>>()?;
        if list.contains(&0) {
            return Err("the smallest K is 1".into());
        }
        list.sort_unstable();
        list.dedup();
        Ok(TopicSpec::List(list))
    }
}

impl TopicSpec {
    /// The K to try, increasing.
    fn values(&self, step: Option<usize>) -> Result<Vec<usize>> {
        match self {
            TopicSpec::Range(a, b) => Ok((*a..=*b).step_by(step.unwrap_or(1)).collect()),
            TopicSpec::List(list) => {
                anyhow::ensure!(
                    step.is_none(),
                    "--step applies to a range (--topics A..B), not to a list"
                );
                Ok(list.clone())
            }
        }
    }
}

pub fn run(args: RankArgs) -> Result<()> {
    let ks = args.topics.values(args.step)?;
    let threads = bounds::threads_or_all(args.threads);
    let base = args
        .solver
        .apply(Nmf::new(ks[0]))
        .init(args.init)
        .restarts(args.restarts)
        .max_iter(args.iterations.max_iter)
        .tol(args.iterations.tol)
        .seed(args.seed)
        .threads(threads)
        .portable(args.portable);
    base.check_settings()?;
    let pruning = args.pruning.pruning()?;
    let mut sources = args.read.sources();
    sources.extend(args.analyzer.sources());
    sources.extend(args.index.clone().map(Source::Whole));
    let mut outputs = Outputs::new(sources);
    let plot_out = args
        .plot
        .clone()
        .map(|path| outputs.reserve("--plot", &Destination::File(path)))
        .transpose()?;
    let (json_out, text_out) = outputs.reserve_report(args.json.as_deref(), "the table")?;
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
        reading_seconds: reading,
        matrix_seconds,
        ..
    } = count_source(source, &pruning)?;
    let largest = *ks.last().expect("at least one K");
    base.clone()
        .with_topics(largest)
        .check(matrix.n_words(), matrix.n_documents())
        .with_context(|| format!("K = {largest} cannot be fitted to {inputs}"))?;
    let sample = sample_documents(matrix.by_doc(), args.sample, args.seed);
    anyhow::ensure!(
        sample.len() >= 3,
        "{inputs}: only {} documents have words left after pruning; the consensus needs 3",
        sample.len()
    );

    let started = Instant::now();
    // V as the solver sees it; the scores are of the counts.
    let v = args
        .weighting
        .fitted(matrix.by_doc(), matrix.by_doc(), matrix.by_word());
    let (by_doc, by_word) = v.pair();
    let fitted = v.total();
    let mut ranks = Vec::with_capacity(ks.len());
    for &k in &ks {
        let nmf = base.clone().with_topics(k);
        let bar = progress::bar(
            show,
            Some((args.iterations.max_iter * args.restarts) as u64),
            &format!("K = {k}"),
            false,
        );
        let max_iter = args.iterations.max_iter;
        let (models, fit) = nmf.rank_fit(by_doc, by_word, &sample, &mut |r, i| {
            bar.set_position((r * max_iter + i) as u64)
        })?;
        bar.finish_and_clear();
        ranks.push(RankRow::new(&matrix, &models, &fit, fitted));
    }
    let parameters = RankParameters {
        analyzer,
        phrases: phrases.map(|(config, _)| config),
        pruning,
        topics: ks,
        nmf: base,
        sample: args.sample,
        weighting: args.weighting,
    };
    let seconds = RankSeconds {
        reading,
        matrix: matrix_seconds,
        ranking: started.elapsed().as_secs_f64(),
    };
    let report = RankReport::new(&matrix, parameters, ranks, seconds);
    if let Some(out) = plot_out {
        outputs.write(out, |w| report.write_svg(w))?;
    }
    if let Some(out) = json_out {
        outputs.write(out, |w| report.write_json(w))?;
    }
    if let Some(out) = text_out {
        outputs.write(out, |w| report.write_terminal(w))?;
    }
    outputs.commit()
}
