"""src/gradstep/executor.py: local worker processes (results, order, a job's InputError in the caller), the checks
before a Dask cluster is used (a malformed, unreachable or silent address, Dask missing), and the runner's rounds
over it (experiments.run_jobs and run_reproduction with a study that defines next_jobs). The real cluster is
tests/experiments/test_dask.py's."""

import contextlib
import io
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from types import SimpleNamespace

import pytest
from rich.console import Console

import gradstep.experiments as experiments
from gradstep.errors import InputError
from gradstep.executor import SINGLE_THREADED, check_scheduler, open_executor
from gradstep.experiments import run_jobs, run_reproduction
from gradstep.experiments.common import Job, StudyResult, Table
from gradstep.lang import Text

EN = Text("en")


def free_port() -> int:
    """A port of 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def console() -> Console:
    return Console(record=True, width=300, file=io.StringIO())


# --- local worker processes ----------------------------------------------------------------------------------------

def test_local_workers_run_the_costliest_first_and_jobs_submitted_meanwhile():
    """One worker runs the jobs in submission order, each submission costliest first (ties as given); a job submitted
    while results come in is run too; BLAS is single-threaded in the worker and the caller's environment is back."""
    before = {name: os.environ.get(name) for name in SINGLE_THREADED}
    with open_executor(workers=1) as executor:
        executor.submit([Job(("cheap", 2), pow, {"base": 2, "exp": 3}, cost=0.5),
                         Job(("dear",), os.getenv, {"key": "OMP_NUM_THREADS"}, cost=5.0),
                         Job(("cheap", 3), pow, {"base": 3, "exp": 2}, cost=0.5)])
        seen = []
        for key, result in executor.finished():
            seen.append((key, result))
            if key == ("cheap", 2):
                executor.submit([Job(("later",), pow, {"base": 5, "exp": 1})])
    assert seen == [(("dear",), "1"), (("cheap", 2), 8), (("cheap", 3), 9), (("later",), 5)]
    assert {name: os.environ.get(name) for name in SINGLE_THREADED} == before


def test_an_input_error_in_a_worker_is_that_input_error_in_the_caller():
    """One line, the worker's own message; the jobs not yet started are cancelled on the way out."""
    with pytest.raises(InputError) as refused, open_executor(workers=1) as executor:
        executor.submit([Job(("bad",), check_scheduler, {"scheduler": "nowhere"}, cost=2.0),
                         *[Job(("late", i), pow, {"base": i, "exp": 2}) for i in range(50)]])
        list(executor.finished())
    assert str(refused.value).startswith("scheduler=nowhere is not a Dask scheduler's address; give tcp://HOST:PORT")
    assert "\n" not in str(refused.value)


# --- the checks before a Dask cluster ------------------------------------------------------------------------------

@pytest.mark.parametrize("address", ["127.0.0.1:8786", "tcp://127.0.0.1", "tcp://:8786", "tcp://h:0", "tcp://h:65536",
                                     "http://h:8786", "tcp://h:8786/x", "tcp://h h:8786", "", "tcp://h:123456"])
def test_a_malformed_address_is_refused_before_connecting(monkeypatch, address):
    monkeypatch.setattr(socket, "create_connection", lambda *args, **kwargs: pytest.fail("connected"))
    with pytest.raises(InputError, match=r"is not a Dask scheduler's address; give tcp://HOST:PORT, e\.g\."):
        with open_executor(scheduler=address):
            pytest.fail("the executor opened")


@pytest.mark.parametrize("address, host, port", [("tcp://127.0.0.1:8786", "127.0.0.1", 8786),
                                                 ("tcp://node-3.cluster:1", "node-3.cluster", 1),
                                                 ("tcp://[::1]:65535", "::1", 65535)])
def test_a_schedulers_address_is_its_host_and_port(address, host, port):
    assert check_scheduler(address) == (host, port)


def test_an_address_nothing_listens_on_is_refused_at_once():
    address = f"tcp://127.0.0.1:{free_port()}"
    started = time.perf_counter()
    with pytest.raises(InputError) as refused, open_executor(scheduler=address):
        pytest.fail("the executor opened")
    assert time.perf_counter() - started < 3
    assert str(refused.value) == (f"could not reach the Dask scheduler at scheduler={address} (Connection refused); "
                                  "start one with `dask scheduler`, check the address, or pass scheduler=None to run "
                                  "on local workers")


def test_a_server_that_does_not_speak_dask_is_refused_within_the_timeout():
    """A listening socket that never answers (a client would wait for it forever)."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        address = f"tcp://127.0.0.1:{silent.getsockname()[1]}"
        started = time.perf_counter()
        with pytest.raises(InputError, match=f"the server at scheduler={address} did not answer as a Dask scheduler "
                                             r"within 1 s; check the address \(the scheduler's port"):
            with open_executor(scheduler=address, timeout=1.0):
                pytest.fail("the executor opened")
        assert time.perf_counter() - started < 4


def test_without_dask_the_error_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(InputError, match=r'needs Dask\'s distributed scheduler; install it with pip install '
                                         r'"gradstep\[dask\]"'):
        with open_executor(scheduler="tcp://127.0.0.1:8786"):
            pytest.fail("the executor opened")


def test_the_command_lines_help_does_not_import_dask():
    code = ("import contextlib, sys\nfrom gradstep.cli import main\nwith contextlib.suppress(SystemExit):\n"
            "    main(['reproduce', '--help'])\nprint(sorted({'dask', 'distributed'} & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "--scheduler tcp://HOST:PORT" in out and "ignored with --scheduler" in out
    assert out.splitlines()[-1] == "[]"


# --- the runner's rounds -------------------------------------------------------------------------------------------

class Scripted:
    """An executor in this process whose jobs end cheapest first, one at a time, so jobs submitted meanwhile
    compete with those already waiting: what a slow job on another worker looks like, without the wait."""

    def __init__(self, submissions):
        self.submissions = submissions
        self.pending = []

    def submit(self, jobs):
        jobs = sorted(jobs, key=lambda job: -job.cost)
        self.submissions.append([job.key for job in jobs])
        self.pending += jobs

    def finished(self):
        while self.pending:
            job = min(self.pending, key=lambda job: job.cost)
            self.pending.remove(job)
            yield job.key, job.run()


@pytest.fixture
def scripted(monkeypatch):
    """run_jobs over Scripted; returns the list of submissions (each a list of keys, in the order submitted)."""
    submissions, opened = [], []

    @contextlib.contextmanager
    def fake(workers, scheduler):
        opened.append((workers, scheduler))
        yield Scripted(submissions)

    monkeypatch.setattr(experiments, "open_executor", fake)
    return SimpleNamespace(submissions=submissions, opened=opened)


class Totals:
    """A stand-in for rich's Progress that records the bar's total as it changes."""

    totals = []

    def __init__(self, *columns, **options):
        Totals.totals = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def add_task(self, name, total):
        Totals.totals.append(total)

    def update(self, task, total):
        Totals.totals.append(total)

    def advance(self, task):
        """A job is done: only the totals are recorded."""


def picked(results):
    """The second round of study "rounds": the best setting of the first round, trained again twice."""
    if len(results) > 2:
        return []
    best = min(results, key=lambda key: results[key]["error"])
    return [Job(("rounds", "final", seed), dict, {"setting": best[2], "seed": seed}, cost=2.0) for seed in (0, 1)]


def rounds_jobs():
    return [Job(("rounds", "search", setting), dict, {"error": error}, cost=1.0)
            for setting, error in (("a", 3.0), ("b", 1.0))]


def test_a_study_with_next_jobs_runs_its_rounds_while_another_studys_jobs_go_on(scripted, monkeypatch):
    """Round 2 is chosen from round 1's results (only the study's own) and submitted before the slow study's job
    ends; the bar's total grows; each study's line comes when it is really done, counting all its rounds."""
    monkeypatch.setattr(experiments, "Progress", Totals)
    asked = []

    def next_jobs(results):
        asked.append(dict(results))
        return picked(results)

    jobs = {"slow": [Job(("slow",), dict, {"x": 1}, cost=9.0)], "rounds": rounds_jobs()}
    screen = console()
    results = run_jobs(jobs, 2, screen, EN, next_jobs={"rounds": next_jobs})
    assert scripted.submissions == [[("slow",), ("rounds", "search", "a"), ("rounds", "search", "b")],
                                    [("rounds", "final", 0), ("rounds", "final", 1)]]
    assert asked == [{("rounds", "search", "a"): {"error": 3.0}, ("rounds", "search", "b"): {"error": 1.0}},
                     {("rounds", "search", "a"): {"error": 3.0}, ("rounds", "search", "b"): {"error": 1.0},
                      ("rounds", "final", 0): {"setting": "b", "seed": 0},
                      ("rounds", "final", 1): {"setting": "b", "seed": 1}}]
    assert Totals.totals == [3, 5]
    lines = screen.export_text().splitlines()
    assert [line.split(" done at ")[0] for line in lines] == ["rounds: round 1", "rounds:", "slow:"]
    assert lines[0].endswith(" s (2 job(s) so far); next round: 2 job(s)")
    assert lines[1].endswith(" s (4 job(s))") and lines[2].endswith(" s (1 job(s))")
    assert list(results) == [("slow",), ("rounds", "search", "a"), ("rounds", "search", "b"), ("rounds", "final", 0),
                             ("rounds", "final", 1)]
    assert scripted.opened == [(2, None)]


def test_the_scheduler_is_passed_on_and_a_study_without_jobs_asks_for_its_first_round(scripted):
    results = run_jobs({"rounds": []}, 1, console(), EN, scheduler="tcp://h:1",
                       next_jobs={"rounds": lambda results: [] if results else rounds_jobs()})
    assert list(results) == [("rounds", "search", "a"), ("rounds", "search", "b")]
    assert scripted.opened == [(1, "tcp://h:1")]


def test_a_round_that_gives_a_job_again_is_a_bug_of_the_study(scripted):
    with pytest.raises(ValueError, match=r"study rounds gave the job \('rounds', 'search', 'a'\) twice"):
        run_jobs({"rounds": rounds_jobs()}, 1, console(), EN, next_jobs={"rounds": lambda results: rounds_jobs()})


def rounds_study():
    """A study module with next_jobs(settings, results), whose report shows what its rounds found."""
    def report(settings, results, out):
        finals = [results["rounds", "final", seed] for seed in (0, 1)]
        return StudyResult("rounds", "Rounds", "found", [Table("t", ["setting", "seed"],
                                                               [[r["setting"], str(r["seed"])] for r in finals])])

    return SimpleNamespace(jobs=lambda settings: rounds_jobs(), next_jobs=lambda settings, results: picked(results),
                           report=report, FORMULAS=[])


def test_run_reproduction_runs_a_studys_rounds_in_local_workers(monkeypatch, tmp_path):
    """Real worker processes; the study beside it (no next_jobs) runs as before."""
    plain = SimpleNamespace(jobs=lambda settings: [Job(("plain", 0), dict, {"n": 1})], FORMULAS=[],
                            report=lambda settings, results, out: StudyResult("plain", "P", str(results["plain", 0])))
    monkeypatch.setattr(experiments, "STUDIES", {"plain": plain, "rounds": rounds_study()})
    screen = console()
    studies = run_reproduction(None, out=tmp_path, seeds=1, quick=True, workers=2, console=screen)
    assert studies[0].finding == "{'n': 1}" and studies[1].tables[0].rows == [["b", "0"], ["b", "1"]]
    text = screen.export_text()
    assert text.splitlines()[0] == EN("report.running", studies=2, jobs=3, seeds=1, workers=2, quick=" (quick)")
    assert "rounds: done at " in text and " s (4 job(s))" in text and " s (1 job(s))" in text


def test_an_interrupt_stops_the_running_jobs_at_once_and_leaves_no_process():
    """Ctrl-C (a KeyboardInterrupt in the caller) leaves the block without waiting for the jobs still running, which
    would take a minute; the workers themselves ignore it, so none answers it with a traceback of its own."""
    from functools import partial
    from multiprocessing import active_children
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt), open_executor(workers=2) as executor:
        executor.submit([Job(("mask",), partial(signal.getsignal, signal.SIGINT), {}, cost=100)])
        executor.submit([Job((index,), partial(time.sleep, 60), {}) for index in range(4)])
        assert next(executor.finished()) == (("mask",), signal.SIG_IGN)
        raise KeyboardInterrupt
    assert time.monotonic() - started < 30 and not active_children()


def _gone(pid: int) -> bool:
    """Whether process ``pid`` has ended (a zombie not yet reaped counts as ended)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="reads /proc to see the workers end")
def test_workers_end_when_their_caller_is_killed():
    """A caller killed outright (SIGKILL: no chance to stop them) leaves no worker running on, holding its output
    open: each ends within a few checks of its parent."""
    script = ("import time\nfrom functools import partial\nfrom multiprocessing import active_children\n"
              "from gradstep.executor import Job, open_executor\n"
              "with open_executor(workers=2) as executor:\n"
              "    executor.submit([Job((i,), partial(time.sleep, 60), {}) for i in range(2)])\n"
              "    print(*[child.pid for child in active_children()], flush=True)\n"
              "    time.sleep(60)\n")
    caller = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    workers = [int(pid) for pid in caller.stdout.readline().split()]
    assert len(workers) == 2 and not any(_gone(pid) for pid in workers)
    caller.kill()
    caller.wait(timeout=10)
    deadline = time.monotonic() + 10
    while not all(_gone(pid) for pid in workers):
        assert time.monotonic() < deadline, "a worker outlived its killed caller"
        time.sleep(0.1)
    caller.stdout.close()


def test_ctrl_c_is_ignored_while_workers_start_in_the_main_thread_only():
    """Inside the block (where the pool starts its processes) SIGINT is ignored, and its handler is back after; in
    another thread, which may not set handlers, nothing changes."""
    from gradstep.executor import _interrupts_ignored
    before = signal.getsignal(signal.SIGINT)
    with _interrupts_ignored():
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    assert signal.getsignal(signal.SIGINT) is before and before is not signal.SIG_IGN
    seen = []

    def elsewhere():
        with _interrupts_ignored():
            seen.append(signal.getsignal(signal.SIGINT))
    thread = threading.Thread(target=elsewhere)
    thread.start()
    thread.join()
    assert seen == [before]
