"""Study `units`: y = b + Σi ci σ(bi + Σj wij xj) on 56 days with 10, 100 and 1000 sigmoids or ReLUs."""

from __future__ import annotations

from ..plots import units_plot
from ..spec import ModelSpec, TrainSpec
from .common import StudyResult, Table, k, lecture, lesson, movement, seeded, summary, training_job

UNITS = (10, 100, 1000)
LECTURE_RELU = {10: (0.32, 0.45), 100: (0.28, 0.43), 1000: (0.27, 0.43)}
FORMULAS = [r"y = b + \sum_i c_i \, \sigma\!\left(b_i + \sum_j w_{ij} x_j\right)",
            r"y = b + \boldsymbol{c}^{T} \sigma(\boldsymbol{b} + W \boldsymbol{x})",
            r"\operatorname{ReLU}(z) = \max(0, z)"]
TRY = ["gradstep train --model relu --units 10 --epochs 200 --out try-relu-10",
       "gradstep train --model relu --units 1000 --epochs 200 --out try-relu-1000",
       "gradstep train --model sigmoid --units 100 --lr 0.01 --epochs 200 --out try-sigmoid-lr"]


def training(settings, seed: int) -> TrainSpec:
    """Adam, lr 0.001, B = 32, on the lecture's MAE."""
    return TrainSpec(loss="mae", optimizer="adam", lr=0.001, epochs=settings.epochs(200, 8), batch_size=32, seed=seed)


def jobs(settings):
    return [training_job(("units", kind, units, seed), ModelSpec(kind, units=units), training(settings, seed),
                         settings, cost=0.5 + units / 250)
            for kind in ("sigmoid", "relu") for units in UNITS for seed in seeded(settings)]


def report(settings, results, out) -> StudyResult:
    t = settings.text
    seeds = list(seeded(settings))
    table = Table(t("common.errors_table"), [t("units.col.units"), t("units.col.activation"), t("col.train"),
                                             t("col.test"), t("col.year"), t("col.lecture_train"),
                                             t("col.lecture_test")])
    for kind in ("sigmoid", "relu"):
        for units in UNITS:
            runs = [results[("units", kind, units, s)] for s in seeds]
            book = LECTURE_RELU[units] if kind == "relu" else (None, None)
            table.rows.append([str(units), kind, k([r["train"] for r in runs]), k([r["test"] for r in runs]),
                               k([r["year"] for r in runs]), lecture(book[0]), lecture(book[1])])
    labels = [t("units.label", units=u) for u in UNITS]
    numbers = {kind: {part: [summary([results[("units", kind, u, s)] for s in seeds], part) for u in UNITS]
                      for part in ("train", "test")} for kind in ("sigmoid", "relu")}
    units_plot(UNITS, numbers, out / "units.png", lecture=LECTURE_RELU, t=settings.figure_text)

    def described(kind, part):
        book = [LECTURE_RELU[u][part == "test"] for u in UNITS] if kind == "relu" else None
        return movement(numbers[kind][part], labels, book, t)
    finding = t("units.finding", relu_train=described("relu", "train"), relu_test=described("relu", "test"),
                sigmoid_train=described("sigmoid", "train"), sigmoid_test=described("sigmoid", "test"))
    return lesson("units", t("units.title"), finding, settings, FORMULAS, TRY, tables=[table],
                  figures=[("units.png", t("units.figure"))])
