"""A speed-up that never changes results: a Linear, and the activation after it, as one graph node.

Module by module, ``Linear`` then ``ReLU`` is three graph nodes (x @ Wᵀ, + b, relu). ``plan`` lets a
Sequential run such a pair — or a lone Linear — as one node, ``functional.linear(x, W, b, activation)``,
which makes the same NumPy calls in the same order, so values and gradients agree bit for bit
(tests/nn/test_fused.py checks it for every builder, loss and dtype). A module is fused only when it
is exactly one of these classes, its class's ``forward`` is the one defined here, and it has no
``forward`` of its own: any override, on a subclass or an instance, is always the one that runs.
"""

from __future__ import annotations

import functools

from . import functional
from .layers import Linear, ReLU, Sigmoid, Tanh

ACTIVATION_OF = {ReLU: "relu", Sigmoid: "sigmoid", Tanh: "tanh"}
_FORWARD = {kind: kind.forward for kind in (Linear, *ACTIVATION_OF)}


def _plain(module, kind) -> bool:
    return type(module) is kind and kind.forward is _FORWARD[kind] and "forward" not in module.__dict__


def _fused_linear(linear: Linear, activation: str | None, x):
    """activation(x Wᵀ + b) as one node for a 2-D batch x; any other shape runs the modules one by one."""
    if x.data.ndim != 2:
        out = linear.forward(x)
        return out if activation is None else out._activation(activation)
    return functional.linear(x, linear.weight, linear.bias, activation)


def plan(modules: list) -> tuple:
    """The forward pass as callables: each module, or a fused Linear (+ activation) bound to its Linear."""
    steps = []
    index = 0
    while index < len(modules):
        layer = modules[index]
        following = modules[index + 1] if index + 1 < len(modules) else None
        if not _plain(layer, Linear):
            steps.append(layer)
            index += 1
            continue
        activation = next((name for kind, name in ACTIVATION_OF.items() if _plain(following, kind)), None)
        steps.append(functools.partial(_fused_linear, layer, activation))
        index += 1 if activation is None else 2
    return tuple(steps)
