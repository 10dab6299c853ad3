//! Coordinate descent's inner loops on one row (a document's weights in the H half, a word's in
//! the W half), written once in 8-lane Rust and compiled twice: with plain multiply-adds for
//! any target, and inside an AVX2+FMA function on x86-64 (chosen at run time), where the same
//! loops become vector instructions.
//!
//! A row x (`kp` values) is solved against the other factor's rows o_j at its non-zeros v_j,
//! which [`Local::gather`] copies into a block-transposed buffer: block b holds the rows of
//! non-zeros 8b..8b+8, topic after topic, so that one topic's 8 values are one vector. Then:
//!
//! ```text
//! wh_j = max(Σ_t o_jt x_t, 1e-12)                    (once per row and half step)
//! for each topic t (cyclic), `sweeps` times:
//!     s = Σ_j o_jt v_j / wh_j          h'' = Σ_j o_jt² v_j / wh_j²
//!     f'(x_t) = c_t − s                (c_t: the other factor's sum of topic t)
//!     Newton: x_t − f'/h''  (at least 0);  when it lowers x_t, at least x_t·s/c_t
//!     wh_j ← max(wh_j + δ o_jt, 1e-12)
//! ```

use crate::nmf::kernel::portable::{ln_lanes, MulAdd, Plain};
use crate::nmf::kernel::{guard, FlushDenormals, Kernel, LANES};

/// (WH) is floored here, as KL-MU floors it, so that no quotient is infinite.
pub(super) const WH_FLOOR: f32 = 1e-12;

/// One row's scratch space: the other factor's rows at the row's non-zeros, block-transposed,
/// the non-zeros' values and (WH) there. Sized once for the longest row of V.
pub(super) struct Local {
    other: Vec<f32>,
    v: Vec<f32>,
    wh: Vec<f32>,
    /// The row before a sweep, to measure how far a sweep moved it.
    pub(super) old: Vec<f32>,
    /// The row of a padding lane.
    zeros: Vec<f32>,
    kp: usize,
    blocks: usize,
}

impl Local {
    /// Space for rows of up to `longest` non-zeros and `kp` topics.
    pub(super) fn new(longest: usize, kp: usize) -> Local {
        let blocks = longest.div_ceil(LANES).max(1);
        Local {
            other: vec![0.0; blocks * kp * LANES],
            v: vec![0.0; blocks * LANES],
            wh: vec![0.0; blocks * LANES],
            old: vec![0.0; kp],
            zeros: vec![0.0; kp],
            kp,
            blocks: 0,
        }
    }

    /// Copies the rows `other[j·kp..]` of the non-zeros `indices` and their values `data` in;
    /// the last block is padded with zero rows and values (which add nothing to any sum).
    pub(super) fn gather(&mut self, kernel: Kernel, indices: &[u32], data: &[f32], other: &[f32]) {
        let kp = self.kp;
        self.blocks = indices.len().div_ceil(LANES);
        let block = kp * LANES;
        for (b, (idx, vals)) in indices.chunks(LANES).zip(data.chunks(LANES)).enumerate() {
            let ahead = indices.get((b + PREFETCH_BLOCKS) * LANES..).unwrap_or(&[]);
            prefetch(kernel, &ahead[..ahead.len().min(LANES)], other, kp);
            let mut rows: [&[f32]; LANES] = [&self.zeros; LANES];
            for (row, &j) in rows.iter_mut().zip(idx) {
                *row = &other[j as usize * kp..][..kp];
            }
            let dst = &mut self.other[b * block..][..block];
            match kernel {
                // SAFETY: Kernel::Avx2Fma is only chosen when the CPU has AVX2 and FMA.
                #[cfg(target_arch = "x86_64")]
                Kernel::Avx2Fma => unsafe { avx2::transpose(&rows, dst, kp) },
                _ => {
                    for (t, out) in dst.chunks_exact_mut(LANES).enumerate() {
                        for (o, row) in out.iter_mut().zip(&rows) {
                            *o = row[t];
                        }
                    }
                }
            }
            let v = &mut self.v[b * LANES..][..LANES];
            v[..vals.len()].copy_from_slice(vals);
            v[vals.len()..].fill(0.0);
        }
    }

    /// Σ v·ln(wh) over the gathered non-zeros at the (WH) that [`compute_wh`] left: the row's
    /// part of the divergence but for the constant Σ v·ln v − v. Logarithms in f32, eight at a
    /// time; the sum of each block in f64.
    pub(super) fn log_sum(&self, kernel: Kernel) -> f64 {
        match kernel {
            // SAFETY: as in `compute_wh`.
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx2Fma => unsafe { avx2::log_sum(self) },
            Kernel::Portable => log_sum_lanes::<Plain>(self),
            #[allow(unreachable_patterns)]
            _ => log_sum_lanes::<crate::nmf::kernel::portable::Fused>(self),
        }
    }
}

#[inline(always)]
fn log_sum_lanes<M: MulAdd>(local: &Local) -> f64 {
    let n = local.blocks * LANES;
    let mut acc = [0f64; LANES];
    for (v, wh) in local.v[..n]
        .chunks_exact(LANES)
        .zip(local.wh[..n].chunks_exact(LANES))
    {
        // Padding lanes have v = 0 and wh at the floor, so they add 0.
        let ln = ln_lanes::<M>(wh.try_into().unwrap());
        for l in 0..LANES {
            acc[l] += v[l] as f64 * ln[l] as f64;
        }
    }
    let p = [
        acc[0] + acc[4],
        acc[1] + acc[5],
        acc[2] + acc[6],
        acc[3] + acc[7],
    ];
    (p[0] + p[2]) + (p[1] + p[3])
}

/// Blocks ahead whose rows [`Local::gather`] prefetches.
const PREFETCH_BLOCKS: usize = 2;

/// Asks for the rows `other[j·kp..]` of `indices` to be brought into cache (x86-64's fast
/// kernel only): the rows of V's non-zeros are scattered over more memory than the caches
/// hold, and their loads can overlap the arithmetic of the row before.
#[inline(always)]
pub(super) fn prefetch(kernel: Kernel, indices: &[u32], other: &[f32], kp: usize) {
    #[cfg(target_arch = "x86_64")]
    if kernel == Kernel::Avx2Fma {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        for &j in indices {
            let row = &other[j as usize * kp..][..kp];
            for line in row.chunks(16) {
                // SAFETY: prefetching a valid address has no effect but on the caches.
                unsafe { _mm_prefetch::<_MM_HINT_T0>(line.as_ptr() as *const i8) };
            }
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (kernel, indices, other, kp);
}

/// (WH) at the gathered non-zeros for the row `x`; with `skip_zeros`, its zero weights left
/// out (the same bits: a weight at zero adds exactly nothing). That pays in the document
/// solve, whose weights are mostly exact zeros, and not in the joint steps, where the branch
/// costs more than it saves (94 against 87 ms a step at K = 50, medians of 7).
pub(super) fn compute_wh(kernel: Kernel, local: &mut Local, x: &[f32], k: usize, skip_zeros: bool) {
    match (kernel, skip_zeros) {
        // SAFETY: Kernel::Avx2Fma is only chosen when the CPU has AVX2 and FMA.
        #[cfg(target_arch = "x86_64")]
        (Kernel::Avx2Fma, false) => unsafe { avx2::compute_wh::<false>(local, x, k) },
        #[cfg(target_arch = "x86_64")]
        (Kernel::Avx2Fma, true) => unsafe { avx2::compute_wh::<true>(local, x, k) },
        (Kernel::Portable, false) => wh_lanes::<Plain, false>(local, x, k),
        (Kernel::Portable, true) => wh_lanes::<Plain, true>(local, x, k),
        #[allow(unreachable_patterns)]
        (_, false) => wh_lanes::<crate::nmf::kernel::portable::Fused, false>(local, x, k),
        #[allow(unreachable_patterns)]
        (_, true) => wh_lanes::<crate::nmf::kernel::portable::Fused, true>(local, x, k),
    }
}

/// `sweeps` cyclic sweeps of Newton steps over the first `k` topics of the row `x` of `a`, and
/// of `b`'s when given, against their gathered rows, with `lin` the other factor's topic sums
/// (the loss's linear terms). (WH) must be that of each row ([`compute_wh`]); it is moved with
/// each weight but the last, so it is stale afterwards.
///
/// Two rows are solved side by side because one weight's step waits for the one before (its
/// move of (WH)): a short row's steps are a chain of latencies, and two independent chains
/// overlap. Each row's arithmetic is the same, bit for bit, alone or paired.
pub(super) fn sweep(
    kernel: Kernel,
    a: (&mut Local, &mut [f32]),
    b: Option<(&mut Local, &mut [f32])>,
    lin: &[f64],
    k: usize,
    sweeps: usize,
) {
    let _flush = FlushDenormals::new();
    match kernel {
        // SAFETY: as in `compute_wh`.
        #[cfg(target_arch = "x86_64")]
        Kernel::Avx2Fma => unsafe { avx2::sweep::<false>(a, b, lin, k, sweeps, false) },
        Kernel::Portable => sweep_lanes::<Plain, false>(a, b, lin, k, sweeps, false),
        #[allow(unreachable_patterns)]
        _ => sweep_lanes::<crate::nmf::kernel::portable::Fused, false>(a, b, lin, k, sweeps, false),
    }
}

/// One sweep over the row `x` of `local`, as [`sweep`], except that a weight whose Newton
/// point lies below zero is set to zero when zero is its minimum (f'(0) ≥ 0, one more pass
/// over the row to tell): the document solve's rule. Under [`sweep`]'s floor such a weight
/// only shrinks by the multiplicative factor s/c a sweep, and the solve waited dozens of
/// sweeps for it to stop moving. Never uphill either: f is convex, so its minimum over
/// [0, x0] at 0 is at most f(x0).
pub(super) fn sweep_to_zero(
    kernel: Kernel,
    local: &mut Local,
    x: &mut [f32],
    lin: &[f64],
    k: usize,
    skip_zeros: bool,
) {
    let _flush = FlushDenormals::new();
    let a = (local, x);
    match kernel {
        // SAFETY: as in `compute_wh`.
        #[cfg(target_arch = "x86_64")]
        Kernel::Avx2Fma => unsafe { avx2::sweep::<true>(a, None, lin, k, 1, skip_zeros) },
        Kernel::Portable => sweep_lanes::<Plain, true>(a, None, lin, k, 1, skip_zeros),
        #[allow(unreachable_patterns)]
        _ => {
            sweep_lanes::<crate::nmf::kernel::portable::Fused, true>(a, None, lin, k, 1, skip_zeros)
        }
    }
}

#[inline(always)]
fn wh_lanes<M: MulAdd, const SKIP: bool>(local: &mut Local, x: &[f32], k: usize) {
    let kp = local.kp;
    let block = kp * LANES;
    let x = &x[..k];
    // Four blocks at a time: each block's sum is still one chain over the topics in order (so
    // the bits are those of one block at a time), but four chains overlap their latencies.
    let quads = local.blocks / 4;
    let (other, wh) = (&local.other[..local.blocks * block], &mut local.wh);
    for (o, wh) in other
        .chunks_exact(4 * block)
        .zip(wh.chunks_exact_mut(4 * LANES))
        .take(quads)
    {
        let mut acc = [[0f32; LANES]; 4];
        // A weight at zero adds exactly nothing: skipping it leaves the bits.
        for (t, &xt) in x.iter().enumerate().filter(|(_, &xt)| !SKIP || xt != 0.0) {
            for (i, acc) in acc.iter_mut().enumerate() {
                let ot = &o[i * block + t * LANES..][..LANES];
                for l in 0..LANES {
                    acc[l] = M::mul_add(ot[l], xt, acc[l]);
                }
            }
        }
        for (i, acc) in acc.iter().enumerate() {
            for l in 0..LANES {
                wh[i * LANES + l] = floor(acc[l]);
            }
        }
    }
    for b in quads * 4..local.blocks {
        let o = &other[b * block..][..block];
        let mut acc = [0f32; LANES];
        for (t, &xt) in x.iter().enumerate().filter(|(_, &xt)| !SKIP || xt != 0.0) {
            let ot = &o[t * LANES..][..LANES];
            for l in 0..LANES {
                acc[l] = M::mul_add(ot[l], xt, acc[l]);
            }
        }
        let wh = &mut wh[b * LANES..][..LANES];
        for l in 0..LANES {
            wh[l] = floor(acc[l]);
        }
    }
}

#[inline(always)]
fn sweep_lanes<M: MulAdd, const TO_ZERO: bool>(
    a: (&mut Local, &mut [f32]),
    b: Option<(&mut Local, &mut [f32])>,
    lin: &[f64],
    k: usize,
    sweeps: usize,
    skip_zeros: bool,
) {
    let mut a = Row::new(a.0, a.1);
    match b {
        None => {
            for _ in 0..sweeps {
                for (t, &c) in lin[..k].iter().enumerate() {
                    // A dead topic (c = 0): no word (or document) has weight on it.
                    if c > 0.0 && !(skip_zeros && a.x[t] == 0.0) {
                        let (s, h2) = a.pass::<M>(t);
                        a.step::<M, TO_ZERO>(t, c, s, h2);
                    }
                }
            }
        }
        Some((local, x)) => {
            let mut b = Row::new(local, x);
            for _ in 0..sweeps {
                for (t, &c) in lin[..k].iter().enumerate() {
                    if c > 0.0 {
                        let (sa, ha) = a.pass::<M>(t);
                        let (sb, hb) = b.pass::<M>(t);
                        a.step::<M, TO_ZERO>(t, c, sa, ha);
                        b.step::<M, TO_ZERO>(t, c, sb, hb);
                    }
                }
            }
        }
    }
    // The last moves are left out: every use of (WH) computes it afresh.
}

/// One row being swept: its gathered non-zeros and its weights.
struct Row<'l> {
    other: &'l [f32],
    v: &'l [f32],
    wh: &'l mut [f32],
    x: &'l mut [f32],
    kp: usize,
    /// A weight's move of (WH) is made in the pass of the next weight.
    pending: Option<(usize, f32)>,
}

impl<'l> Row<'l> {
    #[inline(always)]
    fn new(local: &'l mut Local, x: &'l mut [f32]) -> Row<'l> {
        let (kp, n) = (local.kp, local.blocks * LANES);
        let Local { other, v, wh, .. } = local;
        Row {
            other: &other[..n * kp],
            v: &v[..n],
            wh: &mut wh[..n],
            x,
            kp,
            pending: None,
        }
    }

    /// Σ o_t·v/wh and Σ o_t²·v/wh², after the pending move.
    #[inline(always)]
    fn pass<M: MulAdd>(&mut self, t: usize) -> (f64, f64) {
        match self.pending.take() {
            Some((p, delta)) => {
                topic_pass::<M, true>(self.other, self.v, self.wh, self.kp, t, p, delta)
            }
            None => topic_pass::<M, false>(self.other, self.v, self.wh, self.kp, t, 0, 0.0),
        }
    }

    /// Weight `t`'s Newton step; with `TO_ZERO`, zero instead when Newton's point is below
    /// zero and zero is the minimum.
    #[inline(always)]
    fn step<M: MulAdd, const TO_ZERO: bool>(&mut self, t: usize, c: f64, s: f64, h2: f64) {
        let x0 = self.x[t];
        let below = TO_ZERO && x0 > 0.0 && h2 > 0.0 && x0 as f64 * h2 < c - s;
        let x1 = if below && c >= zero_pass::<M>(self.other, self.v, self.wh, self.kp, t, x0) {
            0.0
        } else {
            newton(x0, c, s, h2)
        };
        let delta = x1 - x0;
        if delta != 0.0 {
            self.x[t] = x1;
            self.pending = Some((t, delta));
        }
    }
}

/// Σ o_t·v/wh and Σ o_t²·v/wh² over the blocks, after moving (WH) by `delta` of topic `p`
/// when `MOVE`.
#[inline(always)]
fn topic_pass<M: MulAdd, const MOVE: bool>(
    other: &[f32],
    v: &[f32],
    wh: &mut [f32],
    kp: usize,
    t: usize,
    p: usize,
    delta: f32,
) -> (f64, f64) {
    let (mut s, mut h2) = ([0f32; LANES], [0f32; LANES]);
    let blocks = other
        .chunks_exact(kp * LANES)
        .zip(v.chunks_exact(LANES))
        .zip(wh.chunks_exact_mut(LANES));
    for ((ob, vb), wb) in blocks {
        let o: [f32; LANES] = ob[t * LANES..][..LANES].try_into().unwrap();
        let vb: [f32; LANES] = (*vb).try_into().unwrap();
        let mut w: [f32; LANES] = (*wb).try_into().unwrap();
        if MOVE {
            let op: [f32; LANES] = ob[p * LANES..][..LANES].try_into().unwrap();
            for l in 0..LANES {
                w[l] = floor(M::mul_add(delta, op[l], w[l]));
            }
            wb.copy_from_slice(&w);
        }
        for l in 0..LANES {
            let r = 1.0 / w[l];
            let oq = o[l] * (vb[l] * r);
            s[l] += oq;
            h2[l] = M::mul_add(oq, o[l] * r, h2[l]);
        }
    }
    (lanes_sum(&s), lanes_sum(&h2))
}

/// Σ o_t·v/wh over the blocks with weight `t` moved from `x0` to zero: c minus it is f'(0).
/// A word that only this weight explains has (WH) at the floor there, which makes the sum huge
/// and keeps the weight.
#[inline(always)]
fn zero_pass<M: MulAdd>(other: &[f32], v: &[f32], wh: &[f32], kp: usize, t: usize, x0: f32) -> f64 {
    let mut s = [0f32; LANES];
    let blocks = other
        .chunks_exact(kp * LANES)
        .zip(v.chunks_exact(LANES))
        .zip(wh.chunks_exact(LANES));
    for ((ob, vb), wb) in blocks {
        let o: [f32; LANES] = ob[t * LANES..][..LANES].try_into().unwrap();
        for l in 0..LANES {
            let w = floor(M::mul_add(-x0, o[l], wb[l]));
            s[l] += o[l] * (vb[l] / w);
        }
    }
    lanes_sum(&s)
}

/// `x` floored at [`WH_FLOOR`], as one vector instruction (`f32::max`'s care for NaN keeps
/// the loops scalar; no NaN reaches here).
#[inline(always)]
fn floor(x: f32) -> f32 {
    if x > WH_FLOOR {
        x
    } else {
        WH_FLOOR
    }
}

/// The 8 lanes added in a fixed order, in f64.
#[inline(always)]
fn lanes_sum(x: &[f32; LANES]) -> f64 {
    let p = [
        x[0] as f64 + x[4] as f64,
        x[1] as f64 + x[5] as f64,
        x[2] as f64 + x[6] as f64,
        x[3] as f64 + x[7] as f64,
    ];
    (p[0] + p[2]) + (p[1] + p[3])
}

/// The new value of one weight from `x0`, with `c` its linear term, `s` = Σ o·v/wh and `h2` =
/// Σ o²·v/wh², so that f'(x0) = c − s and f''(x0) = h2.
///
/// f is convex and f' concave (f''' < 0), so Newton's tangent lies above f': a step up never
/// passes the minimum, and f falls. A step down may pass it; the multiplicative update's point
/// x0·s/c (the minimum of Lee & Seung's auxiliary function, so f there is at most f(x0)) lies
/// between the minimum and x0 or below it, and f falls from it towards the minimum, so the
/// larger of the two never raises f either. That point is also positive while x0 and s are,
/// so a weight that alone explains a word is never zeroed.
#[inline(always)]
pub(super) fn newton(x0: f32, c: f64, s: f64, h2: f64) -> f32 {
    let x = x0 as f64;
    let grad = c - s;
    let x1 = if grad < 0.0 {
        if h2 > 0.0 {
            x - grad / h2
        } else {
            // h'' lost to underflow: the multiplicative step, which also goes up here.
            x * s / c
        }
    } else if grad > 0.0 {
        let down = if h2 > 0.0 {
            (x - grad / h2).max(0.0)
        } else {
            0.0
        };
        down.max(x * s / c)
    } else {
        x
    };
    guard(x1 as f32)
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    //! The same loops compiled with AVX2 and FMA.
    use std::arch::x86_64::*;

    use super::{log_sum_lanes, sweep_lanes, wh_lanes, Local};
    use crate::nmf::kernel::portable::Fused;
    use crate::nmf::kernel::LANES;

    /// `dst[t·8 + l] = rows[l][t]` for every topic t < kp (a multiple of 8): the rows
    /// transposed eight topics at a time in registers.
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn transpose(rows: &[&[f32]; LANES], dst: &mut [f32], kp: usize) {
        debug_assert!(dst.len() >= kp * LANES && rows.iter().all(|r| r.len() >= kp));
        let mut t0 = 0;
        while t0 < kp {
            let r: [__m256; LANES] =
                std::array::from_fn(|l| _mm256_loadu_ps(rows[l].as_ptr().add(t0)));
            let a0 = _mm256_unpacklo_ps(r[0], r[1]);
            let a1 = _mm256_unpackhi_ps(r[0], r[1]);
            let a2 = _mm256_unpacklo_ps(r[2], r[3]);
            let a3 = _mm256_unpackhi_ps(r[2], r[3]);
            let a4 = _mm256_unpacklo_ps(r[4], r[5]);
            let a5 = _mm256_unpackhi_ps(r[4], r[5]);
            let a6 = _mm256_unpacklo_ps(r[6], r[7]);
            let a7 = _mm256_unpackhi_ps(r[6], r[7]);
            let b0 = _mm256_shuffle_ps::<0x44>(a0, a2);
            let b1 = _mm256_shuffle_ps::<0xee>(a0, a2);
            let b2 = _mm256_shuffle_ps::<0x44>(a1, a3);
            let b3 = _mm256_shuffle_ps::<0xee>(a1, a3);
            let b4 = _mm256_shuffle_ps::<0x44>(a4, a6);
            let b5 = _mm256_shuffle_ps::<0xee>(a4, a6);
            let b6 = _mm256_shuffle_ps::<0x44>(a5, a7);
            let b7 = _mm256_shuffle_ps::<0xee>(a5, a7);
            let out = dst.as_mut_ptr().add(t0 * LANES);
            _mm256_storeu_ps(out, _mm256_permute2f128_ps::<0x20>(b0, b4));
            _mm256_storeu_ps(out.add(8), _mm256_permute2f128_ps::<0x20>(b1, b5));
            _mm256_storeu_ps(out.add(16), _mm256_permute2f128_ps::<0x20>(b2, b6));
            _mm256_storeu_ps(out.add(24), _mm256_permute2f128_ps::<0x20>(b3, b7));
            _mm256_storeu_ps(out.add(32), _mm256_permute2f128_ps::<0x31>(b0, b4));
            _mm256_storeu_ps(out.add(40), _mm256_permute2f128_ps::<0x31>(b1, b5));
            _mm256_storeu_ps(out.add(48), _mm256_permute2f128_ps::<0x31>(b2, b6));
            _mm256_storeu_ps(out.add(56), _mm256_permute2f128_ps::<0x31>(b3, b7));
            t0 += LANES;
        }
    }

    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn log_sum(local: &Local) -> f64 {
        log_sum_lanes::<Fused>(local)
    }

    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn compute_wh<const SKIP: bool>(local: &mut Local, x: &[f32], k: usize) {
        wh_lanes::<Fused, SKIP>(local, x, k)
    }

    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn sweep<const TO_ZERO: bool>(
        a: (&mut Local, &mut [f32]),
        b: Option<(&mut Local, &mut [f32])>,
        lin: &[f64],
        k: usize,
        sweeps: usize,
        skip_zeros: bool,
    ) {
        sweep_lanes::<Fused, TO_ZERO>(a, b, lin, k, sweeps, skip_zeros)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// f(x) = c·x − Σ v ln(a + o·x), the 1-D objective of one weight.
    fn f(x: f64, c: f64, a: &[f64], o: &[f64], v: &[f64]) -> f64 {
        c * x
            - a.iter()
                .zip(o)
                .zip(v)
                .map(|((a, o), v)| v * (a + o * x).ln())
                .sum::<f64>()
    }

    #[test]
    fn a_newton_step_never_raises_the_one_weight_objective() {
        let mut state = 7u64;
        let mut uniform = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        let mut overshoots = 0;
        for _ in 0..20_000 {
            let n = 1 + (uniform() * 6.0) as usize;
            let a: Vec<f64> = (0..n).map(|_| uniform().powi(4) * 2.0).collect();
            let o: Vec<f64> = (0..n).map(|_| 0.01 + uniform()).collect();
            let v: Vec<f64> = (0..n).map(|_| 1.0 + (uniform() * 5.0).floor()).collect();
            let c = 0.05 + uniform() * 3.0;
            let x0 = (uniform() * 4.0) as f32 as f64;
            let wh: Vec<f64> = a.iter().zip(&o).map(|(a, o)| a + o * x0).collect();
            let s: f64 = (0..n).map(|j| o[j] * v[j] / wh[j]).sum();
            let h2: f64 = (0..n).map(|j| o[j] * o[j] * v[j] / (wh[j] * wh[j])).sum();
            let x1 = newton(x0 as f32, c, s, h2) as f64;
            let (f0, f1) = (f(x0, c, &a, &o, &v), f(x1, c, &a, &o, &v));
            assert!(x1 >= 0.0 && x1.is_finite());
            assert!(
                f1 <= f0 + 1e-9 * f0.abs().max(1.0),
                "x {x0} → {x1}: f {f0} → {f1}"
            );
            // The plain projected Newton step, for comparison.
            let plain = (x0 - (c - s) / h2).max(0.0);
            if f(plain, c, &a, &o, &v) > f0 + 1e-9 * f0.abs().max(1.0) {
                overshoots += 1;
            }
        }
        assert!(
            overshoots > 0,
            "the cases include steps that plain Newton spoils"
        );
    }
}
