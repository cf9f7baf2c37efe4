"""Resuming, sizes checked before work, and the CLI's one-line boundary (killed and concurrent trainings:
tests/test_cli_kills.py)."""

import time

import numpy as np
import pytest

from gradstep import cli, run as runs
from gradstep.cli import main, one_line
from gradstep.errors import InputError
from gradstep.modeldir import ModelDirectory
from gradstep.spec import DataSpec, ModelSpec, RunSpec, TrainSpec


def test_resume_refuses_changed_options_missing_checkpoints_and_other_data(capsys, tmp_path):
    out = tmp_path / "m"
    assert main(["train", "--resume", "--out", str(out)]) == 2
    assert "there is no checkpoint of an interrupted training" in capsys.readouterr().err
    with ModelDirectory(out) as target:
        spec = RunSpec(data=DataSpec(csv=str(tmp_path / "views.csv")))
        target.save_checkpoint({"spec": spec.to_dict(), "data_sha256": "0" * 64}, {"epoch": 1})
    assert main(["train", "--resume", "--lr", "0.1", "--batch-size", "8", "--epochs", "100", "--out", str(out)]) == 2
    assert capsys.readouterr().err == ("gradstep train: error: --resume continues the interrupted training with its "
                                       "own options, and --lr 0.1, --batch-size 8 differ from them; drop them or "
                                       "train again without --resume\n")
    assert main(["train", "--resume", "--out", str(out)]) == 2
    assert "read a CSV file; pass the same file again with --csv FILE" in capsys.readouterr().err
    csv = tmp_path / "views.csv"
    csv.write_text("date,views\n" + "".join(f"2021-01-{d:02d},{d * 10}\n" for d in range(1, 31)))
    assert main(["train", "--resume", "--csv", str(csv), "--out", str(out)]) == 2
    assert "the data differs from the data the interrupted training read" in capsys.readouterr().err


def test_a_fresh_training_replaces_a_stale_checkpoint_and_says_so(capsys, tmp_path):
    out = tmp_path / "m"
    with ModelDirectory(out) as target:
        target.save_checkpoint({}, {"epoch": 1})
    assert main(["train", "--epochs", "1", "--quiet", "--out", str(out)]) == 0
    assert "note: starting over; the checkpoint of an interrupted training" in capsys.readouterr().out
    assert sorted(entry.name for entry in tmp_path.iterdir()) == ["m"]


@pytest.mark.parametrize("every", [0.0, 1e9])
def test_fit_continued_from_any_saved_state_gives_the_uninterrupted_run(tmp_path, every):
    """Through the checkpoint files (JSON and npz), from every epoch: same weights, same history."""
    spec = RunSpec(data=DataSpec(days=7, valid_days=30), model=ModelSpec(kind="relu", units=8, layers=2, dropout=0.2),
                   train=TrainSpec(epochs=12, batch_size=64, patience=4, seed=3)).replace(input_noise=0.1, l1=1e-4)
    series = runs.load_series(spec.data).loc["2019-06-01":"2021-03-01"]
    plain = runs.fit(spec, series)
    target = ModelDirectory(tmp_path / "m").__enter__()
    states = []

    def save(state):
        target.save_checkpoint({}, state)
        states.append(target.load_checkpoint()[1])
    checked = runs.fit(spec, series, checkpoint=save, checkpoint_every=every)
    assert len(states) == (plain.epochs_run if every == 0 else 1)  # after each epoch, or only the first
    for state in [checked, *states]:
        again = state if isinstance(state, runs.Run) else runs.fit(spec, series, state=state)
        for key, value in plain.model.state_dict().items():
            assert np.array_equal(again.model.state_dict()[key], value)
        columns = ["epoch", "train_loss", "valid_loss", "train_mae", "valid_mae"]
        assert again.history[columns].equals(plain.history[columns])
        assert (again.stopped_early_at, again.best_epoch) == (plain.stopped_early_at, plain.best_epoch)
    target.close()


def test_a_state_from_another_training_is_refused():
    spec = RunSpec(data=DataSpec(days=7), train=TrainSpec(epochs=2))
    series = runs.load_series(spec.data).loc["2019-06-01":"2021-03-01"]
    states = []
    runs.fit(spec, series, checkpoint=states.append, checkpoint_every=0)
    other = spec.replace(kind="relu", units=4)
    with pytest.raises(InputError, match=r"^the saved training state does not fit this training \(.*\); start the "
                                         "training again$"):
        runs.fit(other, series, state=states[0])


@pytest.mark.parametrize("options, words", [
    (["--model", "relu", "--units", "4096", "--layers", "16"], "this model needs about 6.1 GiB (--units 4096, --layers 16, --days 56)"),
    (["--model", "relu", "--units", "4096", "--layers", "3", "--epochs", "100000"], "multiply-adds"),
])
def test_sizes_are_checked_before_any_work(capsys, tmp_path, options, words):
    started = time.monotonic()
    assert main(["train", *options, "--quiet", "--out", str(tmp_path / "m")]) == 2
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1 and not (tmp_path / "m").exists()
    assert time.monotonic() - started < 30  # refused, not attempted (a generous bound, not a speed test)


def test_training_size_counts_parameters_activations_and_work():
    spec = RunSpec(data=DataSpec(days=10), model=ModelSpec(kind="relu", units=20, layers=2),
                   train=TrainSpec(epochs=3, batch_size=8))
    parameters = 20 * 10 + 20 + 20 * 20 + 20 + 20 + 1
    memory, work = runs.training_size(spec, 100)
    assert memory == 5 * parameters * 4 + 4 * (8 + 100) * 20 * 2 * 4
    assert work == parameters * 100 * 3 * 4


@pytest.mark.parametrize("spec", [ModelSpec(), ModelSpec(kind="sigmoid", units=3), ModelSpec(kind="relu", units=5),
                                  ModelSpec(kind="relu", units=2, layers=3, dropout=0.5)])
def test_parameter_shapes_are_those_of_the_built_model(spec):
    built = runs.build_model(spec, 6, 0).state_dict()
    assert runs.parameter_shapes(spec, 6) == {key: value.shape for key, value in built.items()}


@pytest.mark.parametrize("error, words", [
    (MemoryError(), "out of memory; use a smaller model"),
    (RecursionError(), "nested too deeply"),
    (OverflowError("int too large to convert"), "unexpected OverflowError (int too large to convert); nothing was written"),
    (TypeError("bad operand"), "unexpected TypeError (bad operand); nothing was written. This is a bug in gradstep"),
    (InputError("line\nbreak \x1b[31mred " + "x" * 1000), r"line\nbreak \x1b[31mred xxx"),
])
def test_whatever_reaches_the_boundary_is_one_short_line_with_exit_2(capsys, monkeypatch, error, words):
    def failing(args, console):
        raise error
    monkeypatch.setitem(cli.COMMANDS, "data", failing)
    assert main(["data", "list"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("gradstep data: error: ") and words in err
    assert err.count("\n") == 1 and len(err) <= 430 and "\x1b" not in err


def test_one_line_escapes_control_characters_and_cuts_long_text():
    assert one_line("a\nb\tc\x1b[0m\u2028d") == r"a\nb\tc\x1b[0m\u2028d"
    assert one_line("x" * 10, limit=5) == "xxxx…" and one_line("x" * 5, limit=5) == "xxxxx"


def test_printed_file_names_are_escaped_and_not_read_as_markup(capsys, tmp_path):
    csv = tmp_path / "[bold]views\x1b[31m.csv"
    csv.write_text("date,views\n" + "".join(f"2021-{m:02d}-{d:02d},{(m * d) % 17 + 3}\n"
                                          for m in range(1, 13) for d in range(1, 29) if d <= 28) * 0
                   + "".join(f"{day:%Y-%m-%d},{i % 17 + 3}\n" for i, day in
                             enumerate(np.arange("2021-01-01", "2021-12-31", dtype="datetime64[D]").astype(object))))
    assert main(["train", "--csv", str(csv), "--days", "7", "--epochs", "1", "--quiet", "--out",
                 str(tmp_path / "m")]) == 0
    out = capsys.readouterr().out
    assert "[bold]views\\x1b[31m.csv" in out and "\x1b" not in out


