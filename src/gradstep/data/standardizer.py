"""Standardize views with statistics of the training part only, and undo it for predictions."""

import reprlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from gradstep.data.windows import Windows
from gradstep.errors import InputError


@dataclass(frozen=True)
class Standardizer:
    """One mean and one standard deviation for all values, so a linear model's weights are the same either way."""

    mean: float
    std: float

    @classmethod
    def fit(cls, train: Windows) -> "Standardizer":
        """Fit on the training part only: the mean and std of every day its X and y values cover, each day once."""
        lags = np.arange(1, train.days + 1) * np.timedelta64(1, "D")
        day_dates = np.concatenate([(train.dates.to_numpy()[:, None] - lags).ravel(), train.dates.to_numpy()])
        by_day = pd.Series(np.concatenate([train.X.ravel(), train.y]), index=day_dates)
        values = by_day[~by_day.index.duplicated()].to_numpy()
        with np.errstate(over="ignore", invalid="ignore"):  # huge values overflow to inf, NaN stays NaN: refused below
            mean, std = float(np.mean(values)), float(np.std(values))
        if not (np.isfinite(mean) and np.isfinite(std)):
            raise InputError(f"the training values have mean {mean:g} and standard deviation {std:g}, so they cannot "
                             "be standardized; use finite values of at most 1e150")
        if not std > 0:
            raise InputError(f"the training values are all {values[0]:g} (a constant series), so they cannot "
                             "be standardized; use a page or file whose values vary")
        return cls(mean=mean, std=std)

    def transform(self, a: np.ndarray | float) -> np.ndarray:
        """Return (a - mean) / std."""
        return (np.asarray(a, dtype="float64") - self.mean) / self.std

    def inverse(self, a: np.ndarray | float) -> np.ndarray:
        """Map standardized values (e.g. predictions) back to views: a * std + mean."""
        return np.asarray(a, dtype="float64") * self.std + self.mean

    def to_dict(self) -> dict[str, float]:
        """Return {"mean": ..., "std": ...} for saving as JSON."""
        return {"mean": self.mean, "std": self.std}

    @classmethod
    def from_dict(cls, saved: dict) -> "Standardizer":
        """Rebuild a Standardizer saved with to_dict."""
        try:
            mean, std = float(saved["mean"]), float(saved["std"])
        except (KeyError, TypeError, ValueError):
            raise InputError(
                f'a saved standardizer needs numbers "mean" and "std", got {reprlib.repr(saved)}'
            ) from None
        if not (np.isfinite(mean) and np.isfinite(std) and std > 0):
            raise InputError(f"a saved standardizer needs a finite mean and a positive std, got {reprlib.repr(saved)}")
        return cls(mean=mean, std=std)
