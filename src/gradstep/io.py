"""Files written whole or not at all, and files read only when they are what they claim, within bounds.

Writes go to a temporary file beside the target, then are renamed (files follow the umask). Reads open
the path without blocking, refuse anything that is not a regular file (a FIFO, a device, a directory)
and anything above a size cap, before reading a byte. Models are saved as ``.npz`` (arrays only,
loaded with ``allow_pickle=False``, every member's name, dtype and shape checked before its data is
read) plus JSON metadata; never pickled.
"""

from __future__ import annotations

import collections
import contextlib
import hashlib
import io
import json
import lzma
import os
import stat
import tempfile
import zipfile
import zlib
from pathlib import Path

import numpy as np

from .errors import InputError

MAX_JSON_BYTES = 1 << 20
MAX_NPZ_BYTES = 2 << 30
_HEADERS = {(1, 0): np.lib.format.read_array_header_1_0, (2, 0): np.lib.format.read_array_header_2_0}
_KINDS = {stat.S_ISDIR: "a directory", stat.S_ISFIFO: "a named pipe (FIFO)", stat.S_ISCHR: "a character device",
          stat.S_ISBLK: "a block device", stat.S_ISSOCK: "a socket"}


class DigestError(InputError):
    """A file is not the one its metadata names (its sha256 differs)."""


def file_mode(mode: int = 0o666) -> int:
    """``mode`` less the process's umask: the permissions a newly created file gets."""
    umask = os.umask(0)
    os.umask(umask)
    return mode & ~umask


@contextlib.contextmanager
def naming(path: Path):
    """An OSError inside names ``path``, the file asked for, not the temporary file beside it."""
    try:
        yield
    except OSError as error:
        raise type(error)(error.errno, error.strerror, str(path)) from None


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike):
    """Yield a temporary path beside ``path``; rename it to ``path`` only if the block succeeds."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with naming(path):
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.fchmod(handle, file_mode())
    os.close(handle)
    try:
        yield Path(temporary)
        with naming(path):  # e.g. path is a directory
            os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def write_text(path, text: str) -> None:
    """Write ``text`` to ``path`` atomically."""
    with atomic_path(path) as temporary:
        temporary.write_text(text, encoding="utf-8")


def write_json(path, value) -> None:
    """Write ``value`` as indented JSON atomically."""
    write_text(path, json.dumps(value, indent=2, sort_keys=False) + "\n")


def save_arrays(path, arrays: dict) -> None:
    """Write named arrays to an ``.npz`` file atomically."""
    with atomic_path(path) as temporary:
        with open(temporary, "wb") as handle:
            np.savez(handle, **arrays)


def read_bytes(path, max_bytes: int, what: str = "file") -> bytes:
    """The bytes of a regular file of at most ``max_bytes``; anything else is refused before reading."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        raise
    except OSError as error:
        raise InputError(f"cannot open the {what} {path}: {error.strerror}; check the path and its permissions") \
            from None
    try:  # checked through the descriptor before a file object is made: open() itself refuses a directory
        info = os.fstat(fd)
        kind = next((name for test, name in _KINDS.items() if test(info.st_mode)), None)
        if kind is not None or not stat.S_ISREG(info.st_mode):
            raise InputError(f"the {what} {path} is {kind or 'not a regular file'}; give the path of a regular file")
        if info.st_size > max_bytes:
            raise InputError(f"the {what} {path} has {info.st_size:,} bytes, more than the {max_bytes:,} a "
                             f"gradstep {what} can have; it is not one gradstep wrote")
        with open(fd, "rb", closefd=False) as handle:
            data = handle.read(max_bytes + 1)
    finally:
        os.close(fd)
    if len(data) > max_bytes:
        raise InputError(f"the {what} {path} grew beyond {max_bytes:,} bytes while being read; give a file "
                         "that is not being written")
    return data


def _check_member(name: str, header: tuple, expected: dict | None, path) -> None:
    """Refuse a member that is not a real floating-point array of the expected shape."""
    shape, _, dtype = header
    if dtype.hasobject:
        raise InputError(f"{path} holds Python objects in {name!r}, which gradstep never loads; "
                         "it is not a model gradstep wrote")
    if dtype.kind != "f" or dtype.itemsize not in (4, 8) or dtype.names is not None:
        raise InputError(f"{path}: {name!r} is {dtype}, not float32 or float64; it is not a model gradstep wrote")
    if expected is not None and tuple(shape) != tuple(expected[name]):
        raise InputError(f"{path}: {name!r} has shape {tuple(shape)}, the model needs {tuple(expected[name])}; "
                         "the weights do not belong to this model.json")


def load_arrays(path, expected: dict | None = None, max_bytes: int = MAX_NPZ_BYTES, sha256: str | None = None) -> dict:
    """Named float arrays from an ``.npz`` file, each finite; ``expected`` (name → shape) lists exactly the
    members allowed, ``sha256`` the file's digest. Names, dtypes, shapes and sizes are checked before any
    array is read; no pickled object is ever loaded."""
    try:
        data = read_bytes(path, max_bytes, "model file")
    except FileNotFoundError:
        raise InputError(f"no saved model at {path}; train one first with: gradstep train --out DIR") from None
    if sha256 is not None and hashlib.sha256(data).hexdigest() != sha256:
        raise DigestError(f"{path} is not the weights its model.json was saved with (the sha256 differs); "
                          "train the model again")
    arrays = {}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            listed = [info.filename.removesuffix(".npy") for info in archive.infolist()]
            twice = sorted(name for name, count in collections.Counter(listed).items() if count > 1)
            if twice:  # readers differ on which copy they take
                raise InputError(f"{path} holds {twice[:5]} twice, so which weights it means is ambiguous; "
                                 "it is not a model gradstep wrote")
            members = dict(zip(listed, archive.infolist()))
            names = set(members)
            if expected is not None and names != set(expected):
                missing, extra = sorted(set(expected) - names), sorted(names - set(expected))
                raise InputError(f"{path} does not hold this model's weights (missing {missing[:5]}, extra "
                                 f"{extra[:5]}); it is not the model.npz of this model.json")
            if len(members) > 4096 or any(not info.filename.endswith(".npy") for info in members.values()):
                raise InputError(f"{path} holds members that are not arrays; it is not a model gradstep wrote")
            for name, info in members.items():
                with archive.open(info) as member:
                    try:  # numpy's own words name memory addresses, or advise allow_pickle=True for a long header
                        version = np.lib.format.read_magic(member)
                        header = _HEADERS[version](member) if version in _HEADERS else None
                    except ValueError:
                        raise InputError(f"{path}: {name!r} does not start with the .npy header numpy writes (a "
                                         "dict of descr, fortran_order and shape, under 10,000 bytes); it is not "
                                         "a model gradstep wrote") from None
                if header is None:
                    raise InputError(f"{path}: {name!r} is in .npy format {version}, which gradstep does not "
                                     "write; it is not a model gradstep wrote")
                _check_member(name, header, expected, path)
                shape, _, dtype = header
                size = int(np.prod(shape, dtype=np.float64)) * dtype.itemsize
                if size > max_bytes or info.file_size > size + 65_536:
                    raise InputError(f"{path}: {name!r} claims {info.file_size:,} bytes for an array of {size:,}; "
                                     "it is not a model gradstep wrote")
                with archive.open(info) as member:
                    arrays[name] = np.lib.format.read_array(member, allow_pickle=False)
                if not np.isfinite(arrays[name]).all():
                    raise InputError(f"{path}: {name!r} holds NaN or infinite weights; train the model again")
    except InputError:
        raise
    except (ValueError, OSError, EOFError, KeyError, zipfile.BadZipFile, zipfile.LargeZipFile, RuntimeError,
            NotImplementedError, zlib.error, lzma.LZMAError) as error:  # the last two: a member's broken stream
        reason = str(error).split(";")[0][:120]
        raise InputError(f"cannot read the model file {path} ({reason}); train it again with gradstep train") \
            from None
    return arrays


def writable_directory(path, option: str = "--out") -> Path:
    """``path`` if it is, or can be made, a writable directory; checked before any work, created by the writers."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise InputError(f"{option} {path} is a file, not a directory; choose a directory name")
    parent = path
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        raise InputError(f"{option} {path}: cannot create or write in {parent}; choose a directory you can write to")
    return path


def read_json(path, max_bytes: int = MAX_JSON_BYTES) -> dict:
    """The JSON object in ``path`` (a regular file of at most ``max_bytes``), with a one-line error when it
    is missing, broken, too deeply nested or not an object."""
    try:
        value = json.loads(read_bytes(path, max_bytes, "metadata file").decode("utf-8"))
    except FileNotFoundError:
        raise InputError(f"no {Path(path).name} in {Path(path).parent}; is it a directory written by gradstep train?") \
            from None
    except InputError:
        raise
    except RecursionError:
        raise InputError(f"{path} is nested too deeply to be gradstep metadata; train the model again") from None
    except (ValueError, OSError) as error:
        raise InputError(f"cannot read {path} ({str(error).split(';')[0][:120]}); train the model again with "
                         "gradstep train") \
            from None
    if not isinstance(value, dict):
        raise InputError(f"{path} holds a JSON {type(value).__name__}, not an object; train the model again")
    return value
