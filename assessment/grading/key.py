"""The trainer-side key of one quiz: read from ``quizzes/source`` or from bank questions.

A key never comes from a hand-in. In a source notebook (``assessment quiz generate``) each
question has a grade cell whose hidden test ends with a call such as
``grade_answer(3, globals().get('cau_3'), key='AC', letters='ABCD', points=1.0, ...)``; the
literal arguments of that call are read with ``ast`` (nothing is executed).

    >>> key = key_from_source(Path("quizzes"), "phan-1")      # doctest: +SKIP
    >>> key.max_score, key.questions[0].answer_cell_id         # doctest: +SKIP
    (11.0, 'khai-niem-dac-diem-03-tra-loi')
"""

from __future__ import annotations

import ast
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ANSWER_SUFFIX = "-tra-loi"
TRUE_FALSE_WORDS = {"ĐÚNG": "A", "SAI": "B"}


class QuizKeyError(ValueError):
    """The key of a quiz cannot be read (missing or damaged source notebook)."""


@dataclass(frozen=True)
class QuestionKey:
    grade_id: str            # nbgrader grade cell id = the bank question id
    answer_cell_id: str      # the answer (solution) cell's grade_id, f"{grade_id}-tra-loi"
    number: int              # N in `cau_N = "..."`
    key: str                 # the right letters, e.g. "B" or "AC"
    letters: str             # the options' letters, e.g. "ABCD"
    words: dict[str, str] | None   # {"ĐÚNG": "A", "SAI": "B"} for true/false questions
    points: float
    explanation: str = ""
    page_title: str = ""
    page_url: str = ""
    show_key: bool = False

    @property
    def variable(self) -> str:
        return f"cau_{self.number}"


@dataclass(frozen=True)
class QuizKey:
    name: str                          # nbgrader assignment name (= its notebook's name)
    questions: tuple[QuestionKey, ...]

    @property
    def max_score(self) -> float:
        return float(sum(q.points for q in self.questions))

    @property
    def notebook(self) -> str:
        return self.name

    def by_grade_id(self) -> dict[str, QuestionKey]:
        return {q.grade_id: q for q in self.questions}


def source_path(course_dir: Path, name: str) -> Path:
    return Path(course_dir) / "source" / name / f"{name}.ipynb"


def _text(source: Any) -> str:
    return "".join(source) if isinstance(source, list) else str(source)


def _grade_call(source: str, where: str) -> dict[str, Any]:
    """The literal arguments of the last ``grade_answer(...)`` call of a hidden test."""
    try:
        tree = ast.parse(source)
    except SyntaxError as error:
        raise QuizKeyError(f"{where}: ô chấm điểm không đọc được ({error.msg}).") from error
    calls = [node.value for node in tree.body
             if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
             and isinstance(node.value.func, ast.Name) and node.value.func.id == "grade_answer"]
    if not calls:
        raise QuizKeyError(f"{where}: ô chấm điểm không có lời gọi grade_answer(...); hãy sinh "
                        "lại bài bằng `assessment quiz generate`.")
    call = calls[-1]
    try:
        found = {kw.arg: ast.literal_eval(kw.value) for kw in call.keywords
                 if kw.arg is not None}
        found["number"] = ast.literal_eval(call.args[0])
    except (ValueError, IndexError) as error:
        raise QuizKeyError(f"{where}: đối số của grade_answer(...) không phải giá trị cố định."
                        ) from error
    return found


def key_from_notebook(notebook: dict, name: str, where: str = "") -> QuizKey:
    """The key held in a source notebook's hidden tests (``notebook`` is its JSON)."""
    where = where or name
    questions = []
    for index, cell in enumerate(notebook.get("cells", [])):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if not meta.get("grade") or meta.get("solution"):
            continue
        grade_id = meta["grade_id"]
        args = _grade_call(_text(cell.get("source", "")), f"{where}, ô {index + 1} ({grade_id})")
        missing = {"key", "letters"} - set(args)
        if missing:
            raise QuizKeyError(f"{where}, ô {grade_id}: thiếu {', '.join(sorted(missing))}.")
        questions.append(QuestionKey(
            grade_id=grade_id, answer_cell_id=f"{grade_id}{ANSWER_SUFFIX}",
            number=int(args["number"]), key=str(args["key"]), letters=str(args["letters"]),
            words=args.get("words"), points=float(meta.get("points", args.get("points", 0))),
            explanation=str(args.get("explanation", "")),
            page_title=str(args.get("page_title", "")), page_url=str(args.get("page_url", "")),
            show_key=bool(args.get("show_key", False))))
    if not questions:
        raise QuizKeyError(f"{where}: không có ô chấm điểm nào (không phải bài kiểm tra?).")
    return QuizKey(name=name, questions=tuple(questions))


def key_from_source(course_dir: Path, name: str) -> QuizKey:
    """The key of quiz ``name`` from ``<course_dir>/source/<name>/<name>.ipynb``."""
    path = source_path(course_dir, name)
    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise QuizKeyError(f"{path}: không có tệp nguồn của bài {name!r}. Hãy chạy "
                        f"`assessment quiz generate` (và nbgrader generate_assignment {name}) "
                        "trước khi chấm.") from error
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise QuizKeyError(f"{path}: tệp nguồn bị hỏng ({error}).") from error
    return key_from_notebook(notebook, name, str(path))


def key_from_questions(name: str, questions: Iterable[Any], *, site_url: str = "",
                       show_key: bool = False) -> QuizKey:
    """The key of bank ``Question`` objects in this order (as ``spec.draw`` returns them)."""
    found = []
    for number, question in enumerate(questions, start=1):
        url = f"{site_url.rstrip('/')}/{question.page}.html" if site_url else ""
        found.append(QuestionKey(
            grade_id=question.id, answer_cell_id=f"{question.id}{ANSWER_SUFFIX}",
            number=number, key=question.key, letters=question.letters,
            words=dict(TRUE_FALSE_WORDS) if question.type == "true_false" else None,
            points=float(question.points), explanation=question.explanation,
            page_url=url, show_key=show_key))
    return QuizKey(name=name, questions=tuple(found))
