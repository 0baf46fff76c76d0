"""A quiz on paper, for rooms without computers: the questions as the trainees see them.

The questions are read from the trainer's source notebook
(``quizzes/source/<name>/<name>.ipynb``, written by ``assessment quiz generate``), but only
from its locked question cells (``<id>-de-bai``) and its ``assessment`` metadata: the answer
cells, the grading cells (key, explanation) are never read, so nothing printed can hold a key.

>>> quiz = read_paper_quiz(Path("quizzes"), "phan-1")   # doctest: +SKIP
>>> quiz.questions[0].letters                           # doctest: +SKIP
'ABCD'
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

# The hint line under each question's title, as assessment.quiz.notebook writes it.
KINDS = {"Chọn một phương án.": "single", "Chọn tất cả phương án đúng.": "multiple",
         "Nhận định sau đúng hay sai?": "true_false"}
TITLE = re.compile(r"^### Câu (?P<number>\d+) \((?P<points>[\d.]+) điểm\)$")
OPTION = re.compile(r"^- \*\*(?P<letter>[A-H])\.\*\* (?P<text>.*)$")


class PaperError(Exception):
    """The quiz cannot be put on paper; the Vietnamese message says what to do."""


@dataclass(frozen=True)
class PaperQuestion:
    """One question as printed: no key, no explanation."""

    number: int
    grade_id: str  # the question id, nbgrader's grade cell id
    points: float
    kind: str  # single | multiple | true_false
    hint: str
    stem: str  # Markdown
    options: dict[str, str]

    @property
    def letters(self) -> str:
        return "".join(self.options)


@dataclass(frozen=True)
class PaperQuiz:
    name: str
    title: str
    pass_mark: float
    questions: tuple[PaperQuestion, ...]

    @property
    def max_score(self) -> float:
        return sum(q.points for q in self.questions)


def source_path(course_dir: Path, name: str) -> Path:
    return course_dir / "source" / name / f"{name}.ipynb"


def cell_text(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def parse_question(text: str, grade_id: str, where: str) -> PaperQuestion:
    """A question cell's Markdown (``notebook.question_markdown``) as a PaperQuestion."""
    lines = text.strip().splitlines()
    title = TITLE.match(lines[0]) if lines else None
    hint = lines[2].strip("*") if len(lines) > 2 else ""
    options: dict[str, str] = {}
    while lines and (match := OPTION.match(lines[-1])):
        options = {match["letter"]: match["text"].strip(), **options}
        lines.pop()
    stem = "\n".join(lines[4:]).strip()
    if title is None or hint not in KINDS or len(options) < 2 or not stem:
        raise PaperError(
            f"{where}: ô câu hỏi «{grade_id}-de-bai» không đúng mẫu của `assessment quiz "
            "generate`. Hãy sinh lại bài bằng lệnh đó (không sửa tay notebook nguồn).")
    return PaperQuestion(number=int(title["number"]), grade_id=grade_id,
                         points=float(title["points"]), kind=KINDS[hint], hint=hint, stem=stem,
                         options=options)


def read_paper_quiz(course_dir: Path, name: str) -> PaperQuiz:
    """The quiz's questions, in order, from its source notebook (keys are not read)."""
    path = source_path(course_dir, name)
    if not path.is_file():
        raise PaperError(
            f"Không thấy notebook nguồn {path}. Hãy rút đề trước, ví dụ: "
            f"assessment quiz generate {name.split('-dot-')[0]} --name {name} "
            "(hoặc chỉ --course-dir đúng thư mục quizzes).")
    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
        meta = notebook["metadata"]["assessment"]
        ids, title, pass_mark = meta["questions"], meta["title"], float(meta["pass_mark"])
        cells = {c.get("metadata", {}).get("nbgrader", {}).get("grade_id"): c
                 for c in notebook["cells"] if c.get("cell_type") == "markdown"}
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise PaperError(
            f"{path}: không đọc được notebook nguồn ({error.__class__.__name__}: {error}). "
            f"Hãy sinh lại bài bằng `assessment quiz generate`.") from None
    questions = []
    for number, qid in enumerate(ids, start=1):
        cell = cells.get(f"{qid}-de-bai")
        if cell is None:
            raise PaperError(f"{path}: thiếu ô câu hỏi «{qid}-de-bai». Hãy sinh lại bài bằng "
                             "`assessment quiz generate`.")
        question = parse_question(cell_text(cell), qid, str(path))
        if question.number != number:
            raise PaperError(f"{path}: câu «{qid}» mang số {question.number}, cần số {number}. "
                             "Hãy sinh lại bài bằng `assessment quiz generate`.")
        questions.append(question)
    if not questions:
        raise PaperError(f"{path}: bài không có câu hỏi nào.")
    return PaperQuiz(name=name, title=title, pass_mark=pass_mark, questions=tuple(questions))
