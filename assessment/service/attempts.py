"""Taking a quiz: "Bài kiểm tra của tôi", the quiz form (saved on the server), the result.

A cadre only ever reaches their own attempts: every attempt is looked up together with the
signed-in account, and someone else's id gives "not found". Options are sent as their shown
position (1, 2, 3...), mapped back to the bank's letters on the server; the key and the
explanations stay on the server until the round closes.
"""

from __future__ import annotations

import json

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy import bindparam, select

from assessment.service.auth import login_required
from assessment.service.current import course, engine, gradebook, reader
from assessment.service.models import attempts, rounds
from assessment.service.results import (
    AttemptError,
    finish_attempt,
    finish_overdue,
    save_answers,
    saved_answers,
    start_attempt,
)
from assessment.service.rounds import eligible, is_closed, is_open, load_course, local_text

bp = Blueprint("attempts", __name__)



OWN_ATTEMPT = select(attempts).where(attempts.c.id == bindparam("attempt_id"),
                                     attempts.c.account_id == bindparam("account_id"))
ROUND = select(rounds).where(rounds.c.id == bindparam("round_id"))


def own_attempt(attempt_id: int, *, with_round: bool = True):
    """(attempt, round) of the signed-in cadre, or 404 (never someone else's); the round is
    None when not asked for (saving an answer needs only the attempt)."""
    with reader().connect() as conn:
        row = conn.execute(OWN_ATTEMPT, {"attempt_id": attempt_id,
                                         "account_id": g.account.id}).first()
        if row is None:
            abort(404)
        round_row = (conn.execute(ROUND, {"round_id": row.round_id}).one()
                     if with_round else None)
    return row, round_row


def page_url(page: str) -> str:
    return f"/{page}.html"


@bp.get("/")
@login_required
def mine():
    """Bài kiểm tra của tôi: open rounds, my attempts and whether I count as trained."""
    finish_overdue(engine(), course(), gradebook(), account_id=g.account.id)
    spec, _bank, _book = load_course(course())
    kinds = {q.id: q.kind for q in spec.quizzes}
    with engine().connect() as conn:
        all_rounds = conn.execute(select(rounds).order_by(rounds.c.starts_at.desc())).all()
        my_attempts = conn.execute(
            select(attempts, rounds.c.title, rounds.c.name, rounds.c.quiz_id)
            .join(rounds, rounds.c.id == attempts.c.round_id)
            .where(attempts.c.account_id == g.account.id)
            .order_by(attempts.c.started_at.desc())).all()
    used: dict[int, int] = {}
    running: dict[int, int] = {}
    for attempt in my_attempts:
        used[attempt.round_id] = used.get(attempt.round_id, 0) + 1
        if attempt.state == "in_progress":
            running[attempt.round_id] = attempt.id
    open_rounds = [
        {"row": r, "used": used.get(r.id, 0), "running": running.get(r.id)}
        for r in all_rounds if is_open(r) and eligible(r, g.account.unit, g.account.group_code)]
    passes = sorted(a.finished_at for a in my_attempts
                    if a.passed and kinds.get(a.quiz_id) == "final")
    return render_template("mine.html", open_rounds=open_rounds, attempts=my_attempts,
                           trained_on=local_text(passes[0])[:10] if passes else None)


@bp.post("/dot/<name>/lam-bai")
@login_required
def start(name: str):
    with engine().connect() as conn:
        round_row = conn.execute(select(rounds).where(rounds.c.name == name)).first()
    if round_row is None:
        abort(404)
    try:
        attempt_id = start_attempt(engine(), course(), round_row, g.account)
    except AttemptError as error:
        flash(str(error))
        return redirect(url_for("attempts.mine"))
    return redirect(url_for("attempts.take", attempt_id=attempt_id))


def _questions(attempt):
    """The attempt's questions as shown: (number, question, [(position, letter, text)])."""
    _spec, bank, _book = load_course(course())
    by_id = bank.by_id()
    shown = []
    for number, (qid, letters) in enumerate(json.loads(attempt.layout), start=1):
        question = by_id[qid]
        options = [(pos, letter, question.options[letter])
                   for pos, letter in enumerate(letters, start=1)]
        shown.append((number, question, options))
    return shown


def _positions(values: list[str], count: int) -> set[int]:
    """Shown positions (1..count) from form values; anything else is refused."""
    found = set()
    for value in values:
        if not value.isdigit() or not 1 <= int(value) <= count:
            raise AttemptError("Câu trả lời không thuộc bài này.")
        found.add(int(value))
    return found


def _chosen_from_form(attempt, numbers: list[int] | None = None) -> dict[str, str]:
    """{question id: bank letters} from the posted positions (all questions, or ``numbers``).

    The quiz page carries, beside each question, what it showed as chosen (``d3=2``). A
    question whose posted choice is still what its page showed is left out, so a stale second
    tab that posts the whole form never overwrites an answer saved from another tab since;
    only what the cadre changed on this page is saved. A post without that field (an old page,
    a script) saves what it sends, as before.
    """
    layout = json.loads(attempt.layout)
    chosen = {}
    for number, (qid, letters) in enumerate(layout, start=1):
        if numbers is not None and number not in numbers:
            continue
        picked = _positions(request.form.getlist(f"c{number}"), len(letters))
        shown = request.form.get(f"d{number}")
        if shown is not None and picked == _positions(
                [v for v in shown.split(",") if v], len(letters)):
            continue
        chosen[qid] = "".join(letters[position - 1] for position in sorted(picked))
    return chosen


@bp.get("/bai/<int:attempt_id>")
@login_required
def take(attempt_id: int):
    attempt, round_row = own_attempt(attempt_id)
    if attempt.state == "in_progress":
        finish_overdue(engine(), course(), gradebook(), account_id=g.account.id)
        attempt, round_row = own_attempt(attempt_id)
    if attempt.state != "in_progress":
        return redirect(url_for("attempts.result", attempt_id=attempt_id))
    with engine().connect() as conn:
        saved = saved_answers(conn, attempt_id)
    return render_template("take.html", attempt=attempt, round=round_row,
                           questions=_questions(attempt), saved=saved)


@bp.post("/bai/<int:attempt_id>")
@login_required
def post_answers(attempt_id: int):
    """Save every answer of the form; with "Nộp bài" also finish and grade the attempt."""
    attempt, _round = own_attempt(attempt_id, with_round=False)
    submit = request.form.get("action") == "nop"
    try:
        save_answers(engine(), attempt, _chosen_from_form(attempt))
    except AttemptError as error:
        flash(str(error))
        if attempt.state == "in_progress" and not submit:
            finish_overdue(engine(), course(), gradebook(), account_id=g.account.id)
        if not submit:
            return redirect(url_for("attempts.take", attempt_id=attempt_id))
    if submit:
        finish_attempt(engine(), course(), gradebook(), attempt_id)
        return redirect(url_for("attempts.result", attempt_id=attempt_id))
    flash("Đã lưu các câu trả lời.")
    return redirect(url_for("attempts.take", attempt_id=attempt_id))


@bp.post("/bai/<int:attempt_id>/luu")
@login_required
def save_one(attempt_id: int):
    """The page's script saves one question as soon as it is answered (JSON reply)."""
    attempt, _round = own_attempt(attempt_id, with_round=False)
    number = request.form.get("cau", "")
    if not number.isdigit():
        return jsonify({"ok": False, "message": "Thiếu số câu."}), 400
    try:
        save_answers(engine(), attempt, _chosen_from_form(attempt, [int(number)]))
    except AttemptError as error:
        return jsonify({"ok": False, "message": str(error)}), 409
    return jsonify({"ok": True})


@bp.get("/ket-qua/<int:attempt_id>")
@login_required
def result(attempt_id: int):
    attempt, round_row = own_attempt(attempt_id)
    if attempt.state != "finished":
        return redirect(url_for("attempts.take", attempt_id=attempt_id))
    spec, _bank, book = load_course(course())
    quiz = spec.quiz(round_row.quiz_id)
    review = is_closed(round_row)  # explanations only after the round closes
    scores = json.loads(attempt.results or "{}")
    with engine().connect() as conn:
        saved = saved_answers(conn, attempt_id)
    items = []
    for number, question, options in _questions(attempt):
        items.append({
            "number": number, "question": question, "right": scores.get(question.id, 0) > 0,
            "answered": bool(saved.get(question.id)),
            "page_url": page_url(question.page), "page_title": book.title(question.page),
            "explanation": question.explanation if review else None,
            "key": [text for _pos, letter, text in options if letter in question.answer]
            if review and quiz.show_correct_answer else None,
        })
    return render_template("result.html", attempt=attempt, round=round_row, items=items,
                           review=review, pass_mark=quiz.pass_mark)
