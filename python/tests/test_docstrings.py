"""The examples in the package's docstrings run and print what they show."""

from __future__ import annotations

import doctest

import pytest

import nmf_topics
from nmf_topics import _fitted, _nmf, _topic_model


@pytest.mark.parametrize("module", [nmf_topics, _fitted, _nmf, _topic_model])
def test_docstring_examples(module: object) -> None:
    failures, tried = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert tried > 0 and failures == 0
