"""nmf-topics in Python: readable topics from a pile of text, by Lee & Seung's non-negative
matrix factorisation with the Kullback-Leibler (I-)divergence, fast and reproducible.

Scikit-learn estimators over the nmf-topics library (compiled in ``nmf_topics._core``):

- :class:`TopicModel` fits texts: the library's analyzer counts them (stopwords, language,
  stemming, ``min_df``/``max_df``), as ``nmf-topics fit`` does, with the same bits for the same
  texts and seed;
- :class:`NMF` fits a count matrix, documents × words (a SciPy sparse matrix or a NumPy
  array), as scikit-learn's ``NMF(beta_loss='kullback-leibler', solver='mu')``, and
  :class:`MiniBatchNMF` by batches, with ``partial_fit`` for a stream, as its
  ``MiniBatchNMF``.

Both return NumPy ``float32`` arrays, the precision the solver computes in: documents' topic
counts from ``fit_transform`` and ``transform`` (:func:`proportions` turns them into weights
summing to 1) and the topics in ``components_``. scikit-learn is optional: when it is
installed the estimators are scikit-learn estimators (``clone``, ``Pipeline``).

>>> from nmf_topics import TopicModel
>>> model = TopicModel(n_components=2, min_df=1).fit(["cats purr", "dogs bark", "cats nap"] * 2)
>>> model.components_.shape
(2, 5)
"""

from ._base import NotFittedError
from ._fitted import proportions
from ._nmf import NMF, MiniBatchNMF
from ._topic_model import TopicModel

__all__ = ["NMF", "MiniBatchNMF", "NotFittedError", "TopicModel", "proportions"]
__version__ = "0.1.0"
