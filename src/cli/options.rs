//! Argument groups shared by subcommands: reading, analysing, pruning.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
use nmf_topics::corpus::{
    matrix_market_files, Format, Input, MatrixMarketOptions, PhraseConfig, PhraseScoring,
    ReadOptions,
};
use nmf_topics::matrix::{DocFreq, Pruning};
use nmf_topics::nmf::{registered, Loss, Solver};
use nmf_topics::text::{AnalyzerConfig, Language, Ngrams};

use super::output::Source;

use super::bounds;

/// How inputs are read.
#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Reading")]
pub struct ReadArgs {
    /// Folders of .txt/.md files, JSON Lines files, CSV/TSV tables, Parquet files, text files,
    /// a Matrix Market .mtx file, or - for standard input; any of them but Parquet
    /// gzip-compressed
    #[arg(value_name = "INPUT")]
    pub inputs: Vec<String>,

    /// How to cut files into documents: auto (by the file name), jsonl, csv, tsv, parquet
    /// (one document a row), lines, text (one document a file) or mtx
    #[arg(long, default_value = "auto", value_name = "FORMAT")]
    pub format: Format,

    /// One document a line (same as --format lines)
    #[arg(long, conflicts_with = "format")]
    pub lines: bool,

    /// JSON field or table column holding the text; repeated, the texts of the fields are
    /// joined with a blank line between them
    #[arg(long = "text-field", default_value = "text", value_name = "FIELD")]
    pub text_fields: Vec<String>,

    /// JSON field or table column holding the document id (without it, a document is named by
    /// its line number)
    #[arg(long, default_value = "id", value_name = "FIELD")]
    pub id_field: String,

    /// JSON field or table column holding the title
    #[arg(long, default_value = "title", value_name = "FIELD")]
    pub title_field: String,

    /// JSON field or table column holding a label (a class) to carry into the reports
    #[arg(long, value_name = "FIELD")]
    pub label_field: Option<String>,

    /// JSON field holding a time (ISO 8601 date or date and time, a year, or Unix seconds) for
    /// the reports' topics over time; a value that is not a time is an error
    #[arg(long, value_name = "FIELD")]
    pub time_field: Option<String>,

    /// The .mtx file holds documents × words (rows are documents)
    #[arg(long)]
    pub transpose: bool,

    /// Words of a .mtx file, one a line in row order (default: NAME.vocab.txt beside it)
    #[arg(long, value_name = "FILE")]
    pub vocab: Option<PathBuf>,

    /// The longest document: a line of JSON Lines or --lines, or a whole file; a longer one is
    /// an error (bytes, or with a unit: 64K, 256M, 1G)
    #[arg(long, default_value = "16M", value_name = "SIZE", value_parser = parse_size)]
    pub max_doc_bytes: usize,
}

/// The most `--max-doc-bytes` accepts: 1 GiB, past which one document would take several
/// gigabytes while it is read, decoded and counted.
const MAX_DOC_BYTES: usize = 1 << 30;

/// `--max-doc-bytes`: bytes, or with a binary unit (`K`, `M`, `G`, optionally followed by `iB`
/// or `B`), 1 byte to 1 GiB.
fn parse_size(arg: &str) -> Result<usize, String> {
    let text = arg.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    let shift = match unit.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 0,
        "K" | "KB" | "KIB" => 10,
        "M" | "MB" | "MIB" => 20,
        "G" | "GB" | "GIB" => 30,
        _ => return Err("not a size: give bytes, or a number and K, M or G".into()),
    };
    let value = digits
        .parse::<usize>()
        .ok()
        .and_then(|n| n.checked_mul(1 << shift))
        .filter(|n| (1..=MAX_DOC_BYTES).contains(n));
    value.ok_or_else(|| "give a size from 1 byte to 1G".into())
}

impl ReadArgs {
    /// Fails unless an input was given.
    pub fn require(&self) -> Result<()> {
        anyhow::ensure!(
            !self.inputs.is_empty(),
            "no INPUT given: name files or folders to read, or - for standard input"
        );
        Ok(())
    }

    pub fn inputs(&self) -> Vec<Input> {
        self.inputs.iter().map(|a| Input::parse(a)).collect()
    }

    /// What reading the inputs reads, which no output may overwrite: each file or folder, and
    /// a Matrix Market file's vocabulary and document ids.
    pub fn sources(&self) -> Vec<Source> {
        let mut sources: Vec<Source> = self
            .inputs
            .iter()
            .filter_map(|a| Source::input(a))
            .collect();
        if let Ok(Some((path, options))) = self.matrix_market() {
            sources.extend(
                matrix_market_files(&path, &options)
                    .into_iter()
                    .map(Source::File),
            );
        }
        sources
    }

    pub fn options(&self) -> ReadOptions {
        ReadOptions {
            format: if self.lines {
                Format::Lines
            } else {
                self.format
            },
            text_fields: self.text_fields.clone(),
            id_field: self.id_field.clone(),
            title_field: self.title_field.clone(),
            label_field: self.label_field.clone(),
            time_field: self.time_field.clone(),
            max_doc_bytes: self.max_doc_bytes,
        }
    }

    /// The Matrix Market file, when the input is one.
    pub fn matrix_market(&self) -> Result<Option<(PathBuf, MatrixMarketOptions)>> {
        let format = self.options().format;
        let is_mtx = |arg: &String| {
            arg != "-"
                && (format == Format::MatrixMarket
                    || (format == Format::Auto
                        && Format::of_path(std::path::Path::new(arg)) == Format::MatrixMarket))
        };
        if !self.inputs.iter().any(is_mtx) {
            anyhow::ensure!(
                !self.transpose && self.vocab.is_none(),
                "--transpose and --vocab apply to a Matrix Market (.mtx) input only"
            );
            return Ok(None);
        }
        anyhow::ensure!(
            self.inputs.len() == 1,
            "a Matrix Market matrix must be the only input"
        );
        Ok(Some((
            PathBuf::from(&self.inputs[0]),
            MatrixMarketOptions {
                transpose: self.transpose,
                vocab: self.vocab.clone(),
            },
        )))
    }
}

/// How text becomes terms.
#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Words")]
pub struct AnalyzerArgs {
    /// Language of the stopword list and the stemmer
    #[arg(long, default_value = "english", value_name = "LANG")]
    pub lang: Language,

    /// More stopwords, one a line (# starts a comment); may be repeated
    #[arg(long = "stopwords", value_name = "FILE")]
    pub stopword_files: Vec<PathBuf>,

    /// Do not drop the language's stopwords (files given with --stopwords still apply)
    #[arg(long)]
    pub no_stopwords: bool,

    /// Count Snowball stems; reports show each stem as its most frequent word
    #[arg(long)]
    pub stem: bool,

    /// Count words with an apostrophe whole (KDE's, l'homme), instead of cutting off the
    /// English possessive and French and Italian elisions (kde, homme)
    #[arg(long)]
    pub keep_clitics: bool,

    /// Count words joined at a full stop or a colon whole (node.js, e.g.), instead of as their
    /// parts (node, js)
    #[arg(long)]
    pub keep_dotted: bool,

    /// Shortest word kept, in characters
    #[arg(long, default_value_t = 2, value_name = "N", value_parser = bounds::whole::<1, 1000>)]
    pub min_chars: usize,

    /// Longest word kept, in characters
    #[arg(long, default_value_t = 40, value_name = "N", value_parser = bounds::whole::<1, 1000>)]
    pub max_chars: usize,

    /// Count n-grams of A to B words next to each other (1..2: words and bigrams), never
    /// across a stopword, punctuation or a blank line
    #[arg(long, default_value = "1..1", value_name = "A..B")]
    pub ngrams: Ngrams,

    /// Find phrases (pairs of words seen together far more often than chance, such as "command
    /// line") and count each as one term
    #[arg(long)]
    pub phrases: bool,

    /// With --phrases: pairs seen fewer times are never phrases
    #[arg(long, default_value_t = 5, value_name = "N", requires = "phrases")]
    pub phrase_min_count: u64,

    /// With --phrases: a pair is a phrase when its score is above this [default: 10 for the
    /// default scoring, 0.5 for npmi]
    #[arg(
        long,
        value_name = "T",
        allow_negative_numbers = true,
        requires = "phrases"
    )]
    pub phrase_threshold: Option<f64>,

    /// With --phrases: how pairs are scored: default (gensim's, Mikolov et al.'s) or npmi
    #[arg(
        long,
        default_value = "default",
        value_name = "SCORING",
        requires = "phrases"
    )]
    pub phrase_scoring: PhraseScoring,
}

impl AnalyzerArgs {
    /// Which of these options were given on the command line of `matches`.
    pub fn given(matches: &clap::ArgMatches) -> Vec<&'static str> {
        [
            "lang",
            "stopword_files",
            "no_stopwords",
            "stem",
            "keep_clitics",
            "keep_dotted",
            "min_chars",
            "max_chars",
            "ngrams",
            "phrases",
            "phrase_min_count",
            "phrase_threshold",
            "phrase_scoring",
        ]
        .into_iter()
        .filter(|id| {
            matches.try_get_raw(id).is_ok_and(|_| {
                matches.value_source(id) == Some(clap::parser::ValueSource::CommandLine)
            })
        })
        .collect()
    }

    /// `base` (a store's settings) with the options `given` on the command line taken from
    /// these: what the command asks for, so that a mismatch names only options it was given.
    pub fn over(&self, base: &AnalyzerConfig, given: &[&str]) -> Result<AnalyzerConfig> {
        let mine = self.config()?;
        let mut config = base.clone();
        for &id in given {
            match id {
                "lang" => config.language = mine.language,
                "stopword_files" => config.extra_stopwords = mine.extra_stopwords.clone(),
                "no_stopwords" => config.stopwords = mine.stopwords,
                "stem" => config.stem = mine.stem,
                "keep_clitics" => config.cut_clitics = mine.cut_clitics,
                "keep_dotted" => config.split_dotted = mine.split_dotted,
                "min_chars" => config.min_chars = mine.min_chars,
                "max_chars" => config.max_chars = mine.max_chars,
                "ngrams" => config.ngrams = mine.ngrams,
                _ => {}
            }
        }
        Ok(config)
    }

    /// `base` (a store's phrase settings) with the phrase options `given` on the command line
    /// taken from these, as [`over`](Self::over) does for the word options.
    pub fn phrases_over(
        &self,
        base: Option<&PhraseConfig>,
        given: &[&str],
    ) -> Result<Option<PhraseConfig>> {
        const PHRASE_OPTIONS: [&str; 4] = [
            "phrases",
            "phrase_min_count",
            "phrase_threshold",
            "phrase_scoring",
        ];
        if !given.iter().any(|id| PHRASE_OPTIONS.contains(id)) {
            return Ok(base.copied());
        }
        let mine = self.phrase_config();
        let mut config = base.copied().unwrap_or(mine);
        if given.contains(&"phrase_min_count") {
            config.min_count = mine.min_count;
        }
        if given.contains(&"phrase_scoring") {
            config.scoring = mine.scoring;
            // A scoring given without its threshold takes that scoring's default.
            config.threshold = mine.threshold;
        }
        if given.contains(&"phrase_threshold") {
            config.threshold = mine.threshold;
        }
        config.check().map_err(anyhow::Error::msg)?;
        Ok(Some(config))
    }

    /// The stopword files, which no output may overwrite.
    pub fn sources(&self) -> Vec<Source> {
        self.stopword_files
            .iter()
            .cloned()
            .map(Source::File)
            .collect()
    }

    pub fn config(&self) -> Result<AnalyzerConfig> {
        let mut extra = Vec::new();
        for file in &self.stopword_files {
            let text = read_stopwords(file)?;
            extra.extend(
                text.lines()
                    .map(|l| l.split('#').next().unwrap_or("").trim())
                    .filter(|w| !w.is_empty())
                    .map(str::to_owned),
            );
        }
        Ok(AnalyzerConfig {
            language: self.lang,
            stopwords: !self.no_stopwords,
            extra_stopwords: extra,
            stem: self.stem,
            cut_clitics: !self.keep_clitics,
            split_dotted: !self.keep_dotted,
            min_chars: self.min_chars,
            max_chars: self.max_chars,
            ngrams: self.ngrams,
        })
    }

    /// How phrases are found, with --phrases.
    pub fn phrases(&self) -> Result<Option<PhraseConfig>> {
        if !self.phrases {
            return Ok(None);
        }
        anyhow::ensure!(
            !self.ngrams.joins(),
            "--phrases and --ngrams {} do not go together: phrases are the pairs of words worth joining, n-grams all of them; choose one",
            self.ngrams
        );
        let config = self.phrase_config();
        config.check().map_err(anyhow::Error::msg)?;
        Ok(Some(config))
    }

    /// The phrase settings these options give, each scoring's default threshold unless
    /// `--phrase-threshold` is given.
    fn phrase_config(&self) -> PhraseConfig {
        PhraseConfig {
            min_count: self.phrase_min_count,
            threshold: self.phrase_threshold.unwrap_or(match self.phrase_scoring {
                PhraseScoring::Default => 10.0,
                PhraseScoring::Npmi => 0.5,
            }),
            scoring: self.phrase_scoring,
        }
    }
}

/// Which solver fits, on which loss: `fit`'s, `rank`'s and `bench`'s. The help lists what the
/// library's registry has.
#[derive(Args, Debug, Clone)]
pub struct SolverArgs {
    #[arg(
        long,
        default_value_t = Solver::default(),
        value_name = "SOLVER",
        help = solver_help(),
        help_heading = "Model"
    )]
    pub solver: Solver,

    #[arg(
        long,
        default_value_t = Loss::default(),
        value_name = "LOSS",
        help = loss_help(),
        help_heading = "Model"
    )]
    pub loss: Loss,

    /// Extrapolate the steps (Ang & Gillis 2019): each factor moves on along its last move,
    /// further while the loss falls, restarting from the plain step when it rises; fewer
    /// iterations to the same loss (--solver cd)
    #[arg(long, help_heading = "Model")]
    pub extrapolate: bool,
}

impl SolverArgs {
    /// `nmf` with this solver, loss and extrapolation.
    pub fn apply(&self, nmf: nmf_topics::Nmf) -> nmf_topics::Nmf {
        nmf.solver(self.solver)
            .loss(self.loss)
            .extrapolate(self.extrapolate)
    }
}

fn solver_help() -> String {
    let names: Vec<String> = Solver::ALL
        .iter()
        .map(|s| format!("{s} ({})", s.describe()))
        .collect();
    format!("How the factors are updated: {}", names.join(", "))
}

fn loss_help() -> String {
    let names: Vec<String> = Loss::ALL
        .iter()
        .map(|l| format!("{l} ({})", l.describe()))
        .collect();
    let pairs: Vec<String> = registered()
        .map(|(s, l)| format!("--solver {s} --loss {l}"))
        .collect();
    format!(
        "What the fit minimises: {}. Solvers: {}",
        names.join(", "),
        pairs.join(", ")
    )
}

/// The longest stopword list read: 16 MiB, a million words and more.
const MAX_STOPWORD_BYTES: u64 = 16 << 20;

/// A stopword list, refused past [`MAX_STOPWORD_BYTES`] before more is read (`/dev/zero` given
/// by mistake would otherwise fill memory).
fn read_stopwords(file: &std::path::Path) -> Result<String> {
    use std::io::Read;
    let cannot = || format!("cannot read the stopword list {}", file.display());
    let mut bytes = Vec::new();
    std::fs::File::open(file)
        .with_context(cannot)?
        .take(MAX_STOPWORD_BYTES + 1)
        .read_to_end(&mut bytes)
        .with_context(cannot)?;
    anyhow::ensure!(
        bytes.len() as u64 <= MAX_STOPWORD_BYTES,
        "the stopword list {} is longer than 16 MiB: give a file of words, one a line",
        file.display()
    );
    String::from_utf8(bytes).with_context(cannot)
}

/// When a fit's iterations stop: `fit`'s, and each of `rank`'s runs.
#[derive(Args, Debug, Clone)]
pub struct IterationArgs {
    /// Most iterations of a fit (a cap: its stopping rule usually ends it sooner)
    #[arg(long, default_value_t = 1000, value_name = "N", value_parser = bounds::whole::<1, 1_000_000>, help_heading = "Model")]
    pub max_iter: usize,

    /// Stop a fit when the divergence falls by less than this fraction over 10 iterations (0:
    /// run all --max-iter iterations)
    #[arg(
        long,
        default_value_t = 1e-4,
        value_name = "TOL",
        allow_negative_numbers = true,
        help_heading = "Model"
    )]
    pub tol: f64,
}

/// Which words are kept.
#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Vocabulary")]
pub struct PruningArgs {
    /// Keep words in at least this many documents (an integer) or this proportion of them (0.01)
    #[arg(long, default_value = "2", value_name = "DF")]
    pub min_df: DocFreq,

    /// Keep words in at most this many documents (an integer) or this proportion of them (0.5)
    #[arg(long, default_value = "1.0", value_name = "DF")]
    pub max_df: DocFreq,

    /// Then drop the N most frequent words
    #[arg(long, default_value_t = 0, value_name = "N", value_parser = bounds::whole::<0, 100_000_000>)]
    pub drop_top: usize,

    /// Then keep only the N most frequent words
    #[arg(long, value_name = "N", value_parser = bounds::whole::<1, 100_000_000>)]
    pub max_words: Option<usize>,
}

impl PruningArgs {
    pub fn pruning(&self) -> Result<Pruning> {
        let pruning = Pruning {
            min_df: self.min_df,
            max_df: self.max_df,
            drop_top: self.drop_top,
            max_words: self.max_words,
        };
        pruning.check().map_err(anyhow::Error::msg)?;
        Ok(pruning)
    }
}
