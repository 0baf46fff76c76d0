"""Two tabs of one cadre in Debian's Chromium against a real ``assessment serve``: the older
tab's "Lưu câu trả lời" keeps what the newer tab saved since, including a question both tabs
answered (the later choice wins, because the page's script records what the server holds
after each save). The book is a one-page stand-in: only the quiz pages matter here."""

from __future__ import annotations

from pathlib import Path

import pytest
from site_browser import DESKTOP, NetworkLog, offline_context, watch
from test_service_browser import run, stem_of
from test_service_browser import server as live_server  # noqa: F401 - a fixture
from test_service_quiz import BY_STEM


@pytest.fixture
def served_book(tmp_path) -> Path:
    book = tmp_path / "sach"
    book.mkdir()
    (book / "index.html").write_text("<html><body><p>Sách</p></body></html>", encoding="utf-8")
    return book


def choose(fieldset, question, letters: str) -> None:
    for letter in letters:
        fieldset.get_by_label(question.options[letter], exact=True).check()
    fieldset.locator(".hv-saved", has_text="Đã lưu.").wait_for()


def test_an_older_tab_keeps_what_a_newer_tab_saved(browser, request):
    base, data, _roster, codes = request.getfixturevalue("live_server")
    run("rounds", "open", "phan-1", "--data", str(data))
    log = NetworkLog()
    context = offline_context(browser, base, log, **DESKTOP)
    older = watch(context.new_page(), log)
    older.goto(base + "hoc-vien/dang-nhap")
    older.get_by_label("Mã cán bộ").fill("CB102")
    older.get_by_label("Mật khẩu").fill(codes["CB102"])
    older.get_by_role("button", name="Đăng nhập").click()
    older.get_by_label("Mật khẩu mới", exact=True).fill("mat-khau-cua-nam")
    older.get_by_label("Nhập lại mật khẩu mới").fill("mat-khau-cua-nam")
    older.get_by_role("button", name="Lưu mật khẩu").click()
    older.get_by_role("button", name="Làm bài").click()
    older.locator("form.hv-quiz fieldset").first.wait_for()
    newer = watch(context.new_page(), log)
    newer.goto(older.url)

    def questions(page):
        sets = page.locator("form.hv-quiz fieldset")
        return [(sets.nth(i), BY_STEM[stem_of(sets.nth(i))]) for i in range(sets.count())]

    in_older, in_newer = questions(older), questions(newer)
    single = [i for i, (_f, q) in enumerate(in_older) if q.type != "multiple"]
    both, only_newer = single[0], single[1]
    question = in_older[both][1]
    wrong = next(k for k in question.options if k not in question.answer)
    choose(in_older[both][0], question, question.answer[0])  # first the older tab...
    choose(in_newer[both][0], question, wrong)  # ...then the newer tab changes its mind
    other = in_newer[only_newer][1]
    choose(in_newer[only_newer][0], other, other.answer[0])

    older.get_by_role("button", name="Lưu câu trả lời").click()
    older.get_by_text("Đã lưu các câu trả lời.").wait_for()
    again = dict((q.id, f) for f, q in questions(older))
    assert again[question.id].get_by_label(question.options[wrong], exact=True).is_checked()
    assert again[other.id].get_by_label(other.options[other.answer[0]], exact=True).is_checked()
    # the stand-in book has no theme files (/_static/): nothing else may fail
    assert [p for p in log.problems() if "/_static/" not in p] == []
    assert log.outside == []
    context.close()
