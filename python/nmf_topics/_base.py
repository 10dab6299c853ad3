"""The estimators' base: scikit-learn's when it is installed, else a small stand-in.

With scikit-learn the estimators are real scikit-learn estimators (``clone``, ``Pipeline``);
without it they keep the same ``get_params`` and ``set_params``, so code written for either
runs on both.
"""

from __future__ import annotations

import inspect
from typing import Any

try:
    from sklearn.base import BaseEstimator, TransformerMixin
    from sklearn.exceptions import NotFittedError

    HAVE_SKLEARN = True
except ImportError:  # scikit-learn is optional
    HAVE_SKLEARN = False

    class NotFittedError(ValueError, AttributeError):  # type: ignore[no-redef]
        """The estimator is used before ``fit``, as scikit-learn's exception of that name."""

    class BaseEstimator:  # type: ignore[no-redef]
        """``get_params``/``set_params`` from the parameters of ``__init__``, as scikit-learn."""

        @classmethod
        def _get_param_names(cls) -> list[str]:
            signature = inspect.signature(cls.__init__)
            return sorted(
                p.name
                for p in signature.parameters.values()
                if p.name != "self" and p.kind != p.VAR_KEYWORD
            )

        def get_params(self, deep: bool = True) -> dict[str, Any]:
            """The estimator's parameters, by name."""
            return {name: getattr(self, name) for name in self._get_param_names()}

        def set_params(self, **params: Any) -> BaseEstimator:
            """Sets parameters by name; an unknown name is a ``ValueError``."""
            valid = self._get_param_names()
            for name, value in params.items():
                if name not in valid:
                    raise ValueError(
                        f"Invalid parameter {name!r} for estimator {self!r}. "
                        f"Valid parameters are: {valid!r}."
                    )
                setattr(self, name, value)
            return self

        def __repr__(self) -> str:
            defaults = {
                p.name: p.default
                for p in inspect.signature(type(self).__init__).parameters.values()
            }
            changed = [
                f"{name}={value!r}"
                for name, value in self.get_params().items()
                if defaults.get(name) is not value and defaults.get(name) != value
            ]
            return f"{type(self).__name__}({', '.join(changed)})"

    class TransformerMixin:  # type: ignore[no-redef]
        """Nothing to add without scikit-learn: the estimators define ``fit_transform``."""


def check_fitted(estimator: Any, attribute: str = "components_") -> None:
    """Raises ``NotFittedError`` unless ``estimator`` was fitted."""
    if not hasattr(estimator, attribute):
        raise NotFittedError(
            f"This {type(estimator).__name__} instance is not fitted yet. Call 'fit' with "
            "appropriate arguments before using this estimator."
        )


__all__ = ["BaseEstimator", "HAVE_SKLEARN", "NotFittedError", "TransformerMixin", "check_fitted"]
