//! The `nmf-topics` command: clap subcommands over the library. It reads arguments, calls the
//! stages in order, shows progress and writes the outputs; it computes nothing itself.

mod cli;

use std::io;
use std::process::ExitCode;

fn main() -> ExitCode {
    cli::memory::tune();
    match cli::run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            let mut message = format!("error: {err}");
            for cause in err.chain().skip(1) {
                message.push_str(&format!("\n  caused by: {cause}"));
            }
            eprintln!("{message}");
            ExitCode::from(2)
        }
    }
}

/// `nmf-topics fit … | head` closes the pipe early: not an error.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}
