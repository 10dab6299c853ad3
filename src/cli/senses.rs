//! `nmf-topics senses`: the topics in which a word carries weight, and where each dominates.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
use nmf_topics::report::{find_word, SenseOptions, Senses};
use nmf_topics::SavedModel;

use super::bounds;
use super::output::{Outputs, Source};

const EXAMPLES: &str = "\
Examples:
  nmf-topics senses lead --model encyclopedia.model
  nmf-topics senses server --model topics.model --documents 10 --json -";

/// Show the senses of a word: the topics in which it carries weight and the documents where
/// each of them dominates
#[derive(Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct SensesArgs {
    /// The word (analysed as the model's words were: case, stemming)
    #[arg(value_name = "WORD")]
    word: String,

    /// The model's directory (written by fit --model)
    #[arg(long, value_name = "DIR")]
    model: PathBuf,

    /// Show topics with p(topic | word) at least this
    #[arg(long, default_value_t = 0.05, value_name = "P", value_parser = parse_share)]
    min_share: f64,

    /// Other words shown per sense
    #[arg(long, default_value_t = 8, value_name = "N", value_parser = bounds::whole::<0, 100_000>)]
    top_words: usize,

    /// Documents listed per sense
    #[arg(long, default_value_t = 5, value_name = "N", value_parser = bounds::whole::<0, 100_000>)]
    documents: usize,

    /// Write the senses as JSON to FILE (- for standard output, instead of the text)
    #[arg(long, value_name = "FILE")]
    json: Option<String>,
}

fn parse_share(arg: &str) -> Result<f64, String> {
    match arg.parse::<f64>() {
        Ok(p) if (0.0..=1.0).contains(&p) => Ok(p),
        _ => Err(format!("'{arg}' is not a probability between 0 and 1")),
    }
}

pub fn run(args: SensesArgs) -> Result<()> {
    let mut outputs = Outputs::new(vec![Source::Whole(args.model.clone())]);
    let (json_out, text_out) = outputs.reserve_report(args.json.as_deref(), "the senses")?;
    let saved = SavedModel::load(&args.model).context("cannot show senses")?;
    let row = find_word(
        &args.word,
        saved.matrix(),
        saved.parameters().analyzer.as_ref(),
    )?;
    let senses = Senses::new(
        saved.matrix(),
        saved.model(),
        row,
        SenseOptions {
            min_share: args.min_share,
            top_words: args.top_words,
            documents: args.documents,
        },
    );
    if let Some(out) = json_out {
        outputs.write(out, |w| senses.write_json(w))?;
    }
    if let Some(out) = text_out {
        outputs.write(out, |w| senses.write_terminal(w))?;
    }
    outputs.commit()
}
