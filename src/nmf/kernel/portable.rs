//! Row arithmetic in plain Rust, 8 lanes in a fixed order, for any target: the building blocks
//! of every solver's portable kernel, and the peak probe.

use super::LANES;

/// Multiply-add, fused or not.
pub(crate) trait MulAdd {
    /// a·b + c.
    fn mul_add(a: f32, b: f32, c: f32) -> f32;
}

/// a·b + c with two roundings: vectorises on any target.
pub(crate) struct Plain;

/// a·b + c with one rounding: only where the target has FMA instructions.
#[cfg_attr(not(target_arch = "aarch64"), allow(dead_code))]
pub(crate) struct Fused;

impl MulAdd for Plain {
    #[inline(always)]
    fn mul_add(a: f32, b: f32, c: f32) -> f32 {
        a * b + c
    }
}

impl MulAdd for Fused {
    #[inline(always)]
    fn mul_add(a: f32, b: f32, c: f32) -> f32 {
        a.mul_add(b, c)
    }
}

/// Σ a·b over rows whose length is a multiple of [`LANES`], in a fixed order.
#[inline(always)]
pub(crate) fn dot<M: MulAdd>(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0f32; LANES];
    for (x, y) in a.chunks_exact(LANES).zip(b.chunks_exact(LANES)) {
        for i in 0..LANES {
            acc[i] = M::mul_add(x[i], y[i], acc[i]);
        }
    }
    let s = [
        acc[0] + acc[4],
        acc[1] + acc[5],
        acc[2] + acc[6],
        acc[3] + acc[7],
    ];
    (s[0] + s[2]) + (s[1] + s[3])
}

/// acc += r·x over rows whose length is a multiple of [`LANES`].
#[inline(always)]
pub(crate) fn axpy<M: MulAdd>(acc: &mut [f32], r: f32, x: &[f32]) {
    for (a, x) in acc.chunks_exact_mut(LANES).zip(x.chunks_exact(LANES)) {
        for i in 0..LANES {
            a[i] = M::mul_add(r, x[i], a[i]);
        }
    }
}

/// `rounds` rounds of [`super::PROBE_CHAINS`] independent 8-lane multiply-add chains, for
/// [`super::fma_peak`]; returns their sum so that none of it can be left out.
pub(super) fn fma_probe<M: MulAdd>(rounds: usize) -> f32 {
    let mut chains = [[1f32; LANES]; super::PROBE_CHAINS];
    for _ in 0..rounds {
        for chain in chains.iter_mut() {
            for x in chain.iter_mut() {
                *x = M::mul_add(*x, 0.999_999, 1e-7);
            }
        }
    }
    chains.iter().flatten().sum()
}
