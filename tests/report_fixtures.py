"""Small hand-made gradebooks and rosters for the report's tests, built with nbgrader's own API."""

from __future__ import annotations

import csv
import re
import unicodedata
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from assessment.vntext import TCVN3_TABLE

ROOT = Path(__file__).resolve().parent.parent
README_SECTION = "## Cán bộ tổng hợp: báo cáo thống kê"


def readme_section() -> str:
    """The README's section for the reporting officer."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index(README_SECTION)
    end = text.find("\n## ", start + len(README_SECTION))
    return text[start:end]


def readme_outputs() -> tuple[list[str], list[str]]:
    """(files, summary.csv columns) that the README promises in ``--out``, read from its
    paragraph "Kết quả trong `--out`: …" (not from the code's own list)."""
    section = readme_section()
    start = section.index("Kết quả trong `--out`")
    paragraph = section[start:section.find("\n\n", start)]
    files = re.findall(r"`([\w.-]+\.(?:xlsx|html|md|json|csv))`", paragraph)
    machine = paragraph[paragraph.index("cho máy:"):]
    columns = re.findall(r"`(\w+)`", machine[:machine.index(")")])
    return files, columns


@dataclass
class Sub:
    """One submission: quiz, student id, timestamp (None: not dated), score per question."""

    quiz: str
    student: str
    timestamp: str | None
    scores: dict[str, float]
    name: tuple[str, str] = ("", "")  # (last name, first name) as nbgrader stores them
    manual: dict[str, float] = field(default_factory=dict)
    extra_credit: dict[str, float] = field(default_factory=dict)


def make_gradebook(path: Path | str, quizzes: dict[str, dict[str, float]],
                   subs: list[Sub]) -> Path | str:
    """A real nbgrader gradebook: one notebook per quiz, one grade cell per question.

    ``path`` is a SQLite file, or any SQLAlchemy URL (e.g. a PostgreSQL database).
    """
    url = path if isinstance(path, str) and "://" in path else f"sqlite:///{path}"
    with warnings.catch_warnings(), Gradebook(url) as gb:
        # nbgrader's add_submission triggers SQLAlchemy autoflush warnings: not ours to fix
        warnings.simplefilter("ignore")
        for quiz, questions in quizzes.items():
            gb.add_assignment(quiz)
            gb.add_notebook(quiz, quiz)
            for question, points in questions.items():
                gb.add_grade_cell(question, quiz, quiz, max_score=points, cell_type="code")
        for student in dict.fromkeys(s.student for s in subs):
            last, first = next(s.name for s in subs if s.student == student)
            gb.add_student(student, first_name=first, last_name=last)
        for sub in subs:
            extra = {"timestamp": sub.timestamp} if sub.timestamp else {}
            gb.add_submission(sub.quiz, sub.student, **extra)
            for question, score in sub.scores.items():
                grade = gb.find_grade(question, sub.quiz, sub.quiz, sub.student)
                grade.auto_score = score
                grade.needs_manual_grade = False
            for question, score in sub.manual.items():
                gb.find_grade(question, sub.quiz, sub.quiz, sub.student).manual_score = score
            for question, points in sub.extra_credit.items():
                gb.find_grade(question, sub.quiz, sub.quiz, sub.student).extra_credit = points
        gb.db.commit()
    return path


ROSTER_HEADER = ["STT", "Mã cán bộ", "Họ và tên", "Đơn vị", "Cấp", "Nhóm", "Giới tính"]


def write_csv(path: Path, rows: list[list[object]], header: list[str] | None = None,
              encoding: str = "utf-8", delimiter: str = ",") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(header or ROSTER_HEADER)
        writer.writerows(rows)
    return path


def encode_cp1258(text: str) -> bytes:
    """Windows-1258 as Windows writes it: base letters precomposed, tones as combining marks."""
    tones = "\u0300\u0301\u0309\u0303\u0323"
    out = []
    for ch in text:
        try:
            out.append(ch.encode("cp1258"))
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
        out.append(base.encode("cp1258") + "".join(c for c in parts if c in tones).encode("cp1258"))
    return b"".join(out)


def encode_tcvn3(text: str) -> bytes:
    """TCVN3 (ABC) bytes, as the .VnTime fonts store them (tone capitals become lower case)."""
    inverse = {letter: chr(code) for code, letter in TCVN3_TABLE.items()}
    return "".join(inverse.get(c, inverse.get(c.lower(), c)) for c in text).encode("latin-1")


# --- The hand-made case shared by the report's tests -----------------------------------------
# Final quiz of 10 one-point questions; pass mark 0.7 (quizzes/targets.yml); cut-off 30/11/2024.
AS_OF = "2024-11-30"
TEN = {f"q{i}": 1.0 for i in range(1, 11)}


def first_right(n: int) -> dict[str, float]:
    """Scores of a trainee who got questions 1..n right and the rest wrong."""
    return {f"q{i}": 1.0 if i <= n else 0.0 for i in range(1, 11)}


ROSTER_ROWS = [
    [1, "CB001", "Nguyễn Thị An", "Sở Tư pháp", "Cấp tỉnh",
     "Cán bộ làm công tác quyền con người", "Nữ"],
    [2, "CB002", "Trần Văn Bình", "Sở Tư pháp", "tỉnh", "1", "Nam"],
    [3, "CB003", "Lê Thị Cúc", "UBND huyện Lục Ngạn", "huyện", "thong-tin-truyen-thong", "Nữ"],
    [4, "CB004", "Phạm Văn Dũng", "UBND huyện Lục Ngạn", "Cấp huyện", "2", "nam"],
    [5, "CB005", "Hoàng Thị Em", "Báo Bắc Giang", "tinh", "3", "Nữ"],
    [6, "CB006", "Vũ Văn Phúc", "UBND huyện Yên Thế", "huyen", "nhan-quyen", "Nam"],
    [7, " CB007 ", "Đặng Thị Giang", "Sở Tư pháp", "Cấp tỉnh", "2", "Nữ"],
    [8, "CB008", "Bùi Văn Hải", "Báo Bắc Giang", "Cấp tỉnh", "Thông tin đối ngoại", ""],
]


@dataclass
class Case:
    folder: Path
    gradebooks: list[Path]
    roster: Path


@pytest.fixture(scope="session")
def report_case(tmp_path_factory) -> Case:
    """Two real gradebooks and a roster, with every situation the report must handle."""
    folder = tmp_path_factory.mktemp("report-case")
    class_1 = make_gradebook(folder / "lop-1.db", {"kiem-tra-cuoi-khoa": TEN}, [
        # exactly at the pass mark (7/10 = 0.7): passes
        Sub("kiem-tra-cuoi-khoa", "CB001", "2024-03-10 09:00:00+07:00", first_right(7),
            ("Nguyễn Thị", "An")),
        Sub("kiem-tra-cuoi-khoa", "CB002", "2024-04-01 09:00:00+07:00", first_right(6)),
        # passes, but after the cut-off
        Sub("kiem-tra-cuoi-khoa", "CB003", "2024-12-05 09:00:00+07:00", first_right(9)),
        # id typed in another case in nbgrader
        Sub("kiem-tra-cuoi-khoa", "cb004", "2024-06-01 09:00:00+07:00", first_right(8)),
        # not in the roster
        Sub("kiem-tra-cuoi-khoa", "XX999", "2024-06-01 09:00:00+07:00", first_right(10),
            ("Người", "Lạ")),
        # 23:30 in Vietnam on the cut-off day: counts
        Sub("kiem-tra-cuoi-khoa", "CB006", "2024-11-30 23:30:00+07:00", first_right(7)),
        # 18:00 UTC on 30/11 is 01:00 on 1/12 in Vietnam: after the cut-off
        Sub("kiem-tra-cuoi-khoa", "CB007", "2024-11-30 18:00:00+00:00", first_right(10)),
    ])
    class_2 = make_gradebook(folder / "lop-2.db", {
        "kiem-tra-cuoi-khoa-dot-2": TEN, "phan-1": {f"p{i}": 1.0 for i in range(1, 6)}}, [
        # a cadre in two gradebooks: fails class 1 in April, passes the retake in September
        Sub("kiem-tra-cuoi-khoa-dot-2", "CB002", "2024-09-15 09:00:00+07:00", first_right(8)),
        # passed here in February, before the March pass of class 1: trained from February
        Sub("kiem-tra-cuoi-khoa-dot-2", "CB001", "2024-02-01 09:00:00+07:00", first_right(10)),
        # a formative quiz does not count
        Sub("phan-1", "CB005", "2024-05-05 09:00:00+07:00", {f"p{i}": 1.0 for i in range(1, 6)}),
        # a pass with no timestamp cannot be dated
        Sub("kiem-tra-cuoi-khoa-dot-2", "CB008", None, first_right(10)),
    ])
    roster = write_csv(folder / "danh-sach.csv", ROSTER_ROWS, encoding="utf-8-sig")
    return Case(folder, [class_1, class_2], roster)
