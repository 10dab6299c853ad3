//! Scores factors fitted by another program with nmf-topics' own quality code, so that two
//! tools are compared by the same yardstick (see benches/compare-sklearn-quality.sh).
//!
//!     score_factors CORPUS LABEL_FIELD MIN_DF MAX_DF W.txt H.txt
//!
//! The corpus is read and counted exactly as `nmf-topics fit CORPUS --label-field LABEL_FIELD
//! --min-df MIN_DF --max-df MAX_DF` does. W.txt holds one line a word (K numbers: the words'
//! weights in each topic, each column summing to 1) and H.txt one line a document (its expected
//! counts from each topic), in the matrix's word and document order. Prints the quality as JSON.

use std::path::PathBuf;

use anyhow::{Context, Result};
use nmf_topics::corpus::{count, DocumentReader, Input, ReadOptions};
use nmf_topics::matrix::DocFreq;
use nmf_topics::report::Quality;
use nmf_topics::{Analyzer, AnalyzerConfig, CountMatrix, NmfModel, Pruning};

fn read_rows(path: &str) -> Result<(usize, Vec<f32>)> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {path}"))?;
    let mut k = 0;
    let mut values = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let row: Vec<f32> = line
            .split_whitespace()
            .map(str::parse)
            .collect::<Result<_, _>>()
            .with_context(|| format!("{path}: a value does not parse"))?;
        anyhow::ensure!(
            k == 0 || row.len() == k,
            "{path}: rows of different lengths"
        );
        k = row.len();
        values.extend(row);
    }
    Ok((k, values))
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    anyhow::ensure!(
        args.len() == 6,
        "usage: score_factors CORPUS LABEL_FIELD MIN_DF MAX_DF W.txt H.txt"
    );
    let options = ReadOptions {
        label_field: Some(args[1].clone()),
        ..ReadOptions::default()
    };
    let reader = DocumentReader::new(vec![Input::Path(PathBuf::from(&args[0]))], options)?;
    let (bag, _) = count(reader, Analyzer::new(AnalyzerConfig::default())?, || {})?;
    let pruning = Pruning {
        min_df: args[2].parse::<DocFreq>().map_err(anyhow::Error::msg)?,
        max_df: args[3].parse::<DocFreq>().map_err(anyhow::Error::msg)?,
        ..Pruning::default()
    };
    let matrix = CountMatrix::build(&bag, &pruning)?;
    let (k, w) = read_rows(&args[4])?;
    let (kh, h) = read_rows(&args[5])?;
    anyhow::ensure!(k == kh, "W has {k} topics, H has {kh}");
    anyhow::ensure!(
        w.len() == matrix.n_words() * k && h.len() == matrix.n_documents() * k,
        "the factors do not fit the {} × {} matrix",
        matrix.n_words(),
        matrix.n_documents()
    );
    let model = NmfModel::from_parts(k, w, h)?;
    let labels: Vec<Option<&str>> = matrix.documents().labels().collect();
    let (quality, _) = Quality::of(&model, matrix.by_doc(), &labels);
    println!("{}", serde_json::to_string(&quality)?);
    Ok(())
}
