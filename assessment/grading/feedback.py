"""Autograded notebooks for ``nbgrader generate_feedback``, made without running anything.

``nbgrader autograde`` leaves ``autograded/<student>/<quiz>/<quiz>.ipynb``: the hand-in with
its locked cells restored (hidden tests included) and the outputs of running it. This module
writes the same layout from trainer-side files: every cell comes from the source notebook
(``quizzes/source``), except the answer cells, which hold the trainee's text (or the released
text if the cell was deleted). The grade cells' outputs are made by our own ``grade_answer``
(see ``score.result_html``), so ``nbgrader generate_feedback`` renders them with the Vietnamese
template (``quizzes/templates/phan-hoi``) and its ``ClearHiddenTests`` step removes the keys.
Notes about odd code in an answer cell go in a ``stdout`` output of that cell.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from assessment.grading.handin import ReadHandIn, _text
from assessment.grading.key import QuizKey
from assessment.grading.score import result_html


def released_answers(release: dict) -> dict[str, str]:
    """Answer cell grade_id -> its released text (``cau_N = ""`` with its comment)."""
    found = {}
    for cell in release.get("cells", []):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution"):
            found[meta["grade_id"]] = _text(cell.get("source"))
    return found


def feedback_notebook(source: dict, key: QuizKey, hand_in: ReadHandIn,
                      released: dict[str, str]) -> dict:
    """The autograded notebook of one hand-in (JSON), from the source notebook ``source``."""
    notebook = dict(source, cells=[dict(cell) for cell in source["cells"]])  # cells replaced
    by_grade = key.by_grade_id()
    by_answer = {q.answer_cell_id: q for q in key.questions}
    notes = {q.grade_id: [w for w in hand_in.warnings if w.startswith(f"ô trả lời câu {q.number} ")]
             for q in key.questions}
    count = 0
    for cell in notebook["cells"]:
        if cell.get("cell_type") != "code":
            continue
        count += 1
        cell["execution_count"] = count
        cell["outputs"] = []
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id in by_answer:
            question = by_answer[grade_id]
            cell["source"] = hand_in.sources.get(question.grade_id, released.get(grade_id, ""))
            if notes[question.grade_id]:
                cell["outputs"].append({"output_type": "stream", "name": "stdout",
                                        "text": "\n".join(notes[question.grade_id]) + "\n"})
        elif grade_id in by_grade:
            score, html = result_html(by_grade[grade_id], hand_in.answers.get(grade_id))
            cell["outputs"] = [
                {"output_type": "display_data", "metadata": {},
                 "data": {"text/html": html, "text/plain": "<IPython.core.display.HTML object>"}},
                {"output_type": "execute_result", "execution_count": count, "metadata": {},
                 "data": {"text/plain": repr(score)}},
            ]
    return notebook


def write_json(notebook: dict, path: Path) -> None:
    """Write atomically (a half-written notebook never replaces a good one)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".ipynb.tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            # no indent: json's C encoder (an indented dump is pure Python, several times slower)
            json.dump(notebook, handle, ensure_ascii=False)
            handle.write("\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_autograded(course_dir: Path, student: str, source: dict, key: QuizKey,
                     hand_in: ReadHandIn, released: dict[str, str],
                     timestamp_file: Path | None = None) -> Path:
    """Write ``autograded/<student>/<quiz>/<quiz>.ipynb`` (and its timestamp.txt)."""
    folder = Path(course_dir) / "autograded" / student / key.name
    path = folder / f"{key.notebook}.ipynb"
    write_json(feedback_notebook(source, key, hand_in, released), path)
    if timestamp_file is not None and timestamp_file.is_file():
        shutil.copyfile(timestamp_file, folder / "timestamp.txt")
    return path
