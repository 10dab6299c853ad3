//! `nmf-topics index`: ingest documents into a corpus store, or delete them from it.

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::Args;
use nmf_topics::corpus::store::{IngestFigures, MAX_INDEXING_THREADS};
use nmf_topics::corpus::{CorpusStore, DocumentReader};
use nmf_topics::report::{printable, thousands};

use super::bounds;
use super::options::{AnalyzerArgs, ReadArgs};
use super::output;
use super::progress;

const EXAMPLES: &str = "\
Examples:
  nmf-topics index corpus.jsonl.gz --index corpus.store      # create the store, or add to it
  nmf-topics fit --index corpus.store -k 50                   # fit without reading the files
  nmf-topics index more.jsonl --index corpus.store            # same ids replace documents
  nmf-topics index --delete 7zip --delete zsh --index corpus.store
  nmf-topics index --index corpus.store                       # what the store holds";

/// Put documents into a corpus store (a tantivy index) to fit them many times without reading
/// them again, show them in reports and search them
#[derive(Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct IndexArgs {
    /// The store's folder: created when it does not exist (or is empty), added to otherwise
    #[arg(long, value_name = "DIR")]
    index: PathBuf,

    #[command(flatten)]
    read: ReadArgs,

    /// Delete the document with this id; may be repeated
    #[arg(long, value_name = "ID")]
    delete: Vec<String>,

    #[command(flatten)]
    analyzer: AnalyzerArgs,

    /// The word options given on the command line (the others take a store's own settings)
    #[arg(skip)]
    pub analyzer_given: Vec<&'static str>,

    /// Commit every N documents: a killed ingest keeps everything up to its last commit
    #[arg(long, default_value_t = 100_000, value_name = "N", value_parser = bounds::whole_u64::<1, 1_000_000_000>)]
    commit_every: u64,

    /// Threads to use [default: all cores]
    #[arg(long, value_name = "N", value_parser = bounds::threads)]
    threads: Option<usize>,

    /// No progress bars
    #[arg(short, long, help_heading = "Output")]
    quiet: bool,
}

pub fn run(args: IndexArgs) -> Result<()> {
    // The figures go to standard output: it must be open before the store is touched.
    output::check_stdout()?;
    anyhow::ensure!(
        args.read.matrix_market()?.is_none(),
        "a corpus store holds documents, not a counted matrix: fit the .mtx file directly"
    );
    // tantivy indexes on at most 8 threads: each holds a segment's worth of memory.
    let threads = bounds::threads_or_all(args.threads).min(MAX_INDEXING_THREADS);
    // The inputs are checked before the store is touched.
    let reader = if args.read.inputs.is_empty() {
        None
    } else {
        Some(DocumentReader::new(
            args.read.inputs(),
            args.read.options(),
        )?)
    };
    let is_store = args.index.join("meta.json").exists();
    let mut store = if is_store || reader.is_none() {
        // Showing or deleting needs a store: neither makes one.
        let store = CorpusStore::open(&args.index)?;
        let given = &args.analyzer_given;
        let asked = args.analyzer.over(store.analyzer().config(), given)?;
        let phrases = args.analyzer.phrases_over(store.phrases(), given)?;
        store.check_settings(&asked, phrases.as_ref())?;
        store
    } else {
        CorpusStore::open_or_create_with(
            &args.index,
            &args.analyzer.config()?,
            args.analyzer.phrases()?.as_ref(),
        )?
    };
    if reader.is_none() && args.delete.is_empty() {
        return summary(&store);
    }
    let started = Instant::now();
    let mut writer = store.writer(threads)?;
    for id in &args.delete {
        writer.delete(id)?;
    }
    let read_inputs = reader.is_some();
    if let Some(mut reader) = reader {
        let watch = reader.progress();
        let bar = progress::bar(
            progress::wanted(args.quiet),
            watch.total_bytes(),
            "indexing",
            true,
        );
        let mut since_commit = 0;
        for doc in reader.by_ref() {
            writer.add(doc?)?;
            since_commit += 1;
            if since_commit == args.commit_every {
                writer.commit()?;
                since_commit = 0;
            }
            bar.set_position(watch.bytes());
        }
        bar.finish_and_clear();
        for warning in reader.take_warnings() {
            eprintln!("warning: {}", printable(&warning.to_string()));
        }
    }
    let figures = writer
        .finish()
        .with_context(|| format!("cannot finish writing to {}", args.index.display()))?;
    let seconds = started.elapsed().as_secs_f64();
    // Written with writeln!, not println!, so that a closed pipe (`| head`) is an error that
    // main treats as the end, not a panic.
    report_deleted(&figures, args.delete.len())?;
    let mut out = std::io::stdout().lock();
    if read_inputs {
        let fresh = figures.added - figures.replaced - figures.repeated;
        writeln!(
            out,
            "indexed {} documents ({:.1} MB of text) in {seconds:.1} s, {:.1} MB/s on {threads} threads: {} new, {} replaced; {} commit{}",
            thousands(figures.added as f64),
            figures.text_bytes as f64 / 1e6,
            figures.text_bytes as f64 / 1e6 / seconds.max(1e-9),
            thousands(fresh as f64),
            thousands(figures.replaced as f64),
            thousands(figures.commits as f64),
            if figures.commits == 1 { "" } else { "s" },
        )?;
        if figures.repeated > 0 {
            eprintln!(
                "warning: {} documents had an id given earlier in the same input; each replaced the earlier one (give every document its own id, with --id-field)",
                thousands(figures.repeated as f64)
            );
        }
    }
    drop(out);
    summary(&CorpusStore::open(&args.index)?)
}

/// How many of the `asked` deletions found their document.
fn report_deleted(figures: &IngestFigures, asked: usize) -> Result<()> {
    if asked == 0 {
        return Ok(());
    }
    writeln!(
        std::io::stdout().lock(),
        "deleted {} of {} documents asked for",
        thousands(figures.deleted as f64),
        thousands(asked as f64)
    )?;
    if !figures.not_found.is_empty() {
        eprintln!(
            "warning: no document has the id {}",
            printable(&figures.not_found.join(", "))
        );
    }
    Ok(())
}

/// What the store holds.
fn summary(store: &CorpusStore) -> Result<()> {
    let config = store.analyzer().config();
    let flags = config.flags();
    let mut words: Vec<String> = flags.iter().map(|f| f.to_string()).collect();
    if !config.extra_stopwords.is_empty() {
        // The extra words go with the language's list.
        let at = flags.iter().position(|f| f.name() == "--no-stopwords");
        let n = config.extra_stopwords.len();
        words.insert(at.map_or(0, |i| i + 1), format!("(+{n} stopwords)"));
    }
    if let Some(phrases) = store.phrases() {
        words.push("--phrases".into());
        words.extend(phrases.flags().iter().map(|f| f.to_string()));
    }
    words.retain(|w| !w.is_empty());
    writeln!(
        std::io::stdout().lock(),
        "{}: {} documents, {:.1} MB on disk; words: {}",
        store.dir().display(),
        thousands(store.n_documents() as f64),
        store.disk_bytes()? as f64 / 1e6,
        words.join(" "),
    )?;
    Ok(())
}
