"""The one real `gradstep reproduce` run (every study, 2 seeds, quick) that the study test files share."""

import pytest
from rich.console import Console

from gradstep.experiments import run_reproduction


@pytest.fixture(scope="session")
def reproduced(tmp_path_factory):
    """(out directory, {study name: StudyResult}, the console's text) of one run of every study."""
    out = tmp_path_factory.mktemp("report")
    console = Console(record=True, width=160)
    studies = run_reproduction(None, out=out, seeds=2, quick=True, workers=2, console=console)
    return out, {s.name: s for s in studies}, console.export_text()


@pytest.fixture
def means():
    """means(table, column): the "mean ± std" cells' means joined by arrows, as the findings quote them."""
    return lambda table, column: " → ".join(row[column].split(" ± ")[0] for row in table.rows)


@pytest.fixture
def record(monkeypatch):
    """record(module, name): replace that figure function by a recorder; returns the list of its calls' arguments."""
    def replace(module, name):
        calls = []
        monkeypatch.setattr(module, name, lambda *args, **kwargs: calls.append(args))
        return calls
    return replace
