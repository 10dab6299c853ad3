"""Parameters checked for their types, and handed to the library as it takes them.

Types are checked here, with Python's words; values are checked by the library, with its
messages (the command line's option names replaced by the parameters': ``max_iter 0: give at
least 1 iteration``), so that Python and ``nmf-topics fit`` refuse the same settings.
"""

from __future__ import annotations

import numbers
import os
from typing import Any

import numpy as np


def integer(name: str, value: Any, *, minimum: int = 0) -> int:
    """``value`` as an ``int``, which must be at least ``minimum`` (a bool is not an integer)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return int(value)


def real(name: str, value: Any) -> float:
    """``value`` as a ``float`` (an integer is welcome, a bool is not)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {value!r}")
    return float(value)


def flag(name: str, value: Any) -> bool:
    """``value`` as a ``bool``."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def text(name: str, value: Any) -> str:
    """``value``, which must be a ``str``."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, got {value!r}")
    return value


def doc_freq(name: str, value: Any) -> str:
    """A document-frequency bound as scikit-learn takes it, an ``int`` for a number of documents
    or a ``float`` for a proportion of them, written as the library's parser tells them apart:
    ``2`` and ``2.0`` are not the same bound."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"{name} must be an int (a number of documents) or a float (a proportion), "
            f"got {value!r}"
        )
    if isinstance(value, numbers.Integral):
        return str(int(value))
    return repr(float(value))


def seed(random_state: Any) -> int:
    """The solver's seed for scikit-learn's ``random_state``: an ``int`` is the seed itself (the
    command line's ``--seed``); ``None`` draws one from NumPy's global random state, and a
    ``numpy.random.RandomState`` or ``Generator`` draws one from itself, as scikit-learn does."""
    if random_state is None:
        random_state = np.random.mtrand._rand
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(np.iinfo(np.int32).max))
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(np.iinfo(np.int32).max))
    if isinstance(random_state, bool) or not isinstance(random_state, numbers.Integral):
        raise TypeError(
            "random_state must be an int, None, a numpy.random.RandomState or a "
            f"numpy.random.Generator, got {random_state!r}"
        )
    if not 0 <= random_state < 2**64:
        raise ValueError(f"random_state must be an int in [0, 2**64), got {random_state}")
    return int(random_state)


def threads(n_jobs: Any) -> int:
    """Threads for ``n_jobs``: ``None`` or ``-1`` all the cores this process may use, ``-2`` all
    but one, and so on, as joblib counts. The result does not depend on it."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    if n_jobs is None:
        return cores
    n = integer("n_jobs", n_jobs, minimum=-(2**31))
    return max(1, cores + 1 + n) if n < 0 else n


def solver(estimator: Any) -> dict[str, Any]:
    """The settings of the fit, common to ``NMF`` and ``TopicModel``, with the seed drawn."""
    init = estimator.init
    return {
        "n_components": integer("n_components", estimator.n_components),
        "init": "nndsvda" if init is None else text("init", init),
        "max_iter": integer("max_iter", estimator.max_iter),
        "tol": real("tol", estimator.tol),
        "seed": seed(estimator.random_state),
        "threads": threads(estimator.n_jobs),
        "portable": flag("portable", estimator.portable),
        "extrapolate": flag("extrapolate", estimator.extrapolate),
        "solver": text("solver", estimator.solver),
        "loss": loss(estimator.beta_loss),
    }


def loss(beta_loss: Any) -> str:
    """The library's name of scikit-learn's ``beta_loss``: 'kullback-leibler' (or 1) is the
    I-divergence, 'frobenius' (or 2) the squared error. Which solver fits which loss is the
    library's to say."""
    if isinstance(beta_loss, str):
        names = {"kullback-leibler": "kl", "KL": "kl", "frobenius": "frobenius"}
        if beta_loss in names:
            return names[beta_loss]
    elif isinstance(beta_loss, numbers.Real) and not isinstance(beta_loss, bool):
        if beta_loss == 1:
            return "kl"
        if beta_loss == 2:
            return "frobenius"
    raise ValueError(
        "nmf-topics fits beta_loss 'kullback-leibler' (or 1) and 'frobenius' (or 2), "
        f"got {beta_loss!r}"
    )
