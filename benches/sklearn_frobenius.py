#!/usr/bin/env python3
"""scikit-learn's NMF(beta_loss='frobenius', init='nndsvda', max_iter=200, tol=0) with
solver='cd' and solver='mu' on the tf-idf weights of a Matrix Market count matrix (words x
documents, as nmf-topics exports it), timed, for benches/compare-sklearn-frobenius.sh:

    sklearn_frobenius.py V.mtx K SEED OUT_DIR

The weights are TfidfTransformer()'s (smoothed idf, l2-normalised documents), what
`nmf-topics fit --weighting tfidf` computes. For each solver, OUT_DIR/SOLVER/fit.json: the
seconds of fit_transform (the start and the 200 iterations), the seconds of the NNDSVDa start
alone (timed apart, once), and the squared error 0.5 ||X - WH||^2 of its factors in float64;
OUT_DIR/SOLVER/W.f32 (words x K) and H.f32 (documents x K), row-major float32, for nmf-topics
to score.
"""
import json, os, sys, time, warnings

import numpy as np
import scipy.io
import scipy.sparse as sp


def squared_error(X, W, H):
    """0.5 ||X - WH||^2 in float64 from X (CSR, documents x words), W (documents x K), H (K x
    words), without the dense WH: ||X||^2 - 2 <X, WH> + <W'W, HH'>."""
    W = W.astype(np.float64)
    H = H.astype(np.float64)
    rows = np.repeat(np.arange(X.shape[0]), np.diff(X.indptr))
    Ht = np.ascontiguousarray(H.T)
    cross = 0.0
    for s in range(0, X.nnz, 200_000):
        e = min(s + 200_000, X.nnz)
        wh = np.einsum("ij,ij->i", W[rows[s:e]], Ht[X.indices[s:e]])
        cross += float(X.data[s:e] @ wh)
    grams = float(np.sum((W.T @ W) * (H @ H.T)))
    return 0.5 * (float(X.data @ X.data) - 2.0 * cross + grams)


def main():
    path, k, seed, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    import sklearn
    from sklearn.decomposition import NMF
    from sklearn.decomposition._nmf import _initialize_nmf
    from sklearn.feature_extraction.text import TfidfTransformer

    counts = sp.csr_matrix(scipy.io.mmread(path).T, dtype=np.float64)  # documents x words
    counts.sort_indices()
    X = TfidfTransformer().fit_transform(counts).tocsr()
    X.sort_indices()
    warnings.simplefilter("ignore")
    started = time.perf_counter()
    _initialize_nmf(X, k, init="nndsvda", random_state=seed)
    start_seconds = time.perf_counter() - started
    for solver in ("cd", "mu"):
        model = NMF(n_components=k, beta_loss="frobenius", solver=solver, init="nndsvda",
                    random_state=seed, max_iter=200, tol=0.0)
        started = time.perf_counter()
        doc_topic = model.fit_transform(X)
        seconds = time.perf_counter() - started
        topic_word = model.components_
        where = os.path.join(out, solver)
        os.makedirs(where, exist_ok=True)
        w32 = np.ascontiguousarray(topic_word.T, dtype=np.float32)
        h32 = np.ascontiguousarray(doc_topic, dtype=np.float32)
        w32.tofile(os.path.join(where, "W.f32"))
        h32.tofile(os.path.join(where, "H.f32"))
        with open(os.path.join(where, "fit.json"), "w") as f:
            json.dump({"version": sklearn.__version__, "solver": solver, "topics": k,
                       "seed": seed, "iterations": int(model.n_iter_), "seconds": seconds,
                       "start_seconds": start_seconds,
                       "loss": squared_error(X, doc_topic, topic_word),
                       "loss_f32": squared_error(X, h32, w32.T)}, f)


if __name__ == "__main__":
    main()
