"""Module: a model built from Parameters and sub-modules, with PyTorch's bookkeeping.

Assigning a Parameter or a Module to an attribute registers it under that name, so
``named_parameters()`` and ``state_dict()`` give PyTorch's keys ("0.weight", "hidden.bias", …).
"""

from __future__ import annotations

import itertools
from collections import OrderedDict

import numpy as np

from ..tensor import Tensor

_forward_assignments = itertools.count()
overrides = next(_forward_assignments)



class Parameter(Tensor):
    """A tensor that is a learnable part of a Module: it always requires a gradient."""

    __slots__ = ()

    def __init__(self, data, dtype=None):
        super().__init__(data, requires_grad=True, dtype=dtype)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


def _note_forward_override() -> None:
    """Count a ``forward`` assigned to a module or a module class, so any plan made before it (Sequential's fast
    path) is made again."""
    global overrides
    overrides = next(_forward_assignments)


class _ModuleType(type):
    """The type of module classes: assigning ``SomeModule.forward`` counts as an override too."""

    def __setattr__(cls, name, value):
        if name == "forward":
            _note_forward_override()
        super().__setattr__(name, value)


class Module(metaclass=_ModuleType):
    """Base class of every layer and model: override ``forward``; call the module to run it.

    Assigning a new Parameter or Module to a registered name keeps its place, as PyTorch does, so a
    replaced layer of a Sequential runs where the old one did.
    """

    def __init__(self):
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "training", True)

    def __setattr__(self, name, value):
        if "_parameters" not in self.__dict__:
            raise AttributeError(f"call Module.__init__() in {type(self).__name__}.__init__ before assigning {name!r}")
        if name == "forward":
            _note_forward_override()
        parameters, modules = self._parameters, self._modules
        if isinstance(value, Parameter):
            modules.pop(name, None)
            parameters[name] = value
        elif isinstance(value, Module):
            parameters.pop(name, None)
            modules[name] = value
        else:
            parameters.pop(name, None)
            modules.pop(name, None)
        object.__setattr__(self, name, value)

    def __delattr__(self, name):
        self._parameters.pop(name, None)
        self._modules.pop(name, None)
        object.__delattr__(self, name)

    def forward(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    def named_modules(self, prefix: str = ""):
        """(name, module) for this module and every module inside it, depth first."""
        yield prefix, self
        for name, module in self._modules.items():
            yield from module.named_modules(f"{prefix}.{name}" if prefix else name)

    def children(self):
        """The direct sub-modules."""
        return iter(self._modules.values())

    def _parameter_slots(self, prefix: str = ""):
        """(dotted name, Parameter) for every place a parameter is registered; a shared one appears under each name."""
        for module_name, module in self.named_modules(prefix):
            for name, parameter in module._parameters.items():
                if parameter is not None:
                    yield (f"{module_name}.{name}" if module_name else name), parameter

    def named_parameters(self, prefix: str = ""):
        """(dotted name, Parameter) for every parameter, each once, in registration order."""
        seen = set()
        for name, parameter in self._parameter_slots(prefix):
            if id(parameter) not in seen:
                seen.add(id(parameter))
                yield name, parameter

    def parameters(self):
        """Every Parameter, each once."""
        return (parameter for _, parameter in self.named_parameters())

    def zero_grad(self) -> None:
        """Forget the accumulated gradients (set ``.grad`` to None, as PyTorch's default)."""
        for parameter in self.parameters():
            parameter.grad = None

    def train(self, mode: bool = True) -> "Module":
        """Training mode (dropout active) for this module and all inside it."""
        for _, module in self.named_modules():
            object.__setattr__(module, "training", mode)
        return self

    def eval(self) -> "Module":
        """Evaluation mode (dropout off)."""
        return self.train(False)

    def state_dict(self) -> "OrderedDict[str, np.ndarray]":
        """A copy of every parameter under PyTorch's key names, e.g. "0.weight" (a shared one under each name)."""
        return OrderedDict((name, parameter.data.copy()) for name, parameter in self._parameter_slots())

    def load_state_dict(self, state_dict, strict: bool = True) -> tuple[list, list]:
        """Copy values into the parameters (keeping their dtype); returns (missing, unexpected).

        With ``strict`` any missing, unexpected or wrongly shaped key is an error that lists them all;
        without it, matching keys are loaded and wrong shapes are still an error.
        """
        own = OrderedDict(self._parameter_slots())
        arrays = {key: np.asarray(value.data if isinstance(value, Tensor) else value) for key, value in state_dict.items()}
        missing = [key for key in own if key not in arrays]
        unexpected = [key for key in arrays if key not in own]
        wrong = [f"{key} expected {own[key].shape}, got {arrays[key].shape}"
                 for key in own if key in arrays and arrays[key].shape != own[key].shape]
        if wrong or (strict and (missing or unexpected)):
            problems = []
            if missing:
                problems.append("missing keys: " + ", ".join(missing))
            if unexpected:
                problems.append("unexpected keys: " + ", ".join(unexpected))
            if wrong:
                problems.append("wrong shapes: " + "; ".join(wrong))
            raise ValueError(f"cannot load state_dict into {type(self).__name__}: " + "; ".join(problems))
        for key, parameter in own.items():
            if key in arrays:
                parameter.data[...] = arrays[key]
        return missing, unexpected

    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        if not self._modules:
            return f"{type(self).__name__}({self.extra_repr()})"
        lines = [f"  ({name}): " + repr(module).replace("\n", "\n  ") for name, module in self._modules.items()]
        return f"{type(self).__name__}(\n" + "\n".join(lines) + "\n)"


def __getattr__(name: str):
    """Sequential lived here until 0.2; it is now in ``nn.container`` (and ``gradstep.nn``)."""
    if name == "Sequential":
        from .container import Sequential
        return Sequential
    raise AttributeError(f"module 'gradstep.nn.module' has no attribute {name!r}")
