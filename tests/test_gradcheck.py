"""gradcheck itself: central differences, tolerances, the failure message, and any memory layout."""

import re

import numpy as np
import pytest

from gradstep import Tensor
from gradstep.gradcheck import gradcheck, numerical_gradient
from gradstep.tensor import op


def leaf(shape, seed, low=-2.0, high=2.0):
    return Tensor(np.random.default_rng(seed).uniform(low, high, shape), requires_grad=True, dtype=np.float64)


def product(offset_a=0.0, offset_b=0.0):
    """a·b elementwise with a backward that adds the given offsets (arrays or numbers) to the true gradients."""
    def f(a, b):
        return op(a.data * b.data, (a, b), lambda g: (g * b.data + offset_a, g * a.data + offset_b))
    return f


def test_central_difference_of_a_cubic_is_3x2_plus_eps2_and_inputs_are_restored():
    # ((x + ε)³ − (x − ε)³) / 2ε = 3x² + ε² exactly: a one-sided or wrongly scaled difference is off by O(ε).
    x = leaf((2, 3), 0)
    before = x.data.copy()
    (numeric,) = numerical_gradient(lambda a: a ** 3, [x], eps=1e-2)
    np.testing.assert_allclose(numeric, 3 * before ** 2 + 1e-4, rtol=0, atol=1e-10)
    np.testing.assert_array_equal(x.data, before)
    assert numeric.shape == x.shape and numeric.dtype == np.float64


def test_eps_is_the_finite_difference_step():
    x = leaf((2, 3), 15)
    assert gradcheck(lambda a: a ** 3, [x], eps=1e-3, atol=1e-5) == pytest.approx(1e-6, rel=1e-4)  # the ε² error
    with pytest.raises(AssertionError, match="gradient of input 0"):
        gradcheck(lambda a: a ** 3, [x], eps=1e-2)


def test_correct_gradients_pass_with_the_default_tolerances():
    a, b = leaf((3, 4), 1), leaf((4,), 2, 0.5, 2.0)
    worst = gradcheck(lambda a, b: (a * b).exp() / b + a ** 3, [a, b])
    assert 0 <= worst < 1e-6
    np.testing.assert_allclose(a.grad, b.data * np.exp(a.data * b.data) / b.data + 3 * a.data ** 2, rtol=1e-12)


def test_a_wrong_derivative_fails_naming_the_input_and_the_worst_element():
    a, b = leaf((2, 3), 3), leaf((2, 3), 4)
    bump = np.zeros((2, 3))
    bump[1, 2], bump[0, 0] = 1e-3, 1e-4
    with pytest.raises(AssertionError) as error:
        gradcheck(product(offset_b=bump), [a, b])
    match = re.fullmatch(r"gradient of input 1 \(shape \(2, 3\)\) is wrong at \(1, 2\): "
                         r"autograd (\S+), finite differences (\S+)", str(error.value))
    assert match, str(error.value)
    assert match[1] == f"{a.data[1, 2] + 1e-3:.10g}"
    assert float(match[2]) == pytest.approx(a.data[1, 2], abs=1e-8)
    with pytest.raises(AssertionError, match=r"^gradient of input 0 \(shape \(2, 3\)\) is wrong at \(0, 0\)"):
        gradcheck(product(offset_a=bump[::-1, ::-1]), [a, b])


def test_the_negative_control_with_a_wrong_op_built_by_op():
    def wrong_square(a):  # d(a²)/da written as a instead of 2a
        return op(a.data ** 2, (a,), lambda g: (g * a.data,))
    with pytest.raises(AssertionError, match="gradient of input 0"):
        gradcheck(wrong_square, [leaf((3,), 5, 0.5, 2.0)])


def test_returns_the_largest_difference_over_all_inputs():
    a, b = leaf((3,), 6), leaf((3,), 7)
    assert gradcheck(product(2e-7, 5e-7), [a, b]) == pytest.approx(5e-7, abs=1e-9)
    assert gradcheck(product(5e-7, 2e-7), [a, b]) == pytest.approx(5e-7, abs=1e-9)
    assert gradcheck(lambda a: a * 0.0, [leaf((0, 3), 8)]) == 0.0


def test_tolerance_is_absolute_plus_relative_to_the_numerical_gradient():
    big = 1e3

    def scaled(error):
        return lambda a: op(a.data * big, (a,), lambda g: (g * big * (1 + error),))
    a = leaf((4,), 9)
    assert gradcheck(scaled(1e-7), [a], atol=0, rtol=1e-5) == pytest.approx(1e-4, abs=1e-5)
    with pytest.raises(AssertionError):
        gradcheck(scaled(1e-7), [a], atol=1e-6, rtol=0)
    with pytest.raises(AssertionError):
        gradcheck(scaled(1e-4), [a])
    assert gradcheck(lambda a: a * 0.0, [a], atol=0, rtol=0) == 0.0  # exact agreement passes at zero tolerance


def test_inputs_without_a_gradient():
    a, ignored = Tensor([0.5, -3.0], requires_grad=True, dtype=np.float64), leaf((3,), 11)
    assert gradcheck(lambda a, b: a.exp(), [a, ignored]) < 1e-6
    assert ignored.grad is None
    constant = Tensor([1.0, 2.0], dtype=np.float64)  # used by f but not tracked: autograd gives it nothing
    with pytest.raises(AssertionError, match=r"^gradient of input 1 \(shape \(2,\)\) is wrong at \(1,\): autograd 0,"):
        gradcheck(lambda a, c: a * c, [a, constant])


def test_stale_gradients_are_cleared_before_the_check():
    a = leaf((3,), 12)
    a.grad = np.full(3, 100.0)
    gradcheck(lambda a: a ** 2, [a])
    np.testing.assert_allclose(a.grad, 2 * a.data, rtol=1e-15)


def test_scalar_inputs():
    a = Tensor(1.5, requires_grad=True, dtype=np.float64)
    assert gradcheck(lambda a: a ** 3, [a]) < 1e-6
    with pytest.raises(AssertionError, match=r"wrong at \(\): autograd 2.25,"):
        gradcheck(lambda a: op(a.data ** 3, (a,), lambda g: (g * a.data ** 2,)), [a])


def layouts():
    base = np.random.default_rng(13).uniform(-2, 2, (6, 4))
    fortran = np.asfortranarray(base[:3])
    assert fortran.flags.f_contiguous and not fortran.flags.c_contiguous
    return {"fortran": fortran, "transposed view": base[:4, :3].T, "strided view": base[::2]}


@pytest.mark.parametrize("layout", ["fortran", "transposed view", "strided view"])
def test_any_memory_layout_is_perturbed_in_place(layout):
    """Regression: reshape(-1) copies a non-C-contiguous array, so perturbing the copy changed nothing."""
    x = Tensor(np.zeros((3, 4)), requires_grad=True, dtype=np.float64)
    x.data = data = layouts()[layout]  # kept as given (Tensor() would keep Fortran order too)
    assert data.shape == (3, 4) and not data.flags.c_contiguous
    before = data.copy()
    weights = Tensor(np.arange(1.0, 13.0).reshape(3, 4) / 7, dtype=np.float64)
    f = lambda a: (a * weights) ** 3  # noqa: E731 - position-dependent, so a transposed gradient fails too
    (numeric,) = numerical_gradient(f, [x])
    np.testing.assert_allclose(numeric, 3 * before ** 2 * weights.data ** 3, rtol=1e-6, atol=1e-8)
    assert gradcheck(f, [x]) < 1e-6
    assert x.data is data
    np.testing.assert_array_equal(data, before)


def test_a_fortran_ordered_tensor_built_by_the_constructor():
    x = Tensor(np.asfortranarray(np.random.default_rng(14).normal(size=(2, 5))), requires_grad=True, dtype=np.float64)
    assert not x.data.flags.c_contiguous
    assert gradcheck(lambda a: a.tanh() * Tensor(np.arange(10.0).reshape(2, 5), dtype=np.float64), [x]) < 1e-6


def test_a_nan_gradient_fails_the_check():
    """A NaN compares false with any tolerance; the check must not read that as "close enough"."""
    from gradstep.tensor import op
    x = Tensor([1.0, 2.0], requires_grad=True, dtype=np.float64)
    with pytest.raises(AssertionError, match="gradient of input 0 .* is wrong at \\(0,\\)"):
        gradcheck(lambda a: op(a.data * 2, (a,), lambda g: (g * np.nan,)), [x])
    with pytest.raises(AssertionError):
        gradcheck(lambda a: a * np.nan, [x])
