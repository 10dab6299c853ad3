//! The matrices of a model in safetensors: `W`, `H` and V by column (`V.indptr`, `V.indices`,
//! `V.data`), little-endian; and, in a model an update wrote, the online statistics
//! (`online.A`, `online.B`, `f64`).

use std::collections::HashMap;

use safetensors::tensor::{Dtype, TensorView};
use safetensors::SafeTensors;

use crate::matrix::Sparse;
use crate::nmf::{NmfModel, OnlineStatistics};

/// The matrices as read back, before they are checked against the metadata.
pub(super) struct Tensors {
    /// W, `(n_words, k)` row-major.
    pub w: Vec<f32>,
    /// Hᵀ, `(n_documents, k)` row-major, as [`NmfModel`] keeps it.
    pub h_t: Vec<f32>,
    pub indptr: Vec<usize>,
    pub indices: Vec<u32>,
    pub data: Vec<f32>,
    /// The online statistics, when the file has them.
    pub online: Option<OnlineStatistics>,
}

/// The file's bytes for `model`, V (CSC) and the online statistics, if any.
pub(super) fn encode(
    model: &NmfModel,
    v: &Sparse,
    online: Option<&OnlineStatistics>,
) -> Result<Vec<u8>, String> {
    let (k, n_words, n_docs) = (model.topics(), model.n_words(), model.n_documents());
    let w = f32_bytes(model.w().iter().copied());
    // H is stored (k, n_documents), as in Lee & Seung; the model keeps Hᵀ.
    let h_t = model.h();
    let h = f32_bytes((0..k).flat_map(|t| (0..n_docs).map(move |d| h_t[d * k + t])));
    let indptr: Vec<u8> = v
        .indptr()
        .to_proper()
        .iter()
        .flat_map(|&p| (p as i64).to_le_bytes())
        .collect();
    let indices: Vec<u8> = v
        .indices()
        .iter()
        .flat_map(|&i| (i as i32).to_le_bytes())
        .collect();
    let data = f32_bytes(v.data().iter().copied());
    let f64_bytes = |x: &[f64]| -> Vec<u8> { x.iter().flat_map(|v| v.to_le_bytes()).collect() };
    let (a, b) = online.map_or((Vec::new(), Vec::new()), |s| {
        (f64_bytes(&s.a), f64_bytes(&s.b))
    });
    let mut tensors = vec![
        ("W", view(Dtype::F32, vec![n_words, k], &w)?),
        ("H", view(Dtype::F32, vec![k, n_docs], &h)?),
        ("V.indptr", view(Dtype::I64, vec![n_docs + 1], &indptr)?),
        ("V.indices", view(Dtype::I32, vec![v.nnz()], &indices)?),
        ("V.data", view(Dtype::F32, vec![v.nnz()], &data)?),
    ];
    if let Some(s) = online {
        tensors.push(("online.A", view(Dtype::F64, vec![n_words, k], &a)?));
        tensors.push(("online.B", view(Dtype::F64, vec![s.b.len()], &b)?));
    }
    let info = HashMap::from([("format".to_owned(), super::FORMAT.to_owned())]);
    safetensors::serialize(tensors, Some(info)).map_err(|e| e.to_string())
}

/// The matrices of a file's bytes, with shapes `(n_words, k)`, `(k, n_documents)` and V's of
/// `nnz` non-zeros; an error says which tensor is missing or wrong.
pub(super) fn decode(
    bytes: &[u8],
    n_words: usize,
    n_docs: usize,
    k: usize,
    nnz: usize,
) -> Result<Tensors, String> {
    let file = SafeTensors::deserialize(bytes).map_err(|e| match e {
        safetensors::SafeTensorError::MetadataIncompleteBuffer
        | safetensors::SafeTensorError::InvalidOffset(_)
        | safetensors::SafeTensorError::HeaderTooSmall
        | safetensors::SafeTensorError::InvalidHeaderLength => {
            format!("the file is truncated or not safetensors ({e})")
        }
        e => format!("not a readable safetensors file ({e})"),
    })?;
    let get = |name: &str, dtype: Dtype, shape: &[usize]| -> Result<&[u8], String> {
        let t = file
            .tensor(name)
            .map_err(|_| format!("the tensor {name} is missing"))?;
        if t.dtype() != dtype || t.shape() != shape {
            return Err(format!(
                "the tensor {name} is {:?} {:?}, expected {dtype:?} {shape:?} (from model.json)",
                t.dtype(),
                t.shape()
            ));
        }
        Ok(t.data())
    };
    let w = f32s(get("W", Dtype::F32, &[n_words, k])?);
    let h = f32s(get("H", Dtype::F32, &[k, n_docs])?);
    let mut h_t = vec![0f32; h.len()];
    for (t, row) in h.chunks_exact(n_docs.max(1)).enumerate() {
        for (d, &x) in row.iter().enumerate() {
            h_t[d * k + t] = x;
        }
    }
    let indptr = get("V.indptr", Dtype::I64, &[n_docs + 1])?
        .chunks_exact(8)
        .map(|b| usize::try_from(i64::from_le_bytes(b.try_into().unwrap())))
        .collect::<Result<Vec<usize>, _>>()
        .map_err(|_| "V.indptr holds a negative offset".to_owned())?;
    let indices = get("V.indices", Dtype::I32, &[nnz])?
        .chunks_exact(4)
        .map(|b| u32::try_from(i32::from_le_bytes(b.try_into().unwrap())))
        .collect::<Result<Vec<u32>, _>>()
        .map_err(|_| "V.indices holds a negative index".to_owned())?;
    let data = f32s(get("V.data", Dtype::F32, &[nnz])?);
    let online = match (file.tensor("online.A"), file.tensor("online.B")) {
        (Err(_), Err(_)) => None,
        (Ok(_), Ok(b)) => {
            let a = f64s(get("online.A", Dtype::F64, &[n_words, k])?);
            let b = f64s(get("online.B", Dtype::F64, &[b.shape().iter().product()])?);
            if b.len() < k {
                return Err(format!(
                    "the tensor online.B has {} values, fewer than the {k} topics",
                    b.len()
                ));
            }
            Some(OnlineStatistics { a, b })
        }
        (Ok(_), Err(_)) => return Err("the tensor online.A is there without online.B".into()),
        (Err(_), Ok(_)) => return Err("the tensor online.B is there without online.A".into()),
    };
    Ok(Tensors {
        w,
        h_t,
        indptr,
        indices,
        data,
        online,
    })
}

fn f32_bytes(values: impl Iterator<Item = f32>) -> Vec<u8> {
    values.flat_map(f32::to_le_bytes).collect()
}

fn f32s(bytes: &[u8]) -> Vec<f32> {
    bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes(b.try_into().unwrap()))
        .collect()
}

fn f64s(bytes: &[u8]) -> Vec<f64> {
    bytes
        .chunks_exact(8)
        .map(|b| f64::from_le_bytes(b.try_into().unwrap()))
        .collect()
}

fn view(dtype: Dtype, shape: Vec<usize>, bytes: &[u8]) -> Result<TensorView<'_>, String> {
    TensorView::new(dtype, shape, bytes).map_err(|e| e.to_string())
}
