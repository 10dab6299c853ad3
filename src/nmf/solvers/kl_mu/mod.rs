//! Lee & Seung's multiplicative updates for the I-divergence (`--solver mu --loss kl`):
//!
//! ```text
//! D(V‖WH) = Σ_wd  V_wd · ln(V_wd / (WH)_wd) − V_wd + (WH)_wd
//!
//! H_kd ← H_kd · Σ_w W_wk V_wd / (WH)_wd  /  Σ_w W_wk
//! W_wk ← W_wk · Σ_d H_kd V_wd / (WH)_wd  /  Σ_d H_kd
//! ```
//!
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
//! **Document weights with W fixed** (`documents.rs`): the H update alone, each document from
//! the same uniform start until its weights stop moving.

use rayon::prelude::*;

use crate::matrix::Sparse;
use crate::nmf::chunks::{chunk_bounds, column_sums, for_each_chunk, reduce};
use crate::nmf::init;
use crate::nmf::kernel::{Kernel, LANES};
use crate::nmf::nndsvd::POWER_ITERATIONS;
use crate::nmf::rows::Rows;
use crate::nmf::seam::{
    self, Data, DocumentSolver, JointSolver, OnlineSolver, OnlineStatistics, Start, StepCost,
};
use crate::nmf::{Init, Nmf, NmfError, NmfModel};
use kernel::Pass;

mod documents;
mod kernel;
mod online;

pub(super) use online::start as online;

/// Bytes of W's rows (and as many of their numerators) that the words gathered document by
/// document take: the most frequent words, whose rows then stay in a core's L2 cache while
/// the documents stream past. On the Debian corpus the first 1,170 words at K = 50 hold about
/// two thirds of the non-zeros.
const HOT_BYTES: usize = 256 << 10;

/// Parts of the documents whose numerators of the frequent words are summed apart, then added
/// in part order: fixed, so that the sums do not depend on the number of threads.
const HOT_PARTS: usize = 8;

/// Frequent words whose parts one task adds up and whose rows it finishes.
const HOT_TASK: usize = 64;

/// The state of a KL-MU fit: V by document and by word, the padded factors, and scratch space
/// allocated once, so that an iteration allocates nothing.
///
/// Use [`Nmf::fit`] to fit, or [`Nmf::joint_solver`] to step through any solver; this type is
/// for stepping through these updates and their kernels (tests, research). Updates run on the
/// current rayon pool.
pub struct KlMu<'a> {
    by_doc: &'a Sparse,
    doc_ptr: Vec<usize>,
    k: usize,
    kp: usize,
    kernel: Kernel,
    /// W, `(n_words, kp)` row-major.
    w: Rows,
    /// Hᵀ, `(n_documents, kp)` row-major: a document's topics are contiguous.
    h: Rows,
    /// Where each of the caller's topics is held.
    slot: Vec<usize>,
    col_w: Vec<f64>,
    row_h: Vec<f64>,
    inv: Vec<f32>,
    doc_chunks: Vec<usize>,
    /// V by word (CSR).
    by_word: &'a Sparse,
    word_ptr: Vec<usize>,
    /// Words `..hot` have their numerators gathered document by document; the others word by
    /// word, each row updated as soon as its numerator is whole.
    hot: usize,
    /// Chunks of words `hot..`.
    cold_chunks: Vec<usize>,
    /// Where each document's non-zeros of those words end in `by_doc` (they come first).
    hot_ends: Vec<usize>,
    /// The documents of each part, `HOT_PARTS + 1` bounds (fewer for few documents).
    hot_parts: Vec<usize>,
    /// Each part's numerators of the hot words, `(parts, hot, kp)`.
    hot_acc: Rows,
    acc: Vec<f32>,
    sums: Vec<f64>,
    divs: Vec<f64>,
}

impl<'a> KlMu<'a> {
    /// A solver started from `w0`, `(n_words, k)` row-major, and `h0`, `(n_documents, k)`
    /// row-major (that is Hᵀ). `by_doc` is V in CSC and `by_word` the same V in CSR.
    pub fn new(
        by_doc: &'a Sparse,
        by_word: &'a Sparse,
        k: usize,
        w0: &[f32],
        h0: &[f32],
    ) -> Result<KlMu<'a>, NmfError> {
        let start = Start::Factors { w: w0, h: h0 };
        KlMu::start(Data::new(by_doc, by_word)?, k, Init::Random, start)
    }

    /// A solver started from random factors drawn from `seed` ([`Init::Random`]).
    pub fn random(
        by_doc: &'a Sparse,
        by_word: &'a Sparse,
        k: usize,
        seed: u64,
    ) -> Result<KlMu<'a>, NmfError> {
        let v = Data::new(by_doc, by_word)?;
        KlMu::start(v, k, Init::Random, Start::Seed(seed))
    }

    /// A solver started from an NNDSVDa start ([`Init::Nndsvda`]), its random projection
    /// drawn from `seed`.
    pub fn nndsvda(
        by_doc: &'a Sparse,
        by_word: &'a Sparse,
        k: usize,
        seed: u64,
    ) -> Result<KlMu<'a>, NmfError> {
        let v = Data::new(by_doc, by_word)?;
        KlMu::start(v, k, Init::Nndsvda, Start::Seed(seed))
    }

    /// A solver started as `start` says (with `init` for a seed).
    fn start(v: Data<'a>, k: usize, init: Init, start: Start) -> Result<KlMu<'a>, NmfError> {
        let kp = padded(k);
        let (w, h) = init::factors(v, (k, kp), init, start, POWER_ITERATIONS)?;
        Ok(KlMu::with_factors(v, k, w, h))
    }

    /// The solver of the joint updates from padded, checked factors.
    fn with_factors(v: Data<'a>, k: usize, w: Rows, h: Rows) -> KlMu<'a> {
        let mut solver = KlMu::assemble(v, k, w, h, (0..k).collect());
        solver.word_ptr = v.by_word().indptr().to_proper().into_owned();
        column_sums(&solver.h, solver.kp, &mut solver.row_h);
        let hot = HOT_BYTES / (solver.kp * 4);
        solver.gather_hot_words(hot.min(v.by_doc().rows()));
        solver
    }

    /// The parts both kinds of solver have: the H update's bounds and scratch space, W's
    /// column sums, and nothing yet of the W update's.
    fn assemble(v: Data<'a>, k: usize, w: Rows, h: Rows, slot: Vec<usize>) -> KlMu<'a> {
        let (by_doc, by_word) = (v.by_doc(), v.by_word());
        let kp = padded(k);
        let doc_ptr = by_doc.indptr().to_proper().into_owned();
        let doc_chunks = chunk_bounds(&doc_ptr);
        let chunks = doc_chunks.len() - 1;
        let mut solver = KlMu {
            by_doc,
            doc_ptr,
            k,
            kp,
            kernel: Kernel::detect(),
            w,
            h,
            slot,
            col_w: vec![0.0; kp],
            row_h: vec![0.0; kp],
            inv: vec![0.0; kp],
            doc_chunks,
            by_word,
            word_ptr: Vec::new(),
            hot: 0,
            cold_chunks: Vec::new(),
            hot_ends: Vec::new(),
            hot_parts: Vec::new(),
            hot_acc: Rows::zeroed(0),
            acc: vec![0.0; chunks * kp],
            sums: vec![0.0; chunks * kp],
            divs: vec![0.0; chunks],
        };
        column_sums(&solver.w, kp, &mut solver.col_w);
        solver
    }

    /// Makes words `..hot` have their W numerators gathered document by document, the others
    /// word by word (see [`KlMu::update_w`]).
    fn gather_hot_words(&mut self, hot: usize) {
        let kp = self.kp;
        let doc_ptr = &self.doc_ptr;
        let indices = self.by_doc.indices();
        self.hot = hot;
        self.hot_ends = doc_ptr
            .windows(2)
            .map(|d| d[0] + indices[d[0]..d[1]].partition_point(|&w| (w as usize) < hot))
            .collect();
        self.hot_parts = hot_part_bounds(doc_ptr, &self.hot_ends, HOT_PARTS);
        self.hot_acc = Rows::zeroed((self.hot_parts.len() - 1) * hot * kp);
        self.cold_chunks = chunk_bounds(&self.word_ptr[hot..])
            .into_iter()
            .map(|c| c + hot)
            .collect();
        let chunks = hot.div_ceil(HOT_TASK) + self.cold_chunks.len() - 1;
        if chunks > self.divs.len() {
            self.acc.resize(chunks * kp, 0.0);
            self.sums.resize(chunks * kp, 0.0);
            self.divs.resize(chunks, 0.0);
        }
    }

    /// Writes each document's largest topic (the first on ties; 0 for a document without
    /// weight) into `out`, one entry a document.
    pub fn assign_documents(&self, out: &mut [u32]) {
        crate::nmf::chunks::largest_topics(&self.h, self.kp, self.k, out);
    }

    /// Uses plain multiply-adds instead of the fastest kernel (to compare the two).
    pub fn use_portable_kernel(&mut self) {
        self.kernel = Kernel::Portable;
    }

    /// The kernel in use: `avx2+fma`, `neon` or `portable`.
    pub fn kernel(&self) -> &'static str {
        self.kernel.name()
    }

    /// Number of topics.
    pub fn topics(&self) -> usize {
        self.k
    }

    /// Row `w` of W: the word's weight in each topic (`k` values).
    pub fn w_row(&self, w: usize) -> &[f32] {
        &self.w[w * self.kp..][..self.k]
    }

    /// Column `d` of H: the document's weight on each topic (`k` values).
    pub fn h_column(&self, d: usize) -> &[f32] {
        &self.h[d * self.kp..][..self.k]
    }

    /// The H update. With `divergence`, also returns D(V‖WH) for the factors as they were
    /// before the update, at the cost of one logarithm per non-zero.
    pub fn update_h(&mut self, divergence: bool) -> Option<f64> {
        let total_wh = self.total_wh();
        reciprocals(&self.col_w, &mut self.inv);
        let pass = pass_over(&self.doc_ptr, self.by_doc, &self.w, &self.inv, self.kp);
        let n = self.doc_chunks.len() - 1;
        run_pass(
            self.kernel,
            divergence,
            &pass,
            &self.doc_chunks,
            &mut self.h,
            &mut self.acc[..n * self.kp],
            &mut self.sums[..n * self.kp],
            &mut self.divs[..n],
        );
        reduce(&self.sums[..n * self.kp], self.kp, &mut self.row_h);
        divergence.then(|| self.divs[..n].iter().sum::<f64>() + total_wh)
    }

    /// The W update. The numerators of the most frequent words are gathered document by
    /// document, each part of the documents into its own rows, then added in part order; those
    /// of the other words word by word, each row updated as soon as its numerator is whole.
    pub fn update_w(&mut self) {
        reciprocals(&self.row_h, &mut self.inv);
        let KlMu {
            w,
            h,
            acc,
            sums,
            divs,
            cold_chunks,
            by_word,
            by_doc,
            doc_ptr,
            word_ptr,
            hot,
            hot_ends,
            hot_parts,
            hot_acc,
            inv,
            col_w,
            kp,
            kernel,
            ..
        } = self;
        let (kp, kernel, hot) = (*kp, *kernel, *hot);
        let hot_tasks = hot.div_ceil(HOT_TASK);
        // One empty chunk when every word is hot: it sums to zero.
        let cold = cold_chunks.len() - 1;
        let (hot_sums, cold_sums) = sums.split_at_mut(hot_tasks * kp);
        let (w_hot, w_cold) = w.split_at_mut(hot * kp);
        let inv: &[f32] = inv;
        if hot > 0 {
            {
                let pass = Pass {
                    starts: &doc_ptr[..doc_ptr.len() - 1],
                    ends: hot_ends,
                    indices: by_doc.indices(),
                    data: by_doc.data(),
                    other: w_hot,
                    inv,
                    kp,
                    prefetch: false,
                };
                let h: &[f32] = h;
                let parts: &[usize] = hot_parts;
                hot_acc
                    .par_chunks_mut(hot * kp)
                    .enumerate()
                    .for_each(|(p, part)| {
                        part.fill(0.0);
                        let docs = &h[parts[p] * kp..parts[p + 1] * kp];
                        kernel::scatter_rows(kernel, &pass, parts[p], docs, part);
                    });
            }
            // The other parts added into the first in part order, then the rows finished, a
            // few words a task.
            let (first_part, others) = hot_acc.split_at_mut(hot * kp);
            let others: &[f32] = others;
            let task = HOT_TASK * kp;
            first_part
                .par_chunks_mut(task)
                .zip(w_hot.par_chunks_mut(task))
                .zip(hot_sums.par_chunks_mut(kp))
                .enumerate()
                .for_each(|(c, ((numerators, rows), sums))| {
                    let at = c * task;
                    for part in others.chunks_exact(hot * kp) {
                        for (n, &x) in numerators.iter_mut().zip(&part[at..]) {
                            *n += x;
                        }
                    }
                    kernel::finish_rows(rows, numerators, inv, sums);
                });
        }
        let pass = pass_over(word_ptr, by_word, h, inv, kp);
        run_pass(
            kernel,
            false,
            &pass,
            cold_chunks,
            w_cold,
            acc,
            &mut cold_sums[..cold * kp],
            &mut divs[..cold],
        );
        reduce(&sums[..(hot_tasks + cold) * kp], kp, col_w);
    }

    /// Hᵀ without padding, `(n_documents, k)` row-major, topics numbered as the caller did.
    pub fn h(&self) -> Vec<f32> {
        self.h
            .chunks_exact(self.kp)
            .flat_map(|row| self.slot.iter().map(|&c| row[c]))
            .collect()
    }

    /// D(V‖WH) for the current factors, without updating them. Equal, bit for bit, to what
    /// [`KlMu::update_h`] returns for the same factors.
    pub fn divergence(&self) -> f64 {
        let total_wh = self.total_wh();
        let pass = pass_over(&self.doc_ptr, self.by_doc, &self.w, &self.inv, self.kp);
        let (chunks, kernel, h) = (&self.doc_chunks, self.kernel, &self.h);
        let parts: Vec<f64> = (0..chunks.len() - 1)
            .into_par_iter()
            .map(|c| {
                let rows = &h[chunks[c] * pass.kp..chunks[c + 1] * pass.kp];
                kernel::divergence_rows(kernel, &pass, chunks[c], rows)
            })
            .collect();
        parts.iter().sum::<f64>() + total_wh
    }

    /// Σ(WH) = Σ_k colsum(W)_k · rowsum(H)_k.
    fn total_wh(&self) -> f64 {
        self.col_w.iter().zip(&self.row_h).map(|(a, b)| a * b).sum()
    }

    /// The fitted model: topics scaled to sum to 1, the scale moved into H, topics numbered by
    /// decreasing share.
    pub fn into_model(self) -> NmfModel {
        // The scratch space is freed before the model is made.
        let KlMu {
            w,
            h,
            k,
            kp,
            doc_ptr,
            word_ptr,
            hot_acc,
            hot_ends,
            ..
        } = self;
        drop((doc_ptr, word_ptr, hot_acc, hot_ends));
        NmfModel::from_factors(w, h, k, kp)
    }
}

/// Topics padded to a whole number of lanes.
fn padded(k: usize) -> usize {
    k.div_ceil(LANES) * LANES
}

/// The registry's entry for `--solver mu --loss kl`.
pub(super) struct Registered;

impl seam::Method for Registered {
    fn start<'a>(
        &self,
        nmf: &Nmf,
        v: Data<'a>,
        start: Start<'_>,
    ) -> Result<Box<dyn JointSolver + 'a>, NmfError> {
        v.refuse_mask("--solver mu --loss kl")?;
        let mut solver = KlMu::start(v, nmf.topics, nmf.init, start)?;
        if nmf.portable {
            solver.use_portable_kernel();
        }
        Ok(Box::new(solver))
    }

    fn documents<'a>(
        &self,
        nmf: &Nmf,
        v: Data<'a>,
        topics: usize,
        w: &[f32],
    ) -> Result<Box<dyn DocumentSolver + 'a>, NmfError> {
        v.refuse_mask("--solver mu --loss kl")?;
        let mut solver = KlMu::for_documents(v, topics, w)?;
        if nmf.portable {
            solver.use_portable_kernel();
        }
        Ok(Box::new(documents::Documents(solver)))
    }

    fn online(
        &self,
        nmf: &Nmf,
        topics: usize,
        w: &[f32],
        statistics: Option<OnlineStatistics>,
    ) -> Option<Result<Box<dyn OnlineSolver>, NmfError>> {
        Some(online::start(nmf, topics, w, statistics))
    }
}

impl JointSolver for KlMu<'_> {
    fn update_h(&mut self, loss: bool) -> Option<f64> {
        KlMu::update_h(self, loss)
    }

    fn update_w(&mut self) {
        KlMu::update_w(self)
    }

    fn loss(&self) -> f64 {
        self.divergence()
    }

    fn assign_documents(&self, out: &mut [u32]) {
        KlMu::assign_documents(self, out)
    }

    fn descends(&self) -> bool {
        true
    }

    fn kernel(&self) -> &'static str {
        KlMu::kernel(self)
    }

    fn cost(&self) -> StepCost {
        StepCost {
            multiply_adds: 4.0 * self.by_doc.nnz() as f64 * self.k as f64,
            formula: "4·nnz·K",
        }
    }

    fn into_model(self: Box<Self>) -> NmfModel {
        KlMu::into_model(*self)
    }
}

/// A pass over the rows of `m` (V by document for the H update, by word for the W update),
/// whose row pointers are `ptr`, with `other` the other factor.
fn pass_over<'s>(
    ptr: &'s [usize],
    m: &'s Sparse,
    other: &'s [f32],
    inv: &'s [f32],
    kp: usize,
) -> Pass<'s> {
    Pass {
        starts: &ptr[..ptr.len() - 1],
        ends: &ptr[1..],
        indices: m.indices(),
        data: m.data(),
        other,
        inv,
        kp,
        prefetch: true,
    }
}

/// Bounds of at most `parts` ranges of documents holding about equal numbers of the non-zeros
/// `doc_ptr[d]..hot_ends[d]`: depends on V only, never on the thread count.
fn hot_part_bounds(doc_ptr: &[usize], hot_ends: &[usize], parts: usize) -> Vec<usize> {
    let n_docs = hot_ends.len();
    let total: usize = hot_ends.iter().zip(doc_ptr).map(|(e, s)| e - s).sum();
    let parts = parts.min(n_docs).max(1);
    let mut bounds = vec![0];
    let mut seen = 0;
    for d in 0..n_docs {
        seen += hot_ends[d] - doc_ptr[d];
        if bounds.len() < parts && seen * parts >= total * bounds.len() && d + 1 < n_docs {
            bounds.push(d + 1);
        }
    }
    bounds.push(n_docs);
    bounds
}

fn reciprocals(sums: &[f64], inv: &mut [f32]) {
    for (i, &s) in inv.iter_mut().zip(sums) {
        *i = if s > 0.0 { (1.0 / s) as f32 } else { 0.0 };
    }
}

#[allow(clippy::too_many_arguments)]
fn run_pass(
    kernel: Kernel,
    divergence: bool,
    pass: &Pass,
    bounds: &[usize],
    rows: &mut [f32],
    acc: &mut [f32],
    sums: &mut [f64],
    divs: &mut [f64],
) {
    let chunk = |first: usize, rows: &mut [f32], acc: &mut [f32], sums: &mut [f64]| -> f64 {
        kernel::update_rows(kernel, divergence, pass, first, rows, acc, sums)
    };
    for_each_chunk(bounds, pass.kp, rows, acc, sums, divs, &chunk);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small random V (CSC, CSR) with some empty rows and columns.
    pub(super) fn matrix(n: usize, m: usize) -> (Sparse, Sparse) {
        let mut tri = sprs::TriMatI::<f32, u32>::new((n, m));
        let mut state = 12345u64;
        for i in 0..n {
            for j in 0..m {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                if (state >> 33).is_multiple_of(5) && i % 7 != 3 && j % 11 != 4 {
                    tri.add_triplet(i, j, 1.0 + ((state >> 40) % 4) as f32);
                }
            }
        }
        let csc: Sparse = tri.to_csc();
        let csr = csc.to_other_storage();
        (csc, csr)
    }

    /// W after five iterations from seed 1, its numerators gathered document by document for
    /// words `..hot`, on `threads` threads.
    fn w_after_five(csc: &Sparse, csr: &Sparse, k: usize, hot: usize, threads: usize) -> Vec<f32> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let mut solver = KlMu::random(csc, csr, k, 1).unwrap();
            solver.gather_hot_words(hot);
            for _ in 0..5 {
                solver.update_h(false);
                solver.update_w();
            }
            solver.w.to_vec()
        })
    }

    #[test]
    fn words_gathered_by_document_or_by_word_agree_and_keep_their_bits_on_any_threads() {
        let (csc, csr) = matrix(200, 300);
        let n_words = csc.rows();
        let bits = |w: &[f32]| w.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        for k in [3, 20, 70] {
            let by_word = w_after_five(&csc, &csr, k, 0, 1);
            for hot in [0, 1, n_words / 3, n_words] {
                let by_doc = w_after_five(&csc, &csr, k, hot, 1);
                for threads in [2, 3, 7] {
                    let again = w_after_five(&csc, &csr, k, hot, threads);
                    assert_eq!(
                        bits(&by_doc),
                        bits(&again),
                        "k {k} hot {hot} threads {threads}"
                    );
                }
                for (a, b) in by_doc.iter().zip(&by_word) {
                    assert!(
                        (a - b).abs() <= 1e-4 * a.abs().max(1e-6),
                        "k {k} hot {hot}: {a} {b}"
                    );
                }
            }
        }
    }

    #[test]
    fn hot_parts_split_the_documents_by_their_non_zeros() {
        // Documents' hot non-zeros: 4, 0, 4, 4, 0, 4.
        let doc_ptr = [0, 5, 6, 12, 16, 17, 25];
        let hot_ends = [4, 5, 10, 16, 16, 21];
        assert_eq!(hot_part_bounds(&doc_ptr, &hot_ends, 2), [0, 3, 6]);
        assert_eq!(hot_part_bounds(&doc_ptr, &hot_ends, 4), [0, 1, 3, 4, 6]);
        assert_eq!(hot_part_bounds(&doc_ptr, &hot_ends, 1), [0, 6]);
        assert_eq!(hot_part_bounds(&doc_ptr[..2], &hot_ends[..1], 8), [0, 1]);
    }
}
