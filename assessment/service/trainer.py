"""Trainer pages: open and close online rounds, see a round's attempts, download them as
.xlsx, give a cadre a new one-time code. Only accounts with the trainer role get here."""

from __future__ import annotations

import io

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from sqlalchemy import func, select

from assessment.service.accounts import AccountError, reset_code
from assessment.service.auth import trainer_required
from assessment.service.current import course, engine, gradebook
from assessment.service.models import accounts, attempts, rounds
from assessment.service.results import finish_overdue
from assessment.service.rounds import (
    RoundError,
    close_round,
    is_closed,
    is_open,
    load_course,
    local_text,
    open_round,
)

bp = Blueprint("trainer", __name__)



def state_text(row) -> str:
    if is_open(row):
        return "Đang mở"
    return "Đã đóng" if is_closed(row) else "Chưa đến giờ mở"


@bp.get("/")
@trainer_required
def index():
    spec, _bank, _book = load_course(course())
    with engine().connect() as conn:
        counts = dict(conn.execute(select(attempts.c.round_id, func.count())
                                   .group_by(attempts.c.round_id)).all())
        all_rounds = conn.execute(select(rounds).order_by(rounds.c.created_at.desc())).all()
    return render_template("trainer.html", rounds=all_rounds, counts=counts,
                           quizzes=spec.quizzes, state_text=state_text)


@bp.post("/mo-dot")
@trainer_required
def open_():
    form = request.form
    try:
        attempts_allowed = int(form.get("so_lan") or 1)
        minutes = int(form["so_phut"]) if form.get("so_phut") else None
        name = open_round(engine(), course(), form.get("bai", ""),
                          start=(form.get("bat_dau") or "").replace("T", " ") or None,
                          end=(form.get("ket_thuc") or "").replace("T", " ") or None,
                          attempts=attempts_allowed, minutes=minutes,
                          groups=form.get("nhom", ""))
    except ValueError:
        flash("Số lần làm bài và số phút phải là số nguyên.")
        return redirect(url_for("trainer.index"))
    except RoundError as error:
        flash(str(error))
        return redirect(url_for("trainer.index"))
    flash(f"Đã mở đợt {name}.")
    return redirect(url_for("trainer.round_page", name=name))


@bp.post("/dot/<name>/dong")
@trainer_required
def close(name: str):
    try:
        finished = close_round(engine(), name, course(), gradebook())
    except RoundError:
        abort(404)
    flash(f"Đã đóng đợt {name}" + (f"; {finished} bài đang làm đã được nộp tự động."
                                    if finished else "."))
    return redirect(url_for("trainer.round_page", name=name))


def round_attempts(name: str):
    with engine().connect() as conn:
        row = conn.execute(select(rounds).where(rounds.c.name == name)).first()
        if row is None:
            abort(404)
    finish_overdue(engine(), course(), gradebook(), round_id=row.id)
    with engine().connect() as conn:
        rows = conn.execute(
            select(attempts, accounts.c.cadre_id, accounts.c.name.label("cadre_name"),
                   accounts.c.unit)
            .join(accounts, accounts.c.id == attempts.c.account_id)
            .where(attempts.c.round_id == row.id)
            .order_by(accounts.c.cadre_id, attempts.c.number)).all()
    return row, rows


@bp.get("/dot/<name>")
@trainer_required
def round_page(name: str):
    row, rows = round_attempts(name)
    return render_template("trainer_round.html", round=row, attempts=rows,
                           state=state_text(row), open=is_open(row))


@bp.get("/dot/<name>/bai-lam.xlsx")
@trainer_required
def round_xlsx(name: str):
    from openpyxl import Workbook
    from openpyxl.styles import Font

    row, rows = round_attempts(name)
    book = Workbook()
    sheet = book.active
    sheet.title = "Bài làm"
    sheet.append(["Mã cán bộ", "Họ và tên", "Đơn vị", "Lần", "Bắt đầu", "Nộp", "Điểm",
                  "Điểm tối đa", "Kết quả", "Đã ghi sổ điểm"])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for a in rows:
        result = "" if a.passed is None else ("Đạt" if a.passed else "Chưa đạt")
        sheet.append([a.cadre_id, a.cadre_name, a.unit, a.number, local_text(a.started_at),
                      local_text(a.finished_at) or "Đang làm", a.score, a.max_score, result,
                      "Có" if a.recorded_at else "Chưa"])
    for letter, width in zip("ABCDEFGHIJ", (14, 28, 28, 6, 18, 18, 8, 11, 10, 14), strict=True):
        sheet.column_dimensions[letter].width = width
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    return send_file(data, as_attachment=True, download_name=f"{row.name}.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.post("/cap-lai-ma")
@trainer_required
def new_code():
    try:
        issued = reset_code(engine(), request.form.get("ma_can_bo", ""))
    except AccountError as error:
        flash(str(error))
        return redirect(url_for("trainer.index"))
    return render_template("new_code.html", issued=issued)
