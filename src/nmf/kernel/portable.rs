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

/// ln x of 8 positive, normal floats, with about one ulp of error, in a form that vectorises:
/// x = m·2ᵉ with m in [√½, √2), then ln m = ln(1 + f) by the minimax polynomial of Cephes'
/// `logf`, and e·ln 2 added in two parts so that it loses nothing.
#[inline(always)]
pub(crate) fn ln_lanes<M: MulAdd>(x: [f32; LANES]) -> [f32; LANES] {
    const P: [f32; 9] = [
        7.037_683_6e-2,
        -1.151_461e-1,
        1.167_699_9e-1,
        -1.242_014_1e-1,
        1.424_932_3e-1,
        -1.666_805_8e-1,
        2.000_071_5e-1,
        -2.499_999_4e-1,
        3.333_333e-1,
    ];
    const LN2_HI: f32 = 0.693_359_4;
    const LN2_LO: f32 = -2.121_944_4e-4;
    let mut out = [0f32; LANES];
    for l in 0..LANES {
        // Exponent taken so that m lands in [√½, √2): 0x3f3504f3 is √½'s bits.
        let bits = x[l].to_bits() as i32;
        let e = (bits - 0x3f35_04f3) >> 23;
        let m = f32::from_bits((bits - (e << 23)) as u32);
        let f = m - 1.0;
        let z = f * f;
        let mut p = P[0];
        for &c in &P[1..] {
            p = M::mul_add(p, f, c);
        }
        let e = e as f32;
        let y = M::mul_add(f * z, p, M::mul_add(-0.5, z, e * LN2_LO));
        out[l] = M::mul_add(e, LN2_HI, f + y);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ln_lanes_is_within_two_ulps_of_the_logarithm() {
        // Every 997th float from 10⁻¹² (the floor of WH) to 10¹², and the powers of two.
        let mut xs: Vec<f32> = (1e-12f32.to_bits()..1e12f32.to_bits())
            .step_by(997)
            .map(f32::from_bits)
            .collect();
        xs.extend((-39..39).map(|e| 2f32.powi(e)));
        xs.extend([1.0, f32::from_bits(1f32.to_bits() + 1), 0.999_999_9]);
        for chunk in xs.chunks(LANES) {
            let mut x = [1f32; LANES];
            x[..chunk.len()].copy_from_slice(chunk);
            for (fused, got) in [(false, ln_lanes::<Plain>(x)), (true, ln_lanes::<Fused>(x))] {
                for (&x, &got) in x.iter().zip(&got) {
                    let exact = (x as f64).ln();
                    let error = (got as f64 - exact).abs();
                    assert!(
                        error <= 2.0 * f32::EPSILON as f64 * exact.abs(),
                        "fused {fused}: ln {x} = {exact}, got {got}"
                    );
                }
            }
        }
    }
}
