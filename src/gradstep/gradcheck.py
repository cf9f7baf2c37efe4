"""Check autograd against central finite differences: ∂f/∂x ≈ (f(x + ε) − f(x − ε)) / 2ε."""

from __future__ import annotations

import numpy as np

from .tensor import Tensor


def numerical_gradient(f, inputs: list[Tensor], eps: float = 1e-6) -> list[np.ndarray]:
    """Central differences of the scalar Σ f(inputs) with respect to every element of every input.

    ∂f/∂x ≈ (f(x + ε) − f(x − ε)) / 2ε for each element x. Elements are perturbed through index
    tuples on ``tensor.data`` itself, so any memory layout (C, Fortran, a strided or transposed
    view) works: a flattening ``reshape`` would copy a non-contiguous array and perturb the copy.
    """
    gradients = []
    for tensor in inputs:
        data = tensor.data
        gradient = np.zeros_like(data)
        for at in np.ndindex(data.shape):
            saved = data[at]
            data[at] = saved + eps
            up = float(f(*inputs).data.sum())
            data[at] = saved - eps
            down = float(f(*inputs).data.sum())
            data[at] = saved
            gradient[at] = (up - down) / (2 * eps)
        gradients.append(gradient)
    return gradients


def gradcheck(f, inputs: list[Tensor], eps: float = 1e-6, atol: float = 1e-6, rtol: float = 1e-5) -> float:
    """Compare backward() of Σ f(inputs) with central differences (use float64 inputs).

    Returns the largest absolute difference; raises AssertionError naming the input and the
    worst element when any difference exceeds atol + rtol·|numerical| or is not a number (a NaN gradient).
    """
    for tensor in inputs:
        tensor.grad = None
    f(*inputs).sum().backward()
    worst = 0.0
    for index, (tensor, numeric) in enumerate(zip(inputs, numerical_gradient(f, inputs, eps))):
        analytic = np.zeros_like(tensor.data) if tensor.grad is None else tensor.grad
        difference = np.abs(analytic - numeric)
        worst = max(worst, float(difference.max(initial=0.0)))
        bad = ~(difference <= atol + rtol * np.abs(numeric))
        if bad.any():
            at = tuple(int(i) for i in np.unravel_index(np.argmax(difference), difference.shape))
            raise AssertionError(f"gradient of input {index} (shape {tensor.shape}) is wrong at {at}: "
                                 f"autograd {analytic[at]:.10g}, finite differences {numeric[at]:.10g}")
    return worst
