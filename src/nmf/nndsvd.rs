//! The NNDSVD start (Boutsidis & Gallopoulos 2008) from a randomised truncated SVD (Halko,
//! Martinsson & Tropp 2011), as scikit-learn's `init='nndsvda'`.
//!
//! The SVD: V·Ω for a Gaussian Ω with K + 10 columns, four power iterations re-orthonormalised
//! by Cholesky QR, then the exact SVD of the small projection (from its Gram matrix). The sparse
//! products run in parallel over rows, each row in a fixed order, and the dense steps
//! (nalgebra) on one thread, so the start is the same whatever the number of threads. The
//! loops over tall matrices run four `f64` at a time with AVX2 where the CPU has it (see
//! `wide!`), with the same bits as without.
//!
//! NNDSVD: each singular pair (u, v) is split into its positive and negative parts, and the
//! pair of parts with the larger norm product becomes a topic and its weights. Values below
//! 10⁻⁶ are zeros. With `fill` (the "a" of NNDSVDa), the zeros are then set to a small value
//! (see [`fill_value`]): a multiplicative update can never move a zero.

use nalgebra::{Cholesky, DMatrix, SymmetricEigen};
use rand_distr::{Distribution, StandardNormal};
use rand_pcg::Pcg64;
use rayon::prelude::*;

use super::rows::Rows;
use crate::matrix::Sparse;

/// Defines a function whose body is compiled twice: as built, and with AVX2 on x86-64 CPUs that
/// have it, chosen at each call. Every value here is one multiply then one add per term, in a
/// fixed order, and Rust never fuses them, so both give the same bits; AVX2 only does four
/// `f64` at a time where SSE2 does two. The loops run inside the function, not in closures
/// around it, which would not take its target features.
macro_rules! wide {
    ($(#[$doc:meta])* fn $name:ident($($arg:ident: $ty:ty),* $(,)?) $body:block) => {
        $(#[$doc])*
        fn $name($($arg: $ty),*) {
            #[inline(always)]
            fn portable($($arg: $ty),*) $body
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx2")]
                fn avx2($($arg: $ty),*) {
                    portable($($arg),*)
                }
                if !plain_only() && std::arch::is_x86_feature_detected!("avx2") {
                    // SAFETY: this CPU has AVX2.
                    return unsafe { avx2($($arg),*) };
                }
            }
            portable($($arg),*)
        }
    };
}

/// Whether the tests ask for the loops as built, to compare their bits with AVX2's.
#[cfg(test)]
static PLAIN_ONLY: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

#[allow(dead_code)]
fn plain_only() -> bool {
    #[cfg(test)]
    return PLAIN_ONLY.load(std::sync::atomic::Ordering::Relaxed);
    #[cfg(not(test))]
    false
}

/// Extra columns of the random projection.
const OVERSAMPLE: usize = 10;
/// Power iterations (scikit-learn uses 4 to 7), for solvers that do not ask for fewer. On the
/// Debian corpus 3 gave the topic quality of 4 but left multiplicative updates twice the
/// iterations to scikit-learn's divergence at K = 20 (356 against 184), and 2 lost them NMI at
/// K = 50; KL coordinate descent takes 2 (`solvers/kl_cd`).
pub(crate) const POWER_ITERATIONS: usize = 4;
/// Factor values below this count as zeros, as scikit-learn's `eps` of its NNDSVD start.
const SMALL: f32 = 1e-6;

/// W `(n_words, kp)` and Hᵀ `(n_documents, kp)`, rows padded with zeros from `k` to `kp`,
/// from `power` power iterations. `by_doc` and `by_word` are V in CSC and CSR.
pub(crate) fn nndsvd(
    by_doc: &Sparse,
    by_word: &Sparse,
    (k, kp): (usize, usize),
    seed: u64,
    power: usize,
    fill: bool,
) -> (Rows, Rows) {
    let (left, values, right) = truncated_svd(by_doc, by_word, k, seed, power);
    let kk = values.len();
    let column =
        |m: &[f64], j: usize| -> Vec<f64> { m.iter().skip(j).step_by(kk).copied().collect() };
    let parts: Vec<Part> = values
        .iter()
        .enumerate()
        .map(|(j, &sigma)| Part::of(&column(&left, j), &column(&right, j), sigma, j == 0))
        .collect();
    // W is made and the left vectors freed before H is made: one n × k array fewer at a time.
    let fill = if fill { fill_value(by_doc, k) } else { 0.0 };
    let w = spread(left, &parts, k, kp, fill, |p| p.u);
    let h = spread(right, &parts, k, kp, fill, |p| p.v);
    (w, h)
}

/// How one singular pair (u, v) becomes a topic and its weights: which sign's parts, their
/// norms, and the scale, √(σ times the product of the norms).
struct Part {
    /// 1 or −1: the parts kept are those of sign·u and sign·v; 0 for |u| and |v|.
    sign: f64,
    u: f64,
    v: f64,
    scale: f64,
}

impl Part {
    /// Of u = u⁺ − u⁻ and v = v⁺ − v⁻, the unit parts (u⁺, v⁺) or (u⁻, v⁻) whose norm
    /// product is larger; for the leading pair (`leading`), whose vectors have one sign, |u|
    /// and |v|.
    fn of(u: &[f64], v: &[f64], sigma: f64, leading: bool) -> Part {
        if leading {
            return Part {
                sign: 0.0,
                u: 1.0,
                v: 1.0,
                scale: sigma.max(0.0).sqrt(),
            };
        }
        let norm = |x: &[f64], sign: f64| {
            x.iter()
                .map(|&a| (sign * a).max(0.0).powi(2))
                .sum::<f64>()
                .sqrt()
        };
        let (up, un, vp, vn) = (norm(u, 1.0), norm(u, -1.0), norm(v, 1.0), norm(v, -1.0));
        let sign = if up * vp >= un * vn { 1.0 } else { -1.0 };
        let (nu, nv) = if sign > 0.0 { (up, vp) } else { (un, vn) };
        Part {
            sign,
            u: nu,
            v: nv,
            scale: (sigma * nu * nv).max(0.0).sqrt(),
        }
    }

    /// The factor's value from the singular vector's entry `a`, with `norm` its part's norm.
    fn value(&self, a: f64, norm: f64) -> f32 {
        let x = if self.sign == 0.0 {
            a.abs()
        } else if norm > 0.0 {
            (self.sign * a).max(0.0) / norm
        } else {
            0.0
        };
        (self.scale * x) as f32
    }
}

/// A factor, rows padded from `k` to `kp`, from singular vectors `vectors` (row-major, one
/// column a pair of `parts`), which it frees; `norm` picks the vectors' norms out of a part.
/// Values below [`SMALL`] (and any not finite) become `fill`.
fn spread(
    vectors: Vec<f64>,
    parts: &[Part],
    k: usize,
    kp: usize,
    fill: f32,
    norm: impl Fn(&Part) -> f64,
) -> Rows {
    let kk = parts.len();
    let n = vectors.len() / kk.max(1);
    let mut factor = Rows::zeroed(n * kp);
    for (row, vector) in factor.chunks_exact_mut(kp).zip(vectors.chunks_exact(kk)) {
        for ((x, &a), part) in row.iter_mut().zip(vector).zip(parts) {
            *x = part.value(a, norm(part));
        }
        for x in &mut row[..k] {
            if !(*x >= SMALL && x.is_finite()) {
                *x = fill;
            }
        }
    }
    factor
}

/// What NNDSVDa puts in place of zeros: mean(V), as scikit-learn, but at most √(mean(V)/K),
/// the scale of the random start. The two agree on word counts (mean(V) ≪ 1/K); the cap keeps
/// W·H finite when the counts are huge (mean(V) is in the units of V, W and H in those of √V).
fn fill_value(v: &Sparse, k: usize) -> f32 {
    let (n_words, n_docs) = v.shape();
    let mean = v.data().iter().map(|&x| x as f64).sum::<f64>() / (n_words * n_docs) as f64;
    mean.min((mean / k as f64).sqrt()) as f32
}

/// Rows summed together into one partial Gram matrix; fixed, so the sums do not depend on the
/// number of threads.
const GRAM_ROWS: usize = 4096;

/// The `k` leading singular triplets of V, from `power` power iterations: left vectors
/// `(n_words, k)`, values, right vectors `(n_documents, k)`; the vectors row-major.
///
/// Tall matrices are kept row-major and orthonormalised in place by Cholesky QR, done twice
/// for accuracy (CholeskyQR2); only `l × l` matrices go through nalgebra. Ω is never stored:
/// row d is drawn from its own PCG stream. So the start needs three `n × l` arrays at most.
fn truncated_svd(
    by_doc: &Sparse,
    by_word: &Sparse,
    k: usize,
    seed: u64,
    power: usize,
) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let (n_words, n_docs) = by_doc.shape();
    let l = (k + OVERSAMPLE).min(n_words).min(n_docs);
    let mut q = times_gaussian(by_word, l, seed);
    orthonormalise(&mut q, l, 2);
    for i in 0..power {
        // Within the iterations one Cholesky QR is enough: it only has to keep the columns
        // apart for the next product. The Q the SVD is taken of gets two, orthonormal to
        // rounding. (One or two inside give the same f32 start to the bit on the shipped
        // corpus: tests/bits.rs kept its digests.)
        let last = i + 1 == power;
        let mut z = times(by_doc, &q, l);
        orthonormalise(&mut z, l, 1);
        // Freed before the next Q is made: two n × l arrays at a time, not three.
        drop(std::mem::take(&mut q));
        q = times_scattered(by_doc, by_word, &z, l);
        orthonormalise(&mut q, l, if last { 2 } else { 1 });
    }
    // B = Qᵀ·V is l × n_documents; with B·Bᵀ = U·Σ²·Uᵀ, V ≈ (Q·U)·Σ·(Bᵀ·U·Σ⁻¹)ᵀ.
    let bt = times(by_doc, &q, l);
    let eigen = SymmetricEigen::new(gram(&bt, l));
    let mut order: Vec<usize> = (0..l).collect();
    order.sort_by(|&a, &b| {
        eigen.eigenvalues[b]
            .total_cmp(&eigen.eigenvalues[a])
            .then(a.cmp(&b))
    });
    order.truncate(k);
    let values: Vec<f64> = order
        .iter()
        .map(|&j| eigen.eigenvalues[j].max(0.0).sqrt())
        .collect();
    // The kept eigenvectors, row-major (l, k).
    let u: Vec<f64> = (0..l * k)
        .map(|at| eigen.eigenvectors[(at / k, order[at % k])])
        .collect();
    // Rows of l become rows of k ≤ l in the same buffer, a window of rows at a time: the
    // window's new rows are computed in parallel aside, then written over rows already read,
    // so no second n × k array is needed.
    let project = |mut rows: Vec<f64>, scale: &[f64]| -> Vec<f64> {
        let n = rows.len() / l;
        let mut window = vec![0f64; PROJECT_ROWS.min(n) * k];
        for start in (0..n).step_by(PROJECT_ROWS) {
            let end = (start + PROJECT_ROWS).min(n);
            let new = &mut window[..(end - start) * k];
            new.par_chunks_mut(k)
                .zip(rows[start * l..end * l].par_chunks(l))
                .for_each(|(o, row)| project_row(o, row, &u, scale, k));
            rows[start * k..end * k].copy_from_slice(new);
        }
        rows.truncate(n * k);
        rows.shrink_to_fit();
        rows
    };
    let left = project(q, &vec![1.0; k]);
    let inverse: Vec<f64> = values
        .iter()
        .map(|&x| if x > 0.0 { 1.0 / x } else { 0.0 })
        .collect();
    let right = project(bt, &inverse);
    (left, values, right)
}

wide! {
    /// `o = (row · U) ⊙ scale` for U `(l, k)` row-major.
    fn project_row(o: &mut [f64], row: &[f64], u: &[f64], scale: &[f64], k: usize) {
        o.fill(0.0);
        for (&x, u_row) in row.iter().zip(u.chunks_exact(k)) {
            for (o, &b) in o.iter_mut().zip(u_row) {
                *o += x * b;
            }
        }
        for (o, &c) in o.iter_mut().zip(scale) {
            *o *= c;
        }
    }
}

/// `m · x` for `x` row-major with `l` columns, where row i of the result takes the stored
/// entries of `m`'s outer row i: V·X with `by_word`, Vᵀ·X with `by_doc`. Row-major result.
fn times(m: &Sparse, x: &[f64], l: usize) -> Vec<f64> {
    let mut out = written_zeros(m.outer_dims() * l);
    let ptr = m.indptr();
    let ptr = ptr.to_proper();
    let (indices, data) = (m.indices(), m.data());
    out.par_chunks_mut(l).enumerate().for_each(|(i, row)| {
        let at = ptr[i]..ptr[i + 1];
        add_rows(row, &indices[at.clone()], &data[at], x, l);
    });
    out
}

wide! {
    /// `out += Σ value · x[j·l..][..l]` over the entries (j, value), in their order.
    fn add_rows(out: &mut [f64], indices: &[u32], data: &[f32], x: &[f64], l: usize) {
        for (&j, &value) in indices.iter().zip(data) {
            let value = value as f64;
            for (o, &a) in out.iter_mut().zip(&x[j as usize * l..][..l]) {
                *o += value * a;
            }
        }
    }
}

/// V·X for X `(n_documents, l)` row-major, read once in document order instead of gathered
/// word by word (it is larger than the caches): each task owns a range of words (about equal
/// numbers of non-zeros, from `by_word`) and adds its words' terms document by document from
/// `by_doc`. Every row sums its terms in document order, as [`times`] with `by_word` does, so
/// the bits are the same, whatever the ranges.
fn times_scattered(by_doc: &Sparse, by_word: &Sparse, x: &[f64], l: usize) -> Vec<f64> {
    let n_words = by_doc.rows();
    let word_ptr = by_word.indptr();
    let word_ptr = word_ptr.to_proper();
    let parts = (2 * rayon::current_num_threads()).min(n_words).max(1);
    let nnz = by_doc.nnz();
    let mut bounds = vec![0usize];
    for p in 1..parts {
        let target = nnz * p / parts;
        let w = word_ptr.partition_point(|&at| at < target).min(n_words);
        if w > *bounds.last().unwrap() {
            bounds.push(w);
        }
    }
    bounds.push(n_words);
    let mut out = written_zeros(n_words * l);
    let mut slices = Vec::with_capacity(bounds.len() - 1);
    let mut rest: &mut [f64] = &mut out;
    for b in bounds.windows(2) {
        let (head, tail) = rest.split_at_mut((b[1] - b[0]) * l);
        slices.push((b[0], b[1], head));
        rest = tail;
    }
    let (doc_ptr, indices, data) = (by_doc.indptr(), by_doc.indices(), by_doc.data());
    let doc_ptr = doc_ptr.to_proper();
    slices.into_par_iter().for_each(|(first, end, rows)| {
        scatter_rows(rows, first..end, &doc_ptr, indices, data, x, l);
    });
    out
}

wide! {
    /// The rows `words` of V·X into `rows`, document after document.
    fn scatter_rows(
        rows: &mut [f64],
        words: std::ops::Range<usize>,
        doc_ptr: &[usize],
        indices: &[u32],
        data: &[f32],
        x: &[f64],
        l: usize,
    ) {
        for (d, x_row) in x.chunks_exact(l).enumerate() {
            let column = &indices[doc_ptr[d]..doc_ptr[d + 1]];
            let lo = column.partition_point(|&w| (w as usize) < words.start);
            let hi = column.partition_point(|&w| (w as usize) < words.end);
            for at in doc_ptr[d] + lo..doc_ptr[d] + hi {
                let (w, value) = (indices[at] as usize - words.start, data[at] as f64);
                for (o, &a) in rows[w * l..][..l].iter_mut().zip(x_row) {
                    *o += value * a;
                }
            }
        }
    }
}

/// `V · Ω` for a standard Gaussian Ω `(n_documents, l)` whose row d is drawn from PCG stream d
/// of `seed`; `by_word` is V in CSR.
fn times_gaussian(by_word: &Sparse, l: usize, seed: u64) -> Vec<f64> {
    let (n_words, n_docs) = by_word.shape();
    let indptr = by_word.indptr();
    let indptr = indptr.to_proper();
    let (indices, data) = (by_word.indices(), by_word.data());
    let mut out = written_zeros(n_words * l);
    // Where each word's row has got to: documents come block by block, in order, so every row
    // adds its terms in the order `times` does, and Ω is drawn one block at a time.
    let mut at: Vec<usize> = indptr[..n_words].to_vec();
    for start in (0..n_docs).step_by(OMEGA_BLOCK) {
        let end = (start + OMEGA_BLOCK).min(n_docs);
        let omega: Vec<f64> = (start..end)
            .into_par_iter()
            .flat_map_iter(|d| {
                let mut rng = Pcg64::new(seed as u128, d as u128);
                (0..l).map(move |_| StandardNormal.sample(&mut rng))
            })
            .collect();
        out.par_chunks_mut(l)
            .zip(at.par_iter_mut())
            .enumerate()
            .for_each(|(w, (row, at))| {
                // The row's entries of this block's documents.
                let from = *at;
                while *at < indptr[w + 1] && (indices[*at] as usize) < end {
                    *at += 1;
                }
                add_block_rows(row, &indices[from..*at], &data[from..*at], &omega, start, l);
            });
    }
    out
}

wide! {
    /// `out += Σ value · omega[(d − start)·l..][..l]` over the entries (d, value), in order.
    fn add_block_rows(
        out: &mut [f64],
        indices: &[u32],
        data: &[f32],
        omega: &[f64],
        start: usize,
        l: usize,
    ) {
        for (&d, &value) in indices.iter().zip(data) {
            let value = value as f64;
            for (o, &a) in out.iter_mut().zip(&omega[(d as usize - start) * l..][..l]) {
                *o += value * a;
            }
        }
    }
}

/// `n` zeros, each written in parallel rather than left to the allocator's zeroed pages: a
/// page that is first read as the shared zero page and then written (as `+=` does) costs a
/// copy-on-write fault that flushes the page from every core's TLB. That was a fifth of the
/// start's time on 2 cores.
fn written_zeros(n: usize) -> Vec<f64> {
    (0..n).into_par_iter().map(|_| 0.0).collect()
}

/// Rows projected at a time onto the kept singular vectors.
const PROJECT_ROWS: usize = 4096;

/// Documents whose rows of Ω are drawn at a time.
const OMEGA_BLOCK: usize = 4096;

/// Yᵀ·Y of `y`, row-major with `l` columns.
fn gram(y: &[f64], l: usize) -> DMatrix<f64> {
    let partial: Vec<Vec<f64>> = y
        .par_chunks(GRAM_ROWS * l)
        .map(|rows| {
            let mut g = vec![0f64; l * l];
            gram_part(&mut g, rows, l);
            g
        })
        .collect();
    let mut g = DMatrix::zeros(l, l);
    for part in &partial {
        for i in 0..l {
            for j in i..l {
                g[(i, j)] += part[i * l + j];
            }
        }
    }
    g.fill_lower_triangle_with_upper_triangle();
    g
}

wide! {
    /// Adds Yᵀ·Y of `rows` (row-major, `l` columns) to `g`'s upper triangle.
    fn gram_part(g: &mut [f64], rows: &[f64], l: usize) {
        // The upper triangle only; it is symmetric. Four rows at a time, so that each entry of
        // G is loaded and stored once for four products; they are still added one row after
        // another, so the bits are those of one row at a time.
        let mut quads = rows.chunks_exact(4 * l);
        for quad in &mut quads {
            let (r0, rest) = quad.split_at(l);
            let (r1, rest) = rest.split_at(l);
            let (r2, r3) = rest.split_at(l);
            for i in 0..l {
                let (a0, a1, a2, a3) = (r0[i], r1[i], r2[i], r3[i]);
                let products = r0[i..].iter().zip(&r1[i..]).zip(&r2[i..]).zip(&r3[i..]);
                for (gij, (((&b0, &b1), &b2), &b3)) in
                    g[i * l + i..(i + 1) * l].iter_mut().zip(products)
                {
                    let mut x = *gij;
                    x += a0 * b0;
                    x += a1 * b1;
                    x += a2 * b2;
                    x += a3 * b3;
                    *gij = x;
                }
            }
        }
        for r in quads.remainder().chunks_exact(l) {
            for (i, &a) in r.iter().enumerate() {
                for (gij, &b) in g[i * l + i..(i + 1) * l].iter_mut().zip(&r[i..]) {
                    *gij += a * b;
                }
            }
        }
    }
}

/// Replaces the columns of `y` (row-major, `l` columns) by a basis of their span, by `passes`
/// Cholesky QRs: two give one orthonormal to rounding (CholeskyQR2).
fn orthonormalise(y: &mut [f64], l: usize, passes: usize) {
    for _ in 0..passes {
        // Y = Q·R with R = Lᵀ from Yᵀ·Y = L·Lᵀ, so each row of Q is a row of Y times L⁻ᵀ.
        let Some(chol) = Cholesky::new(gram(y, l)) else {
            householder(y, l);
            return;
        };
        let Some(inverse) = chol.l().try_inverse() else {
            householder(y, l);
            return;
        };
        // L⁻¹ by columns: row i of the result is Σ_{j ≤ i} L⁻¹_ij·y_j, summed in the order of
        // j, for all i at once; so the loop runs along a column, with no chain of additions.
        // Four rows at a time share each load of L⁻¹; each row's sums run as they would alone.
        let columns: Vec<f64> = (0..l * l).map(|at| inverse[(at % l, at / l)]).collect();
        y.par_chunks_mut(4 * l).for_each_init(
            || vec![0f64; 4 * l],
            |r, rows| times_inverse(rows, r, &columns, l),
        );
    }
}

wide! {
    /// Up to four rows of Y times L⁻ᵀ, in place, with `r` their copy's space and `columns`
    /// L⁻¹ by columns.
    fn times_inverse(rows: &mut [f64], r: &mut [f64], columns: &[f64], l: usize) {
        r[..rows.len()].copy_from_slice(rows);
        rows.fill(-0.0);
        if rows.len() < 4 * l {
            for (row, r) in rows.chunks_exact_mut(l).zip(r.chunks_exact(l)) {
                for (j, &y) in r.iter().enumerate() {
                    // L⁻¹ is lower triangular: column j is zero above row j.
                    let column = &columns[j * l + j..(j + 1) * l];
                    for (x, &a) in row[j..].iter_mut().zip(column) {
                        *x += a * y;
                    }
                }
            }
            return;
        }
        let (x0, rest) = rows.split_at_mut(l);
        let (x1, rest) = rest.split_at_mut(l);
        let (x2, x3) = rest.split_at_mut(l);
        for j in 0..l {
            let (y0, y1, y2, y3) = (r[j], r[l + j], r[2 * l + j], r[3 * l + j]);
            let outputs = x0[j..]
                .iter_mut()
                .zip(x1[j..].iter_mut())
                .zip(x2[j..].iter_mut())
                .zip(x3[j..].iter_mut());
            for ((((x0, x1), x2), x3), &a) in outputs.zip(&columns[j * l + j..(j + 1) * l]) {
                *x0 += a * y0;
                *x1 += a * y1;
                *x2 += a * y2;
                *x3 += a * y3;
            }
        }
    }
}

/// The same by Householder QR, for columns that are (nearly) dependent: V of rank below l.
fn householder(y: &mut [f64], l: usize) {
    let rows = y.len() / l;
    let q = DMatrix::from_row_slice(rows, l, y).qr().q();
    for (r, row) in y.chunks_exact_mut(l).enumerate() {
        for (c, x) in row.iter_mut().enumerate() {
            *x = q[(r, c)];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// V = Σ_g a_g·b_gᵀ over three groups of words and documents: rank 3, non-negative.
    fn blocks() -> (Sparse, Sparse, Vec<f64>) {
        let (n_words, n_docs) = (30, 45);
        let mut dense = vec![0f64; n_words * n_docs];
        let mut triplets = sprs::TriMatI::<f32, u32>::new((n_words, n_docs));
        for w in 0..n_words {
            for d in 0..n_docs {
                if w % 3 == d % 3 {
                    let x = (1 + w % 7) as f64 * (2 + d % 5) as f64;
                    dense[w * n_docs + d] = x;
                    triplets.add_triplet(w, d, x as f32);
                }
            }
        }
        (triplets.to_csc(), triplets.to_csr(), dense)
    }

    fn relative_error(w: &[f32], h: &[f32], kp: usize, dense: &[f64], n_docs: usize) -> f64 {
        let (mut err, mut norm) = (0.0, 0.0);
        for (i, &x) in dense.iter().enumerate() {
            let (row, col) = (&w[i / n_docs * kp..][..kp], &h[i % n_docs * kp..][..kp]);
            let wh: f64 = row
                .iter()
                .zip(col)
                .map(|(&a, &b)| a as f64 * b as f64)
                .sum();
            err += (x - wh).powi(2);
            norm += x * x;
        }
        (err / norm).sqrt()
    }

    #[test]
    fn the_wide_loops_give_the_bits_of_the_plain_ones() {
        let (n_words, n_docs) = (300, 500);
        let mut rng = Pcg64::new(9, 0);
        let mut triplets = sprs::TriMatI::<f32, u32>::new((n_words, n_docs));
        for w in 0..n_words {
            for d in 0..n_docs {
                let u: f64 =
                    rand_distr::Distribution::sample(&rand_distr::StandardUniform, &mut rng);
                if u < 0.05 {
                    triplets.add_triplet(w, d, (1.0 + 9.0 * u * 20.0).floor() as f32);
                }
            }
        }
        let (csc, csr) = (triplets.to_csc(), triplets.to_csr());
        let run = |plain: bool| {
            PLAIN_ONLY.store(plain, std::sync::atomic::Ordering::Relaxed);
            let (w, h) = nndsvd(&csc, &csr, (13, 16), 3, POWER_ITERATIONS, true);
            let bits = |x: &[f32]| x.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
            (bits(&w), bits(&h))
        };
        let wide = run(false);
        let plain = run(true);
        PLAIN_ONLY.store(false, std::sync::atomic::Ordering::Relaxed);
        assert!(wide == plain, "the start differs with and without AVX2");
        assert!(wide.0.iter().any(|&b| b != 0), "a start was made");
    }

    #[test]
    fn four_rows_at_a_time_give_the_bits_of_one_row_at_a_time() {
        let l = 7;
        // 4·k + 3 rows, so the last rows go one at a time.
        let rows = 4 * 5 + 3;
        let mut rng = Pcg64::new(5, 0);
        let mut y: Vec<f64> = (0..rows * l)
            .map(|_| StandardNormal.sample(&mut rng))
            .collect();
        let mut g = vec![0f64; l * l];
        for r in y.chunks_exact(l) {
            for i in 0..l {
                for j in i..l {
                    g[i * l + j] += r[i] * r[j];
                }
            }
        }
        let blocked = gram(&y, l);
        for i in 0..l {
            for j in i..l {
                assert_eq!(blocked[(i, j)].to_bits(), g[i * l + j].to_bits());
            }
        }
        // One pass of the orthonormalisation, one row at a time.
        let mut expected = y.clone();
        for _ in 0..2 {
            let chol = Cholesky::new(gram(&expected, l)).unwrap();
            let inverse = chol.l().try_inverse().unwrap();
            for row in expected.chunks_exact_mut(l) {
                let r = row.to_vec();
                row.fill(-0.0);
                for (j, &y) in r.iter().enumerate() {
                    for i in j..l {
                        row[i] += inverse[(i, j)] * y;
                    }
                }
            }
        }
        orthonormalise(&mut y, l, 2);
        let bits = |x: &[f64]| x.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&y), bits(&expected));
    }

    #[test]
    fn nndsvd_reconstructs_a_non_negative_matrix_of_exact_low_rank() {
        let (csc, csr, dense) = blocks();
        let (w, h) = nndsvd(&csc, &csr, (3, 8), 0, POWER_ITERATIONS, false);
        let error = relative_error(&w, &h, 8, &dense, 45);
        assert!(error < 1e-5, "relative error {error}");
        assert!(w.iter().chain(h.iter()).all(|&x| x >= 0.0 && x.is_finite()));
        // The padding stays zero.
        assert!(w
            .chunks_exact(8)
            .all(|row| row[3..].iter().all(|&x| x == 0.0)));
    }

    #[test]
    fn nndsvda_fills_exactly_the_zeros() {
        let (csc, csr, dense) = blocks();
        let mean = dense.iter().sum::<f64>() / dense.len() as f64;
        let mean = mean.min((mean / 3.0).sqrt()) as f32;
        let plain = nndsvd(&csc, &csr, (3, 8), 0, POWER_ITERATIONS, false);
        let filled = nndsvd(&csc, &csr, (3, 8), 0, POWER_ITERATIONS, true);
        let mut zeros = 0;
        for (a, b) in [(&plain.0, &filled.0), (&plain.1, &filled.1)] {
            for (x, y) in a.chunks_exact(8).zip(b.chunks_exact(8)) {
                for (&x, &y) in x[..3].iter().zip(&y[..3]) {
                    if x == 0.0 {
                        zeros += 1;
                        assert_eq!(y, mean);
                    } else {
                        assert!(x >= SMALL, "{x} counts as a zero");
                        assert_eq!(x, y);
                    }
                }
            }
        }
        // Each word and document belongs to one of the three blocks.
        assert_eq!(zeros, 2 * (30 + 45));
    }

    #[test]
    fn leading_singular_values_match_a_full_svd() {
        // Rank 3 plus a little noise: full rank, so the Cholesky QR path runs.
        let (n_words, n_docs) = (40, 60);
        let mut triplets = sprs::TriMatI::<f32, u32>::new((n_words, n_docs));
        let mut dense = DMatrix::<f64>::zeros(n_words, n_docs);
        for w in 0..n_words {
            for d in 0..n_docs {
                let noise = ((w * 31 + d * 17) % 13) as f64 / 130.0;
                let x = (1 + w % 7) as f64 * (2 + d % 5) as f64
                    + ((w + d) % 3) as f64 * (1 + d % 4) as f64
                    + (w % 2) as f64 * (d % 6) as f64
                    + noise;
                triplets.add_triplet(w, d, x as f32);
                dense[(w, d)] = x as f32 as f64;
            }
        }
        let (_, values, _) = truncated_svd(
            &triplets.to_csc(),
            &triplets.to_csr(),
            3,
            0,
            POWER_ITERATIONS,
        );
        let mut exact: Vec<f64> = dense
            .svd(false, false)
            .singular_values
            .iter()
            .copied()
            .collect();
        exact.sort_by(|a, b| b.total_cmp(a));
        for (got, want) in values.iter().zip(&exact) {
            assert!(
                (got - want).abs() <= 1e-6 * want,
                "{values:?} vs {:?}",
                &exact[..3]
            );
        }
    }

    #[test]
    fn scattered_products_are_the_gathered_ones_bit_for_bit() {
        let (csc, csr, _) = blocks();
        let l = 7;
        let x: Vec<f64> = (0..45 * l).map(|i| ((i * 37 % 101) as f64).sin()).collect();
        let gathered = times(&csr, &x, l);
        for threads in [1, 2, 3, 8] {
            let scattered = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| times_scattered(&csc, &csr, &x, l));
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&scattered), bits(&gathered), "{threads} threads");
        }
    }

    #[test]
    fn the_start_does_not_depend_on_the_number_of_threads() {
        let (csc, csr, _) = blocks();
        let on = |threads| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| nndsvd(&csc, &csr, (3, 8), 5, POWER_ITERATIONS, true))
        };
        assert_eq!(on(1), on(2));
    }
}
