"""Simulated classes: a throwaway copy of the course, and trainees who fill and hand in quizzes.

Used by the tests, the autograding benchmark and the demo gradebook (synthetic data only).

``copy_course(root, dest)`` copies what generating and grading need (``_toc.yml``, the book's
Markdown pages, ``quizzes/`` configuration, quiz list, feedback template and bank) into
``dest`` and returns the new course folder; nothing is written in the repository.
``write_synthetic_bank(course)`` replaces the copy's bank with made-up questions, for runs that
must not depend on how far the real bank has been written. ``run_nbgrader(course, ...)`` runs
a real nbgrader command there.

The trainee functions edit a released (student) notebook in place with nbformat. Example: the
final quiz released in a copy, one trainee's submission, then ``nbgrader autograde``::

    course = copy_course(Path("."), Path("/tmp/lop-thu"))
    ...  # assessment quiz generate --course-dir /tmp/lop-thu/quizzes, generate_assignment
    path = submit(course, "kiem-tra-cuoi-khoa", "CB0001", timestamp="2026-03-02 09:30:00")
    ids = question_ids(path)
    fill_answers(path, {ids[0]: "B", ids[1]: "a, c"})   # text written between the quotes
    # other variants: an answer cell raising an exception, an edited locked cell
    write_answer_code(path, {ids[2]: 'cau_3 = int("B")'})
    edit_locked_cell(path, ids[3], "1.0")               # a trainee tampering with a test cell
    run_nbgrader(course, "autograde", "kiem-tra-cuoi-khoa")

``answers`` maps question id -> the text the trainee types between the quotes (kept as given,
so odd formats such as " b " or "C." can be simulated); ``None`` or a missing id leaves the
answer blank. ``correct_answers(bank, ids)`` gives the key for chosen ids (from the bank).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import nbformat
import yaml

from assessment.quiz.bank import Bank
from assessment.site.book_pages import BookPages

ANSWER_LINE = re.compile(r"^(cau_\d+)\s*=", re.M)


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(str(path), as_version=4)


def write(notebook: nbformat.NotebookNode, path: Path) -> None:
    nbformat.write(notebook, str(path))


def grade_id(cell: nbformat.NotebookNode) -> str | None:
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def question_ids(path: Path) -> list[str]:
    """The question ids of a quiz notebook, in order (the ids of its graded cells)."""
    return [grade_id(c) for c in read(path).cells if c.metadata.get("nbgrader", {}).get("grade")]


def answer_cells(notebook: nbformat.NotebookNode) -> dict[str, nbformat.NotebookNode]:
    """Question id -> its answer cell."""
    return {
        grade_id(c).removesuffix("-tra-loi"): c
        for c in notebook.cells
        if c.metadata.get("nbgrader", {}).get("solution")
    }


def fill_answers(path: Path, answers: dict[str, str | None]) -> None:
    """Write each answer between the quotes of its cell: ``cau_N = "<answer>"``."""
    notebook = read(Path(path))
    cells = answer_cells(notebook)
    unknown = set(answers) - set(cells)
    if unknown:
        raise KeyError(f"{path}: no answer cell for question(s) {sorted(unknown)}")
    for qid, answer in answers.items():
        if answer is None:
            continue
        cell = cells[qid]
        match = ANSWER_LINE.search(cell.source)
        if match is None:
            raise ValueError(f"{path}: answer cell of {qid} has no 'cau_N =' line")
        head = cell.source[: match.start()]
        cell.source = f"{head}{match.group(1)} = {answer!r}\n"
    write(notebook, Path(path))


def write_answer_code(path: Path, codes: dict[str, str]) -> None:
    """Replace the whole answer cell of each question with the given code."""
    notebook = read(Path(path))
    cells = answer_cells(notebook)
    for qid, code in codes.items():
        cells[qid].source = code
    write(notebook, Path(path))


def edit_locked_cell(path: Path, cell_grade_id: str, source: str) -> None:
    """Change a locked cell's source, as a trainee editing the file by hand could."""
    notebook = read(Path(path))
    for cell in notebook.cells:
        if grade_id(cell) == cell_grade_id:
            cell.source = source
            write(notebook, Path(path))
            return
    raise KeyError(f"{path}: no cell with grade_id {cell_grade_id!r}")


def submit(course_dir: Path, name: str, student_id: str,
           timestamp: datetime | str | None = None) -> Path:
    """Copy the released notebook to ``submitted/<student>/<name>/`` and return its path.

    ``timestamp`` (written to timestamp.txt, as nbgrader's collect does) dates the submission.
    """
    released = Path(course_dir) / "release" / name / f"{name}.ipynb"
    folder = Path(course_dir) / "submitted" / student_id / name
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{name}.ipynb"
    shutil.copyfile(released, target)
    if timestamp is not None:
        text = timestamp.isoformat(" ") if isinstance(timestamp, datetime) else str(timestamp)
        (folder / "timestamp.txt").write_text(text, encoding="utf-8")
    return target


def correct_answers(bank: Bank, ids: list[str]) -> dict[str, str]:
    """The key of each question, written as a trainee would: ``{"id": "A, C"}``."""
    by_id = bank.by_id()
    return {qid: ", ".join(by_id[qid].answer) for qid in ids}

# A throwaway course, and a synthetic bank (the key of every made-up question, by type).
COURSE_FILES = ("nbgrader_config.py", "quizzes.yml")
ANSWERS = {"single": "C", "multiple": ["A", "C"], "true_false": "B"}


def copy_course(root: Path, dest: Path, with_bank: bool = True) -> Path:
    """Copy the book pages and the course configuration from ``root`` into ``dest``."""
    root, dest = Path(root), Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(root / "_toc.yml", dest / "_toc.yml")
    for page in (root / "book").rglob("*.md"):
        target = dest / page.relative_to(root)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(page, target)
    # The register of cited documents, read by `assessment bank check`.
    shutil.copyfile(root / "book" / "references.bib", dest / "book" / "references.bib")
    course = dest / "quizzes"
    (course / "bank").mkdir(parents=True, exist_ok=True)
    for name in COURSE_FILES:
        shutil.copyfile(root / "quizzes" / name, course / name)
    shutil.copytree(root / "quizzes" / "templates", course / "templates", dirs_exist_ok=True)
    if with_bank:
        for path in (root / "quizzes" / "bank").glob("*.yml"):
            shutil.copyfile(path, course / "bank" / path.name)
    return course


def synthetic_question(page: str, number: int) -> dict:
    """A made-up question of the page; the type cycles single, multiple, true/false."""
    stem = page.rsplit("/", 1)[-1]
    qtype = ("single", "multiple", "true_false")[number % 3]
    options = ({"A": "Đúng", "B": "Sai"} if qtype == "true_false" else
               {letter: f"Phương án {letter} (thử {stem} {number})" for letter in "ABCD"})
    return {
        "id": f"{stem}-thu-{number:02d}", "page": page, "tags": ["thử"], "type": qtype,
        "stem": f"Câu hỏi thử số {number} về trang {stem}: nhận định nào phù hợp?",
        "options": options, "answer": ANSWERS[qtype],
        "explanation": f"Lời giải thích thử cho câu {number} của trang {stem}.",
        "source": "Dữ liệu thử (không phải nội dung khóa học)", "points": 1,
    }


def write_synthetic_bank(course: Path, per_page: int = 10) -> None:
    """Replace the copy's bank with ``per_page`` made-up questions for every content page."""
    book = BookPages.load(Path(course).parent)
    for path in (Path(course) / "bank").glob("*.yml"):
        path.unlink()
    for part, title in book.part_titles.items():
        pages = [page for page in book.pages if book.part_of.get(page) == part]
        questions = [synthetic_question(p, n) for p in pages for n in range(1, per_page + 1)]
        text = yaml.safe_dump({"part": part, "title": title, "questions": questions},
                              allow_unicode=True, sort_keys=False)
        (Path(course) / "bank" / f"{part}.yml").write_text(text, encoding="utf-8")


def run_nbgrader(course: Path, *args: str) -> str:
    """Run ``nbgrader ARGS`` in the course folder; return its log, raise if it fails."""
    bin_dir = Path(sys.executable).parent
    env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    result = subprocess.run([str(bin_dir / "nbgrader"), *args], cwd=course, env=env,
                            capture_output=True, text=True)
    log = result.stdout + result.stderr
    if result.returncode != 0:
        raise RuntimeError(f"nbgrader {' '.join(args)} failed ({result.returncode}):\n{log}")
    return log
