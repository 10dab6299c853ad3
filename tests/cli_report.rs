//! `nmf-topics report --html`: one self-contained page, checked in a headless Chromium.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::{self, arg, run_err, run_ok, TestRng};

/// Titles a page must show as text, never run or parse as markup.
const HOSTILE: [&str; 4] = [
    "</script><script>document.title='pwned'</script>",
    "<img src=x onerror=\"document.title='pwned'\">",
    "\"quoted\" & 'apostrophes' <b>bold</b>",
    "line\u{2028}separator",
];

/// 60 documents on three themes, some with hostile titles; fitted with 3 topics.
fn hostile_model(dir: &Path) -> PathBuf {
    let themes = [
        ["apple", "banana", "cherry", "grape", "melon", "peach"],
        ["engine", "wheel", "brake", "gearbox", "clutch", "piston"],
        ["violin", "cello", "flute", "oboe", "harp", "trumpet"],
    ];
    let mut rng = TestRng::new(3);
    let mut lines = String::new();
    for i in 0..60 {
        let words = themes[i % 3];
        let text: Vec<&str> = (0..12)
            .map(|_| words[(rng.next_u64() % 6) as usize])
            .collect();
        let title = if i < HOSTILE.len() {
            HOSTILE[i].to_owned()
        } else {
            format!("Document {i}")
        };
        let line =
            serde_json::json!({"id": format!("d{i}"), "title": title, "text": text.join(" ")});
        lines.push_str(&line.to_string());
        lines.push('\n');
    }
    let corpus = dir.join("corpus.jsonl");
    std::fs::write(&corpus, lines).unwrap();
    let model = dir.join("model");
    run_ok(&[
        "fit",
        arg(&corpus),
        "-k",
        "3",
        "--max-iter",
        "50",
        "-q",
        "--model",
        arg(&model),
    ]);
    model
}

/// Chromium, when this machine has it; without it, a browser test is skipped, saying so, except
/// under CI, where it fails.
fn chromium() -> Option<PathBuf> {
    let fixed = PathBuf::from("/usr/bin/chromium");
    let found = if fixed.is_file() {
        Some(fixed)
    } else {
        std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|p| p.join("chromium"))
                .find(|p| p.is_file())
        })
    };
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but chromium is missing: .ci/run installs it (apt-get install chromium)"
        );
        eprintln!(
            "skipped the browser test: no chromium on this machine (apt-get install chromium)"
        );
    }
    found
}

/// The DOM of `page` after its scripts ran, from a headless Chromium with no network.
fn dump_dom(browser: &Path, page: &Path) -> String {
    let profile = util::tempdir();
    let out = profile.path().join("dom.html");
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
        ])
        .arg(format!(
            "--user-data-dir={}",
            profile.path().join("p").display()
        ))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromium starts");
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "chromium failed: {status}");
            break;
        }
        if started.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("chromium did not finish within 120 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    std::fs::read_to_string(&out).unwrap()
}

#[test]
fn the_html_report_is_self_contained_and_escapes_every_title() {
    let dir = util::tempdir();
    let model = hostile_model(dir.path());
    let page = dir.path().join("report.html");
    run_ok(&[
        "report",
        "--model",
        arg(&model),
        "--html",
        arg(&page),
        "--title",
        "Fruit & <cars>",
    ]);
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<title>Fruit &amp; &lt;cars&gt;</title>"));
    // Nothing from elsewhere: no links, sources, imports or URLs. (Titles are in the page, but
    // only inside escaped JSON, where a quote is \".)
    for outside in [
        "<link", "<img", "<iframe", "<object", "<embed", " src=\"", "href=\"", "@import", "url(",
        "http://", "https://",
    ] {
        if let Some(at) = html.find(outside) {
            let from = (0..=at.saturating_sub(80))
                .rev()
                .find(|&i| html.is_char_boundary(i))
                .unwrap_or(0);
            let context: String = html[from..].chars().take(160).collect();
            panic!("the page contains {outside:?}: …{context}…");
        }
    }
    // Exactly our three scripts: the error hook, the data, the table and explorer.
    assert_eq!(html.matches("<script").count(), 3);
    assert_eq!(html.matches("</script>").count(), 3);
    assert!(!html.contains("<img"));
    assert!(!html.contains("<b>bold"));
    assert_eq!(html.matches("class=\"topic-card\"").count(), 3);
    // Each card lists representative documents with snippets cut from the corpus.
    assert_eq!(html.matches("<ul class=\"examples\">").count(), 3);
    assert!(html.matches("<q>").count() >= 3, "snippets in the cards");
    for word in ["apple", "engine", "violin"] {
        assert!(html.contains(&format!(">{word}</text>")), "{word}");
    }
    // Under the divergence chart, why the iterations stopped, as the terminal says it.
    let stopped = [
        "iterations (converged: the divergence fell",
        "50 iterations (stopped at --max-iter 50)",
    ];
    assert!(stopped.iter().any(|s| html.contains(s)), "no stop reason");
}

#[test]
fn the_html_report_renders_in_a_headless_browser_without_script_errors() {
    let Some(browser) = chromium() else {
        return;
    };
    let dir = util::tempdir();
    let model = hostile_model(dir.path());
    let page = dir.path().join("report.html");
    run_ok(&["report", "--model", arg(&model), "--html", arg(&page)]);
    let dom = dump_dom(&browser, &page);
    let check = dom
        .split("data-check=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("the script did not finish: no data-check in\n{dom}"));
    assert_eq!(check, "cards=3 rows=60 errors=0");
    assert!(!dom.contains("data-errors=\""), "a script error was caught");
    // A title that ran as code would have renamed the page.
    assert!(dom.contains("<title>Topics of model</title>"));
    // The hostile titles are in the table, as text.
    assert!(dom.contains("&lt;/script&gt;&lt;script&gt;document.title='pwned'"));
    assert!(dom.contains("&lt;img src=x onerror="));
    assert!(!dom.contains("<img"));
    assert_eq!(
        dom.matches("<tr>").count(),
        1 + 60,
        "header and one row a document"
    );
}

#[test]
fn report_errors_name_the_problem() {
    let dir = util::tempdir();
    let err = run_err(&[
        "report",
        "--model",
        arg(&dir.path().join("absent")),
        "--html",
        arg(&dir.path().join("x.html")),
    ]);
    assert!(err.contains("no model at"), "{err}");
    let err = run_err(&[
        "report",
        "--model",
        arg(&dir.path().join("absent")),
        "--html",
        arg(&dir.path().join("no/such/x.html")),
    ]);
    assert!(err.contains("does not exist"), "{err}");
    let model = util::fit_small_model(dir.path(), &[]);
    let err = run_err(&[
        "report",
        "--model",
        arg(&model),
        "--html",
        arg(&dir.path().join("x.html")),
        "--relevance",
        "3",
    ]);
    assert!(err.contains("between 0 and 1"), "{err}");
    assert!(!dir.path().join("x.html").exists());
}

/// `page` with `script` run after the page's own scripts: a copy beside it, for
/// [`dump_dom`] to open.
fn with_script(page: &Path, script: &str) -> PathBuf {
    let html = std::fs::read_to_string(page).unwrap();
    let at = html.rfind("</body>").expect("a body");
    let copy = page.with_extension("driven.html");
    std::fs::write(
        &copy,
        format!("{}<script>{script}</script>{}", &html[..at], &html[at..]),
    )
    .unwrap();
    copy
}

/// The value of attribute `name` of `<body>` in `dom`, unescaped.
fn body_attribute(dom: &str, name: &str) -> String {
    let raw = dom
        .split(&format!("{name}=\""))
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("no {name} in the page: the script did not finish\n{dom}"));
    raw.replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The topics' words, ranked as `topics --relevance λ` ranks them.
fn rust_ranking(model: &Path, lambda: f64, n: usize) -> Vec<Vec<String>> {
    let out = run_ok(&[
        "topics",
        "--model",
        arg(model),
        "--relevance",
        &lambda.to_string(),
        "--top-words",
        &n.to_string(),
        "--json",
        "-",
    ]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    report["topics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            t["words"]
                .as_array()
                .unwrap()
                .iter()
                .map(|w| w["word"].as_str().unwrap().to_owned())
                .collect()
        })
        .collect()
}

#[test]
fn the_lambda_slider_ranks_as_the_rust_relevance_and_selections_work() {
    let Some(browser) = chromium() else {
        return;
    };
    let dir = util::tempdir();
    let model = util::fit_small_model(dir.path(), &["--label-field", "section"]);
    let page = dir.path().join("report.html");
    run_ok(&["report", "--model", arg(&model), "--html", arg(&page)]);
    let lambdas = [0.0, 0.07, 0.33, 0.6, 0.99, 1.0];
    // Drive the page as a person would: pick each topic in the menu, move the slider; click a
    // circle, press Enter on another, then select a word.
    let script = format!(
        r#"(function () {{
  var select = document.getElementById('ex-topic');
  var slider = document.getElementById('ex-lambda');
  var ranks = {{}};
  [{lambdas}].forEach(function (lambda) {{
    ranks[lambda] = [];
    for (var k = 1; k <= select.options.length; k++) {{
      select.value = String(k);
      select.dispatchEvent(new Event('change'));
      slider.value = String(lambda);
      slider.dispatchEvent(new Event('input'));
      ranks[lambda].push(Array.prototype.map.call(
        document.querySelectorAll('#ex-words button.word'), function (b) {{ return b.textContent; }}));
    }}
  }});
  var dot = function (k) {{ return document.querySelector('#ex-map .dot[data-k="' + k + '"]'); }};
  dot(3).dispatchEvent(new MouseEvent('click', {{ bubbles: true }}));
  var clicked = select.value + ' ' + dot(3).getAttribute('aria-pressed') + ' ' + dot(1).getAttribute('aria-pressed');
  dot(2).dispatchEvent(new KeyboardEvent('keydown', {{ key: 'Enter', bubbles: true }}));
  var pressed = select.value + ' ' + dot(2).classList.contains('selected');
  slider.value = '1';
  slider.dispatchEvent(new Event('input'));
  var word = document.querySelector('#ex-words button.word');
  word.click();
  var holds = Array.prototype.map.call(document.querySelectorAll('#ex-map .dot.holds'),
    function (g) {{ return Number(g.getAttribute('data-k')); }}).sort(function (a, b) {{ return a - b; }});
  var result = {{ ranks: ranks, clicked: clicked, pressed: pressed, word: word.textContent,
    holds: holds, status: document.getElementById('ex-status').textContent,
    pressedWord: document.querySelector('#ex-words button.word').getAttribute('aria-pressed'),
    errors: window.nmfErrors.length }};
  document.body.setAttribute('data-driven', JSON.stringify(result));
}})();"#,
        lambdas = lambdas.map(|l| l.to_string()).join(", ")
    );
    let dom = dump_dom(&browser, &with_script(&page, &script));
    let driven: serde_json::Value =
        serde_json::from_str(&body_attribute(&dom, "data-driven")).unwrap();
    assert_eq!(driven["errors"], 0, "script errors");
    assert_eq!(body_attribute(&dom, "data-explorer"), "dots=6 words=30");
    for lambda in lambdas {
        let want = rust_ranking(&model, lambda, 30);
        let got: Vec<Vec<String>> =
            serde_json::from_value(driven["ranks"][lambda.to_string()].clone()).unwrap();
        assert_eq!(got, want, "λ = {lambda}");
    }
    // λ changes the ranking, or the test would prove little.
    assert_ne!(rust_ranking(&model, 0.0, 30), rust_ranking(&model, 1.0, 30));
    assert_eq!(
        driven["clicked"], "3 true false",
        "a click on circle 3 selects topic 3"
    );
    assert_eq!(
        driven["pressed"], "2 true",
        "Enter on circle 2 selects topic 2"
    );
    // The word's topics are those `senses` lists (p(topic | word) at least 0.05).
    let word = driven["word"].as_str().unwrap();
    let senses: serde_json::Value = serde_json::from_slice(
        &run_ok(&["senses", word, "--model", arg(&model), "--json", "-"]).stdout,
    )
    .unwrap();
    let mut topics: Vec<u64> = senses["senses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["topic"].as_u64().unwrap())
        .collect();
    topics.sort_unstable();
    assert!(!topics.is_empty());
    assert_eq!(driven["holds"], serde_json::json!(topics), "{word}");
    assert_eq!(driven["pressedWord"], "true");
    let status = driven["status"].as_str().unwrap();
    assert!(status.contains(&format!("\"{word}\" is in #")), "{status}");
}

/// 3,000 documents over 1,000 words, each two of 50 themes of 40 words.
fn wide_model(dir: &Path) -> PathBuf {
    let word = |i: usize| {
        let letters = b"bcdfghjklmnpqrstvwxz";
        let (a, b, c) = (i / 400, i / 20 % 20, i % 20);
        format!(
            "q{}{}a{}",
            letters[a] as char, letters[b] as char, letters[c] as char
        )
    };
    let mut rng = TestRng::new(50);
    let mut lines = String::new();
    for d in 0..3000 {
        let themes = [d % 50, (d * 7 + 3) % 50];
        let text: Vec<String> = (0..30)
            .map(|i| {
                let theme = themes[i % 2];
                if rng.uniform() < 0.9 {
                    word(theme * 20 + (rng.next_u64() % 40) as usize % 1000)
                } else {
                    word((rng.next_u64() % 1000) as usize)
                }
            })
            .collect();
        lines.push_str(
            &serde_json::json!({"id": format!("d{d}"), "text": text.join(" ")}).to_string(),
        );
        lines.push('\n');
    }
    let corpus = dir.join("wide.jsonl");
    std::fs::write(&corpus, lines).unwrap();
    let model = dir.join("wide.model");
    run_ok(&[
        "fit",
        arg(&corpus),
        "-k",
        "50",
        "--max-iter",
        "40",
        "--min-df",
        "1",
        "-q",
        "--model",
        arg(&model),
    ]);
    model
}

#[test]
fn fifty_topics_over_a_thousand_words_embed_little_and_every_slider_step_redraws() {
    let dir = util::tempdir();
    let model = wide_model(dir.path());
    let page = dir.path().join("wide.html");
    run_ok(&["report", "--model", arg(&model), "--html", arg(&page)]);
    let html = std::fs::read_to_string(&page).unwrap();
    let data = html
        .split("<script type=\"application/json\" id=\"report-data\">")
        .nth(1)
        .and_then(|rest| rest.split("</script>").next())
        .unwrap();
    let data: serde_json::Value = serde_json::from_str(data).unwrap();
    let explorer = data["explorer"].to_string();
    let kept: usize = data["explorer"]["topics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_array().unwrap().len())
        .sum();
    // A topic keeps the words that can reach its top 30 at some λ, not the vocabulary.
    assert!(kept <= 50 * 4 * 30, "{kept} candidates");
    assert!(explorer.len() < 200_000, "{} bytes", explorer.len());
    let Some(browser) = chromium() else {
        return;
    };
    // Every topic at every step of the slider: 5,050 redraws, none may fail.
    let script = r#"(function () {
  var select = document.getElementById('ex-topic');
  var slider = document.getElementById('ex-lambda');
  var drawn = 0;
  for (var k = 1; k <= 50; k++) {
    select.value = String(k);
    select.dispatchEvent(new Event('change'));
    for (var step = 0; step <= 100; step++) {
      slider.value = String(step / 100);
      slider.dispatchEvent(new Event('input'));
      if (document.querySelectorAll('#ex-words li').length === 30) { drawn++; }
    }
  }
  document.body.setAttribute('data-driven', drawn + ' ' + window.nmfErrors.length);
})();"#;
    let dom = dump_dom(&browser, &with_script(&page, script));
    assert_eq!(body_attribute(&dom, "data-explorer"), "dots=50 words=30");
    assert_eq!(body_attribute(&dom, "data-driven"), "5050 0");
}
