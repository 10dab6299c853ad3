//! Subcommands, one file each, and what they share.

mod bench;
mod bounds;
mod completions;
mod fit;
mod index;
mod load;
mod man;
pub mod memory;
mod options;
mod output;
mod progress;
mod rank;
mod report;
mod search;
mod senses;
mod topics;
mod transform;
mod update;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

pub use output::is_broken_pipe;

const EXAMPLES: &str = "\
Examples:
  nmf-topics fit corpora/debian-5000.jsonl.gz                # 20 topics of the shipped corpus
  nmf-topics fit notes/ -k 30 --json topics.json             # a folder of .txt/.md files
  nmf-topics fit corpus.jsonl --model m                      # fit and save the model in m/
  nmf-topics topics --model m --relevance 0.6                # its topics, specific words first
  nmf-topics senses server --model m                         # the topics of one word
  nmf-topics transform --model m new.jsonl                   # topic weights of new documents
  nmf-topics update m more.jsonl                             # fold new documents into m
  nmf-topics report --model m --html m.html                  # a page to look at in a browser
  nmf-topics index corpus.jsonl --index c.store              # ingest once into a corpus store
  nmf-topics fit --index c.store -k 50 --model m             # fit it without reading the files
  nmf-topics search --index c.store kernel module --model m  # find documents, with their topics
  nmf-topics rank corpus.jsonl --topics 5..50 --step 5       # which K? a table and a suggestion
  nmf-topics bench corpus.jsonl.gz -k 20,50                  # how fast this machine is
  nmf-topics completions bash                                # tab completion for a shell
  nmf-topics man --dir ~/.local/share/man/man1               # the manual pages
Run 'nmf-topics fit --help' for every option.";

/// Readable topics from a pile of text: Lee & Seung's non-negative matrix factorisation (KL).
#[derive(Parser, Debug)]
#[command(name = "nmf-topics", version, about, long_about = None, after_help = EXAMPLES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    Fit(fit::FitArgs),
    Index(index::IndexArgs),
    Search(search::SearchArgs),
    Topics(topics::TopicsArgs),
    Senses(senses::SensesArgs),
    Report(report::ReportArgs),
    Transform(transform::TransformArgs),
    Update(update::UpdateArgs),
    Rank(rank::RankArgs),
    Bench(bench::BenchArgs),
    Completions(completions::CompletionsArgs),
    Man(man::ManArgs),
}

/// Parses the command line and runs the subcommand.
pub fn run() -> anyhow::Result<()> {
    let matches = Cli::command().get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    let analyzer_given = matches
        .subcommand()
        .map(|(_, sub)| options::AnalyzerArgs::given(sub))
        .unwrap_or_default();
    match cli.command {
        Command::Fit(mut args) => {
            args.analyzer_given = analyzer_given.clone();
            fit::run(args)
        }
        Command::Index(mut args) => {
            args.analyzer_given = analyzer_given.clone();
            index::run(args)
        }
        Command::Search(args) => search::run(args),
        Command::Topics(args) => topics::run(args),
        Command::Senses(args) => senses::run(args),
        Command::Report(args) => report::run(args),
        Command::Transform(args) => transform::run(args),
        Command::Update(args) => update::run(args),
        Command::Rank(mut args) => {
            args.analyzer_given = analyzer_given.clone();
            rank::run(args)
        }
        Command::Bench(args) => bench::run(args),
        Command::Completions(args) => completions::run(args, Cli::command()),
        Command::Man(args) => man::run(args, Cli::command()),
    }
}
