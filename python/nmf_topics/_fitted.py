"""What ``NMF`` and ``TopicModel`` share: the fitted attributes, from the library's record of a
fit, and the arrays between NumPy and the library."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

from . import _core, _params
from ._base import check_fitted


def as_float32(data: bytearray, rows: int, columns: int) -> npt.NDArray[np.float32]:
    """The library's row-major ``float32`` values as a writable ``(rows, columns)`` array."""
    return np.frombuffer(data, dtype=np.float32).reshape(rows, columns)


class Fitted:
    """Fitted attributes and methods common to the estimators. Subclasses set ``fit``'s
    record with :meth:`_keep` and define ``__init__``'s parameters ``n_components``, ``init``,
    ``max_iter``, ``tol``, ``random_state``, ``n_jobs`` and ``portable``."""

    components_: npt.NDArray[np.float32]
    n_components_: int
    n_iter_: int
    divergence_: float
    reconstruction_err_: float
    divergence_trace_: list[tuple[int, float]]
    stop_reason_: str
    seed_: int

    def _keep(self, record: dict[str, Any], solver: dict[str, Any]) -> npt.NDArray[np.float32]:
        """Keeps ``fit``'s record as attributes; returns the documents' topic counts."""
        k, n_words = record["n_components"], record["n_words"]
        self.components_ = as_float32(record["components"], k, n_words)
        self.n_components_ = k
        self.n_iter_ = record["iterations"]
        self.divergence_ = record["divergence"]
        # scikit-learn's reconstruction_err_ for a beta-loss: sqrt(2 · divergence).
        self.reconstruction_err_ = math.sqrt(2.0 * max(record["divergence"], 0.0))
        self.divergence_trace_ = [(int(i), float(d)) for i, d in record["trace"]]
        self.stop_reason_ = record["stop"]
        self.seed_ = solver["seed"]
        self._solver = solver
        return as_float32(record["doc_topics"], record["n_documents"], k)

    def _transform_solver(self) -> dict[str, Any]:
        """The fit's settings, with the threads that ``n_jobs`` asks for now."""
        check_fitted(self)
        return {**self._solver, "threads": _params.threads(self.n_jobs)}  # type: ignore[attr-defined]

    def _topic_bytes(self) -> bytes:
        return np.ascontiguousarray(self.components_, dtype=np.float32).tobytes()


def proportions(counts: npt.ArrayLike) -> npt.NDArray[np.float32]:
    """Topic counts ``(n_documents, n_components)``, as ``transform`` returns them, as weights:
    each row divided by its sum, so that it sums to 1, and a row of zeros (a document without
    a known word) left at zero. The same numbers as the command line's ``--doc-topics`` and
    ``transform --csv`` (which round them to 6 decimals).

    >>> proportions([[3.0, 1.0], [0.0, 0.0]])
    array([[0.75, 0.25],
           [0.  , 0.  ]], dtype=float32)
    """
    array = np.asarray(counts, dtype=np.float32)
    if array.ndim != 2 or array.shape[1] == 0:
        raise ValueError(
            f"expected topic counts of shape (n_documents, n_components), got shape {array.shape}"
        )
    data = _core.proportions(np.ascontiguousarray(array).tobytes(), array.shape[1])
    return as_float32(data, array.shape[0], array.shape[1])
