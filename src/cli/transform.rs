//! `nmf-topics transform`: topic weights of new documents under a saved model.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
use nmf_topics::report::Transformed;
use nmf_topics::SavedModel;

use super::bounds;
use super::load::load_for_model;
use super::options::ReadArgs;
use super::output::{Destination, Outputs, Source};
use super::progress;

const EXAMPLES: &str = "\
Examples:
  nmf-topics transform --model topics.model new-posts.jsonl
  nmf-topics transform --model topics.model notes/ --csv weights.csv
  echo 'a fast web server written in rust' | nmf-topics transform --model topics.model - --lines";

/// Topic weights of new documents, with the model's topics fixed
#[derive(Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct TransformArgs {
    /// The model's directory (written by fit --model)
    #[arg(long, value_name = "DIR")]
    model: PathBuf,

    #[command(flatten)]
    read: ReadArgs,

    /// Threads to solve the weights on (the weights do not depend on it) [default: all cores]
    #[arg(long, value_name = "N", value_parser = bounds::threads, help_heading = "Model")]
    threads: Option<usize>,

    /// Write the weights as JSON to FILE (- for standard output, instead of the text)
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    json: Option<String>,

    /// Write the weights as CSV (id,topic_1,…,topic_K) to FILE (- for standard output, instead
    /// of the text)
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    csv: Option<String>,

    /// No progress bars
    #[arg(short, long, help_heading = "Output")]
    quiet: bool,
}

pub fn run(args: TransformArgs) -> Result<()> {
    args.read.require()?;
    let json = args.json.as_deref().map(Destination::parse);
    let csv = args.csv.as_deref().map(Destination::parse);
    let mut sources = args.read.sources();
    sources.push(Source::Whole(args.model.clone()));
    let mut outputs = Outputs::new(sources);
    let csv_out = csv
        .as_ref()
        .map(|dest| outputs.reserve("--csv", dest))
        .transpose()?;
    let json_out = json
        .as_ref()
        .map(|dest| outputs.reserve("--json", dest))
        .transpose()?;
    let stdout_taken = [&json, &csv]
        .iter()
        .any(|d| matches!(d, Some(Destination::Stdout)));
    let text_out = (!stdout_taken)
        .then(|| outputs.reserve("the weights", &Destination::Stdout))
        .transpose()?;
    let saved = SavedModel::load(&args.model).context("cannot transform")?;
    let threads = bounds::threads_or_all(args.threads);
    let nmf = saved.parameters().nmf.clone().threads(threads);
    nmf.check_settings()?;
    bounds::start_threads(threads)?;

    let (matrix, unknown) = load_for_model(
        &args.read,
        &saved,
        progress::wanted(args.quiet),
        "transform",
    )?;
    let (counts, solve) = saved.transform(&nmf, &matrix)?;
    let result = Transformed::new(&matrix, &unknown, saved.model(), &counts, solve);

    if let Some(out) = csv_out {
        outputs.write(out, |w| result.write_csv(w))?;
    }
    if let Some(out) = json_out {
        outputs.write(out, |w| result.write_json(w))?;
    }
    if let Some(out) = text_out {
        outputs.write(out, |w| result.write_terminal(w))?;
    }
    outputs.commit()
}
