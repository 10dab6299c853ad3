//! What the Euclidean (Frobenius) solvers share: the loss on a sparse V, the Gram matrices,
//! the products with V, and the passes that update one factor row by row.
//!
//! ```text
//! F(W, H) = ½‖V − WH‖² = ½‖V‖² − ⟨V, WH⟩ + ½⟨WᵀW, HHᵀ⟩
//! ```
//!
//! With W fixed, F is a quadratic in each document's weights h_d whose data are c = Wᵀv_d (the
//! row d of VᵀW) and the K × K Gram matrix G = WᵀW; with H fixed, the same in each word's
//! topics with c = (VHᵀ)_w and G = HHᵀ. So a half step is, row after row, `c` from the row's
//! non-zeros (nnz·K multiply-adds in all) and an update of the row from c and G (K² a row);
//! the other Gram matrix is summed from the new rows as they are made. ⟨V, WH⟩ is
//! Σ_nz v·(W_w·h_d), summed on the steps that report the loss: F never needs the dense WH.
//!
//! The row update is the solver's ([`Rule`]): multiplicative (`frobenius_mu/`), or a cyclic
//! pass of exact minimisations over the row's topics (`frobenius_cd/`).
//!
//! **Parallelism and reproducibility.** Rows are independent given the Gram matrix: fixed
//! chunks of them (`chunks::chunk_bounds`) run in parallel, each row computed the same on any
//! thread; each chunk sums its rows' outer products (the new Gram matrix) and its part of
//! ⟨V, WH⟩ in row order, and the chunks' partial sums are added in chunk order. Factors are
//! `f32`; c, G and the loss are `f64`. The loops are plain Rust, which the compiler
//! vectorises; on x86-64 with AVX2 they are compiled a second time with it enabled (chosen
//! at run time unless `--portable`), which changes their width but not one bit of a result.
//!
//! **Scratch space.** Two rows of `f64` (c, and the rule's own) and one Gram matrix a chunk,
//! made with the solver: a step allocates nothing.
//!
//! **Document weights with W fixed** (`documents.rs`): a non-negative least squares problem a
//! document, the same for every Euclidean solver, solved by cyclic coordinate descent.
//!
//! **Mini-batches** (`online.rs`): W from the running V·Hᵀ and H·Hᵀ of the batches, by the
//! same row rule.

use std::marker::PhantomData;

use rayon::prelude::*;

use crate::matrix::Sparse;
use crate::nmf::chunks::chunk_bounds;
use crate::nmf::init;
use crate::nmf::kernel::{guard, Kernel, LANES};
use crate::nmf::nndsvd::POWER_ITERATIONS;
use crate::nmf::rows::Rows;
use crate::nmf::seam::{
    self, Data, DocumentSolver, JointSolver, OnlineSolver, OnlineStatistics, Start, StepCost,
};
use crate::nmf::{Init, Nmf, NmfError, NmfModel};

mod documents;
mod online;

pub(super) use documents::Documents;

/// One row's update of a Euclidean solver: the row `x` (`kp` values, the first `k` used)
/// minimising ½xᵀGx − cᵀx + const over x ≥ 0, or brought nearer its minimum.
pub(super) trait Rule: Send + Sync + 'static {
    /// Whether each update never raises the loss (up to float rounding).
    const DESCENDS: bool;

    /// Whether a half step is projected gradient's over the whole factor
    /// (`frobenius_pg/`), with trial factors made at the start, instead of row updates.
    const PROJECTED: bool = false;

    /// Multiply-adds of a step a row, in units of K², and the formula `bench` prints.
    const ROW_COST: (f64, &'static str) = (1.5, "2·nnz·K + 1.5·(words + documents)·K²");

    /// Where the rule cannot leave missing entries out: its flags, naming it when a mask is
    /// refused.
    const NO_MASK: Option<&'static str> = None;

    /// Updates `x` against `c` (`kp`) and G (`k × k`, row-major); `aux` is `kp` of scratch.
    fn update(x: &mut [f32], c: &[f64], aux: &mut [f64], gram: &[f64], k: usize);
}

/// The registry's entry of a Euclidean solver: the joint steps of its rule `R`, the shared
/// document solve, and a mask refused where `R` cannot use one.
pub(super) struct Registered<R: Rule>(PhantomData<R>);

impl<R: Rule> Registered<R> {
    /// The entry, for the registry's table.
    pub(super) const ENTRY: Registered<R> = Registered(PhantomData);
}

impl<R: Rule> seam::Method for Registered<R> {
    fn start<'a>(
        &self,
        nmf: &Nmf,
        v: Data<'a>,
        start: Start<'_>,
    ) -> Result<Box<dyn JointSolver + 'a>, NmfError> {
        if let Some(name) = R::NO_MASK {
            v.refuse_mask(name)?;
        }
        let solver = LeastSquares::<R>::start(v, nmf.topics, nmf.init, start, nmf.portable)?;
        Ok(Box::new(solver))
    }

    fn documents<'a>(
        &self,
        nmf: &Nmf,
        v: Data<'a>,
        topics: usize,
        w: &[f32],
    ) -> Result<Box<dyn DocumentSolver + 'a>, NmfError> {
        if let Some(name) = R::NO_MASK {
            v.refuse_mask(name)?;
        }
        Ok(Box::new(Documents::new(v, topics, w, nmf.portable)?))
    }

    /// Row rules have one (`online.rs`); projected gradient's step is over a whole factor.
    fn online(
        &self,
        nmf: &Nmf,
        topics: usize,
        w: &[f32],
        statistics: Option<OnlineStatistics>,
    ) -> Option<Result<Box<dyn OnlineSolver>, NmfError>> {
        (!R::PROJECTED).then(|| online::start::<R>(nmf, topics, w, statistics))
    }
}

/// The state of a Euclidean fit: V by document and by word, the padded factors, both Gram
/// matrices and the scratch space of every chunk.
pub(super) struct LeastSquares<'a, R: Rule> {
    by_doc: &'a Sparse,
    by_word: &'a Sparse,
    doc_ptr: Vec<usize>,
    word_ptr: Vec<usize>,
    k: usize,
    kp: usize,
    kernel: Kernel,
    /// W, `(n_words, kp)` row-major.
    w: Rows,
    /// Hᵀ, `(n_documents, kp)` row-major.
    h: Rows,
    /// WᵀW, `(k, k)`.
    gram_w: Vec<f64>,
    /// HHᵀ, `(k, k)`.
    gram_h: Vec<f64>,
    doc_chunks: Vec<usize>,
    word_chunks: Vec<usize>,
    /// The missing entries' row pointers by document and by word (empty without a mask).
    mask_doc_ptr: Vec<usize>,
    mask_word_ptr: Vec<usize>,
    mask: Option<(&'a Sparse, &'a Sparse)>,
    /// Each chunk's scratch, `(chunks, 2·kp + k·k)`: two rows and a row's own Gram matrix.
    scratch: Vec<f64>,
    /// Each chunk's part of the next Gram matrix, `(chunks, k·k)`.
    partial_grams: Vec<f64>,
    /// Each chunk's part of ⟨V, WH⟩.
    partial_cross: Vec<f64>,
    /// ½‖V‖².
    half_norm: f64,
    /// Projected gradient's trial factors and step sizes, when the rule is that.
    trials: Option<Trials>,
    rule: std::marker::PhantomData<R>,
}

/// What projected gradient's half steps keep beside the factors, made at the start: each
/// row's c, two trial factors of each shape, each side's step size, and each chunk's sums.
pub(super) struct Trials {
    pub(super) c: Vec<f64>,
    pub(super) h: (Rows, Rows),
    pub(super) w: (Rows, Rows),
    pub(super) alpha_h: f64,
    pub(super) alpha_w: f64,
    pub(super) sums: Vec<f64>,
}

impl<'a, R: Rule> LeastSquares<'a, R> {
    /// The joint iterations of `v` with `k` topics from `start`, on the portable loops when
    /// `portable` says so.
    pub(super) fn start(
        v: Data<'a>,
        k: usize,
        init: Init,
        start: Start,
        portable: bool,
    ) -> Result<Self, NmfError> {
        let kp = padded(k);
        let (w, h) = init::factors(v, (k, kp), init, start, POWER_ITERATIONS)?;
        let (by_doc, by_word) = (v.by_doc(), v.by_word());
        let doc_ptr = by_doc.indptr().to_proper().into_owned();
        let word_ptr = by_word.indptr().to_proper().into_owned();
        let doc_chunks = chunk_bounds(&doc_ptr);
        let word_chunks = chunk_bounds(&word_ptr);
        let chunks = (doc_chunks.len() - 1).max(word_chunks.len() - 1);
        let (n_words, n_docs) = by_doc.shape();
        let trials = R::PROJECTED.then(|| Trials {
            c: vec![0.0; n_words.max(n_docs) * kp],
            h: (Rows::zeroed(n_docs * kp), Rows::zeroed(n_docs * kp)),
            w: (Rows::zeroed(n_words * kp), Rows::zeroed(n_words * kp)),
            alpha_h: 1.0,
            alpha_w: 1.0,
            sums: vec![0.0; chunks * (super::frobenius_pg::SUMS + 1)],
        });
        let mask = v.mask();
        let (mask_doc_ptr, mask_word_ptr) = match mask {
            Some((d, w)) => (
                d.indptr().to_proper().into_owned(),
                w.indptr().to_proper().into_owned(),
            ),
            None => (Vec::new(), Vec::new()),
        };
        let mut solver = LeastSquares {
            by_doc,
            by_word,
            doc_ptr,
            word_ptr,
            mask_doc_ptr,
            mask_word_ptr,
            mask,
            k,
            kp,
            kernel: kernel_for(portable),
            w,
            h,
            gram_w: vec![0.0; k * k],
            gram_h: vec![0.0; k * k],
            doc_chunks,
            word_chunks,
            scratch: vec![0.0; chunks * (2 * kp + k * k)],
            partial_grams: vec![0.0; chunks * k * k],
            partial_cross: vec![0.0; chunks],
            half_norm: half_norm(by_doc),
            trials,
            rule: std::marker::PhantomData,
        };
        solver.gram_of_w();
        solver.gram_of_h();
        Ok(solver)
    }

    /// WᵀW of the current W.
    fn gram_of_w(&mut self) {
        let (k, kp, n) = (self.k, self.kp, self.word_chunks.len() - 1);
        gram(
            &self.word_chunks,
            &mut self.w,
            k,
            kp,
            &mut self.scratch[..n * 2 * kp],
            &mut self.partial_grams[..n * k * k],
            &mut self.partial_cross[..n],
            &mut self.gram_w,
        );
    }

    /// HHᵀ of the current H.
    fn gram_of_h(&mut self) {
        let (k, kp, n) = (self.k, self.kp, self.doc_chunks.len() - 1);
        gram(
            &self.doc_chunks,
            &mut self.h,
            k,
            kp,
            &mut self.scratch[..n * 2 * kp],
            &mut self.partial_grams[..n * k * k],
            &mut self.partial_cross[..n],
            &mut self.gram_h,
        );
    }

    /// The H half; with `loss`, returns F of the factors as they were before it.
    fn update_h(&mut self, loss: bool) -> Option<f64> {
        let (k, kp) = (self.k, self.kp);
        if let Some(trials) = &mut self.trials {
            let half = Half {
                ptr: &self.doc_ptr,
                m: self.by_doc,
                other: &self.w,
                gram: &self.gram_w,
                k,
                kp,
                missing: None,
            };
            let n = self.doc_chunks.len() - 1;
            let cross = super::frobenius_pg::half(
                &half,
                &self.doc_chunks,
                &mut self.h,
                &mut trials.h,
                &mut trials.c,
                &mut trials.alpha_h,
                &mut self.scratch[..n * 2 * kp],
                &mut trials.sums,
                loss,
            );
            let before = loss.then(|| self.value(cross, &self.gram_h));
            self.gram_of_h();
            return before;
        }
        let half = Half {
            ptr: &self.doc_ptr,
            m: self.by_doc,
            other: &self.w,
            gram: &self.gram_w,
            k,
            kp,
            missing: self
                .mask
                .map(|(d, _)| (&self.mask_doc_ptr[..], d.indices())),
        };
        let n = self.doc_chunks.len() - 1;
        half.run::<R>(
            self.kernel,
            &self.doc_chunks,
            &mut self.h,
            &mut self.scratch[..n * (2 * kp + k * k)],
            &mut self.partial_grams[..n * k * k],
            &mut self.partial_cross[..n],
            loss,
        );
        let before = loss.then(|| self.value(self.partial_cross[..n].iter().sum(), &self.gram_h));
        reduce_gram(&self.partial_grams[..n * k * k], k, &mut self.gram_h);
        before
    }

    /// The W half.
    fn update_w(&mut self) {
        let (k, kp) = (self.k, self.kp);
        if let Some(trials) = &mut self.trials {
            let half = Half {
                ptr: &self.word_ptr,
                m: self.by_word,
                other: &self.h,
                gram: &self.gram_h,
                k,
                kp,
                missing: None,
            };
            let n = self.word_chunks.len() - 1;
            super::frobenius_pg::half(
                &half,
                &self.word_chunks,
                &mut self.w,
                &mut trials.w,
                &mut trials.c,
                &mut trials.alpha_w,
                &mut self.scratch[..n * 2 * kp],
                &mut trials.sums,
                false,
            );
            self.gram_of_w();
            return;
        }
        let half = Half {
            ptr: &self.word_ptr,
            m: self.by_word,
            other: &self.h,
            gram: &self.gram_h,
            k,
            kp,
            missing: self
                .mask
                .map(|(_, w)| (&self.mask_word_ptr[..], w.indices())),
        };
        let n = self.word_chunks.len() - 1;
        half.run::<R>(
            self.kernel,
            &self.word_chunks,
            &mut self.w,
            &mut self.scratch[..n * (2 * kp + k * k)],
            &mut self.partial_grams[..n * k * k],
            &mut self.partial_cross[..n],
            false,
        );
        reduce_gram(&self.partial_grams[..n * k * k], k, &mut self.gram_w);
    }

    /// F from ⟨V, WH⟩ and HHᵀ (W's Gram matrix is the current one); at least 0, which rounding
    /// could cross on a V that the factors reproduce.
    fn value(&self, cross: f64, gram_h: &[f64]) -> f64 {
        let grams: f64 = self.gram_w.iter().zip(gram_h).map(|(a, b)| a * b).sum();
        (self.half_norm - cross + 0.5 * grams).max(0.0)
    }

    /// F of the current factors: the bits `update_h(true)` returns for them.
    fn loss_now(&self) -> f64 {
        let half = Half {
            ptr: &self.doc_ptr,
            m: self.by_doc,
            other: &self.w,
            gram: &self.gram_w,
            k: self.k,
            kp: self.kp,
            missing: self
                .mask
                .map(|(d, _)| (&self.mask_doc_ptr[..], d.indices())),
        };
        let chunks = &self.doc_chunks;
        let parts: Vec<f64> = (0..chunks.len() - 1)
            .into_par_iter()
            .map(|c| {
                let rows = &self.h[chunks[c] * self.kp..chunks[c + 1] * self.kp];
                // Not a step: the loss alone makes its row of c here.
                let mut row = vec![0.0; self.kp];
                let mut cross = 0.0;
                for (i, x) in rows.chunks_exact(self.kp).enumerate() {
                    cross += half.cross(chunks[c] + i, x, &mut row)
                        + 0.5 * half.missing_square(chunks[c] + i, x);
                }
                cross
            })
            .collect();
        self.value(parts.iter().sum(), &self.gram_h)
    }
}

impl<R: Rule> JointSolver for LeastSquares<'_, R> {
    fn update_h(&mut self, loss: bool) -> Option<f64> {
        LeastSquares::update_h(self, loss)
    }

    fn update_w(&mut self) {
        LeastSquares::update_w(self)
    }

    fn loss(&self) -> f64 {
        self.loss_now()
    }

    fn assign_documents(&self, out: &mut [u32]) {
        crate::nmf::chunks::largest_topics(&self.h, self.kp, self.k, out);
    }

    fn descends(&self) -> bool {
        R::DESCENDS
    }

    fn kernel(&self) -> &'static str {
        self.kernel.name()
    }

    fn cost(&self) -> StepCost {
        let (n_words, n_docs) = self.by_doc.shape();
        let k = self.k as f64;
        let (per_row, formula) = R::ROW_COST;
        StepCost {
            multiply_adds: 2.0 * self.by_doc.nnz() as f64 * k
                + per_row * (n_words + n_docs) as f64 * k * k,
            formula,
        }
    }

    fn into_model(self: Box<Self>) -> NmfModel {
        let LeastSquares {
            w,
            h,
            k,
            kp,
            scratch,
            partial_grams,
            trials,
            ..
        } = *self;
        drop((scratch, partial_grams, trials));
        NmfModel::from_factors(w, h, k, kp)
    }
}

/// One half step's inputs: the rows of `m` (V by document, or by word) with row pointers
/// `ptr`, the other factor and its Gram matrix.
pub(super) struct Half<'s> {
    pub(super) ptr: &'s [usize],
    pub(super) m: &'s Sparse,
    pub(super) other: &'s [f32],
    pub(super) gram: &'s [f64],
    pub(super) k: usize,
    pub(super) kp: usize,
    /// The mask's row pointers and indices (by the same rows as `m`): each row's missing
    /// entries, whose rows of the other factor leave its quadratic.
    pub(super) missing: Option<(&'s [usize], &'s [u32])>,
}

impl Half<'_> {
    /// c = Σ_j v_j · other_j over row `i`'s non-zeros j: row i of VᵀW (or VHᵀ).
    #[inline(always)]
    pub(super) fn product(&self, i: usize, c: &mut [f64]) {
        let kp = self.kp;
        c.fill(0.0);
        let (start, end) = (self.ptr[i], self.ptr[i + 1]);
        let m = (&self.m.indices()[start..end], &self.m.data()[start..end]);
        for (n, (&j, &v)) in m.0.iter().zip(m.1).enumerate() {
            if let Some(&ahead) = m.0.get(n + PREFETCH) {
                prefetch(&self.other[ahead as usize * kp..][..kp]);
            }
            let row = &self.other[j as usize * kp..][..kp];
            let v = v as f64;
            for (c, &o) in c.iter_mut().zip(row) {
                *c += v * o as f64;
            }
        }
    }

    /// x·c with c from [`Half::product`]: row `i`'s part of ⟨V, WH⟩, Σ_j v_j (other_j · x).
    #[inline]
    pub(super) fn cross(&self, i: usize, x: &[f32], c: &mut [f64]) -> f64 {
        self.product(i, c);
        dot(c, x, self.k)
    }

    /// Row `i`'s Gram matrix: G less o oᵀ for each of its missing entries' rows o of the other
    /// factor, made in `own` (`k·k`); G itself for a row without one.
    #[inline(always)]
    pub(super) fn row_gram<'g>(&'g self, i: usize, own: &'g mut [f64]) -> &'g [f64] {
        let Some((ptr, indices)) = self.missing else {
            return self.gram;
        };
        let missing = &indices[ptr[i]..ptr[i + 1]];
        if missing.is_empty() {
            return self.gram;
        }
        let (k, kp) = (self.k, self.kp);
        let own = &mut own[..k * k];
        own.copy_from_slice(self.gram);
        for &j in missing {
            let o = &self.other[j as usize * kp..][..k];
            for (a, &oa) in o.iter().enumerate() {
                let oa = oa as f64;
                for (g, &ob) in own[a * k..][..k].iter_mut().zip(o) {
                    *g -= oa * ob as f64;
                }
            }
        }
        own
    }

    /// Σ (o·x)² over row `i`'s missing entries: what their (WH)² adds to ⟨WᵀW, HHᵀ⟩.
    #[inline(always)]
    pub(super) fn missing_square(&self, i: usize, x: &[f32]) -> f64 {
        let Some((ptr, indices)) = self.missing else {
            return 0.0;
        };
        let kp = self.kp;
        indices[ptr[i]..ptr[i + 1]]
            .iter()
            .map(|&j| {
                let o = &self.other[j as usize * kp..][..kp];
                let dot: f64 = o.iter().zip(x).map(|(&a, &b)| a as f64 * b as f64).sum();
                dot * dot
            })
            .sum()
    }

    /// Updates every chunk's rows by `R`, in parallel, writing each chunk's part of the new
    /// rows' Gram matrix and, with `loss`, its part of ⟨V, WH⟩ before the update.
    #[allow(clippy::too_many_arguments)]
    fn run<R: Rule>(
        &self,
        kernel: Kernel,
        bounds: &[usize],
        rows: &mut [f32],
        scratch: &mut [f64],
        grams: &mut [f64],
        cross: &mut [f64],
        loss: bool,
    ) {
        let chunk = |first: usize, rows: &mut [f32], scratch: &mut [f64], gram: &mut [f64]| {
            match kernel {
                // SAFETY: Kernel::Avx2Fma is only chosen when the CPU has AVX2 and FMA.
                #[cfg(target_arch = "x86_64")]
                Kernel::Avx2Fma => unsafe {
                    avx2::chunk::<R>(self, first, rows, scratch, gram, loss)
                },
                _ => self.chunk::<R>(first, rows, scratch, gram, loss),
            }
        };
        let (k, kp) = (self.k, self.kp);
        for_chunks(
            bounds,
            kp,
            2 * kp + k * k,
            k * k,
            rows,
            scratch,
            grams,
            cross,
            &chunk,
        );
    }

    /// One chunk's rows, from row `first`: each row's c, its part of ⟨V, WH⟩ (with `loss`),
    /// its update, and its outer product added to the chunk's `gram`.
    #[inline(always)]
    fn chunk<R: Rule>(
        &self,
        first: usize,
        rows: &mut [f32],
        scratch: &mut [f64],
        gram: &mut [f64],
        loss: bool,
    ) -> f64 {
        let (k, kp) = (self.k, self.kp);
        let (c, rest) = scratch.split_at_mut(kp);
        let (aux, own) = rest.split_at_mut(kp);
        gram.fill(0.0);
        let mut sum = 0.0;
        for (i, x) in rows.chunks_exact_mut(kp).enumerate() {
            self.product(first + i, c);
            if loss {
                sum += dot(c, x, k) + 0.5 * self.missing_square(first + i, x);
            }
            let g = self.row_gram(first + i, own);
            R::update(x, c, aux, g, k);
            add_outer(gram, x, k);
        }
        sum
    }
}

/// The same loops compiled with AVX2 enabled: the compiler makes the row loops 4 doubles wide
/// instead of 2. Nothing is reordered or fused (Rust never contracts a·b + c into one
/// rounding), so the bits are those of the portable loops.
#[cfg(target_arch = "x86_64")]
mod avx2 {
    use super::{Half, Rule};

    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn chunk<R: Rule>(
        half: &Half,
        first: usize,
        rows: &mut [f32],
        scratch: &mut [f64],
        gram: &mut [f64],
        loss: bool,
    ) -> f64 {
        half.chunk::<R>(first, rows, scratch, gram, loss)
    }

    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn coordinate_pass(
        x: &mut [f32],
        c: &[f64],
        gx: &mut [f64],
        gram: &[f64],
        k: usize,
    ) -> f32 {
        super::coordinate_pass(x, c, gx, gram, k)
    }
}

/// [`coordinate_pass`] on `kernel`'s instructions: the document solve's inner loop.
#[inline]
pub(super) fn coordinate_pass_on(
    kernel: Kernel,
    x: &mut [f32],
    c: &[f64],
    gx: &mut [f64],
    gram: &[f64],
    k: usize,
) -> f32 {
    match kernel {
        // SAFETY: Kernel::Avx2Fma is only chosen when the CPU has AVX2 and FMA.
        #[cfg(target_arch = "x86_64")]
        Kernel::Avx2Fma => unsafe { avx2::coordinate_pass(x, c, gx, gram, k) },
        _ => coordinate_pass(x, c, gx, gram, k),
    }
}

/// Non-zeros ahead whose rows of the other factor [`Half::product`] asks for: the rows are
/// scattered over more memory than the caches hold, and their loads can overlap the
/// arithmetic of the rows before.
const PREFETCH: usize = 8;

/// Asks for `row` to be brought into cache (x86-64; elsewhere nothing).
#[inline(always)]
fn prefetch(row: &[f32]) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        for line in row.chunks(16) {
            // SAFETY: prefetching a valid address has no effect but on the caches.
            unsafe { _mm_prefetch::<_MM_HINT_T0>(line.as_ptr() as *const i8) };
        }
        if let Some(last) = row.last() {
            // SAFETY: as above; a row may end on a line its first 16 values do not reach.
            unsafe { _mm_prefetch::<_MM_HINT_T0>(last as *const f32 as *const i8) };
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = row;
}

/// Runs `f(first row, rows, scratch, gram)` on every chunk in parallel, splitting the buffers
/// at the chunk bounds: chunk c gets `sp` of `scratch`, `kk` of `grams` and writes its
/// result into its slot of `outs`.
#[allow(clippy::too_many_arguments)]
pub(super) fn for_chunks<T: Send, F>(
    bounds: &[usize],
    kp: usize,
    sp: usize,
    kk: usize,
    rows: &mut [T],
    scratch: &mut [f64],
    grams: &mut [f64],
    outs: &mut [f64],
    f: &F,
) where
    F: Fn(usize, &mut [T], &mut [f64], &mut [f64]) -> f64 + Sync,
{
    let n = bounds.len() - 1;
    if n == 1 {
        outs[0] = f(bounds[0], rows, scratch, grams);
        return;
    }
    let mid = n / 2;
    let (r0, r1) = rows.split_at_mut((bounds[mid] - bounds[0]) * kp);
    let (s0, s1) = scratch.split_at_mut(mid * sp);
    let (g0, g1) = grams.split_at_mut(mid * kk);
    let (o0, o1) = outs.split_at_mut(mid);
    rayon::join(
        || for_chunks(&bounds[..=mid], kp, sp, kk, r0, s0, g0, o0, f),
        || for_chunks(&bounds[mid..], kp, sp, kk, r1, s1, g1, o1, f),
    );
}

/// The Gram matrix of `rows` (`kp` values a row, the first `k` used) into `out`, `(k, k)`,
/// summed chunk by chunk in parallel into `partials` (`k·k` a chunk; `scratch` and `outs`, of
/// `2·kp` and 1 a chunk, unused) and added in chunk order.
#[allow(clippy::too_many_arguments)]
pub(super) fn gram(
    bounds: &[usize],
    rows: &mut [f32],
    k: usize,
    kp: usize,
    scratch: &mut [f64],
    partials: &mut [f64],
    outs: &mut [f64],
    out: &mut [f64],
) {
    let chunk = |_: usize, rows: &mut [f32], _: &mut [f64], gram: &mut [f64]| {
        gram.fill(0.0);
        for x in rows.chunks_exact(kp) {
            add_outer(gram, x, k);
        }
        0.0
    };
    for_chunks(
        bounds,
        kp,
        2 * kp,
        k * k,
        rows,
        scratch,
        partials,
        outs,
        &chunk,
    );
    reduce_gram(partials, k, out);
}

/// Adds x xᵀ's upper triangle to `gram` (`k × k`).
#[inline(always)]
fn add_outer(gram: &mut [f64], x: &[f32], k: usize) {
    for a in 0..k {
        let xa = x[a] as f64;
        if xa == 0.0 {
            continue;
        }
        let row = &mut gram[a * k..][a..k];
        for (g, &xb) in row.iter_mut().zip(&x[a..k]) {
            *g += xa * xb as f64;
        }
    }
}

/// Adds the chunks' upper triangles in chunk order into `out`, and mirrors them.
fn reduce_gram(partials: &[f64], k: usize, out: &mut [f64]) {
    out.fill(0.0);
    for part in partials.chunks_exact(k * k) {
        for (o, &x) in out.iter_mut().zip(part) {
            *o += x;
        }
    }
    for a in 0..k {
        for b in 0..a {
            out[a * k + b] = out[b * k + a];
        }
    }
}

/// ½‖V‖², in f64, value after value.
fn half_norm(v: &Sparse) -> f64 {
    0.5 * v.data().iter().map(|&x| x as f64 * x as f64).sum::<f64>()
}

/// Σ_t c_t x_t over the first `k` topics, in topic order.
#[inline(always)]
pub(super) fn dot(c: &[f64], x: &[f32], k: usize) -> f64 {
    c[..k]
        .iter()
        .zip(&x[..k])
        .map(|(&c, &x)| c * x as f64)
        .sum()
}

/// gx = Gx (G symmetric, `k × k`), as a sum of G's rows weighted by x: independent lanes the
/// compiler vectorises, where a dot product a topic would be one chain of additions.
#[inline(always)]
pub(super) fn gram_times(gx: &mut [f64], gram: &[f64], x: &[f32], k: usize) {
    gx[..k].fill(0.0);
    for (r, &xr) in x[..k].iter().enumerate() {
        if xr != 0.0 {
            let xr = xr as f64;
            for (o, &g) in gx[..k].iter_mut().zip(&gram[r * k..][..k]) {
                *o += g * xr;
            }
        }
    }
}

/// One cyclic pass of exact minimisations over the row's topics: for each topic t whose
/// G_tt > 0, x_t ← max(0, x_t − ((Gx)_t − c_t) / G_tt), the minimum of F over x_t with the
/// others fixed; `gx` (`kp` of scratch) holds Gx, moved with each weight. Returns the largest
/// move. A topic with G_tt = 0 (a dead topic: its column of the other factor is zero) has no
/// effect on F and is left alone.
#[inline(always)]
pub(super) fn coordinate_pass(
    x: &mut [f32],
    c: &[f64],
    gx: &mut [f64],
    gram: &[f64],
    k: usize,
) -> f32 {
    gram_times(gx, gram, x, k);
    let mut moved = 0f32;
    for t in 0..k {
        let g = &gram[t * k..][..k];
        let diagonal = g[t];
        if diagonal <= 0.0 {
            continue;
        }
        let step = (gx[t] - c[t]) / diagonal;
        let new = guard((x[t] as f64 - step).max(0.0) as f32);
        let delta = new as f64 - x[t] as f64;
        if delta != 0.0 {
            moved = moved.max((new - x[t]).abs());
            x[t] = new;
            for (o, &g) in gx[..k].iter_mut().zip(g) {
                *o += g * delta;
            }
        }
    }
    moved
}

/// The loops to run: AVX2's where the CPU has them, unless `portable`.
pub(super) fn kernel_for(portable: bool) -> Kernel {
    match Kernel::detect() {
        Kernel::Avx2Fma if !portable => Kernel::Avx2Fma,
        _ => Kernel::Portable,
    }
}

/// Topics padded to a whole number of lanes (rows start on a cache line).
pub(super) fn padded(k: usize) -> usize {
    k.div_ceil(LANES) * LANES
}
