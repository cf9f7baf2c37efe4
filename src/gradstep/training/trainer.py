"""The training loop of the chapter: for each epoch, for each batch, θ ← θ − η ∇L(θ).

``Trainer.fit`` shuffles the N training rows into batches of B every epoch (B = N is full-batch
gradient descent, B = 1 stochastic, anything between mini-batch: ⌈N/B⌉ updates per epoch), may
transform each batch (noise, augmentation) and add a penalty to its loss (L1), sets subnormal weights and
optimizer state to 0 after each epoch (they make every product many times slower), records the loss on
the whole training and validation parts after each epoch, calls the callbacks (early stopping,
checkpoints), and stops with a clear message if the loss stops being a finite number (a learning
rate that is too large). BLAS runs on one thread while training, so the numbers do not depend on the
machine's thread count; batch order and noise draw from their own streams of ``seed``.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field

import numpy as np
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ..errors import InputError
from ..losses import LOSSES
from ..nn.module import Module
from ..optim import OPTIMIZERS, Optimizer, flush_denormal, l1_penalty
from ..random import streams
from ..spec import TrainSpec
from ..tensor import Tensor, no_grad
from .batches import iterate_batches, resolve_batch_size, updates_per_epoch

CHECKS = {item.name: item.metadata["check"] for item in dataclasses.fields(TrainSpec)}
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


def weights_of(model: Module) -> list:
    """The parameters named "…weight": what the L1 and L2 penalties act on (biases are left free)."""
    return [parameter for name, parameter in model.named_parameters() if name.rsplit(".", 1)[-1] == "weight"]


def make_optimizer(name: str, model: Module, lr: float, weight_decay: float = 0.0, momentum: float = 0.0) -> Optimizer:
    """An optimizer by name: "sgd" (with momentum), "adam" or "adamw", decaying only the weights.

    Two parameter groups, as torch.optim's: the weights with ``weight_decay`` λ (sgd and adam add λw to
    the gradient, the gradient of the L2 penalty (λ/2)Σw²; adamw decays w ← w(1 − lr·λ)), the biases
    with none, so L2 acts on the same parameters as ``l1_penalty``.
    """
    name = CHECKS["optimizer"].check("optimizer", name)
    lr = CHECKS["lr"].check("lr", lr)
    momentum = CHECKS["momentum"].check("momentum", momentum)
    if momentum and name != "sgd":
        raise InputError(f"momentum applies to optimizer='sgd'; {name} keeps its own running averages "
                         f"(got momentum={momentum!r})")
    weights = weights_of(model)
    others = [p for p in model.parameters() if all(p is not w for w in weights)]
    groups = [{"params": weights, "weight_decay": weight_decay}] + ([{"params": others, "weight_decay": 0.0}]
                                                                    if others else [])
    if name == "sgd":
        return OPTIMIZERS[name](groups, lr=lr, momentum=momentum)
    return OPTIMIZERS[name](groups, lr=lr)


class Trainer:
    """Mini-batch gradient descent of ``model`` on (X, y) for ``epochs`` epochs.

    loss: a name ("mae", the lecture's; "mse"; "huber") or a callable L(prediction, y) → scalar Tensor;
    optimizer: a name ("sgd", "adam", "adamw", built with ``lr``, ``momentum`` and ``weight_decay`` on
    the weights) or an ``Optimizer`` instance over the model's parameters; batch_size: None for full
    batch, 1 for stochastic, B for mini-batches; l1: adds λΣ|w| over the weights to each batch's loss;
    penalty: f(model) → Tensor, another term added to each batch's loss; batch_transform: f(X, y, rng)
    → (X, y), applied to each training batch (noise, augmentation) with the run's noise stream;
    metrics: extra per-epoch numbers, name → f(prediction, y). Defaults are ``TrainSpec``'s.

        history = Trainer(model, lr=0.01, epochs=20).fit(X, y)
    """

    def __init__(self, model: Module, loss=TrainSpec.loss, optimizer=TrainSpec.optimizer, lr: float = TrainSpec.lr,
                 epochs: int = TrainSpec.epochs, batch_size: int | None = TrainSpec.batch_size,
                 seed: int = TrainSpec.seed, momentum: float = TrainSpec.momentum, weight_decay: float = 0.0,
                 l1: float = 0.0, penalty=None, batch_transform=None, callbacks=(), metrics: dict | None = None,
                 progress: bool | None = None):
        if callable(loss):
            self.loss_name, self.loss = getattr(loss, "__name__", type(loss).__name__), loss
        else:
            self.loss_name = CHECKS["loss"].check("loss", loss)
            self.loss = LOSSES[loss]
        if isinstance(optimizer, Optimizer):
            self.optimizer = optimizer
        else:
            self.optimizer = make_optimizer(optimizer, model, lr, weight_decay, momentum)
        self.model = model
        self.epochs = CHECKS["epochs"].check("epochs", epochs)
        self.batch_size = batch_size
        self.seed = CHECKS["seed"].check("seed", seed)
        self.l1 = l1
        self.penalty = penalty
        self.batch_transform = batch_transform
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
            y_valid: np.ndarray | None = None, state: dict | None = None) -> History:
        """Train; returns the History (also kept as ``self.history``). ``state``, a ``state_dict()`` taken
        after some epoch of the same training, continues it: the result is the uninterrupted run's."""
        from threadpoolctl import threadpool_limits

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
        self.rngs = rngs = streams(self.seed)
        self.reference_loss = self._objective(np.zeros_like(y), y)
        weights = weights_of(self.model)
        self.stop = False
        self.model.train()
        for callback in self.callbacks:
            callback.on_train_begin(self)
        if state is not None:
            self.load_state_dict(state)
        done = len(self.history)
        show = Console().is_terminal if self.progress is None else self.progress
        started = time.perf_counter() - (self.history.rows[-1]["seconds"] if done else 0.0)
        with threadpool_limits(limits=1, user_api="blas"), \
                Progress(TextColumn("training"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[loss]}"),
                         TimeElapsedColumn(), disable=not show, transient=True) as bar, \
                np.errstate(over="ignore", invalid="ignore"):
            task = bar.add_task("epochs", total=self.epochs, completed=done, loss="")
            for epoch in range(done + 1, self.epochs + 1):
                if self.stop:
                    break
                for index in iterate_batches(n, batch_size, rngs["batches"]):
                    X_batch, y_batch = X[index], y[index]
                    if self.batch_transform is not None:
                        X_batch, y_batch = self.batch_transform(X_batch, y_batch, rngs["noise"])
                    self._step(X_batch, y_batch, weights, epoch)
                flush_denormal(self.optimizer)
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
        for callback in self.callbacks:
            callback.on_train_end(self)
        self.model.eval()
        return self.history

    def _dropout_modules(self) -> list:
        return [module for _, module in self.model.named_modules() if isinstance(getattr(module, "rng", None),
                                                                                  np.random.Generator)]

    def state_dict(self) -> dict:
        """Everything needed to continue this training exactly, taken between epochs: the weights, the
        optimizer's state, the random streams (batch order, noise, dropout), the history and the callbacks'."""
        history = self.history
        return {"epoch": len(history), "stop": self.stop, "model": self.model.state_dict(),
                "optimizer": self.optimizer.state_dict(),
                "streams": {name: rng.bit_generator.state for name, rng in self.rngs.items()},
                "dropout": [module.rng.bit_generator.state for module in self._dropout_modules()],
                "history": {"rows": [dict(row) for row in history.rows], "updates_per_epoch": history.updates_per_epoch,
                            "stopped_early_at": history.stopped_early_at, "best_epoch": history.best_epoch},
                "callbacks": [[type(callback).__name__, callback.state_dict()] for callback in self._stateful()]}

    def _stateful(self) -> list:
        """The callbacks that keep a state (early stopping does; a snapshot does not)."""
        return [callback for callback in self.callbacks if callback.state_dict()]

    def load_state_dict(self, state: dict) -> None:
        """Restore a ``state_dict()`` of this training (same model, optimizer, seed and callbacks)."""
        try:
            self.model.load_state_dict(state["model"])
            self.optimizer.load_state_dict(state["optimizer"])
            for name, rng in self.rngs.items():
                rng.bit_generator.state = state["streams"][name]
            dropout, stateful = self._dropout_modules(), self._stateful()
            if len(dropout) != len(state["dropout"]) or [type(c).__name__ for c in stateful] != [
                    name for name, _ in state["callbacks"]]:
                raise ValueError("the saved dropout layers or callbacks are not this training's")
            for module, saved in zip(dropout, state["dropout"]):
                module.rng.bit_generator.state = saved
            for callback, (_, saved) in zip(stateful, state["callbacks"]):
                callback.load_state_dict(saved)
            history = state["history"]
            if history["updates_per_epoch"] != self.history.updates_per_epoch or len(history["rows"]) != state["epoch"]:
                raise ValueError("the saved history is not this training's")
            self.history.rows = [dict(row) for row in history["rows"]]
            self.history.stopped_early_at, self.history.best_epoch = history["stopped_early_at"], history["best_epoch"]
            self.stop = bool(state["stop"])
        except (KeyError, TypeError, ValueError, IndexError, AttributeError) as error:
            raise InputError(f"the saved training state does not fit this training ({str(error)[:120]}); "
                             "start the training again") from None

    def _step(self, X: np.ndarray, y: np.ndarray, weights: list, epoch: int) -> None:
        """One update: zero the gradients, L on the batch (+ λΣ|w| + penalty), backpropagate, step."""
        self.optimizer.zero_grad()
        loss = self.loss(self.model(Tensor(X, dtype=X.dtype)), y)
        self._check_finite(loss.data, epoch)
        if self.l1:
            loss = loss + l1_penalty(weights, self.l1)
        if self.penalty is not None:
            loss = loss + self.penalty(self.model)
        loss.backward()
        self.optimizer.step()

    def _check_finite(self, value, epoch: int) -> None:
        if not np.isfinite(value):
            self._diverged(f"the {self.loss_name.upper()} loss became {float(value)}", epoch)

    def _check_not_exploding(self, value: float, epoch: int) -> None:
        """Diverged: a training loss over 1000 times that of always predicting 0 (the mean, for standardised
        data), or over 1000 when that is below 1 (targets at or near 0)."""
        limit = EXPLODED * max(self.reference_loss, 1.0)
        if value > limit:
            self._diverged(f"the {self.loss_name.upper()} loss grew to {value:.3g}, above {limit:.3g} "
                           f"({EXPLODED:g} times that of always predicting 0, or {EXPLODED:g})", epoch)

    def _diverged(self, what: str, epoch: int) -> None:
        """Stop naming the settings that can make descent diverge; a setting far out of the usual range
        (momentum ≥ 0.95, lr × weight_decay or lr × l1 ≥ 1) comes first in the advice."""
        group = self.optimizer.param_groups[0]
        lr, decay, momentum = self.optimizer.lr, group.get("weight_decay", 0), group.get("momentum", 0)
        named = {"momentum": momentum, "weight decay": decay, "L1": self.l1}
        settings = [f"learning rate {lr:g}"] + [f"{name} {value:g}" for name, value in named.items() if value]
        large = {"momentum=0.9": momentum >= 0.95, "weight_decay": lr * decay >= 1, "l1": lr * self.l1 >= 1}
        advice = [f"a smaller {name}" if "=" not in name else f"a smaller momentum such as {name}"
                  for name, flagged in large.items() if flagged]
        advice.append(f"a smaller learning rate such as lr={lr / 10:g}")
        if decay and not large["weight_decay"]:
            advice.append("a smaller weight_decay")
        listed = ", ".join(settings[:-1]) + " and " + settings[-1] if len(settings) > 1 else settings[0]
        raise DivergedError(f"training diverged: {what} in epoch {epoch} with {listed}; try " + " or ".join(advice))
