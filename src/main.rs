//! The `nmf-topics` command: clap subcommands over the library. It reads arguments, calls the
//! stages in order, shows progress and writes the outputs; it computes nothing itself.

mod cli;

use std::process::ExitCode;

use nmf_topics::report::printable;

fn main() -> ExitCode {
    cli::memory::tune();
    match cli::run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) if cli::is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            // Causes can quote the corpus (ids, file names): its control characters are shown
            // escaped, never sent to the terminal.
            let mut message = format!("error: {}", printable(&err.to_string()));
            for cause in err.chain().skip(1) {
                message.push_str(&format!("\n  caused by: {}", printable(&cause.to_string())));
            }
            eprintln!("{message}");
            ExitCode::from(2)
        }
    }
}
