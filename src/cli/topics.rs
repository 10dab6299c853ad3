//! `nmf-topics topics`: the report of a saved model, again.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
use nmf_topics::report::{Ranking, TimeBins};
use nmf_topics::SavedModel;

use super::bounds;
use super::output::{Outputs, Source};

const EXAMPLES: &str = "\
Examples:
  nmf-topics topics --model topics.model
  nmf-topics topics --model topics.model --top-words 20 --relevance 0.6
  nmf-topics topics --model topics.model --json - | jq '.topics[].label'";

/// Show the topics of a saved model (as fit printed them, or ranked by relevance)
#[derive(Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct TopicsArgs {
    /// The model's directory (written by fit --model)
    #[arg(long, value_name = "DIR")]
    model: PathBuf,

    /// Words shown per topic
    #[arg(long, default_value_t = 10, value_name = "N", value_parser = bounds::whole::<0, 100_000>)]
    top_words: usize,

    /// How to cut the documents' times into bins (auto, day, week, month, quarter, year, or a
    /// number of bins of equal width) [default: as the model was saved, by fit --time-bins]
    #[arg(long, value_name = "BINS")]
    time_bins: Option<TimeBins>,

    /// Rank words by relevance λ·log p(w|k) + (1−λ)·log(p(w|k)/p(w)), λ in [0, 1]: lower λ
    /// surfaces rare, topic-specific words (1: by weight, as fit does)
    #[arg(long, value_name = "λ", value_parser = parse_lambda)]
    relevance: Option<f64>,

    /// Write the report as JSON to FILE (- for standard output, instead of the text report)
    #[arg(long, value_name = "FILE")]
    json: Option<String>,
}

fn parse_lambda(arg: &str) -> Result<f64, String> {
    let lambda: f64 = arg
        .parse()
        .map_err(|_| format!("'{arg}' is not a number between 0 and 1"))?;
    Ranking::relevance(lambda)?;
    Ok(lambda)
}

pub fn run(args: TopicsArgs) -> Result<()> {
    let mut outputs = Outputs::new(vec![Source::Whole(args.model.clone())]);
    let (json_out, text_out) = outputs.reserve_report(args.json.as_deref(), "the report")?;
    let mut saved = SavedModel::load(&args.model).context("cannot show the topics")?;
    if let Some(bins) = args.time_bins {
        saved.set_time_bins(bins);
    }
    let ranking = match args.relevance {
        Some(lambda) => Ranking::relevance(lambda).map_err(anyhow::Error::msg)?,
        None => Ranking::Weight,
    };
    let report = saved.report_ranked(args.top_words, ranking);
    if let Some(out) = json_out {
        outputs.write(out, |w| report.write_json(w))?;
    }
    if let Some(out) = text_out {
        outputs.write(out, |w| report.write_terminal(w))?;
    }
    outputs.commit()
}
