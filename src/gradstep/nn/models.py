"""The chapter's models, each a Sequential with PyTorch's state_dict keys.

- linear_model(days):            y = b + Σj wj xj
- sigmoid_network(days, units):  y = b + cᵀ σ(b + W x)
- relu_network(days, units, layers): ``layers`` layers of ``units`` ReLUs, then one output
"""

from __future__ import annotations

import numpy as np

from .layers import Dropout, Linear, ReLU, Sigmoid
from .container import Sequential


def _generator(seed: int | None, rng: np.random.Generator | None) -> np.random.Generator | None:
    if rng is not None:
        return rng
    return None if seed is None else np.random.default_rng(seed)


def linear_model(days: int, dtype=None, seed: int | None = None, rng: np.random.Generator | None = None) -> Sequential:
    """y = b + Σj wj xj over the previous ``days`` days."""
    return Sequential(Linear(days, 1, dtype=dtype, rng=_generator(seed, rng)))


def sigmoid_network(days: int, units: int, dtype=None, seed: int | None = None,
                    rng: np.random.Generator | None = None) -> Sequential:
    """y = b + Σi ci σ(bi + Σj wij xj) = b + cᵀσ(b + W x) with ``units`` sigmoids."""
    rng = _generator(seed, rng)
    return Sequential(Linear(days, units, dtype=dtype, rng=rng), Sigmoid(), Linear(units, 1, dtype=dtype, rng=rng))


def relu_network(days: int, units: int, layers: int = 1, dtype=None, seed: int | None = None,
                 rng: np.random.Generator | None = None, dropout: float = 0.0,
                 dropout_rng: np.random.Generator | None = None) -> Sequential:
    """``layers`` hidden layers a = relu(b + W x) of ``units`` ReLUs each (each followed by Dropout(p) when
    ``dropout`` > 0), then y = b + cᵀ a. Weights come from ``seed``/``rng``; dropout masks from
    ``dropout_rng`` (gradstep's default generator when None), never from the weights' stream."""
    if layers < 1:
        raise ValueError(f"a ReLU network needs at least 1 layer, got {layers}")
    rng = _generator(seed, rng)
    modules = []
    width = days
    for _ in range(layers):
        modules += [Linear(width, units, dtype=dtype, rng=rng), ReLU()]
        if dropout:
            modules.append(Dropout(dropout, rng=dropout_rng))
        width = units
    modules.append(Linear(width, 1, dtype=dtype, rng=rng))
    return Sequential(*modules)


def lag_model(days: int, lag: int, dtype=None) -> Sequential:
    """y = x_lag: the value ``lag`` days before (naive: lag 1; seasonal naive: lag 7) as a linear model over
    ``days`` days with w_lag = 1, every other weight and b = 0. With one mean and spread standardising
    inputs and targets alike, it predicts the same in views as in standardised units."""
    model = linear_model(days, dtype=dtype, seed=0)
    weight = np.zeros((1, days))
    weight[0, lag - 1] = 1.0
    model.load_state_dict({"0.weight": weight, "0.bias": np.zeros(1)})
    return model
