//! Progress bars on standard error, only for a person watching a terminal.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

/// Whether progress is drawn: stderr is a terminal and `--quiet` was not given.
pub fn wanted(quiet: bool) -> bool {
    !quiet && std::io::stderr().is_terminal()
}

/// A bar of `total` units (bytes when `bytes`), hidden when not `shown`. A bar of iterations
/// shows its prefix after the count.
pub fn bar(shown: bool, total: Option<u64>, message: &str, bytes: bool) -> ProgressBar {
    if !shown {
        return ProgressBar::hidden();
    }
    let bar = match total {
        Some(t) => ProgressBar::new(t),
        None => ProgressBar::new_spinner(),
    };
    let template = match (total.is_some(), bytes) {
        (true, true) => "{msg:>9} [{bar:40}] {bytes}/{total_bytes} ({bytes_per_sec}, {eta} left)",
        // A stopping rule may end the iterations before the last: the time left is a bound.
        (true, false) => "{msg:>9} [{bar:40}] {pos}/{len} iterations{prefix} ({eta} left at most)",
        (false, true) => "{msg:>9} {spinner} {bytes} ({bytes_per_sec})",
        (false, false) => "{msg:>9} {spinner} {pos}",
    };
    bar.set_style(
        ProgressStyle::with_template(template)
            .expect("progress templates are valid")
            .progress_chars("=> "),
    );
    bar.set_message(message.to_owned());
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}
