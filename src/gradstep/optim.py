"""Optimizers: each step moves every parameter against its gradient, θ ← θ − η·(update).

- SGD:   θ ← θ − lr·g, with momentum v ← μv + g (Nesterov: g + μv) and weight decay g ← g + λθ (L2)
- Adam:  m ← β1 m + (1 − β1) g, v ← β2 v + (1 − β2) g², θ ← θ − lr·m̂ / (√v̂ + ε)
- AdamW: Adam with decoupled weight decay θ ← θ(1 − lr·λ)
Parameters come in groups, as torch.optim's, so a group (the biases, say) can have its own weight decay.
The formulas, defaults and state_dict layout follow torch.optim, so results agree step by step.
"""

from __future__ import annotations

import abc
import math

import numpy as np

from .tensor import Tensor


class Optimizer(abc.ABC):
    """Holds the parameters in groups, their per-parameter state, and each group's hyperparameters.

    ``parameters`` is an iterable of tensors (one group with ``defaults``) or, as in torch.optim, of
    dicts {"params": [...], "weight_decay": ...} whose keys override the defaults for that group.
    """

    def __init__(self, parameters, defaults: dict):
        items = list(parameters)
        groups = items if items and isinstance(items[0], dict) else [{"params": items}]
        self.defaults = dict(defaults)
        self.param_groups = []
        for group in groups:
            unknown = set(group) - set(defaults) - {"params"}
            if unknown:
                raise ValueError(f"unknown optimizer setting {', '.join(sorted(unknown))} in a parameter group")
            self.param_groups.append({**self.defaults, **group, "params": list(group["params"])})
        self.params = [parameter for group in self.param_groups for parameter in group["params"]]
        if not self.params:
            raise ValueError("the optimizer got an empty parameter list: pass model.parameters()")
        self.state: dict[int, dict] = {}

    @property
    def lr(self) -> float:
        return self.param_groups[0]["lr"]

    @lr.setter
    def lr(self, value: float) -> None:
        for group in self.param_groups:
            group["lr"] = value

    def zero_grad(self) -> None:
        """Forget the gradients (set ``.grad`` to None, as PyTorch's default)."""
        for parameter in self.params:
            parameter.grad = None

    def step(self) -> None:
        """One update of every parameter that has a gradient, in place."""
        state = self.state
        index = 0
        for group in self.param_groups:
            update = self._update_rule(group)
            for parameter in group["params"]:
                grad = parameter.grad
                if grad is not None:
                    if index not in state:
                        state[index] = {}
                    update(parameter, grad, state[index])
                index += 1

    @abc.abstractmethod
    def _update_rule(self, group: dict):
        """update(parameter, grad, state) with the group's hyperparameters read once."""

    def state_dict(self) -> dict:
        """{"state": {index: {name: array or number}}, "param_groups": [hyperparameters + "params"]} as torch."""
        state = {index: {key: (value.copy() if isinstance(value, np.ndarray) else value) for key, value in s.items()}
                 for index, s in self.state.items()}
        groups, start = [], 0
        for group in self.param_groups:
            size = len(group["params"])
            groups.append(dict(group, params=list(range(start, start + size))))
            start += size
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore hyperparameters and per-parameter state saved by ``state_dict()``."""
        saved = state_dict["param_groups"]
        if [len(g["params"]) for g in saved] != [len(g["params"]) for g in self.param_groups]:
            raise ValueError(f"the saved optimizer state has groups of {[len(g['params']) for g in saved]} "
                             f"parameters, this optimizer has {[len(g['params']) for g in self.param_groups]}")
        for group, values in zip(self.param_groups, saved):
            group.update({key: value for key, value in values.items() if key != "params"})
        self.state = {int(index): {key: (np.array(value, dtype=self.params[int(index)].dtype)
                                         if isinstance(value, np.ndarray) else value) for key, value in s.items()}
                      for index, s in state_dict["state"].items()}


class SGD(Optimizer):
    """Stochastic gradient descent: θ ← θ − lr·g, optionally with momentum, Nesterov and L2 weight decay."""

    def __init__(self, parameters, lr: float, momentum: float = 0.0, dampening: float = 0.0,
                 weight_decay: float = 0.0, nesterov: bool = False):
        if lr <= 0:
            raise ValueError(f"the learning rate must be positive, got {lr}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum needs momentum > 0 and dampening = 0")
        super().__init__(parameters, dict(lr=lr, momentum=momentum, dampening=dampening,
                                          weight_decay=weight_decay, nesterov=nesterov))

    def _update_rule(self, group):
        lr, momentum, dampening = group["lr"], group["momentum"], group["dampening"]
        decay, nesterov = group["weight_decay"], group["nesterov"]

        def update(parameter, grad, state):
            if decay:
                grad = grad + decay * parameter.data
            if momentum:
                buffer = state.get("momentum_buffer")
                if buffer is None:
                    buffer = state["momentum_buffer"] = np.array(grad, copy=True)
                else:
                    buffer *= momentum
                    buffer += (1 - dampening) * grad
                grad = grad + momentum * buffer if nesterov else buffer
            parameter.data -= lr * grad
        return update


class Adam(Optimizer):
    """Adam: θ ← θ − lr·m̂/(√v̂ + ε), m and v running averages of g and g² (L2 weight decay on g)."""

    decoupled = False

    def __init__(self, parameters, lr: float = 1e-3, betas: tuple = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0):
        if lr <= 0:
            raise ValueError(f"the learning rate must be positive, got {lr}")
        super().__init__(parameters, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay))

    def _update_rule(self, group):
        lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
        decay, decoupled = group["weight_decay"], self.decoupled

        def update(parameter, grad, state):
            if decay:
                if decoupled:
                    parameter.data *= 1 - lr * decay
                else:
                    grad = grad + decay * parameter.data
            if not state:
                state["step"] = 0
                state["exp_avg"] = np.zeros_like(parameter.data)
                state["exp_avg_sq"] = np.zeros_like(parameter.data)
            state["step"] += 1
            m, v, t = state["exp_avg"], state["exp_avg_sq"], state["step"]
            m *= beta1
            m += (1 - beta1) * grad
            v *= beta2
            v += (1 - beta2) * grad * grad
            denominator = np.sqrt(v) / math.sqrt(1 - beta2 ** t)
            denominator += eps
            parameter.data -= (lr / (1 - beta1 ** t)) * m / denominator
        return update


class AdamW(Adam):
    """Adam with decoupled weight decay: θ ← θ(1 − lr·λ) before the Adam step (λ = 0.01 by default)."""

    decoupled = True

    def __init__(self, parameters, lr: float = 1e-3, betas: tuple = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2):
        super().__init__(parameters, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)


def flush_denormal(optimizer: Optimizer) -> int:
    """Set every parameter value and optimizer state value below the smallest normal float to 0 (the trainer
    calls it once per epoch; torch.set_flush_denormal(True) does it in hardware on every operation): weights that decay towards 0 (L2, dead ReLUs) otherwise become subnormal,
    and each product with a subnormal number is many times slower. Returns how many values were flushed."""
    arrays = [parameter.data for parameter in optimizer.params]
    arrays += [value for state in optimizer.state.values() for value in state.values() if isinstance(value, np.ndarray)]
    flushed = 0
    for array in arrays:
        if array.dtype.kind == "f" and array.size:
            small = np.abs(array) < np.finfo(array.dtype).tiny
            small &= array != 0
            count = int(np.count_nonzero(small))
            if count:
                array[small] = 0
                flushed += count
    return flushed


def l1_penalty(parameters, strength: float) -> Tensor:
    """λ Σ |w| over the given parameters: add it to the loss for L1 regularisation."""
    total = None
    for parameter in parameters:
        term = parameter.abs().sum()
        total = term if total is None else total + term
    if total is None:
        raise ValueError("l1_penalty got no parameters")
    return total * strength


OPTIMIZERS = {"sgd": SGD, "adam": Adam, "adamw": AdamW}
