"""Fixtures of the playground's browser tests: the real app served by uvicorn on 127.0.0.1 in a thread (one server per
module and language), and Debian's Chromium driven by Playwright's sync API. Nothing here skips: test_browser.py
skips itself when Playwright or Chromium is missing, so the server's own tests in this folder never depend on them."""

from __future__ import annotations

import contextlib
import dataclasses
import socket
import threading
import time
import urllib.error
import urllib.request

import pytest

CHROMIUM = "/usr/bin/chromium"


@dataclasses.dataclass
class Served:
    """A running playground: its base address (no slash at the end), its token and the Playground behind it."""

    base: str
    token: str
    playground: object

    def url(self, hash: str = "") -> str:
        """The page's address with the token, and ``hash`` (e.g. "#lr=0.5&count=8") after it."""
        return f"{self.base}/?token={self.token}{hash}"


def serve(lang: str):
    """Start the app on a free port of 127.0.0.1; yields a Served, then stops the server and joins its thread."""
    import uvicorn

    from gradstep.playground import Playground, create_app
    from gradstep.run import load_series
    from gradstep.spec import DataSpec

    playground = Playground(DataSpec(), load_series(DataSpec()), lang=lang)
    sock = socket.socket(socket.AF_INET)
    sock.bind(("127.0.0.1", 0))  # the port is ours from here on: no race with another process
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(playground), log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True, name=f"playground-{lang}")
    thread.start()
    served = Served(f"http://127.0.0.1:{port}", playground.token, playground)
    deadline = time.monotonic() + 20
    while True:  # until it answers the page
        with contextlib.suppress(urllib.error.URLError, ConnectionError, TimeoutError):  # not listening yet
            with urllib.request.urlopen(served.url(), timeout=2) as response:
                if response.status == 200:
                    break
        if time.monotonic() > deadline or not thread.is_alive():
            server.should_exit = True
            raise RuntimeError(f"the playground did not start on port {port}")
        time.sleep(0.05)
    try:
        yield served
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()


@pytest.fixture(scope="module")
def served():
    """The English playground."""
    yield from serve("en")


@pytest.fixture(scope="module")
def served_zh():
    """The Chinese playground (gradstep playground --lang zh)."""
    yield from serve("zh")


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium, once per module."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"], headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser):
    """A fresh page (its own context: no storage shared between tests) of a desktop size; script errors fail the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    errors = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    yield tab
    context.close()
    assert errors == [], f"the page threw: {errors}"
