"""Browser end-to-end tests: Playwright driving Debian's Chromium against pytest-django's live server.

Playwright never downloads a browser here: it launches ``/usr/bin/chromium``. Its sync API
runs an event loop in the main thread, which makes Django's async-safety guard refuse ORM
calls made by the test itself (factories, assertions on rows); the tests are plain sync code,
so the guard is switched off for this package.

A failing test leaves a full-page screenshot in ``test-artifacts/<test-name>.png``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Error, Page, Playwright, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DESKTOP = {"width": 1280, "height": 900}
ARTIFACTS = "test-artifacts"


@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    # Package scope: Playwright's event loop (which trips Django's async-safety guard) runs only
    # while this package's tests do, so the guard stays on for the rest of the suite.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as p:
            yield p
    finally:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def viewport() -> dict[str, int]:
    """Override in a test module (or parametrize) for another screen size."""
    return DESKTOP


@dataclass
class ConsoleLog:
    """Console errors and uncaught exceptions of one page (CSP violations arrive as console errors)."""

    errors: list[str] = field(default_factory=list)

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(f"{message.text} ({message.location.get('url', '')})")

    def on_page_error(self, error: Error) -> None:
        self.errors.append(f"uncaught: {error}")

    def assert_clean(self, where: str) -> None:
        errors, self.errors = self.errors, []
        assert errors == [], f"console errors on {where}: {errors}"


@pytest.fixture
def console() -> ConsoleLog:
    return ConsoleLog()


@pytest.fixture
def page(browser: Browser, viewport: dict[str, int], console: ConsoleLog) -> Iterator[Page]:
    context = browser.new_context(viewport=viewport, locale="en-GB")  # type: ignore[arg-type]
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.on("console", console.on_console)
    page.on("pageerror", console.on_page_error)
    yield page
    context.close()


def _artifact_name(nodeid_name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid_name).strip("_") or "test"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, object, object]:
    report = yield
    if getattr(report, "failed", False) and getattr(report, "when", "") in ("setup", "call"):
        page = getattr(item, "funcargs", {}).get("page")
        if isinstance(page, Page) and not page.is_closed():
            target = Path(item.config.rootpath) / ARTIFACTS / f"{_artifact_name(item.name)}.png"
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                page.screenshot(path=str(target), full_page=True)
            except Error as exc:  # a crashed page must not hide the test's own failure
                report.sections.append(("screenshot", f"could not save {target}: {exc}"))  # type: ignore[attr-defined]
            else:
                report.sections.append(("screenshot", str(target)))  # type: ignore[attr-defined]
    return report
