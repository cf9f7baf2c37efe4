"""Study `linear`: y = b + Σj wj xj on the previous 1, 7, 28 and 56 days (the book's Table 1.1 and its error table)."""

from __future__ import annotations

from ..spec import ModelSpec, TrainSpec
from ..plots import prediction_plot
from .common import StudyResult, Table, k, lecture, movement, seeded, summary, training_job

TITLE = "Linear models on 1, 7, 28 and 56 days"
DAYS = (1, 7, 28, 56)
LECTURE = {1: (0.48, 0.58), 7: (0.38, 0.49), 28: (0.33, 0.46), 56: (0.32, 0.46)}
TABLE_1_1 = {"b": 0.05, "w": [0.79, -0.31, 0.12, -0.01, -0.10, 0.30, 0.18]}


def training(settings, seed: int) -> TrainSpec:
    """Mini-batch gradient descent with Adam (lr 0.001, B = 32) on the lecture's MAE."""
    return TrainSpec(loss="mae", optimizer="adam", lr=0.001, epochs=settings.epochs(200, 15), batch_size=32, seed=seed)


def jobs(settings):
    return [training_job(("linear", days, seed), ModelSpec("linear"), training(settings, seed), settings,
                         days=days, cost=0.3, predictions=days == 56, weights=days == 7)
            for days in DAYS for seed in seeded(settings)]


def report(settings, results, out) -> StudyResult:
    seeds = list(seeded(settings))
    errors = Table("L (train) and L′ (test), MAE in k views, mean ± std over seeds",
                   ["days", "L train", "L′ test (45 days)", "test 2021 (year)", "lecture L", "lecture L′"])
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
    test = [summary([results[("linear", d, s)] for s in seeds], "test") for d in DAYS]
    train = [summary([results[("linear", d, s)] for s in seeds], "train") for d in DAYS]
    labels = [f"{d} days" for d in DAYS]
    heaviest = sorted(range(7), key=lambda j: -abs(first["w"][j]))[:2]
    finding = (f"Over 1, 7, 28 and 56 days the test error L′ {movement(test, labels, [LECTURE[d][1] for d in DAYS])} "
               f"and the training error L {movement(train, labels, [LECTURE[d][0] for d in DAYS])}. The 7-day model "
               "leans most on " + " and ".join(f"w{j + 1} = {first['w'][j]:.2f} ({j + 1} day{'s' * (j > 0)} before)"
                                               for j in heaviest) + ".")
    return StudyResult("linear", TITLE, finding, [errors, weights],
                       [("linear_test.png", "56-day linear model: predicted vs true views on the test days")])
