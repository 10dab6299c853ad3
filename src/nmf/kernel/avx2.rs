//! AVX2 and FMA building blocks (x86-64; chosen at run time): the pieces of a row's arithmetic
//! that any solver's intrinsics kernel uses, and the peak probe.
//!
//! Every function here is `unsafe` for one reason: it must run on a CPU with AVX2 and FMA
//! ([`super::Kernel::detect`] checks); the building blocks are inlined into kernels compiled
//! for those features.

use std::arch::x86_64::*;

use super::LANES;

/// The `NV` vectors of the row at `row`.
#[inline(always)]
pub(crate) unsafe fn load_row<const NV: usize>(row: *const f32) -> [__m256; NV] {
    let mut x = [_mm256_setzero_ps(); NV];
    for (i, v) in x.iter_mut().enumerate() {
        *v = _mm256_loadu_ps(row.add(i * LANES));
    }
    x
}

/// x · o with both rows in memory, on two accumulator chains (even and odd vectors).
#[inline(always)]
pub(crate) unsafe fn dot_memory(x: *const f32, o: *const f32, nv: usize) -> f32 {
    let (mut even, mut odd) = (_mm256_setzero_ps(), _mm256_setzero_ps());
    let mut i = 0;
    while i + 1 < nv {
        even = _mm256_fmadd_ps(
            _mm256_loadu_ps(x.add(i * LANES)),
            _mm256_loadu_ps(o.add(i * LANES)),
            even,
        );
        odd = _mm256_fmadd_ps(
            _mm256_loadu_ps(x.add((i + 1) * LANES)),
            _mm256_loadu_ps(o.add((i + 1) * LANES)),
            odd,
        );
        i += 2;
    }
    if i < nv {
        even = _mm256_fmadd_ps(
            _mm256_loadu_ps(x.add(i * LANES)),
            _mm256_loadu_ps(o.add(i * LANES)),
            even,
        );
    }
    horizontal_sum(_mm256_add_ps(even, odd))
}

/// The sum of `v`'s lanes, in a fixed order.
#[inline(always)]
pub(crate) unsafe fn horizontal_sum(v: __m256) -> f32 {
    let s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps::<1>(v));
    let s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    let s = _mm_add_ss(s, _mm_movehdup_ps(s));
    _mm_cvtss_f32(s)
}

/// [`super::guard`] on 8 lanes: below `f32::MIN_POSITIVE` to 0, above `f32::MAX` to it.
#[inline(always)]
pub(crate) unsafe fn guard(x: __m256) -> __m256 {
    let keep = _mm256_cmp_ps::<_CMP_GE_OQ>(x, _mm256_set1_ps(f32::MIN_POSITIVE));
    _mm256_and_ps(_mm256_min_ps(x, _mm256_set1_ps(f32::MAX)), keep)
}

/// sums[0..8] += x, in f64.
#[inline(always)]
pub(crate) unsafe fn add_to_sums(sums: *mut f64, x: __m256) {
    let lo = _mm256_cvtps_pd(_mm256_castps256_ps128(x));
    let hi = _mm256_cvtps_pd(_mm256_extractf128_ps::<1>(x));
    _mm256_storeu_pd(sums, _mm256_add_pd(_mm256_loadu_pd(sums), lo));
    _mm256_storeu_pd(sums.add(4), _mm256_add_pd(_mm256_loadu_pd(sums.add(4)), hi));
}

/// See [`super::portable::fma_probe`]: the same chains, one FMA instruction a round each.
#[target_feature(enable = "avx2,fma")]
pub(super) unsafe fn fma_probe(rounds: usize) -> f32 {
    let mut chains = [_mm256_set1_ps(1.0); super::PROBE_CHAINS];
    let (m, c) = (_mm256_set1_ps(0.999_999), _mm256_set1_ps(1e-7));
    for _ in 0..rounds {
        for x in chains.iter_mut() {
            *x = _mm256_fmadd_ps(*x, m, c);
        }
    }
    let mut sum = _mm256_setzero_ps();
    for x in chains {
        sum = _mm256_add_ps(sum, x);
    }
    horizontal_sum(sum)
}
