"""Hostile model directories: every broken, forged or malicious model.json / model.npz gets one line and exit 2.

Each case copies a good saved model, damages one thing and runs ``gradstep predict`` (and ``evaluate`` where
the damage matters to it) through ``cli.main``. A refusal must be one short line naming the problem, never a
traceback, the boundary's "unexpected ...; This is a bug in gradstep", or numpy's advice to pass
``allow_pickle``; an input that is actually harmless must give the good model's answer with exit 0. The
comment beside each case names the broken implementation it would catch.

On ``npz_sha256``: the cases that test the npz reader itself write a damaged model.npz and *recompute* the
sha256 in model.json (a forger can always do so), so that only the reader's own checks stand between the
damage and the model; the few cases named ``...-no-digest`` *remove* ``npz_sha256`` instead, and the
``digest-...`` cases keep the old sha256 to test that check.
"""

import functools
import hashlib
import io
import json
import os
import shutil
import struct
import warnings
import zipfile
import zlib

import numpy as np
import pytest

from gradstep.cli import main
from gradstep.errors import InputError
from gradstep.io import load_arrays

PAGE = ["--page", "Standard_deviation"]
SHAPES = {"0.weight": (4, 7), "0.bias": (4,), "2.weight": (1, 4), "2.bias": (1,)}


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """A good model: sigmoid, 4 units, 7 days, trained for 2 epochs on the built-in page."""
    out = tmp_path_factory.mktemp("good") / "m"
    assert main(["train", "--model", "sigmoid", "--units", "4", "--days", "7", "--epochs", "2", "--quiet",
                 "--out", str(out)]) == 0
    return out


def run(capsys, *argv):
    """Exit code, stdout, stderr of ``gradstep argv``; a RuntimeWarning (numpy overflow, say) would be a second
    line on a real terminal, so it fails the case too."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert not [w for w in caught if issubclass(w.category, RuntimeWarning)], [str(w.message) for w in caught]
    return code, out, err


def refusal(code, out, err, command="predict"):
    """The one line of a clean refusal."""
    assert code == 2, (code, out, err)
    assert err.endswith("\n") and err.count("\n") == 1, err
    line = err.rstrip("\n")
    assert line.startswith(f"gradstep {command}: error: ") and len(line) < 400, line
    for forbidden in ("Traceback", "unexpected", "allow_pickle", "bug in gradstep"):
        assert forbidden not in line, line
    return line


def answer(out, command):
    """The part of the output that is the model's answer: the rows of the forecast or the metrics table."""
    return [line for line in out.splitlines() if line.startswith("│")]


@pytest.fixture(scope="module")
def good_answers(saved):
    """What the undamaged model answers, per command."""
    answers = {}
    for command in ("predict", "evaluate"):
        capture = io.StringIO()
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr("sys.stdout", capture)
            assert main([command, str(saved), *PAGE]) == 0
        answers[command] = answer(capture.getvalue(), command)
        assert answers[command]
    return answers


# ---- building blocks: edit model.json, rewrite model.npz --------------------------------------------------------

def meta_of(directory):
    return json.loads((directory / "model.json").read_text())


def put_meta(directory, meta):
    (directory / "model.json").write_text(json.dumps(meta))  # allow_nan: NaN and Infinity are written as such


def setting(path, value):
    """Set a dotted field of model.json (``spec.model.units``)."""
    def damage(directory):
        meta = meta_of(directory)
        *parents, last = path.split(".")
        node = meta
        for key in parents:
            node = node[key]
        node[last] = value
        put_meta(directory, meta)
    return damage


def dropping(path):
    """Remove a dotted field of model.json."""
    def damage(directory):
        meta = meta_of(directory)
        *parents, last = path.split(".")
        node = meta
        for key in parents:
            node = node[key]
        del node[last]
        put_meta(directory, meta)
    return damage


def json_text(text):
    """Replace model.json with ``text`` (str or bytes)."""
    def damage(directory):
        path = directory / "model.json"
        path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return damage


def put_npz(directory, content: bytes, digest="recompute"):
    """Write model.npz; ``digest``: "recompute" the npz_sha256, "drop" it, or "keep" the old one."""
    (directory / "model.npz").write_bytes(content)
    if digest != "keep":
        meta = meta_of(directory)
        if digest == "drop":
            del meta["npz_sha256"]
        else:
            meta["npz_sha256"] = hashlib.sha256(content).hexdigest()
        put_meta(directory, meta)


def good_arrays(directory):
    with np.load(directory / "model.npz", allow_pickle=False) as archive:
        return {name: archive[name] for name in archive.files}


def arrays(change, digest="recompute"):
    """model.npz rewritten by np.savez from ``change(arrays)`` (the good arrays, a dict to edit in place)."""
    def damage(directory):
        values = good_arrays(directory)
        change(values)
        buffer = io.BytesIO()
        np.savez(buffer, **values)
        put_npz(directory, buffer.getvalue(), digest)
    return damage


def setting_array(name, value):
    def change(values):
        values[name] = value(values[name]) if callable(value) else value
    return arrays(change)


def members(change, digest="recompute"):
    """model.npz rebuilt with zipfile from ``change(members)``: the good members as {file name: bytes}."""
    def damage(directory):
        with zipfile.ZipFile(directory / "model.npz") as archive:
            values = {info.filename: archive.read(info) for info in archive.infolist()}
        change(values)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for name, content in values.items():
                archive.writestr(name, content)
        put_npz(directory, buffer.getvalue(), digest)
    return damage


def member(name, content):
    """One member's bytes replaced (``content``: bytes, or a function of the good bytes)."""
    def change(values):
        values[name] = content(values[name]) if callable(content) else content
    return members(change)


def npy(shape, descr="<f4", data=b"", version=(1, 0), fortran=False):
    """The bytes of an .npy file whose header numpy writes itself, followed by ``data`` (any length)."""
    buffer = io.BytesIO()
    header = {"descr": descr, "fortran_order": fortran, "shape": shape}
    write = np.lib.format.write_array_header_1_0 if version == (1, 0) else np.lib.format.write_array_header_2_0
    write(buffer, header)
    return buffer.getvalue() + data


def npy_text(header: str, version=(1, 0), data=b""):
    """The bytes of an .npy file with a header written by hand (any text, any length)."""
    text = header.encode("latin1")
    length = struct.pack("<H" if version == (1, 0) else "<I", len(text))
    return b"\x93NUMPY" + bytes(version) + length + text + data


def raw_zip(entries):
    """A zip archive written field by field: entries are (name, method, crc, stored bytes, claimed size, flags),
    so that sizes, methods and flags can lie."""
    body, directory = b"", b""
    for name, method, crc, data, size, flags in entries:
        encoded = name.encode()
        offset = len(body)
        body += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, flags, method, 0, 0x21, crc, len(data), size,
                            len(encoded), 0) + encoded + data
        directory += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, flags, method, 0, 0x21, crc, len(data),
                                 size, len(encoded), 0, 0, 0, 0, 0, offset) + encoded
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(directory), len(body), 0)
    return body + directory + end


def raw_members(replace):
    """model.npz written by ``raw_zip``: the good members stored as they are, then ``replace(entries)`` edits
    the list of entries (name -> entry tuple)."""
    def damage(directory):
        with zipfile.ZipFile(directory / "model.npz") as archive:
            entries = {info.filename: (info.filename, 0, zlib.crc32(data), data, len(data), 0)
                       for info in archive.infolist() for data in [archive.read(info)]}
        replace(entries)
        put_npz(directory, raw_zip(list(entries.values())))
    return damage


@functools.lru_cache
def deflated_zeros(prefix: bytes, gib: int = 1):
    """(raw deflate stream, crc32, size) of ``prefix`` followed by ``gib`` GiB of zeros, in about 1 MiB and
    0.5 s: a full flush makes each 16 MiB block of zeros compress to the same bytes, so one is compressed
    and repeated."""
    block = bytes(16 << 20)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = compressor.compress(prefix) + compressor.flush(zlib.Z_FULL_FLUSH)
    zeros = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    tail = compressor.flush()
    count = gib * 64
    crc = zlib.crc32(prefix)
    for _ in range(count):
        crc = zlib.crc32(block, crc)
    return head + zeros * count + tail, crc, len(prefix) + count * len(block)


def zip_bomb(claimed=None):
    """0.weight.npy: a right header, then 1 GiB of zeros deflated to about 1 MiB; ``claimed`` makes the
    archive lie about the uncompressed size (the true one by default)."""
    def replace(entries):
        data, crc, size = deflated_zeros(npy((4, 7)))
        entries["0.weight.npy"] = ("0.weight.npy", zipfile.ZIP_DEFLATED, crc, data,
                                   size if claimed is None else claimed, 0)
    return raw_members(replace)


def special(kind, name="model.npz"):
    """Replace a file of the model directory by a directory, a FIFO, a symlink to /dev/zero or a sparse file."""
    def damage(directory):
        path = directory / name
        path.unlink()
        if kind == "directory":
            path.mkdir()
            (path / "0.weight.npy").write_bytes(npy((4, 7), data=bytes(112)))
        elif kind == "fifo":
            os.mkfifo(path)
        elif kind == "dev-zero":
            os.symlink("/dev/zero", path)
        elif kind == "sparse-3GiB":
            with open(path, "wb") as handle:
                handle.truncate(3 << 30)
        else:
            raise AssertionError(kind)
    return damage


def both(*damages):
    def damage(directory):
        for each in damages:
            each(directory)
    return damage


def deep(depth):
    return "[" * depth + "]" * depth


BOTH = ("predict", "evaluate")
ZEROS_4 = npy((4,), data=bytes(16))  # a valid 0.bias of zeros

# (id, damage, words the one line must hold, or None: harmless, the good model's answer; commands)
CASES = [
    # ---- model.json: not an object, not readable ---------------------------------------------------------------
    ("json-array", json_text("[1, 2, 3]"), ["holds a JSON list, not an object"], BOTH),  # indexing a list as meta
    ("json-string", json_text('"model"'), ["holds a JSON str, not an object"], BOTH),
    ("json-null", json_text("null"), ["holds a JSON NoneType, not an object"], BOTH),
    ("json-empty", json_text(""), ["cannot read", "model.json"], BOTH),  # json.loads' JSONDecodeError let through
    ("json-truncated", lambda d: json_text((d / "model.json").read_text()[:200])(d), ["cannot read", "model.json"],
     BOTH),
    ("json-not-utf8", json_text(b'{"spec": "\xff\xfe"}'), ["cannot read", "utf-8"], BOTH),  # UnicodeDecodeError
    ("json-nested-100000", json_text(deep(100_000)), ["nested too deeply"], BOTH),  # RecursionError let through
    ("json-nested-in-field", json_text('{"spec": ' + deep(100_000) + "}"), ["nested too deeply"], BOTH),
    ("json-5MB", json_text('{"pad": "' + "x" * (5 << 20) + '"}'), ["more than the 1,048,576"], BOTH),  # read whole
    ("json-int-5000-digits", json_text('{"epochs_run": 1' + "0" * 5000 + "}"), ["cannot read", "4300 digits"], BOTH),
    # (Python's advice to call sys.set_int_max_str_digits is for programmers, left out)
    ("json-missing", lambda d: (d / "model.json").unlink(), ["no model.json in"], BOTH),
    ("json-directory", special("directory", "model.json"), ["model.json", "is a directory"], BOTH),  # IsADirectory
    ("json-fifo", special("fifo", "model.json"), ["model.json", "named pipe (FIFO)"], BOTH),  # open() blocks forever
    ("json-dev-zero", special("dev-zero", "model.json"), ["model.json", "character device"], BOTH),  # reads forever
    ("json-symlink-etc-passwd", lambda d: ((d / "model.json").unlink(), os.symlink("/etc/passwd", d / "model.json")),
     ["cannot read", "Expecting value"], ("predict",)),  # a parser error that quotes the file would show it
    ("json-sparse-3GiB", special("sparse-3GiB", "model.json"), ["model.json", "more than the 1,048,576"], ("predict",)),
    # ---- model.json: each field of the wrong type or out of range ----------------------------------------------
    ("meta-missing-spec", dropping("spec"), ["it has no 'spec'"], BOTH),  # KeyError let through
    ("meta-missing-scored", dropping("scored"), ["it has no 'scored'"], ("predict",)),
    ("meta-spec-list", setting("spec", []), ["a run spec is a dict of sections, got list"], BOTH),
    ("meta-spec-null", setting("spec", None), ["a run spec is a dict of sections, got NoneType"], ("predict",)),
    ("meta-spec-model-list", setting("spec.model", ["sigmoid"]), ["ModelSpec needs a dict of its fields, got list"],
     ("predict",)),
    ("meta-spec-unknown-section", setting("spec.optimiser", {}), ["no section optimiser"], ("predict",)),
    ("meta-spec-unknown-field", setting("spec.model.colour", "red"), ["ModelSpec has no field colour"], ("predict",)),
    ("meta-days-string", setting("spec.data.days", "7"), ["--days", "is not a number"], BOTH),  # "7" * 7 ...
    ("meta-days-bool", setting("spec.data.days", True), ["--days", "is not a number"], ("predict",)),  # True == 1
    ("meta-days-1e9", setting("spec.data.days", 1e9), ["--days 1000000000", "out of range"], BOTH),  # allocates
    ("meta-days-10e400", setting("spec.data.days", 10**400), ["--days", "out of range"], ("predict",)),
    ("meta-days-1e308", setting("spec.data.days", 1e308), ["--days", "out of range"], ("predict",)),
    ("meta-days-nan", setting("spec.data.days", float("nan")), ["--days", "not a whole number"], ("predict",)),
    ("meta-units-1e9", setting("spec.model.units", 10**9), ["--units 1000000000", "out of range"], BOTH),
    ("meta-units-layers-too-big", both(setting("spec.model.kind", "relu"), setting("spec.model.units", 4096),
                                       setting("spec.model.layers", 16), setting("spec.data.days", 3650)),
     ["GiB", "fewer units or layers"], BOTH),  # each field in range, the whole 5 GiB: check_size skipped on load
    ("meta-kind-unknown", setting("spec.model.kind", "cnn"), ["--model cnn is not a choice"], ("predict",)),
    ("meta-kind-linear", setting("spec.model.kind", "linear"), ["extra ['2.bias', '2.weight']", "not the model.npz"],
     BOTH),
    ("meta-units-5", setting("spec.model.units", 5), ["has shape (4, 7)", "(5, 7)", "do not belong"], BOTH),
    ("meta-days-8", setting("spec.data.days", 8), ["has shape (4, 7)", "(4, 8)"], BOTH),
    ("meta-relu-layers-2", both(setting("spec.model.kind", "relu"), setting("spec.model.layers", 2)),
     ["missing ['4.bias', '4.weight']"], ("predict",)),  # the layers field not used in the expected shapes
    ("meta-relu-dropout", both(setting("spec.model.kind", "relu"), setting("spec.model.dropout", 0.5)),
     ["missing ['3.bias', '3.weight']"], ("predict",)),  # relu with dropout has its last layer at index 3
    ("meta-dtype-float16", setting("spec.model.dtype", "float16"), ["--dtype float16 is not a choice"], ("predict",)),
    ("meta-lr-nan", setting("spec.train.lr", float("nan")), ["--lr nan", "out of range"], ("predict",)),
    ("meta-seed-negative", setting("spec.train.seed", -1), ["--seed -1", "out of range"], ("predict",)),
    ("meta-epochs-zero", setting("spec.train.epochs", 0), ["--epochs 0", "out of range"], ("predict",)),
    ("meta-epochs-run-string", setting("epochs_run", "2"), ["epochs_run must be a whole number"], BOTH),
    ("meta-epochs-run-negative", setting("epochs_run", -1), ["epochs_run must be a whole number from 0 to 2"], BOTH),
    ("meta-epochs-run-above-epochs", setting("epochs_run", 3), ["epochs_run must be a whole number from 0 to 2"],
     ("predict",)),
    ("meta-epochs-run-10e400", setting("epochs_run", 10**400), ["epochs_run must be a whole number"], ("predict",)),
    ("meta-epochs-run-1e308", setting("epochs_run", 1e308), ["epochs_run must be a whole number"], ("predict",)),
    ("meta-epochs-run-null", setting("epochs_run", None), ["epochs_run must be a whole number"], ("predict",)),
    ("meta-updates-bool", setting("updates_per_epoch", True), ["updates_per_epoch must be a whole number"],
     ("predict",)),  # bool is an int in Python
    ("meta-updates-list", setting("updates_per_epoch", [46]), ["updates_per_epoch must be a whole number"],
     ("predict",)),
    ("meta-best-epoch-zero", setting("best_epoch", 0), ["best_epoch must be a whole number from 1 to 2"],
     ("predict",)),
    ("meta-stopped-early-dict", setting("stopped_early_at", {}), ["stopped_early_at must be a whole number"],
     ("predict",)),
    ("meta-data-sha-int", setting("data_sha256", 5), ["data_sha256 must be a sha256 in hex"], ("predict",)),
    ("meta-npz-sha-short", setting("npz_sha256", "abc"), ["npz_sha256 must be a sha256 in hex"], BOTH),
    ("meta-npz-sha-list", setting("npz_sha256", ["abc"]), ["npz_sha256 must be a sha256 in hex"], ("predict",)),
    # standardizer: NaN, infinity, numbers as strings, booleans, huge ints, lists
    ("meta-std-nan", setting("standardizer.std", float("nan")), ["standardizer", "numbers within"], BOTH),
    ("meta-mean-infinity", setting("standardizer.mean", float("inf")), ["standardizer", "numbers within"], BOTH),
    ("meta-std-zero", setting("standardizer.std", 0), ["standardizer", "positive std"], ("predict",)),
    ("meta-std-negative", setting("standardizer.std", -3224.2), ["standardizer", "positive std"], ("predict",)),
    ("meta-mean-string", setting("standardizer.mean", "8937.188911704312"), ["standardizer", "numbers"], BOTH),
    ("meta-std-bool", setting("standardizer.std", True), ["standardizer", "numbers"], ("predict",)),  # float(True)
    ("meta-mean-10e400", setting("standardizer.mean", 10**400), ["standardizer", "numbers within"],
     BOTH),  # float(10**400): OverflowError
    ("meta-standardizer-list", setting("standardizer", [8937.2, 3224.2]), ["standardizer", "numbers"], BOTH),
    ("meta-standardizer-extra", setting("standardizer.scale", 2.0), ["standardizer", "mean", "std"], ("predict",)),
    ("meta-std-tiny", setting("standardizer.std", 1e-320), ["output is not a finite number", "train the model again"],
     BOTH),  # (x - mean) / std overflows: "forecast: nan views" and numpy warnings
    ("meta-std-huge", setting("standardizer.std", 1e300), ["standardizer", "within ±1e+150"], BOTH),  # forecasts
    # of 1e299 views, and errors whose squares overflow
    # metrics
    ("meta-metrics-nan", setting("metrics.test.mae", float("nan")), ["metrics.test must be finite numbers"], BOTH),
    ("meta-metrics-infinity", setting("metrics.train.mse", float("inf")), ["metrics.train must be finite"],
     ("predict",)),
    ("meta-metrics-10e400", setting("metrics.test.mae", 10**400), ["metrics.test must be finite numbers"], BOTH),
    ("meta-metrics-string", setting("metrics.test.mae", "1420.7"), ["metrics.test must be finite numbers"],
     ("predict",)),
    ("meta-metrics-negative", setting("metrics.test.mae", -1.0), ["metrics.test must be finite numbers at least 0"],
     ("predict",)),
    ("meta-metrics-list", setting("metrics", [1, 2]), ["metrics must map parts"], BOTH),
    ("meta-metrics-unknown-part", setting("metrics.holdout", {"mae": 1, "mse": 1}), ["metrics must map parts"],
     ("predict",)),
    ("meta-metrics-part-list", setting("metrics.test", [1, 2]), ["metrics.test must hold mae and mse"],
     ("predict",)),
    # split
    ("meta-split-reversed", setting("split.train", ["2020-12-31", "2017-01-08"]), ["split.train must run forward"],
     BOTH),
    ("meta-split-year-9999", setting("split.test", ["9999-01-01", "9999-12-31"]), ["split.test", "1678 and 2262"],
     BOTH),  # pandas Timestamps end in 2262: OutOfBoundsDatetime
    ("meta-split-year-1", setting("split.train", ["0001-01-01", "2020-12-31"]), ["split.train", "1678 and 2262"],
     BOTH),
    ("meta-split-not-dates", setting("split.train", ["yesterday", "today"]), ["split.train", "dates"], BOTH),
    ("meta-split-numbers", setting("split.test", [2021, 2022]), ["split.test must be a [start, end] pair of dates"],
     ("predict",)),
    ("meta-split-three-dates", setting("split.test", ["2021-01-01", "2021-01-02", "2021-01-03"]),
     ["split.test must be a [start, end] pair"], ("predict",)),
    ("meta-split-list", setting("split", [["2017-01-08", "2020-12-31"]]), ["split must have the parts"], BOTH),
    ("meta-split-unknown-part", setting("split.holdout", ["2021-03-01", "2021-03-31"]),
     ["split must have the parts train, valid, test"], ("predict",)),
    ("meta-split-test-null", setting("split.test", None), ["the train and test ranges are missing"], ("predict",)),
    ("meta-split-before-data", both(setting("split.train", ["1700-01-01", "1700-12-31"]),
                                    setting("split.test", ["1701-01-01", "1701-02-14"])), None, ("predict",)),
    ("meta-split-overlap", setting("split.test", ["2020-06-01", "2021-02-14"]), None, ("predict",)),  # predict
    # needs no split; evaluate must refuse it, below
    # scored
    ("meta-scored-unknown-part", setting("scored", ["train", "holdout"]), ["scored must list parts"], BOTH),
    ("meta-scored-string", setting("scored", "train"), ["scored must list parts"], ("predict",)),
    ("meta-scored-duplicate", setting("scored", ["train", "train"]), ["scored must list parts"], ("predict",)),
    ("meta-scored-nested", setting("scored", [["train"]]), ["scored must list parts"], BOTH),  # unhashable list
    ("meta-scored-null", setting("scored", None), ["scored must list parts"], ("predict",)),
    # data source named by the model: with --page it is not read at all
    ("meta-page-unknown", setting("spec.data.page", "No_such_page"), None, ("predict",)),
    ("meta-page-int", setting("spec.data.page", 5), ["--page 5 is not a name"], ("predict",)),
    # scale: how the weights read the values (a loader that skipped the spec's check would predict in some scale)
    ("meta-scale-unknown", setting("spec.data.scale", "log"), ["--scale log is not a choice", "'window'"], BOTH),
    ("meta-scale-number", setting("spec.data.scale", 1), ["--scale 1 is not a choice"], ("predict",)),
    ("meta-scale-list", setting("spec.data.scale", ["window"]), ["is not a choice"], ("predict",)),
    # lags: which columns of the 7 days the weights read
    ("meta-lags-beyond-days", setting("spec.data.lags", [1, 8]), ["--lags 1,8 reads the day 8 days before",
                                                                  "beyond --days 7"], BOTH),  # X[:, 7]: IndexError
    ("meta-lags-unsorted", setting("spec.data.lags", [7, 1, 2, 3, 4, 5, 6]), ["not in increasing order"],
     ("predict",)),  # sorted on load: the same shapes, each weight on another day's value
    ("meta-lags-zero", setting("spec.data.lags", [0, 1, 2, 3, 4, 5, 6]), ["--lags 0,1,2,3,4,5,6 holds 0"],
     ("predict",)),  # lag − 1 = −1 reads the last column
    ("meta-lags-string", setting("spec.data.lags", "1234567"), ["--lags 1234567 is not a tuple of days"],
     ("predict",)),  # a string is a sequence of characters
    ("meta-lags-nested", setting("spec.data.lags", [[1]]), ["holds [1]"], ("predict",)),
    ("meta-lags-repeated-300000", setting("spec.data.lags", [1] * 300_000), ["holds 1 more than once"],
     ("predict",)),  # counting each one's repeats is quadratic: a hang
    ("meta-lags-fewer", setting("spec.data.lags", [1, 2, 3]), ["has shape (4, 7)", "(4, 3)"], BOTH),  # shapes
    # from days, not from the lags read
    ("harmless-lags-every-day", setting("spec.data.lags", [1, 2, 3, 4, 5, 6, 7]), None, BOTH),  # reads all 7
    # harmless edits: the good model's answer
    ("harmless-unknown-top-level-key", setting("comment", {"a": deep(500)}), None, BOTH),
    ("harmless-version-list", setting("gradstep_version", [0, 2]), None, ("predict",)),
    ("harmless-epochs-as-float", setting("spec.train.epochs", 2.0), None, ("predict",)),  # whole float: 2
    ("harmless-layers-on-sigmoid", setting("spec.model.layers", 3), None, ("predict",)),  # layers: relu only
    ("harmless-data-sha-null", setting("data_sha256", None), None, ("predict",)),
    ("harmless-npz-sha-removed", dropping("npz_sha256"), None, BOTH),
    ("harmless-metrics-empty", setting("metrics", {}), None, BOTH),
    # ---- model.npz: the file itself ------------------------------------------------------------------------------
    ("npz-missing", lambda d: (d / "model.npz").unlink(), ["no saved model at"], BOTH),
    ("npz-directory", special("directory"), ["model.npz", "is a directory"], BOTH),
    ("npz-fifo", special("fifo"), ["model.npz", "named pipe (FIFO)"], BOTH),  # opened without O_NONBLOCK: hangs
    ("npz-dev-zero", special("dev-zero"), ["model.npz", "character device"], BOTH),  # read to the cap: 2 GiB
    ("npz-symlink-etc-passwd", lambda d: ((d / "model.npz").unlink(), os.symlink("/etc/passwd", d / "model.npz")),
     ["the sha256 differs"], ("predict",)),
    ("npz-sparse-3GiB", special("sparse-3GiB"), ["3,221,225,472 bytes", "more than the 2,147,483,648"], BOTH),
    ("npz-empty", lambda d: put_npz(d, b""), ["cannot read the model file", "not a zip file"], BOTH),
    ("npz-not-zip", lambda d: put_npz(d, b"PK\x03\x04 this is not a zip"), ["cannot read the model file"], BOTH),
    ("npz-truncated", lambda d: put_npz(d, (d / "model.npz").read_bytes()[:300]), ["cannot read the model file"],
     BOTH),
    ("npz-truncated-no-digest", lambda d: put_npz(d, (d / "model.npz").read_bytes()[:-30], "drop"),
     ["cannot read the model file"], ("predict",)),
    ("npz-flipped-byte-no-digest",  # a weight's byte changed: the zip's CRC-32 must catch it
     lambda d: put_npz(d, (lambda b: b[:200] + bytes([b[200] ^ 0xFF]) + b[201:])((d / "model.npz").read_bytes()),
                       "drop"), ["cannot read the model file", "CRC"], BOTH),
    ("digest-mismatch", arrays(lambda a: a.update({"2.bias": a["2.bias"] + 1}), "keep"), ["the sha256 differs"],
     BOTH),  # digest not checked: other weights than the metadata's
    ("digest-mismatch-no-digest", arrays(lambda a: a.update({"2.bias": a["2.bias"] * 0}), "drop"), None,
     ("predict",)),  # valid weights and no digest: loaded as they are (not the good answer: see below)
    # ---- model.npz: members --------------------------------------------------------------------------------------
    ("npz-extra-member", setting_array("extra", np.zeros(3, np.float32)), ["extra ['extra']"], BOTH),
    ("npz-missing-member", arrays(lambda a: a.pop("2.bias")), ["missing ['2.bias']"], BOTH),
    ("npz-no-members", arrays(lambda a: a.clear()), ["missing ['0.bias', '0.weight', '2.bias', '2.weight']"],
     ("predict",)),
    ("npz-path-traversal", members(lambda m: m.update({"../../evil.npy": m.pop("2.bias.npy")})),
     ["extra ['../../evil']"], BOTH),  # a reader that extracts members writes outside the directory
    ("npz-absolute-name", members(lambda m: m.update({"/tmp/evil.npy": m["2.bias.npy"]})), ["extra ['/tmp/evil']"],
     ("predict",)),
    ("npz-member-not-npy", members(lambda m: m.update({"notes.txt": b"hello"})), ["extra ['notes.txt']"],
     ("predict",)),
    ("npz-duplicate-member", raw_members(lambda e: e.update({"dup": ("0.bias.npy", 0, zlib.crc32(ZEROS_4),
                                                                     ZEROS_4, len(ZEROS_4), 0)})),
     ["0.bias", "twice"], BOTH),  # which copy is read depends on the reader: refuse the ambiguity
    ("npz-object-dtype", setting_array("0.bias", np.array([{}, [], None, "x"], dtype=object)),
     ["holds Python objects in '0.bias'"], BOTH),  # np.load(allow_pickle=True) runs code; numpy's advice leaks
    ("npz-object-header-only", member("0.bias.npy", npy((4,), "|O", b"\x80\x04]\x94.")), ["holds Python objects"],
     ("predict",)),
    ("npz-complex128", setting_array("0.weight", lambda w: w.astype(np.complex128)), ["complex128", "not float32"],
     BOTH),  # complex silently cast to real (ComplexWarning)
    ("npz-int64", setting_array("0.weight", lambda w: w.astype(np.int64)), ["int64, not float32 or float64"],
     ("predict",)),
    ("npz-bool", setting_array("2.bias", lambda w: w > 0), ["bool, not float32 or float64"], ("predict",)),
    ("npz-structured", setting_array("0.bias", np.zeros(4, dtype=[("a", "<f4")])), ["not float32 or float64"],
     BOTH),
    ("npz-float16", setting_array("0.weight", lambda w: w.astype(np.float16)), ["float16, not float32 or float64"],
     ("predict",)),
    ("npz-longdouble", setting_array("0.weight", lambda w: w.astype(np.longdouble)), ["not float32 or float64"],
     ("predict",)),
    ("npz-string", setting_array("0.bias", np.array(["a", "b", "c", "d"])), ["not float32 or float64"],
     ("predict",)),
    ("npz-wrong-shape", setting_array("0.weight", lambda w: w.T), ["'0.weight' has shape (7, 4)", "(4, 7)"], BOTH),
    ("npz-flattened", setting_array("0.weight", lambda w: w.ravel()), ["'0.weight' has shape (28,)"], ("predict",)),
    ("npz-scalar", setting_array("2.bias", np.float32(1)), ["'2.bias' has shape ()"], ("predict",)),
    ("npz-nan", setting_array("0.weight", lambda w: np.where(w == w.max(), np.nan, w).astype(w.dtype)),
     ["'0.weight' holds NaN or infinite weights"], BOTH),  # predicts NaN views
    ("npz-inf", setting_array("2.bias", np.array([np.inf], np.float32)), ["'2.bias' holds NaN or infinite"],
     ("predict",)),
    ("npz-float64-overflows-float32", setting_array("2.weight", lambda w: w.astype(np.float64) * 1e300),
     ["'2.weight'", "float32"], BOTH),  # finite in float64, infinite once cast into the float32 model
    # ---- model.npz: .npy headers written by hand ---------------------------------------------------------------
    ("npy-8TiB-header", member("0.weight.npy", npy((1 << 41, 1), data=bytes(64))), ["'0.weight' has shape"], BOTH),
    ("npy-short-data", member("0.weight.npy", npy((4, 7), data=bytes(10))), ["cannot read the model file"], BOTH),
    ("npy-long-data", member("0.weight.npy", npy((4, 7), data=bytes(1 << 20))), ["'0.weight'", "claims"],
     ("predict",)),  # a member far larger than its array: data hidden behind it
    ("npy-format-3", member("0.weight.npy", npy_text("{'descr': '<f4', 'fortran_order': False, 'shape': (4, 7), }\n",
                                                     (3, 0), bytes(112))), ["format (3, 0)"], ("predict",)),
    ("npy-format-9", member("0.weight.npy", b"\x93NUMPY\x09\x00" + bytes(200)), ["format (9, 0)"],
     ("predict",)),
    ("npy-bad-magic", member("0.weight.npy", b"\x93NUMPX\x01\x00" + bytes(200)), ["'0.weight'", ".npy header"],
     ("predict",)),
    ("npy-empty-member", member("0.weight.npy", b""), ["'0.weight'", ".npy header"], ("predict",)),
    ("npy-fortran-flag-not-bool", member("0.weight.npy", npy_text("{'descr': '<f4', 'fortran_order': 'yes', "
                                                                  "'shape': (4, 7), }\n", data=bytes(112))),
     ["'0.weight'", ".npy header"], ("predict",)),
    ("npy-code-in-header", member("0.weight.npy", npy_text("{'descr': __import__('os').system('false'), "
                                                           "'fortran_order': False, 'shape': (4, 7)}\n",
                                                           data=bytes(112))), ["'0.weight'", ".npy header"],
     BOTH),  # a header read with eval() runs the code; numpy's refusal names a memory address
    ("npy-huge-header", member("0.weight.npy", npy_text("{'descr': '<f4', 'fortran_order': False, 'shape': (4, 7), "
                                                        "'x': '" + "y" * 200_000 + "'}\n", (2, 0), bytes(112))),
     ["'0.weight'", ".npy header", "10,000 bytes"], BOTH),  # numpy's refusal advises allow_pickle=True
    ("npy-negative-shape", member("0.weight.npy", npy_text("{'descr': '<f4', 'fortran_order': False, "
                                                           "'shape': (-4, 7), }\n", data=bytes(112))),
     ["'0.weight' has shape (-4, 7)"], ("predict",)),
    ("npy-fortran-order", setting_array("0.weight", lambda w: np.asfortranarray(w)), None, BOTH),  # harmless: numpy
    # reads a Fortran-ordered array into the same values; an implementation that ignored the flag gets W.T
    ("npy-big-endian", setting_array("0.weight", lambda w: w.astype(">f4")), None, ("predict",)),  # harmless: same
    # values; an implementation reading raw bytes as little-endian gets garbage
    ("npy-float64-for-float32", arrays(lambda a: a.update({k: v.astype(np.float64) for k, v in a.items()})), None,
     ("predict",)),  # harmless: the same values, exactly
    # ---- model.npz: zip tricks -----------------------------------------------------------------------------------
    ("zip-bomb-1GiB", zip_bomb(), ["'0.weight' claims 1,073,741,952 bytes"], BOTH),  # decompressed before checking
    ("zip-bomb-lying-size", zip_bomb(claimed=240), ["cannot read the model file"], BOTH),  # trusting file_size
    ("zip-encrypted-flag", raw_members(lambda e: e.update({"0.bias.npy": e["0.bias.npy"][:5] + (1,)})),
     ["cannot read the model file", "encrypted"], ("predict",)),  # zipfile's RuntimeError let through
    ("zip-unknown-method", raw_members(lambda e: e.update({"0.bias.npy": (e["0.bias.npy"][0], 99,
                                                                          *e["0.bias.npy"][2:])})),
     ["cannot read the model file", "compression"], ("predict",)),  # NotImplementedError let through
    ("zip-bzip2-member", raw_members(lambda e: e.update({"0.bias.npy": (
        "0.bias.npy", zipfile.ZIP_BZIP2, e["0.bias.npy"][2], __import__("bz2").compress(e["0.bias.npy"][3]), 144, 0)})),
     None, ("predict",)),  # harmless: another compression zipfile reads; the same values
    ("zip-wrong-crc", raw_members(lambda e: e.update({"0.bias.npy": (*e["0.bias.npy"][:2], 1234,
                                                                     *e["0.bias.npy"][3:])})),
     ["cannot read the model file", "CRC"], BOTH),
    ("zip-deflate-garbage", raw_members(lambda e: e.update({"0.bias.npy": ("0.bias.npy", zipfile.ZIP_DEFLATED, 0,
                                                                           b"\xff" * 64, 144, 0)})),
     ["cannot read the model file", "decompressing"], BOTH),  # zlib.error is no ValueError: it reached the boundary
    ("zip-lzma-garbage", raw_members(lambda e: e.update({"0.bias.npy": ("0.bias.npy", zipfile.ZIP_LZMA, 0,
                                                                        b"\x09\x04\x05\x00" + b"\xff" * 64, 144, 0)})),
     ["cannot read the model file"], ("predict",)),  # lzma.LZMAError, likewise
    ("zip-bzip2-garbage", raw_members(lambda e: e.update({"0.bias.npy": ("0.bias.npy", zipfile.ZIP_BZIP2, 0,
                                                                         b"BZh9" + b"\xff" * 64, 144, 0)})),
     ["cannot read the model file"], ("predict",)),
    ("zip-4097-members", members(lambda m: m.update({f"x{i}.npy": b"" for i in range(4097)})), ["extra ["],
     ("predict",)),
]

IDS = [case[0] for case in CASES]
assert len(IDS) == len(set(IDS))


@pytest.mark.parametrize("name, damage, words, command",
                         [(name, damage, words, command) for name, damage, words, commands in CASES
                          for command in commands],
                         ids=[f"{name}-{command}" for name, _, _, commands in CASES for command in commands])
def test_hostile_model_is_refused_in_one_line_or_answered_correctly(capsys, tmp_path, saved, good_answers, name,
                                                                     damage, words, command):
    directory = tmp_path / "m"
    shutil.copytree(saved, directory)
    damage(directory)
    code, out, err = run(capsys, command, directory, *PAGE)
    if words is None:
        assert code == 0 and err == "", err
        if name == "meta-split-before-data":  # every day counts as after training: the interval calibrates on
            # more days, the forecast itself is the same
            assert [row.split("│")[3] for row in answer(out, command)] == [
                row.split("│")[3] for row in good_answers[command]]
        elif name != "digest-mismatch-no-digest":
            assert answer(out, command) == good_answers[command]
        else:  # a zero last bias: another forecast, not a crash
            assert len(answer(out, command)) == 1 and answer(out, command) != good_answers[command]
    else:
        line = refusal(code, out, err, command)
        assert all(word in line for word in words), (words, line)
        assert "root:" not in line and "set_int_max_str_digits" not in line and " at 0x" not in line


@pytest.mark.parametrize("name", ["meta-days-1e9", "meta-units-1e9", "meta-units-layers-too-big", "npy-8TiB-header",
                                  "zip-bomb-1GiB", "npy-long-data"])
def test_huge_claims_are_refused_before_a_model_is_built_or_an_array_read(capsys, tmp_path, saved, monkeypatch,
                                                                         name):
    """A loader that builds the model (allocating days x units weights) or reads the array before checking
    the claimed sizes would call one of these; a call would also reach the boundary ("unexpected")."""
    from gradstep import run as runs
    calls = []
    monkeypatch.setattr(runs, "build_model", lambda *args, **kwargs: calls.append("build_model"))
    monkeypatch.setattr(np.lib.format, "read_array", lambda *args, **kwargs: calls.append("read_array"))
    directory = tmp_path / "m"
    shutil.copytree(saved, directory)
    damage, words = next((damage, words) for case, damage, words, _ in CASES if case == name)
    damage(directory)
    line = refusal(*run(capsys, "predict", directory, *PAGE))
    assert all(word in line for word in words) and calls == []


def test_a_csv_path_in_the_model_is_never_opened_or_shown(capsys, tmp_path, saved):
    """spec.data.csv = /etc/shadow: without --csv the model's word is not enough to open a file (an
    implementation that did would print its first line in the error); with --page the model works."""
    directory = tmp_path / "m"
    shutil.copytree(saved, directory)
    secret = tmp_path / "secret.csv"
    secret.write_text("date,views\n2021-01-01,SECRET-CONTENT\n")
    for path in ("/etc/shadow", str(secret)):
        setting("spec.data", {"csv": path, "days": 7})(directory)
        for command in ("predict", "evaluate"):
            code, out, err = run(capsys, command, directory)
            line = refusal(code, out, err, command)
            assert "trained on a CSV file" in line and "--csv FILE" in line
            assert path not in out + err and "SECRET" not in out + err and "root:" not in out + err
        code, out, err = run(capsys, "predict", directory, *PAGE)
        assert code == 0 and "forecast of" in out and path not in out


def test_a_page_the_model_names_is_looked_up_only_among_the_built_in_pages(capsys, tmp_path, saved):
    directory = tmp_path / "m"
    shutil.copytree(saved, directory)
    setting("spec.data.page", "../../../etc/passwd")(directory)
    code, out, err = run(capsys, "predict", directory)
    assert code == 2 and err.count("\n") == 1 and "unknown page" in err and "root:" not in err
    assert len(err) <= 401  # the whole line, prefix included, is cut at 400 characters


def test_evaluate_refuses_overlapping_ranges_that_predict_does_not_need(capsys, tmp_path, saved):
    directory = tmp_path / "m"
    shutil.copytree(saved, directory)
    setting("split.test", ["2020-06-01", "2021-02-14"])(directory)
    code, out, err = run(capsys, "evaluate", directory, *PAGE)
    assert "overlap" in refusal(code, out, err, "evaluate")
    setting("split.train", ["1700-01-01", "1700-12-31"])(directory)
    setting("split.test", ["1701-01-01", "1701-02-14"])(directory)
    code, out, err = run(capsys, "evaluate", directory, *PAGE)
    assert "1700" in refusal(code, out, err, "evaluate")


def test_an_8_TiB_header_is_refused_by_the_reader_before_reading(tmp_path):
    """Without expected shapes (the reader alone), the claimed size is checked before numpy allocates it."""
    path = tmp_path / "model.npz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("w.npy", npy((1 << 41,), data=bytes(64)))  # 2**41 float32: 8 TiB
    with pytest.raises(InputError, match=r"'w' claims 192 bytes for an array of 8,796,093,022,208"):
        load_arrays(path)


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 30
