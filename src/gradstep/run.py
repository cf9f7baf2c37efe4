"""One run path: a ``RunSpec`` in, a trained model and its scores out.

``fit(spec)`` reads the series (a built-in page or a CSV), makes the windows (x_j = the value j days
before, y = the day's value), splits them by date, standardises with the training part's mean and
spread only (or, with ``scale="window"``, reads each window in logs relative to its last week's level:
``inputs``, ``targets``, ``outputs``), keeps the columns the model reads (``features``: x_j for j in
``spec.data.lags``, all of them by default), builds the model from the spec's own random streams, trains
it and scores the training and validation parts in views. The test days are not touched:
``run.score_test()`` scores them, once, on purpose, and ``run.scored`` records which parts have been
scored — so anything that chooses between runs (a search, the lab, ``selection.choose``) can prove it
chose on validation data.

    run = gs.fit(gs.RunSpec(model=gs.ModelSpec(kind="relu", units=100)))
    run.metrics["valid"]["mae"], run.history.tail()       # choose on these
    run.score_test()                                      # then look at the test days once
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import nn
from .baselines import baseline_errors, mase_scale
from .data import Split, Standardizer, Windows, list_pages, load_pageviews, make_windows, split_windows
from .errors import InputError
from .random import streams
from .regularizers import batch_transform
from .spec import BASELINES, BlendSpec, DataSpec, ModelSpec, RunSpec
from .training import EarlyStopping, History, Snapshot, Trainer, predict

PARTS = ("train", "valid", "test")
MAX_MEMORY = 2 * 2**30
MAX_WORK = 2e14
POOL_START = pd.Timestamp("2017-01-01")  # the built-in pages' first day


def load_series(data: DataSpec) -> pd.Series:
    """The daily series ``data`` names: its CSV file (``attrs`` say which columns were used) or a built-in page."""
    from .data import load_pageviews, read_series
    if data.csv is not None:
        return read_series(data.csv, date_column=data.date_column, value_column=data.value_column, fill=data.fill,
                           decimal=data.decimal)
    return load_pageviews(data.page or "Standard_deviation")


def data_hash(series: pd.Series) -> str:
    """sha256 of the dates and values: the same data gives the same hash."""
    digest = hashlib.sha256()
    digest.update(series.index.strftime("%Y-%m-%d").str.cat(sep=",").encode())
    digest.update(np.ascontiguousarray(series.to_numpy(dtype=np.float64)).tobytes())
    return digest.hexdigest()


def errors(prediction: np.ndarray, truth: np.ndarray) -> dict:
    """MAE = mean |y − ŷ| and MSE = mean (y − ŷ)², in the series' own units (views)."""
    e = np.asarray(prediction, dtype=np.float64).reshape(-1) - np.asarray(truth, dtype=np.float64).reshape(-1)
    return {"mae": float(np.abs(e).mean()), "mse": float((e * e).mean())} if e.size else {}


def split(spec: RunSpec, series: pd.Series) -> Split:
    """The windows of ``series`` for ``spec.data.days`` days, split by target date into train, valid and test."""
    data = spec.data
    return split_windows(make_windows(series, data.days), train=data.train, test=data.test,
                         valid_days=data.valid_days, valid_at=data.valid_at)


def prepare(spec: RunSpec, series: pd.Series) -> tuple[Split, Standardizer]:
    """The split of ``series`` and the standardiser fitted on its training part only."""
    parts = split(spec, series)
    return parts, Standardizer.fit(parts.train)


def pooled(data: DataSpec, end: pd.Timestamp) -> Windows:
    """``data.pool="pages"``: the windows of ``data.days`` days of every built-in page but ``data.page``, each
    page cut at ``end`` (the training part's last day), so that no pooled day lies past the days the model
    trains on. Empty without a pool."""
    pages = [page for page in list_pages() if page != data.page] if data.pool == "pages" else []
    parts = [make_windows(series, data.days) for series in (load_pageviews(page).loc[:end] for page in pages)
             if len(series) > data.days]
    if not parts:
        return Windows(np.empty((0, data.days)), np.empty(0), pd.DatetimeIndex([]))
    return Windows(np.concatenate([part.X for part in parts]), np.concatenate([part.y for part in parts]),
                   pd.DatetimeIndex(np.concatenate([part.dates.to_numpy() for part in parts])))


def features(data: DataSpec, X: np.ndarray) -> np.ndarray:
    """The columns of windows X (n, days) that the model reads: x_j for j in ``data.lags``, all when None.
    The one place lags act: fit, predict, score and the trainer's inputs all go through it."""
    return X if data.lags is None else X[:, [lag - 1 for lag in data.lags]]


def level(X: np.ndarray) -> np.ndarray:
    """Each window's level s: the mean of its last 7 days (of all its days when fewer)."""
    return np.asarray(X, dtype=np.float64)[:, :7].mean(axis=1)


def inputs(data: DataSpec, scaler: Standardizer, X: np.ndarray) -> np.ndarray:
    """The model's inputs for windows X (n, days) of values: the ``features`` of z = (x − mean)/std, or with
    ``data.scale="window"`` of asinh(x) − asinh(s), s = ``level(X)``: about log(x/s), the window relative to its
    own level (asinh is a log that also takes 0 and negative values). With ``targets`` and ``outputs`` the one
    place values become the model's numbers and back: fit, predict and score all go through them."""
    if data.scale == "window":
        return np.arcsinh(features(data, np.asarray(X, dtype=np.float64))) - np.arcsinh(level(X))[:, None]
    return features(data, scaler.transform(X))


def targets(data: DataSpec, scaler: Standardizer, X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """What the model learns to output for windows X and their days' values y: (y − mean)/std, or with
    scale="window" asinh(y) − asinh(s)."""
    if data.scale == "window":
        return np.arcsinh(np.asarray(y, dtype=np.float64)) - np.arcsinh(level(X))
    return scaler.transform(y)


def outputs(data: DataSpec, scaler: Standardizer, X: np.ndarray, output: np.ndarray) -> np.ndarray:
    """The model's outputs o for windows X back in values: mean + std·o, or with scale="window" sinh(asinh(s) + o)."""
    output = np.asarray(output, dtype=np.float64).reshape(-1)
    if data.scale == "window":
        return np.sinh(np.arcsinh(level(X)) + output)
    return scaler.inverse(output)


def parameter_shapes(spec: ModelSpec, inputs: int) -> dict[str, tuple]:
    """The names and shapes of ``build_model(spec, inputs, seed).state_dict()``, computed without building it:
    one weight (out, in) and bias (out,) per Linear layer, keyed by its place in the Sequential. ``inputs`` is
    the values read per row: ``DataSpec.n_inputs`` (days, or len(lags))."""
    if spec.ensemble > 1:
        one = parameter_shapes(dataclasses.replace(spec, ensemble=1), inputs)
        return {f"{member}.{name}": shape for member in range(spec.ensemble) for name, shape in one.items()}
    if spec.kind in ("linear", *BASELINES):
        widths, stride = [inputs, 1], 1
    elif spec.kind == "sigmoid":
        widths, stride = [inputs, spec.units, 1], 2
    else:
        widths, stride = [inputs] + [spec.units] * spec.layers + [1], 2 + (spec.dropout > 0)
    shapes = {}
    for layer, (n_in, n_out) in enumerate(zip(widths, widths[1:])):
        shapes[f"{layer * stride}.weight"], shapes[f"{layer * stride}.bias"] = (n_out, n_in), (n_out,)
    return shapes


def training_size(spec: RunSpec, rows: int) -> tuple[int, float]:
    """Bytes of memory and multiply-adds a run needs, estimated before anything is built: the parameters
    with their gradient, optimizer state and best copy (5 copies), the activations of a batch and of the
    evaluation; forward and backward (3 × parameters) per training row and epoch, forward (1 ×) to
    evaluate every row after each epoch."""
    shapes = parameter_shapes(spec.model, spec.data.n_inputs)
    parameters = sum(int(np.prod(shape)) for shape in shapes.values())
    itemsize = np.dtype(spec.model.dtype).itemsize
    widest = max(max(shape) for shape in shapes.values())
    batch = rows if spec.train.batch_size is None else min(spec.train.batch_size, rows)
    activations = 4 * (batch + min(rows, 65_536)) * widest * max(spec.model.layers, 1) * itemsize
    return 5 * parameters * itemsize + activations, float(parameters) * rows * spec.train.epochs * 4


def check_size(spec: RunSpec, rows: int) -> None:
    """Refuse a run whose memory or work is beyond what gradstep runs (estimated by ``training_size``)."""
    memory, work = training_size(spec, rows)
    if memory > MAX_MEMORY:
        raise InputError(f"this model needs about {memory / 2**30:.1f} GiB (units={spec.model.units}, "
                         f"layers={spec.model.layers}, days={spec.data.days}), more than the {MAX_MEMORY / 2**30:g} "
                         "GiB gradstep allows; use fewer units or layers")
    if work > MAX_WORK:
        raise InputError(f"this training is about {work:.1e} multiply-adds ({rows:,} rows × "
                         f"epochs={spec.train.epochs} × the model's parameters), more than the {MAX_WORK:.0e} "
                         "gradstep runs (hours of work); use fewer epochs, units or layers")


def build_model(spec: ModelSpec, inputs: int, seed: int) -> nn.Module:
    """A fresh model of ``spec`` reading ``inputs`` values per row (``DataSpec.n_inputs``): weights from seed's
    "init" stream, dropout from its own. Refused before anything is allocated when its parameters need more
    than gradstep allows."""
    check_size(RunSpec(model=spec, data=DataSpec(days=max(inputs, BASELINES.get(spec.kind, 1)))), 1)
    if spec.ensemble > 1:
        one = dataclasses.replace(spec, ensemble=1)
        return nn.Ensemble(*(build_model(one, inputs, seed + member) for member in range(spec.ensemble)))
    rngs = streams(seed)
    if spec.kind in BASELINES:
        return nn.lag_model(inputs, BASELINES[spec.kind], dtype=spec.dtype)
    if spec.kind == "linear":
        return nn.linear_model(inputs, dtype=spec.dtype, rng=rngs["init"])
    if spec.kind == "sigmoid":
        return nn.sigmoid_network(inputs, spec.units, dtype=spec.dtype, rng=rngs["init"])
    return nn.relu_network(inputs, spec.units, spec.layers, dtype=spec.dtype, rng=rngs["init"], dropout=spec.dropout,
                           dropout_rng=rngs["dropout"])


def _range(windows) -> list[str] | None:
    if not len(windows):
        return None
    return [windows.dates[0].date().isoformat(), windows.dates[-1].date().isoformat()]


def fit_days(ranges: dict) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The training part's first and last day from a run's ``ranges``: of its training and validation days
    together, wherever the validation days lie (``valid_at``)."""
    days = [pd.Timestamp(day) for part in ("train", "valid") if ranges[part] for day in ranges[part]]
    return min(days), max(days)


@dataclass
class Run:
    """A trained model with what it was trained on: the spec, the split, the standardiser, the history
    (one row per epoch), the metrics in views of each scored part and which parts those are. A blend's run
    (``BlendSpec``) holds its members' runs, and its model is the nn.Ensemble of theirs (its updates_per_epoch,
    stopped_early_at and best_epoch are None: they are its members'). ``state_`` is
    the training's end state: ``fit(spec, series, state=run.state_)`` rebuilds the run without training."""

    spec: RunSpec | BlendSpec
    model: nn.Module
    standardizer_: Standardizer
    split_: Split
    history: pd.DataFrame
    data_sha256: str
    updates_per_epoch: int | None = 0
    stopped_early_at: int | None = None
    best_epoch: int | None = None
    metrics: dict = field(default_factory=dict)
    scored: list = field(default_factory=list)
    baselines: dict = field(default_factory=dict)
    mase_scale: float | None = None
    series_: pd.Series | None = field(default=None, repr=False)
    members: list | None = None
    state_: dict | None = field(default=None, repr=False)

    @property
    def epochs_run(self) -> int:
        """How many epochs training ran (fewer than asked for when it stopped early; an ensemble's longest)."""
        return int(self.history["epoch"].max()) if len(self.history) else 0

    @property
    def ranges(self) -> dict:
        """Each part's first and last target date, e.g. {"train": ["2017-02-26", "2020-12-31"], ...}."""
        return {part: _range(getattr(self.split_, part)) for part in PARTS}

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Predicted values for rows of past values X in the series' units (x_j = the value j days before):
        every row holds all ``days`` values, of which the model reads those ``features`` keeps."""
        X = np.asarray(X, dtype=np.float64)
        days = self.spec.data.days
        if X.ndim != 2 or X.shape[1] != days:
            raise InputError(f"the model reads days={days} values per row, got rows of shape {X.shape}")
        data, scaler = self.spec.data, self.standardizer_
        with np.errstate(over="ignore", invalid="ignore"):
            if self.members is not None:  # a blend: each member reads its own newest days of the row
                prediction = np.mean([member.predict(X[:, :member.spec.data.days]) for member in self.members],
                                     axis=0)
            else:
                prediction = outputs(data, scaler, X, predict(self.model, inputs(data, scaler, X)))
        if not np.isfinite(prediction).all():
            raise InputError("the model's output is not a finite number for these inputs: its weights or the "
                             "inputs are far out of range; train the model again on this data")
        return prediction

    def score(self, part: str) -> dict:
        """MAE and MSE in views on "train" or "valid" (empty for an empty part); recorded in ``metrics``."""
        if part not in ("train", "valid"):
            raise InputError(f"score() takes part='train' or part='valid', got part={part!r}; "
                             "the test days are scored by score_test()")
        return self._score(part)

    def score_test(self) -> dict:
        """MAE and MSE in views on the test days; ``scored`` records that the test days have been looked at."""
        return self._score("test")

    def mase(self, part: str) -> float | None:
        """The scored part's MAE over the seasonal naive's MAE on the training days."""
        mae = self.metrics.get(part, {}).get("mae")
        return None if mae is None or not self.mase_scale else mae / self.mase_scale

    def _score(self, part: str) -> dict:
        windows = getattr(self.split_, part)
        if not len(windows):
            return {}
        if self.series_ is not None:
            self.baselines[part] = baseline_errors(self.series_, windows.dates, windows.y)
            if part == "train":
                self.mase_scale = mase_scale(self.series_, windows.dates, windows.y)
        self.metrics[part] = errors(self.predict(windows.X), windows.y)
        if part not in self.scored:
            self.scored.append(part)
        return self.metrics[part]


def fit(spec: RunSpec, series: pd.Series | None = None, *, split: Split | None = None, callbacks=(),
        progress: bool | None = False, checkpoint=None, checkpoint_every: float = 1.0,
        state: dict | None = None) -> Run:
    """Train ``spec`` on ``series`` (read from ``spec.data`` when None); score the training and validation parts.

    The standardiser sees the training part only; the test days are scored only by ``Run.score_test()``.
    ``split``, windows of ``series`` made with ``spec.data.days`` (``make_windows``), replaces the split by
    the spec's dates: standardised, trained and scored exactly as above, on these windows. It is for
    cross-validation folds (``gradstep.selection``), whose rows no date range describes.
    An ensemble's members are trained one after another, each from its own seed (its history has a
    "member" column; ``stopped_early_at`` and ``best_epoch`` are the first member's); the baselines are not
    trained. ``checkpoint(state)`` is called at most every ``checkpoint_every`` seconds between epochs;
    passing such a ``state`` back continues that training to the same result.
    """
    if not isinstance(spec, (RunSpec, BlendSpec)):
        raise InputError(f"fit() needs a RunSpec or a BlendSpec, got {type(spec).__name__}")
    series = load_series(spec.data) if series is None else series
    if isinstance(spec, BlendSpec):
        if split is not None:
            raise InputError("split= applies to one RunSpec; a blend's members each split the series by its dates")
        return _fit_blend(spec, series, callbacks, progress, checkpoint, checkpoint_every, state)
    if split is None:
        parts, scaler = prepare(spec, series)
    else:
        parts, scaler = _given(spec, split), Standardizer.fit(split.train)
    pool = pooled(spec.data, parts.train.dates.max())
    if spec.data.pool is not None and not len(pool):
        first = POOL_START + pd.Timedelta(days=spec.data.days)
        raise InputError(f"pool={spec.data.pool!r} adds no windows: the built-in pages start on {POOL_START:%Y-%m-%d}, "
                         f"so their first window of days={spec.data.days} is for {first:%Y-%m-%d}, after the "
                         f"training part's last day ({parts.train.dates.max():%Y-%m-%d}); drop pool, or train on "
                         "later days")
    check_size(spec, len(parts.train) + len(pool) + len(parts.valid))
    model = build_model(spec.model, spec.data.n_inputs, spec.train.seed)
    members = list(model) if isinstance(model, nn.Ensemble) else [model]
    trained = members if spec.model.kind not in BASELINES else []
    state = _resumable(state, ("member", "done", "trainer"), len(trained),
                       f"a training of {len(trained)} model{'s' * (len(trained) != 1)}")
    done, rows, histories = [], [], []
    for index, member in enumerate(trained):
        if index < state["member"]:
            saved = state["done"][index]
            try:
                member.load_state_dict(saved["model"])
                history = History(**saved["history"])
                history.rows = [dict(row) for row in history.rows]
            except (KeyError, TypeError, ValueError, AttributeError) as error:
                raise InputError(f"the saved training state does not fit this training ({str(error)[:120]}); "
                                 "start the training again") from None
        else:
            def save(trainer_state, index=index, done=done):
                checkpoint({"member": index, "done": done, "trainer": trainer_state})
            history = _train(spec, member, spec.train.seed + index, parts, pool, scaler, callbacks, progress,
                             save if checkpoint is not None else None, checkpoint_every,
                             state["trainer"] if index == state["member"] else None)
        done = [*done, {"model": member.state_dict(), "history": dataclasses.asdict(history)}]
        rows += [{**row, "member": index} if len(members) > 1 else row for row in history.rows]
        histories.append(history)
    first = histories[0] if histories else History()
    run = Run(spec, model, scaler, parts, pd.DataFrame(rows), data_hash(series),
              updates_per_epoch=first.updates_per_epoch, stopped_early_at=first.stopped_early_at,
              best_epoch=first.best_epoch, series_=series,
              state_={"member": len(trained), "done": done, "trainer": None})
    run.score("train")
    run.score("valid")
    return run


def _resumable(state: dict | None, names: tuple, total: int, what: str) -> dict:
    """A training state of ``fit`` checked in shape before it is used (a fresh one for None): a dict of exactly
    ``names`` = (where, done, inner), ``where`` a whole number from 0 to ``total``, ``done`` a list of that many
    dicts (the finished parts), ``inner`` None or a dict (the part in training). ``what`` names the training."""
    where, done, inner = names
    if state is None:
        return {where: 0, done: [], inner: None}
    if not (isinstance(state, dict) and set(state) == set(names) and type(state[where]) is int
            and 0 <= state[where] <= total and isinstance(state[done], list) and len(state[done]) == state[where]
            and all(isinstance(item, dict) for item in state[done])
            and (state[inner] is None or isinstance(state[inner], dict))):
        raise InputError(f"the saved training state does not fit this training (it is not the state of {what}); "
                         "start the training again")
    return state


def _fit_blend(spec: BlendSpec, series: pd.Series, callbacks, progress, checkpoint, checkpoint_every: float,
               state: dict | None) -> Run:
    """Fit each member of the blend through ``fit``, one after another, on ``series``; the blend's run predicts
    their mean and is scored on its own split (``spec.data``: the most days any member reads). A checkpoint's
    state names the member in training, the end states of those before it and that member's own state."""
    state = _resumable(state, ("blend", "done", "member"), len(spec.members), f"a blend of {len(spec.members)} models")
    done, fitted = list(state["done"]), []
    for index, member in enumerate(spec.specs):
        def save(member_state, index=index):
            checkpoint({"blend": index, "done": done[:index], "member": member_state})
        given = done[index] if index < state["blend"] else state["member"] if index == state["blend"] else None
        run = fit(member, series, callbacks=callbacks, progress=progress, checkpoint_every=checkpoint_every,
                  checkpoint=save if checkpoint is not None else None, state=given)
        done[index:index + 1] = [run.state_]
        fitted.append(run)
    parts, scaler = prepare(spec, series)
    history = pd.concat([run.history.assign(model=name) for name, run in zip(spec.names, fitted)],
                        ignore_index=True)
    blend = Run(spec, nn.Ensemble(*(run.model for run in fitted)), scaler, parts, history, data_hash(series),
                updates_per_epoch=None, series_=series, members=fitted,
                state_={"blend": len(fitted), "done": done, "member": None})
    blend.score("train")
    return blend


def shapes(spec: RunSpec | BlendSpec) -> dict[str, tuple]:
    """The names and shapes of the state_dict of a run of ``spec``: ``parameter_shapes``, a blend's under each
    member's place ("0.", "1.", …)."""
    if isinstance(spec, BlendSpec):
        return {f"{index}.{name}": shape for index, member in enumerate(spec.specs)
                for name, shape in shapes(member).items()}
    return parameter_shapes(spec.model, spec.data.n_inputs)


def build(spec: RunSpec | BlendSpec) -> nn.Module:
    """A fresh model of ``spec`` (``build_model``), a blend's as the nn.Ensemble of its members'."""
    if isinstance(spec, BlendSpec):
        return nn.Ensemble(*(build(member) for member in spec.specs))
    return build_model(spec.model, spec.data.n_inputs, spec.train.seed)


def average(fitted: list[Run]) -> Run:
    """An ensemble across runs, of any kinds, fitted on the same data and split: ŷ = (1/N) Σₙ ŷₙ, a Run whose model
    is the nn.Ensemble of theirs (with the first run's spec), scored again on the training and validation days."""
    if not fitted or not all(isinstance(run, Run) for run in fitted):
        raise InputError("average() needs a list of fitted Runs")
    first = fitted[0]
    for run in fitted[1:]:
        if run.spec.data != first.spec.data or run.data_sha256 != first.data_sha256:
            raise InputError("average() needs runs fitted on the same data and days (their data specs or data "
                             "differ); fit each model kind on the same DataSpec")
    run = dataclasses.replace(first, model=nn.Ensemble(*(run.model for run in fitted)), metrics={}, scored=[],
                              baselines={}, history=first.history.copy())
    run.score("train")
    run.score("valid")
    return run


def _given(spec: RunSpec, split) -> Split:
    """``fit``'s ``split=``, checked: a Split whose windows hold ``spec.data.days`` days, with training rows."""
    if not isinstance(split, Split):
        raise InputError(f"split= takes a gradstep.data.Split of train, valid and test windows, got "
                         f"{type(split).__name__}")
    widths = {part: getattr(split, part).X.shape[1] for part in PARTS}
    if set(widths.values()) != {spec.data.days}:
        raise InputError(f"split= holds windows of {', '.join(f'{part} {w}' for part, w in widths.items())} days, "
                         f"and the spec has days={spec.data.days}; make them with make_windows(series, "
                         f"{spec.data.days})")
    if not len(split.train):
        raise InputError("split= has no training windows; give it at least one")
    return split


def _train(spec: RunSpec, model: nn.Module, seed: int, parts: Split, pool: Windows, scaler: Standardizer, callbacks,
           progress, checkpoint, checkpoint_every: float, state: dict | None) -> History:
    """Train one model of the run (an ensemble's member from its own ``seed``) on the model's inputs for the
    windows of the training part and the ``pool`` (validated on the validation part only)."""
    data, train, regularization = spec.data, spec.train, spec.regularization
    callbacks = list(callbacks)
    if train.patience is not None:
        callbacks.append(EarlyStopping(patience=train.patience))
    if checkpoint is not None:
        callbacks.append(Snapshot(checkpoint, every=checkpoint_every))
    trainer = Trainer(model, loss=train.loss, optimizer=train.optimizer, lr=train.lr, epochs=train.epochs,
                      batch_size=train.batch_size, seed=seed, momentum=train.momentum,
                      weight_decay=regularization.weight_decay, l1=regularization.l1,
                      batch_transform=batch_transform(regularization, scaler), callbacks=callbacks,
                      progress=progress, metrics=_metrics(data, scaler))
    train = Windows(np.concatenate([parts.train.X, pool.X]), np.concatenate([parts.train.y, pool.y]),
                    parts.train.dates.append(pool.dates))
    (X, y), (X_valid, y_valid) = ((inputs(data, scaler, part.X), targets(data, scaler, part.X, part.y))
                                  for part in (train, parts.valid))
    return trainer.fit(X, y, X_valid, y_valid, state=state)


def _metrics(data: DataSpec, scaler: Standardizer) -> dict:
    """The history's metric: "mae" in the series' units, std·mean |o − t|; with scale="window" the model's numbers
    are about logs, so it is "log_mae", mean |asinh(ŷ) − asinh(y)| (about the relative error)."""
    if data.scale == "window":
        return {"log_mae": lambda p, y: np.abs(p - y).mean()}
    return {"mae": lambda p, y: np.abs(p - y).mean() * scaler.std}
