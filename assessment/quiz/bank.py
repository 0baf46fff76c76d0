"""The exam question bank: ``quizzes/bank/*.yml``, one file per part of the curriculum.

A bank file holds ``part: phan-N``, ``title`` and ``questions``; each question::

    - id: quyen-tre-em-01                  # lowercase ascii, digits, hyphens; unique
      page: book/cong-uoc/quyen-tre-em     # a page of _toc.yml (no extension)
      tags: [CRC, "CRC Điều 3"]
      type: single                         # single | multiple | true_false
      stem: "..."
      options: {A: "...", B: "...", C: "..."}   # true_false: {A: "Đúng", B: "Sai"}
      answer: C                            # multiple: [A, C]
      explanation: "..."
      source: "CRC, Điều 3 khoản 1"
      points: 1

``load_bank(bank_dir, book_root)`` reads every file, checks every question and raises
``BankError`` listing each problem with its file and question id. Only the files directly in
``bank_dir`` are read: the writers' drafts in ``bank/drafts/`` are merged first (see drafts.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from assessment.site.book_pages import BookPages, normalise_text

TYPES = ("single", "multiple", "true_false")
TYPE_NAMES = {"single": "một đáp án", "multiple": "nhiều đáp án", "true_false": "đúng/sai"}
LETTERS = "ABCDEFGH"
TRUE_FALSE_OPTIONS = {"A": "Đúng", "B": "Sai"}
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Cell ids in the notebook are derived from the question id with these suffixes.
RESERVED_SUFFIXES = ("-de-bai", "-tra-loi")
REQUIRED = ("id", "page", "tags", "type", "stem", "options", "answer", "explanation", "source")
ALLOWED = set(REQUIRED) | {"points"}
# An explanation that names an option letter would give the key away in the feedback.
LETTER_IN_TEXT = re.compile(r"(?i:đáp án|phương án|lựa chọn|câu)\s+([A-H])\b")


class BankError(Exception):
    """The bank has problems; ``problems`` lists one Vietnamese message per problem."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(
            "Ngân hàng câu hỏi có lỗi, hãy sửa rồi chạy lại:\n"
            + "\n".join(f"  - {p}" for p in problems)
        )


@dataclass(frozen=True)
class Question:
    id: str
    page: str
    tags: tuple[str, ...]
    type: str
    stem: str
    options: dict[str, str]
    answer: tuple[str, ...]  # sorted letters; one letter unless type is "multiple"
    explanation: str
    source: str
    points: float
    part: str
    file: str

    @property
    def letters(self) -> str:
        return "".join(self.options)

    @property
    def key(self) -> str:
        """The answer key as one string of letters, e.g. ``"C"`` or ``"AC"``."""
        return "".join(self.answer)


@dataclass
class Bank:
    questions: list[Question] = field(default_factory=list)
    part_titles: dict[str, str] = field(default_factory=dict)  # "phan-1" -> title of the file

    def by_id(self) -> dict[str, Question]:
        return {q.id: q for q in self.questions}

    def parts(self) -> list[str]:
        return list(self.part_titles)


def read_yaml(path: Path) -> object:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as error:
        problem = f"{path}: tệp không ở dạng UTF-8 ({error}). Hãy lưu lại bằng UTF-8."
        raise BankError([problem]) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (dòng {mark.line + 1}, cột {mark.column + 1})" if mark else ""
        raise BankError([f"{path}{where}: YAML sai cú pháp: {error}"]) from None


def check_question(raw: object, where: str, book: BookPages, part: str | None) -> list[str]:
    """Problems of one raw question (a dict from YAML); empty if it is good."""
    if not isinstance(raw, dict):
        return [f"{where}: mỗi câu hỏi phải là một mục có các trường {', '.join(REQUIRED)}."]
    problems = []
    missing = [name for name in REQUIRED if raw.get(name) in (None, "", [], {})]
    problems += [f"{where}: thiếu trường '{name}'." for name in missing]
    problems += [
        f"{where}: trường lạ '{name}' (các trường hợp lệ: {', '.join(sorted(ALLOWED))})."
        for name in raw if name not in ALLOWED
    ]
    qid = str(raw.get("id", ""))
    if qid and not ID_PATTERN.match(qid):
        problems.append(f"{where}: mã câu '{qid}' chỉ được gồm chữ thường không dấu, số và '-'.")
    if qid.endswith(RESERVED_SUFFIXES):
        endings = " hoặc ".join(RESERVED_SUFFIXES)
        problems.append(f"{where}: mã câu không được kết thúc bằng {endings}.")

    page = raw.get("page")
    if page:
        if page not in book.pages:
            problems.append(f"{where}: trang '{page}' không có trong _toc.yml.")
        elif book.page_file(page) is None:
            problems.append(f"{where}: trang '{page}' có trong _toc.yml nhưng không có tệp .md.")
        elif part and book.part_of.get(page) != part:
            problems.append(
                f"{where}: trang '{page}' không thuộc {part} "
                f"(thuộc {book.part_of.get(page) or 'phần không đánh số'})."
            )

    tags = raw.get("tags")
    if tags is not None and not (isinstance(tags, list) and all(isinstance(t, str) for t in tags)):
        problems.append(f"{where}: 'tags' phải là danh sách chữ, ví dụ [CRC, \"CRC Điều 3\"].")

    qtype = raw.get("type")
    if qtype and qtype not in TYPES:
        problems.append(f"{where}: loại câu '{qtype}' không hợp lệ (chọn: {', '.join(TYPES)}).")
    problems += check_options(raw, where, qtype)

    points = raw.get("points", 1)
    if isinstance(points, bool) or not isinstance(points, int | float) or points <= 0:
        problems.append(f"{where}: 'points' phải là số dương, nhận được {points!r}.")
    explanation = str(raw.get("explanation") or "")
    if LETTER_IN_TEXT.search(explanation):
        problems.append(
            f"{where}: lời giải thích nhắc tới chữ cái của phương án "
            f"('{LETTER_IN_TEXT.search(explanation).group(0)}'); lời giải thích hiện cho mọi "
            "học viên nên sẽ lộ đáp án. Hãy giải thích bằng nội dung, không bằng chữ cái."
        )
    return problems


def check_options(raw: dict, where: str, qtype: str | None) -> list[str]:
    options = raw.get("options")
    if not isinstance(options, dict) or not options:
        if options in (None, "", {}):
            return []  # reported as a missing field
        return [f"{where}: 'options' phải có dạng {{A: ..., B: ...}}."]
    problems = []
    letters = [str(k) for k in options]
    if letters != list(LETTERS[: len(letters)]):
        problems.append(
            f"{where}: các phương án phải là A, B, C... theo thứ tự, "
            f"nhận được {', '.join(letters)}."
        )
    if len(letters) < 2:
        problems.append(f"{where}: cần ít nhất 2 phương án.")
    texts = [normalise_text(v) for v in options.values()]
    if any(not t for t in texts):
        problems.append(f"{where}: có phương án để trống.")
    duplicates = sorted({v for v in texts if v and texts.count(v) > 1})
    problems += [f"{where}: phương án bị trùng: '{d}'." for d in duplicates]
    if qtype == "true_false" and {str(k): normalise_text(v) for k, v in options.items()} != {
        k: normalise_text(v) for k, v in TRUE_FALSE_OPTIONS.items()
    }:
        problems.append(f"{where}: câu đúng/sai phải có options {{A: \"Đúng\", B: \"Sai\"}}.")

    answer = raw.get("answer")
    if answer in (None, "", []):
        return problems
    chosen = answer if isinstance(answer, list) else [answer]
    chosen = [str(a).strip().upper() for a in chosen]
    foreign = [a for a in chosen if a not in letters]
    if foreign:
        problems.append(
            f"{where}: đáp án {', '.join(repr(a) for a in foreign)} không có trong các phương án "
            f"({', '.join(letters)})."
        )
    if len(set(chosen)) != len(chosen):
        problems.append(f"{where}: đáp án bị lặp: {answer!r}.")
    if qtype in ("single", "true_false") and len(chosen) != 1:
        problems.append(f"{where}: câu loại {qtype} phải có đúng một đáp án, nhận được {answer!r}.")
    if qtype == "multiple" and not isinstance(answer, list):
        problems.append(f"{where}: câu nhiều đáp án ghi answer dạng danh sách, ví dụ [A, C].")
    return problems


def make_question(raw: dict, part: str, file: str) -> Question:
    answer = raw["answer"] if isinstance(raw["answer"], list) else [raw["answer"]]
    return Question(
        id=raw["id"],
        page=raw["page"],
        tags=tuple(raw.get("tags") or ()),
        type=raw["type"],
        stem=str(raw["stem"]).strip(),
        options={str(k): str(v).strip() for k, v in raw["options"].items()},
        answer=tuple(sorted(str(a).strip().upper() for a in answer)),
        explanation=str(raw["explanation"]).strip(),
        source=str(raw["source"]).strip(),
        points=float(raw.get("points", 1)),
        part=part,
        file=file,
    )


def check_file(path: Path, data: object, book: BookPages) -> tuple[list[str], list[dict]]:
    """Problems of one bank file, and its raw questions."""
    if not isinstance(data, dict):
        return [f"{path}: tệp phải có các khóa 'part', 'title' và 'questions'."], []
    problems = []
    part = data.get("part")
    if part != path.stem:
        problems.append(
            f"{path}: 'part' phải là '{path.stem}' (trùng tên tệp), nhận được {part!r}."
        )
    if part and part not in book.part_titles:
        problems.append(
            f"{path}: phần '{part}' không có trong _toc.yml (cần tiêu đề 'Phần N. ...')."
        )
    if not str(data.get("title") or "").strip():
        problems.append(f"{path}: thiếu 'title', ví dụ \"Phần 1. Luật quốc tế...\".")
    questions = data.get("questions")
    if not isinstance(questions, list):
        problems.append(f"{path}: 'questions' phải là một danh sách câu hỏi.")
        questions = []
    for index, raw in enumerate(questions, start=1):
        qid = raw.get("id") if isinstance(raw, dict) else None
        where = f"{path}, câu {qid}" if qid else f"{path}, câu thứ {index} (chưa có id)"
        problems += check_question(raw, where, book, part if part in book.part_titles else None)
    return problems, questions


def load_bank(bank_dir: Path, book_root: Path) -> Bank:
    """Read and check every ``bank_dir/*.yml``; raise BankError listing all problems."""
    book = BookPages.load(book_root)
    bank = Bank()
    problems: list[str] = []
    seen: dict[str, str] = {}
    stems: dict[str, str] = {}
    for path in sorted(bank_dir.glob("*.yml")):
        try:
            data = read_yaml(path)
        except BankError as error:
            problems += error.problems
            continue
        file_problems, questions = check_file(path, data, book)
        problems += file_problems
        for raw in questions:
            if not isinstance(raw, dict):
                continue
            qid, stem = raw.get("id"), normalise_text(raw.get("stem") or "")
            if qid is None:
                continue
            if qid in seen:
                problems.append(f"{path}, câu {qid}: mã câu bị trùng (đã có trong {seen[qid]}).")
            if stem and stem in stems:
                problems.append(f"{path}, câu {qid}: đề bài trùng với câu {stems[stem]}.")
            seen.setdefault(qid, path.name)
            stems.setdefault(stem, str(qid))
        if not file_problems:
            bank.part_titles[data["part"]] = str(data["title"]).strip()
            bank.questions += [make_question(raw, data["part"], path.name) for raw in questions]
    if problems:
        raise BankError(problems)
    return bank
