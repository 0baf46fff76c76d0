"""Helpers shared by the quiz tests."""

from __future__ import annotations


def all_strings(value) -> str:
    """Every string in a JSON document (keys too), unescaped, one per line.

    Searching this rather than the file's text finds a leaked key or explanation whatever
    JSON escaping the writer used.
    """
    if isinstance(value, dict):
        return "\n".join(f"{k}\n{all_strings(v)}" for k, v in value.items())
    if isinstance(value, list):
        return "\n".join(all_strings(v) for v in value)
    return value if isinstance(value, str) else ""


def visible_text(html: str) -> str:
    """What a person sees on a page: the text of its body, tags (and highlighting) removed.

    Syntax highlighting splits ``key='C'`` into ``<span>``s with ``&#39;`` quotes, so a search
    in the HTML source never finds it; in the visible text it reads ``key='C'`` again.
    """
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    return (soup.body or soup).get_text()


def control_feedback(course, name: str, folder: str = "phan-hoi-kiem-soat") -> None:
    """Positive control: feedback rendered WITHOUT ClearHiddenTests, in a template that shows
    code (nbconvert's ``lab``), into ``<course>/<folder>/``: the hidden tests, keys included,
    are then on the page, and a leak check must find them."""
    from assessment.quiz.simulate import run_nbgrader

    run_nbgrader(course, "generate_feedback", name, "--force",
                 f"--CourseDirectory.feedback_directory={folder}",
                 "--GenerateFeedback.preprocessors=['nbgrader.preprocessors.GetGrades']",
                 "--HTMLExporter.template_name=lab", "--log-level=ERROR")
