"""The studies on a real Dask cluster (a scheduler and two one-thread workers on 127.0.0.1, started here): the same
report as local worker processes, a job's InputError and a study's rounds through the cluster, a scheduler without
workers, and the command line's one-line refusal of a scheduler it cannot reach."""

import contextlib
import io
import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from rich.console import Console

from gradstep.errors import InputError
from gradstep.executor import check_scheduler, open_executor
from gradstep.experiments import run_jobs, run_reproduction
from gradstep.experiments.common import Job
from gradstep.lang import Text

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def listening(address: str) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(check_scheduler(address)) == 0


def quiet() -> Console:
    return Console(record=True, width=200, file=io.StringIO())


def start(*args) -> subprocess.Popen:
    return subprocess.Popen([BIN / "dask", *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def stop(processes: list) -> None:
    """Terminate each process and its children (a worker's nannies), kill what is left after 10 s, and check that
    none is running any more."""
    family = []
    for process in processes:
        with contextlib.suppress(psutil.NoSuchProcess):  # already gone
            family += [psutil.Process(process.pid), *psutil.Process(process.pid).children(recursive=True)]
    for member in family:
        with contextlib.suppress(psutil.NoSuchProcess):
            member.terminate()
    _, alive = psutil.wait_procs(family, timeout=10)
    for member in alive:
        member.kill()
    _, alive = psutil.wait_procs(alive, timeout=5)
    for process in processes:
        process.wait(timeout=5)
    assert alive == []


@pytest.fixture(scope="module")
def scheduler():
    """The address of a scheduler with two workers (one thread each); both stopped afterwards, even on failure."""
    address = f"tcp://127.0.0.1:{free_port()}"
    processes = [start("scheduler", "--host", "127.0.0.1", "--port", address.rsplit(":", 1)[1], "--no-dashboard")]
    try:
        processes.append(start("worker", address, "--nworkers", "2", "--nthreads", "1", "--host", "127.0.0.1",
                               "--no-dashboard"))
        from distributed import Client
        deadline = time.monotonic() + 30
        while True:
            try:
                with Client(address, timeout=2, set_as_default=False) as client:
                    client.wait_for_workers(2, timeout=max(deadline - time.monotonic(), 0.1))
                break
            except OSError:
                assert time.monotonic() < deadline, "the Dask cluster did not start within 30 s"
                time.sleep(0.2)
        yield address
    finally:
        stop(processes)


def test_a_reproduction_on_the_cluster_writes_the_tables_of_local_workers(scheduler, tmp_path):
    """The command line on the cluster and the library on two local processes: the same studies to the character;
    the header says where each ran, and the settings record (what a later run compares) is the same."""
    code = subprocess.run([BIN / "gradstep", "reproduce", "linear", "--quick", "--seeds", "1", "--scheduler", scheduler,
                           "--out", tmp_path / "dask"], capture_output=True, text=True, timeout=120)
    assert code.returncode == 0, code.stderr
    assert code.stderr == "" and code.stdout.startswith(
        f"running — studies: 1, jobs: 4, seeds: 1, Dask scheduler: {scheduler} (quick)\nlinear: done at ")
    run_reproduction(["linear"], out=tmp_path / "local", seeds=1, quick=True, workers=2, console=quiet())
    dask, local = (json.loads((tmp_path / where / "report.json").read_text()) for where in ("dask", "local"))
    assert dask["studies"] == local["studies"] and dask["settings"] == local["settings"]
    assert dask["header"]["lines"][3].endswith(f" s on the Dask cluster of the scheduler {scheduler}")
    assert dask["header"]["lines"][5].endswith(f"--seeds 1 --quick --scheduler {scheduler}`")
    assert local["header"]["lines"][3].endswith(" s with 2 worker process(es)")


def test_a_jobs_input_error_on_the_cluster_is_that_input_error_here(scheduler):
    with pytest.raises(InputError) as refused, open_executor(scheduler=scheduler) as executor:
        executor.submit([Job(("bad",), check_scheduler, {"scheduler": "nowhere"}),
                         Job(("good",), pow, {"base": 2, "exp": 10})])
        list(executor.finished())
    assert str(refused.value).startswith("scheduler=nowhere is not a Dask scheduler's address")


def test_a_studys_rounds_run_on_the_cluster(scheduler):
    """Round 2 takes round 1's best setting; the results come back in the order the jobs were given."""
    def next_jobs(results):
        if len(results) > 2:
            return []
        best = min(results, key=lambda key: results[key]["error"])[1]
        return [Job(("final", seed), dict, {"setting": best, "seed": seed}) for seed in (0, 1)]

    jobs = {"search": [Job(("search", setting), dict, {"error": error}) for setting, error in (("a", 2.0), ("b", 1.0))],
            "other": [Job(("other",), pow, {"base": 3, "exp": 2})]}
    screen = quiet()
    results = run_jobs(jobs, 1, screen, Text("en"), scheduler=scheduler, next_jobs={"search": next_jobs})
    assert results == {("search", "a"): {"error": 2.0}, ("search", "b"): {"error": 1.0}, ("final", 0):
                       {"setting": "b", "seed": 0}, ("final", 1): {"setting": "b", "seed": 1}, ("other",): 9}
    assert list(results)[2:] == [("final", 0), ("final", 1), ("other",)]
    lines = sorted(screen.export_text().splitlines())
    assert [line.split(" done at ")[0] for line in lines] == ["other:", "search:", "search: round 1"]
    assert lines[1].endswith(" s (4 job(s))") and lines[2].endswith(" s (2 job(s) so far); next round: 2 job(s)")


def test_a_scheduler_without_workers_is_refused_within_the_timeout():
    address = f"tcp://127.0.0.1:{free_port()}"
    lone = [start("scheduler", "--host", "127.0.0.1", "--port", address.rsplit(":", 1)[1], "--no-dashboard")]
    try:
        deadline = time.monotonic() + 20
        while not listening(address):
            assert time.monotonic() < deadline, "the scheduler did not start within 20 s"
            time.sleep(0.1)
        with pytest.raises(InputError, match=f"the Dask scheduler at scheduler={address} has no workers after 1 s; "
                                             f"start some with `dask worker {address}`"):
            with open_executor(scheduler=address, timeout=1.0):
                pytest.fail("the executor opened")
    finally:
        stop(lone)


def test_the_command_line_refuses_a_scheduler_it_cannot_reach_in_one_line(tmp_path):
    address = f"tcp://127.0.0.1:{free_port()}"
    started = time.perf_counter()
    code = subprocess.run([BIN / "gradstep", "reproduce", "linear", "--quick", "--seeds", "1", "--scheduler", address,
                           "--out", tmp_path / "report"], capture_output=True, text=True, timeout=60)
    assert code.returncode == 2 and time.perf_counter() - started < 15
    assert code.stderr == (f"gradstep reproduce: error: could not reach the Dask scheduler at --scheduler {address} "
                           "(Connection refused); start one with `dask scheduler`, check the address, or drop "
                           "--scheduler to run on local workers\n")
    assert code.stdout == "" and not (tmp_path / "report").exists()  # not even the running line, nor the directory


def test_the_command_line_refuses_a_malformed_address_before_anything(tmp_path):
    code = subprocess.run([BIN / "gradstep", "reproduce", "linear", "--scheduler", "127.0.0.1:8786",
                           "--out", tmp_path / "report"], capture_output=True, text=True, timeout=60)
    assert code.returncode == 2 and code.stdout == "" and not (tmp_path / "report").exists()
    assert code.stderr == ("gradstep reproduce: error: --scheduler 127.0.0.1:8786 is not a Dask scheduler's address; "
                           "give tcp://HOST:PORT, e.g. tcp://127.0.0.1:8786 (what `dask scheduler` prints)\n")
