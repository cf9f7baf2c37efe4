"""Study `depth`: 1, 2, 3 and 4 layers of 100 ReLUs on 56 days — where more depth stops helping on unseen days."""

from __future__ import annotations

import dataclasses

from ..spec import ModelSpec, TrainSpec
from ..plots import curves_plot, depth_plot, prediction_plot
from .common import StudyResult, Table, k, lecture, lesson, movement, seeded, summary, training_job

LAYERS = (1, 2, 3, 4)
LECTURE = {1: (0.28, 0.43), 2: (0.18, 0.39), 3: (0.14, 0.38), 4: (0.10, 0.44)}
VALID_DAYS = 45
FORMULAS = [r"\boldsymbol{a}^{(1)} = \operatorname{ReLU}\!\left(\boldsymbol{b}^{(1)} + W^{(1)} \boldsymbol{x}\right), \quad "
            r"\boldsymbol{a}^{(l)} = \operatorname{ReLU}\!\left(\boldsymbol{b}^{(l)} + W^{(l)} \boldsymbol{a}^{(l-1)}\right)",
            r"y = b + \boldsymbol{c}^{T} \boldsymbol{a}^{(L)}"]
TRY = ["gradstep train --model relu --layers 4 --epochs 200 --valid-days 45 --out try-deep",
       "gradstep train --model relu --layers 4 --epochs 200 --valid-days 45 --patience 10 --out try-deep-early",
       "gradstep train --model relu --layers 4 --epochs 200 --valid-days 45 --dropout 0.2 --out try-deep-dropout"]


def training(settings, seed: int) -> TrainSpec:
    """Adam, lr 0.001, B = 32, on the lecture's MAE."""
    return TrainSpec(loss="mae", optimizer="adam", lr=0.001, epochs=settings.epochs(200, 8), batch_size=32, seed=seed)


def jobs(settings):
    """One training per depth and seed, the last VALID_DAYS training days held out to choose on."""
    held_out = dataclasses.replace(settings, data=dataclasses.replace(settings.data, valid_days=VALID_DAYS))
    return [training_job(("depth", layers, seed), ModelSpec("relu", units=100, layers=layers),
                         training(settings, seed), held_out, cost=0.5 + layers, history=seed == 0,
                         predictions=seed == 0)
            for layers in LAYERS for seed in seeded(settings)]


def report(settings, results, out) -> StudyResult:
    t = settings.text
    seeds = list(seeded(settings))
    table = Table(t("depth.table", valid=VALID_DAYS), [t("depth.col.layers"), t("col.train"), t("depth.col.valid"),
                                                       t("col.test"), t("col.year"), t("col.lecture_train"),
                                                       t("col.lecture_test")])
    runs = {n: [results[("depth", n, s)] for s in seeds] for n in LAYERS}
    for n in LAYERS:
        table.rows.append([str(n), k([r["train"] for r in runs[n]]), k([r["valid"] for r in runs[n]]),
                           k([r["test"] for r in runs[n]]), k([r["year"] for r in runs[n]]), lecture(LECTURE[n][0]),
                           lecture(LECTURE[n][1])])
    train = [summary(runs[n], "train") for n in LAYERS]
    valid = [summary(runs[n], "valid") for n in LAYERS]
    test = [summary(runs[n], "test") for n in LAYERS]
    year = [summary(runs[n], "year")[0] for n in LAYERS] if runs[1][0]["year"] is not None else None
    figures = settings.figure_text
    depth_plot(LAYERS, [m for m, _ in train], [m for m, _ in test], year, [LECTURE[n] for n in LAYERS],
               out / "depth.png", t=figures)
    curves_plot({n: runs[n][0]["history"] for n in LAYERS}, out / "depth_curves.png", t=figures)
    chosen = min(range(len(LAYERS)), key=lambda i: valid[i][0])
    best = runs[LAYERS[chosen]][0]
    prediction_plot(best["dates"], best["truth"], best["prediction"], out / "depth_test.png",
                    title=figures("depth.plot_title", layers=LAYERS[chosen], mae=f"{best['test'] / 1e3:.3f}"), t=figures,
                    thousands=True)
    labels = [t("depth.label.1") if n == 1 else t("depth.label", layers=n) for n in LAYERS]
    best_test = min(range(len(LAYERS)), key=lambda i: test[i][0])
    best_train = min(range(len(LAYERS)), key=lambda i: train[i][0])
    deeper = test[-1][0] - test[best_test][0]
    noise = 2 * max(test[-1][1], test[best_test][1])
    if best_test < len(LAYERS) - 1 and deeper > noise and best_train > best_test:
        verdict = t("depth.verdict.overfits", best=labels[best_test])
    elif best_test < len(LAYERS) - 1 and deeper > noise:
        verdict = t("depth.verdict.harder", best=labels[best_test])
    elif best_test < len(LAYERS) - 1:
        verdict = t("depth.verdict.spread", best=labels[best_test])
    else:
        verdict = t("depth.verdict.deepest")
    finding = t("depth.finding", train=movement(train, labels, [LECTURE[n][0] for n in LAYERS], t),
                test=movement(test, labels, [LECTURE[n][1] for n in LAYERS], t), verdict=verdict,
                chosen=labels[chosen])
    return lesson("depth", t("depth.title"), finding, settings, FORMULAS, TRY, tables=[table],
                  figures=[("depth.png", t("depth.figure")), ("depth_curves.png", t("depth.curves", valid=VALID_DAYS)),
                           ("depth_test.png", t("depth.test_figure", layers=labels[chosen]))])
