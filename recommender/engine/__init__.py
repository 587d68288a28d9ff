"""EleaSud's recommendation engine: a pure numpy / scipy / scikit-learn library, no Django.

Estimators (scikit-learn conventions: ``fit(X, *, user_features, item_features)`` → ``self``,
``score(X_rows, *, user_features)`` → dense ``(n_rows, n_items)`` scores):

* :class:`PopularityRecommender` (global or per sector) and :class:`RandomRecommender` — baselines;
* :class:`ContentRecommender` — merchant features × module features, serves cold starts;
* :class:`CollaborativeRecommender` — EASE item-item model, folds in fresh history at request time;
* :class:`HybridRecommender` — the blend served in production.

Around them: :mod:`.weights` (events → interaction matrix), :mod:`.features` (profiles and modules →
feature matrices), :mod:`.ranking` (business rules after scoring), :mod:`.explain` (French reasons),
:mod:`.evaluation` (splits, metrics, comparisons) and :mod:`.simulate` (a synthetic population).
"""

from .base import BaseRecommender, NotFittedError
from .collaborative import CollaborativeRecommender
from .content import ContentRecommender
from .hybrid import HybridRecommender
from .popularity import PopularityRecommender, RandomRecommender

__all__ = [
    "BaseRecommender",
    "NotFittedError",
    "PopularityRecommender",
    "RandomRecommender",
    "ContentRecommender",
    "CollaborativeRecommender",
    "HybridRecommender",
]
