"""Files written whole or not at all, arrays without pickles, and one-line errors for bad paths."""

import json
import os

import numpy as np
import pytest

from gradstep.errors import InputError
from gradstep.io import atomic_path, load_arrays, read_json, save_arrays, writable_directory, write_json, write_text


def test_atomic_path_renames_a_temporary_beside_the_target_and_creates_parents(tmp_path):
    target = tmp_path / "new" / "dir" / "model.json"
    with atomic_path(target) as temporary:
        assert temporary.parent == target.parent and temporary.exists() and not target.exists()
        assert temporary.name.startswith(".model.json.") and temporary.suffix == ".tmp"
        temporary.write_text("done")
    assert target.read_text() == "done"
    assert os.listdir(target.parent) == ["model.json"]


def test_atomic_path_that_cannot_make_its_temporary_names_the_target():
    """/proc takes no new files, even from root: the error, raised before the block runs, names the file asked
    for, not the hidden temporary."""
    with pytest.raises(OSError) as error:
        with atomic_path("/proc/gradstep-plot.png") as temporary:
            temporary.write_text("never reached")
    assert error.value.filename == "/proc/gradstep-plot.png" and error.value.strerror
    assert not [name for name in os.listdir("/proc") if name.startswith((".gradstep-plot", "gradstep-plot"))]



def test_atomic_path_onto_a_directory_names_the_directory_and_leaves_no_temporary(tmp_path):
    (tmp_path / "plot.png").mkdir()
    with pytest.raises(OSError) as error:
        with atomic_path(tmp_path / "plot.png") as temporary:
            temporary.write_text("png")
    assert error.value.filename == str(tmp_path / "plot.png") and error.value.strerror
    assert os.listdir(tmp_path) == ["plot.png"] and os.listdir(tmp_path / "plot.png") == []


@pytest.mark.parametrize("existing", [None, "old contents"])
def test_atomic_path_on_an_exception_leaves_no_temporary_and_the_target_untouched(tmp_path, existing):
    target = tmp_path / "history.csv"
    if existing is not None:
        target.write_text(existing)
    with pytest.raises(RuntimeError, match="interrupted"):
        with atomic_path(target) as temporary:
            temporary.write_text("half written")
            raise RuntimeError("interrupted")
    assert os.listdir(tmp_path) == ([] if existing is None else ["history.csv"])
    if existing is not None:
        assert target.read_text() == existing


def test_write_text_and_write_json_round_trip_and_overwrite(tmp_path):
    path = tmp_path / "notes.md"
    write_text(path, "first")
    write_text(path, "∂L/∂θ, η = 0.1\n")
    assert path.read_bytes() == "∂L/∂θ, η = 0.1\n".encode("utf-8")
    value = {"z": [1, 2.5, None], "a": {"name": "relu", "ok": True}}
    write_json(tmp_path / "model.json", value)
    text = (tmp_path / "model.json").read_text(encoding="utf-8")
    assert text == json.dumps(value, indent=2) + "\n"  # keys in the given order, indented, newline-terminated
    assert read_json(tmp_path / "model.json") == value
    assert sorted(os.listdir(tmp_path)) == ["model.json", "notes.md"]


def test_save_and_load_arrays_round_trip_names_dtypes_and_shapes(tmp_path):
    arrays = {"0.weight": np.arange(6, dtype=np.float32).reshape(2, 3), "0.bias": np.array([0.5]),
              "scalar": np.array(7.0)}
    path = tmp_path / "out" / "model.npz"
    save_arrays(path, arrays)
    loaded = load_arrays(path)
    assert list(loaded) == list(arrays)
    for key, value in arrays.items():
        assert loaded[key].dtype == value.dtype and loaded[key].shape == value.shape
        np.testing.assert_array_equal(loaded[key], value)
    assert os.listdir(path.parent) == ["model.npz"]


def test_load_arrays_refuses_a_pickled_object_array(tmp_path):
    path = tmp_path / "model.npz"
    np.savez(path, weight=np.array([{"not": "an array"}], dtype=object))
    with pytest.raises(InputError, match=r"model\.npz holds Python objects in 'weight', which gradstep never loads"):
        load_arrays(path)


def test_load_arrays_missing_and_corrupt_files(tmp_path):
    with pytest.raises(InputError, match=r"^no saved model at .*missing\.npz; train one first with: gradstep train"):
        load_arrays(tmp_path / "missing.npz")
    good = tmp_path / "good.npz"
    save_arrays(good, {"w": np.ones(1000)})
    (tmp_path / "truncated.npz").write_bytes(good.read_bytes()[:300])
    (tmp_path / "text.npz").write_text("not a zip")
    for name in ("truncated.npz", "text.npz"):
        with pytest.raises(InputError, match=r"^cannot read the model file"):
            load_arrays(tmp_path / name)


def test_writable_directory_accepts_existing_and_creatable_directories(tmp_path):
    assert writable_directory(tmp_path) == tmp_path
    later = tmp_path / "runs" / "first"
    assert writable_directory(str(later)) == later
    assert not (tmp_path / "runs").exists()  # checked, not created


def test_writable_directory_refuses_a_file_and_a_path_under_a_file(tmp_path):
    file = tmp_path / "model.npz"
    file.write_bytes(b"")
    with pytest.raises(InputError, match=r"^--plots .*model\.npz is a file, not a directory; choose a directory name$"):
        writable_directory(file, option="--plots")
    file.chmod(0o700)  # writable and "executable" too: only its not being a directory stops it
    with pytest.raises(InputError, match=r"^--out .*sub: cannot create or write in .*model\.npz; choose a directory"):
        writable_directory(file / "sub")


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root may write anywhere, so an unwritable parent cannot be made")
def test_writable_directory_refuses_an_unwritable_parent(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(InputError, match="cannot create or write in"):
            writable_directory(locked / "out")
    finally:
        locked.chmod(0o700)


def test_read_json_errors_name_the_problem(tmp_path):
    with pytest.raises(InputError, match=r"^no model\.json in .*; is it a directory written by gradstep train\?$"):
        read_json(tmp_path / "model.json")
    (tmp_path / "broken.json").write_text('{"lr": 0.1,')
    (tmp_path / "latin1.json").write_bytes('{"name": "Zürich"}'.encode("latin-1"))
    for name in ("broken.json", "latin1.json"):
        with pytest.raises(InputError, match=r"^cannot read .*; train the model again with gradstep train$"):
            read_json(tmp_path / name)
