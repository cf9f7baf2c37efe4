"""src/gradstep/experiments/batch_size.py: full batch, B = 1 and mini-batches — updates, time, memory, loss."""

import re

import numpy as np
import pytest

from gradstep.experiments import batch_size
from gradstep.experiments.common import Settings

LABELS = ["full (N)", "1", "16", "64", "256"]


def test_table_counts_ceil_n_over_b_updates_per_epoch(reproduced):
    """The 56-day windows of 2017–2020 are N = 1405 training days: ⌈1405 / B⌉ updates per epoch."""
    out, studies, _ = reproduced
    study = studies["batch-size"]
    assert [len(table.rows) for table in study.tables] == [5]
    rows = study.tables[0].rows
    assert [row[:2] for row in rows] == [["full (N)", "1"], ["1", "1405"], ["16", "88"], ["64", "22"], ["256", "6"]]
    assert all(re.fullmatch(r"\d+\.\d{3} ± \d+\.\d{3}", cell) for row in rows for cell in row[4:7])
    assert "B = 1 makes 1405:" in study.finding
    assert (out / "batch_size.png").read_bytes()[:4] == b"\x89PNG"


# hand-made results, 2 seeds of 4 epochs each: per batch size (seconds of seed 0 and 1, train mean, test mean)
NUMBERS = {"full (N)": ((0.4, 0.6), 0.90, 0.95, 1), "1": ((8.0, 8.8), 0.35, 0.45, 1405),
           "16": ((1.2, 1.2), 0.30, 0.50, 88), "64": ((0.6, 0.6), 0.40, 0.42, 22),
           "256": ((0.2, 0.28), 0.60, 0.70, 6)}


def _results():
    results = {}
    for i, (name, (seconds, train, test, updates)) in enumerate(NUMBERS.items()):
        for seed, sign in ((0, -1), (1, 1)):
            results[("batch", name, seed)] = {
                "train": 1e3 * (train + sign * 0.01), "test": 1e3 * (test + sign * 0.02),
                "year": 1e3 * (1.0 + i / 10), "seconds": seconds[seed], "epochs": 4, "updates_per_epoch": updates,
                "history": {"epoch": [1, 2, 3, 4], "train_mae": [2000.0 + seed, 1000.0, 1000 * (1 + i / 10), 900.0],
                            "seconds": [0.1, 0.2, 0.3, 0.4], "updates": [updates, 2 * updates, 3 * updates, 4 * updates]}}
        results[("batch", name, 0)]["peak_bytes"] = (i + 1) * 2**20 * 1.5   # measured for seed 0 only
    return results


@pytest.fixture
def drawn(record):
    return record(batch_size, "batch_plot")


def test_report_puts_time_memory_and_each_part_in_its_column(tmp_path, drawn):
    results = _results()
    study = batch_size.report(Settings(seeds=2), results, tmp_path)
    table = study.tables[0]
    assert table.title == (f"{batch_size.MODEL.describe(56)}, Adam lr 0.001; the same budget for every B: 4 epochs, "
                           "each training day seen 4 times; MAE in k views")
    assert table.rows == [
        ["full (N)", "1", "0.125", "5.27", "0.900 ± 0.014", "0.950 ± 0.028", "1.000 ± 0.000", "1.5"],
        ["1", "1405", "2.100", "14.80", "0.350 ± 0.014", "0.450 ± 0.028", "1.100 ± 0.000", "3.0"],
        ["16", "88", "0.300", "23.50", "0.300 ± 0.014", "0.500 ± 0.028", "1.200 ± 0.000", "4.5"],
        ["64", "22", "0.150", "31.50", "0.400 ± 0.014", "0.420 ± 0.028", "1.300 ± 0.000", "6.0"],
        ["256", "6", "0.060", "38.92", "0.600 ± 0.014", "0.700 ± 0.028", "1.400 ± 0.000", "7.5"],
    ]
    histories, where = drawn[0]
    assert list(histories) == LABELS and where == tmp_path / "batch_size.png"
    assert all(histories[name] is results[("batch", name, 0)]["history"] for name in LABELS)


def test_finding_names_the_lowest_training_loss_and_the_fastest_epochs(tmp_path, drawn):
    """B = 16 has the lowest training loss but B = 64 the lowest test loss: a swapped part names the wrong one."""
    study = batch_size.report(Settings(seeds=2), _results(), tmp_path)
    assert study.finding == (
        "Full batch makes 1 update per epoch and B = 1 makes 1405: an epoch takes 0.125 s at full batch and 2.100 s "
        "at B = 1. In the same epochs the lowest training loss comes from B = 16 and the fastest epochs from "
        "B = 256; full batch, with one update per epoch, ends at L = 0.900k. The path is noisiest at B = 256: from one "
        "epoch to the next its training loss changes by 38.92 % (standard deviation over the second half), against "
        "5.27 % at full batch, whose every step follows the whole gradient.")


def test_path_noise_is_the_spread_of_late_log_changes():
    """A steady geometric descent has no noise; a path that jumps up and down has the spread of its log steps."""
    assert batch_size.path_noise({"train_mae": [8.0, 4.0, 2.0, 1.0]}) == pytest.approx(0.0, abs=1e-9)
    assert batch_size.path_noise({"train_mae": [100.0, 100.0, 110.0, 99.0]}) == pytest.approx(
        100 * np.std([np.log(1.1), np.log(0.9)]))
    # only the second half counts: an early jump does not
    assert batch_size.path_noise({"train_mae": [100.0, 300.0, 50.0, 25.0, 12.5, 6.25]}) == pytest.approx(0.0, abs=1e-9)
