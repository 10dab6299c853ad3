//! `nmf-topics bench` against the built binary: the figures it reports and how they relate.

use serde_json::Value;

use crate::util::{self, arg, run_ok};

fn bench_json(extra: &[&str]) -> Value {
    let corpus = util::default_corpus();
    let mut args = vec![
        "bench",
        arg(&corpus),
        "-k",
        "4,9",
        "--threads",
        "1,2",
        "--iterations",
        "2",
        "--repeats",
        "1",
        "--json",
        "-",
    ];
    args.extend_from_slice(extra);
    let out = run_ok(&args);
    serde_json::from_slice(&out.stdout).expect("bench --json - writes one JSON document")
}

#[test]
fn bench_reports_every_run_against_a_measured_peak() {
    let report = bench_json(&[]);
    assert_eq!(report["format"], "nmf-topics/bench");
    assert_eq!(report["peak_measured"], true);
    let runs = report["runs"].as_array().unwrap();
    let configs: Vec<(u64, u64)> = runs
        .iter()
        .map(|r| {
            (
                r["topics"].as_u64().unwrap(),
                r["threads"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(configs, [(4, 1), (4, 2), (9, 1), (9, 2)]);
    let nnz = report["nonzeros"].as_f64().unwrap();
    for r in runs {
        let seconds = r["seconds_per_iteration"].as_f64().unwrap();
        let gfma = r["gfma_per_second"].as_f64().unwrap();
        let k = r["topics"].as_f64().unwrap();
        assert!(seconds > 0.0 && seconds.is_finite(), "{r}");
        assert_eq!(
            (r["solver"].as_str(), r["loss"].as_str()),
            (Some("mu"), Some("kl"))
        );
        assert_eq!(r["multiply_adds_counted"], "4·nnz·K");
        assert!(
            (gfma - 4.0 * nnz * k / seconds / 1e9).abs() <= 1e-9 * gfma.max(1.0),
            "{r}"
        );
        let peak = r["peak_gfma_per_core"].as_f64().unwrap();
        assert!(peak.is_finite() && peak > 0.0, "{r}");
        let share = r["peak_share"].as_f64().unwrap();
        let threads = r["threads"].as_f64().unwrap();
        assert!((share - gfma / (peak * threads)).abs() <= 1e-9, "{r}");
        // The updates read memory; registers alone set the ceiling.
        assert!(share > 0.0 && share < 1.0, "{r}");
        // The machine's peak is the best of its instructions, the kernel's own among them.
        let kernel_peak = r["kernel_peak_gfma_per_core"].as_f64().unwrap();
        assert!(kernel_peak > 0.0 && kernel_peak <= peak, "{r}");
        let kernel_share = r["kernel_peak_share"].as_f64().unwrap();
        assert!(
            (kernel_share - gfma / (kernel_peak * threads)).abs() <= 1e-9,
            "{r}"
        );
        let instructions = r["peak_instructions"].as_str().unwrap();
        assert!(
            [r["kernel"].as_str().unwrap(), "avx-512"].contains(&instructions),
            "{r}"
        );
        if instructions == "avx-512" {
            #[cfg(target_arch = "x86_64")]
            assert!(is_x86_feature_detected!("avx512f"), "{r}");
            #[cfg(not(target_arch = "x86_64"))]
            panic!("AVX-512 off x86-64: {r}");
        }
        // Both kernels fit the same start: their divergences agree to float rounding.
        let fast = r["divergence"].as_f64().unwrap();
        let portable = r["portable_divergence"].as_f64().unwrap();
        assert!(
            (fast - portable).abs() <= 1e-4 * fast,
            "{fast} vs {portable}"
        );
    }
}

#[test]
fn bench_takes_a_given_peak() {
    let report = bench_json(&["--peak-gfma", "1000", "--compare-portable", "false"]);
    assert_eq!(report["peak_measured"], false);
    for r in report["runs"].as_array().unwrap() {
        assert_eq!(r["peak_gfma_per_core"].as_f64(), Some(1000.0), "{r}");
        assert_eq!(r["peak_instructions"], "given", "{r}");
        assert!(r["kernel_peak_gfma_per_core"].is_null(), "{r}");
        assert!(r["kernel_peak_share"].is_null(), "{r}");
        assert!(r["portable_divergence"].is_null(), "{r}");
    }
}

#[test]
fn bench_refuses_a_peak_that_is_not_positive() {
    let corpus = util::default_corpus();
    let err = util::run_err(&["bench", arg(&corpus), "--peak-gfma", "0", "-k", "2"]);
    assert!(err.contains("--peak-gfma"), "{err}");
}

#[test]
fn tfidf_weighting_times_the_solver_on_the_weights() {
    let settings = [
        "--loss",
        "frobenius",
        "--compare-portable",
        "false",
        "--peak-gfma",
        "50",
    ];
    let counts = bench_json(&settings);
    let tfidf = bench_json(&[&settings[..], &["--weighting", "tfidf"]].concat());
    assert_eq!(counts["weighting"], "counts");
    assert_eq!(tfidf["weighting"], "tfidf");
    let divergences = |v: &Value| -> Vec<f64> {
        let runs = v["runs"].as_array().unwrap();
        runs.iter()
            .map(|r| r["divergence"].as_f64().unwrap())
            .collect()
    };
    // Documents of unit length leave far less to explain than their counts.
    for (t, c) in divergences(&tfidf).iter().zip(divergences(&counts)) {
        assert!(
            t.is_finite() && *t > 0.0 && *t < c / 10.0,
            "{t} against {c}"
        );
    }
}
