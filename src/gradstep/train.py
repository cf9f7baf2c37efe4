"""The training loop of the chapter: for each epoch, for each batch, θ ← θ − η ∇L(θ).

``Trainer.fit`` shuffles the N training rows into batches of B every epoch (B = N is full-batch
gradient descent, B = 1 stochastic, anything between mini-batch: ⌈N/B⌉ updates per epoch),
records the loss on the whole training and validation parts after each epoch, calls the
callbacks (early stopping, checkpoints), and stops with a clear message if the loss stops being a
finite number (a learning rate that is too large).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from .data import iterate_batches, resolve_batch_size, updates_per_epoch
from .errors import InputError
from .losses import LOSSES
from .nn.module import Module
from .optim import OPTIMIZERS, Optimizer, l1_penalty
from .tensor import Tensor, no_grad


EXPLODED = 1000.0


class DivergedError(InputError):
    """The loss became infinite or NaN: the learning rate is too large for this model and data."""


@dataclass
class History:
    """Per-epoch records: epoch, train_loss, valid_loss (if any), metrics, updates, seconds."""

    rows: list = field(default_factory=list)
    updates_per_epoch: int = 0
    stopped_early_at: int | None = None
    best_epoch: int | None = None

    def column(self, name: str) -> np.ndarray:
        """One column over the epochs (NaN where an epoch has none)."""
        return np.array([row.get(name, np.nan) for row in self.rows], dtype=float)

    def __len__(self) -> int:
        return len(self.rows)


def predict(model: Module, X: np.ndarray, batch_size: int = 65536) -> np.ndarray:
    """The model's outputs for the rows of X, in evaluation mode and without a graph."""
    was_training = model.training
    model.eval()
    dtype = next(model.parameters()).dtype
    with no_grad():
        parts = [model(Tensor(X[i:i + batch_size], dtype=dtype)).data for i in range(0, len(X), batch_size)]
    model.train(was_training)
    return np.concatenate(parts) if parts else np.zeros((0, 1), dtype=dtype)


class Callback:
    """Hooks into Trainer.fit; set ``trainer.stop = True`` to end training after this epoch."""

    def on_train_begin(self, trainer: "Trainer") -> None:
        """Called once before the first epoch."""

    def on_epoch_end(self, trainer: "Trainer", row: dict) -> None:
        """Called after each epoch with its history row."""

    def on_train_end(self, trainer: "Trainer") -> None:
        """Called once after the last epoch."""


class EarlyStopping(Callback):
    """Stop when the monitored loss has not improved for ``patience`` epochs; optionally restore the best weights."""

    def __init__(self, patience: int = 10, monitor: str = "valid_loss", restore_best_weights: bool = True,
                 min_delta: float = 0.0):
        self.patience = patience
        self.monitor = monitor
        self.restore_best_weights = restore_best_weights
        self.min_delta = min_delta

    def on_train_begin(self, trainer):
        self.best = math.inf
        self.best_epoch = None
        self.best_state = None
        self.waited = 0

    def on_epoch_end(self, trainer, row):
        value = row.get(self.monitor)
        if value is None:
            raise InputError(f"early stopping watches {self.monitor!r} but training records only "
                             f"{', '.join(k for k in row if k.endswith('loss'))}; give validation data (--valid-days)")
        if value < self.best - self.min_delta:
            self.best, self.best_epoch, self.waited = value, row["epoch"], 0
            if self.restore_best_weights:
                self.best_state = trainer.model.state_dict()
        else:
            self.waited += 1
            if self.waited >= self.patience:
                trainer.stop = True
                trainer.history.stopped_early_at = row["epoch"]

    def on_train_end(self, trainer):
        trainer.history.best_epoch = self.best_epoch
        if self.restore_best_weights and self.best_state is not None:
            trainer.model.load_state_dict(self.best_state)


class Checkpoint(Callback):
    """After each epoch (or only when the monitored loss improves) call ``save(model, row)``."""

    def __init__(self, save, monitor: str | None = "valid_loss"):
        self.save = save
        self.monitor = monitor

    def on_train_begin(self, trainer):
        self.best = math.inf

    def on_epoch_end(self, trainer, row):
        if self.monitor is None:
            self.save(trainer.model, row)
            return
        value = row.get(self.monitor, math.inf)
        if value < self.best:
            self.best = value
            self.save(trainer.model, row)


def make_optimizer(name: str, parameters, lr: float, weight_decay: float = 0.0, momentum: float = 0.0) -> Optimizer:
    """An optimizer by name: "sgd" (with momentum and L2 weight decay), "adam" or "adamw"."""
    if name not in OPTIMIZERS:
        raise InputError(f"unknown optimizer {name!r}; choose one of {', '.join(OPTIMIZERS)}")
    if not lr > 0:
        raise InputError(f"the learning rate must be a positive number, got {lr}; try --lr 0.001")
    if not np.isfinite(lr):
        raise InputError(f"the learning rate must be a finite number, got {lr}; try --lr 0.001")
    if name == "sgd":
        return OPTIMIZERS[name](parameters, lr=lr, momentum=momentum, weight_decay=weight_decay)
    if momentum:
        raise InputError(f"--momentum applies to --optimizer sgd; {name} keeps its own running averages (betas)")
    return OPTIMIZERS[name](parameters, lr=lr, weight_decay=weight_decay)


class Trainer:
    """Mini-batch gradient descent of ``model`` on (X, y) for ``epochs`` epochs.

    loss: "mae" (the lecture's), "mse" or "huber"; optimizer: "sgd", "adam" or "adamw" with
    ``lr``; batch_size: None for full batch, 1 for stochastic, B for mini-batches; l1: an L1
    penalty λΣ|w| on the weights; metrics: extra per-epoch numbers, name → f(prediction, y).
    """

    def __init__(self, model: Module, loss: str = "mae", optimizer: str = "sgd", lr: float = 0.01,
                 epochs: int = 100, batch_size: int | None = 32, seed: int = 0, weight_decay: float = 0.0,
                 momentum: float = 0.0, l1: float = 0.0, callbacks=(), metrics: dict | None = None,
                 progress: bool | None = None):
        if loss not in LOSSES:
            raise InputError(f"unknown loss {loss!r}; choose one of {', '.join(LOSSES)}")
        if epochs < 1:
            raise InputError(f"epochs must be at least 1, got {epochs}")
        self.model = model
        self.loss_name = loss
        self.loss = LOSSES[loss]
        self.optimizer = make_optimizer(optimizer, model.parameters(), lr, weight_decay, momentum)
        self.epochs = epochs
        self.batch_size = batch_size
        self.seed = seed
        self.l1 = l1
        self.callbacks = list(callbacks)
        self.metrics = dict(metrics or {})
        self.progress = progress
        self.stop = False
        self.history = History()

    def _objective(self, prediction: np.ndarray, y: np.ndarray) -> float:
        return self.loss(Tensor(prediction, dtype=prediction.dtype), y).item()

    def _evaluate(self, part: str, X, y, row: dict) -> None:
        prediction = predict(self.model, X)
        row[f"{part}_loss"] = self._objective(prediction, y)
        for name, metric in self.metrics.items():
            row[f"{part}_{name}"] = float(metric(prediction, y))

    def fit(self, X: np.ndarray, y: np.ndarray, X_valid: np.ndarray | None = None,
            y_valid: np.ndarray | None = None) -> History:
        """Train; returns the History (also kept as ``self.history``)."""
        dtype = next(self.model.parameters()).dtype
        X = np.ascontiguousarray(X, dtype=dtype)
        y = np.ascontiguousarray(y, dtype=dtype).reshape(-1, 1)
        has_valid = X_valid is not None and len(X_valid) > 0
        if has_valid:
            X_valid = np.ascontiguousarray(X_valid, dtype=dtype)
            y_valid = np.ascontiguousarray(y_valid, dtype=dtype).reshape(-1, 1)
        n = len(X)
        batch_size = resolve_batch_size(self.batch_size, n)
        self.history = History(updates_per_epoch=updates_per_epoch(n, batch_size))
        rng = np.random.default_rng(self.seed)
        self.reference_loss = self._objective(np.zeros_like(y), y)
        weights = [p for name, p in self.model.named_parameters() if name.endswith("weight")]
        self.stop = False
        self.model.train()
        for callback in self.callbacks:
            callback.on_train_begin(self)
        show = Console().is_terminal if self.progress is None else self.progress
        started = time.perf_counter()
        with Progress(TextColumn("training"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[loss]}"),
                      TimeElapsedColumn(), disable=not show, transient=True) as bar, \
                np.errstate(over="ignore", invalid="ignore"):
            task = bar.add_task("epochs", total=self.epochs, loss="")
            for epoch in range(1, self.epochs + 1):
                for index in iterate_batches(n, batch_size, rng):
                    self._step(X[index], y[index], weights, epoch)
                row = {"epoch": epoch}
                self._evaluate("train", X, y, row)
                if has_valid:
                    self._evaluate("valid", X_valid, y_valid, row)
                self._check_finite(row["train_loss"], epoch)
                self._check_not_exploding(row["train_loss"], epoch)
                row["updates"] = epoch * self.history.updates_per_epoch
                row["seconds"] = time.perf_counter() - started
                self.history.rows.append(row)
                for callback in self.callbacks:
                    callback.on_epoch_end(self, row)
                bar.update(task, advance=1, loss=f"loss {row['train_loss']:.4g}")
                if self.stop:
                    break
        for callback in self.callbacks:
            callback.on_train_end(self)
        self.model.eval()
        return self.history

    def _step(self, X: np.ndarray, y: np.ndarray, weights: list, epoch: int) -> None:
        """One update: zero the gradients, L on the batch (+ λΣ|w|), backpropagate, step."""
        self.optimizer.zero_grad()
        loss = self.loss(self.model(Tensor(X, dtype=X.dtype)), y)
        self._check_finite(loss.data, epoch)
        if self.l1:
            loss = loss + l1_penalty(weights, self.l1)
        loss.backward()
        self.optimizer.step()

    def _check_finite(self, value, epoch: int) -> None:
        if not np.isfinite(value):
            self._diverged(f"the {self.loss_name.upper()} loss became {float(value)}", epoch)

    def _check_not_exploding(self, value: float, epoch: int) -> None:
        """A training loss 1000 times that of always predicting 0 (the mean, for standardised data) has diverged."""
        if value > EXPLODED * max(self.reference_loss, np.finfo(np.float32).tiny):
            self._diverged(f"the {self.loss_name.upper()} loss grew to {value:.3g}, {value / self.reference_loss:.3g} "
                           "times that of always predicting 0", epoch)

    def _diverged(self, what: str, epoch: int) -> None:
        lr = self.optimizer.lr
        decay = self.optimizer.defaults.get("weight_decay", 0)
        raise DivergedError(f"training diverged: {what} in epoch {epoch} with learning rate {lr:g}"
                            + (f" and weight decay {decay:g}" if decay else "")
                            + f"; try a smaller learning rate such as --lr {lr / 10:g}"
                            + (" or a smaller --weight-decay" if decay else ""))
