"""Two tabs on one attempt: a stale tab that posts the whole form ("Lưu câu trả lời" or
"Nộp bài") saves only what was changed on it, never overwriting answers saved from the other
tab since it was opened. Each post carries what a browser sends: every field of the form as
that tab's page rendered it, with the cadre's changes on that tab."""

from __future__ import annotations

from bs4 import BeautifulSoup
from sqlalchemy import select
from test_service_quiz import answer, quiz_form, start

from assessment.service.models import answers


def browser_post(html: str, changes: dict[str, list[str]], action: str) -> list[tuple[str, str]]:
    """The body a browser posts for the quiz form of ``html`` after ``changes`` on that page."""
    form = BeautifulSoup(html, "html.parser").select_one("form.hv-quiz")
    body = [(i["name"], i.get("value", "")) for i in form.select("input")
            if i.get("type") == "hidden" or (i.has_attr("checked") and i["name"] not in changes)]
    body += [(name, value) for name, values in changes.items() for value in values]
    return body + [("action", action)]


def saved(service, attempt_id: int) -> dict[str, str]:
    with service.app.extensions["service_engine"].connect() as conn:
        return dict(conn.execute(select(answers.c.question_id, answers.c.letters).where(
            answers.c.attempt_id == attempt_id)).all())


def post(client, url: str, body: list[tuple[str, str]]):
    from werkzeug.datastructures import MultiDict

    response = client.http.post(url, data=MultiDict(body))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return response


def test_a_stale_tab_does_not_overwrite_answers_saved_in_another(service):
    round_name = service.open_round("phan-1")
    cadre = service.client()
    cadre.first_sign_in("CB001", service.codes["CB001"])
    url = start(cadre, round_name)
    attempt_id = int(url.rsplit("/", 1)[1])
    tab_a = cadre.get(url).get_data(as_text=True)  # opened first, then left alone
    tab_b = cadre.get(url).get_data(as_text=True)
    form = quiz_form(tab_b)
    right, wrong = answer(form), answer(form, right=False)
    names = list(right)
    by_name = {name: question for name, question, _p in form}

    # tab B: the script saves questions 1-3 as they are chosen, then questions 4-5 are chosen
    # and "Lưu câu trả lời" is pressed (the page then reloads with 1-5 shown as chosen)
    for name in names[:3]:
        response = cadre.post(f"{url}/luu", {"cau": name[1:], name: right[name]},
                              headers={"X-CSRFToken": cadre.token})
        assert response.get_json() == {"ok": True}
    post(cadre, url, browser_post(tab_b, {n: right[n] for n in names[:5]}, "luu"))
    tab_b = cadre.get(url).get_data(as_text=True)
    first_five = {by_name[n].id for n in names[:5]}
    assert {q for q, letters in saved(service, attempt_id).items() if letters} == first_five

    # tab A, stale (nothing chosen when it was opened): questions 6-10 are answered and
    # question 1 is changed to a wrong answer; "Lưu câu trả lời"
    changes = {n: right[n] for n in names[5:]} | {names[0]: wrong[names[0]]}
    post(cadre, url, browser_post(tab_a, changes, "luu"))
    now = saved(service, attempt_id)
    assert now[by_name[names[0]].id] == "".join(sorted(
        next(k for k in by_name[names[0]].options if k not in by_name[names[0]].answer)))
    for name in names[1:]:  # 2-5 kept from tab B, 6-10 from tab A
        assert now[by_name[name].id] == "".join(sorted(by_name[name].answer)), name

    # tab B, now stale (it shows question 1 right and 6-10 empty): "Nộp bài" unchanged
    response = post(cadre, url, browser_post(tab_b, {}, "nop"))
    result = cadre.get(response.headers["Location"]).get_data(as_text=True)
    total = sum(q.points for q in by_name.values())
    kept = total - by_name[names[0]].points
    assert f"Điểm: {kept:g}/{total:g}" in result, result
    assert result.count("Đúng.") == len(names) - 1


def test_a_changed_answer_is_saved_even_when_cleared(service):
    """A check box question unchecked on the page is saved as cleared (a change), and a post
    without the rendered fields (an old page) still saves everything it sends."""
    round_name = service.open_round("phan-1")
    cadre = service.client()
    cadre.first_sign_in("CB002", service.codes["CB002"])
    url = start(cadre, round_name)
    attempt_id = int(url.rsplit("/", 1)[1])
    form = quiz_form(cadre.get(url).get_data(as_text=True))
    right = answer(form)
    cadre.post(url, {**right, "action": "luu"})  # no rendered fields: all saved
    assert all(saved(service, attempt_id).values())
    page = cadre.get(url).get_data(as_text=True)
    name = next(n for n, q, _p in form if q.type == "multiple") if any(
        q.type == "multiple" for _n, q, _p in form) else form[0][0]
    post(cadre, url, browser_post(page, {name: []}, "luu"))
    question = next(q for n, q, _p in form if n == name)
    assert saved(service, attempt_id)[question.id] == ""
    assert sum(1 for v in saved(service, attempt_id).values() if v) == len(form) - 1
