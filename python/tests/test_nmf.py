"""NMF on count matrices: inputs, shapes, the divergence against a naive reference, planted
topics, errors."""

from __future__ import annotations

import numpy as np
import pytest

from nmf_topics import NMF, NotFittedError, proportions


def planted(seed: int = 0, n_docs: int = 60) -> np.ndarray:
    """Documents × words counts from three topics on disjoint blocks of 8 words each, every
    document drawing 40 words from one topic."""
    rng = np.random.default_rng(seed)
    X = np.zeros((n_docs, 24))
    for d in range(n_docs):
        block = d % 3
        words = rng.integers(block * 8, block * 8 + 8, size=40)
        np.add.at(X[d], words, 1)
    return X


def divergence(X: np.ndarray, T: np.ndarray, C: np.ndarray) -> float:
    """D(X‖T·C) = Σ X·ln(X/TC) − X + TC, naively, in float64."""
    Y = T.astype(np.float64) @ C.astype(np.float64)
    nz = X > 0
    return float(np.sum(X[nz] * np.log(X[nz] / Y[nz])) - X.sum() + Y.sum())


def test_shapes_and_units() -> None:
    X = planted()
    model = NMF(n_components=3)
    T = model.fit_transform(X)
    assert T.shape == (60, 3) and T.dtype == np.float32
    assert model.components_.shape == (3, 24) and model.components_.dtype == np.float32
    assert model.n_components_ == 3 and model.n_features_in_ == 24
    assert np.allclose(model.components_.sum(axis=1), 1, atol=1e-5)
    assert np.allclose(T.sum(axis=1), X.sum(axis=1), rtol=1e-4), "rows of T are word counts"
    assert np.allclose(proportions(T).sum(axis=1), 1, atol=1e-5)
    assert list(model.get_feature_names_out()) == ["nmf0", "nmf1", "nmf2"]
    assert np.allclose(model.inverse_transform(T), T @ model.components_)


@pytest.mark.parametrize("solver", ["mu", "cd"])
def test_divergence_against_a_naive_reference(solver: str) -> None:
    X = planted(1) + np.random.default_rng(1).poisson(0.3, size=(60, 24))
    model = NMF(n_components=4, tol=0, max_iter=50, solver=solver)
    T = model.fit_transform(X)
    assert model.divergence_ == pytest.approx(divergence(X, T, model.components_), rel=1e-4)
    assert model.reconstruction_err_ == pytest.approx(np.sqrt(2 * model.divergence_))
    assert model.n_iter_ == 50


@pytest.mark.parametrize("solver", ["mu", "cd"])
def test_planted_topics_are_recovered(solver: str) -> None:
    model = NMF(n_components=3, solver=solver).fit(planted())
    blocks = model.components_.reshape(3, 3, 8).sum(axis=2)  # topic × block
    assert sorted(blocks.argmax(axis=1)) == [0, 1, 2]
    assert np.all(blocks.max(axis=1) > 0.99)


def test_sparse_and_dense_inputs_give_the_same_bits() -> None:
    sparse = pytest.importorskip("scipy.sparse")
    X = planted(2)
    dense = NMF(n_components=3).fit_transform(X)
    for matrix in [
        sparse.csr_matrix(X),
        sparse.csc_matrix(X),
        sparse.coo_array(X),
        X.astype(np.int32),
        X.astype(np.float32),
        X.tolist(),
    ]:
        assert np.array_equal(NMF(n_components=3).fit_transform(matrix), dense)
    # Duplicate entries of a COO matrix add up, as in SciPy.
    rows, cols = np.nonzero(X)
    halves = np.concatenate([X[rows, cols] / 2, X[rows, cols] / 2])
    coo = sparse.coo_matrix((halves, (np.tile(rows, 2), np.tile(cols, 2))), shape=X.shape)
    assert np.array_equal(NMF(n_components=3).fit_transform(coo), dense)


@pytest.mark.parametrize("solver", ["mu", "cd"])
def test_transform_gives_back_the_fitted_counts_and_handles_empty_rows(solver: str) -> None:
    X = planted(3)
    model = NMF(n_components=3, solver=solver)
    T = model.fit_transform(X)
    assert np.array_equal(model.transform(X), T)
    empty = model.transform(np.zeros((2, 24)))
    assert empty.shape == (2, 3) and not empty.any()


@pytest.mark.parametrize("solver", ["mu", "cd"])
def test_same_bits_for_any_threads(solver: str) -> None:
    X = planted(4, n_docs=300)
    one = NMF(n_components=5, n_jobs=1, init="random", solver=solver).fit_transform(X)
    two = NMF(n_components=5, n_jobs=2, init="random", solver=solver).fit_transform(X)
    assert np.array_equal(one, two)


def test_errors() -> None:
    X = planted()
    cases = [
        (NMF(beta_loss="itakura-saito"), X, ValueError, "nmf-topics fits beta_loss 'kullback-leibler' \\(or 1\\) and 'frobenius'"),
        (NMF(beta_loss=0), X, ValueError, "got 0"),
        (NMF(beta_loss=[1]), X, ValueError, "got \\[1\\]"),
        (NMF(solver="lbfgs"), X, ValueError, "unknown solver 'lbfgs'; choose mu or cd"),
        (NMF(solver=1), X, TypeError, "solver must be a string"),
        (NMF(extrapolate=True), X, ValueError, "extrapolate: solver mu beta_loss kl does not extrapolate; these do: solver cd beta_loss kl"),
        (NMF(n_components=30), X, ValueError, "n_components 30: the number of topics must be between 1 and the smaller of the number of words \\(24\\)"),
        (NMF(n_components=3), -X, ValueError, "Negative values in data passed to NMF"),
        (NMF(n_components=3), np.where(X > 3, np.nan, X), ValueError, "a count is NaN: counts must be finite and non-negative"),
        (NMF(n_components=3), X[0], ValueError, "Expected 2D array"),
        (NMF(n_components=3), [["a", "b"], ["c", "d"]], TypeError, "to fit text, use TopicModel"),
        (NMF(n_components=3), X[:, :0], ValueError, "Found array with 0 feature"),
        (NMF(n_components=3, max_iter=0), X, ValueError, "max_iter 0: give at least 1 iteration"),
        (NMF(n_components=3, tol=float("nan")), X, ValueError, "tol NaN: the tolerance must be"),
    ]
    for model, data, error, message in cases:
        with pytest.raises(error, match=message):
            model.fit(data)
    model = NMF(n_components=3).fit(X)
    with pytest.raises(ValueError, match="X has 23 features, but NMF is expecting 24 features"):
        model.transform(X[:, 1:])
    with pytest.raises(NotFittedError):
        NMF().transform(X)


def test_coordinate_descent_goes_further_in_as_many_iterations() -> None:
    X = planted(5) + np.random.default_rng(5).poisson(0.3, size=(60, 24))
    mu = NMF(n_components=4, tol=0, max_iter=10, solver="mu").fit(X)
    cd = NMF(n_components=4, tol=0, max_iter=10, solver="cd").fit(X)
    assert cd.divergence_ < mu.divergence_


def test_extrapolated_coordinate_descent_goes_as_far_and_keeps_its_bits() -> None:
    X = planted(6, n_docs=300) + np.random.default_rng(6).poisson(0.3, size=(300, 24))
    plain = NMF(n_components=4, tol=0, max_iter=30, solver="cd").fit(X)
    pushed = NMF(n_components=4, tol=0, max_iter=30, solver="cd", extrapolate=True)
    T = pushed.fit_transform(X)
    assert pushed.divergence_ <= 1.01 * plain.divergence_
    again = NMF(n_components=4, tol=0, max_iter=30, solver="cd", extrapolate=True, n_jobs=1)
    assert np.array_equal(again.fit_transform(X), T)
    assert not np.array_equal(plain.transform(X), T)


@pytest.mark.parametrize("solver", ["mu", "cd", "pg"])
def test_frobenius_loss_against_a_naive_reference(solver: str) -> None:
    rng = np.random.default_rng(7)
    X = planted(7) * rng.uniform(0.2, 1.0, size=(60, 24))  # real values, as tf-idf weights
    model = NMF(n_components=3, beta_loss="frobenius", solver=solver, tol=0, max_iter=60)
    T = model.fit_transform(X)
    residual = X - T.astype(np.float64) @ model.components_.astype(np.float64)
    assert model.divergence_ == pytest.approx(0.5 * np.sum(residual**2), rel=1e-4)
    assert model.reconstruction_err_ == pytest.approx(np.sqrt(np.sum(residual**2)), rel=1e-4)
    blocks = model.components_.reshape(3, 3, 8).sum(axis=2)
    assert sorted(blocks.argmax(axis=1)) == [0, 1, 2], f"{solver}: planted topics"
    assert np.array_equal(model.transform(X), T), "transform gives back the fitted weights"


def test_frobenius_solvers_that_cannot_are_refused_with_the_pairs_that_exist() -> None:
    with pytest.raises(ValueError, match="solver pg with beta_loss kl: no solver does that"):
        NMF(solver="pg").fit(planted())
    with pytest.raises(ValueError, match="extrapolate: solver cd beta_loss frobenius does not"):
        NMF(solver="cd", beta_loss=2, extrapolate=True).fit(planted())


def test_beta_loss_one_is_kullback_leibler() -> None:
    X = planted()
    assert np.array_equal(
        NMF(n_components=3, beta_loss=1).fit_transform(X),
        NMF(n_components=3, beta_loss="kullback-leibler").fit_transform(X),
    )


def best_cosines(truth: np.ndarray, found: np.ndarray) -> list[float]:
    """For each row of ``truth``, the best cosine with a row of ``found``."""
    t = truth / np.linalg.norm(truth, axis=1, keepdims=True)
    f = found / np.linalg.norm(found, axis=1, keepdims=True)
    return list((t @ f.T).max(axis=1))


def test_minibatch_stream_recovers_the_planted_topics() -> None:
    from nmf_topics import MiniBatchNMF

    truth = np.kron(np.eye(3), np.ones(8))  # three blocks of 8 words
    model = MiniBatchNMF(n_components=3, random_state=1)
    X = planted(seed=5, n_docs=240)
    # The first batch holds two of the three topics; the later ones bring the third.
    first = X[np.arange(240) % 3 != 2][:40]
    model.partial_fit(first)
    assert model.n_steps_ == 1 and model.components_.shape == (3, 24)
    for start in range(0, 240, 30):
        model.partial_fit(X[start : start + 30])
    assert model.n_steps_ == 9
    assert np.allclose(model.components_.sum(axis=1), 1, atol=1e-4)
    assert min(best_cosines(truth, model.components_)) > 0.95
    counts = model.transform(X[:6])
    assert counts.shape == (6, 3)
    assert np.allclose(counts.sum(axis=1), X[:6].sum(axis=1), rtol=1e-3)


def test_minibatch_fit_then_partial_fit_and_its_errors() -> None:
    from nmf_topics import MiniBatchNMF

    X = planted(seed=6, n_docs=120)
    model = MiniBatchNMF(n_components=3, batch_size=40, max_iter=30, random_state=2)
    T = model.fit_transform(X)
    assert T.shape == (120, 3) and model.n_steps_ == model.n_iter_ * 3
    assert np.allclose(T.sum(axis=1), X.sum(axis=1), rtol=1e-3)
    before = model.components_.copy()
    again = MiniBatchNMF(n_components=3, batch_size=40, max_iter=30, random_state=2, n_jobs=1)
    assert np.array_equal(again.fit(X).components_, before), "the same bits on 1 thread"
    model.partial_fit(X[:30])
    assert not np.array_equal(model.components_, before)
    assert model.n_steps_ == model.n_iter_ * 3 + 1
    with pytest.raises(ValueError, match="features"):
        model.partial_fit(np.ones((4, 5)))
    with pytest.raises(ValueError, match="forget_factor"):
        MiniBatchNMF(n_components=2, forget_factor=1.5).partial_fit(X)
    with pytest.raises(ValueError, match="extrapolate"):
        MiniBatchNMF(n_components=2, solver="cd", extrapolate=True).fit(X)
    with pytest.raises(ValueError, match=r"solver pg .* no online mode: .* \(batch_size\)"):
        MiniBatchNMF(n_components=2, beta_loss="frobenius", solver="pg").fit(X)
