//! `nmf-topics man`: the manual pages, generated from the command line's own definition: one
//! page for the command and one for each subcommand (`nmf-topics-fit(1)`, …), as git and cargo
//! have them. `cargo install` installs no manual page, so the command writes them.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use clap_mangen::Man;

use super::output::{Destination, Outputs};

const EXAMPLES: &str = "\
Examples:
  nmf-topics man | man -l -                        # read the page of the command
  nmf-topics man fit | man -l -                    # the page of one subcommand
  nmf-topics man --dir ~/.local/share/man/man1     # install every page: then man nmf-topics-fit";

/// Print the manual page of the command or of a subcommand, or write every page to a folder
#[derive(Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct ManArgs {
    /// The subcommand whose page to print [default: the command's own page]
    #[arg(value_name = "SUBCOMMAND", conflicts_with = "dir")]
    subcommand: Option<String>,

    /// Write every page (nmf-topics.1, nmf-topics-fit.1, …) into the folder DIR instead
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
}

pub fn run(args: ManArgs, command: clap::Command) -> Result<()> {
    let mut command = command.disable_help_subcommand(true);
    command.build();
    let source = format!("{} {}", command.get_name(), env!("CARGO_PKG_VERSION"));
    let pages: Vec<clap::Command> = std::iter::once(command.clone())
        .chain(command.get_subcommands().cloned())
        .collect();
    let page = |cmd: clap::Command| -> Result<(String, Vec<u8>)> {
        let man = Man::new(cmd);
        let mut roff = Vec::new();
        man.render(&mut roff)?;
        Ok((man.get_filename(), with_title(&roff, &man, &source)))
    };
    match (args.dir, args.subcommand) {
        (Some(dir), _) => {
            anyhow::ensure!(
                dir.is_dir(),
                "cannot write the manual pages into {}: it is not a folder (create it first)",
                dir.display()
            );
            // Every page is written, then all are put in place together, or none.
            let mut outputs = Outputs::new(Vec::new());
            let mut written = Vec::with_capacity(pages.len());
            for cmd in pages {
                let (name, roff) = page(cmd)?;
                let out = outputs.reserve("--dir", &Destination::File(dir.join(name)))?;
                written.push((out, roff));
            }
            for (out, roff) in written {
                outputs.write(out, |o| o.write_all(&roff))?;
            }
            outputs.commit()
        }
        (None, None) => {
            let (_, roff) = page(command)?;
            to_stdout(&roff)
        }
        (None, Some(name)) => {
            let sub = command.find_subcommand(&name).cloned().ok_or_else(|| {
                let names: Vec<&str> = command.get_subcommands().map(|s| s.get_name()).collect();
                anyhow::anyhow!(
                    "no subcommand '{name}': the pages are of {}",
                    names.join(", ")
                )
            })?;
            let (_, roff) = page(sub)?;
            to_stdout(&roff)
        }
    }
}

fn to_stdout(roff: &[u8]) -> Result<()> {
    let mut outputs = Outputs::new(Vec::new());
    let out = outputs.reserve("the page", &Destination::Stdout)?;
    outputs.write(out, |o| o.write_all(roff))?;
    outputs.commit()
}

/// The page with its `.TH` line written again: clap_mangen leaves out an empty date instead of
/// quoting it, so the source and manual would slide into the date's place. No date is given:
/// the page is the same whenever it is generated.
fn with_title(roff: &[u8], man: &Man, source: &str) -> Vec<u8> {
    let name = man.get_filename();
    let title = name.rsplit_once('.').map_or(name.as_str(), |(t, _)| t);
    let th = format!(
        ".TH {} 1 \"\" \"{source}\" \"User Commands\"",
        title.to_uppercase()
    );
    let text = String::from_utf8_lossy(roff);
    let mut out = String::with_capacity(text.len() + th.len());
    for line in text.lines() {
        out.push_str(if line.starts_with(".TH ") { &th } else { line });
        out.push('\n');
    }
    out.into_bytes()
}
