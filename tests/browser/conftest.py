"""A real Chromium (Debian's, never one a test tool downloads) driving the live server.

Every module here is marked `browser` (pytestmark) and left out of `make test`;
`make test-browser` runs them.
Without Chromium or axe-core they skip with the reason, except under CI=true, where they fail.
"""

import os
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

from blog.models import Post

HERE = Path(__file__).resolve().parent
ARTIFACTS = HERE.parent.parent / "artifacts" / "browser"
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Headless as root on a machine with no GPU and no network but the registries: no sandbox,
# nothing that phones home or updates itself. launch() gives every run a fresh temporary profile.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--no-first-run",
]
IN_CI = os.environ.get("CI", "").lower() == "true"


def missing(reason):
    """Skip by hand, fail in CI: a green CI must have driven a browser."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true, so this fails instead of skipping)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session", autouse=True)
def _sync_orm_beside_playwright():
    # Playwright's sync API keeps an asyncio loop on the main thread, which makes Django refuse
    # ORM calls there; the tests' own ORM calls (seeding, checking rows) are plain sync code.
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="session")
def browser():
    if not (os.path.isfile(CHROMIUM) or shutil.which(CHROMIUM)):
        missing(f"no Chromium at {CHROMIUM}: apt-get install chromium (or set CHROMIUM)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("the playwright package is not installed: make install")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser):
    """Open pages in fresh browser contexts (own cookies), closed after the test."""
    contexts = []

    def open_page(width=1100):
        context = browser.new_context(viewport={"width": width, "height": 900}, locale="en-US")
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def site(live_server):
    """The live server with the seed loaded; its root URL without the trailing slash."""
    call_command("loaddata", "seed", verbosity=0)
    return live_server.url


@pytest.fixture
def seed_post(site):
    return Post.objects.get(slug="norwegian-study-offers-clues")


@pytest.fixture
def screenshot(request):
    """Save a full-page screenshot to artifacts/browser/<test name>[-label].png; with `close_up`,
    also that locator's own picture (-close-up.png), easier to read than a tall page."""

    def take(page, label="", close_up=None):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        name = request.node.name + (f"-{label}" if label else "")
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        if close_up is not None:
            close_up.screenshot(path=str(ARTIFACTS / f"{name}-close-up.png"))
        return path

    return take


@pytest.fixture
def axe():
    """Run axe-core in a page; return its serious and critical violations, readably."""
    if not AXE.is_file():
        missing(f"axe-core is not installed: make test-browser runs npm ci in {HERE}")

    source = AXE.read_text()

    def check(page):
        # Evaluated through the DevTools protocol rather than added as a <script>: the page's
        # Content-Security-Policy rightly refuses inline script, and stays on while it is checked.
        page.evaluate(source)
        result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        return [
            f"{v['impact']}: {v['id']} ({v['help']}) at "
            + "; ".join(" ".join(n["target"]) for n in v["nodes"])
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]

    return check
