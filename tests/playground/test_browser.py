"""The playground in a real browser (Debian's Chromium through Playwright): each panel clicked through as a student
would, the token, one-line errors, settings kept in the address, the Chinese page. Short settings keep it quick.

GRADSTEP_SCREENSHOTS=1 also writes docs/playground-{descent,pieces,train}.png from the same pages."""

from __future__ import annotations

import io
import os
import re
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import pytest

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")
pytest.importorskip("playwright.sync_api")

CHROMIUM = "/usr/bin/chromium"  # as in conftest.py
if not Path(CHROMIUM).exists():
    pytest.skip(f"no Chromium at {CHROMIUM} (on Debian: apt-get install chromium)", allow_module_level=True)

from playwright.sync_api import expect  # noqa: E402

DOCS = Path(__file__).resolve().parents[2] / "docs"


def hook(page, name, panel=None):
    """The element of data-testid ``name`` (inside the panel of data-testid ``panel``)."""
    scope = page.get_by_test_id(panel) if panel else page
    return scope.get_by_test_id(name)


def number(page, name) -> float:
    return float(hook(page, name).text_content())


def shown(value: float) -> str:
    """``value`` as the page writes it: four significant digits, no trailing zeros (gs.fmt in common.js)."""
    return repr(float(f"{value:.4g}"))


def opened(page, served, hash=""):
    """Open the page and wait until every panel has drawn its first numbers."""
    page.goto(served.url(hash))
    expect(hook(page, "descent-loss")).not_to_have_text("–")
    expect(hook(page, "pieces-error")).not_to_have_text("–")
    return page


def step(page, expected_steps):
    hook(page, "descent-step").click()
    expect(hook(page, "descent-steps")).to_have_text(str(expected_steps))
    return number(page, "descent-loss")


def run(page, expected_steps):
    hook(page, "descent-run").click()
    expect(hook(page, "descent-steps")).to_have_text(str(expected_steps))
    expect(hook(page, "descent-run")).to_be_enabled()  # the animation is over
    return number(page, "descent-loss")


def read(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


# ---- the token --------------------------------------------------------------------------------------------------

def test_without_the_token_the_page_and_its_files_are_refused(served, page):
    assert page.goto(served.base + "/").status == 403
    assert "token" in page.text_content("body")
    assert read(served.base + "/static/app.js")[0] == 403
    assert read(served.base + "/?token=not-" + served.token)[0] == 403
    status, body = read(served.url())
    assert status == 200 and served.token.encode() in body and b"{{token}}" not in body


# ---- 1. gradient descent ----------------------------------------------------------------------------------------

def test_a_good_rate_goes_downhill_step_by_step_and_reaches_the_optimum(served, page):
    opened(page, served)
    expect(hook(page, "descent-lr")).to_have_value("0.1")
    losses = [number(page, "descent-loss")] + [step(page, i) for i in (1, 2, 3)]
    assert losses == sorted(losses, reverse=True) and len(set(losses)) == 4, losses
    final = run(page, 53)
    optimum = served.playground.surface()["optimum"]["loss"]
    assert abs(final - optimum) <= 0.01 * optimum, (final, optimum)
    assert abs(number(page, "descent-w") - served.playground.surface()["optimum"]["w"]) < 0.01
    expect(hook(page, "descent-note")).to_contain_text("optimum")


def test_a_too_large_rate_overshoots_and_the_loss_grows(served, page):
    opened(page, served, "#lr=1.02")
    losses = [number(page, "descent-loss")] + [step(page, i) for i in (1, 2, 3)]
    assert losses == sorted(losses) and len(set(losses)) == 4, losses
    assert run(page, 53) > 10 * losses[0]
    expect(hook(page, "descent-note")).to_contain_text("loss grows")
    # the path went far outside the server's grid; the view followed it: the last w is on the chart's scale
    assert abs(number(page, "descent-w")) > 3
    # reset goes back to the start; a click on the surface starts from there, and the address keeps that start
    hook(page, "descent-reset").click()
    expect(hook(page, "descent-steps")).to_have_text("0")
    assert number(page, "descent-loss") == losses[0]
    box = hook(page, "descent-surface").bounding_box()
    hook(page, "descent-surface").click(position={"x": box["width"] * 0.8, "y": box["height"] * 0.5})
    assert number(page, "descent-w") > 1 and "start=" in page.evaluate("location.hash")


# ---- 2. pieces --------------------------------------------------------------------------------------------------

def test_more_pieces_make_a_smaller_error_with_either_kind(served, page):
    opened(page, served)
    expect(hook(page, "pieces-count")).to_have_value("4")
    errors = {}
    for count in (1, 8):
        hook(page, "pieces-count").fill(str(count))
        hook(page, "pieces-fit").click()
        expected = served.playground.pieces({"count": count})
        expect(hook(page, "pieces-error")).to_have_text(shown(expected["hard_mae"] / 1000))
        errors[count] = number(page, "pieces-error")
    assert errors[8] < errors[1]
    hook(page, "pieces-kind").select_option("sigmoid")
    assert number(page, "pieces-error") == pytest.approx(expected["sigmoid_mae"] / 1000, rel=1e-3)
    assert "count=8" in page.evaluate("location.hash") and "kind=sigmoid" in page.evaluate("location.hash")


def test_a_curve_drawn_with_the_mouse_is_built_from_pieces(served, page):
    opened(page, served)
    before = hook(page, "pieces-error").text_content()
    hook(page, "pieces-draw").click()
    box = hook(page, "pieces-chart").bounding_box()
    left, top = box["x"] + 70, box["y"] + 30
    width, height = box["width"] - 100, box["height"] - 90
    page.mouse.move(left, top + height * 0.8)
    page.mouse.down()
    for k in range(1, 41):  # a rise and a fall
        x = k / 40
        page.mouse.move(left + width * x, top + height * (0.8 - 0.6 * (1 - abs(2 * x - 1))))
    page.mouse.up()
    expect(hook(page, "pieces-year")).to_be_visible()
    expect(hook(page, "pieces-error")).not_to_have_text(before)
    drawn = number(page, "pieces-error")
    hook(page, "pieces-count").fill("1")
    hook(page, "pieces-fit").click()  # one piece cannot make a tent: a larger error than four
    expect(hook(page, "pieces-error")).not_to_have_text(shown(drawn))
    assert number(page, "pieces-error") > 2 * drawn
    assert "curve" not in page.evaluate("location.hash")  # a drawing is not a setting of the address
    hook(page, "pieces-year").click()
    expect(hook(page, "pieces-year")).to_be_hidden()


# ---- 3. training ------------------------------------------------------------------------------------------------

def small_training(page, epochs, **more):
    settings = {"train-units": "8", "train-days": "7", "train-epochs": str(epochs), "train-lr": "0.01", **more}
    for name, value in settings.items():
        hook(page, name).fill(value)


def test_a_training_streams_its_epochs_and_stop_ends_it_early(served, page):
    opened(page, served)
    small_training(page, 1000)
    hook(page, "train-batch-size").select_option("8")
    hook(page, "train-start").click()
    expect(hook(page, "train-stop")).to_be_enabled()
    page.wait_for_function("Number(document.querySelector('[data-testid=train-epoch]').textContent) >= 3")
    first = number(page, "train-epoch")
    page.wait_for_function(f"Number(document.querySelector('[data-testid=train-epoch]').textContent) > {first}")
    assert number(page, "train-loss") > 0 and number(page, "valid-loss") > 0
    expect(hook(page, "train-status")).to_contain_text("epoch")
    hook(page, "train-stop").click()
    expect(hook(page, "train-status")).to_contain_text("Stopped", timeout=20_000)
    assert number(page, "train-epoch") < 1000
    expect(hook(page, "train-start")).to_be_enabled()
    expect(hook(page, "train-download")).to_be_visible()


def test_a_short_training_ends_with_its_predictions_and_a_model_to_download(served, page):
    opened(page, served)
    small_training(page, 5, **{"train-patience": ""})
    hook(page, "train-start").click()
    expect(hook(page, "train-status")).to_contain_text("Done: 5 epochs", timeout=20_000)
    expect(hook(page, "train-epoch")).to_have_text("5")
    href = hook(page, "train-download").get_attribute("href")
    assert "/model?token=" in href
    status, body = read(served.base + href)
    assert status == 200
    names = zipfile.ZipFile(io.BytesIO(body)).namelist()
    assert {"gradstep-model/model.npz", "gradstep-model/model.json", "gradstep-model/history.csv"} <= set(names)


# ---- errors, the address, the language --------------------------------------------------------------------------

def test_a_bad_value_shows_the_servers_one_line_in_its_panel(served, page):
    opened(page, served)
    hook(page, "train-units").fill("100000")
    hook(page, "train-start").click()
    error = hook(page, "error", "train")
    expect(error).to_have_text("units = 100000 is out of range; it must be from 1 to 256")
    expect(hook(page, "train-start")).to_be_enabled()
    hook(page, "descent-lr").fill("-1")
    hook(page, "descent-step").click()
    expect(hook(page, "error", "descent")).to_contain_text("lr = -1 is out of range")
    expect(hook(page, "descent-steps")).to_have_text("0")
    hook(page, "pieces-count").fill("65")
    hook(page, "pieces-fit").click()
    expect(hook(page, "error", "pieces")).to_contain_text("count = 65 is out of range")
    for panel in ("descent", "pieces", "train"):
        text = hook(page, "error", panel).text_content()
        assert "\n" not in text and "Traceback" not in text
    # a good value clears the line
    hook(page, "descent-lr").fill("0.1")
    hook(page, "descent-step").click()
    expect(hook(page, "error", "descent")).to_be_hidden()


def test_the_settings_in_the_address_come_back_and_changes_are_written_there(served, page):
    opened(page, served, "#lr=0.5&count=8&kind=sigmoid&model=linear&units=16&batch=full&patience=5&train_lr=0.02")
    expect(hook(page, "descent-lr")).to_have_value("0.5")
    expect(hook(page, "pieces-count")).to_have_value("8")
    expect(hook(page, "pieces-kind")).to_have_value("sigmoid")
    expect(hook(page, "train-model")).to_have_value("linear")
    expect(hook(page, "train-units")).to_have_value("16")
    expect(hook(page, "train-units")).to_be_disabled()  # a linear model has no neurons to choose
    expect(hook(page, "train-batch-size")).to_have_value("full")
    expect(hook(page, "train-patience")).to_have_value("5")
    expect(hook(page, "train-lr")).to_have_value("0.02")
    expected = served.playground.pieces({"count": 8})["sigmoid_mae"] / 1000
    assert number(page, "pieces-error") == pytest.approx(expected, rel=1e-3)  # fitted with the restored count
    hook(page, "descent-lr").fill("0.2")
    address = page.evaluate("location.href")
    assert "lr=0.2" in address and f"?token={served.token}#" in address and "count=8" in address


def test_the_chinese_page_speaks_chinese(served_zh, page):
    opened(page, served_zh)
    assert page.get_attribute("html", "lang") == "zh-Hans"
    expect(page.get_by_test_id("descent").locator("h2")).to_have_text("1 · 梯度下降")
    expect(page.get_by_test_id("pieces").locator("h2")).to_contain_text("片段")
    expect(page.get_by_test_id("train").locator("h2")).to_contain_text("训练")
    expect(hook(page, "train-status")).to_contain_text("就绪")
    assert "学习率" in page.text_content("body") and "Learning rate" not in page.text_content("body")
    assert page.title() == "gradstep 游乐场"
    for name in ("descent-surface", "pieces-chart", "train-chart", "train-prediction"):
        assert hook(page, name).get_attribute("role") == "img"
        assert re.search(r"[\u4e00-\u9fff]", hook(page, name).get_attribute("aria-label")), name
    assert page.locator('[data-testid="error"][role="alert"]').count() == 4


# ---- screenshots for the docs -------------------------------------------------------------------------------------

@pytest.mark.skipif(os.environ.get("GRADSTEP_SCREENSHOTS") != "1", reason="GRADSTEP_SCREENSHOTS=1 writes the docs' "
                    "screenshots")
def test_screenshots_of_each_panel(served, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, device_scale_factor=1)
    page = context.new_page()
    opened(page, served, "#start=1.7,11000")  # a start up on the right (kept in the address)
    run(page, 50)  # a good rate: down to the optimum
    box = hook(page, "descent-surface").bounding_box()  # a click: a new start up on the left
    hook(page, "descent-surface").click(position={"x": box["width"] * 0.18, "y": box["height"] * 0.15})
    hook(page, "descent-lr").fill("1.02")
    hook(page, "descent-run-steps").fill("25")
    run(page, 25)  # too large: across the valley and up, a little higher at every step
    hook(page, "descent").screenshot(path=DOCS / "playground-descent.png")
    hook(page, "pieces-count").fill("8")
    hook(page, "pieces-fit").click()
    expect(hook(page, "pieces-error")).to_have_text(shown(served.playground.pieces({"count": 8})["hard_mae"] / 1000))
    hook(page, "pieces").screenshot(path=DOCS / "playground-pieces.png")
    for name, value in {"train-units": "32", "train-epochs": "150", "train-lr": "0.003"}.items():
        hook(page, name).fill(value)
    hook(page, "train-start").click()
    expect(hook(page, "train-download")).to_be_visible(timeout=60_000)
    page.wait_for_timeout(300)
    hook(page, "train").screenshot(path=DOCS / "playground-train.png")
    context.close()
