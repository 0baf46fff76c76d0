"""Which rounds of a quiz were already released with a given seed.

Every round (a class, a retake) of a quiz is its own nbgrader assignment, drawn with a seed.
The same seed and bank draw the same questions, and every trainee's feedback explains each
answer: a seed reused for a later round hands that round's answers to whoever kept an earlier
feedback. ``assessment quiz generate`` warns (``reused_seed_warning``) when it is asked for a
seed already used by a released round of the same quiz.

A round's quiz and seed are read from the ``assessment`` metadata that
``assessment.quiz.notebook`` writes into the source notebook and nbgrader keeps in the
released one (``{"quiz": "kiem-tra-cuoi-khoa", "name": "...-dot-2", "seed": 2, ...}``).
Plain JSON is read (not nbformat), so the check costs milliseconds.

>>> released_rounds(Path("quizzes"), "kiem-tra-cuoi-khoa", 2026)   # doctest: +SKIP
['kiem-tra-cuoi-khoa']
"""

from __future__ import annotations

import json
from pathlib import Path


def round_metadata(course_dir: Path, name: str) -> dict:
    """The ``assessment`` metadata of round ``name``: release notebook first, else source."""
    for folder in ("release", "source"):
        path = course_dir / folder / name / f"{name}.ipynb"
        try:
            found = json.loads(path.read_text(encoding="utf-8"))["metadata"]["assessment"]
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if isinstance(found, dict):
            return found
    return {}


def released_rounds(course_dir: Path, quiz_id: str, seed: int,
                    except_name: str | None = None) -> list[str]:
    """Names of the released rounds of ``quiz_id`` drawn with ``seed`` (but ``except_name``)."""
    found = []
    release = course_dir / "release"
    for folder in sorted(release.iterdir()) if release.is_dir() else []:
        if not folder.is_dir() or folder.name == except_name:
            continue
        meta = round_metadata(course_dir, folder.name)
        if meta.get("quiz") == quiz_id and meta.get("seed") == seed:
            found.append(folder.name)
    return found


def used_seeds(course_dir: Path, quiz_id: str) -> set[int]:
    """Every seed a round of ``quiz_id`` was released with."""
    release = course_dir / "release"
    seeds = set()
    for folder in release.iterdir() if release.is_dir() else []:
        meta = round_metadata(course_dir, folder.name)
        if meta.get("quiz") == quiz_id and isinstance(meta.get("seed"), int):
            seeds.add(meta["seed"])
    return seeds


def reused_seed_warning(course_dir: Path, quiz_id: str, seed: int, name: str) -> str | None:
    """A Vietnamese warning if ``seed`` already drew a released round of ``quiz_id``, or None."""
    rounds = released_rounds(course_dir, quiz_id, seed, except_name=name)
    if not rounds:
        return None
    used = used_seeds(course_dir, quiz_id)
    free = next(n for n in range(seed + 1, seed + len(used) + 2) if n not in used)
    listed = ", ".join(f"'{r}'" for r in rounds)
    return (
        f"Cảnh báo: seed {seed} đã dùng cho đợt {listed} của bài '{quiz_id}' (đã phát, "
        f"{course_dir / 'release' / rounds[0]}). Nếu ngân hàng không đổi, đợt '{name}' sẽ có "
        f"đúng bộ câu hỏi ấy, mà phản hồi của đợt trước có lời giải thích nêu đáp án. Mỗi lớp, "
        f"mỗi lần thi lại nên rút seed mới, ví dụ: assessment quiz generate {quiz_id} "
        f"--seed {free} --name {name}"
    )
