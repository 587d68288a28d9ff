"""Splits partition each user's interactions: disjoint and complete."""

import numpy as np
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from recommender.engine.evaluation import cold_start_split, random_holdout, temporal_leave_last_k_out


def assert_partition(X, train, test):
    assert train.multiply(test).nnz == 0
    assert abs(train + test - X).max() == 0


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), density=st.floats(0.05, 0.9), fraction=st.floats(0.05, 0.95))
def test_random_holdout_partitions_every_user(seed, density, fraction):
    X = sp.random(20, 12, density=density, random_state=seed, format="csr")
    X.data += 0.5
    train, test = random_holdout(X, test_fraction=fraction, random_state=seed)
    assert_partition(X, train, test)
    n, n_train = np.diff(X.indptr), np.diff(train.indptr)
    assert (n_train[n >= 1] >= 1).all()  # everyone keeps history to be scored from
    assert (np.diff(test.indptr)[n >= 2] >= 1).all()  # everyone with two or more items is tested


def test_random_holdout_is_deterministic_per_seed():
    X = sp.random(30, 10, density=0.4, random_state=1, format="csr")
    a, b = random_holdout(X, random_state=3), random_holdout(X, random_state=3)
    assert (a[1] != b[1]).nnz == 0


def test_temporal_split_holds_out_the_latest_items():
    X = sp.csr_matrix(np.array([[1.0, 2.0, 4.0, 0.0], [1.0, 0.0, 0.0, 2.0]]))
    times = sp.csr_matrix(np.array([[10.0, 30.0, 20.0, 0.0], [5.0, 0.0, 0.0, 1.0]]))
    train, test = temporal_leave_last_k_out(X, times, k=2)
    assert_partition(X, train, test)
    assert set(test[0].indices) == {1, 2}  # times 30 and 20
    assert set(test[1].indices) == {0}  # keeps one item in train


def test_cold_start_split_holds_out_whole_users():
    X = sp.random(50, 8, density=0.3, random_state=2, format="csr")
    train, test, cold = cold_start_split(X, user_fraction=0.2, random_state=0)
    assert_partition(X, train, test)
    assert np.diff(train.indptr)[cold].sum() == 0
    assert set(np.flatnonzero(np.diff(test.indptr))) == set(cold)
