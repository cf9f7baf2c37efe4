"""Module: registration, parameters, state_dict, train/eval and zero_grad, as PyTorch."""

import numpy as np
import pytest

from gradstep import Tensor, losses, nn


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
