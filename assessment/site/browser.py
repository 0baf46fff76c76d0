"""Headless Chromium and a local web server for the built site (handouts, tests, benchmarks).

The browser is Debian's ``chromium`` driven by Playwright for Python; Playwright's own
browser download is never used. The server is Python's ``http.server`` on 127.0.0.1 and
a free port, so that pages load exactly as they do from a web server (a ``file://`` page
cannot fetch, and the search page fetches).

>>> with serve_directory(Path("_build/html")) as base_url:   # doctest: +SKIP
...     print(base_url)
http://127.0.0.1:45123/
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Playwright

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


class BrowserMissingError(RuntimeError):
    """Chromium is not installed where we look for it."""


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:
        pass


@contextmanager
def serve_directory(directory: Path) -> Iterator[str]:
    """Serve ``directory`` on 127.0.0.1 (a free port) while the block runs; yield its URL."""
    handler = partial(_QuietHandler, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def launch_chromium(playwright: Playwright) -> Browser:
    """Start Debian's headless Chromium, or explain in Vietnamese how to install it."""
    if not Path(CHROMIUM).exists():
        raise BrowserMissingError(
            f"Không tìm thấy trình duyệt Chromium ở {CHROMIUM}. Hãy cài bằng lệnh "
            "`sudo apt-get install -y chromium` (hoặc đặt biến môi trường CHROMIUM_PATH "
            "trỏ tới tệp chạy của Chromium) rồi chạy lại."
        )
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def block_outside(context: BrowserContext, allowed_prefix: str) -> list[str]:
    """Let ``context`` load only URLs under ``allowed_prefix``; abort and record the rest.

    Returns the live list of blocked URLs, so a caller can assert that it stays empty.
    """
    blocked: list[str] = []

    def only_allowed(route, request) -> None:
        if request.url.startswith(allowed_prefix):
            route.continue_()
        else:
            blocked.append(request.url)
            route.abort()

    context.route("**/*", only_allowed)
    return blocked
