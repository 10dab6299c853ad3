"""The estimators give the command line's bits: the same texts (or the same matrix) and seed,
the same factors, figures and document weights as ``nmf-topics fit`` and ``transform``."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from support import CORPUS, read_safetensors, run
from nmf_topics import NMF, TopicModel, proportions


@pytest.fixture(scope="module")
def fitted(texts: list[str]) -> tuple[TopicModel, np.ndarray]:
    """The shipped corpus fitted with the defaults, which are the command line's."""
    model = TopicModel()
    return model, model.fit_transform(texts)


def test_topic_model_factors_are_the_cli_bits(fitted: Any, cli_fit: dict[str, Any]) -> None:
    model, counts = fitted
    W, H = cli_fit["W"], cli_fit["H"]  # (n_words, k) and (k, n_documents), as Lee & Seung
    assert model.components_.shape == (20, 8872) and counts.shape == (5000, 20)
    assert model.components_.dtype == np.float32 and counts.dtype == np.float32
    assert np.array_equal(model.components_, W.T)
    assert np.array_equal(counts, H.T)


def test_topic_model_vocabulary_and_figures_are_the_cli_ones(
    fitted: Any, cli_fit: dict[str, Any]
) -> None:
    model, _ = fitted
    vocabulary = cli_fit["model"]["vocabulary"]
    assert list(model.words_) == vocabulary["words"]
    assert list(model.terms_) == vocabulary["terms"]
    fit = cli_fit["report"]["fit"]
    assert model.n_iter_ == fit["iterations"]
    assert model.divergence_ == fit["divergence"]  # the JSON writes the shortest exact text
    assert model.reconstruction_err_ == pytest.approx(np.sqrt(2 * fit["divergence"]), rel=1e-15)
    assert model.stop_reason_ == fit["stop"] == "converged"
    assert model.divergence_trace_ == [(p["iteration"], p["divergence"]) for p in fit["divergence_trace"]]
    assert model.tokens_ == cli_fit["report"]["corpus"]["tokens"]


def test_top_words_are_the_cli_report_ones(fitted: Any, cli_fit: dict[str, Any]) -> None:
    model, _ = fitted
    for ours, theirs in zip(model.top_words(10), cli_fit["report"]["topics"]):
        assert [w for w, _ in ours] == [w["word"] for w in theirs["words"]]
        # The report writes 6 significant digits.
        assert [float(f"{x:.6g}") for _, x in ours] == [w["weight"] for w in theirs["words"]]


def test_proportions_are_the_cli_doc_topics(fitted: Any, cli_fit: dict[str, Any]) -> None:
    _, counts = fitted
    rows = list(csv.reader(cli_fit["doc_topics"]))
    assert rows[0] == ["id", *(f"topic_{k}" for k in range(1, 21))]
    weights = proportions(counts)
    assert [[f"{x:.6f}" for x in row] for row in weights] == [row[1:] for row in rows[1:]]


def test_feature_names_are_the_cli_csv_columns(fitted: Any, cli_fit: dict[str, Any]) -> None:
    model, _ = fitted
    header = next(csv.reader(cli_fit["doc_topics"]))
    assert list(model.get_feature_names_out()) == header[1:]


def test_nmf_of_the_exported_matrix_gives_the_cli_bits(cli_fit: dict[str, Any]) -> None:
    scipy_io = pytest.importorskip("scipy.io")
    V = scipy_io.mmread(cli_fit["matrix"])  # words × documents
    X = V.T.tocsr()
    model = NMF(n_components=20, random_state=0)
    counts = model.fit_transform(X)
    assert np.array_equal(model.components_, cli_fit["W"].T)
    assert np.array_equal(counts, cli_fit["H"].T)
    assert model.n_iter_ == cli_fit["report"]["fit"]["iterations"]
    assert model.divergence_ == cli_fit["report"]["fit"]["divergence"]


def test_nmf_with_coordinate_descent_gives_the_cli_bits(
    cli: Path, cli_fit: dict[str, Any], tmp_path: Path
) -> None:
    scipy_io = pytest.importorskip("scipy.io")
    run(cli, "fit", cli_fit["matrix"], "-k", 8, "--solver", "cd", "--quiet",
        "--model", tmp_path / "model", "--json", tmp_path / "report.json")
    tensors = read_safetensors(tmp_path / "model" / "model.safetensors")
    report = json.loads((tmp_path / "report.json").read_text())
    X = scipy_io.mmread(cli_fit["matrix"]).T.tocsr()
    model = NMF(n_components=8, solver="cd", random_state=0)
    counts = model.fit_transform(X)
    assert np.array_equal(model.components_, tensors["W"].T)
    assert np.array_equal(counts, tensors["H"].T)
    assert model.divergence_ == report["fit"]["divergence"]


def test_transform_of_new_texts_is_the_cli_transform(
    fitted: Any, cli: Path, cli_fit: dict[str, Any], tmp_path: Path
) -> None:
    model, _ = fitted
    new = [
        "A fast web server written in Rust, with TLS and HTTP/2.",
        "Python library for parsing JSON and YAML files",
        "Fonts for the Tamil script",
        "zzz qqq",  # no word the model knows
    ]
    inputs = tmp_path / "new.jsonl"
    inputs.write_text("".join(json.dumps({"id": str(i), "text": t}) + "\n" for i, t in enumerate(new)))
    out = run(cli, "transform", "--model", cli_fit["dir"] / "model", inputs, "--csv", "-", "--quiet")
    rows = list(csv.reader(io.StringIO(out)))
    weights = proportions(model.transform(new))
    assert [[f"{x:.6f}" for x in row] for row in weights] == [row[1:] for row in rows[1:]]
    assert not weights[3].any(), "a document without a known word has no topic"


def test_transform_gives_back_the_fitted_counts(fitted: Any, texts: list[str]) -> None:
    model, counts = fitted
    assert np.array_equal(model.transform(texts[:700]), counts[:700])


def test_corpus_is_the_shipped_one() -> None:
    assert CORPUS.is_file()
