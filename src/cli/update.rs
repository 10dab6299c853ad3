//! `nmf-topics update`: new documents folded into a saved model by mini-batches.

use std::io::{self, Write};
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
use nmf_topics::model::UpdateReport;
use nmf_topics::report::thousands;
use nmf_topics::SavedModel;

use super::bounds;
use super::fit::texts_from_inputs;
use super::load::load_for_model;
use super::options::ReadArgs;
use super::output::{Outputs, Source};
use super::progress;

const EXAMPLES: &str = "\
Examples:
  nmf-topics update topics.model new-posts.jsonl                  # the model updated in place
  nmf-topics update topics.model june/ --output topics-june.model  # the old model kept
  nmf-topics update topics.model new.jsonl --forget 0.5 --batch-size 500   # follow the new ones";

/// Fold new documents into a saved model: its topics move towards them (mini-batch updates)
#[derive(Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct UpdateArgs {
    /// The model's directory (written by fit --model)
    #[arg(value_name = "MODEL")]
    model: PathBuf,

    #[command(flatten)]
    read: ReadArgs,

    /// Write the updated model to DIR instead of replacing MODEL
    #[arg(long, short, value_name = "DIR", help_heading = "Update")]
    output: Option<PathBuf>,

    /// Forgetting factor: the model's statistics are multiplied by it before each batch is
    /// added; 1 weighs every document alike, old or new, a smaller one follows the new ones
    #[arg(long, default_value_t = 1.0, value_name = "RHO", value_parser = forget, help_heading = "Update")]
    forget: f64,

    /// New documents a batch: W is updated after each
    #[arg(long, default_value_t = 1000, value_name = "N", value_parser = bounds::whole::<1, 100_000_000>, help_heading = "Update")]
    batch_size: usize,

    /// Threads to use [default: all cores]; the model does not depend on it
    #[arg(long, value_name = "N", value_parser = bounds::threads, help_heading = "Update")]
    threads: Option<usize>,

    /// Write the update's record as JSON to FILE (- for standard output, instead of the text)
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    json: Option<String>,

    /// No progress bars
    #[arg(short, long, help_heading = "Output")]
    quiet: bool,
}

/// `--forget`: a number in (0, 1].
pub(super) fn forget(arg: &str) -> Result<f64, String> {
    match arg.trim().parse::<f64>() {
        Ok(x) if x > 0.0 && x <= 1.0 => Ok(x),
        _ => Err(format!(
            "'{arg}' is not a forgetting factor: give a number above 0 and at most 1"
        )),
    }
}

pub fn run(args: UpdateArgs) -> Result<()> {
    args.read.require()?;
    let saved = SavedModel::load(&args.model).context("cannot update")?;
    let dest = args.output.clone().unwrap_or_else(|| args.model.clone());
    let mut sources = args.read.sources();
    // The model is read whole before anything is written: only another destination must
    // stay out of it.
    if args.output.is_some() {
        sources.push(Source::Whole(args.model.clone()));
    }
    let mut outputs = Outputs::new(sources);
    let model_out = outputs.reserve_model("the updated model", &dest)?;
    let (json_out, text_out) = outputs.reserve_report(args.json.as_deref(), "the summary")?;
    let threads = bounds::threads_or_all(args.threads);
    saved
        .parameters()
        .nmf
        .clone()
        .threads(threads)
        .check_settings()?;
    bounds::start_threads(threads)?;

    let (matrix, unknown) = load_for_model(
        &args.read,
        &saved,
        progress::wanted(args.quiet),
        "update with",
    )?;
    let bar = progress::bar(
        progress::wanted(args.quiet),
        Some(matrix.n_documents() as u64),
        "updating",
        false,
    );
    let old_documents = saved.matrix().n_documents();
    let (mut updated, report) = saved
        .update(&matrix, threads, args.batch_size, args.forget, &mut |b| {
            bar.inc(b.documents as u64)
        })
        .context("cannot update")?;
    bar.finish_and_clear();
    // Snippets for the new documents that now represent a topic; the old ones keep theirs.
    let wanted: Vec<usize> = updated
        .representative_positions()
        .into_iter()
        .filter(|&d| d >= old_documents && !updated.snippets().contains_key(&d))
        .map(|d| d - old_documents)
        .collect();
    let texts = texts_from_inputs(&args.read, &wanted);
    updated.set_snippets(
        texts
            .iter()
            .map(|(d, text)| (d + old_documents, text.as_str())),
    );

    outputs.write_model(model_out, &updated)?;
    let summary = Summary {
        model: dest.display().to_string(),
        forget: args.forget,
        batch_size: args.batch_size,
        unknown_tokens: unknown.tokens,
        unknown_distinct: unknown.distinct,
        documents_without_words: matrix.empty_documents(),
        quantity: updated.parameters().nmf.objective().quantity(),
        update: report,
    };
    if let Some(out) = json_out {
        outputs.write(out, |w| {
            serde_json::to_writer_pretty(&mut *w, &summary)?;
            writeln!(w)
        })?;
    }
    if let Some(out) = text_out {
        outputs.write(out, |w| summary.write_text(w))?;
    }
    outputs.commit()
}

/// What `update` prints.
#[derive(serde::Serialize)]
struct Summary {
    model: String,
    forget: f64,
    batch_size: usize,
    /// Tokens of words outside the model's vocabulary, dropped.
    unknown_tokens: f64,
    unknown_distinct: usize,
    documents_without_words: usize,
    /// What the loss is called: "divergence" or "squared error" (the JSON's fields keep
    /// the name `divergence`).
    #[serde(skip)]
    quantity: &'static str,
    update: UpdateReport,
}

impl Summary {
    fn write_text(&self, w: &mut dyn Write) -> io::Result<()> {
        let u = &self.update;
        let n = |x: usize| thousands(x as f64);
        writeln!(
            w,
            "updated {}: {} documents added in {} {} of up to {} (forgetting factor {}); {} documents now",
            self.model,
            n(u.documents),
            n(u.batches.len()),
            if u.batches.len() == 1 { "batch" } else { "batches" },
            n(self.batch_size),
            self.forget,
            n(u.documents_total)
        )?;
        writeln!(
            w,
            "words outside the model's vocabulary: {} tokens ({} distinct words), dropped; {} new documents kept no word",
            thousands(self.unknown_tokens),
            n(self.unknown_distinct),
            n(self.documents_without_words)
        )?;
        if u.statistics_rebuilt {
            writeln!(
                w,
                "statistics: rebuilt from the model's counts and weights (it was only fitted)"
            )?;
        }
        for (i, b) in u.batches.iter().enumerate() {
            writeln!(
                w,
                "batch {:>4}: {:>7} documents, {} {:.4} a token before the update, {:.2} s",
                i + 1,
                n(b.documents),
                self.quantity,
                b.divergence_per_token(),
                b.seconds
            )?;
        }
        let docs_per_second = if u.seconds_batches > 0.0 {
            u.documents as f64 / u.seconds_batches
        } else {
            0.0
        };
        writeln!(
            w,
            "batches: {:.2} s, {} documents a second; every document's weights solved again in {:.2} s",
            u.seconds_batches,
            thousands(docs_per_second.round()),
            u.transform.seconds
        )?;
        writeln!(
            w,
            "{} over all {} documents: {}",
            self.quantity,
            n(u.documents_total),
            thousands(u.divergence.round())
        )
    }
}
