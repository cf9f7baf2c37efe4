"""The figures: each function draws one PNG (matplotlib, Agg backend) and writes it atomically."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from .io import atomic_path  # noqa: E402


def save(figure, path) -> None:
    """Write ``figure`` as a PNG to ``path`` (temporary file, then rename) and close it."""
    figure.tight_layout()
    with atomic_path(path) as temporary:
        figure.savefig(temporary, format="png", dpi=110)
    plt.close(figure)


def prediction_plot(dates, truth, prediction, path, title: str = "", unit: str = "views") -> None:
    """Predicted vs true values on the test days, in thousands of ``unit``."""
    figure, axes = plt.subplots(figsize=(9, 3.8))
    dates = pd.to_datetime(dates)
    axes.plot(dates, np.asarray(truth) / 1e3, color="tab:blue", label=f"true {unit}")
    axes.plot(dates, np.asarray(prediction) / 1e3, color="tab:red", label="predicted")
    axes.set_ylabel(f"{unit} (k)")
    axes.set_title(title, fontsize=10)
    axes.legend()
    figure.autofmt_xdate()
    save(figure, path)


def forecast_plot(history: pd.Series, forecast: pd.DataFrame, path, title: str = "", unit: str = "views",
                  level: float = 80) -> None:
    """The last days of the series, the forecast after them and its ``level`` % interval as a band."""
    figure, axes = plt.subplots(figsize=(9, 3.8))
    axes.plot(history.index, history.to_numpy(), color="tab:blue", label=unit)
    dates = pd.to_datetime(forecast["date"])
    if forecast["lower"].notna().all():
        axes.fill_between(dates, forecast["lower"], forecast["upper"], color="tab:red", alpha=0.2,
                          label=f"{level:g} % interval")
    axes.plot(dates, forecast["forecast"], "o-", ms=3, color="tab:red", label="forecast")
    axes.set_ylabel(unit)
    axes.set_title(title, fontsize=10)
    axes.legend()
    figure.autofmt_xdate()
    save(figure, path)


def descent_plot(x: np.ndarray, y: np.ndarray, paths: dict, optimum: tuple, path) -> None:
    """Left: contours of the MSE L(w, b) of y = b + w x1 with each learning rate's path; right: L against the step."""
    w_star, b_star = optimum
    ws = np.linspace(w_star - 0.6, w_star + 0.6, 241)
    bs = np.linspace(b_star - 6e3, b_star + 6e3, 241)
    W, B = np.meshgrid(ws, bs)
    mx, my, mxx, mxy, myy = x.mean(), y.mean(), (x * x).mean(), (x * y).mean(), (y * y).mean()
    loss = (B * B + W * W * mxx + myy + 2 * B * W * mx - 2 * B * my - 2 * W * mxy) / 1e6
    loss = np.maximum(loss, np.finfo(float).tiny)  # the expanded square can round below 0 at a perfect fit
    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4.3))
    contours = left.contourf(W, B / 1e3, np.log10(loss), levels=30, cmap="viridis")
    figure.colorbar(contours, ax=left, label="log10 L (k views²)")
    colors = {"too small": "tab:orange", "good": "white", "too large": "tab:red"}
    for name, run in paths.items():
        points = np.array(run["path"], dtype=float)
        inside = (np.abs(points[:, 0] - w_star) < 0.6) & (np.abs(points[:, 1] - b_star) < 6e3)
        left.plot(points[inside, 0], points[inside, 1] / 1e3, "o-", ms=2, lw=1, color=colors.get(name),
                  label=f"η = {run['lr']:g} ({name})")
        right.semilogy(np.arange(1, len(run["loss"]) + 1), run["loss"], color=colors.get(name, None) if name != "good"
                       else "tab:green", label=f"η = {run['lr']:g} ({name})")
    left.plot([w_star], [b_star / 1e3], "k*", ms=12, label="least squares (w*, b*)")
    left.set_xlabel("w")
    left.set_ylabel("b (k views)")
    left.set_title("error surface L(w, b) and gradient-descent paths", fontsize=10)
    left.legend(fontsize=7, loc="upper right")
    right.set_xlabel("step")
    right.set_ylabel("training MSE (standardised)")
    right.set_title("loss against step", fontsize=10)
    right.legend(fontsize=8)
    save(figure, path)


def piecewise_plot(found: dict, path) -> None:
    """The curve with two hard-sigmoid approximations, the error against pieces, and sigmoids against a hard sigmoid."""
    figure, (curve, error, sharp) = plt.subplots(1, 3, figsize=(14, 4))
    x, f = np.asarray(found["x"]), np.asarray(found["curve"]) / 1e3
    curve.plot(x, f, color="black", lw=2, label="the curve")
    for n, color in ((4, "tab:red"), (16, "tab:blue")):
        curve.plot(x, np.asarray(found["fits"][n]) / 1e3, color=color, label=f"constant + {n} hard sigmoids")
    curve.set_xlabel("day of the year")
    curve.set_ylabel("mean views (k)")
    curve.legend(fontsize=8)
    pieces = sorted(found["errors"])
    error.loglog(pieces, [found["errors"][n] / 1e3 for n in pieces], "o-")
    error.set_xlabel("hard sigmoids n")
    error.set_ylabel("MAE (k views)")
    error.set_title("error falls as pieces are added", fontsize=10)
    z = np.linspace(-1, 1, 801)
    sharp.plot(z, np.clip(z + 0.5, 0, 1), color="black", lw=2, label="hard sigmoid clip(z + 1/2, 0, 1)")
    for w in (1, 4, 10, 50):
        sharp.plot(z, 1 / (1 + np.exp(-w * z)), label=f"σ(w z), w = {w}")
    sharp.set_xlabel("z")
    sharp.set_title("larger w: a steeper sigmoid", fontsize=10)
    sharp.legend(fontsize=7)
    save(figure, path)


def depth_plot(layers, train, test, year, lecture, path) -> None:
    """Training and test MAE against the number of layers, ours and the lecture's."""
    figure, axes = plt.subplots(figsize=(9, 4))
    axes.plot(layers, train, "o-", color="tab:blue", label="L train (gradstep)")
    axes.plot(layers, test, "o-", color="tab:red", label="L′ test 45 days (gradstep)")
    if year is not None:
        axes.plot(layers, year, "o:", color="tab:purple", label="test 2021 (gradstep)")
    axes.plot(layers, [v[0] for v in lecture], "s--", color="tab:blue", alpha=0.5, label="L train (lecture)")
    axes.plot(layers, [v[1] for v in lecture], "s--", color="tab:red", alpha=0.5, label="L′ test (lecture)")
    axes.set_xticks(list(layers))
    axes.set_xlabel("layers of 100 ReLUs")
    axes.set_ylabel("MAE (k views)")
    axes.set_title("more depth fits the training days; the test days decide", fontsize=10)
    axes.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
    save(figure, path)


def activation_plot(run: dict, path) -> None:
    """The yearly curve and the fits of a straight line, linear layers and ReLU layers."""
    figure, axes = plt.subplots(figsize=(8, 4))
    axes.plot(run["day"], np.asarray(run["views"]) / 1e3, color="black", lw=2, label="the curve")
    for name, fitted in run["curves"].items():
        axes.plot(run["day"], np.asarray(fitted) / 1e3, label=f"{name} (MAE {run['errors'][name] / 1e3:.2f}k)")
    axes.set_xlabel("day of the year")
    axes.set_ylabel("mean views (k)")
    axes.legend(fontsize=8)
    save(figure, path)


def batch_plot(histories: dict, path) -> None:
    """Training MAE against epochs and against seconds, one line per batch size."""
    figure, (by_epoch, by_time) = plt.subplots(1, 2, figsize=(11, 4))
    for name, history in histories.items():
        loss = np.asarray(history["train_mae"]) / 1e3
        by_epoch.plot(history["epoch"], loss, label=f"B = {name}")
        by_time.plot(history["seconds"], loss, label=f"B = {name}")
    by_time.set_xscale("log")
    for axes, xlabel in ((by_epoch, "epoch"), (by_time, "seconds (log scale)")):
        axes.set_xlabel(xlabel)
        axes.set_ylabel("training MAE (k views)")
        axes.set_yscale("log")
        axes.legend(fontsize=8)
    save(figure, path)
