"""The chapter's layers: Linear, its activations (ReLU, Sigmoid, HardSigmoid, Tanh), Dropout."""

from __future__ import annotations

import math

import numpy as np

from ..random import default_generator
from ..tensor import Tensor, _float_dtype
from . import functional
from .module import Module, Parameter


class Linear(Module):
    """y = x Wᵀ + b with W of shape (out_features, in_features), as torch.nn.Linear.

    Initialised as PyTorch does (Kaiming-uniform with a = √5): W and b uniform in ±1/√in_features,
    drawn from ``rng`` (gradstep's seeded default generator when none is given).
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, dtype=None,
                 rng: np.random.Generator | None = None):
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        rng = default_generator() if rng is None else rng
        dtype = _float_dtype(dtype)
        bound = 1 / math.sqrt(in_features) if in_features > 0 else 0.0
        self.weight = Parameter(rng.uniform(-bound, bound, (out_features, in_features)), dtype=dtype)
        self.bias = Parameter(rng.uniform(-bound, bound, out_features), dtype=dtype) if bias else None

    def forward(self, x: Tensor) -> Tensor:
        """y = x Wᵀ + b."""
        y = x @ self.weight.T
        return y if self.bias is None else y + self.bias

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class ReLU(Module):
    """max(0, z)."""

    def forward(self, x: Tensor) -> Tensor:
        return x.relu()


class Sigmoid(Module):
    """σ(z) = 1 / (1 + e^−z)."""

    def forward(self, x: Tensor) -> Tensor:
        return x.sigmoid()


class HardSigmoid(Module):
    """clip(z, 0, 1) = relu(z) − relu(z − 1) (the chapter's hard sigmoid, not PyTorch's relu6(z+3)/6)."""

    def forward(self, x: Tensor) -> Tensor:
        return x.hard_sigmoid()


class Tanh(Module):
    """tanh(z)."""

    def forward(self, x: Tensor) -> Tensor:
        return x.tanh()


class Identity(Module):
    """z unchanged."""

    def forward(self, x: Tensor) -> Tensor:
        return x


class Dropout(Module):
    """In training mode, zero each value with probability p and scale the rest by 1/(1 − p); in eval mode, identity."""

    def __init__(self, p: float = 0.5, rng: np.random.Generator | None = None):
        super().__init__()
        if not 0 <= p <= 1:
            raise ValueError(f"dropout probability must be between 0 and 1, got {p}")
        self.p = p
        self.rng = rng

    def forward(self, x: Tensor) -> Tensor:
        if not self.training:
            return x
        return functional.dropout(x, self.p, default_generator() if self.rng is None else self.rng)

    def extra_repr(self) -> str:
        return f"p={self.p}"
