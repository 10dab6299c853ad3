//! `nmf-topics search`: the documents of a corpus store that match a query.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
use nmf_topics::corpus::{count_documents, CorpusStore};
use nmf_topics::report::{SearchReport, Transformed};
use nmf_topics::{Analyzer, CountMatrix, SavedModel};

use super::bounds;
use super::output::{Destination, Outputs, Source};

const EXAMPLES: &str = "\
Examples:
  nmf-topics search --index corpus.store kernel module
  nmf-topics search --index corpus.store 'editor -emacs' --limit 20
  nmf-topics search --index corpus.store 'font OR typeface' --model topics.model
  nmf-topics search --index corpus.store id:zsh --json -";

/// Find documents in a corpus store, with their topic weights under a model
#[derive(Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct SearchArgs {
    /// The store's folder (written by index)
    #[arg(long, value_name = "DIR")]
    index: PathBuf,

    /// Words that must all occur (OR between two words: either; -word: not this one;
    /// id:NAME: the document with that id)
    #[arg(value_name = "QUERY", required = true)]
    query: Vec<String>,

    /// Documents shown
    #[arg(long, default_value_t = 10, value_name = "N", value_parser = bounds::whole::<1, 1_000_000>)]
    limit: usize,

    /// Show each document's topics under this model (written by fit --model)
    #[arg(long, value_name = "DIR")]
    model: Option<PathBuf>,

    /// Write the matches as JSON to FILE (- for standard output, instead of the text)
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    json: Option<String>,
}

pub fn run(args: SearchArgs) -> Result<()> {
    let mut sources = vec![Source::Whole(args.index.clone())];
    sources.extend(args.model.clone().map(Source::Whole));
    let mut outputs = Outputs::new(sources);
    let out = match args.json.as_deref().map(Destination::parse) {
        Some(dest) => outputs.reserve("--json", &dest)?,
        None => outputs.reserve("the matches", &Destination::Stdout)?,
    };
    let store = CorpusStore::open(&args.index)?;
    let saved = args
        .model
        .as_deref()
        .map(|dir| SavedModel::load(dir).context("cannot show topic weights"))
        .transpose()?;
    let query = args.query.join(" ");
    let (total, hits) = store.search(&query, args.limit)?;

    let weights = match &saved {
        Some(saved) if !hits.is_empty() => {
            let config = saved.parameters().analyzer.clone().ok_or_else(|| {
                anyhow::anyhow!("the model was fitted to a Matrix Market matrix: it cannot read the documents' text")
            })?;
            let documents = hits
                .iter()
                .map(|h| h.document.clone().into_document())
                .collect();
            let bag = count_documents(Analyzer::new(config)?, saved.phrases(), documents);
            let vocabulary = saved.matrix();
            let (matrix, unknown) =
                CountMatrix::with_vocabulary(&bag, vocabulary.terms(), vocabulary.words())?;
            let nmf = saved.parameters().nmf.clone().threads(1);
            let (counts, solve) = saved.transform(&nmf, &matrix)?;
            Some(Transformed::new(
                &matrix,
                &unknown,
                saved.model(),
                &counts,
                solve,
            ))
        }
        _ => None,
    };
    let report = SearchReport::new(&query, total, &hits, weights.as_ref());
    if args.json.is_some() {
        outputs.write(out, |w| report.write_json(w))?;
    } else {
        outputs.write(out, |w| report.write_terminal(w))?;
    }
    outputs.commit()
}
