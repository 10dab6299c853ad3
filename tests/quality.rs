//! Quality scores: NPMI, UMass, diversity and NMI against values computed by hand.

use nmf_topics::report::quality::{coherence, diversity, nmi};
use nmf_topics::NmfModel;

use crate::util::{run, sparse_from_dense, stdout};

/// Words a, b, c (rows) in four documents: {a, b}, {a, b}, {a, c}, {c}.
fn tiny() -> nmf_topics::matrix::Sparse {
    #[rustfmt::skip]
    let dense = [
        1.0, 2.0, 1.0, 0.0, // a
        3.0, 1.0, 0.0, 0.0, // b
        0.0, 0.0, 1.0, 4.0, // c
    ];
    sparse_from_dense(3, 4, &dense).0
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

#[test]
fn npmi_and_umass_equal_hand_computed_values() {
    // D = 4; D_a = 3, D_b = 2, D_c = 2; D_ab = 2, D_ac = 1, D_bc = 0.
    let scores = coherence(&tiny(), &[vec![0, 1, 2]]);
    let npmi_ab = (4.0f64 * 2.0 / (3.0 * 2.0)).ln() / -(2.0f64 / 4.0).ln(); // 0.415037
    let npmi_ac = (4.0f64 * 1.0 / (3.0 * 2.0)).ln() / -(1.0f64 / 4.0).ln(); // -0.292481
    let npmi_bc = -1.0; // never together
    let npmi = scores[0].npmi.unwrap();
    assert!(close(npmi, (npmi_ab + npmi_ac + npmi_bc) / 3.0), "{npmi}");
    assert!(close(npmi, -0.292481250360578), "{npmi}");
    // UMass pairs (later, earlier): ln((D_ij + 1) / D_earlier).
    let umass = scores[0].umass.unwrap();
    let expected = ((3.0f64 / 3.0).ln() + (2.0f64 / 3.0).ln() + (1.0f64 / 2.0).ln()) / 3.0;
    assert!(close(umass, expected), "{umass}");
    assert!(close(umass, -0.366204096222703), "{umass}");
}

#[test]
fn umass_smooths_with_mimnos_one_not_gensims_epsilon() {
    // b and c never share a document (D_b = 2, D_c = 2, D_bc = 0); with b ranked first the
    // pair scores ln((0 + 1) / D_b), Mimno et al.'s +1, where gensim's u_mass would give
    // ln((0/4 + 1e-12) / (2/4)) = -26.9.
    let scores = coherence(&tiny(), &[vec![1, 2]]);
    assert_eq!(scores[0].umass, Some((1.0f64 / 2.0).ln()));
    let gensim = (1e-12f64 / (2.0 / 4.0)).ln();
    assert!(scores[0].umass.unwrap() - gensim > 20.0);
}

#[test]
fn npmi_order_does_not_matter_but_umass_order_does() {
    let forward = coherence(&tiny(), &[vec![0, 1, 2], vec![2, 1, 0]]);
    assert!(close(forward[0].npmi.unwrap(), forward[1].npmi.unwrap()));
    assert!(!close(forward[0].umass.unwrap(), forward[1].umass.unwrap()));
}

#[test]
fn words_always_together_score_one_and_single_words_are_not_scored() {
    // a and b in every document.
    let dense = [1.0, 1.0, 2.0, 1.0, 1.0, 1.0];
    let (by_doc, _) = sparse_from_dense(2, 3, &dense);
    let scores = coherence(&by_doc, &[vec![0, 1], vec![1], vec![]]);
    assert_eq!(scores[0].npmi, Some(1.0));
    assert_eq!(scores[0].umass, Some((4.0f64 / 3.0).ln()));
    assert_eq!(scores[1].npmi, None);
    assert_eq!(scores[2].umass, None);
}

#[test]
fn diversity_counts_distinct_top_words() {
    // Four words, two topics; W is (words, topics) row-major.
    let h = vec![1.0, 1.0];
    let disjoint =
        NmfModel::from_parts(2, vec![0.5, 0.0, 0.5, 0.0, 0.0, 0.5, 0.0, 0.5], h.clone()).unwrap();
    assert_eq!(diversity(&disjoint, 2), 1.0);
    let same = NmfModel::from_parts(2, vec![0.5, 0.5, 0.5, 0.5, 0.0, 0.0, 0.0, 0.0], h).unwrap();
    assert_eq!(diversity(&same, 2), 0.5);
    // Fewer words than asked for still count against n·K.
    assert_eq!(diversity(&same, 4), 0.25);
}

#[test]
fn nmi_equals_hand_computed_values() {
    assert!(close(nmi(&[0, 0, 1, 1], &[5, 5, 2, 2]), 1.0));
    assert!(close(nmi(&[0, 0, 1, 1], &[0, 1, 0, 1]), 0.0));
    assert!(close(nmi(&[3, 3, 3], &[1, 1, 1]), 1.0));
    // MI = ½ ln(4/3) + ¼ ln(2/3) + ¼ ln 2; entropies ln 2 and −(¾ ln ¾ + ¼ ln ¼).
    let mi = 0.5 * (4.0f64 / 3.0).ln() + 0.25 * (2.0f64 / 3.0).ln() + 0.25 * 2.0f64.ln();
    let (ha, hb) = (2.0f64.ln(), -(0.75 * 0.75f64.ln() + 0.25 * 0.25f64.ln()));
    let expected = mi / ((ha + hb) / 2.0);
    let got = nmi(&[0, 0, 1, 1], &[0, 0, 0, 1]);
    assert!(close(got, expected), "{got} vs {expected}");
    assert!(close(got, 0.343711018485), "{got}");
}

#[test]
fn reports_carry_quality_and_nmi_only_with_labels() {
    let corpus = crate::util::default_corpus();
    let corpus = corpus.to_str().unwrap();
    let common = [
        "fit",
        corpus,
        "-k",
        "8",
        "--max-iter",
        "40",
        "--quiet",
        "--json",
        "-",
    ];
    let plain: serde_json::Value = serde_json::from_str(&stdout(&run(&common))).unwrap();
    let q = &plain["quality"];
    assert_eq!(q["coherence_words"], 10);
    let npmi = q["mean_npmi"].as_f64().unwrap();
    assert!((-1.0..=1.0).contains(&npmi) && npmi > 0.0, "{q}");
    assert!(q["mean_umass"].as_f64().unwrap() < 0.0, "{q}");
    let diversity = q["diversity"].as_f64().unwrap();
    assert!(diversity > 0.0 && diversity <= 1.0, "{q}");
    assert!(q["label_nmi"].is_null(), "{q}");
    for topic in plain["topics"].as_array().unwrap() {
        assert!(topic["npmi"].as_f64().is_some(), "{topic}");
    }
    let mut args = common.to_vec();
    args.extend(["--label-field", "section"]);
    let labelled: serde_json::Value = serde_json::from_str(&stdout(&run(&args))).unwrap();
    let q = &labelled["quality"];
    let nmi = q["label_nmi"].as_f64().unwrap();
    assert!(nmi > 0.05 && nmi < 1.0, "{q}");
    assert_eq!(q["labelled_documents"], 5000);
}
