//! The peak probe with AVX-512 multiply-adds (x86-64; used when the CPU has AVX-512F).
//!
//! No update pass runs on AVX-512: the probe is here so that the benchmark's share of the
//! machine's peak counts against the widest multiply-adds the CPU has, not only against the
//! instructions of the kernel that runs.

use std::arch::x86_64::*;

/// [`super::portable::fma_probe`] on 16 lanes: the same chains, one FMA instruction a round
/// each (32 vector registers hold them all).
///
/// # Safety
/// The CPU must have AVX-512F.
#[target_feature(enable = "avx512f")]
pub(super) unsafe fn fma_probe(rounds: usize) -> f32 {
    let mut chains = [_mm512_set1_ps(1.0); super::PROBE_CHAINS];
    let (m, c) = (_mm512_set1_ps(0.999_999), _mm512_set1_ps(1e-7));
    for _ in 0..rounds {
        for x in chains.iter_mut() {
            *x = _mm512_fmadd_ps(*x, m, c);
        }
    }
    let mut sum = _mm512_setzero_ps();
    for x in chains {
        sum = _mm512_add_ps(sum, x);
    }
    _mm512_reduce_add_ps(sum)
}
