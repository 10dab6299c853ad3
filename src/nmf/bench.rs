//! Timing the updates of a solver, for `nmf-topics bench`: medians of repeated runs, the H and W
//! halves of each step apart.

use std::time::Instant;

use serde::Serialize;

use super::kernel::{self, Kernel};
use super::seam::{Data, Start};
use super::{Loss, Nmf, NmfError, Solver};
use crate::matrix::Sparse;

/// What to time.
#[derive(Debug, Clone)]
pub struct BenchSettings {
    /// The solver, loss, topics, threads, start and seed (the same start for every repeat and
    /// kernel), and kernel (`portable`) to time.
    pub nmf: Nmf,
    /// Iterations timed in each repeat (after one untimed warm-up iteration).
    pub iterations: usize,
    /// Repeats; the median is reported.
    pub repeats: usize,
}

/// Timings of one configuration.
#[derive(Debug, Clone, Serialize)]
pub struct BenchResult {
    /// Topics.
    pub topics: usize,
    /// Threads.
    pub threads: usize,
    /// Kernel timed.
    pub kernel: &'static str,
    /// Solver timed.
    pub solver: Solver,
    /// Its loss.
    pub loss: Loss,
    /// Median seconds per iteration (H and W updates, the loss not evaluated).
    pub seconds_per_iteration: f64,
    /// Median seconds of the H update.
    pub seconds_h: f64,
    /// Median seconds of the W update.
    pub seconds_w: f64,
    /// Every repeat's seconds per iteration.
    pub repeats: Vec<f64>,
    /// Multiply-adds per second, counting the solver's per iteration (`multiply_adds_counted`),
    /// in billions.
    pub gfma_per_second: f64,
    /// How an iteration's multiply-adds are counted: `4·nnz·K` for KL-MU.
    pub multiply_adds_counted: &'static str,
    /// The loss after the last repeat (so the work cannot be skipped, and kernels compare).
    pub divergence: f64,
}

/// Times `settings.repeats` runs of `settings.iterations` iterations from the same start.
pub fn benchmark(
    by_doc: &Sparse,
    by_word: &Sparse,
    settings: &BenchSettings,
) -> Result<BenchResult, NmfError> {
    let nmf = &settings.nmf;
    let (n_words, n_docs) = by_doc.shape();
    nmf.check(n_words, n_docs)?;
    let v = Data::new(by_doc, by_word)?;
    nmf.pool()?.install(|| {
        let (mut per_iter, mut h_times, mut w_times) = (Vec::new(), Vec::new(), Vec::new());
        let mut divergence = 0.0;
        let mut kernel = "";
        let mut cost = None;
        for _ in 0..settings.repeats.max(1) {
            let mut solver = nmf.joint_solver(v, Start::Seed(nmf.seed))?;
            kernel = solver.kernel();
            cost = Some(solver.cost());
            solver.update_h(false);
            solver.update_w();
            let (mut h, mut w) = (0.0, 0.0);
            for _ in 0..settings.iterations.max(1) {
                let t = Instant::now();
                solver.update_h(false);
                h += t.elapsed().as_secs_f64();
                let t = Instant::now();
                solver.update_w();
                w += t.elapsed().as_secs_f64();
            }
            let n = settings.iterations.max(1) as f64;
            per_iter.push((h + w) / n);
            h_times.push(h / n);
            w_times.push(w / n);
            divergence = super::fit::finite(solver.loss())?;
        }
        let seconds = median(&per_iter);
        let cost = cost.expect("at least one repeat");
        Ok(BenchResult {
            topics: nmf.topics,
            threads: nmf.threads,
            kernel,
            solver: nmf.solver,
            loss: nmf.loss,
            seconds_per_iteration: seconds,
            seconds_h: median(&h_times),
            seconds_w: median(&w_times),
            repeats: per_iter,
            gfma_per_second: cost.multiply_adds / seconds / 1e9,
            multiply_adds_counted: cost.formula,
            divergence,
        })
    })
}

/// Peak multiply-adds per second per core, in billions, measured on `threads` threads at once
/// (a quarter of a second each; their mean).
#[derive(Debug, Clone, Copy, Serialize)]
pub struct FmaPeak {
    /// With the CPU's widest multiply-adds: the machine's peak.
    pub machine: f64,
    /// Which instructions those are (`avx-512`, or the fastest kernel's).
    pub machine_instructions: &'static str,
    /// With the fastest kernel's own instructions: the ceiling of the code that runs.
    pub kernel: f64,
}

/// Measures [`FmaPeak`] on `threads` threads.
pub fn fma_peak(threads: usize) -> Result<FmaPeak, NmfError> {
    let kernel = Kernel::detect();
    let pool = pool(threads)?;
    let mean = |xs: Vec<f64>| xs.iter().sum::<f64>() / xs.len() as f64;
    let kernel_rate = mean(pool.broadcast(|_| kernel::fma_peak(kernel, 0.25)));
    let wider = pool.broadcast(|_| kernel::wider_fma_peak(0.25));
    let (machine, machine_instructions) = match wider[0] {
        // The machine's peak is the best that any of its instructions reach (on a CPU with
        // one AVX-512 unit a core, that may be AVX2's two).
        Some((name, _)) => {
            let rate = mean(wider.iter().flatten().map(|&(_, rate)| rate).collect());
            if rate > kernel_rate {
                (rate, name)
            } else {
                (kernel_rate, kernel.name())
            }
        }
        None => (kernel_rate, kernel.name()),
    };
    Ok(FmaPeak {
        machine,
        machine_instructions,
        kernel: kernel_rate,
    })
}

/// A pool of `threads` threads (at least one) for a timing.
fn pool(threads: usize) -> Result<rayon::ThreadPool, NmfError> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()
        .map_err(|e| NmfError::Matrix(format!("cannot start {threads} threads: {e}")))
}

fn median(xs: &[f64]) -> f64 {
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}
