//! Random inputs for the readers (JSON Lines, lines, whole files, folders, Matrix Market, each
//! plain and gzip-compressed) and for the search query parser, a few seconds' worth on every
//! `cargo test`: no panic, no stack overflow, counts in the solver's range and a finite fit of
//! whatever is accepted (the properties of `harness.rs`). The seed is fixed, so a run is
//! reproducible; the fuzz targets in `fuzz/` run the same harness for as long as one likes.

use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed, TestRunner};

use crate::harness::{self, Outcome};
use crate::util;

/// Cases of each test.
const CASES: u32 = 400;

fn runner() -> TestRunner {
    TestRunner::new(Config {
        cases: CASES,
        rng_seed: RngSeed::Fixed(17),
        failure_persistence: None,
        ..Config::default()
    })
}

/// Pieces that Matrix Market files are made of, good and bad.
fn matrix_market() -> impl Strategy<Value = Vec<u8>> {
    let header = prop_oneof![
        Just("%%MatrixMarket matrix coordinate integer general"),
        Just("%%MatrixMarket matrix coordinate real general"),
        Just("%%MatrixMarket matrix coordinate pattern general"),
        Just("%%matrixmarket MATRIX Coordinate Real General"),
        Just("%%MatrixMarket matrix array real general"),
        Just("%%MatrixMarket matrix coordinate complex general"),
        Just("%%MatrixMarket matrix coordinate real symmetric"),
        Just("%%MatrixMarket matrix"),
        Just(""),
    ];
    let number = prop_oneof![
        (0u64..6).prop_map(|n| n.to_string()),
        Just("4294967295".to_string()),
        Just("4294967296".to_string()),
        Just("1000000000".to_string()),
        Just("18446744073709551615".to_string()),
        Just("99999999999999999999999".to_string()),
        Just("-1".to_string()),
        Just("x".to_string()),
    ];
    let value = prop_oneof![
        (0u32..100).prop_map(|n| n.to_string()),
        Just("1e-40".to_string()),
        Just("1e-6".to_string()),
        Just("3e38".to_string()),
        Just("5e29".to_string()),
        Just("1e400".to_string()),
        Just("NaN".to_string()),
        Just("inf".to_string()),
        Just("-2".to_string()),
        Just("0.5".to_string()),
        Just("".to_string()),
        any::<f32>().prop_map(|x| x.to_string()),
    ];
    let entry =
        (0u64..6, 0u64..6, value, prop::bool::weighted(0.05)).prop_map(|(i, j, v, extra)| {
            if extra {
                format!("{i} {j} {v} 7")
            } else {
                format!("{i} {j} {v}")
            }
        });
    let line = prop_oneof![
        8 => entry,
        1 => Just("% a comment".to_string()),
        1 => Just(String::new()),
    ];
    (
        header,
        number.clone(),
        number.clone(),
        number,
        prop::collection::vec(line, 0..12),
        prop::bool::ANY,
    )
        .prop_map(|(header, rows, cols, entries, lines, crlf)| {
            let end = if crlf { "\r\n" } else { "\n" };
            let mut text = format!("{header}{end}{rows} {cols} {entries}{end}");
            for line in lines {
                text.push_str(&line);
                text.push_str(end);
            }
            text.into_bytes()
        })
}

/// JSON Lines, good and bad: objects with or without the fields read, other values, broken
/// syntax, long lines, blank lines.
fn json_lines() -> impl Strategy<Value = Vec<u8>> {
    let text = prop_oneof![
        "[a-z ]{0,40}",
        "\\PC{0,30}",
        Just("a".repeat(2000)),
        Just("kernel module \\u00e9t\\u00e9 \\ud800".to_string()),
    ];
    let value = prop_oneof![
        text.clone().prop_map(|t| format!("\"{t}\"")),
        Just("null".to_string()),
        Just("42".to_string()),
        Just("[1, 2]".to_string()),
        Just("{\"nested\": \"x\"}".to_string()),
        Just("1e999".to_string()),
    ];
    let line = prop_oneof![
        (value.clone(), value.clone(), value)
            .prop_map(|(t, i, l)| format!("{{\"text\": {t}, \"id\": {i}, \"label\": {l}}}")),
        text.prop_map(|t| format!("{{\"text\": \"{t}\"}}")),
        Just("{\"text\": \"unterminated".to_string()),
        Just("[\"not\", \"an object\"]".to_string()),
        Just("{\"body\": \"no text field\"}".to_string()),
        Just("{\"text\": \"a\", \"text\": \"twice\"}".to_string()),
        Just(String::new()),
        "\\PC{0,20}",
    ];
    prop::collection::vec(line, 0..8).prop_map(|lines| lines.join("\n").into_bytes())
}

/// Any bytes: most are no format at all.
fn bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..300),
        prop::collection::vec(
            prop_oneof![Just(b'\n'), Just(b'a'), Just(0u8), Just(0xff)],
            0..3000
        ),
    ]
}

/// How many inputs ended each way, so that a test can check it reached them all.
#[derive(Default)]
struct Tally([usize; 3]);

impl Tally {
    fn add(&mut self, outcome: Outcome) {
        self.0[outcome as usize] += 1;
    }

    /// Each outcome at least `n` times: the inputs reach the fit, not only the refusals.
    fn assert_each_at_least(&self, n: usize) {
        assert!(
            self.0.iter().all(|&c| c >= n),
            "refused, read, fitted: {:?}",
            self.0
        );
    }
}

/// Runs `runner` over `input`, reading each case with `read`, which tallies its outcomes; then
/// checks that every outcome was reached at least 10 times.
fn run_tallied<S: Strategy>(mut runner: TestRunner, input: S, read: impl Fn(S::Value, &mut Tally)) {
    let tally = std::cell::RefCell::new(Tally::default());
    runner
        .run(&input, |case| {
            read(case, &mut tally.borrow_mut());
            Ok(())
        })
        .unwrap();
    tally.borrow().assert_each_at_least(10);
}

#[test]
fn random_inputs_read_every_way_never_panic_and_fit_finite() {
    let dir = util::tempdir();
    let input = prop_oneof![matrix_market(), json_lines(), bytes()];
    run_tallied(runner(), (input, any::<u8>()), |(data, selector), tally| {
        tally.add(harness::read_every_way(&data, selector, dir.path()));
    });
}

#[test]
fn every_way_of_reading_sees_a_matrix_market_file_and_json_lines() {
    // The same input read each of the sixteen ways, so that each way meets each kind of input.
    let dir = util::tempdir();
    let input = prop_oneof![matrix_market(), json_lines()];
    let runner = TestRunner::new(Config {
        cases: CASES / 4,
        ..runner().config().clone()
    });
    run_tallied(runner, input, |data, tally| {
        for selector in 0..16u8 {
            let selector = (selector % 8) | if selector >= 8 { 0x80 } else { 0 };
            tally.add(harness::read_every_way(&data, selector, dir.path()));
        }
    });
}

#[test]
fn random_queries_never_panic_or_overflow_the_stack() {
    let dir = util::tempdir();
    let store = harness::search_store(&dir.path().join("store"));
    let piece = prop_oneof![
        Just("(".to_string()),
        Just(")".to_string()),
        Just("NOT ".to_string()),
        Just(" OR ".to_string()),
        Just(" AND ".to_string()),
        Just("-".to_string()),
        Just("+".to_string()),
        Just("\"".to_string()),
        Just("\\".to_string()),
        Just("id:".to_string()),
        Just("text:".to_string()),
        Just("title:".to_string()),
        Just("*".to_string()),
        Just("^2".to_string()),
        Just("~1".to_string()),
        Just("[a TO z]".to_string()),
        Just("{1 TO 2}".to_string()),
        Just("IN [a b]".to_string()),
        Just("/re.*/".to_string()),
        Just(" ".to_string()),
        Just("kernel".to_string()),
        Just("node.js".to_string()),
        Just("the".to_string()),
        Just("KDE's".to_string()),
        "\\PC{0,6}",
    ];
    let query = prop_oneof![
        prop::collection::vec(piece, 0..24).prop_map(|p| p.concat().into_bytes()),
        (1usize..400).prop_map(|n| format!("{}kernel", "(".repeat(n)).into_bytes()),
        (1usize..400).prop_map(|n| format!("{}kernel", "NOT ".repeat(n)).into_bytes()),
        prop::collection::vec(any::<u8>(), 0..64),
    ];
    runner()
        .run(&query, |query| {
            harness::search(&store, &query);
            Ok(())
        })
        .unwrap();
}
