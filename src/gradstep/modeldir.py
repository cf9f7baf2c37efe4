"""A model directory written as one unit, by one writer at a time, with checkpoints to resume from.

``ModelDirectory(path)`` holds an exclusive lock (``.NAME.lock`` beside the directory, released by the
kernel if the process dies) for as long as it is open. ``commit(write)`` lets ``write`` fill a fresh
temporary directory ``.NAME.new-*`` beside ``path``, flushes it to disk, then swaps it into place in one
step (Linux's renameat2 RENAME_EXCHANGE; elsewhere two renames, undone on the next open if a kill
falls between them). A reader therefore sees the previous complete model or the new complete one,
never a mix. Opening cleans the temporaries that killed runs left. Training checkpoints live in
``.NAME.checkpoint/``: ``state-N.npz`` (arrays) named with its sha256 by ``checkpoint.json``, which is
replaced last, so a kill while checkpointing keeps the previous checkpoint. POSIX only (fcntl).

    with ModelDirectory("runs/mine") as target:
        target.commit(lambda directory: forecaster.write(directory))
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import glob
import hashlib
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np

from .errors import InputError
from .io import atomic_path, file_mode, naming, read_json, write_json

MODEL_FILES = ("model.npz", "model.json", "history.csv", "test.png")
MAX_CHECKPOINT_JSON = 256 << 20
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def sha256_of(path) -> str:
    """The sha256 of a file's bytes, as hex."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _sync(path: Path) -> None:
    """Flush a file or directory to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two existing paths atomically (Linux renameat2 RENAME_EXCHANGE); False where that is unavailable."""
    renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if renameat2 is None:
        return False
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def flatten(tree, arrays: dict):
    """``tree`` with every NumPy array replaced by {"__ndarray__": KEY}, the arrays stored in ``arrays`` under KEY."""
    if isinstance(tree, np.ndarray):
        key = f"a{len(arrays)}"
        arrays[key] = tree
        return {"__ndarray__": key}
    if isinstance(tree, dict):
        return {str(key): flatten(value, arrays) for key, value in tree.items()}
    if isinstance(tree, (list, tuple)):
        return [flatten(value, arrays) for value in tree]
    return tree


def unflatten(tree, arrays: dict):
    """The inverse of ``flatten``."""
    if isinstance(tree, dict):
        if set(tree) == {"__ndarray__"}:
            return arrays[tree["__ndarray__"]]
        return {key: unflatten(value, arrays) for key, value in tree.items()}
    if isinstance(tree, list):
        return [unflatten(value, arrays) for value in tree]
    return tree


class ModelDirectory:
    """The one writer of a model directory: locked while open, committed whole by ``commit``."""

    def __init__(self, path):
        self.path = Path(os.path.abspath(path))
        self.parent, name = self.path.parent, self.path.name
        self._name = glob.escape(name)
        self.lock_path = self.parent / f".{name}.lock"
        self.checkpoint_dir = self.parent / f".{name}.checkpoint"
        self._lock = None

    def __enter__(self) -> "ModelDirectory":
        self._check_contents()
        with naming(self.path):  # not the lock file beside it
            self.parent.mkdir(parents=True, exist_ok=True)
            self._acquire()
        self._clean()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Release the lock (and remove its file)."""
        if self._lock is not None:
            os.unlink(self.lock_path)
            os.close(self._lock)
            self._lock = None

    def _check_contents(self) -> None:
        """Refuse a path that is a file, or a directory holding files a commit would move away."""
        if self.path.is_symlink() or (self.path.exists() and not self.path.is_dir()):
            raise InputError(f"{self.path} is not a directory; choose a directory name for the model")
        if self.path.is_dir():
            others = sorted(entry.name for entry in self.path.iterdir() if entry.name not in MODEL_FILES)
            if others:
                shown = ", ".join(repr(name) for name in others[:3]) + (f" and {len(others) - 3} more"
                                                                          if len(others) > 3 else "")
                raise InputError(f"{self.path} holds files that are not a gradstep model ({shown}); "
                                 "choose a new or empty directory, or one written by gradstep train")

    def _acquire(self) -> None:
        """Take the exclusive lock, or say which process holds it."""
        while True:
            fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.read(fd, 32).decode("ascii", "replace").strip() or "unknown"
                os.close(fd)
                raise InputError(f"{self.path} is being written by another training (process {holder}); "
                                 "wait for it to finish or choose another directory") from None
            try:
                same = os.stat(self.lock_path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._lock = fd

    def _clean(self) -> None:
        """Remove what killed runs left: unfinished new directories and checkpoint files, and a previous model
        a kill between the two renames of a swap left aside (moved back if the model directory is missing)."""
        for leftover in self.parent.glob(f".{self._name}.new-*"):
            shutil.rmtree(leftover, ignore_errors=True)
        for leftover in self.checkpoint_dir.glob(".*.tmp"):
            leftover.unlink()
        for leftover in sorted(self.parent.glob(f".{self._name}.old-*")):
            if not self.path.exists():
                os.rename(leftover, self.path)
            else:
                shutil.rmtree(leftover, ignore_errors=True)

    def commit(self, write) -> None:
        """Call ``write(directory)`` on a fresh temporary directory, then swap it into place whole."""
        if self._lock is None:
            raise RuntimeError("commit() needs the directory open: use `with ModelDirectory(path) as target`")
        new = Path(tempfile.mkdtemp(dir=self.parent, prefix=f".{self.path.name}.new-"))
        try:
            os.chmod(new, file_mode(0o777))
            write(new)
            for entry in new.iterdir():
                _sync(entry)
            _sync(new)
            if not self.path.exists():
                os.rename(new, self.path)
            elif _exchange(new, self.path):
                shutil.rmtree(new)
            else:
                old = Path(tempfile.mkdtemp(dir=self.parent, prefix=f".{self.path.name}.old-"))
                os.rename(self.path, old)
                os.rename(new, self.path)
                shutil.rmtree(old)
            _sync(self.parent)
        finally:
            if new.exists():
                shutil.rmtree(new, ignore_errors=True)

    def save_checkpoint(self, meta: dict, state: dict) -> None:
        """Write a training state (arrays anywhere in it) with its metadata; the previous one stays until then."""
        arrays = {}
        tree = flatten(state, arrays)
        self.checkpoint_dir.mkdir(exist_ok=True)
        previous = sorted(self.checkpoint_dir.glob("state-*.npz"))
        number = 1 + max((int(path.stem.split("-")[1]) for path in previous), default=0)
        npz = self.checkpoint_dir / f"state-{number}.npz"
        with atomic_path(npz) as temporary, open(temporary, "wb") as handle:
            np.savez(handle, **arrays)
        write_json(self.checkpoint_dir / "checkpoint.json",
                   {**meta, "state": tree, "npz": npz.name, "npz_sha256": sha256_of(npz)})
        for path in previous:
            path.unlink()

    def load_checkpoint(self) -> tuple[dict, dict]:
        """The metadata and training state saved by ``save_checkpoint``, or InputError when there is none."""
        from .io import load_arrays
        meta_path = self.checkpoint_dir / "checkpoint.json"
        if not meta_path.is_file():
            raise InputError(f"there is no checkpoint of an interrupted training for {self.path}; "
                             "train without resuming")
        meta = read_json(meta_path, max_bytes=MAX_CHECKPOINT_JSON)
        try:
            npz = self.checkpoint_dir / Path(str(meta["npz"])).name
            if sha256_of(npz) != meta["npz_sha256"]:
                raise ValueError(f"{npz.name} does not match its sha256")
            state = unflatten(meta["state"], load_arrays(npz))
        except (KeyError, TypeError, ValueError, OSError) as error:
            raise InputError(f"the checkpoint in {self.checkpoint_dir} is damaged ({error}); "
                             "train again without resuming") from None
        return meta, state

    def has_checkpoint(self) -> bool:
        return (self.checkpoint_dir / "checkpoint.json").is_file()

    def discard_checkpoint(self) -> None:
        """Remove the checkpoints (after a commit, or when starting over): the JSON that names the state first,
        so a kill meanwhile leaves no checkpoint rather than a broken one."""
        (self.checkpoint_dir / "checkpoint.json").unlink(missing_ok=True)
        shutil.rmtree(self.checkpoint_dir, ignore_errors=True)

