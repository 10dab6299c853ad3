//! The solver seam: what the fitting loop, `transform`, `rank` and `bench` ask of a solver, and
//! nothing more. They name no solver: [`Nmf::joint_solver`] and [`Nmf::document_solver`] look
//! the settings' [`Solver`](super::Solver) and [`Loss`](super::Loss) up in the registry
//! (`solvers/mod.rs`) and hand back a trait object.
//!
//! **The two objects.** A [`JointSolver`] holds the factors of one run and steps them: it starts
//! from [`Start`] (NNDSVDa, random, or given factors), updates H with W fixed then W with H fixed
//! (one joint step), evaluates its loss, tells each document's largest topic (for the
//! connectivity rule) and becomes the fitted [`NmfModel`]. A [`DocumentSolver`] holds W fixed
//! and solves each document's weights from the same uniform start: what [`Nmf::transform`]
//! computes for new documents and the end of [`Nmf::fit`] for the training ones, by one
//! procedure, so that a training document transformed gets back its fitted weights.
//!
//! **The contract of an implementation.**
//! - *Shapes.* V is `(n_words, n_documents)`, given by document (CSC) and by word (CSR) in
//!   [`Data`]; factors cross the seam as W `(n_words, topics)` and Hᵀ `(n_documents, topics)`,
//!   row-major. Inside, a solver lays them out as it likes (KL-MU pads rows to 8 lanes in
//!   64-byte-aligned `Rows`).
//! - *Threads.* Every method runs on the current rayon pool: the callers install a pool of
//!   [`Nmf::threads`] threads. A solver splits its passes into chunks that depend on V alone
//!   (`chunks::chunk_bounds`), never on the thread count, and adds the chunks' partial sums in
//!   chunk order (`chunks::reduce`), so the same settings and seed give the same bits on any
//!   number of threads. The tests check it for every registered solver.
//! - *Scratch space.* Everything a step needs is allocated when the object is made (the
//!   `Method` constructors), sized by those chunks; a step allocates nothing.
//! - *Kernels.* A solver picks its inner loops with `kernel::Kernel::detect()`, or the portable
//!   ones when [`Nmf::portable`] asks, and names them in [`JointSolver::kernel`].
//! - *Guards.* No NaN or infinity may come out: floor the denominators, leave dead topics
//!   alone, flush subnormals (`kernel::guard`).
//! - *The loss.* [`JointSolver::update_h`] may return the loss of the factors as they were
//!   before the update, fused into its pass where that is cheap (KL-MU's costs one logarithm a
//!   non-zero); [`JointSolver::loss`] must give the same bits for the same factors. The
//!   stopping rule compares it every 10 iterations, relative, so any scale will do; the reports
//!   name it by [`Loss::quantity`](super::Loss::quantity). The JSON field names stay
//!   `divergence`: they hold the loss the parameters name.
//! - *The model.* [`JointSolver::into_model`] gives the factors to
//!   `NmfModel::from_factors`, which scales each topic of W to sum to 1 (moving the scale into
//!   H, which leaves WH alone for any loss) and numbers the topics by share.
//! - *Document solves.* They are independent per document (a document's weights depend on
//!   nothing but W and its own column of V) and invariant to the numbering of the topics:
//!   `init::document_start` holds W's columns in an order that depends on their values alone.
//!
//! **Adding a solver.** Make a folder under `solvers/` whose `mod.rs` implements `Method` (the
//! two constructors, and `online` if it has an online mode), [`JointSolver`] and
//! [`DocumentSolver`], with its own kernels beside them;
//! then, in `solvers/mod.rs`, declare the module and add one row to the registry (and, for a new
//! name, the variant of [`Solver`](super::Solver) or [`Loss`](super::Loss) with its names).
//! Nothing else changes: `fit`, `transform`, `rank`, `bench`, the reports, the CLI flags
//! (parsed by `FromStr`), the model files (which save the names) and the seam's tests (which
//! run over [`registered()`](super::registered)) pick it up.
//!
//! **How the solvers fit, those there and those planned.**
//! - *KL coordinate descent* is in (`solvers/kl_cd/`, `(Cd, Kl)`): `update_h` runs one
//!   Newton step a weight over each document's K weights, keeping (WH) at the document's
//!   non-zeros in per-thread scratch space, chunks of documents in parallel; `update_w` the
//!   same over words by V's rows. Its document solve is the same sweeps with W fixed, under the
//!   same `transform_tol` rule. With [`Nmf::extrapolate`] (Ang & Gillis 2019;
//!   `kl_cd/extrapolate.rs`) it keeps the plain iterates (two more `Rows`, made at the start)
//!   and overrides [`JointSolver::step`]: update, push on along the move, and restart from the
//!   plain iterates when the loss (fused into every H half) rose.
//! - *Euclidean (Frobenius) loss* is in, with multiplicative updates (`solvers/frobenius_mu/`,
//!   `(Mu, Frobenius)`) and coordinate descent (`solvers/frobenius_cd/`, `(Cd, Frobenius)`,
//!   scikit-learn's default): [`Loss::Frobenius`](super::Loss::Frobenius), whose quantity the
//!   reports call "squared error". On a sparse V, ½‖V − WH‖² = ½‖V‖² − ⟨V, WH⟩ + ½⟨WᵀW, HHᵀ⟩:
//!   what both share is `solvers/least_squares/`, the K × K Gram matrices (scratch made at
//!   the start, summed chunk by chunk from the new rows), the products VᵀW and VHᵀ a row at a
//!   time, and the row passes, so the loss and both updates cost O(nnz·K + (n_words +
//!   n_documents)·K²); a solver is its row update (`least_squares::Rule`). Their document
//!   solve is one: a non-negative least squares problem a document, by coordinate descent.
//! - *Projected gradient* (Lin 2007) is in: `(Pg, Frobenius)`, `solvers/frobenius_pg/`. Its
//!   half steps work on a whole factor (the step size is one number, found by an Armijo
//!   search over sums of every row), so its `least_squares::Rule` says `PROJECTED` and the
//!   shared state holds its trial factors, made at the start (`least_squares::Trials`).
//! - *`--weighting tfidf`* is in: a stage of `src/matrix` (`weighting.rs`; V's values become
//!   scikit-learn's tf-idf weights). The idf is a function of the training counts, which the
//!   model saves, so `SavedModel::transform` weights new documents alike. The seam did not
//!   change: a solver sees an `f32` matrix, counts or not (weights under `MIN_COUNT` are
//!   dropped by the stage, so any loss may take them).
//! - *Masked entries* (missing values) for the Euclidean loss are in, in the library:
//!   [`Data::with_mask`] takes a sparse mask of the missing entries (`Nmf::fit_masked` fits
//!   with one); the loss and the updates leave those entries out. A solver that cannot use a
//!   mask (KL-MU, KL-CD, PG) refuses it in its constructor with an error naming the solver and
//!   the mask, so no other caller changes. In `least_squares/` the Gram trick holds with a
//!   correction over the missing entries alone: F = ½‖V_obs‖² − ⟨V, WH⟩ + ½⟨WᵀW, HHᵀ⟩ −
//!   ½Σ_missing (W_w·h_d)², and a row's quadratic has G − Σ_missing o oᵀ for G (o: the other
//!   factor's rows at the row's missing entries, `Half::row_gram`, made in the chunk's
//!   scratch): K²·(missing entries) more a row, nothing more for a row without one. The
//!   document solve takes the same mask. `fit --mask FILE.mtx` reads one beside a Matrix
//!   Market input (its rows found by name, since pruning renumbers them).
//! - *Online / mini-batch updates of a saved model* are in (`online.rs`, scikit-learn's
//!   `MiniBatchNMF.partial_fit`): a solver offers them by `Method`'s optional `online`
//!   constructor (`None` by default: [`Nmf::online_solver`] then refuses, naming the solver),
//!   which gives an [`OnlineSolver`] holding W and the [`OnlineStatistics`]. Per batch it
//!   solves the batch's weights with W fixed by the settings' [`DocumentSolver`], multiplies
//!   the statistics by the forgetting factor, adds the batch's and recomputes W. Both KL
//!   solvers offer it with the I-divergence's statistics (`kl_mu/online.rs`: W's numerators
//!   and H's row sums), coordinate descent with its own document solve. The statistics outlive
//!   a run: `SavedModel::update` saves them as added tensors, and rebuilds those of a model
//!   saved without them from its V and H ([`OnlineSolver::accumulate`]). The Euclidean `mu`
//!   and `cd` offer it too (`least_squares/online.rs`): V·Hᵀ in `a`, the K × K H·Hᵀ in `b`,
//!   and W recomputed by the solver's own row rule; projected gradient, whose step is over a
//!   whole factor, does not. A mini-batch fit starts from [`OnlineSolver::count_start`]: the
//!   start's W counted as one batch, in each loss's statistics.

use super::{Nmf, NmfError, NmfModel};
use crate::corpus::limits::{MAX_TOTAL, MIN_COUNT};
use crate::matrix::Sparse;

/// V, `(n_words, n_documents)`, by document (CSC) and by word (CSR), checked once: what every
/// solver is given.
#[derive(Debug, Clone, Copy)]
pub struct Data<'a> {
    by_doc: &'a Sparse,
    by_word: &'a Sparse,
    mask: Option<(&'a Sparse, &'a Sparse)>,
}

impl<'a> Data<'a> {
    /// V from `by_doc` in CSC and the same V in CSR as `by_word`; fails when they are not
    /// that, or when V's values lie outside the range every solver factors in `f32` (see
    /// [`limits`](crate::corpus::limits)).
    pub fn new(by_doc: &'a Sparse, by_word: &'a Sparse) -> Result<Data<'a>, NmfError> {
        if !by_doc.is_csc()
            || !by_word.is_csr()
            || by_word.shape() != by_doc.shape()
            || by_word.nnz() != by_doc.nnz()
        {
            return Err(NmfError::Matrix(
                "by_doc must be V in CSC and by_word the same V in CSR".into(),
            ));
        }
        check_values(by_doc)?;
        Ok(Data {
            by_doc,
            by_word,
            mask: None,
        })
    }

    /// V with the entries of `by_doc` (CSC) and `by_word` (the same in CSR), the same shape
    /// as V, left out as missing: the loss and the updates skip them. Their values do not
    /// matter. Fails when V holds a value at a masked entry, or the mask is not that.
    pub fn with_mask(self, by_doc: &'a Sparse, by_word: &'a Sparse) -> Result<Data<'a>, NmfError> {
        if !by_doc.is_csc()
            || !by_word.is_csr()
            || by_doc.shape() != self.shape()
            || by_word.shape() != self.shape()
            || by_word.nnz() != by_doc.nnz()
        {
            return Err(NmfError::Matrix(format!(
                "the mask must be {:?} as V is, by document (CSC) and the same by word (CSR)",
                self.shape()
            )));
        }
        for (d, column) in by_doc.outer_iterator().enumerate() {
            for (w, _) in column.iter() {
                if self.by_doc.get(w, d).is_some() {
                    return Err(NmfError::Matrix(format!(
                        "the mask leaves out word {w} of document {d}, where V holds a value: a missing entry has none"
                    )));
                }
            }
        }
        Ok(Data {
            mask: Some((by_doc, by_word)),
            ..self
        })
    }

    /// The missing entries by document (CSC) and by word (CSR), if any.
    pub fn mask(&self) -> Option<(&'a Sparse, &'a Sparse)> {
        self.mask
    }

    /// Fails, naming `solver`, when V has a mask: for solvers that cannot leave entries out.
    pub(crate) fn refuse_mask(&self, solver: &str) -> Result<(), NmfError> {
        match self.mask {
            Some(_) => Err(NmfError::Matrix(format!(
                "{solver} cannot leave masked (missing) entries out; only --loss frobenius with --solver mu or cd can"
            ))),
            None => Ok(()),
        }
    }

    /// V by document (CSC).
    pub fn by_doc(&self) -> &'a Sparse {
        self.by_doc
    }

    /// V by word (CSR).
    pub fn by_word(&self) -> &'a Sparse {
        self.by_word
    }

    /// `(n_words, n_documents)`.
    pub fn shape(&self) -> (usize, usize) {
        self.by_doc.shape()
    }
}

/// Where the joint iterations start.
#[derive(Debug, Clone, Copy)]
pub enum Start<'s> {
    /// As [`Nmf::init`] says, its randomness drawn from this seed.
    Seed(u64),
    /// From given factors, finite and non-negative: W `(n_words, topics)` and Hᵀ
    /// `(n_documents, topics)`, row-major.
    Factors {
        /// W.
        w: &'s [f32],
        /// Hᵀ.
        h: &'s [f32],
    },
}

/// The work of one joint step, for throughput figures.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StepCost {
    /// Multiply-adds of one step (H and W updates, the loss not evaluated).
    pub multiply_adds: f64,
    /// How they are counted, as `bench` prints it: `4·nnz·K`.
    pub formula: &'static str,
}

/// The joint iterations of one run: the factors and the scratch space of one solver.
///
/// Made by [`Nmf::joint_solver`]; every method runs on the current rayon pool and gives the
/// same bits on any number of threads.
pub trait JointSolver {
    /// The first half of a joint step: H with W fixed. With `loss`, returns the loss of the
    /// factors as they were before this update.
    fn update_h(&mut self, loss: bool) -> Option<f64>;

    /// The second half of a joint step: W with H fixed.
    fn update_w(&mut self);

    /// One joint step, what the fitting loop runs: H, then W. With `loss`, returns the loss of
    /// the factors as they were before the step. Solvers whose step is more than the two
    /// halves (extrapolation) override it.
    fn step(&mut self, loss: bool) -> Option<f64> {
        let value = self.update_h(loss);
        self.update_w();
        value
    }

    /// The loss of the current factors, without updating them: the bits `update_h(true)`
    /// would return for them.
    fn loss(&self) -> f64;

    /// Writes each document's largest topic (the first on ties; 0 for a document without
    /// weight) into `out`, one entry a document: what the connectivity rule compares.
    fn assign_documents(&self, out: &mut [u32]);

    /// Whether each half step promises never to increase the loss, up to float rounding
    /// (multiplicative updates do, by Lee & Seung's theorem; extrapolated steps need not). The
    /// tests hold every solver that says so to it.
    fn descends(&self) -> bool;

    /// The inner loops in use: `avx2+fma`, `neon` or `portable`.
    fn kernel(&self) -> &'static str;

    /// The work of one [`JointSolver::step`].
    fn cost(&self) -> StepCost;

    /// The fitted model: topics scaled to sum to 1, the scale moved into H, topics numbered by
    /// decreasing share.
    fn into_model(self: Box<Self>) -> NmfModel;
}

/// The document weights with W fixed: each document solved from the same uniform start, on its
/// own, until no weight moves by more than `tol` times the document's total in an update.
///
/// Made by [`Nmf::document_solver`]; runs on the current rayon pool. A document's weights are
/// the same bits whatever the other documents, the thread count and the numbering of W's
/// topics.
pub trait DocumentSolver {
    /// Solves every document with at most `max_iter` updates; returns, for each document, the
    /// updates run and whether `tol` stopped them.
    fn solve(&mut self, max_iter: usize, tol: f64) -> Vec<(u32, bool)>;

    /// The loss of V against W and the solved weights.
    fn loss(&self) -> f64;

    /// Hᵀ, `(n_documents, topics)` row-major, the topics numbered as the given W's.
    fn h(&self) -> Vec<f32>;
}

/// The running statistics of an online fit, in the numbering of W's topics: what W is
/// recomputed from after each batch, and what a model saves so that it can be updated again.
/// For the KL divergence (`kl_mu/online.rs`) `a` holds W ⊙ ((V/WH)·Hᵀ) and `b` H's row sums,
/// for the squared error (`least_squares/online.rs`) `a` holds V·Hᵀ and `b` the K × K matrix
/// H·Hᵀ, each summed over the batches with the forgetting factor.
#[derive(Debug, Clone, PartialEq)]
pub struct OnlineStatistics {
    /// `(n_words, topics)` row-major.
    pub a: Vec<f64>,
    /// `topics` values (KL), or `topics × topics` row-major (the squared error).
    pub b: Vec<f64>,
}

/// A mini-batch fit of W: the factors' words and the statistics accumulated over batches.
///
/// Made by `Method::online`; every method runs on the current rayon pool and gives the same
/// bits on any number of threads.
pub trait OnlineSolver: Send {
    /// One batch: solves its documents' weights with W fixed (the settings' document solve),
    /// folds them into the statistics after multiplying those by `forget`, and recomputes W
    /// from the statistics. Returns the batch's loss under W as it was before the update.
    fn batch(&mut self, v: Data<'_>, forget: f64) -> Result<f64, NmfError>;

    /// Folds given weights Hᵀ `(n_documents, topics)` of `v` into the statistics, after
    /// multiplying those by `forget`, without changing W: how the statistics of a model saved
    /// without them are rebuilt from its own V and H.
    fn accumulate(&mut self, v: Data<'_>, h: &[f32], forget: f64) -> Result<(), NmfError>;

    /// Replaces the statistics with W itself counted as one batch of `batch_size` of `v`'s
    /// documents: what a mini-batch fit starts from, so that a word the first batches lack
    /// keeps its weight (multiplicative updates could never give it back once it were 0;
    /// scikit-learn starts its statistics from W too). Their minimiser is W.
    fn count_start(&mut self, v: Data<'_>, batch_size: usize);

    /// W, `(n_words, topics)` row-major, each topic summing to 1 (0 for a dead one).
    fn w(&self) -> &[f32];

    /// The statistics.
    fn statistics(&self) -> &OnlineStatistics;

    /// W and the statistics.
    fn into_parts(self: Box<Self>) -> (Vec<f32>, OnlineStatistics);
}

/// One solver's constructors: what a folder under `solvers/` provides and the registry lists.
/// Its settings come from the [`Nmf`] (topics, `init`, `portable`, and any setting a solver of
/// its own adds there), so that a new setting changes no signature.
pub(crate) trait Method: Sync {
    /// The joint iterations of `v` from `start`.
    fn start<'a>(
        &self,
        nmf: &Nmf,
        v: Data<'a>,
        start: Start<'_>,
    ) -> Result<Box<dyn JointSolver + 'a>, NmfError>;

    /// The document weights of `v` with W fixed to `w`, `(n_words, topics)` row-major (the
    /// topics of a saved model, which `nmf` need not repeat).
    fn documents<'a>(
        &self,
        nmf: &Nmf,
        v: Data<'a>,
        topics: usize,
        w: &[f32],
    ) -> Result<Box<dyn DocumentSolver + 'a>, NmfError>;

    /// Whether its joint solver extrapolates when [`Nmf::extrapolate`] asks (overriding
    /// [`JointSolver::step`]); a solver that does not is refused the setting before any work.
    fn extrapolates(&self) -> bool {
        false
    }

    /// A mini-batch fit from W `(n_words, topics)` row-major and the statistics so far (`None`:
    /// none yet), or `None` when the solver has no online mode.
    fn online(
        &self,
        _nmf: &Nmf,
        _topics: usize,
        _w: &[f32],
        _statistics: Option<OnlineStatistics>,
    ) -> Option<Result<Box<dyn OnlineSolver>, NmfError>> {
        None
    }
}

/// V's values within the range the solvers factor in `f32`: finite, none negative, a positive
/// one at least [`MIN_COUNT`], all together at most [`MAX_TOTAL`]. Outside it, products of the
/// factors overflow or vanish under the floor of (WH), and the loss comes out infinite or not a
/// number.
fn check_values(v: &Sparse) -> Result<(), NmfError> {
    let mut total = 0f64;
    for &x in v.data() {
        if !(x.is_finite() && x >= 0.0) {
            return Err(NmfError::Values(format!(
                "V holds {x}: counts must be finite and ≥ 0"
            )));
        }
        if x > 0.0 && x < MIN_COUNT {
            return Err(NmfError::Values(format!(
                "V holds {x:e}, below {MIN_COUNT:e}, the smallest count the solver factors: multiply every count by the same factor (the topics do not change)"
            )));
        }
        total += x as f64;
    }
    if total > MAX_TOTAL {
        return Err(NmfError::Values(format!(
            "V's counts add up to {total:e}, past {MAX_TOTAL:e}, the most the solver factors without overflow: divide every count by the same factor (the topics do not change)"
        )));
    }
    Ok(())
}
