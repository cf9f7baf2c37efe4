"""The playground's server without a browser: the token guards everything, inputs are checked and bounded, each panel
computes what the chapter says (through the studies' code and the run path), trainings stream, stop and download."""

import io
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile

import numpy as np
import pytest

pytest.importorskip("starlette")
pytest.importorskip("httpx2")

from starlette.testclient import TestClient  # noqa: E402

from gradstep.forecast import Forecaster  # noqa: E402
from gradstep.playground import LIMITS, VALID_DAYS, Playground, create_app  # noqa: E402
from gradstep.run import load_series, split  # noqa: E402
from gradstep.spec import DataSpec  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def playground():
    data = DataSpec()
    return Playground(data, load_series(data), token="the-token")


@pytest.fixture(scope="module")
def client(playground):
    with TestClient(create_app(playground)) as client:
        client.params = {"token": playground.token}
        yield client


def events(client, key, stop_after=None):
    """The (event, data) pairs of a training's stream; with ``stop_after``, leave after that many epochs (the page
    closing)."""
    found = []
    with client.stream("GET", f"/api/train/{key}/events") as response:
        kind = None
        for line in response.iter_lines():
            if line.startswith("event: "):
                kind = line[7:]
            elif line.startswith("data: "):
                found.append((kind, json.loads(line[6:])))
                if stop_after is not None and len(found) >= stop_after:
                    break
    return found


def wait_until_finished(playground, key, seconds=30):
    training = playground.trainings[key]
    assert training.finished.wait(seconds)
    return training


@pytest.mark.parametrize("method, path", [("GET", "/"), ("GET", "/api/info"), ("GET", "/static/index.html"),
                                          ("GET", "/api/descent/surface"), ("POST", "/api/descent/run"),
                                          ("POST", "/api/pieces"), ("POST", "/api/train"),
                                          ("GET", "/api/train/x/model"), ("GET", "/nowhere")])
@pytest.mark.parametrize("token", [None, "", "the-token-", "THE-TOKEN"])
def test_without_the_token_every_page_and_endpoint_answers_403(playground, method, path, token):
    with TestClient(create_app(playground)) as client:
        response = client.request(method, path, params={} if token is None else {"token": token}, json={})
    assert response.status_code == 403 and "token" in response.text


def test_the_token_opens_the_page_in_the_query_or_a_header(playground, client):
    page = client.get("/")
    assert page.status_code == 200 and "the-token" in page.text and "{{token}}" not in page.text
    with TestClient(create_app(playground)) as bare:
        assert bare.get("/api/info", headers={"X-Gradstep-Token": "the-token"}).status_code == 200


def test_static_files_come_from_the_static_folder_only(client):
    assert client.get("/static/index.html").status_code == 200
    for path in ("/static/../__init__.py", "/static/%2e%2e/__init__.py", "/static/..%2f__init__.py",
                 "/static//etc/passwd", "/static/nothing.js"):
        assert client.get(path).status_code == 404, path


def test_info_names_the_series_limits_and_the_pages_words(client):
    info = client.get("/api/info").json()
    assert info["series"]["name"] == "Standard_deviation" and info["series"]["first"] == "2017-01-01"
    assert info["limits"]["units"] == LIMITS["units"] and info["valid_days"] == VALID_DAYS
    assert info["lang"] == "en" and all(key.startswith("pg.") for key in info["text"])
    assert info["curve"] == "year" and f"pg.pieces.curve_{info['curve']}" in info["text"]


def test_a_series_shorter_than_two_years_has_its_days_as_the_curve(tmp_path):
    series = load_series(DataSpec()).loc["2023-01-01":"2024-06-30"]
    csv = tmp_path / "views.csv"
    series.rename("Views").rename_axis("Date").to_frame().to_csv(csv)
    data = DataSpec(csv=str(csv))
    playground = Playground(data, load_series(data))
    info = playground.info()
    assert info["curve"] == "days" and "pg.pieces.axis_days" in info["text"]
    assert playground.curve_x[0] == 1 and len(playground.curve_x) != 365


def raw_mse(playground, w, b):
    """The 1-day model's MSE in (k views)², straight from the raw windows."""
    return float(np.mean((b + w * playground.raw_x - playground.raw_y) ** 2)) / 1e6


def test_the_surface_is_the_mse_of_the_raw_windows_around_the_optimum(playground, client):
    surface = client.get("/api/descent/surface").json()
    loss = np.asarray(surface["loss"])
    assert loss.shape == (61, 61) and len(surface["w"]) == len(surface["b"]) == 61
    for i, j in ((0, 0), (30, 30), (60, 12)):
        assert loss[i, j] == pytest.approx(raw_mse(playground, surface["w"][j], surface["b"][i]), rel=1e-9)
    optimum = surface["optimum"]
    assert optimum["loss"] == pytest.approx(raw_mse(playground, optimum["w"], optimum["b"]), rel=1e-9)
    assert optimum["loss"] <= loss.min() + 1e-9
    assert surface["start"]["w"] == 0 and surface["start"]["b"] == pytest.approx(playground.raw_y.mean(), rel=0.02)


def test_a_good_rate_walks_down_to_the_optimum_and_each_loss_is_its_points(playground, client):
    surface = client.get("/api/descent/surface").json()
    start = surface["start"]
    found = client.post("/api/descent/run", json={**start, "lr": 0.1, "steps": 200}).json()
    assert len(found["path"]) == len(found["loss"]) == 201 and not found["diverged"]
    assert found["path"][0] == pytest.approx([start["w"], start["b"]])
    assert all(a > b for a, b in zip(found["loss"][:30], found["loss"][1:31]))
    assert found["loss"][-1] == pytest.approx(surface["optimum"]["loss"], rel=1e-9)
    for (w, b), loss in list(zip(found["path"], found["loss"]))[::40]:
        assert loss == pytest.approx(raw_mse(playground, w, b), rel=1e-9)
    one = client.post("/api/descent/run", json={**start, "lr": 0.1}).json()
    assert one["path"] == found["path"][:2] and one["loss"] == pytest.approx(found["loss"][:2])


def test_too_large_a_rate_overshoots_and_its_loss_grows(client):
    start = client.get("/api/descent/surface").json()["start"]
    found = client.post("/api/descent/run", json={**start, "lr": 1.02, "steps": 40}).json()
    w = [point[0] for point in found["path"]]
    assert found["diverged"] and found["loss"][-1] > 3 * found["loss"][0]
    optimum = client.get("/api/descent/surface").json()["optimum"]["w"]
    assert all((a - optimum) * (b - optimum) < 0 for a, b in zip(w[1:], w[2:]))  # jumps across the valley each step


def test_a_path_that_leaves_the_numbers_stops_where_they_end(client):
    found = client.post("/api/descent/run", json={"w": 0, "b": 0, "lr": 10, "steps": 500}).json()
    assert found["diverged"] and len(found["path"]) == len(found["loss"]) < 501
    assert all(np.isfinite(found["loss"])) and all(np.isfinite(found["path"]).ravel())


@pytest.mark.parametrize("body, words", [
    ({"w": 0, "b": 0, "lr": -1}, "lr = -1 is out of range; it must be from 1e-06 to 10"),
    ({"w": 0, "b": 0, "lr": "fast"}, "lr must be a number from 1e-06 to 10, not 'fast'"),
    ({"w": 0, "b": 0, "lr": 0.1, "steps": 501}, "steps = 501 is out of range"),
    ({"w": 0, "b": 0, "lr": 0.1, "steps": 2.5}, "steps must be a whole number"),
    ({"w": 0, "b": 0, "lr": 0.1, "steps": True}, "steps must be a whole number"),
    ({"b": 0, "lr": 0.1}, "w is missing; give a number from -1000 to 1000"),
    ({"w": 1e300, "b": 0, "lr": 0.1}, "w = 1e+300 is out of range"),
    ({"w": 0, "b": 0, "lr": 0.1, "steps": 10 ** 400}, "steps = 1000000000000000000000000000000000000... is out of range"),
    ({"w": 0, "b": 0, "lr": "0.1"}, "lr must be a number from 1e-06 to 10, not '0.1'"),
    ({"w": 0, "b": 0, "lr": None}, "lr is missing"),
])
def test_bad_descent_values_get_one_line(client, body, words):
    response = client.post("/api/descent/run", json=body)
    assert response.status_code == 400 and words in response.json()["error"] and "\n" not in response.json()["error"]


@pytest.mark.parametrize("content, status, words", [
    (b"not json", 400, "the request is not JSON"),
    (b"[1, 2]", 400, "the request must be a JSON object"),
    (b"[" * 150_000 + b"]" * 150_000, 413, "larger than the 262144 bytes the playground reads"),
    (b'{"w": ' + b"1" * 300_000 + b"}", 413, "larger than the 262144 bytes"),
    (b"[" * 60_000 + b"]" * 60_000, 400, "the request is not JSON"),
])
def test_bodies_that_are_not_small_json_objects_are_refused(client, content, status, words):
    response = client.post("/api/descent/run", content=content, headers={"content-type": "application/json"})
    assert response.status_code == status and words in response.json()["error"]


def test_more_pieces_fit_the_year_better_and_the_pieces_add_up(client):
    errors = {}
    for count in (1, 8):
        found = client.post("/api/pieces", json={"count": count}).json()
        assert found["n"] == count and len(found["hard"]) == len(found["sigmoid"]) == count
        np.testing.assert_allclose(found["constant"] + np.sum(found["hard"], axis=0), found["hard_sum"], atol=1e-6)
        np.testing.assert_allclose(found["constant"] + np.sum(found["sigmoid"], axis=0), found["sigmoid_sum"],
                                   atol=1e-6)
        errors[count] = found["hard_mae"]
        assert len(found["x"]) == len(found["curve"]) == 365
    assert errors[8] < 0.5 * errors[1]


def test_a_drawn_curve_is_fitted_as_drawn(client):
    curve = [float(v) for v in np.linspace(0, 10, 50) ** 2]
    found = client.post("/api/pieces", json={"count": 5, "curve": curve}).json()
    assert found["curve"] == curve and found["x"] == list(range(1, 51))
    assert found["knots"][0] == 1 and found["knots"][-1] == 50


@pytest.mark.parametrize("body, words", [
    ({"count": 0}, "count = 0 is out of range; it must be from 1 to 64"),
    ({"count": 65}, "count = 65 is out of range"),
    ({"count": 4, "curve": [1, 2, 3]}, "curve must be a list of 8 to 2000 numbers"),
    ({"count": 4, "curve": [1.0] * 2001}, "curve must be a list of 8 to 2000 numbers"),
    ({"count": 4, "curve": "1,2,3"}, "curve must be a list"),
    ({"count": 1, "curve": [1, 2, "x"]}, "curve[2] must be a number from -1e+12 to 1e+12, not 'x'"),
])
def test_bad_pieces_get_one_line(client, body, words):
    response = client.post("/api/pieces", json=body)
    assert response.status_code == 400 and words in response.json()["error"]


def test_a_training_streams_every_epoch_then_its_validation_predictions_and_downloads(playground, client):
    key = client.post("/api/train", json={"model": "relu", "units": 8, "epochs": 6, "batch_size": 64}).json()["id"]
    found = events(client, key)
    epochs = [data for kind, data in found if kind == "epoch"]
    assert [e["epoch"] for e in epochs] == [1, 2, 3, 4, 5, 6]
    assert all(e["train_loss"] > 0 and e["valid_loss"] > 0 for e in epochs)
    kind, done = found[-1]
    assert kind == "done" and not done["stopped"] and done["epochs"] == 6
    assert len(done["dates"]) == len(done["truth"]) == len(done["prediction"]) == VALID_DAYS
    assert done["valid_mae"] == pytest.approx(np.mean(np.abs(np.subtract(done["prediction"], done["truth"]))),
                                              rel=1e-4)
    assert done["valid_mae"] == pytest.approx(epochs[-1]["valid_loss"], rel=1e-4)
    response = client.get(f"/api/train/{key}/model")
    assert response.status_code == 200 and response.headers["content-type"] == "application/zip"
    assert 'filename="gradstep-model.zip"' in response.headers["content-disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert sorted(archive.namelist()) == ["gradstep-model/history.csv", "gradstep-model/model.json",
                                          "gradstep-model/model.npz"]


def test_the_downloaded_model_is_a_model_directory_gradstep_reads(playground, client, tmp_path):
    key = client.post("/api/train", json={"model": "sigmoid", "units": 4, "epochs": 3, "days": 7}).json()["id"]
    done = events(client, key)[-1][1]
    zipfile.ZipFile(io.BytesIO(client.get(f"/api/train/{key}/model").content)).extractall(tmp_path)
    forecaster, _ = Forecaster.load(tmp_path / "gradstep-model")
    spec = forecaster.spec
    assert spec.model.kind == "sigmoid" and spec.data.days == 7 and spec.data.valid_days == VALID_DAYS
    valid = split(spec, playground.series).valid
    assert [f"{d:%Y-%m-%d}" for d in valid.dates] == done["dates"]
    np.testing.assert_allclose(forecaster.run.predict(valid.X), done["prediction"], rtol=1e-6)


def test_stop_ends_a_training_early_and_says_so(playground, client):
    key = client.post("/api/train", json={"model": "relu", "units": 8, "epochs": 1000, "batch_size": 8}).json()["id"]
    time.sleep(0.3)
    assert client.post(f"/api/train/{key}/stop").json() == {"stopping": True}
    found = events(client, key)
    kind, done = found[-1]
    assert kind == "done" and done["stopped"] and done["epochs"] < 1000


def test_a_training_stops_when_its_page_leaves(playground, client):
    key = client.post("/api/train", json={"model": "relu", "units": 8, "epochs": 1000, "batch_size": 8}).json()["id"]
    assert [kind for kind, _ in events(client, key, stop_after=2)] == ["epoch", "epoch"]
    training = wait_until_finished(playground, key)
    assert training.stop.is_set() and training.events[-1][0] == "done" and training.events[-1][1]["stopped"]


def test_no_more_than_two_trainings_run_at_once(playground, client):
    body = {"model": "relu", "units": 8, "epochs": 1000, "batch_size": 8}
    keys = [client.post("/api/train", json=body).json()["id"] for _ in range(2)]
    refused = client.post("/api/train", json=body)
    assert refused.status_code == 429 and "2 trainings are running" in refused.json()["error"]
    assert client.get(f"/api/train/{keys[0]}/model").status_code == 409
    for key in keys:
        client.post(f"/api/train/{key}/stop")
        wait_until_finished(playground, key)
    assert client.post("/api/train", json={**body, "epochs": 1}).status_code == 200


@pytest.mark.parametrize("body, words", [
    ({"model": "cnn"}, "model must be one of linear, sigmoid, relu, not 'cnn'"),
    ({"units": 1000}, "units = 1000 is out of range; it must be from 1 to 256"),
    ({"layers": 5}, "layers = 5 is out of range"),
    ({"epochs": 0}, "epochs = 0 is out of range"),
    ({"batch_size": "many"}, "batch_size must be a whole number"),
    ({"lr": 2}, "lr = 2 is out of range"),
    ({"dropout": 0.95}, "dropout = 0.95 is out of range"),
    ({"days": 57}, "days = 57 is out of range"),
    ({"l2": -1}, "l2 = -1 is out of range"),
    ({"patience": -3}, "patience = -3 is out of range"),
])
def test_bad_training_values_get_one_line_and_start_nothing(playground, client, body, words):
    before = len(playground.trainings)
    response = client.post("/api/train", json={"model": "relu", **body})
    assert response.status_code == 400 and words in response.json()["error"]
    assert len(playground.trainings) == before


def test_an_unknown_training_is_404(client):
    for path in ("/api/train/nope/events", "/api/train/nope/model"):
        response = client.get(path)
        assert response.status_code == 404 and "no such training" in response.json()["error"]
    assert client.post("/api/train/nope/stop").status_code == 404


def test_the_command_serves_on_127_0_0_1_prints_one_line_and_stops_on_ctrl_c(tmp_path):
    with _playground() as process:
        try:
            line = process.stdout.readline()
            assert line.startswith("gradstep playground: http://127.0.0.1:") and line.endswith("(Ctrl-C to stop)\n")
            url = line.split()[2]
            with urllib.request.urlopen(url, timeout=10) as page:
                assert page.status == 200 and b"<html" in page.read()
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(url.split("?")[0], timeout=10)
            refused.value.close()
            assert refused.value.code == 403
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=20)
            finally:
                if process.poll() is None:
                    process.kill()
    assert process.returncode in (0, 130, -signal.SIGINT)


def _playground() -> subprocess.Popen:
    """``gradstep playground --no-browser`` in a process Ctrl-C ends as in a terminal; its pipes close with the
    ``with`` block."""
    return subprocess.Popen([sys.executable, "-m", "gradstep.cli", "playground", "--no-browser"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


@pytest.mark.parametrize("argv, words", [
    (["--port", "70000"], "--port 70000 is out of range"),
    (["--lang", "fr"], "invalid choice: 'fr'"),
    (["--page", "Nope"], "unknown page"),
])
def test_bad_playground_options_get_one_line(argv, words):
    result = subprocess.run([sys.executable, "-m", "gradstep.cli", "playground", "--no-browser", *argv],
                            capture_output=True, text=True, timeout=60, env={**os.environ, "NO_COLOR": "1"})
    assert result.returncode == 2 and words in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_a_failing_training_sends_its_one_line_as_failed(playground, client, monkeypatch):
    from gradstep import forecast
    from gradstep.errors import InputError

    def refuse(self, *args, **kwargs):
        raise InputError("training diverged: the MAE loss grew; try a smaller learning rate such as lr=0.0001")
    monkeypatch.setattr(forecast.Forecaster, "fit", refuse)
    key = client.post("/api/train", json={"model": "relu", "units": 8, "epochs": 3}).json()["id"]
    assert events(client, key) == [("failed", {"error": "training diverged: the MAE loss grew; try a smaller "
                                                         "learning rate such as lr=0.0001"})]
    assert client.get(f"/api/train/{key}/model").status_code == 409


def test_early_stopping_says_it_stopped_the_training(client):
    key = client.post("/api/train", json={"model": "relu", "units": 8, "epochs": 300, "patience": 1,
                                          "batch_size": 64}).json()["id"]
    kind, done = events(client, key)[-1]
    assert kind == "done", done
    assert done["early_stopped"] and not done["stopped"] and done["epochs"] < 300
    assert done["best_epoch"] == done["epochs"] - 1


def test_a_token_with_url_escapes_is_matched_decoded():
    data = DataSpec()
    playground = Playground(data, load_series(data), token="a+b/c%d")
    with TestClient(create_app(playground)) as client:
        assert client.get("/api/info", params={"token": "a+b/c%d"}).status_code == 200
        assert client.get("/api/info?token=a+b/c%d").status_code == 403


def test_a_body_is_refused_by_its_declared_length_or_as_it_streams_past_the_limit(client):
    declared = client.post("/api/descent/run", content=b"{}", headers={"content-length": str(10 ** 9)})
    assert declared.status_code == 413

    def chunks():
        for _ in range(100):
            yield b" " * 10_000
    streamed = client.post("/api/descent/run", content=chunks())
    assert streamed.status_code == 413 and "larger than the 262144 bytes" in streamed.json()["error"]


def test_a_training_no_page_watches_stops_itself(playground, client, monkeypatch):
    import gradstep.playground as module
    monkeypatch.setattr(module, "UNWATCHED", 0.2)
    key = client.post("/api/train", json={"model": "relu", "units": 8, "epochs": 1000, "batch_size": 8}).json()["id"]
    training = wait_until_finished(playground, key)
    assert training.stop.is_set() and training.events[-1][1]["stopped"] and training.events[-1][1]["epochs"] < 1000


def test_unused_controls_are_not_checked(client):
    key = client.post("/api/train", json={"model": "linear", "units": None, "layers": 99, "dropout": 5,
                                          "epochs": 1}).json()["id"]
    assert events(client, key)[-1][0] == "done"


def test_websockets_are_closed_without_a_word(client):
    from starlette.websockets import WebSocketDisconnect
    with pytest.raises(WebSocketDisconnect):
        with client.websocket_connect("/api/info?token=the-token") as socket:
            socket.receive_text()


def test_ctrl_c_ends_the_server_and_its_training_while_a_page_streams_it():
    with _playground() as process:
        try:
            url = process.stdout.readline().split()[2]
            base, token = url.split("/?token=")
            request = urllib.request.Request(f"{base}/api/train?token={token}", method="POST",
                                             data=json.dumps({"model": "relu", "units": 8, "epochs": 1000,
                                                              "batch_size": 8}).encode(),
                                             headers={"content-type": "application/json"})
            with urllib.request.urlopen(request, timeout=10) as response:
                key = json.loads(response.read())["id"]
            with urllib.request.urlopen(f"{base}/api/train/{key}/events?token={token}", timeout=30) as stream:
                assert stream.readline().startswith(b"event: epoch")
                started = time.monotonic()
                process.send_signal(signal.SIGINT)
                process.wait(timeout=15)
                assert time.monotonic() - started < 10
        finally:
            if process.poll() is None:
                process.kill()


def test_a_port_in_use_gets_one_line_naming_it():
    import socket
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run([sys.executable, "-m", "gradstep.cli", "playground", "--no-browser", "--port",
                                 str(port)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and f"cannot listen on --host 127.0.0.1 --port {port}" in result.stderr
    assert "choose another port" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_without_the_playground_extra_the_command_says_how_to_install_it(monkeypatch, capsys):
    from gradstep.cli import main
    monkeypatch.setitem(sys.modules, "uvicorn", None)
    assert main(["playground", "--no-browser"]) == 2
    err = capsys.readouterr().err
    assert err == ('gradstep playground: error: the playground needs Starlette and uvicorn; install them with '
                   'pip install "gradstep[playground]"\n')


@pytest.mark.parametrize("last, advice", [("2024-04-29", "read at most {most} past days"),
                                          ("2024-03-01", "use a longer series")])
def test_past_days_a_short_series_cannot_hold_are_refused_before_training_naming_the_most_it_can(tmp_path, last,
                                                                                                 advice):
    series = load_series(DataSpec()).loc["2024-01-01":last]
    csv = tmp_path / "short.csv"
    series.rename("Views").rename_axis("Date").to_frame().to_csv(csv)
    data = DataSpec(csv=str(csv))
    playground = Playground(data, load_series(data))
    with TestClient(create_app(playground)) as client:
        client.params = {"token": playground.token}
        refused = client.post("/api/train", json={"model": "relu", "days": 56})
        assert refused.status_code == 400 and playground.trainings == {}
        error = refused.json()["error"]
        most = int(error.split("read at most ")[1].split()[0]) if "read at most" in error else None
        assert error == (f"days = 56 needs more days than the series has ({len(series)}, of which the last 45 "
                         f"validate and the test days are held out); {advice.format(most=most)}")
        if most is not None:
            assert client.post("/api/train", json={"model": "relu", "days": most + 1}).status_code == 400
            key = client.post("/api/train", json={"model": "relu", "days": most, "epochs": 1}).json()["id"]
            assert events(client, key)[-1][0] == "done"
