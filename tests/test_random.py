"""Seeded random numbers: one seed, four independent streams; the default generator for everything else."""

import numpy as np
import pytest

import gradstep.random
from gradstep import nn
from gradstep.random import STREAMS, default_generator, manual_seed, streams


@pytest.fixture(autouse=True)
def keep_the_default_generator(monkeypatch):
    """manual_seed changes global state: put the default generator back after each test."""
    monkeypatch.setattr(gradstep.random, "_generator", gradstep.random._generator)


def draws(seed, n=8):
    return {name: rng.random(n) for name, rng in streams(seed).items()}


def test_streams_are_four_generators_by_name():
    rngs = streams(0)
    assert list(rngs) == ["init", "batches", "dropout", "noise"] == list(STREAMS)
    assert all(isinstance(rng, np.random.Generator) for rng in rngs.values())
    assert len({id(rng) for rng in rngs.values()}) == 4


def test_each_stream_draws_its_own_numbers():
    values = list(draws(0).values())
    for i in range(len(values)):
        for j in range(i + 1, len(values)):
            assert not np.isin(values[i], values[j]).any()
    # and none is simply the seed's plain generator (which the global default or a layer's seed= would also use)
    plain = np.random.default_rng(0).random(8)
    assert not any(np.array_equal(plain, v) for v in values)


def test_same_seed_same_draws_other_seed_other_draws():
    first, again, other = draws(3), draws(3), draws(4)
    for name in STREAMS:
        assert np.array_equal(first[name], again[name])
        assert not np.isin(first[name], other[name]).any()


def test_drawing_from_one_stream_leaves_the_others_alone():
    rngs = streams(5)
    rngs["dropout"].random(10_000)
    rngs["noise"].normal(size=777)
    fresh = draws(5)
    assert np.array_equal(rngs["init"].random(8), fresh["init"])
    assert np.array_equal(rngs["batches"].random(8), fresh["batches"])


def test_streams_ignore_the_global_default_generator():
    manual_seed(1)
    first = draws(0)
    manual_seed(2)
    default_generator().random(100)
    assert all(np.array_equal(first[name], value) for name, value in draws(0).items())


def test_manual_seed_makes_models_without_a_generator_reproducible():
    generator = manual_seed(11)
    assert default_generator() is generator
    first = nn.linear_model(5).state_dict()
    manual_seed(11)
    second = nn.linear_model(5).state_dict()
    manual_seed(12)
    third = nn.linear_model(5).state_dict()
    assert all(np.array_equal(first[key], second[key]) for key in first)
    assert not np.array_equal(first["0.weight"], third["0.weight"])
