//! The intertopic distance map of LDAvis (Sievert & Shirley 2014): the topics placed in two
//! dimensions so that topics with similar words lie close together.
//!
//! The distance between topics i and j is the Jensen-Shannon divergence of their word
//! distributions (the columns of W, which sum to 1), in nats, as pyLDAvis computes it:
//!
//! ```text
//! JSD(p, q) = ½ Σ_w p_w ln(p_w / m_w) + ½ Σ_w q_w ln(q_w / m_w),   m = (p + q) / 2
//! ```
//!
//! from 0 (the same words) to ln 2 (no word in common). The K × K distances are placed by
//! classical multidimensional scaling (principal coordinates analysis, PCoA), again as
//! pyLDAvis does: with D² the squared distances and J = I − 11ᵀ/K, B = −½·J·D²·J; the
//! coordinates on axis a are the eigenvector of B's a-th largest eigenvalue λ_a, times √λ_a
//! (0 for an eigenvalue ≤ 0). Each axis's share is λ_a over the sum of B's positive
//! eigenvalues.
//!
//! An eigenvector's sign is arbitrary, and a library may return either: so that the picture
//! does not flip from one run or machine to the next, each axis is turned so that its largest
//! coordinate in absolute value (the lower topic on a tie) is positive. The pairs are computed
//! in parallel, each in a fixed order, so the map is the same for any number of threads.

use nalgebra::{DMatrix, SymmetricEigen};
use rayon::prelude::*;

use crate::nmf::NmfModel;

/// The topics placed in two dimensions.
#[derive(Debug, Clone, PartialEq)]
pub struct TopicMap {
    /// Each topic's `[x, y]`, in nats, in topic order.
    pub points: Vec<[f64; 2]>,
    /// The part of the variance of the distances each axis shows.
    pub axes: [f64; 2],
}

/// The Jensen-Shannon divergence of two distributions, in nats (see the module doc). Terms
/// where a distribution is 0 count 0.
pub fn jensen_shannon(p: &[f64], q: &[f64]) -> f64 {
    let mut sum = 0.0;
    for (&a, &b) in p.iter().zip(q) {
        let m = 0.5 * (a + b);
        if a > 0.0 {
            sum += a * (a / m).ln();
        }
        if b > 0.0 {
            sum += b * (b / m).ln();
        }
    }
    (0.5 * sum).max(0.0)
}

/// The intertopic distance map of `model`.
pub fn topic_map(model: &NmfModel) -> TopicMap {
    let k = model.topics();
    // Each topic's word distribution, as a column of W in f64.
    let mut columns = vec![vec![0f64; model.n_words()]; k];
    for (w, row) in model.w().chunks_exact(k).enumerate() {
        for (t, &x) in row.iter().enumerate() {
            columns[t][w] = x as f64;
        }
    }
    let rows: Vec<Vec<f64>> = (0..k)
        .into_par_iter()
        .map(|i| {
            (0..k)
                .map(|j| {
                    if j > i {
                        jensen_shannon(&columns[i], &columns[j])
                    } else {
                        0.0
                    }
                })
                .collect()
        })
        .collect();
    let distance = |i: usize, j: usize| if i < j { rows[i][j] } else { rows[j][i] };
    principal_coordinates(k, distance)
}

/// Classical multidimensional scaling of `k` points with the distances `distance(i, j)`.
pub fn principal_coordinates(k: usize, distance: impl Fn(usize, usize) -> f64) -> TopicMap {
    if k < 2 {
        return TopicMap {
            points: vec![[0.0, 0.0]; k],
            axes: [0.0, 0.0],
        };
    }
    let d2 = DMatrix::from_fn(
        k,
        k,
        |i, j| if i == j { 0.0 } else { distance(i, j).powi(2) },
    );
    // Double centring: B = −½ (D² − row means − column means + grand mean).
    let row_means: Vec<f64> = (0..k).map(|i| d2.row(i).sum() / k as f64).collect();
    let grand = row_means.iter().sum::<f64>() / k as f64;
    let b = DMatrix::from_fn(k, k, |i, j| {
        -0.5 * (d2[(i, j)] - row_means[i] - row_means[j] + grand)
    });
    let eigen = SymmetricEigen::new(b);
    let mut order: Vec<usize> = (0..k).collect();
    order.sort_by(|&x, &y| {
        eigen.eigenvalues[y]
            .total_cmp(&eigen.eigenvalues[x])
            .then(x.cmp(&y))
    });
    let positive: f64 = eigen.eigenvalues.iter().filter(|&&l| l > 0.0).sum();
    let mut points = vec![[0.0f64; 2]; k];
    let mut axes = [0.0; 2];
    for (a, &e) in order.iter().take(2).enumerate() {
        let lambda = eigen.eigenvalues[e];
        if lambda <= 0.0 {
            continue;
        }
        let scale = lambda.sqrt();
        let vector = eigen.eigenvectors.column(e);
        // The sign convention: the largest coordinate in absolute value is positive.
        let mut largest = 0;
        for t in 1..k {
            if vector[t].abs() > vector[largest].abs() {
                largest = t;
            }
        }
        let sign = if vector[largest] < 0.0 { -1.0 } else { 1.0 };
        for (t, point) in points.iter_mut().enumerate() {
            point[a] = sign * vector[t] * scale;
        }
        axes[a] = if positive > 0.0 {
            lambda / positive
        } else {
            0.0
        };
    }
    TopicMap { points, axes }
}
