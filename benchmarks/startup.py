"""Start-up of the command line: ``gradstep --version``, ``--help`` and ``train --help`` against importing NumPy.

Each command runs as a fresh process ``--runs`` times, the commands alternated after one warm-up round;
the figure is the median wall time. The goal: at most 0.3 s and at most 3 × ``python -c "import numpy"``.
Run from the repository root:

    .venv/bin/python -m benchmarks.startup
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

from .docs import STARTUP_HEADING, write_section

ROOT = Path(__file__).resolve().parent.parent
GRADSTEP = [sys.executable, "-m", "gradstep.cli"]
COMMANDS = {
    'python -c "import numpy"': [sys.executable, "-c", "import numpy"],
    "gradstep --version": [*GRADSTEP, "--version"],
    "gradstep --help": [*GRADSTEP, "--help"],
    "gradstep train --help": [*GRADSTEP, "train", "--help"],
}
GOAL_SECONDS, GOAL_RATIO = 0.3, 3.0


def measure(runs: int) -> dict:
    times = {name: [] for name in COMMANDS}
    for round_ in range(runs + 1):
        for name, command in COMMANDS.items():
            started = time.perf_counter()
            subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
            if round_:
                times[name].append(time.perf_counter() - started)
    return {name: statistics.median(values) for name, values in times.items()}


def section(medians: dict, runs: int) -> str:
    numpy = medians['python -c "import numpy"']
    lines = [STARTUP_HEADING, "", f"Median wall time of {runs} fresh processes per command, alternated; goal: "
             f"≤ {GOAL_SECONDS} s and ≤ {GOAL_RATIO:g} × importing NumPy. Reproduce:", "", "```",
             ".venv/bin/python -m benchmarks.startup", "```", "", "| command | seconds | × import numpy | goal |",
             "|---|---:|---:|---|"]
    for name, seconds in medians.items():
        met = seconds <= GOAL_SECONDS and seconds <= GOAL_RATIO * numpy
        lines.append(f"| `{name}` | {seconds:.3f} | {seconds / numpy:.2f} | "
                     + ("" if name.startswith("python") else "met" if met else "missed") + " |")
    lines += ["", "The command line imports only argparse, the spec (dataclasses) and NumPy (through "
              "`gradcheck`, the one name imported eagerly); pandas, matplotlib, rich and the studies load inside "
              "the commands that use them (tests/test_init.py checks it).", ""]
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args(argv)
    text = section(measure(args.runs), args.runs)
    print(text)
    write_section(args.out, STARTUP_HEADING, text)


if __name__ == "__main__":
    main()
