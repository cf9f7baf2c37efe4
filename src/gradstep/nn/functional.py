"""The layers' operations as functions, each one node of the graph with its own backward."""

from __future__ import annotations

import numpy as np

from ..tensor import Tensor, matmul, op


def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = x Wᵀ + b; ∂/∂x = g W, ∂/∂W = gᵀ x, ∂/∂b = Σ_rows g. x is (…, in), W is (out, in)."""
    if x.shape[-1:] != weight.shape[1:]:
        raise ValueError(f"cannot apply a linear layer with weight of shape {weight.shape} "
                         f"(out_features, in_features) to input of shape {x.shape}")
    xd, w = x.data, weight.data
    x2 = xd.reshape(-1, xd.shape[-1]) if xd.ndim != 2 else xd
    out = matmul(x2, w.T)
    if bias is not None:
        out += bias.data
    if xd.ndim != 2:
        out = out.reshape(xd.shape[:-1] + (w.shape[0],))

    def backward(g):
        g2 = g.reshape(-1, w.shape[0]) if g.ndim != 2 else g
        gx = matmul(g2, w).reshape(xd.shape) if x.requires_grad else None
        gw = matmul(g2.T, x2) if weight.requires_grad else None
        gb = g2.sum(axis=0) if bias is not None and bias.requires_grad else None
        return gx, gw, gb
    parents = (x, weight) if bias is None else (x, weight, bias)
    return op(out, parents, backward)


def dropout(x: Tensor, p: float, rng: np.random.Generator) -> Tensor:
    """Zero each value with probability p and scale the rest by 1/(1 − p), so the mean is kept."""
    if p == 0:
        return x
    if p == 1:
        return x * 0.0
    keep = (rng.random(x.shape) >= p) * np.asarray(1.0 / (1.0 - p), dtype=x.dtype)
    return op(x.data * keep, (x,), lambda g: (g * keep,))
