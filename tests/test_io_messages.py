"""src/gradstep/io.py: each refusal's whole one-line message, the member-count bound, UTF-8 whatever the locale,
and the writable-directory check; every test names the broken implementation it catches."""

import errno
import io
import locale
import os
import stat
import struct
import threading
import tracemalloc
import warnings
import zipfile

import numpy as np
import pytest

from gradstep.errors import InputError
from gradstep.io import (DigestError, file_mode, load_arrays, read_bytes, read_json, save_arrays, writable_directory,
                         write_text)


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


def fake_fstat(monkeypatch, path, **fields) -> None:
    """Make os.fstat of a descriptor open on ``path`` report ``fields`` (st_mode, st_size) in place of the real
    ones, or raise ``error``; other descriptors (pytest's own) are left alone."""
    real, target = os.fstat, os.stat(path)
    error = fields.pop("error", None)

    def fstat(fd):
        info = real(fd)
        if (info.st_dev, info.st_ino) != (target.st_dev, target.st_ino):
            return info
        if error is not None:
            raise error
        info = list(info[:10])
        info[0], info[6] = fields.get("st_mode", info[0]), fields.get("st_size", info[6])
        return os.stat_result(info)
    monkeypatch.setattr(os, "fstat", fstat)


def test_a_fifo_without_a_writer_is_refused_at_once(tmp_path):
    """Catches os.open without O_NONBLOCK (O_RDONLY & O_NONBLOCK is 0), which waits forever for a writer: after
    2 s the test opens the FIFO for writing itself to release the stuck reader, and fails."""
    path = tmp_path / "pipe"
    os.mkfifo(path)
    messages = []
    reader = threading.Thread(target=lambda: messages.append(refused(lambda: read_bytes(path, 100))), daemon=True)
    reader.start()
    reader.join(timeout=2)
    blocked = reader.is_alive()
    if blocked:
        os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
        reader.join(timeout=10)
    assert not blocked, "read_bytes waited for a writer to open the FIFO"
    assert messages == [f"the file {path} is a named pipe (FIFO); give the path of a regular file"]


READERS = {  # name: the file it makes too large, what its messages call it, the call with a cap
    "model": ("model.npz", "model file", lambda path, cap: load_arrays(path, max_bytes=cap)),
    "metadata": ("model.json", "metadata file", lambda path, cap: read_json(path, max_bytes=cap)),
}


def _too_large(path, reader: str) -> None:
    if reader == "model":
        save_arrays(path, {"w": np.zeros(4)})
    else:
        path.write_text("{}" + " " * 1498)


@pytest.mark.parametrize("reader", list(READERS))
@pytest.mark.parametrize("kind", ["directory", "fifo", "too-large"])
def test_a_reader_names_a_bad_path_by_what_it_reads(tmp_path, reader, kind):
    """Catches load_arrays or read_json calling read_bytes without their words ("model file", "metadata file";
    None, the default "file", or other wording)."""
    name, word, read = READERS[reader]
    path = tmp_path / name
    cap = 1 << 20
    if kind == "directory":
        path.mkdir()
        expected = f"the {word} {path} is a directory; give the path of a regular file"
    elif kind == "fifo":
        os.mkfifo(path)
        expected = f"the {word} {path} is a named pipe (FIFO); give the path of a regular file"
    else:
        _too_large(path, reader)
        size, cap = path.stat().st_size, 100
        expected = (f"the {word} {path} has {size:,} bytes, more than the {cap:,} a gradstep {word} can have; "
                    "it is not one gradstep wrote")
    assert refused(lambda: read(path, cap)) == expected


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


# read_bytes: the default word, open errors, file types, the size bound, and files that grow while read

def test_read_bytes_calls_its_file_a_file_by_default(tmp_path):
    """Catches a changed default of ``what`` ("XXfileXX", "FILE")."""
    assert refused(lambda: read_bytes(tmp_path, 100)) == (f"the file {tmp_path} is a directory; give the path of a "
                                                          "regular file")


def test_a_path_that_cannot_be_opened_is_named_with_the_reason(tmp_path):
    """A path through a regular file (ENOTDIR, refused even for root): catches the cannot-open message replaced by
    None."""
    (tmp_path / "file").write_text("x")
    path = tmp_path / "file" / "model.json"
    assert refused(lambda: read_bytes(path, 100)) == (f"cannot open the file {path}: Not a directory; check the "
                                                      "path and its permissions")


def test_a_file_type_no_kind_names_is_not_a_regular_file(tmp_path, monkeypatch):
    """fstat reports a type outside the table (a Solaris door, 0o150000): catches `kind is not None and not
    S_ISREG` (which lets it through) and a changed "not a regular file"."""
    path = tmp_path / "door"
    path.write_text("{}")
    fake_fstat(monkeypatch, path, st_mode=0o150000 | 0o644)
    assert refused(lambda: read_bytes(path, 100)) == (f"the file {path} is not a regular file; give the path of a "
                                                      "regular file")


def test_a_file_of_exactly_max_bytes_is_read_whole(tmp_path):
    """Catches `st_size >= max_bytes` and `len(data) >= max_bytes` (which refuse it) and read(max_bytes - 1)
    (which cuts its last byte)."""
    path = tmp_path / "exact.bin"
    path.write_bytes(bytes(range(100)))
    assert read_bytes(path, 100) == bytes(range(100))


def test_a_file_that_grew_after_fstat_is_refused_in_one_line(tmp_path, monkeypatch):
    """fstat reports 10 bytes, the file holds 5000 (it grew): catches a changed or missing "grew beyond" message."""
    path = tmp_path / "growing.json"
    path.write_bytes(b" " * 5000)
    fake_fstat(monkeypatch, path, st_size=10)
    assert refused(lambda: read_bytes(path, 4096)) == (f"the file {path} grew beyond 4,096 bytes while being read; "
                                                       "give a file that is not being written")


def test_a_file_that_grew_after_fstat_is_read_no_further_than_the_bound(tmp_path, monkeypatch):
    """fstat reports 0 bytes, the file holds 64 MiB: at most max_bytes + 1 are read, so memory stays small (catches
    an unbounded read(), which loads all 64 MiB before refusing)."""
    path = tmp_path / "sparse.bin"
    with open(path, "wb") as handle:
        handle.truncate(64 << 20)
    fake_fstat(monkeypatch, path, st_size=0)
    tracemalloc.start()
    try:
        message = refused(lambda: read_bytes(path, 4096))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert message == f"the file {path} grew beyond 4,096 bytes while being read; give a file that is not being written"
    assert peak < 8 << 20


@pytest.mark.parametrize("umask, expected", [(0o022, 0o644), (0o077, 0o600), (0o000, 0o666)],
                         ids=["umask-022", "umask-077", "umask-000"])
def test_file_mode_is_read_write_for_all_less_the_umask(tmp_path, umask, expected):
    """Catches a default mode other than 0o666 (0o667 leaves others' execute bit), in file_mode and in the file
    write_text creates."""
    old = os.umask(umask)
    try:
        mode = file_mode()
        write_text(tmp_path / "notes.md", "x")
    finally:
        os.umask(old)
    assert mode == expected
    assert stat.S_IMODE((tmp_path / "notes.md").stat().st_mode) == expected


# read_json: its word for the file, and OS errors cut at the first ';' and at 120 characters

@pytest.mark.parametrize("where, reason", [
    ("/mnt/a;b/model.json", "[Errno 5] Input/output error: '/mnt/a"),
    ("/mnt/" + "d" * 200, ("[Errno 5] Input/output error: '/mnt/" + "d" * 200)[:120]),
], ids=["semicolon", "long"])
def test_read_json_cuts_an_os_error_at_the_first_semicolon_and_120_characters(tmp_path, monkeypatch, where, reason):
    """An I/O error while reading (faked in fstat): catches the reason cut at 121 characters or split elsewhere."""
    path = tmp_path / "model.json"
    path.write_text("{}")
    fake_fstat(monkeypatch, path, error=OSError(errno.EIO, "Input/output error", where))
    assert refused(lambda: read_json(path)) == (f"cannot read {path} ({reason}); train the model again with "
                                                "gradstep train")


# load_arrays: .npy headers and versions, declared sizes, and zip errors in one line

def npy_v2_with_long_header() -> bytes:
    """A version 2.0 .npy member whose header (padded with spaces) is over numpy's 10,000-byte limit."""
    header = ("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }" + " " * 20_000 + "\n").encode("latin1")
    return b"\x93NUMPY\x02\x00" + struct.pack("<I", len(header)) + header + bytes(8)


def npy_bytes(array, version) -> bytes:
    """The .npy bytes numpy writes for ``array`` in format ``version``."""
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, np.asarray(array), version=version, allow_pickle=False)
    return buffer.getvalue()


@pytest.mark.parametrize("version", [(1, 0), (2, 0)], ids=["v1", "v2"])
def test_npy_format_1_and_2_load(tmp_path, version):
    """Both .npy header versions numpy writes are read (catches a header reader missing or swapped)."""
    path = tmp_path / "model.npz"
    write_zip(path, [("w.npy", npy_bytes(np.arange(6.0).reshape(2, 3), version))])
    loaded = load_arrays(path, expected={"w": (2, 3)})
    assert list(loaded) == ["w"] and loaded["w"].tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]


@pytest.mark.parametrize("member", [b"not an npy file", npy_v2_with_long_header()], ids=["no-magic", "long-header"])
def test_a_member_without_a_npy_header_message_in_full(tmp_path, member):
    """Catches a changed wording of the "does not start with the .npy header" refusal."""
    path = tmp_path / "model.npz"
    write_zip(path, [("w.npy", member)])
    assert refused(lambda: load_arrays(path)) == (f"{path}: 'w' does not start with the .npy header numpy writes (a "
                                                  "dict of descr, fortran_order and shape, under 10,000 bytes); it "
                                                  "is not a model gradstep wrote")


def test_npy_format_3_is_refused_in_full(tmp_path):
    """Catches a changed wording of the unsupported-.npy-format refusal."""
    path = tmp_path / "model.npz"
    write_zip(path, [("w.npy", npy_bytes(np.zeros(2), (3, 0)))])
    assert refused(lambda: load_arrays(path)) == (f"{path}: 'w' is in .npy format (3, 0), which gradstep does not "
                                                  "write; it is not a model gradstep wrote")


def test_an_array_of_exactly_max_bytes_loads(tmp_path):
    """A compressed 80,000-byte array in a file far smaller: loads at max_bytes=80,000, refused at 79,999 (catches
    `size >= max_bytes`)."""
    path = tmp_path / "model.npz"
    np.savez_compressed(path, w=np.zeros(10_000))
    assert load_arrays(path, max_bytes=80_000)["w"].shape == (10_000,)
    assert refused(lambda: load_arrays(path, max_bytes=79_999)) == (
        f"{path}: 'w' claims 80,128 bytes for an array of 80,000; it is not a model gradstep wrote")


def test_a_member_may_claim_64_kib_more_than_its_array_and_no_more(tmp_path):
    """An 8-byte array in a member of 8 + 65,536 bytes loads, of 8 + 65,537 is refused (catches `>=` and 65537 in
    the slack check) with the whole message (catches its changed ending)."""
    member = npy(np.zeros(1))
    within, beyond = tmp_path / "within.npz", tmp_path / "beyond.npz"
    write_zip(within, [("w.npy", member + bytes(8 + 65_536 - len(member)))])
    write_zip(beyond, [("w.npy", member + bytes(8 + 65_537 - len(member)))])
    assert load_arrays(within)["w"].tolist() == [0.0]
    assert refused(lambda: load_arrays(beyond)) == (f"{beyond}: 'w' claims 65,545 bytes for an array of 8; it is not "
                                                    "a model gradstep wrote")


def test_a_shape_whose_element_count_overflows_int64_is_refused_by_size(tmp_path):
    """A header claiming shape (2**32, 2**32): the size is computed in float (2**67 bytes, refused); catches the
    product in int64, which wraps to 0 and fails later with numpy's own words."""
    path = tmp_path / "model.npz"
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False, "shape": (2**32, 2**32)})
    write_zip(path, [("w.npy", header.getvalue())])
    assert refused(lambda: load_arrays(path)) == (f"{path}: 'w' claims {len(header.getvalue())} bytes for an array "
                                                  f"of {2**67:,}; it is not a model gradstep wrote")


@pytest.mark.parametrize("name, reason", [
    ("w;x", "Bad CRC-32 for file 'w"),
    ("w" * 200, ("Bad CRC-32 for file '" + "w" * 200)[:120]),
], ids=["semicolon", "long"])
def test_a_zip_error_is_cut_at_the_first_semicolon_and_120_characters(tmp_path, name, reason):
    """A member whose last byte no longer matches its CRC: catches the reason split on another separator or cut at
    121 characters."""
    path = tmp_path / "model.npz"
    member = npy(np.zeros(4))
    write_zip(path, [(f"{name}.npy", member)])
    raw = bytearray(path.read_bytes())
    raw[raw.index(member) + len(member) - 1] ^= 0xFF
    path.write_bytes(bytes(raw))
    assert refused(lambda: load_arrays(path)) == (f"cannot read the model file {path} ({reason}); train it again "
                                                  "with gradstep train")
