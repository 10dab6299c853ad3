//! Stage 4: the solver. V ≈ W·H with Lee & Seung's multiplicative updates for the I-divergence
//!
//! ```text
//! D(V‖WH) = Σ_wd  V_wd · ln(V_wd / (WH)_wd) − V_wd + (WH)_wd
//!
//! H_kd ← H_kd · Σ_w W_wk V_wd / (WH)_wd  /  Σ_w W_wk
//! W_wk ← W_wk · Σ_d H_kd V_wd / (WH)_wd  /  Σ_d H_kd
//! ```
//!
//! Shapes: V is `(n_words, n_documents)`, W `(n_words, n_topics)`, H `(n_topics, n_documents)`.
//! Each update never increases D (Lee & Seung 2001, theorem 2).
//!
//! (WH) is needed only where V is non-zero, so an iteration costs about 4·nnz·K multiply-adds:
//! for each non-zero a dot product of a row of W with a column of H, and an accumulation, once
//! for the H update (over documents, V by column) and once for the W update (over words, V by
//! row). The denominators are W's column sums and H's row sums; Σ(WH) = Σ_k colsum(W)_k ·
//! rowsum(H)_k, so D costs one logarithm per non-zero, fused into the H update on the
//! iterations where it is evaluated.
//!
//! **Parallelism and reproducibility.** The H update runs over fixed chunks of documents and the
//! W update over fixed chunks of words, in parallel (rayon). Each chunk is computed in a fixed
//! order and the partial sums of chunks are added in chunk order, so the same seed gives the
//! same bits whatever the number of threads. Factors are `f32`; the divergence and the column
//! and row sums are `f64`.
//!
//! **Kernel.** Topics are padded to a multiple of 8 so that the dot products and accumulations
//! run 8 lanes wide. On x86-64 with AVX2 and FMA (detected at run time) an intrinsics kernel
//! keeps the row being updated in registers and prefetches the other factor's rows; elsewhere
//! portable 8-lane loops run (see `kernel/`). Results are identical for any thread count on one
//! kernel, and agree to float rounding between kernels.
//!
//! **Guards.** (WH) is floored at 1e-12 before dividing, dead topics (a zero column sum) are left
//! as they are, and values below `f32::MIN_POSITIVE` are flushed to zero (they are zero for every
//! purpose, and denormals are slow), so no NaN or infinity can appear.
//!
//! After fitting, each topic (column of W) is scaled to sum to 1 and the scale moved into H, so
//! `H_kd` is the expected number of document d's words that come from topic k. Then H is solved
//! again with W fixed, each document from the same uniform start, by the procedure that
//! [`Nmf::transform`] applies to new documents (see `transform.rs`), so that a training document
//! transformed later gets back its fitted weights. Topics are numbered by decreasing share of
//! the corpus.
//!
//! **Choosing K.** [`Nmf::rank_fit`] fits one K from several seeds and measures how stable the
//! documents' main topics are across the runs: the cophenetic correlation of their consensus
//! (Brunet et al. 2004; see [`consensus`]).

mod bench;
pub mod consensus;
mod fit;
mod init;
mod kernel;
mod model;
mod nndsvd;
mod params;
mod rank;
mod rows;
mod solver;
mod transform;

pub use bench::{benchmark, fma_peak, BenchResult, BenchSettings, FmaPeak};
pub use fit::{FitReport, Restart};
pub use model::{weights_from_counts, NmfModel};
pub use params::{Init, Nmf, NmfError, StopReason, StopRule, TracePoint};
pub use rank::RankFit;
pub use solver::KlSolver;
pub use transform::TransformReport;
