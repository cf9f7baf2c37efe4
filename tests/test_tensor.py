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


def test_no_grad_in_one_thread_leaves_another_threads_graph_alone():
    """The grad mode is per thread (as PyTorch's): a model predicting under no_grad in one thread (the playground runs
    two trainings at once) must not stop another thread's training from recording its graph."""
    import threading
    inside, recorded = threading.Event(), threading.Event()
    seen = {}

    def predicting():
        with gs.no_grad():
            inside.set()
            recorded.wait(5)
            seen["other"] = gs.is_grad_enabled()

    thread = threading.Thread(target=predicting)
    thread.start()
    assert inside.wait(5)
    a = Tensor([1.0], requires_grad=True)
    b = a * 2
    seen["training"] = b.requires_grad and gs.is_grad_enabled()
    recorded.set()
    thread.join(5)
    assert seen == {"training": True, "other": False}

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
    (lambda a, b: a.maximum(b), "cannot take the maximum of tensors of shapes (2, 3) and (4,)"),
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
    """Finite differences of a sum of size S lose about S·1e-16/ε to rounding, more where intermediate values
    cancel (a gradient of 9e-8 was off by 1.2e-9): the tolerance scales with S, at 1e-8 per unit."""
    def f(a, b):
        x, y = a, b
        for u, v in program:
            x, y = SAFE_UNARY[u](x), SAFE_BINARY[v](x, y)
        return x + y
    a, b = t((rows, cols), seed, -1, 1), t((rows, cols), seed + 1, -1, 1)
    scale = max(1.0, float(np.abs(f(a, b).data).sum()))
    gradcheck(f, [a, b], atol=1e-8 * scale, rtol=1e-4)


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


# ----- construction, repr and the attributes of recorded and constant results ------------------

def test_repr_is_exact_with_and_without_requires_grad():
    assert repr(Tensor([1.0, 2.0])) == "Tensor([1., 2.], dtype=float32)"
    assert repr(Tensor([1.0, 2.0], requires_grad=True)) == "Tensor([1., 2.], dtype=float32, requires_grad=True)"
    assert repr(Tensor([[1.0, 2.0], [3.0, 4.0]], dtype=np.float64)) == "Tensor([[1., 2.],\n [3., 4.]], dtype=float64)"
    assert repr(Tensor(0.5)) == "Tensor(0.5, dtype=float32)"


def test_tensor_of_a_tensor_copies_its_values_into_a_new_leaf():
    t = Tensor([1.5, -2.0], requires_grad=True)
    u = Tensor(t)
    np.testing.assert_array_equal(u.data, [1.5, -2.0])
    assert u.dtype == np.float32 and not np.shares_memory(u.data, t.data)
    assert u.requires_grad is False and u.grad is None and u._parents == () and u._backward is None
    v = Tensor(t, requires_grad=True, dtype=np.float64)
    assert v.dtype == np.float64 and v.requires_grad is True
    np.testing.assert_array_equal(v.data, [1.5, -2.0])
    (v * 2.0).sum().backward()
    np.testing.assert_array_equal(v.grad, [2.0, 2.0])
    assert t.grad is None  # the copy is a leaf of its own: nothing flows back into t


def test_results_of_operations_have_exact_attributes():
    x = Tensor([1.0, 2.0], requires_grad=True)
    constants = [Tensor([1.0, 2.0]) * 2, Tensor([1.0, 2.0]) + np.ones(2), x.detach(), Tensor([3.0]).exp()]
    with gs.no_grad():
        constants.append(x * 2)
    for c in constants:
        assert c.requires_grad is False and c.requires_grad == False  # noqa: E712 (a bool, not None)
        assert c.grad is None and c._parents == () and c._backward is None
        with pytest.raises(RuntimeError, match="does not require grad"):
            c.sum().backward()
    y = x * 2
    assert y.requires_grad is True and y.grad is None
    y.sum().backward()
    assert y.grad is None  # only leaves keep a gradient


# ----- backward(): its seed, its gradient argument and backward() on a leaf ----------------------

def test_backward_without_requires_grad_says_exactly_what_to_do():
    with pytest.raises(RuntimeError, match=r"^backward\(\) on a tensor that does not require grad: "
                                           r"create the leaves with requires_grad=True$"):
        Tensor([1.0]).sum().backward()


def test_backward_rejects_a_gradient_of_the_wrong_shape_naming_both():
    y = Tensor(np.ones(3), requires_grad=True) * 2
    with pytest.raises(ValueError, match=r"^backward\(\) got a gradient of shape \(2,\) for a tensor of shape \(3,\)$"):
        y.backward(np.ones(2))


def test_backward_seed_of_a_one_element_tensor_keeps_its_shape():
    m = Tensor([[2.0]], requires_grad=True)
    (m * 3).backward()
    assert m.grad.shape == (1, 1) and m.grad[0, 0] == 3.0
    v = Tensor([2.0], requires_grad=True)
    v.backward()
    assert v.grad.shape == (1,) and v.grad[0] == 1.0


def test_backward_on_a_leaf_accumulates_into_its_own_grad():
    x = Tensor([1.0, 2.0], requires_grad=True)
    x.backward([3.0, 4.0])
    x.backward(np.array([1.0, 1.0]))
    np.testing.assert_array_equal(x.grad, [4.0, 5.0])
    assert x.grad.dtype == np.float32
    s = Tensor(2.0, requires_grad=True)
    s.backward()
    s.backward(2.0)
    assert s.grad.shape == () and s.grad == 3.0


def test_backward_takes_lists_numbers_arrays_and_tensors_as_the_gradient():
    for grad in ([1.0, 2.0, 3.0], np.array([1.0, 2.0, 3.0]), Tensor([1.0, 2.0, 3.0], dtype=np.float64),
                 Tensor([1.0, 2.0, 3.0]), (1, 2, 3)):
        x = Tensor(np.ones(3), requires_grad=True)
        (x * 2).backward(grad)
        np.testing.assert_array_equal(x.grad, [2.0, 4.0, 6.0])
    s = Tensor(1.5, requires_grad=True)
    (s * 2).backward(3.0)
    assert s.grad == 6.0


def test_gradient_argument_is_converted_to_the_tensors_dtype_before_any_backward_runs():
    seen = []
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = op(x.data * 1, (x,), lambda g: (seen.append(g.dtype) or g,))
    y.backward(np.array([1.0, 1.0]))  # float64
    y.backward([1, 1])  # integers
    y.backward(Tensor([1.0, 1.0], dtype=np.float64))
    assert seen == [np.dtype(np.float32)] * 3
    np.testing.assert_array_equal(x.grad, [3.0, 3.0])


def test_each_node_runs_its_backward_once_after_all_its_consumers():
    """x → a, x → b, y = a·b + a: a feeds two nodes, and must wait for both (the newest-first heap)."""
    x = Tensor([1.5, -2.0], requires_grad=True, dtype=np.float64)
    a = x * 2.0
    b = x ** 2
    m = a * b
    y = m + a
    calls = {}

    def counted(name, node):
        inner = node._backward
        calls[name] = 0

        def backward(g):
            calls[name] += 1
            return inner(g)
        node._backward = backward
    for name, node in (("a", a), ("b", b), ("m", m), ("y", y)):
        counted(name, node)
    y.sum().backward()
    assert calls == {"a": 1, "b": 1, "m": 1, "y": 1}
    np.testing.assert_allclose(x.grad, 6 * x.data ** 2 + 2, rtol=1e-15)


def test_gradients_a_backward_gives_for_constants_or_withholds_are_skipped():
    """A backward function may return a gradient for a parent that needs none (it is ignored) and None
    for a parent that gets no gradient through it (it is skipped)."""
    x = Tensor([1.0, 2.0], requires_grad=True)
    c = Tensor([3.0, 4.0])
    y = op(x.data + c.data, (x, c), lambda g: (g * 1, g * 1))
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [1.0, 1.0])
    assert c.grad is None
    w = Tensor([5.0], requires_grad=True)
    z = op(x.data * 1, (x, w), lambda g: (g * 1, None))
    z.sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, 2.0])
    assert w.grad is None


# ----- _accumulate: a leaf never aliases an array something else can still change ----------------

def test_leaves_given_the_same_array_get_their_own_copies():
    w1, w2 = Tensor([1.0, 2.0], requires_grad=True), Tensor([3.0, 4.0], requires_grad=True)
    y = w1 + w2  # add hands the one seed array to both leaves
    y.backward(np.array([1.0, 1.0]))
    assert not np.shares_memory(w1.grad, w2.grad)
    y.backward(np.array([1.0, 1.0]))
    np.testing.assert_array_equal(w1.grad, [2.0, 2.0])
    np.testing.assert_array_equal(w2.grad, [2.0, 2.0])


def test_a_view_of_another_leafs_gradient_is_copied():
    # y = xᵀ + w: w is handed g, and x is handed gᵀ, a view of w's gradient.
    x = Tensor(np.zeros((2, 3)), requires_grad=True, dtype=np.float64)
    w = Tensor(np.zeros((3, 2)), requires_grad=True, dtype=np.float64)
    y = x.T + w
    seed = np.arange(6.0).reshape(3, 2)
    y.backward(seed)
    y.backward(seed)
    np.testing.assert_array_equal(w.grad, 2 * seed)
    np.testing.assert_array_equal(x.grad, 2 * seed.T)


def test_a_read_only_gradient_is_copied_and_never_written():
    fixed = np.array([1.0, 2.0])
    fixed.flags.writeable = False
    x = Tensor([0.0, 0.0], requires_grad=True, dtype=np.float64)
    for _ in range(3):
        op(x.data * 1, (x,), lambda g: (fixed,)).sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 6.0])
    np.testing.assert_array_equal(fixed, [1.0, 2.0])


def test_a_fresh_gradient_array_is_adopted_without_a_copy_then_added_to_in_place():
    made = []

    def backward(g):
        made.append(g * 2)
        return (made[-1],)
    x = Tensor([1.0, 2.0], requires_grad=True, dtype=np.float64)
    op(x.data * 2, (x,), backward).sum().backward()
    assert x.grad is made[0]  # owned by nobody else: no copy is needed
    first = x.grad
    for _ in range(2):
        op(x.data * 2, (x,), backward).sum().backward()
        assert x.grad is first
    np.testing.assert_array_equal(x.grad, [6.0, 6.0])


# ----- shapes: reshape, transpose, indexing, sum and mean -------------------------------------

def test_reshape_takes_varargs_a_tuple_or_a_list_and_sends_the_gradient_back():
    x = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True, dtype=np.float64)
    weights = np.arange(6.0) + 1
    for shape in ((6,), ((6,),), ([6],)):
        y = x.reshape(*shape)
        assert y.shape == (6,)
        np.testing.assert_array_equal(y.data, np.arange(6.0))
    for shape in ((3, 2), ((3, 2),), ([3, 2],)):
        assert x.reshape(*shape).shape == (3, 2)
    x.grad = None
    (x.reshape((6,)) * weights).sum().backward()
    np.testing.assert_array_equal(x.grad, weights.reshape(2, 3))
    with pytest.raises(ValueError, match=r"^cannot reshape a tensor of shape \(2, 3\) into shape \(4,\)$"):
        x.reshape(4)


def test_transpose_takes_axes_as_varargs_a_tuple_or_a_list():
    data = np.arange(24.0).reshape(2, 3, 4)
    weights = np.random.default_rng(0).normal(size=(4, 2, 3))
    for axes in ((2, 0, 1), ((2, 0, 1),), ([2, 0, 1],)):
        x = Tensor(data, requires_grad=True, dtype=np.float64)
        y = x.transpose(*axes)
        np.testing.assert_array_equal(y.data, data.transpose(2, 0, 1))
        (y * weights).sum().backward()
        np.testing.assert_array_equal(x.grad, weights.transpose(1, 2, 0))
    np.testing.assert_array_equal(Tensor(data).transpose().data, data.transpose())


def test_indexing_sends_gradients_back_for_basic_fancy_and_tensor_indices():
    data = np.arange(12.0).reshape(3, 4)
    cases = [
        ((slice(1, None), slice(None, None, 2)), [[0, 0, 0, 0], [1, 0, 2, 0], [3, 0, 4, 0]]),
        ((0, 1), [[0, 1, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]),
        ((Ellipsis, None, 3), [[0, 0, 0, 1], [0, 0, 0, 2], [0, 0, 0, 3]]),
        (np.array([0, 2, 0]), [[10, 12, 14, 16], [0, 0, 0, 0], [5, 6, 7, 8]]),  # row 0 twice: gradients add
        (Tensor([0.0, 2.0, 0.0]), [[10, 12, 14, 16], [0, 0, 0, 0], [5, 6, 7, 8]]),
    ]
    for index, expected in cases:
        x = Tensor(data, requires_grad=True, dtype=np.float64)
        y = x[index]
        plain = index.data.astype(np.intp) if isinstance(index, Tensor) else index
        np.testing.assert_array_equal(y.data, data[plain])
        weights = np.arange(1.0, y.data.size + 1).reshape(np.shape(y.data))
        (y * weights).sum().backward()
        np.testing.assert_array_equal(x.grad, expected, err_msg=repr(index))


def test_sum_over_axes_sends_each_gradient_back_to_its_elements():
    data = np.arange(24.0).reshape(2, 3, 4)
    for axis, keepdims in ((0, False), (-1, False), ((0, 2), False), ((0, 2), True), (1, True), (None, False)):
        x = Tensor(data, requires_grad=True, dtype=np.float64)
        s = x.sum(axis=axis, keepdims=keepdims)
        np.testing.assert_array_equal(s.data, data.sum(axis=axis, keepdims=keepdims))
        weights = np.arange(1.0, s.data.size + 1).reshape(s.shape)
        s.backward(weights)
        expected = weights if keepdims or axis is None else np.expand_dims(weights, axis)
        np.testing.assert_array_equal(x.grad, np.broadcast_to(expected, data.shape))


def test_mean_values_shapes_and_gradients():
    data = np.arange(24.0).reshape(2, 3, 4)
    for axis, keepdims in ((None, False), (None, True), (0, False), (-1, False), ((0, 2), False),
                           ((0, 2), True), (1, True)):
        x = Tensor(data, requires_grad=True, dtype=np.float64)
        m = x.mean(axis=axis, keepdims=keepdims)
        expected = data.mean(axis=axis, keepdims=keepdims)
        assert m.shape == expected.shape, (axis, keepdims)
        np.testing.assert_allclose(m.data, expected, rtol=1e-15)
        m.sum().backward()
        np.testing.assert_allclose(x.grad, np.full(data.shape, expected.size / data.size), rtol=1e-15)
    assert Tensor(data).mean().shape == () and Tensor(data).mean().item() == 11.5
    assert Tensor([1.0, 2.0, 3.0, 4.0]).mean().item() == 2.5


# ----- matrix products: every rank gives NumPy's numbers ----------------------------------------

MATMUL_SHAPES = [((3, 4), (4, 5)), ((4,), (4, 5)), ((3, 4), (4,)), ((4,), (4,)), ((2, 3, 4), (4, 5)),
                 ((3, 4), (2, 4, 5)), ((2, 3, 4), (2, 4, 5)), ((4,), (2, 4, 5)), ((2, 3, 4), (4,)),
                 ((1, 3, 4), (2, 4, 2))]


@pytest.mark.parametrize("shapes", MATMUL_SHAPES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_matmul_values_are_numpys_bit_for_bit(shapes, dtype):
    """Matrices go to np.dot, every other rank to np.matmul: a batched product must not take np.dot."""
    rng = np.random.default_rng(sum(shapes[0]) * 10 + sum(shapes[1]))
    a, b = (rng.normal(size=s).astype(dtype) for s in shapes)
    out = Tensor(a, dtype=dtype) @ Tensor(b, dtype=dtype)
    expected = np.dot(a, b) if a.ndim == b.ndim == 2 else np.matmul(a, b)  # np.dot differs in the last bits for 3-D
    assert out.shape == expected.shape and out.dtype == dtype
    np.testing.assert_array_equal(out.data, expected)


def test_matmul_with_a_scalar_names_both_shapes():
    for a, b in ((Tensor(2.0), Tensor(np.ones((2, 2)))), (Tensor(np.ones(2)), Tensor(3.0))):
        with pytest.raises(ValueError, match=r"^cannot matrix-multiply tensors of shapes"):
            a @ b


# ----- reflected operators with numbers and arrays on the left ----------------------------------

def test_reflected_operators_values_and_gradients():
    x0 = np.array([[0.5, -1.5, 2.0], [4.0, -0.25, 1.0]])
    c = np.array([3.0, -2.0, 0.5])
    cases = [
        (lambda x: 2 + x, 2 + x0, np.ones_like(x0)),
        (lambda x: c + x, c + x0, np.ones_like(x0)),
        (lambda x: 2 - x, 2 - x0, -np.ones_like(x0)),
        (lambda x: c - x, c - x0, -np.ones_like(x0)),
        (lambda x: 2 * x, 2 * x0, np.full_like(x0, 2.0)),
        (lambda x: 2.5 * x, 2.5 * x0, np.full_like(x0, 2.5)),
        (lambda x: c * x, c * x0, np.broadcast_to(c, x0.shape)),
        (lambda x: 2 / x, 2 / x0, -2 / x0 ** 2),
        (lambda x: c / x, c / x0, -c / x0 ** 2),
        (lambda x: x / 4, x0 / 4, np.full_like(x0, 0.25)),
        (lambda x: x / 0.5, x0 / 0.5, np.full_like(x0, 2.0)),
    ]
    for f, value, gradient in cases:
        x = Tensor(x0, requires_grad=True, dtype=np.float64)
        y = f(x)
        np.testing.assert_allclose(y.data, value, rtol=1e-15)
        y.sum().backward()
        np.testing.assert_allclose(x.grad, gradient, rtol=1e-15)


def test_array_at_tensor_is_the_matrix_product_with_its_gradient():
    m = np.arange(8.0).reshape(4, 2) - 3
    x = Tensor(np.array([[1.0, -2.0, 0.5], [3.0, 0.25, -1.0]]), requires_grad=True, dtype=np.float64)
    y = m @ x
    assert isinstance(y, Tensor)
    np.testing.assert_array_equal(y.data, m @ x.data)
    weights = np.arange(12.0).reshape(4, 3)
    y.backward(weights)
    np.testing.assert_array_equal(x.grad, m.T @ weights)
    v = Tensor([1.0, 2.0], requires_grad=True, dtype=np.float64)
    (m @ v).sum().backward()
    np.testing.assert_array_equal(v.grad, m.sum(axis=0))


def test_integer_exponents_stay_exact_in_the_derivative():
    # p − 1 is computed on Python ints: above 2**53 a float would round it to an odd number.
    p = 2 ** 53 + 1
    x = Tensor([-1.0], requires_grad=True, dtype=np.float64)
    (x ** p).backward(np.ones(1))
    assert x.grad[0] == float(p)


def test_power_edge_exponents():
    x0 = np.array([0.5, -2.0, 3.0])
    for p, value, gradient in ((0, np.ones(3), np.zeros(3)), (1, x0, np.ones(3)), (-1, 1 / x0, -1 / x0 ** 2),
                               (-2, x0 ** -2.0, -2 * x0 ** -3.0), (2.0, x0 ** 2, 2 * x0)):
        x = Tensor(x0, requires_grad=True)
        y = x ** p
        assert y.dtype == np.float32
        np.testing.assert_allclose(y.data, value, rtol=1e-6)
        y.sum().backward()
        assert x.grad.shape == (3,) and x.grad.dtype == np.float32
        np.testing.assert_allclose(x.grad, gradient, rtol=1e-6)
    for exponent, name in ((Tensor(2.0), "Tensor"), (np.array(2.0), "ndarray"), ("2", "str")):
        with pytest.raises(TypeError, match=f"^the exponent must be a number, got {name}$"):
            Tensor([1.0]) ** exponent


def test_sigmoid_overflow_of_the_exponential_is_expected_and_silent():
    with np.errstate(over="raise"):
        for dtype in (np.float32, np.float64):
            s = Tensor([-1000.0, 0.0, 1000.0], dtype=dtype).sigmoid().data
            np.testing.assert_array_equal(s, [0.0, 0.5, 1.0])


def test_sum_of_everything_is_a_scalar_unless_keepdims():
    t = Tensor(np.ones((2, 3)))
    assert t.sum().shape == () and t.sum(keepdims=True).shape == (1, 1) and t.mean().shape == ()
