"""The chapter's studies and the runner behind ``gradstep reproduce``.

Every study is a module with ``jobs(settings)`` and ``report(settings, results, out)``; all their
jobs go to one pool of worker processes (concurrent.futures), then each study builds its tables and
figures, and the runner writes ``report.md`` and ``report.html``.
"""

from __future__ import annotations

import contextlib
import os
import platform
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ..io import write_text
from ..report import html_page, markdown, print_study
from ..version import __version__
from . import activation, batch_size, depth, gradient_descent, linear, piecewise, units
from ..spec import DataSpec
from .common import Settings, StudyResult, test_description

STUDIES = {
    "gradient-descent": gradient_descent,
    "linear": linear,
    "piecewise": piecewise,
    "units": units,
    "depth": depth,
    "activation": activation,
    "batch-size": batch_size,
}

SINGLE_THREADED = {name: "1" for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}


def _run(job):
    return job.key, job.run()


def run_jobs(jobs: list, workers: int, progress: bool) -> dict:
    """Run every job in ``workers`` fresh processes with single-threaded BLAS (so results do not depend
    on the number of workers); the costliest first. Returns {key: result}."""
    saved = {name: os.environ.get(name) for name in SINGLE_THREADED}
    os.environ.update(SINGLE_THREADED)
    results = {}
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool, \
                Progress(TextColumn("reproducing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                         disable=not progress, transient=True) as bar:
            task = bar.add_task("jobs", total=len(jobs))
            for key, result in pool.map(_run, sorted(jobs, key=lambda job: -job.cost)):
                results[key] = result
                bar.advance(task)
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    return results


def machine() -> str:
    """The CPU, cores, Python and NumPy of this machine, in one line."""
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError), open("/proc/cpuinfo", encoding="utf-8") as info:
        cpu = next((line.split(":", 1)[1].strip() for line in info if line.startswith("model name")), cpu)
    return (f"{cpu}, {os.cpu_count()} cores, {platform.system()}; Python {platform.python_version()}, "
            f"NumPy {np.__version__}, gradstep {__version__}")


def run_reproduction(names: list | None, out: Path, seeds: int, quick: bool, workers: int,
                     console: Console, data: DataSpec | None = None) -> list[StudyResult]:
    """Run the studies (all by default) on ``data`` (the built-in page by default), print their tables, write
    out/report.md and out/report.html."""
    data = DataSpec() if data is None else data
    settings = Settings(seeds=seeds, quick=quick, data=data)
    chosen = [name for name in STUDIES if name in (names or STUDIES)]
    started = time.perf_counter()
    jobs = [job for name in chosen for job in STUDIES[name].jobs(settings)]
    console.print(f"running {len(chosen)} studies: {len(jobs)} trainings with {settings.seeds} seed"
                  f"{'s' * (settings.seeds > 1)} on {workers} worker{'s' * (workers > 1)}"
                  f"{' (quick)' if quick else ''}", highlight=False)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    results = run_jobs(jobs, workers, progress=console.is_terminal)
    studies = [STUDIES[name].report(settings, results, out) for name in chosen]
    for study in studies:
        print_study(console, study)
    seconds = time.perf_counter() - started
    if data.csv is not None:
        source = f"your series {data.csv} (column {data.value_column or 'found from the file'})"
        source_flags = ["--csv", data.csv]
    else:
        source = f"daily English Wikipedia views of {data.page or 'Standard_deviation'} (built in)"
        source_flags = ["--page", data.page] if data.page else []
    header = {"title": "gradstep reproduce: the first chapter of deep learning on real data",
              "lines": [f"data: {source}; {test_description(data)}",
                        "MAE in thousands of views (k), mean ± std over seeds; the lecture's numbers are for its "
                        "YouTube channel, so compare the patterns, not the digits",
                        f"studies: {', '.join(chosen)}; seeds: {settings.seeds}{'; quick mode' if quick else ''}",
                        f"wall time: {seconds:.1f} s with {workers} worker process{'es' * (workers > 1)}",
                        f"machine: {machine()}",
                        "command: " + " ".join(["gradstep reproduce", *(chosen if names else []), *source_flags]) +
                        f" --seeds {settings.seeds}{' --quick' if quick else ''} --workers {workers}"]}
    write_text(out / "report.md", markdown(studies, header))
    write_text(out / "report.html", html_page(studies, header))
    failed = [text for study in studies for text, held in study.claims if not held]
    console.print(f"wrote {out / 'report.md'} and {out / 'report.html'} in {seconds:.1f} s"
                  + (f"; {len(failed)} claim(s) FAILED" if failed else ""), highlight=False, markup=False)
    return studies
