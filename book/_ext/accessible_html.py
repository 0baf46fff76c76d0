"""HTML that assistive technology reads correctly (checked by axe-core in tests/).

docutils writes a bibliography as ``<div role="list">`` holding entries with the
DPub role ``doc-biblioentry``, which DPub-ARIA 1.1 deprecated; axe-core reports the
list as "aria-required-children" (critical): a list must hold list items. The
entries here are written as list items, keeping docutils' classes and ids, so the
theme's styles still apply.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.application import Sphinx


def visit_citation(self, node: nodes.citation) -> None:
    if not isinstance(node.previous_sibling(), nodes.citation):
        self.body.append('<div role="list" class="citation-list">\n')
    self.body.append(self.starttag(node, "div", classes=[node.tagname], role="listitem"))


def depart_citation(self, node: nodes.citation) -> None:
    self.body.append("</div>\n")
    if not isinstance(node.next_node(descend=False, siblings=True), nodes.citation):
        self.body.append("</div>\n")


def setup(app: Sphinx) -> dict:
    app.add_node(nodes.citation, override=True, html=(visit_citation, depart_citation))
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
