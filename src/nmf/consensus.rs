//! Brunet et al.'s consensus of several fits (2004): how often two documents share their main
//! topic across restarts, clustered by average linkage (UPGMA), and the cophenetic correlation
//! that says how well that dendrogram reproduces the consensus.
//!
//! Pairs are kept in condensed form: pair (i, j), i < j, of n items is entry
//! [`pair_index`]`(n, i, j)` of a vector of n·(n−1)/2 values, as scipy's `pdist` writes them.

use rand::seq::index;
use rand::SeedableRng;
use rand_pcg::Pcg64;

use super::NmfModel;
use crate::matrix::Sparse;

/// Where pair (i, j), i ≠ j, of `n` items is in a condensed vector.
pub fn pair_index(n: usize, i: usize, j: usize) -> usize {
    let (i, j) = if i < j { (i, j) } else { (j, i) };
    debug_assert!(j < n);
    i * (2 * n - i - 1) / 2 + (j - i - 1)
}

/// The connectivity of several clusterings of the same `n` items: for each pair, in how many of
/// them the two items fall in the same cluster.
#[derive(Debug, Clone, PartialEq)]
pub struct Consensus {
    n: usize,
    runs: usize,
    together: Vec<u16>,
}

impl Consensus {
    /// No clustering yet, of `n` items.
    pub fn new(n: usize) -> Consensus {
        Consensus {
            n,
            runs: 0,
            together: vec![0; n * n.saturating_sub(1) / 2],
        }
    }

    /// Adds a clustering: `labels[i]` is item i's cluster.
    pub fn add(&mut self, labels: &[u32]) {
        assert_eq!(labels.len(), self.n, "one label an item");
        assert!(self.runs < u16::MAX as usize, "at most 65,535 clusterings");
        self.runs += 1;
        let mut at = 0;
        for (i, &a) in labels.iter().enumerate() {
            for &b in &labels[i + 1..] {
                self.together[at] += u16::from(a == b);
                at += 1;
            }
        }
    }

    /// Items.
    pub fn items(&self) -> usize {
        self.n
    }

    /// Clusterings added.
    pub fn runs(&self) -> usize {
        self.runs
    }

    /// `C[i][j]`: the fraction of the clusterings in which items i and j share a cluster.
    pub fn fraction(&self, i: usize, j: usize) -> f64 {
        if i == j {
            return 1.0;
        }
        self.together[pair_index(self.n, i, j)] as f64 / self.runs.max(1) as f64
    }

    /// 1 − C over all pairs, condensed.
    pub fn distances(&self) -> Vec<f64> {
        let runs = self.runs.max(1) as f64;
        self.together
            .iter()
            .map(|&t| 1.0 - t as f64 / runs)
            .collect()
    }

    /// The cophenetic correlation of the consensus: UPGMA on 1 − C, then the correlation
    /// between 1 − C and the dendrogram's distances. `None` for fewer than 2 clusterings,
    /// whose consensus is all 0 or 1 and always scores 1.
    pub fn cophenetic_correlation(&self) -> Option<f64> {
        if self.runs < 2 {
            return None;
        }
        let d = self.distances();
        let merges = upgma(self.n, &d);
        Some(correlation(&d, &cophenetic_distances(self.n, &merges)))
    }
}

/// One merge of a dendrogram, as scipy's `linkage` writes it: items are clusters 0..n, and the
/// cluster made by merge m is n + m.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Merge {
    /// The smaller of the two clusters' numbers.
    pub a: usize,
    /// The larger.
    pub b: usize,
    /// The distance between them when merged.
    pub height: f64,
    /// Items in the merged cluster.
    pub size: usize,
}

/// Average-linkage (UPGMA) clustering of `n` items from their condensed distances: the
/// distance between two clusters is the mean of the distances between their items. Merges come
/// by increasing height (ties in the order they were made).
///
/// Nearest-neighbour chain (Müllner 2011, "Modern hierarchical, agglomerative clustering
/// algorithms", §3.2): follow nearest neighbours until two clusters are each other's nearest and
/// merge them. Average linkage is reducible, so the chain stays valid after a merge; O(n²) time
/// and the distances' memory. Ties go to the previous cluster of the chain, then to the lowest
/// number, so the result is deterministic.
pub fn upgma(n: usize, distances: &[f64]) -> Vec<Merge> {
    assert_eq!(
        distances.len(),
        n * n.saturating_sub(1) / 2,
        "condensed distances"
    );
    let mut d = distances.to_vec();
    let mut size = vec![1usize; n];
    // The cluster held in each slot: an item, or n + the merge's order of making.
    let mut name: Vec<usize> = (0..n).collect();
    let mut active: Vec<usize> = (0..n).collect();
    let mut chain: Vec<usize> = Vec::with_capacity(n);
    let mut made: Vec<(usize, usize, f64)> = Vec::with_capacity(n.saturating_sub(1));
    while active.len() > 1 {
        if chain.is_empty() {
            chain.push(active[0]);
        }
        let (a, b) = loop {
            let a = chain[chain.len() - 1];
            let previous = chain.len().checked_sub(2).map(|i| chain[i]);
            let mut best = previous;
            let mut best_d = previous.map_or(f64::INFINITY, |p| d[pair_index(n, a, p)]);
            for &x in &active {
                if x != a {
                    let dx = d[pair_index(n, a, x)];
                    if dx < best_d || best.is_none() {
                        best = Some(x);
                        best_d = dx;
                    }
                }
            }
            let c = best.expect("two active clusters");
            if Some(c) == previous {
                chain.truncate(chain.len() - 2);
                break (a, c);
            }
            chain.push(c);
        };
        // The merged cluster takes the lower slot; Lance–Williams for the mean distance.
        let (keep, gone) = (a.min(b), a.max(b));
        let height = d[pair_index(n, a, b)];
        let (sa, sb) = (size[keep] as f64, size[gone] as f64);
        active.retain(|&x| x != gone);
        for &x in &active {
            if x != keep {
                let (ik, ig) = (pair_index(n, x, keep), pair_index(n, x, gone));
                d[ik] = (sa * d[ik] + sb * d[ig]) / (sa + sb);
            }
        }
        made.push((name[keep], name[gone], height));
        size[keep] += size[gone];
        name[keep] = n + made.len() - 1;
    }
    relabel(n, made)
}

/// Sorts merges by height (stably) and renumbers the clusters they make in that order.
fn relabel(n: usize, mut made: Vec<(usize, usize, f64)>) -> Vec<Merge> {
    // Average linkage never merges below a cluster's own height, but the running means can
    // round a hair below it: lift such a merge so that it sorts after the merges it builds on.
    for m in 0..made.len() {
        let (x, y, h) = made[m];
        let below = |c: usize| if c < n { 0.0 } else { made[c - n].2 };
        made[m].2 = h.max(below(x)).max(below(y));
    }
    let mut order: Vec<usize> = (0..made.len()).collect();
    order.sort_by(|&x, &y| made[x].2.total_cmp(&made[y].2));
    let mut renamed = vec![0usize; made.len()];
    for (new, &old) in order.iter().enumerate() {
        renamed[old] = n + new;
    }
    let mut sizes = vec![0usize; made.len()];
    let size_of = |c: usize, sizes: &[usize]| if c < n { 1 } else { sizes[c - n] };
    let mut merges = Vec::with_capacity(made.len());
    for &old in &order {
        let (x, y, height) = made[old];
        let rename = |c: usize| if c < n { c } else { renamed[c - n] };
        let (x, y) = (rename(x), rename(y));
        let size = size_of(x, &sizes) + size_of(y, &sizes);
        sizes[renamed[old] - n] = size;
        merges.push(Merge {
            a: x.min(y),
            b: x.max(y),
            height,
            size,
        });
    }
    merges
}

/// The cophenetic distances of a dendrogram of `n` items, condensed: for each pair, the height
/// of the merge that first joins them.
pub fn cophenetic_distances(n: usize, merges: &[Merge]) -> Vec<f64> {
    let mut out = vec![0.0; n * n.saturating_sub(1) / 2];
    let mut members: Vec<Vec<usize>> = (0..n).map(|i| vec![i]).collect();
    for m in merges {
        let left = std::mem::take(&mut members[m.a]);
        let right = std::mem::take(&mut members[m.b]);
        for &i in &left {
            for &j in &right {
                out[pair_index(n, i, j)] = m.height;
            }
        }
        let mut joined = left;
        joined.extend(right);
        members.push(joined);
    }
    out
}

/// Pearson's correlation of two equally long series. Where the distances are all equal (one
/// value, or no pair) the dendrogram reproduces them exactly: 1.
pub fn correlation(x: &[f64], y: &[f64]) -> f64 {
    assert_eq!(x.len(), y.len(), "two series of the same pairs");
    let n = x.len() as f64;
    if x.is_empty() {
        return 1.0;
    }
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (&a, &b) in x.iter().zip(y) {
        let (da, db) = (a - mx, b - my);
        sxy += da * db;
        sxx += da * da;
        syy += db * db;
    }
    if sxx == 0.0 || syy == 0.0 {
        // Constant distances give constant cophenetic distances and the reverse.
        return if sxx == syy { 1.0 } else { 0.0 };
    }
    (sxy / (sxx * syy).sqrt()).clamp(-1.0, 1.0)
}

/// `size` documents drawn without replacement from those with at least one word, by `seed`, in
/// increasing order; all of them when fewer.
pub fn sample_documents(by_doc: &Sparse, size: usize, seed: u64) -> Vec<usize> {
    let present: Vec<usize> = (0..by_doc.shape().1)
        .filter(|&d| by_doc.outer_view(d).is_some_and(|c| c.nnz() > 0))
        .collect();
    if present.len() <= size {
        return present;
    }
    let mut rng = Pcg64::seed_from_u64(seed);
    let mut chosen: Vec<usize> = index::sample(&mut rng, present.len(), size)
        .into_iter()
        .map(|i| present[i])
        .collect();
    chosen.sort_unstable();
    chosen
}

/// Each listed document's main topic: the largest of its expected word counts (the first on
/// ties).
pub fn main_topics(model: &NmfModel, documents: &[usize]) -> Vec<u32> {
    documents
        .iter()
        .map(|&d| model.main_topic(d).unwrap_or(0) as u32)
        .collect()
}
