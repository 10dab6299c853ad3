//! The HTML report's topic explorer: the Jensen-Shannon divergence and classical scaling of
//! the intertopic map against cases worked by hand, its sign convention and thread
//! independence, and the relevance candidates against ranking every word.

use nmf_topics::corpus::{DocumentReader, Input, ReadOptions};
use nmf_topics::report::{
    jensen_shannon, principal_coordinates, topic_map, Explorer, Parameters, Ranking, StageSeconds,
};
use nmf_topics::{Analyzer, AnalyzerConfig, BagBuilder, CountMatrix, Nmf, NmfModel, Report};

use crate::util::default_corpus;

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

#[test]
fn jensen_shannon_is_zero_for_the_same_words_and_ln_2_for_none_in_common() {
    let p = [0.5, 0.5, 0.0, 0.0];
    let q = [0.0, 0.0, 0.25, 0.75];
    assert_eq!(jensen_shannon(&p, &p), 0.0);
    assert!(close(jensen_shannon(&p, &q), std::f64::consts::LN_2, 1e-15));
    let a = [1.0, 0.0, 0.0];
    let b = [0.0, 0.5, 0.5];
    let c = [0.5, 0.5, 0.0];
    assert!(close(jensen_shannon(&a, &b), std::f64::consts::LN_2, 1e-15));
    // m = (0.75, 0.25, 0): ½·ln(1/0.75) + ½·(0.5·ln(0.5/0.75) + 0.5·ln(0.5/0.25)).
    let want = 0.5 * (1.0f64 / 0.75).ln()
        + 0.5 * (0.5 * (0.5f64 / 0.75).ln() + 0.5 * (0.5f64 / 0.25).ln());
    assert!(close(jensen_shannon(&a, &c), want, 1e-15));
    assert_eq!(jensen_shannon(&a, &c), jensen_shannon(&c, &a), "symmetric");
}

/// Pairwise distances of points.
fn distances(points: &[[f64; 2]]) -> Vec<f64> {
    let mut out = Vec::new();
    for i in 0..points.len() {
        for j in i + 1..points.len() {
            let (dx, dy) = (points[i][0] - points[j][0], points[i][1] - points[j][1]);
            out.push((dx * dx + dy * dy).sqrt());
        }
    }
    out
}

#[test]
fn classical_scaling_gives_back_a_flat_configuration_up_to_rotation() {
    // Five points in the plane: their distances are reproduced exactly, in two axes that carry
    // all the variance.
    let plane = [[0.0, 0.0], [3.0, 0.0], [0.0, 1.0], [1.0, 2.0], [-2.0, 0.5]];
    let d = |i: usize, j: usize| {
        let (a, b): ([f64; 2], [f64; 2]) = (plane[i], plane[j]);
        ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt()
    };
    let map = principal_coordinates(plane.len(), d);
    for (got, want) in distances(&map.points).iter().zip(distances(&plane)) {
        assert!(close(*got, want, 1e-9), "{got} vs {want}");
    }
    assert!(
        close(map.axes[0] + map.axes[1], 1.0, 1e-9),
        "{:?}",
        map.axes
    );
    assert!(map.axes[0] >= map.axes[1]);
    // Centred at the origin.
    let mean_x: f64 = map.points.iter().map(|p| p[0]).sum::<f64>() / 5.0;
    assert!(close(mean_x, 0.0, 1e-9));
    // The sign convention: on each axis the coordinate largest in size is positive.
    for axis in 0..2 {
        let largest = map
            .points
            .iter()
            .map(|p| p[axis])
            .max_by(|a, b| a.abs().total_cmp(&b.abs()))
            .unwrap();
        assert!(largest > 0.0, "axis {axis}: {largest}");
    }
    // The map depends on the distances alone: the mirror image gives the same one.
    let mirror: Vec<[f64; 2]> = plane.iter().map(|p| [-p[0], p[1]]).collect();
    let dm = |i: usize, j: usize| {
        ((mirror[i][0] - mirror[j][0]).powi(2) + (mirror[i][1] - mirror[j][1]).powi(2)).sqrt()
    };
    let again = principal_coordinates(plane.len(), dm);
    for (a, b) in again.points.iter().zip(&map.points) {
        assert!(
            close(a[0], b[0], 1e-9) && close(a[1], b[1], 1e-9),
            "{a:?} vs {b:?}"
        );
    }
}

#[test]
fn one_or_two_topics_make_a_point_or_a_line() {
    let one = principal_coordinates(1, |_, _| 0.0);
    assert_eq!(one.points, [[0.0, 0.0]]);
    let two = principal_coordinates(2, |_, _| 0.5);
    assert!(
        close(two.points[0][0] - two.points[1][0], 0.5, 1e-12)
            || close(two.points[1][0] - two.points[0][0], 0.5, 1e-12)
    );
    assert_eq!((two.points[0][1], two.points[1][1]), (0.0, 0.0));
    assert!(close(two.axes[0], 1.0, 1e-12) && two.axes[1] == 0.0);
}

/// The first 1,500 documents of the shipped corpus, 8 topics.
fn fitted() -> (CountMatrix, NmfModel, nmf_topics::FitReport, Nmf) {
    let reader =
        DocumentReader::new(vec![Input::Path(default_corpus())], ReadOptions::default()).unwrap();
    let docs: Vec<_> = reader.take(1500).map(Result::unwrap).collect();
    let mut bag = BagBuilder::new(Analyzer::new(AnalyzerConfig::default()).unwrap());
    bag.add(docs);
    let matrix = CountMatrix::build(&bag.finish(), &Default::default()).unwrap();
    let nmf = Nmf::new(8).max_iter(60).seed(1).threads(2);
    let (model, fit) = nmf.fit(matrix.by_doc(), matrix.by_word()).unwrap();
    (matrix, model, fit, nmf)
}

#[test]
fn the_map_is_the_same_on_any_number_of_threads() {
    let (_, model, _, _) = fitted();
    let on = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| topic_map(&model))
    };
    let one = on(1);
    assert_eq!(one, on(2));
    assert_eq!(one, on(3));
    // Distinct topics are apart.
    let d = distances(&one.points);
    assert!(d.iter().all(|&x| x > 1e-3), "{d:?}");
}

#[test]
fn ranking_the_candidates_gives_the_best_words_of_all_at_every_lambda() {
    let (matrix, model, fit, nmf) = fitted();
    let shown = 12;
    let explorer = Explorer::new(&matrix, &model, shown);
    let parameters = Parameters {
        analyzer: Some(AnalyzerConfig::default()),
        phrases: None,
        pruning: Default::default(),
        nmf,
        weighting: Default::default(),
        missing: 0,
    };
    let mut candidates = 0;
    for step in 0..=100 {
        let lambda = step as f64 / 100.0;
        let report = Report::ranked(
            &matrix,
            &model,
            &fit,
            parameters.clone(),
            StageSeconds::default(),
            shown,
            Ranking::Relevance(lambda),
        );
        for (k, topic) in report.topics.iter().enumerate() {
            // As the page's script ranks them.
            let mut scored: Vec<(usize, f64)> = explorer.topics[k]
                .iter()
                .map(|&(w, a)| {
                    let c = explorer.words[w].ln_share;
                    (w, lambda * a + (1.0 - lambda) * (a - c))
                })
                .collect();
            scored.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
            let got: Vec<&str> = scored
                .iter()
                .take(shown)
                .map(|&(w, _)| explorer.words[w].word.as_str())
                .collect();
            let want: Vec<&str> = topic.words.iter().map(|w| w.word.as_str()).collect();
            assert_eq!(got, want, "topic {} at λ = {lambda}", k + 1);
            candidates = candidates.max(explorer.topics[k].len());
        }
    }
    // Far fewer than the vocabulary: what keeps the page small.
    assert!(
        candidates < matrix.n_words() / 5,
        "{candidates} of {}",
        matrix.n_words()
    );
    // Each word's senses add up to at most 1 and are sorted.
    for word in &explorer.words {
        let sum: f64 = word.senses.iter().map(|s| s.1).sum();
        assert!(sum <= 1.0 + 1e-3, "{}: {sum}", word.word);
        assert!(word.senses.windows(2).all(|p| p[0].1 >= p[1].1));
    }
}
