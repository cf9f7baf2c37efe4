"""src/gradstep/experiments/__init__.py, the runner behind `gradstep reproduce`: every study runs, the report
files and their figures, a subset of studies, the header, the worker pool and a user's CSV."""

import os
import re

import numpy as np
from rich.console import Console

from gradstep.experiments import SINGLE_THREADED, STUDIES, machine, run_jobs, run_reproduction
from gradstep.experiments.common import Job


def test_every_study_runs_in_order_with_a_finding_and_tables(reproduced):
    _, studies, text = reproduced
    assert list(studies) == list(STUDIES)
    for name, study in studies.items():
        assert study.name == name and study.finding and study.tables, name
        assert f"({name})" in text, name


def test_the_studies_that_check_claims_have_them_and_every_one_holds(reproduced):
    """gradient-descent: reaching least squares; piecewise: two identities; activation: the collapse."""
    _, studies, _ = reproduced
    counts = {name: len(study.claims) for name, study in studies.items() if study.claims}
    assert counts == {"gradient-descent": 1, "piecewise": 2, "activation": 1}
    failed = [(name, text) for name, study in studies.items() for text, held in study.claims if not held]
    assert not failed, failed


def test_report_files_and_every_figure_they_name_exist(reproduced):
    out, studies, text = reproduced
    md, page = (out / "report.md").read_text(), (out / "report.html").read_text()
    figures = [name for s in studies.values() for name, _ in s.figures]
    assert len(figures) == 6
    for name in figures:
        assert (out / name).stat().st_size > 5000 and (out / name).read_bytes()[:4] == b"\x89PNG"
        assert f"]({name})" in md and f"src='{name}'" in page
    assert set(re.findall(r"src='([^']+)'", page)) == set(figures)
    assert "wall time:" in md and "machine:" in md and "<table>" in page
    assert "✓ holds" in text and "L′ test" in text
    assert not list(out.glob("*.tmp"))


def test_report_header_describes_this_run(reproduced):
    """The header names the data, the lecture's split, every study, the seeds, and a command that reruns it."""
    out, _, _ = reproduced
    md = (out / "report.md").read_text()
    assert ("- data: daily English Wikipedia views of Standard_deviation (built in); train 2017-01-01..2020-12-31, "
            "test 2021-01-01..2021-02-14 as in the lecture") in md
    assert f"- studies: {', '.join(STUDIES)}; seeds: 2; quick mode\n" in md
    assert "- wall time: " in md and " s with 2 worker processes\n" in md
    assert "- command: gradstep reproduce --seeds 2 --quick --workers 2\n" in md
    assert md.count("\n## ") == len(STUDIES)


def test_study_subset_runs_alone(tmp_path):
    studies = run_reproduction(["piecewise"], out=tmp_path, seeds=1, quick=True, workers=1,
                               console=Console(file=open(os.devnull, "w")))
    assert [s.name for s in studies] == ["piecewise"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["piecewise.png", "report.html", "report.md"]
    md = (tmp_path / "report.md").read_text()
    assert "- command: gradstep reproduce piecewise --seeds 1 --quick --workers 1\n" in md
    assert "- studies: piecewise; seeds: 1; quick mode\n" in md and md.count("\n## ") == 1


def test_jobs_run_in_workers_with_single_threaded_blas_and_the_environment_is_restored(monkeypatch):
    """A worker sees 1 BLAS thread; afterwards the caller's own settings (set or unset) are back."""
    monkeypatch.setenv("OMP_NUM_THREADS", "7")
    monkeypatch.delenv("MKL_NUM_THREADS", raising=False)
    jobs = [Job((name,), os.getenv, {"key": name}) for name in SINGLE_THREADED]
    assert run_jobs(jobs, workers=1, progress=False) == {(name,): "1" for name in SINGLE_THREADED}
    assert os.environ["OMP_NUM_THREADS"] == "7" and "MKL_NUM_THREADS" not in os.environ


def test_machine_names_cores_and_versions():
    line = machine()
    assert f"{os.cpu_count()} cores" in line and f"NumPy {np.__version__}" in line and "\n" not in line


def test_reproduce_runs_the_chapter_on_a_users_csv(tmp_path):
    """--csv: the report names the file and, without the lecture's dates, tests on its own last 45 days."""
    from gradstep.cli import main
    from gradstep.data import load_pageviews
    series = load_pageviews("Standard_deviation").loc["2022-06-01":"2023-12-31"]
    csv = tmp_path / "views.csv"
    series.rename("Views").rename_axis("Date").to_frame().to_csv(csv)
    out = tmp_path / "report"
    assert main(["reproduce", "linear", "piecewise", "--quick", "--seeds", "1", "--workers", "1",
                 "--csv", str(csv), "--out", str(out)]) == 0
    md = (out / "report.md").read_text()
    assert str(csv) in md and "its own last 45 days are the test days" in md and "--csv" in md
    linear = md.split("## Linear models")[1]
    assert "| 56 |" in linear and "| – |" in linear
    assert "as in the lecture" not in md.split("## ")[0]
