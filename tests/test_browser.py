"""A real browser against the running app: every page loads without errors, the map draws,
the CSV downloads, nothing is fetched from outside, and each page is saved as a screenshot."""
from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.conftest import DOCS, REPO

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO / "tests" / "artifacts"
PAGES = ("", "map", "timeline", "claims", "sources", "export")
CHROME_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run",
               # WebGL without a GPU: the map is drawn by deck.gl on a WebGL canvas.
               "--use-angle=swiftshader", "--enable-unsafe-swiftshader"]
KNOWN_404 = ("/_stcore/health", "/_stcore/host-config")

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _need_browser():
    missing = [what for what, ok in (("chromium at /usr/bin/chromium", CHROMIUM.exists()),
                                     ("the playwright package", _has_playwright())) if not ok]
    if missing:
        reason = "browser test needs " + " and ".join(missing) + " (scripts/test.sh installs them)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason + "; in CI it must run")
        pytest.skip(reason)


def _has_playwright() -> bool:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False
    return True


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    _need_browser()
    from tests.conftest import build_store

    db = build_store(tmp_path_factory.mktemp("browser") / "atlas.duckdb")
    port = _free_port()
    env = dict(os.environ, ATLAS_DB=str(db))
    log = open(tmp_path_factory.mktemp("log") / "streamlit.log", "w+")
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(REPO / "app.py"),
                             "--server.address", "127.0.0.1", "--server.port", str(port),
                             "--server.headless", "true", "--browser.gatherUsageStats", "false",
                             "--server.fileWatcherType", "none"],
                            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            log.seek(0)
            pytest.fail(f"streamlit did not start:\n{log.read()[-3000:]}")
        time.sleep(0.3)
    yield url
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


def _settle(page) -> None:
    """Wait until Streamlit has finished running the script and drawing."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=30000)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]') && "
        "document.querySelector('[data-testid=\"stMainBlockContainer\"] h1')", timeout=30000)
    page.wait_for_timeout(1500)


def _not_blank(png: bytes) -> int:
    """How many distinct colours a screenshot holds (a blank canvas has one or two)."""
    from PIL import Image

    img = Image.open(io.BytesIO(png)).convert("RGB").resize((200, 140))
    return len(img.getcolors(maxcolors=200 * 140) or [])


def test_every_page_in_a_real_browser(server, tmp_path):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    problems, outside = [], []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROME_ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
        page = context.new_page()
        page.on("pageerror", lambda err: problems.append(f"page error: {err}"))
        page.on("response", lambda r: problems.append(f"HTTP {r.status} {r.url}")
                if r.status >= 400 and not r.url.endswith(KNOWN_404) else None)

        def request(req):
            host = urlparse(req.url).hostname
            if req.url.startswith(("http:", "https:", "ws:", "wss:")) and host not in ("127.0.0.1", "localhost"):
                outside.append(req.url)

        page.on("request", request)
        for name in PAGES:
            page.goto(f"{server}/{name}")
            _settle(page)
            assert not page.query_selector('[data-testid="stException"]'), f"exception on /{name}"
            if name == "map":
                canvas = page.wait_for_selector("canvas", timeout=20000)
                page.wait_for_timeout(1500)
                assert _not_blank(canvas.screenshot()) > 5, "the map canvas is blank"
            page.screenshot(path=str(ARTIFACTS / f"{name or 'overview'}.png"), full_page=True)

        page.goto(f"{server}/export")
        _settle(page)
        with page.expect_download(timeout=30000) as info:
            page.get_by_role("button", name="下载 CSV").click()
        download = info.value
        target = tmp_path / download.suggested_filename
        download.save_as(target)
        browser.close()
    assert download.suggested_filename.startswith("indicator-atlas_claims_")
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").count("\n") == 1 + sum(len(d["claims"]) for d in DOCS)
    assert not problems, problems
    assert not outside, f"requests left the machine: {outside[:5]}"
    for name in PAGES:
        assert (ARTIFACTS / f"{name or 'overview'}.png").stat().st_size > 10_000
