"""Sequential: modules applied one after another, registered as "0", "1", … as in PyTorch."""

from __future__ import annotations

from . import fused, module
from .module import Module


class Sequential(Module):
    """y = fn(…f2(f1(x))): each module's forward in turn.

    How it runs is planned once, and again after any change to the Sequential or any ``forward`` being
    assigned to a module or a module class: ``fused.plan`` may run a Linear and the activation after it
    as one graph node, with the same values and gradients, bit for bit, as the two modules one by one.
    """

    def __init__(self, *modules: Module):
        super().__init__()
        for index, layer in enumerate(modules):
            setattr(self, str(index), layer)

    def __setattr__(self, name, value):
        super().__setattr__(name, value)
        object.__setattr__(self, "_steps", None)

    def __delattr__(self, name):
        super().__delattr__(name)
        object.__setattr__(self, "_steps", None)

    def __getitem__(self, index: int) -> Module:
        return list(self._modules.values())[index]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def forward(self, x):
        planned = self._steps
        if planned is None or planned[0] != module.overrides:
            planned = (module.overrides, fused.plan(list(self._modules.values())))
            object.__setattr__(self, "_steps", planned)
        for step in planned[1]:
            x = step(x)
        return x


class Ensemble(Module):
    """y = (1/N) Σₙ fₙ(x): the mean of N models' outputs (members registered as "0", "1", …)."""

    def __init__(self, *members: Module):
        super().__init__()
        if not members:
            raise ValueError("an Ensemble needs at least one member")
        for index, member in enumerate(members):
            setattr(self, str(index), member)

    def __len__(self) -> int:
        return len(self._modules)

    def __getitem__(self, index: int) -> Module:
        return list(self._modules.values())[index]

    def forward(self, x):
        outputs = [member(x) for member in self._modules.values()]
        total = outputs[0]
        for output in outputs[1:]:
            total = total + output
        return total * (1.0 / len(outputs))
