//! The multiplicative updates' inner loops with AVX2 and FMA intrinsics (x86-64; chosen at run
//! time).
//!
//! For rows of up to 8 vectors (K ≤ 64) the row being updated and its accumulator live in
//! registers while the row's non-zeros stream past, so each non-zero costs one load and one FMA
//! per vector for the dot product and the same for the accumulation. The non-zeros go in
//! windows of 64: first their quotients v/(WH), four dot products at a time with one vector
//! division, then the accumulation, whose only carried dependency is the accumulator; so the
//! long chain dot → sum → divide → accumulate of one non-zero no longer stalls the next. The
//! rows of the non-zeros to come are prefetched. Longer rows compute their dot products from
//! memory, one non-zero at a time, and sum the accumulator eight vectors at a time in registers
//! over each window.
//!
//! Every function here is `unsafe` for one reason: it must run on a CPU with AVX2 and FMA
//! (`Kernel::detect` checks). Indices come from a sprs matrix whose structure was checked when
//! it was built, and the solver checked that `other` holds a row for each of them.

use std::arch::x86_64::*;

use super::{kl_term, Pass, WH_FLOOR};
use crate::nmf::kernel::avx2::{add_to_sums, dot_memory, guard, load_row};
use crate::nmf::kernel::LANES;

/// How many non-zeros ahead the other factor's rows are prefetched: their rows are scattered
/// over more memory than the caches hold.
const PREFETCH_AHEAD: usize = 32;

/// Asks for the row of the non-zero `PREFETCH_AHEAD` places after `n` (or the last one).
#[inline(always)]
unsafe fn prefetch(pass: &Pass, n: usize, kp: usize) {
    let ahead = (n + PREFETCH_AHEAD).min(pass.indices.len() - 1);
    let row = pass
        .other
        .as_ptr()
        .add(*pass.indices.get_unchecked(ahead) as usize * kp) as *const i8;
    let mut offset = 0;
    while offset < kp * 4 {
        _mm_prefetch::<_MM_HINT_T0>(row.add(offset));
        offset += 64;
    }
}

/// See [`super::update_rows`].
#[target_feature(enable = "avx2,fma")]
pub(super) unsafe fn update_rows<const DIV: bool>(
    pass: &Pass,
    first: usize,
    rows: &mut [f32],
    acc: &mut [f32],
    sums: &mut [f64],
) -> f64 {
    sums.fill(0.0);
    if pass.prefetch {
        update_rows_of::<DIV, true>(pass, first, rows, acc, sums)
    } else {
        update_rows_of::<DIV, false>(pass, first, rows, acc, sums)
    }
}

#[inline(always)]
unsafe fn update_rows_of<const DIV: bool, const PF: bool>(
    pass: &Pass,
    first: usize,
    rows: &mut [f32],
    acc: &mut [f32],
    sums: &mut [f64],
) -> f64 {
    match pass.kp / LANES {
        1 => in_registers::<1, DIV, PF>(pass, first, rows, sums),
        2 => in_registers::<2, DIV, PF>(pass, first, rows, sums),
        3 => in_registers::<3, DIV, PF>(pass, first, rows, sums),
        4 => in_registers::<4, DIV, PF>(pass, first, rows, sums),
        5 => in_registers::<5, DIV, PF>(pass, first, rows, sums),
        6 => in_registers::<6, DIV, PF>(pass, first, rows, sums),
        7 => in_registers::<7, DIV, PF>(pass, first, rows, sums),
        8 => in_registers::<8, DIV, PF>(pass, first, rows, sums),
        _ => in_memory::<DIV>(pass, first, rows, acc, sums),
    }
}

/// See [`super::scatter_rows`].
#[target_feature(enable = "avx2,fma")]
pub(super) unsafe fn scatter_rows(pass: &Pass, first: usize, rows: &[f32], acc: &mut [f32]) {
    match pass.kp / LANES {
        1 => scatter_in_registers::<1>(pass, first, rows, acc),
        2 => scatter_in_registers::<2>(pass, first, rows, acc),
        3 => scatter_in_registers::<3>(pass, first, rows, acc),
        4 => scatter_in_registers::<4>(pass, first, rows, acc),
        5 => scatter_in_registers::<5>(pass, first, rows, acc),
        6 => scatter_in_registers::<6>(pass, first, rows, acc),
        7 => scatter_in_registers::<7>(pass, first, rows, acc),
        8 => scatter_in_registers::<8>(pass, first, rows, acc),
        _ => scatter_in_memory(pass, first, rows, acc),
    }
}

/// See [`super::divergence_rows`].
#[target_feature(enable = "avx2,fma")]
pub(super) unsafe fn divergence_rows(pass: &Pass, first: usize, rows: &[f32]) -> f64 {
    match pass.kp / LANES {
        1 => divergence_in_registers::<1>(pass, first, rows),
        2 => divergence_in_registers::<2>(pass, first, rows),
        3 => divergence_in_registers::<3>(pass, first, rows),
        4 => divergence_in_registers::<4>(pass, first, rows),
        5 => divergence_in_registers::<5>(pass, first, rows),
        6 => divergence_in_registers::<6>(pass, first, rows),
        7 => divergence_in_registers::<7>(pass, first, rows),
        8 => divergence_in_registers::<8>(pass, first, rows),
        _ => divergence_in_memory(pass, first, rows),
    }
}

#[inline(always)]
unsafe fn in_registers<const NV: usize, const DIV: bool, const PF: bool>(
    pass: &Pass,
    first: usize,
    rows: &mut [f32],
    sums: &mut [f64],
) -> f64 {
    let kp = NV * LANES;
    let mut inv = [_mm256_setzero_ps(); NV];
    for (i, v) in inv.iter_mut().enumerate() {
        *v = _mm256_loadu_ps(pass.inv.as_ptr().add(i * LANES));
    }
    let mut q = [0f32; WINDOW];
    let mut div = 0.0;
    for (r, row) in rows.chunks_exact_mut(kp).enumerate() {
        let (start, end) = pass.range(first + r);
        let x = load_row::<NV>(row.as_ptr());
        let mut acc = [_mm256_setzero_ps(); NV];
        let mut window = start;
        while window < end {
            let stop = (window + WINDOW).min(end);
            div += quotients::<NV, DIV, PF>(pass, &x, window, stop, &mut q);
            accumulate::<NV>(pass, window, stop, &q, &mut acc, 0);
            window = stop;
        }
        for i in 0..NV {
            let new = guard(_mm256_mul_ps(_mm256_mul_ps(x[i], acc[i]), inv[i]));
            _mm256_storeu_ps(row.as_mut_ptr().add(i * LANES), new);
            add_to_sums(sums.as_mut_ptr().add(i * LANES), new);
        }
    }
    div
}

#[inline(always)]
unsafe fn scatter_in_registers<const NV: usize>(
    pass: &Pass,
    first: usize,
    rows: &[f32],
    acc: &mut [f32],
) {
    let kp = NV * LANES;
    let mut q = [0f32; WINDOW];
    for (r, row) in rows.chunks_exact(kp).enumerate() {
        let (start, end) = pass.range(first + r);
        if start == end {
            continue;
        }
        let x = load_row::<NV>(row.as_ptr());
        let mut window = start;
        while window < end {
            let stop = (window + WINDOW).min(end);
            // The rows of W read here stay in cache: no prefetching.
            quotients::<NV, false, false>(pass, &x, window, stop, &mut q);
            for n in window..stop {
                let a = acc
                    .as_mut_ptr()
                    .add(*pass.indices.get_unchecked(n) as usize * kp);
                let qn = _mm256_set1_ps(q[n - window]);
                for (i, &xi) in x.iter().enumerate() {
                    let sum = _mm256_fmadd_ps(qn, xi, _mm256_loadu_ps(a.add(i * LANES)));
                    _mm256_storeu_ps(a.add(i * LANES), sum);
                }
            }
            window = stop;
        }
    }
}

#[inline(always)]
unsafe fn scatter_in_memory(pass: &Pass, first: usize, rows: &[f32], acc: &mut [f32]) {
    let (kp, nv) = (pass.kp, pass.kp / LANES);
    let other = pass.other.as_ptr();
    for (r, row) in rows.chunks_exact(kp).enumerate() {
        let (start, end) = pass.range(first + r);
        let x = row.as_ptr();
        for n in start..end {
            let j = *pass.indices.get_unchecked(n) as usize;
            let v = *pass.data.get_unchecked(n);
            let q = _mm256_set1_ps(v / dot_memory(x, other.add(j * kp), nv).max(WH_FLOOR));
            let a = acc.as_mut_ptr().add(j * kp);
            for i in 0..nv {
                let sum = _mm256_fmadd_ps(
                    q,
                    _mm256_loadu_ps(x.add(i * LANES)),
                    _mm256_loadu_ps(a.add(i * LANES)),
                );
                _mm256_storeu_ps(a.add(i * LANES), sum);
            }
        }
    }
}

#[inline(always)]
unsafe fn divergence_in_registers<const NV: usize>(pass: &Pass, first: usize, rows: &[f32]) -> f64 {
    let kp = NV * LANES;
    let mut q = [0f32; WINDOW];
    let mut div = 0.0;
    for (r, row) in rows.chunks_exact(kp).enumerate() {
        let (start, end) = pass.range(first + r);
        let x = load_row::<NV>(row.as_ptr());
        let mut window = start;
        while window < end {
            let stop = (window + WINDOW).min(end);
            div += quotients::<NV, true, true>(pass, &x, window, stop, &mut q);
            window = stop;
        }
    }
    div
}

/// Non-zeros whose quotients are computed together before they are accumulated.
const WINDOW: usize = 64;

/// q[n − start] = v_n / max(x · o_n, floor) for the non-zeros `start..stop` (at most
/// [`WINDOW`]), four dot products at a time so that their FMA chains overlap; returns
/// Σ v·ln(v/wh) − v when `DIV`. Prefetches the rows to come when `PF`. Each dot product is one FMA chain in vector order and one
/// horizontal sum, whether it is computed in a group of four or alone, so the bits do not
/// depend on the grouping.
#[inline(always)]
unsafe fn quotients<const NV: usize, const DIV: bool, const PF: bool>(
    pass: &Pass,
    x: &[__m256; NV],
    start: usize,
    stop: usize,
    q: &mut [f32; WINDOW],
) -> f64 {
    let kp = NV * LANES;
    let other = pass.other.as_ptr();
    let row = |n: usize| other.add(*pass.indices.get_unchecked(n) as usize * kp);
    let floor = _mm_set1_ps(WH_FLOOR);
    let mut div = 0.0;
    let mut n = start;
    while n + 4 <= stop {
        if PF {
            prefetch(pass, n, kp);
            prefetch(pass, n + 1, kp);
            prefetch(pass, n + 2, kp);
            prefetch(pass, n + 3, kp);
        }
        let (o0, o1, o2, o3) = (row(n), row(n + 1), row(n + 2), row(n + 3));
        let (mut d0, mut d1, mut d2, mut d3) = (
            _mm256_setzero_ps(),
            _mm256_setzero_ps(),
            _mm256_setzero_ps(),
            _mm256_setzero_ps(),
        );
        for (i, &xi) in x.iter().enumerate() {
            d0 = _mm256_fmadd_ps(xi, _mm256_loadu_ps(o0.add(i * LANES)), d0);
            d1 = _mm256_fmadd_ps(xi, _mm256_loadu_ps(o1.add(i * LANES)), d1);
            d2 = _mm256_fmadd_ps(xi, _mm256_loadu_ps(o2.add(i * LANES)), d2);
            d3 = _mm256_fmadd_ps(xi, _mm256_loadu_ps(o3.add(i * LANES)), d3);
        }
        let wh = _mm_max_ps(sum4(d0, d1, d2, d3), floor);
        let v = _mm_loadu_ps(pass.data.as_ptr().add(n));
        _mm_storeu_ps(q.as_mut_ptr().add(n - start), _mm_div_ps(v, wh));
        if DIV {
            let mut whs = [0f32; 4];
            _mm_storeu_ps(whs.as_mut_ptr(), wh);
            for (k, &w) in whs.iter().enumerate() {
                div += kl_term(*pass.data.get_unchecked(n + k), w);
            }
        }
        n += 4;
    }
    while n < stop {
        if PF {
            prefetch(pass, n, kp);
        }
        let o = row(n);
        let mut d = _mm256_setzero_ps();
        for (i, &xi) in x.iter().enumerate() {
            d = _mm256_fmadd_ps(xi, _mm256_loadu_ps(o.add(i * LANES)), d);
        }
        let zero = _mm256_setzero_ps();
        let wh = _mm_cvtss_f32(_mm_max_ps(sum4(d, zero, zero, zero), floor));
        let v = *pass.data.get_unchecked(n);
        q[n - start] = v / wh;
        if DIV {
            div += kl_term(v, wh);
        }
        n += 1;
    }
    div
}

/// acc += q[n − start] · o_n[c..c + M vectors] for the non-zeros `start..stop`, each lane's
/// multiply-adds in the order of the non-zeros.
#[inline(always)]
unsafe fn accumulate<const M: usize>(
    pass: &Pass,
    start: usize,
    stop: usize,
    q: &[f32; WINDOW],
    acc: &mut [__m256; M],
    c: usize,
) {
    let other = pass.other.as_ptr().add(c * LANES);
    for n in start..stop {
        let o = other.add(*pass.indices.get_unchecked(n) as usize * pass.kp);
        let qn = _mm256_set1_ps(q[n - start]);
        for (i, a) in acc.iter_mut().enumerate() {
            *a = _mm256_fmadd_ps(qn, _mm256_loadu_ps(o.add(i * LANES)), *a);
        }
    }
}

/// The four horizontal sums of `a`, `b`, `c`, `d`, in one vector.
#[inline(always)]
unsafe fn sum4(a: __m256, b: __m256, c: __m256, d: __m256) -> __m128 {
    let ab = _mm256_hadd_ps(a, b);
    let cd = _mm256_hadd_ps(c, d);
    let abcd = _mm256_hadd_ps(ab, cd);
    _mm_add_ps(
        _mm256_castps256_ps128(abcd),
        _mm256_extractf128_ps::<1>(abcd),
    )
}

#[inline(always)]
unsafe fn in_memory<const DIV: bool>(
    pass: &Pass,
    first: usize,
    rows: &mut [f32],
    acc: &mut [f32],
    sums: &mut [f64],
) -> f64 {
    let (kp, nv) = (pass.kp, pass.kp / LANES);
    let other = pass.other.as_ptr();
    let a = acc.as_mut_ptr();
    let mut q = [0f32; WINDOW];
    let mut div = 0.0;
    for (r, row) in rows.chunks_exact_mut(kp).enumerate() {
        let (start, end) = pass.range(first + r);
        let x = row.as_mut_ptr();
        acc.fill(0.0);
        let mut window = start;
        while window < end {
            let stop = (window + WINDOW).min(end);
            for n in window..stop {
                prefetch(pass, n, kp);
                let j = *pass.indices.get_unchecked(n) as usize;
                let v = *pass.data.get_unchecked(n);
                let wh = dot_memory(x, other.add(j * kp), nv).max(WH_FLOOR);
                if DIV {
                    div += kl_term(v, wh);
                }
                q[n - window] = v / wh;
            }
            // Eight vectors of the accumulator at a time stay in registers over the window.
            let mut c = 0;
            while c + 8 <= nv {
                accumulate_columns::<8>(pass, window, stop, &q, a, c);
                c += 8;
            }
            match nv - c {
                1 => accumulate_columns::<1>(pass, window, stop, &q, a, c),
                2 => accumulate_columns::<2>(pass, window, stop, &q, a, c),
                3 => accumulate_columns::<3>(pass, window, stop, &q, a, c),
                4 => accumulate_columns::<4>(pass, window, stop, &q, a, c),
                5 => accumulate_columns::<5>(pass, window, stop, &q, a, c),
                6 => accumulate_columns::<6>(pass, window, stop, &q, a, c),
                7 => accumulate_columns::<7>(pass, window, stop, &q, a, c),
                _ => {}
            }
            window = stop;
        }
        for i in 0..nv {
            let xi = _mm256_loadu_ps(x.add(i * LANES));
            let ai = _mm256_loadu_ps(a.add(i * LANES));
            let new = guard(_mm256_mul_ps(
                _mm256_mul_ps(xi, ai),
                _mm256_loadu_ps(pass.inv.as_ptr().add(i * LANES)),
            ));
            _mm256_storeu_ps(x.add(i * LANES), new);
            add_to_sums(sums.as_mut_ptr().add(i * LANES), new);
        }
    }
    div
}

/// [`accumulate`] into vectors `c..c + M` of the accumulator `acc` in memory, held in
/// registers meanwhile.
#[inline(always)]
unsafe fn accumulate_columns<const M: usize>(
    pass: &Pass,
    start: usize,
    stop: usize,
    q: &[f32; WINDOW],
    acc: *mut f32,
    c: usize,
) {
    let mut a = load_row::<M>(acc.add(c * LANES));
    accumulate::<M>(pass, start, stop, q, &mut a, c);
    for (i, v) in a.iter().enumerate() {
        _mm256_storeu_ps(acc.add((c + i) * LANES), *v);
    }
}

#[inline(always)]
unsafe fn divergence_in_memory(pass: &Pass, first: usize, rows: &[f32]) -> f64 {
    let (kp, nv) = (pass.kp, pass.kp / LANES);
    let other = pass.other.as_ptr();
    let mut div = 0.0;
    for (r, row) in rows.chunks_exact(kp).enumerate() {
        let (start, end) = pass.range(first + r);
        for n in start..end {
            let j = *pass.indices.get_unchecked(n) as usize;
            let v = *pass.data.get_unchecked(n);
            let wh = dot_memory(row.as_ptr(), other.add(j * kp), nv).max(WH_FLOOR);
            div += kl_term(v, wh);
        }
    }
    div
}
