//! Arrays between NumPy and the library, as raw native-endian bytes: the package is built on
//! the stable ABI (abi3), where buffers cannot be borrowed before Python 3.11, so NumPy hands
//! over `ndarray.tobytes()` and reads back `numpy.frombuffer`.

use nmf_topics::matrix::Sparse;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyByteArray;

/// The values of `bytes`, `size_of::<T>()` bytes each.
fn values<T, const N: usize>(
    name: &str,
    bytes: &[u8],
    decode: fn([u8; N]) -> T,
) -> PyResult<Vec<T>> {
    if !bytes.len().is_multiple_of(N) {
        return Err(PyValueError::new_err(format!(
            "{name}: {} bytes are not a whole number of {N}-byte values",
            bytes.len()
        )));
    }
    Ok(bytes
        .chunks_exact(N)
        .map(|c| decode(c.try_into().expect("chunks of N bytes")))
        .collect())
}

/// `float32` values.
pub fn f32s(name: &str, bytes: &[u8]) -> PyResult<Vec<f32>> {
    values(name, bytes, f32::from_ne_bytes)
}

/// `float64` values.
pub fn f64s(name: &str, bytes: &[u8]) -> PyResult<Vec<f64>> {
    values(name, bytes, f64::from_ne_bytes)
}

/// A sparse matrix given by documents, as SciPy's CSR of a documents × words matrix X: row
/// `d`'s words are `indices[indptr[d]..indptr[d + 1]]` (`int64` offsets, `int32` word
/// indices, `float32` counts). The same arrays are V = Xᵀ by column (CSC), which the solver
/// reads; fails, saying why, when they do not make a valid matrix of this shape.
pub fn by_document(
    shape: (usize, usize),
    indptr: &[u8],
    indices: &[u8],
    data: &[u8],
) -> PyResult<Sparse> {
    let (n_docs, n_words) = shape;
    let indptr = values("indptr", indptr, i64::from_ne_bytes)?
        .into_iter()
        .map(|p| usize::try_from(p).map_err(|_| PyValueError::new_err("a negative offset")))
        .collect::<PyResult<Vec<usize>>>()?;
    let indices = values("indices", indices, i32::from_ne_bytes)?
        .into_iter()
        .map(|i| u32::try_from(i).map_err(|_| PyValueError::new_err("a negative word index")))
        .collect::<PyResult<Vec<u32>>>()?;
    let data = f32s("data", data)?;
    Sparse::try_new_csc((n_words, n_docs), indptr, indices, data).map_err(|(.., e)| {
        PyValueError::new_err(format!(
            "the counts do not make a sparse matrix of {n_docs} documents × {n_words} words: {e}"
        ))
    })
}

/// W `(n_words, k)` row-major from scikit-learn's `components_` `(k, n_words)` row-major.
pub fn w_from_components(components: &[f32], k: usize) -> Vec<f32> {
    let n_words = components.len() / k;
    let mut w = vec![0f32; components.len()];
    for (t, row) in components.chunks_exact(n_words).enumerate() {
        for (word, &x) in row.iter().enumerate() {
            w[word * k + t] = x;
        }
    }
    w
}

/// `components_` `(k, n_words)` row-major from W `(n_words, k)` row-major.
pub fn components_from_w(w: &[f32], k: usize) -> Vec<f32> {
    let n_words = w.len() / k;
    let mut components = vec![0f32; w.len()];
    for (word, row) in w.chunks_exact(k).enumerate() {
        for (t, &x) in row.iter().enumerate() {
            components[t * n_words + word] = x;
        }
    }
    components
}

/// `float64` values as a `bytearray`.
pub fn f64s_to_python<'py>(py: Python<'py>, values: &[f64]) -> Bound<'py, PyByteArray> {
    let bytes: Vec<u8> = values.iter().flat_map(|x| x.to_ne_bytes()).collect();
    PyByteArray::new(py, &bytes)
}

/// `float32` values as a `bytearray` (writable, so the NumPy array over it is too).
pub fn to_python<'py>(py: Python<'py>, values: &[f32]) -> Bound<'py, PyByteArray> {
    let bytes: Vec<u8> = values.iter().flat_map(|x| x.to_ne_bytes()).collect();
    PyByteArray::new(py, &bytes)
}
