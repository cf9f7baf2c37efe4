"""Sequential: modules one after another, the fast path equal to them, replacements followed."""

import numpy as np
import pytest

from gradstep import Tensor, losses, nn


@pytest.mark.parametrize("activation", [nn.ReLU, nn.Sigmoid, nn.Tanh])
def test_sequential_fused_layers_match_the_modules_one_by_one(activation):
    x = Tensor(np.random.default_rng(0).normal(size=(6, 5)), dtype=np.float64)
    first, second = nn.Linear(5, 4, dtype=np.float64, rng=np.random.default_rng(1)), nn.Linear(4, 1, dtype=np.float64)
    model = nn.Sequential(first, activation(), second)
    losses.mse(model(x), np.zeros((6, 1))).backward()
    fused = [p.grad for p in model.parameters()]
    model.zero_grad()
    out = second(activation()(first(x)))
    losses.mse(out, np.zeros((6, 1))).backward()
    np.testing.assert_array_equal(model(x).data, out.data)
    for grad, parameter in zip(fused, model.parameters()):
        np.testing.assert_array_equal(grad, parameter.grad)


def test_sequential_does_not_fuse_a_subclass_with_its_own_forward():
    class DoubledReLU(nn.ReLU):
        def forward(self, x):
            return x.relu() * 2.0

    model = nn.Sequential(nn.Linear(3, 2, rng=np.random.default_rng(0)), DoubledReLU())
    x = Tensor(np.ones((1, 3)))
    np.testing.assert_array_equal(model(x).data, 2 * model[0](x).relu().data)


def test_sequential_follows_a_replaced_layer_and_survives_copying():
    import copy

    model = nn.relu_network(3, 4, 2, seed=0)
    x = Tensor(np.random.default_rng(0).normal(size=(5, 3)))
    before = model(x).data
    np.testing.assert_array_equal(copy.deepcopy(model)(x).data, before)
    pair = nn.Sequential(nn.Linear(3, 2, rng=np.random.default_rng(0)), nn.ReLU())
    pair(x)
    setattr(pair, "1", nn.Tanh())
    np.testing.assert_array_equal(pair(x).data, pair[0](x).tanh().data)
