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


def test_named_modules_are_dotted_paths_from_the_root():
    model = nn.Sequential(nn.Linear(2, 3), nn.Sequential(nn.ReLU(), nn.Sequential(nn.Tanh())))
    assert [name for name, _ in model.named_modules()] == ["", "0", "1", "1.0", "1.1", "1.1.0"]
    assert [name for name, _ in model.named_modules("net")] == ["net", "net.0", "net.1", "net.1.0", "net.1.1",
                                                                "net.1.1.0"]
    assert list(model.children()) == [model[0], model[1]]
    assert list(nn.ReLU().children()) == []


def test_named_parameters_with_a_prefix_as_torch(torch):
    model = nn.Sequential(nn.Linear(2, 3), nn.Sequential(nn.Linear(3, 1)))
    reference = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Sequential(torch.nn.Linear(3, 1)))
    for prefix in ("", "net"):
        assert ([name for name, _ in model.named_parameters(prefix)]
                == [name for name, _ in reference.named_parameters(prefix=prefix)])
    assert [name for name, _ in model.named_parameters("net")] == ["net.0.weight", "net.0.bias", "net.1.0.weight",
                                                                   "net.1.0.bias"]


def test_deleting_an_attribute_unregisters_it():
    model = TwoLayer()
    del model.scale
    assert [name for name, _ in model.named_parameters()] == ["hidden.weight", "hidden.bias", "out.weight"]
    del model.hidden
    assert [name for name, _ in model.named_parameters()] == ["out.weight"]
    assert [name for name, _ in model.named_modules()] == ["", "out"]
    del model.note  # neither a parameter nor a module
    assert not hasattr(model, "note")
    with pytest.raises(AttributeError):
        del model.never_set


def test_a_module_without_forward_says_so():
    class Blank(nn.Module):
        """A module that forgot to define forward."""

    with pytest.raises(NotImplementedError, match=r"^Blank must define forward\(\)$"):
        Blank()(Tensor(np.ones(2)))


def test_calling_a_module_passes_keyword_arguments_to_forward():
    class Scaled(nn.Module):
        def forward(self, x, scale=1.0):
            return x * scale

    assert Scaled()(Tensor([2.0]), scale=3.0).item() == 6.0
    assert Scaled()(Tensor([2.0])).item() == 2.0


def test_train_and_eval_set_the_flag_to_the_booleans_and_return_the_module():
    model = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.Dropout(0.1)))
    assert model.eval() is model
    assert all(m.training is False for _, m in model.named_modules())
    assert model.train() is model
    assert all(m.training is True for _, m in model.named_modules())


def test_load_state_dict_is_strict_by_default_about_each_problem_alone():
    model = nn.relu_network(3, 4, 1, seed=0)
    missing_only = model.state_dict()
    missing_only.pop("2.bias")
    with pytest.raises(ValueError, match=r"^cannot load state_dict into Sequential: missing keys: 2\.bias$"):
        model.load_state_dict(missing_only)
    unexpected_only = model.state_dict()
    unexpected_only["extra"] = np.zeros(1)
    with pytest.raises(ValueError, match=r"^cannot load state_dict into Sequential: unexpected keys: extra$"):
        model.load_state_dict(unexpected_only)
    assert model.load_state_dict(missing_only, strict=False) == (["2.bias"], [])
    assert model.load_state_dict(unexpected_only, strict=False) == ([], ["extra"])
    wrong_only = model.state_dict()
    wrong_only["0.bias"] = np.zeros(5)
    for strict in (True, False):  # a wrong shape is an error even when not strict
        with pytest.raises(ValueError, match=r"^cannot load state_dict into Sequential: "
                                             r"wrong shapes: 0\.bias expected \(4,\), got \(5,\)$"):
            model.load_state_dict(wrong_only, strict=strict)


def test_load_state_dict_message_lists_every_problem_exactly():
    model = TwoLayer()
    state = model.state_dict()
    for key in ("scale", "hidden.bias"):
        state.pop(key)
    state["a"], state["b"] = np.zeros(1), np.zeros(1)
    state["hidden.weight"], state["out.weight"] = np.zeros((3, 4)), np.zeros(4)
    with pytest.raises(ValueError) as error:
        model.load_state_dict(state)
    assert str(error.value) == (
        "cannot load state_dict into TwoLayer: missing keys: scale, hidden.bias; unexpected keys: a, b; "
        "wrong shapes: hidden.weight expected (4, 3), got (3, 4); out.weight expected (1, 4), got (4,)")


def test_load_state_dict_takes_tensors_lists_and_arrays():
    model = nn.linear_model(2, dtype=np.float64, seed=0)
    missing, unexpected = model.load_state_dict({"0.weight": Tensor([[1.5, -2.0]]), "0.bias": [0.25]})
    assert missing == [] and unexpected == []
    np.testing.assert_array_equal(model[0].weight.data, [[1.5, -2.0]])
    np.testing.assert_array_equal(model[0].bias.data, [0.25])
    other = nn.linear_model(2, dtype=np.float64, seed=1)
    other.load_state_dict({"0.weight": model[0].weight, "0.bias": np.array([3.0])})
    np.testing.assert_array_equal(other[0].weight.data, [[1.5, -2.0]])
    np.testing.assert_array_equal(other[0].bias.data, [3.0])


def test_repr_nests_as_torch(torch):
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Sequential(nn.Tanh(), nn.Sequential(nn.Sigmoid())))
    reference = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU(),
                                    torch.nn.Sequential(torch.nn.Tanh(), torch.nn.Sequential(torch.nn.Sigmoid())))
    assert repr(model) == repr(reference) == (
        "Sequential(\n"
        "  (0): Linear(in_features=2, out_features=3, bias=True)\n"
        "  (1): ReLU()\n"
        "  (2): Sequential(\n"
        "    (0): Tanh()\n"
        "    (1): Sequential(\n"
        "      (0): Sigmoid()\n"
        "    )\n"
        "  )\n"
        ")")
    assert repr(nn.Linear(4, 1, bias=False)) == "Linear(in_features=4, out_features=1, bias=False)"
    assert repr(nn.Identity()) == "Identity()"
    assert repr(nn.Dropout(0.25)) == "Dropout(p=0.25)"
    assert nn.Module().extra_repr() == ""


def test_parameter_repr_as_torch():
    assert repr(nn.Parameter([1.0, 2.0])) == "Parameter containing:\nTensor([1., 2.], dtype=float32, requires_grad=True)"


def test_sequentials_old_home_still_gives_it_and_nothing_else():
    import gradstep.nn.module as module
    from gradstep.nn.container import Sequential
    assert module.Sequential is Sequential
    with pytest.raises(AttributeError, match="^module 'gradstep.nn.module' has no attribute 'Sequentia'$"):
        module.Sequentia  # noqa: B018
