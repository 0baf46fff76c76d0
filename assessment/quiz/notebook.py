"""nbgrader source notebooks for a quiz: ``quizzes/source/<name>/<name>.ipynb``.

For question number N with id ``qid`` the notebook has three cells, with stable grade_ids:

- ``qid-de-bai``: the question (locked markdown);
- ``qid-tra-loi``: the answer cell, where the trainee writes ``cau_N = "B"`` (nbgrader
  solution cell; the key sits in its solution region, removed on release);
- ``qid``: the autograder test (locked, worth the question's points). Its key, explanation
  and checking code are inside ``### BEGIN HIDDEN TESTS``: nbgrader stores them in the
  gradebook and removes them from the released notebook.

The grade cell's id is the question id itself, so a grade in the gradebook names its question.
"""

from __future__ import annotations

import inspect
import os
import tempfile
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from assessment.quiz.answers import grade_answer, normalise_answer
from assessment.quiz.bank import Question
from assessment.quiz.spec import Quiz
from assessment.site.book_pages import BookPages

TRUE_FALSE_WORDS = {"ĐÚNG": "A", "SAI": "B"}
TEST_COMMENT = "# Ô chấm điểm câu {n}: máy chấm tự điền khi chấm. Không sửa ô này."
CHECKER_SOURCE = inspect.getsource(normalise_answer) + "\n\n" + inspect.getsource(grade_answer)


def variable(number: int) -> str:
    return f"cau_{number}"


def key_literal(question: Question) -> str:
    """How the key is written in the hidden test (tests look for it in released files)."""
    return f"key={question.key!r}"


def nbgrader_meta(grade_id: str, *, grade: bool = False, solution: bool = False,
                  locked: bool = False, points: float | None = None) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3,
            "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def instructions(quiz: Quiz, name: str, questions: list[Question]) -> str:
    total = sum(q.points for q in questions)
    return f"""# {quiz.title}

Mã bài: `{name}` · Số câu: {len(questions)} · Tổng điểm: {total:g} ·
Điểm đạt: từ {quiz.pass_mark:.0%} số điểm ({quiz.pass_mark * total:g}/{total:g} điểm).

## Cách làm bài

1. Đọc từng câu hỏi. Dưới mỗi câu có một ô trả lời, ví dụ `cau_1 = ""`.
2. Gõ **chữ cái** của phương án bạn chọn vào **giữa hai dấu nháy**, ví dụ `cau_1 = "B"`.
   Không gõ nội dung phương án, không xóa dấu nháy.
3. Câu "chọn tất cả phương án đúng": gõ mọi chữ cái bạn chọn, ví dụ `cau_2 = "A, C"`.
4. Câu đúng/sai: gõ `"A"` nếu nhận định Đúng, `"B"` nếu Sai.
5. Chỉ sửa các ô trả lời. Các ô khác đã khóa; ô "chấm điểm" để trống, máy chấm tự điền.
6. Kiểm tra cách ghi: chọn **Run → Run All Cells**, xem ô cuối cùng (ô này không cho biết
   đúng hay sai). Sau đó lưu tệp (Ctrl+S) và nộp theo hướng dẫn của giảng viên.
"""


def question_markdown(number: int, question: Question) -> str:
    hint = {"single": "Chọn một phương án.", "multiple": "Chọn tất cả phương án đúng.",
            "true_false": "Nhận định sau đúng hay sai?"}[question.type]
    options = "\n".join(f"- **{letter}.** {text}" for letter, text in question.options.items())
    return (f"### Câu {number} ({question.points:g} điểm)\n\n*{hint}*\n\n"
            f"{question.stem}\n\n{options}\n")


def answer_source(number: int, question: Question) -> str:
    example = "A, C" if question.type == "multiple" else "B"
    return (f'# Câu {number}: gõ chữ cái vào giữa hai dấu nháy, ví dụ "{example}".\n'
            f'{variable(number)} = ""\n'
            f"### BEGIN SOLUTION\n{variable(number)} = {question.key!r}\n### END SOLUTION")


def test_source(number: int, question: Question, book: BookPages, site_url: str,
                show_key: bool) -> str:
    words = TRUE_FALSE_WORDS if question.type == "true_false" else None
    url = f"{site_url.rstrip('/')}/{question.page}.html" if site_url else ""
    call = (
        f"grade_answer(\n"
        f"    {number}, globals().get({variable(number)!r}), {key_literal(question)},\n"
        f"    letters={question.letters!r}, points={question.points!r},\n"
        f"    explanation={question.explanation!r},\n"
        f"    page_title={book.title(question.page)!r}, page_url={url!r},\n"
        f"    show_key={show_key!r}, words={words!r},\n"
        f")"
    )
    return (f"{TEST_COMMENT.format(n=number)}\n### BEGIN HIDDEN TESTS\n{CHECKER_SOURCE}\n\n"
            f"{call}\n### END HIDDEN TESTS")


def format_check_source(questions: list[Question]) -> str:
    rows = ",\n    ".join(
        f"({n}, {variable(n)!r}, {q.letters!r}, "
        f"{TRUE_FALSE_WORDS if q.type == 'true_false' else None!r})"
        for n, q in enumerate(questions, start=1)
    )
    return f'''# Kiểm tra cách ghi câu trả lời: chạy ô này sau khi trả lời (Run → Run All Cells).
# Ô này KHÔNG cho biết đúng hay sai; nó chỉ báo câu nào chưa trả lời hoặc ghi chưa đúng cách.
{inspect.getsource(normalise_answer)}

for _so, _bien, _chu, _tu in [
    {rows},
]:
    _gia_tri = globals().get(_bien)
    _chon = normalise_answer(_gia_tri, _chu, _tu)
    if _gia_tri is None or (isinstance(_gia_tri, str) and not _gia_tri.strip()):
        print(f"Câu {{_so}}: chưa trả lời.")
    elif _chon is None:
        print(f"Câu {{_so}}: ghi {{_gia_tri!r}} chưa đúng; chỉ gõ chữ cái {{', '.join(_chu)}}.")
    else:
        print(f"Câu {{_so}}: đã ghi {{', '.join(sorted(_chon))}}.")
'''


def build_notebook(quiz: Quiz, name: str, seed: int, questions: list[Question],
                   book: BookPages, site_url: str) -> nbformat.NotebookNode:
    """The nbgrader source notebook (with keys in solution and hidden-test regions)."""
    cells = [new_markdown_cell(instructions(quiz, name, questions),
                               metadata=nbgrader_meta("huong-dan", locked=True), id="huong-dan")]
    for number, question in enumerate(questions, start=1):
        cells += [
            new_markdown_cell(question_markdown(number, question), id=f"cau-{number}-de-bai",
                              metadata=nbgrader_meta(f"{question.id}-de-bai", locked=True)),
            new_code_cell(answer_source(number, question), id=f"cau-{number}-tra-loi",
                          metadata=nbgrader_meta(f"{question.id}-tra-loi", solution=True)),
            new_code_cell(
                test_source(number, question, book, site_url, quiz.show_correct_answer),
                id=f"cau-{number}-cham",
                metadata=nbgrader_meta(question.id, grade=True, locked=True,
                                       points=question.points),
            ),
        ]
    cells.append(new_code_cell(format_check_source(questions), id="kiem-tra-cach-ghi",
                               metadata=nbgrader_meta("kiem-tra-cach-ghi", locked=True)))
    notebook = new_notebook(cells=cells)
    notebook.metadata.update({
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
        "assessment": {
            "quiz": quiz.id, "name": name, "seed": seed, "title": quiz.title,
            "kind": quiz.kind, "pass_mark": quiz.pass_mark,
            "max_score": sum(q.points for q in questions),
            "questions": [q.id for q in questions],
        },
    })
    return notebook


def write_notebook(notebook: nbformat.NotebookNode, path: Path) -> None:
    """Write atomically: a half-written notebook never replaces a good one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".ipynb.tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            nbformat.write(notebook, handle)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
