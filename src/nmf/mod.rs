//! Stage 4: the factorisation. V ≈ W·H with V `(n_words, n_documents)` the counts, W
//! `(n_words, n_topics)` the topics' words and H `(n_topics, n_documents)` the documents'
//! topics, all non-negative, fitted by one of the solvers to one loss: by default Lee & Seung's
//! multiplicative updates for the I-divergence (`--solver mu --loss kl`, see
//! `solvers/kl_mu/`), or cyclic coordinate descent on the same loss (`--solver cd`, see
//! `solvers/kl_cd/`), which reaches a given divergence in fewer, dearer iterations; or, on the
//! Euclidean loss ½‖V − WH‖² (`--loss frobenius`, usually of tf-idf weights), multiplicative
//! updates, coordinate descent or projected gradient (`--solver mu`, `cd`, `pg`; see
//! `solvers/least_squares/`), which can also leave masked entries out ([`Nmf::fit_masked`]).
//!
//! **The solver seam** (`seam.rs`). The fitting loop ([`Nmf::fit`]: the stopping rules, the
//! divergence trace, restarts, the connectivity rule), [`Nmf::transform`], the final solve of
//! H, [`Nmf::rank_fit`] and [`benchmark`] name no solver: they ask the registry
//! (`solvers/mod.rs`) for the [`JointSolver`] and the [`DocumentSolver`] of the settings'
//! [`Solver`] and [`Loss`], and drive those. What a solver must do (shapes, threads, scratch
//! space, guards) and how the planned ones plug in is written in `seam.rs`; each solver is a
//! folder under `solvers/` with its own kernels. Shared by all: the padded, aligned factor
//! storage (`rows.rs`), the starts (`init.rs`, `nndsvd.rs`), the chunks and their ordered
//! reductions (`chunks.rs`), and the CPU's kernel choice and building blocks (`kernel/`).
//!
//! **Reproducibility.** Every solver splits its work into chunks that depend on V alone and
//! adds their partial sums in chunk order, so the same seed gives the same bits whatever the
//! number of threads.
//!
//! After fitting, each topic (column of W) is scaled to sum to 1 and the scale moved into H, so
//! `H_kd` is the expected number of document d's words that come from topic k. Then H is solved
//! again with W fixed, each document from the same uniform start, by the procedure that
//! [`Nmf::transform`] applies to new documents (see `transform.rs`), so that a training document
//! transformed later gets back its fitted weights. Topics are numbered by decreasing share of
//! the corpus.
//!
//! **Online updates** (`online.rs`). [`Nmf::partial_fit`] folds new documents into a fitted
//! model batch by batch: their weights solved with W fixed, then W recomputed from statistics
//! accumulated over the batches with a forgetting factor (scikit-learn's `MiniBatchNMF`);
//! [`Nmf::fit_minibatch`] fits from scratch that way.
//!
//! **Choosing K.** [`Nmf::rank_fit`] fits one K from several seeds and measures how stable the
//! documents' main topics are across the runs: the cophenetic correlation of their consensus
//! (Brunet et al. 2004; see [`consensus`]).

mod bench;
mod chunks;
pub mod consensus;
mod fit;
mod init;
mod kernel;
mod model;
mod nndsvd;
mod online;
mod params;
mod rank;
mod rows;
mod seam;
mod solvers;
mod transform;

pub use bench::{benchmark, fma_peak, BenchResult, BenchSettings, FmaPeak};
pub use fit::{FitReport, Restart};
pub use model::{weights_from_counts, NmfModel};
pub use online::{BatchReport, MiniBatch, Online};
pub use params::{max_threads, Init, Nmf, NmfError, StopReason, StopRule, TracePoint};
pub use rank::RankFit;
pub use seam::{
    Data, DocumentSolver, JointSolver, OnlineSolver, OnlineStatistics, Start, StepCost,
};
pub use solvers::{registered, solver_description, KlMu, Loss, Solver};
pub use transform::TransformReport;
