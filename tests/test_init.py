"""``import gradstep as gs`` reaches every part, and imports each heavy part only when it is used."""

import subprocess
import sys

import pytest


def imported_after(code: str) -> set:
    """The top-level modules loaded by a fresh interpreter that runs ``code``."""
    out = subprocess.run([sys.executable, "-c", code + "\nimport sys; print(' '.join(sys.modules))"],
                         capture_output=True, text=True, check=True).stdout
    return {name.split(".")[0] for name in out.split()}


def test_the_command_line_starts_without_the_heavy_libraries():
    loaded = imported_after("import gradstep.cli")
    assert not loaded & {"pandas", "matplotlib", "rich", "torch", "threadpoolctl"}


def test_training_needs_neither_pandas_nor_the_csv_reader():
    loaded = imported_after("import gradstep.training")
    assert "pandas" not in loaded and "matplotlib" not in loaded


@pytest.mark.parametrize("name", ["data", "nn", "optim", "losses", "training", "spec", "run", "Tensor", "fit",
                                  "RunSpec", "Trainer", "Forecaster", "gradcheck", "manual_seed", "no_grad"])
def test_every_part_is_reachable_from_the_package(name):
    import gradstep as gs
    assert getattr(gs, name) is not None and name in dir(gs)


def test_gradcheck_stays_the_function_after_its_module_is_imported():
    import gradstep as gs
    import gradstep.gradcheck  # noqa: F401
    assert callable(gs.gradcheck) and gs.gradcheck.__name__ == "gradcheck"


def test_unknown_names_raise_attribute_error():
    import gradstep as gs
    with pytest.raises(AttributeError, match="no attribute 'nonsense'"):
        gs.nonsense  # noqa: B018


def test_old_names_keep_working():
    from gradstep.data import iterate_batches, resolve_batch_size, updates_per_epoch
    from gradstep.train import EarlyStopping, Trainer
    from gradstep.training import iterate_batches as moved
    assert iterate_batches is moved and callable(resolve_batch_size) and callable(updates_per_epoch)
    assert Trainer.__module__ == "gradstep.training.trainer" and EarlyStopping


def test_moved_and_replaced_names_say_where_they_went():
    from gradstep.nn import Sequential
    from gradstep.nn.module import Sequential as old
    assert old is Sequential
    with pytest.raises(ImportError, match="replaced in 0.2 by the parts of gradstep.RunSpec"):
        from gradstep.forecast import ModelConfig  # noqa: F401
