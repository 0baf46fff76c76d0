"""Scoring answers against a key, with the checker the notebooks' hidden tests use.

``assessment.quiz.answers.normalise_answer`` is the function copied into every hidden test, so
a score here is the score ``nbgrader autograde`` gives an honest hand-in:

    >>> from assessment.grading.key import QuestionKey, QuizKey
    >>> q = QuestionKey("q1", "q1-tra-loi", 1, "AC", "ABCD", None, 2.0)
    >>> score_answers(QuizKey("thu", (q,)), {"q1": " c, a. "})
    {'q1': 2.0}
"""

from __future__ import annotations

import builtins
import functools
import types
from collections.abc import Mapping

from assessment.grading.key import QuestionKey, QuizKey
from assessment.quiz.answers import grade_answer, normalise_answer


@functools.lru_cache(maxsize=65536)
def _chosen(answer: object, letters: str, words: tuple | None) -> frozenset | None:
    """``normalise_answer`` remembered: a class writes the same few answers again and again."""
    chosen = normalise_answer(list(answer) if isinstance(answer, tuple) else answer, letters,
                              dict(words) if words else None)
    return None if chosen is None else frozenset(chosen)


def score_question(question: QuestionKey, answer: object) -> float:
    """``question.points`` if ``answer`` (str, list of str, or None) is right, else 0.0."""
    words = tuple(sorted(question.words.items())) if question.words else None
    if isinstance(answer, list | tuple) and all(isinstance(a, str) for a in answer):
        chosen = _chosen(tuple(answer), question.letters, words)
    elif answer is None or isinstance(answer, str):
        chosen = _chosen(answer, question.letters, words)
    else:
        chosen = normalise_answer(answer, question.letters, question.words)
    return float(question.points) if chosen == set(question.key) else 0.0


def score_answers(key: QuizKey, answers: Mapping[str, object]) -> dict[str, float]:
    """grade_id -> points earned; answers maps grade_id -> the raw answer (str, list of str,
    or None for unanswered). Uses assessment.quiz.answers.normalise_answer, so scores are
    identical to the notebook's hidden tests."""
    return {q.grade_id: score_question(q, answers.get(q.grade_id)) for q in key.questions}


def result_html(question: QuestionKey, answer: object) -> tuple[float, str]:
    """(score, the HTML the hidden test displays) for one answer, as the notebook shows it.

    Runs our own ``grade_answer`` (never trainee code) with ``IPython.display`` replaced by a
    collector, so the message is exactly the one a notebook run would display.
    """
    shown: list[str] = []
    display_module = types.SimpleNamespace(HTML=str, display=shown.append)

    def importer(name, globals=None, locals=None, fromlist=(), level=0):  # noqa: A002
        if name == "IPython.display":
            return display_module
        return builtins.__import__(name, globals, locals, fromlist, level)

    namespace = {"__builtins__": dict(vars(builtins), __import__=importer),
                 "normalise_answer": normalise_answer}
    run = types.FunctionType(grade_answer.__code__, namespace, "grade_answer",
                             grade_answer.__defaults__)
    score = run(question.number, answer, question.key, letters=question.letters,
                points=question.points, explanation=question.explanation,
                page_title=question.page_title, page_url=question.page_url,
                show_key=question.show_key, words=question.words)
    return score, "".join(shown)
