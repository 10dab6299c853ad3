"""``TopicModel``: topics of texts, as ``nmf-topics fit`` finds them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import numpy.typing as npt

from . import _core, _params
from ._base import HAVE_SKLEARN, BaseEstimator, TransformerMixin, check_fitted
from ._fitted import Fitted, as_float32


def _documents(raw_documents: Any) -> Iterable[str]:
    """The documents, refusing a lone string, as scikit-learn's vectorizers do."""
    if isinstance(raw_documents, (str, bytes)):
        raise ValueError("Iterable over raw text documents expected, string object received.")
    return raw_documents


class TopicModel(Fitted, TransformerMixin, BaseEstimator):
    """Topics of texts: the documents are cut into words by nmf-topics' analyzer, counted,
    pruned, and factored by Lee & Seung's KL updates, exactly as ``nmf-topics fit`` does, so the
    same texts and settings give the same bits as the command line. Like a scikit-learn
    ``Pipeline`` of ``CountVectorizer`` and ``NMF``, in one step and without the matrix.

    ``fit_transform(texts)`` returns each document's topic counts ``T`` ``(n_documents,
    n_components)``: ``T[d, k]`` is the expected number of document d's words that come from
    topic k, so that row d sums to the number of words counted in it, and ``proportions(T)`` is
    each document's topic weights (the command line's ``--doc-topics``). ``components_``
    ``(n_components, n_words)`` holds the topics, each row a distribution over the words
    ``words_`` that sums to 1. Topics are numbered by decreasing share of the corpus, from 0
    (the command line's topic ``#1`` is topic 0 here).

    The parameters are the command line's options with scikit-learn's names where it has the
    same setting (``n_components``, ``min_df``, ``max_df``, ``max_features``, ``max_iter``,
    ``tol``, ``random_state``); the defaults are the command line's.

    Parameters
    ----------
    n_components : int, default=20
        Number of topics (``--topics``).
    language : str, default='english'
        Stopword list and stemmer (``--lang``): arabic, danish, dutch, english, finnish,
        french, german, greek, hungarian, italian, norwegian, portuguese, romanian, russian,
        spanish, swedish, tamil or turkish.
    stopwords : bool, default=True
        Drop the language's stopwords (False is ``--no-stopwords``).
    extra_stopwords : iterable of str, default=()
        More stopwords (the words of ``--stopwords FILE``).
    stem : bool, default=False
        Count Snowball stems; ``words_`` shows each stem as its most frequent word (``--stem``).
    keep_clitics : bool, default=False
        Count words with an apostrophe clitic whole, "KDE's" rather than "kde"
        (``--keep-clitics``).
    keep_dotted : bool, default=False
        Count words joined at a full stop or colon whole, "node.js" rather than "node" and "js"
        (``--keep-dotted``).
    min_chars, max_chars : int, default=2, 40
        Word length limits, in characters (``--min-chars``, ``--max-chars``).
    min_df : int or float, default=2
        Keep words in at least this many documents (int) or this proportion of them (float),
        as scikit-learn's ``min_df`` (``--min-df``).
    max_df : int or float, default=1.0
        Keep words in at most this many documents (int) or this proportion (float).
    drop_top : int, default=0
        Then drop this many of the most frequent words (``--drop-top``).
    max_features : int or None, default=None
        Then keep this many of the most frequent words (``--max-words``).
    init : {'nndsvda', 'random'} or None, default='nndsvda'
        How the factors start (``--init``); None is 'nndsvda'.
    beta_loss : {'kullback-leibler', 'frobenius'}, default='kullback-leibler'
        What the fit minimises (``--loss``), in scikit-learn's names: 'kullback-leibler' (or
        1) is the I-divergence of the counts, 'frobenius' (or 2) their squared error.
    solver : {'mu', 'cd', 'pg'}, default='mu'
        How the factors are updated (``--solver``): multiplicative updates, coordinate
        descent, or (for 'frobenius') projected gradient.
    max_iter : int, default=1000
        Most iterations (``--max-iter``).
    tol : float, default=1e-4
        Stop when the divergence falls by less than this fraction over 10 iterations
        (``--tol``); 0 runs every iteration.
    random_state : int, RandomState, Generator or None, default=0
        The seed (``--seed``); None draws one from NumPy's global state. The seed used is kept
        in ``seed_``.
    n_jobs : int or None, default=None
        Threads for tokenising and fitting (``--threads``); None or -1 for all cores. The
        result does not depend on it.
    extrapolate : bool, default=False
        With ``solver='cd'``: push each factor on along its last move after every half step,
        further while the divergence falls, back to the plain step when it rises (Ang & Gillis
        2019; the command line's ``--extrapolate``): fewer iterations to the same divergence.
    portable : bool, default=False
        The portable kernel: the same bits on every machine, several times slower
        (``--portable``).

    Attributes
    ----------
    components_ : ndarray of shape (n_components, n_words), float32
        The topics: p(word | topic), each row summing to 1.
    words_ : ndarray of shape (n_words,), object
        The words, by column of ``components_``: the most frequent first.
    terms_ : ndarray of shape (n_words,), object
        The terms counted for them: the stems when ``stem``, else the words.
    n_components_ : int
        Number of topics.
    n_iter_, divergence_, reconstruction_err_, divergence_trace_, stop_reason_, seed_
        As in ``NMF``: iterations, the I-divergence at the end, scikit-learn's
        ``sqrt(2 * divergence_)``, the divergence every 10 iterations, why the iterations
        stopped, the seed used.
    tokens_ : float
        The number of words counted in the corpus after stopwords and pruning.

    Examples
    --------
    >>> from nmf_topics import TopicModel, proportions
    >>> texts = ["cats purr and cats sleep", "dogs bark and dogs run", "cats and dogs play"] * 3
    >>> model = TopicModel(n_components=2, min_df=1).fit(texts)
    >>> sorted(model.words_)
    ['bark', 'cats', 'dogs', 'play', 'purr', 'run', 'sleep']
    >>> proportions(model.transform(["a cat and a dog"])).shape
    (1, 2)
    """

    def __init__(
        self,
        n_components: int = 20,
        *,
        language: str = "english",
        stopwords: bool = True,
        extra_stopwords: Iterable[str] = (),
        stem: bool = False,
        keep_clitics: bool = False,
        keep_dotted: bool = False,
        min_chars: int = 2,
        max_chars: int = 40,
        min_df: float = 2,
        max_df: float = 1.0,
        drop_top: int = 0,
        max_features: int | None = None,
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
        self.language = language
        self.stopwords = stopwords
        self.extra_stopwords = extra_stopwords
        self.stem = stem
        self.keep_clitics = keep_clitics
        self.keep_dotted = keep_dotted
        self.min_chars = min_chars
        self.max_chars = max_chars
        self.min_df = min_df
        self.max_df = max_df
        self.drop_top = drop_top
        self.max_features = max_features
        self.init = init
        self.beta_loss = beta_loss
        self.solver = solver
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.portable = portable
        self.extrapolate = extrapolate

    def _words(self) -> dict[str, Any]:
        extra = self.extra_stopwords
        if isinstance(extra, str) or not all(isinstance(w, str) for w in extra):
            raise TypeError(f"extra_stopwords must be a list of strings, got {extra!r}")
        return {
            "language": _params.text("language", self.language),
            "stopwords": _params.flag("stopwords", self.stopwords),
            "extra_stopwords": list(extra),
            "stem": _params.flag("stem", self.stem),
            "keep_clitics": _params.flag("keep_clitics", self.keep_clitics),
            "keep_dotted": _params.flag("keep_dotted", self.keep_dotted),
            "min_chars": _params.integer("min_chars", self.min_chars),
            "max_chars": _params.integer("max_chars", self.max_chars),
        }

    def _vocabulary(self) -> dict[str, Any]:
        max_features = self.max_features
        return {
            "min_df": _params.doc_freq("min_df", self.min_df),
            "max_df": _params.doc_freq("max_df", self.max_df),
            "drop_top": _params.integer("drop_top", self.drop_top),
            "max_features": None
            if max_features is None
            else _params.integer("max_features", max_features),
        }

    def fit_transform(self, raw_documents: Iterable[str], y: Any = None) -> npt.NDArray[np.float32]:
        """Fits the topics of the texts (any iterable of ``str``, read once) and returns their
        topic counts ``(n_documents, n_components)``, float32. The GIL is released while
        tokenising and fitting."""
        documents = _documents(raw_documents)
        words, vocabulary = self._words(), self._vocabulary()
        solver = _params.solver(self)
        record = _core.fit_texts(documents, words, vocabulary, solver)
        self.words_ = np.asarray(record["words"], dtype=object)
        self.terms_ = np.asarray(record["terms"], dtype=object)
        self.tokens_ = record["tokens"]
        self._words_settings = words
        return self._keep(record, solver)

    def fit(self, raw_documents: Iterable[str], y: Any = None) -> TopicModel:
        """Fits the topics of the texts; returns the estimator."""
        self.fit_transform(raw_documents)
        return self

    def transform(self, raw_documents: Iterable[str]) -> npt.NDArray[np.float32]:
        """The topic counts ``(n_documents, n_components)``, float32, of new texts with the
        topics fixed, counted with the fitted settings over the fitted words (others are left
        out; a document with none gets zeros). The GIL is released meanwhile."""
        solver = self._transform_solver()
        out, n_documents = _core.transform_texts(
            _documents(raw_documents),
            self._words_settings,
            list(self.terms_),
            list(self.words_),
            self._topic_bytes(),
            solver,
        )
        return as_float32(out, n_documents, self.n_components_)

    def top_words(self, n: int = 10) -> list[list[tuple[str, float]]]:
        """Each topic's ``n`` words of largest weight, with their weights, as the command line
        lists them (ties go to the more frequent word; words of zero weight are left out)."""
        check_fitted(self)
        n = _params.integer("n", n)
        top = []
        for row in self.components_:
            order = np.argsort(-row, kind="stable")[:n]
            top.append([(str(self.words_[w]), float(row[w])) for w in order if row[w] > 0])
        return top

    def get_feature_names_out(self, input_features: Any = None) -> npt.NDArray[np.object_]:
        """Names of ``transform``'s columns: ``topic_1``, ``topic_2``…, the command line's
        column names (its topic numbers start at 1). The vocabulary is ``words_``."""
        check_fitted(self)
        return np.asarray([f"topic_{k + 1}" for k in range(self.n_components_)], dtype=object)

    if HAVE_SKLEARN:

        def __sklearn_tags__(self):  # type: ignore[no-untyped-def]
            tags = super().__sklearn_tags__()
            tags.input_tags.two_d_array = False
            tags.input_tags.string = True
            tags.transformer_tags.preserves_dtype = []
            return tags
