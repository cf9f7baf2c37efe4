"""The chapter's builders: linear_model, sigmoid_network, relu_network."""

import numpy as np
import pytest

import gradstep as gs
from gradstep import Tensor, nn


def test_builders_match_the_chapter_formulas():
    x = np.random.default_rng(0).normal(size=(5, 7))
    model = nn.sigmoid_network(7, 3, dtype=np.float64, seed=0)
    w, b, c, b0 = model[0].weight.data, model[0].bias.data, model[2].weight.data[0], model[2].bias.data[0]
    expected = b0 + (1 / (1 + np.exp(-(x @ w.T + b)))) @ c
    np.testing.assert_allclose(model(Tensor(x, dtype=np.float64)).data[:, 0], expected, rtol=1e-12)
    linear = nn.linear_model(7, dtype=np.float64, seed=0)
    np.testing.assert_allclose(linear(Tensor(x, dtype=np.float64)).data[:, 0],
                               linear[0].bias.data[0] + x @ linear[0].weight.data[0], rtol=1e-12)
    deep = nn.relu_network(7, 6, layers=4, seed=0)
    assert [type(m).__name__ for m in deep] == ["Linear", "ReLU"] * 4 + ["Linear"]
    assert deep[-1].weight.shape == (1, 6)
    with pytest.raises(ValueError, match="at least 1 layer"):
        nn.relu_network(7, 6, layers=0)


def test_same_seed_same_weights_and_different_seed_differs():
    a, b, c = (nn.relu_network(5, 4, 2, seed=s).state_dict() for s in (3, 3, 4))
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert not np.array_equal(a["0.weight"], c["0.weight"])
    gs.manual_seed(11)
    first = nn.Linear(3, 3).weight.data.copy()
    gs.manual_seed(11)
    assert np.array_equal(first, nn.Linear(3, 3).weight.data)


def test_relu_network_with_dropout_places_it_after_each_relu():
    model = nn.relu_network(5, 4, layers=2, dropout=0.3, seed=0)
    assert [type(m).__name__ for m in model] == ["Linear", "ReLU", "Dropout"] * 2 + ["Linear"]
    assert list(model.state_dict()) == ["0.weight", "0.bias", "3.weight", "3.bias", "6.weight", "6.bias"]


def test_relu_network_has_one_hidden_layer_by_default():
    assert [type(m).__name__ for m in nn.relu_network(3, 4, seed=0)] == ["Linear", "ReLU", "Linear"]


@pytest.mark.parametrize("build", [
    lambda **kw: nn.linear_model(3, dtype=np.float64, **kw),
    lambda **kw: nn.sigmoid_network(3, 4, dtype=np.float64, **kw),
    lambda **kw: nn.relu_network(3, 4, 2, dtype=np.float64, **kw),
])
def test_builders_draw_every_layer_from_the_given_generator_in_order(build):
    model = build(rng=np.random.default_rng(5))
    draws = np.random.default_rng(5)
    for layer in (m for m in model if isinstance(m, nn.Linear)):
        bound = 1 / np.sqrt(layer.in_features)
        np.testing.assert_array_equal(layer.weight.data, draws.uniform(-bound, bound, layer.weight.shape))
        np.testing.assert_array_equal(layer.bias.data, draws.uniform(-bound, bound, layer.bias.shape))
    with_seed = build(seed=1, rng=np.random.default_rng(5)).state_dict()  # a generator wins over a seed
    assert all(np.array_equal(value, model.state_dict()[key]) for key, value in with_seed.items())
    seeded = build(seed=5).state_dict()  # a seed is a generator of its own: the same draws
    assert all(np.array_equal(value, model.state_dict()[key]) for key, value in seeded.items())
