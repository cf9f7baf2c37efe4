"""Study `depth`: 1, 2, 3 and 4 layers of 100 ReLUs on 56 days — where more depth stops helping on unseen days."""

from __future__ import annotations

from ..forecast import ModelConfig, TrainConfig
from ..plots import depth_plot
from .common import StudyResult, Table, k, lecture, mean_k, seeded, training_job

TITLE = "Deeper: 1 to 4 layers of 100 ReLUs"
LAYERS = (1, 2, 3, 4)
LECTURE = {1: (0.28, 0.43), 2: (0.18, 0.39), 3: (0.14, 0.38), 4: (0.10, 0.44)}


def training(settings, seed: int) -> TrainConfig:
    """Adam, lr 0.001, B = 32, on the lecture's MAE."""
    return TrainConfig(loss="mae", optimizer="adam", lr=0.001, epochs=settings.epochs(200, 8), batch_size=32, seed=seed)


def jobs(settings):
    return [training_job(("depth", layers, seed), ModelConfig("relu", 56, units=100, layers=layers),
                         training(settings, seed), settings, cost=0.5 + layers)
            for layers in LAYERS for seed in seeded(settings)]


def report(settings, results, out) -> StudyResult:
    seeds = list(seeded(settings))
    table = Table("L (train) and L′ (test), MAE in k views, mean ± std over seeds",
                  ["layers", "L train", "L′ test", "test 2021 (year)", "lecture L", "lecture L′"])
    runs = {n: [results[("depth", n, s)] for s in seeds] for n in LAYERS}
    for n in LAYERS:
        table.rows.append([str(n), k([r["train"] for r in runs[n]]), k([r["test"] for r in runs[n]]),
                           k([r["year"] for r in runs[n]]), lecture(LECTURE[n][0]), lecture(LECTURE[n][1])])
    train = [mean_k([r["train"] for r in runs[n]]) for n in LAYERS]
    test = [mean_k([r["test"] for r in runs[n]]) for n in LAYERS]
    year = [mean_k([r["year"] for r in runs[n]]) for n in LAYERS]
    depth_plot(LAYERS, train, test, year, [LECTURE[n] for n in LAYERS], out / "depth.png")
    best = LAYERS[test.index(min(test))]
    fits = LAYERS[train.index(min(train))]
    finding = (f"Training error L goes {' → '.join(f'{v:.3f}' for v in train)}k for 1 to 4 layers (lowest with {fits}) "
               f"and the test error L′ {' → '.join(f'{v:.3f}' for v in test)}k (lowest with {best}). "
               + ("Past the best depth on unseen days, more layers fit the training days at least as well but the test "
                  "days worse: overfitting, as the lecture's 4 layers show." if best < fits else
                  "Here the depth that fits the training days best is also best on the test days." if best == fits else
                  "Here a deeper model generalises better than the one that fits the training days best."))
    return StudyResult("depth", TITLE, finding, [table],
                       [("depth.png", "training and test error against the number of layers, ours and the lecture's")])
