"""src/gradstep/io.py: each refusal's whole one-line message, the member-count bound, UTF-8 whatever the locale,
and the writable-directory check; every test names the broken implementation it catches."""

import io
import locale
import os
import warnings
import zipfile

import numpy as np
import pytest

from gradstep.errors import InputError
from gradstep.io import DigestError, load_arrays, save_arrays, writable_directory, write_text


def npy(array) -> bytes:
    """The .npy bytes numpy writes for ``array``."""
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, np.asarray(array), allow_pickle=False)
    return buffer.getvalue()


def write_zip(path, members) -> None:
    """An .npz-like zip of (member name, bytes) pairs, duplicates allowed, stored uncompressed."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about a duplicate name, which is the point here
        with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
            for name, data in members:
                archive.writestr(name, data)


def refused(call) -> str:
    """The message of the InputError ``call()`` raises."""
    with pytest.raises(InputError) as raised:
        call()
    return str(raised.value)


@pytest.mark.parametrize("kind", ["directory", "fifo", "too-large"])
def test_load_arrays_names_a_bad_path_the_model_file(tmp_path, kind):
    """Catches load_arrays calling read_bytes without the word "model file" (None, the default "file", or
    other wording)."""
    path = tmp_path / "model.npz"
    if kind == "directory":
        path.mkdir()
        expected = f"the model file {path} is a directory; give the path of a regular file"
    elif kind == "fifo":
        os.mkfifo(path)
        expected = f"the model file {path} is a named pipe (FIFO); give the path of a regular file"
    else:
        save_arrays(path, {"w": np.zeros(4)})
        size = path.stat().st_size
        expected = (f"the model file {path} has {size:,} bytes, more than the 100 a gradstep model file can have; "
                    "it is not one gradstep wrote")
    assert refused(lambda: load_arrays(path, max_bytes=100 if kind == "too-large" else 1 << 20)) == expected


def test_a_digest_mismatch_says_to_train_again(tmp_path):
    """Catches a changed ending of the DigestError message ("train the model again")."""
    path = tmp_path / "model.npz"
    save_arrays(path, {"w": np.ones(2)})
    with pytest.raises(DigestError) as raised:
        load_arrays(path, sha256="0" * 64)
    assert str(raised.value) == (f"{path} is not the weights its model.json was saved with (the sha256 differs); "
                                 "train the model again")


def test_an_object_array_message_in_full(tmp_path):
    """Catches a changed ending of the "Python objects" refusal in _check_member."""
    path = tmp_path / "model.npz"
    np.savez(path, weight=np.array([{"not": "an array"}], dtype=object))
    assert refused(lambda: load_arrays(path)) == (f"{path} holds Python objects in 'weight', which gradstep never "
                                                  "loads; it is not a model gradstep wrote")


def test_a_shape_mismatch_message_in_full(tmp_path):
    """Catches a changed ending of the wrong-shape refusal in _check_member."""
    path = tmp_path / "model.npz"
    save_arrays(path, {"w": np.zeros((2, 3))})
    assert refused(lambda: load_arrays(path, expected={"w": (3, 2)})) == (
        f"{path}: 'w' has shape (2, 3), the model needs (3, 2); the weights do not belong to this model.json")


def test_members_stored_twice_are_listed_five_at_most(tmp_path):
    """Six names each stored twice: the message lists the first five (catches [:5] -> [:6]) and ends as written
    (catches a changed "it is not a model gradstep wrote")."""
    path = tmp_path / "model.npz"
    names = ["a", "b", "c", "d", "e", "f"]
    write_zip(path, [(f"{name}.npy", npy(np.zeros(1))) for name in names * 2])
    assert refused(lambda: load_arrays(path)) == (f"{path} holds ['a', 'b', 'c', 'd', 'e'] twice, so which weights "
                                                  "it means is ambiguous; it is not a model gradstep wrote")


def test_missing_and_extra_members_are_listed_five_at_most(tmp_path):
    """Seven members missing and seven extra: five of each are listed (catches [:5] -> [:6] on either list)."""
    path = tmp_path / "model.npz"
    save_arrays(path, {f"x{i}": np.zeros(1) for i in range(7)})
    expected = {f"w{i}": (1,) for i in range(7)}
    assert refused(lambda: load_arrays(path, expected=expected)) == (
        f"{path} does not hold this model's weights (missing ['w0', 'w1', 'w2', 'w3', 'w4'], extra "
        "['x0', 'x1', 'x2', 'x3', 'x4']); it is not the model.npz of this model.json")


def test_a_member_that_is_not_npy_is_refused_before_any_is_read(tmp_path):
    """A few members, one of them not .npy: refused as "not arrays" (catches `>4096 or any(...)` turned into
    `and`, which reads the member and fails later with another message)."""
    path = tmp_path / "model.npz"
    write_zip(path, [("w.npy", npy(np.zeros(2))), ("notes.txt", b"not an array")])
    assert refused(lambda: load_arrays(path)) == (f"{path} holds members that are not arrays; it is not a model "
                                                  "gradstep wrote")


def test_4096_members_load_and_4097_are_refused(tmp_path):
    """The bound on the member count is 4096 inclusive (catches `> 4096` turned into `>= 4096`)."""
    member = npy(np.zeros(1))
    exactly, above = tmp_path / "exactly.npz", tmp_path / "above.npz"
    write_zip(exactly, [(f"w{i}.npy", member) for i in range(4096)])
    write_zip(above, [(f"w{i}.npy", member) for i in range(4097)])
    assert len(load_arrays(exactly)) == 4096
    assert refused(lambda: load_arrays(above)) == (f"{above} holds members that are not arrays; it is not a model "
                                                   "gradstep wrote")


def test_write_text_writes_utf8_whatever_the_locale(tmp_path):
    """Under an ASCII locale (LC_CTYPE=C) the text is still written as UTF-8 (catches write_text leaving the
    encoding to the locale). Outside Python's UTF-8 mode only, where the locale decides the default."""
    old = locale.setlocale(locale.LC_CTYPE)
    try:
        locale.setlocale(locale.LC_CTYPE, "C")
        path = tmp_path / "notes.md"
        write_text(path, "\u2202L/\u2202\u03b8, \u03b7 = 0.1\n")
    finally:
        locale.setlocale(locale.LC_CTYPE, old)
    assert path.read_bytes() == "\u2202L/\u2202\u03b8, \u03b7 = 0.1\n".encode("utf-8")


def test_writable_directory_accepts_a_path_whose_parents_do_not_exist_yet(tmp_path):
    """The walk climbs to the nearest existing ancestor (catches `while not parent.exists()` inverted, which
    refuses this path, and loops forever on an existing one)."""
    later = tmp_path / "runs" / "deep" / "first"
    assert writable_directory(later) == later


@pytest.mark.parametrize("denied", ["write", "search"])
def test_writable_directory_refuses_a_parent_without_write_or_search_permission(tmp_path, monkeypatch, denied):
    """os.access is asked for write and search permission together (catches W_OK & X_OK, which is 0, F_OK: a
    mere existence check). os.access is faked, as root passes every permission check."""
    missing = {"write": os.W_OK, "search": os.X_OK}[denied]
    real_access = os.access
    monkeypatch.setattr(os, "access",
                        lambda path, mode, **kwargs: not (mode & missing) and real_access(path, mode, **kwargs))
    target = tmp_path / "out"
    assert refused(lambda: writable_directory(target)) == (f"--out {target}: cannot create or write in {tmp_path}; "
                                                           "choose a directory you can write to")
