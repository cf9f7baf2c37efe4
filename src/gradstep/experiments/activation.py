"""Study `activation`: without activations a deep network is one linear model; with them it fits curves.

Layers y = W3(W2(W1 x + b1) + b2) + b3 collapse to y = W x + b with W = W3 W2 W1 and
b = W3(W2 b1 + b2) + b3: the same function, whatever the depth. With ReLUs between the layers the
network can bend: on this page's yearly curve (views against the day of the year) it fits what no
straight line can.
"""

from __future__ import annotations

import numpy as np

from .. import nn
from ..plots import activation_plot
from ..run import errors as mae_and_mse, prepare
from ..spec import RunSpec
from ..training import Trainer, predict
from .common import Job, StudyResult, Table, k, lesson, seeded, series
from .piecewise import yearly_curve

HIDDEN = 32
FORMULAS = [r"W_3 \left(W_2 \left(W_1 \boldsymbol{x} + \boldsymbol{b}_1\right) + \boldsymbol{b}_2\right) + \boldsymbol{b}_3 "
            r"= (W_3 W_2 W_1) \, \boldsymbol{x} + \left(W_3 (W_2 \boldsymbol{b}_1 + \boldsymbol{b}_2) + \boldsymbol{b}_3\right)",
            r"W_3 \operatorname{ReLU}\!\left(W_2 \operatorname{ReLU}\!\left(W_1 \boldsymbol{x} + \boldsymbol{b}_1\right) "
            r"+ \boldsymbol{b}_2\right) + \boldsymbol{b}_3"]
TRY = ["gradstep train --model relu --layers 3 --units 32 --days 1 --epochs 200 --out try-relu-bends",
       "gradstep train --model linear --days 1 --epochs 200 --out try-line",
       "gradstep reproduce activation --page Christmas --out report-christmas"]


def collapse(model: nn.Sequential) -> tuple[np.ndarray, np.ndarray]:
    """W and b of the single linear layer equal to a stack of Linear layers: W = Wn…W1, b = Wn(…(W2 b1 + b2)…) + bn."""
    weight, bias = None, None
    for layer in model:
        w, b = layer.weight.data.astype(np.float64), layer.bias.data.astype(np.float64)
        weight, bias = (w, b) if weight is None else (w @ weight, w @ bias + b)
    return weight, bias


def curve_models(seed: int) -> dict:
    """The three models fitted to the yearly curve: straight line, 3 layers without and with ReLUs."""
    rng = np.random.default_rng(seed)
    return {
        "linear": nn.linear_model(1, dtype=np.float64, rng=rng),
        "deep_linear": nn.Sequential(nn.Linear(1, HIDDEN, dtype=np.float64, rng=rng),
                                                 nn.Linear(HIDDEN, HIDDEN, dtype=np.float64, rng=rng),
                                                 nn.Linear(HIDDEN, 1, dtype=np.float64, rng=rng)),
        "relu": nn.relu_network(1, HIDDEN, layers=3, dtype=np.float64, rng=rng),
    }


def fit(data, seed: int, epochs: int, steps: int) -> dict:
    """Train a 3-layer network without activations on the forecasting task and check its collapse; fit the curve."""
    parts, scaler = prepare(RunSpec(data=data).replace(days=56), series(data))
    rng = np.random.default_rng(seed)
    deep_linear = nn.Sequential(nn.Linear(56, 100, dtype=np.float64, rng=rng),
                                nn.Linear(100, 100, dtype=np.float64, rng=rng),
                                nn.Linear(100, 1, dtype=np.float64, rng=rng))
    Trainer(deep_linear, loss="mae", optimizer="adam", lr=0.001, epochs=epochs, batch_size=32, seed=seed,
            progress=False).fit(scaler.transform(parts.train.X), scaler.transform(parts.train.y))
    x_test = scaler.transform(parts.test.X)
    weight, bias = collapse(deep_linear)
    deep_out = predict(deep_linear, x_test)[:, 0]
    collapsed = x_test @ weight[0] + bias[0]
    forecast = {part: mae_and_mse(scaler.inverse(predict(deep_linear, scaler.transform(w.X))), w.y)["mae"]
                for part, w in (("train", parts.train), ("test", parts.test))}

    day, views = yearly_curve(data)
    x = ((day - day.mean()) / day.std()).reshape(-1, 1)
    mean, std = views.mean(), views.std()
    y = ((views - mean) / std).reshape(-1, 1)
    curves, errors = {}, {}
    for name, model in curve_models(seed).items():
        Trainer(model, loss="mse", optimizer="adam", lr=0.01, epochs=steps, batch_size=None, seed=seed,
                progress=False).fit(x, y)
        fitted = predict(model, x)[:, 0] * std + mean
        curves[name], errors[name] = fitted.tolist(), float(np.abs(fitted - views).mean())
    return {"collapse_gap": float(np.abs(deep_out - collapsed).max()), "forecast": forecast,
            "day": day.tolist(), "views": views.tolist(), "curves": curves, "errors": errors}


def jobs(settings):
    return [Job(("activation", seed), fit, dict(data=settings.data, seed=seed, epochs=settings.epochs(60, 5),
                                                steps=settings.epochs(1500, 300)), 1.5)
            for seed in seeded(settings)]


def report(settings, results, out) -> StudyResult:
    t = settings.text
    runs = [results[("activation", s)] for s in seeded(settings)]
    activation_plot(runs[0], out / "activation.png", t=settings.figure_text)
    table = Table(t("activation.table"), [t("activation.col.model"), t("activation.col.mae")])
    for name in runs[0]["errors"]:
        table.rows.append([t("model." + name), k([r["errors"][name] for r in runs])])
    forecast = Table(t("activation.forecast"), [t("col.train"), t("col.test")])
    forecast.rows.append([k([r["forecast"]["train"] for r in runs]), k([r["forecast"]["test"] for r in runs])])
    gap = max(r["collapse_gap"] for r in runs)
    errors = {name: np.mean([r["errors"][name] for r in runs]) / 1e3 for name in runs[0]["errors"]}
    line, deep, relu = errors["linear"], errors["deep_linear"], errors["relu"]
    finding = t("activation.finding", gap=f"{gap:.1e}", deep=f"{deep:.3f}", line=f"{line:.3f}",
                relu=t("activation.follows" if relu < 0.5 * line else "activation.somewhat", mae=f"{relu:.3f}"))
    claims = [(t("activation.claim", gap=f"{gap:.1e}"), gap < 1e-9)]
    return lesson("activation", t("activation.title"), finding, settings, FORMULAS, TRY, tables=[table, forecast],
                  figures=[("activation.png", t("activation.figure"))], claims=claims)
