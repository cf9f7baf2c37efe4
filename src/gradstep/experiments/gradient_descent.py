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
from .common import Job, StudyResult, Table, series

TITLE = "Gradient descent on the 1-day model y = b + w x1"
RATES = {"too small": 0.005, "good": 0.1, "too large": 1.02}
BOOK = {"w": 0.97, "b": 0.1}


def descend(data, steps: int) -> dict:
    """Full-batch gradient descent on the MSE from (w, b) = (0, 0) for each learning rate, and least squares."""
    parts, scaler = prepare(RunSpec(data=data).replace(days=1), series(data))
    x, y = scaler.transform(parts.train.X), scaler.transform(parts.train.y).reshape(-1, 1)

    def raw(w, b):
        return [w, scaler.std * b + scaler.mean * (1 - w)]
    (w_ls, b_ls), *_ = np.linalg.lstsq(np.hstack([x, np.ones_like(x)]), y[:, 0], rcond=None)
    paths = {}
    for name, lr in RATES.items():
        model = nn.linear_model(1, dtype=np.float64)
        model.load_state_dict({"0.weight": np.zeros((1, 1)), "0.bias": np.zeros(1)})
        optimizer = optim.SGD(model.parameters(), lr=lr)
        path, loss_values = [raw(0.0, 0.0)], []
        for _ in range(steps):
            optimizer.zero_grad()
            loss = losses.mse(model(Tensor(x, dtype=np.float64)), y)
            loss.backward()
            optimizer.step()
            loss_values.append(loss.item())
            path.append(raw(model[0].weight.item(), model[0].bias.item()))
        gap = max(abs(model[0].weight.item() - w_ls), abs(model[0].bias.item() - b_ls))
        paths[name] = {"lr": lr, "path": path, "loss": loss_values, "gap": gap}
    return {"paths": paths, "least_squares": raw(w_ls, b_ls),
            "x": parts.train.X[:, 0].tolist(), "y": parts.train.y.tolist()}


def jobs(settings):
    return [Job(("gradient-descent",), descend, dict(data=settings.data, steps=200), 0.1)]


def report(settings, results, out) -> StudyResult:
    found = results[("gradient-descent",)]
    w_ls, b_ls = found["least_squares"]
    gap = found["paths"]["good"]["gap"]
    descent_plot(np.asarray(found["x"]), np.asarray(found["y"]), found["paths"], (w_ls, b_ls),
                 out / "gradient_descent.png")
    table = Table("where each learning rate ends (MSE training loss in standardised units; b in k views)",
                  ["learning rate η", "steps", "w", "b (k)", "final L", "reached the optimum?"])
    for name, run in found["paths"].items():
        w, b = run["path"][-1]
        finite = np.isfinite(run["loss"][-1])
        close = finite and run["gap"] < 1e-6
        table.rows.append([f"{run['lr']:g} ({name})", str(len(run["loss"])), f"{w:.4g}", f"{b / 1e3:.4g}",
                           f"{run['loss'][-1]:.4g}", "yes" if close else ("diverged" if not finite or
                                                                         run["loss"][-1] > run["loss"][0] else "not yet")])
    table.rows.append(["closed form (least squares)", "", f"{w_ls:.4f}", f"{b_ls / 1e3:.4f}", "", ""])
    table.rows.append(["the book's w*, b*", "", f"{BOOK['w']:.2f}", f"{BOOK['b']:.2f}", "", ""])
    finding = (f"With a good learning rate gradient descent reaches the least-squares optimum w* = {w_ls:.4f}, "
               f"b* = {b_ls / 1e3:.3f}k (the book's channel: 0.97, 0.1k); too small a rate is still far away after "
               f"the same steps, too large a rate overshoots and its loss grows.")
    claims = [(f"gradient descent (η = {RATES['good']}) reaches the closed form: w and b within {gap:.1e} of "
               f"least squares (standardised units)", gap < 1e-6)]
    return StudyResult("gradient-descent", TITLE, finding, [table],
                       [("gradient_descent.png", "the error surface L(w, b) (MSE) with the paths of three learning "
                         "rates, and the loss against the step")], claims)
