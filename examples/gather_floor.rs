//! How long the two updates' scattered reads take with nothing else to do: a floor under an
//! iteration that no arithmetic can go below (see "How the solver is fast" in the README).
//!
//!     gather_floor V.mtx [K [THREADS]]          (K: 50, THREADS: 1 unless given)
//!
//! V.mtx is a count matrix as `nmf-topics fit --export-matrix` writes it; its words are
//! numbered by frequency as `fit` numbers them. The best of 9 runs of each, on THREADS threads
//! at once, each reading its share of the non-zeros (the run lasts as long as the slowest):
//!
//! - the H update's reads: the row of W of every non-zero, document by document;
//! - the W update's reads for the words it gathers word by word (all but the most frequent
//!   ones, whose rows of W fill 256 KB): the row of H of each of their non-zeros, word by word,
//!   those with fewer than 128 non-zeros and the others apart.
//!
//! Rows are padded to a multiple of 8 values, start on a cache line and are prefetched 32
//! non-zeros ahead, as the solver's are. One value of each of a row's cache lines is read, so
//! that the time is the memory's, not the adds'.

use std::hint::black_box;
use std::path::Path;
use std::sync::Barrier;
use std::time::Instant;

use anyhow::{Context, Result};
use nmf_topics::corpus::{read_matrix_market, MatrixMarketOptions};
use nmf_topics::matrix::DocFreq;
use nmf_topics::{CountMatrix, Pruning};

/// Bytes of W's rows that the W update gathers document by document (the solver's HOT_BYTES).
const HOT_BYTES: usize = 256 << 10;

/// Non-zeros ahead whose rows are prefetched (the solver's PREFETCH_AHEAD).
const AHEAD: usize = 32;

/// `rows · kp` zeros starting on a 64-byte line: the buffer and the offset of the first value.
fn aligned(rows: usize, kp: usize) -> (Vec<f32>, usize) {
    let buffer: Vec<f32> = (0..rows * kp + 16).map(|i| (i % 7) as f32).collect();
    let offset = (64 - buffer.as_ptr() as usize % 64) % 64 / 4;
    (buffer, offset)
}

/// Best seconds of 9 runs of reading row `indices[n]` of `rows` for every n, in order, the
/// indices cut into `threads` consecutive parts read at once. Every index must be below the
/// number of rows.
fn time_gather(rows: &[f32], kp: usize, indices: &[u32], threads: usize) -> f64 {
    assert!(indices.iter().all(|&i| (i as usize + 1) * kp <= rows.len()));
    let parts: Vec<&[u32]> = indices.chunks(indices.len().div_ceil(threads)).collect();
    let start = Barrier::new(parts.len());
    let mut best = f64::MAX;
    for _ in 0..9 {
        let slowest = std::thread::scope(|s| {
            let runs: Vec<_> = parts
                .iter()
                .map(|part| {
                    let start = &start;
                    s.spawn(move || {
                        start.wait();
                        let started = Instant::now();
                        black_box(read_rows(rows, kp, part));
                        started.elapsed().as_secs_f64()
                    })
                })
                .collect();
            runs.into_iter()
                .map(|run| run.join().expect("a reading thread panicked"))
                .fold(0.0, f64::max)
        });
        best = best.min(slowest);
    }
    best
}

/// Reads one value of each cache line of row `indices[n]` of `rows` for every n, prefetching
/// as the solver does; returns their sums so that no read can be left out.
fn read_rows(rows: &[f32], kp: usize, indices: &[u32]) -> [f32; 8] {
    // Values a cache line, and the lines a row can touch.
    const LINE: usize = 16;
    let lines = kp.div_ceil(LINE);
    let base = rows.as_ptr();
    let mut acc = [0f32; 8];
    for n in 0..indices.len() {
        let ahead = indices[(n + AHEAD).min(indices.len() - 1)] as usize;
        // SAFETY: every index was checked by the caller to name a whole row of `rows`.
        unsafe {
            prefetch(base.add(ahead * kp), kp);
            let row = base.add(indices[n] as usize * kp);
            for line in 0..lines {
                acc[line % 8] += *row.add(line * LINE);
            }
            // A row that ends inside a line also reads that line.
            acc[7] += *row.add(kp - 1);
        }
    }
    acc
}

/// Asks for the `kp` values at `row` to be brought into the cache.
#[inline(always)]
fn prefetch(row: *const f32, kp: usize) {
    #[cfg(target_arch = "x86_64")]
    for line in (0..kp * 4).step_by(64) {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        // SAFETY: prefetching is a hint and never faults; the address lies inside the row.
        unsafe { _mm_prefetch::<_MM_HINT_T0>((row as *const i8).wrapping_add(line)) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (row, kp);
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    anyhow::ensure!(
        (1..=3).contains(&args.len()),
        "usage: gather_floor V.mtx [K [THREADS]]"
    );
    let k: usize = match args.get(1) {
        Some(k) => k.parse().context("K must be a whole number")?,
        None => 50,
    };
    anyhow::ensure!(k > 0, "K must be at least 1");
    let threads: usize = match args.get(2) {
        Some(t) => t.parse().context("THREADS must be a whole number")?,
        None => 1,
    };
    anyhow::ensure!(threads > 0, "THREADS must be at least 1");
    let bag = read_matrix_market(Path::new(&args[0]), &MatrixMarketOptions::default())?;
    let pruning = Pruning {
        min_df: "1".parse::<DocFreq>().map_err(anyhow::Error::msg)?,
        ..Pruning::default()
    };
    let matrix = CountMatrix::build(&bag, &pruning)?;
    let (by_doc, by_word) = (matrix.by_doc(), matrix.by_word());
    let (n_words, n_docs) = by_doc.shape();
    let kp = k.div_ceil(8) * 8;
    let hot = (HOT_BYTES / (kp * 4)).min(n_words);
    let (w, w_at) = aligned(n_words, kp);
    let (h, h_at) = aligned(n_docs, kp);
    let word_ptr = by_word.indptr().to_proper().into_owned();
    let cold_of = |rare: bool| -> Vec<u32> {
        (hot..n_words)
            .filter(|&i| (word_ptr[i + 1] - word_ptr[i] < 128) == rare)
            .flat_map(|i| {
                by_word.indices()[word_ptr[i]..word_ptr[i + 1]]
                    .iter()
                    .copied()
            })
            .collect()
    };
    let runs = [
        (
            "H update: rows of W, by document",
            &w[w_at..],
            by_doc.indices().to_vec(),
        ),
        ("W update: rows of H, rare words", &h[h_at..], cold_of(true)),
        (
            "W update: rows of H, other words",
            &h[h_at..],
            cold_of(false),
        ),
    ];
    println!(
        "{n_words} words × {n_docs} documents, {} non-zeros; K = {k} (rows of {kp}); {hot} words gathered by document",
        by_doc.nnz()
    );
    let mut total = 0.0;
    for (name, rows, indices) in runs.iter().filter(|r| !r.2.is_empty()) {
        let seconds = time_gather(rows, kp, indices, threads);
        total += seconds;
        println!(
            "{name:<34} {:>9} non-zeros {:>8.2} ms  {:>5.1} ns a non-zero  {:>5.1} GB/s of rows",
            indices.len(),
            seconds * 1e3,
            seconds * 1e9 / indices.len().max(1) as f64,
            (indices.len() * kp * 4) as f64 / seconds / 1e9
        );
    }
    println!(
        "all of them                        {:>28.2} ms on {threads} thread(s)",
        total * 1e3
    );
    Ok(())
}
