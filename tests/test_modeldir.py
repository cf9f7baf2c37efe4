"""A model directory is one unit: one writer at a time, committed whole, never a mix after a kill."""

import errno
import json
import os
import signal

import numpy as np
import pytest

from gradstep import modeldir
from gradstep.errors import InputError
from gradstep.modeldir import ModelDirectory, flatten, sha256_of, unflatten


def model_files(label: str):
    """A commit writer putting every model file in, each holding ``label``."""
    def write(directory):
        for name in modeldir.MODEL_FILES:
            (directory / name).write_text(f"{label} {name}")
    return write


def contents(path) -> dict:
    return {entry.name: entry.read_text() for entry in sorted(path.iterdir())}


def whole(label: str) -> dict:
    return {name: f"{label} {name}" for name in sorted(modeldir.MODEL_FILES)}


def in_child(action) -> int:
    """Run ``action`` in a forked process (a kill there leaves what a killed training leaves); its exit code."""
    pid = os.fork()
    if pid == 0:
        try:
            action()
        finally:
            os._exit(0)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


def test_commit_creates_then_replaces_the_directory_whole(tmp_path):
    path = tmp_path / "runs" / "m"
    with ModelDirectory(path) as target:
        target.commit(model_files("old"))
    assert contents(path) == whole("old")
    with ModelDirectory(path) as target:
        target.commit(model_files("new"))
    assert contents(path) == whole("new")
    assert sorted(p.name for p in path.parent.iterdir()) == ["m"]  # no lock, temporary or old copy left


def test_without_renameat2_two_renames_do_the_swap(tmp_path, monkeypatch):
    monkeypatch.setattr(modeldir, "_exchange", lambda a, b: False)
    path = tmp_path / "m"
    for label in ("old", "new"):
        with ModelDirectory(path) as target:
            target.commit(model_files(label))
    assert contents(path) == whole("new") and sorted(p.name for p in tmp_path.iterdir()) == ["m"]


def test_a_failing_writer_leaves_the_previous_model_and_no_temporary(tmp_path):
    path = tmp_path / "m"
    with ModelDirectory(path) as target:
        target.commit(model_files("old"))

    def broken(directory):
        model_files("new")(directory)
        raise OSError("disk full")
    with pytest.raises(OSError, match="disk full"), ModelDirectory(path) as target:
        target.commit(broken)
    assert contents(path) == whole("old") and sorted(p.name for p in tmp_path.iterdir()) == ["m"]


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2", "two-renames"])
def test_a_kill_at_any_step_of_a_commit_leaves_the_old_or_the_new_model(tmp_path, monkeypatch, exchange):
    """Kill the writer after each file system step of a commit (each flush and rename); the next opening
    sees one whole model, and cleans up what the kill left."""
    path = tmp_path / "m"
    with ModelDirectory(path) as target:
        target.commit(model_files("old"))
    if not exchange:
        monkeypatch.setattr(modeldir, "_exchange", lambda a, b: False)
    steps, seen = 0, set()
    while True:
        steps += 1

        def killed_after(limit=steps):
            calls = []
            real_sync, real_rename = modeldir._sync, os.rename

            def counted(real):
                def step(*args):
                    calls.append(args)
                    if len(calls) > limit:
                        os.kill(os.getpid(), signal.SIGKILL)
                    return real(*args)
                return step
            modeldir._sync = counted(real_sync)
            os.rename = counted(real_rename)
            with ModelDirectory(path) as target:
                target.commit(model_files("new"))
        code = in_child(killed_after)
        with ModelDirectory(path):
            found = contents(path)
        assert found in (whole("old"), whole("new")), (steps, found)
        assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]
        seen.add("new" if found == whole("new") else "old")
        if code == 0:
            break
        if found == whole("new"):
            with ModelDirectory(path) as target:
                target.commit(model_files("old"))
    assert seen == {"old", "new"} and steps > 4


def test_a_second_writer_is_refused_while_the_first_holds_the_lock(tmp_path):
    path = tmp_path / "m"
    with ModelDirectory(path):
        with pytest.raises(InputError, match=rf"^{path} is being written by another training \(process "
                                             rf"{os.getpid()}\); wait for it to finish or choose another directory$"):
            ModelDirectory(path).__enter__()
    with ModelDirectory(path):  # released on leaving
        pass


def test_a_killed_writer_releases_its_lock(tmp_path):
    path = tmp_path / "m"

    def hold_and_die():
        ModelDirectory(path).__enter__()
        os.kill(os.getpid(), signal.SIGKILL)
    assert in_child(hold_and_die) == -signal.SIGKILL
    assert (tmp_path / ".m.lock").exists()
    with ModelDirectory(path) as target:
        target.commit(model_files("after"))
    assert contents(path) == whole("after")


def test_opening_removes_unfinished_new_directories_and_restores_a_model_left_aside(tmp_path):
    path = tmp_path / "m"
    (tmp_path / ".m.new-abc").mkdir()
    (tmp_path / ".m.new-abc" / "model.npz").write_text("half")
    aside = tmp_path / ".m.old-xyz"
    aside.mkdir()
    model_files("old")(aside)
    (tmp_path / ".other.new-1").mkdir()  # another model's temporaries are not ours to remove
    (tmp_path / ".m.checkpoint").mkdir()
    (tmp_path / ".m.checkpoint" / ".state-3.npz.k2j.tmp").write_text("half")
    (tmp_path / ".m.checkpoint" / "state-2.npz").write_text("kept")
    with ModelDirectory(path):  # opening it is what cleans up
        pass
    assert [p.name for p in (tmp_path / ".m.checkpoint").iterdir()] == ["state-2.npz"]
    (tmp_path / ".m.checkpoint" / "state-2.npz").unlink()
    (tmp_path / ".m.checkpoint").rmdir()
    assert contents(path) == whole("old")
    assert sorted(p.name for p in tmp_path.iterdir()) == [".other.new-1", "m"]


def test_a_directory_holding_other_files_or_a_file_is_refused(tmp_path):
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    model_files("x")(mixed)
    for name in ("notes.txt", "a.csv", "b", "c"):
        (mixed / name).write_text("mine")
    with pytest.raises(InputError, match=r"holds files that are not a gradstep model \('a\.csv', 'b', 'c' and 1 more\); "
                                         r"choose a new or empty directory"):
        ModelDirectory(mixed).__enter__()
    (tmp_path / "file").write_text("x")
    (tmp_path / "link").symlink_to(mixed)
    for name in ("file", "link"):
        with pytest.raises(InputError, match="is not a directory; choose a directory name"):
            ModelDirectory(tmp_path / name).__enter__()
    empty = tmp_path / "empty"
    empty.mkdir()
    with ModelDirectory(empty) as target:
        target.commit(model_files("x"))
    assert contents(empty) == whole("x") and not (tmp_path / ".mixed.lock").exists()


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="needs /proc, which takes no new files")
def test_a_directory_whose_lock_cannot_be_made_is_named_not_its_lock():
    with pytest.raises(OSError) as error:
        ModelDirectory("/proc/gradstep-model").__enter__()
    assert error.value.filename == "/proc/gradstep-model" and error.value.strerror


def test_commit_needs_the_directory_open(tmp_path):
    with pytest.raises(RuntimeError, match="needs the directory open"):
        ModelDirectory(tmp_path / "m").commit(model_files("x"))


def test_the_committed_directory_and_files_follow_the_umask(tmp_path):
    old = os.umask(0o027)
    try:
        with ModelDirectory(tmp_path / "m") as target:
            target.commit(lambda d: modeldir.write_json(d / "model.json", {}))
    finally:
        os.umask(old)
    assert (tmp_path / "m").stat().st_mode & 0o777 == 0o750
    assert (tmp_path / "m" / "model.json").stat().st_mode & 0o777 == 0o640


def training_state():
    rng = np.random.default_rng(5)
    rng.random(3)
    return {"epoch": 3, "model": {"0.weight": np.arange(6.0).reshape(2, 3), "0.bias": np.zeros(2, np.float32)},
            "streams": {"batches": rng.bit_generator.state}, "rows": [{"epoch": 1, "valid_loss": float("inf")}],
            "nested": [[np.ones(2)], {"deep": {"array": np.full(1, 7.0)}}]}


def same(a, b) -> bool:
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.dtype == b.dtype and np.array_equal(a, b)
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


def test_flatten_keeps_arrays_apart_and_unflatten_restores_the_tree():
    arrays = {}
    tree = flatten(training_state(), arrays)
    assert json.loads(json.dumps(tree)) == tree and all(isinstance(a, np.ndarray) for a in arrays.values())
    assert len(arrays) == 4 and same(unflatten(json.loads(json.dumps(tree)), arrays), training_state())


def test_a_checkpoint_round_trips_and_replaces_the_previous_one(tmp_path):
    with ModelDirectory(tmp_path / "m") as target:
        assert not target.has_checkpoint()
        target.save_checkpoint({"spec": {"a": 1}}, {"epoch": 1, "w": np.zeros(2)})
        target.save_checkpoint({"spec": {"a": 1}}, training_state())
        meta, state = target.load_checkpoint()
        assert meta["spec"] == {"a": 1} and same(state, training_state())
        assert sorted(p.name for p in target.checkpoint_dir.iterdir()) == ["checkpoint.json", "state-2.npz"]
        rng = np.random.default_rng(0)
        rng.bit_generator.state = state["streams"]["batches"]
        expected = np.random.default_rng(5)
        expected.random(3)
        assert rng.random() == expected.random()
        target.discard_checkpoint()
        assert not target.has_checkpoint() and not target.checkpoint_dir.exists()


def test_a_kill_while_checkpointing_keeps_the_previous_checkpoint(tmp_path, monkeypatch):
    path = tmp_path / "m"
    with ModelDirectory(path) as target:
        target.save_checkpoint({"n": 1}, {"epoch": 1, "w": np.ones(2)})

    def killed_before_the_json():
        modeldir.write_json = lambda *args: os.kill(os.getpid(), signal.SIGKILL)
        with ModelDirectory(path) as target:
            target.save_checkpoint({"n": 2}, {"epoch": 2, "w": np.full(2, 2.0)})
    assert in_child(killed_before_the_json) == -signal.SIGKILL
    with ModelDirectory(path) as target:
        meta, state = target.load_checkpoint()
    assert meta["n"] == 1 and np.array_equal(state["w"], np.ones(2))


def test_missing_and_damaged_checkpoints_are_refused(tmp_path):
    with ModelDirectory(tmp_path / "m") as target:
        with pytest.raises(InputError, match=r"^there is no checkpoint of an interrupted training for .*m; "
                                             "train without resuming$"):
            target.load_checkpoint()
        target.save_checkpoint({}, {"w": np.ones(3)})
        npz = target.checkpoint_dir / "state-1.npz"
        npz.write_bytes(npz.read_bytes()[:-8] + b"garbage!")
        with pytest.raises(InputError, match=r"the checkpoint in .* is damaged \(state-1\.npz does not match its "
                                             r"sha256\); train again without resuming"):
            target.load_checkpoint()
        meta = json.loads((target.checkpoint_dir / "checkpoint.json").read_text())
        meta["npz"] = "../../etc/passwd"  # only a file inside the checkpoint directory is ever opened
        (target.checkpoint_dir / "checkpoint.json").write_text(json.dumps(meta))
        with pytest.raises(InputError, match=r"is damaged \(.*No such file"):
            target.load_checkpoint()


def test_sha256_of_a_file():
    import hashlib
    assert sha256_of(__file__) == hashlib.sha256(open(__file__, "rb").read()).hexdigest()


def test_exchange_swaps_two_directories_in_one_step_or_names_what_is_missing(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    for path in (a, b):
        path.mkdir()
        (path / "name").write_text(path.name)
    assert modeldir._exchange(a, b) is True
    assert (a / "name").read_text() == "b" and (b / "name").read_text() == "a"
    with pytest.raises(FileNotFoundError) as missing:
        modeldir._exchange(a, tmp_path / "gone")
    assert missing.value.errno == errno.ENOENT and missing.value.filename == str(tmp_path / "gone")


def test_on_linux_a_commit_over_a_model_renames_nothing(tmp_path, monkeypatch):
    """The swap is one renameat2 call: with os.rename broken, replacing a model still works (the two-rename
    fallback, where a kill between the renames needs the recovery on the next opening, is not used)."""
    path = tmp_path / "deep" / "er" / "m"  # parents are created
    with ModelDirectory(path) as target:
        target.commit(model_files("old"))
    monkeypatch.setattr(os, "rename", lambda *args: (_ for _ in ()).throw(OSError("rename used")))
    seen = []
    with ModelDirectory(path) as target:
        target.commit(lambda directory: (seen.append(directory.parent), model_files("new")(directory)))
    assert contents(path) == whole("new") and seen == [path.parent]  # written beside the model, not in /tmp


def test_a_closed_directory_cannot_commit(tmp_path):
    target = ModelDirectory(tmp_path / "m")
    with target:  # opened and closed without a commit
        pass
    with pytest.raises(RuntimeError, match=r"^commit\(\) needs the directory open: use `with ModelDirectory"):
        target.commit(model_files("x"))
    assert not (tmp_path / "m").exists()


def test_a_long_training_checkpoint_over_a_mebibyte_of_json_loads(tmp_path):
    rows = [{"epoch": epoch, "train_loss": 0.5, "valid_loss": 0.25, "seconds": 1.5} for epoch in range(20_000)]
    with ModelDirectory(tmp_path / "m") as target:
        target.save_checkpoint({}, {"rows": rows})
        assert (target.checkpoint_dir / "checkpoint.json").stat().st_size > 1 << 20
        assert target.load_checkpoint()[1]["rows"] == rows


def test_a_kill_while_discarding_leaves_no_checkpoint_to_resume(tmp_path):
    path = tmp_path / "m"
    with ModelDirectory(path) as target:
        target.save_checkpoint({}, {"w": np.ones(2)})

    def killed_in_rmtree():
        modeldir.shutil.rmtree = lambda *args, **kwargs: os.kill(os.getpid(), signal.SIGKILL)
        with ModelDirectory(path) as target:
            target.discard_checkpoint()
    assert in_child(killed_in_rmtree) == -signal.SIGKILL
    with ModelDirectory(path) as target:
        assert not target.has_checkpoint()
