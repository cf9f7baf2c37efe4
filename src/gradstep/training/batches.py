"""Mini-batches: how big they are, how many updates an epoch makes, and which examples each batch holds."""

import math
from collections.abc import Iterator

import numpy as np

from gradstep.errors import InputError


def resolve_batch_size(batch_size: int | str | None, n: int) -> int:
    """Turn a requested batch size into a count: None, "full" or 0 mean all n examples; more than n is n."""
    if n < 1:
        raise InputError("there are no training examples to make batches from; use a longer training range")
    if isinstance(batch_size, str) and batch_size.strip().isdigit():
        batch_size = int(batch_size)
    if batch_size is None or batch_size == "full" or batch_size == 0:
        return n
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise InputError(f'batch_size must be a whole number of at least 1, or None or "full" for full batch; '
                         f"got batch_size={batch_size!r}")
    return min(int(batch_size), n)


def updates_per_epoch(n: int, batch_size: int | str | None) -> int:
    """The number of parameter updates in one pass over n examples: ceil(n / batch size)."""
    return math.ceil(n / resolve_batch_size(batch_size, n))


def iterate_batches(
    n: int, batch_size: int | str | None, rng: np.random.Generator, shuffle: bool = True
) -> Iterator[np.ndarray]:
    """Yield one epoch of index arrays covering 0..n-1 once each, in an order drawn from rng (if shuffle).

    Batches hold the resolved batch size, the last one the rest. Call once per epoch for a fresh order.
    """
    size = resolve_batch_size(batch_size, n)
    order = rng.permutation(n) if shuffle else np.arange(n)
    for start in range(0, n, size):
        yield order[start : start + size]
