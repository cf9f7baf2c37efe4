"""The figures: each function draws one PNG (matplotlib, Agg backend; a PDF or SVG for a path ending so), writes it
atomically and returns the Figure.

Every visible word comes from ``t``, a ``gradstep.lang.Text`` (``t(key, **values) -> str``; None is English), so
the same figure is drawn in English or in Chinese. A Chinese figure needs a CJK font: ``cjk_font()`` finds an
installed one, ``figure_text(lang)`` falls back to English without it, and the drawing uses it while it runs.
The returned Figure has been saved and closed; its axes and lines can still be inspected.
"""

from __future__ import annotations

import contextlib
import functools
import re
import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib import font_manager, patheffects, ticker  # noqa: E402
from matplotlib.colors import ListedColormap, LogNorm  # noqa: E402

from .io import atomic_path  # noqa: E402
from .lang import Text  # noqa: E402

DPI = 110
FORMATS = ("png", "pdf", "svg")  # what save() writes, by the path's suffix
TITLE_WIDTH = 95  # characters of a 10-point title across a 9-inch figure
# CJK families matplotlib may find, the Simplified Chinese ones first.
CJK_FAMILIES = ("Noto Sans CJK SC", "Source Han Sans SC", "Source Han Sans CN", "Noto Sans SC", "WenQuanYi Zen Hei",
                "WenQuanYi Micro Hei", "Microsoft YaHei", "SimHei", "PingFang SC", "Heiti SC", "Droid Sans Fallback",
                "Noto Sans CJK JP", "Noto Sans CJK TC", "Source Han Sans", "Noto Serif CJK SC", "AR PL UMing CN")
# Font files that may hold them (for a matplotlib font cache built before the font was installed).
CJK_FILES = re.compile(r"cjk|wqy|wenquanyi|sourcehan|source-han|droidsansfallback|notosanssc|notoserifsc|simhei|"
                       r"msyh|pingfang|uming|ukai", re.IGNORECASE)
STEP_LABELS = (0, 1, 2, 3, 5, 10, 20, 50, 100, 200)
DIVERGING_STEPS = 40
RATE_KEYS = {"too small": "fig.rate.too_small", "good": "fig.rate.good", "too large": "fig.rate.too_large"}
RATE_COLORS = {"too small": "tab:orange", "good": "tab:green", "too large": "tab:red"}
HALO = [patheffects.withStroke(linewidth=3.2, foreground="white")]
SURFACE = ListedColormap(plt.get_cmap("Blues")(np.linspace(0.0, 0.75, 256)))  # light valley, no dark corners


def _has_family(family: str) -> bool:
    try:
        font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
    except ValueError:
        return False
    return True


@functools.lru_cache(maxsize=1)
def _installed_cjk_font() -> str | None:
    found = next((family for family in CJK_FAMILIES if _has_family(family)), None)
    if found is not None:
        return found
    known = {entry.fname for entry in font_manager.fontManager.ttflist}
    added = False
    for file in font_manager.findSystemFonts():
        if CJK_FILES.search(Path(file).name) and file not in known:
            with contextlib.suppress(Exception):  # an unreadable font file is simply not used
                font_manager.fontManager.addfont(file)
                added = True
    return next((family for family in CJK_FAMILIES if _has_family(family)), None) if added else None


def cjk_font() -> str | None:
    """The family name of an installed font with Chinese glyphs that matplotlib can use, or None.

    Fonts installed after matplotlib built its font cache are found too (their files are added for this process).
    """
    return _installed_cjk_font()


def figure_text(lang: str) -> Text:
    """The Text to draw figures in ``lang``: Text(lang) when it is English or a CJK font is installed, else English
    (the caller says that the figures' labels stay in English)."""
    text = Text(lang)
    return text if lang == "en" or cjk_font() is not None else Text("en")


def _text(t):
    return Text("en") if t is None else t


@contextlib.contextmanager
def _drawing(t):
    """Draw with a CJK font when ``t`` is not English and one is installed; English figures are left as they were."""
    font = cjk_font() if getattr(t, "lang", "en") != "en" else None
    if font is None:
        yield
        return
    with plt.rc_context({"font.sans-serif": [font, "DejaVu Sans"], "font.family": "sans-serif",
                         "axes.unicode_minus": False}):
        yield


def save(figure, path) -> None:
    """Write ``figure`` to ``path`` (temporary file, then rename) and close it: a PDF or SVG when the name ends so
    (``FORMATS``), else a PNG."""
    if figure.get_layout_engine() is None:
        figure.tight_layout()
    suffix = Path(path).suffix.lower().lstrip(".")
    with atomic_path(path) as temporary:
        figure.savefig(temporary, format=suffix if suffix in FORMATS else "png", dpi=DPI)
    plt.close(figure)


def _unit(t, unit: str) -> str:
    return t("fig.views") if unit == "views" else unit


def _thousands(values) -> float:
    """What to divide the values by on a figure's axis: 1000 when they reach 1,000 (shown as "(k)", as the
    lecture's figures), else 1."""
    return 1e3 if np.nanmax(np.abs(values)) >= 1e3 else 1.0


def _axis_label(t, unit: str, divisor: float) -> str:
    return t("fig.prediction.ylabel", unit=unit) if divisor == 1e3 else unit


def _title(axes, title: str) -> None:
    """A title wrapped to the figure's width (a blend's names are long), never cut at its edge."""
    axes.set_title(textwrap.fill(title, TITLE_WIDTH), fontsize=10)


def prediction_plot(dates, truth, prediction, path, title: str = "", unit: str = "views", t=None,
                    thousands: bool | None = None):
    """Predicted vs true values on the test days, in thousands of ``unit`` when they reach 1,000 (always with
    ``thousands=True``, as the studies, whose tables are in thousands, ask)."""
    t = _text(t)
    with _drawing(t):
        figure, axes = plt.subplots(figsize=(9, 3.8))
        dates = pd.to_datetime(dates)
        unit = _unit(t, unit)
        divisor = 1e3 if thousands else _thousands(truth)
        axes.plot(dates, np.asarray(truth) / divisor, color="tab:blue", label=t("fig.prediction.truth", unit=unit))
        axes.plot(dates, np.asarray(prediction) / divisor, color="tab:red", label=t("fig.prediction.predicted"))
        axes.set_ylabel(_axis_label(t, unit, divisor))
        _title(axes, title)
        axes.legend()
        figure.autofmt_xdate()
        save(figure, path)
    return figure


def forecast_plot(history: pd.Series, forecast: pd.DataFrame, path, title: str = "", unit: str = "views",
                  level: float = 80, t=None):
    """The last days of the series, the forecast after them and its ``level`` % interval as a band."""
    t = _text(t)
    with _drawing(t):
        figure, axes = plt.subplots(figsize=(9, 3.8))
        unit = _unit(t, unit)
        divisor = _thousands(history)
        axes.plot(history.index, history.to_numpy() / divisor, color="tab:blue", label=unit)
        dates = pd.to_datetime(forecast["date"])
        banded = forecast["lower"].notna().all()
        if banded:
            axes.fill_between(dates, forecast["lower"] / divisor, forecast["upper"] / divisor, color="tab:red",
                              alpha=0.2, label=t("fig.forecast.interval", level=level))
        axes.plot(dates, forecast["forecast"] / divisor, "o-", ms=3, color="tab:red",
                  label=t("fig.forecast.forecast" if banded else "fig.forecast.no_interval"))
        axes.set_ylabel(_axis_label(t, unit, divisor))
        _title(axes, title)
        low, high = axes.get_ylim()
        axes.set_ylim(low, high + 0.2 * (high - low))  # a row above the lines for the legend
        axes.legend(loc="upper left", ncol=3, frameon=False)
        figure.autofmt_xdate()
        save(figure, path)
    return figure


def _span(values, pad: float = 0.08, least: float = 1e-3) -> tuple[float, float]:
    low, high = float(np.min(values)), float(np.max(values))
    width = max(high - low, least, abs(high) * 1e-3)
    return low - pad * width, high + pad * width


def _log_ticks(low: float, high: float, most: int = 10) -> list:
    """Round ticks inside [low, high]: 1, 2, 5 × 10^k; more mantissas where those are fewer than 3, and only
    every few powers of ten where they are more than ``most``."""
    decades = range(int(np.floor(np.log10(low))), int(np.ceil(np.log10(high))) + 1)
    ticks = []
    for mantissas in ((1, 2, 5), (1, 1.5, 2, 3, 5, 7), (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 7, 8, 9)):
        ticks = [m * 10.0 ** e for e in decades for m in mantissas if low <= m * 10.0 ** e <= high]
        if len(ticks) > most:
            powers = [10.0 ** e for e in decades if low <= 10.0 ** e <= high]
            return powers[::-(-len(powers) // most)]
        if len(ticks) >= 3:
            return ticks
    return ticks if len(ticks) >= 2 else [low, high]


def _diverges(run: dict) -> bool:
    loss = np.asarray(run["loss"], dtype=float)
    return loss.size > 0 and (not np.isfinite(loss[-1]) or loss[-1] > loss[0])


def _free_corner(axes, xs, ys) -> str:
    """The corner of ``axes`` with the fewest of the points (xs, ys) near it, for a legend (cheaper than "best" on
    long paths)."""
    (x0, x1), (y0, y1) = axes.get_xlim(), axes.get_ylim()
    u, v = (np.asarray(xs) - x0) / (x1 - x0), (np.asarray(ys) - y0) / (y1 - y0)
    corners = {"upper right": (u > 0.5) & (v > 0.6), "upper left": (u < 0.5) & (v > 0.6),
               "lower right": (u > 0.5) & (v < 0.4), "lower left": (u < 0.5) & (v < 0.4)}
    return min(corners, key=lambda corner: int(corners[corner].sum()))


def _number_steps(axes, points, steps, color):
    """Write the step numbers ``steps`` beside the points of a path where they are inside the view and do not
    crowd a number already written (in ascending order, so early steps win)."""
    (x0, x1), (y0, y1) = axes.get_xlim(), axes.get_ylim()
    placed = []
    for step in steps:
        if step >= len(points):
            continue
        u, v = (points[step, 0] - x0) / (x1 - x0), (points[step, 1] - y0) / (y1 - y0)
        if not (0 <= u <= 1 and 0 <= v <= 1) or any(np.hypot(u - p, v - q) < 0.055 for p, q in placed):
            continue
        placed.append((u, v))
        axes.annotate(str(step), (points[step, 0], points[step, 1]), xytext=(4, 4), textcoords="offset points",
                      fontsize=7, color=color, fontweight="bold", path_effects=HALO, gid="step")


def descent_plot(x: np.ndarray, y: np.ndarray, paths: dict, optimum: tuple, path, t=None):
    """One panel per learning rate: the contours of the MSE L(w, b) of y = b + w x in (k views)², the rate's path with
    its steps numbered and the least-squares optimum ★; last panel: the MSE against the step for every rate.

    ``paths[name]`` = {"lr", "path": [[w, b in views], …] (steps + 1 points from the start), "loss": [MSE in views²
    at the point after i steps, i = 0, 1, …]}; a diverging path is drawn for its first DIVERGING_STEPS steps only.
    """
    t = _text(t)
    from .experiments.gradient_descent import mse_surface
    loss_of, (_, _, minimum) = mse_surface(x, y)
    w_star, b_star = optimum
    with _drawing(t):
        rows = (len(paths) + 2) // 2
        figure, grid = plt.subplots(rows, 2, figsize=(12.5, 4.7 * rows), layout="constrained", squeeze=False)
        figure.get_layout_engine().set(wspace=0.06)  # room between a colour bar and the next panel's label
        panels = list(grid.flat)
        for axes in panels[len(paths) + 1:]:
            axes.set_visible(False)
        by_step = panels[len(paths)]
        top = []
        for axes, (name, run) in zip(panels, paths.items()):
            label = t(RATE_KEYS[name]) if name in RATE_KEYS else name
            color = RATE_COLORS.get(name, "tab:purple")
            points = np.asarray(run["path"], dtype=float)
            steps = len(points) - 1
            if _diverges(run) and steps > DIVERGING_STEPS:
                points = points[:DIVERGING_STEPS + 1]
                title = t("fig.descent.panel_first", lr=run["lr"], name=label, shown=len(points) - 1, steps=steps)
            else:
                title = t("fig.descent.panel", lr=run["lr"], name=label, steps=steps)
            points = points[np.isfinite(points).all(axis=1)]
            shown = np.vstack([points, [[w_star, b_star]]])
            w_low, w_high = _span(shown[:, 0])
            b_low, b_high = _span(shown[:, 1] / 1e3)
            W, B = np.meshgrid(np.linspace(w_low, w_high, 161), np.linspace(b_low, b_high, 161))
            surface = loss_of(W, B * 1e3) / 1e6
            high = float(surface.max())
            low = max(float(surface.min()), high * 1e-8, np.finfo(float).tiny)
            levels = np.geomspace(low, high, 22)
            filled = axes.contourf(W, B, np.clip(surface, low, high), levels=levels, norm=LogNorm(low, high),
                                   cmap=SURFACE)
            axes.contour(W, B, np.clip(surface, low, high), levels=levels[::3], colors="white", linewidths=0.6)
            bar = figure.colorbar(filled, ax=axes)
            bar.set_label(t("fig.descent.mse"))
            ticks = _log_ticks(low, high)
            bar.set_ticks(ticks, labels=[f"{tick:g}" for tick in ticks])
            bar.ax.minorticks_off()
            diverging = _diverges(run)
            axes.plot(points[:, 0], points[:, 1] / 1e3, "o" if diverging else "o-", ms=3, lw=1.4, color=color,
                      mec="white", mew=0.4, label=t("fig.descent.rate", lr=run["lr"], name=label), gid="path",
                      zorder=3)
            if diverging:  # each step an arc from one side of the optimum to the other: the overshoot is seen
                for start, end in zip(points[:-1], points[1:]):
                    axes.annotate("", xy=(end[0], end[1] / 1e3), xytext=(start[0], start[1] / 1e3),
                                  arrowprops=dict(arrowstyle="-|>", color=color, lw=0.9, mutation_scale=7,
                                                  shrinkA=1.5, shrinkB=1.5, connectionstyle="arc3,rad=0.3"))
            axes.plot([w_star], [b_star / 1e3], "*", ms=15, color="gold", mec="black", mew=0.8,
                      label=t("fig.descent.optimum"), gid="optimum")
            axes.set_xlim(w_low, w_high)
            axes.set_ylim(b_low, b_high)
            _number_steps(axes, np.column_stack([points[:, 0], points[:, 1] / 1e3]),
                          [*STEP_LABELS, len(points) - 1], color)
            axes.set_xlabel("w")
            axes.set_ylabel(t("fig.descent.b"))
            axes.set_title(title, fontsize=10)
            axes.legend(fontsize=8, loc=_free_corner(axes, shown[:, 0], shown[:, 1] / 1e3),
                        title=t("fig.descent.numbers"), title_fontsize=7)

            loss = np.asarray(run["loss"], dtype=float) / 1e6
            by_step.plot(np.arange(len(loss)), loss, color=color, lw=1.6,
                         label=t("fig.descent.rate", lr=run["lr"], name=label), gid="loss")
            if len(loss):
                top.append(loss[0])
        by_step.set_yscale("log")
        _plain_log(by_step.yaxis)
        by_step.xaxis.set_major_locator(ticker.MaxNLocator(integer=True))
        if minimum > 0:
            by_step.axhline(minimum / 1e6, color="black", ls="--", lw=1,
                            label=t("fig.descent.minimum", value=minimum / 1e6), gid="minimum")
        finite = [value for value in top if np.isfinite(value) and value > 0]
        if finite and minimum > 0:  # a diverging loss leaves through the top, the others keep their room
            by_step.set_ylim(minimum / 1e6 * 0.7, max(finite) * 100)
        by_step.set_xlabel(t("fig.step"))
        by_step.set_ylabel(t("fig.descent.mse"))
        by_step.set_title(t("fig.descent.loss_title"), fontsize=10)
        by_step.legend(fontsize=8)
        figure.suptitle(t("fig.descent.suptitle"), fontsize=11)
        save(figure, path)
    return figure


def _plain_log(axis) -> None:
    """Label a log axis 0.1, 0.2, 0.5, 1, 2, 5 … rather than 10^k and 2 × 10^k."""
    axis.set_minor_locator(ticker.LogLocator(subs=(2.0, 5.0)))
    axis.set_major_formatter(ticker.FuncFormatter(lambda value, _: f"{value:g}"))
    axis.set_minor_formatter(ticker.FuncFormatter(lambda value, _: f"{value:g}"))


def _piece_colors(n: int) -> list:
    palette = [plt.get_cmap("tab10")(i) for i in (0, 1, 2, 4, 6, 8, 9, 5)]
    return [palette[i % len(palette)] for i in range(n)]


def _pieces(top, bottom, x, f, components, kind, t):
    """The curve, the constant and constant + Σ pieces above; the pieces, each from 0, below."""
    n, constant = components["n"], components["constant"]
    knots = np.asarray(components["knots"], dtype=float)
    total = np.asarray(components[f"{kind}_sum"], dtype=float) / 1e3
    top.plot(x, f, color="black", lw=2.4, label=t("fig.the_curve"), gid="curve")
    top.plot(x, np.full(len(x), constant / 1e3), color="tab:gray", ls=":", lw=1.5,
             label=t("fig.piecewise.constant", value=constant / 1e3), gid="constant")
    top.plot(x, total, color="tab:red", lw=1.6, label=t(f"fig.piecewise.{kind}_sum"), gid="sum")
    top.plot(knots, np.interp(knots, x, total), "o", ms=4, color="tab:red", label=t("fig.piecewise.knots", n=n),
             gid="knots")
    top.set_ylabel(t("fig.mean_views_k"))
    bottom.axhline(0, color="black", lw=0.6)
    for i, (piece, color) in enumerate(zip(components[kind], _piece_colors(n)), start=1):
        bottom.plot(x, np.asarray(piece, dtype=float) / 1e3, color=color, lw=1.6,
                    label=t(f"fig.piecewise.{kind}_piece", i=i), gid="piece")
    for knot in knots:
        for axes in (top, bottom):
            axes.axvline(knot, color="tab:gray", lw=0.5, alpha=0.5)
    bottom.set_ylabel(t("fig.piecewise.pieces_ylabel"), fontsize=8)
    top.tick_params(labelbottom=False)


def _room_below(axes_pairs, values, below: float, above: float = 0.05) -> None:
    """Set the shared y range of ``values`` with ``below`` of its height free under it for a legend."""
    values = np.concatenate([np.ravel(np.asarray(v, dtype=float)) for v in values])
    low, high = float(np.nanmin(values)), float(np.nanmax(values))
    height = (high - low) or 1.0
    for axes in axes_pairs:
        axes.set_ylim(low - below * height, high + above * height)


def piecewise_plot(found: dict, path, t=None):
    """(a) the curve as a constant plus n hard sigmoids, each piece drawn; (b) the same with sigmoids; (c) the error
    against the number of pieces; (d) sigmoids with growing w against a hard sigmoid."""
    t = _text(t)
    x, f = np.asarray(found["x"], dtype=float), np.asarray(found["curve"]) / 1e3
    components = found["components"]
    yearly = len(x) == 365 and x[0] == 1 and x[-1] == 365
    with _drawing(t):
        figure = plt.figure(figsize=(13, 9.6), layout="constrained")
        grid = figure.add_gridspec(3, 2, height_ratios=[2.1, 1.1, 2.3])
        hard_top = figure.add_subplot(grid[0, 0])
        hard_bottom = figure.add_subplot(grid[1, 0], sharex=hard_top)
        soft_top = figure.add_subplot(grid[0, 1], sharey=hard_top)
        soft_bottom = figure.add_subplot(grid[1, 1], sharex=soft_top, sharey=hard_bottom)
        error, sharp = figure.add_subplot(grid[2, 0]), figure.add_subplot(grid[2, 1])
        _pieces(hard_top, hard_bottom, x, f, components, "hard", t)
        _pieces(soft_top, soft_bottom, x, f, components, "sigmoid", t)
        hard_top.set_title(t("fig.piecewise.hard_title", n=components["n"], mae=components["hard_mae"] / 1e3),
                           fontsize=10)
        soft_top.set_title(t("fig.piecewise.sigmoid_title", mae=components["sigmoid_mae"] / 1e3,
                             hard=components["hard_mae"] / 1e3), fontsize=10)
        _room_below([hard_top], [f, [components["constant"] / 1e3], np.asarray(components["hard_sum"]) / 1e3,
                                 np.asarray(components["sigmoid_sum"]) / 1e3], below=0.3)
        _room_below([hard_bottom], [[0.0], np.asarray(components["hard"]) / 1e3,
                                    np.asarray(components["sigmoid"]) / 1e3], below=0.45, above=0.08)
        for top, bottom in ((hard_top, hard_bottom), (soft_top, soft_bottom)):
            top.legend(fontsize=7, loc="lower center", ncol=2)
            bottom.legend(fontsize=7, loc="lower center", ncol=min(components["n"], 4))
            bottom.set_xlabel(t("fig.day_of_year" if yearly else "fig.day"))

        pieces = sorted(found["errors"])
        error.loglog(pieces, [found["errors"][n] / 1e3 for n in pieces], "o-", gid="errors")
        if components["n"] in found["errors"]:
            error.annotate("(a)", (components["n"], found["errors"][components["n"]] / 1e3), xytext=(6, 6),
                           textcoords="offset points", fontsize=8, color="tab:red")
        error.set_xticks(pieces, labels=[str(n) for n in pieces])
        error.xaxis.set_minor_locator(ticker.NullLocator())
        _plain_log(error.yaxis)
        error.set_xlabel(t("fig.piecewise.error_xlabel"))
        error.set_ylabel(t("fig.mae_k"))
        error.set_title(t("fig.piecewise.error_title"), fontsize=10)
        z = np.linspace(-1, 1, 801)
        sharp.plot(z, np.clip(z + 0.5, 0, 1), color="black", lw=2, label=t("fig.piecewise.hard"))
        for w in (1, 4, 10, 50):
            sharp.plot(z, 1 / (1 + np.exp(-w * z)), label=t("fig.piecewise.sigmoid", w=w))
        sharp.set_xlabel("z")
        sharp.set_title(t("fig.piecewise.sharp_title"), fontsize=10)
        sharp.legend(fontsize=7, loc="upper left")
        save(figure, path)
    return figure


UNIT_STYLES = {("sigmoid", "train"): ("tab:blue", "o"), ("sigmoid", "test"): ("tab:orange", "o"),
               ("relu", "train"): ("tab:green", "s"), ("relu", "test"): ("tab:red", "s")}


def units_plot(units, numbers: dict, path, lecture: dict | None = None, t=None):
    """Training and test MAE (mean ± std over seeds, k views) against the units of one layer of sigmoids or ReLUs;
    the lecture's ReLU numbers dashed. ``numbers[kind][part]`` = [(mean_k, std_k) per units]."""
    t = _text(t)
    units = list(units)
    with _drawing(t):
        figure, axes = plt.subplots(figsize=(10, 4.6))
        handles = []
        for kind, shift in (("sigmoid", 0.96), ("relu", 1.04)):  # a little apart, so error bars do not cover
            for part in ("train", "test"):
                if part not in numbers.get(kind, {}):
                    continue
                mean, std = np.asarray(numbers[kind][part], dtype=float).reshape(-1, 2).T
                color, marker = UNIT_STYLES[kind, part]
                label = t(f"fig.units.{part}", kind=t(f"fig.units.{kind}"))
                handles.append(axes.errorbar(np.asarray(units, dtype=float) * shift, mean, yerr=std, color=color,
                                             marker=marker, ms=5, lw=1.6, capsize=3, label=label,
                                             gid=f"{kind}-{part}"))
        if lecture:
            for part, index in (("train", 0), ("test", 1)):
                color, _ = UNIT_STYLES["relu", part]
                handles += axes.plot(units, [lecture[u][index] for u in units], "x--", color=color, alpha=0.6,
                                     lw=1.2, label=t(f"fig.units.lecture_{part}"), gid=f"lecture-{part}")
        axes.set_xscale("log")
        axes.set_xticks(units)
        axes.set_xticklabels([str(u) for u in units])
        axes.minorticks_off()
        axes.set_xlim(min(units) / 1.6, max(units) * 1.6)
        axes.set_xlabel(t("fig.units.xlabel"))
        axes.set_ylabel(t("fig.mae_k"))
        axes.set_title(t("fig.units.title"), fontsize=10)
        axes.legend(handles=handles, fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
        save(figure, path)
    return figure


def _layers(t, layers) -> str:
    return t("fig.layers.one") if layers == 1 else t("fig.layers.many", layers=layers)


def curves_plot(histories: dict, path, t=None):
    """One panel per depth: training and validation MAE (k views) against the epoch, the best epoch (lowest
    validation MAE) marked. ``histories[layers]`` = {"epoch", "train_mae", "valid_mae"} in views."""
    t = _text(t)
    with _drawing(t):
        figure, panels = plt.subplots(1, len(histories), figsize=(min(3.4 * len(histories), 13), 4.2), sharey=True,
                                      layout="constrained", squeeze=False)
        keep = []
        for axes, (layers, history) in zip(panels[0], histories.items()):
            epoch = np.asarray(history["epoch"])
            train = np.asarray(history["train_mae"], dtype=float) / 1e3
            valid = np.asarray(history["valid_mae"], dtype=float) / 1e3
            best = int(np.nanargmin(valid))
            axes.plot(epoch, train, color="tab:blue", lw=1.5, label=t("fig.curves.train"), gid="train")
            axes.plot(epoch, valid, color="tab:red", lw=1.5, label=t("fig.curves.valid"), gid="valid")
            axes.axvline(epoch[best], color="tab:red", ls=":", lw=1)
            axes.plot([epoch[best]], [valid[best]], "v", ms=9, color="tab:red", mec="black",
                      label=t("fig.curves.best", epoch=epoch[best], value=valid[best]), gid="best")
            keep += [valid[best], valid[-1], train[-1]]
            axes.set_title(_layers(t, layers), fontsize=10)
            axes.set_xlabel(t("fig.epoch"))
            axes.legend(fontsize=7, loc="upper right")
        panels[0][0].set_ylabel(t("fig.mae_k"))
        values = np.concatenate([np.asarray(h[key], dtype=float) / 1e3 for h in histories.values()
                                 for key in ("train_mae", "valid_mae")])
        values = values[np.isfinite(values)]
        if values.size:  # the first epochs may start far above: keep the part where the curves part ways in view
            low, high = values.min(), min(values.max(), 1.6 * max(keep))
            panels[0][0].set_ylim(low - 0.05 * (high - low), high + 0.05 * (high - low))
        figure.suptitle(t("fig.curves.suptitle"), fontsize=10)
        save(figure, path)
    return figure


def depth_plot(layers, train, test, year, lecture, path, t=None):
    """Training and test MAE against the number of layers, ours and the lecture's."""
    t = _text(t)
    with _drawing(t):
        figure, axes = plt.subplots(figsize=(9, 4))
        axes.plot(layers, train, "o-", color="tab:blue", label=t("fig.depth.train"))
        axes.plot(layers, test, "o-", color="tab:red", label=t("fig.depth.test"))
        if year is not None:
            axes.plot(layers, year, "o:", color="tab:purple", label=t("fig.depth.year"))
        axes.plot(layers, [v[0] for v in lecture], "s--", color="tab:blue", alpha=0.5,
                  label=t("fig.depth.lecture_train"))
        axes.plot(layers, [v[1] for v in lecture], "s--", color="tab:red", alpha=0.5,
                  label=t("fig.depth.lecture_test"))
        axes.set_xticks(list(layers))
        axes.set_xlabel(t("fig.depth.xlabel"))
        axes.set_ylabel(t("fig.mae_k"))
        axes.set_title(t("fig.depth.title"), fontsize=10)
        axes.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
        save(figure, path)
    return figure


ACTIVATION_STYLES = {
    "linear": dict(color="tab:blue", lw=7, alpha=0.35, solid_capstyle="butt", zorder=2),
    "deep_linear": dict(color="tab:orange", lw=1.8, ls="--", zorder=4),
    "relu": dict(color="tab:red", lw=1.8, zorder=3),
}


def _model_name(t, key: str) -> str:
    try:
        return t(f"model.{key}")
    except KeyError:
        return key


def activation_plot(run: dict, path, t=None):
    """The yearly curve and the fits of a straight line, linear layers and ReLU layers; the linear model is a wide
    pale band and the layers without activation a dashed line on it, as the two are the same function.
    ``run["curves"]`` and ``run["errors"]`` are keyed by "linear", "deep_linear", "relu"."""
    t = _text(t)
    views = np.asarray(run["views"], dtype=float)
    curves = {name: np.asarray(values, dtype=float) for name, values in run["curves"].items()}
    scale = float(np.ptp(views)) or 1.0
    same = ("linear" in curves and "deep_linear" in curves
            and float(np.max(np.abs(curves["linear"] - curves["deep_linear"]))) <= 1e-3 * scale)
    with _drawing(t):
        figure, axes = plt.subplots(figsize=(9, 4.3))
        axes.plot(run["day"], views / 1e3, color="black", lw=1.6, label=t("fig.the_curve"), zorder=1, gid="curve")
        for name, fitted in curves.items():
            key = "fig.activation.same" if same and name == "deep_linear" else "fig.activation.fit"
            axes.plot(run["day"], fitted / 1e3, label=t(key, name=_model_name(t, name), mae=run["errors"][name] / 1e3),
                      gid=name, **ACTIVATION_STYLES.get(name, dict(lw=1.5)))
        axes.set_xlabel(t("fig.day_of_year"))
        axes.set_ylabel(t("fig.mean_views_k"))
        axes.set_title(t("fig.activation.title"), fontsize=10)
        axes.legend(fontsize=8)
        save(figure, path)
    return figure


def batch_plot(histories: dict, path, t=None):
    """Training MAE against epochs, against updates and against seconds, one line per batch size (``histories``
    keyed by "full (N)", "1", "16", …, each with "epoch", "updates", "seconds" and "train_mae")."""
    t = _text(t)
    with _drawing(t):
        figure, panels = plt.subplots(1, 3, figsize=(13, 4), sharey=True, layout="constrained")
        for name, history in histories.items():
            loss = np.asarray(history["train_mae"]) / 1e3
            label = t("fig.batch.label", name=t("fig.batch.full") if name == "full (N)" else name)
            for axes, key in zip(panels, ("epoch", "updates", "seconds")):
                axes.plot(history[key], loss, label=label, gid=f"{key}-{name}")
        for axes, xlabel, title in zip(panels, (t("fig.epoch"), t("fig.batch.updates"), t("fig.batch.seconds")),
                                       (t("fig.batch.epoch_title"), t("fig.batch.updates_title"),
                                        t("fig.batch.time_title"))):
            axes.set_xlabel(xlabel)
            axes.set_title(title, fontsize=10)
            axes.set_yscale("log")
            _plain_log(axes.yaxis)
        for axes in panels[1:]:  # four or five decades: label the powers of ten only
            axes.set_xscale("log")
            _plain_log(axes.xaxis)
            axes.xaxis.set_minor_formatter(ticker.NullFormatter())
        panels[0].set_ylabel(t("fig.batch.ylabel"))
        panels[0].legend(fontsize=8, title=t("fig.batch.legend"), title_fontsize=8)
        save(figure, path)
    return figure


def _k(values) -> tuple[float, float]:
    """Mean and spread over seeds of views, in thousands."""
    values = np.asarray(values, dtype=float) / 1e3
    return float(values.mean()), float(values.std(ddof=1)) if values.size > 1 else 0.0


PART_STYLES = {"train": ("tab:blue", "o"), "valid": ("tab:red", "s"), "test": ("black", "^")}


def _parts(axes, x, groups: list, parts: tuple, t) -> None:
    """One line per part: its MAE (k views, mean ± std over the seeds of each group) at each x."""
    for part in parts:
        color, marker = PART_STYLES[part]
        mean, std = np.array([_k([r[part] for r in group]) for group in groups]).T
        axes.errorbar(x, mean, yerr=std, color=color, marker=marker, capsize=3, lw=1.5,
                      label=t(f"fig.overfitting.{part}"), gid=part)


def _curves(axes, history: dict, t, best: int | None = None, stopped: bool = False) -> None:
    """Training and validation MAE against the epoch; the best epoch (``best``, else the lowest validation MAE)."""
    epoch = np.asarray(history["epoch"])
    train, valid = (np.asarray(history[key], dtype=float) / 1e3 for key in ("train_mae", "valid_mae"))
    axes.plot(epoch, train, color="tab:blue", lw=1.5, label=t("fig.curves.train"), gid="train")
    axes.plot(epoch, valid, color="tab:red", lw=1.5, label=t("fig.curves.valid"), gid="valid")
    at = int(np.nanargmin(valid)) if best is None else list(epoch).index(best)
    axes.plot([epoch[at]], [valid[at]], "v", ms=9, color="tab:red", mec="black", gid="best",
              label=t("fig.overfitting.restored" if stopped else "fig.curves.best", epoch=epoch[at], value=valid[at]))
    axes.axvline(epoch[at], color="tab:red", ls=":", lw=1)
    axes.set_xlabel(t("fig.epoch"))
    axes.set_ylabel(t("fig.mae_k"))
    axes.legend(fontsize=8, loc="upper right")


VERDICT_COLORS = {"base": "tab:gray", "helps": "tab:green", "hurts": "tab:red", "same": "tab:olive",
                  "one_seed": "tab:olive"}


def _label(axes, xlabel: str, title: str, t) -> None:
    """The x label, MAE (k views) up the side, the title and the legend of an overfitting panel."""
    axes.set_xlabel(xlabel)
    axes.set_ylabel(t("fig.mae_k"))
    axes.set_title(title, fontsize=10)
    axes.legend(fontsize=8)


def _keep(drawn: dict, out: Path, name: str, figure) -> None:
    """Save ``figure`` as out/name and keep it in ``drawn``."""
    drawn[name] = figure
    save(figure, out / name)


def overfitting_plots(out: Path, t, curves: dict, early: dict, early_best: int | None, capacity: list, rows: dict,
                      valid: dict, verdicts: list, data: dict, importance: dict, weights: tuple, cv: dict,
                      test: float) -> dict:
    """The overfitting study's six figures in ``out``; returns {file name: Figure}. ``capacity`` = [(label, parameters,
    group)], ``rows`` and ``valid`` = {remedy: MAE per seed}, ``verdicts`` each row's colour key ("base", "helps",
    "hurts", "same", "one_seed"), ``data`` = {years: group}, a group being the seeds'
    results ({"train", "valid", "test"} in views); ``weights`` = (base, L1) first-layer summaries; ``cv`` = the
    rolling and shuffled cross-validation results; ``test`` the base's mean test MAE."""
    t = _text(t)
    out = Path(out)
    drawn = {}
    with _drawing(t):
        figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2), sharey=True, layout="constrained")
        _curves(left, curves, t)
        left.set_title(t("fig.overfitting.base"), fontsize=10)
        _curves(right, early, t, best=early_best, stopped=True)
        right.set_title(t("fig.overfitting.early", epochs=len(early["epoch"])), fontsize=10)
        values = np.concatenate([np.asarray(h[key], dtype=float) / 1e3 for h in (curves, early)
                                 for key in ("train_mae", "valid_mae")])
        right.set_ylim(0, min(values.max(), 3 * np.median(values)) * 1.05)
        _keep(drawn, out, "overfitting_curves.png", figure)

        figure, axes = plt.subplots(figsize=(9, 4.4), layout="constrained")
        ordered = sorted(capacity, key=lambda item: item[1])
        x = np.arange(len(ordered))
        _parts(axes, x, [group for _, _, group in ordered], ("train", "valid"), t)
        axes.set_xticks(x)
        axes.set_xticklabels([f"{label}\n{count:,}" for label, count, _ in ordered], fontsize=8)
        _label(axes, t("fig.overfitting.capacity"), t("fig.overfitting.capacity_title"), t)
        _keep(drawn, out, "overfitting_capacity.png", figure)

        figure, axes = plt.subplots(figsize=(9, 0.45 * len(rows) + 1.6), layout="constrained")
        labels = list(rows)
        y = np.arange(len(labels))[::-1]
        mean, std = np.array([_k(rows[label]) for label in labels]).T
        axes.barh(y, mean, xerr=std, color=[VERDICT_COLORS[code] for code in verdicts], alpha=0.75,
                  capsize=3, label=t("fig.overfitting.test"), gid="test")
        axes.plot([_k(valid[label])[0] for label in labels], y, "D", color="tab:red", ms=5,
                  label=t("fig.overfitting.valid"), gid="valid")
        axes.axvline(mean[0], color="black", ls="--", lw=1)
        axes.set_yticks(y)
        axes.set_yticklabels(labels, fontsize=8)
        axes.set_xlabel(t("fig.mae_k"))
        axes.set_title(t("fig.overfitting.remedies_title"), fontsize=10)
        axes.legend(fontsize=8, loc="lower right")
        _keep(drawn, out, "overfitting_remedies.png", figure)

        figure, axes = plt.subplots(figsize=(7, 4), layout="constrained")
        years = sorted(data)
        _parts(axes, years, [data[n] for n in years], ("train", "valid", "test"), t)
        axes.set_xticks(years)
        axes.set_xticklabels([f"{n:.1f}" for n in years])
        _label(axes, t("fig.overfitting.years"), t("fig.overfitting.data_title"), t)
        _keep(drawn, out, "overfitting_data.png", figure)

        figure, (top, bottom) = plt.subplots(2, 1, figsize=(10, 5.6), sharex=True, layout="constrained")
        lags = np.array([int(lag) for lag in importance])
        top.bar(lags, np.array(list(importance.values()), dtype=float) / 1e3, color="tab:purple", gid="importance")
        top.set_ylabel(t("fig.overfitting.importance"))
        top.set_title(t("fig.overfitting.importance_title"), fontsize=10)
        days = np.arange(1, len(weights[0]["by_day"]) + 1)
        for (summary, color, key) in ((weights[0], "tab:gray", "fig.overfitting.no_l1"),
                                      (weights[1], "tab:green", "fig.overfitting.l1")):
            bottom.plot(days, summary["by_day"], color=color, marker=".", lw=1.2, gid=key,
                        label=t(key, share=f"{summary['near_zero']:.0%}"))
        bottom.set_xlabel(t("fig.overfitting.day"))
        bottom.set_ylabel(t("fig.overfitting.weight"))
        bottom.legend(fontsize=8)
        _keep(drawn, out, "overfitting_days.png", figure)

        figure, axes = plt.subplots(figsize=(8, 4), layout="constrained")
        for scheme, color, marker in (("rolling", "tab:blue", "o"), ("shuffled", "tab:orange", "s")):
            folds = np.array([fold["valid"] for fold in cv[scheme]["folds"]], dtype=float) / 1e3
            axes.plot(np.arange(1, len(folds) + 1), folds, marker=marker, color=color, lw=0, ms=7, gid=scheme,
                      label=t(f"fig.overfitting.{scheme}", mean=f"{folds.mean():.3f}"))
            axes.axhline(folds.mean(), color=color, ls=":", lw=1)
        axes.axhline(test / 1e3, color="black", ls="--", lw=1.2,
                     label=t("fig.overfitting.actual", mae=f"{test / 1e3:.3f}"))
        axes.set_xticks(np.arange(1, len(cv["rolling"]["folds"]) + 1))
        _label(axes, t("fig.overfitting.fold"), t("fig.overfitting.cv_title"), t)
        _keep(drawn, out, "overfitting_cv.png", figure)
    return drawn
