"""docs/benchmarks.md is written by two commands: the engine suite writes everything before the
"## gradstep reproduce" section, benchmarks.reproduce writes that last section; each keeps the other's."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

REPRODUCE_HEADING = "## gradstep reproduce"


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to a temporary file beside ``path``, then rename it over ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, suffix=".tmp", encoding="utf-8") as f:
        f.write(text)
    os.replace(f.name, path)


def _split(path: Path) -> tuple[str, str]:
    """(the engine part, the reproduce section) of the current file."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    at = text.find(REPRODUCE_HEADING)
    return (text, "") if at < 0 else (text[:at], text[at:])


def write_engine_part(path: Path, text: str) -> None:
    """Replace everything but the reproduce section."""
    kept = _split(path)[1]
    write_atomically(path, text.rstrip("\n") + "\n\n" + kept if kept else text)


def write_reproduce_section(path: Path, text: str) -> None:
    """Replace (or append) the reproduce section."""
    engine = _split(path)[0].rstrip("\n")
    write_atomically(path, (engine + "\n\n" if engine else "") + text)
