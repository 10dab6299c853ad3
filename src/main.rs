//! The `nmf-topics` command: clap subcommands over the library. It reads arguments, calls the
//! stages in order, shows progress and writes the outputs; it computes nothing itself.

mod cli;

use std::io;
use std::process::ExitCode;

fn main() -> ExitCode {
    tune_allocator();
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

/// glibc's malloc raises its mapping threshold to the size of each large block freed, so
/// later factors and scratch arrays come from arenas that keep freed memory resident, and it
/// opens more arenas than there are cores. A fixed threshold of 128 KiB (large blocks mapped
/// apart and unmapped when freed) and one arena a core keep the peak resident memory near the
/// live data: `fit -k 50` on the Debian corpus peaks at 120 MB instead of 164 MB, in the same
/// time (one arena in all would save 6 MB more but slows the parallel tokeniser).
fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        // SAFETY: mallopt only sets allocator parameters, before any other thread starts.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, cores.min(64) as libc::c_int);
            libc::mallopt(libc::M_MMAP_THRESHOLD, 128 << 10);
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
