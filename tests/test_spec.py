"""RunSpec: defaults, the checks of every field, JSON round trips, cross-field rules and replace()."""

import dataclasses
import inspect
import json
import math

import pytest

from gradstep.errors import InputError
from gradstep.spec import SECTIONS, DataSpec, ModelSpec, RegularizationSpec, RunSpec, TrainSpec, spec_fields
from gradstep.training import Trainer

HUGE = 10**400

# Bad values for every field of every section (a field missing here fails test_every_field_has_bad_values).
BAD = {
    "page": ["", 5, "a\0b", "x" * 5000, b"page"],
    "csv": ["", 3.0, "a\0b", "x" * 5000],
    "date_column": ["", 0, ["date"]],
    "value_column": ["", 1, ("views",)],
    "fill": ["mean", "", 0, True],
    "days": [0, -1, 3651, 1.5, "7", True, None, HUGE, -HUGE, math.nan, math.inf],
    "train": ["2017-01-01", ("2017-01-01",), ("2017-01-01", 2020), ("a", "b", "c"), 5],
    "test": ["2021-01-01:2021-02-14", ["2021-01-01"], (None, None), 0],
    "valid_days": [-1, 36501, True, 2.5, "45", None, HUGE],
    "kind": ["cnn", "Linear", "", None, 1],
    "units": [0, 4097, 1.5, False, "8", None, HUGE],
    "layers": [0, 17, True, 2.5, None, HUGE],
    "dropout": [-0.1, 1.0, 1, True, "0.5", None, math.nan, HUGE],
    "dtype": ["float16", "int32", None, float],
    "loss": ["l2", "MAE", None, 1],
    "optimizer": ["rmsprop", "Adam", None],
    "lr": [0, -0.1, 1e10, math.nan, math.inf, True, "0.01", None, HUGE, -HUGE],
    "momentum": [-0.1, 1.0, True, math.nan, HUGE],
    "epochs": [0, -3, 100_001, 2.5, True, "3", None, HUGE],
    "batch_size": [0, -1, 10_000_001, 1.5, True, "full", HUGE],
    "seed": [-1, 2**32, 1.5, True, "0", None, HUGE],
    "patience": [0, -1, 100_001, 2.5, False, "3", HUGE],
    "l1": [-0.001, 1001, True, math.nan, "0", None, HUGE],
    "weight_decay": [-1, 1e4, False, math.inf, None, HUGE],
    "input_noise": [-0.1, 10.5, True, math.nan, None, HUGE],
    "augment": ["flip", "", "Scale", True, 0],
}

SECTION_OF = {item.name: section for section, item in spec_fields()}


def test_defaults_are_the_lectures():
    assert TrainSpec() == TrainSpec(loss="mae", optimizer="adam", lr=0.001, momentum=0.0, epochs=100, batch_size=32,
                                    seed=0, patience=None)
    train = TrainSpec()
    assert (train.loss, train.optimizer, train.lr, train.epochs, train.batch_size, train.seed) == \
        ("mae", "adam", 0.001, 100, 32, 0)
    data, model, regularization = DataSpec(), ModelSpec(), RegularizationSpec()
    assert (data.page, data.csv, data.days, data.train, data.test, data.valid_days, data.fill) == \
        (None, None, 56, None, None, 0, None)
    assert (model.kind, model.units, model.layers, model.dropout, model.dtype) == ("linear", 100, 1, 0.0, "float32")
    assert (regularization.l1, regularization.weight_decay, regularization.input_noise, regularization.augment) == \
        (0.0, 0.0, 0.0, None)
    assert RunSpec() == RunSpec(DataSpec(), ModelSpec(), TrainSpec(), RegularizationSpec())


def test_the_trainer_defaults_are_the_train_specs():
    parameters = inspect.signature(Trainer.__init__).parameters
    shared = {"loss", "optimizer", "lr", "momentum", "epochs", "batch_size", "seed"}
    assert shared <= set(parameters)
    for item in dataclasses.fields(TrainSpec):
        if item.name in parameters:
            assert parameters[item.name].default == item.default, item.name
            assert type(parameters[item.name].default) is type(item.default), item.name
    for name in ("l1", "weight_decay"):
        assert parameters[name].default == getattr(RegularizationSpec(), name)


def test_every_field_has_bad_values_and_help():
    assert set(BAD) == set(SECTION_OF)
    assert len(SECTION_OF) == len(spec_fields())  # no field name is shared by two sections
    for _, item in spec_fields():
        assert isinstance(item.metadata["help"], str) and item.metadata["help"].strip(), item.name
        assert "--" not in item.metadata["help"], item.name


@pytest.mark.parametrize("name,value", [(name, value) for name, values in BAD.items() for value in values])
def test_bad_values_are_refused_naming_the_parameter_as_python_does(name, value):
    kind = SECTIONS[SECTION_OF[name]]
    made = [lambda: kind(**{name: value}), lambda: RunSpec().replace(**{name: value}),
            lambda: RunSpec.from_dict({SECTION_OF[name]: {name: value}})]
    for make in made:
        with pytest.raises(InputError) as caught:
            make()
        message = str(caught.value)
        shown = repr(value)
        assert message.startswith(f"{name}={shown}" if len(shown) <= 60 else f"{name}="), message
        assert "--" not in message and "\n" not in message
        assert len(message) < 300


@pytest.mark.parametrize("name", [name for name, values in BAD.items() if HUGE in values])
def test_huge_numbers_give_a_short_input_error_not_an_overflow(name):
    for value in (HUGE, -HUGE):
        with pytest.raises(InputError) as caught:
            RunSpec().replace(**{name: value})
        assert len(str(caught.value)) < 300 and str(caught.value).startswith(f"{name}=")


@pytest.mark.parametrize("name", ["days", "units", "epochs", "lr", "dropout", "l1", "input_noise", "seed",
                                  "batch_size", "patience", "momentum", "weight_decay", "valid_days", "layers"])
def test_bools_are_not_numbers(name):
    for flag in (True, False):
        with pytest.raises(InputError, match=f"^{name}={flag}"):
            RunSpec().replace(**{name: flag})


def test_good_values_are_kept_and_normalised():
    spec = RunSpec().replace(days=7.0, lr=1, dropout=0, units=3.0, epochs=1, seed=2**32 - 1,
                             train=["2017-01-01", "2020-12-31"], batch_size=None, momentum=0)
    assert spec.data.days == 7 and type(spec.data.days) is int
    assert spec.model.units == 3 and type(spec.model.units) is int
    assert spec.train.lr == 1.0 and type(spec.train.lr) is float
    assert type(spec.model.dropout) is float
    assert spec.data.train == ("2017-01-01", "2020-12-31")
    assert spec.train.batch_size is None
    edges = RunSpec().replace(days=1, valid_days=36500, dropout=0.999, layers=16, units=4096, lr=1e9, l1=1e3)
    assert (edges.data.days, edges.model.layers, edges.train.lr) == (1, 16, 1e9)


def test_specs_are_frozen_and_hashable():
    spec = RunSpec().replace(train=["2017-01-01", "2020-12-31"])
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.train.lr = 0.1
    assert hash(spec) == hash(RunSpec().replace(train=("2017-01-01", "2020-12-31")))


def test_json_round_trip_keeps_every_field():
    spec = RunSpec(
        data=DataSpec(page="Standard_deviation", days=7, train=("2017-01-01", "2020-06-30"),
                      test=("2020-07-01", "2020-08-14"), valid_days=30, fill="zero"),
        model=ModelSpec(kind="relu", units=8, layers=2, dropout=0.25, dtype="float64"),
        train=TrainSpec(loss="huber", optimizer="sgd", lr=0.01, momentum=0.9, epochs=7, batch_size=None,
                        seed=7, patience=3),
        regularization=RegularizationSpec(l1=0.001, weight_decay=0.01, input_noise=0.1, augment="scale"))
    saved = spec.to_dict()
    assert set(saved) == {"data", "model", "train", "regularization"}
    assert saved["data"]["train"] == ["2017-01-01", "2020-06-30"] and saved["train"]["batch_size"] is None
    back = RunSpec.from_dict(json.loads(json.dumps(saved)))
    assert back == spec
    assert back.data.train == ("2017-01-01", "2020-06-30") and isinstance(back.data.test, tuple)
    assert back.train.batch_size is None
    assert RunSpec.from_dict(json.loads(json.dumps(RunSpec().to_dict()))) == RunSpec()


def test_missing_sections_and_fields_take_their_defaults():
    assert RunSpec.from_dict({}) == RunSpec()
    assert RunSpec.from_dict({"train": {"lr": 0.01}}) == RunSpec(train=TrainSpec(lr=0.01))


@pytest.mark.parametrize("values,where", [
    ({"dataa": {}}, "dataa"),
    ({"data": {"dayz": 7}}, "dayz"),
    ({"train": {"lr": 0.01, "learning_rate": 0.01}}, "learning_rate"),
    ({"model": {"kind": "linear"}, "optim": {}}, "optim"),
])
def test_unknown_sections_and_fields_are_refused(values, where):
    with pytest.raises(InputError, match=where):
        RunSpec.from_dict(values)


@pytest.mark.parametrize("values", [[], "spec", None, {"data": []}, {"train": None}, {"model": "relu"}])
def test_from_dict_refuses_what_is_not_a_dict(values):
    with pytest.raises(InputError):
        RunSpec.from_dict(values)


def test_sections_must_have_their_own_type():
    with pytest.raises(InputError, match="^data"):
        RunSpec(data=ModelSpec())
    with pytest.raises(InputError, match="^train"):
        RunSpec(train={"lr": 0.1})


def test_patience_needs_a_validation_part():
    with pytest.raises(InputError, match="patience=3"):
        RunSpec(train=TrainSpec(patience=3))
    with pytest.raises(InputError, match="valid_days"):
        RunSpec().replace(patience=3, valid_days=0)
    assert RunSpec().replace(patience=3, valid_days=1).train.patience == 3
    with pytest.raises(InputError, match="patience"):
        RunSpec.from_dict({"train": {"patience": 2}})


def test_momentum_is_for_sgd_only():
    for optimizer in ("adam", "adamw"):
        with pytest.raises(InputError, match="momentum"):
            TrainSpec(optimizer=optimizer, momentum=0.9)
        with pytest.raises(InputError, match="momentum"):
            RunSpec().replace(optimizer=optimizer, momentum=0.5)
        assert TrainSpec(optimizer=optimizer, momentum=0.0).momentum == 0.0
    assert TrainSpec(optimizer="sgd", momentum=0.9).momentum == 0.9
    with pytest.raises(InputError, match="momentum"):
        RunSpec().replace(momentum=0.9)  # the default optimizer is adam


def test_page_and_csv_are_exclusive():
    with pytest.raises(InputError, match="page or csv"):
        DataSpec(page="Standard_deviation", csv="views.csv")
    with pytest.raises(InputError):
        RunSpec().replace(page="Standard_deviation", csv="views.csv")
    assert DataSpec(csv="views.csv").describe() == "views.csv"
    assert DataSpec().describe() == "Standard_deviation"


def test_replace_routes_each_field_to_its_section():
    spec = RunSpec()
    changed = spec.replace(days=7, train=("2017-01-01", "2020-06-30"), kind="relu", units=5, lr=0.01, epochs=3,
                           optimizer="sgd", momentum=0.5, l1=0.1, augment="scale")
    assert changed.data == DataSpec(days=7, train=("2017-01-01", "2020-06-30"))
    assert changed.model == ModelSpec(kind="relu", units=5)
    assert changed.train == TrainSpec(lr=0.01, epochs=3, optimizer="sgd", momentum=0.5)
    assert changed.regularization == RegularizationSpec(l1=0.1, augment="scale")
    assert spec == RunSpec()  # the original is untouched
    assert spec.replace() == spec
    only_model = spec.replace(dropout=0.5)
    assert (only_model.data, only_model.train, only_model.regularization) == (spec.data, spec.train,
                                                                                spec.regularization)


@pytest.mark.parametrize("name", ["nope", "data", "regularization", "learning_rate", "model"])
def test_replace_refuses_unknown_names(name):
    with pytest.raises(InputError, match=name):
        RunSpec().replace(**{name: 1})


@pytest.mark.parametrize("value", [("foo", "bar"), ("2020-12-31", "2017-01-01"), ("", "")])
def test_date_ranges_are_checked_when_the_spec_is_made(value):
    with pytest.raises(InputError, match="^train="):
        DataSpec(train=value)


def test_the_specs_choices_are_the_registries():
    """The spec names its choices without importing the engine; these are the names the engine knows."""
    from gradstep import losses, optim, spec
    from gradstep.data import csvfile
    assert spec.LOSS_NAMES == tuple(losses.LOSSES) and spec.OPTIMIZER_NAMES == tuple(optim.OPTIMIZERS)
    assert spec.FILLS == csvfile.FILLS
