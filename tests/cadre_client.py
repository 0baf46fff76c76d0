"""Simulated cadres for the online service, driving its pages as a person would (httpx, asyncio).

Written against the interface of issue 10, not the service's code: forms are found by their
labels ("Mã cán bộ", "Mật khẩu", "Mật khẩu mới", "Nhập lại mật khẩu mới"), questions are the
fieldsets of the quiz form, the answer is sent with the button "Nộp bài", and a submission is
confirmed only when the result page shows "Điểm: X/Y". Each answer is first saved on its own as
the page's script does (``data-save`` of the form, ``X-CSRFToken``).

Used by bench/bench_online.py (load) and the fault and multi-worker tests::

    async with client(url) as http:
        outcome = await take_quiz(http, stats, "CB00001", "mat-khau-rieng-1")
"""

from __future__ import annotations

import asyncio
import functools
import random
import re
import ssl
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin

import httpx

PREFIX = "/hoc-vien"
SCORE = re.compile(r"Điểm:\s*(?:<[^>]+>\s*)*([\d.,]+)\s*/\s*([\d.,]+)")


@functools.cache
def _tls() -> ssl.SSLContext:
    """One TLS context for every simulated cadre. httpx otherwise builds a new one per client,
    loading the CA bundle: 20 ms of CPU each, 500 cadres arriving in 30 s would spend a third
    of a core on it, on the machine whose server is being measured."""
    return ssl.create_default_context()


def client(url: str, timeout: float = 120) -> httpx.AsyncClient:
    """One cadre's browser: its own cookies and connections. Idle connections are dropped
    after 1 s, before gunicorn closes them (after 5 s, `assessment serve`), so that no request is
    sent on a connection the server is closing (browsers retry those; httpx does not)."""
    limits = httpx.Limits(max_connections=4, max_keepalive_connections=2, keepalive_expiry=1.0)
    return httpx.AsyncClient(base_url=url, timeout=timeout, limits=limits, verify=_tls())


class CadreError(Exception):
    """A page was not what a cadre expects (a wrong status, a missing form)."""


@dataclass
class Form:
    action: str
    method: str
    attrs: dict[str, str]
    fields: list[dict[str, str]] = field(default_factory=list)  # every input
    buttons: list[dict[str, str]] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)  # label text → input id
    fieldsets: list[list[dict[str, str]]] = field(default_factory=list)  # inputs per fieldset

    def field_named(self, label: str) -> str:
        """The ``name`` of the input labelled ``label``."""
        target = self.labels.get(label)
        for item in self.fields:
            if item.get("id") == target:
                return item["name"]
        raise CadreError(f"no field labelled {label!r}")

    def hidden(self) -> dict[str, str]:
        return {f["name"]: f.get("value", "") for f in self.fields if f.get("type") == "hidden"}

    def button(self, text: str) -> dict[str, str] | None:
        return next((b for b in self.buttons if b["text"] == text), None)


class _Forms(HTMLParser):
    """Forms of a page, with their inputs, labels, buttons and fieldsets."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._label: tuple[str, list[str]] | None = None
        self._button: dict[str, str] | None = None
        self._fieldset: list[dict[str, str]] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = Form(attrs.get("action", ""), attrs.get("method", "get").lower(), attrs)
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input":
            self._form.fields.append(attrs)
            if self._fieldset is not None:
                self._fieldset.append(attrs)
        elif tag == "label":
            self._label = (attrs.get("for", ""), [])
        elif tag == "button":
            self._button = {**attrs, "text": ""}
        elif tag == "fieldset":
            self._fieldset = []

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "label" and self._label and self._form is not None:
            self._form.labels[" ".join("".join(self._label[1]).split())] = self._label[0]
            self._label = None
        elif tag == "button" and self._button is not None and self._form is not None:
            self._button["text"] = " ".join(self._button["text"].split())
            self._form.buttons.append(self._button)
            self._button = None
        elif tag == "fieldset" and self._fieldset is not None and self._form is not None:
            self._form.fieldsets.append(self._fieldset)
            self._fieldset = None

    def handle_data(self, data):
        if self._label is not None:
            self._label[1].append(data)
        if self._button is not None:
            self._button["text"] += data


def forms(html: str) -> list[Form]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def form_with(html: str, *, label: str | None = None, button: str | None = None) -> Form:
    for form in forms(html):
        if (label is None or label in form.labels) and (button is None or form.button(button)):
            return form
    raise CadreError(f"no form with label={label!r} button={button!r}")


@dataclass
class Stats:
    """Every request's latency (seconds) and every error, for all simulated cadres."""

    latencies: list[float] = field(default_factory=list)
    by_kind: dict[str, list[float]] = field(default_factory=dict)  # "nộp bài" → latencies
    errors: list[str] = field(default_factory=list)
    confirmed: dict[str, tuple[float, float]] = field(default_factory=dict)  # login → score


async def request(http: httpx.AsyncClient, stats: Stats, method: str, url: str,
                  expect: tuple[int, ...] = (200,), kind: str = "khác",
                  **kwargs) -> httpx.Response:
    """One request, timed (also under ``kind``); a status outside ``expect`` is an error."""
    start = time.perf_counter()
    response = await http.request(method, url, **kwargs)
    elapsed = time.perf_counter() - start
    stats.latencies.append(elapsed)
    stats.by_kind.setdefault(kind, []).append(elapsed)
    if response.status_code not in expect:
        raise CadreError(f"{method} {url}: HTTP {response.status_code}")
    return response


async def submit(http, stats, page: httpx.Response, form: Form, data: dict,
                 expect: tuple[int, ...] = (302, 303), kind: str = "khác") -> httpx.Response:
    """Post a form as the browser would, then follow its redirect (one more request)."""
    url = urljoin(str(page.url), form.action or str(page.url))
    response = await request(http, stats, "POST", url, expect=expect, kind=kind,
                             data={**form.hidden(), **data})
    if response.status_code in (302, 303):
        location = urljoin(url, response.headers["location"])
        response = await request(http, stats, "GET", location, kind="trang")
    return response


Pause = Callable[[], Awaitable[None]]


async def no_pause() -> None:
    return None


def thinking(think: float, rng: random.Random) -> Pause:
    """A person's pause before each action: ``think`` seconds on average, drawn evenly from
    half to one and a half times that (Locust's ``between``); 0 = no pause at all."""
    if think <= 0:
        return no_pause

    async def pause() -> None:
        await asyncio.sleep(rng.uniform(0.5 * think, 1.5 * think))
    return pause


async def sign_in(http: httpx.AsyncClient, stats: Stats, login: str, password: str,
                  new_password: str | None = None, pause: Pause = no_pause) -> httpx.Response:
    """Sign in; at a first sign-in (one-time code) set ``new_password``. Returns the next page."""
    page = await request(http, stats, "GET", f"{PREFIX}/dang-nhap", kind="trang")
    form = form_with(page.text, label="Mã cán bộ", button="Đăng nhập")
    await pause()  # typing the code and password
    page = await submit(http, stats, page, form, {
        form.field_named("Mã cán bộ"): login, form.field_named("Mật khẩu"): password},
        kind="đăng nhập")
    if "Mật khẩu mới" in page.text and "Nhập lại mật khẩu mới" in page.text:
        if not new_password:
            raise CadreError(f"{login}: asked for a new password")
        form = form_with(page.text, label="Mật khẩu mới")
        page = await submit(http, stats, page, form, {
            form.field_named("Mật khẩu mới"): new_password,
            form.field_named("Nhập lại mật khẩu mới"): new_password}, kind="đặt mật khẩu")
    return page


async def open_quiz(http: httpx.AsyncClient, stats: Stats, page: httpx.Response,
                    pause: Pause = no_pause) -> httpx.Response:
    """From "Bài kiểm tra của tôi" (``page``, or fetched): start (or resume) the open round;
    returns the quiz page."""
    await pause()  # reading the list of rounds
    for fetch in (False, True):
        if fetch:
            page = await request(http, stats, "GET", f"{PREFIX}/", kind="trang")
        if "Nộp bài" in page.text:
            return page
        for form in forms(page.text):
            if form.button("Làm bài"):
                return await submit(http, stats, page, form, {}, kind="bắt đầu")
        resume = re.search(r'href="([^"]+)"[^>]*>\s*Làm tiếp', page.text)
        if resume:
            return await request(http, stats, "GET", urljoin(str(page.url), resume.group(1)),
                                 kind="trang")
    raise CadreError("no open round to take")


def choose(form: Form, rng: random.Random) -> dict[str, list[str]]:
    """One option per question (radio: one; check boxes: one or two), at random."""
    chosen: dict[str, list[str]] = {}
    for inputs in form.fieldsets:
        options = [i for i in inputs if i.get("type") in ("radio", "checkbox")]
        if not options:
            continue
        count = 1 if options[0]["type"] == "radio" else rng.randint(1, min(2, len(options)))
        chosen[options[0]["name"]] = [o["value"] for o in rng.sample(options, count)]
    return chosen


async def take_quiz(http: httpx.AsyncClient, stats: Stats, login: str, password: str,
                    *, new_password: str | None = None, seed: int = 0,
                    autosave: bool = True, think: float = 0.0) -> tuple[float, float]:
    """The whole path of one cadre: sign in, open the quiz, save each answer, submit; with a
    pause of about ``think`` seconds before each of these actions (reading, choosing).

    Returns the (score, max) the result page confirms, and records it in ``stats.confirmed``.
    """
    pause = thinking(think, random.Random(f"{login}-{seed}-pauses"))
    page = await sign_in(http, stats, login, password, new_password, pause)
    page = await open_quiz(http, stats, page, pause)
    return await answer_and_submit(http, stats, page, login, seed=seed, autosave=autosave,
                                   pause=pause)


async def answer_and_submit(http: httpx.AsyncClient, stats: Stats, page: httpx.Response,
                            login: str, *, seed: int = 0, autosave: bool = True,
                            pause: Pause = no_pause) -> tuple[float, float]:
    """On the quiz page: choose answers (saving each), press "Nộp bài", read "Điểm: X/Y"."""
    rng = random.Random(f"{login}-{seed}")
    form = form_with(page.text, button="Nộp bài")
    chosen = choose(form, rng)
    if len(chosen) < 1:
        raise CadreError("the quiz page has no question")
    save_url = form.attrs.get("data-save")
    token = form.hidden().get("csrf_token", "")
    if autosave and save_url:
        for number, (name, values) in enumerate(chosen.items(), start=1):
            await pause()  # reading the question
            body = {"cau": str(number), name: values}
            response = await request(http, stats, "POST", urljoin(str(page.url), save_url),
                                     data=body, headers={"X-CSRFToken": token}, kind="lưu")
            if not response.json().get("ok"):
                raise CadreError(f"answer {number} not saved: {response.text[:200]}")
    await pause()  # checking the answers before "Nộp bài"
    send = form.button("Nộp bài")
    data: dict[str, str | list[str]] = {**form.hidden(), **chosen}
    data[send.get("name", "action")] = send.get("value", "")
    url = urljoin(str(page.url), form.action or str(page.url))
    response = await request(http, stats, "POST", url, expect=(302, 303), data=data,
                             kind="nộp bài")
    result = await request(http, stats, "GET", urljoin(url, response.headers["location"]),
                           kind="kết quả")
    found = SCORE.search(result.text)
    if not found:
        raise CadreError(f"{login}: no «Điểm: X/Y» on the result page")
    score = (float(found.group(1).replace(",", ".")), float(found.group(2).replace(",", ".")))
    stats.confirmed[login] = score
    return score


async def read_static(http: httpx.AsyncClient, stats: Stats, path: str, count: int) -> None:
    """The limit: the same number of requests for one static page of the book."""
    for _ in range(count):
        await request(http, stats, "GET", path, kind="trang sách")
