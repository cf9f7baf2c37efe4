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


def test_the_plan_is_made_once_and_again_only_after_a_change(monkeypatch):
    from gradstep.nn import fused

    made = []
    plan = fused.plan
    monkeypatch.setattr(fused, "plan", lambda modules: made.append(len(modules)) or plan(modules))
    model = nn.relu_network(3, 4, 2, seed=0)
    x = Tensor(np.ones((2, 3)))
    first = model(x).data
    np.testing.assert_array_equal(model(x).data, first)
    model(x)
    assert made == [5]
    setattr(model, "1", nn.Identity())
    model(x)
    model(x)
    assert made == [5, 5]
    model[0].forward = model[0].forward
    model(x)
    model(x)
    assert made == [5, 5, 5]


def test_deleting_a_module_is_followed():
    model = nn.Sequential(nn.Linear(3, 3, rng=np.random.default_rng(0)), nn.Tanh(),
                          nn.Linear(3, 1, rng=np.random.default_rng(1)))
    x = Tensor(np.random.default_rng(2).normal(size=(4, 3)))
    model(x)  # a plan exists now
    delattr(model, "1")
    assert len(model) == 2
    np.testing.assert_array_equal(model(x).data, model[1](model[0](x)).data)


def test_indexing_length_and_iteration():
    layers = [nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 1)]
    model = nn.Sequential(*layers)
    assert len(model) == 3 and list(model) == layers
    assert model[0] is layers[0] and model[-1] is layers[2]
    assert [name for name, _ in model.named_modules()] == ["", "0", "1", "2"]
