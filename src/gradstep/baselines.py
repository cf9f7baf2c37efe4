"""The baselines every forecast is judged against, and MASE.

naive: ŷ_t = y_{t−1} (yesterday's value); seasonal naive: ŷ_t = y_{t−7} (the same weekday a week
before). MASE = a model's MAE / the seasonal naive's MAE on the training days (Hyndman and Koehler's
scaled error): below 1, the model beats "same as last week" as it did in training.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .spec import BASELINES


def baseline_predictions(series: pd.Series, dates: pd.DatetimeIndex, lag: int) -> np.ndarray:
    """ŷ_t = y_{t−lag} for each date (NaN where the series has no value ``lag`` days before)."""
    earlier = pd.DatetimeIndex(dates) - pd.Timedelta(days=lag)
    return series.reindex(earlier).to_numpy(dtype=np.float64)


def baseline_errors(series: pd.Series, dates: pd.DatetimeIndex, truth: np.ndarray, ahead: int = 1) -> dict:
    """{"naive": {"mae", "mse"}, "seasonal_naive": {...}} on the dates where each baseline has a value, each
    forecast made ``ahead`` days before: the naive's from the last value known then (y_{t−ahead}), the seasonal
    naive's from the last same weekday known then (y_{t−7⌈ahead/7⌉})."""
    errors = {}
    for name, lag in BASELINES.items():
        lag *= math.ceil(ahead / lag)
        e = baseline_predictions(series, dates, lag) - np.asarray(truth, dtype=np.float64).reshape(-1)
        e = e[np.isfinite(e)]
        if e.size:
            errors[name] = {"mae": float(np.abs(e).mean()), "mse": float((e * e).mean())}
    return errors


def mase_scale(series: pd.Series, dates: pd.DatetimeIndex, truth: np.ndarray) -> float | None:
    """The seasonal naive's MAE on the training days: MASE's denominator (None when it is 0 or undefined)."""
    scale = baseline_errors(series, dates, truth).get("seasonal_naive", {}).get("mae")
    return scale if scale else None
