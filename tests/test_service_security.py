"""The online service attacked: other cadres' attempts, late answers, forms without a CSRF
token, the key before the round closes, HTML in a roster name, guessing passwords."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update
from test_service_quiz import answer, quiz_form, start

from assessment.service.models import answers, attempts


def signed_in(service, cadre_id: str):
    client = service.client()
    client.first_sign_in(cadre_id, service.codes[cadre_id])
    return client


def test_a_cadre_cannot_reach_another_cadres_attempt(service):
    round_name = service.open_round("phan-1")
    owner, intruder = signed_in(service, "CB001"), signed_in(service, "CB002")
    url = start(owner, round_name)
    form = quiz_form(owner.get(url).get_data(as_text=True))
    owner.post(url, {**answer(form), "action": "luu"})
    intruder.get("/hoc-vien/")
    attempt_id = url.rsplit("/", 1)[1]
    assert intruder.get(url).status_code == 404
    assert intruder.get(f"/hoc-vien/ket-qua/{attempt_id}").status_code == 404
    wrong = answer(form, right=False)
    assert intruder.post(url, {**wrong, "action": "nop"}).status_code == 404
    assert intruder.post(f"{url}/luu", {"cau": "1", "c1": "1"},
                         headers={"X-CSRFToken": intruder.token}).status_code == 404
    # the owner's attempt is untouched: still in progress, right answers kept
    response = owner.post(url, {"action": "nop", **answer(form)})
    result = owner.get(response.headers["Location"]).get_data(as_text=True)
    assert "Chưa đạt" not in result
    # signed out, nothing is shown either
    anonymous = service.client()
    assert anonymous.get(url).headers["Location"].startswith("/hoc-vien/dang-nhap")


def test_no_answer_after_the_time_limit_or_the_round_end(service):
    round_name = service.open_round("phan-1", "--minutes", "5")
    cadre = signed_in(service, "CB001")
    url = start(cadre, round_name)
    form = quiz_form(cadre.get(url).get_data(as_text=True))
    right = answer(form)
    first = dict(list(right.items())[:3])
    cadre.post(url, {**first, "action": "luu"})
    engine = service.app.extensions["service_engine"]
    attempt_id = int(url.rsplit("/", 1)[1])
    with engine.begin() as conn:  # six minutes pass
        deadline = conn.execute(select(attempts.c.deadline).where(
            attempts.c.id == attempt_id)).scalar_one()
        conn.execute(update(attempts).where(attempts.c.id == attempt_id).values(
            deadline=deadline - timedelta(minutes=6)))
    late = cadre.post(f"{url}/luu", {"cau": "5", "c5": right["c5"]},
                      headers={"X-CSRFToken": cadre.token})
    assert late.status_code == 409 and "hết giờ" in late.get_json()["message"]
    response = cadre.post(url, {**right, "action": "nop"})  # submitted late: graded as saved
    result = cadre.get(response.headers["Location"]).get_data(as_text=True)
    assert "Chưa đạt" in result
    with engine.connect() as conn:
        saved = conn.execute(select(answers.c.question_id).where(
            answers.c.attempt_id == attempt_id, answers.c.letters != "")).all()
        state = conn.execute(select(attempts.c.state).where(
            attempts.c.id == attempt_id)).scalar_one()
    assert len(saved) == 3 and state == "finished"

    # a round closed by the trainer: the attempt in progress is finished, nothing more saved
    other = signed_in(service, "CB002")
    round_2 = service.open_round("phan-2")
    url_2 = start(other, round_2)
    form_2 = quiz_form(other.get(url_2).get_data(as_text=True))
    trainer = service.client()
    trainer.sign_in("gv.lan", "mat-khau-giang-vien")
    trainer.get(f"/hoc-vien/giang-vien/dot/{round_2}")
    assert trainer.post(f"/hoc-vien/giang-vien/dot/{round_2}/dong").status_code == 302
    refused = other.post(f"{url_2}/luu", {"cau": "1", **{"c1": answer(form_2)["c1"]}},
                         headers={"X-CSRFToken": other.token})
    assert refused.status_code == 409
    assert other.get(url_2).headers["Location"].startswith("/hoc-vien/ket-qua/")
    assert other.post(f"/hoc-vien/dot/{round_2}/lam-bai").status_code == 302
    assert "chưa mở hoặc đã kết thúc" in other.get("/hoc-vien/").get_data(as_text=True)


def test_forms_without_csrf_token_are_refused(service):
    round_name = service.open_round("phan-1")
    client = service.client()
    client.get("/hoc-vien/dang-nhap")
    refused = client.post("/hoc-vien/dang-nhap",
                          {"ma_can_bo": "CB001", "mat_khau": service.codes["CB001"]}, csrf=False)
    assert refused.status_code == 400 and "Biểu mẫu" in refused.get_data(as_text=True)
    client.first_sign_in("CB001", service.codes["CB001"])
    assert client.post(f"/hoc-vien/dot/{round_name}/lam-bai", csrf=False).status_code == 400
    url = start(client, round_name)
    form = quiz_form(client.get(url).get_data(as_text=True))
    assert client.post(url, {**answer(form), "action": "nop"}, csrf=False).status_code == 400
    assert client.post(f"{url}/luu", {"cau": "1", "c1": "1"}, csrf=False).status_code == 400
    forged = client.post(url, {**answer(form), "action": "nop", "csrf_token": "forged"},
                         csrf=False)
    assert forged.status_code == 400
    with service.app.extensions["service_engine"].connect() as conn:
        assert conn.execute(select(answers)).all() == []
        assert conn.execute(select(attempts.c.state)).scalar_one() == "in_progress"


def test_no_key_in_any_response_before_the_round_closes(service):
    round_name = service.open_round("phan-1")
    client = signed_in(service, "CB001")
    url = start(client, round_name)
    page = client.get(url).get_data(as_text=True)
    form = quiz_form(page)
    for _name, question, positions in form:
        assert question.explanation[:50] not in page
        # the source may be named by the question itself ("Hiến chương ASEAN có hiệu lực…"):
        # only a source that the stem and options don't show would be a leak
        if question.source not in question.stem + " ".join(question.options.values()):
            assert question.source not in page
        # positions are shown in a per-cadre order: a value never says which option is right
        assert set(positions.values()) == {str(i) for i in range(1, len(positions) + 1)}
    assert "data-key" not in page and "Đáp án" not in page
    assert client.get("/hoc-vien/static/quiz.js").status_code == 200


def test_html_in_a_roster_name_is_shown_as_text(service):
    client = signed_in(service, "CB003")
    page = client.get("/hoc-vien/").get_data(as_text=True)
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Lê &lt;b&gt;Cúc&lt;/b&gt;" in page
    assert "<script>alert" not in page and "<b>Cúc" not in page
    assert client.get("/hoc-vien/me.json").get_json()["name"].startswith("<script>")


def test_wrong_passwords_are_throttled_across_workers(service):
    from assessment.service.app import create_app

    client = service.client()
    for _ in range(3):
        assert client.sign_in("CB001", "doan-mo-mat-khau").status_code == 401
    locked = client.sign_in("CB001", service.codes["CB001"])
    assert locked.status_code == 429 and "sai quá nhiều lần" in locked.get_data(as_text=True)
    # another worker (another app on the same database) refuses too: the lock is in the database
    worker = create_app({**service.app.config, "MIGRATE": False})
    other = type(client)(worker.test_client())
    assert other.sign_in("CB001", service.codes["CB001"]).status_code == 429
    worker.extensions["service_engine"].dispose()
    # an unknown id is answered like a wrong password, and is throttled the same way
    assert client.sign_in("KHONG-CO", "x").status_code == 401


def test_session_cookie_is_httponly_and_samesite(service):
    client = service.client()
    client.get("/hoc-vien/dang-nhap")
    response = client.post("/hoc-vien/dang-nhap",
                           {"ma_can_bo": "CB001", "mat_khau": service.codes["CB001"]})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert response.headers["Cache-Control"] == "no-store"
    # the one-time code works once: after a password is set it is refused
    client.get("/hoc-vien/doi-mat-khau")
    client.post("/hoc-vien/doi-mat-khau", {"mat_khau_moi": "mat-khau-moi-9",
                                            "nhap_lai": "mat-khau-moi-9"})
    again = service.client()
    assert again.sign_in("CB001", service.codes["CB001"]).status_code == 401
    assert again.sign_in("CB001", "mat-khau-moi-9").status_code == 302


def test_behind_https_cookies_are_secure_and_scheme_comes_from_the_proxy(service):
    from assessment.service.app import create_app

    app = create_app({**service.app.config, "MIGRATE": False, "BEHIND_HTTPS": True})
    client = type(service.client())(app.test_client())
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    client.get("/hoc-vien/dang-nhap", headers=headers)
    form = {"ma_can_bo": "CB002", "mat_khau": service.codes["CB002"]}
    # over HTTPS the CSRF check also wants a same-origin Referer (browsers send one:
    # Referrer-Policy is same-origin); a form posted from another site is refused
    foreign = {**headers, "Referer": "https://ke-gian.example/dang-nhap"}
    assert client.post("/hoc-vien/dang-nhap", form, headers=foreign).status_code == 400
    own = {**headers, "Referer": "https://localhost/hoc-vien/dang-nhap"}
    response = client.post("/hoc-vien/dang-nhap", form, headers=own)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert "Secure" in response.headers["Set-Cookie"]
    assert response.headers["Location"].startswith(("/", "https://"))
    app.extensions["service_engine"].dispose()
    # without --https (the default, plain http on a laptop) the cookie must still be sent
    plain = service.client()
    plain.get("/hoc-vien/dang-nhap")
    response = plain.post("/hoc-vien/dang-nhap", {"ma_can_bo": "CB003",
                                                  "mat_khau": service.codes["CB003"]})
    assert "Secure" not in response.headers["Set-Cookie"]


def test_passwords_are_stored_as_argon2id_hashes(service):
    from sqlalchemy import select

    from assessment.service.models import accounts

    client = service.client()
    client.first_sign_in("CB001", service.codes["CB001"], "mat-khau-rieng-1")
    engine = service.app.extensions["service_engine"]
    with engine.connect() as conn:
        stored = conn.execute(select(accounts.c.password_hash, accounts.c.code_hash)
                              .where(accounts.c.login == "cb001")).one()
    assert stored.password_hash.startswith("$argon2id$")
    assert "mat-khau-rieng-1" not in stored.password_hash
    assert "m=19456,t=2,p=1" in stored.password_hash
    assert stored.code_hash is None  # the one-time code is gone once used
