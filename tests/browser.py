"""Browser tests: Debian's Chromium driven by Playwright for Python (never a downloaded browser).

Use the `page` fixture together with pytest-django's `live_server`, and `screenshot(page, name)` to keep
what a person would see. Screenshots go to build/screenshots/ (BROWSER_SCREENSHOTS overrides it). Where
no Chromium is installed the tests skip, except in CI, where .ci/run installs it.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM_CANDIDATES = ("chromium", "chromium-browser")
SCREENSHOTS = Path(
    os.environ.get("BROWSER_SCREENSHOTS", Path(__file__).resolve().parent.parent / "build" / "screenshots")
)
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
# The machine's network is closed: without these Chromium keeps trying to reach Google's services.
_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    explicit = os.environ.get("CHROMIUM")
    if explicit:
        return explicit
    return next((found for name in CHROMIUM_CANDIDATES if (found := shutil.which(name))), None)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from tests.conftest import _skip_or_fail

    executable = chromium_path()
    if executable is None:
        _skip_or_fail("needs Chromium (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _skip_or_fail("needs Playwright for Python (pip install -e '.[dev]')")
    # Playwright's sync API keeps an event loop in this thread; the ORM calls the tests make between
    # browser steps are ordinary synchronous code, which Django's guard would otherwise refuse.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, headless=True, args=_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser) -> Iterator[object]:
    context = browser.new_context(viewport=DESKTOP, locale="en-GB")
    opened = context.new_page()
    opened.set_default_timeout(10_000)
    try:
        yield opened
    finally:
        context.close()


@pytest.fixture
def phone_page(browser) -> Iterator[object]:
    context = browser.new_context(viewport=PHONE, locale="en-GB", is_mobile=True, has_touch=True)
    opened = context.new_page()
    opened.set_default_timeout(10_000)
    try:
        yield opened
    finally:
        context.close()


def screenshot(page: object, name: str) -> Path:
    """Save the whole page as build/screenshots/<name>.png and return the path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
