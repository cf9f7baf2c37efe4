"""gradstep: the first chapter of deep learning, runnable and measured.

A NumPy tensor engine with reverse-mode autograd (``Tensor``), PyTorch-style layers (``nn``),
losses and optimizers, and around it the lecture's data, training, the one run path
(``RunSpec`` → ``fit`` → ``Run``), experiments and figures. ``import gradstep as gs`` reaches every
part (``gs.data``, ``gs.nn``, ``gs.optim``, ``gs.losses``, ``gs.fit``, …); each is imported on first use,
so the command line starts fast. ``gradcheck`` alone is imported at once: its module has its name, and
a module imported later would otherwise take the function's place.
"""

import importlib

from .gradcheck import gradcheck
from .version import __version__

_MODULES = ("data", "nn", "optim", "losses", "training", "train", "spec", "run", "regularizers", "forecast",
            "experiments", "plots", "report", "io", "errors", "random", "tensor", "search", "selection")
_NAMES = {
    "Tensor": "tensor", "no_grad": "tensor", "is_grad_enabled": "tensor",
    "manual_seed": "random", "InputError": "errors",
    "RunSpec": "spec", "DataSpec": "spec", "ModelSpec": "spec", "TrainSpec": "spec", "RegularizationSpec": "spec",
    "BlendSpec": "spec",
    "fit": "run", "Run": "run", "Trainer": "training", "EarlyStopping": "training", "Checkpoint": "training",
    "Forecaster": "forecast",
}

__all__ = ["__version__", "gradcheck", *_MODULES, *_NAMES]


def __getattr__(name: str):
    """Import a part of gradstep the first time it is used: gs.nn, gs.Tensor, gs.fit, …"""
    if name in _MODULES:
        return importlib.import_module(f"{__name__}.{name}")
    if name in _NAMES:
        return getattr(importlib.import_module(f"{__name__}.{_NAMES[name]}"), name)
    raise AttributeError(f"module 'gradstep' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
