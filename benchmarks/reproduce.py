"""Wall time of ``gradstep reproduce``: the full default run (all studies, 3 seeds) and ``--quick``, and the
overfitting study alone, full and quick.

Each is run as a user runs it — a fresh ``gradstep reproduce`` process writing a report to a
temporary directory — ``--runs`` times, the four alternated; the median and the range go to the
"gradstep reproduce" section of docs/benchmarks.md with the machine and the command.

Run from the repository root:

    .venv/bin/python -m benchmarks.reproduce            # 3 runs of each, writes docs/benchmarks.md
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import gradstep
from gradstep.experiments import machine

from .docs import REPRODUCE_HEADING, write_reproduce_section

ROOT = Path(__file__).resolve().parents[1]
RUNS = {"full": [], "quick": ["--quick"], "overfitting": ["overfitting"], "overfitting quick": ["overfitting", "--quick"]}
GOALS = {"full": 180.0, "quick": 30.0, "overfitting": 600.0, "overfitting quick": 90.0}


def run_once(arguments: list) -> float:
    """Seconds for one ``gradstep reproduce`` process (its whole life: start-up, workers, report)."""
    with tempfile.TemporaryDirectory() as out:
        command = [sys.executable, "-m", "gradstep.cli", "reproduce", "--out", out, *arguments]
        started = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        return time.perf_counter() - started


def section(times: dict, runs: int) -> str:
    """The Markdown section: a table of medians and ranges against the goals, with the machine."""
    lines = [REPRODUCE_HEADING, "",
             "Reproduce (from the repository root, with the other cores as idle as possible):", "",
             "```", ".venv/bin/python -m benchmarks.reproduce", "```", "",
             f"Each row: {runs} runs of a fresh `gradstep reproduce` process (3 seeds, {os.cpu_count()} worker "
             "processes, the report written), the four rows alternated; seconds of wall time. The goals: the whole "
             "report within 3 minutes, the overfitting lab alone within 10 minutes and 90 s with --quick (issue 10).",
             "", f"- machine: {machine()}", f"- platform: {platform.platform()}", "",
             "| run | median s | min–max s | goal | met |", "|---|---:|---:|---:|---|"]
    for name, values in times.items():
        median = statistics.median(values)
        lines.append(f"| `{' '.join(['gradstep reproduce', *RUNS[name]])}` | {median:.1f} | "
                     f"{min(values):.1f}–{max(values):.1f} | < {GOALS[name]:.0f} | "
                     f"{'yes' if median < GOALS[name] else 'no'} |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of each (default: 3)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md", help="the Markdown file to update")
    args = parser.parse_args(argv)
    print(f"gradstep {gradstep.__version__}, NumPy {np.__version__}", flush=True)
    times = {name: [] for name in RUNS}
    for _ in range(args.runs):
        for name in times:
            times[name].append(run_once(RUNS[name]))
            print(f"{name}: {times[name][-1]:.1f} s", flush=True)
    write_reproduce_section(args.out, section(times, args.runs))
    print(f"wrote the {REPRODUCE_HEADING!r} section of {args.out}")


if __name__ == "__main__":
    main()
