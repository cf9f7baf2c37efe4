"""The loop of the chapter: for each epoch, for each batch, L → g → step; its batches and callbacks."""

from .batches import iterate_batches, resolve_batch_size, updates_per_epoch
from .callbacks import Callback, Checkpoint, EarlyStopping, Snapshot
from .trainer import DivergedError, History, Trainer, make_optimizer, predict, weights_of

__all__ = ["Callback", "Checkpoint", "DivergedError", "EarlyStopping", "History", "Trainer", "iterate_batches",
           "make_optimizer", "predict", "resolve_batch_size", "Snapshot", "updates_per_epoch", "weights_of"]
