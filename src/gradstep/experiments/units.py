"""Study `units`: y = b + Σi ci σ(bi + Σj wij xj) on 56 days with 10, 100 and 1000 sigmoids or ReLUs."""

from __future__ import annotations

from ..forecast import ModelConfig, TrainConfig
from .common import StudyResult, Table, k, lecture, mean_k, seeded, training_job

TITLE = "One layer of 10, 100 and 1000 sigmoids or ReLUs on 56 days"
UNITS = (10, 100, 1000)
LECTURE_RELU = {10: (0.32, 0.45), 100: (0.28, 0.43), 1000: (0.27, 0.43)}


def training(settings, seed: int) -> TrainConfig:
    """Adam, lr 0.001, B = 32, on the lecture's MAE."""
    return TrainConfig(loss="mae", optimizer="adam", lr=0.001, epochs=settings.epochs(200, 8), batch_size=32, seed=seed)


def jobs(settings):
    return [training_job(("units", kind, units, seed), ModelConfig(kind, 56, units=units), training(settings, seed),
                         settings, cost=0.5 + units / 250)
            for kind in ("sigmoid", "relu") for units in UNITS for seed in seeded(settings)]


def report(settings, results, out) -> StudyResult:
    seeds = list(seeded(settings))
    table = Table("L (train) and L′ (test), MAE in k views, mean ± std over seeds",
                  ["units", "activation", "L train", "L′ test", "test 2021 (year)", "lecture L", "lecture L′"])
    test = {}
    for kind in ("sigmoid", "relu"):
        for units in UNITS:
            runs = [results[("units", kind, units, s)] for s in seeds]
            book = LECTURE_RELU[units] if kind == "relu" else (None, None)
            test[kind, units] = mean_k([r["test"] for r in runs])
            table.rows.append([str(units), kind, k([r["train"] for r in runs]), k([r["test"] for r in runs]),
                               k([r["year"] for r in runs]), lecture(book[0]), lecture(book[1])])
    train = {(kind, u): mean_k([results[("units", kind, u, s)]["train"] for s in seeds])
             for kind in ("sigmoid", "relu") for u in UNITS}

    def path(values, kind):
        return " → ".join(f"{values[kind, u]:.3f}" for u in UNITS)
    train_gain = train["relu", UNITS[0]] - train["relu", UNITS[-1]]
    test_gain = test["relu", UNITS[0]] - test["relu", UNITS[-1]]
    finding = (f"From {UNITS[0]} to {UNITS[-1]} ReLUs the training error L goes {path(train, 'relu')}k and the test "
               f"error L′ {path(test, 'relu')}k (sigmoids: L {path(train, 'sigmoid')}k, L′ {path(test, 'sigmoid')}k): "
               + ("more units help on unseen days less than on the training days, as in the lecture."
                  if test_gain < train_gain else "here more units help the test days at least as much as the training days.")
               + (f" {UNITS[-1]} sigmoids train worse than {UNITS[1]} in the same epochs (slower to fit)."
                  if train["sigmoid", UNITS[-1]] > train["sigmoid", UNITS[1]] else ""))
    return StudyResult("units", TITLE, finding, [table])
