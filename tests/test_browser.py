"""The course in a real browser: JupyterLab as ``make course`` starts it, the site and a deck.

Headless Chromium (Debian's ``chromium``, which ``.ci/run`` installs; Playwright drives it with
``executable_path``, so nothing downloads a browser) against servers on 127.0.0.1 only:

- JupyterLab, started by ``make course`` with ``LAB_ARGS`` for a free port and no token: notebook
  06 runs (ci tier), a latent slider moves and the decoded image changes; the student copy of
  05 stops at its first exercise with ``NotImplementedError`` in the page;
- a one-notebook site and deck built in a temporary folder: the index and the notebook's page
  load with every image and typeset math, and the deck moves through its slides;
- every request stays on this machine and none fails (counted, asserted zero);
- screenshots of each step in ``build/screenshots/`` (or ``$COURSE_SCREENSHOTS``).

They run once per ``make test``, on the TensorFlow backend, and take a few minutes.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path(os.environ.get("COURSE_CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = Path(os.environ.get("COURSE_SCREENSHOTS", ROOT / "build" / "screenshots"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic", "--disable-extensions", "--disable-default-apps"]
NB06 = "06_latent_perturbation_and_disentanglement.ipynb"
NB05 = "05_variational_autoencoders.ipynb"
SITE_NOTEBOOK = "00_setup_and_tour.ipynb"  # the quickest to execute, with figures and math
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}

_backend = os.environ.get("KERAS_BACKEND", "tensorflow")
pytestmark = [
    pytest.mark.skipif(_backend != "tensorflow",
                       reason=f"the browser tests run once, on the tensorflow backend (this run: {_backend})"),
    pytest.mark.skipif(not CHROMIUM.is_file(),
                       reason=f"no Chromium at {CHROMIUM}: apt-get install chromium "
                              "(.ci/run installs it), or set COURSE_CHROMIUM"),
]
playwright_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright "
                                     "(requirements-test.txt)")


# ----------------------------------------------------------------------------- the browser


class Requests:
    """Every request a page makes: those that leave the machine, and those that fail (no answer,
    or an HTTP error status: a missing font or script is a failure too)."""

    def __init__(self):
        self.outside, self.failed = [], []

    def watch(self, context):
        def on_request(request):
            url = urlparse(request.url)
            if url.scheme in ("http", "https", "ws", "wss") and url.hostname not in LOCAL_HOSTS:
                self.outside.append(request.url)

        def on_failed(request):
            if urlparse(request.url).scheme not in ("http", "https", "ws", "wss"):
                return  # about:blank, data: URLs: nothing was asked of a server
            failure = request.failure or ""
            # A fetch the page itself cancels (navigation, a superseded poll) is not a failure.
            if "ERR_ABORTED" not in failure:
                self.failed.append(f"{request.url}: {failure}")

        def block_outside(route):
            if urlparse(route.request.url).hostname in LOCAL_HOSTS:
                route.continue_()
            else:
                route.abort()

        def on_response(response):
            if response.status >= 400:
                self.failed.append(f"{response.url}: HTTP {response.status}")

        context.on("request", on_request)
        context.on("requestfailed", on_failed)
        context.on("response", on_response)
        context.route(lambda url: urlparse(url).hostname not in LOCAL_HOSTS
                      and urlparse(url).scheme in ("http", "https"), block_outside)

    def assert_none(self):
        assert not self.outside, f"{len(self.outside)} request(s) left the machine: {self.outside[:5]}"
        assert not self.failed, f"{len(self.failed)} request(s) failed: {self.failed[:5]}"


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                              args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A fresh browser context and page; asserts at the end that no request left or failed."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    requests = Requests()
    requests.watch(context)
    page = context.new_page()
    page.requests = requests
    yield page
    context.close()
    requests.assert_none()


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# ----------------------------------------------------------------------------- JupyterLab


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab started as ``make course`` starts it, on a free port, with no token."""
    port, home = _free_port(), tmp_path_factory.mktemp("lab")
    args = " ".join([f"--port={port}", "--ip=127.0.0.1", "--no-browser",
                     "--IdentityProvider.token=", "--ServerApp.password=",
                     "--LabApp.expose_app_in_browser=True",
                     "--LabApp.news_url=None",
                     "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"])
    env = dict(os.environ, COURSE_TIER="ci", JUPYTERLAB_SETTINGS_DIR=str(home / "settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"),
               JUPYTER_RUNTIME_DIR=str(home / "runtime"))
    # No "official Jupyter news?" prompt over the screenshots (JupyterLab asks on first start).
    notification = home / "settings" / "@jupyterlab" / "apputils-extension"
    notification.mkdir(parents=True)
    (notification / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')
    # The server serves the repository's notebooks: autosave would write the run's outputs into
    # the sources (and break the tests that expect them stored clean), so it is off, and the
    # notebooks' bytes are compared before and after.
    docmanager = home / "settings" / "@jupyterlab" / "docmanager-extension"
    docmanager.mkdir(parents=True)
    (docmanager / "plugin.jupyterlab-settings").write_text('{"autosave": false}')
    before = {p: p.read_bytes() for p in sorted((ROOT / "notebooks").rglob("*.ipynb"))}
    log = open(home / "lab.log", "w")
    process = subprocess.Popen(["make", "-s", "course", f"LAB_ARGS={args}"], cwd=ROOT, env=env,
                               stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/status", timeout=2)
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    pytest.fail(f"JupyterLab did not start:\n{(home / 'lab.log').read_text()[-3000:]}")
                time.sleep(0.5)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)  # make, and the jupyter server it started
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()
        changed = [str(p.relative_to(ROOT)) for p, data in before.items() if p.read_bytes() != data]
        assert not changed, f"JupyterLab wrote into the course's notebooks: {changed}"


def open_notebook(page, lab: str, path: str):
    page.goto(f"{lab}/lab/tree/{path}?reset")
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell.currentWidget"
                           " && window.jupyterapp.shell.currentWidget.sessionContext"
                           " && window.jupyterapp.shell.currentWidget.sessionContext.session"
                           " && window.jupyterapp.shell.currentWidget.sessionContext.session.kernel",
                           timeout=120_000)
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)


def run_all_and_wait(page, timeout_s: float):
    """Run every cell from JupyterLab's command, wait until the kernel stops (done or an error)."""
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_function(
        """() => {
            const panel = window.jupyterapp.shell.currentWidget;
            const kernel = panel.sessionContext.session.kernel;
            const prompts = [...document.querySelectorAll('.jp-InputArea-prompt')];
            return kernel.status === 'idle' && prompts.some(p => p.textContent.match(/\\[\\d+\\]/))
                   && !prompts.some(p => p.textContent.includes('*'));
        }""", timeout=timeout_s * 1000, polling=1000)


def cell_errors(page) -> list[dict]:
    """The error outputs of the open notebook, from JupyterLab's model (the page may not hold
    the cells scrolled out of view): cell index, name and value."""
    return page.evaluate("""() => {
        const cells = window.jupyterapp.shell.currentWidget.content.model.cells;
        const errors = [];
        for (let i = 0; i < cells.length; i++) {
            const outputs = cells.get(i).sharedModel.outputs || [];
            for (const out of outputs) {
                if (out.output_type === 'error') errors.push({cell: i, ename: out.ename, evalue: out.evalue});
            }
        }
        return errors;
    }""")


def show_cell(page, index: int):
    """Make the cell at ``index`` active and scroll it into the middle of the notebook."""
    page.evaluate("""async (i) => {
        const notebook = window.jupyterapp.shell.currentWidget.content;
        notebook.activeCellIndex = i;
        await notebook.scrollToItem(i, 'center');
    }""", index)
    page.wait_for_timeout(1000)


def centre(page, locator):
    """Scroll the element to the middle of the notebook (JupyterLab may re-scroll once)."""
    for _ in range(2):
        locator.evaluate("e => e.scrollIntoView({block: 'center'})")
        page.wait_for_timeout(700)


def decoded_image(box) -> str:
    """The decoded image of the sliders' box, as its data URL (a redraw puts a new <img>)."""
    return box.locator("img").last.get_attribute("src") or ""


def wait_for_new_image(page, box, before: str, timeout_s: float) -> str:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        now = decoded_image(box)
        if now and now != before:
            return now
        page.wait_for_timeout(500)
    return before


@pytest.mark.timeout(900)
def test_notebook_06_sliders_redraw_the_decoded_image(page, lab):
    open_notebook(page, lab, NB06)
    run_all_and_wait(page, timeout_s=720)
    errors = cell_errors(page)
    assert not errors, f"notebook 06 stopped with an error: {errors[0]}"
    # The sliders' box (ipywidgets: an HBox of the sliders and an Output with the decoded image).
    box = page.locator(".widget-hbox:has([role=slider]):has(img)").last
    box.wait_for(timeout=60_000)
    centre(page, box)
    box.locator("img").last.evaluate("img => img.decode()")  # painted before the screenshot
    page.wait_for_timeout(1000)
    before = decoded_image(box)
    screenshot(page, "lab-06-sliders-before")
    handle = box.get_by_role("slider").first
    rail = handle.locator("xpath=ancestor::div[contains(@class, 'noUi-target')][1]")
    start, track = handle.bounding_box(), rail.bounding_box()
    y = start["y"] + start["height"] / 2
    # Drag the first slider's handle most of the way along its track, as a person would.
    page.mouse.move(start["x"] + start["width"] / 2, y)
    page.mouse.down()
    page.mouse.move(track["x"] + 0.9 * track["width"], y, steps=10)
    page.mouse.up()
    after, moved_by = wait_for_new_image(page, box, before, timeout_s=60), "a drag"
    if after == before:  # the drag did not take (a slow page): the keyboard moves it too
        handle.focus()
        for _ in range(10):
            handle.press("ArrowRight")
        after, moved_by = wait_for_new_image(page, box, before, timeout_s=60), "the arrow keys"
    print(f"notebook 06: the first latent slider moved by {moved_by} to "
          f"{handle.get_attribute('aria-valuenow')}")
    centre(page, box)
    screenshot(page, "lab-06-sliders-after")
    assert after != before, "moving a latent slider did not change the decoded image"


@pytest.mark.timeout(600)
def test_student_copy_of_05_stops_at_its_first_exercise(page, lab):
    open_notebook(page, lab, f"student/{NB05}")
    run_all_and_wait(page, timeout_s=480)
    errors = cell_errors(page)
    assert errors, "the student copy of 05 ran to the end: its first exercise raised nothing"
    first = errors[0]
    assert first["ename"] == "NotImplementedError" and "Exercise 1" in first["evalue"], first
    # It is shown in the page, and nothing after it ran (Run All stops at an error).
    show_cell(page, first["cell"])
    shown = page.locator(".jp-OutputArea-output", has_text="NotImplementedError").first
    centre(page, shown)
    assert "Exercise 1" in shown.inner_text()
    screenshot(page, "lab-05-student-stops")
    counts = page.evaluate("""() => {
        const cells = window.jupyterapp.shell.currentWidget.content.model.cells;
        const counts = [];
        for (let i = 0; i < cells.length; i++) counts.push(cells.get(i).sharedModel.execution_count ?? null);
        return counts;
    }""")
    assert all(count is None for count in counts[first["cell"] + 1:]), counts


# ----------------------------------------------------------------------------- site and deck


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """A one-notebook site and deck, built in a temporary folder and served on 127.0.0.1."""
    from course_utils import publish

    reveal = ROOT / "build" / "vendor" / "node_modules" / "reveal.js"
    if not (reveal / "dist" / "reveal.js").is_file():
        pytest.skip(f"reveal.js is not in {reveal}: `make {reveal}/dist/reveal.js` installs it")
    out = tmp_path_factory.mktemp("published")
    executed = out / "executed" / SITE_NOTEBOOK
    publish.execute(ROOT / "notebooks" / SITE_NOTEBOOK, executed, "ci")
    publish.write_site([executed], out / "site", ROOT / "README.md", ROOT / "notebooks" / "student")
    publish.write_slides([executed], out / "slides", reveal)
    handler = functools.partial(_QuietHandler, directory=str(out))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    shutil.rmtree(out, ignore_errors=True)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def assert_images_loaded(page):
    broken = page.eval_on_selector_all(
        "img", "imgs => imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src.slice(0, 80))")
    assert not broken, f"images that did not load: {broken}"


def wait_for_math(page) -> int:
    """Wait until MathJax has typeset the page; return how many formulas it rendered."""
    page.wait_for_function("() => window.MathJax && MathJax.Hub && MathJax.isReady"
                           " && MathJax.Hub.queue.pending === 0 && !MathJax.Hub.queue.running",
                           timeout=60_000)
    assert page.locator(".MathJax_Error, merror").count() == 0, "MathJax reported a TeX error"
    return page.locator(".MathJax, .MathJax_Display, .MathJax_CHTML").count()


@pytest.mark.timeout(600)
def test_site_index_and_a_notebook_page_load_with_images_and_math(page, published):
    page.goto(f"{published}/site/index.html")
    page.wait_for_load_state("networkidle")
    rows = page.locator("tbody tr")
    assert rows.count() >= 10, "the index should list every notebook of the README's table"
    link = page.locator(f"a[href='{SITE_NOTEBOOK.replace('.ipynb', '.html')}']")
    assert link.count() == 1, "the built notebook is linked from the index"
    screenshot(page, "site-index")
    link.click()
    page.wait_for_load_state("networkidle")
    assert page.locator(".jp-Cell").count() > 10
    assert_images_loaded(page)
    assert page.locator(".jp-OutputArea-output img").count() >= 3, "the notebook's figures"
    assert wait_for_math(page) >= 1, "no typeset math on the page"
    screenshot(page, "site-notebook")
    centre(page, page.locator(".jp-OutputArea-output img").nth(1))
    screenshot(page, "site-notebook-figure")
    page.get_by_role("link", name="Student copy").click()
    page.wait_for_load_state("networkidle")
    assert "NotImplementedError" in page.content()
    screenshot(page, "site-student-copy")


@pytest.mark.timeout(300)
def test_a_deck_shows_its_slides(page, published):
    page.goto(f"{published}/slides/{SITE_NOTEBOOK.replace('.ipynb', '.html')}")
    page.wait_for_function("() => window.Reveal && Reveal.isReady()", timeout=60_000)
    total = page.evaluate("() => Reveal.getTotalSlides()")
    assert total >= 5, f"only {total} slides"
    screenshot(page, "slides-title")
    seen = set()
    for _ in range(min(total, 12)):
        page.keyboard.press("ArrowRight")
        page.wait_for_timeout(250)
        seen.add(page.evaluate("() => JSON.stringify(Reveal.getIndices())"))
    assert len(seen) >= 5, "the arrow keys did not move through the slides"
    assert_images_loaded(page)
    # No code is cut off at the slide's right edge: long lines wrap (every slide, shown in turn).
    clipped = page.evaluate("""() => {
        const found = [];
        for (const slide of Reveal.getSlides()) {
            const at = Reveal.getIndices(slide);
            Reveal.slide(at.h, at.v);
            for (const pre of slide.querySelectorAll('pre')) {
                if (pre.clientWidth > 0 && pre.scrollWidth > pre.clientWidth + 2) {
                    const lines = pre.textContent.split(String.fromCharCode(10));
                    found.push(lines.reduce((a, b) => (b.length > a.length ? b : a)).slice(0, 80));
                }
            }
        }
        return found;
    }""")
    assert not clipped, f"code lines cut off at a slide's edge (the longest of each block): {clipped}"
    page.evaluate("() => Reveal.slide(3)")
    page.wait_for_timeout(800)
    wait_for_math(page)
    screenshot(page, "slides-section")
