//! One integration-test binary: it builds once and runs everything.

mod util;

mod bad_inputs;
mod bits;
mod cli;
mod cli_bench;
mod cli_completions;
mod cli_man;
mod cli_outputs;
mod cli_rank;
mod cli_report;
mod cli_senses;
mod cli_store;
mod cli_time;
mod cli_topics;
mod cli_transform;
mod consensus;
mod counts;
mod explorer;
mod frobenius;
mod harness;
mod kl_cd;
mod model;
mod over_time;
mod phrases;
mod quality;
mod random_inputs;
mod rank;
mod readers;
mod report;
mod seam;
mod solver;
mod store;
mod tables;
mod time;
mod tokenizer;
