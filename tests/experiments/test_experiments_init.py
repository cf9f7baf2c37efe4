"""src/gradstep/experiments/__init__.py, the runner behind `gradstep reproduce`: every study runs, the report
files and their figures, a subset of studies, the header, the worker pool and a user's CSV."""

import json
import os
import re
import shutil

import numpy as np
import pytest
from rich.console import Console

from gradstep.errors import InputError
from gradstep.executor import SINGLE_THREADED
from gradstep.experiments import STUDIES, machine, run_jobs, run_reproduction
from gradstep.experiments.common import Job
from gradstep.lang import Text


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
    assert counts == {"gradient-descent": 1, "piecewise": 2, "activation": 1, "overfitting": 3}
    failed = [(name, text) for name, study in studies.items() for text, held in study.claims if not held]
    assert not failed, failed


def test_report_files_and_every_figure_they_name_exist(reproduced):
    out, studies, text = reproduced
    md, page = (out / "report.md").read_text(), (out / "report.html").read_text()
    figures = [name for s in studies.values() for name, _ in s.figures]
    assert len(figures) == 15
    for name in figures:
        assert (out / name).stat().st_size > 5000 and (out / name).read_bytes()[:4] == b"\x89PNG"
        assert f"]({name})" in md and f'src="{name}"' in page
    assert set(re.findall(r'src="([^"]+)"', page)) == set(figures)
    assert sorted(p.name for p in out.iterdir()) == sorted(figures + ["report.html", "report.json", "report.md"])
    assert "wall time:" in md and "machine:" in md and "<table>" in page
    assert "✓ holds" in text and "L′ test" in text
    assert not list(out.glob("*.tmp"))


def test_report_header_describes_this_run(reproduced):
    """The header names the data, the lecture's split, every study, the seeds, and a command that reruns it."""
    out, _, _ = reproduced
    md = (out / "report.md").read_text()
    assert ("- data: daily English Wikipedia views of `Standard_deviation` (built in); train 2017-01-01..2020-12-31, "
            "test 2021-01-01..2021-02-14 as in the lecture") in md
    assert f"- studies: `{', '.join(STUDIES)}`; seeds: 2; quick mode\n" in md
    assert "- wall time: " in md and " s with 2 worker process(es)\n" in md
    assert "- command: `gradstep reproduce --seeds 2 --quick --workers 2`\n" in md
    assert md.count("\n## ") == len(STUDIES) + 1 and "\n## Contents\n" in md


def quiet():
    return Console(file=open(os.devnull, "w"))


def test_study_subset_runs_alone(tmp_path):
    studies = run_reproduction(["piecewise"], out=tmp_path, seeds=1, quick=True, workers=1, console=quiet())
    assert [s.name for s in studies] == ["piecewise"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["piecewise.png", "report.html", "report.json", "report.md"]
    md = (tmp_path / "report.md").read_text()
    assert "- command: `gradstep reproduce piecewise --seeds 1 --quick --workers 1`\n" in md
    assert "- studies: `piecewise`; seeds: 1; quick mode\n" in md and md.count("\n## ") == 2


@pytest.fixture
def full_report(reproduced, tmp_path):
    """A copy of the session's full report (every study, 2 seeds, quick), with a stale figure the piecewise
    section claims to have drawn."""
    out = tmp_path / "report"
    shutil.copytree(reproduced[0], out)
    saved = json.loads((out / "report.json").read_text())
    saved["studies"]["piecewise"]["figures"].append(["old_pieces.png", "an old figure"])
    (out / "report.json").write_text(json.dumps(saved))
    (out / "old_pieces.png").write_bytes(b"old")
    return out


def test_one_study_over_a_full_report_updates_its_section_and_keeps_the_others(full_report):
    before = (full_report / "report.md").read_text()
    linear_before = before.split("## Linear models")[1].split("\n## ")[0]
    console = Console(record=True, width=200, file=open(os.devnull, "w"))
    studies = run_reproduction(["piecewise"], out=full_report, seeds=2, quick=True, workers=2, console=console)
    assert [s.name for s in studies] == list(STUDIES)
    md = (full_report / "report.md").read_text()
    assert md.count("\n## ") == len(STUDIES) + 1
    assert md.split("## Linear models")[1].split("\n## ")[0] == linear_before
    assert "- kept from the earlier run in this directory: gradient-descent, linear, units, depth, activation, " \
           "batch-size, overfitting\n" in md
    assert "- command: `gradstep reproduce piecewise --seeds 2 --quick --workers 2`\n" in md
    assert not (full_report / "old_pieces.png").exists() and (full_report / "linear_test.png").exists()
    saved = json.loads((full_report / "report.json").read_text())
    assert list(saved["studies"]) == list(STUDIES)
    assert "piecewise: done at " in console.export_text() and "linear: done" not in console.export_text()


def test_a_full_run_removes_the_figures_an_earlier_report_drew_and_this_one_does_not(full_report, monkeypatch):
    """Even over a report of other settings: a full run replaces it whole (here "every study" is piecewise alone)."""
    import gradstep.experiments as experiments
    saved = json.loads((full_report / "report.json").read_text())
    saved["settings"]["seeds"] = 5
    (full_report / "report.json").write_text(json.dumps(saved))
    (full_report / "notes.png").write_bytes(b"the user's own")
    monkeypatch.setattr(experiments, "STUDIES", {"piecewise": STUDIES["piecewise"]})
    run_reproduction(None, out=full_report, seeds=1, quick=True, workers=1, console=quiet())
    assert sorted(p.name for p in full_report.iterdir()) == ["notes.png", "piecewise.png", "report.html",
                                                             "report.json", "report.md"]


def edit(out, study, field, value):
    """Replace one field of one study in out/report.json."""
    saved = json.loads((out / "report.json").read_text())
    saved["studies"][study][field] = value
    (out / "report.json").write_text(json.dumps(saved))


@pytest.mark.parametrize("change, words", [
    (lambda out: (out / "report.json").write_text(json.dumps({**json.loads((out / "report.json").read_text()),
                                                              "settings": {"seeds": 3}})),
     "holds a report made with other settings"),
    (lambda out: (out / "report.json").write_text("[1, 2"), "is not a report gradstep can update"),
    (lambda out: (out / "report.json").write_text(json.dumps({"settings": {}, "studies": {"linear": {"x": 1}}})),
     "is not a report gradstep can update"),
    (lambda out: (out / "report.json").unlink(), "holds a report without report.json"),
    (lambda out: edit(out, "depth", "figures", [["../outside.png", "a name that leaves the directory"]]),
     "its depth section is not one gradstep wrote"),
    (lambda out: edit(out, "linear", "formulas", [r"\unknowncommand{"]), "its linear section is not one gradstep wrote"),
    (lambda out: edit(out, "piecewise", "claims", [["a claim", "yes"]]), "its piecewise section is not one"),
    (lambda out: edit(out, "units", "tables", [{"title": "t", "columns": ["a"], "rows": [[1.5]]}]),
     "its units section is not one"),
    (lambda out: edit(out, "units", "name", "depth"), "its units section is not one"),
])
def test_one_study_is_refused_over_a_report_it_cannot_keep(full_report, change, words):
    change(full_report)
    before = sorted(p.name for p in full_report.iterdir())
    with pytest.raises(InputError, match=words):
        run_reproduction(["piecewise"], out=full_report, seeds=2, quick=True, workers=1, console=quiet())
    assert sorted(p.name for p in full_report.iterdir()) == before


def test_jobs_run_in_workers_with_single_threaded_blas_and_the_environment_is_restored(monkeypatch):
    """A worker sees 1 BLAS thread; afterwards the caller's own settings (set or unset) are back; a line is printed
    when each study's last job is done."""
    monkeypatch.setenv("OMP_NUM_THREADS", "7")
    monkeypatch.delenv("MKL_NUM_THREADS", raising=False)
    jobs = {"blas": [Job((name,), os.getenv, {"key": name}) for name in SINGLE_THREADED],
            "nothing": [Job(("none",), os.getenv, {"key": "GRADSTEP_NOT_SET"})]}
    console = Console(record=True, file=open(os.devnull, "w"))
    results = run_jobs(jobs, workers=1, console=console, t=Text("en"))
    assert results == {**{(name,): "1" for name in SINGLE_THREADED}, ("none",): None}
    assert os.environ["OMP_NUM_THREADS"] == "7" and "MKL_NUM_THREADS" not in os.environ
    lines = console.export_text().splitlines()
    assert sorted(line.split(" done")[0] for line in lines) == ["blas:", "nothing:"]
    assert any(line.startswith("blas: done at ") and line.endswith(" s (3 job(s))") for line in lines)


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
    saved = json.loads((out / "report.json").read_text())
    commands = [command for study in saved["studies"].values() for command, _ in study["try_next"]]
    assert commands and all(command.endswith(f"--csv {csv}") or "--page Christmas" in command
                            for command in commands)
    assert any("--page Christmas" in command and "--csv" not in command for command in commands)


def test_report_files_follow_the_umask(tmp_path):
    """Every file written (the report, its JSON and figures) gets 0666 less the umask, as any program's files do."""
    old = os.umask(0o027)
    try:
        run_reproduction(["piecewise"], out=tmp_path, seeds=1, quick=True, workers=1, console=quiet())
    finally:
        os.umask(old)
    assert {p.name: p.stat().st_mode & 0o777 for p in tmp_path.iterdir()} == \
        {name: 0o640 for name in ("piecewise.png", "report.html", "report.json", "report.md")}


@pytest.mark.parametrize("font", [False, True])
def test_the_report_says_when_the_figures_stay_english_for_want_of_a_chinese_font(tmp_path, monkeypatch, font):
    from gradstep import plots
    if not font:
        monkeypatch.setattr(plots, "cjk_font", lambda: None)
    elif plots.cjk_font() is None:
        pytest.skip("no CJK font installed (.ci/run installs fonts-noto-cjk)")
    studies = run_reproduction(["units"], out=tmp_path, seeds=1, quick=True, workers=1, console=quiet(), lang="zh")
    md = (tmp_path / "report.md").read_text()
    assert ("图中的文字为英文：没有找到中文字体" in md) != font and studies[0].title.startswith("一层")
