"""The loss L(θ): how far the predictions y are from the true values ŷ, averaged over the batch.

Each is one node of the graph with its own backward, as a function and as a Module:
- mae:   L = mean |y − ŷ|                      (the lecture's e = |y − ŷ|; ∂L/∂y = sign(y − ŷ)/N)
- mse:   L = mean (y − ŷ)²                     (∂L/∂y = 2(y − ŷ)/N)
- huber: L = mean of ½e² where |e| < δ, else δ(|e| − ½δ)   (∂L/∂y = clip(e, −δ, δ)/N)
"""

from __future__ import annotations

import numpy as np

from .nn.module import Module
from .tensor import Tensor, _constant, op


def _residual(prediction: Tensor, target) -> tuple[Tensor, Tensor, np.ndarray]:
    target = _constant(target, prediction.data.dtype)
    if prediction.data.shape != target.data.shape:
        raise ValueError(f"the prediction has shape {prediction.shape} but the target has shape {target.shape}; "
                         "give both the same shape (e.g. (N, 1)) so no broadcasting mixes rows")
    return prediction, target, prediction.data - target.data


def _loss(prediction: Tensor, target: Tensor, value, gradient) -> Tensor:
    """A scalar loss node; ``gradient(k)`` is k·∂L/∂y, passed to the prediction and negated to the target."""
    def backward(g):
        d = gradient(float(g))
        return (d if prediction.requires_grad else None, -d if target.requires_grad else None)
    return op(np.array(value, dtype=prediction.data.dtype), (prediction, target), backward)


def mae(prediction: Tensor, target) -> Tensor:
    """L = (1/N) Σ |y − ŷ|, the mean absolute error."""
    prediction, target, e = _residual(prediction, target)
    return _loss(prediction, target, np.abs(e).mean(), lambda k: np.sign(e) * (k / e.size))


def mse(prediction: Tensor, target) -> Tensor:
    """L = (1/N) Σ (y − ŷ)², the mean squared error (Σ e² as the dot product e·e)."""
    prediction, target, e = _residual(prediction, target)
    return _loss(prediction, target, np.vdot(e, e) / e.size, lambda k: e * (2.0 * k / e.size))


def huber(prediction: Tensor, target, delta: float = 1.0) -> Tensor:
    """L = (1/N) Σ [½e² if |e| < δ else δ(|e| − ½δ)], e = y − ŷ: MSE near 0, MAE far out."""
    prediction, target, e = _residual(prediction, target)
    size = np.abs(e)
    value = np.where(size < delta, 0.5 * e * e, delta * (size - 0.5 * delta)).mean()
    return _loss(prediction, target, value, lambda k: np.clip(e, -delta, delta) * (k / e.size))


class MAELoss(Module):
    """The mean absolute error as a Module (PyTorch's L1Loss)."""

    def forward(self, prediction: Tensor, target) -> Tensor:
        return mae(prediction, target)


class MSELoss(Module):
    """The mean squared error as a Module."""

    def forward(self, prediction: Tensor, target) -> Tensor:
        return mse(prediction, target)


class HuberLoss(Module):
    """The Huber loss with threshold δ as a Module."""

    def __init__(self, delta: float = 1.0):
        super().__init__()
        self.delta = delta

    def forward(self, prediction: Tensor, target) -> Tensor:
        return huber(prediction, target, self.delta)

    def extra_repr(self) -> str:
        return f"delta={self.delta}"


LOSSES = {"mae": mae, "mse": mse, "huber": huber}
