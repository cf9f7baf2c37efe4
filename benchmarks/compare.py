"""Two runs of the engine suite side by side: each case's ratio against PyTorch before and after a change.

Each run measures gradstep, PyTorch and hand-written NumPy in the same rounds, so its ratios hold even
when the machine's speed drifts between the runs; comparing ratios, not milliseconds, compares the two
engines. Run from the repository root (BASE is the commit before the change):

    git worktree add /tmp/before BASE
    PYTHONPATH=/tmp/before/src .venv/bin/python -m benchmarks.engine --json /tmp/before.json --out /tmp/before.md
    .venv/bin/python -m benchmarks.engine --json /tmp/after.json
    .venv/bin/python -m benchmarks.compare /tmp/before.json /tmp/after.json --before BASE --after HEAD

A case whose ratio fell can be measured again, the two engines one after the other (``--models`` and
``--batches`` of the engine suite, ``--json`` to other files), and the pair given with ``--again``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from .docs import COMPARE_HEADING, write_section

ROOT = Path(__file__).resolve().parent.parent
ALLOWED_FALL = 0.05


def section(before: dict, after: dict, labels: tuple[str, str], again: list = ()) -> str:
    lines = [COMPARE_HEADING, "", f"The engine suite run twice, the same harness (this tree's `benchmarks/engine.py`) "
             f"on gradstep {labels[0]} and on gradstep {labels[1]}, one after the other on this machine. "
             "“× PyTorch” is the median of PyTorch's time ÷ gradstep's within a round (higher is faster); "
             f"a ratio that falls by more than {ALLOWED_FALL:.0%} is marked. Reproduce:", "", "```",
             *[line.strip() for line in __doc__.split("```")[0].splitlines() if line.startswith("    ")], "```", "",
             f"| case | × PyTorch, {labels[0]} | × PyTorch, {labels[1]} | change | ÷ NumPy, {labels[0]} | "
             f"÷ NumPy, {labels[1]} |", "|---|---:|---:|---:|---:|---:|"]
    worst = 0.0
    for case, old in before["cases"].items():
        new = after["cases"].get(case)
        if new is None:
            continue
        ratio_old, ratio_new = old["vs_torch"]["gradstep"], new["vs_torch"]["gradstep"]
        change = ratio_new / ratio_old - 1
        worst = min(worst, change)
        mark = " (fell)" if change < -ALLOWED_FALL else ""
        lines.append(f"| {case} | {ratio_old:.2f} | {ratio_new:.2f} | {change:+.1%}{mark} | "
                     f"{old['vs_numpy']['gradstep']:.2f} | {new['vs_numpy']['gradstep']:.2f} |")
    lines += ["", f"Largest fall: {-worst:.1%} (allowed: {ALLOWED_FALL:.0%})." if worst < 0 else
              "No ratio fell.", ""]
    if again:
        lines += ["Measured again, each pair one engine after the other (× PyTorch; ÷ NumPy compares gradstep with "
                  "the hand-written NumPy of the same rounds, so PyTorch's own drift does not enter it):", "",
                  "| case | pair | × PyTorch, before | × PyTorch, after | change | ÷ NumPy, before | ÷ NumPy, after |",
                  "|---|---:|---:|---:|---:|---:|---:|"]
        for number, (old_run, new_run) in enumerate(again, start=2):
            for case, old in old_run["cases"].items():
                new = new_run["cases"][case]
                ratio_old, ratio_new = old["vs_torch"]["gradstep"], new["vs_torch"]["gradstep"]
                lines.append(f"| {case} | {number} | {ratio_old:.2f} | {ratio_new:.2f} | {ratio_new / ratio_old - 1:+.1%} | "
                             f"{old['vs_numpy']['gradstep']:.2f} | {new['vs_numpy']['gradstep']:.2f} |")
        lines.append("")
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--before", dest="before_label", default="before")
    parser.add_argument("--after", dest="after_label", default="after")
    parser.add_argument("--again", nargs=2, type=Path, action="append", default=[], metavar=("BEFORE", "AFTER"),
                        help="another pair of runs of some cases")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args(argv)
    again = [tuple(json.loads(path.read_text()) for path in pair) for pair in args.again]
    text = section(json.loads(args.before.read_text()), json.loads(args.after.read_text()),
                   (args.before_label, args.after_label), again)
    print(text)
    write_section(args.out, COMPARE_HEADING, text)


if __name__ == "__main__":
    main()
