"""Each metric against a hand-computed example."""

import math

import numpy as np
import pytest

from recommender.engine.evaluation import average_precision_at_k, catalogue_coverage, ndcg_at_k, recall_at_k

# Items 0..3; items 0, 1, 3 are relevant; the model ranked 3, 1, 2.
RANKED = [3, 1, 2]
BINARY = [1, 1, 0, 1]


def test_ndcg_binary_gain():
    # DCG = 1/log2(2) + 1/log2(3) + 0/log2(4); IDCG = 1/log2(2) + 1/log2(3) + 1/log2(4)
    expected = (1 + 1 / math.log2(3)) / (1 + 1 / math.log2(3) + 0.5)
    assert ndcg_at_k(RANKED, BINARY, 3) == pytest.approx(expected)
    assert ndcg_at_k(RANKED, BINARY, 3) == pytest.approx(0.765361, abs=1e-6)


def test_ndcg_graded_gain_uses_linear_gain_and_ideal_order():
    # gains 1, 3, 0 at ranks 1..3 vs ideal 3, 2, 1
    expected = (1 + 3 / math.log2(3) + 0) / (3 + 2 / math.log2(3) + 1 / 2)
    assert ndcg_at_k([0, 1, 2], [1, 3, 0, 2], 3) == pytest.approx(expected)
    assert ndcg_at_k([1, 3, 0], [1, 3, 0, 2], 3) == pytest.approx(1.0)


def test_ndcg_is_nan_without_relevant_items_and_batches_rows():
    assert math.isnan(ndcg_at_k([0, 1], [0, 0, 0], 2))
    out = ndcg_at_k(np.array([[0, 1], [2, -1]]), np.array([[1, 0, 0], [0, 0, 1]]), 2)
    np.testing.assert_allclose(out, [1.0, 1.0])


def test_recall_is_capped_by_k():
    assert recall_at_k(RANKED, BINARY, 2) == pytest.approx(2 / 2)  # min(k=2, 3 relevant) = 2
    assert recall_at_k(RANKED, BINARY, 3) == pytest.approx(2 / 3)


def test_average_precision_divides_by_min_k_and_relevant():
    assert average_precision_at_k(RANKED, BINARY, 3) == pytest.approx((1 / 1 + 2 / 2) / 3)
    # ranked 2, 3, 0 with relevant {0, 3}: hits at ranks 2 and 3
    assert average_precision_at_k([2, 3, 0], [1, 0, 0, 1], 3) == pytest.approx((1 / 2 + 2 / 3) / 2)


def test_catalogue_coverage_counts_distinct_items_in_any_list():
    assert catalogue_coverage([[0, 1], [1, 2]], 5) == pytest.approx(3 / 5)
    assert catalogue_coverage([[0, -1]], 4) == pytest.approx(1 / 4)
