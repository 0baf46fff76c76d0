"""Taking an online quiz with the Flask test client: sign in with the one-time code, set a
password, answer (saved on the server), come back, submit once, see the result, and find the
attempt in nbgrader's gradebook through nbgrader's own API."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup
from service_fixtures import ROOT, run_cli

from assessment.quiz.bank import load_bank

BANK = {q.id: q for q in load_bank(ROOT / "quizzes" / "bank", ROOT).questions}
BY_STEM = {q.stem: q for q in BANK.values()}


def quiz_form(html: str) -> list[tuple[str, object, dict[str, str]]]:
    """[(field name, bank question, {bank letter: position value})] as the page shows them."""
    soup = BeautifulSoup(html, "html.parser")
    found = []
    for fieldset in soup.select("form.hv-quiz fieldset"):
        legend = fieldset.legend.get_text(" ", strip=True)
        stem = re.sub(r"^Câu \d+\. ", "", legend).replace(" (chọn tất cả phương án đúng)", "")
        question = BY_STEM[stem]
        positions = {}
        for option in fieldset.select("input"):
            text = fieldset.find("label", attrs={"for": option["id"]}).get_text(strip=True)
            letter = next(k for k, v in question.options.items() if v == text)
            positions[letter] = option["value"]
        found.append((option["name"], question, positions))
    return found


def answer(form, right: bool = True) -> dict[str, list[str]]:
    data = {}
    for name, question, positions in form:
        letters = question.answer if right else [
            next(k for k in question.options if k not in question.answer)]
        data[name] = [positions[letter] for letter in letters]
    return data


def start(client, round_name: str) -> str:
    client.get("/hoc-vien/")
    response = client.post(f"/hoc-vien/dot/{round_name}/lam-bai")
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def test_sign_in_take_resume_submit_result_gradebook(service):
    from nbgrader.api import Gradebook

    round_name = service.open_round("phan-1", "--minutes", "30")
    assert round_name == "phan-1-truc-tuyen-1"
    cadre = service.client()
    cadre.first_sign_in("CB001", service.codes["CB001"].lower())  # codes: any case
    mine = cadre.get("/hoc-vien/").get_data(as_text=True)
    assert "Bài kiểm tra của tôi" in mine and "Kiểm tra Phần 1" in mine
    assert "chưa được tính là đã được tập huấn" in mine
    url = start(cadre, round_name)
    page = cadre.get(url).get_data(as_text=True)
    form = quiz_form(page)
    assert len(form) == 10 and "Nộp bài" in page
    # every option's value is its shown position, never a bank letter
    assert all(set(p.values()) <= {"1", "2", "3", "4", "5"} for _n, _q, p in form)
    everything = answer(form)
    first_half = dict(list(everything.items())[:5])
    response = cadre.post(url, {**first_half, "action": "luu"})
    assert response.status_code == 302
    # the connection is lost, the page is opened again: the five answers are there
    again = BeautifulSoup(cadre.get(url).get_data(as_text=True), "html.parser")
    checked = {i["name"] for i in again.select("form.hv-quiz input[checked]")}
    assert checked == set(first_half)
    # the script's save of one question
    name, question, positions = form[6]
    response = cadre.post(f"{url}/luu", {"cau": name[1:], name: everything[name]},
                          headers={"X-CSRFToken": cadre.token})
    assert response.get_json() == {"ok": True}
    response = cadre.post(url, {**everything, "action": "nop"})
    assert response.status_code == 302
    result_url = response.headers["Location"]
    result = cadre.get(result_url).get_data(as_text=True)
    total = f"{sum(q.points for _n, q, _p in form):g}"
    assert f"Điểm: {total}/{total}" in result and "Đạt" in result
    assert result.count("Đúng.") == 10
    assert f'href="/{question.page}.html"' in result
    # a double tap on "Nộp bài": still one attempt, same score
    response = cadre.post(url, {**everything, "action": "nop"})
    assert response.headers["Location"] == result_url
    with Gradebook(f"sqlite:///{service.data / 'gradebook.db'}") as gb:
        submission = gb.find_submission(round_name, "CB001")
        assert submission.score == submission.max_score == float(total)
        assert gb.find_student("CB001").last_name == "Nguyễn Thị"
        assert len(gb.assignment_submissions(round_name)) == 1
    mine = cadre.get("/hoc-vien/").get_data(as_text=True)
    assert f"{total}/{total}" in mine


def test_orders_differ_per_cadre_and_retake_draws_another_set(service):
    round_name = service.open_round("phan-1", "--attempts", "2")
    layouts = {}
    for cadre_id in ("CB001", "CB002"):
        client = service.client()
        client.first_sign_in(cadre_id, service.codes[cadre_id])
        url = start(client, round_name)
        form = quiz_form(client.get(url).get_data(as_text=True))
        layouts[cadre_id] = [(q.id, tuple(p.items())) for _n, q, p in form]
        if cadre_id == "CB001":
            client.post(url, {**answer(form, right=False), "action": "nop"})
            result = client.get("/hoc-vien/").get_data(as_text=True)
            assert ">0/" in result and "Chưa đạt" in result
            retake = quiz_form(client.get(start(client, round_name)).get_data(as_text=True))
            assert {q.id for _n, q, _p in retake} != {q for q, _p in layouts["CB001"]}
            assert "đã làm 2/2 lần" in client.get("/hoc-vien/").get_data(as_text=True)
    assert {q for q, _p in layouts["CB001"]} == {q for q, _p in layouts["CB002"]}
    assert layouts["CB001"] != layouts["CB002"]


def test_explanations_only_after_the_round_closes(service):
    round_name = service.open_round("phan-1")
    cadre = service.client()
    seen = [cadre.first_sign_in("CB002", service.codes["CB002"])]
    url = start(cadre, round_name)
    seen.append(cadre.get(url))
    form = quiz_form(seen[-1].get_data(as_text=True))
    explanations = [q.explanation for _n, q, _p in form]
    seen.append(cadre.post(url, {**answer(form), "action": "nop"}))
    result_url = seen[-1].headers["Location"]
    seen += [cadre.get(result_url), cadre.get("/hoc-vien/"), cadre.get("/hoc-vien/me.json")]
    for response in seen:
        text = response.get_data(as_text=True)
        text += BeautifulSoup(text, "html.parser").get_text(" ")
        assert not any(e[:60] in text for e in explanations), response.request.path
        assert "Giải thích" not in text and "Đáp án đúng" not in text
    run_cli("rounds", "close", round_name, *service.args(), "--course-dir", str(ROOT / "quizzes"),
            "--book-root", str(ROOT))
    after = BeautifulSoup(cadre.get(result_url).get_data(as_text=True), "html.parser").get_text()
    assert all(e[:60] in after for e in explanations)
    assert "Đáp án đúng" not in after  # quizzes.yml: show_correct_answer false


def test_book_pages_get_the_sign_in_link(service):
    client = service.client()
    page = client.get("/book/index.html").get_data(as_text=True)
    assert "Trang sách" in page and 'href="/hoc-vien/dang-nhap">Đăng nhập</a>' in page
    assert "Bài kiểm tra của tôi" in page and "/hoc-vien/static/header.js" in page
    assert client.get("/").status_code == 200
    assert client.get("/../secret_key").status_code == 404
    assert client.get("/hoc-vien/me.json").get_json() == {}
    client.first_sign_in("CB001", service.codes["CB001"])
    assert client.get("/hoc-vien/me.json").get_json()["name"] == "Nguyễn Thị An"


def test_a_round_for_some_groups_only(service):
    round_name = service.open_round("phan-1", "--groups", "doi-ngoai-bao-chi")
    outsider = service.client()
    outsider.first_sign_in("CB001", service.codes["CB001"])
    assert "Hiện chưa có đợt kiểm tra nào mở cho bạn" in outsider.get(
        "/hoc-vien/").get_data(as_text=True)
    refused = outsider.post(f"/hoc-vien/dot/{round_name}/lam-bai")
    assert refused.headers["Location"] == "/hoc-vien/"
    assert "không dành cho đơn vị hoặc nhóm của bạn" in outsider.get(
        "/hoc-vien/").get_data(as_text=True)
    member = service.client()
    member.first_sign_in("CB003", service.codes["CB003"])
    assert start(member, round_name).startswith("/hoc-vien/bai/")
