"""Sequential's fused fast path: the same numbers, bit for bit, and never in place of a layer's own forward."""

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

import gradstep.nn.functional as functional
from gradstep import nn
from gradstep.losses import LOSSES
from gradstep.nn import Identity, Linear, ReLU, Sequential, Sigmoid, Tanh
from gradstep.optim import Adam
from gradstep.tensor import Tensor

DAYS = 7


def build(kind: str, dtype: str, dropout: float = 0.0) -> Sequential:
    if kind == "wide":  # the lecture's size: 56 days, 100 ReLUs (small products can hide a reordered sum)
        return nn.relu_network(56, 100, layers=2, dtype=dtype, seed=0, dropout=dropout,
                               dropout_rng=np.random.default_rng(9))
    if kind == "linear":
        return nn.linear_model(DAYS, dtype=dtype, seed=0)
    if kind == "sigmoid":
        return nn.sigmoid_network(DAYS, 6, dtype=dtype, seed=0)
    if kind == "relu":
        return nn.relu_network(DAYS, 6, layers=3, dtype=dtype, seed=0, dropout=dropout,
                               dropout_rng=np.random.default_rng(9))
    rng = np.random.default_rng(0)  # tanh, a Linear without bias, a trailing activation
    return Sequential(Linear(DAYS, 5, dtype=dtype, rng=rng), Tanh(), Linear(5, 4, bias=False, dtype=dtype, rng=rng),
                      ReLU(), Linear(4, 1, dtype=dtype, rng=rng), Sigmoid())


def unfuse(model: Sequential) -> Sequential:
    """Give every module an instance forward of its own (the class's): none may be fused any more."""
    for module in model:
        module.forward = module.forward
    return model


@pytest.fixture
def fused_calls(monkeypatch):
    """How many times the fused node functional.linear ran."""
    calls = []
    linear = functional.linear

    def counting(*args, **kwargs):
        calls.append(args[3] if len(args) > 3 else kwargs.get("activation"))
        return linear(*args, **kwargs)

    monkeypatch.setattr(functional, "linear", counting)
    return calls


def adam_steps(model, X, y, loss, steps=4):
    optimizer = Adam(model.parameters(), lr=0.05)
    outputs, grads = [], []
    for _ in range(steps):
        optimizer.zero_grad()
        prediction = model(Tensor(X, dtype=X.dtype))
        value = LOSSES[loss](prediction, y)
        value.backward()
        outputs.append(prediction.data.copy())
        grads.append([p.grad.copy() for p in model.parameters()])
        optimizer.step()
    return outputs, grads, [p.data.copy() for p in model.parameters()]


CASES = [("linear", 0.0), ("sigmoid", 0.0), ("relu", 0.0), ("relu", 0.3), ("custom", 0.0), ("wide", 0.1)]


@pytest.mark.parametrize("kind,dropout", CASES)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("loss", ["mae", "mse"])
def test_fused_training_is_bit_identical_to_the_modules_one_by_one(kind, dropout, dtype, loss, fused_calls):
    rng = np.random.default_rng(1)
    rows, days = (1405, 56) if kind == "wide" else (48, DAYS)
    X = rng.normal(size=(rows, days)).astype(dtype)
    y = rng.normal(size=(rows, 1)).astype(dtype)
    # two BLAS threads for the wide model: there a product taken in another order (np.dot(g.T, x) for
    # np.dot(x.T, g).T) gives other bits, which one thread on small matrices would hide
    with threadpool_limits(limits=2 if kind == "wide" else 1, user_api="blas"):
        fused = adam_steps(build(kind, dtype, dropout), X, y, loss)
        assert fused_calls, "the fast path was not taken, so nothing is compared"
        count = len(fused_calls)
        separate = adam_steps(unfuse(build(kind, dtype, dropout)), X, y, loss)
    assert len(fused_calls) == count  # the unfused model never ran the fused node
    for fused_outputs, separate_outputs in zip(fused[0], separate[0]):
        assert fused_outputs.dtype == np.dtype(dtype)
        assert np.array_equal(fused_outputs, separate_outputs)
    for fused_grads, separate_grads in zip(fused[1], separate[1]):
        assert all(np.array_equal(a, b) for a, b in zip(fused_grads, separate_grads))
    assert all(np.array_equal(a, b) for a, b in zip(fused[2], separate[2]))


def test_a_linear_and_its_activation_run_as_one_node(fused_calls):
    build("relu", "float64")(Tensor(np.ones((2, DAYS)), dtype="float64"))
    assert fused_calls == ["relu", "relu", "relu", None]
    fused_calls.clear()
    build("custom", "float64")(Tensor(np.ones((2, DAYS)), dtype="float64"))
    assert fused_calls == ["tanh", "relu", "sigmoid"]


def test_an_instance_forward_assigned_after_the_first_call_is_used():
    model = build("relu", "float64")
    x = Tensor(np.random.default_rng(2).normal(size=(16, DAYS)), dtype="float64")
    before = model(x).data
    model[1].forward = lambda z: z  # the first ReLU becomes the identity
    after = model(x).data
    assert not np.array_equal(before, after)
    expected = x
    for index, module in enumerate(model):
        expected = expected if index == 1 else type(module).forward(module, expected)
    assert np.array_equal(after, expected.data)
    model[0].forward = lambda z: Linear.forward(model[0], z) * 0.0  # a Linear's own forward is honoured too
    assert not np.array_equal(model(x).data, after)


def test_an_instance_forward_on_the_activation_after_a_linear_is_used():
    model = build("sigmoid", "float64")
    x = Tensor(np.random.default_rng(3).normal(size=(5, DAYS)), dtype="float64")
    model(x)
    model[1].forward = lambda z: z * 2.0
    hidden = Linear.forward(model[0], x) * 2.0
    assert np.array_equal(model(x).data, Linear.forward(model[2], hidden).data)


def test_a_subclass_of_linear_with_its_own_forward_is_used(fused_calls):
    class Doubled(Linear):
        def forward(self, x):
            return super().forward(x) * 2.0

    class Halved(ReLU):
        def forward(self, x):
            return super().forward(x) * 0.5

    rng = np.random.default_rng(4)
    model = Sequential(Doubled(DAYS, 3, dtype="float64", rng=rng), Halved(), Linear(3, 1, dtype="float64", rng=rng))
    x = Tensor(np.random.default_rng(5).normal(size=(9, DAYS)), dtype="float64")
    out = model(x)
    first, _, last = model
    expected = Linear.forward(last, (Linear.forward(first, x) * 2.0).relu() * 0.5)
    assert np.array_equal(out.data, expected.data)
    assert fused_calls == [None]  # only the plain last Linear


def test_replacing_a_class_forward_is_honoured(monkeypatch, fused_calls):
    model = build("relu", "float64")
    x = Tensor(np.random.default_rng(6).normal(size=(4, DAYS)), dtype="float64")
    before = model(x).data  # a plan exists now
    original_linear, original_relu = Linear.forward, ReLU.forward
    monkeypatch.setattr(Linear, "forward", lambda self, z: original_linear(self, z) + 1.0)
    fused_calls.clear()
    expected = x
    for module in model:
        expected = original_linear(module, expected) + 1.0 if isinstance(module, Linear) else module.forward(expected)
    assert np.array_equal(model(x).data, expected.data)
    assert fused_calls == []
    monkeypatch.setattr(Linear, "forward", original_linear)
    monkeypatch.setattr(ReLU, "forward", lambda self, z: z)
    expected = x
    for module in model:
        expected = original_linear(module, expected) if isinstance(module, Linear) else expected
    assert np.array_equal(model(x).data, expected.data)
    assert fused_calls == [None, None, None, None]  # the Linears alone are still fused, the ReLUs are not
    monkeypatch.setattr(ReLU, "forward", original_relu)
    fused_calls.clear()
    assert np.array_equal(model(x).data, before)  # and the whole fast path comes back with the classes
    assert fused_calls == ["relu", "relu", "relu", None]


def test_replacing_a_module_of_the_sequential_is_used():
    model = build("relu", "float64")
    x = Tensor(np.random.default_rng(7).normal(size=(4, DAYS)), dtype="float64")
    before = model(x).data  # a plan exists now
    setattr(model, "1", Identity())
    expected = x
    for module in model:  # in the Sequential's own order, whatever it is
        expected = type(module).forward(module, expected)
    assert np.array_equal(model(x).data, expected.data)
    assert not np.array_equal(model(x).data, before)
    model(x)
    setattr(model, "5", Sigmoid())  # a plan made again after the change must see a later one as well
    delattr(model, "1")
    assert len(model) == 6
    expected = x
    for module in model:
        expected = type(module).forward(module, expected)
    assert np.array_equal(model(x).data, expected.data)


def test_replacing_a_module_keeps_its_place():
    model = build("relu", "float64")
    setattr(model, "1", Identity())
    assert [type(m) for m in model][:3] == [Linear, Identity, Linear]


@pytest.mark.parametrize("kind", ["linear", "sigmoid", "relu", "custom"])
@pytest.mark.parametrize("shape", [(DAYS,), (3, 5, DAYS)])
def test_one_and_three_dimensional_inputs_match_the_modules_one_by_one(kind, shape):
    x = np.random.default_rng(8).normal(size=shape)
    results = []
    for model in (build(kind, "float64"), unfuse(build(kind, "float64"))):
        xt = Tensor(x, requires_grad=True, dtype="float64")
        out = model(xt)
        (out * out).sum().backward()
        results.append((out.data, xt.grad, [p.grad for p in model.parameters()]))
    (fused_out, fused_gx, fused_grads), (out, gx, grads) = results
    assert fused_out.shape == shape[:-1] + (1,)
    assert np.array_equal(fused_out, out) and np.array_equal(fused_gx, gx)
    assert all(np.array_equal(a, b) for a, b in zip(fused_grads, grads))


class _OnceEach(list):
    """A list of modules that fails instead of looping when plan looks at a module more often than it may."""

    def __init__(self, items):
        super().__init__(items)
        self.looks = 0

    def __getitem__(self, index):
        self.looks += 1
        if self.looks > 2 * len(self) + 2:
            raise AssertionError("plan keeps walking the modules")
        return super().__getitem__(index)


def test_plan_walks_the_modules_once_fusing_each_linear_with_a_following_activation():
    from gradstep.nn.fused import plan

    rng = np.random.default_rng(0)
    first, second, third = (Linear(2, 2, rng=rng) for _ in range(3))
    relu, identity, tanh, sigmoid = ReLU(), Identity(), Tanh(), Sigmoid()
    modules = [identity, relu, first, relu, second, third, tanh, sigmoid, identity]
    steps = plan(_OnceEach(modules))
    assert len(steps) == 7
    assert steps[0] is identity and steps[1] is relu
    assert [(step.args, step.func.__name__) for step in steps[2:5]] == [
        ((first, "relu"), "_fused_linear"), ((second, None), "_fused_linear"), ((third, "tanh"), "_fused_linear")]
    assert steps[5] is sigmoid and steps[6] is identity
    assert plan(_OnceEach([])) == ()
    only = plan(_OnceEach([first]))
    assert len(only) == 1 and only[0].args == (first, None)
