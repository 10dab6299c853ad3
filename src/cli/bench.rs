//! `nmf-topics bench`: how fast reading and fitting run on this machine.

use std::time::Instant;

use anyhow::Result;
use clap::Args;
use nmf_topics::matrix::Weighting;
use nmf_topics::nmf::{benchmark, solver_description, BenchResult, BenchSettings, Init};
use nmf_topics::{CountMatrix, Nmf};
use serde::Serialize;

use super::bounds::{self, MAX_TOPICS};
use super::load::load;
use super::options::{AnalyzerArgs, PruningArgs, ReadArgs, SolverArgs};
use super::output::Outputs;

const EXAMPLES: &str = "\
Examples:
  nmf-topics bench corpora/debian-5000.jsonl.gz
  nmf-topics bench ../shared/corpora/debian-descriptions.jsonl.gz -k 20,50 --threads 1,2
  nmf-topics bench v.mtx -k 50 --iterations 20 --repeats 7 --json bench.json";

/// Time reading and a solver's updates on a corpus: seconds per iteration, GFMA/s, share of the
/// machine's peak, the fast kernel against the portable one, peak memory
#[derive(Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct BenchArgs {
    #[command(flatten)]
    read: ReadArgs,

    /// Numbers of topics to time, comma-separated
    #[arg(
        short = 'k',
        long,
        value_delimiter = ',',
        default_value = "20,50",
        value_name = "K,…",
        value_parser = bounds::whole::<1, MAX_TOPICS>
    )]
    topics: Vec<usize>,

    #[command(flatten)]
    solver: SolverArgs,

    /// What the solver factors: counts, or tfidf (as in fit; usual with --loss frobenius)
    #[arg(long, default_value_t = Weighting::Counts, value_name = "WEIGHTING")]
    weighting: Weighting,

    /// Thread counts to time, comma-separated [default: 1 and all cores]
    #[arg(long, value_delimiter = ',', value_name = "N,…", value_parser = bounds::threads)]
    threads: Vec<usize>,

    /// Iterations timed per repeat
    #[arg(long, default_value_t = 10, value_name = "N", value_parser = bounds::whole::<1, 100_000>)]
    iterations: usize,

    /// Repeats; medians are reported
    #[arg(long, default_value_t = 5, value_name = "N", value_parser = bounds::whole::<1, 1000>)]
    repeats: usize,

    /// Also time the portable kernel, for the ratio
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set, value_name = "BOOL")]
    compare_portable: bool,

    /// The machine's peak multiply-adds per second per core, in billions [default: measured
    /// with the CPU's widest multiply-adds (AVX-512 where it has them), and with the fast
    /// kernel's own, on as many threads as each run]
    #[arg(long, value_name = "GFMA")]
    peak_gfma: Option<f64>,

    /// Seed of the random start
    #[arg(long, default_value_t = 0)]
    seed: u64,

    #[command(flatten)]
    analyzer: AnalyzerArgs,

    #[command(flatten)]
    pruning: PruningArgs,

    /// Also write the results as JSON to FILE (- for standard output)
    #[arg(long, value_name = "FILE")]
    json: Option<String>,
}

#[derive(Serialize)]
struct Row {
    #[serde(flatten)]
    result: BenchResult,
    /// The machine's peak multiply-adds per second per core, in billions.
    peak_gfma_per_core: f64,
    /// The instructions that reach it (`avx-512`, `avx2+fma`, …; `given` with --peak-gfma).
    peak_instructions: &'static str,
    /// GFMA/s over the machine's peak on these threads.
    peak_share: f64,
    /// The peak with the kernel's own instructions (not measured when the peak is given).
    kernel_peak_gfma_per_core: Option<f64>,
    /// GFMA/s over that.
    kernel_peak_share: Option<f64>,
    portable_seconds_per_iteration: Option<f64>,
    speedup_over_portable: Option<f64>,
    portable_divergence: Option<f64>,
}

#[derive(Serialize)]
struct Summary {
    format: &'static str,
    documents: usize,
    words: usize,
    nonzeros: usize,
    text_bytes: u64,
    reading_seconds: f64,
    reading_mb_per_second: Option<f64>,
    matrix_seconds: f64,
    matrix_bytes: u64,
    /// What the solver factored: `counts` or `tfidf`.
    weighting: Weighting,
    factor_bytes: u64,
    vocabulary_bytes: u64,
    peak_memory_bytes: Option<u64>,
    /// Whether the peak was measured here (or given with --peak-gfma).
    peak_measured: bool,
    runs: Vec<Row>,
}

pub fn run(args: BenchArgs) -> Result<()> {
    args.read.require()?;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut threads = args.threads.clone();
    if threads.is_empty() {
        threads = vec![1, cores];
        threads.dedup();
    }
    anyhow::ensure!(
        args.peak_gfma.is_none_or(|p| p.is_finite() && p > 0.0),
        "--peak-gfma: give a positive number"
    );
    let pruning = args.pruning.pruning()?;
    let mut sources = args.read.sources();
    sources.extend(args.analyzer.sources());
    let mut outputs = Outputs::new(sources);
    let (json_out, text_out) = outputs.reserve_report(args.json.as_deref(), "the table")?;

    let loaded = load(&args.read, &args.analyzer, false)?;
    let started = Instant::now();
    let matrix = CountMatrix::from_bag(loaded.bag, &pruning)?;
    let matrix_seconds = started.elapsed().as_secs_f64();
    super::memory::trim();
    let nnz = matrix.nnz() as u64;
    let matrix_bytes = 2 * (nnz * 8) + 8 * (matrix.n_words() + matrix.n_documents() + 2) as u64;
    let max_k = args.topics.iter().copied().max().unwrap_or(1);
    let factor_bytes =
        ((matrix.n_words() + matrix.n_documents()) * max_k.div_ceil(8) * 8 * 4) as u64;
    let vocabulary_bytes: u64 = matrix
        .terms()
        .iter()
        .chain(matrix.words())
        .map(|w| w.len() as u64 + 24)
        .sum();

    let mut err = std::io::stderr();
    let mut peaks = Vec::new();
    for &t in &threads {
        peaks.push(match args.peak_gfma {
            Some(given) => (given, "given", None),
            None => {
                let peak = nmf_topics::nmf::fma_peak(t)?;
                (peak.machine, peak.machine_instructions, Some(peak.kernel))
            }
        });
    }
    // V as the solver sees it.
    let v = args
        .weighting
        .fitted(matrix.by_doc(), matrix.by_doc(), matrix.by_word());
    let (by_doc, by_word) = v.pair();
    let mut runs = Vec::new();
    for &k in &args.topics {
        for (&t, &(peak, instructions, kernel_peak)) in threads.iter().zip(&peaks) {
            let nmf = args
                .solver
                .apply(Nmf::new(k))
                .init(Init::Random)
                .seed(args.seed)
                .threads(t);
            let settings = BenchSettings {
                nmf: nmf.clone(),
                iterations: args.iterations,
                repeats: args.repeats,
            };
            let fast = benchmark(by_doc, by_word, &settings)?;
            let portable = if args.compare_portable && fast.kernel != "portable" {
                Some(benchmark(
                    by_doc,
                    by_word,
                    &BenchSettings {
                        nmf: nmf.portable(true),
                        ..settings
                    },
                )?)
            } else {
                None
            };
            let row = Row {
                peak_gfma_per_core: peak,
                peak_instructions: instructions,
                peak_share: fast.gfma_per_second / (peak * t as f64),
                kernel_peak_gfma_per_core: kernel_peak,
                kernel_peak_share: kernel_peak.map(|p| fast.gfma_per_second / (p * t as f64)),
                portable_seconds_per_iteration: portable.as_ref().map(|p| p.seconds_per_iteration),
                speedup_over_portable: portable
                    .as_ref()
                    .map(|p| p.seconds_per_iteration / fast.seconds_per_iteration),
                portable_divergence: portable.as_ref().map(|p| p.divergence),
                result: fast,
            };
            use std::io::Write;
            let _ = writeln!(err, "  timed K={k} on {t} thread(s)");
            runs.push(row);
        }
    }
    let summary = Summary {
        format: "nmf-topics/bench",
        documents: matrix.n_documents(),
        words: matrix.n_words(),
        nonzeros: matrix.nnz(),
        text_bytes: loaded.text_bytes,
        reading_seconds: loaded.seconds,
        reading_mb_per_second: (loaded.text_bytes > 0)
            .then(|| loaded.text_bytes as f64 / 1e6 / loaded.seconds),
        matrix_seconds,
        matrix_bytes,
        weighting: args.weighting,
        factor_bytes,
        vocabulary_bytes,
        peak_memory_bytes: peak_memory(),
        peak_measured: args.peak_gfma.is_none(),
        runs,
    };
    if let Some(out) = json_out {
        outputs.write(out, |w| {
            serde_json::to_writer_pretty(&mut *w, &summary)?;
            writeln!(w)
        })?;
    }
    if let Some(out) = text_out {
        outputs.write(out, |w| write_table(&summary, w))?;
    }
    outputs.commit()
}

use std::io::Write;

fn write_table(s: &Summary, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(
        out,
        "matrix:  {} words × {} documents, {} non-zeros{}",
        s.words,
        s.documents,
        s.nonzeros,
        match s.weighting {
            Weighting::Counts => "",
            Weighting::Tfidf => ", their tf-idf weights factored",
        }
    )?;
    match s.reading_mb_per_second {
        Some(rate) => writeln!(
            out,
            "reading: {:.1} MB of text read, tokenised and counted in {:.2} s: {:.1} MB/s; matrix built in {:.2} s",
            s.text_bytes as f64 / 1e6,
            s.reading_seconds,
            rate,
            s.matrix_seconds
        )?,
        None => writeln!(out, "reading: matrix read in {:.2} s; built in {:.2} s", s.reading_seconds, s.matrix_seconds)?,
    }
    writeln!(
        out,
        "\n{:>4} {:>7}  {:<9} {:>9} {:>8} {:>8} {:>8} {:>7} {:>10} {:>12}",
        "K",
        "threads",
        "kernel",
        "ms/iter",
        "H ms",
        "W ms",
        "GFMA/s",
        "% peak",
        "% kernel's",
        "vs portable"
    )?;
    for r in &s.runs {
        let f = &r.result;
        writeln!(
            out,
            "{:>4} {:>7}  {:<9} {:>9.2} {:>8.2} {:>8.2} {:>8.2} {:>6.1}% {:>10} {:>12}",
            f.topics,
            f.threads,
            f.kernel,
            f.seconds_per_iteration * 1e3,
            f.seconds_h * 1e3,
            f.seconds_w * 1e3,
            f.gfma_per_second,
            r.peak_share * 100.0,
            r.kernel_peak_share
                .map_or("-".into(), |x| format!("{:.1}%", x * 100.0)),
            r.speedup_over_portable
                .map_or("-".into(), |x| format!("{x:.2}×")),
        )?;
    }
    let mb = |b: u64| b as f64 / 1e6;
    writeln!(
        out,
        "\nmemory:  CSR + CSC {:.1} MB, W + H {:.1} MB (largest K), vocabulary {:.1} MB; peak resident {}",
        mb(s.matrix_bytes),
        mb(s.factor_bytes),
        mb(s.vocabulary_bytes),
        s.peak_memory_bytes.map_or("unknown".into(), |b| format!("{:.1} MB", mb(b)))
    )?;
    let mut peaks: Vec<String> = Vec::new();
    for (i, r) in s.runs.iter().enumerate() {
        let t = r.result.threads;
        if s.runs[..i]
            .iter()
            .all(|earlier| earlier.result.threads != t)
        {
            peaks.push(match r.kernel_peak_gfma_per_core {
                Some(_) if r.peak_instructions == r.result.kernel => format!(
                    "{:.1} GFMA/s per core with {} on {t} thread(s)",
                    r.peak_gfma_per_core, r.peak_instructions
                ),
                Some(kernel) => format!(
                    "{:.1} GFMA/s per core with {} (the kernel's own: {kernel:.1}) on {t} thread(s)",
                    r.peak_gfma_per_core, r.peak_instructions
                ),
                None => format!("{:.1} GFMA/s per core on {t} thread(s)", r.peak_gfma_per_core),
            });
        }
    }
    writeln!(
        out,
        "peak:    {} ({})",
        peaks.join(", "),
        if s.peak_measured {
            "measured: independent chains of multiply-adds on registers"
        } else {
            "as given"
        }
    )?;
    if let Some(r) = s.runs.first() {
        writeln!(
            out,
            "solver:  {} (--solver {} --loss {}); GFMA/s counts {} multiply-adds per iteration; \
             times are medians of the repeats",
            solver_description(r.result.solver, r.result.loss),
            r.result.solver,
            r.result.loss,
            r.result.multiply_adds_counted
        )?;
    }
    Ok(())
}

/// Peak resident memory of this process (Linux: VmHWM).
fn peak_memory() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}
