"""gradstep against PyTorch CPU in float64: same weights, same outputs, gradients and optimizer paths."""

import numpy as np
import pytest

import gradstep as gs
from gradstep import Tensor, losses

DAYS = 56

BUILDERS = {
    "linear": lambda: gs.nn.linear_model(DAYS, dtype=np.float64, seed=1),
    "sigmoid": lambda: gs.nn.sigmoid_network(DAYS, 50, dtype=np.float64, seed=2),
    "relu3": lambda: gs.nn.relu_network(DAYS, 40, layers=3, dtype=np.float64, seed=3),
}


def torch_twin(torch, model):
    """The same architecture in torch.nn, with gradstep's weights loaded through its state_dict keys."""
    layers = []
    for layer in model:
        name = type(layer).__name__
        if name == "Linear":
            layers.append(torch.nn.Linear(layer.in_features, layer.out_features))
        else:
            layers.append({"ReLU": torch.nn.ReLU, "Sigmoid": torch.nn.Sigmoid, "Tanh": torch.nn.Tanh}[name]())
    twin = torch.nn.Sequential(*layers).double()
    twin.load_state_dict({k: torch.from_numpy(v) for k, v in model.state_dict().items()}, strict=True)
    return twin


def torch_loss(torch, name):
    return {"mae": torch.nn.L1Loss(), "mse": torch.nn.MSELoss(), "huber": torch.nn.HuberLoss(delta=1.0)}[name]


def batch(seed=0, n=64):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, DAYS)), rng.normal(size=(n, 1))


def relative(a, b):
    return np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-300)


@pytest.mark.parametrize("model_name", BUILDERS)
@pytest.mark.parametrize("loss_name", ["mae", "mse", "huber"])
def test_outputs_and_gradients_match_pytorch(torch, model_name, loss_name):
    model = BUILDERS[model_name]()
    twin = torch_twin(torch, model)
    x, y = batch()
    out = model(Tensor(x, dtype=np.float64))
    loss = losses.LOSSES[loss_name](out, y)
    loss.backward()
    t_out = twin(torch.from_numpy(x))
    t_loss = torch_loss(torch, loss_name)(t_out, torch.from_numpy(y))
    t_loss.backward()
    assert relative(out.data, t_out.detach().numpy()) < 1e-10
    assert abs(loss.item() - t_loss.item()) <= 1e-10 * abs(t_loss.item())
    t_grads = {name: p.grad.numpy() for name, p in twin.named_parameters()}
    for name, parameter in model.named_parameters():
        assert parameter.grad.shape == t_grads[name].shape
        assert relative(parameter.grad, t_grads[name]) < 1e-10, name


def test_state_dict_keys_and_shapes_match_pytorch(torch):
    for build in BUILDERS.values():
        model = build()
        twin = torch_twin(torch, model)
        assert list(model.state_dict()) == list(twin.state_dict())
        assert all(v.shape == tuple(twin.state_dict()[k].shape) for k, v in model.state_dict().items())
        fresh = torch.nn.Sequential(*[type(m)() if not isinstance(m, torch.nn.Linear)
                                      else torch.nn.Linear(m.in_features, m.out_features) for m in twin]).double()
        model.load_state_dict(fresh.state_dict())
        for name, parameter in model.named_parameters():
            np.testing.assert_array_equal(parameter.data, fresh.state_dict()[name].numpy())


def test_default_initialisation_has_pytorch_bounds(torch):
    model = gs.nn.Linear(400, 300, rng=np.random.default_rng(0))
    bound = 1 / np.sqrt(400)
    assert model.weight.dtype == np.float32
    assert np.abs(model.weight.data).max() <= bound and np.abs(model.weight.data).max() > 0.99 * bound
    torch_weight = torch.nn.Linear(400, 300).weight.detach().numpy()
    assert abs(model.weight.data.std() - torch_weight.std()) < 0.01 * torch_weight.std()


OPTIMIZERS = {
    "sgd_momentum": (lambda p: gs.optim.SGD(p, lr=0.01, momentum=0.9),
                     lambda torch, p: torch.optim.SGD(p, lr=0.01, momentum=0.9)),
    "sgd_nesterov_decay": (lambda p: gs.optim.SGD(p, lr=0.01, momentum=0.8, nesterov=True, weight_decay=0.01),
                           lambda torch, p: torch.optim.SGD(p, lr=0.01, momentum=0.8, nesterov=True, weight_decay=0.01)),
    "sgd_plain": (lambda p: gs.optim.SGD(p, lr=0.05), lambda torch, p: torch.optim.SGD(p, lr=0.05)),
    "adam": (lambda p: gs.optim.Adam(p, lr=0.003), lambda torch, p: torch.optim.Adam(p, lr=0.003)),
    "adam_l2": (lambda p: gs.optim.Adam(p, lr=0.003, weight_decay=0.1),
                lambda torch, p: torch.optim.Adam(p, lr=0.003, weight_decay=0.1)),
    "adamw": (lambda p: gs.optim.AdamW(p, lr=0.003), lambda torch, p: torch.optim.AdamW(p, lr=0.003)),
}


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_100_optimizer_steps_match_pytorch(torch, name):
    make, make_torch = OPTIMIZERS[name]
    model = BUILDERS["relu3"]()
    twin = torch_twin(torch, model)
    optimizer, t_optimizer = make(list(model.parameters())), make_torch(torch, twin.parameters())
    for step in range(100):
        x, y = batch(seed=step, n=16)
        optimizer.zero_grad()
        losses.mse(model(Tensor(x, dtype=np.float64)), y).backward()
        optimizer.step()
        t_optimizer.zero_grad()
        torch.nn.MSELoss()(twin(torch.from_numpy(x)), torch.from_numpy(y)).backward()
        t_optimizer.step()
    twin_state = twin.state_dict()
    for key, value in model.state_dict().items():
        np.testing.assert_allclose(value, twin_state[key].numpy(), rtol=0, atol=1e-8)
    moved = max(np.abs(v - twin_state[k].numpy()).max() for k, v in BUILDERS["relu3"]().state_dict().items())
    assert moved > 1e-3


def test_optimizer_state_dict_resumes_identically():
    def run(split):
        model = gs.nn.relu_network(4, 8, 2, dtype=np.float64, seed=0)
        optimizer = gs.optim.Adam(model.parameters(), lr=0.01)
        for step in range(20):
            if step == split:
                saved_model, saved_opt = model.state_dict(), optimizer.state_dict()
                model = gs.nn.relu_network(4, 8, 2, dtype=np.float64, seed=9)
                model.load_state_dict(saved_model)
                optimizer = gs.optim.Adam(model.parameters(), lr=0.5)
                optimizer.load_state_dict(saved_opt)
            x, y = batch(step, 8)
            optimizer.zero_grad()
            losses.mse(model(Tensor(x[:, :4], dtype=np.float64)), y).backward()
            optimizer.step()
        return model.state_dict()
    straight, resumed = run(-1), run(10)
    for key in straight:
        np.testing.assert_array_equal(straight[key], resumed[key])


def test_dropout_matches_expectation_and_is_off_in_eval():
    layer = gs.nn.Dropout(0.25, rng=np.random.default_rng(0))
    x = Tensor(np.ones((200, 200)))
    out = layer(x).data
    assert abs((out == 0).mean() - 0.25) < 0.01
    assert set(np.unique(out)) == {0.0, np.float32(1 / 0.75)}
    layer.eval()
    assert layer(x) is x
