"""Study `depth`: 1, 2, 3 and 4 layers of 100 ReLUs on 56 days — where more depth stops helping on unseen days."""

from __future__ import annotations

from ..spec import ModelSpec, TrainSpec
from ..plots import depth_plot
from .common import StudyResult, Table, k, lecture, movement, seeded, summary, training_job

TITLE = "Deeper: 1 to 4 layers of 100 ReLUs"
LAYERS = (1, 2, 3, 4)
LECTURE = {1: (0.28, 0.43), 2: (0.18, 0.39), 3: (0.14, 0.38), 4: (0.10, 0.44)}


def training(settings, seed: int) -> TrainSpec:
    """Adam, lr 0.001, B = 32, on the lecture's MAE."""
    return TrainSpec(loss="mae", optimizer="adam", lr=0.001, epochs=settings.epochs(200, 8), batch_size=32, seed=seed)


def jobs(settings):
    return [training_job(("depth", layers, seed), ModelSpec("relu", units=100, layers=layers),
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
    train = [summary(runs[n], "train") for n in LAYERS]
    test = [summary(runs[n], "test") for n in LAYERS]
    year = [summary(runs[n], "year")[0] for n in LAYERS] if runs[1][0]["year"] is not None else None
    depth_plot(LAYERS, [m for m, _ in train], [m for m, _ in test], year, [LECTURE[n] for n in LAYERS],
               out / "depth.png")
    labels = [f"{n} layer{'s' * (n > 1)}" for n in LAYERS]
    best_test = min(range(len(LAYERS)), key=lambda i: test[i][0])
    best_train = min(range(len(LAYERS)), key=lambda i: train[i][0])
    deeper = test[-1][0] - test[best_test][0]
    noise = 2 * max(test[-1][1], test[best_test][1])
    if best_test < len(LAYERS) - 1 and deeper > noise and best_train > best_test:
        verdict = (f"Beyond {labels[best_test]} more depth fits the training days better but the test days worse: "
                   "overfitting, as the lecture's 4 layers show.")
    elif best_test < len(LAYERS) - 1 and deeper > noise:
        verdict = (f"Beyond {labels[best_test]} more depth is worse on the test days, and no better on the training "
                   "days: the deeper networks are harder to train here.")
    elif best_test < len(LAYERS) - 1:
        verdict = (f"The test error is lowest with {labels[best_test]}, but the deepest model is within the spread "
                   "over seeds of it, so these runs do not show the lecture's overfitting at 4 layers clearly.")
    else:
        verdict = "Here the deepest model is also the best on the test days: no overfitting shows at 4 layers."
    finding = (f"With 1 to 4 layers of 100 ReLUs the training error L {movement(train, labels, [LECTURE[n][0] for n in LAYERS])}"
               f" and the test error L′ {movement(test, labels, [LECTURE[n][1] for n in LAYERS])}. " + verdict)
    return StudyResult("depth", TITLE, finding, [table],
                       [("depth.png", "training and test error against the number of layers, ours and the lecture's")])
