#!/usr/bin/env python3
"""scikit-learn's NMF(beta_loss='kullback-leibler', solver='mu', init='nndsvda', max_iter=200,
tol=0) on a Matrix Market count matrix (words x documents, as nmf-topics exports it), timed,
for benches/compare-sklearn-time-to-loss.sh:

    sklearn_time_to_loss.py V.mtx K SEED OUT_DIR

OUT_DIR/fit.json: the seconds of fit_transform (the start and the 200 iterations), the
divergence D(V||WH) = sum(V log(V/WH) - V + WH) of its factors in float64, and that of the same
factors rounded to float32 (which nmf-topics scores, to check that both sides compute the same
divergence of the same matrix); OUT_DIR/W.f32 (words x K) and OUT_DIR/H.f32 (documents x K),
row-major float32.
"""
import json, os, sys, time, warnings

import numpy as np
import scipy.io
import scipy.sparse as sp


def divergence(X, W, H):
    """D(X||WH) in float64, X documents x words (CSR), W documents x K, H K x words."""
    W = W.astype(np.float64)
    H = H.astype(np.float64)
    rows = np.repeat(np.arange(X.shape[0]), np.diff(X.indptr))
    cols = X.indices
    Ht = np.ascontiguousarray(H.T)
    wh = np.empty(X.nnz)
    for s in range(0, X.nnz, 200_000):
        e = min(s + 200_000, X.nnz)
        wh[s:e] = np.einsum("ij,ij->i", W[rows[s:e]], Ht[cols[s:e]])
    v = X.data.astype(np.float64)
    return float(np.sum(v * np.log(v / wh)) - v.sum() + W.sum(axis=0) @ H.sum(axis=1))


def main():
    path, k, seed, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    from sklearn.decomposition import NMF
    import sklearn

    X = sp.csr_matrix(scipy.io.mmread(path).T, dtype=np.float64)  # documents x words
    X.sort_indices()
    warnings.simplefilter("ignore")
    model = NMF(n_components=k, beta_loss="kullback-leibler", solver="mu", init="nndsvda",
                random_state=seed, max_iter=200, tol=0.0)
    started = time.perf_counter()
    doc_topic = model.fit_transform(X)
    seconds = time.perf_counter() - started
    topic_word = model.components_
    os.makedirs(out, exist_ok=True)
    w32 = np.ascontiguousarray(topic_word.T, dtype=np.float32)
    h32 = np.ascontiguousarray(doc_topic, dtype=np.float32)
    w32.tofile(os.path.join(out, "W.f32"))
    h32.tofile(os.path.join(out, "H.f32"))
    with open(os.path.join(out, "fit.json"), "w") as f:
        json.dump({"version": sklearn.__version__, "topics": k, "seed": seed,
                   "iterations": int(model.n_iter_), "seconds": seconds,
                   "divergence": divergence(X, doc_topic, topic_word),
                   "divergence_f32": divergence(X, h32, w32.T)}, f)


if __name__ == "__main__":
    main()
