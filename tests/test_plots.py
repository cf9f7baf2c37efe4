"""The figures: each writes one readable PNG of a sensible size, atomically, draws what it is given, returns the
Figure, and takes every word it shows from ``t`` (English by default, Chinese with a CJK font)."""

import re
import string
import warnings

import matplotlib
import numpy as np
import pandas as pd
import pytest

from gradstep import plots
from gradstep.lang import Text
from gradstep.lang.figures import FIGURES

PNG = b"\x89PNG\r\n\x1a\n"
CJK = re.compile(r"[\u4e00-\u9fff]")


def png_size(path):
    data = path.read_bytes()
    assert data[:8] == PNG
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def drawn_lines(monkeypatch):
    """Record the axes of every figure saved, so a test can see what was drawn."""
    seen = []
    real = plots.save

    def save(figure, path):
        seen.append([line for axes in figure.axes for line in axes.get_lines()])
        real(figure, path)
    monkeypatch.setattr(plots, "save", save)
    return seen


def lines(axes, gid):
    return [line for line in axes.get_lines() if line.get_gid() == gid]


def visible_texts(figure):
    """Every word a reader sees, except tick labels: titles, axis labels, legends, annotations, suptitle."""
    texts = [figure.get_suptitle(), *(text.get_text() for text in figure.texts)]
    for axes in figure.axes:
        if not axes.get_visible():
            continue
        texts += [axes.get_title(loc) for loc in ("left", "center", "right")]
        texts += [axes.get_xlabel(), axes.get_ylabel(), *(text.get_text() for text in axes.texts)]
        legend = axes.get_legend()
        if legend is not None:
            texts += [legend.get_title().get_text(), *(text.get_text() for text in legend.get_texts())]
    return [text for text in texts if text]


class Recorder:
    """A Text-like callable that remembers each key with the names of its values, and every string it returned."""

    def __init__(self, lang="en"):
        self.text, self.lang, self.calls, self.said = Text(lang), lang, set(), set()

    def __call__(self, key, **values):
        self.calls.add((key, frozenset(values)))
        said = self.text(key, **values)
        self.said.add(said)
        return said


# ---- the data each figure receives, as the studies pass it ----

def descent_data(steps=200):
    """x (yesterday) and y (today) in views; paths that contract towards least squares by 0.99 and 0.8 a step and
    overshoot it by −1.04 a step, as gradient descent does on this isotropic (standardised) surface."""
    rng = np.random.default_rng(0)
    x = rng.normal(5000, 1000, size=60)
    y = 0.8 * x + 900 + rng.normal(0, 300, size=60)
    w_star, b_star = np.polyfit(x, y, 1)
    start, optimum = np.array([0.0, y.mean()]), np.array([w_star, b_star])
    paths = {}
    for name, lr, factor in (("too small", 0.005, 0.99), ("good", 0.1, 0.8), ("too large", 1.02, -1.04)):
        points = optimum + factor ** np.arange(steps + 1)[:, None] * (start - optimum)
        loss = [float(np.mean((b + w * x - y) ** 2)) for w, b in points[1:]]
        paths[name] = {"lr": lr, "path": points.tolist(), "loss": loss}
    return x, y, paths, (float(w_star), float(b_star))


def components(x, f, n=4):
    knots = np.linspace(x[0], x[-1], n + 1)
    at = np.interp(knots, x, f)
    heights = np.diff(at)
    z = (x[:, None] - knots[None, :-1]) / np.diff(knots)[None, :]
    hard, sigmoid = np.clip(z, 0, 1) * heights, heights / (1 + np.exp(-4 * (z - 0.5)))
    hard_sum, sigmoid_sum = at[0] + hard.sum(axis=1), at[0] + sigmoid.sum(axis=1)
    return {"n": n, "knots": knots.tolist(), "constant": float(at[0]), "hard": hard.T.tolist(),
            "sigmoid": sigmoid.T.tolist(), "hard_sum": hard_sum.tolist(), "sigmoid_sum": sigmoid_sum.tolist(),
            "hard_mae": float(np.abs(hard_sum - f).mean()), "sigmoid_mae": float(np.abs(sigmoid_sum - f).mean())}


def piecewise_found():
    x = np.arange(1.0, 366.0)
    f = 5000 + 1500 * np.sin(x / 365 * 2 * np.pi) + 300 * np.cos(x / 20)
    return {"x": x.tolist(), "curve": f.tolist(), "fits": {n: [5000.0] * 365 for n in (4, 16)},
            "errors": {1: 900.0, 4: 400.0, 16: 100.0, 64: 30.0}, "sigmoid_gap": {1: (0.4, 0.1), 100: (0.004, 0.1)},
            "components": components(x, f)}


UNITS = (10, 100, 1000)
NUMBERS = {"sigmoid": {"train": [(0.36, 0.01), (0.33, 0.004), (0.31, 0.006)],
                       "test": [(0.47, 0.01), (0.45, 0.008), (0.46, 0.01)]},
           "relu": {"train": [(0.32, 0.01), (0.28, 0.003), (0.26, 0.004)],
                    "test": [(0.45, 0.012), (0.43, 0.01), (0.44, 0.02)]}}
LECTURE_UNITS = {10: (0.32, 0.45), 100: (0.28, 0.43), 1000: (0.27, 0.43)}


def histories():
    """Training falls at every epoch; validation is lowest at a different inner epoch for each depth."""
    epoch = np.arange(1, 31)
    found = {}
    for layers, best in ((1, 20), (2, 12), (3, 7)):
        valid = 400 + 2 * (epoch - best) ** 2 + 1000 / epoch
        found[layers] = {"epoch": epoch.tolist(), "train_mae": (300 + 2000 / epoch).tolist(),
                         "valid_mae": valid.tolist()}
    return found


def activation_run(same=True):
    day = np.arange(1.0, 366.0)
    views = 5000 + 1500 * np.sin(day / 365 * 2 * np.pi)
    line = 5200 - 2.0 * day
    deep = line + (1e-7 if same else 400.0)
    relu = views + 50 * np.cos(day)
    curves = {"linear": line, "deep_linear": deep, "relu": relu}
    return {"day": day.tolist(), "views": views.tolist(), "curves": {k: v.tolist() for k, v in curves.items()},
            "errors": {k: float(np.abs(v - views).mean()) for k, v in curves.items()}}


def batch_histories():
    history = {"epoch": [1, 2, 3], "train_mae": [900.0, 500.0, 400.0], "seconds": [0.1, 0.2, 0.3],
               "updates": [10, 20, 30]}
    return {"full (N)": history, "1": history, "16": history}


def lab_group(train, valid, test):
    """Two seeds' results around the given means (views)."""
    return [{"train": train - 10, "valid": valid - 20, "test": test - 5}, {"train": train + 10, "valid": valid + 20,
                                                                          "test": test + 5}]


def overfitting_parts():
    """What the overfitting study hands its figures: curves, capacity, the remedies, sizes, days, folds."""
    curves = {"epoch": [1, 2, 3, 4], "train_mae": [900.0, 400.0, 200.0, 100.0], "valid_mae": [950.0, 600.0, 650.0, 700.0]}
    folds = {scheme: {"folds": [{"valid": value} for value in values]}
             for scheme, values in (("rolling", [500.0, 650.0, 430.0, 740.0]), ("shuffled", [410.0, 400.0, 570.0, 370.0]))}
    return {"curves": curves, "early": {**curves, "epoch": [1, 2, 3], "train_mae": [900.0, 400.0, 200.0],
                                        "valid_mae": [950.0, 600.0, 650.0]}, "early_best": 2,
            "capacity": [("4 × 128", 56961, lab_group(60, 770, 420)), ("4 × 8", 681, lab_group(170, 680, 450))],
            "rows": {"none": [420.0, 430.0], "L1": [370.0, 372.0], "dropout": [500.0, 490.0]},
            "valid": {"none": [770.0, 760.0], "L1": [660.0, 670.0], "dropout": [750.0, 760.0]},
            "verdicts": ["base", "helps", "hurts"], "data": {1.0: lab_group(60, 770, 420), 3.8: lab_group(120, 470, 330)},
            "importance": {lag: float(8 - lag) * 10 for lag in range(1, 8)},
            "weights": ({"by_day": [0.1] * 7, "near_zero": 0.07}, {"by_day": [0.02] * 7, "near_zero": 0.92}),
            "cv": folds, "test": 424.0}


def draw_all(directory, t=None):
    """Every figure once, with ``t``; {file name: Figure}."""
    x, y, paths, optimum = descent_data()
    dates = pd.date_range("2021-01-01", periods=5)
    history = pd.Series([1000.0, 1100.0, 1050.0], index=pd.date_range("2021-01-01", periods=3))
    frame = pd.DataFrame({"date": pd.date_range("2021-01-04", periods=2), "forecast": [1100.0, 1150.0],
                          "lower": [900.0, 950.0], "upper": [1300.0, 1350.0]})
    return {
        "descent.png": plots.descent_plot(x, y, paths, optimum, directory / "descent.png", t=t),
        "piecewise.png": plots.piecewise_plot(piecewise_found(), directory / "piecewise.png", t=t),
        "units.png": plots.units_plot(UNITS, NUMBERS, directory / "units.png", lecture=LECTURE_UNITS, t=t),
        "curves.png": plots.curves_plot(histories(), directory / "curves.png", t=t),
        "depth.png": plots.depth_plot([1, 2], [0.3, 0.2], [0.4, 0.5], [0.5, 0.45], [(0.28, 0.43), (0.18, 0.39)],
                                      directory / "depth.png", t=t),
        "activation.png": plots.activation_plot(activation_run(), directory / "activation.png", t=t),
        "batch.png": plots.batch_plot(batch_histories(), directory / "batch.png", t=t),
        "prediction.png": plots.prediction_plot(dates, [1000] * 5, [1100] * 5, directory / "prediction.png", t=t),
        "forecast.png": plots.forecast_plot(history, frame, directory / "forecast.png", t=t),
        **plots.overfitting_plots(directory, t, **overfitting_parts()),
    }


# ---- each figure draws what it is given ----

def test_prediction_plot_draws_truth_and_prediction_in_thousands(tmp_path, monkeypatch):
    seen = drawn_lines(monkeypatch)
    figure = plots.prediction_plot(["2021-01-01", "2021-01-02"], [1000, 2000], [1500, 2500], tmp_path / "p.png",
                                   title="t")
    assert png_size(tmp_path / "p.png") == (990, 418)
    truth, prediction = seen[0]
    assert list(truth.get_ydata()) == [1.0, 2.0] and list(prediction.get_ydata()) == [1.5, 2.5]
    assert [p.name for p in tmp_path.iterdir()] == ["p.png"]
    assert figure.axes[0].get_lines() == seen[0] and truth.get_label() == "true views"
    assert figure.axes[0].get_ylabel() == "views (k)"


def test_values_below_a_thousand_are_drawn_as_they_are(tmp_path):
    """A unit of hours, say 19.2 a day, is not drawn as 0.0192 k."""
    figure = plots.prediction_plot(["2021-01-01", "2021-01-02"], [19.2, 999], [18.0, 20.0], tmp_path / "p.png",
                                   unit="Watch time (hours)")
    truth, prediction = figure.axes[0].get_lines()
    assert list(truth.get_ydata()) == [19.2, 999] and list(prediction.get_ydata()) == [18.0, 20.0]
    assert figure.axes[0].get_ylabel() == "Watch time (hours)"
    study = plots.prediction_plot(["2021-01-01"], [19.2], [18.0], tmp_path / "s.png", thousands=True)
    assert list(study.axes[0].get_lines()[0].get_ydata()) == [0.0192] and study.axes[0].get_ylabel() == "views (k)"


@pytest.mark.parametrize("level, divisor, label", [(1.0, 1.0, "views"), (1e3, 1e3, "views (k)")])
def test_forecast_plot_draws_history_forecast_and_band_in_one_scale(tmp_path, level, divisor, label):
    history = pd.Series([level, 1.1 * level], index=pd.date_range("2021-01-01", periods=2))
    frame = pd.DataFrame({"date": pd.date_range("2021-01-03", periods=2), "forecast": [1.2 * level, 1.3 * level],
                          "lower": [level, level], "upper": [2 * level, 2 * level]})
    figure = plots.forecast_plot(history, frame, tmp_path / "f.png")
    past, future = figure.axes[0].get_lines()
    assert np.allclose(past.get_ydata(), np.array([1.0, 1.1]) * level / divisor)
    assert np.allclose(future.get_ydata(), np.array([1.2, 1.3]) * level / divisor)
    band = figure.axes[0].collections[0].get_paths()[0].vertices[:, 1]
    assert np.isclose(band.min(), level / divisor) and np.isclose(band.max(), 2 * level / divisor)
    assert figure.axes[0].get_ylabel() == label


def test_a_forecast_without_an_interval_says_so_and_the_legend_sits_above_the_lines(tmp_path):
    history = pd.Series([10.0, 30.0], index=pd.date_range("2021-01-01", periods=2))
    frame = pd.DataFrame({"date": pd.date_range("2021-01-03", periods=2), "forecast": [20.0, 25.0],
                          "lower": [np.nan, np.nan], "upper": [np.nan, np.nan]})
    axes = plots.forecast_plot(history, frame, tmp_path / "f.png").axes[0]
    assert [text.get_text() for text in axes.get_legend().get_texts()] == [
        "views", "forecast (no interval: the model has no backtest)"]
    assert not axes.collections  # no band
    low, high = axes.get_ylim()
    assert 30.0 < high - 0.15 * (high - low)  # a free row at the top


def test_the_forecast_figure_s_layout(tmp_path, chinese):
    """History in blue, the forecast in red dots with its band in the same red, on dates; the legend in one row
    at the top left, without a frame, in a fifth of the height added above the lines; 9 × 3.8 inches; the
    default level 80 % and no title; the labels in the reader's language. Catches a changed style, scale or
    layout, and a t dropped on the way."""
    from matplotlib.colors import same_color, to_rgba
    history = pd.Series([10.0, 30.0], index=pd.date_range("2021-01-01", periods=2))
    frame = pd.DataFrame({"date": pd.date_range("2021-01-03", periods=2), "forecast": [20.0, 25.0],
                          "lower": [15.0, 18.0], "upper": [22.0, 28.0]})
    figure = plots.forecast_plot(history, frame, tmp_path / "f.png")
    axes = figure.axes[0]
    past, future = axes.get_lines()
    assert list(past.get_xdata()) == list(history.index) and list(future.get_xdata()) == list(frame["date"])
    assert past.get_color() == "tab:blue" and same_color(future.get_color(), "tab:red")
    assert future.get_marker() == "o" and future.get_linestyle() == "-" and future.get_markersize() == 3
    band = axes.collections[0]
    assert np.allclose(band.get_facecolor()[0], to_rgba("tab:red", 0.2))
    legend = axes.get_legend()
    assert [text.get_text() for text in legend.get_texts()] == ["views", "80 % interval", "forecast"]
    assert legend._loc == 2 and legend._ncols == 3 and not legend.get_frame_on()  # 2: upper left
    assert axes.get_ylim() == pytest.approx((9.0, 31.0 + 0.2 * 22.0))  # matplotlib's 5 % margins, then a fifth
    assert tuple(figure.get_size_inches()) == (9, 3.8) and axes.get_title() == ""
    zh = chinese[1]["forecast.png"].axes[0]
    assert [text.get_text() for text in zh.get_legend().get_texts()][1:] == ["80 % 区间", "预测"]


@pytest.mark.parametrize("suffix, magic", [(".png", b"\x89PNG"), (".pdf", b"%PDF"), (".SVG", b"<?xml"),
                                           (".jpg", b"\x89PNG")])
def test_a_figure_is_written_in_the_format_its_name_ends_with(tmp_path, suffix, magic):
    path = tmp_path / f"p{suffix}"
    plots.prediction_plot(["2021-01-01"], [1.0], [1.0], path)
    assert path.read_bytes()[:len(magic)] == magic


def test_a_long_title_is_wrapped_not_cut(tmp_path):
    title = "test MAE 1,167 Pageviews; mean of 4 models: " + ", ".join(["relu 2 × 100 a year all pages"] * 4)
    figure = plots.prediction_plot(["2021-01-01"], [1.0], [1.0], tmp_path / "p.png", title=title)
    lines = figure.axes[0].get_title().split("\n")
    assert figure.axes[0].title.get_fontsize() == 10
    assert len(lines) == 2 and " ".join(lines) == title and all(len(line) <= plots.TITLE_WIDTH for line in lines)


def test_prediction_plot_translates_views_but_keeps_another_unit(chinese, tmp_path):
    zh = chinese[1]["prediction.png"]
    assert zh.axes[0].get_lines()[0].get_label() == "真实观看次数" and zh.axes[0].get_ylabel() == "观看次数（千）"
    own = plots.prediction_plot(["2021-01-01"], [1000], [1500], tmp_path / "b.png", unit="sales", t=Text("zh"))
    assert own.axes[0].get_lines()[0].get_label() == "真实sales" and own.axes[0].get_ylabel() == "sales（千）"


@pytest.mark.parametrize("year", [[0.5, 0.45], None])
def test_depth_plot_draws_the_year_only_when_measured(tmp_path, monkeypatch, year):
    seen = drawn_lines(monkeypatch)
    plots.depth_plot([1, 2], [0.3, 0.2], [0.4, 0.5], year, [(0.28, 0.43), (0.18, 0.39)], tmp_path / "d.png")
    labels = [line.get_label() for line in seen[0]]
    assert ("test 2021 (gradstep)" in labels) == (year is not None) and len(labels) == 4 + (year is not None)


@pytest.fixture(scope="module")
def english(tmp_path_factory):
    """Every figure drawn once in English (the tests below read them), with a recording t, and with cjk_font
    refusing to be asked: an English figure is drawn as before, without looking for a CJK font."""
    def refuse():
        raise AssertionError("an English figure looked for a CJK font")
    directory = tmp_path_factory.mktemp("figures")
    t = Recorder()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(plots, "cjk_font", refuse)
        figures = draw_all(directory, t)
    return t, figures, directory


@pytest.fixture(scope="module")
def chinese(tmp_path_factory):
    """Every figure drawn once in Chinese with a recording t, and the warnings drawing gave (matplotlib warns of
    each glyph its font lacks; without a CJK font all Chinese glyphs are missing)."""
    t = Recorder("zh")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        figures = draw_all(tmp_path_factory.mktemp("chinese"), t)
    return t, figures, [str(warning.message) for warning in caught]


@pytest.fixture
def descent(english):
    x, y, paths, optimum = descent_data()
    return x, y, paths, optimum, english[1]["descent.png"], english[2] / "descent.png"


def descent_panels(figure):
    """{rate name: the panel with that rate's path}, and the loss panel."""
    panels = {line.get_label(): axes for axes in figure.axes for line in lines(axes, "path")}
    loss = [axes for axes in figure.axes if lines(axes, "loss")]
    assert len(loss) == 1
    return panels, loss[0]


def test_descent_plot_draws_each_path_in_its_own_panel_inside_its_view(descent):
    x, y, paths, optimum, figure, _ = descent
    panels, _ = descent_panels(figure)
    assert sorted(panels) == ["η = 0.005 (too small)", "η = 0.1 (good)", "η = 1.02 (too large)"]
    for name, run in paths.items():
        axes = panels[f"η = {run['lr']:g} ({name})"]
        points = np.asarray(run["path"])[:plots.DIVERGING_STEPS + 1 if name == "too large" else None]
        (line,) = lines(axes, "path")
        np.testing.assert_allclose(line.get_xdata(), points[:, 0])
        np.testing.assert_allclose(line.get_ydata(), points[:, 1] / 1e3)
        (w0, w1), (b0, b1) = axes.get_xlim(), axes.get_ylim()
        assert (w0 <= points[:, 0].min() and points[:, 0].max() <= w1 and b0 <= points[:, 1].min() / 1e3
                and points[:, 1].max() / 1e3 <= b1), name
        assert ("first 40 of 200 steps" in axes.get_title()) == (name == "too large")
    # the diverging path's view is sized to its 40 steps, not to the 200 (which are 4000 times farther out)
    wide = panels["η = 1.02 (too large)"].get_xlim()
    assert wide[1] - wide[0] < 3 * np.ptp(np.asarray(paths["too large"]["path"])[:41, 0])


def test_descent_plot_numbers_the_steps_at_their_points(descent):
    x, y, paths, optimum, figure, _ = descent
    panels, _ = descent_panels(figure)
    for name, run in paths.items():
        axes = panels[f"η = {run['lr']:g} ({name})"]
        points = np.asarray(run["path"])
        numbers = [text for text in axes.texts if text.get_gid() == "step"]
        steps = [int(text.get_text()) for text in numbers]
        assert steps[0] == 0 and set(steps) <= {*plots.STEP_LABELS, 40, 200}, (name, steps)
        for step, text in zip(steps, numbers):
            np.testing.assert_allclose(text.xy, (points[step, 0], points[step, 1] / 1e3))
        if name == "good":  # 0.8 a step: the first steps stand apart, and then crowd at the optimum
            assert steps[:5] == [0, 1, 2, 3, 5] and 200 not in steps
        if name == "too large":  # each step jumps across the optimum: drawn as arcs, one per step
            assert 1 in steps and sum(1 for text in axes.texts if text.arrow_patch is not None
                                      and text.get_gid() != "step") == plots.DIVERGING_STEPS


def test_descent_plot_has_one_unit_the_optimum_and_the_least_squares_minimum(descent):
    x, y, paths, optimum, figure, path = descent
    panels, by_step = descent_panels(figure)
    for axes in panels.values():
        (star,) = lines(axes, "optimum")
        assert star.get_marker() == "*"
        np.testing.assert_allclose([star.get_xdata()[0], star.get_ydata()[0]], [optimum[0], optimum[1] / 1e3])
    for name, run in paths.items():
        (line,) = [line for line in lines(by_step, "loss") if line.get_label() == f"η = {run['lr']:g} ({name})"]
        np.testing.assert_allclose(line.get_ydata(), np.asarray(run["loss"]) / 1e6)
        assert list(line.get_xdata()) == list(range(len(run["loss"])))  # the loss at the point after i steps
    residual = y - np.polyval(np.polyfit(x, y, 1), x)
    (minimum,) = lines(by_step, "minimum")
    assert minimum.get_linestyle() == "--"
    np.testing.assert_allclose(minimum.get_ydata(), [np.mean(residual ** 2) / 1e6] * 2, rtol=1e-9)
    assert by_step.get_yscale() == "log"
    labels = {axes.get_ylabel() for axes in figure.axes if "MSE" in axes.get_ylabel()}
    assert labels == {"MSE (k views²)"} and sum(axes.get_ylabel() == "MSE (k views²)" for axes in figure.axes) == 4
    assert png_size(path)[0] <= 1500


@pytest.mark.parametrize("kind", ["hard", "sigmoid"])
def test_piecewise_plot_draws_the_pieces_that_add_up_to_the_sum(english, kind):
    found, figure = piecewise_found(), english[1]["piecewise.png"]
    parts = found["components"]
    sums = [axes for axes in figure.axes if lines(axes, "sum")]
    pieces = [axes for axes in figure.axes if lines(axes, "piece")]
    assert len(sums) == len(pieces) == 2
    top = sums[0] if kind == "hard" else sums[1]
    bottom = pieces[0] if kind == "hard" else pieces[1]
    (constant,), (total,) = lines(top, "constant"), lines(top, "sum")
    drawn = [line.get_ydata() for line in lines(bottom, "piece")]
    assert len(drawn) == parts["n"]
    np.testing.assert_allclose(drawn, np.asarray(parts[kind]) / 1e3)
    np.testing.assert_allclose(constant.get_ydata() + np.sum(drawn, axis=0), total.get_ydata(), atol=1e-9)
    np.testing.assert_allclose(total.get_ydata(), np.asarray(parts[f"{kind}_sum"]) / 1e3)
    np.testing.assert_allclose(lines(top, "curve")[0].get_ydata(), np.asarray(found["curve"]) / 1e3)
    assert f"MAE {parts[f'{kind}_mae'] / 1e3:.3f}k" in top.get_title()
    assert f"{parts['hard_mae'] / 1e3:.3f}k" in sums[1].get_title()
    (errors,) = [line for axes in figure.axes for line in lines(axes, "errors")]
    assert list(errors.get_ydata()) == [0.9, 0.4, 0.1, 0.03] and errors.axes.get_xscale() == "log"


def test_units_plot_draws_four_series_with_their_spread_and_the_lecture_dashed(english, tmp_path):
    (axes,) = english[1]["units.png"].axes
    series = {container.get_label(): container for container in axes.containers}
    assert sorted(series) == ["ReLU: L train", "ReLU: L′ test", "sigmoid: L train", "sigmoid: L′ test"]
    for kind, name in (("sigmoid", "sigmoid"), ("relu", "ReLU")):
        for part, label in (("train", "L train"), ("test", "L′ test")):
            container = series[f"{name}: {label}"]
            mean, std = np.asarray(NUMBERS[kind][part]).T
            np.testing.assert_allclose(container.lines[0].get_ydata(), mean)
            np.testing.assert_allclose(container.lines[0].get_xdata(), UNITS, rtol=0.05)
            bars = np.asarray(container.lines[2][0].get_segments())
            np.testing.assert_allclose(bars[:, :, 1], np.column_stack([mean - std, mean + std]))
    colors = {str(container.lines[0].get_color()) for container in series.values()}
    assert len(colors) == 4 and axes.get_xscale() == "log"
    for part, index in (("train", 0), ("test", 1)):
        (lecture,) = lines(axes, f"lecture-{part}")
        assert lecture.get_linestyle() == "--"
        assert list(lecture.get_ydata()) == [LECTURE_UNITS[u][index] for u in UNITS]
    assert not lines(plots.units_plot(UNITS, NUMBERS, tmp_path / "v.png").axes[0], "lecture-train")


def test_curves_plot_marks_the_epoch_of_the_lowest_validation_error(english):
    found, figure = histories(), english[1]["curves.png"]
    assert [axes.get_title() for axes in figure.axes] == ["1 layer", "2 layers", "3 layers"]
    assert figure.axes[0].get_shared_y_axes().joined(figure.axes[0], figure.axes[2])
    for axes, history in zip(figure.axes, found.values()):
        (train,), (valid,), (best,) = lines(axes, "train"), lines(axes, "valid"), lines(axes, "best")
        np.testing.assert_allclose(train.get_ydata(), np.asarray(history["train_mae"]) / 1e3)
        np.testing.assert_allclose(valid.get_ydata(), np.asarray(history["valid_mae"]) / 1e3)
        assert list(valid.get_xdata()) == history["epoch"]
        at = int(np.argmin(history["valid_mae"]))
        assert (best.get_xdata()[0], best.get_ydata()[0]) == (history["epoch"][at], history["valid_mae"][at] / 1e3)
        assert f"best epoch {history['epoch'][at]}" in best.get_label()


@pytest.mark.parametrize("same", [True, False])
def test_activation_plot_shows_the_linear_model_under_the_same_line_without_activation(english, tmp_path, same):
    run = activation_run(same)
    figure = english[1]["activation.png"] if same else plots.activation_plot(run, tmp_path / "a.png")
    (axes,) = figure.axes
    (line,), (deep,), (relu,) = lines(axes, "linear"), lines(axes, "deep_linear"), lines(axes, "relu")
    np.testing.assert_allclose(line.get_ydata(), np.asarray(run["curves"]["linear"]) / 1e3)
    np.testing.assert_allclose(deep.get_ydata(), np.asarray(run["curves"]["deep_linear"]) / 1e3)
    assert line.get_linewidth() >= 3 * deep.get_linewidth() and line.get_alpha() < 1
    assert deep.get_linestyle() == "--" and line.get_linestyle() == "-" and deep.get_zorder() > line.get_zorder()
    assert line.get_label().startswith("linear model (MAE") and relu.get_label().startswith("3 layers of ReLUs")
    assert ("the same line as the linear model" in deep.get_label()) == same
    assert deep.get_label().startswith("3 layers, no activation (MAE")


def test_batch_plot_names_the_full_batch_through_t(chinese):
    figure = chinese[1]["batch.png"]
    labels = [line.get_label() for line in figure.axes[0].get_lines()]
    assert labels == ["B = 全批量 (N)", "B = 1", "B = 16"]


# ---- words: every one from t, in both languages ----

def placeholders(template):
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def test_the_catalogues_have_the_same_keys_and_placeholders():
    assert FIGURES["en"].keys() == FIGURES["zh"].keys()
    assert all(key.startswith(("fig.", "model.")) for key in FIGURES["en"])
    for key, template in FIGURES["en"].items():
        assert placeholders(template) == placeholders(FIGURES["zh"][key]), key
    assert [FIGURES["en"][f"model.{name}"] for name in ("linear", "deep_linear", "relu")] == [
        "linear model", "3 layers, no activation", "3 layers of ReLUs"]


def test_every_figure_takes_every_word_from_t(english):
    """Each key used is in both catalogues and filled with its placeholders; apart from the caller's titles, the
    math symbols w and z, the panel mark (a) and the step numbers, every visible word is one t returned."""
    t, figures, directory = english
    for key, names in t.calls:
        assert key in FIGURES["en"] and key in FIGURES["zh"], key
        assert placeholders(FIGURES["en"][key]) == names, key
    used = {key for key, _ in t.calls}
    assert {"fig.descent.mse", "fig.piecewise.hard_piece", "fig.units.train", "fig.curves.best", "model.deep_linear",
            "fig.batch.full", "fig.views", "fig.forecast.interval"} <= used
    for name, figure in figures.items():
        for text in visible_texts(figure):
            assert text in t.said or text in ("w", "z", "(a)") or text.isdigit(), (name, text)
    for path in directory.iterdir():
        width, height = png_size(path)
        assert 200 < width <= 1500 and height > 200, path.name


def test_figure_text_falls_back_to_english_without_a_cjk_font(monkeypatch):
    monkeypatch.setattr(plots, "cjk_font", lambda: None)
    assert plots.figure_text("zh").lang == "en" and plots.figure_text("en").lang == "en"
    monkeypatch.setattr(plots, "cjk_font", lambda: "Some CJK Sans")
    assert plots.figure_text("zh").lang == "zh"
    with pytest.raises(ValueError, match="not a language"):
        plots.figure_text("fr")


def test_cjk_font_is_a_family_matplotlib_finds():
    font = plots.cjk_font()
    if font is None:
        pytest.skip("no CJK font installed")
    assert plots._has_family(font)


def test_a_chinese_figure_has_every_word_in_chinese(chinese):
    t, figures, _ = chinese
    for name, figure in figures.items():
        texts = visible_texts(figure)
        assert any(CJK.search(text) for text in texts), name
        for text in texts:
            assert text in t.said or text in ("w", "z", "(a)") or text.isdigit(), (name, text)
    descent = figures["descent.png"]
    assert {axes.get_xlabel() for axes in descent.axes if axes.get_visible()} >= {"w", "步"}
    assert descent.get_suptitle().startswith("误差曲面")


def test_a_chinese_figure_is_drawn_with_a_cjk_font(chinese):
    if plots.cjk_font() is None:
        pytest.skip("no CJK font installed (apt-get install fonts-noto-cjk)")
    assert plots.figure_text("zh").lang == "zh"
    missing = [message for message in chinese[2] if "missing from font" in message]
    assert not missing, missing[:3]


def test_overfitting_figures_draw_the_curves_the_remedies_and_the_folds_they_are_given(tmp_path):
    figures = plots.overfitting_plots(tmp_path, None, **overfitting_parts())
    assert sorted(figures) == sorted(p.name for p in tmp_path.iterdir()) and len(figures) == 6
    base, early = figures["overfitting_curves.png"].axes
    best = next(line for line in early.get_lines() if line.get_gid() == "best")
    assert list(best.get_xdata()) == [2] and list(best.get_ydata()) == [0.6]
    assert next(line for line in base.get_lines() if line.get_gid() == "best").get_xdata()[0] == 2
    capacity = figures["overfitting_capacity.png"].axes[0]
    assert [label.get_text() for label in capacity.get_xticklabels()] == ["4 × 8\n681", "4 × 128\n56,961"]
    bars = figures["overfitting_remedies.png"].axes[0].patches
    assert [round(bar.get_width(), 3) for bar in bars] == [0.425, 0.371, 0.495]
    assert [bar.get_facecolor()[:3] for bar in bars] == [matplotlib.colors.to_rgb(c) for c in
                                                          ("tab:gray", "tab:green", "tab:red")]
    data = figures["overfitting_data.png"].axes[0]
    assert [label.get_text() for label in data.get_xticklabels()] == ["1.0", "3.8"]
    folds = figures["overfitting_cv.png"].axes[0]
    rolling = next(line for line in folds.get_lines() if line.get_gid() == "rolling")
    assert list(rolling.get_ydata()) == [0.5, 0.65, 0.43, 0.74] and rolling.get_label() == "rolling origin (mean 0.580k)"
