#!/usr/bin/env python3
"""scikit-learn's KL-NMF on a Matrix Market count matrix (words x documents, as nmf-topics
exports it), with the factors written for nmf-topics to score:

    sklearn_factors.py V.mtx K ITERATIONS INIT OUT_DIR [SEED]

OUT_DIR/W.txt: one line a word, each topic's weights summing to 1 over the words;
OUT_DIR/H.txt: one line a document, its expected counts from each topic (scaled to match);
OUT_DIR/fit.json: iterations, seconds, divergence. Written in the matrix's own order.
"""
import json, os, sys, time, warnings

import numpy as np
import scipy.io
import scipy.sparse as sp


def write_factors(out, topic_word, doc_topic):
    """OUT/W.txt and OUT/H.txt as score_factors reads them: each topic scaled to sum to 1 over
    the words, the scale moved into the documents' weights."""
    scale = topic_word.sum(axis=1)
    scale[scale == 0] = 1.0
    os.makedirs(out, exist_ok=True)
    np.savetxt(os.path.join(out, "W.txt"), (topic_word / scale[:, None]).T, fmt="%.7g")
    np.savetxt(os.path.join(out, "H.txt"), doc_topic * scale[None, :], fmt="%.7g")


def main():
    path, k, iterations, init, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
    seed = int(sys.argv[6]) if len(sys.argv) > 6 else 0
    from sklearn.decomposition import NMF
    import sklearn

    X = sp.csr_matrix(scipy.io.mmread(path).T, dtype=np.float64)  # documents x words
    warnings.simplefilter("ignore")
    started = time.perf_counter()
    model = NMF(n_components=k, beta_loss="kullback-leibler", solver="mu", init=init,
                random_state=seed, max_iter=iterations, tol=1e-4)
    doc_topic = model.fit_transform(X)            # documents x K
    topic_word = model.components_               # K x words
    seconds = time.perf_counter() - started
    write_factors(out, topic_word, doc_topic)
    with open(os.path.join(out, "fit.json"), "w") as f:
        json.dump({"version": sklearn.__version__, "init": init, "topics": k, "seed": seed,
                   "iterations": int(model.n_iter_), "seconds": seconds,
                   "reconstruction_err": float(model.reconstruction_err_)}, f)


if __name__ == "__main__":
    main()
