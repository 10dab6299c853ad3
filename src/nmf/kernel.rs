//! The inner loops: 8-lane dot products and accumulations over padded topic rows.

/// Lanes of the inner loops; rows of W and H are padded to a multiple of this.
pub(crate) const LANES: usize = 8;

/// Multiply-add, fused or not.
pub(crate) trait MulAdd {
    /// a·b + c.
    fn mul_add(a: f32, b: f32, c: f32) -> f32;
}

/// a·b + c with two roundings: vectorises on any target.
pub(crate) struct Plain;

/// a·b + c with one rounding: only where the target has FMA instructions.
#[cfg_attr(
    not(any(target_arch = "x86_64", target_arch = "aarch64")),
    allow(dead_code)
)]
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

/// Which inner loops this machine runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kernel {
    /// Plain multiply and add, 8 lanes.
    Portable,
    /// AVX2 and FMA, 8 lanes (x86-64, chosen at run time).
    #[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
    Avx2Fma,
    /// NEON with fused multiply-add (aarch64 always has it).
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
