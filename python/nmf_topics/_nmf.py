"""``NMF``: scikit-learn's ``NMF(beta_loss='kullback-leibler', solver='mu')`` on a count matrix,
fitted by nmf-topics."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
import numpy.typing as npt

from . import _core, _params
from ._base import HAVE_SKLEARN, BaseEstimator, TransformerMixin, check_fitted
from ._fitted import Fitted, as_float32

CSR = tuple[tuple[int, int], bytes, bytes, bytes]


def _csr(X: Any) -> tuple[CSR, Any]:
    """X, documents × words, as the CSR arrays the library reads (``int64`` offsets, ``int32``
    word indices, ``float32`` counts, each row's words sorted and once), and its column names
    when it has them (a pandas ``DataFrame``)."""
    columns = getattr(X, "columns", None)
    if hasattr(X, "tocsr") and hasattr(X, "nnz"):  # a SciPy sparse matrix or array
        if X.ndim != 2:
            raise ValueError(f"Expected a 2D matrix, got shape {X.shape}")
        X = X.tocsr(copy=True)
        X.sum_duplicates()  # also sorts each row's indices
        shape = X.shape
        indptr, indices, data = X.indptr, X.indices, X.data
    else:
        array = np.asarray(X)
        if array.dtype.kind == "O":  # numbers held as objects are numbers
            try:
                array = array.astype(np.float64)
            except (TypeError, ValueError) as error:
                raise TypeError(
                    "NMF takes a matrix of counts (documents × words); to fit text, use "
                    f"TopicModel ({error})"
                ) from error
        if array.ndim != 2:
            raise ValueError(
                f"Expected 2D array, got {array.ndim}D array instead: give a matrix of "
                "documents × words. Reshape your data either using array.reshape(-1, 1) if "
                "your data has a single feature or array.reshape(1, -1) if it contains a "
                "single sample."
            )
        shape = array.shape
        nonzero = array != 0
        indptr = np.concatenate([[0], np.cumsum(nonzero.sum(axis=1))])
        indices = np.nonzero(nonzero)[1]
        data = array[nonzero]
    data = np.asarray(data)
    if data.dtype.kind == "c":
        raise ValueError("Complex data not supported: NMF takes real counts")
    if data.dtype.kind not in "biuf":
        raise TypeError(
            f"NMF takes a matrix of counts (documents × words), got values of type "
            f"{data.dtype}; to fit text, use TopicModel"
        )
    for n, what in zip(shape, ("sample", "feature")):
        if n == 0:
            raise ValueError(
                f"Found array with 0 {what}(s) (shape={tuple(shape)}) while a minimum of 1 is "
                "required by NMF."
            )
    if data.size and data.min() < 0:
        # The library refuses them too; scikit-learn's words come first for its users.
        raise ValueError(
            f"Negative values in data passed to NMF: a count is {data.min()}: counts must be "
            "finite and non-negative"
        )
    if shape[1] >= 2**31:
        raise ValueError(f"{shape[1]} words: at most 2**31 - 1 columns are supported")
    parts = (
        (int(shape[0]), int(shape[1])),
        np.ascontiguousarray(indptr, dtype=np.int64).tobytes(),
        np.ascontiguousarray(indices, dtype=np.int32).tobytes(),
        np.ascontiguousarray(data, dtype=np.float32).tobytes(),
    )
    return parts, columns


class NMF(Fitted, TransformerMixin, BaseEstimator):
    """Non-negative matrix factorisation of a count matrix, by default by Lee & Seung's
    multiplicative updates for the Kullback-Leibler (I-)divergence: scikit-learn's
    ``NMF(beta_loss='kullback-leibler', solver='mu')``, several times faster, on all cores, and
    with the same bits for the same seed whatever ``n_jobs``. ``beta_loss='frobenius'`` fits
    the squared error instead (scikit-learn's default, usually on tf-idf weights).

    X is documents × words (``n_samples, n_features``), as in scikit-learn: a SciPy sparse
    matrix, a NumPy array or anything ``numpy.asarray`` takes, of non-negative counts (kept as
    ``float32``). ``fit_transform(X)`` returns the documents' topic counts ``T``
    ``(n_samples, n_components)`` and ``components_`` holds the topics ``(n_components,
    n_features)``, so that ``X ≈ T @ components_``. Relative to the library and the command
    line, whose V is words × documents, V = Xᵀ, W = ``components_``ᵀ and H = ``T``ᵀ.

    Unlike scikit-learn's arbitrary scale, each topic (row of ``components_``) sums to 1 over
    the words, and, for the Kullback-Leibler divergence, ``T[d, k]`` is the expected number of
    document d's words that come from topic k: row d of ``T`` sums to the count of document d
    (for the squared error, ``T[d, k]`` is topic k's part of row d's sum, which ``T`` need not
    match). ``proportions(T)`` gives each
    document's topic weights. Topics are numbered by decreasing share of the corpus. After
    the joint updates, ``T`` is solved again with the topics fixed, exactly as ``transform``
    solves new documents, so ``transform`` of the training matrix gives back
    ``fit_transform``'s result bit for bit.

    Parameters
    ----------
    n_components : int, default=20
        Number of topics (the command line's ``--topics``).
    init : {'nndsvda', 'random'} or None, default='nndsvda'
        How the factors start: from a randomised truncated SVD (NNDSVDa) or at random, as
        scikit-learn's options of those names. None is 'nndsvda'.
    beta_loss : {'kullback-leibler', 'frobenius'}, default='kullback-leibler'
        What the fit minimises: 'kullback-leibler' (or 1) is the I-divergence; 'frobenius' (or
        2) is half the squared Euclidean distance ½‖X − T·components_‖², which ``divergence_``
        then holds.
    solver : {'mu', 'cd', 'pg'}, default='mu'
        How the factors are updated: 'mu', multiplicative updates, as scikit-learn's; 'cd',
        coordinate descent: for the I-divergence a Newton step a weight (Hsieh & Dhillon 2011),
        which reaches the same divergence in fewer, costlier iterations, and for 'frobenius'
        scikit-learn's exact minimisation a weight; 'pg', projected gradient (Lin 2007), for
        'frobenius' only.
    max_iter : int, default=1000
        Most iterations (a cap: ``tol`` usually stops the fit first).
    tol : float, default=1e-4
        Stop when the divergence falls by less than this fraction over 10 iterations; 0 runs
        every iteration. (scikit-learn's rule compares the fall with the first divergence.)
    random_state : int, RandomState, Generator or None, default=0
        The seed (the command line's ``--seed``); None draws one from NumPy's global state.
        The seed used is kept in ``seed_``.
    n_jobs : int or None, default=None
        Threads: None or -1 for all cores. The factors do not depend on it.
    extrapolate : bool, default=False
        With ``solver='cd'``: push each factor on along its last move after every half step,
        further while the divergence falls, back to the plain step when it rises (Ang & Gillis
        2019; the command line's ``--extrapolate``): fewer iterations to the same divergence.
    portable : bool, default=False
        Run the portable kernel instead of the fastest this CPU has: the same bits on every
        machine, several times slower.

    Attributes
    ----------
    components_ : ndarray of shape (n_components, n_features), float32
        The topics; each row sums to 1 (a topic that died is all zero).
    n_components_ : int
        Number of topics.
    n_features_in_ : int
        Number of words (columns of X).
    feature_names_in_ : ndarray of shape (n_features_in_,)
        The columns' names, when X was a ``DataFrame`` with string column names.
    n_iter_ : int
        Iterations run.
    divergence_ : float
        The I-divergence D(X‖T·components_) = Σ X·ln(X/(T·C)) − X + T·C at the end.
    reconstruction_err_ : float
        scikit-learn's figure for a beta loss: ``sqrt(2 * divergence_)``.
    divergence_trace_ : list of (int, float)
        The divergence every 10 iterations from the start, and at the end of the iterations.
    stop_reason_ : str
        'converged' (``tol``) or 'max_iter'.
    seed_ : int
        The seed the fit used.

    Examples
    --------
    >>> import numpy as np
    >>> from nmf_topics import NMF
    >>> X = np.array([[4, 3, 0, 0], [5, 2, 0, 1], [0, 0, 6, 3], [0, 1, 5, 4]])
    >>> model = NMF(n_components=2)
    >>> T = model.fit_transform(X)
    >>> T.shape, model.components_.shape
    ((4, 2), (2, 4))
    >>> bool(np.allclose(T.sum(axis=1), X.sum(axis=1), rtol=1e-4))
    True
    """

    def __init__(
        self,
        n_components: int = 20,
        *,
        init: str | None = "nndsvda",
        beta_loss: str | float = "kullback-leibler",
        solver: str = "mu",
        max_iter: int = 1000,
        tol: float = 1e-4,
        random_state: Any = 0,
        n_jobs: int | None = None,
        portable: bool = False,
        extrapolate: bool = False,
    ) -> None:
        self.n_components = n_components
        self.init = init
        self.beta_loss = beta_loss
        self.solver = solver
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.portable = portable
        self.extrapolate = extrapolate

    def fit_transform(self, X: Any, y: Any = None) -> npt.NDArray[np.float32]:
        """Fits the topics of X (documents × words) and returns the documents' topic counts
        ``(n_samples, n_components)``, float32. The GIL is released while fitting."""
        solver = _params.solver(self)
        (shape, indptr, indices, data), columns = _csr(X)
        record = _core.fit_counts(shape, indptr, indices, data, solver)
        self._keep_features(shape[1], columns)
        return self._keep(record, solver)

    def _keep_features(self, n_features: int, columns: Any) -> None:
        """Keeps X's width, and its column names when they are strings (a ``DataFrame``)."""
        self.n_features_in_ = n_features
        if columns is not None and all(isinstance(c, str) for c in columns):
            self.feature_names_in_ = np.asarray(list(columns), dtype=object)
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_

    def fit(self, X: Any, y: Any = None) -> NMF:
        """Fits the topics of X (documents × words); returns the estimator."""
        self.fit_transform(X)
        return self

    def transform(self, X: Any) -> npt.NDArray[np.float32]:
        """The topic counts ``(n_samples, n_components)``, float32, of the documents of X
        (documents × the fitted words) with the topics fixed. The GIL is released meanwhile."""
        solver = self._transform_solver()
        (shape, indptr, indices, data), _ = _csr(X)
        if shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {shape[1]} features, but NMF is expecting {self.n_features_in_} "
                "features as input."
            )
        out = _core.transform_counts(shape, indptr, indices, data, self._topic_bytes(), solver)
        return as_float32(out, shape[0], self.n_components_)

    def inverse_transform(self, X: npt.ArrayLike) -> npt.NDArray[np.float32]:
        """The counts that topic counts X ``(n_samples, n_components)`` stand for:
        ``X @ components_``, ``(n_samples, n_features)``."""
        check_fitted(self)
        return np.asarray(X, dtype=np.float32) @ self.components_

    def get_feature_names_out(self, input_features: Any = None) -> npt.NDArray[np.object_]:
        """Names of ``transform``'s columns, as scikit-learn names NMF's: ``nmf0``, ``nmf1``…"""
        check_fitted(self)
        return np.asarray([f"nmf{k}" for k in range(self.n_components_)], dtype=object)

    if HAVE_SKLEARN:

        def __sklearn_tags__(self):  # type: ignore[no-untyped-def]
            tags = super().__sklearn_tags__()
            tags.input_tags.sparse = True
            tags.input_tags.positive_only = True
            tags.transformer_tags.preserves_dtype = ["float32"]
            return tags


class MiniBatchNMF(NMF):
    """``NMF`` fitted a batch of documents at a time: scikit-learn's ``MiniBatchNMF``, for the
    Kullback-Leibler divergence or the Frobenius loss, with ``partial_fit`` for a stream of
    documents over the same words. Each batch's topic weights are solved with the topics
    fixed; running statistics of those weights, multiplied by a forgetting factor before each
    batch, then give the topics anew (the command line's ``fit --batch-size`` and ``update``).
    Everything else is as in :class:`NMF`: ``transform``, the topics summing to 1, the same
    bits for the same seed whatever ``n_jobs``.

    Parameters
    ----------
    n_components, init, beta_loss, solver, max_iter, tol, random_state, n_jobs, portable
        As in :class:`NMF`; ``max_iter`` counts passes over the documents, and ``tol`` is the
        fall of a pass's loss, relative to the pass before, under which ``fit`` stops.
        ``solver='pg'`` has no mini-batch mode.
    batch_size : int, default=1024
        Documents a batch in ``fit`` (``partial_fit`` takes each call's X as one batch).
    forget_factor : float, default=0.7
        How much of the statistics a whole pass over the documents keeps, as scikit-learn's:
        ``fit`` multiplies them by ``forget_factor ** (batch_size / n_samples)`` before each
        batch, ``partial_fit`` by ``forget_factor`` before each call.
    extrapolate : bool, default=False
        Not for mini-batches: ``fit`` refuses it, as ``fit --batch-size`` does.

    Attributes
    ----------
    components_, n_components_, n_features_in_, feature_names_in_, seed_
        As in :class:`NMF` (``partial_fit`` keeps no ``feature_names_in_``).
    n_iter_, divergence_, reconstruction_err_, divergence_trace_, stop_reason_
        After ``fit``: as in :class:`NMF`, an iteration being a pass.
    n_steps_ : int
        Batches folded in: by ``fit`` (passes × batches a pass), then by each ``partial_fit``.

    Examples
    --------
    >>> import numpy as np
    >>> from nmf_topics import MiniBatchNMF
    >>> X = np.array([[4, 3, 0, 0], [5, 2, 0, 1], [0, 0, 6, 3], [0, 1, 5, 4]] * 5)
    >>> model = MiniBatchNMF(n_components=2, batch_size=8)
    >>> for batch in (X[:10], X[10:]):
    ...     model = model.partial_fit(batch)
    >>> model.components_.shape, model.n_steps_
    ((2, 4), 2)
    """

    def __init__(
        self,
        n_components: int = 20,
        *,
        init: str | None = "nndsvda",
        beta_loss: str | float = "kullback-leibler",
        solver: str = "mu",
        batch_size: int = 1024,
        forget_factor: float = 0.7,
        max_iter: int = 200,
        tol: float = 1e-4,
        random_state: Any = 0,
        n_jobs: int | None = None,
        portable: bool = False,
        extrapolate: bool = False,
    ) -> None:
        super().__init__(
            n_components,
            init=init,
            beta_loss=beta_loss,
            solver=solver,
            max_iter=max_iter,
            tol=tol,
            random_state=random_state,
            n_jobs=n_jobs,
            portable=portable,
            extrapolate=extrapolate,
        )
        self.batch_size = batch_size
        self.forget_factor = forget_factor

    def _forget(self) -> float:
        forget = _params.real("forget_factor", self.forget_factor)
        if not 0.0 < forget <= 1.0:
            raise ValueError(f"forget_factor must be in (0, 1], got {self.forget_factor!r}")
        return forget

    def fit_transform(self, X: Any, y: Any = None) -> npt.NDArray[np.float32]:
        """Fits the topics of X (documents × words) by mini-batches and returns the documents'
        topic counts ``(n_samples, n_components)``, float32, solved with the final topics."""
        solver = _params.solver(self)
        batch_size = _params.integer("batch_size", self.batch_size, minimum=1)
        forget = self._forget()
        (shape, indptr, indices, data), columns = _csr(X)
        rho = forget ** (min(batch_size, shape[0]) / shape[0])
        record = _core.fit_counts_minibatch(
            shape, indptr, indices, data, solver, batch_size, rho
        )
        self._keep_features(shape[1], columns)
        counts = self._keep(record, solver)
        self._statistics = (bytes(record["a"]), bytes(record["b"]))
        self.n_steps_ = self.n_iter_ * -(-shape[0] // batch_size)
        return counts

    def partial_fit(self, X: Any, y: Any = None) -> MiniBatchNMF:
        """Folds the documents of X (documents × words) in as one batch: the first call starts
        the topics from X (``init``, ``random_state``), a later one updates them, X having the
        fitted words. Returns the estimator. The GIL is released meanwhile."""
        forget = self._forget()
        (shape, indptr, indices, data), _ = _csr(X)
        started = hasattr(self, "components_")
        if started:
            if shape[1] != self.n_features_in_:
                raise ValueError(
                    f"X has {shape[1]} features, but MiniBatchNMF is expecting "
                    f"{self.n_features_in_} features as input."
                )
            solver = self._transform_solver()
            a, b = self._statistics
            record = _core.partial_fit_counts(
                shape, indptr, indices, data, solver, forget, self._topic_bytes(), a, b
            )
        else:
            solver = _params.solver(self)
            record = _core.partial_fit_counts(shape, indptr, indices, data, solver, forget)
            self.n_features_in_ = shape[1]
            self.n_components_ = solver["n_components"]
            self.seed_ = solver["seed"]
            self._solver = solver
            self.n_steps_ = 0
        self.components_ = as_float32(record["components"], self.n_components_, shape[1])
        self._statistics = (bytes(record["a"]), bytes(record["b"]))
        self.n_steps_ += 1
        return self
