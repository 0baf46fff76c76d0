"""Merge the writers' drafts (``quizzes/bank/drafts/<page>.yml``) into the part files.

A draft holds only ``questions:``. Each question goes to the part file of its page
(``quizzes/bank/phan-N.yml``); a draft question replaces a part-file question with the same id.
The merged bank is checked in a temporary folder first and the part files are replaced only if
it is valid, so a bad draft never leaves a half-merged bank.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

import yaml

from assessment.quiz.bank import Bank, BankError, load_bank, read_yaml
from assessment.site.book_pages import BookPages

HEADER = (
    "# Ngân hàng câu hỏi kiểm tra ({part}). Đáp án chỉ nằm ở đây: không chép câu hỏi sang sách.\n"
    "# Kiểm tra tệp: assessment bank check\n"
)


class BankDumper(yaml.SafeDumper):
    """Short lists (tags, answers) on one line; nothing wrapped mid-sentence."""


def _represent_list(dumper: yaml.SafeDumper, data: list) -> yaml.Node:
    flow = all(isinstance(item, str | int | float) for item in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


BankDumper.add_representer(list, _represent_list)


def read_questions(path: Path) -> list[dict]:
    data = read_yaml(path)
    questions = data.get("questions") if isinstance(data, dict) else None
    if not isinstance(questions, list) or not all(isinstance(q, dict) for q in questions):
        raise BankError([f"{path}: bản nháp phải có khóa 'questions' là danh sách câu hỏi."])
    return questions


def where_from(problem: str, staging: Path, bank_dir: Path, origins: dict[str, Path]) -> str:
    """Rewrite a problem found in the staging folder to name the file the question came from."""
    problem = problem.replace(str(staging), str(bank_dir))
    match = re.search(r", câu ([a-z0-9-]+)", problem)
    if match and match.group(1) in origins:
        problem += f" [nguồn: {origins[match.group(1)]}]"
    return problem


def merge_drafts(drafts_dir: Path, bank_dir: Path, book_root: Path) -> tuple[Bank, dict[str, int]]:
    """Merge every draft into the part files; return the checked bank and counts per part."""
    book = BookPages.load(book_root)
    parts: dict[str, dict[str, dict]] = {}  # part -> id -> question, in insertion order
    origins: dict[str, Path] = {}  # question id -> the file it came from
    for path in sorted(bank_dir.glob("*.yml")):
        parts[path.stem] = {q.get("id"): q for q in read_questions(path)}
        origins.update({str(qid): path for qid in parts[path.stem]})
    problems = []
    for path in sorted(drafts_dir.glob("*.yml")):
        for index, question in enumerate(read_questions(path), start=1):
            part = book.part_of.get(question.get("page"))
            if part is None:
                problems.append(
                    f"{path}, câu {question.get('id') or f'thứ {index}'}: trang "
                    f"{question.get('page')!r} không thuộc phần nào có số trong _toc.yml."
                )
                continue
            parts.setdefault(part, {})[question.get("id")] = question
            origins[str(question.get("id"))] = path
    if problems:
        raise BankError(problems)

    with tempfile.TemporaryDirectory(dir=bank_dir.parent) as tmp:
        staging = Path(tmp)
        for part, questions in parts.items():
            ordered = sorted(questions.values(), key=lambda q: book.order(q.get("page")))
            title = book.part_titles.get(part, part)
            text = yaml.dump(
                {"part": part, "title": title, "questions": ordered}, Dumper=BankDumper,
                allow_unicode=True, sort_keys=False, width=10_000,
            )
            (staging / f"{part}.yml").write_text(HEADER.format(part=title) + text, encoding="utf-8")
        try:
            bank = load_bank(staging, book_root)
        except BankError as error:  # nothing is replaced; name the files the writers edit
            problems = [where_from(p, staging, bank_dir, origins) for p in error.problems]
            raise BankError(problems) from None
        bank_dir.mkdir(parents=True, exist_ok=True)
        for path in staging.glob("*.yml"):
            shutil.copyfile(path, bank_dir / f".{path.name}.tmp")
            (bank_dir / f".{path.name}.tmp").replace(bank_dir / path.name)
    counts = {part: sum(1 for q in bank.questions if q.part == part) for part in parts}
    return bank, counts
