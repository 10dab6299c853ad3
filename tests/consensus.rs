//! The consensus of several clusterings, average-linkage clustering and the cophenetic
//! correlation, against hand-worked examples and a naive reference.

use nmf_topics::nmf::consensus::{
    cophenetic_distances, correlation, pair_index, sample_documents, upgma, Consensus, Merge,
};

use crate::util::{sparse_from_dense, TestRng};

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-12
}

#[test]
fn pairs_are_condensed_row_by_row() {
    let n = 5;
    let mut expected = 0;
    for i in 0..n {
        for j in i + 1..n {
            assert_eq!(pair_index(n, i, j), expected);
            assert_eq!(pair_index(n, j, i), expected);
            expected += 1;
        }
    }
}

/// Five items; by hand: {0,1} at 2; {3,4} at 3; 2 joins {3,4} at (4 + 5)/2 = 4.5; the two
/// clusters join at the mean of their six pairs, (6 + 10 + 9 + 5 + 9 + 8)/6 = 47/6.
#[test]
fn upgma_merges_as_worked_by_hand() {
    #[rustfmt::skip]
    let d = [
        2.0, 6.0, 10.0, 9.0, // 0-1 0-2 0-3 0-4
        5.0, 9.0, 8.0,       // 1-2 1-3 1-4
        4.0, 5.0,            // 2-3 2-4
        3.0,                 // 3-4
    ];
    let merges = upgma(5, &d);
    let m = |a, b, height, size| Merge { a, b, height, size };
    assert_eq!(merges.len(), 4);
    assert_eq!(merges[0], m(0, 1, 2.0, 2));
    assert_eq!(merges[1], m(3, 4, 3.0, 2));
    assert_eq!(merges[2], m(2, 6, 4.5, 3));
    assert_eq!((merges[3].a, merges[3].b, merges[3].size), (5, 7, 5));
    assert!(close(merges[3].height, 47.0 / 6.0), "{}", merges[3].height);

    let coph = cophenetic_distances(5, &merges);
    let top = 47.0 / 6.0;
    let expected = [2.0, top, top, top, top, top, top, 4.5, 4.5, 3.0];
    for (got, want) in coph.iter().zip(expected) {
        assert!(close(*got, want), "{coph:?}");
    }
    // Pearson's r of the ten pairs, computed by hand from the two lists above.
    assert!((correlation(&d, &coph) - 0.848_174_567_384_914_8).abs() < 1e-12);
}

/// Four documents in three runs: {0,1 | 2,3}, {0,1 | 2,3}, {0 | 1,2,3}. C: 01 = 2/3,
/// 12 = 13 = 1/3, 23 = 1, the rest 0. UPGMA on 1 − C: 2 and 3 at 0, 0 and 1 at 1/3, then the
/// two at (1 + 1 + 2/3 + 2/3)/4 = 5/6. Both series have mean 11/18; the deviations (in 18ths)
/// are (−5, 7, 7, 1, 1, −11) and (−5, 4, 4, 4, 4, −11), so r = 210 / √(246 · 210) = √(35/41).
#[test]
fn cophenetic_correlation_of_a_small_consensus_as_worked_by_hand() {
    let mut c = Consensus::new(4);
    c.add(&[0, 0, 1, 1]);
    c.add(&[5, 5, 2, 2]);
    c.add(&[0, 1, 1, 1]);
    assert_eq!(c.runs(), 3);
    assert!(close(c.fraction(0, 1), 2.0 / 3.0));
    assert!(close(c.fraction(1, 3), 1.0 / 3.0));
    assert_eq!(c.fraction(2, 3), 1.0);
    assert_eq!(c.fraction(0, 2), 0.0);
    assert_eq!(c.fraction(2, 2), 1.0);
    let merges = upgma(4, &c.distances());
    assert_eq!(merges[0].height, 0.0);
    assert!(close(merges[1].height, 1.0 / 3.0));
    assert!(close(merges[2].height, 5.0 / 6.0));
    let r = c.cophenetic_correlation().unwrap();
    assert!((r - (35.0f64 / 41.0).sqrt()).abs() < 1e-12, "{r}");
}

#[test]
fn one_run_has_no_cophenetic_correlation_and_agreeing_runs_score_one() {
    let mut c = Consensus::new(5);
    c.add(&[0, 1, 0, 2, 1]);
    assert_eq!(
        c.cophenetic_correlation(),
        None,
        "a single run is all 0 and 1"
    );
    c.add(&[3, 4, 3, 0, 4]);
    assert_eq!(c.cophenetic_correlation(), Some(1.0));
    // Everything in one cluster every time: the distances are all 0, and reproduced exactly.
    let mut same = Consensus::new(4);
    same.add(&[1, 1, 1, 1]);
    same.add(&[0, 0, 0, 0]);
    assert_eq!(same.cophenetic_correlation(), Some(1.0));
}

/// Average linkage by its definition: merge the two clusters of least mean distance between
/// their items, recomputed from the items every time; O(n³) or worse.
fn naive_upgma_cophenetic(n: usize, d: &[f64]) -> Vec<f64> {
    let mut clusters: Vec<Vec<usize>> = (0..n).map(|i| vec![i]).collect();
    let mut out = vec![0.0; d.len()];
    while clusters.len() > 1 {
        let mean = |a: &[usize], b: &[usize]| {
            let mut s = 0.0;
            for &i in a {
                for &j in b {
                    s += d[pair_index(n, i, j)];
                }
            }
            s / (a.len() * b.len()) as f64
        };
        let mut best = (f64::INFINITY, 0, 0);
        for x in 0..clusters.len() {
            for y in x + 1..clusters.len() {
                let m = mean(&clusters[x], &clusters[y]);
                if m < best.0 {
                    best = (m, x, y);
                }
            }
        }
        let (h, x, y) = best;
        let right = clusters.remove(y);
        for &i in &clusters[x] {
            for &j in &right {
                out[pair_index(n, i, j)] = h;
            }
        }
        clusters[x].extend(right);
    }
    out
}

#[test]
fn nearest_neighbour_chain_agrees_with_the_definition() {
    let mut rng = TestRng::new(99);
    for n in [2, 3, 7, 20, 45] {
        // Distinct random distances: no ties, so the dendrogram is unique.
        let d: Vec<f64> = (0..n * (n - 1) / 2).map(|_| rng.uniform()).collect();
        let merges = upgma(n, &d);
        assert_eq!(merges.len(), n - 1);
        assert_eq!(merges[n - 2].size, n);
        assert!(merges.windows(2).all(|w| w[0].height <= w[1].height));
        let fast = cophenetic_distances(n, &merges);
        let slow = naive_upgma_cophenetic(n, &d);
        for (a, b) in fast.iter().zip(&slow) {
            assert!((a - b).abs() < 1e-12, "n = {n}: {a} against {b}");
        }
    }
}

#[test]
fn consensus_with_many_ties_gives_an_ultrametric_in_one_to_one_range() {
    // Ten runs of 60 items in 4 noisy clusters: distances take 11 values, with many ties.
    let mut rng = TestRng::new(5);
    let n = 60;
    let mut c = Consensus::new(n);
    for _ in 0..10 {
        let labels: Vec<u32> = (0..n)
            .map(|i| {
                if rng.uniform() < 0.2 {
                    (rng.next_u64() % 4) as u32
                } else {
                    (i % 4) as u32
                }
            })
            .collect();
        c.add(&labels);
    }
    let d = c.distances();
    let merges = upgma(n, &d);
    assert!(merges.windows(2).all(|w| w[0].height <= w[1].height));
    let coph = cophenetic_distances(n, &merges);
    // Ultrametric: in every triangle the two largest sides are equal.
    for i in 0..n {
        for j in i + 1..n {
            for k in j + 1..n {
                let mut s = [
                    coph[pair_index(n, i, j)],
                    coph[pair_index(n, i, k)],
                    coph[pair_index(n, j, k)],
                ];
                s.sort_by(f64::total_cmp);
                assert!((s[1] - s[2]).abs() < 1e-12, "{s:?}");
            }
        }
    }
    let r = c.cophenetic_correlation().unwrap();
    assert!(r > 0.8 && r <= 1.0, "{r}");
}

#[test]
fn the_document_sample_is_seeded_sorted_and_skips_empty_documents() {
    // 3 words × 8 documents; documents 2 and 5 are empty.
    let mut dense = vec![0f32; 3 * 8];
    for d in [0, 1, 3, 4, 6, 7] {
        dense[(d % 3) * 8 + d] = 1.0;
    }
    let (by_doc, _) = sparse_from_dense(3, 8, &dense);
    assert_eq!(sample_documents(&by_doc, 100, 1), vec![0, 1, 3, 4, 6, 7]);
    let a = sample_documents(&by_doc, 4, 1);
    assert_eq!(a.len(), 4);
    assert!(a.windows(2).all(|w| w[0] < w[1]));
    assert!(a.iter().all(|d| ![2, 5].contains(d)));
    assert_eq!(
        a,
        sample_documents(&by_doc, 4, 1),
        "the same seed, the same sample"
    );
}
