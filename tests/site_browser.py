"""Pytest plugin: one headless Chromium and one local web server for the built book.

Registered in conftest.py (``pytest_plugins``), so that every browser test shares one
browser and one server per session, over the session's single real build (``book_html``).
``open_page`` gives a fresh browser context whose requests outside the site are blocked
and recorded, with a log of failed requests and console errors.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from assessment.site.browser import block_outside, launch_chromium, serve_directory

from conftest import ROOT

AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}


@dataclass
class NetworkLog:
    """What a page asked for that the site could not or must not serve."""

    outside: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        return ([f"outside request: {url}" for url in self.outside]
                + [f"failed request: {item}" for item in self.failed]
                + [f"console error: {text}" for text in self.console_errors])


@pytest.fixture(scope="session")
def site_url(book_html) -> Iterator[str]:
    with serve_directory(book_html) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


def offline_context(browser: Browser, site_url: str, log: NetworkLog,
                    **options) -> BrowserContext:
    """A browser context that serves only the local site and logs everything else."""
    context = browser.new_context(**options)
    log.outside = block_outside(context, site_url)
    return context


def watch(page: Page, log: NetworkLog) -> Page:
    page.on("console", lambda msg: msg.type == "error" and log.console_errors.append(msg.text))
    page.on("pageerror", lambda error: log.console_errors.append(str(error)))
    page.on("requestfailed", lambda request: request.url not in log.outside
            and log.failed.append(f"{request.url} ({request.failure})"))
    page.on("response", lambda response: response.status >= 400
            and log.failed.append(f"{response.url} (HTTP {response.status})"))
    return page


@pytest.fixture
def open_page(browser, site_url):
    """open_page(path, phone=False) -> (page, log): a page of the site, network watched."""
    contexts: list[BrowserContext] = []

    def _open(path: str, phone: bool = False) -> tuple[Page, NetworkLog]:
        log = NetworkLog()
        context = offline_context(browser, site_url, log, **(PHONE if phone else DESKTOP))
        contexts.append(context)
        page = watch(context.new_page(), log)
        page.goto(site_url + path, wait_until="load")
        return page, log

    yield _open
    for context in contexts:
        context.close()


def run_axe(page: Page) -> list[dict]:
    """axe-core's violations on the page: id, impact, help and a few offending elements."""
    assert AXE_JS.exists(), f"{AXE_JS} is missing: run `npm ci` at the repository root"
    page.add_script_tag(path=str(AXE_JS))
    return page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
            .map((v) => ({id: v.id, impact: v.impact, help: v.help,
                          nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" "))}))"""
    )
