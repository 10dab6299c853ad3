//! The rule that suggests a K, on rows made by hand.

use nmf_topics::report::{suggest, RankRow};

fn row(topics: usize, npmi: f64, cophenetic: Option<f64>) -> RankRow {
    RankRow {
        topics,
        divergence: 1000.0 / topics as f64,
        divergence_per_token: 1.0 / topics as f64,
        mean_npmi: npmi,
        mean_umass: -2.0,
        diversity: 0.8,
        label_nmi: None,
        cophenetic,
        sampled: 100,
        restarts: Vec::new(),
        seconds: 1.0,
    }
}

#[test]
fn the_most_coherent_of_the_stable_k() {
    // K = 8 is the most coherent but 0.08 less stable than the best: left out.
    let rows = [
        row(2, 0.10, Some(0.99)),
        row(4, 0.20, Some(0.96)),
        row(6, 0.30, Some(0.97)),
        row(8, 0.40, Some(0.91)),
        row(10, 0.25, Some(0.95)),
    ];
    let s = suggest(&rows);
    assert_eq!(s.topics, 6, "{}", s.reason);
    assert!(s.reason.contains("0.300"), "{}", s.reason);
    assert!(s.reason.contains("0.990 at K = 2"), "{}", s.reason);
    assert!(
        s.reason.contains("less stable: K = 8 (0.910)"),
        "{}",
        s.reason
    );
}

#[test]
fn stability_that_does_not_separate_the_k_is_said_so() {
    let rows = [
        row(5, 0.10, Some(0.70)),
        row(10, 0.14, Some(0.72)),
        row(15, 0.12, Some(0.69)),
    ];
    let s = suggest(&rows);
    assert_eq!(s.topics, 10);
    assert!(
        s.reason.contains("does not tell them apart"),
        "{}",
        s.reason
    );
}

#[test]
fn ties_go_to_the_smaller_k_and_edges_are_flagged() {
    let rows = [
        row(3, 0.2, Some(1.0)),
        row(4, 0.2, Some(1.0)),
        row(5, 0.1, Some(1.0)),
    ];
    let s = suggest(&rows);
    assert_eq!(s.topics, 3);
    assert!(s.reason.contains("smallest K tried"), "{}", s.reason);
    let rows = [row(3, 0.1, Some(1.0)), row(4, 0.2, Some(1.0))];
    assert!(suggest(&rows).reason.contains("largest K tried"));
}

#[test]
fn one_run_a_k_falls_back_on_coherence_and_one_k_is_the_answer() {
    let rows = [row(3, 0.1, None), row(4, 0.3, None), row(5, 0.2, None)];
    let s = suggest(&rows);
    assert_eq!(s.topics, 4);
    assert!(
        s.reason.contains("no cophenetic correlation"),
        "{}",
        s.reason
    );
    let s = suggest(&[row(7, 0.1, Some(0.5))]);
    assert_eq!((s.topics, s.reason.as_str()), (7, "the only K tried"));
}
