"""What one run is: a frozen, JSON-serialisable specification, declared once with its defaults and checks.

A ``RunSpec`` has four parts — ``data`` (which series, days, which of them are read, dates, validation
days, scale), ``model`` (linear, sigmoid or relu; units, layers, dropout), ``train`` (loss, optimizer, lr,
momentum, epochs, batch_size, seed, patience) and ``regularization`` (l1, weight_decay, input_noise,
augment). Every field carries its check and its help text in one table (each field's metadata), as
scikit-learn's parameter constraints do: the specs validate themselves when made, the command line
builds its options from the same fields, and errors name the parameter as Python does (``days=0``),
never a command-line flag.

    spec = RunSpec(model=ModelSpec(kind="relu", units=100, layers=2), train=TrainSpec(epochs=50))
    RunSpec.from_dict(json.loads(json.dumps(spec.to_dict()))) == spec   # True
"""

from __future__ import annotations

import collections
import dataclasses
import datetime
import math
import numbers
from dataclasses import dataclass, field

from .errors import InputError

MODELS = ("linear", "sigmoid", "relu", "naive", "seasonal_naive")
BASELINES = {"naive": 1, "seasonal_naive": 7}
LOSS_NAMES = ("mae", "mse", "huber")
OPTIMIZER_NAMES = ("sgd", "adam", "adamw")
FILLS = ("interpolate", "zero")
DECIMALS = (",", ".")
VALID_AT = ("year_before",)
SCALES = ("window",)
POOLS = ("pages",)
AUGMENTATIONS = ("scale",)
DTYPES = ("float32", "float64")
YEAR = 364  # 52 weeks: the same weekdays a year before


def _listed(lags: tuple) -> str:
    """The days a model reads, for its description: " (1, 7, 14)", " (1–28, 357–371)" as spans, or nothing when
    neither is short."""
    if len(lags) <= 8:
        return f" ({', '.join(map(str, lags))})"
    spans = []
    for lag in lags:
        if spans and lag == spans[-1][1] + 1:
            spans[-1][1] = lag
        else:
            spans.append([lag, lag])
    if len(spans) > 4:
        return ""
    return " (" + ", ".join(f"{low}–{high}" if high > low else str(low) for low, high in spans) + ")"


def _shown(value) -> str:
    """repr(value), cut to 60 characters (a 400-digit number, say) so an error stays one short line."""
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:57]}…"


def _is_whole(value) -> bool:
    """Whether a real number has no fractional part (a number too large for a float has none)."""
    try:
        return float(value).is_integer()
    except OverflowError:
        return False


@dataclass(frozen=True)
class Interval:
    """A number of ``kind`` (int or float) in [low, high]; ``open_high`` excludes high; ``none`` allows None."""

    kind: type
    low: float
    high: float
    open_high: bool = False
    none: str | None = None

    def check(self, name: str, value):
        if value is None and self.none is not None:
            return None
        given = value
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise InputError(f"{name}={_shown(value)} is not a number; it must be {self.describe()}")
        if self.kind is int:
            if isinstance(value, numbers.Integral):
                value = int(value)
            elif _is_whole(value):
                value = int(value)
            if not isinstance(value, int):
                raise InputError(f"{name}={_shown(value)} is not a whole number; it must be {self.describe()}")
        else:
            try:
                value = float(value)
            except OverflowError:
                value = math.inf
        above = value >= self.high if self.open_high else value > self.high
        if not (self.low <= value and not above):
            raise InputError(f"{name}={_shown(given)} is out of range; it must be {self.describe()}")
        return value

    def describe(self) -> str:
        kind = "a whole number" if self.kind is int else "a number"
        low, high = (f"{int(bound)}" if self.kind is int else f"{bound:g}" for bound in (self.low, self.high))
        high = f"below {high}" if self.open_high else f"at most {high}"
        return f"{kind} from {low}, {high}" + (f", or None for {self.none}" if self.none else "")


@dataclass(frozen=True)
class OneOf:
    """One of ``choices``; ``none`` allows None (and says what None means)."""

    choices: tuple
    none: str | None = None

    def check(self, name: str, value):
        if (value is None and self.none is not None) or (isinstance(value, str) and value in self.choices):
            return value
        allowed = ", ".join(repr(c) for c in self.choices) + (f" or None ({self.none})" if self.none else "")
        raise InputError(f"{name}={_shown(value)} is not a choice; it must be one of {allowed}")


@dataclass(frozen=True)
class Text:
    """A string, or None (which means ``none``)."""

    none: str

    def check(self, name: str, value):
        if value is None or (isinstance(value, str) and value and len(value) <= 4096 and "\0" not in value):
            return value
        raise InputError(f"{name}={_shown(value)} is not a name; it must be a non-empty string or None "
                         f"({self.none})")


@dataclass(frozen=True)
class DateRange:
    """A (start, end) pair of dates (year-month-day), both included, start ≤ end; or None for the default."""

    none: str

    def check(self, name: str, value):
        if value is None:
            return None
        try:
            start, end = (datetime.date.fromisoformat(str(day)) for day in value)
        except (TypeError, ValueError):
            start = end = None
        if start is None or isinstance(value, str):
            raise InputError(f"{name}={_shown(value)} is not a date range; it must be a (start, end) pair "
                             f"of dates like ('2017-01-01', '2020-12-31') or None ({self.none})")
        if start > end:
            raise InputError(f"{name}={_shown(tuple(value))} is empty: it ends before it starts; "
                             "give the earlier date first")
        return start.isoformat(), end.isoformat()


@dataclass(frozen=True)
class Lags:
    """Which past days x_j to read: a sorted tuple of distinct whole numbers from 1 to ``high``, or None
    (``none``). Given unsorted they are refused rather than sorted, so that the saved order of a model's
    weights is the order of its inputs; the bound by ``days`` is the DataSpec's to check."""

    high: int
    none: str

    def check(self, name: str, value):
        if value is None:
            return None
        if not isinstance(value, (tuple, list, range)):
            raise InputError(f"{name}={_shown(value)} is not a tuple of days; it must be {self.describe()}")
        lags = tuple(value)
        if not lags:
            raise InputError(f"{name}={_shown(value)} reads no day; give at least one, or None for {self.none}")
        for lag in lags:
            if isinstance(lag, bool) or not isinstance(lag, numbers.Real) or not _is_whole(lag) \
                    or not 1 <= lag <= self.high:
                raise InputError(f"{name}={_shown(value)} holds {_shown(lag)}; it must be {self.describe()}")
        lags = tuple(int(lag) for lag in lags)
        if len(set(lags)) < len(lags):
            twice = sorted(lag for lag, times in collections.Counter(lags).items() if times > 1)
            raise InputError(f"{name}={_shown(value)} holds {', '.join(map(str, twice[:5]))}{'…' * (len(twice) > 5)} "
                             "more than once; give each day once")
        if list(lags) != sorted(lags):
            raise InputError(f"{name}={_shown(value)} is not in increasing order; give "
                             f"{name}={_shown(tuple(sorted(lags)))}")
        return lags

    def describe(self) -> str:
        return (f"a sorted tuple of distinct whole numbers from 1 to days (at most {self.high}), e.g. (1, 7, 14), "
                f"or None for {self.none}")


def parameter(default, check, help: str):
    """A spec field: its default, its check and the one line of help the command line shows."""
    return field(default=default, metadata={"check": check, "help": help})


class _Spec:
    """Validation and JSON for the frozen spec dataclasses below."""

    def __post_init__(self):
        for item in dataclasses.fields(self):
            object.__setattr__(self, item.name, item.metadata["check"].check(item.name, getattr(self, item.name)))

    def to_dict(self) -> dict:
        return {item.name: (list(value) if isinstance(value := getattr(self, item.name), tuple) else value)
                for item in dataclasses.fields(self)}

    @classmethod
    def from_dict(cls, values: dict):
        if not isinstance(values, dict):
            raise InputError(f"{cls.__name__} needs a dict of its fields, got {type(values).__name__}")
        names = {item.name for item in dataclasses.fields(cls)}
        unknown = sorted(set(values) - names, key=str)
        if unknown:
            raise InputError(f"{cls.__name__} has no field {', '.join(map(str, unknown))}; "
                             f"its fields are {', '.join(sorted(names))}")
        return cls(**values)


@dataclass(frozen=True)
class DataSpec(_Spec):
    """Which daily series, how many past days each example holds (and which of them the model reads), and which
    dates train, validate and test."""

    page: str | None = parameter(None, Text("Standard_deviation, unless csv is given"),
                                 "a built-in page (gradstep data list)")
    csv: str | None = parameter(None, Text("the built-in page"), "a CSV file with a date column and a value column")
    date_column: str | None = parameter(None, Text("found from the file"), "the CSV's date column")
    value_column: str | None = parameter(None, Text("found from the file"), "the CSV's value column")
    fill: str | None = parameter(None, OneOf(FILLS, "refuse missing days"),
                                 "fill missing days: interpolate or zero")
    decimal: str | None = parameter(None, OneOf(DECIMALS, "guessed from the file"),
                                    "the CSV values' decimal mark, ',' or '.', when the one guessed (see the "
                                    "notes) is wrong")
    days: int = parameter(56, Interval(int, 1, 3650), "k, the previous days the model reads")
    lags: tuple | None = parameter(None, Lags(3650, "all days"),
                                   "feature selection: read only x_j for these j of the previous days, e.g. 1,7,14")
    train: tuple | None = parameter(None, DateRange("2017-01-01..2020-12-31, or all but the last 45 days"),
                                    "training days, START:END inclusive")
    test: tuple | None = parameter(None, DateRange("2021-01-01..2021-02-14, or the last 45 days"),
                                   "test days, START:END inclusive")
    valid_days: int = parameter(0, Interval(int, 0, 36500),
                                "N training days become a validation part: the last N, or see valid_at")
    valid_at: str | None = parameter(None, OneOf(VALID_AT, "the last training days"),
                                     "year_before: the validation days are instead the valid_days days from 364 "
                                     "days (52 weeks) before the day after the training part, the season the test "
                                     "days are in; the model trains on every other training day")
    scale: str | None = parameter(None, OneOf(SCALES, "standardise with the training part's mean and std"),
                                  "window: read each window relative to its level s (the mean of its last 7 "
                                  "days), asinh(x) − asinh(s) ≈ log(x/s), and predict the day's value the same "
                                  "way, so that one model serves every level")
    pool: str | None = parameter(None, OneOf(POOLS, "this series' days only"),
                                 "more data: pages also trains on the windows of every built-in page (but this "
                                 "one) whose day is on or before the training part's last day; needs scale=window")

    def __post_init__(self):
        super().__post_init__()
        if self.page is not None and self.csv is not None:
            raise InputError(f"give page or csv, not both (page={self.page!r}, csv={self.csv!r})")
        if self.csv is None:
            csv_only = [f"{name}={getattr(self, name)!r}"
                        for name in ("date_column", "value_column", "fill", "decimal") if getattr(self, name) is not None]
            if csv_only:
                raise InputError(f"{' and '.join(csv_only)} appl{'ies' if len(csv_only) == 1 else 'y'} to a CSV "
                                 "file, and the built-in pages have no gaps or columns to choose; give csv=FILE or drop "
                                 f"{'it' if len(csv_only) == 1 else 'them'}")
        week = set(range(1, min(7, self.days) + 1))
        if self.scale == "window" and self.lags is not None and not week <= set(self.lags):
            raise InputError(f"scale='window' reads each window relative to its last {len(week)} days, and "
                             f"lags={_shown(self.lags)} does not read all of them; add days 1..{len(week)} to lags or "
                             "drop one of the two")
        if self.pool is not None and self.scale != "window":
            raise InputError(f"pool={self.pool!r} trains on other series too, whose levels differ from this one's; "
                             "it needs scale='window', which reads every window relative to its own level")
        if self.valid_at is not None and not 1 <= self.valid_days <= YEAR:
            raise InputError(f"valid_at={self.valid_at!r} places the validation days, and valid_days="
                             f"{self.valid_days} {'gives none' if self.valid_days < 1 else 'reaches past a year'}; "
                             f"use valid_days from 1 to {YEAR}, e.g. valid_days=28")
        if self.lags is not None and self.lags[-1] > self.days:
            raise InputError(f"lags={_shown(self.lags)} reads the day {self.lags[-1]} days before, beyond "
                             f"days={self.days}; use lags of at most {self.days}, or days={self.lags[-1]} or more")

    @property
    def n_inputs(self) -> int:
        """How many values the model reads per row: len(lags), or days when lags is None."""
        return self.days if self.lags is None else len(self.lags)

    def describe(self) -> str:
        """The series' name: the CSV path or the built-in page."""
        return self.csv if self.csv is not None else (self.page or "Standard_deviation")


@dataclass(frozen=True)
class ModelSpec(_Spec):
    """Which of the chapter's models: linear y = b + wᵀx, sigmoid y = b + cᵀσ(b + W x), or relu layers."""

    kind: str = parameter("linear", OneOf(MODELS),
                          "linear: y = b + Σ wj xj; sigmoid: y = b + cᵀσ(b + W x); relu: layers of ReLUs; "
                          "the baselines, not trained: naive y = x1 (yesterday), seasonal_naive y = x7 "
                          "(a week ago)")
    units: int = parameter(100, Interval(int, 1, 4096), "sigmoids or ReLUs per layer (sigmoid, relu)")
    layers: int = parameter(1, Interval(int, 1, 16), "layers of ReLUs (relu)")
    dropout: float = parameter(0.0, Interval(float, 0, 1, open_high=True),
                               "dropout probability after each ReLU layer (relu)")
    dtype: str = parameter("float32", OneOf(DTYPES), "the parameters' floating-point type")
    ensemble: int = parameter(1, Interval(int, 1, 20),
                              "average N models trained from the seeds seed, seed+1, …, seed+N−1")

    def describe(self, days: int, lags: tuple | None = None) -> str:
        """e.g. "linear, 56 days", "relu, 3 layers of 100, 56 days", "linear, 3 of 56 days (1, 7, 14)" (with
        ``lags``; the days are listed when there are at most 8, as runs when they make at most 4: "43 of 371
        days (1–28, 357–371)") or "seasonal naive (a week ago)"."""
        if self.kind == "naive":
            return "naive (yesterday's value)"
        if self.kind == "seasonal_naive":
            return "seasonal naive (the value a week before)"
        reads = f"{days} days" if lags is None else f"{len(lags)} of {days} days" + _listed(lags)
        if self.kind == "linear":
            text = f"linear, {reads}"
        elif self.kind == "sigmoid":
            text = f"sigmoid, {self.units} unit{'s' * (self.units > 1)}, {reads}"
        else:
            text = f"relu, {self.layers} layer{'s' * (self.layers > 1)} of {self.units}, {reads}"
        return text + (f", mean of {self.ensemble} seeds" if self.ensemble > 1 else "")


@dataclass(frozen=True)
class TrainSpec(_Spec):
    """How to train: loss, optimizer, lr, epochs, batch_size (None = full batch), seed, early stopping."""

    loss: str = parameter("mae", OneOf(LOSS_NAMES), "the loss L (mae as the lecture, mse or huber)")
    optimizer: str = parameter("adam", OneOf(OPTIMIZER_NAMES), "sgd, adam or adamw")
    lr: float = parameter(0.001, Interval(float, 1e-12, 1e9), "the learning rate η")
    momentum: float = parameter(0.0, Interval(float, 0, 1, open_high=True), "momentum μ (sgd only)")
    epochs: int = parameter(100, Interval(int, 1, 100_000), "passes over the training days")
    batch_size: int | None = parameter(32, Interval(int, 1, 10_000_000, none="full batch"),
                                       "B, rows per update: 1 is stochastic, full (None) full-batch gradient descent")
    seed: int = parameter(0, Interval(int, 0, 2**32 - 1), "seeds the weights, batch order, dropout and noise")
    patience: int | None = parameter(None, Interval(int, 1, 100_000, none="no early stopping"),
                                     "early stopping: stop after N epochs without a better validation loss, "
                                     "keep the best weights (needs a validation part)")

    def __post_init__(self):
        super().__post_init__()
        if self.momentum and self.optimizer != "sgd":
            raise InputError(f"momentum applies to optimizer='sgd'; {self.optimizer} keeps its own running averages "
                             f"(got momentum={self.momentum!r})")


@dataclass(frozen=True)
class RegularizationSpec(_Spec):
    """Remedies for overfitting applied during training: penalties on the weights, noise and augmentation."""

    l1: float = parameter(0.0, Interval(float, 0, 1e3), "L1 penalty λ Σ|w| on the weights (not the biases)")
    weight_decay: float = parameter(0.0, Interval(float, 0, 1e3),
                                    "L2 penalty (λ/2) Σw² on the weights (not the biases)")
    input_noise: float = parameter(0.0, Interval(float, 0, 10),
                                   "std of Gaussian noise added to the (standardised) inputs of each batch")
    augment: str | None = parameter(None, OneOf(AUGMENTATIONS, "no augmentation"),
                                    "scale: multiply each training window and its target by one random factor")


SECTIONS = {"data": DataSpec, "model": ModelSpec, "train": TrainSpec, "regularization": RegularizationSpec}


@dataclass(frozen=True)
class RunSpec:
    """One run: ``data``, ``model``, ``train`` and ``regularization``, each with its defaults."""

    data: DataSpec = field(default_factory=DataSpec)
    model: ModelSpec = field(default_factory=ModelSpec)
    train: TrainSpec = field(default_factory=TrainSpec)
    regularization: RegularizationSpec = field(default_factory=RegularizationSpec)

    def __post_init__(self):
        for name, kind in SECTIONS.items():
            if not isinstance(getattr(self, name), kind):
                raise InputError(f"{name} must be a {kind.__name__}, got {type(getattr(self, name)).__name__}")
        lag = BASELINES.get(self.model.kind)
        if lag is not None and self.model.ensemble > 1:
            raise InputError(f"the {self.model.kind} baseline is not trained, so an ensemble of it is the same "
                             f"model (got ensemble={self.model.ensemble}); drop ensemble")
        if lag is not None and self.data.lags is not None:
            raise InputError(f"the {self.model.kind} baseline reads its own day (x{lag}), so lags="
                             f"{_shown(self.data.lags)} does not apply to it; drop lags")
        if lag is not None and self.data.days < lag:
            raise InputError(f"the {self.model.kind} baseline reads the value {lag} day{'s' * (lag > 1)} before, so "
                             f"it needs days={lag} or more (got days={self.data.days})")
        if self.data.scale == "window" and self.regularization.augment == "scale":
            raise InputError("augment='scale' changes the level of standardised windows, and scale='window' reads "
                             "each window relative to its own level, which that hardly changes; drop one of them")
        if self.train.patience is not None and self.data.valid_days < 1:
            raise InputError(f"early stopping (patience={self.train.patience}) needs a validation part; "
                             "give one, e.g. valid_days=45")

    def describe(self) -> str:
        """The model and the days it reads, e.g. "relu, 2 layers of 8, 3 of 14 days (1, 7, 14)", and "trained on
        the built-in pages too" with a pool, "validated a year before" with ``valid_at``."""
        pool = ", trained on the built-in pages too" if self.data.pool == "pages" else ""
        season = ", validated a year before" if self.data.valid_at == "year_before" else ""
        return self.model.describe(self.data.days, self.data.lags) + pool + season

    def to_dict(self) -> dict:
        """Plain JSON types: {"data": {...}, "model": {...}, "train": {...}, "regularization": {...}}."""
        return {name: getattr(self, name).to_dict() for name in SECTIONS}

    @classmethod
    def from_dict(cls, values: dict) -> "RunSpec":
        """The spec saved by ``to_dict`` (missing sections and fields take their defaults)."""
        if not isinstance(values, dict):
            raise InputError(f"a run spec is a dict of sections, got {type(values).__name__}")
        unknown = sorted(set(values) - set(SECTIONS), key=str)
        if unknown:
            raise InputError(f"a run spec has no section {', '.join(map(str, unknown))}; "
                             f"its sections are {', '.join(SECTIONS)}")
        return cls(**{name: kind.from_dict(values.get(name, {})) for name, kind in SECTIONS.items()})

    def replace(self, **changes) -> "RunSpec":
        """A copy with fields changed by name, whatever their section: spec.replace(days=7, lr=0.01)."""
        sections = {name: {} for name in SECTIONS}
        for key, value in changes.items():
            section = FIELD_SECTION.get(key)
            if section is None:
                raise InputError(f"a run spec has no field {key}; its fields are {', '.join(FIELD_SECTION)}")
            sections[section][key] = value
        return RunSpec(**{name: dataclasses.replace(getattr(self, name), **sections[name]) if sections[name]
                          else getattr(self, name) for name in SECTIONS})


FIELD_SECTION = {item.name: name for name, kind in SECTIONS.items() for item in dataclasses.fields(kind)}


def spec_fields():
    """(section, field) for every field of every section, in declaration order: what the command line offers."""
    return [(name, item) for name, kind in SECTIONS.items() for item in dataclasses.fields(kind)]


SHARED_FIELDS = ("page", "csv", "date_column", "value_column", "fill", "decimal", "train", "test")
MAX_MEMBERS = 13


@dataclass(frozen=True)
class BlendSpec:
    """A blend of runs on one series: ŷ = (1/N) Σₙ ŷₙ, the mean of N named members' forecasts, each member a
    ``RunSpec`` of its own (kind, days, lags, pool, training). The members share the series and the dates
    (``SHARED_FIELDS``); ``data`` is that series read with the most days any member reads.

    BlendSpec((("linear a year", spec_a), ("relu 2 × 100", spec_b)))"""

    members: tuple

    def __post_init__(self):
        members = self.members
        if not isinstance(members, (tuple, list)) or not 2 <= len(members) <= MAX_MEMBERS or not all(
                isinstance(item, (tuple, list)) and len(item) == 2 and isinstance(item[0], str)
                and 1 <= len(item[0]) <= 200 and isinstance(item[1], RunSpec) for item in members):
            raise InputError(f"members must be 2 to {MAX_MEMBERS} (name, RunSpec) pairs, each name 1 to 200 "
                             f"characters, got {_shown(members)}")
        names = [name for name, _ in members]
        if len(set(names)) != len(names):
            raise InputError(f"the members' names must differ, got {_shown(', '.join(names))}")
        first = members[0][1].data
        for name, spec in members[1:]:
            differ = [key for key in SHARED_FIELDS if getattr(spec.data, key) != getattr(first, key)]
            if differ:
                raise InputError(f"the members of a blend read the same series on the same dates, and {name!r} has "
                                 f"another {', '.join(differ)}; give every member the same")
        object.__setattr__(self, "members", tuple((name, spec) for name, spec in members))

    @property
    def names(self) -> tuple:
        return tuple(name for name, _ in self.members)

    @property
    def specs(self) -> tuple:
        return tuple(spec for _, spec in self.members)

    @property
    def data(self) -> DataSpec:
        """The shared series and dates with the most days a member reads: the rows the blend predicts from."""
        first = self.specs[0].data
        return DataSpec(**{key: getattr(first, key) for key in SHARED_FIELDS},
                        days=max(spec.data.days for spec in self.specs))

    def describe(self) -> str:
        """e.g. "mean of 4 models: linear a year, relu 2 × 100, linear 56 days, naive"."""
        return f"mean of {len(self.members)} models: {', '.join(self.names)}"

    def to_dict(self) -> dict:
        """{"blend": [{"name": ..., "spec": RunSpec.to_dict()}, ...]}."""
        return {"blend": [{"name": name, "spec": spec.to_dict()} for name, spec in self.members]}

    @classmethod
    def from_dict(cls, values: dict) -> "BlendSpec":
        if not (isinstance(values, dict) and set(values) == {"blend"} and isinstance(values["blend"], list)
                and len(values["blend"]) <= MAX_MEMBERS and all(
                    isinstance(item, dict) and set(item) == {"name", "spec"} for item in values["blend"])):
            raise InputError(f"a blend spec is {{\"blend\": [{{\"name\": ..., \"spec\": ...}}, ...]}} of at most "
                             f"{MAX_MEMBERS} members")
        return cls(tuple((item["name"], RunSpec.from_dict(item["spec"])) for item in values["blend"]))

    def replace(self, **changes) -> "BlendSpec":
        """A copy with the series or dates changed (``SHARED_FIELDS``) in every member."""
        other = sorted(set(changes) - set(SHARED_FIELDS))
        if other:
            raise InputError(f"a blend's members keep their own {', '.join(other)}; only "
                             f"{', '.join(SHARED_FIELDS)} change for them all")
        return BlendSpec(tuple((name, spec.replace(**changes)) for name, spec in self.members))


def spec_from_dict(values: dict) -> RunSpec | BlendSpec:
    """The RunSpec or BlendSpec that ``to_dict`` saved."""
    if isinstance(values, dict) and "blend" in values:
        return BlendSpec.from_dict(values)
    return RunSpec.from_dict(values)
