"""Without scikit-learn the estimators keep its parameter interface: run in a fresh interpreter
where importing sklearn fails."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path


def test_estimators_work_without_scikit_learn(tmp_path: Path) -> None:
    script = textwrap.dedent(
        """
        import sys
        sys.modules["sklearn"] = None  # import sklearn now raises ImportError
        import numpy as np
        import nmf_topics
        from nmf_topics import NMF, NotFittedError, TopicModel
        from nmf_topics._base import HAVE_SKLEARN

        assert not HAVE_SKLEARN
        model = TopicModel(n_components=2, min_df=1, stem=True)
        assert model.get_params()["stem"] is True and len(model.get_params()) == 22
        assert repr(model) == "TopicModel(min_df=1, n_components=2, stem=True)"
        assert model.set_params(n_components=3) is model and model.n_components == 3
        try:
            model.set_params(topics=3)
        except ValueError as error:
            assert "Invalid parameter 'topics'" in str(error)
        else:
            raise AssertionError("an unknown parameter was accepted")
        try:
            model.transform(["text"])
        except NotFittedError as error:
            assert isinstance(error, ValueError) and "not fitted yet" in str(error)
        texts = ["cats purr and cats sleep", "dogs bark and dogs run", "cats and dogs"] * 3
        counts = model.set_params(n_components=2).fit_transform(texts)
        assert counts.shape == (9, 2)
        X = np.array([[3, 0, 1], [0, 2, 2], [4, 1, 0]])
        assert NMF(n_components=2).fit(X).components_.shape == (2, 3)
        print("ok")
        """
    )
    # From an empty folder, so that the installed package is imported.
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
