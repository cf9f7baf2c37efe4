"""Study `batch-size`: full batch vs B = 1 vs mini-batches — ⌈N/B⌉ updates per epoch, time, memory, test loss."""

from __future__ import annotations

import numpy as np

from ..spec import ModelSpec, TrainSpec
from ..plots import batch_plot
from .common import StudyResult, Table, k, mean_k, seeded, training_job

TITLE = "Batch size: full batch, stochastic and mini-batches"
BATCHES = (None, 1, 16, 64, 256)
MODEL = ModelSpec("relu", units=100, layers=1)


def label(batch) -> str:
    return "full (N)" if batch is None else str(batch)


def training(settings, batch, seed: int) -> TrainSpec:
    """Adam, lr 0.001, the lecture's MAE; the same number of epochs for every batch size."""
    return TrainSpec(loss="mae", optimizer="adam", lr=0.001, epochs=settings.epochs(40, 4), batch_size=batch,
                       seed=seed)


def jobs(settings):
    return [training_job(("batch", label(batch), seed), MODEL, training(settings, batch, seed), settings,
                         cost=4.0 if batch == 1 else 1.0, history=True, memory=seed == 0)
            for batch in BATCHES for seed in seeded(settings)]


def report(settings, results, out) -> StudyResult:
    seeds = list(seeded(settings))
    runs = {label(b): [results[("batch", label(b), s)] for s in seeds] for b in BATCHES}
    batch_plot({name: r[0]["history"] for name, r in runs.items()}, out / "batch_size.png")
    table = Table(f"{MODEL.describe(56)}, Adam lr 0.001, {runs[label(None)][0]['epochs']} epochs; MAE in k views",
                  ["batch size B", "updates per epoch", "seconds per epoch", "L train", "L′ test", "test 2021 (year)",
                   "peak memory (MB)"])
    for name, group in runs.items():
        seconds = np.mean([r["seconds"] / r["epochs"] for r in group])
        table.rows.append([name, str(group[0]["updates_per_epoch"]), f"{seconds:.3f}", k([r["train"] for r in group]),
                           k([r["test"] for r in group]), k([r["year"] for r in group]),
                           f"{group[0]['peak_bytes'] / 2**20:.1f}"])
    per_epoch = {name: np.mean([r["seconds"] / r["epochs"] for r in group]) for name, group in runs.items()}
    train = {name: mean_k([r["train"] for r in group]) for name, group in runs.items()}
    fastest, best = min(per_epoch, key=per_epoch.get), min(train, key=train.get)
    finding = (f"Full batch makes 1 update per epoch and B = 1 makes {runs['1'][0]['updates_per_epoch']}: an epoch "
               f"takes {per_epoch[label(None)]:.3f} s at full batch and {per_epoch['1']:.3f} s at B = 1. In the same "
               f"epochs the lowest training loss comes from B = {best} and the fastest epochs from B = {fastest}; "
               f"full batch, with one update per epoch, ends at L = {train[label(None)]:.3f}k.")
    return StudyResult("batch-size", TITLE, finding, [table],
                       [("batch_size.png", "training loss against epochs and against seconds for each batch size")])
