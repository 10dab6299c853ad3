//! Lee & Seung's multiplicative updates for the Euclidean loss (`--solver mu --loss
//! frobenius`; "Algorithms for non-negative matrix factorization", NIPS 2001, theorem 1):
//!
//! ```text
//! F = ½‖V − WH‖²
//! H_kd ← H_kd · (WᵀV)_kd / (WᵀW H)_kd
//! W_wk ← W_wk · (VHᵀ)_wk / (W HHᵀ)_wk
//! ```
//!
//! Each update never increases F. A row's denominators are (Gx) with G the other factor's
//! Gram matrix (see `least_squares/`), all from the row before its update. A weight whose
//! denominator is 0 is left as it is: its topic is dead (a zero column of the other factor),
//! or the weight is already 0 and stays there. A new value is at most c_t / G_tt, so no
//! quotient overflows; subnormals are flushed to zero.

use super::least_squares::{gram_times, Rule};
use crate::nmf::kernel::guard;

/// The multiplicative row update.
pub(super) struct Multiplicative;

impl Rule for Multiplicative {
    const DESCENDS: bool = true;

    #[inline(always)]
    fn update(x: &mut [f32], c: &[f64], aux: &mut [f64], gram: &[f64], k: usize) {
        gram_times(aux, gram, x, k);
        for t in 0..k {
            let denominator = aux[t];
            if denominator > 0.0 {
                x[t] = guard((x[t] as f64 * c[t] / denominator) as f32);
            }
        }
    }
}
