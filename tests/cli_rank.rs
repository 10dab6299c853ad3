//! `nmf-topics rank`: the survey's figures, its suggestion on planted topics, its outputs and
//! its errors.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::util::{self, arg, run_err, run_ok, stdout, TestRng};

/// Six themes, 30 words each, some shared with a neighbour (water, sun, light, data, share,
/// market, season).
const THEMES: [[&str; 30]; 6] = [
    [
        "recipe", "oven", "flour", "butter", "sugar", "bake", "dough", "knife", "pan", "salt",
        "pepper", "garlic", "onion", "sauce", "simmer", "boil", "roast", "kitchen", "chef",
        "dinner", "spoon", "cream", "cheese", "bread", "soup", "spice", "grill", "water", "taste",
        "season",
    ],
    [
        "star",
        "planet",
        "galaxy",
        "telescope",
        "orbit",
        "moon",
        "comet",
        "nebula",
        "asteroid",
        "solar",
        "cosmic",
        "gravity",
        "eclipse",
        "astronomer",
        "universe",
        "light",
        "sky",
        "observatory",
        "supernova",
        "jupiter",
        "saturn",
        "mars",
        "meteor",
        "satellite",
        "crater",
        "spectrum",
        "redshift",
        "quasar",
        "sun",
        "data",
    ],
    [
        "goal",
        "match",
        "team",
        "player",
        "coach",
        "league",
        "striker",
        "referee",
        "penalty",
        "stadium",
        "season",
        "score",
        "defender",
        "midfielder",
        "keeper",
        "tackle",
        "pitch",
        "fans",
        "cup",
        "transfer",
        "kick",
        "foul",
        "derby",
        "champion",
        "injury",
        "training",
        "squad",
        "captain",
        "market",
        "win",
    ],
    [
        "soil",
        "seed",
        "plant",
        "garden",
        "compost",
        "tulip",
        "rose",
        "prune",
        "weed",
        "water",
        "root",
        "leaf",
        "bloom",
        "shovel",
        "hedge",
        "greenhouse",
        "sprout",
        "fertiliser",
        "harvest",
        "mulch",
        "bulb",
        "orchard",
        "grow",
        "flower",
        "shrub",
        "pot",
        "sun",
        "spring",
        "rain",
        "light",
    ],
    [
        "bank",
        "loan",
        "interest",
        "market",
        "stock",
        "bond",
        "investor",
        "fund",
        "profit",
        "debt",
        "credit",
        "rate",
        "share",
        "dividend",
        "inflation",
        "tax",
        "budget",
        "capital",
        "asset",
        "portfolio",
        "trader",
        "price",
        "risk",
        "equity",
        "mortgage",
        "pension",
        "currency",
        "revenue",
        "earnings",
        "data",
    ],
    [
        "code",
        "compiler",
        "program",
        "function",
        "memory",
        "server",
        "database",
        "network",
        "software",
        "bug",
        "thread",
        "kernel",
        "library",
        "variable",
        "debug",
        "query",
        "cache",
        "process",
        "file",
        "linux",
        "python",
        "rust",
        "algorithm",
        "data",
        "test",
        "build",
        "api",
        "cloud",
        "disk",
        "share",
    ],
];

/// Words of every theme.
const COMMON: [&str; 15] = [
    "new", "time", "year", "people", "way", "day", "good", "great", "first", "last", "many",
    "part", "world", "work", "place",
];

/// 600 documents, 100 a theme in turn, 25 to 80 words each: 10 % common words, and of the
/// rest 60 to 90 % from the document's theme and the others from one other theme. Within a
/// theme, word r is drawn with weight 1/(r + 1)^0.7, so each theme has frequent and rare words.
fn planted_corpus(dir: &Path) -> PathBuf {
    let mut rng = TestRng::new(6);
    let weights: Vec<f64> = (0..30).map(|r| 1.0 / ((r + 1) as f64).powf(0.7)).collect();
    let total: f64 = weights.iter().sum();
    let draw = |rng: &mut TestRng, words: &[&'static str; 30]| -> &'static str {
        let mut u = rng.uniform() * total;
        for (w, &p) in words.iter().zip(&weights) {
            if u < p {
                return w;
            }
            u -= p;
        }
        words[29]
    };
    let mut lines = String::new();
    for i in 0..600 {
        let main = i % 6;
        let other = (main + 1 + (rng.next_u64() % 5) as usize) % 6;
        let own = 0.6 + 0.3 * rng.uniform();
        let length = 25 + (rng.next_u64() % 56) as usize;
        let mut text = Vec::with_capacity(length);
        for _ in 0..length {
            let u = rng.uniform();
            text.push(if u < 0.1 {
                COMMON[(rng.next_u64() % 15) as usize]
            } else if u < 0.1 + 0.9 * own {
                draw(&mut rng, &THEMES[main])
            } else {
                draw(&mut rng, &THEMES[other])
            });
        }
        lines.push_str(&format!(
            "{{\"id\": \"d{i}\", \"label\": \"theme{main}\", \"text\": \"{}\"}}\n",
            text.join(" ")
        ));
    }
    let path = dir.join("planted.jsonl");
    std::fs::write(&path, lines).unwrap();
    path
}

/// `rank` of the planted corpus for `topics` as JSON, with `extra` arguments.
fn rank_json(corpus: &Path, topics: &str, extra: &[&str]) -> Value {
    let mut args = vec![
        "rank",
        arg(corpus),
        "--topics",
        topics,
        "--quiet",
        "--json",
        "-",
    ];
    args.extend_from_slice(extra);
    serde_json::from_slice(&run_ok(&args).stdout).expect("rank --json - writes JSON")
}

/// The survey without its timings, to compare runs.
fn without_seconds(mut v: Value) -> Value {
    v.as_object_mut().unwrap().remove("seconds");
    for row in v["ranks"].as_array_mut().unwrap() {
        row.as_object_mut().unwrap().remove("seconds");
    }
    v
}

#[test]
fn planted_six_themes_suggest_six_whatever_the_seed() {
    let dir = util::tempdir();
    let corpus = planted_corpus(dir.path());
    for seed in ["0", "1", "2"] {
        let v = rank_json(&corpus, "2..10", &["--seed", seed]);
        let summary: Vec<String> = v["ranks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| format!("{}: {} {}", r["topics"], r["cophenetic"], r["mean_npmi"]))
            .collect();
        assert_eq!(
            v["suggestion"]["topics"], 6,
            "seed {seed}: {}\n{summary:#?}",
            v["suggestion"]["reason"]
        );
    }
}

#[test]
fn the_table_marks_the_suggested_k_and_says_why() {
    let dir = util::tempdir();
    let corpus = planted_corpus(dir.path());
    let out = stdout(&run_ok(&[
        "rank",
        arg(&corpus),
        "--topics",
        "4..8",
        "--label-field",
        "label",
        "--quiet",
    ]));
    let header = out.lines().next().unwrap();
    for column in [
        "K",
        "div/token",
        "mean NPMI",
        "diversity",
        "cophenetic",
        "NMI labels",
        "seconds",
    ] {
        assert!(header.contains(column), "{header}");
    }
    let marked: Vec<&str> = out.lines().filter(|l| l.starts_with('*')).collect();
    assert_eq!(marked.len(), 1, "{out}");
    assert!(
        marked[0].trim_start_matches('*').trim().starts_with("6 "),
        "{out}"
    );
    let why = out
        .lines()
        .find(|l| l.starts_with("suggested: K = 6: "))
        .expect(&out);
    assert!(why.contains("NPMI") && why.contains("cophenetic"), "{why}");
}

#[test]
fn json_has_the_documented_fields() {
    let dir = util::tempdir();
    let corpus = planted_corpus(dir.path());
    let json = dir.path().join("rank.json");
    let out = run_ok(&[
        "rank",
        arg(&corpus),
        "--topics",
        "3,6",
        "--restarts",
        "2",
        "--sample",
        "100",
        "--quiet",
        "--json",
        arg(&json),
    ]);
    assert!(
        stdout(&out).starts_with("    K"),
        "the table still goes to standard output"
    );
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(v["format"], "nmf-topics/rank");
    assert_eq!(v["version"], 1);
    for field in [
        "documents",
        "words",
        "words_before_pruning",
        "nonzeros",
        "tokens",
        "empty_documents",
    ] {
        assert!(v["corpus"][field].is_number(), "corpus.{field}");
    }
    let p = &v["parameters"];
    assert_eq!(p["topics"], serde_json::json!([3, 6]));
    assert_eq!(p["restarts"], 2);
    assert_eq!(p["init"], "random");
    assert_eq!(p["sample"], 100);
    assert_eq!(p["weighting"], "counts");
    assert_eq!(
        (p["solver"].as_str(), p["loss"].as_str()),
        (Some("mu"), Some("kl"))
    );
    for field in ["analyzer", "pruning", "max_iter", "tol", "seed", "threads"] {
        assert!(!p[field].is_null(), "parameters.{field}");
    }
    let ranks = v["ranks"].as_array().unwrap();
    assert_eq!(ranks.len(), 2);
    for r in ranks {
        for field in [
            "topics",
            "divergence",
            "divergence_per_token",
            "mean_npmi",
            "mean_umass",
            "diversity",
            "cophenetic",
            "sampled",
            "seconds",
        ] {
            assert!(r[field].is_number(), "ranks[].{field}: {r}");
        }
        assert!(r.get("label_nmi").is_none(), "no labels, no label_nmi");
        assert_eq!(r["sampled"], 100);
        let runs = r["restarts"].as_array().unwrap();
        assert_eq!(runs.len(), 2);
        assert_eq!(
            (runs[0]["seed"].as_u64(), runs[1]["seed"].as_u64()),
            (Some(0), Some(1))
        );
        let lowest = runs
            .iter()
            .map(|x| x["divergence"].as_f64().unwrap())
            .fold(f64::INFINITY, f64::min);
        assert_eq!(r["divergence"].as_f64(), Some(lowest));
    }
    assert!([3, 6].contains(&v["suggestion"]["topics"].as_u64().unwrap()));
    assert!(v["suggestion"]["reason"].as_str().unwrap().len() > 20);
    for field in ["reading", "matrix", "ranking"] {
        assert!(v["seconds"][field].is_number(), "seconds.{field}");
    }
}

#[test]
fn tfidf_weighting_is_what_the_runs_fit_and_what_the_divergence_is_over() {
    let dir = util::tempdir();
    let corpus = planted_corpus(dir.path());
    let survey = |weighting: &str| {
        let extra = [
            "--weighting",
            weighting,
            "--loss",
            "frobenius",
            "--restarts",
            "2",
        ];
        rank_json(&corpus, "4,6", &extra)
    };
    // Each row's divergence over its divergence per unit: the sum of V's values.
    let totals = |v: &Value| -> Vec<f64> {
        let rows = v["ranks"].as_array().unwrap();
        rows.iter()
            .map(|r| {
                r["divergence"].as_f64().unwrap() / r["divergence_per_token"].as_f64().unwrap()
            })
            .collect()
    };
    let (counts, tfidf) = (survey("counts"), survey("tfidf"));
    assert_eq!(tfidf["parameters"]["weighting"], "tfidf");
    let tokens = counts["corpus"]["tokens"].as_f64().unwrap();
    for total in totals(&counts) {
        assert!(
            (total / tokens - 1.0).abs() < 1e-4,
            "{total} against {tokens} tokens"
        );
    }
    // Unit-length documents: each document's weights sum to between 1 and √(its words).
    let documents = tfidf["corpus"]["documents"].as_f64().unwrap();
    let weights = totals(&tfidf);
    for &total in &weights {
        assert!(
            total > documents && total < tokens,
            "{total}: {documents} documents, {tokens} tokens"
        );
        assert!((total / weights[0] - 1.0).abs() < 1e-4, "{weights:?}");
    }
    let divergence = |v: &Value| v["ranks"][0]["divergence"].as_f64().unwrap();
    assert!(
        divergence(&tfidf) < divergence(&counts) / 10.0,
        "unit-length documents leave far less to explain: {} against {}",
        divergence(&tfidf),
        divergence(&counts)
    );
    let table = stdout(&run_ok(&[
        "rank",
        arg(&corpus),
        "--topics",
        "4",
        "--weighting",
        "tfidf",
        "--quiet",
    ]));
    assert!(
        table.lines().next().unwrap().contains("div/weight"),
        "{table}"
    );
}

#[test]
fn the_plot_is_well_formed_svg_with_a_panel_a_figure() {
    let dir = util::tempdir();
    let corpus = planted_corpus(dir.path());
    let plot = dir.path().join("k.svg");
    run_ok(&[
        "rank",
        arg(&corpus),
        "--topics",
        "4..8",
        "--label-field",
        "label",
        "--quiet",
        "--plot",
        arg(&plot),
    ]);
    assert_eq!(
        util::files_in(dir.path()),
        ["k.svg", "planted.jsonl"],
        "nothing half-written left"
    );
    let text = std::fs::read_to_string(&plot).unwrap();
    let doc = roxmltree::Document::parse(&text).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://www.w3.org/2000/svg")
    );
    let texts: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text())
        .collect();
    for title in [
        "Divergence per token",
        "Mean NPMI",
        "Diversity",
        "Cophenetic correlation",
        "NMI with the labels",
    ] {
        assert!(
            texts.iter().any(|t| t.starts_with(title)),
            "panel {title}: {texts:?}"
        );
    }
    assert_eq!(
        texts.iter().filter(|t| **t == "K = 6").count(),
        5,
        "the suggested K in every panel"
    );
    assert!(texts.iter().any(|t| t.starts_with("Suggested K = 6:")));
    // A line through the five K of each panel, a dot a K.
    let lines = doc
        .descendants()
        .filter(|n| n.has_tag_name("polyline"))
        .count();
    assert_eq!(lines, 5);
    assert_eq!(
        doc.descendants()
            .filter(|n| n.has_tag_name("circle"))
            .count(),
        25
    );
    assert!(!text.contains("NaN") && !text.contains("inf"), "{text}");
}

#[test]
fn one_run_a_k_says_it_has_no_cophenetic_correlation() {
    let dir = util::tempdir();
    let corpus = planted_corpus(dir.path());
    let plot = dir.path().join("k.svg");
    let out = stdout(&run_ok(&[
        "rank",
        arg(&corpus),
        "--topics",
        "5..7",
        "--restarts",
        "1",
        "--quiet",
        "--plot",
        arg(&plot),
    ]));
    assert!(out.contains("--restarts 2 or more"), "{out}");
    assert!(out.contains("no cophenetic correlation"), "{out}");
    let v = rank_json(&corpus, "5..7", &["--restarts", "1"]);
    assert!(v["ranks"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["cophenetic"].is_null()));
    let svg = std::fs::read_to_string(&plot).unwrap();
    roxmltree::Document::parse(&svg).expect("well-formed XML");
    assert!(svg.contains("needs --restarts 2 or more"));
}

#[test]
fn the_same_seed_gives_the_same_survey_on_one_thread_and_two() {
    let dir = util::tempdir();
    let corpus = planted_corpus(dir.path());
    let one = without_seconds(rank_json(
        &corpus,
        "2..10",
        &["--threads", "1", "--seed", "3"],
    ));
    let two = without_seconds(rank_json(
        &corpus,
        "2..10",
        &["--threads", "2", "--seed", "3"],
    ));
    let mut two_params = two.clone();
    two_params["parameters"]["threads"] = 1.into();
    assert_eq!(one, two_params);
    let other = without_seconds(rank_json(
        &corpus,
        "2..10",
        &["--threads", "1", "--seed", "4"],
    ));
    assert_ne!(one["ranks"], other["ranks"], "another seed, other runs");
}

#[test]
fn nndsvda_restarts_barely_differ() {
    // Why rank starts at random by default: NNDSVDa runs differ only by the SVD's random
    // projection, and on the planted corpus give the same clustering at every K up to 6.
    let dir = util::tempdir();
    let corpus = planted_corpus(dir.path());
    let v = rank_json(&corpus, "2..6", &["--init", "nndsvda"]);
    for r in v["ranks"].as_array().unwrap() {
        assert!(r["cophenetic"].as_f64().unwrap() >= 0.999, "{r}");
    }
}

#[test]
fn bad_settings_are_refused_before_any_fit() {
    let dir = util::tempdir();
    let corpus = planted_corpus(dir.path());
    let c = arg(&corpus);
    let cases: [(&[&str], &str); 11] = [
        (&["--topics", "10..5"], "write the smaller K first"),
        (&["--topics", "0..5"], "the smallest K is 1"),
        (&["--topics", "3,0"], "the smallest K is 1"),
        (&["--topics", "five"], "not a whole number"),
        (
            &["--topics", "2..6", "--step", "0"],
            "'0' for '--step <STEP>'",
        ),
        (
            &["--topics", "2,6", "--step", "2"],
            "--step applies to a range",
        ),
        (
            &["--topics", "2..6", "--restarts", "0"],
            "'0' for '--restarts <N>'",
        ),
        (
            &["--topics", "2..6", "--max-iter", "0"],
            "'0' for '--max-iter <N>'",
        ),
        (&["--topics", "2..6", "--sample", "2"], "from 3 to 10,000"),
        (
            &["--topics", "2..6", "--sample", "10001"],
            "'10001' for '--sample <N>'",
        ),
        (
            &["--topics", "150..300", "--step", "150"],
            "K = 300 cannot be fitted",
        ),
    ];
    for (extra, expected) in cases {
        let mut args = vec!["rank", c, "--quiet"];
        args.extend_from_slice(extra);
        let err = run_err(&args);
        assert!(err.contains(expected), "{extra:?}: {err}");
    }
    let missing = dir.path().join("no/such/k.svg");
    let err = run_err(&["rank", c, "--topics", "2..3", "--plot", arg(&missing)]);
    assert!(err.contains("does not exist"), "{err}");
}
