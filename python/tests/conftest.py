"""Shared fixtures: the shipped corpus, and the command line's results on it.

The tests that compare with the command line run the built binary, ``target/release/nmf-topics``
(or ``$NMF_TOPICS_BIN``); without it they skip, unless the environment variable ``CI`` is set,
when they fail (CI builds the binary with ``cargo test --release`` before running them).
"""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path
from typing import Any

import pytest

from support import CORPUS, REPO, read_safetensors, run


@pytest.fixture(scope="session")
def records() -> list[dict[str, Any]]:
    """The shipped corpus's 5,000 Debian package descriptions, as JSON objects."""
    with gzip.open(CORPUS, "rt", encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


@pytest.fixture(scope="session")
def texts(records: list[dict[str, Any]]) -> list[str]:
    """Their texts, the field ``nmf-topics fit`` reads."""
    return [r["text"] for r in records]


@pytest.fixture(scope="session")
def cli() -> Path:
    """The command-line binary."""
    binary = Path(os.environ.get("NMF_TOPICS_BIN", REPO / "target" / "release" / "nmf-topics"))
    if not binary.is_file():
        message = f"{binary} is not built: run cargo build --release (or set NMF_TOPICS_BIN)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return binary


@pytest.fixture(scope="session")
def cli_fit(cli: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """``nmf-topics fit`` of the shipped corpus with its defaults: the saved model's factors, the
    JSON report, the ``--doc-topics`` CSV, and the exported count matrix's path."""
    out = tmp_path_factory.mktemp("cli")
    run(
        cli,
        "fit",
        CORPUS,
        "--quiet",
        "--model",
        out / "model",
        "--json",
        out / "report.json",
        "--doc-topics",
        out / "doc-topics.csv",
        "--export-matrix",
        out / "v.mtx",
    )
    tensors = read_safetensors(out / "model" / "model.safetensors")
    return {
        "dir": out,
        "W": tensors["W"],
        "H": tensors["H"],
        "model": json.loads((out / "model" / "model.json").read_text()),
        "report": json.loads((out / "report.json").read_text()),
        "doc_topics": (out / "doc-topics.csv").read_text().splitlines(),
        "matrix": out / "v.mtx",
    }
