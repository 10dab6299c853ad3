//! [`KlSolver`]: the factors, the two multiplicative updates and the divergence.

use rayon::prelude::*;

use super::kernel::{self, Kernel, Pass, LANES};
use super::rows::Rows;
use super::{init, nndsvd, Init};
use super::{NmfError, NmfModel};
use crate::matrix::Sparse;

/// Non-zeros per chunk of rows that one task updates (at least; whole rows).
const CHUNK_NNZ: usize = 2048;

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

/// The state of a KL-NMF fit: V by document and by word, the padded factors, and scratch space
/// allocated once, so that an iteration allocates nothing.
///
/// Use [`Nmf::fit`](super::Nmf::fit) to fit; this type is for stepping through the updates one
/// at a time (tests, research). Updates run on the current rayon pool.
pub struct KlSolver<'a> {
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

impl<'a> KlSolver<'a> {
    /// A solver started from `w0`, `(n_words, k)` row-major, and `h0`, `(n_documents, k)`
    /// row-major (that is Hᵀ). `by_doc` is V in CSC and `by_word` the same V in CSR.
    pub fn new(
        by_doc: &'a Sparse,
        by_word: &'a Sparse,
        k: usize,
        w0: &[f32],
        h0: &[f32],
    ) -> Result<KlSolver<'a>, NmfError> {
        let (n_words, n_docs) = by_doc.shape();
        check_matrices(by_doc, by_word)?;
        if k == 0 || w0.len() != n_words * k || h0.len() != n_docs * k {
            return Err(NmfError::Matrix(format!(
                "starting factors must be ({n_words}, {k}) and ({n_docs}, {k})"
            )));
        }
        if w0.iter().chain(h0).any(|x| !x.is_finite() || *x < 0.0) {
            return Err(NmfError::Matrix(
                "starting factors must be finite and non-negative".into(),
            ));
        }
        let kp = k.div_ceil(LANES) * LANES;
        Ok(KlSolver::with_factors(
            by_doc,
            by_word,
            k,
            init::pad(w0, k, kp),
            init::pad(h0, k, kp),
        ))
    }

    /// A solver of the document weights alone, W fixed to `w0`, `(n_words, k)` row-major: for
    /// [`KlSolver::solve_h`], [`KlSolver::divergence`] and [`KlSolver::h`] only. It leaves out
    /// what the W update needs (its accumulators and the bounds of V by word), which the final
    /// H solve of a fit and `transform` would hold for nothing.
    ///
    /// The topics are held in an order that depends on W's columns alone
    /// ([`canonical_order`]), so the same topics numbered otherwise solve to the same bits:
    /// a fit may renumber its topics after this solve, and `transform` with the renumbered
    /// model still gives back the fitted weights.
    pub(crate) fn for_documents(
        by_doc: &'a Sparse,
        by_word: &'a Sparse,
        k: usize,
        w0: &[f32],
    ) -> Result<KlSolver<'a>, NmfError> {
        let (n_words, n_docs) = by_doc.shape();
        check_matrices(by_doc, by_word)?;
        if k == 0 || w0.len() != n_words * k {
            return Err(NmfError::Matrix(format!("W must be ({n_words}, {k})")));
        }
        if w0.iter().any(|x| !x.is_finite() || *x < 0.0) {
            return Err(NmfError::Matrix("W must be finite and non-negative".into()));
        }
        let kp = k.div_ceil(LANES) * LANES;
        let order = canonical_order(w0, k);
        let mut w = Rows::zeroed(n_words * kp);
        for (row, from) in w.chunks_exact_mut(kp).zip(w0.chunks_exact(k)) {
            for (x, &t) in row.iter_mut().zip(&order) {
                *x = from[t];
            }
        }
        let mut slot = vec![0; k];
        for (c, &t) in order.iter().enumerate() {
            slot[t] = c;
        }
        Ok(KlSolver::assemble(
            by_doc,
            by_word,
            k,
            w,
            Rows::zeroed(n_docs * kp),
            slot,
        ))
    }

    /// The solver for checked matrices and padded, checked factors.
    fn with_factors(
        by_doc: &'a Sparse,
        by_word: &'a Sparse,
        k: usize,
        w: Rows,
        h: Rows,
    ) -> KlSolver<'a> {
        let mut solver = KlSolver::assemble(by_doc, by_word, k, w, h, (0..k).collect());
        solver.word_ptr = by_word.indptr().to_proper().into_owned();
        column_sums(&solver.h, solver.kp, &mut solver.row_h);
        let hot = HOT_BYTES / (solver.kp * 4);
        solver.gather_hot_words(hot.min(by_doc.rows()));
        solver
    }

    /// The parts both kinds of solver have: the H update's bounds and scratch space, W's
    /// column sums, and nothing yet of the W update's.
    fn assemble(
        by_doc: &'a Sparse,
        by_word: &'a Sparse,
        k: usize,
        w: Rows,
        h: Rows,
        slot: Vec<usize>,
    ) -> KlSolver<'a> {
        let kp = k.div_ceil(LANES) * LANES;
        let doc_ptr = by_doc.indptr().to_proper().into_owned();
        let doc_chunks = chunk_bounds(&doc_ptr);
        let chunks = doc_chunks.len() - 1;
        let mut solver = KlSolver {
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
    /// word by word (see [`KlSolver::update_w`]).
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

    /// A solver started from random factors drawn from `seed`: |N(0, 1)| scaled by
    /// √(mean(V)/k), as scikit-learn's `init='random'` does, W first, then H.
    pub fn random(
        by_doc: &'a Sparse,
        by_word: &'a Sparse,
        k: usize,
        seed: u64,
    ) -> Result<KlSolver<'a>, NmfError> {
        check_matrices(by_doc, by_word)?;
        if k == 0 {
            return Err(NmfError::Matrix("k must be at least 1".into()));
        }
        let (w, h) = init::random(by_doc, k, k.div_ceil(LANES) * LANES, seed);
        Ok(KlSolver::with_factors(by_doc, by_word, k, w, h))
    }

    /// A solver started from an NNDSVDa start ([`Init::Nndsvda`]), its random projection
    /// drawn from `seed`.
    pub fn nndsvda(
        by_doc: &'a Sparse,
        by_word: &'a Sparse,
        k: usize,
        seed: u64,
    ) -> Result<KlSolver<'a>, NmfError> {
        check_matrices(by_doc, by_word)?;
        let (n_words, n_docs) = by_doc.shape();
        if k == 0 || k > n_words.min(n_docs) {
            return Err(NmfError::Matrix(format!(
                "k must be between 1 and {}",
                n_words.min(n_docs)
            )));
        }
        let (w, h) = nndsvd::nndsvd(by_doc, by_word, k, k.div_ceil(LANES) * LANES, seed, true);
        Ok(KlSolver::with_factors(by_doc, by_word, k, w, h))
    }

    /// A solver started as `init` says.
    pub fn start(
        by_doc: &'a Sparse,
        by_word: &'a Sparse,
        k: usize,
        init: Init,
        seed: u64,
    ) -> Result<KlSolver<'a>, NmfError> {
        match init {
            Init::Random => KlSolver::random(by_doc, by_word, k, seed),
            Init::Nndsvda => KlSolver::nndsvda(by_doc, by_word, k, seed),
        }
    }

    /// Writes each document's largest topic (the first on ties; 0 for a document without
    /// weight) into `out`, one entry a document.
    pub fn assign_documents(&self, out: &mut [u32]) {
        out.par_iter_mut()
            .zip(self.h.par_chunks_exact(self.kp))
            .for_each(|(topic, row)| {
                let mut best = 0;
                for (k, &x) in row[..self.k].iter().enumerate() {
                    if x > row[best] {
                        best = k;
                    }
                }
                *topic = best as u32;
            });
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
        let KlSolver {
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

    /// Solves for H with W fixed, as [`Nmf::transform`](super::Nmf::transform) does: every
    /// document starts from the same uniform weights, n_d / K on each topic whose column of W
    /// is not all zero (n_d: the document's count), and runs H updates with W fixed until no
    /// weight moves by more than `tol · n_d` in an update, or `max_iter` updates.
    ///
    /// A document's updates read only W and its own column of V, so its weights are the same
    /// bits whatever the other documents and the thread count. Each update never increases
    /// D(V‖WH) (W being fixed, it is the H half of Lee & Seung's theorem). Returns, for each
    /// document, the updates run and whether `tol` stopped them.
    pub fn solve_h(&mut self, max_iter: usize, tol: f64) -> Vec<(u32, bool)> {
        reciprocals(&self.col_w, &mut self.inv);
        let (kp, kernel) = (self.kp, self.kernel);
        let live = self.col_w[..self.k].iter().filter(|&&s| s > 0.0).count();
        let pass = Pass {
            // A document's rows of W stay in cache over its updates.
            prefetch: false,
            ..pass_over(&self.doc_ptr, self.by_doc, &self.w, &self.inv, kp)
        };
        let chunks = &self.doc_chunks;
        let mut slices: Vec<&mut [f32]> = Vec::with_capacity(chunks.len() - 1);
        let mut rest: &mut [f32] = &mut self.h;
        for c in chunks.windows(2) {
            let (head, tail) = rest.split_at_mut((c[1] - c[0]) * kp);
            slices.push(head);
            rest = tail;
        }
        let col_w = &self.col_w;
        let per_chunk: Vec<Vec<(u32, bool)>> = slices
            .into_par_iter()
            .enumerate()
            .map(|(c, rows)| {
                let mut acc = vec![0f32; kp];
                let mut sums = vec![0f64; kp];
                let mut old = vec![0f32; kp];
                rows.chunks_exact_mut(kp)
                    .enumerate()
                    .map(|(i, row)| {
                        let d = chunks[c] + i;
                        let (start, end) = pass.range(d);
                        let total: f64 = pass.data[start..end].iter().map(|&x| x as f64).sum();
                        let start_value = if live > 0 {
                            (total / live as f64) as f32
                        } else {
                            0.0
                        };
                        for (x, &s) in row.iter_mut().zip(col_w.iter()) {
                            *x = if s > 0.0 { start_value } else { 0.0 };
                        }
                        if total == 0.0 || live == 0 {
                            row.fill(0.0);
                            return (0, true);
                        }
                        for it in 1..=max_iter {
                            old.copy_from_slice(row);
                            kernel::update_rows(kernel, false, &pass, d, row, &mut acc, &mut sums);
                            let change = largest_change(row, &old);
                            if change as f64 <= tol * total {
                                return (it as u32, true);
                            }
                        }
                        (max_iter as u32, false)
                    })
                    .collect()
            })
            .collect();
        column_sums(&self.h, kp, &mut self.row_h);
        per_chunk.into_iter().flatten().collect()
    }

    /// Hᵀ without padding, `(n_documents, k)` row-major, topics numbered as the caller did.
    pub fn h(&self) -> Vec<f32> {
        self.h
            .chunks_exact(self.kp)
            .flat_map(|row| self.slot.iter().map(|&c| row[c]))
            .collect()
    }

    /// D(V‖WH) for the current factors, without updating them. Equal, bit for bit, to what
    /// [`KlSolver::update_h`] returns for the same factors.
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
        let KlSolver {
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

/// max |a − b| over the rows `a` and `b` (padded to [`LANES`]), lane by lane so that it runs on
/// vectors: a plain fold is one long chain of dependent maxima, a tenth of an H update.
fn largest_change(a: &[f32], b: &[f32]) -> f32 {
    let mut lanes = [0f32; LANES];
    for (a, b) in a.chunks_exact(LANES).zip(b.chunks_exact(LANES)) {
        for ((m, &x), &y) in lanes.iter_mut().zip(a).zip(b) {
            *m = m.max((x - y).abs());
        }
    }
    lanes.into_iter().fold(0f32, f32::max)
}

/// An order of W's `k` columns (W `(n_words, k)` row-major) that depends on their values
/// alone, not on their numbering: by value, word after word, the first difference deciding.
/// Columns that are equal keep their numbering's order; the updates treat them alike, so that
/// changes no bits either.
fn canonical_order(w: &[f32], k: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..k).collect();
    order.sort_by(|&a, &b| {
        w.chunks_exact(k)
            .map(|row| row[a].total_cmp(&row[b]))
            .find(|o| o.is_ne())
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    order
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

/// `by_doc` must be V in CSC and `by_word` the same V in CSR.
fn check_matrices(by_doc: &Sparse, by_word: &Sparse) -> Result<(), NmfError> {
    if !by_doc.is_csc()
        || !by_word.is_csr()
        || by_word.shape() != by_doc.shape()
        || by_word.nnz() != by_doc.nnz()
    {
        return Err(NmfError::Matrix(
            "by_doc must be V in CSC and by_word the same V in CSR".into(),
        ));
    }
    Ok(())
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

/// Splits rows into chunks of at least [`CHUNK_NNZ`] non-zeros: the bounds, first row of each
/// chunk then the end. Depends on V only, never on the thread count.
fn chunk_bounds(indptr: &[usize]) -> Vec<usize> {
    let mut bounds = vec![0];
    let mut start_nnz = indptr[0];
    for (row, &end) in indptr.iter().enumerate().skip(1) {
        if end - start_nnz >= CHUNK_NNZ {
            bounds.push(row);
            start_nnz = end;
        }
    }
    let rows = indptr.len() - 1;
    if *bounds.last().unwrap() != rows || bounds.len() == 1 {
        bounds.push(rows);
    }
    bounds
}

fn reciprocals(sums: &[f64], inv: &mut [f32]) {
    for (i, &s) in inv.iter_mut().zip(sums) {
        *i = if s > 0.0 { (1.0 / s) as f32 } else { 0.0 };
    }
}

fn column_sums(rows: &[f32], kp: usize, out: &mut [f64]) {
    out.fill(0.0);
    for row in rows.chunks_exact(kp) {
        for (o, &x) in out.iter_mut().zip(row) {
            *o += x as f64;
        }
    }
}

/// Adds the chunks' partial sums in chunk order.
fn reduce(partials: &[f64], kp: usize, out: &mut [f64]) {
    out.fill(0.0);
    for part in partials.chunks_exact(kp) {
        for (o, &x) in out.iter_mut().zip(part) {
            *o += x;
        }
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

/// Runs `f` on every chunk in parallel, splitting the buffers at the chunk bounds (so no
/// allocation); chunk c gets its rows and its own slots of `acc`, `sums` and `divs`.
fn for_each_chunk<F>(
    bounds: &[usize],
    kp: usize,
    rows: &mut [f32],
    acc: &mut [f32],
    sums: &mut [f64],
    divs: &mut [f64],
    f: &F,
) where
    F: Fn(usize, &mut [f32], &mut [f32], &mut [f64]) -> f64 + Sync,
{
    let n = bounds.len() - 1;
    if n == 1 {
        divs[0] = f(bounds[0], rows, acc, sums);
        return;
    }
    let mid = n / 2;
    let (r0, r1) = rows.split_at_mut((bounds[mid] - bounds[0]) * kp);
    let (a0, a1) = acc.split_at_mut(mid * kp);
    let (s0, s1) = sums.split_at_mut(mid * kp);
    let (d0, d1) = divs.split_at_mut(mid);
    rayon::join(
        || for_each_chunk(&bounds[..=mid], kp, r0, a0, s0, d0, f),
        || for_each_chunk(&bounds[mid..], kp, r1, a1, s1, d1, f),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small random V (CSC, CSR) with some empty rows and columns.
    fn matrix(n: usize, m: usize) -> (Sparse, Sparse) {
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
            let mut solver = KlSolver::random(csc, csr, k, 1).unwrap();
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

    #[test]
    fn renumbered_topics_solve_to_the_same_bits() {
        let (csc, csr) = matrix(90, 130);
        let k = 11;
        let mut fitted = KlSolver::random(&csc, &csr, k, 3).unwrap();
        for _ in 0..10 {
            fitted.update_h(false);
            fitted.update_w();
        }
        let w: Vec<f32> = (0..csc.rows())
            .flat_map(|i| fitted.w_row(i).to_vec())
            .collect();
        // Topic t of the renumbered W is topic order[t] of W.
        let order = [7, 2, 10, 0, 5, 9, 1, 4, 8, 3, 6];
        let renumbered: Vec<f32> = w
            .chunks_exact(k)
            .flat_map(|row| order.iter().map(|&t| row[t]))
            .collect();
        let solve = |w: &[f32]| {
            let mut solver = KlSolver::for_documents(&csc, &csr, k, w).unwrap();
            solver.solve_h(200, 1e-6);
            (solver.h(), solver.divergence())
        };
        let (h, d) = solve(&w);
        let (h2, d2) = solve(&renumbered);
        assert_eq!(d.to_bits(), d2.to_bits());
        for (row, row2) in h.chunks_exact(k).zip(h2.chunks_exact(k)) {
            for (t, &x) in row2.iter().enumerate() {
                assert_eq!(x.to_bits(), row[order[t]].to_bits());
            }
        }
    }
}
