"""Gradients where the rules have a choice (ties, bounds, kinks) follow PyTorch; dtypes are kept."""

import numpy as np
import pytest

from gradstep import Tensor, losses, nn, optim
from gradstep.tensor import op


def both(torch, values, f, g):
    """Gradients of Σ f over gradstep tensors and of Σ g over torch tensors, for each input."""
    ours = [Tensor(v, requires_grad=True, dtype=np.float64) for v in values]
    f(*ours).sum().backward()
    theirs = [torch.tensor(v, requires_grad=True, dtype=torch.float64) for v in values]
    g(*theirs).sum().backward()
    return [a.grad for a in ours], [t.grad.numpy() for t in theirs]


@pytest.mark.parametrize("name, values, f, g", [
    ("maximum tie", [[1.0, 2.0, 3.0], [1.0, 1.0, 4.0]], lambda a, b: a.maximum(b), lambda a, b: a.maximum(b)),
    ("clip at both bounds", [[-0.5, 0.7, 0.0, 2.0, -1.0]], lambda a: a.clip(-0.5, 0.7), lambda a: a.clamp(-0.5, 0.7)),
    ("relu at 0", [[0.0, -1.0, 1.0]], lambda a: a.relu(), lambda a: a.relu()),
    ("abs at 0", [[0.0, -1.0, 1.0]], lambda a: a.abs(), lambda a: a.abs()),
    ("hard sigmoid at its corners", [[0.0, 1.0, 0.5, -1.0, 2.0]], lambda a: a.hard_sigmoid(), lambda a: a.clamp(0, 1)),
    ("power 0 at 0", [[0.0, 2.0]], lambda a: a ** 0, lambda a: a ** 0),
    ("power 2 at 0", [[0.0, 2.0]], lambda a: a ** 2, lambda a: a ** 2),
])
def test_gradient_at_ties_bounds_and_kinks_is_pytorchs(torch, name, values, f, g):
    ours, theirs = both(torch, [np.array(v) for v in values], f, g)
    for a, b in zip(ours, theirs):
        np.testing.assert_array_equal(a, b, err_msg=name)


def test_division_by_zero_gives_infinity_like_numpy():
    with np.errstate(divide="ignore"):
        assert np.isinf((Tensor([1.0]) / 0).data).all()
        assert np.isinf((Tensor([1.0]) / Tensor([0.0])).data).all()


def test_float32_is_kept_through_maximum_clip_and_mixed_operations():
    a = Tensor([1.0, 2.0], requires_grad=True)
    out = a.maximum(Tensor([1.0, 1.0])) + a.clip(np.float64(0.5), np.float64(1.5))
    assert out.dtype == np.float32
    out.sum().backward()
    assert a.grad.dtype == np.float32
    b = Tensor([1.0, 2.0], requires_grad=True)
    (b * Tensor([1.0, 1.0], dtype=np.float64)).sum().backward()
    assert b.grad.dtype == np.float32


def test_tied_weights_keep_every_key_in_the_state_dict_as_pytorch(torch):
    layer = nn.Linear(2, 2)
    model = nn.Sequential(layer, nn.ReLU(), layer)
    assert list(model.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert len(list(model.parameters())) == 2
    twin = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.ReLU())
    twin.append(twin[0])
    assert list(twin.state_dict()) == list(model.state_dict())
    model.load_state_dict(twin.state_dict())
    np.testing.assert_array_equal(layer.weight.data, twin[0].weight.detach().numpy().astype(np.float32))


def test_maximum_of_scalars_splits_a_tie():
    a, b = Tensor(1.0, requires_grad=True), Tensor(1.0, requires_grad=True)
    a.maximum(b).backward()
    assert a.grad == 0.5 and b.grad == 0.5 and a.grad.dtype == np.float32


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


F64 = np.array([2.0, 4.0])


@pytest.mark.parametrize("name, f", [
    ("2.0 - x", lambda x: 2.0 - x), ("2.0 / x", lambda x: 2.0 / x), ("f64 - x", lambda x: F64 - x),
    ("f64 / x", lambda x: F64 / x), ("f64 + x", lambda x: F64 + x), ("f64 * x", lambda x: F64 * x),
    ("x * f64", lambda x: x * F64), ("x / f64", lambda x: x / F64), ("x - f64", lambda x: x - F64),
    ("x / 0", lambda x: x / 0), ("x / 0.0", lambda x: x / 0.0), ("x.maximum(f64)", lambda x: x.maximum(F64)),
    ("x.maximum(0.0)", lambda x: x.maximum(0.0)), ("f64 @ x", lambda x: F64 @ x), ("x @ f64", lambda x: x @ F64),
    ("f64 matrix @ x", lambda x: np.ones((3, 2)) @ x), ("x @ f64 matrix", lambda x: x @ np.ones((2, 3))),
])
def test_float32_is_kept_with_python_floats_and_float64_arrays(name, f):
    x = Tensor([1.0, 3.0], requires_grad=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        y = f(x)
        y.sum().backward()
    assert y.dtype == np.float32 and x.grad.dtype == np.float32, name


@pytest.mark.parametrize("name, f", [
    ("x + c", lambda x, c: x + c), ("c + x", lambda x, c: c + x), ("x - c", lambda x, c: x - c),
    ("c - x", lambda x, c: c - x), ("x * c", lambda x, c: x * c), ("c * x", lambda x, c: c * x),
    ("x / c", lambda x, c: x / c), ("c / x", lambda x, c: c / x), ("x.maximum(c)", lambda x, c: x.maximum(c)),
    ("c.maximum(x)", lambda x, c: c.maximum(x)),
])
def test_no_gradient_is_computed_for_a_constant_operand(monkeypatch, name, f):
    """Binary operations reduce g over broadcast axes only for the operands that need a gradient."""
    import gradstep.tensor as engine
    shapes = []
    real = engine.unbroadcast

    def spy(g, shape):
        shapes.append(shape)
        return real(g, shape)
    monkeypatch.setattr(engine, "unbroadcast", spy)
    x = Tensor(np.full((2, 3), 2.0), requires_grad=True)
    f(x, Tensor([1.0, 2.0, 3.0])).sum().backward()
    assert shapes == [(2, 3)], name


def test_maximum_keeps_the_gradient_in_the_tensors_dtype():
    seen = []
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    h = op(x.data * 1, (x,), lambda g: (seen.append(g.dtype) or g,))
    h.maximum(Tensor([2.0, 2.0, 2.0])).sum().backward()
    assert seen == [np.dtype(np.float32)]
    np.testing.assert_array_equal(x.grad, [0.0, 0.5, 1.0])


def test_maximum_ties_with_broadcasting_are_pytorchs(torch):
    a = [[1.0, 2.0, 3.0], [2.0, 0.0, 3.0]]
    b = [2.0, 0.0, 3.0]
    ours, theirs = both(torch, [np.array(a), np.array(b)], lambda a, b: a.maximum(b), lambda a, b: a.maximum(b))
    for x, y in zip(ours, theirs):
        np.testing.assert_array_equal(x, y)


@pytest.mark.parametrize("name, f, g", [
    ("2 + x", lambda x: 2 + x, lambda x: 2 + x),
    ("2 - x", lambda x: 2 - x, lambda x: 2 - x),
    ("2 * x", lambda x: 2 * x, lambda x: 2 * x),
    ("2 / x", lambda x: 2 / x, lambda x: 2 / x),
    ("x / 3", lambda x: x / 3, lambda x: x / 3),
    ("array + x", lambda x: np.array([1.0, -2.0, 3.0]) + x, lambda x: x.new_tensor([1.0, -2.0, 3.0]) + x),
    ("array - x", lambda x: np.array([1.0, -2.0, 3.0]) - x, lambda x: x.new_tensor([1.0, -2.0, 3.0]) - x),
    ("array * x", lambda x: np.array([1.0, -2.0, 3.0]) * x, lambda x: x.new_tensor([1.0, -2.0, 3.0]) * x),
    ("array / x", lambda x: np.array([1.0, -2.0, 3.0]) / x, lambda x: x.new_tensor([1.0, -2.0, 3.0]) / x),
    ("array @ x", lambda x: np.arange(8.0).reshape(4, 2) @ x, lambda x: x.new_tensor(np.arange(8.0).reshape(4, 2)) @ x),
    ("vector @ x", lambda x: np.array([1.0, -1.0]) @ x, lambda x: x.new_tensor([1.0, -1.0]) @ x),
])
def test_reflected_operators_match_pytorch(torch, name, f, g):
    x0 = np.array([[0.5, -1.5, 2.0], [4.0, -0.25, 1.0]])
    seed = np.random.default_rng(0).normal(size=np.shape(f(Tensor(x0, dtype=np.float64)).data))
    x = Tensor(x0, requires_grad=True, dtype=np.float64)
    y = f(x)
    y.backward(seed)
    tx = torch.tensor(x0, requires_grad=True)
    ty = g(tx)
    ty.backward(torch.tensor(seed))
    np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=1e-14, atol=0, err_msg=name)
    np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=1e-14, atol=0, err_msg=name)


@pytest.mark.parametrize("shapes", [((3, 4), (2, 4, 5)), ((2, 3, 4), (4, 5)), ((4,), (2, 4, 5)), ((2, 3, 4), (4,)),
                                    ((3, 4), (4,)), ((4,), (4, 5)), ((1, 3, 4), (2, 4, 2))])
def test_matmul_of_every_rank_matches_pytorch(torch, shapes):
    rng = np.random.default_rng(3)
    a, b = (rng.normal(size=s) for s in shapes)
    ours, theirs = both(torch, [a, b], lambda a, b: a @ b, lambda a, b: a @ b)
    for x, y, shape in zip(ours, theirs, shapes):
        assert x.shape == shape
        np.testing.assert_allclose(x, y, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose((Tensor(a, dtype=np.float64) @ Tensor(b, dtype=np.float64)).data,
                               (torch.tensor(a) @ torch.tensor(b)).numpy(), rtol=1e-12, atol=1e-12)
