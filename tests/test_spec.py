"""RunSpec: defaults, the checks of every field, JSON round trips, cross-field rules and replace()."""

import dataclasses
import datetime
import fractions
import inspect
import json
import math

import numpy as np
import pytest

from gradstep.errors import InputError
from gradstep.spec import (FIELD_SECTION, SECTIONS, DataSpec, Interval, ModelSpec, OneOf, RegularizationSpec, RunSpec,
                           TrainSpec, parameter, spec_fields)
from gradstep.training import Trainer

HUGE = 10**400

# Bad values for every field of every section (a field missing here fails test_every_field_has_bad_values).
BAD = {
    "page": ["", 5, "a\0b", "x" * 5000, b"page"],
    "csv": ["", 3.0, "a\0b", "x" * 5000],
    "date_column": ["", 0, ["date"]],
    "value_column": ["", 1, ("views",)],
    "fill": ["mean", "", 0, True],
    "decimal": [";", "", 0, True, ",,"],
    "days": [0, -1, 3651, 1.5, "7", True, None, HUGE, -HUGE, math.nan, math.inf],
    "lags": ["1,7", 7, (), [], (0, 7), (1, 57), (7, 1), (1, 7, 7), (1.5,), (True,), ("7",), (HUGE,), (math.nan,),
             {1, 7}, (1, 3651)],
    "train": ["2017-01-01", ("2017-01-01",), ("2017-01-01", 2020), ("a", "b", "c"), 5],
    "test": ["2021-01-01:2021-02-14", ["2021-01-01"], (None, None), 0],
    "valid_days": [-1, 36501, True, 2.5, "45", None, HUGE],
    "valid_at": ["end", "Year_before", "", True, 0],
    "scale": ["log", "Window", "", True, 0],
    "pool": ["all", "Pages", "", True, 0],
    "kind": ["cnn", "Linear", "", None, 1],
    "units": [0, 4097, 1.5, False, "8", None, HUGE],
    "layers": [0, 17, True, 2.5, None, HUGE],
    "dropout": [-0.1, 1.0, 1, True, "0.5", None, math.nan, HUGE],
    "dtype": ["float16", "int32", None, float],
    "ensemble": [0, 21, 2.5, True, "3", None, HUGE],
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
    assert (data.page, data.csv, data.days, data.train, data.test, data.valid_days, data.fill, data.scale) == \
        (None, None, 56, None, None, 0, None, None)
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
        data=DataSpec(csv="channel.csv", date_column="Date", value_column="Views", days=7, lags=(1, 2, 7),
                      train=("2017-01-01", "2020-06-30"), test=("2020-07-01", "2020-08-14"), valid_days=30,
                      fill="zero"),
        model=ModelSpec(kind="relu", units=8, layers=2, dropout=0.25, dtype="float64"),
        train=TrainSpec(loss="huber", optimizer="sgd", lr=0.01, momentum=0.9, epochs=7, batch_size=None,
                        seed=7, patience=3),
        regularization=RegularizationSpec(l1=0.001, weight_decay=0.01, input_noise=0.1, augment="scale"))
    saved = spec.to_dict()
    assert set(saved) == {"data", "model", "train", "regularization"}
    assert saved["data"]["train"] == ["2017-01-01", "2020-06-30"] and saved["train"]["batch_size"] is None
    assert saved["data"]["lags"] == [1, 2, 7]
    back = RunSpec.from_dict(json.loads(json.dumps(saved)))
    assert back == spec
    assert back.data.train == ("2017-01-01", "2020-06-30") and isinstance(back.data.test, tuple)
    assert back.train.batch_size is None and back.data.lags == (1, 2, 7)
    assert RunSpec.from_dict(json.loads(json.dumps(RunSpec().to_dict()))) == RunSpec()
    windowed = RunSpec().replace(scale="window")
    assert RunSpec.from_dict(json.loads(json.dumps(windowed.to_dict()))).data.scale == "window"


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


# --- Exact messages, texts and orders (each message starts with name=value and says what is allowed) ---------

DAYS = "a whole number from 1, at most 3650"
DROPOUT = "a number from 0, below 1"
LR = "a number from 1e-12, at most 1e+09"
BATCH = "a whole number from 1, at most 10000000, or None for full batch"
PATIENCE = "a whole number from 1, at most 100000, or None for no early stopping"
KINDS = "'linear', 'sigmoid', 'relu', 'naive', 'seasonal_naive'"
TRAIN_RANGE = ("a (start, end) pair of dates like ('2017-01-01', '2020-12-31') "
               "or None (2017-01-01..2020-12-31, or all but the last 45 days)")
LAGS = ("a sorted tuple of distinct whole numbers from 1 to days (at most 3650), e.g. (1, 7, 14), "
        "or None for all days")
TEST_RANGE = ("a (start, end) pair of dates like ('2017-01-01', '2020-12-31') "
              "or None (2021-01-01..2021-02-14, or the last 45 days)")

MESSAGES = [
    # Interval: int and float kinds, open_high, none, not a number, not whole, NaN, huge, NumPy scalars
    ("days", 0, f"days=0 is out of range; it must be {DAYS}"),
    ("days", 3651, f"days=3651 is out of range; it must be {DAYS}"),
    ("days", 1.5, f"days=1.5 is not a whole number; it must be {DAYS}"),
    ("days", "7", f"days='7' is not a number; it must be {DAYS}"),
    ("days", True, f"days=True is not a number; it must be {DAYS}"),
    ("days", None, f"days=None is not a number; it must be {DAYS}"),
    ("days", math.nan, f"days=nan is not a whole number; it must be {DAYS}"),
    ("days", HUGE, f"days={'1' + '0' * 56}… is out of range; it must be {DAYS}"),
    ("days", -HUGE, f"days=-{'1' + '0' * 55}… is out of range; it must be {DAYS}"),
    ("dropout", 1.0, f"dropout=1.0 is out of range; it must be {DROPOUT}"),
    ("dropout", 1, f"dropout=1 is out of range; it must be {DROPOUT}"),
    ("dropout", -0.1, f"dropout=-0.1 is out of range; it must be {DROPOUT}"),
    ("dropout", math.nan, f"dropout=nan is out of range; it must be {DROPOUT}"),
    ("dropout", HUGE, f"dropout={'1' + '0' * 56}… is out of range; it must be {DROPOUT}"),
    ("lr", 0, f"lr=0 is out of range; it must be {LR}"),
    ("lr", math.inf, f"lr=inf is out of range; it must be {LR}"),
    ("lr", "0.01", f"lr='0.01' is not a number; it must be {LR}"),
    ("batch_size", 0, f"batch_size=0 is out of range; it must be {BATCH}"),
    ("batch_size", "full", f"batch_size='full' is not a number; it must be {BATCH}"),
    ("patience", 100_001, f"patience=100001 is out of range; it must be {PATIENCE}"),
    ("valid_days", 36501, "valid_days=36501 is out of range; it must be a whole number from 0, at most 36500"),
    ("units", 0, "units=0 is out of range; it must be a whole number from 1, at most 4096"),
    # _shown: a repr of 60 characters is shown whole, one of 61 is cut to 57 and "…"
    ("units", 10**59, f"units={10**59} is out of range; it must be a whole number from 1, at most 4096"),
    ("units", 10**60, f"units={'1' + '0' * 56}… is out of range; it must be a whole number from 1, at most 4096"),
    ("kind", "a" * 58, f"kind='{'a' * 58}' is not a choice; it must be one of {KINDS}"),
    ("kind", "a" * 59, f"kind='{'a' * 56}… is not a choice; it must be one of {KINDS}"),
    # OneOf with and without none
    ("kind", "cnn", f"kind='cnn' is not a choice; it must be one of {KINDS}"),
    ("kind", None, f"kind=None is not a choice; it must be one of {KINDS}"),
    ("dtype", "float16", "dtype='float16' is not a choice; it must be one of 'float32', 'float64'"),
    ("loss", 1, "loss=1 is not a choice; it must be one of 'mae', 'mse', 'huber'"),
    ("fill", "mean",
     "fill='mean' is not a choice; it must be one of 'interpolate', 'zero' or None (refuse missing days)"),
    ("augment", True, "augment=True is not a choice; it must be one of 'scale' or None (no augmentation)"),
    ("scale", "log", "scale='log' is not a choice; it must be one of 'window' or None (standardise with the "
                     "training part's mean and std)"),
    # Text: empty, too long, NUL, not a str
    ("page", "",
     "page='' is not a name; it must be a non-empty string or None (Standard_deviation, unless csv is given)"),
    ("csv", "x" * 4097, f"csv='{'x' * 56}… is not a name; it must be a non-empty string or None (the built-in page)"),
    ("csv", "a\0b", "csv='a\\x00b' is not a name; it must be a non-empty string or None (the built-in page)"),
    ("date_column", 0, "date_column=0 is not a name; it must be a non-empty string or None (found from the file)"),
    ("value_column", ("v",),
     "value_column=('v',) is not a name; it must be a non-empty string or None (found from the file)"),
    # DateRange: not ISO, a str, one or three dates, not iterable, reversed (shown as a tuple)
    ("train", ("2017-13-01", "2020-12-31"),
     f"train=('2017-13-01', '2020-12-31') is not a date range; it must be {TRAIN_RANGE}"),
    ("train", "2017-01-01", f"train='2017-01-01' is not a date range; it must be {TRAIN_RANGE}"),
    ("train", ("2017-01-01",), f"train=('2017-01-01',) is not a date range; it must be {TRAIN_RANGE}"),
    ("train", ("2017-01-01", "2018-01-01", "2019-01-01"),
     f"train=('2017-01-01', '2018-01-01', '2019-01-01') is not a date range; it must be {TRAIN_RANGE}"),
    ("test", 5, f"test=5 is not a date range; it must be {TEST_RANGE}"),
    ("train", ("2020-12-31", "2017-01-01"), "train=('2020-12-31', '2017-01-01') is empty: it ends before it starts; "
     "give the earlier date first"),
    ("test", ["2021-01-02", "2021-01-01"], "test=('2021-01-02', '2021-01-01') is empty: it ends before it starts; "
     "give the earlier date first"),
    # Lags: not a sequence, empty, an element out of range or not whole, repeated, unsorted (refused, not
    # sorted: model.json's order of weights is the order of its inputs), beyond days (DataSpec's own check)
    ("lags", "1,7", f"lags='1,7' is not a tuple of days; it must be {LAGS}"),
    ("lags", {1, 7}, f"lags={{1, 7}} is not a tuple of days; it must be {LAGS}"),
    ("lags", [], "lags=[] reads no day; give at least one, or None for all days"),
    ("lags", (0, 7), f"lags=(0, 7) holds 0; it must be {LAGS}"),
    ("lags", (1, 3651), f"lags=(1, 3651) holds 3651; it must be {LAGS}"),
    ("lags", (1, 7.5), f"lags=(1, 7.5) holds 7.5; it must be {LAGS}"),
    ("lags", (True, 2), f"lags=(True, 2) holds True; it must be {LAGS}"),
    ("lags", [1, 7, 7, 1, 3], "lags=[1, 7, 7, 1, 3] holds 1, 7 more than once; give each day once"),
    ("lags", (7, 1, 14), "lags=(7, 1, 14) is not in increasing order; give lags=(1, 7, 14)"),
    ("lags", (1, 57), "lags=(1, 57) reads the day 57 days before, beyond days=56; use lags of at most 56, or "
                      "days=57 or more"),
]


@pytest.mark.parametrize("name,value,message", MESSAGES)
def test_whole_error_messages(name, value, message):
    kind = SECTIONS[SECTION_OF[name]]
    for make in (lambda: kind(**{name: value}), lambda: RunSpec().replace(**{name: value}),
                 lambda: RunSpec.from_dict({SECTION_OF[name]: {name: value}})):
        with pytest.raises(InputError) as caught:
            make()
        assert str(caught.value) == message


def test_numpy_scalars_are_numbers_and_shown_as_given():
    spec = RunSpec().replace(days=np.int64(7), units=np.float64(3.0), lr=np.float32(0.5), dropout=np.float64(0.25))
    assert (spec.data.days, spec.model.units, spec.train.lr, spec.model.dropout) == (7, 3, 0.5, 0.25)
    assert type(spec.data.days) is int and type(spec.model.units) is int and type(spec.train.lr) is float
    for name, value, text in [("dropout", np.float64(2.0), f"is out of range; it must be {DROPOUT}"),
                              ("days", np.int64(0), f"is out of range; it must be {DAYS}"),
                              ("days", np.float32(2.5), f"is not a whole number; it must be {DAYS}"),
                              ("days", np.bool_(True), f"is not a number; it must be {DAYS}")]:
        with pytest.raises(InputError) as caught:
            RunSpec().replace(**{name: value})
        assert str(caught.value) == f"{name}={value!r} {text}"


def test_interval_describe():
    assert Interval(int, 1, 3650).describe() == "a whole number from 1, at most 3650"
    assert Interval(float, 0, 1, open_high=True).describe() == "a number from 0, below 1"
    assert Interval(float, 1e-12, 1e9).describe() == "a number from 1e-12, at most 1e+09"
    assert Interval(int, 1, 10, open_high=True, none="all").describe() == \
        "a whole number from 1, below 10, or None for all"
    assert Interval(float, 0.5, 2, none="off").describe() == "a number from 0.5, at most 2, or None for off"
    assert Interval(int, 1, 10, none="all").check("n", None) is None
    with pytest.raises(InputError, match="^n=None is not a number"):
        Interval(int, 1, 10).check("n", None)
    assert Interval(int, 1, 10, open_high=True).check("n", 9) == 9
    with pytest.raises(InputError, match="^n=10 is out of range"):
        Interval(int, 1, 10, open_high=True).check("n", 10)
    assert Interval(int, 1, 10).check("n", 10) == 10
    assert Interval(int, 1, 10).check("n", fractions.Fraction(6, 2)) == 3


def test_one_of_without_and_with_none():
    assert OneOf(("a", "b")).check("x", "b") == "b"
    assert OneOf(("a",), "off").check("x", None) is None
    with pytest.raises(InputError) as caught:
        OneOf(("a", "b")).check("x", "c")
    assert str(caught.value) == "x='c' is not a choice; it must be one of 'a', 'b'"
    with pytest.raises(InputError) as caught:
        OneOf(("a",), "off").check("x", ["a"])
    assert str(caught.value) == "x=['a'] is not a choice; it must be one of 'a' or None (off)"


def test_text_length_limit_is_4096():
    assert DataSpec(csv="x" * 4096).csv == "x" * 4096
    with pytest.raises(InputError, match="^csv="):
        DataSpec(csv="x" * 4097)


def test_date_ranges_are_normalised_and_may_be_one_day():
    assert DataSpec(train=("2020-01-01", "2020-01-01")).train == ("2020-01-01", "2020-01-01")
    assert DataSpec(test=[datetime.date(2021, 1, 1), datetime.date(2021, 2, 14)]).test == ("2021-01-01", "2021-02-14")
    assert DataSpec(train=["2017-01-01", "2020-12-31"]).train == ("2017-01-01", "2020-12-31")
    assert DataSpec(train=None).train is None


def test_parameter_makes_a_field_with_its_default_check_and_help():
    check = Interval(int, 1, 9)
    item = parameter(5, check, "five")
    assert item.default == 5
    assert dict(item.metadata) == {"check": check, "help": "five"}
    for section, item in spec_fields():
        assert set(item.metadata) == {"check", "help"}, item.name
        assert getattr(SECTIONS[section](), item.name) == item.default, item.name


def test_to_dict_turns_tuples_into_lists():
    saved = DataSpec(train=("2017-01-01", "2020-12-31"), test=("2021-01-01", "2021-02-14")).to_dict()
    assert type(saved["train"]) is list and saved["train"] == ["2017-01-01", "2020-12-31"]
    assert type(saved["test"]) is list and saved["test"] == ["2021-01-01", "2021-02-14"]
    assert list(saved) == [name for name, section in FIELD_SECTION.items() if section == "data"]
    assert ModelSpec().to_dict() == {"kind": "linear", "units": 100, "layers": 1, "dropout": 0.0, "dtype": "float32",
                                     "ensemble": 1}
    assert list(RunSpec().to_dict()) == ["data", "model", "train", "regularization"]


@pytest.mark.parametrize("make,message", [
    (lambda: ModelSpec.from_dict([]), "ModelSpec needs a dict of its fields, got list"),
    (lambda: RunSpec.from_dict({"model": "relu"}), "ModelSpec needs a dict of its fields, got str"),
    (lambda: RunSpec.from_dict({"train": None}), "TrainSpec needs a dict of its fields, got NoneType"),
    (lambda: ModelSpec.from_dict({"unitz": 1, "kinds": "relu", "kind": "relu"}),
     "ModelSpec has no field kinds, unitz; its fields are dropout, dtype, ensemble, kind, layers, units"),
    (lambda: RunSpec.from_dict({"train": {"learning_rate": 0.1}}),
     "TrainSpec has no field learning_rate; its fields are batch_size, epochs, loss, lr, momentum, optimizer, "
     "patience, seed"),
    (lambda: RunSpec.from_dict([]), "a run spec is a dict of sections, got list"),
    (lambda: RunSpec.from_dict("spec"), "a run spec is a dict of sections, got str"),
    (lambda: RunSpec.from_dict({"optim": {}, "dataa": {}, "data": {}}),
     "a run spec has no section dataa, optim; its sections are data, model, train, regularization"),
    (lambda: RunSpec(model={"kind": "relu"}), "model must be a ModelSpec, got dict"),
    (lambda: RunSpec(data=ModelSpec()), "data must be a DataSpec, got ModelSpec"),
    (lambda: RunSpec(regularization=None), "regularization must be a RegularizationSpec, got NoneType"),
    (lambda: RunSpec(train=TrainSpec(patience=3)),
     "early stopping (patience=3) needs a validation part; give one, e.g. valid_days=45"),
    (lambda: TrainSpec(momentum=0.9),
     "momentum applies to optimizer='sgd'; adam keeps its own running averages (got momentum=0.9)"),
    (lambda: DataSpec(page="p", csv="c.csv"), "give page or csv, not both (page='p', csv='c.csv')"),
    (lambda: RunSpec().replace(scale="window", augment="scale"),
     "augment='scale' changes the level of standardised windows, and scale='window' reads each window relative to "
     "its own level, which that hardly changes; drop one of them"),
    (lambda: RunSpec().replace(learning_rate=0.1),
     "a run spec has no field learning_rate; its fields are page, csv, date_column, value_column, fill, decimal, "
     "days, lags, train, test, valid_days, valid_at, scale, pool, kind, units, layers, dropout, dtype, ensemble, "
     "loss, optimizer, lr, momentum, epochs, batch_size, seed, patience, l1, weight_decay, input_noise, augment"),
])
def test_whole_structural_messages(make, message):
    with pytest.raises(InputError) as caught:
        make()
    assert str(caught.value) == message


def test_fields_are_in_declaration_order():
    expected = [("data", name) for name in ("page", "csv", "date_column", "value_column", "fill", "decimal", "days",
                                            "lags", "train", "test", "valid_days", "valid_at", "scale", "pool")]
    expected += [("model", name) for name in ("kind", "units", "layers", "dropout", "dtype", "ensemble")]
    expected += [("train", name) for name in ("loss", "optimizer", "lr", "momentum", "epochs", "batch_size", "seed",
                                              "patience")]
    expected += [("regularization", name) for name in ("l1", "weight_decay", "input_noise", "augment")]
    assert [(section, item.name) for section, item in spec_fields()] == expected
    assert list(FIELD_SECTION.items()) == [(name, section) for section, name in expected]


def test_data_describe():
    assert DataSpec(page="Python_(programming_language)").describe() == "Python_(programming_language)"
    assert DataSpec(csv="views.csv").describe() == "views.csv"
    assert DataSpec().describe() == "Standard_deviation"


def test_model_describe_for_each_kind():
    assert ModelSpec().describe(56) == "linear, 56 days"
    assert ModelSpec(kind="linear", units=8, layers=3).describe(7) == "linear, 7 days"
    assert ModelSpec(kind="sigmoid", units=8).describe(7) == "sigmoid, 8 units, 7 days"
    assert ModelSpec(kind="sigmoid", units=3, layers=2).describe(5) == "sigmoid, 3 units, 5 days"
    assert ModelSpec(kind="relu").describe(56) == "relu, 1 layer of 100, 56 days"
    assert ModelSpec(kind="relu", units=8, layers=2).describe(7) == "relu, 2 layers of 8, 7 days"
    assert ModelSpec(kind="relu", units=3, layers=16).describe(14) == "relu, 16 layers of 3, 14 days"


def test_limits_odd_keys_and_huge_fractions_give_input_errors():
    import fractions
    with pytest.raises(InputError, match=r"^seed=4294967296 is out of range; it must be a whole number from 0, "
                                         r"at most 4294967295$"):
        TrainSpec(seed=2**32)
    with pytest.raises(InputError, match="^units=.* is not a whole number"):
        ModelSpec(units=fractions.Fraction(10**400, 3))
    with pytest.raises(InputError, match="has no field 1, x"):
        ModelSpec.from_dict({1: 2, "x": 3})
    with pytest.raises(InputError, match="has no section 1, x"):
        RunSpec.from_dict({1: {}, "x": {}})
    assert ModelSpec("sigmoid", units=1).describe(7) == "sigmoid, 1 unit, 7 days"


def test_two_sigmoid_units_are_plural():
    assert ModelSpec("sigmoid", units=2).describe(7) == "sigmoid, 2 units, 7 days"


@pytest.mark.parametrize("given, words", [
    ({"fill": "zero"}, "fill='zero' applies to a CSV file"),
    ({"page": "Standard_deviation", "date_column": "Date", "value_column": "Views"},
     "date_column='Date' and value_column='Views' apply to a CSV file"),
])
def test_csv_options_without_a_csv_are_refused_not_ignored(given, words):
    with pytest.raises(InputError, match=f"^{words}, and the built-in pages have no gaps or columns to choose; give csv=FILE or drop"):
        DataSpec(**given)


def test_lags_are_normalised_to_a_tuple_of_ints():
    assert DataSpec().lags is None and DataSpec().n_inputs == 56
    data = DataSpec(days=14, lags=[1.0, np.int64(7), fractions.Fraction(14, 1)])
    assert data.lags == (1, 7, 14) and all(type(lag) is int for lag in data.lags) and data.n_inputs == 3
    assert DataSpec(days=3, lags=range(1, 4)).lags == (1, 2, 3)
    assert DataSpec(days=14, lags=(14,)).n_inputs == 1
    assert hash(RunSpec().replace(days=14, lags=[1, 7])) == hash(RunSpec().replace(days=14, lags=(1, 7)))


def test_a_long_repeated_lags_list_is_refused_quickly():
    """A model.json may hold a list of 300,000 lags; counting each one's repeats (quadratic) would hang."""
    with pytest.raises(InputError, match=r"^lags=\[1, 1, .*… holds 1 more than once"):
        DataSpec(days=7, lags=[1] * 300_000)


def test_lags_must_fit_days_whichever_changes():
    spec = RunSpec().replace(days=14, lags=(1, 7, 14))
    with pytest.raises(InputError, match=r"^lags=\(1, 7, 14\) reads the day 14 days before, beyond days=7"):
        spec.replace(days=7)
    assert spec.replace(days=7, lags=(1, 7)).data.lags == (1, 7)


@pytest.mark.parametrize("kind,lag", [("naive", 1), ("seasonal_naive", 7)])
def test_the_baselines_refuse_lags(kind, lag):
    """A baseline reads its own day, x1 or x7; with lags it would read a column lags moved."""
    with pytest.raises(InputError) as caught:
        RunSpec().replace(kind=kind, days=14, lags=(1, 7))
    assert str(caught.value) == (f"the {kind} baseline reads its own day (x{lag}), so lags=(1, 7) does not apply to "
                                 "it; drop lags")


def test_descriptions_name_the_days_read():
    assert ModelSpec().describe(56, (1, 7, 14, 28)) == "linear, 4 of 56 days (1, 7, 14, 28)"
    assert ModelSpec(kind="relu", units=8, layers=2).describe(14, (7,)) == "relu, 2 layers of 8, 1 of 14 days (7)"
    assert ModelSpec(kind="sigmoid", units=3).describe(56, tuple(range(1, 10))) == "sigmoid, 3 units, 9 of 56 days (1–9)"
    assert ModelSpec().describe(56, (*range(1, 8), 14)) == "linear, 8 of 56 days (1, 2, 3, 4, 5, 6, 7, 14)"
    year = tuple(range(1, 29)) + tuple(range(357, 372))
    assert ModelSpec().describe(371, year) == "linear, 43 of 371 days (1–28, 357–371)"
    assert ModelSpec().describe(56, (*range(1, 9), 20, 30, 40)) == "linear, 11 of 56 days (1–8, 20, 30, 40)"
    assert ModelSpec().describe(56, (*range(1, 9), 20, 30, 40, 50)) == "linear, 12 of 56 days"  # 5 runs: too many
    assert ModelSpec(kind="linear", ensemble=3).describe(56, (1, 2)) == "linear, 2 of 56 days (1, 2), mean of 3 seeds"
    assert RunSpec().replace(days=14, lags=(1, 7)).describe() == "linear, 2 of 14 days (1, 7)"
    assert RunSpec().describe() == "linear, 56 days" == ModelSpec().describe(56)


# --- The command line's --lags, built from the field by cli._add_field ---------------------------------------------

def _train(capsys, tmp_path, *argv):
    from gradstep.cli import main
    try:
        code = main(["train", *map(str, argv), "--epochs", "1", "--quiet", "--folds", "0", "--out",
                     str(tmp_path / "out")])
    except SystemExit as stop:
        code = stop.code
    return code, *capsys.readouterr()


def test_the_command_line_trains_on_lags_in_any_order(capsys, tmp_path):
    code, out, err = _train(capsys, tmp_path, "--days", "14", "--lags", "14, 1,7")
    assert code == 0, err
    assert json.loads((tmp_path / "out" / "model.json").read_text())["spec"]["data"]["lags"] == [1, 7, 14]


@pytest.mark.parametrize("argv,words", [
    (["--lags", "1,x"], "argument --lags: '1,x' is not a list of days; write whole numbers separated by commas, "
                        "e.g. 1,7,14"),
    (["--lags", "1,,7"], "argument --lags: '1,,7' is not a list of days"),
    (["--lags", ""], "argument --lags: '' is not a list of days"),
    (["--lags", "1.5"], "argument --lags: '1.5' is not a list of days"),
    (["--lags", "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,x"], "argument --lags: '1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,1' "
                                                             "is not a list of days"),
    (["--days", "7", "--lags", "1,8"], "--lags 1,8 reads the day 8 days before, beyond --days 7"),
    (["--lags", "0,7"], "argument --lags: '0,7' holds a day before 1; give distinct days from 1 to --days, e.g. "
                        "1,7,14"),
    (["--lags", "7,1,7"], "argument --lags: '7,1,7' holds a day more than once; give distinct days from 1 to --days"),
    (["--lags", ",".join(map(str, range(30)))], "argument --lags: '0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16' holds a "
                                                "day before 1"),  # a long list cut to its first 40 characters
    (["--model", "naive", "--days", "7", "--lags", "1"], "the naive baseline reads its own day (x1), so --lags 1 "
                                                         "does not apply to it; drop lags"),
    (["--model", "naive", "--lags", "1,14"], "so --lags 1,14 does not apply to it"),  # not "beyond --days 7"
    (["--days", "7", "--lags", "1,70"], "error: --lags 1,70 reads the day 70 days before, beyond --days 7; use lags of "
                                        "at most 7, or --days 70 or more"),
])
def test_the_command_line_refuses_bad_lags_in_one_line(capsys, tmp_path, argv, words):
    code, out, err = _train(capsys, tmp_path, *argv)
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err, err
    assert words in err
    assert not (tmp_path / "out").exists()


def test_scale_window_needs_the_week_it_takes_its_level_from():
    """The level s is the mean of days 1..7: lags that skip one of them would still be read through s."""
    with pytest.raises(InputError, match=r"^scale='window' reads each window relative to its last 7 days, and "
                                         r"lags=\(14, 28\) does not read all of them; add days 1..7 to lags"):
        DataSpec(days=28, lags=(14, 28), scale="window")
    assert DataSpec(days=28, lags=(1, 2, 3, 4, 5, 6, 7, 28), scale="window").lags[-1] == 28
    assert DataSpec(days=3, lags=(1, 2, 3), scale="window").n_inputs == 3
