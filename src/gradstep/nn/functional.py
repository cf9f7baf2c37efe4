"""The layers' operations as functions, each one node of the graph with its own backward."""

from __future__ import annotations

import math

import numpy as np

from ..tensor import ACTIVATIONS, Tensor, op


def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None, activation: str | None = None) -> Tensor:
    """y = f(z), z = x Wᵀ + b, with f the identity or ``activation`` ("relu", "sigmoid", "tanh"), as one node.

    ∂/∂z = g·f′(z) (from y, see ``ACTIVATIONS``), then ∂/∂x = (∂/∂z) W, ∂/∂W = (∂/∂z)ᵀ x,
    ∂/∂b = Σ_rows ∂/∂z. x is (…, in), W is (out, in). The activation is applied in place to the
    fresh product, so fusing it saves a graph node and an array. Every product is the np.dot call
    that ``x @ W.T + b`` and the activation's node would make (∂/∂W as (xᵀ ∂/∂z)ᵀ, as the transpose
    node gives it), so for a 2-D batch the fused node's numbers are those of the modules one by one, bit
    for bit (a Sequential fuses 2-D batches only).
    """
    xd, w = x.data, weight.data
    if xd.shape[-1:] != w.shape[1:]:
        raise ValueError(f"cannot apply a linear layer with weight of shape {w.shape} "
                         f"(out_features, in_features) to input of shape {xd.shape}")
    x2 = xd if xd.ndim == 2 else xd.reshape(math.prod(xd.shape[:-1]), xd.shape[-1])
    y = np.dot(x2, w.T)
    if bias is not None:
        y += bias.data
    if activation is not None:
        forward, slope = ACTIVATIONS[activation]
        forward(y, y)

    def backward(g):
        g2 = g if g.ndim == 2 else g.reshape(y.shape)
        if activation is not None:
            g2 = slope(y, g2)
        gx = gw = gb = None
        if x.requires_grad:
            gx = np.dot(g2, w)
            if xd.ndim != 2:
                gx = gx.reshape(xd.shape)
        if weight.requires_grad:
            gw = np.dot(g2.T, x2)
        if bias is not None and bias.requires_grad:
            gb = np.add.reduce(g2, axis=0)
        return gx, gw, gb
    parents = (x, weight) if bias is None else (x, weight, bias)
    return op(y if xd.ndim == 2 else y.reshape(xd.shape[:-1] + (w.shape[0],)), parents, backward)


def dropout(x: Tensor, p: float, rng: np.random.Generator) -> Tensor:
    """Zero each value with probability p and scale the rest by 1/(1 − p), so the mean is kept."""
    if p == 0:
        return x
    if p == 1:
        return x * 0.0
    keep = (rng.random(x.shape) >= p) * np.asarray(1.0 / (1.0 - p), dtype=x.dtype)
    return op(x.data * keep, (x,), lambda g: (g * keep,))
