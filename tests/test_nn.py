"""Module bookkeeping, the chapter's builders, losses and optimizers on their own."""

import numpy as np
import pytest

import gradstep as gs
from gradstep import Tensor, losses, nn, optim


class TwoLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(3, 4, rng=np.random.default_rng(0))
        self.out = nn.Linear(4, 1, bias=False, rng=np.random.default_rng(1))
        self.scale = nn.Parameter(np.ones(1))
        self.note = "not a parameter"

    def forward(self, x):
        return self.out(self.hidden(x).relu()) * self.scale


def test_registration_names_and_order():
    model = TwoLayer()
    assert [name for name, _ in model.named_parameters()] == ["scale", "hidden.weight", "hidden.bias", "out.weight"]
    assert len(list(model.parameters())) == 4
    model.hidden = nn.Identity()
    assert [name for name, _ in model.named_parameters()] == ["scale", "out.weight"]


def test_shared_parameter_listed_once():
    layer = nn.Linear(2, 2)
    assert len(list(nn.Sequential(layer, layer).parameters())) == 2


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


def test_load_state_dict_lists_every_problem():
    model = nn.relu_network(3, 4, 1, seed=0)
    state = model.state_dict()
    state.pop("0.bias")
    state["9.weight"] = np.zeros(2)
    state["2.weight"] = np.zeros((4, 1))
    with pytest.raises(ValueError) as error:
        model.load_state_dict(state)
    message = str(error.value)
    assert "missing keys: 0.bias" in message and "unexpected keys: 9.weight" in message
    assert "2.weight expected (1, 4), got (4, 1)" in message
    state["2.weight"] = np.ones((1, 4))
    missing, unexpected = model.load_state_dict(state, strict=False)
    assert missing == ["0.bias"] and unexpected == ["9.weight"]
    assert np.all(model[2].weight.data == 1) and model[2].weight.dtype == np.float32


def test_state_dict_is_a_copy():
    model = nn.linear_model(2, seed=0)
    state = model.state_dict()
    state["0.weight"][:] = 100
    assert np.all(model[0].weight.data != 100)


def test_train_eval_reaches_submodules():
    model = nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.5), nn.Sequential(nn.Dropout(0.1)))
    model.eval()
    assert not any(m.training for _, m in model.named_modules())
    model.train()
    assert all(m.training for _, m in model.named_modules())


def test_zero_grad_and_optimizer_zero_grad():
    model = nn.linear_model(2, seed=0)
    losses.mse(model(Tensor(np.ones((3, 2)))), np.zeros((3, 1))).backward()
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def test_linear_layer_rejects_wrong_input_width():
    with pytest.raises(ValueError, match=r"weight of shape \(1, 7\).*input of shape \(3, 5\)"):
        nn.linear_model(7)(Tensor(np.ones((3, 5))))


# ----- losses and optimizers together (their unit tests: test_losses.py, test_optim.py) -------

def test_float32_training_never_creates_float64_arrays(monkeypatch):
    import gradstep.tensor as engine
    created = []
    real_op = engine.op

    def watching(data, parents, backward):
        def checked_backward(g):
            grads = backward(g)
            created.extend(x.dtype for x in grads if x is not None)
            return grads
        created.append(np.asarray(data).dtype)
        return real_op(data, parents, checked_backward)
    for module in (engine, nn.functional, losses):
        monkeypatch.setattr(module, "op", watching)
    for model in (nn.linear_model(8, seed=0), nn.sigmoid_network(8, 5, seed=0), nn.relu_network(8, 5, 2, seed=0)):
        x = Tensor(np.random.default_rng(0).normal(size=(16, 8)))
        for optimizer in (optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=0.01),
                          optim.Adam(model.parameters(), lr=0.1)):
            for loss in (losses.mae, losses.mse, losses.huber):
                optimizer.zero_grad()
                (loss(model(x), np.zeros((16, 1))) + optim.l1_penalty(model.parameters(), 0.01)).backward()
                optimizer.step()
        assert all(p.dtype == np.float32 and p.grad.dtype == np.float32 for p in model.parameters())
        assert all(v.dtype == np.float32 for s in optimizer.state.values() for v in s.values() if isinstance(v, np.ndarray))
    assert created and set(created) == {np.dtype(np.float32)}


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


def test_relu_network_with_dropout_places_it_after_each_relu():
    model = nn.relu_network(5, 4, layers=2, dropout=0.3, seed=0)
    assert [type(m).__name__ for m in model] == ["Linear", "ReLU", "Dropout"] * 2 + ["Linear"]
    assert list(model.state_dict()) == ["0.weight", "0.bias", "3.weight", "3.bias", "6.weight", "6.bias"]


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
