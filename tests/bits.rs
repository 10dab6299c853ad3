//! The bits of the default solver (KL multiplicative updates), pinned: W, H and the iterations
//! of fits and a transform of the shipped corpus, as digests taken before the solver seam was
//! built. A change of the solver's code that changes a single bit of today's default fails here.
//!
//! The portable kernel gives the same bits on every CPU, so its digests hold anywhere; the fast
//! kernel's are checked on the kernel they were taken on. After a change that is meant to move
//! the bits, print the new figures with
//! `NMF_TOPICS_BLESS=1 cargo test --release bits -- --nocapture` and say why in the commit.

use nmf_topics::corpus::{DocumentReader, Input, ReadOptions};
use nmf_topics::matrix::Sparse;
use nmf_topics::nmf::{Init, StopReason, StopRule};
use nmf_topics::Pruning;
use nmf_topics::{Analyzer, AnalyzerConfig, BagBuilder, CountMatrix, FitReport, Nmf, NmfModel};

use crate::util::default_corpus;

/// The shipped corpus, all 5,000 documents, with `--min-df 5 --max-df 0.5`.
fn shipped_matrix() -> CountMatrix {
    let reader =
        DocumentReader::new(vec![Input::Path(default_corpus())], ReadOptions::default()).unwrap();
    let mut bag = BagBuilder::new(Analyzer::new(AnalyzerConfig::default()).unwrap());
    bag.add(reader.map(Result::unwrap).collect());
    let pruning = Pruning {
        min_df: "5".parse().unwrap(),
        max_df: "0.5".parse().unwrap(),
        ..Pruning::default()
    };
    CountMatrix::build(&bag.finish(), &pruning).unwrap()
}

/// FNV-1a over the bits of `values`: stable across Rust versions and platforms, unlike std's
/// hasher.
fn digest(values: &[f32]) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    for x in values {
        for byte in x.to_bits().to_le_bytes() {
            h ^= byte as u64;
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h
}

/// The figures a fit is pinned by: the digests of W and H, its iterations and why they
/// stopped.
fn figures(model: &NmfModel, fit: &FitReport) -> Vec<(&'static str, u64)> {
    vec![
        ("W", digest(model.w())),
        ("H", digest(model.h())),
        ("iterations", fit.iterations as u64),
        ("stop", fit.stop as u64),
    ]
}

/// Compares `got` with `want`; prints `got` instead when blessing.
fn check(name: &str, got: &[(&str, u64)], want: &[(&str, u64)]) {
    if blessing() {
        println!("{name}: {got:?}");
        return;
    }
    assert_eq!(got, want, "{name}: the bits moved");
}

/// Compares a divergence with the pinned one to 1e-9 relative: its last bits come from the
/// platform's logarithm.
fn check_divergence(name: &str, got: f64, want: f64) {
    if blessing() {
        println!("{name}: divergence {got:.6}");
        return;
    }
    assert!(
        (got - want).abs() <= 1e-9 * want,
        "{name}: divergence {got} against {want}"
    );
}

fn blessing() -> bool {
    std::env::var_os("NMF_TOPICS_BLESS").is_some()
}

/// The default settings (NNDSVDa start, `tol` 1e-4, the final solve of H), K = 10.
fn default_fit(portable: bool) -> Nmf {
    Nmf::new(10).threads(2).portable(portable)
}

#[test]
fn the_default_fit_and_a_transform_keep_their_bits_on_the_portable_kernel() {
    let matrix = shipped_matrix();
    let (model, fit) = default_fit(true)
        .fit(matrix.by_doc(), matrix.by_word())
        .unwrap();
    check(
        "default, portable",
        &figures(&model, &fit),
        &[
            ("W", 0x55227ceb3c9cd5ae),
            ("H", 0x2264d0577fd387f2),
            ("iterations", 161),
            ("stop", StopReason::Converged as u64),
        ],
    );
    check_divergence("default, portable", fit.divergence, 571045.756573);
    // The first 700 documents twice over, solved as new documents on another thread count.
    let by_doc = matrix.by_doc();
    let first: Vec<usize> = (0..700).chain(0..700).collect();
    let mut tri = sprs::TriMatI::<f32, u32>::new((by_doc.rows(), first.len()));
    for (j, &d) in first.iter().enumerate() {
        for (w, &x) in by_doc.outer_view(d).unwrap().iter() {
            tri.add_triplet(w, j, x);
        }
    }
    let csc: Sparse = tri.to_csc();
    let csr = csc.to_other_storage();
    let (h, report) = default_fit(true)
        .threads(3)
        .transform(&model, &csc, &csr)
        .unwrap();
    // A training document transformed gets back its fitted weights.
    assert_eq!(h[..7000], model.h()[..7000]);
    assert_eq!(h[..7000], h[7000..]);
    check(
        "transform, portable",
        &[
            ("H", digest(&h)),
            ("most updates", report.iterations_max as u64),
            (
                "mean updates × 100",
                (report.iterations_mean * 100.0).round() as u64,
            ),
        ],
        &[
            ("H", 0x37ed7dd8f4278eb9),
            ("most updates", 1000),
            ("mean updates × 100", 8563),
        ],
    );
}

/// Random starts, two restarts, 300 iterations under the connectivity rule (its checks run,
/// the rule does not stop these runs).
#[test]
fn restarts_from_random_starts_under_the_connectivity_rule_keep_their_bits() {
    let matrix = shipped_matrix();
    let nmf = Nmf::new(7)
        .init(Init::Random)
        .seed(11)
        .restarts(2)
        .stop(StopRule::Connectivity)
        .stable(2)
        .max_iter(300)
        .threads(3)
        .portable(true);
    let (model, fit) = nmf.fit(matrix.by_doc(), matrix.by_word()).unwrap();
    check(
        "random restarts, connectivity, portable",
        &figures(&model, &fit),
        &[
            ("W", 0x4afafcdee1f4cbd6),
            ("H", 0x413ff44e0f2f6a86),
            ("iterations", 300),
            ("stop", StopReason::MaxIter as u64),
        ],
    );
    check_divergence("random restarts", fit.divergence, 599248.802137);
}

#[test]
fn the_default_fit_keeps_its_bits_on_the_fast_kernel() {
    let matrix = shipped_matrix();
    let (model, fit) = default_fit(false)
        .fit(matrix.by_doc(), matrix.by_word())
        .unwrap();
    let (want, want_divergence) = match fit.kernel.as_str() {
        "avx2+fma" => (
            [
                ("W", 0xa7c28d0df1275f60),
                ("H", 0x6592725f60a0dd67),
                ("iterations", 161),
                ("stop", StopReason::Converged as u64),
            ],
            571045.756443,
        ),
        other => {
            eprintln!("skipped: no digest was taken on the {other} kernel");
            return;
        }
    };
    check("default, fast kernel", &figures(&model, &fit), &want);
    check_divergence("default, fast kernel", fit.divergence, want_divergence);
}
