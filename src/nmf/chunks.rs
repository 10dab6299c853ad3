//! Work split into chunks that depend on V alone, and their partial sums added in chunk order:
//! how every solver gets the same bits on any number of threads.

/// Non-zeros per chunk of rows that one task updates (at least; whole rows).
const CHUNK_NNZ: usize = 2048;

/// Splits rows into chunks of at least [`CHUNK_NNZ`] non-zeros: the bounds, first row of each
/// chunk then the end. Depends on V only, never on the thread count.
pub(crate) fn chunk_bounds(indptr: &[usize]) -> Vec<usize> {
    let mut bounds = vec![0];
    let mut start_nnz = indptr[0];
    for (row, &end) in indptr.iter().enumerate().skip(1) {
        if end - start_nnz >= CHUNK_NNZ {
            bounds.push(row);
            start_nnz = end;
        }
    }
    let rows = indptr.len() - 1;
    if *bounds.last().unwrap() != rows || bounds.len() == 1 {
        bounds.push(rows);
    }
    bounds
}

/// The column sums of `rows` (rows of `kp` values), in f64, row after row.
pub(crate) fn column_sums(rows: &[f32], kp: usize, out: &mut [f64]) {
    out.fill(0.0);
    for row in rows.chunks_exact(kp) {
        for (o, &x) in out.iter_mut().zip(row) {
            *o += x as f64;
        }
    }
}

/// Each row's largest of its first `k` values (the first on ties; 0 for a row of zeros) into
/// `out`, rows of `kp` values: a document's main topic, what the connectivity rule compares.
pub(crate) fn largest_topics(rows: &[f32], kp: usize, k: usize, out: &mut [u32]) {
    use rayon::prelude::*;
    out.par_iter_mut()
        .zip(rows.par_chunks_exact(kp))
        .for_each(|(topic, row)| {
            let mut best = 0;
            for (t, &x) in row[..k].iter().enumerate() {
                if x > row[best] {
                    best = t;
                }
            }
            *topic = best as u32;
        });
}

/// Adds the chunks' partial sums in chunk order.
pub(crate) fn reduce(partials: &[f64], kp: usize, out: &mut [f64]) {
    out.fill(0.0);
    for part in partials.chunks_exact(kp) {
        for (o, &x) in out.iter_mut().zip(part) {
            *o += x;
        }
    }
}

/// Runs `f` on every chunk in parallel, splitting the buffers at the chunk bounds (so no
/// allocation); chunk c gets its rows and its own slots of `acc`, `sums` and `divs`.
pub(crate) fn for_each_chunk<F>(
    bounds: &[usize],
    kp: usize,
    rows: &mut [f32],
    acc: &mut [f32],
    sums: &mut [f64],
    divs: &mut [f64],
    f: &F,
) where
    F: Fn(usize, &mut [f32], &mut [f32], &mut [f64]) -> f64 + Sync,
{
    let n = bounds.len() - 1;
    if n == 1 {
        divs[0] = f(bounds[0], rows, acc, sums);
        return;
    }
    let mid = n / 2;
    let (r0, r1) = rows.split_at_mut((bounds[mid] - bounds[0]) * kp);
    let (a0, a1) = acc.split_at_mut(mid * kp);
    let (s0, s1) = sums.split_at_mut(mid * kp);
    let (d0, d1) = divs.split_at_mut(mid);
    rayon::join(
        || for_each_chunk(&bounds[..=mid], kp, r0, a0, s0, d0, f),
        || for_each_chunk(&bounds[mid..], kp, r1, a1, s1, d1, f),
    );
}
