"""Study `batch-size`: full batch vs B = 1 vs mini-batches on the same budget of epochs — ⌈N/B⌉ updates per epoch,
the loss against updates and seconds, the noise of the path, time, memory and the test loss."""

from __future__ import annotations

import numpy as np

from ..spec import ModelSpec, TrainSpec
from ..plots import batch_plot
from .common import StudyResult, Table, k, lesson, mean_k, seeded, training_job

BATCHES = (None, 1, 16, 64, 256)
MODEL = ModelSpec("relu", units=100, layers=1)
FORMULAS = [r"\boldsymbol{g} = \nabla L^{(1)}(\boldsymbol{\theta}^0), \quad \boldsymbol{\theta}^1 = "
            r"\boldsymbol{\theta}^0 - \eta \boldsymbol{g}; \quad \boldsymbol{g} = \nabla L^{(2)}(\boldsymbol{\theta}^1), "
            r"\quad \boldsymbol{\theta}^2 = \boldsymbol{\theta}^1 - \eta \boldsymbol{g}; \ \ldots",
            r"\text{updates per epoch} = \left\lceil N / B \right\rceil"]
TRY = ["gradstep train --model relu --batch-size 1 --epochs 5 --out try-stochastic",
       "gradstep train --model relu --batch-size full --epochs 5 --out try-full",
       "gradstep train --model relu --batch-size full --lr 0.01 --epochs 100 --out try-full-faster"]


def label(batch) -> str:
    return "full (N)" if batch is None else str(batch)


def named(name: str, t) -> str:
    """A batch size's name in the report's language: "full (N)" or the number."""
    return t("batch-size.full") if name == label(None) else name


def path_noise(history: dict) -> float:
    """How much the path jitters: the standard deviation (in %) of the epoch-to-epoch change of log L over the
    second half of training (at least the last three epochs), where a smooth descent changes by almost the same
    amount every epoch."""
    loss = np.log(np.asarray(history["train_mae"], dtype=float))
    late = loss[min(len(loss) // 2, max(len(loss) - 3, 0)):]
    return 100 * float(np.diff(late).std()) if len(late) > 1 else 0.0


def training(settings, batch, seed: int) -> TrainSpec:
    """Adam, lr 0.001, the lecture's MAE; the same number of epochs for every batch size."""
    return TrainSpec(loss="mae", optimizer="adam", lr=0.001, epochs=settings.epochs(40, 4), batch_size=batch,
                       seed=seed)


def jobs(settings):
    return [training_job(("batch", label(batch), seed), MODEL, training(settings, batch, seed), settings,
                         cost=4.0 if batch == 1 else 1.0, history=True, memory=seed == 0)
            for batch in BATCHES for seed in seeded(settings)]


def report(settings, results, out) -> StudyResult:
    t = settings.text
    seeds = list(seeded(settings))
    runs = {label(b): [results[("batch", label(b), s)] for s in seeds] for b in BATCHES}
    batch_plot({name: r[0]["history"] for name, r in runs.items()}, out / "batch_size.png", t=settings.figure_text)
    table = Table(t("batch-size.table", units=MODEL.units, days=56, epochs=runs[label(None)][0]["epochs"]),
                  [t("batch-size.col.batch"), t("batch-size.col.updates"), t("batch-size.col.seconds"),
                   t("batch-size.col.noise"), t("col.train"), t("col.test"), t("col.year"), t("batch-size.col.memory")])
    noise = {name: float(np.mean([path_noise(r["history"]) for r in group])) for name, group in runs.items()}
    for name, group in runs.items():
        seconds = np.mean([r["seconds"] / r["epochs"] for r in group])
        table.rows.append([named(name, t), str(group[0]["updates_per_epoch"]),
                           f"{seconds:.3f}", f"{noise[name]:.2f}", k([r["train"] for r in group]), k([r["test"] for r in group]),
                           k([r["year"] for r in group]), f"{group[0]['peak_bytes'] / 2**20:.1f}"])
    per_epoch = {name: np.mean([r["seconds"] / r["epochs"] for r in group]) for name, group in runs.items()}
    train = {name: mean_k([r["train"] for r in group]) for name, group in runs.items()}
    fastest, best = min(per_epoch, key=per_epoch.get), min(train, key=train.get)
    finding = t("batch-size.finding", updates=runs["1"][0]["updates_per_epoch"], full=f"{per_epoch[label(None)]:.3f}",
                one=f"{per_epoch['1']:.3f}", best=named(best, t), fastest=named(fastest, t),
                loss=f"{train[label(None)]:.3f}", noisiest=named(max(noise, key=noise.get), t),
                most=f"{max(noise.values()):.2f}", full_noise=f"{noise[label(None)]:.2f}")
    return lesson("batch-size", t("batch-size.title"), finding, settings, FORMULAS, TRY, tables=[table],
                  figures=[("batch_size.png", t("batch-size.figure"))])
