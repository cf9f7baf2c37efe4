"""Study `gradient-descent`: y = b + w x1 on yesterday's views; L(w, b) and the paths of three learning rates.

Gradient descent w ← w − η ∂L/∂w, b ← b − η ∂L/∂b runs on the MSE (which has a closed-form optimum,
least squares, to compare with) in standardised units; the figures show w and b in views.
"""

from __future__ import annotations

import numpy as np

from .. import losses, nn, optim
from ..plots import descent_plot
from ..run import prepare
from ..spec import RunSpec
from ..tensor import Tensor
from .common import Job, StudyResult, Table, lesson, series

RATES = {"too small": 0.005, "good": 0.1, "too large": 1.02}
BOOK = {"w": 0.97, "b": 0.1}
FORMULAS = [r"L(w, b) = \frac{1}{N} \sum_{n=1}^{N} \left(b + w x_1^{(n)} - \hat{y}^{(n)}\right)^2",
            r"w^1 = w^0 - \eta \frac{\partial L}{\partial w}, \qquad b^1 = b^0 - \eta \frac{\partial L}{\partial b}"]
TRY = ["gradstep train --model linear --days 1 --loss mse --optimizer sgd --batch-size full --epochs 200 --lr 0.1 "
       "--out try-good",
       "gradstep train --model linear --days 1 --loss mse --optimizer sgd --batch-size full --epochs 200 --lr 1.02 "
       "--out try-large",
       "gradstep train --model linear --days 1 --loss mse --optimizer sgd --batch-size full --epochs 200 --lr 0.005 "
       "--out try-small"]


def one_day(data):
    """The 1-day model's standardised training windows (x, y as columns) and their standardiser."""
    parts, scaler = prepare(RunSpec(data=data).replace(days=1), series(data))
    return scaler.transform(parts.train.X), scaler.transform(parts.train.y).reshape(-1, 1), parts, scaler


def line(point: tuple) -> nn.Sequential:
    """The model y = b + w x with (w, b) = ``point``, in float64."""
    model = nn.linear_model(1, dtype=np.float64)
    model.load_state_dict({"0.weight": np.full((1, 1), float(point[0])), "0.bias": np.full(1, float(point[1]))})
    return model


def loss_at(x: np.ndarray, y: np.ndarray, point: tuple) -> float:
    """The MSE L(w, b) of y = b + w x at ``point``."""
    return losses.mse(line(point)(Tensor(x, dtype=np.float64)), y).item()


def mse_surface(x, y):
    """L(w, b) = mean((b + w x − y)²) as a function (exact, from centred moments, without cancellation), and its
    least-squares minimum (w*, b*, L*): w* = cov(x, y) / var(x), b* = mean(y) − w* mean(x)."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    mx, my = x.mean(), y.mean()
    sxx, sxy, syy = ((x - mx) ** 2).mean(), ((x - mx) * (y - my)).mean(), ((y - my) ** 2).mean()

    def loss(w, b):
        return (b + w * mx - my) ** 2 + w * w * sxx - 2 * w * sxy + syy
    w_star = sxy / sxx if sxx > 0 else 0.0
    b_star = my - w_star * mx
    return loss, (w_star, b_star, max(float(loss(w_star, b_star)), 0.0))


def descent_path(x: np.ndarray, y: np.ndarray, start: tuple, lr: float, steps: int) -> tuple[list, list]:
    """Full-batch gradient descent w ← w − η ∂L/∂w, b ← b − η ∂L/∂b on the MSE L of y = b + w x from ``start``: the
    steps + 1 points (w, b) and the loss at each of the first ``steps`` of them (where each gradient was taken)."""
    model = line(start)
    optimizer = optim.SGD(model.parameters(), lr=lr)
    points, loss_values = [(float(start[0]), float(start[1]))], []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = losses.mse(model(Tensor(x, dtype=np.float64)), y)
        loss.backward()
        optimizer.step()
        loss_values.append(loss.item())
        points.append((model[0].weight.item(), model[0].bias.item()))
    return points, loss_values


def descend(data, steps: int) -> dict:
    """Full-batch gradient descent on the MSE from (w, b) = (0, 0) for each learning rate, and least squares; the
    paths and losses in views (descent itself runs in standardised units)."""
    x, y, parts, scaler = one_day(data)

    def raw(w, b):
        return [w, scaler.std * b + scaler.mean * (1 - w)]
    (w_ls, b_ls), *_ = np.linalg.lstsq(np.hstack([x, np.ones_like(x)]), y[:, 0], rcond=None)
    paths = {}
    for name, lr in RATES.items():
        points, loss_values = descent_path(x, y, (0.0, 0.0), lr, steps)
        w, b = points[-1]
        paths[name] = {"lr": lr, "path": [raw(*point) for point in points],
                       "loss": [value * scaler.std ** 2 for value in loss_values],
                       "gap": max(abs(w - w_ls), abs(b - b_ls))}
    return {"paths": paths, "least_squares": raw(w_ls, b_ls),
            "x": parts.train.X[:, 0].tolist(), "y": parts.train.y.tolist()}


def jobs(settings):
    return [Job(("gradient-descent",), descend, dict(data=settings.data, steps=200), 0.1)]


def verdict(run: dict) -> str:
    """Whether a path reached the optimum: "yes", "diverged" (its loss grew or is not finite) or "not yet"."""
    if np.isfinite(run["loss"][-1]) and run["gap"] < 1e-6:
        return "yes"
    return "diverged" if not np.isfinite(run["loss"][-1]) or run["loss"][-1] > run["loss"][0] else "not yet"


def report(settings, results, out) -> StudyResult:
    t = settings.text
    found = results[("gradient-descent",)]
    w_ls, b_ls = found["least_squares"]
    gap = found["paths"]["good"]["gap"]
    descent_plot(np.asarray(found["x"]), np.asarray(found["y"]), found["paths"], (w_ls, b_ls),
                 out / "gradient_descent.png", t=settings.figure_text)
    table = Table(t("gradient-descent.table"), [t("gradient-descent.col.lr"), t("gradient-descent.col.steps"), "w",
                                                "b (k)", t("gradient-descent.col.loss"), t("gradient-descent.col.done")])
    for name, run in found["paths"].items():
        w, b = run["path"][-1]
        table.rows.append([f"{run['lr']:g} ({t('gradient-descent.rate.' + name)})", str(len(run["loss"])),
                           f"{w:.4g}", f"{b / 1e3:.4g}", f"{run['loss'][-1] / 1e6:.4g}",
                           t("gradient-descent.verdict." + verdict(run))])
    table.rows.append([t("gradient-descent.row.least_squares"), "", f"{w_ls:.4f}", f"{b_ls / 1e3:.4f}", "", ""])
    table.rows.append([t("gradient-descent.row.book"), "", f"{BOOK['w']:.2f}", f"{BOOK['b']:.2f}", "", ""])
    finding = t("gradient-descent.finding", w=f"{w_ls:.4f}", b=f"{b_ls / 1e3:.3f}")
    claims = [(t("gradient-descent.claim", lr=RATES["good"], gap=f"{gap:.1e}"), gap < 1e-6)]
    return lesson("gradient-descent", t("gradient-descent.title"), finding, settings, FORMULAS, TRY, tables=[table],
                  figures=[("gradient_descent.png", t("gradient-descent.figure"))], claims=claims)
