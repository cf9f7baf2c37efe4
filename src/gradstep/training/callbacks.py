"""Callbacks on the trainer's epoch hook: early stopping with the best weights restored, checkpoints."""

from __future__ import annotations

import math
import time

from ..errors import InputError


class Callback:
    """Hooks into Trainer.fit; set ``trainer.stop = True`` to end training after this epoch."""

    def on_train_begin(self, trainer) -> None:
        """Called once before the first epoch."""

    def on_epoch_end(self, trainer, row: dict) -> None:
        """Called after each epoch with its history row."""

    def on_train_end(self, trainer) -> None:
        """Called once after the last epoch."""

    def state_dict(self) -> dict:
        """What the callback has seen so far, for ``Trainer.state_dict()`` (nothing by default)."""
        return {}

    def load_state_dict(self, state: dict) -> None:
        """Restore ``state_dict()`` after ``on_train_begin`` when training continues."""


class EarlyStopping(Callback):
    """Stop once the monitored loss has not improved (by more than ``min_delta``) for ``patience`` epochs
    in a row; with ``restore_best_weights`` the model ends with the weights of its best epoch."""

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
                             f"{', '.join(k for k in row if k.endswith('loss'))}; give validation data "
                             "(valid_days=45, or X_valid and y_valid)")
        if value < self.best - self.min_delta:
            self.best, self.best_epoch, self.waited = value, row["epoch"], 0
            if self.restore_best_weights:
                self.best_state = trainer.model.state_dict()
        else:
            self.waited += 1
            if self.waited >= self.patience:
                trainer.stop = True
                trainer.history.stopped_early_at = row["epoch"]

    def state_dict(self):
        return {"best": self.best, "best_epoch": self.best_epoch, "waited": self.waited, "best_state": self.best_state}

    def load_state_dict(self, state):
        self.best, self.best_epoch, self.waited = float(state["best"]), state["best_epoch"], int(state["waited"])
        self.best_state = None if state["best_state"] is None else dict(state["best_state"])

    def on_train_end(self, trainer):
        trainer.history.best_epoch = self.best_epoch
        if self.restore_best_weights and self.best_state is not None:
            trainer.model.load_state_dict(self.best_state)


class Checkpoint(Callback):
    """After each epoch (or only when the monitored loss improves) call ``save(model, row)``.

    Without validation data the default monitor, "valid_loss", is not recorded, so the training loss
    is watched instead.
    """

    def __init__(self, save, monitor: str | None = "valid_loss"):
        self.save = save
        self.monitor = monitor

    def on_train_begin(self, trainer):
        self.best = math.inf

    def state_dict(self):
        return {"best": self.best}

    def load_state_dict(self, state):
        self.best = float(state["best"])

    def on_epoch_end(self, trainer, row):
        if self.monitor is None:
            self.save(trainer.model, row)
            return
        value = row.get(self.monitor, row["train_loss"])
        if value < self.best:
            self.best = value
            self.save(trainer.model, row)


class Snapshot(Callback):
    """After the first epoch, then at most every ``every`` seconds, call ``save(trainer.state_dict())``: a
    state that ``Trainer.fit(..., state=...)`` continues from. Put it last, so the other callbacks' states
    are current."""

    def __init__(self, save, every: float = 1.0):
        self.save = save
        self.every = every

    def on_train_begin(self, trainer):
        self.last = -math.inf

    def on_epoch_end(self, trainer, row):
        if time.monotonic() - self.last >= self.every:
            self.save(trainer.state_dict())
            self.last = time.monotonic()
