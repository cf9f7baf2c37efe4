"""Remedies for overfitting that change what each training batch looks like: input noise and augmentation.

The penalties on the weights (L1 λΣ|w|, L2 weight decay) are the trainer's ``l1`` and ``weight_decay``;
what is here are batch transforms f(X, y, rng) → (X, y), applied to training batches only:
- gaussian_noise(std):   x ← x + ε, ε ~ N(0, std²) per value (in standardised units; y untouched)
- scaling(scaler, std):  every value of a window and its target times one factor s = e^u, u ~ N(0, std²):
                         the series at another level, its shape kept (a daily series stays plausible
                         when its level changes; it does not when days are shuffled or flipped)
"""

from __future__ import annotations

import numpy as np

SCALE_SPREAD = 0.1


def gaussian_noise(std: float):
    """f(X, y, rng) = (X + N(0, std²), y)."""
    def transform(X, y, rng):
        return X + rng.normal(0.0, std, X.shape).astype(X.dtype), y
    return transform


def scaling(scaler, std: float = SCALE_SPREAD):
    """f(X, y, rng): each row's raw values v (window and target) become s·v, s = e^u, u ~ N(0, std²).

    In standardised units z = (v − m)/σ this is z ← s·z + (s − 1)·m/σ.
    """
    shift = scaler.mean / scaler.std

    def transform(X, y, rng):
        s = np.exp(rng.normal(0.0, std, (len(X), 1))).astype(X.dtype)
        return s * X + (s - 1) * shift, s * y + (s - 1) * shift
    return transform


def batch_transform(regularization, scaler):
    """The batch transform a RegularizationSpec asks for (augmentation, then noise), or None."""
    steps = []
    if regularization.augment == "scale":
        steps.append(scaling(scaler))
    if regularization.input_noise:
        steps.append(gaussian_noise(regularization.input_noise))
    if not steps:
        return None

    def transform(X, y, rng):
        for step in steps:
            X, y = step(X, y, rng)
        return X, y
    return transform
