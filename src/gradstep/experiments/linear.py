"""Study `linear`: y = b + Σj wj xj on the previous 1, 7, 28 and 56 days (the book's Table 1.1 and its error table)."""

from __future__ import annotations

from ..spec import ModelSpec, TrainSpec
from ..plots import prediction_plot
from .common import StudyResult, Table, k, lecture, lesson, movement, seeded, summary, training_job

DAYS = (1, 7, 28, 56)
LECTURE = {1: (0.48, 0.58), 7: (0.38, 0.49), 28: (0.33, 0.46), 56: (0.32, 0.46)}
TABLE_1_1 = {"b": 0.05, "w": [0.79, -0.31, 0.12, -0.01, -0.10, 0.30, 0.18]}
FORMULAS = [r"y = b + \sum_{j=1}^{k} w_j x_j",
            r"L = \frac{1}{N} \sum_{n} e_n, \qquad e = \left| y - \hat{y} \right|"]
TRY = ["gradstep train --model linear --days 7 --epochs 200 --out try-linear-7",
       "gradstep train --model linear --days 7 --loss mse --epochs 200 --out try-linear-mse",
       "gradstep train --model relu --days 56 --units 100 --epochs 200 --out try-relu"]


def training(settings, seed: int) -> TrainSpec:
    """Mini-batch gradient descent with Adam (lr 0.001, B = 32) on the lecture's MAE."""
    return TrainSpec(loss="mae", optimizer="adam", lr=0.001, epochs=settings.epochs(200, 15), batch_size=32, seed=seed)


def jobs(settings):
    return [training_job(("linear", days, seed), ModelSpec("linear"), training(settings, seed), settings,
                         days=days, cost=0.3, predictions=days == 56, weights=days == 7)
            for days in DAYS for seed in seeded(settings)]


def report(settings, results, out) -> StudyResult:
    t = settings.text
    seeds = list(seeded(settings))
    errors = Table(t("common.errors_table"), [t("linear.col.days"), t("col.train"), t("col.test45"), t("col.year"),
                                              t("col.lecture_train"), t("col.lecture_test")])
    for days in DAYS:
        runs = [results[("linear", days, s)] for s in seeds]
        errors.rows.append([str(days), k([r["train"] for r in runs]), k([r["test"] for r in runs]),
                            k([r["year"] for r in runs]), lecture(LECTURE[days][0]), lecture(LECTURE[days][1])])
    first = results[("linear", 7, seeds[0])]["weights"]
    weights = Table(t("linear.weights"), ["", "b", *[f"w{j}" for j in range(1, 8)]])
    weights.rows.append(["gradstep", f"{first['b'] / 1e3:.2f}", *[f"{w:.2f}" for w in first["w"]]])
    weights.rows.append([t("linear.book"), f"{TABLE_1_1['b']:.2f}", *[f"{w:.2f}" for w in TABLE_1_1["w"]]])
    best = results[("linear", 56, seeds[0])]
    prediction_plot(best["dates"], best["truth"], best["prediction"], out / "linear_test.png",
                    title=settings.figure_text("linear.plot_title", mae=f"{best['test'] / 1e3:.3f}"),
                    t=settings.figure_text, thousands=True)
    test = [summary([results[("linear", d, s)] for s in seeds], "test") for d in DAYS]
    train = [summary([results[("linear", d, s)] for s in seeds], "train") for d in DAYS]
    labels = [t("linear.label", days=d) for d in DAYS]
    heaviest = sorted(range(7), key=lambda j: -abs(first["w"][j]))[:2]
    finding = t("linear.finding", test=movement(test, labels, [LECTURE[d][1] for d in DAYS], t),
                train=movement(train, labels, [LECTURE[d][0] for d in DAYS], t),
                heaviest=t("linear.and").join(t("linear.weight" if j else "linear.weight1", j=j + 1,
                                                 w=f"{first['w'][j]:.2f}") for j in heaviest))
    return lesson("linear", t("linear.title"), finding, settings, FORMULAS, TRY, tables=[errors, weights],
                  figures=[("linear_test.png", t("linear.figure"))])
