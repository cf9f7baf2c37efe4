"""Study `piecewise`: a continuous curve = a constant + a sum of hard sigmoids, and sigmoids approaching them.

The curve is real: the series' average by day of the year over its training days (2017–2020 for the
built-in pages; a 7-day mean removes the weekly cycle), or, for a series shorter than two years, its
training days themselves, smoothed the same way. With n pieces, knots a0 < … < an equally spaced and f the curve,
    f̂(x) = f(a0) + Σi (f(ai) − f(ai−1)) · hard_sigmoid((x − ai−1) / (ai − ai−1)),
the piecewise linear curve through the knots; hard_sigmoid(z) = clip(z, 0, 1) = relu(z) − relu(z − 1).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..plots import piecewise_plot
from ..run import split
from ..spec import RunSpec
from ..tensor import Tensor
from .common import Job, StudyResult, Table, lesson, series

PIECES = (1, 2, 4, 8, 16, 32, 64)
SHARPNESS = (1, 2, 5, 10, 50, 100)
SHOWN = 4
FORMULAS = [r"y = b + \sum_i c_i \, \operatorname{hard\_sigmoid}(b_i + w_i x_1)",
            r"\operatorname{hard\_sigmoid}(z) = \operatorname{ReLU}(z) - \operatorname{ReLU}(z - 1)",
            r"y = b + \sum_i c_i \, \sigma(b_i + w_i x_1) = b + \sum_i \frac{c_i}{1 + e^{-(b_i + w_i x_1)}}"]
TRY = ["gradstep train --model sigmoid --days 1 --units 3 --epochs 200 --out try-sigmoid-3",
       "gradstep train --model sigmoid --days 1 --units 30 --epochs 200 --out try-sigmoid-30",
       "gradstep reproduce piecewise --page Christmas --out report-christmas"]


TWO_YEARS = 730


def training_views(data) -> pd.Series:
    """The values of the training days (and the day before the first, which the 1-day windows read)."""
    train = split(RunSpec(data=data).replace(days=1), series(data)).train.dates
    return series(data).loc[train[0] - pd.Timedelta(days=1):train[-1]]


def yearly_curve(data) -> tuple[np.ndarray, np.ndarray]:
    """Day of the year (1..365) and the mean value of that day over the training days, smoothed over 7 days;
    for a training part shorter than two years (TWO_YEARS days), day 1, 2, … of the training days and their
    smoothed values."""
    views = training_views(data)
    if len(views) < TWO_YEARS:
        smooth = np.convolve(views.to_numpy(), np.ones(7) / 7, mode="valid")
        return np.arange(1, len(smooth) + 1, dtype=float), smooth
    views = views[~((views.index.month == 2) & (views.index.day == 29))]
    by_day = views.groupby(views.index.day_of_year - ((views.index.is_leap_year) & (views.index.month > 2))).mean()
    wrapped = np.concatenate([by_day.to_numpy()[-3:], by_day.to_numpy(), by_day.to_numpy()[:3]])
    smooth = np.convolve(wrapped, np.ones(7) / 7, mode="valid")
    return by_day.index.to_numpy(dtype=float), smooth


def hard_sigmoid_sum(x: np.ndarray, knots: np.ndarray, heights: np.ndarray, constant: float) -> tuple:
    """constant + Σi ci hard_sigmoid((x − ai−1)/(ai − ai−1)), computed with clip and with two ReLUs."""
    z = Tensor((x[:, None] - knots[None, :-1]) / np.diff(knots)[None, :], dtype=np.float64)
    c = Tensor(heights, dtype=np.float64)
    clipped = (z.hard_sigmoid() * c).sum(axis=1) + constant
    relus = ((z.relu() - (z - 1).relu()) * c).sum(axis=1) + constant
    return clipped.data, relus.data


def components(x: np.ndarray, f: np.ndarray, n: int) -> dict:
    """The pieces of the n-piece curve: the constant f(a0), each ci hard_sigmoid((x − ai−1)/(ai − ai−1)) with
    ci = f(ai) − f(ai−1), the same with σ(4(z − 1/2)) (a sigmoid of the same slope at the middle), and their sums."""
    knots = np.linspace(x[0], x[-1], n + 1)
    at_knots = np.interp(knots, x, f)
    heights = np.diff(at_knots)
    z = Tensor((x[:, None] - knots[None, :-1]) / np.diff(knots)[None, :], dtype=np.float64)
    hard = z.hard_sigmoid().data * heights
    sigmoid = ((z - 0.5) * 4).sigmoid().data * heights
    return {"n": n, "knots": knots.tolist(), "constant": float(at_knots[0]), "hard": hard.T.tolist(),
            "sigmoid": sigmoid.T.tolist(), "hard_sum": (at_knots[0] + hard.sum(axis=1)).tolist(),
            "sigmoid_sum": (at_knots[0] + sigmoid.sum(axis=1)).tolist(),
            "hard_mae": float(np.abs(at_knots[0] + hard.sum(axis=1) - f).mean()),
            "sigmoid_mae": float(np.abs(at_knots[0] + sigmoid.sum(axis=1) - f).mean())}


def approximate(data) -> dict:
    """The curve, its approximations with n pieces and their errors, the pieces of one of them; sigmoids against
    hard sigmoids."""
    x, f = yearly_curve(data)
    fits, errors, relu_gap, interp_gap = {}, {}, 0.0, 0.0
    for n in PIECES:
        knots = np.linspace(x[0], x[-1], n + 1)
        at_knots = np.interp(knots, x, f)
        clipped, relus = hard_sigmoid_sum(x, knots, np.diff(at_knots), at_knots[0])
        relu_gap = max(relu_gap, float(np.abs(clipped - relus).max()))
        interp_gap = max(interp_gap, float(np.abs(clipped - np.interp(x, knots, at_knots)).max()))
        fits[n] = clipped.tolist()
        errors[n] = float(np.abs(clipped - f).mean())
    z, dz = np.linspace(-10, 10, 200001, retstep=True)
    sigmoid_gap = {}
    for w in SHARPNESS:
        sigmoid = Tensor(w * z, dtype=np.float64).sigmoid().data
        hard = Tensor(w * z / 4 + 0.5, dtype=np.float64).hard_sigmoid().data
        sigmoid_gap[w] = (float(np.abs(sigmoid - hard).sum() * dz), float(np.abs(sigmoid - hard).max()))
    return {"x": x.tolist(), "curve": f.tolist(), "fits": fits, "errors": errors, "relu_gap": relu_gap,
            "interp_gap": interp_gap, "sigmoid_gap": sigmoid_gap, "components": components(x, f, SHOWN)}


def jobs(settings):
    return [Job(("piecewise",), approximate, dict(data=settings.data), 0.1)]


def report(settings, results, out) -> StudyResult:
    t = settings.text
    found = results[("piecewise",)]
    piecewise_plot(found, out / "piecewise.png", t=settings.figure_text)
    pieces = Table(t("piecewise.pieces"), [t("piecewise.col.n"), *map(str, PIECES)])
    pieces.rows.append(["MAE (k)", *[f"{found['errors'][n] / 1e3:.3f}" for n in PIECES]])
    sharp = Table(t("piecewise.sharp"), ["w", *map(str, SHARPNESS)])
    sharp.rows.append([t("piecewise.row.area"), *[f"{found['sigmoid_gap'][w][0]:.4f}" for w in SHARPNESS]])
    sharp.rows.append([t("piecewise.row.max"), *[f"{found['sigmoid_gap'][w][1]:.4f}" for w in SHARPNESS]])
    errors = [found["errors"][n] for n in PIECES]
    falls = all(a >= b for a, b in zip(errors, errors[1:]))
    area = [found["sigmoid_gap"][w][0] for w in SHARPNESS]
    shown = found["components"]
    finding = t("piecewise.finding", falls=t("piecewise.falls" if falls else "piecewise.not_always"),
                first=f"{errors[0] / 1e3:.3f}", last=f"{errors[-1] / 1e3:.3f}", most=PIECES[-1],
                area_first=f"{area[0]:.3f}", area_last=f"{area[-1]:.4f}", w_first=SHARPNESS[0], w_last=SHARPNESS[-1],
                gap=f"{found['sigmoid_gap'][SHARPNESS[-1]][1]:.3f}", n=shown["n"],
                hard=f"{shown['hard_mae'] / 1e3:.3f}", sigmoid=f"{shown['sigmoid_mae'] / 1e3:.3f}")
    claims = [(t("piecewise.claim.relu", gap=f"{found['relu_gap']:.1e}"), found["relu_gap"] < 1e-9),
              (t("piecewise.claim.knots", gap=f"{found['interp_gap']:.1e}"), found["interp_gap"] < 1e-6)]
    return lesson("piecewise", t("piecewise.title"), finding, settings, FORMULAS, TRY, tables=[pieces, sharp],
                  figures=[("piecewise.png", t("piecewise.figure", n=shown["n"]))], claims=claims)
