//! The inner loops of an update pass, one implementation a file:
//!
//! - `portable.rs`: 8-lane loops in plain Rust, for any target (with fused multiply-adds on
//!   aarch64, where NEON always has them);
//! - `avx2.rs`: AVX2 and FMA intrinsics, chosen at run time on x86-64. For K ≤ 64 the row being
//!   updated and its accumulator stay in registers across all of the row's non-zeros, whose
//!   quotients are computed four at a time.
//!
//! All of them compute, for each row i being updated (a document in the H pass, a word in the W
//! pass) with the other factor's rows o_j at V's non-zeros v_ij:
//!
//! ```text
//! wh_j = max(x_i · o_j, 1e-12);   acc = Σ_j (v_ij / wh_j) o_j;   x_i ← x_i ∘ acc ∘ inv
//! ```
//!
//! and add the new x_i into the chunk's partial sums. Results are bit-identical for any thread
//! count with one kernel; between kernels they agree to float rounding.

mod portable;

#[cfg(target_arch = "x86_64")]
mod avx2;

#[cfg(target_arch = "x86_64")]
mod avx512;

/// Lanes of the inner loops; rows of W and H are padded to a multiple of this.
pub(crate) const LANES: usize = 8;

/// (WH) is floored here before dividing by it.
const WH_FLOOR: f32 = 1e-12;

/// One update pass: the rows being updated are `rows`, the other factor `other` (rows of `kp`
/// values), V's non-zeros of row `i` are `indices/data[starts[i]..ends[i]]`, and the new
/// values are multiplied by `inv` (the reciprocals of the other factor's sums).
pub(crate) struct Pass<'s> {
    pub starts: &'s [usize],
    pub ends: &'s [usize],
    pub indices: &'s [u32],
    pub data: &'s [f32],
    pub other: &'s [f32],
    pub inv: &'s [f32],
    pub kp: usize,
    /// Whether to prefetch the other factor's rows of the non-zeros to come: worth it when
    /// they are scattered over more memory than the caches hold, not when one row is updated
    /// again and again over the same few rows. Only the x86-64 kernel prefetches.
    #[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
    pub prefetch: bool,
}

impl Pass<'_> {
    /// The range of row `i`'s non-zeros.
    #[inline(always)]
    pub fn range(&self, i: usize) -> (usize, usize) {
        (self.starts[i], self.ends[i])
    }
}

/// Which inner loops this machine runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kernel {
    /// Plain multiply and add, 8 lanes.
    Portable,
    /// AVX2 and FMA intrinsics (x86-64, chosen at run time).
    #[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
    Avx2Fma,
    /// 8 lanes with fused multiply-adds (aarch64 always has them).
    #[cfg_attr(not(target_arch = "aarch64"), allow(dead_code))]
    Neon,
}

impl Kernel {
    /// The fastest kernel this machine supports.
    pub(crate) fn detect() -> Kernel {
        #[cfg(target_arch = "x86_64")]
        {
            if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
                return Kernel::Avx2Fma;
            }
        }
        #[cfg(target_arch = "aarch64")]
        {
            return Kernel::Neon;
        }
        #[allow(unreachable_code)]
        Kernel::Portable
    }

    /// Its name, for reports.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Kernel::Portable => "portable",
            Kernel::Avx2Fma => "avx2+fma",
            Kernel::Neon => "neon",
        }
    }
}

/// Updates `rows` (rows `first..` of the factor being updated), writes the sums of their new
/// values into `sums` (`kp` values) and, when `divergence`, returns Σ v·ln(v/wh) − v over their
/// non-zeros. `acc` is scratch space of `kp` values.
pub(crate) fn update_rows(
    kernel: Kernel,
    divergence: bool,
    pass: &Pass,
    first: usize,
    rows: &mut [f32],
    acc: &mut [f32],
    sums: &mut [f64],
) -> f64 {
    use portable::{Fused, Plain};
    let _flush = FlushDenormals::new();
    match (kernel, divergence) {
        // SAFETY: Kernel::Avx2Fma is only chosen when the CPU has AVX2 and FMA.
        #[cfg(target_arch = "x86_64")]
        (Kernel::Avx2Fma, true) => unsafe {
            avx2::update_rows::<true>(pass, first, rows, acc, sums)
        },
        #[cfg(target_arch = "x86_64")]
        (Kernel::Avx2Fma, false) => unsafe {
            avx2::update_rows::<false>(pass, first, rows, acc, sums)
        },
        (Kernel::Portable, true) => {
            portable::update_rows::<Plain, true>(pass, first, rows, acc, sums)
        }
        (Kernel::Portable, false) => {
            portable::update_rows::<Plain, false>(pass, first, rows, acc, sums)
        }
        #[allow(unreachable_patterns)]
        (_, true) => portable::update_rows::<Fused, true>(pass, first, rows, acc, sums),
        #[allow(unreachable_patterns)]
        (_, false) => portable::update_rows::<Fused, false>(pass, first, rows, acc, sums),
    }
}

/// Adds (v_ij / wh_ij)·x_i into row j of `acc` for the non-zeros of `pass` in rows `first..`:
/// the W update's numerators gathered document by document (the rows are documents, `rows`
/// their rows of the new H, `pass.other` W), for words whose rows of W and of `acc` stay in
/// cache. The quotients are those of [`update_rows`] gathering the same words, bit for bit.
pub(crate) fn scatter_rows(
    kernel: Kernel,
    pass: &Pass,
    first: usize,
    rows: &[f32],
    acc: &mut [f32],
) {
    use portable::{Fused, Plain};
    let _flush = FlushDenormals::new();
    match kernel {
        // SAFETY: Kernel::Avx2Fma is only chosen when the CPU has AVX2 and FMA.
        #[cfg(target_arch = "x86_64")]
        Kernel::Avx2Fma => unsafe { avx2::scatter_rows(pass, first, rows, acc) },
        Kernel::Portable => portable::scatter_rows::<Plain>(pass, first, rows, acc),
        #[allow(unreachable_patterns)]
        _ => portable::scatter_rows::<Fused>(pass, first, rows, acc),
    }
}

/// rows ← guard(rows ∘ acc ∘ inv), and their sums into `sums`: the end of an update whose
/// numerators were accumulated apart. The same bits as [`update_rows`] gives.
pub(crate) fn finish_rows(rows: &mut [f32], acc: &[f32], inv: &[f32], sums: &mut [f64]) {
    let _flush = FlushDenormals::new();
    let kp = inv.len();
    sums.fill(0.0);
    for (row, a) in rows.chunks_exact_mut(kp).zip(acc.chunks_exact(kp)) {
        for (((x, &a), &q), s) in row.iter_mut().zip(a).zip(inv).zip(sums.iter_mut()) {
            *x = guard(*x * a * q);
            *s += *x as f64;
        }
    }
}

/// Σ v·ln(v/wh) − v over the non-zeros of `rows` (rows `first..`), without updating them; the
/// same bits as [`update_rows`] returns for the same rows.
pub(crate) fn divergence_rows(kernel: Kernel, pass: &Pass, first: usize, rows: &[f32]) -> f64 {
    use portable::{Fused, Plain};
    let _flush = FlushDenormals::new();
    match kernel {
        // SAFETY: Kernel::Avx2Fma is only chosen when the CPU has AVX2 and FMA.
        #[cfg(target_arch = "x86_64")]
        Kernel::Avx2Fma => unsafe { avx2::divergence_rows(pass, first, rows) },
        Kernel::Portable => portable::divergence_rows::<Plain>(pass, first, rows),
        #[allow(unreachable_patterns)]
        _ => portable::divergence_rows::<Fused>(pass, first, rows),
    }
}

/// Subnormal floats read and made as zero while it lives, on x86-64 (MXCSR's DAZ and FTZ
/// bits; the caller's setting comes back when it is dropped). Intel cores take a slow assist
/// for every subnormal operand or result: products of two small factor values are subnormal
/// often enough to make a fit from an NNDSVDa start 3.5 times slower. Such a product is lost
/// in any sum it joins but the smallest (WH is floored at 10⁻¹², new values under
/// `f32::MIN_POSITIVE` are zeroed anyway): a K = 50 fit of the Debian corpus moves its final
/// divergence by 3·10⁻⁹ relative. Every thread rounds alike, so the bits still do not depend
/// on the thread count.
struct FlushDenormals {
    #[cfg(target_arch = "x86_64")]
    saved: u32,
}

impl FlushDenormals {
    #[cfg(target_arch = "x86_64")]
    const DAZ_FTZ: u32 = 0x8040;

    #[inline(always)]
    fn new() -> FlushDenormals {
        #[cfg(target_arch = "x86_64")]
        {
            let mut saved = 0u32;
            // SAFETY: stmxcsr stores the 4-byte MXCSR to a valid u32; ldmxcsr loads one with
            // only the DAZ and FTZ bits changed (every x86-64 CPU has both).
            unsafe {
                std::arch::asm!("stmxcsr [{}]", in(reg) &mut saved, options(nostack, preserves_flags));
                let flushing = saved | Self::DAZ_FTZ;
                std::arch::asm!("ldmxcsr [{}]", in(reg) &flushing, options(nostack, preserves_flags, readonly));
            }
            FlushDenormals { saved }
        }
        #[cfg(not(target_arch = "x86_64"))]
        FlushDenormals {}
    }
}

impl Drop for FlushDenormals {
    #[inline(always)]
    fn drop(&mut self) {
        // SAFETY: loads back the MXCSR that `new` stored.
        #[cfg(target_arch = "x86_64")]
        unsafe {
            std::arch::asm!("ldmxcsr [{}]", in(reg) &self.saved, options(nostack, preserves_flags, readonly));
        }
    }
}

/// Independent chains in the peak probe: more than an FMA's latency times the FMA units, so
/// that the units, not the chains, set the pace.
const PROBE_CHAINS: usize = 12;

/// Multiply-adds per second that `kernel`'s instructions reach on the calling thread, in
/// billions: independent chains of fused multiply-adds on registers for about `seconds`, with
/// no memory traffic. This is the ceiling of the kernel's own instructions.
pub(crate) fn fma_peak(kernel: Kernel, seconds: f64) -> f64 {
    use portable::{Fused, Plain};
    match kernel {
        // SAFETY: Kernel::Avx2Fma is only chosen when the CPU has AVX2 and FMA.
        #[cfg(target_arch = "x86_64")]
        Kernel::Avx2Fma => probe_rate(LANES, seconds, |r| unsafe { avx2::fma_probe(r) }),
        Kernel::Portable => probe_rate(LANES, seconds, portable::fma_probe::<Plain>),
        #[allow(unreachable_patterns)]
        _ => probe_rate(LANES, seconds, portable::fma_probe::<Fused>),
    }
}

/// Multiply-adds wider than every kernel's, where the CPU has them (AVX-512): their name and,
/// as [`fma_peak`] measures it, their rate on the calling thread.
pub(crate) fn wider_fma_peak(seconds: f64) -> Option<(&'static str, f64)> {
    #[cfg(target_arch = "x86_64")]
    {
        if is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU has AVX-512F (checked just above).
            let rate = probe_rate(16, seconds, |r| unsafe { avx512::fma_probe(r) });
            return Some(("avx-512", rate));
        }
    }
    let _ = seconds;
    None
}

/// Runs `probe` (rounds of [`PROBE_CHAINS`] chains of `lanes` lanes) for about `seconds` and
/// returns its multiply-adds per second, in billions.
fn probe_rate(lanes: usize, seconds: f64, probe: impl Fn(usize) -> f32) -> f64 {
    const ROUNDS: usize = 1 << 16;
    let run = |rounds: usize| probe(std::hint::black_box(rounds));
    std::hint::black_box(run(ROUNDS));
    let started = std::time::Instant::now();
    let mut calls = 0u64;
    while calls == 0 || started.elapsed().as_secs_f64() < seconds {
        std::hint::black_box(run(ROUNDS));
        calls += 1;
    }
    let fmas = calls as f64 * (ROUNDS * PROBE_CHAINS * lanes) as f64;
    fmas / started.elapsed().as_secs_f64() / 1e9
}

/// v·ln(v/wh) − v, in f64.
#[inline(always)]
fn kl_term(v: f32, wh: f32) -> f64 {
    let v = v as f64;
    v * (v / wh as f64).ln() - v
}

/// A new factor value: denormals flushed to zero (they are zero for every purpose, and slow),
/// an overflow held at the largest float.
#[inline(always)]
fn guard(x: f32) -> f32 {
    if x >= f32::MIN_POSITIVE {
        x.min(f32::MAX)
    } else {
        0.0
    }
}

#[cfg(all(test, target_arch = "x86_64"))]
mod tests {
    use super::FlushDenormals;
    use std::hint::black_box;

    /// MXCSR's control bits (the low six are sticky exception flags).
    fn mxcsr() -> u32 {
        let mut csr = 0u32;
        // SAFETY: stores MXCSR into a valid u32.
        unsafe { std::arch::asm!("stmxcsr [{}]", in(reg) &mut csr, options(nostack)) };
        csr & !0x3f
    }

    #[test]
    fn subnormals_are_flushed_inside_and_the_caller_keeps_its_mode() {
        let before = mxcsr();
        let tiny = black_box(1e-20f32);
        assert!(tiny * tiny > 0.0, "subnormal products exist outside");
        {
            let _flush = FlushDenormals::new();
            assert_eq!(black_box(tiny) * black_box(tiny), 0.0);
            {
                let _inner = FlushDenormals::new();
            }
            assert_eq!(
                black_box(tiny) * black_box(tiny),
                0.0,
                "an inner guard keeps it"
            );
        }
        assert_eq!(mxcsr(), before);
        assert!(black_box(tiny) * black_box(tiny) > 0.0);
    }

    #[test]
    fn the_wide_probe_runs_the_same_chains_on_twice_the_lanes() {
        if !(is_x86_feature_detected!("avx512f") && is_x86_feature_detected!("fma")) {
            eprintln!("skipped: this CPU lacks AVX-512F or FMA");
            return;
        }
        for rounds in [0, 1, 1000] {
            // SAFETY: both feature sets were detected above.
            let (narrow, wide) = unsafe {
                (
                    super::avx2::fma_probe(rounds),
                    super::avx512::fma_probe(rounds),
                )
            };
            let expected = 2.0 * narrow;
            assert!(
                (wide - expected).abs() <= 1e-5 * expected,
                "{rounds} rounds: {wide} against {expected}"
            );
        }
    }
}
