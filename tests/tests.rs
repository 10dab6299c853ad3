//! One integration-test binary: it builds once and runs everything.

mod util;

mod cli;
mod counts;
mod quality;
mod readers;
mod report;
mod solver;
mod tokenizer;
