//! What every solver's inner loops share: the 8-lane row layout, the choice of kernel for this
//! CPU, the flush of subnormals, the guard of new factor values, and the probe of the machine's
//! peak multiply-adds. One implementation a file:
//!
//! - `portable.rs`: 8-lane loops in plain Rust, for any target (with fused multiply-adds on
//!   aarch64, where NEON always has them);
//! - `avx2.rs`: AVX2 and FMA building blocks, chosen at run time on x86-64;
//! - `avx512.rs`: the peak probe on AVX-512, where the CPU has it.
//!
//! A solver's own kernels (its passes over V) live in its folder under `solvers/` and dispatch
//! on [`Kernel`]: with one kernel, results are bit-identical for any thread count; between
//! kernels they agree to float rounding.

pub(crate) mod portable;

#[cfg(target_arch = "x86_64")]
pub(crate) mod avx2;

#[cfg(target_arch = "x86_64")]
mod avx512;

/// Lanes of the inner loops; rows of W and H are padded to a multiple of this.
pub(crate) const LANES: usize = 8;

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

/// Subnormal floats read and made as zero while it lives, on x86-64 (MXCSR's DAZ and FTZ
/// bits; the caller's setting comes back when it is dropped). Intel cores take a slow assist
/// for every subnormal operand or result: products of two small factor values are subnormal
/// often enough to make a fit from an NNDSVDa start 3.5 times slower. Such a product is lost
/// in any sum it joins but the smallest (WH is floored at 10⁻¹², new values under
/// `f32::MIN_POSITIVE` are zeroed anyway): a K = 50 fit of the Debian corpus moves its final
/// divergence by 3·10⁻⁹ relative. Every thread rounds alike, so the bits still do not depend
/// on the thread count.
pub(crate) struct FlushDenormals {
    #[cfg(target_arch = "x86_64")]
    saved: u32,
}

impl FlushDenormals {
    #[cfg(target_arch = "x86_64")]
    const DAZ_FTZ: u32 = 0x8040;

    #[inline(always)]
    pub(crate) fn new() -> FlushDenormals {
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

/// A new factor value: denormals flushed to zero (they are zero for every purpose, and slow),
/// an overflow held at the largest float.
#[inline(always)]
pub(crate) fn guard(x: f32) -> f32 {
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
