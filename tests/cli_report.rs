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

/// Chromium, when this machine has it.
fn chromium() -> Option<PathBuf> {
    let fixed = PathBuf::from("/usr/bin/chromium");
    if fixed.is_file() {
        return Some(fixed);
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join("chromium"))
            .find(|p| p.is_file())
    })
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
    // Exactly our three scripts: the error hook, the data, the table.
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
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but chromium is missing: .ci/run installs it (apt-get install chromium)"
        );
        eprintln!("skipped: no chromium on this machine (apt-get install chromium)");
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
