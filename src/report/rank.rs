//! [`RankReport`]: what `rank` writes: for each K, the fit and quality figures, the stability
//! of the restarts' clusterings, and a suggested K with its reason.

use std::io::{self, Write};

use serde::{Serialize, Serializer};

use super::quality::Quality;
use super::summary::{round, CorpusFigures};
use super::terminal::thousands;
use crate::matrix::{CountMatrix, Pruning, Weighting};
use crate::nmf::{Nmf, NmfModel, RankFit, Restart};
use crate::text::AnalyzerConfig;

/// The `format` field of `rank`'s JSON.
pub const RANK_FORMAT: &str = "nmf-topics/rank";

/// A cophenetic correlation this far below the best of the survey still counts as stable:
/// about twice its spread between seeds with 3 restarts.
pub const STABLE_MARGIN: f64 = 0.05;

/// A survey of several K on one matrix.
#[derive(Debug, Clone, Serialize)]
pub struct RankReport {
    /// Always [`RANK_FORMAT`].
    pub format: &'static str,
    /// 1; raised when a field changes meaning.
    pub version: u32,
    /// The corpus as modelled.
    pub corpus: CorpusFigures,
    /// The settings.
    pub parameters: RankParameters,
    /// One row a K, by increasing K.
    pub ranks: Vec<RankRow>,
    /// The suggested K and why.
    pub suggestion: Suggestion,
    /// Wall-clock seconds of each stage.
    pub seconds: RankSeconds,
}

/// The settings of a survey.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RankParameters {
    /// The analyzer's settings; `null` for a matrix read from a file.
    pub analyzer: Option<AnalyzerConfig>,
    /// How phrases were found; `null` without phrases.
    pub phrases: Option<crate::corpus::PhraseConfig>,
    /// Vocabulary pruning.
    pub pruning: Pruning,
    /// The K surveyed, increasing.
    pub topics: Vec<usize>,
    /// The settings of every K's runs (its K aside): `restarts` runs a K from seeds `seed`,
    /// `seed + 1`, … (`seed` also draws the document sample), the solver and loss, `init`,
    /// `max_iter`, `tol`, `threads` and the rest, written beside the other fields.
    #[serde(flatten, serialize_with = "settings_of_every_k")]
    pub nmf: Nmf,
    /// Documents asked for in the consensus (`ranks[].sampled` says how many it had).
    pub sample: usize,
    /// What the solver was given: the counts or their tf-idf weights.
    pub weighting: Weighting,
}

/// The fields of `nmf` but its K: the survey's K are `topics`.
fn settings_of_every_k<S: Serializer>(nmf: &Nmf, out: S) -> Result<S::Ok, S::Error> {
    let mut fields = serde_json::to_value(nmf).map_err(serde::ser::Error::custom)?;
    if let Some(map) = fields.as_object_mut() {
        map.remove("topics");
    }
    fields.serialize(out)
}

/// Wall-clock seconds of each stage of a survey.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct RankSeconds {
    /// Reading and tokenising.
    pub reading: f64,
    /// Pruning and building the matrix.
    pub matrix: f64,
    /// All the runs and their scores.
    pub ranking: f64,
}

/// The figures of one K.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RankRow {
    /// K.
    pub topics: usize,
    /// The lowest divergence of the runs, at the end of their iterations.
    pub divergence: f64,
    /// `divergence` over the sum of V's values: its tokens, or with `--weighting tfidf` its
    /// tf-idf weight.
    pub divergence_per_token: f64,
    /// Mean NPMI of the topics' top words, averaged over the runs.
    pub mean_npmi: f64,
    /// Mean UMass coherence of the same words, averaged over the runs.
    pub mean_umass: f64,
    /// Distinct words among the topics' top 25 over 25·K, averaged over the runs.
    pub diversity: f64,
    /// NMI between each document's main topic and its label, averaged over the runs; absent
    /// without labels.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label_nmi: Option<f64>,
    /// Cophenetic correlation of the runs' consensus; `null` for a single run.
    pub cophenetic: Option<f64>,
    /// Documents in the consensus.
    pub sampled: usize,
    /// Every run, in seed order.
    pub restarts: Vec<Restart>,
    /// Wall-clock seconds of the runs, the consensus and the scores.
    pub seconds: f64,
}

/// The suggested K.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    /// K.
    pub topics: usize,
    /// The reason, in a sentence.
    pub reason: String,
}

impl RankRow {
    /// The row of one K from `fit` and its runs' `models` (in seed order), scored on `matrix`,
    /// with `fitted` the sum of V's values as the solver saw them (`Weighting::total`). The
    /// quality figures are means over the runs: one run's are noisy.
    pub fn new(matrix: &CountMatrix, models: &[NmfModel], fit: &RankFit, fitted: f64) -> RankRow {
        let started = std::time::Instant::now();
        let labels: Vec<Option<&str>> = matrix.documents().labels().collect();
        let scores: Vec<Quality> = models
            .iter()
            .map(|m| Quality::of(m, matrix.by_doc(), &labels).0)
            .collect();
        let mean = |f: &dyn Fn(&Quality) -> f64| {
            round(
                scores.iter().map(f).sum::<f64>() / scores.len().max(1) as f64,
                6,
            )
        };
        let labelled = !scores.is_empty() && scores.iter().all(|q| q.label_nmi.is_some());
        RankRow {
            topics: fit.topics,
            divergence: fit.divergence,
            divergence_per_token: if fitted > 0.0 {
                round(fit.divergence / fitted, 6)
            } else {
                0.0
            },
            mean_npmi: mean(&|q| q.mean_npmi),
            mean_umass: mean(&|q| q.mean_umass),
            diversity: mean(&|q| q.diversity),
            label_nmi: labelled.then(|| mean(&|q| q.label_nmi.unwrap_or(0.0))),
            cophenetic: fit.cophenetic.map(|x| round(x, 6)),
            sampled: fit.sampled,
            restarts: fit.restarts.clone(),
            seconds: fit.seconds + started.elapsed().as_secs_f64(),
        }
    }
}

impl RankReport {
    /// The survey of `matrix` from its rows, with the suggested K. Rows are put in order of K.
    ///
    /// # Panics
    ///
    /// Without a row.
    pub fn new(
        matrix: &CountMatrix,
        parameters: RankParameters,
        mut ranks: Vec<RankRow>,
        seconds: RankSeconds,
    ) -> RankReport {
        assert!(!ranks.is_empty(), "at least one K");
        ranks.sort_by_key(|r| r.topics);
        let suggestion = suggest(&ranks);
        RankReport {
            format: RANK_FORMAT,
            version: 1,
            corpus: CorpusFigures::of(matrix),
            parameters,
            ranks,
            suggestion,
            seconds,
        }
    }

    /// Writes the survey as one pretty-printed JSON object and a newline.
    pub fn write_json(&self, out: &mut dyn Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, self)?;
        writeln!(out)
    }

    /// Writes the table, one row a K (the suggested one marked), and the suggestion.
    pub fn write_terminal(&self, out: &mut dyn Write) -> io::Result<()> {
        let out = &mut super::Printable::new(out);
        let labels = self.ranks.iter().any(|r| r.label_nmi.is_some());
        write!(
            out,
            "{:>5}  {:>10}  {:>9}  {:>9}  {:>10}",
            "K",
            match self.parameters.weighting {
                Weighting::Counts => "div/token",
                Weighting::Tfidf => "div/weight",
            },
            "mean NPMI",
            "diversity",
            "cophenetic"
        )?;
        if labels {
            write!(out, "  {:>10}", "NMI labels")?;
        }
        writeln!(out, "  {:>8}", "seconds")?;
        for r in &self.ranks {
            let mark = if r.topics == self.suggestion.topics {
                '*'
            } else {
                ' '
            };
            let cophenetic = r
                .cophenetic
                .map_or_else(|| "–".to_owned(), |x| format!("{x:.4}"));
            write!(
                out,
                "{mark}{:>4}  {:>10.4}  {:>9.4}  {:>9.4}  {cophenetic:>10}",
                r.topics, r.divergence_per_token, r.mean_npmi, r.diversity
            )?;
            if labels {
                let nmi = r
                    .label_nmi
                    .map_or_else(|| "–".to_owned(), |x| format!("{x:.4}"));
                write!(out, "  {nmi:>10}")?;
            }
            writeln!(out, "  {:>8.1}", r.seconds)?;
        }
        writeln!(out)?;
        let c = &self.corpus;
        let p = &self.parameters.nmf;
        let sampled = self.ranks.first().map_or(0, |r| r.sampled);
        writeln!(
            out,
            "corpus:    {} documents, {} words, {} tokens",
            thousands(c.documents as f64),
            thousands(c.words as f64),
            thousands(c.tokens)
        )?;
        writeln!(
            out,
            "runs:      {} a K ({} start, seeds {}…), at most {} iterations; consensus of {} documents",
            p.restarts,
            p.init,
            p.seed,
            p.max_iter,
            thousands(sampled as f64)
        )?;
        if p.restarts < 2 {
            writeln!(
                out,
                "           one run a K has no consensus to measure: give --restarts 2 or more for the cophenetic correlation"
            )?;
        }
        writeln!(
            out,
            "solver:    {} (--solver {} --loss {}{})",
            p.solver_description(),
            p.solver,
            p.loss,
            if p.extrapolate { " --extrapolate" } else { "" }
        )?;
        writeln!(
            out,
            "time:      reading {:.1} s, matrix {:.1} s, runs {:.1} s",
            self.seconds.reading, self.seconds.matrix, self.seconds.ranking
        )?;
        writeln!(
            out,
            "suggested: K = {}: {}",
            self.suggestion.topics, self.suggestion.reason
        )
    }
}

/// The suggested K of rows ordered by K: the one of highest mean NPMI among those whose
/// cophenetic correlation is within [`STABLE_MARGIN`] of the best (ties go to the smaller K).
///
/// Stability first (Brunet et al. 2004: a K whose clustering the restarts reproduce), but not
/// alone: fewer topics than the corpus has can be just as stable, by merging the same themes
/// every time, and the cophenetic correlation of a few restarts varies by a few hundredths from
/// seed to seed. Among the stable K, the most coherent topics (NPMI tracks people's judgement
/// best, Lau, Newman & Baldwin 2014). Without a cophenetic correlation (one run a K), NPMI alone.
pub fn suggest(ranks: &[RankRow]) -> Suggestion {
    let by_npmi = |rows: &[&RankRow]| -> RankRow {
        let best = rows
            .iter()
            .copied()
            .reduce(|a, b| if b.mean_npmi > a.mean_npmi { b } else { a })
            .expect("at least one K");
        best.clone()
    };
    let all: Vec<&RankRow> = ranks.iter().collect();
    let measured: Vec<(&RankRow, f64)> = ranks
        .iter()
        .filter_map(|r| r.cophenetic.map(|c| (r, c)))
        .collect();
    let mut reason;
    let pick = if ranks.len() == 1 {
        reason = "the only K tried".to_owned();
        ranks[0].clone()
    } else if measured.is_empty() {
        let pick = by_npmi(&all);
        reason = format!(
            "the highest mean NPMI ({:.3}); with one run a K there is no cophenetic correlation to say how stable it is",
            pick.mean_npmi
        );
        pick
    } else {
        let (top, top_k) = measured
            .iter()
            .fold((f64::NEG_INFINITY, 0), |(c, k), &(r, x)| {
                if x > c {
                    (x, r.topics)
                } else {
                    (c, k)
                }
            });
        let floor = top - STABLE_MARGIN;
        let stable: Vec<&RankRow> = measured
            .iter()
            .filter(|&&(_, c)| c >= floor)
            .map(|&(r, _)| r)
            .collect();
        let pick = by_npmi(&stable);
        let best = format!("the best ({top:.3} at K = {top_k})");
        reason = if stable.len() == ranks.len() {
            format!(
                "every K's cophenetic correlation is within {STABLE_MARGIN} of {best}, so stability does not tell them apart; this K has the highest mean NPMI ({:.3})",
                pick.mean_npmi
            )
        } else {
            let unstable: Vec<String> = measured
                .iter()
                .filter(|&&(_, c)| c < floor)
                .map(|(r, c)| format!("{} ({c:.3})", r.topics))
                .collect();
            format!(
                "the highest mean NPMI ({:.3}) among the K whose cophenetic correlation is within {STABLE_MARGIN} of {best}; less stable: K = {}",
                pick.mean_npmi,
                unstable.join(", ")
            )
        };
        pick
    };
    if ranks.len() > 1 {
        if pick.topics == ranks[ranks.len() - 1].topics {
            reason.push_str("; it is the largest K tried: try larger ones too");
        } else if pick.topics == ranks[0].topics {
            reason.push_str("; it is the smallest K tried: try smaller ones too");
        }
    }
    Suggestion {
        topics: pick.topics,
        reason,
    }
}
