"""gradstep's seeded random numbers.

``manual_seed(seed)`` makes the next model and dropout mask made without a generator of their own
reproducible, as ``torch.manual_seed`` does. A run draws from ``streams(seed)``: independent
generators for the initial weights, the batch order, dropout and noise (``SeedSequence.spawn``), so
turning dropout on changes neither the initial weights nor the batch order.
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


STREAMS = ("init", "batches", "dropout", "noise")


def streams(seed: int) -> dict[str, np.random.Generator]:
    """Independent generators {"init", "batches", "dropout", "noise"} spawned from one seed."""
    children = np.random.SeedSequence(seed).spawn(len(STREAMS))
    return {name: np.random.default_rng(child) for name, child in zip(STREAMS, children)}
