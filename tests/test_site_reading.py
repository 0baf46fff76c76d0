"""Reading the course in a real browser: the whole table of contents, and the self-checks."""

from __future__ import annotations

from conftest import content_pages, toc_files


def page_name(url: str) -> str:
    return url.split("://", 1)[1].split("/", 1)[1].split(".html")[0]


def test_next_links_walk_the_whole_table_of_contents(open_page):
    """From the home page, "Bài tiếp theo" leads through every page in _toc.yml order."""
    page, log = open_page("book/index.html")
    sidebar = page.eval_on_selector_all("nav.bd-docs-nav a.reference", "as => as.map(a => a.href)")
    assert [page_name(href) for href in sidebar] == toc_files()

    visited = [page_name(page.url)]
    while page.locator("a.right-next").count():
        with page.expect_navigation(wait_until="domcontentloaded"):
            page.locator("a.right-next").dispatch_event("click")
        visited.append(page_name(page.url))
        assert len(visited) <= len(toc_files()), visited
    assert visited == toc_files()
    assert not log.problems(), "\n".join(log.problems())


def test_self_check_answered_by_touch(open_page):
    """On a phone, tapping an option says right or wrong, and the targets are finger-sized."""
    page, log = open_page(f"{content_pages()[0]}.html", phone=True)
    question = page.locator(".selfcheck").first
    answer = question.get_attribute("data-answer")
    choices = question.locator("button.selfcheck-choice")
    letters = [choices.nth(i).get_attribute("data-letter") for i in range(choices.count())]
    assert answer in letters and len(letters) >= 2
    for i in range(choices.count()):
        box = choices.nth(i).bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44, box

    wrong = next(letter for letter in letters if letter != answer)
    question.locator(f"button[data-letter={wrong}]").tap()
    feedback = question.locator(".selfcheck-feedback")
    assert feedback.inner_text().startswith("Chưa đúng"), feedback.inner_text()
    assert question.locator("details.selfcheck-solution").get_attribute("open") is not None

    question.locator(f"button[data-letter={answer}]").tap()
    assert feedback.inner_text() == "Đúng rồi!"
    assert question.locator(f"button[data-letter={answer}]").get_attribute("aria-pressed") == "true"
    assert not log.problems(), "\n".join(log.problems())
