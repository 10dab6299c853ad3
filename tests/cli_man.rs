//! `nmf-topics man`: a page for the command and for each subcommand, that groff renders.

use std::process::{Command, Stdio};

use crate::cli_completions::subcommands;
use crate::util::{arg, files_in, run_err, run_ok, stdout, tempdir};

/// groff, when this machine has it (CI installs it: `.ci/run`).
fn groff() -> bool {
    let found = Command::new("groff")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but groff is missing: .ci/run installs it (apt-get install groff-base)"
        );
        eprintln!("skipped rendering: no groff on this machine (apt-get install groff-base)");
    }
    found
}

/// The page rendered as plain text by groff (`-k`: through preconv, for the non-ASCII
/// characters of the help; `-P-cbou`: no bold or underline), failing on any warning.
fn render(page: &str) -> String {
    let dir = tempdir();
    let file = dir.path().join("page.1");
    std::fs::write(&file, page).unwrap();
    let out = Command::new("groff")
        .args(["-k", "-man", "-Tutf8", "-ww", "-P-cbou"])
        .arg(&file)
        .output()
        .expect("groff runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && err.is_empty(), "groff: {err}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn the_command_page_lists_every_subcommand_and_renders() {
    let page = stdout(&run_ok(&["man"]));
    assert!(
        page.contains(".TH NMF-TOPICS 1 \"\" \"nmf-topics "),
        "{page}"
    );
    let names = subcommands();
    assert!(names.len() >= 11, "{names:?}");
    for name in &names {
        assert!(
            page.contains(&format!("nmf\\-topics\\-{name}(1)")),
            "the page does not list {name}"
        );
    }
    if groff() {
        let text = render(&page);
        assert!(text.contains("SUBCOMMANDS"), "{text}");
        for name in &names {
            assert!(text.contains(&format!("nmf-topics-{name}(1)")), "{name}");
        }
    }
}

#[test]
fn man_dir_writes_a_page_for_each_subcommand() {
    let dir = tempdir();
    run_ok(&["man", "--dir", arg(dir.path())]);
    let mut want: Vec<String> = subcommands()
        .iter()
        .map(|name| format!("nmf-topics-{name}.1"))
        .collect();
    want.push("nmf-topics.1".into());
    want.sort();
    assert_eq!(files_in(dir.path()), want);
    let fit = std::fs::read_to_string(dir.path().join("nmf-topics-fit.1")).unwrap();
    for option in ["\\-\\-topics", "\\-\\-label\\-field", "\\-\\-min\\-df"] {
        assert!(fit.contains(option), "{option}");
    }
    // The same page as `man fit` prints.
    assert_eq!(fit, stdout(&run_ok(&["man", "fit"])));
    if groff() {
        for name in &want {
            let text = render(&std::fs::read_to_string(dir.path().join(name)).unwrap());
            let title = name.trim_end_matches(".1").to_uppercase();
            assert!(text.starts_with(&format!("{title}(1)")), "{name}: {text}");
        }
    }
}

#[test]
fn man_errors_name_the_problem() {
    let err = run_err(&["man", "fitt"]);
    assert!(
        err.contains("no subcommand 'fitt'") && err.contains("fit"),
        "{err}"
    );
    let dir = tempdir();
    let err = run_err(&["man", "--dir", arg(&dir.path().join("absent"))]);
    assert!(err.contains("not a folder"), "{err}");
}
