"""Checking one answer: the code that runs inside the quiz notebooks.

The source of ``normalise_answer`` and ``grade_answer`` is copied into the notebooks
(notebook_builder.py): ``normalise_answer`` into the released "check your writing" cell, and
both into each hidden test, so grading never depends on this package being installed where
nbgrader runs, and a trainee who redefines a function in an answer cell changes nothing (each
test cell defines its own copy just before it grades). Keep these two functions
self-contained: imports inside, no module-level names.

``grade_answer`` shows a Vietnamese result (HTML) and returns the score, which nbgrader reads
as partial credit (a test cell whose last value is a number earns that many points). It never
raises: an exception would print the hidden test code, key included, into the feedback.
"""

from __future__ import annotations


def normalise_answer(answer, letters, words=None):
    """The set of letters a trainee chose, or None if the answer is empty or not valid.

    ``letters`` are the question's options ("ABCD"); ``words`` maps whole answers to a letter
    (``{"ĐÚNG": "A", "SAI": "B"}`` for true/false questions).

    >>> sorted(normalise_answer(" c, a. ", "ABCD"))
    ['A', 'C']
    >>> normalise_answer("E", "ABCD") is None
    True
    """
    import re
    import unicodedata

    if isinstance(answer, list | tuple | set):
        answer = ",".join(str(item) for item in answer)
    if not isinstance(answer, str):
        return None
    text = unicodedata.normalize("NFC", answer).strip().strip("\"'“”‘’").strip().upper()
    if words and text.rstrip(".") in words:
        return {words[text.rstrip(".")]}
    pieces = re.split(r"[\s,;./&+()\[\]\-]+|\bVÀ\b", text)
    chosen = "".join(pieces)
    if not chosen or any(char not in letters for char in chosen):
        return None
    return set(chosen)


def grade_answer(number, answer, key, letters, points, explanation, page_title, page_url,
                 show_key=False, words=None):
    """Score one answer (``points`` or 0.0) and display the Vietnamese result."""
    import html

    try:
        chosen = normalise_answer(answer, letters, words)
        right = chosen == set(key)
        if right:
            verdict = f"✔ Câu {number}: Đúng ({points:g}/{points:g} điểm)."
        elif answer is None or (isinstance(answer, str) and not answer.strip()):
            verdict = f"✘ Câu {number}: Chưa trả lời (0/{points:g} điểm)."
        elif chosen is None:
            shown = html.escape(repr(answer)[:60])
            verdict = (f"✘ Câu {number}: Câu trả lời {shown} không hợp lệ: chỉ ghi chữ cái "
                       f"{', '.join(letters)} (0/{points:g} điểm).")
        else:
            verdict = (f"✘ Câu {number}: Chưa đúng, bạn chọn {', '.join(sorted(chosen))} "
                       f"(0/{points:g} điểm).")
        parts = [f"<p><strong>{verdict}</strong></p>"]
        if show_key and not right:
            parts.append(f"<p>Đáp án đúng: <strong>{', '.join(key)}</strong>.</p>")
        parts.append(f"<p>Giải thích: {html.escape(explanation)}</p>")
        link = (f'<a href="{html.escape(page_url)}">{html.escape(page_title)}</a>'
                if page_url else html.escape(page_title))
        parts.append(f"<p>Xem lại bài: {link}</p>")
        score = float(points) if right else 0.0
        css = "dung" if right else "sai"
        message = f'<div class="ket-qua ket-qua-{css}">{"".join(parts)}</div>'
    except Exception:  # noqa: BLE001 - a traceback would reveal the hidden test code
        score = 0.0
        message = f"<p>Câu {number}: không chấm được câu trả lời này; hãy báo giảng viên.</p>"
    try:
        from IPython.display import HTML, display

        display(HTML(message))
    except Exception:  # noqa: BLE001 - outside IPython: return the score only
        pass
    return score
