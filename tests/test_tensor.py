"""The engine's operations against central finite differences (float64), and its bookkeeping."""

import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gradstep as gs
from gradstep import Tensor, gradcheck
from gradstep.tensor import op


def t(shape, seed, low=-2.0, high=2.0):
    return Tensor(np.random.default_rng(seed).uniform(low, high, shape), requires_grad=True, dtype=np.float64)


def away_from(x, points, margin=0.05):
    """Move values off kinks (0 for relu/abs, the clip bounds) where finite differences are undefined."""
    for p in points:
        near = np.abs(x.data - p) < margin
        x.data[near] = p + np.where(x.data[near] >= p, margin, -margin) * 2
    return x


BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "maximum": lambda a, b: a.maximum(b),
}
SHAPES = [((3, 4), (3, 4)), ((3, 4), (4,)), ((3, 1), (1, 4)), ((2, 3, 4), (3, 1)), ((), (2, 3)), ((5,), ())]


@pytest.mark.parametrize("name", BINARY)
@pytest.mark.parametrize("shapes", SHAPES)
def test_binary_gradients_with_broadcasting(name, shapes):
    a, b = t(shapes[0], 1), t(shapes[1], 2, low=0.5, high=2.0)
    gradcheck(BINARY[name], [a, b])
    assert a.grad.shape == a.shape and b.grad.shape == b.shape


UNARY = {
    "neg": (lambda a: -a, []),
    "pow2": (lambda a: a ** 2, []),
    "pow3": (lambda a: a ** 3, []),
    "pow_half": (lambda a: (a.abs() + 0.5) ** 0.5, [0]),
    "abs": (lambda a: a.abs(), [0]),
    "exp": (lambda a: a.exp(), []),
    "log": (lambda a: (a.abs() + 0.1).log(), [0]),
    "clip": (lambda a: a.clip(-0.5, 0.7), [-0.5, 0.7]),
    "clip_low_only": (lambda a: a.clip(low=-0.5), [-0.5]),
    "sigmoid": (lambda a: a.sigmoid(), []),
    "relu": (lambda a: a.relu(), [0]),
    "hard_sigmoid": (lambda a: a.hard_sigmoid(), [0, 1]),
    "tanh": (lambda a: a.tanh(), []),
    "sum": (lambda a: a.sum(), []),
    "sum_axis0": (lambda a: a.sum(axis=0), []),
    "sum_axis1_keep": (lambda a: a.sum(axis=1, keepdims=True), []),
    "mean": (lambda a: a.mean(), []),
    "mean_axis": (lambda a: a.mean(axis=-1), []),
    "mean_axes_keep": (lambda a: a.mean(axis=(0, 1), keepdims=True), []),
    "reshape": (lambda a: a.reshape(4, 6) * Tensor(np.arange(24.0).reshape(4, 6), dtype=np.float64), []),
    "transpose": (lambda a: a.transpose(2, 0, 1) * Tensor(np.arange(24.0).reshape(4, 2, 3), dtype=np.float64), []),
    "T": (lambda a: a.T * Tensor(np.arange(24.0).reshape(4, 3, 2), dtype=np.float64), []),
    "slice": (lambda a: a[1:, ::2] * 3, []),
    "int_index": (lambda a: a[0, 1], []),
    "fancy_repeated": (lambda a: a[np.array([0, 0, 1])] * 2, []),
    "bool_mask": (lambda a: a[a.data > 0], []),
    "scalar_ops": (lambda a: (2.0 - a) * 3 / 4 + 1 - 0.5 * a, []),
    "rdiv": (lambda a: 1.0 / (a.abs() + 1), [0]),
    "array_ops": (lambda a: np.ones((2, 3, 4)) * a + np.arange(4.0) - a / np.full(4, 2.0), []),
}


@pytest.mark.parametrize("name", UNARY)
def test_unary_and_shape_gradients(name):
    f, kinks = UNARY[name]
    a = away_from(t((2, 3, 4), 3), kinks)
    gradcheck(f, [a])


@pytest.mark.parametrize("shapes", [((3, 4), (4, 5)), ((4,), (4, 5)), ((3, 4), (4,)), ((4,), (4,)),
                                    ((2, 3, 4), (4, 5)), ((2, 3, 4), (2, 4, 5)), ((5, 1), (1, 3)), ((1, 3, 4), (2, 4, 2))])
def test_matmul_gradients(shapes):
    gradcheck(lambda a, b: a @ b, [t(shapes[0], 4), t(shapes[1], 5)])


def test_linear_function_gradients():
    x, w, b = t((5, 3), 6), t((4, 3), 7), t((4,), 8)
    gradcheck(gs.nn.functional.linear, [x, w, b])
    gradcheck(gs.nn.functional.linear, [t((2, 5, 3), 9), w, b])
    gradcheck(gs.nn.functional.linear, [x, t((1, 3), 10), t((1,), 11)])


def test_negative_control_a_wrong_gradient_fails_the_check():
    def wrong_square(a):
        return op(a.data ** 2, (a,), lambda g: (g * a.data,))
    with pytest.raises(AssertionError, match="gradient of input 0"):
        gradcheck(wrong_square, [t((3,), 12)])

    def right_square(a):
        return op(a.data ** 2, (a,), lambda g: (2 * g * a.data,))
    assert gradcheck(right_square, [t((3,), 12)]) < 1e-6


def test_wrong_broadcast_reduction_would_be_caught():
    def forgets_to_unbroadcast(a, b):
        return op(a.data + b.data, (a, b), lambda g: (g, g[:1]))
    with pytest.raises(AssertionError):
        gradcheck(forgets_to_unbroadcast, [t((3, 4), 1), t((1, 4), 2)])


def test_hard_sigmoid_is_two_relus():
    z = np.linspace(-3, 3, 601)
    a = Tensor(z, dtype=np.float64)
    np.testing.assert_array_equal(a.hard_sigmoid().data, (a.relu() - (a - 1).relu()).data)


def test_sigmoid_is_stable_at_extremes():
    for dtype in (np.float32, np.float64):
        s = Tensor([-1000.0, -50.0, 0.0, 50.0, 1000.0], dtype=dtype).sigmoid().data
        assert np.all(np.isfinite(s)) and s.dtype == dtype
        assert s[0] == 0 and s[2] == 0.5 and s[-1] == 1
    np.testing.assert_allclose(Tensor([-50.0], dtype=np.float64).sigmoid().data, [np.exp(-50.0)], rtol=1e-14)


def test_tensor_used_twice_accumulates_both_paths():
    a = Tensor([3.0], requires_grad=True, dtype=np.float64)
    (a * a + a).sum().backward()
    assert a.grad[0] == 7.0


def test_second_backward_accumulates_until_zeroed():
    a = Tensor([1.0, 2.0], requires_grad=True)
    (a * 3).sum().backward()
    (a * 3).sum().backward()
    np.testing.assert_array_equal(a.grad, [6.0, 6.0])
    a.grad = None
    (a * 3).sum().backward()
    np.testing.assert_array_equal(a.grad, [3.0, 3.0])


def test_leaf_gradients_do_not_share_memory():
    a, b = Tensor([1.0], requires_grad=True), Tensor([2.0], requires_grad=True)
    (a + b).sum().backward()
    a.grad += 10
    assert b.grad[0] == 1.0


def test_long_chain_backpropagates_without_recursion():
    assert sys.getrecursionlimit() < 100_000
    x = Tensor([1.0], requires_grad=True, dtype=np.float64)
    y = x
    for _ in range(100_000):
        y = y * 1.0 + 0.0
    y.sum().backward()
    assert x.grad[0] == 1.0


def test_no_grad_records_nothing_and_detach_cuts():
    a = Tensor([1.0], requires_grad=True)
    with gs.no_grad():
        b = a * 2
    assert not b.requires_grad and b._parents == ()
    assert gs.is_grad_enabled()
    b = a * 2
    c = b.detach()
    assert not c.requires_grad and c._parents == () and c._backward is None
    assert np.shares_memory(c.data, b.data)  # the same values, not a copy (as torch's detach)
    c.numpy()[0] = 5.0  # numpy() is shared too: writing into it changes both tensors
    assert c.item() == 5.0 and b.item() == 5.0

    @gs.no_grad()
    def f(x):
        return x * 2
    assert not f(a).requires_grad


def test_dtypes_float32_by_default_and_kept():
    a = Tensor([1.0, 2.0], requires_grad=True)
    assert a.dtype == np.float32
    assert Tensor([1], dtype=np.float64).dtype == np.float64
    out = (a * np.float64(2.0) + np.array([1.0, 2.0]) - 3.0) ** np.float64(2)
    assert out.dtype == np.float32
    out.sum().backward()
    assert a.grad.dtype == np.float32
    with pytest.raises(ValueError, match="floating-point"):
        Tensor([1], dtype=np.int64)


def test_item_numpy_and_repr():
    a = Tensor([[2.5]])
    assert a.item() == 2.5 and isinstance(a.item(), float)
    assert a.numpy() is a.data
    assert "requires_grad=True" in repr(Tensor([1.0], requires_grad=True))


@pytest.mark.parametrize("f, words", [
    (lambda a, b: a + b, "add tensors of shapes (2, 3) and (4,)"),
    (lambda a, b: a * b, "multiply tensors of shapes (2, 3) and (4,)"),
    (lambda a, b: a - b, "subtract tensors of shapes (2, 3) and (4,)"),
    (lambda a, b: a / b, "divide tensors of shapes (2, 3) and (4,)"),
    (lambda a, b: a @ b, "matrix-multiply tensors of shapes (2, 3) and (4,)"),
    (lambda a, b: a.maximum(b), "(2, 3) and (4,)"),
])
def test_incompatible_shapes_name_both(f, words):
    with pytest.raises(ValueError) as error:
        f(Tensor(np.ones((2, 3))), Tensor(np.ones(4)))
    assert words in str(error.value)


def test_backward_on_non_scalar_says_so():
    a = Tensor(np.ones(3), requires_grad=True)
    with pytest.raises(ValueError, match="non-scalar tensor of shape \\(3,\\) needs a gradient"):
        (a * 2).backward()
    (a * 2).backward(np.array([1.0, 2.0, 3.0]))
    np.testing.assert_array_equal(a.grad, [2, 4, 6])
    with pytest.raises(RuntimeError, match="does not require grad"):
        Tensor([1.0]).sum().backward()


# ----- property tests: random compositions of operations ------------------------------------

SAFE_UNARY = [
    lambda a: a.sigmoid(), lambda a: a.tanh(), lambda a: a * 1.5, lambda a: -a, lambda a: a.exp() * 0.1,
    lambda a: (a * a + 1).log(), lambda a: a ** 2 * 0.5, lambda a: a.T.T, lambda a: a + 0.3,
    lambda a: a.sum(axis=0, keepdims=True) + a, lambda a: a.mean(axis=1, keepdims=True) * a,
]
SAFE_BINARY = [lambda a, b: a + b, lambda a, b: a * b, lambda a, b: a - b, lambda a, b: a / (b * b + 1),
               lambda a, b: a @ b.T @ a * 0.1]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, len(SAFE_UNARY) - 1), st.integers(0, len(SAFE_BINARY) - 1)),
                min_size=1, max_size=6),
       st.integers(1, 4), st.integers(1, 4), st.integers(0, 2**31 - 1))
def test_random_compositions_match_finite_differences(program, rows, cols, seed):
    """Finite differences of a sum of size S lose about S·1e-16/ε to rounding: the tolerance scales with it."""
    def f(a, b):
        x, y = a, b
        for u, v in program:
            x, y = SAFE_UNARY[u](x), SAFE_BINARY[v](x, y)
        return x + y
    a, b = t((rows, cols), seed, -1, 1), t((rows, cols), seed + 1, -1, 1)
    scale = max(1.0, float(np.abs(f(a, b).data).sum()))
    gradcheck(f, [a, b], atol=1e-9 * scale, rtol=1e-4)


# ----- gradient bookkeeping of the optimised engine -------------------------------------------

def test_fused_linear_activation_gradients():
    x, w, b = t((5, 3), 6), t((4, 3), 7), t((4,), 8)
    for activation in ("relu", "sigmoid", "tanh"):
        gradcheck(lambda x, w, b: gs.nn.functional.linear(x, w, b, activation), [x, w, b])
    gradcheck(lambda x, w, b: gs.nn.functional.linear(x, w, b, "sigmoid"), [t((2, 5, 3), 9), w, b])
    gradcheck(lambda x, w: gs.nn.functional.linear(x, w, None, "tanh"), [t((5, 1), 12), t((4, 1), 13)])


def test_leaf_gradient_shared_with_a_pending_path_is_not_corrupted():
    # t = a + c hands one array to the leaf a and to c; a's later contribution from d must not change it.
    a = Tensor([1.0, 2.0], requires_grad=True, dtype=np.float64)
    c, d = a * 2, a * 3
    s = (a + c) * 1.0 + d
    s.sum().backward()
    np.testing.assert_array_equal(a.grad, [6.0, 6.0])
    s.sum().backward()
    np.testing.assert_array_equal(a.grad, [12.0, 12.0])


def test_gradients_accumulate_in_place_across_backward_calls():
    a = Tensor([1.0, 2.0], requires_grad=True)
    (a * 3).sum().backward()
    first = a.grad
    (a * 3).sum().backward()
    assert a.grad is first and a.grad.dtype == np.float32
    np.testing.assert_array_equal(first, [6.0, 6.0])


def test_user_gradient_passed_to_backward_is_never_modified():
    a = Tensor([1.0, 2.0], requires_grad=True, dtype=np.float64)
    seed = np.array([1.0, 1.0])
    (a + 0.0).backward(seed)
    (a + 0.0).backward(seed)
    np.testing.assert_array_equal(seed, [1.0, 1.0])
    np.testing.assert_array_equal(a.grad, [2.0, 2.0])
