//! Cyclic coordinate descent for the Euclidean loss (`--solver cd --loss frobenius`;
//! scikit-learn's default solver, after Cichocki & Phan 2009 and Hsieh & Dhillon 2011):
//!
//! ```text
//! F = ½‖V − WH‖²
//! for each row x (a document's weights, then a word's topics), each topic t in turn:
//!     x_t ← max(0, x_t − ((Gx)_t − c_t) / G_tt)
//! ```
//!
//! with c the row of WᵀV (or VHᵀ) and G the other factor's Gram matrix (see
//! `least_squares/`). F is quadratic in x_t with the rest fixed, so each move is to its exact
//! minimum over x_t ≥ 0: no move raises F (up to float rounding). A topic with G_tt = 0 is
//! dead and left alone. One pass over each row's topics a half step, as scikit-learn's.

use super::least_squares::{coordinate_pass, Rule};

/// One cyclic pass over the row's topics.
pub(super) struct Coordinate;

impl Rule for Coordinate {
    const DESCENDS: bool = true;

    #[inline(always)]
    fn update(x: &mut [f32], c: &[f64], aux: &mut [f64], gram: &[f64], k: usize) {
        coordinate_pass(x, c, aux, gram, k);
    }
}
