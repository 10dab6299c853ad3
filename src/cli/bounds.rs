//! The bounds of every count option, checked as clap parses it, so that a huge number is a
//! usage error naming the option and its range rather than an allocation that aborts or a loop
//! that never ends. One table, shared by every subcommand:
//!
//! | options | range |
//! |---|---|
//! | `-k`/`--topics` (each K of `rank` and `bench`), `rank --step` | 1 to 10,000 |
//! | `--max-iter` | 1 to 1,000,000 |
//! | `--stable` | 1 to 100,000 |
//! | `--restarts` | 1 to 1,000 |
//! | `--threads` (each of `bench`'s) | 1 to [`max_threads`] |
//! | `--top-words`, `senses --documents` | 1 to 100,000 |
//! | `--drop-top`, `--max-words` | 0 or 1 to 100,000,000 |
//! | `--min-chars`, `--max-chars` | 1 to 1,000 |
//! | `search --limit` | 1 to 1,000,000 |
//! | `rank --sample` | 3 to 10,000 |
//! | `bench --iterations` | 1 to 100,000 |
//! | `bench --repeats` | 1 to 1,000 |
//! | `index --commit-every` | 1 to 1,000,000,000 |

use nmf_topics::report::thousands;

/// The most topics: 10,000, already far past what anyone reads, and W and H of a large corpus
/// take gigabytes there.
pub const MAX_TOPICS: usize = 10_000;

/// The most runs from different seeds.
pub const MAX_RESTARTS: usize = 1_000;

/// `arg` as a whole number from `LO` to `HI`, for clap's `value_parser`.
pub fn whole<const LO: usize, const HI: usize>(arg: &str) -> Result<usize, String> {
    in_range(arg, LO, HI)
}

/// As [`whole`], as a `u64`.
pub fn whole_u64<const LO: usize, const HI: usize>(arg: &str) -> Result<u64, String> {
    in_range(arg, LO, HI).map(|n| n as u64)
}

/// `--threads`: 1 to [`max_threads`].
pub fn threads(arg: &str) -> Result<usize, String> {
    let max = nmf_topics::nmf::max_threads();
    in_range(arg, 1, max)
        .map_err(|e| format!("{e}: past 4 a core (and at least 64), threads would only queue"))
}

/// Threads to run on: those asked for, else every core.
pub fn threads_or_all(asked: Option<usize>) -> usize {
    asked.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// Starts the global pool of `threads` workers, on which every parallel step of the command
/// runs.
pub fn start_threads(threads: usize) -> anyhow::Result<()> {
    use anyhow::Context;
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build_global()
        .context("cannot start the worker threads")
}

/// `n` with its thousands separated by commas, as the reports write numbers.
pub fn grouped(n: usize) -> String {
    thousands(n as f64)
}

fn in_range(arg: &str, lo: usize, hi: usize) -> Result<usize, String> {
    match arg.trim().parse::<usize>() {
        Ok(n) if (lo..=hi).contains(&n) => Ok(n),
        _ => Err(format!(
            "give a whole number from {} to {}",
            grouped(lo),
            grouped(hi)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_numbers_inside_the_range_pass_and_others_name_it() {
        assert_eq!(whole::<1, 10>("7"), Ok(7));
        assert_eq!(whole::<1, 10>(" 10 "), Ok(10));
        for bad in ["0", "11", "-1", "1.5", "", "18446744073709551616", "seven"] {
            assert_eq!(
                whole::<1, 10>(bad),
                Err("give a whole number from 1 to 10".into()),
                "{bad:?}"
            );
        }
        assert_eq!(
            whole::<3, 10_000>("2"),
            Err("give a whole number from 3 to 10,000".into())
        );
    }

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1000), "1,000");
        assert_eq!(grouped(1_000_000_000), "1,000,000,000");
    }
}
