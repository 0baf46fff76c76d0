"""``assessment grade``: grade the hand-ins of a quiz without running them.

Run in the nbgrader course folder (``quizzes/``), where ``nbgrader autograde`` would run, after
``nbgrader zip_collect`` or ``nbgrader collect``. Heavy modules are imported inside the command.
"""

from __future__ import annotations

import re
from pathlib import Path

import click

SOLUTION = re.compile(r"^[ \t]*### BEGIN SOLUTION.*?^[ \t]*### END SOLUTION[^\n]*\n?", re.M | re.S)


def strip_solutions(text: str) -> str:
    """An answer cell's text as released (nbgrader's ClearSolutions with an empty stub)."""
    return SOLUTION.sub("", text)


def released_sources(course_dir: Path, name: str, source: dict) -> dict[str, str]:
    """Answer cell id -> released text: from release/ if there, else from the source."""
    import json

    from assessment.grading.feedback import released_answers

    release = course_dir / "release" / name / f"{name}.ipynb"
    try:
        return released_answers(json.loads(release.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return {k: strip_solutions(v) for k, v in released_answers(source).items()}


def find_hand_ins(course_dir: Path, name: str, students: tuple[str, ...]
                  ) -> list[tuple[str, Path]]:
    """(student id, folder) of every ``submitted/<student>/<name>/`` folder, sorted."""
    root = course_dir / "submitted"
    found = sorted((p.parent.name, p) for p in root.glob(f"*/{name}") if p.is_dir())
    if students:
        found = [(sid, p) for sid, p in found if sid in students]
    return found


def grade_course(course_dir: Path, name: str, *, students: tuple[str, ...] = (),
                 db_url: str | None = None, autograded: bool = True) -> dict:
    """Grade every hand-in of quiz ``name``; return totals, notes and files not graded."""
    import functools
    import json

    from nbgrader.utils import parse_utc

    from assessment.grading.feedback import write_autograded
    from assessment.grading.handin import BadHandIn, read_hand_in
    from assessment.grading.key import key_from_source, source_path
    from assessment.grading.record import HandIn, record_many

    key = key_from_source(course_dir, name)
    source = json.loads(source_path(course_dir, name).read_text(encoding="utf-8"))
    released = released_sources(course_dir, name, source)
    db_url = db_url or f"sqlite:///{(course_dir / 'gradebook.db').resolve()}"
    hand_ins, read, bad, notes = [], {}, [], {}
    when_of = functools.lru_cache(maxsize=4096)(parse_utc)  # as nbgrader reads timestamp.txt
    for student, folder in find_hand_ins(course_dir, name, students):
        path = folder / f"{key.notebook}.ipynb"
        if not path.is_file():
            others = sorted(p.name for p in folder.glob("*.ipynb"))
            bad.append((folder, f"không có tệp {path.name}"
                        + (f" (có {', '.join(others)})" if others else "")))
            continue
        stamp_file = folder / "timestamp.txt"
        stamp = when = None
        try:
            stamp = stamp_file.read_text(encoding="utf-8").strip() if stamp_file.is_file() else None
            when = when_of(stamp) if stamp else None
        except (ValueError, OverflowError, UnicodeDecodeError):
            bad.append((stamp_file, f"thời điểm nộp không đọc được: {stamp!r}"))
            continue
        try:
            result = read_hand_in(path, key, released)
        except BadHandIn as error:
            bad.append((path, str(error)))
            continue
        if autograded:  # the answer cells' text is kept only to write autograded/
            read[student] = (result, stamp_file)
        if result.warnings:
            notes[path] = result.warnings
        hand_ins.append(HandIn(student, result.answers, when, no_response=result.no_response))
    totals = record_many(db_url, key, hand_ins) if hand_ins else {}
    if autograded:
        for student, (result, stamp_file) in read.items():
            write_autograded(course_dir, student, source, key, result, released, stamp_file)
    return {"key": key, "totals": totals, "bad": bad, "notes": notes}


@click.command("grade")
@click.argument("name")
@click.option("--course-dir", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default=True, help="Thư mục khóa học nbgrader (thư mục quizzes).")
@click.option("--student", "students", multiple=True, metavar="MÃ",
              help="Chỉ chấm bài của cán bộ này (lặp lại cho nhiều người).")
@click.option("--db", "db_url", default=None, metavar="URL",
              help="Sổ điểm (URL SQLAlchemy); mặc định sqlite:///<thư mục khóa học>/gradebook.db.")
@click.option("--no-autograded", is_flag=True,
              help="Không ghi sổ tay autograded/ (khi không cần tạo phản hồi).")
@click.option("--answers", type=click.Path(dir_okay=False, path_type=Path), default=None,
              metavar="TỆP.xlsx|csv",
              help="Chấm phiếu trả lời trên giấy đã gõ vào tệp này (mẫu của `assessment quiz "
                   "print`) thay cho bài nộp trong submitted/.")
@click.option("--date", "day", default=None, metavar="NĂM-THÁNG-NGÀY",
              help="Với --answers: ngày làm bài cho các dòng không ghi «Ngày làm bài».")
@click.option("--roster", type=click.Path(dir_okay=False, path_type=Path), default=None,
              metavar="TỆP",
              help="Với --answers: danh sách cán bộ (.xlsx/.csv); mã không có trong đó bị báo lỗi.")
def grade(name: str, course_dir: Path, students: tuple[str, ...], db_url: str | None,
          no_autograded: bool, answers: Path | None, day: str | None,
          roster: Path | None) -> None:
    """Chấm các bài nộp của bài NAME mà không chạy mã của học viên.

    Đọc submitted/<mã cán bộ>/NAME/NAME.ipynb (sau `nbgrader zip_collect`), ghi điểm vào sổ
    điểm nbgrader như `nbgrader autograde`, và ghi autograded/ để `nbgrader generate_feedback`
    tạo phản hồi. Tệp hỏng hoặc của bài khác được liệt kê, các bài khác vẫn được chấm.

    Ví dụ (trong thư mục quizzes):

        assessment grade kiem-tra-cuoi-khoa-dot-2

    Phiếu trả lời trên giấy: assessment grade kiem-tra-cuoi-khoa-dot-2 --answers tra-loi.xlsx
    --date 2026-12-05 (kiểm tra cả tệp trước, có ô sai thì báo từng ô và không ghi gì).
    """
    from assessment.grading.key import QuizKeyError
    from assessment.grading.record import RecordError

    if answers is None and (day or roster):
        raise click.UsageError("--date và --roster chỉ dùng cùng --answers (phiếu trả lời "
                               "trên giấy).")
    if answers is not None:  # paper answer sheets (assessment/grading/paper.py)
        if students:
            raise click.UsageError("--student không dùng cùng --answers: tệp phiếu trả lời "
                                   "được chấm cả tệp.")
        from assessment.grading.paper import grade_paper

        try:
            grade_paper(course_dir, name, answers, day=day, roster=roster, db_url=db_url,
                        echo=click.echo)
        except ValueError as error:  # QuizKeyError, RecordError, bad sheet: nothing written
            raise click.ClickException(str(error)) from error
        return
    try:
        result = grade_course(course_dir, name, students=students, db_url=db_url,
                              autograded=not no_autograded)
    except (QuizKeyError, RecordError) as error:
        raise click.ClickException(str(error)) from error
    key, totals, bad, notes = result["key"], result["totals"], result["bad"], result["notes"]
    if not totals and not bad:
        raise click.ClickException(
            f"Không có bài nộp nào trong {course_dir / 'submitted'}/*/{name}/. Hãy thu bài "
            f"(nbgrader zip_collect {name}) trước khi chấm.")
    passed = sum(1 for t in totals.values() if key.max_score and t >= 0.7 * key.max_score - 1e-9)
    click.echo(f"Bài {name}: đã chấm {len(totals)} bài nộp (điểm tối đa {key.max_score:g}); "
               f"{passed} bài từ 70% điểm trở lên.")
    if totals:
        average = sum(totals.values()) / len(totals)
        click.echo(f"Điểm trung bình: {average:.2f}. Điểm đã ghi vào sổ điểm.")
    for path, warnings in notes.items():
        click.echo(f"Ghi chú {path}:")
        for warning in warnings:
            click.echo(f"  - {warning}")
    if bad:
        click.echo(f"{len(bad)} tệp không chấm được (các bài khác vẫn được chấm):")
        for path, reason in bad:
            click.echo(f"  - {path}: {reason}")
