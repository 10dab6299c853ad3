"""The compiled part of nmf_topics: thin paths through the nmf-topics library. Arrays travel
as native-endian bytes (row-major float32 factors; CSR arrays of a documents × words matrix:
int64 offsets, int32 word indices, float32 counts). Not a public interface: use the
estimators."""

from collections.abc import Iterable
from typing import Any, TypedDict

class Words(TypedDict):
    language: str
    stopwords: bool
    extra_stopwords: list[str]
    stem: bool
    keep_clitics: bool
    keep_dotted: bool
    min_chars: int
    max_chars: int

class Vocabulary(TypedDict):
    min_df: str
    max_df: str
    drop_top: int
    max_features: int | None

class Solver(TypedDict):
    n_components: int
    init: str
    max_iter: int
    tol: float
    seed: int
    threads: int
    portable: bool
    extrapolate: bool
    solver: str
    loss: str

def fit_texts(
    texts: Iterable[str], words: Words, vocabulary: Vocabulary, solver: Solver
) -> dict[str, Any]:
    """Counts and fits texts; a dict with `components` (k × n_words), `doc_topics`
    (n_documents × k), `n_components`, `n_words`, `n_documents`, `iterations`, `stop`,
    `divergence`, `trace`, `terms`, `words` and `tokens`."""

def transform_texts(
    texts: Iterable[str],
    words: Words,
    terms: list[str],
    vocabulary_words: list[str],
    components: bytes,
    solver: Solver,
) -> tuple[bytearray, int]:
    """Topic counts (n_documents × k) of new texts, and the number of documents."""

def fit_counts(
    shape: tuple[int, int], indptr: bytes, indices: bytes, data: bytes, solver: Solver
) -> dict[str, Any]:
    """Fits a documents × words count matrix; the dict of `fit_texts` without `terms`, `words`
    and `tokens`."""

def transform_counts(
    shape: tuple[int, int],
    indptr: bytes,
    indices: bytes,
    data: bytes,
    components: bytes,
    solver: Solver,
) -> bytearray:
    """Topic counts (n_documents × k) of a documents × words count matrix."""

def proportions(counts: bytes, k: int) -> bytearray:
    """Rows of topic counts divided by their sums (zero rows stay zero)."""

def fit_counts_minibatch(
    shape: tuple[int, int],
    indptr: bytes,
    indices: bytes,
    data: bytes,
    solver: Solver,
    batch_size: int,
    forget: float,
) -> dict[str, Any]:
    """Fits a documents × words count matrix by mini-batches; the dict of `fit_counts` with the
    statistics `a` (n_words × k) and `b` as float64 bytes."""

def partial_fit_counts(
    shape: tuple[int, int],
    indptr: bytes,
    indices: bytes,
    data: bytes,
    solver: Solver,
    forget: float,
    components: bytes | None = None,
    a: bytes | None = None,
    b: bytes | None = None,
) -> dict[str, Any]:
    """Folds a documents × words count matrix in as one batch, starting a fit on it when no
    topics are given; a dict with `components`, `a`, `b`, `divergence`, `documents` and
    `tokens`."""
