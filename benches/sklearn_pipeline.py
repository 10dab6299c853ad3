#!/usr/bin/env python3
"""scikit-learn's whole pipeline on a JSON Lines corpus, as issue 6 measured it: its own
CountVectorizer(stop_words='english', min_df, max_df) on the text, then KL-NMF, with the
matrix and factors written for nmf-topics' score_factors (--mtx form) to score:

    sklearn_pipeline.py CORPUS TEXT_FIELD LABEL_FIELD MIN_DF MAX_DF K ITERATIONS INIT OUT_DIR [SEED]

OUT_DIR/V.mtx (words x documents), V.vocab.txt and labels.txt (one a document) are written
once and reused; OUT_DIR/W.txt (one line a word, each topic summing to 1), H.txt (one line a
document, its expected counts from each topic) and fit.json each run.
"""
import gzip, json, os, sys, time, warnings

import numpy as np
import scipy.io
import scipy.sparse as sp

from sklearn_factors import write_factors


def number(text):
    return float(text) if "." in text else int(text)


def main():
    corpus, text_field, label_field = sys.argv[1:4]
    min_df, max_df = number(sys.argv[4]), number(sys.argv[5])
    k, iterations, init, out = int(sys.argv[6]), int(sys.argv[7]), sys.argv[8], sys.argv[9]
    seed = int(sys.argv[10]) if len(sys.argv) > 10 else 0
    from sklearn.decomposition import NMF
    from sklearn.feature_extraction.text import CountVectorizer
    import sklearn

    opener = gzip.open if corpus.endswith(".gz") else open
    with opener(corpus, "rt", encoding="utf-8") as f:
        docs = [json.loads(line) for line in f if line.strip()]
    vectorizer = CountVectorizer(stop_words="english", min_df=min_df, max_df=max_df)
    X = vectorizer.fit_transform(d.get(text_field) or "" for d in docs).astype(np.float64).tocsr()
    os.makedirs(out, exist_ok=True)
    if not os.path.exists(os.path.join(out, "V.mtx")):
        scipy.io.mmwrite(os.path.join(out, "V.mtx"), sp.csr_matrix(X.T).astype(np.int64),
                         field="integer")
        with open(os.path.join(out, "V.vocab.txt"), "w", encoding="utf-8") as f:
            f.write("\n".join(vectorizer.get_feature_names_out()) + "\n")
        with open(os.path.join(out, "labels.txt"), "w", encoding="utf-8") as f:
            f.write("".join(f"{d.get(label_field) or ''}\n" for d in docs))
    warnings.simplefilter("ignore")
    started = time.perf_counter()
    model = NMF(n_components=k, beta_loss="kullback-leibler", solver="mu", init=init,
                random_state=seed, max_iter=iterations, tol=1e-4)
    doc_topic = model.fit_transform(X)
    seconds = time.perf_counter() - started
    write_factors(out, model.components_, doc_topic)
    with open(os.path.join(out, "fit.json"), "w") as f:
        json.dump({"version": sklearn.__version__, "init": init, "topics": k, "seed": seed,
                   "words": X.shape[1], "iterations": int(model.n_iter_), "seconds": seconds}, f)


if __name__ == "__main__":
    main()
