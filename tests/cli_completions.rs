//! `nmf-topics completions`: scripts that each shell accepts and that complete our words.

use std::process::Command;

use crate::util::{run_err, run_ok, stdout};

/// The subcommands, as `--help` lists them (without `help`).
pub fn subcommands() -> Vec<String> {
    let help = stdout(&run_ok(&["--help"]));
    help.split("Commands:\n")
        .nth(1)
        .expect("a list of commands")
        .lines()
        .take_while(|l| !l.trim().is_empty())
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_owned)
        .collect()
}

/// Runs `script` with bash; its standard output.
fn bash(script: &str) -> String {
    let out = Command::new("bash")
        .args(["--norc", "--noprofile", "-c", script])
        .output()
        .expect("bash runs");
    assert!(
        out.status.success(),
        "bash failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn the_bash_script_is_valid_bash_and_completes_subcommands_and_options() {
    let script = stdout(&run_ok(&["completions", "bash"]));
    let dir = crate::util::tempdir();
    let file = dir.path().join("nmf-topics.bash");
    std::fs::write(&file, &script).unwrap();
    let path = file.display();
    bash(&format!("bash -n '{path}'"));
    // What bash offers after "nmf-topics " and "nmf-topics topics --rel", through the
    // function the script registers.
    let complete = |words: &[&str]| -> Vec<String> {
        let words_list: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
        let listed = bash(&format!(
            "source '{path}'\n\
             COMP_WORDS=({})\n\
             COMP_CWORD={}\n\
             COMP_LINE='{}'\n\
             COMP_POINT=${{#COMP_LINE}}\n\
             f=$(complete -p nmf-topics | sed 's/.*-F \\([^ ]*\\) .*/\\1/')\n\
             \"$f\" nmf-topics '{}' '{}'\n\
             printf '%s\\n' \"${{COMPREPLY[@]}}\"",
            words_list.join(" "),
            words.len() - 1,
            words.join(" "),
            words[words.len() - 1],
            words[words.len() - 2],
        ));
        listed.lines().map(str::to_owned).collect()
    };
    let offered = complete(&["nmf-topics", ""]);
    for name in subcommands() {
        assert!(
            offered.contains(&name),
            "{name} is not offered: {offered:?}"
        );
    }
    assert_eq!(complete(&["nmf-topics", "tra"]), ["transform"]);
    assert_eq!(
        complete(&["nmf-topics", "topics", "--rel"]),
        ["--relevance"]
    );
    let shells = complete(&["nmf-topics", "completions", ""]);
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        assert!(shells.iter().any(|s| s == shell), "{shell}: {shells:?}");
    }
}

#[test]
fn every_shell_gets_a_script_naming_every_subcommand() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let script = stdout(&run_ok(&["completions", shell]));
        for name in subcommands() {
            assert!(script.contains(&name), "{shell}: no {name}");
        }
        assert!(script.contains("relevance"), "{shell}");
    }
    // Shells that can check a script without running it, when this machine has them.
    for (shell, file) in [("zsh", "_nmf-topics"), ("fish", "nmf-topics.fish")] {
        let Ok(status) = Command::new(shell).arg("--version").output() else {
            continue;
        };
        if !status.status.success() {
            continue;
        }
        let dir = crate::util::tempdir();
        let path = dir.path().join(file);
        std::fs::write(&path, stdout(&run_ok(&["completions", shell]))).unwrap();
        let out = Command::new(shell).arg("-n").arg(&path).output().unwrap();
        assert!(
            out.status.success(),
            "{shell} -n: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn an_unknown_shell_is_an_error_that_lists_the_shells() {
    let err = run_err(&["completions", "tcsh"]);
    assert!(err.contains("tcsh") && err.contains("bash"), "{err}");
}
