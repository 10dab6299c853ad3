//! [`Nmf`]: the fit's parameters, checked once.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::{Loss, Solver};

/// A fit that cannot be run.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum NmfError {
    /// K is 0 or larger than the matrix allows.
    #[error("--topics {k}: the number of topics must be between 1 and the smaller of the number of words ({words}) and of documents ({documents})")]
    Topics {
        /// Topics asked for.
        k: usize,
        /// Words in the matrix.
        words: usize,
        /// Documents in the matrix.
        documents: usize,
    },
    /// The tolerance is negative or not a number.
    #[error("--tol {0}: the tolerance must be a number ≥ 0 (0 runs every iteration)")]
    Tolerance(f64),
    /// The document-weights tolerance is negative or not a number.
    #[error("transform tolerance {0}: it must be a number ≥ 0")]
    TransformTolerance(f64),
    /// No iteration asked for.
    #[error("--max-iter 0: give at least 1 iteration")]
    MaxIter,
    /// Zero threads asked for, or more than [`max_threads`].
    #[error("--threads {0}: give 1 to {max} threads", max = max_threads())]
    Threads(usize),
    /// No solver does this solver and loss.
    #[error(
        "--solver {solver} with --loss {loss}: no solver does that; choose one of {registered}"
    )]
    Unsupported {
        /// The solver asked for.
        solver: Solver,
        /// The loss asked for.
        loss: Loss,
        /// The pairs that exist, as flags.
        registered: String,
    },
    /// `--extrapolate` with a solver that does not extrapolate.
    #[error("--extrapolate: --solver {solver} --loss {loss} does not extrapolate; these do: {extrapolating}")]
    NotExtrapolated {
        /// The solver asked for.
        solver: Solver,
        /// The loss asked for.
        loss: Loss,
        /// The pairs that extrapolate, as flags.
        extrapolating: String,
    },
    /// V holds values the single-precision solver cannot factor: see
    /// [`limits`](crate::corpus::limits).
    #[error("{0}")]
    Values(String),
    /// The divergence came out infinite or not a number: a matrix at the edge of what the
    /// solver factors, which [`Values`](NmfError::Values) did not catch.
    #[error("the fit overflowed: its divergence is {0}; scale the counts nearer to 1 (multiply or divide them all by the same factor) and fit again")]
    Overflow(f64),
    /// The matrices or starting factors do not fit together.
    #[error("{0}")]
    Matrix(String),
}

/// Why the iterations stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    /// The divergence fell by less than `tol` (relative) over 10 iterations.
    Converged,
    /// `max_iter` iterations ran.
    MaxIter,
    /// With [`StopRule::Connectivity`]: no document changed its largest topic for `stable`
    /// checks in a row.
    Connectivity,
}

/// When the iterations stop, besides `max_iter`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StopRule {
    /// The divergence fell by less than `tol` (relative) over 10 iterations.
    Divergence,
    /// Every 10 iterations each document is assigned to its largest topic; stop when no
    /// assignment changed for `stable` checks in a row (Brunet et al. 2004, whose code
    /// checks every 10 iterations and waits for 40 stable checks).
    Connectivity,
}

impl FromStr for StopRule {
    type Err = String;

    fn from_str(s: &str) -> Result<StopRule, String> {
        match s.trim().to_lowercase().as_str() {
            "divergence" => Ok(StopRule::Divergence),
            "connectivity" => Ok(StopRule::Connectivity),
            _ => Err(format!(
                "unknown stopping rule '{s}'; choose divergence or connectivity"
            )),
        }
    }
}

impl fmt::Display for StopRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            StopRule::Divergence => "divergence",
            StopRule::Connectivity => "connectivity",
        })
    }
}

/// The divergence after some iterations.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TracePoint {
    /// Iterations done.
    pub iteration: usize,
    /// D(V‖WH) then.
    pub divergence: f64,
}

/// How the factors start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Init {
    /// NNDSVD of a randomised truncated SVD, zeros set to mean(V) (scikit-learn's
    /// `init='nndsvda'`). The default: on the Debian corpus its topics are more coherent and
    /// closer to the sections than those of a random start.
    Nndsvda,
    /// |N(0, 1)|·√(mean(V)/K) (scikit-learn's `init='random'`).
    Random,
}

impl Init {
    /// Its name on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Init::Nndsvda => "nndsvda",
            Init::Random => "random",
        }
    }
}

impl fmt::Display for Init {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Init {
    type Err = String;

    fn from_str(s: &str) -> Result<Init, String> {
        match s.trim().to_lowercase().as_str() {
            "nndsvda" => Ok(Init::Nndsvda),
            "random" => Ok(Init::Random),
            _ => Err(format!("unknown start '{s}'; choose nndsvda or random")),
        }
    }
}

/// Parameters of an NMF fit, with scikit-learn's names. Build with [`Nmf::new`] and the
/// consuming setters; [`Nmf::fit`] checks them against the matrix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Nmf {
    pub(crate) topics: usize,
    pub(crate) init: Init,
    pub(crate) max_iter: usize,
    pub(crate) tol: f64,
    pub(crate) seed: u64,
    pub(crate) threads: usize,
    pub(crate) eval_every: usize,
    // Defaults for model files written before these settings existed.
    #[serde(default = "divergence_rule")]
    pub(crate) stop: StopRule,
    #[serde(default = "brunet_stable")]
    pub(crate) stable: usize,
    #[serde(default = "one_run")]
    pub(crate) restarts: usize,
    pub(crate) transform_max_iter: usize,
    pub(crate) transform_tol: f64,
    #[serde(default)]
    pub(crate) portable: bool,
    #[serde(default)]
    pub(crate) solver: Solver,
    #[serde(default)]
    pub(crate) loss: Loss,
    #[serde(default)]
    pub(crate) extrapolate: bool,
}

impl Nmf {
    /// `topics` topics; defaults: [`Solver::Mu`] on [`Loss::Kl`] (multiplicative updates of
    /// the KL divergence), NNDSVDa start, `max_iter` 1000, `tol` 1e-4, `seed` 0, threads: all
    /// cores, divergence evaluated every 10 iterations; document weights solved with W fixed
    /// for at most `transform_max_iter` 1000 updates, to `transform_tol` 1e-6.
    pub fn new(topics: usize) -> Nmf {
        Nmf {
            topics,
            init: Init::Nndsvda,
            max_iter: 1000,
            tol: 1e-4,
            seed: 0,
            threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
            eval_every: 10,
            stop: divergence_rule(),
            stable: brunet_stable(),
            restarts: one_run(),
            transform_max_iter: 1000,
            transform_tol: 1e-6,
            portable: false,
            solver: Solver::default(),
            loss: Loss::default(),
            extrapolate: false,
        }
    }

    /// The same settings for `topics` topics.
    pub fn with_topics(mut self, topics: usize) -> Nmf {
        self.topics = topics;
        self
    }

    /// How the factors are updated; [`Nmf::fit`] checks that a solver does it on the loss.
    pub fn solver(mut self, solver: Solver) -> Nmf {
        self.solver = solver;
        self
    }

    /// What the fit minimises.
    pub fn loss(mut self, loss: Loss) -> Nmf {
        self.loss = loss;
        self
    }

    /// Extrapolate the joint steps (Ang & Gillis 2019): after each half step the factor moves
    /// on along its last move, further while the loss falls, restarting from the plain step
    /// when it rises. Fewer iterations to a given loss, but the loss may rise between them.
    /// Only solvers that offer it take it ([`Nmf::fit`] says which).
    pub fn extrapolate(mut self, yes: bool) -> Nmf {
        self.extrapolate = yes;
        self
    }

    /// How the factors start.
    pub fn init(mut self, init: Init) -> Nmf {
        self.init = init;
        self
    }

    /// Which rule stops the iterations before `max_iter`.
    pub fn stop(mut self, rule: StopRule) -> Nmf {
        self.stop = rule;
        self
    }

    /// With [`StopRule::Connectivity`]: checks (every 10 iterations) without a change of any
    /// document's largest topic before stopping.
    pub fn stable(mut self, checks: usize) -> Nmf {
        self.stable = checks;
        self
    }

    /// Fit from this many seeds (`seed`, `seed + 1`, …) and keep the run with the lowest
    /// divergence.
    pub fn restarts(mut self, n: usize) -> Nmf {
        self.restarts = n;
        self
    }

    /// At most this many iterations.
    pub fn max_iter(mut self, n: usize) -> Nmf {
        self.max_iter = n;
        self
    }

    /// Stop when D fell by less than this fraction over the last 10 iterations; 0 runs all
    /// `max_iter` iterations.
    pub fn tol(mut self, tol: f64) -> Nmf {
        self.tol = tol;
        self
    }

    /// Seed of the random start, or of the random projection of the NNDSVDa start.
    pub fn seed(mut self, seed: u64) -> Nmf {
        self.seed = seed;
        self
    }

    /// Run the portable kernel (plain multiplies and adds, 8 lanes) instead of the fastest this
    /// CPU has: the same factors on every CPU, x86-64 with or without AVX2 and aarch64 alike,
    /// several times slower. The fastest kernels agree with it to float rounding only.
    pub fn portable(mut self, yes: bool) -> Nmf {
        self.portable = yes;
        self
    }

    /// Threads to run on. The result does not depend on it.
    pub fn threads(mut self, threads: usize) -> Nmf {
        self.threads = threads;
        self
    }

    /// Evaluate the divergence every `n` iterations (it costs a logarithm per non-zero); the
    /// convergence test needs one every 10, so `n` is clamped to 1..=10.
    pub fn eval_every(mut self, n: usize) -> Nmf {
        self.eval_every = n.clamp(1, 10);
        self
    }

    /// At most this many updates per document when its weights are solved with W fixed (at
    /// the end of [`Nmf::fit`] and in [`Nmf::transform`]); 0 skips that step in `fit`, which
    /// then keeps H as the joint updates left it.
    pub fn transform_max_iter(mut self, n: usize) -> Nmf {
        self.transform_max_iter = n;
        self
    }

    /// A document's weights are solved when no weight moves by more than this fraction of
    /// its word count in an update.
    pub fn transform_tol(mut self, tol: f64) -> Nmf {
        self.transform_tol = tol;
        self
    }

    /// Number of topics.
    pub fn topics(&self) -> usize {
        self.topics
    }

    /// What the fit minimises: the loss these settings name, whose
    /// [`quantity`](Loss::quantity) the reports print.
    pub fn objective(&self) -> Loss {
        self.loss
    }

    /// The checks that need the matrix's shape.
    pub fn check(&self, n_words: usize, n_docs: usize) -> Result<(), NmfError> {
        if self.topics == 0 || self.topics > n_words.min(n_docs) {
            return Err(NmfError::Topics {
                k: self.topics,
                words: n_words,
                documents: n_docs,
            });
        }
        self.check_settings()
    }

    /// The checks that need nothing but the parameters.
    pub fn check_settings(&self) -> Result<(), NmfError> {
        if !(self.tol >= 0.0 && self.tol.is_finite()) {
            return Err(NmfError::Tolerance(self.tol));
        }
        if !(self.transform_tol >= 0.0 && self.transform_tol.is_finite()) {
            return Err(NmfError::TransformTolerance(self.transform_tol));
        }
        if self.max_iter == 0 {
            return Err(NmfError::MaxIter);
        }
        if self.restarts == 0 {
            return Err(NmfError::Matrix("--restarts 0: give at least 1 run".into()));
        }
        if self.stable == 0 {
            return Err(NmfError::Matrix("--stable 0: give at least 1 check".into()));
        }
        if self.threads == 0 || self.threads > max_threads() {
            return Err(NmfError::Threads(self.threads));
        }
        let method = super::solvers::method(self.solver, self.loss)?;
        if self.extrapolate && !method.extrapolates() {
            return Err(NmfError::NotExtrapolated {
                solver: self.solver,
                loss: self.loss,
                extrapolating: super::solvers::extrapolating(),
            });
        }
        Ok(())
    }
}

/// The most threads a fit runs on: 64, or 4 a core on a machine of more than 16 cores. The
/// updates are cut into fixed chunks and give the same bits on any number of threads, so more
/// threads than cores only queue; past this many they cost time to start and memory for
/// nothing.
pub fn max_threads() -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    cores.saturating_mul(4).max(64)
}

fn divergence_rule() -> StopRule {
    StopRule::Divergence
}

fn brunet_stable() -> usize {
    40
}

fn one_run() -> usize {
    1
}
