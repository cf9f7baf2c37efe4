"""src/gradstep/modeldir.py: the lock's file and its holder's name, the swap where renameat2 is missing or
refused, leftovers that cannot be removed, and the sha256 of files at block boundaries; every test names the
broken implementation it catches."""

import contextlib
import errno
import fcntl
import hashlib
import os
import signal
import types
from pathlib import Path

import pytest

from gradstep import modeldir
from gradstep.errors import InputError
from gradstep.modeldir import ModelDirectory, sha256_of
from test_modeldir import contents, model_files, whole  # tests/ is on the path: pytest's rootdir import


@pytest.fixture(autouse=True)
def deadline():
    """Fail a test still running after 10 s: a broken loop (a sentinel never met, a lock check never passing)
    fails the test instead of hanging the run."""
    def expire(signum, frame):
        raise TimeoutError("still running after 10 s")
    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, 10.0)
    yield
    signal.setitimer(signal.ITIMER_REAL, 0)
    signal.signal(signal.SIGALRM, previous)


@contextlib.contextmanager
def lock_held_by_another(path: Path, holder: bytes):
    """The lock of the model directory ``path`` held, as another training would, with ``holder`` in its file."""
    fd = os.open(path.parent / f".{path.name}.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # flock locks belong to the open file: this one conflicts
        os.write(fd, holder)
        yield
    finally:
        os.close(fd)


def test_sha256_of_files_at_the_block_boundaries(tmp_path):
    """Empty, one byte, one block (1 MiB), one block and a byte, and "XXXX": the digest hashlib gives (catches an
    end-of-file sentinel other than b"": None loops forever at the end, b"XXXX" too, or stops on that block)."""
    block = 1 << 20
    for size, data in [(0, b""), (1, b"a"), (block, bytes(block)), (block + 1, bytes(block) + b"z"), (4, b"XXXX")]:
        path = tmp_path / f"file-{size}"
        path.write_bytes(data)
        assert sha256_of(path) == hashlib.sha256(data).hexdigest(), size


@pytest.mark.parametrize("count, shown", [
    (1, "'a.csv'"),
    (3, "'a.csv', 'b', 'notes.txt'"),
    (4, "'a.csv', 'b', 'c' and 1 more"),
    (5, "'a.csv', 'b', 'c' and 2 more"),
], ids=["one", "three", "four", "five"])
def test_foreign_files_are_named_three_at_most(tmp_path, count, shown):
    """Up to three foreign files are all named, with no "and N more" (catches `> 3` turned into `>= 3` or
    `or True`, and the empty suffix turned into "XXXX")."""
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    model_files("x")(mixed)
    for name in ["a.csv", "b", "notes.txt", "c", "d"][:count]:
        (mixed / name).write_text("mine")
    with pytest.raises(InputError) as raised:
        ModelDirectory(mixed).__enter__()
    assert str(raised.value) == (f"{mixed} holds files that are not a gradstep model ({shown}); choose a new or "
                                 "empty directory, or one written by gradstep train")


def test_the_lock_file_is_created_readable_by_all_and_writable_by_its_owner(tmp_path):
    """Mode 0o644 less the umask (catches os.open without a mode, 0o777, or with 421, 0o645)."""
    old = os.umask(0o022)
    try:
        with ModelDirectory(tmp_path / "m") as target:
            mode = target.lock_path.stat().st_mode & 0o777
    finally:
        os.umask(old)
    assert mode == 0o644


@pytest.mark.parametrize("holder, shown", [
    (b"4242\n", "4242"),
    (b"", "unknown"),  # the other training has the lock but has not written its pid yet
    (b"  \n", "unknown"),
    (b"\xff\xfe42", "\ufffd\ufffd42"),  # not ASCII: shown with replacement characters, never a decoding error
    (b"1234567890" * 4, "1234567890" * 3 + "12"),  # 32 bytes at most are read
], ids=["pid", "empty", "blank", "not-ascii", "long"])
def test_a_held_lock_names_its_holder(tmp_path, holder, shown):
    """Catches the holder read with 33 bytes, decoded without "replace" (or with an unknown error handler), or
    defaulting to another word than "unknown"."""
    path = tmp_path / "m"
    with lock_held_by_another(path, holder), pytest.raises(InputError) as raised:
        ModelDirectory(path).__enter__()
    assert str(raised.value) == (f"{path} is being written by another training (process {shown}); wait for it to "
                                 "finish or choose another directory")


def test_a_lock_file_removed_by_its_last_holder_meanwhile_is_made_again(tmp_path, monkeypatch):
    """The previous holder's close() unlinks the lock file between this opener's open and its stat: the opener
    retries on a new file, which the next writer then also sees (catches a removed file counted as the lock,
    os.close(None) on the retry, and a check that never succeeds, which loops forever)."""
    path = tmp_path / "m"
    lock_path = tmp_path / ".m.lock"
    real_stat, raced = os.stat, []

    def stat(target, *args, **kwargs):
        if not raced and Path(target) == lock_path:
            raced.append(True)
            os.unlink(lock_path)  # what the previous holder's close() does, just then
        return real_stat(target, *args, **kwargs)
    monkeypatch.setattr(os, "stat", stat)
    with ModelDirectory(path) as target:
        assert raced and real_stat(lock_path).st_ino == os.fstat(target._lock).st_ino
        with pytest.raises(InputError, match=r"is being written by another training"):
            ModelDirectory(path).__enter__()
    assert not lock_path.exists()


def libc(renameat2=None, errno_code=0):
    """A stand-in for the ctypes module: a C library with or without renameat2, and the errno it leaves."""
    library = types.SimpleNamespace() if renameat2 is None else types.SimpleNamespace(renameat2=renameat2)
    return types.SimpleNamespace(CDLL=lambda *args, **kwargs: library, get_errno=lambda: errno_code)


@pytest.mark.parametrize("fake", [
    libc(),  # no renameat2 at all: glibc before 2.28, macOS
    libc(lambda *args: -1, errno.EINVAL),  # a file system that does not support RENAME_EXCHANGE
    libc(lambda *args: -1, errno.ENOSYS),  # a kernel before 3.15
    libc(lambda *args: -1, errno.EOPNOTSUPP),
], ids=["missing", "EINVAL", "ENOSYS", "EOPNOTSUPP"])
def test_without_a_working_renameat2_a_commit_replaces_the_model_by_two_renames(tmp_path, monkeypatch, fake):
    """Catches _exchange failing where renameat2 is missing (getattr without a default), or answering True
    (swapped) where it is missing or refused, which leaves the old model in place."""
    path = tmp_path / "m"
    with ModelDirectory(path) as target:
        target.commit(model_files("old"))
    monkeypatch.setattr(modeldir, "ctypes", fake)
    assert modeldir._exchange(tmp_path, path) is False
    with ModelDirectory(path) as target:
        target.commit(model_files("new"))
    assert contents(path) == whole("new") and sorted(p.name for p in tmp_path.iterdir()) == ["m"]


def test_exchange_takes_paths_relative_to_the_working_directory(tmp_path, monkeypatch):
    """Catches either directory descriptor changed from AT_FDCWD (to None, that is descriptor 0)."""
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "name").write_text(name)
    monkeypatch.chdir(tmp_path)
    assert modeldir._exchange(Path("a"), Path("b")) is True
    assert (tmp_path / "a" / "name").read_text() == "b" and (tmp_path / "b" / "name").read_text() == "a"


def test_exchange_with_a_missing_path_raises_the_usual_oserror(tmp_path):
    """The error reads as Python's own for that errno (catches the strerror argument dropped to None)."""
    (tmp_path / "a").mkdir()
    with pytest.raises(FileNotFoundError) as missing:
        modeldir._exchange(tmp_path / "a", tmp_path / "gone")
    assert str(missing.value) == f"[Errno {errno.ENOENT}] {os.strerror(errno.ENOENT)}: '{tmp_path / 'gone'}'"


@pytest.mark.parametrize("kind", ["new", "old"])
def test_opening_is_not_stopped_by_a_leftover_it_cannot_remove(tmp_path, kind):
    """A file where a killed run's temporary directory (.m.new-*, .m.old-*) would be: the opening goes on and
    the model is kept (catches the leftover's rmtree with ignore_errors False or left out)."""
    path = tmp_path / "m"
    with ModelDirectory(path) as target:
        target.commit(model_files("old"))
    (tmp_path / f".m.{kind}-left").write_text("not a directory")
    with ModelDirectory(path) as target:
        target.commit(model_files("new"))
    assert contents(path) == whole("new")


def test_a_failing_writer_raises_its_own_error_even_when_its_directory_cannot_be_removed(tmp_path):
    """The writer replaces its temporary directory with a file and fails: its error reaches the caller, not the
    cleanup's, and the model is kept (catches the final rmtree with ignore_errors False or left out)."""
    path = tmp_path / "m"
    with ModelDirectory(path) as target:
        target.commit(model_files("old"))

    def broken(directory):
        directory.rmdir()
        directory.write_text("not a directory")
        raise RuntimeError("the writer failed")
    with ModelDirectory(path) as target:
        with pytest.raises(RuntimeError, match=r"^the writer failed$"):
            target.commit(broken)
    assert contents(path) == whole("old")
