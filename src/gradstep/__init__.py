"""gradstep: the first chapter of deep learning, runnable and measured.

A NumPy tensor engine with reverse-mode autograd (``Tensor``), PyTorch-style layers (``nn``),
losses and optimizers, and around it the lecture's data, training, experiments and figures.
"""

from . import losses, nn, optim
from .gradcheck import gradcheck
from .random import manual_seed
from .tensor import Tensor, is_grad_enabled, no_grad
from .version import __version__

__all__ = ["gradcheck", "Tensor", "no_grad", "is_grad_enabled", "manual_seed", "nn", "losses", "optim", "__version__"]
