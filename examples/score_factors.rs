//! Scores factors fitted by another program with nmf-topics' own quality code, so that two
//! tools are compared by the same yardstick (see benches/compare-sklearn-quality.sh).
//!
//!     score_factors CORPUS LABEL_FIELD MIN_DF MAX_DF W.txt H.txt
//!     score_factors --mtx V.mtx LABELS.txt W.txt H.txt
//!
//! The first form reads and counts the corpus exactly as `nmf-topics fit CORPUS --label-field
//! LABEL_FIELD --min-df MIN_DF --max-df MAX_DF` does, and the factors are in that matrix's word
//! and document order. The second scores factors of a matrix another program counted: V.mtx
//! (words × documents) with V.vocab.txt beside it, LABELS.txt one label a document (an empty
//! line for none), and the factors in the file's row and column order.
//!
//! W.txt holds one line a word (K numbers: the words' weights in each topic, each column
//! summing to 1) and H.txt one line a document (its expected counts from each topic). Prints
//! the quality as JSON.

use std::path::PathBuf;

use anyhow::{Context, Result};
use nmf_topics::corpus::{
    count, read_matrix_market, DocumentReader, Input, MatrixMarketOptions, ReadOptions,
};
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
    let usage = "usage: score_factors CORPUS LABEL_FIELD MIN_DF MAX_DF W.txt H.txt\n       score_factors --mtx V.mtx LABELS.txt W.txt H.txt";
    let quality = match args.first().map(String::as_str) {
        Some("--mtx") if args.len() == 5 => of_matrix(&args[1], &args[2], &args[3], &args[4])?,
        Some(_) if args.len() == 6 => of_corpus(&args)?,
        _ => anyhow::bail!(usage),
    };
    println!("{}", serde_json::to_string(&quality)?);
    Ok(())
}

/// The factors' model, checked against the matrix's shape; W's rows are reordered by
/// `word_rows` (the row in W.txt of each row of the matrix) when given.
fn model(matrix: &CountMatrix, w: &str, h: &str, word_rows: Option<&[usize]>) -> Result<NmfModel> {
    let (k, mut w) = read_rows(w)?;
    let (kh, h) = read_rows(h)?;
    anyhow::ensure!(k == kh, "W has {k} topics, H has {kh}");
    anyhow::ensure!(
        w.len() == matrix.n_words() * k && h.len() == matrix.n_documents() * k,
        "the factors do not fit the {} × {} matrix",
        matrix.n_words(),
        matrix.n_documents()
    );
    if let Some(rows) = word_rows {
        w = rows
            .iter()
            .flat_map(|&r| w[r * k..(r + 1) * k].iter().copied())
            .collect();
    }
    Ok(NmfModel::from_parts(k, w, h)?)
}

fn of_corpus(args: &[String]) -> Result<Quality> {
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
    let model = model(&matrix, &args[4], &args[5], None)?;
    let labels: Vec<Option<&str>> = matrix.documents().labels().collect();
    Ok(Quality::of(&model, matrix.by_doc(), &labels).0)
}

fn of_matrix(mtx: &str, labels: &str, w: &str, h: &str) -> Result<Quality> {
    let path = PathBuf::from(mtx);
    let bag = read_matrix_market(&path, &MatrixMarketOptions::default())?;
    let pruning = Pruning {
        min_df: DocFreq::Count(1),
        max_df: DocFreq::Fraction(1.0),
        ..Pruning::default()
    };
    // The matrix numbers words by frequency; the factors keep the file's rows, the bag's order.
    let matrix = CountMatrix::build(&bag, &pruning)?;
    let file_row: std::collections::HashMap<&str, usize> = bag
        .terms()
        .iter()
        .enumerate()
        .map(|(i, t)| (t.as_str(), i))
        .collect();
    let word_rows: Vec<usize> = matrix
        .terms()
        .iter()
        .map(|t| file_row[t.as_str()])
        .collect();
    anyhow::ensure!(
        word_rows.len() == bag.terms().len(),
        "every word of {mtx} must occur in it: W has a row for each"
    );
    let model = model(&matrix, w, h, Some(&word_rows))?;
    let text = std::fs::read_to_string(labels).with_context(|| format!("cannot read {labels}"))?;
    let labels: Vec<Option<&str>> = text
        .lines()
        .map(|l| Some(l.trim()).filter(|l| !l.is_empty()))
        .collect();
    anyhow::ensure!(
        labels.len() == matrix.n_documents(),
        "{} labels for {} documents",
        labels.len(),
        matrix.n_documents()
    );
    Ok(Quality::of(&model, matrix.by_doc(), &labels).0)
}
