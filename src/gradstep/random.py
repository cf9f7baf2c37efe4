"""gradstep's seeded random numbers: every initialisation and dropout mask draws from here.

``manual_seed(seed)`` makes the next model, dropout mask and batch order reproducible, as
``torch.manual_seed`` does.
"""

import numpy as np

_generator = np.random.default_rng(0)


def manual_seed(seed: int) -> np.random.Generator:
    """Restart gradstep's default generator from ``seed``; returns it."""
    global _generator
    _generator = np.random.default_rng(seed)
    return _generator


def default_generator() -> np.random.Generator:
    """The generator used when a layer is given none."""
    return _generator
