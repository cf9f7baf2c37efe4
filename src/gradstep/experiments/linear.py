"""Study `linear`: y = b + Σj wj xj on the previous 1, 7, 28 and 56 days (the book's Table 1.1 and its error table)."""

from __future__ import annotations

from ..forecast import ModelConfig, TrainConfig
from ..plots import prediction_plot
from .common import StudyResult, Table, k, lecture, mean_k, seeded, training_job

TITLE = "Linear models on 1, 7, 28 and 56 days"
DAYS = (1, 7, 28, 56)
LECTURE = {1: (0.48, 0.58), 7: (0.38, 0.49), 28: (0.33, 0.46), 56: (0.32, 0.46)}
TABLE_1_1 = {"b": 0.05, "w": [0.79, -0.31, 0.12, -0.01, -0.10, 0.30, 0.18]}


def training(settings, seed: int) -> TrainConfig:
    """Mini-batch gradient descent with Adam (lr 0.001, B = 32) on the lecture's MAE."""
    return TrainConfig(loss="mae", optimizer="adam", lr=0.001, epochs=settings.epochs(200, 15), batch_size=32, seed=seed)


def jobs(settings):
    return [training_job(("linear", days, seed), ModelConfig("linear", days), training(settings, seed), settings,
                         cost=0.3, predictions=days == 56, weights=days == 7)
            for days in DAYS for seed in seeded(settings)]


def report(settings, results, out) -> StudyResult:
    seeds = list(seeded(settings))
    errors = Table("L (train 2017–2020) and L′ (test), MAE in k views, mean ± std over seeds",
                   ["days", "L train", "L′ test 2021-01-01..02-14", "test 2021 (year)", "lecture L", "lecture L′"])
    for days in DAYS:
        runs = [results[("linear", days, s)] for s in seeds]
        errors.rows.append([str(days), k([r["train"] for r in runs]), k([r["test"] for r in runs]),
                            k([r["year"] for r in runs]), lecture(LECTURE[days][0]), lecture(LECTURE[days][1])])
    first = results[("linear", 7, seeds[0])]["weights"]
    weights = Table("the 7-day model's weights (seed 0) beside the book's Table 1.1; b in k views",
                    ["", "b", *[f"w{j}" for j in range(1, 8)]])
    weights.rows.append(["gradstep", f"{first['b'] / 1e3:.2f}", *[f"{w:.2f}" for w in first["w"]]])
    weights.rows.append(["book", f"{TABLE_1_1['b']:.2f}", *[f"{w:.2f}" for w in TABLE_1_1["w"]]])
    best = results[("linear", 56, seeds[0])]
    prediction_plot(best["dates"], best["truth"], best["prediction"], out / "linear_test.png",
                    title=f"56-day linear model on the test days: MAE {best['test'] / 1e3:.3f}k")
    test = [mean_k([results[("linear", d, s)]["test"] for s in seeds]) for d in DAYS]
    train = [mean_k([results[("linear", d, s)]["train"] for s in seeds]) for d in DAYS]
    falls = all(a > b for a, b in zip(test, test[1:]))
    finding = (f"More days of history help: the test error L′ goes {' → '.join(f'{v:.3f}' for v in test)}k for "
               f"1, 7, 28, 56 days" + (", falling at every step as in the lecture" if falls else
                                       ", not falling at every step as it does in the lecture")
               + f"; the training error L goes {' → '.join(f'{v:.3f}' for v in train)}k. Weight w1 (yesterday) is "
               f"{first['w'][0]:.2f} and w7 (a week ago) {first['w'][6]:.2f}: this page's weekly cycle.")
    return StudyResult("linear", TITLE, finding, [errors, weights],
                       [("linear_test.png", "56-day linear model: predicted vs true views on the test days")])
