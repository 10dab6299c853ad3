//! Projected gradient for the Euclidean loss (`--solver pg --loss frobenius`; Lin, "Projected
//! gradient methods for non-negative matrix factorization", Neural Computation 2007): each
//! half step runs a few projected gradient steps on its factor's whole subproblem, with W
//! (or H) fixed,
//!
//! ```text
//! f(H) = ½‖V − WH‖²,   ∇f = (WᵀW)H − WᵀV
//! H' = P[H − α∇f]      (P: negative values to 0)
//! ```
//!
//! α found by Lin's Armijo search: starting from the last step's α, divide it by β = 10 until
//! the step decreases f enough, or, if the first one does, multiply it by 10 while it still
//! does, keeping the last that did; "enough" is
//! (1 − σ)⟨∇f, H' − H⟩ + ½⟨H' − H, (WᵀW)(H' − H)⟩ ≤ 0 with σ = 0.01, which for this quadratic
//! means f(H') ≤ f(H) + σ⟨∇f, H' − H⟩ ≤ f(H). A step that no α in 20 tries makes acceptable
//! is not taken, so no half step raises F. When a projected step does not move H at all, H
//! is stationary and the half step ends.
//!
//! The row's c (WᵀV's row) is computed once a half step and kept (trial factors, c and the
//! chunks' sums are scratch made at the start, in `least_squares::Trials`); a trial costs
//! 3·K² multiply-adds a row: the gradient, the step, and (WᵀW)(H' − H). The three sums of a
//! trial are summed chunk by chunk and added in chunk order, so α's choices, like everything
//! else, do not depend on the thread count. The document solve is the Euclidean solvers' one
//! (`least_squares/documents.rs`).

use super::least_squares::{dot, for_chunks, gram_times, Half, Rule};
use crate::nmf::kernel::guard;
use crate::nmf::rows::Rows;

/// Sums each chunk keeps of a trial: ⟨∇f, d⟩, ⟨d, Gd⟩ and ‖d‖² (and one spare).
pub(super) const SUMS: usize = 4;

/// Projected gradient steps a half step.
const STEPS: usize = 3;

/// Tries of α a step.
const TRIES: usize = 20;

/// Lin's σ and β.
const SIGMA: f64 = 0.01;
const BETA: f64 = 0.1;

/// The rule of the registry's entry: half steps over the whole factor.
pub(super) struct Projected;

impl Rule for Projected {
    const NO_MASK: Option<&'static str> = Some("--solver pg --loss frobenius");
    const DESCENDS: bool = true;
    const PROJECTED: bool = true;
    const ROW_COST: (f64, &'static str) = (
        3.0 * STEPS as f64 + 0.5,
        "2·nnz·K + 9.5·(words + documents)·K² (one try of α a step)",
    );

    fn update(_: &mut [f32], _: &[f64], _: &mut [f64], _: &[f64], _: usize) {}
}

/// One half step of the rows `x` of `half` (chunked by `bounds`): c of every row into `c`,
/// then [`STEPS`] projected gradient steps, each with its Armijo search of `alpha`, using the
/// trial factors `trials` and each chunk's `scratch` (`2·kp`) and `sums`. Returns ⟨V, WH⟩ of
/// the rows as they were when `loss` (else 0).
#[allow(clippy::too_many_arguments)]
pub(super) fn half(
    half: &Half,
    bounds: &[usize],
    x: &mut Rows,
    trials: &mut (Rows, Rows),
    c: &mut [f64],
    alpha: &mut f64,
    scratch: &mut [f64],
    sums: &mut [f64],
    loss: bool,
) -> f64 {
    let (k, kp) = (half.k, half.kp);
    let n = bounds.len() - 1;
    let (sums, outs) = sums.split_at_mut(n * SUMS);
    let (sums, outs) = (&mut sums[..n * SUMS], &mut outs[..n]);
    let c = &mut c[..x.len()];
    let cross = {
        let rows: &[f32] = x;
        let chunk = |first: usize, c: &mut [f64], _: &mut [f64], _: &mut [f64]| {
            let mut sum = 0.0;
            for (i, c) in c.chunks_exact_mut(kp).enumerate() {
                half.product(first + i, c);
                if loss {
                    sum += dot(c, &rows[(first + i) * kp..][..kp], k);
                }
            }
            sum
        };
        for_chunks(bounds, kp, 2 * kp, SUMS, c, scratch, sums, outs, &chunk);
        outs.iter().sum::<f64>()
    };
    let (trial, previous) = trials;
    for _ in 0..STEPS {
        let mut decreasing = None;
        let mut kept = false;
        for attempt in 0..TRIES {
            let [gradient_d, d_gram_d, moved] =
                try_step(half, bounds, x, trial, c, *alpha, scratch, sums, outs);
            if moved == 0.0 {
                // P[H − α∇f] = H for an α > 0: H is stationary.
                return cross;
            }
            let enough = (1.0 - SIGMA) * gradient_d + 0.5 * d_gram_d < 0.0;
            if *decreasing.get_or_insert(!enough) {
                if enough {
                    std::mem::swap(x, trial);
                    break;
                }
                *alpha *= BETA;
            } else {
                let same = if kept { trial == previous } else { trial == x };
                if !enough || same {
                    break;
                }
                *alpha /= BETA;
                std::mem::swap(trial, previous);
                kept = true;
                if attempt + 1 == TRIES {
                    break;
                }
            }
        }
        if kept {
            std::mem::swap(x, previous);
        }
    }
    cross
}

/// Writes P[x − α∇f] into `trial` and returns ⟨∇f, d⟩, ⟨d, Gd⟩ and ‖d‖² of its move d,
/// summed chunk by chunk and added in chunk order.
#[allow(clippy::too_many_arguments)]
fn try_step(
    half: &Half,
    bounds: &[usize],
    x: &[f32],
    trial: &mut [f32],
    c: &[f64],
    alpha: f64,
    scratch: &mut [f64],
    sums: &mut [f64],
    outs: &mut [f64],
) -> [f64; 3] {
    let (k, kp, gram) = (half.k, half.kp, half.gram);
    let chunk = |first: usize, rows: &mut [f32], scratch: &mut [f64], s: &mut [f64]| {
        let (gx, gd) = scratch.split_at_mut(kp);
        s.fill(0.0);
        for (i, new) in rows.chunks_exact_mut(kp).enumerate() {
            let at = (first + i) * kp;
            let (old, c) = (&x[at..][..kp], &c[at..][..kp]);
            gram_times(gx, gram, old, k);
            for t in 0..k {
                let gradient = gx[t] - c[t];
                new[t] = guard((old[t] as f64 - alpha * gradient).max(0.0) as f32);
                let d = new[t] as f64 - old[t] as f64;
                s[0] += gradient * d;
                s[2] += d * d;
            }
            gd[..k].fill(0.0);
            for r in 0..k {
                let d = new[r] as f64 - old[r] as f64;
                if d != 0.0 {
                    for (o, &g) in gd[..k].iter_mut().zip(&gram[r * k..][..k]) {
                        *o += g * d;
                    }
                }
            }
            for t in 0..k {
                s[1] += (new[t] as f64 - old[t] as f64) * gd[t];
            }
        }
        0.0
    };
    for_chunks(bounds, kp, 2 * kp, SUMS, trial, scratch, sums, outs, &chunk);
    let mut total = [0.0; 3];
    for part in sums.chunks_exact(SUMS) {
        for (t, &p) in total.iter_mut().zip(part) {
            *t += p;
        }
    }
    total
}
