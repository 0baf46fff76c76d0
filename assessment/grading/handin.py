"""Reading a hand-in as data: the answers of a submitted notebook, without running it.

The notebook is read as JSON text. Answer cells are found by their nbgrader ``grade_id``
(``<question id>-tra-loi``; the first cell wins if a trainee duplicated one, as nbgrader's
DeduplicateIds does), whatever their position, type or other metadata. Each answer cell is
parsed with ``ast`` (never executed): the answer is the value of the last top-level assignment
``cau_N = "..."`` (a string literal, or a list/tuple of string literals). Anything else in the
cell is ignored for scoring and reported to the trainer. Keys and points never come from here.

    >>> hand_in = read_hand_in(Path("submitted/CB0001/phan-1/phan-1.ipynb"), key)  # doctest: +SKIP
    >>> hand_in.answers["khai-niem-dac-diem-03"], hand_in.warnings                 # doctest: +SKIP
    ('D', [])
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from assessment.grading.key import QuestionKey, QuizKey


class BadHandIn(ValueError):
    """A file that cannot be graded as a hand-in of this quiz (the reason is the message)."""


@dataclass
class ReadHandIn:
    """What a hand-in says: answers by grade_id, the answer cells' text, notes for the trainer."""

    answers: dict[str, object]
    sources: dict[str, str]               # grade_id -> the trainee's answer cell text
    no_response: frozenset[str]           # grade_ids whose answer cell is as released
    warnings: list[str] = field(default_factory=list)


def _text(source: object) -> str:
    return "".join(source) if isinstance(source, list) else str(source or "")


def _literal(node: ast.AST) -> object:
    """A string literal, or a list/tuple of them; anything else raises ValueError."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.List | ast.Tuple) and all(
            isinstance(item, ast.Constant) and isinstance(item.value, str) for item in node.elts):
        return [item.value for item in node.elts]
    raise ValueError(ast.dump(node)[:40])


def _assigns(statement: ast.stmt, variable: str) -> bool:
    return (isinstance(statement, ast.Assign) and len(statement.targets) == 1
            and isinstance(statement.targets[0], ast.Name)
            and statement.targets[0].id == variable)


COMMENT = r"[ \t]*(?:#[^\n]*)?"
ASSIGNMENT = r"""cau_(\d+)[ \t]*=[ \t]*(["'])([^"'\\\n]*)\2[ \t]*(?:#[^\n]*)?"""
SIMPLE_LINE = re.compile(f"^(?:{COMMENT}|{ASSIGNMENT})$")


def _simple(source: str, variable: str) -> tuple[bool, object]:
    """Fast path for the usual cell (comments and ``cau_N = "B"`` lines): (matched, answer).

    It gives what ``ast`` would for such a cell; anything else goes to ``ast``.
    """
    if "\r" in source or "\x00" in source:
        return False, None
    answer: object = None
    for line in source.split("\n"):
        match = SIMPLE_LINE.match(line)
        if match is None or (match.group(1) and f"cau_{match.group(1)}" != variable):
            return False, None
        if match.group(1):
            answer = match.group(3)
    return True, answer


def parse_answer(source: str, question: QuestionKey) -> tuple[object, list[str]]:
    """(the answer, notes) of one answer cell's text; the answer is None if there is none."""
    simple, answer = _simple(source, question.variable)
    if simple:
        return answer, []
    return parse_with_ast(source, question)


def parse_with_ast(source: str, question: QuestionKey) -> tuple[object, list[str]]:
    """``parse_answer`` without the fast path: the cell's syntax tree, top-level statements."""
    label = f"câu {question.number}"
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError) as error:
        line = getattr(error, "lineno", None)
        where = f" (dòng {line})" if line else ""
        return None, [f"ô trả lời {label} có lỗi cú pháp{where}: không có câu trả lời để chấm."]
    answer: object = None
    odd: list[int] = []
    for statement in tree.body:
        if _assigns(statement, question.variable):
            try:
                answer = _literal(statement.value)
            except ValueError:
                answer = None
                odd.append(statement.lineno)
        else:
            odd.append(statement.lineno)
    notes = []
    if odd:
        lines = ", ".join(str(n) for n in odd[:5])
        notes.append(f"ô trả lời {label} có mã lạ (dòng {lines}): phần này không được chạy và "
                     f"không được tính; chỉ tính dòng {question.variable} = \"...\".")
    return answer, notes


def load_notebook(path: Path) -> dict:
    """The notebook's JSON, or BadHandIn with the reason in Vietnamese."""
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise BadHandIn(f"không đọc được tệp ({error.strerror})") from error
    if not data.strip():
        raise BadHandIn("tệp rỗng (0 byte)" if not data else "tệp chỉ có khoảng trắng")
    try:
        notebook = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise BadHandIn("tệp không phải văn bản UTF-8 (không phải tệp .ipynb)") from error
    except json.JSONDecodeError as error:
        raise BadHandIn(f"tệp không phải JSON hợp lệ (dòng {error.lineno}, cột {error.colno}): "
                        "không phải sổ tay Jupyter, hoặc tệp bị hỏng khi chép") from error
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        raise BadHandIn("tệp JSON nhưng không phải sổ tay Jupyter (không có danh sách ô)")
    return notebook


def answer_cells(notebook: dict) -> dict[str, dict]:
    """nbgrader grade_id -> the first cell that carries it."""
    found: dict[str, dict] = {}
    for cell in notebook["cells"]:
        if not isinstance(cell, dict):
            continue
        meta = cell.get("metadata")
        nbgrader = meta.get("nbgrader") if isinstance(meta, dict) else None
        grade_id = nbgrader.get("grade_id") if isinstance(nbgrader, dict) else None
        if isinstance(grade_id, str) and grade_id not in found:
            found[grade_id] = cell
    return found


def read_notebook(notebook: dict, key: QuizKey,
                  released: Mapping[str, str] | None = None) -> ReadHandIn:
    """The answers in a notebook's JSON; ``released``: answer cell id -> its released text."""
    cells = answer_cells(notebook)
    metadata = notebook.get("metadata")
    quiz = metadata.get("assessment") if isinstance(metadata, dict) else None
    other = quiz.get("name") if isinstance(quiz, dict) else None
    if isinstance(other, str) and other != key.name:  # two quizzes may share questions
        raise BadHandIn(f"đây là bài {other!r}, không phải bài {key.name!r}")
    if not any(q.answer_cell_id in cells for q in key.questions):
        raise BadHandIn(f"không có ô trả lời nào của bài {key.name!r} (tệp của bài khác?)")
    result = ReadHandIn(answers={}, sources={}, no_response=frozenset())
    untouched = set()
    for question in key.questions:
        cell = cells.get(question.answer_cell_id)
        if cell is None:
            result.answers[question.grade_id] = None
            untouched.add(question.grade_id)
            result.warnings.append(f"câu {question.number}: không có ô trả lời (đã bị xóa?), "
                                   "tính là chưa trả lời.")
            continue
        source = _text(cell.get("source"))
        result.sources[question.grade_id] = source
        answer, notes = parse_answer(source, question)
        result.answers[question.grade_id] = answer
        result.warnings += notes
        if released is not None and source.strip() == released.get(question.answer_cell_id,
                                                                    "").strip():
            untouched.add(question.grade_id)
    if released is None:
        untouched = {qid for qid, value in result.answers.items()
                     if value is None or value == ""}
    result.no_response = frozenset(untouched)
    missing = [q.number for q in key.questions if q.grade_id not in cells]
    if missing:
        result.warnings.append(f"thiếu ô chấm điểm của câu {', '.join(map(str, missing[:10]))}"
                               " (đã bị xóa): không ảnh hưởng điểm.")
    return result


def read_hand_in(path: Path, key: QuizKey, released: Mapping[str, str] | None = None
                 ) -> ReadHandIn:
    """Read ``path`` (a submitted .ipynb) as data; BadHandIn if it is not a hand-in of ``key``."""
    return read_notebook(load_notebook(path), key, released)
