//! The multiplicative updates' inner loops in plain Rust: 8 lanes, a fixed order, any target.

use super::{kl_term, Pass, WH_FLOOR};
use crate::nmf::kernel::guard;
use crate::nmf::kernel::portable::{axpy, dot, MulAdd};

/// See [`super::update_rows`].
#[inline(always)]
pub(crate) fn update_rows<M: MulAdd, const DIV: bool>(
    pass: &Pass,
    first: usize,
    rows: &mut [f32],
    acc: &mut [f32],
    sums: &mut [f64],
) -> f64 {
    let kp = pass.kp;
    sums.fill(0.0);
    let mut div = 0.0;
    for (i, row) in rows.chunks_exact_mut(kp).enumerate() {
        let item = first + i;
        let (start, end) = pass.range(item);
        acc.fill(0.0);
        for (&j, &v) in pass.indices[start..end].iter().zip(&pass.data[start..end]) {
            let other = &pass.other[j as usize * kp..][..kp];
            let wh = dot::<M>(row, other).max(WH_FLOOR);
            if DIV {
                div += kl_term(v, wh);
            }
            axpy::<M>(acc, v / wh, other);
        }
        for (((x, &a), &q), s) in row.iter_mut().zip(&*acc).zip(pass.inv).zip(sums.iter_mut()) {
            *x = guard(*x * a * q);
            *s += *x as f64;
        }
    }
    div
}

/// See [`super::divergence_rows`].
#[inline(always)]
pub(crate) fn divergence_rows<M: MulAdd>(pass: &Pass, first: usize, rows: &[f32]) -> f64 {
    let kp = pass.kp;
    let mut div = 0.0;
    for (i, row) in rows.chunks_exact(kp).enumerate() {
        let item = first + i;
        let (start, end) = pass.range(item);
        for (&j, &v) in pass.indices[start..end].iter().zip(&pass.data[start..end]) {
            let other = &pass.other[j as usize * kp..][..kp];
            div += kl_term(v, dot::<M>(row, other).max(WH_FLOOR));
        }
    }
    div
}

/// See [`super::scatter_rows`].
#[inline(always)]
pub(crate) fn scatter_rows<M: MulAdd>(pass: &Pass, first: usize, rows: &[f32], acc: &mut [f32]) {
    let kp = pass.kp;
    for (i, row) in rows.chunks_exact(kp).enumerate() {
        let (start, end) = pass.range(first + i);
        for (&j, &v) in pass.indices[start..end].iter().zip(&pass.data[start..end]) {
            let other = &pass.other[j as usize * kp..][..kp];
            let wh = dot::<M>(row, other).max(WH_FLOOR);
            axpy::<M>(&mut acc[j as usize * kp..][..kp], v / wh, row);
        }
    }
}
