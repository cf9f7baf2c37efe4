"""Study `units`: y = b + Σi ci σ(bi + Σj wij xj) on 56 days with 10, 100 and 1000 sigmoids or ReLUs."""

from __future__ import annotations

from ..spec import ModelSpec, TrainSpec
from .common import StudyResult, Table, k, lecture, movement, seeded, summary, training_job

TITLE = "One layer of 10, 100 and 1000 sigmoids or ReLUs on 56 days"
UNITS = (10, 100, 1000)
LECTURE_RELU = {10: (0.32, 0.45), 100: (0.28, 0.43), 1000: (0.27, 0.43)}


def training(settings, seed: int) -> TrainSpec:
    """Adam, lr 0.001, B = 32, on the lecture's MAE."""
    return TrainSpec(loss="mae", optimizer="adam", lr=0.001, epochs=settings.epochs(200, 8), batch_size=32, seed=seed)


def jobs(settings):
    return [training_job(("units", kind, units, seed), ModelSpec(kind, units=units), training(settings, seed),
                         settings, cost=0.5 + units / 250)
            for kind in ("sigmoid", "relu") for units in UNITS for seed in seeded(settings)]


def report(settings, results, out) -> StudyResult:
    seeds = list(seeded(settings))
    table = Table("L (train) and L′ (test), MAE in k views, mean ± std over seeds",
                  ["units", "activation", "L train", "L′ test", "test 2021 (year)", "lecture L", "lecture L′"])
    for kind in ("sigmoid", "relu"):
        for units in UNITS:
            runs = [results[("units", kind, units, s)] for s in seeds]
            book = LECTURE_RELU[units] if kind == "relu" else (None, None)
            table.rows.append([str(units), kind, k([r["train"] for r in runs]), k([r["test"] for r in runs]),
                               k([r["year"] for r in runs]), lecture(book[0]), lecture(book[1])])
    labels = [f"{u} units" for u in UNITS]

    def described(kind, part):
        numbers = [summary([results[("units", kind, u, s)] for s in seeds], part) for u in UNITS]
        book = [LECTURE_RELU[u][part == "test"] for u in UNITS] if kind == "relu" else None
        return movement(numbers, labels, book)
    finding = (f"With 10, 100 and 1000 ReLUs the training error L {described('relu', 'train')} and the test error "
               f"L′ {described('relu', 'test')}. With sigmoids L {described('sigmoid', 'train')} and L′ "
               f"{described('sigmoid', 'test')}.")
    return StudyResult("units", TITLE, finding, [table])
