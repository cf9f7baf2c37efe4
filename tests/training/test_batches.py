import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gradstep.training import iterate_batches, resolve_batch_size, updates_per_epoch
from gradstep.errors import InputError


@pytest.mark.parametrize(("batch_size", "size"), [(None, 100), ("full", 100), (0, 100), ("0", 100), (1, 1),
                                                  (32, 32), ("32", 32), (100, 100), (500, 100)])
def test_resolve_batch_size(batch_size, size):
    assert resolve_batch_size(batch_size, 100) == size


@pytest.mark.parametrize("batch_size", [-1, "-3", "abc", 2.5, True])
def test_bad_batch_sizes_are_refused(batch_size):
    with pytest.raises(InputError, match="batch_size must be a whole number of at least 1"):
        resolve_batch_size(batch_size, 100)


@pytest.mark.parametrize(("batch_size", "updates"), [(None, 1), (100, 1), (1, 100), (32, 4)])
def test_updates_per_epoch_is_ceil_n_over_b(batch_size, updates):
    assert updates_per_epoch(100, batch_size) == updates


def test_epoch_sizes_and_every_index_once():
    batches = list(iterate_batches(100, 32, np.random.default_rng(0)))
    assert [len(batch) for batch in batches] == [32, 32, 32, 4]
    assert sorted(np.concatenate(batches).tolist()) == list(range(100))


def test_reshuffled_between_epochs_and_deterministic_for_a_seed():
    rng = np.random.default_rng(7)
    first, second = (np.concatenate(list(iterate_batches(50, 8, rng))) for _ in range(2))
    assert not np.array_equal(first, second)
    again = np.random.default_rng(7)
    assert np.array_equal(np.concatenate(list(iterate_batches(50, 8, again))), first)
    assert np.array_equal(np.concatenate(list(iterate_batches(50, 8, again))), second)


def test_no_shuffle_keeps_order():
    batches = list(iterate_batches(5, 2, np.random.default_rng(0), shuffle=False))
    assert [batch.tolist() for batch in batches] == [[0, 1], [2, 3], [4]]


@settings(max_examples=50, deadline=None)
@given(n=st.integers(1, 300), batch_size=st.integers(1, 400), seed=st.integers(0, 2**32 - 1))
def test_any_epoch_covers_each_index_once_in_ceil_n_over_b_batches(n, batch_size, seed):
    batches = list(iterate_batches(n, batch_size, np.random.default_rng(seed)))
    assert len(batches) == updates_per_epoch(n, batch_size) == -(-n // min(batch_size, n))
    assert sorted(np.concatenate(batches).tolist()) == list(range(n))
    assert all(len(batch) == min(batch_size, n) for batch in batches[:-1])


@pytest.mark.parametrize("n", [0, -1])
def test_no_training_examples_is_refused_with_what_to_do(n):
    for batch_size in (None, 32, "full"):
        with pytest.raises(InputError) as raised:
            resolve_batch_size(batch_size, n)
        assert str(raised.value) == ("there are no training examples to make batches from; "
                                     "use a longer training range")


def test_the_last_batch_holds_the_rest_in_order_without_shuffle():
    batches = list(iterate_batches(7, 3, np.random.default_rng(0), shuffle=False))
    assert [batch.tolist() for batch in batches] == [[0, 1, 2], [3, 4, 5], [6]]
    shuffled = list(iterate_batches(7, 3, np.random.default_rng(0)))
    assert [len(batch) for batch in shuffled] == [3, 3, 1]
    assert np.concatenate(shuffled).tolist() == np.random.default_rng(0).permutation(7).tolist()
