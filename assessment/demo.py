"""Synthetic demo data: a roster of invented cadres and gradebooks of real nbgrader submissions.

Nothing here is about a real person: names are drawn at random (fixed seed) from common
Vietnamese family, middle and given names; units are the province's kinds of agencies as the
plan lists them (before the 2025 reforms: levels tỉnh and huyện). The gradebooks are filled by
the real workflow: ``nbgrader generate_assignment``, simulated trainees answering the released
notebook (``assessment.quiz.simulate``), ``assessment grade`` (which reads the answers as data
and writes the rows ``nbgrader autograde`` would).

Run by ``make demo-report``::

    python -m assessment.demo --out reports/demo
"""

from __future__ import annotations

import random
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import click
import pandas as pd
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

SEED = 2024
FAMILY = ["Nguyễn"] * 8 + ["Trần"] * 3 + ["Lê"] * 3 + ["Phạm"] * 2 + [
    "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô", "Dương", "Giáp", "Thân", "Hà", "Đào", "Trịnh",
    "Lương", "Nông", "La", "Chu"]
MIDDLE = {"Nam": ["Văn", "Văn", "Đức", "Minh", "Quang", "Hữu", "Xuân", "Thanh", "Ngọc"],
          "Nữ": ["Thị", "Thị", "Thị", "Thu", "Thanh", "Ngọc", "Minh", "Hồng", "Phương"]}
GIVEN = {"Nam": ["Hùng", "Dũng", "Tuấn", "Hải", "Long", "Nam", "Quân", "Sơn", "Thắng", "Trung",
                 "Cường", "Huy", "Khánh", "Phong", "Tài", "Việt", "Hiếu", "Đạt", "Bình", "Toàn"],
         "Nữ": ["Hương", "Lan", "Hoa", "Mai", "Hằng", "Trang", "Thảo", "Linh", "Ngọc", "Huyền",
                "Yến", "Nhung", "Oanh", "Loan", "Thủy", "Hà", "Vân", "Dung", "Phương", "Hạnh"]}
ETHNICITY = ["Kinh"] * 17 + ["Tày", "Nùng", "Sán Chay", "Hoa", "Sán Dìu"]

# Units by kind, with the level and target group of their cadres and a relative size.
PROVINCE_UNITS = [
    ("Sở Tư pháp", "tinh", "nhan-quyen", 3), ("Công an tỉnh", "tinh", "nhan-quyen", 5),
    ("Ban Tuyên giáo Tỉnh ủy", "tinh", "nhan-quyen", 3),
    ("Ban Dân vận Tỉnh ủy", "tinh", "nhan-quyen", 2),
    ("Sở Thông tin và Truyền thông", "tinh", "thong-tin-truyen-thong", 4),
    ("Sở Văn hóa, Thể thao và Du lịch", "tinh", "thong-tin-truyen-thong", 2),
    ("Báo Bắc Giang", "tinh", "doi-ngoai-bao-chi", 4),
    ("Đài Phát thanh và Truyền hình tỉnh", "tinh", "doi-ngoai-bao-chi", 4),
    ("Sở Ngoại vụ", "tinh", "doi-ngoai-bao-chi", 2),
    ("Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh", "tinh", "chu-chot-ctxh", 3),
    ("Hội Liên hiệp Phụ nữ tỉnh", "tinh", "chu-chot-ctxh", 2),
    ("Tỉnh đoàn", "tinh", "chu-chot-ctxh", 2), ("Hội Nông dân tỉnh", "tinh", "chu-chot-ctxh", 2),
    ("Liên đoàn Lao động tỉnh", "tinh", "chu-chot-ctxh", 2),
    ("Hội Cựu chiến binh tỉnh", "tinh", "chu-chot-ctxh", 2),
]
DISTRICTS = ["thành phố Bắc Giang", "thị xã Việt Yên", "huyện Hiệp Hòa", "huyện Lạng Giang",
             "huyện Lục Nam", "huyện Lục Ngạn", "huyện Sơn Động", "huyện Tân Yên",
             "huyện Yên Dũng", "huyện Yên Thế"]
DISTRICT_KINDS = [
    ("Phòng Tư pháp {d}", "nhan-quyen", 1),
    ("Phòng Văn hóa và Thông tin {d}", "thong-tin-truyen-thong", 1),
    ("Ủy ban Mặt trận Tổ quốc Việt Nam {d}", "chu-chot-ctxh", 2),
]
LEVEL_NAMES = {"tinh": "Cấp tỉnh", "huyen": "Cấp huyện"}
ROSTER_HEADERS = ["STT", "Mã cán bộ", "Họ và tên", "Giới tính", "Dân tộc", "Đơn vị", "Cấp",
                  "Nhóm", "Email"]


def units() -> list[tuple[str, str, str, int]]:
    """(unit, level code, group code, weight) for every unit of the demo province."""
    found = list(PROVINCE_UNITS)
    for district in DISTRICTS:
        found += [(kind.format(d=district), "huyen", group, weight)
                  for kind, group, weight in DISTRICT_KINDS]
    return found


def synthetic_roster(count: int, seed: int = SEED) -> pd.DataFrame:
    """``count`` invented cadres spread over the units (same seed, same roster)."""
    rng = random.Random(seed)
    all_units = units()
    weights = [u[3] for u in all_units]
    rows = []
    for number in range(1, count + 1):
        unit, level, group, _ = rng.choices(all_units, weights)[0]
        sex = "Nữ" if rng.random() < 0.45 else "Nam"
        name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE[sex])} {rng.choice(GIVEN[sex])}"
        rows.append({
            "STT": number, "Mã cán bộ": f"CB{number:05d}", "Họ và tên": name,
            "Giới tính": sex, "Dân tộc": rng.choice(ETHNICITY), "Đơn vị": unit,
            "Cấp": LEVEL_NAMES[level], "Nhóm": group, "Email": f"cb{number:05d}@example.org",
        })
    return pd.DataFrame(rows, columns=ROSTER_HEADERS)


def write_roster_xlsx(frame: pd.DataFrame, path: Path) -> Path:
    """Save a roster as an office would: a title row, then the header row and the data."""
    book = Workbook(write_only=True)
    ws = book.create_sheet("Danh sách")
    for i, width in enumerate([6, 12, 26, 9, 10, 44, 11, 26, 26], start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.append(["DANH SÁCH CÁN BỘ CẦN TẬP HUẤN (DỮ LIỆU MẪU, KHÔNG CÓ NGƯỜI THẬT)"])
    ws.append(list(frame.columns))
    for row in frame.itertuples(index=False, name=None):
        ws.append(list(row))
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


# --- Real nbgrader submissions -------------------------------------------------------------

@dataclass
class Sitting:
    """One class sitting one quiz: which cadres, when, how able (share of right answers)."""

    gradebook: str
    quiz: str
    seed: int | None  # None: the seed of quizzes.yml
    day: datetime
    students: list[tuple[str, float]]


def _answers(ids: list[str], key: dict[str, str], letters: dict[str, str], ability: float,
             rng: random.Random) -> dict[str, str | None]:
    answers: dict[str, str | None] = {}
    for qid in ids:
        roll = rng.random()
        if roll < ability:
            answers[qid] = key[qid]
        elif roll < ability + 0.05:
            answers[qid] = None  # left blank
        else:
            wrong = [c for c in letters[qid] if c not in key[qid].replace(", ", "")]
            answers[qid] = rng.choice(wrong or list(letters[qid]))
    return answers


def _nbgrader(course: Path, *args: str) -> None:
    command = [str(Path(sys.executable).parent / "nbgrader"), *args, "--log-level=ERROR"]
    result = subprocess.run(command, cwd=course, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"nbgrader {' '.join(args)} thất bại:\n{result.stdout}{result.stderr}")


def build_gradebook(sittings: list[Sitting], course_root: Path, work: Path,
                    rng: random.Random) -> Path:
    """One class's own nbgrader course: generate, release, submit, grade each sitting."""
    from assessment.grading.cli import grade_course
    from assessment.quiz import simulate
    from assessment.quiz.cli import generate_quiz, open_bank, open_quizzes

    course = work / Path(sittings[0].gradebook).stem
    course.mkdir(parents=True)
    shutil.copy(course_root / "nbgrader_config.py", course)
    bank, book = open_bank(course_root)
    spec = open_quizzes(course_root)
    base = spec.quiz("kiem-tra-cuoi-khoa")
    by_id = bank.by_id()
    for sitting in sittings:
        name = None if sitting.quiz == base.id else sitting.quiz
        generate_quiz(course, base, bank, book, spec.site_url, sitting.seed, name)
        _nbgrader(course, "generate_assignment", sitting.quiz, "--force")
        for i, (student, ability) in enumerate(sitting.students):
            when = sitting.day + timedelta(minutes=3 * i)
            path = simulate.submit(course, sitting.quiz, student,
                                   timestamp=f"{when:%Y-%m-%d %H:%M:%S} +0700")
            ids = simulate.question_ids(path)
            key = simulate.correct_answers(bank, ids)
            letters = {qid: by_id[qid].letters for qid in ids}
            simulate.fill_answers(path, _answers(ids, key, letters, ability, rng))
        result = grade_course(course, sitting.quiz, autograded=False)
        if result["bad"] or len(result["totals"]) != len(sitting.students):
            raise RuntimeError(f"{sitting.quiz}: không chấm được {result['bad']}")
    return course / "gradebook.db"


def plan_sittings(roster: pd.DataFrame, rng: random.Random) -> list[Sitting]:
    """Two classes, each with its own gradebook: 20 submissions in all.

    Class 1 (April 2024): provincial press and human-rights cadres, and two submissions whose
    ids are not in the roster. Class 2: a retake in October for some of class 1 and a few
    others, then two more cadres sitting a third round in December, after the cut-off.
    """
    provincial = roster[roster["Cấp"] == "Cấp tỉnh"]
    press = provincial[provincial["Nhóm"] == "doi-ngoai-bao-chi"]["Mã cán bộ"].tolist()
    rights = provincial[provincial["Nhóm"] == "nhan-quyen"]["Mã cán bộ"].tolist()
    first = rng.sample(press, min(6, len(press))) + rng.sample(rights, min(4, len(rights)))
    first_class = [(cid, rng.uniform(0.5, 0.98)) for cid in first]
    first_class += [("CB0O012", 0.9), ("cb-khach-01", 0.8)]  # typed wrongly; a guest
    others = rng.sample([c for c in roster["Mã cán bộ"] if c not in first], 5)
    retake = [(cid, rng.uniform(0.65, 0.95)) for cid in first[:3] + others[:3]]
    late = [(cid, rng.uniform(0.7, 0.95)) for cid in others[3:]]
    return [
        Sitting("gradebook-lop-1.db", "kiem-tra-cuoi-khoa", None,
                datetime(2024, 4, 16, 8, 30), first_class),
        Sitting("gradebook-lop-2.db", "kiem-tra-cuoi-khoa-dot-2", 2,
                datetime(2024, 10, 22, 14, 0), retake),
        Sitting("gradebook-lop-2.db", "kiem-tra-cuoi-khoa-dot-3", 3,
                datetime(2024, 12, 3, 9, 0), late),
    ]


@click.command()
@click.option("--out", type=click.Path(path_type=Path), default=Path("reports/demo"),
              show_default=True, help="Thư mục ghi báo cáo mẫu.")
@click.option("--data", type=click.Path(path_type=Path), default=Path("reports/demo-data"),
              show_default=True, help="Thư mục ghi danh sách và sổ điểm mẫu.")
@click.option("--cadres", type=int, default=150, show_default=True,
              help="Số cán bộ trong danh sách mẫu.")
@click.option("--course", type=click.Path(path_type=Path), default=Path("quizzes"),
              show_default=True, help="Thư mục khóa học nbgrader có ngân hàng câu hỏi.")
@click.option("--as-of", "as_of", default="2024-11-30", show_default=True,
              help="Ngày chốt số liệu của báo cáo mẫu.")
def main(out: Path, data: Path, cadres: int, course: Path, as_of: str) -> None:
    """Tạo dữ liệu mẫu (không có người thật) và lập báo cáo mẫu vào --out."""
    from assessment.report.build import build_report

    rng = random.Random(SEED)
    roster = synthetic_roster(cadres)
    data.mkdir(parents=True, exist_ok=True)
    roster_path = write_roster_xlsx(roster, data / "danh-sach-can-bo.xlsx")
    sittings = plan_sittings(roster, rng)
    gradebooks = []
    classes: dict[str, list[Sitting]] = {}
    for sitting in sittings:
        classes.setdefault(sitting.gradebook, []).append(sitting)
    with tempfile.TemporaryDirectory(prefix="demo-course-") as work:
        for name, class_sittings in classes.items():
            count = sum(len(s.students) for s in class_sittings)
            click.echo(f"{name}: chấm {count} bài bằng assessment grade…")
            built = build_gradebook(class_sittings, course, Path(work), rng)
            target = data / name
            shutil.copyfile(built, target)
            gradebooks.append(str(target))
    click.echo(build_report(gradebooks, str(roster_path), str(course / "targets.yml"), as_of,
                            out, quiet=True))


if __name__ == "__main__":
    main()
