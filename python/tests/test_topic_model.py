"""TopicModel: the word and vocabulary settings, reproducibility, inputs, errors, pickling and
the GIL."""

from __future__ import annotations

import pickle
import sys
import threading
from typing import Any

import numpy as np
import pytest

from nmf_topics import NotFittedError, TopicModel, _core, proportions

# Ten documents whose words occur in a known number of them: alpha 1, beta 3, gamma 6 (twice
# in each), delta 10.
SMALL = [
    " ".join(
        ["delta"]
        + ["gamma gamma"] * (d < 6)
        + ["beta"] * (d < 3)
        + ["alpha"] * (d == 0)
        + [f"word{d % 5}"]
    )
    for d in range(10)
]


def vocabulary(**settings: Any) -> set[str]:
    model = TopicModel(n_components=1, **settings).fit(SMALL)
    return set(model.words_)


def test_min_df_and_max_df_follow_scikit_learns_int_and_float() -> None:
    everything = {"alpha", "beta", "gamma", "delta"} | {f"word{i}" for i in range(5)}
    assert vocabulary(min_df=1) == everything
    assert vocabulary(min_df=3) == {"beta", "gamma", "delta"}  # documents
    assert vocabulary(min_df=0.5) == {"gamma", "delta"}  # a proportion: 5 of 10
    assert vocabulary(min_df=3, max_df=6) == {"beta", "gamma"}
    assert vocabulary(min_df=3, max_df=0.9) == {"beta", "gamma"}
    assert vocabulary(min_df=np.int64(3), max_df=np.float32(0.9)) == {"beta", "gamma"}
    # 1 is one document, 1.0 all of them.
    assert vocabulary(min_df=1, max_df=1) == {"alpha"}
    assert vocabulary(min_df=1, max_df=1.0) == everything


def test_drop_top_and_max_features_count_from_the_most_frequent() -> None:
    assert vocabulary(min_df=3, max_features=1) == {"gamma"}  # 12 tokens, delta 10
    assert vocabulary(min_df=3, drop_top=1) == {"delta", "beta"}
    model = TopicModel(n_components=1, min_df=1).fit(SMALL)
    assert list(model.words_[:3]) == ["gamma", "delta", "beta"]


def test_stopwords_language_and_extra_stopwords() -> None:
    texts = ["the cat and the dog", "the cat sat on the mat", "les chats et les chiens"] * 2
    english = set(TopicModel(n_components=1).fit(texts).words_)
    assert "the" not in english and "cat" in english and "les" in english
    assert "the" in set(TopicModel(n_components=1, stopwords=False).fit(texts).words_)
    assert "les" not in set(TopicModel(n_components=1, language="french").fit(texts).words_)
    extra = TopicModel(n_components=1, extra_stopwords=["cat", "Dog"]).fit(texts)
    assert not {"cat", "dog"} & set(extra.words_)


def test_stemming_counts_stems_and_shows_the_commonest_word() -> None:
    texts = ["running runs running", "runs running fast", "fast fast runner"]
    model = TopicModel(n_components=1, stem=True, min_df=1).fit(texts)
    assert "running" in set(model.words_)
    assert "run" in set(model.terms_)
    counts = model.transform(["he runs"])
    assert counts.sum() == pytest.approx(1.0, rel=1e-5), "'runs' is counted as the stem 'run'"


def test_dotted_words_and_clitics() -> None:
    texts = ["node.js and KDE's desktop", "node.js with KDE's apps"]
    split = set(TopicModel(n_components=1, min_df=1).fit(texts).words_)
    assert {"node", "js", "kde"} <= split
    whole = TopicModel(n_components=1, min_df=1, keep_dotted=True, keep_clitics=True).fit(texts)
    assert {"node.js", "kde's"} <= set(whole.words_)


def test_min_chars_and_max_chars() -> None:
    texts = ["a bb ccc dddd", "a bb ccc dddd"]
    assert set(TopicModel(n_components=1, stopwords=False, min_chars=3, max_chars=3).fit(texts).words_) == {"ccc"}


def test_same_bits_for_any_threads_and_for_a_generator(texts: list[str]) -> None:
    sample = texts[:1500]
    one = TopicModel(n_components=8, n_jobs=1, random_state=5)
    counts_one = one.fit_transform(sample)
    two = TopicModel(n_components=8, n_jobs=2, random_state=5)
    counts_two = two.fit_transform(iter(sample))
    assert np.array_equal(one.components_, two.components_)
    assert np.array_equal(counts_one, counts_two)
    other = TopicModel(n_components=8, random_state=6).fit(sample)
    assert not np.array_equal(one.components_, other.components_)


def test_random_state_none_draws_from_numpy_and_keeps_the_seed(texts: list[str]) -> None:
    sample = texts[:800]
    np.random.seed(11)
    first = TopicModel(n_components=5, init="random", random_state=None).fit(sample)
    np.random.seed(11)
    again = TopicModel(n_components=5, init="random", random_state=None).fit(sample)
    assert first.seed_ == again.seed_
    replay = TopicModel(n_components=5, init="random", random_state=first.seed_).fit(sample)
    assert np.array_equal(first.components_, replay.components_)
    generator = TopicModel(n_components=5, random_state=np.random.default_rng(3)).fit(sample)
    assert generator.seed_ == int(np.random.default_rng(3).integers(np.iinfo(np.int32).max))


def test_fitted_counts_are_expected_word_counts(texts: list[str]) -> None:
    sample = texts[:1000]
    model = TopicModel(n_components=6)
    counts = model.fit_transform(sample)
    assert np.all(counts >= 0) and np.all(np.isfinite(counts))
    assert np.allclose(model.components_.sum(axis=1), 1, atol=1e-5)
    assert counts.sum() == pytest.approx(model.tokens_, rel=1e-4)
    shares = counts.sum(axis=0)
    assert np.all(shares[:-1] >= shares[1:]), "topics are numbered by decreasing share"
    assert model.n_iter_ <= model.max_iter and model.stop_reason_ in {"converged", "max_iter"}
    trace = [d for _, d in model.divergence_trace_]
    assert all(a >= b for a, b in zip(trace, trace[1:])), "the divergence never increases"


def test_tol_zero_runs_every_iteration(texts: list[str]) -> None:
    model = TopicModel(n_components=4, max_iter=15, tol=0).fit(texts[:300])
    assert model.n_iter_ == 15 and model.stop_reason_ == "max_iter"


def test_transform_of_nothing_and_of_unknown_words(texts: list[str]) -> None:
    model = TopicModel(n_components=3).fit(texts[:300])
    assert model.transform([]).shape == (0, 3)
    counts = model.transform(["", "qqqq zzzz", texts[0]])
    assert counts.shape == (3, 3) and not counts[:2].any() and counts[2].sum() > 0
    assert not proportions(counts)[:2].any()


def test_pickled_model_transforms_the_same(texts: list[str]) -> None:
    model = TopicModel(n_components=4, stem=True).fit(texts[:500])
    copy = pickle.loads(pickle.dumps(model))
    assert np.array_equal(copy.transform(texts[500:600]), model.transform(texts[500:600]))
    assert copy.get_params() == model.get_params()


def test_the_gil_is_released_while_fitting(texts: list[str], monkeypatch: Any) -> None:
    # With a switch interval longer than the fit, a thread that holds the GIL is never asked to
    # hand it over: the main thread, woken when the last document has been read, can then run
    # before the compiled fit has returned only if the fit released the GIL.
    read_all = threading.Event()
    returned = threading.Event()
    fit_texts = _core.fit_texts

    def fit_and_tell(*args: Any) -> Any:
        try:
            return fit_texts(*args)
        finally:
            returned.set()

    monkeypatch.setattr(_core, "fit_texts", fit_and_tell)

    def documents() -> Any:
        yield from texts
        read_all.set()

    interval = sys.getswitchinterval()
    sys.setswitchinterval(100)
    try:
        worker = threading.Thread(target=lambda: TopicModel(n_components=20).fit(documents()))
        worker.start()
        assert read_all.wait(timeout=100)
        fitting_when_woken = not returned.is_set()
        worker.join()
    finally:
        sys.setswitchinterval(interval)
    assert returned.is_set()
    assert fitting_when_woken


def test_errors_name_the_parameter() -> None:
    texts = ["cats and dogs", "dogs and cats"] * 3
    cases = [
        (TopicModel(max_iter=0), ValueError, "max_iter 0: give at least 1 iteration"),
        (TopicModel(tol=-1), ValueError, "tol -1: the tolerance must be a number ≥ 0"),
        (TopicModel(n_components=5), ValueError, "n_components 5: the number of topics must be between 1 and"),
        (TopicModel(language="klingon"), ValueError, "unknown language 'klingon'; choose one of"),
        (TopicModel(init="nndsvd"), ValueError, "unknown start 'nndsvd'; choose nndsvda or random"),
        (TopicModel(min_df=1.5), ValueError, "min_df 1.5: '1.5' is not a proportion between 0.0 and 1.0"),
        (TopicModel(min_df=5, max_df=2), ValueError, "min_df 5 is above max_df 2"),
        (TopicModel(min_df=7), ValueError, "min_df 7 means at least 7 documents but max_df 1.0 at most 6"),
        (TopicModel(extra_stopwords=["cats", "dogs"]), ValueError, "none of the 6 documents holds a word: every token was a stopword"),
        (TopicModel(max_features=0), ValueError, "max_features 0 keeps no word"),
        (TopicModel(min_chars=5, max_chars=3), ValueError, "word lengths"),
        (TopicModel(n_jobs=0), ValueError, r"n_jobs 0: give 1 to \d+ threads"),
        (TopicModel(min_df=True), TypeError, "min_df must be an int"),
        (TopicModel(max_iter=2.5), TypeError, "max_iter must be an integer"),
        (TopicModel(stem="yes"), TypeError, "stem must be True or False"),
        (TopicModel(extra_stopwords="cats"), TypeError, "extra_stopwords must be a list of strings"),
        (TopicModel(random_state="seed"), TypeError, "random_state must be an int"),
        (TopicModel(random_state=-1), ValueError, "random_state must be an int in"),
    ]
    for model, error, message in cases:
        with pytest.raises(error, match=message.replace("(", r"\(")):
            model.fit(texts)


def test_inputs_that_are_not_texts() -> None:
    with pytest.raises(ValueError, match="Iterable over raw text documents expected"):
        TopicModel().fit("one long string")
    with pytest.raises(TypeError, match="document 1 is int, not str"):
        TopicModel().fit(["text", 3, "more"])
    with pytest.raises(ValueError, match="the input holds no document"):
        TopicModel().fit([])
    with pytest.raises(NotFittedError, match="not fitted yet"):
        TopicModel().transform(["text"])


def test_top_words_follow_the_weights() -> None:
    model = TopicModel(n_components=2, min_df=1).fit(SMALL)
    for topic, words in zip(model.components_, model.top_words(3)):
        assert len(words) <= 3
        weights = [w for _, w in words]
        assert weights == sorted(weights, reverse=True)
        assert weights[0] == topic.max()
