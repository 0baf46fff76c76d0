"""Self-check questions that a reader answers in the page (static site, no server).

Why our own directive: sphinx-exercise only hides a solution behind a toggle (it
never says "right" or "wrong"), and jupyterquiz needs every page executed as a
notebook and renders questions from JSON at run time, so the text would be missing
from the search index and from printed handouts. This directive writes plain HTML
that reads and prints without JavaScript (the answer sits in a <details> box); a
small script (selfcheck.js) turns the options into buttons that give feedback.

Usage in a MyST page::

    :::{selfcheck}
    :answer: B
    :explanation: Vì quyền con người gắn với mọi người, không phụ thuộc quốc tịch.

    Ai là chủ thể của quyền con người?

    - Chỉ công dân
    - Mọi người
    - Chỉ Nhà nước
    :::

The last bullet list of the body holds the options, lettered A, B, C... in order.
"""

from __future__ import annotations

import string

from docutils import nodes
from docutils.parsers.rst import directives
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

LETTERS = string.ascii_uppercase


class selfcheck_node(nodes.General, nodes.Element):
    """A practice question; attributes: answer (letter), number (1, 2, ...)."""


class selfcheck_solution(nodes.General, nodes.Element):
    """The answer and its explanation, shown on demand."""


class SelfCheckDirective(SphinxDirective):
    has_content = True
    option_spec = {
        "answer": directives.unchanged_required,
        "explanation": directives.unchanged_required,
    }

    def run(self) -> list[nodes.Node]:
        where = f"{self.env.docname}:{self.lineno}"
        answer = self.options.get("answer", "").strip().upper().rstrip(".")
        explanation = self.options.get("explanation", "").strip()
        if not explanation:
            raise self.error(f"selfcheck ({where}): thiếu :explanation: (lời giải thích).")

        body = nodes.container()
        self.state.nested_parse(self.content, self.content_offset, body)
        lists = [child for child in body.children if isinstance(child, nodes.bullet_list)]
        if not lists:
            raise self.error(f"selfcheck ({where}): cần một danh sách gạch đầu dòng các phương án.")
        options = lists[-1]
        count = len(options.children)
        if count < 2:
            raise self.error(f"selfcheck ({where}): cần ít nhất 2 phương án, có {count}.")
        if len(answer) != 1 or answer not in LETTERS[:count]:
            raise self.error(
                f"selfcheck ({where}): :answer: phải là một chữ cái từ A đến "
                f"{LETTERS[count - 1]}, nhận được {answer!r}."
            )

        # Sphinx empties temp_data for every document, so numbering restarts per page.
        number = self.env.temp_data.get("selfcheck_count", 0) + 1
        self.env.temp_data["selfcheck_count"] = number

        enumerated = nodes.enumerated_list(enumtype="upperalpha", prefix="", suffix=".")
        enumerated["classes"].append("selfcheck-options")
        enumerated.extend(options.children)
        body.replace(options, enumerated)

        solution = selfcheck_solution()
        explanation_body = nodes.container()
        self.state.nested_parse(
            StringList([f"**Đáp án: {answer}.** {explanation}"], source=self.env.docname),
            self.content_offset,
            explanation_body,
        )
        solution.extend(explanation_body.children)

        node = selfcheck_node(answer=answer, number=number)
        node.extend(body.children)
        node.append(solution)
        self.set_source_info(node)
        return [node]


def visit_selfcheck_html(self, node: selfcheck_node) -> None:
    self.body.append(
        f'<div class="selfcheck" data-answer="{node["answer"]}" role="group" '
        f'aria-label="Câu hỏi tự kiểm tra {node["number"]}">'
        f'<p class="selfcheck-number">Câu {node["number"]}</p>'
    )


def depart_selfcheck_html(self, node: selfcheck_node) -> None:
    self.body.append('<p class="selfcheck-feedback" aria-live="polite" hidden></p></div>')


def visit_solution_html(self, node: selfcheck_solution) -> None:
    self.body.append(
        '<details class="selfcheck-solution"><summary>Xem đáp án và giải thích</summary>'
    )


def depart_solution_html(self, node: selfcheck_solution) -> None:
    self.body.append("</details>")


def visit_plain(self, node: nodes.Element) -> None:
    """Other builders (text, LaTeX) render the children as ordinary content."""


def depart_plain(self, node: nodes.Element) -> None:
    pass


def setup(app: Sphinx) -> dict:
    html = (visit_selfcheck_html, depart_selfcheck_html)
    plain = (visit_plain, depart_plain)
    app.add_node(selfcheck_node, html=html, latex=plain, text=plain)
    solution_html = (visit_solution_html, depart_solution_html)
    app.add_node(selfcheck_solution, html=solution_html, latex=plain, text=plain)
    app.add_directive("selfcheck", SelfCheckDirective)
    app.add_js_file("selfcheck.js")
    app.add_css_file("selfcheck.css")
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
