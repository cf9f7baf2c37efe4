"""Files written whole or not at all: each goes to a temporary file beside it, then is renamed.

Models are saved as ``.npz`` (arrays only, loaded with ``allow_pickle=False``) plus JSON metadata;
never pickled.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from .errors import InputError


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike):
    """Yield a temporary path beside ``path``; rename it to ``path`` only if the block succeeds."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    try:
        yield Path(temporary)
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


def load_arrays(path) -> dict:
    """Named arrays from an ``.npz`` file (no pickled objects are ever loaded)."""
    try:
        with np.load(path, allow_pickle=False) as archive:
            return {key: archive[key] for key in archive.files}
    except FileNotFoundError:
        raise InputError(f"no saved model at {path}; train one first with: gradstep train --out DIR") from None
    except (ValueError, OSError, EOFError, KeyError, zipfile.BadZipFile) as error:
        raise InputError(f"cannot read the model file {path} ({error}); train it again with gradstep train") from None


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


def read_json(path) -> dict:
    """The JSON object in ``path``, with a one-line error when it is missing or broken."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"no {Path(path).name} in {Path(path).parent}; is it a directory written by gradstep train?") from None
    except (ValueError, OSError) as error:
        raise InputError(f"cannot read {path} ({error}); train the model again with gradstep train") from None
