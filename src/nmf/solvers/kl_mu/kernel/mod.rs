//! The multiplicative updates' inner loops, one implementation a file:
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

use crate::nmf::kernel::{guard, FlushDenormals, Kernel};

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
    use crate::nmf::kernel::portable::{Fused, Plain};
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
    use crate::nmf::kernel::portable::{Fused, Plain};
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
    use crate::nmf::kernel::portable::{Fused, Plain};
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

/// v·ln(v/wh) − v, in f64.
#[inline(always)]
fn kl_term(v: f32, wh: f32) -> f64 {
    let v = v as f64;
    v * (v / wh as f64).ln() - v
}
