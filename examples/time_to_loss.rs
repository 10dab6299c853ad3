//! How long a solver takes to bring the divergence down to a target, for
//! `benches/compare-sklearn-time-to-loss.sh`:
//!
//!     time_to_loss V.mtx K THREADS SOLVER TARGET MAX_ITER [SEED [LOSS [WEIGHTING]]] [--extrapolate]
//!     time_to_loss V.mtx score K W.f32 H.f32 [LOSS [WEIGHTING]]
//!
//! V.mtx is a count matrix as `nmf-topics fit --export-matrix` writes it; WEIGHTING `tfidf`
//! (default `counts`) factors its tf-idf weights instead, as `fit --weighting tfidf`. The
//! solver (`mu` or `cd`, on LOSS: `kl` by default, or `frobenius`; extrapolated with
//! `--extrapolate`) starts from NNDSVDa drawn from SEED (default 0) and steps until its loss
//! is at most TARGET, or MAX_ITER steps. The clock runs over the start and the steps;
//! the divergence is evaluated after every step with the clock stopped (the fit itself
//! evaluates it every 10 steps, fused into an update). Prints one JSON object: the start's
//! seconds, then each step's cumulative seconds and divergence, and the first step (and its
//! seconds) that reached TARGET, or null.

use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result};
use nmf_topics::corpus::{read_matrix_market, MatrixMarketOptions};
use nmf_topics::matrix::{DocFreq, Sparse, Weighting};
use nmf_topics::nmf::{Data, Init, Loss, Nmf, Solver, Start};
use nmf_topics::{CountMatrix, Pruning};

/// The matrix of `path`, its words in the file's order.
fn matrix(path: &str) -> Result<CountMatrix> {
    let bag = read_matrix_market(Path::new(path), &MatrixMarketOptions::default())?;
    let pruning = Pruning {
        min_df: "1".parse::<DocFreq>().map_err(anyhow::Error::msg)?,
        ..Pruning::default()
    };
    Ok(CountMatrix::build(&bag, &pruning)?)
}

/// V as the solver sees it: the counts of `matrix`, or their weights.
fn weighted(matrix: &CountMatrix, weighting: Weighting) -> (Sparse, Sparse) {
    weighting
        .weigh(matrix.by_doc(), matrix.by_doc())
        .unwrap_or_else(|| (matrix.by_doc().clone(), matrix.by_word().clone()))
}

/// The optional argument `at`, parsed, or its default.
fn optional<T: std::str::FromStr<Err = String> + Default>(args: &[String], at: usize) -> Result<T> {
    match args.get(at) {
        Some(s) => s.parse().map_err(anyhow::Error::msg),
        None => Ok(T::default()),
    }
}

/// Little-endian f32 values of a file.
fn floats(path: &str) -> Result<Vec<f32>> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {path}"))?;
    Ok(bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect())
}

fn score(args: &[String]) -> Result<()> {
    anyhow::ensure!(
        (5..=7).contains(&args.len()),
        "usage: time_to_loss V.mtx score K W.f32 H.f32 [LOSS [WEIGHTING]]"
    );
    let loss: Loss = optional(args, 5)?;
    let weighting: Weighting = optional(args, 6)?;
    let k: usize = args[2].parse().context("K must be a whole number")?;
    let (w, h) = (floats(&args[3])?, floats(&args[4])?);
    let (by_doc, by_word) = weighted(&matrix(&args[0])?, weighting);
    let v = Data::new(&by_doc, &by_word)?;
    let mut out = serde_json::Map::new();
    for solver in [Solver::Mu, Solver::Cd] {
        let nmf = Nmf::new(k).solver(solver).loss(loss);
        let s = nmf.joint_solver(v, Start::Factors { w: &w, h: &h })?;
        out.insert(solver.name().into(), s.loss().into());
    }
    println!("{}", serde_json::Value::Object(out));
    Ok(())
}

fn main() -> Result<()> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let extrapolate = args.last().map(String::as_str) == Some("--extrapolate");
    if extrapolate {
        args.pop();
    }
    if args.get(1).map(String::as_str) == Some("score") {
        return score(&args);
    }
    anyhow::ensure!(
        (6..=9).contains(&args.len()),
        "usage: time_to_loss V.mtx K THREADS SOLVER TARGET MAX_ITER [SEED [LOSS [WEIGHTING]]] [--extrapolate]"
    );
    let loss: Loss = optional(&args, 7)?;
    let weighting: Weighting = optional(&args, 8)?;
    let k: usize = args[1].parse().context("K must be a whole number")?;
    let threads: usize = args[2].parse().context("THREADS must be a whole number")?;
    let solver: Solver = args[3].parse().map_err(anyhow::Error::msg)?;
    let target: f64 = args[4].parse().context("TARGET must be a number")?;
    let max_iter: usize = args[5].parse().context("MAX_ITER must be a whole number")?;
    let seed: u64 = match args.get(6) {
        Some(s) => s.parse().context("SEED must be a whole number")?,
        None => 0,
    };
    let (by_doc, by_word) = weighted(&matrix(&args[0])?, weighting);
    let nmf = Nmf::new(k)
        .solver(solver)
        .loss(loss)
        .extrapolate(extrapolate)
        .init(Init::Nndsvda)
        .threads(threads)
        .seed(seed);
    nmf.check(by_doc.rows(), by_doc.cols())?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()?;
    let v = Data::new(&by_doc, &by_word)?;
    let (start_seconds, steps, reached) = pool.install(|| -> Result<_> {
        let started = Instant::now();
        let mut s = nmf.joint_solver(v, Start::Seed(seed))?;
        let start_seconds = started.elapsed().as_secs_f64();
        let mut clock = start_seconds;
        let mut steps = Vec::new();
        let mut reached = None;
        for i in 1..=max_iter {
            let t = Instant::now();
            s.step(false);
            clock += t.elapsed().as_secs_f64();
            let d = s.loss();
            steps.push((i, clock, d));
            if d <= target {
                reached = Some((i, clock));
                break;
            }
        }
        Ok((start_seconds, steps, reached))
    })?;
    let steps: Vec<serde_json::Value> = steps
        .iter()
        .map(|&(i, t, d)| serde_json::json!({"iteration": i, "seconds": t, "divergence": d}))
        .collect();
    let out = serde_json::json!({
        "solver": solver.name(),
        "extrapolate": extrapolate,
        "loss": loss.name(),
        "weighting": weighting.name(),
        "topics": k,
        "threads": threads,
        "seed": seed,
        "target": target,
        "start_seconds": start_seconds,
        "reached_iteration": reached.map(|r| r.0),
        "reached_seconds": reached.map(|r| r.1),
        "steps": steps,
    });
    println!("{out}");
    Ok(())
}
