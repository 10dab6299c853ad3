//! The solvers, one folder each, and the registry that names them: the only place that knows
//! which solvers exist.
//!
//! | `--solver` | `--loss` | folder | what |
//! |---|---|---|---|
//! | `mu` | `kl` | `kl_mu/` | Lee & Seung's multiplicative updates for the I-divergence |
//! | `cd` | `kl` | `kl_cd/` | cyclic coordinate descent with guarded Newton steps for the I-divergence |
//! | `mu` | `frobenius` | `frobenius_mu/` | Lee & Seung's multiplicative updates for the squared error |
//! | `cd` | `frobenius` | `frobenius_cd/` | cyclic coordinate descent (exact steps) for the squared error |
//! | `pg` | `frobenius` | `frobenius_pg/` | Lin's projected gradient with an Armijo search for the squared error |
//!
//! The Euclidean solvers share `least_squares/`: the loss on a sparse V, the Gram matrices,
//! the row passes and the document solve.
//!
//! A solver is a folder implementing the seam (see `seam.rs`); registering it is its `mod`
//! line and its row in [`REGISTRY`], plus, for a new name, its variant of [`Solver`] or
//! [`Loss`] below. Everything else finds it through [`Nmf::joint_solver`] and
//! [`Nmf::document_solver`].

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::seam::{
    Data, DocumentSolver, JointSolver, Method, OnlineSolver, OnlineStatistics, Start,
};
use super::{Nmf, NmfError};

mod frobenius_cd;
mod frobenius_mu;
mod frobenius_pg;
mod kl_cd;
mod kl_mu;
mod least_squares;
mod online_parts;

pub use kl_mu::KlMu;

/// Every solver: its names and its constructors.
static REGISTRY: &[(Solver, Loss, &dyn Method)] = &[
    (Solver::Mu, Loss::Kl, &kl_mu::Registered),
    (Solver::Cd, Loss::Kl, &kl_cd::Registered),
    (
        Solver::Mu,
        Loss::Frobenius,
        &least_squares::Registered::<frobenius_mu::Multiplicative>::ENTRY,
    ),
    (
        Solver::Cd,
        Loss::Frobenius,
        &least_squares::Registered::<frobenius_cd::Coordinate>::ENTRY,
    ),
    (
        Solver::Pg,
        Loss::Frobenius,
        &least_squares::Registered::<frobenius_pg::Projected>::ENTRY,
    ),
];

/// How the factors are updated (scikit-learn's `solver`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Solver {
    /// Multiplicative updates (Lee & Seung 2001): each never increases the loss.
    #[default]
    Mu,
    /// Coordinate descent: each topic's weights (or each weight) in turn, minimised with the
    /// others fixed.
    Cd,
    /// Projected gradient (Lin 2007): gradient steps on a factor, negative values set to 0,
    /// each step's size found by an Armijo search.
    Pg,
}

impl Solver {
    /// Every solver name, in the order the help lists them.
    pub const ALL: &'static [Solver] = &[Solver::Mu, Solver::Cd, Solver::Pg];

    /// Its name on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Solver::Mu => "mu",
            Solver::Cd => "cd",
            Solver::Pg => "pg",
        }
    }

    /// What it does, in the reports' words.
    pub fn describe(self) -> &'static str {
        match self {
            Solver::Mu => "multiplicative updates",
            Solver::Cd => "coordinate descent",
            Solver::Pg => "projected gradient",
        }
    }
}

/// What the fit minimises (scikit-learn's `beta_loss`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Loss {
    /// The I-divergence, or generalised Kullback-Leibler divergence,
    /// D(V‖WH) = Σ V·ln(V/WH) − V + WH (scikit-learn's `beta_loss='kullback-leibler'`): the
    /// loss of a Poisson model of the counts.
    #[default]
    Kl,
    /// Half the squared Euclidean (Frobenius) distance, ½‖V − WH‖² = ½ Σ (V − WH)²
    /// (scikit-learn's `beta_loss='frobenius'`, whose `reconstruction_err_` is its root of
    /// twice this): the loss of a Gaussian model, the usual one on tf-idf weights.
    Frobenius,
}

impl Loss {
    /// Every loss name, in the order the help lists them.
    pub const ALL: &'static [Loss] = &[Loss::Kl, Loss::Frobenius];

    /// Its name on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Loss::Kl => "kl",
            Loss::Frobenius => "frobenius",
        }
    }

    /// Its full name, in the reports' words.
    pub fn describe(self) -> &'static str {
        match self {
            Loss::Kl => "KL divergence",
            Loss::Frobenius => "squared error",
        }
    }

    /// The word the reports use for its value ("divergence 53,363").
    pub fn quantity(self) -> &'static str {
        match self {
            Loss::Kl => "divergence",
            Loss::Frobenius => "squared error",
        }
    }
}

impl fmt::Display for Solver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl fmt::Display for Loss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Solver {
    type Err = String;

    fn from_str(s: &str) -> Result<Solver, String> {
        parse(s, Solver::ALL, Solver::name, "solver")
    }
}

impl FromStr for Loss {
    type Err = String;

    fn from_str(s: &str) -> Result<Loss, String> {
        parse(s, Loss::ALL, Loss::name, "loss")
    }
}

/// The one of `all` named `s` (any case, spaces around ignored).
fn parse<T: Copy>(
    s: &str,
    all: &[T],
    name: fn(T) -> &'static str,
    what: &str,
) -> Result<T, String> {
    let wanted = s.trim().to_lowercase();
    all.iter()
        .copied()
        .find(|&x| name(x) == wanted)
        .ok_or_else(|| {
            let names: Vec<&str> = all.iter().map(|&x| name(x)).collect();
            format!("unknown {what} '{s}'; choose {}", names.join(" or "))
        })
}

/// Every (solver, loss) this build has, in the registry's order.
pub fn registered() -> impl Iterator<Item = (Solver, Loss)> {
    REGISTRY.iter().map(|&(solver, loss, _)| (solver, loss))
}

/// The pairs that take [`Nmf::extrapolate`], as flags: what its error lists.
pub(crate) fn extrapolating() -> String {
    REGISTRY
        .iter()
        .filter(|(_, _, method)| method.extrapolates())
        .map(|(s, l, _)| format!("--solver {s} --loss {l}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// How the reports name a solver on a loss: "multiplicative updates on the KL divergence".
pub fn solver_description(solver: Solver, loss: Loss) -> String {
    format!("{} on the {}", solver.describe(), loss.describe())
}

/// The constructors of `solver` on `loss`, or the error that names both and what exists.
pub(crate) fn method(solver: Solver, loss: Loss) -> Result<&'static dyn Method, NmfError> {
    REGISTRY
        .iter()
        .find(|&&(s, l, _)| s == solver && l == loss)
        .map(|&(_, _, method)| method)
        .ok_or_else(|| NmfError::Unsupported {
            solver,
            loss,
            registered: registered()
                .map(|(s, l)| format!("--solver {s} --loss {l}"))
                .collect::<Vec<_>>()
                .join(", "),
        })
}

impl Nmf {
    /// How the reports name these settings' solver: "coordinate descent on the KL divergence,
    /// extrapolated".
    pub fn solver_description(&self) -> String {
        let plain = solver_description(self.solver, self.loss);
        if self.extrapolate {
            format!("{plain}, extrapolated")
        } else {
            plain
        }
    }

    /// The joint iterations of V by these settings' solver and loss, from `start`, for stepping
    /// through a fit one update at a time (tests, research); [`Nmf::fit`] runs them to a
    /// stopping rule. Updates run on the current rayon pool.
    pub fn joint_solver<'a>(
        &self,
        v: Data<'a>,
        start: Start<'_>,
    ) -> Result<Box<dyn JointSolver + 'a>, NmfError> {
        method(self.solver, self.loss)?.start(self, v, start)
    }

    /// The document weights of V with W fixed to `w`, `(n_words, topics)` row-major, by these
    /// settings' solver and loss: what [`Nmf::transform`] and the end of [`Nmf::fit`] run.
    pub fn document_solver<'a>(
        &self,
        v: Data<'a>,
        topics: usize,
        w: &[f32],
    ) -> Result<Box<dyn DocumentSolver + 'a>, NmfError> {
        method(self.solver, self.loss)?.documents(self, v, topics, w)
    }

    /// The mini-batch fit of W `(n_words, topics)` row-major by these settings' solver and loss,
    /// from the statistics so far (`None`: none yet): what [`Nmf::partial_fit`] drives. Fails
    /// for a solver without an online mode.
    pub fn online_solver(
        &self,
        topics: usize,
        w: &[f32],
        statistics: Option<OnlineStatistics>,
    ) -> Result<Box<dyn OnlineSolver>, NmfError> {
        method(self.solver, self.loss)?
            .online(self, topics, w, statistics)
            .unwrap_or_else(|| {
                Err(NmfError::Matrix(format!(
                    "--solver {} with --loss {} has no online mode: it cannot fit by mini-batches (--batch-size), nor update a model it fitted",
                    self.solver, self.loss
                )))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_back_and_unknown_ones_list_the_choices() {
        for &s in Solver::ALL {
            assert_eq!(s.to_string().parse::<Solver>(), Ok(s));
            assert_eq!(
                format!(" {} ", s.name().to_uppercase()).parse::<Solver>(),
                Ok(s)
            );
        }
        for &l in Loss::ALL {
            assert_eq!(l.to_string().parse::<Loss>(), Ok(l));
        }
        let solvers: Vec<&str> = Solver::ALL.iter().map(|s| s.name()).collect();
        assert_eq!(
            "magic".parse::<Solver>(),
            Err(format!(
                "unknown solver 'magic'; choose {}",
                solvers.join(" or ")
            ))
        );
        assert!(solvers.contains(&"mu"));
        let losses: Vec<&str> = Loss::ALL.iter().map(|l| l.name()).collect();
        assert_eq!(
            "hinge".parse::<Loss>(),
            Err(format!(
                "unknown loss 'hinge'; choose {}",
                losses.join(" or ")
            ))
        );
    }

    #[test]
    fn every_pair_of_names_is_registered_or_refused_naming_both() {
        for &s in Solver::ALL {
            for &l in Loss::ALL {
                let registered = registered().any(|pair| pair == (s, l));
                match method(s, l) {
                    Ok(_) => assert!(registered),
                    Err(e) => {
                        assert!(!registered);
                        let text = e.to_string();
                        assert!(
                            text.contains(&format!("--solver {s} with --loss {l}")),
                            "{text}"
                        );
                    }
                }
            }
        }
        let refused = NmfError::Unsupported {
            solver: Solver::Mu,
            loss: Loss::Kl,
            registered: "--solver mu --loss kl".into(),
        };
        assert_eq!(
            refused.to_string(),
            "--solver mu with --loss kl: no solver does that; choose one of --solver mu --loss kl"
        );
    }

    #[test]
    fn the_defaults_are_those_of_model_files_written_before_the_names() {
        assert_eq!((Solver::default(), Loss::default()), (Solver::Mu, Loss::Kl));
        assert_eq!(registered().next(), Some((Solver::Mu, Loss::Kl)));
    }
}
