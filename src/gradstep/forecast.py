"""The chapter's task end to end: tomorrow's views from the previous ``days`` days.

A Forecaster makes the windows (x_j = the views j days before, y = the next day), splits them by
date, standardises with the training part's mean and spread only, trains one of the chapter's
models, and reports the error on each part in views. It saves to a directory as ``model.npz``
(arrays) and ``model.json`` (configuration, data hash, split, metrics, gradstep version).
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import nn
from .data import Split, Standardizer, Windows, make_windows, split_windows
from .errors import InputError
from .io import load_arrays, read_json, save_arrays, write_json
from .train import EarlyStopping, History, Trainer, predict
from .version import __version__

MODELS = ("linear", "sigmoid", "relu")


@dataclass
class ModelConfig:
    """Which of the chapter's models: linear (y = b + wᵀx), sigmoid (y = b + cᵀσ(b + Wx)) or relu layers."""

    model: str = "linear"
    days: int = 56
    units: int = 100
    layers: int = 1
    dropout: float = 0.0
    dtype: str = "float32"

    def build(self, seed: int) -> nn.Module:
        """A fresh model with weights drawn from ``seed``."""
        if self.model not in MODELS:
            raise InputError(f"unknown model {self.model!r}; choose one of {', '.join(MODELS)}")
        if self.days < 1 or self.units < 1 or self.layers < 1:
            raise InputError(f"days, units and layers must be at least 1 (got {self.days}, {self.units}, {self.layers})")
        if not 0 <= self.dropout < 1:
            raise InputError(f"dropout must be in [0, 1), got {self.dropout}")
        rng = np.random.default_rng(seed)
        if self.model == "linear":
            return nn.linear_model(self.days, dtype=self.dtype, rng=rng)
        if self.model == "sigmoid":
            return nn.sigmoid_network(self.days, self.units, dtype=self.dtype, rng=rng)
        return nn.relu_network(self.days, self.units, self.layers, dtype=self.dtype, rng=rng, dropout=self.dropout)

    def describe(self) -> str:
        """e.g. "linear, 56 days" or "relu, 3 layers of 100, 56 days"."""
        if self.model == "linear":
            return f"linear, {self.days} days"
        if self.model == "sigmoid":
            return f"sigmoid, {self.units} units, {self.days} days"
        return f"relu, {self.layers} layer{'s' * (self.layers > 1)} of {self.units}, {self.days} days"


@dataclass
class TrainConfig:
    """How to train: loss, optimizer, lr, epochs, batch_size (None = full batch), seed and regularisation."""

    loss: str = "mae"
    optimizer: str = "adam"
    lr: float = 0.001
    epochs: int = 100
    batch_size: int | None = 32
    seed: int = 0
    weight_decay: float = 0.0
    momentum: float = 0.0
    l1: float = 0.0
    patience: int | None = None
    valid_days: int = 0


def data_hash(series: pd.Series) -> str:
    """sha256 of the dates and values: the same data gives the same hash."""
    digest = hashlib.sha256()
    digest.update(series.index.strftime("%Y-%m-%d").str.cat(sep=",").encode())
    digest.update(np.ascontiguousarray(series.to_numpy(dtype=np.float64)).tobytes())
    return digest.hexdigest()


def errors(prediction: np.ndarray, truth: np.ndarray) -> dict:
    """MAE = mean |y − ŷ| and MSE = mean (y − ŷ)², in views."""
    e = np.asarray(prediction, dtype=np.float64).reshape(-1) - np.asarray(truth, dtype=np.float64).reshape(-1)
    return {"mae": float(np.abs(e).mean()), "mse": float((e * e).mean())} if e.size else {}


def _range(windows: Windows) -> list[str] | None:
    if not len(windows):
        return None
    return [windows.dates[0].strftime("%Y-%m-%d"), windows.dates[-1].strftime("%Y-%m-%d")]


@dataclass
class Forecaster:
    """One of the chapter's models trained on a daily series to predict the next day."""

    model_config: ModelConfig = field(default_factory=ModelConfig)
    train_config: TrainConfig = field(default_factory=TrainConfig)
    model: nn.Module | None = None
    scaler: Standardizer | None = None
    split_ranges: dict = field(default_factory=dict)
    metrics: dict = field(default_factory=dict)
    history: History | None = None
    data_sha256: str | None = None

    def split(self, series: pd.Series, train=None, test=None) -> Split:
        """The windows of ``series`` split by target date (the lecture's dates by default)."""
        windows = make_windows(series, self.model_config.days)
        return split_windows(windows, train=train, test=test, valid_days=self.train_config.valid_days)

    def fit(self, series: pd.Series, train=None, test=None, progress: bool | None = None,
            callbacks=()) -> "Forecaster":
        """Train on the training part of ``series`` and measure the error on every part."""
        tc = self.train_config
        if tc.patience is not None and tc.valid_days < 1:
            raise InputError("early stopping (--patience) needs a validation part; add --valid-days, e.g. --valid-days 45")
        parts = self.split(series, train, test)
        self.scaler = Standardizer.fit(parts.train)
        self.model = self.model_config.build(tc.seed)
        callbacks = list(callbacks)
        if tc.patience is not None:
            callbacks.append(EarlyStopping(patience=tc.patience))
        scale = self.scaler.std
        trainer = Trainer(self.model, loss=tc.loss, optimizer=tc.optimizer, lr=tc.lr, epochs=tc.epochs,
                          batch_size=tc.batch_size, seed=tc.seed, weight_decay=tc.weight_decay,
                          momentum=tc.momentum, l1=tc.l1, callbacks=callbacks, progress=progress,
                          metrics={"mae": lambda p, y: np.abs(p - y).mean() * scale})
        transform = self.scaler.transform
        self.history = trainer.fit(transform(parts.train.X), transform(parts.train.y),
                                   transform(parts.valid.X), transform(parts.valid.y))
        self.data_sha256 = data_hash(series)
        self.split_ranges = {name: _range(getattr(parts, name)) for name in ("train", "valid", "test")}
        self.metrics = self.evaluate_split(parts)
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Predicted views for rows of past views X (x_j = the views j days before)."""
        if self.model is None:
            raise InputError("this forecaster is not trained yet: call fit() or Forecaster.load(DIR)")
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != self.model_config.days:
            raise InputError(f"the model reads {self.model_config.days} days per row, got rows of shape {X.shape}")
        return self.scaler.inverse(predict(self.model, self.scaler.transform(X)).astype(np.float64)).reshape(-1)

    def evaluate_split(self, parts: Split) -> dict:
        """MAE and MSE in views on each non-empty part."""
        return {name: errors(self.predict(getattr(parts, name).X), getattr(parts, name).y)
                for name in ("train", "valid", "test") if len(getattr(parts, name))}

    def evaluate(self, series: pd.Series) -> dict:
        """MAE and MSE in views on the same date ranges it was trained and tested on."""
        ranges = self.split_ranges
        parts = self.split(series, train=tuple(ranges["train"]) if ranges.get("valid") is None
                           else (ranges["train"][0], ranges["valid"][1]), test=tuple(ranges["test"]))
        return self.evaluate_split(parts)

    def predict_next(self, series: pd.Series) -> tuple[pd.Timestamp, float]:
        """The forecast for the day after ``series`` ends, and that day's date."""
        days = self.model_config.days
        if len(series) < days:
            raise InputError(f"the model needs the last {days} days to predict; the data has only {len(series)}")
        x = series.to_numpy(dtype=np.float64)[::-1][:days].reshape(1, days)
        return series.index[-1] + pd.Timedelta(days=1), float(self.predict(x)[0])

    def save(self, directory, source: dict | None = None) -> None:
        """Write ``model.npz`` and ``model.json`` into ``directory`` (each atomically)."""
        directory = Path(directory)
        save_arrays(directory / "model.npz", self.model.state_dict())
        write_json(directory / "model.json", {
            "gradstep_version": __version__,
            "model": asdict(self.model_config),
            "training": asdict(self.train_config),
            "source": source or {},
            "data_sha256": self.data_sha256,
            "split": self.split_ranges,
            "standardizer": self.scaler.to_dict(),
            "metrics": self.metrics,
            "epochs_run": len(self.history) if self.history else None,
            "updates_per_epoch": self.history.updates_per_epoch if self.history else None,
        })

    @classmethod
    def load(cls, directory) -> tuple["Forecaster", dict]:
        """A saved forecaster and its metadata (the JSON), ready to predict."""
        directory = Path(directory)
        if not directory.is_dir():
            raise InputError(f"{directory} is not a directory; give the --out directory of gradstep train")
        meta = read_json(directory / "model.json")
        try:
            forecaster = cls(ModelConfig(**meta["model"]), TrainConfig(**meta["training"]),
                             scaler=Standardizer.from_dict(meta["standardizer"]), split_ranges=dict(meta["split"]),
                             metrics=dict(meta["metrics"]), data_sha256=meta["data_sha256"])
            for part in ("train", "test"):
                start, end = forecaster.split_ranges[part]
                pd.Timestamp(start), pd.Timestamp(end)
            forecaster.model = forecaster.model_config.build(int(forecaster.train_config.seed))
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise InputError(f"{directory / 'model.json'} is not valid gradstep model metadata ({error}); "
                             "train the model again with gradstep train") from None
        arrays = load_arrays(directory / "model.npz")
        try:
            forecaster.model.load_state_dict(arrays)
        except ValueError as error:
            raise InputError(f"{directory / 'model.npz'} does not fit {directory / 'model.json'}: {error}") from None
        forecaster.model.eval()
        return forecaster, meta

