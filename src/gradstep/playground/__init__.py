"""The playground: the chapter in a browser, served on this machine (Starlette + uvicorn).

Three panels, each computed by gradstep's engine through the code the studies use: gradient descent on the
1-day model's error surface (``experiments.gradient_descent``), a curve built from hard sigmoids
(``experiments.piecewise``), and a network trained through the run path (``gs.fit``) with its epochs streamed
to the page. Every page and endpoint needs the random token of the URL printed at start (403 without it,
as Jupyter does); inputs are checked on the server and bounded; a training stops when its page closes.
"""

from __future__ import annotations

import asyncio
import dataclasses
import io
import json
import secrets
import tempfile
import threading
import time
import zipfile
from pathlib import Path
from urllib.parse import parse_qs

import numpy as np
import pandas as pd

from ..errors import InputError
from ..lang import CATALOGUE, Text
from ..spec import DataSpec, ModelSpec, RegularizationSpec, RunSpec, TrainSpec
from ..training.callbacks import Callback

STATIC = Path(__file__).parent / "static"
LIMITS = {"units": 256, "layers": 4, "epochs": 1000, "days": 56, "steps": 500, "count": 64, "curve": 2000,
          "trainings": 2, "kept": 8, "body": 256 * 1024}
VALID_DAYS = 45
UNWATCHED = 10.0
KINDS = ("linear", "sigmoid", "relu")


class Refused(Exception):
    """A request the playground answers with ``status`` and one line for the page."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def shown(value) -> str:
    """A value as the page's message quotes it: at most 40 characters."""
    return repr(value) if len(repr(value)) <= 40 else repr(value)[:37] + "..."


def number(body: dict, name: str, kind, low, high, default=None, label: str | None = None):
    """``body[name]`` as ``kind`` (a JSON number) within [low, high] (``default`` when absent), or Refused naming it
    (as ``label`` when given)."""
    label = label or name
    value = body.get(name, default)
    if value is None:
        raise Refused(f"{label} is missing; give {'a whole number' if kind is int else 'a number'} from {low:g} to "
                      f"{high:g}")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (kind is int and isinstance(value, float)
                                                                            and not value.is_integer()):
        raise Refused(f"{label} must be {'a whole number' if kind is int else 'a number'} from {low:g} to {high:g}, "
                      f"not {shown(value)}")
    if not (low <= value <= high):
        raise Refused(f"{label} = {shown(value)} is out of range; it must be from {low:g} to {high:g}")
    return kind(value)


@dataclasses.dataclass
class Training(Callback):
    """One training of the Train panel: its events for the page, a flag to stop it, the fitted model. It stops
    itself when no page has watched it for UNWATCHED seconds (the page closed, or never connected)."""

    spec: RunSpec
    events: list = dataclasses.field(default_factory=list)
    stop: threading.Event = dataclasses.field(default_factory=threading.Event)
    finished: threading.Event = dataclasses.field(default_factory=threading.Event)
    forecaster: object = None
    watchers: int = 0
    seen: float = dataclasses.field(default_factory=time.monotonic)

    def watched(self, change: int) -> None:
        """A page started (+1) or stopped (−1) watching the events."""
        self.watchers += change
        self.seen = time.monotonic()

    def on_epoch_end(self, trainer, row):
        self.events.append(("epoch", {"epoch": row["epoch"], "train_loss": float(row["train_mae"]),
                                      "valid_loss": float(row["valid_mae"])}))
        if not self.watchers and time.monotonic() - self.seen > UNWATCHED:
            self.stop.set()
        if self.stop.is_set():
            trainer.stop = True


class Playground:
    """The state behind the pages: the series, the 1-day data of the descent panel, the curve of the pieces panel and
    the trainings."""

    def __init__(self, data: DataSpec, series: pd.Series, lang: str = "en", token: str | None = None):
        from ..experiments.gradient_descent import one_day
        from ..experiments.piecewise import TWO_YEARS, training_views, yearly_curve
        self.data, self.series, self.lang = data, series, lang
        self.token = token or secrets.token_urlsafe(24)
        self.text = Text(lang)
        self.x, self.y, parts, self.scaler = one_day(data)
        self.raw_x, self.raw_y = parts.train.X[:, 0].astype(float), parts.train.y.astype(float)
        self.curve_x, self.curve = yearly_curve(data)
        self.curve_kind = "year" if len(training_views(data)) >= TWO_YEARS else "days"
        self.trainings: dict[str, Training] = {}
        self.lock = threading.Lock()
        self.closing = threading.Event()
        self._surface = self._grid()

    # gradient descent -------------------------------------------------------------------------------------------
    def raw(self, w: float, b: float) -> tuple[float, float]:
        """(w, b) of the standardised model in views: b_views = std·b + mean·(1 − w)."""
        return w, self.scaler.std * b + self.scaler.mean * (1 - w)

    def standardised(self, w: float, b: float) -> tuple[float, float]:
        """(w, b) in views as the standardised model's: b = (b_views − mean·(1 − w)) / std."""
        return w, (b - self.scaler.mean * (1 - w)) / self.scaler.std

    def _grid(self) -> dict:
        """The MSE L(w, b) of y = b + w x1 on a 61 × 61 grid around the least-squares optimum, in (k views)², and the
        start (0, 0) of the standardised model in views."""
        from ..experiments.gradient_descent import mse_surface
        loss, (w_star, b_star, minimum) = mse_surface(self.raw_x, self.raw_y)
        start = self.raw(0.0, 0.0)
        span_b = max(abs(start[1] - b_star) * 1.6, 1.0)
        ws = np.linspace(w_star - 1.2, w_star + 1.2, 61)
        bs = np.linspace(b_star - span_b, b_star + span_b, 61)
        return {"w": ws.tolist(), "b": bs.tolist(), "loss": (loss(ws[None, :], bs[:, None]) / 1e6).tolist(),
                "optimum": {"w": w_star, "b": b_star, "loss": minimum / 1e6}, "start": {"w": start[0], "b": start[1]}}

    def surface(self) -> dict:
        """The error surface of the descent panel (computed once)."""
        return self._surface

    def descend(self, body: dict) -> dict:
        """Gradient descent from the page's (w, b) in views with its learning rate: the path and the loss at each of
        its points, in (k views)²."""
        from ..experiments.gradient_descent import descent_path, loss_at
        w = number(body, "w", float, -1e3, 1e3)
        b = number(body, "b", float, -1e12, 1e12)
        lr = number(body, "lr", float, 1e-6, 10.0)
        steps = number(body, "steps", int, 1, LIMITS["steps"], 1)
        with np.errstate(all="ignore"):
            points, loss_values = descent_path(self.x, self.y, self.standardised(w, b), lr, steps)
            last = [loss_at(self.x, self.y, points[-1])]
        scale = self.scaler.std ** 2 / 1e6
        loss = [value * scale for value in [*loss_values, *last]]
        finite = [bool(np.isfinite(value) and np.isfinite(p).all()) for value, p in zip(loss, points)]
        keep = finite.index(False) if False in finite else len(points)
        return {"path": [list(self.raw(*point)) for point in points[:keep]], "loss": loss[:keep],
                "diverged": keep < len(points) or loss[keep - 1] > loss[0] * 10}

    # pieces -----------------------------------------------------------------------------------------------------
    def pieces(self, body: dict) -> dict:
        """A curve (the page's year, or one the user drew) as a constant plus ``count`` hard sigmoids, and the same
        with sigmoids."""
        from ..experiments.piecewise import components
        count = number(body, "count", int, 1, LIMITS["count"], 4)
        curve = body.get("curve")
        if curve is None:
            x, f = np.asarray(self.curve_x, dtype=float), np.asarray(self.curve, dtype=float)
        else:
            if not isinstance(curve, list) or not 2 * count <= len(curve) <= LIMITS["curve"]:
                raise Refused(f"curve must be a list of {2 * count} to {LIMITS['curve']} numbers (two per piece at "
                              "least)")
            f = np.asarray([number({"value": v}, "value", float, -1e12, 1e12, label=f"curve[{i}]")
                            for i, v in enumerate(curve)], dtype=float)
            x = np.arange(1.0, len(f) + 1)
        found = components(x, f, count)
        return {"x": x.tolist(), "curve": f.tolist(), **found}

    # training ---------------------------------------------------------------------------------------------------
    def training_spec(self, body: dict) -> RunSpec:
        """The RunSpec of the Train panel's controls; the last VALID_DAYS training days are validation days."""
        kind = body.get("model", "relu")
        if kind not in KINDS:
            raise Refused(f"model must be one of {', '.join(KINDS)}, not {str(kind)[:40]!r}")
        batch = body.get("batch_size", 32)
        batch_size = None if batch == "full" else number(body, "batch_size", int, 1, 100_000, 32)
        units = number(body, "units", int, 1, LIMITS["units"], 32) if kind != "linear" else ModelSpec().units
        layers = number(body, "layers", int, 1, LIMITS["layers"], 1) if kind == "relu" else 1
        dropout = number(body, "dropout", float, 0.0, 0.9, 0.0) if kind == "relu" else 0.0
        patience = body.get("patience")
        try:
            spec = RunSpec(
                data=dataclasses.replace(self.data, days=number(body, "days", int, 1, LIMITS["days"], 56),
                                         valid_days=VALID_DAYS),
                model=ModelSpec(kind, units=units, layers=layers, dropout=dropout),
                train=TrainSpec(loss="mae", optimizer="adam", lr=number(body, "lr", float, 1e-6, 1.0, 0.001),
                                epochs=number(body, "epochs", int, 1, LIMITS["epochs"], 100), batch_size=batch_size,
                                seed=number(body, "seed", int, 0, 2**31 - 1, 0),
                                patience=None if patience in (None, "", 0) else
                                number(body, "patience", int, 1, LIMITS["epochs"])),
                regularization=RegularizationSpec(l1=number(body, "l1", float, 0.0, 1.0, 0.0),
                                                  weight_decay=number(body, "l2", float, 0.0, 1.0, 0.0),
                                                  input_noise=number(body, "noise", float, 0.0, 5.0, 0.0)))
        except InputError as error:
            raise Refused(str(error)) from None
        self.check_fits(spec.data.days)
        return spec

    def check_fits(self, days: int) -> None:
        """Refuse, before training, a number of past days the series is too short for (with its validation and
        test days held out), naming the most it can read."""
        from ..run import split

        def fits(days):
            try:
                split(RunSpec(data=dataclasses.replace(self.data, days=days, valid_days=VALID_DAYS)), self.series)
            except InputError:
                return False
            return True
        if fits(days):
            return
        most = next((d for d in range(days - 1, 0, -1) if fits(d)), None)
        advice = f"read at most {most} past days" if most else "use a longer series"
        raise Refused(f"days = {days} needs more days than the series has ({len(self.series)}, of which the last "
                      f"{VALID_DAYS} validate and the test days are held out); {advice}")

    def start(self, body: dict) -> str:
        """Start a training in a thread; its id."""
        spec = self.training_spec(body)
        with self.lock:
            running = [t for t in self.trainings.values() if not t.finished.is_set()]
            if len(running) >= LIMITS["trainings"]:
                raise Refused(f"{len(running)} trainings are running, the most the playground runs at once; stop one "
                              "first", status=429)
            for old in [key for key, t in self.trainings.items() if t.finished.is_set()][:-LIMITS["kept"] + 1 or None]:
                del self.trainings[old]
            key = secrets.token_hex(8)
            training = self.trainings[key] = Training(spec)
        threading.Thread(target=self._train, args=(training,), daemon=True, name=f"training-{key}").start()
        return key

    def _train(self, training: Training) -> None:
        from ..forecast import Forecaster
        try:
            forecaster = Forecaster(training.spec).fit(self.series, callbacks=[training])
            run = forecaster.run
            valid = run.split_.valid
            training.forecaster = forecaster
            training.events.append(("done", {
                "stopped": training.stop.is_set(), "early_stopped": run.stopped_early_at is not None,
                "epochs": int(len(run.history)),
                "best_epoch": run.best_epoch, "train_mae": run.metrics["train"]["mae"],
                "valid_mae": run.metrics["valid"]["mae"], "dates": [f"{d:%Y-%m-%d}" for d in valid.dates],
                "truth": valid.y.tolist(), "prediction": run.predict(valid.X).tolist()}))
        except InputError as error:
            training.events.append(("failed", {"error": str(error)}))
        except Exception as error:  # the page gets one line, never a stack trace
            training.events.append(("failed", {"error": f"training failed: {type(error).__name__}: {error}"[:300]}))
        finally:
            training.finished.set()

    def training(self, key: str) -> Training:
        found = self.trainings.get(key)
        if found is None:
            raise Refused("no such training (it may have been replaced by newer ones); start it again", status=404)
        return found

    def model_zip(self, key: str) -> bytes:
        """The trained model in gradstep's saved format (model.npz, model.json, history.csv) as a zip."""
        training = self.training(key)
        if training.forecaster is None:
            raise Refused("the model is not trained yet; wait for the training to finish", status=409)
        with tempfile.TemporaryDirectory() as directory:
            training.forecaster.write(directory)
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
                for path in sorted(Path(directory).iterdir()):
                    archive.write(path, f"gradstep-model/{path.name}")
        return buffer.getvalue()

    def close(self) -> None:
        """Stop every training and end every stream (the server is shutting down)."""
        self.closing.set()
        for training in list(self.trainings.values()):
            training.stop.set()

    def info(self) -> dict:
        """What the page needs at start: its words, the series, the limits and the defaults."""
        days = self.series.index
        return {"lang": self.lang, "text": {key: value for key, value in CATALOGUE[self.lang].items()
                                            if key.startswith("pg.")},
                "series": {"name": self.data.describe(), "first": f"{days[0]:%Y-%m-%d}",
                           "last": f"{days[-1]:%Y-%m-%d}", "days": len(days)},
                "limits": LIMITS, "valid_days": VALID_DAYS, "curve": self.curve_kind}


def create_app(playground: Playground):
    """The Starlette application: the page, its static files and the JSON/SSE endpoints, all behind the token."""
    from starlette.applications import Starlette
    from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response, StreamingResponse
    from starlette.routing import Mount, Route
    from starlette.staticfiles import StaticFiles

    async def body_of(request) -> dict:
        too_large = Refused(f"the request is larger than the {LIMITS['body']} bytes the playground reads", status=413)
        declared = request.headers.get("content-length", "0")
        if not declared.isdigit() or int(declared) > LIMITS["body"]:
            raise too_large
        raw = b""
        async for chunk in request.stream():
            raw += chunk
            if len(raw) > LIMITS["body"]:
                raise too_large
        try:
            value = json.loads(raw or b"{}")
        except (ValueError, RecursionError):
            raise Refused("the request is not JSON") from None
        if not isinstance(value, dict):
            raise Refused("the request must be a JSON object")
        return value

    def answering(handler):
        async def endpoint(request):
            try:
                return await handler(request)
            except Refused as refused:
                return JSONResponse({"error": str(refused)}, status_code=refused.status)
        return endpoint

    async def page(request):
        html = (STATIC / "index.html").read_text(encoding="utf-8")
        return HTMLResponse(html.replace("{{token}}", playground.token)
                            .replace("{{lang}}", "zh-Hans" if playground.lang == "zh" else playground.lang))

    async def info(request):
        return JSONResponse(playground.info())

    async def surface(request):
        return JSONResponse(await asyncio.to_thread(playground.surface))

    async def descend(request):
        body = await body_of(request)
        return JSONResponse(await asyncio.to_thread(playground.descend, body))

    async def pieces(request):
        body = await body_of(request)
        return JSONResponse(await asyncio.to_thread(playground.pieces, body))

    async def start(request):
        return JSONResponse({"id": playground.start(await body_of(request))})

    async def stop(request):
        playground.training(request.path_params["key"]).stop.set()
        return JSONResponse({"stopping": True})

    async def events(request):
        training = playground.training(request.path_params["key"])

        async def stream():
            sent = 0
            training.watched(+1)
            try:
                while not playground.closing.is_set():
                    while sent < len(training.events):
                        kind, data = training.events[sent]
                        sent += 1
                        yield f"event: {kind}\ndata: {json.dumps(data)}\n\n"
                        if kind in ("done", "failed"):
                            return
                    if await request.is_disconnected():
                        return
                    await asyncio.sleep(0.05)
            finally:
                training.watched(-1)
                if not training.finished.is_set():
                    training.stop.set()
        return StreamingResponse(stream(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})

    async def model(request):
        data = await asyncio.to_thread(playground.model_zip, request.path_params["key"])
        return Response(data, media_type="application/zip",
                        headers={"Content-Disposition": 'attachment; filename="gradstep-model.zip"'})

    routes = [Route("/", page), Route("/api/info", answering(info)),
              Route("/api/descent/surface", answering(surface)),
              Route("/api/descent/run", answering(descend), methods=["POST"]),
              Route("/api/pieces", answering(pieces), methods=["POST"]),
              Route("/api/train", answering(start), methods=["POST"]),
              Route("/api/train/{key}/stop", answering(stop), methods=["POST"]),
              Route("/api/train/{key}/events", answering(events)),
              Route("/api/train/{key}/model", answering(model)),
              Mount("/static", app=StaticFiles(directory=STATIC), name="static")]
    app = Starlette(routes=routes)
    token = playground.token.encode()

    async def guarded(scope, receive, send):
        if scope["type"] == "websocket":
            return await send({"type": "websocket.close", "code": 1008})
        if scope["type"] == "http":
            query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
            headers = dict(scope.get("headers", []))
            given = headers.get(b"x-gradstep-token", query.get("token", [""])[0].encode("utf-8"))
            if not secrets.compare_digest(given, token):
                response = PlainTextResponse("403: this playground needs the token of the URL gradstep printed",
                                             status_code=403)
                return await response(scope, receive, send)
        return await app(scope, receive, send)
    return guarded


def serve(playground: Playground, host: str, port: int, open_browser: bool, say) -> None:
    """Serve until interrupted; ``say`` gets the one line with the URL."""
    import socket
    import webbrowser

    import uvicorn
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
    except (OSError, UnicodeError):
        raise InputError(f"host={host!r} is not an address of this machine; use 127.0.0.1 (the default)") from None
    sock = socket.socket(family)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        raise InputError(f"cannot listen on host={host!r} port={port} ({error.strerror or error}); choose another "
                         "port, or port=0 for a free one") from None
    sock.listen(128)
    bound = sock.getsockname()[1]
    url = f"http://{host if ':' not in host else f'[{host}]'}:{bound}/?token={playground.token}"
    say(url)
    if open_browser:
        webbrowser.open(url)
    config = uvicorn.Config(create_app(playground), log_level="warning", lifespan="off", timeout_graceful_shutdown=2)
    server = uvicorn.Server(config)
    try:
        server.run(sockets=[sock])
    finally:
        playground.close()
