"""Killed, interrupted and concurrent trainings, run as a user runs them: gradstep in its own process.

(Out of mutmut's reach, as subprocesses are; the in-process checks of the same machinery are in
tests/test_modeldir.py and tests/test_cli_reliability.py.)
"""

import json
import os
import random
import signal
import subprocess
import sys
import time

import pytest

from gradstep.cli import main
from gradstep.modeldir import MODEL_FILES, sha256_of

TRAIN = ["train", "--model", "relu", "--units", "16", "--layers", "2", "--dropout", "0.1", "--days", "14",
         "--valid-days", "60", "--patience", "1000", "--input-noise", "0.05", "--quiet", "--folds", "0"]


def gradstep(*args, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "gradstep.cli", *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **kwargs)


def check_whole(path) -> str:
    """Assert ``path`` holds one complete model (the npz its JSON names); its weights' sha256."""
    assert sorted(entry.name for entry in path.iterdir()) == sorted(MODEL_FILES)
    meta = json.loads((path / "model.json").read_text())
    assert meta["npz_sha256"] == sha256_of(path / "model.npz")
    return meta["npz_sha256"]


def weights_and_losses(path):
    meta = json.loads((path / "model.json").read_text())
    history = (path / "history.csv").read_text().splitlines()
    losses = [",".join(line.split(",")[:3]) for line in history]  # epoch, train_loss, train_mae
    return meta["npz_sha256"], meta["metrics"], losses


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The same training, uninterrupted: what every resumed run must reproduce exactly."""
    out = tmp_path_factory.mktemp("reference") / "m"
    started = time.monotonic()
    assert main([*TRAIN, "--epochs", "600", "--out", str(out)]) == 0
    return out, time.monotonic() - started


def test_training_killed_at_random_moments_leaves_a_whole_model_and_resumes_to_the_same_one(capsys, tmp_path, reference):
    """SIGKILL the training at random moments (seeded), resuming after each kill that left a checkpoint; each
    time the directory holds the previous complete model or the new one, and the end is the uninterrupted result.
    (Kills at each step of the save itself: tests/test_modeldir.py.)"""
    expected, _ = reference
    out = tmp_path / "m"
    assert main([*TRAIN, "--epochs", "2", "--seed", "9", "--out", str(out)]) == 0
    previous = check_whole(out)
    outcomes = []
    for delay in (random.Random(12).uniform(1.0, 3.0) for _ in range(6)):
        resume = (tmp_path / ".m.checkpoint" / "checkpoint.json").exists()
        process = gradstep(*TRAIN, "--epochs", "600", "--out", out, *(["--resume"] if resume else []))
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        _, err = process.communicate()
        assert "error" not in err, err
        found = check_whole(out)
        assert found in (previous, weights_and_losses(expected)[0])
        outcomes.append(("resumed " if resume else "") + ("new" if found != previous else "previous"))
        if found != previous:
            break
    print("kills:", outcomes)
    if not outcomes[-1].endswith("new"):
        resume = (tmp_path / ".m.checkpoint" / "checkpoint.json").exists()
        code = main([*TRAIN, "--epochs", "600", "--out", str(out), *(["--resume"] if resume else [])])
        assert code == 0, (outcomes, capsys.readouterr().err)
    assert weights_and_losses(out) == weights_and_losses(expected)
    assert sorted(entry.name for entry in tmp_path.iterdir()) == ["m"]  # no lock, checkpoint or temporary left


def test_two_trainings_into_one_directory_the_second_is_refused(tmp_path, reference):
    out = tmp_path / "m"
    first = gradstep(*TRAIN, "--epochs", "600", "--out", out)
    while not (tmp_path / ".m.lock").exists():
        time.sleep(0.02)
    second = gradstep("train", "--epochs", "1", "--quiet", "--out", out)
    _, err = second.communicate(timeout=60)
    assert second.returncode == 2, err
    assert err == (f"gradstep train: error: {out} is being written by another training (process {first.pid}); "
                   "wait for it to finish or choose another directory\n")
    _, err = first.communicate(timeout=120)
    assert first.returncode == 0, err
    assert weights_and_losses(out) == weights_and_losses(reference[0])


def test_an_interrupted_training_says_how_to_resume_and_keeps_its_checkpoint(tmp_path):
    # A shell starting the tests in the background leaves SIGINT ignored, and children inherit that: restore it
    process = gradstep(*TRAIN, "--epochs", "3000", "--out", tmp_path / "m",
                       preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    while not (tmp_path / ".m.checkpoint" / "checkpoint.json").exists():
        time.sleep(0.02)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130 and "Traceback" not in err
    assert err.startswith("gradstep train: interrupted; nothing more was written; gradstep train --resume continues")
    assert not (tmp_path / "m").exists() and not (tmp_path / ".m.lock").exists()
    assert (tmp_path / ".m.checkpoint" / "checkpoint.json").exists()


def test_ctrl_c_in_auto_s_backtest_stops_its_workers_at_once_and_writes_nothing(tmp_path):
    """Ctrl-C (SIGINT to the whole process group, as a terminal sends it) while the candidates are backtested in
    worker processes: exit 130 within seconds, one line that offers no resume (no epoch has ended, so there is no
    checkpoint), no directory, and no process of the group left behind."""
    process = subprocess.Popen([sys.executable, "-m", "gradstep.cli", "train", "--model", "auto", "--workers", "2",
                                "--quiet", "--out", str(tmp_path / "m")], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"},
                               preexec_fn=lambda: (os.setsid(), signal.signal(signal.SIGINT, signal.SIG_DFL)))
    while not process.stdout.readline().startswith("choosing by backtest"):
        assert process.poll() is None
    time.sleep(2)  # the workers are backtesting
    interrupted = time.monotonic()
    os.killpg(process.pid, signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130 and time.monotonic() - interrupted < 10
    assert err == "gradstep train: interrupted; nothing more was written\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == []
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    pytest.fail("a process of the interrupted gradstep is still running")
