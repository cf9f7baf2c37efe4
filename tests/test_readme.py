"""The README's examples run as written and do what their comments say."""

import contextlib
import io
import re
from pathlib import Path

import numpy as np

README = (Path(__file__).parents[1] / "README.md").read_text()


def test_readme_python_examples_run_and_reach_least_squares():
    blocks = re.findall(r"```python\n(.*?)```", README, re.S)
    assert len(blocks) == 3
    namespace, framework = {}, {}
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(blocks[0], namespace)
    exec(blocks[1], dict(namespace, **framework), framework)
    w, b = map(float, printed.getvalue().split())
    x, y = namespace["x"], namespace["y"]
    (w_ls, b_ls), *_ = np.linalg.lstsq(np.hstack([x, np.ones_like(x)]), y[:, 0], rcond=None)
    assert abs(w - w_ls) < 1e-3 and abs(b - b_ls) < 1e-3
    assert all(p.grad is not None for p in framework["model"].parameters())


def test_readme_commands_match_ci():
    commands = re.findall(r"```sh\n(python3 -m venv .*?)\n```", README)
    assert len(commands) == 2 and "gradstep reproduce" in commands[0] and "pytest" in commands[1]
    ci = (Path(__file__).parents[1] / ".ci" / "run").read_text()
    assert commands[1] in ci


def test_readme_numbers_for_the_56_day_linear_model_are_what_the_defaults_give():
    import gradstep as gs
    train, test = map(float, re.search(r"L = (\d\.\d+)k views on .*?L′ = (\d\.\d+)k", README, re.S).groups())
    run = gs.fit(gs.RunSpec())
    assert abs(run.metrics["train"]["mae"] / 1e3 - train) < 0.0005
    assert abs(run.score_test()["mae"] / 1e3 - test) < 0.0005


def test_readme_run_path_example_scores_the_test_days_only_when_asked():
    block = re.findall(r"```python\n(.*?)```", README, re.S)[2]
    namespace = {}
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(block, namespace)
    run = namespace["run"]
    assert run.scored == ["train", "valid", "test"] and set(run.metrics) == {"train", "valid", "test"}
    assert list(run.history.columns[:2]) == ["epoch", "train_loss"] and "valid_loss" in run.history
    assert "['train', 'valid', 'test']" in printed.getvalue()
