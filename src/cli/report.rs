//! `nmf-topics report`: a saved model as one self-contained HTML page.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
use nmf_topics::report::{Ranking, TimeBins, EXPLORER_WORDS};
use nmf_topics::SavedModel;

use super::bounds;
use super::output::{Destination, Outputs, Source};

const EXAMPLES: &str = "\
Examples:
  nmf-topics report --model topics.model --html topics.html
  nmf-topics report --model topics.model --html topics.html --relevance 0.6 --top-words 15";

/// Write a saved model's report as one HTML file to look at in a browser (works offline)
#[derive(Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct ReportArgs {
    /// The model's directory (written by fit --model)
    #[arg(long, value_name = "DIR")]
    model: PathBuf,

    /// Write the page to FILE (- for standard output)
    #[arg(long, value_name = "FILE")]
    html: String,

    /// Words shown per topic
    #[arg(long, default_value_t = 10, value_name = "N", value_parser = bounds::whole::<0, 100_000>)]
    top_words: usize,

    /// How to cut the documents' times into bins (auto, day, week, month, quarter, year, or a
    /// number of bins of equal width) [default: as the model was saved, by fit --time-bins]
    #[arg(long, value_name = "BINS")]
    time_bins: Option<TimeBins>,

    /// Rank words by relevance with this λ in [0, 1] (see topics --help)
    #[arg(long, value_name = "λ")]
    relevance: Option<f64>,

    /// Title of the page [default: the model directory's name]
    #[arg(long, value_name = "TEXT")]
    title: Option<String>,
}

pub fn run(args: ReportArgs) -> Result<()> {
    let ranking = match args.relevance {
        Some(lambda) => Ranking::relevance(lambda).map_err(anyhow::Error::msg)?,
        None => Ranking::Weight,
    };
    let mut outputs = Outputs::new(vec![Source::Whole(args.model.clone())]);
    let html = outputs.reserve("--html", &Destination::parse(&args.html))?;
    let mut saved = SavedModel::load(&args.model).context("cannot write the report")?;
    if let Some(bins) = args.time_bins {
        saved.set_time_bins(bins);
    }
    let title = args.title.unwrap_or_else(|| {
        let name = args
            .model
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| args.model.display().to_string());
        format!("Topics of {name}")
    });
    let mut report = saved.report_ranked(args.top_words, ranking);
    report.explorer = Some(saved.explorer(args.top_words.max(EXPLORER_WORDS)));
    outputs.write(html, |out| report.write_html(&title, out))?;
    outputs.commit()
}
