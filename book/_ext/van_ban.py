"""The register of cited documents in the book: checks, the appendix list, update dates.

The register is the status fields of the legal and policy entries of references.bib (see
assessment/register/documents.py). This extension

- warns (the build runs with -W, so fails) when the register is incomplete, when a page
  cites (``{cite}``) a replaced document without also citing its successor on that page, or
  when a sentence presents a replaced document as current ("hiện nay", "hiện hành"...)
  without naming its successor or saying it was replaced;
- renders the directive ``danh-muc-van-ban``: the appendix tables of the documents with their
  status, successor or amendments, the date each was last checked and the pages citing it;
- shows "Cập nhật đến ngày …" under the title of each page, from its front matter::

      ---
      cap_nhat: 2026-12-05
      ---

  and warns when a page (other than the front page) has no such date.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from assessment.register.citations import cited_keys, present_tense, stale_keys, stale_message
from assessment.register.documents import (
    STATUSES,
    Document,
    Register,
    RegisterError,
    check_register,
    display_date,
    load_register,
)

logger = logging.getLogger(__name__)
FRONT_MATTER_KEY = "cap_nhat"


class cited_in(nodes.General, nodes.Element):
    """Placeholder for the pages citing document ``key``; filled when the page is written."""


def bib_path(app: Sphinx) -> Path:
    return Path(app.srcdir) / app.config.bibtex_bibfiles[0]


def register_of(app: Sphinx) -> Register | None:
    return getattr(app, "van_ban_register", None)


def load(app: Sphinx) -> None:
    """Read the register once per build and report its problems."""
    try:
        app.van_ban_register = load_register(bib_path(app))
    except RegisterError as error:
        app.van_ban_register = None
        logger.warning(str(error), type="van_ban", subtype="register")
        return
    for problem in check_register(app.van_ban_register):
        logger.warning(problem, type="van_ban", subtype="register")


def collect_citations(app: Sphinx, docname: str, source: list[str]) -> None:
    cites = getattr(app.env, "van_ban_cites", None)
    if cites is None:
        cites = app.env.van_ban_cites = {}
    cites[docname] = cited_keys(source[0])
    register = register_of(app)
    if register is not None:
        for key, sentence in present_tense(source[0], register):
            logger.warning(
                f"câu trình bày văn bản đã bị thay thế ({register.labels[key]} [{key}]) như "
                f"văn bản hiện hành: \"{sentence[:160]}\". Hãy viết theo văn bản thay thế "
                f"({register.labels[register.successors(key)[-1]]}) hoặc nói rõ văn bản cũ "
                "áp dụng đến khi nào.", location=docname, type="van_ban", subtype="present")


def purge(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    getattr(env, "van_ban_cites", {}).pop(docname, None)
    getattr(env, "van_ban_tables", set()).discard(docname)


def merge(app: Sphinx, env: BuildEnvironment, docnames: set[str],
          other: BuildEnvironment) -> None:
    cites = getattr(env, "van_ban_cites", None)
    if cites is None:
        cites = env.van_ban_cites = {}
    for docname in docnames:
        if docname in getattr(other, "van_ban_cites", {}):
            cites[docname] = other.van_ban_cites[docname]
    other_tables = getattr(other, "van_ban_tables", set()) & docnames
    if other_tables:
        env.van_ban_tables = getattr(env, "van_ban_tables", set()) | other_tables


def check_citations(app: Sphinx, env: BuildEnvironment) -> None:
    """After reading: every page citing a replaced document must cite its successor too."""
    register = register_of(app)
    if register is None:
        return
    for docname, keys in sorted(getattr(env, "van_ban_cites", {}).items()):
        for stale in stale_keys(keys, register):
            logger.warning(stale_message(stale, register), location=docname,
                           type="van_ban", subtype="stale")


def update_date(value: object) -> dt.date | None:
    try:
        return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value).strip())
    except ValueError:
        return None


def add_update_date(app: Sphinx, doctree: nodes.document) -> None:
    """Put "Cập nhật đến ngày …" right under the page title."""
    docname = app.env.docname
    if docname == app.config.root_doc:
        return
    value = app.env.metadata.get(docname, {}).get(FRONT_MATTER_KEY)
    date = update_date(value) if value is not None else None
    if date is None:
        problem = ("thiếu ngày cập nhật" if value is None
                   else f"ngày cập nhật {value!r} không đúng dạng NNNN-TT-NN")
        logger.warning(
            f"trang {problem}: ghi ở đầu tệp ba dòng '---', '{FRONT_MATTER_KEY}: 2026-12-05', "
            "'---' (ngày nội dung pháp lý của trang được kiểm tra lần cuối).",
            location=docname, type="van_ban", subtype="cap_nhat")
        return
    if date > dt.date.today():
        logger.warning(f"ngày cập nhật {date} ở tương lai.", location=docname,
                       type="van_ban", subtype="cap_nhat")
    section = next(iter(doctree.findall(nodes.section)), None)
    if section is None or not isinstance(section[0], nodes.title):
        return
    note = nodes.paragraph(classes=["cap-nhat"])
    note += nodes.Text(f"Cập nhật đến ngày {display_date(date)}")
    section.insert(1, note)


class RegisterTable(SphinxDirective):
    """``danh-muc-van-ban``: the register's documents with the given statuses, in one table.

    Usage in a MyST page (statuses separated by spaces; all documents when omitted)::

        ```{danh-muc-van-ban}
        :tinh-trang: replaced amended expired pending
        ```
    """

    has_content = False
    option_spec = {"tinh-trang": directives.unchanged}

    def run(self) -> list[nodes.Node]:
        register = register_of(self.env.app)
        self.env.note_dependency(str(bib_path(self.env.app)))
        tables = getattr(self.env, "van_ban_tables", None)
        if tables is None:
            tables = self.env.van_ban_tables = set()
        tables.add(self.env.docname)
        if register is None:
            raise self.error("danh-muc-van-ban: không đọc được danh mục tài liệu (references.bib).")
        wanted = self.options.get("tinh-trang", "").split() or list(STATUSES)
        unknown = [s for s in wanted if s not in STATUSES]
        if unknown:
            raise self.error(f"danh-muc-van-ban: tình trạng không hợp lệ {', '.join(unknown)} "
                             f"(chọn trong: {', '.join(STATUSES)}).")
        documents = [d for d in register.documents.values() if d.status in wanted]
        counts = {s: sum(1 for d in documents if d.status == s) for s in wanted}
        parts = "; ".join(f"{n} {STATUSES[s].lower()}" for s, n in counts.items() if n)
        summary = nodes.paragraph(text=f"{len(documents)} văn bản: {parts}." if len(
            wanted) > 1 else f"{len(documents)} văn bản.")
        return [summary, self.table(documents, register)]

    def table(self, documents: list[Document], register: Register) -> nodes.table:
        table = nodes.table(classes=["danh-muc-van-ban"])
        group = nodes.tgroup(cols=4)
        table += group
        for width in (45, 15, 30, 10):
            group += nodes.colspec(colwidth=width)
        head = nodes.thead()
        head += row(["Văn bản", "Tình trạng", "Văn bản thay thế hoặc sửa đổi", "Kiểm tra ngày"])
        group += head
        body = nodes.tbody()
        for doc in sorted(documents, key=lambda d: (not d.vietnamese, d.label.casefold())):
            body += row([document_cell(doc), doc.status_text, change_cell(doc, register),
                         display_date(doc.checked)])
        group += body
        return table


def document_cell(doc: Document) -> list[nodes.Node]:
    paragraph = nodes.paragraph()
    paragraph += nodes.strong(text=doc.label)
    if doc.title and doc.title != doc.label:
        paragraph += nodes.Text(f": {doc.title}")
    return [paragraph, cited_in(key=doc.key)]


def reading_order(env: BuildEnvironment, root: str) -> list[str]:
    """Every page reachable from the root's table of contents, in reading order."""
    order: list[str] = []
    pending = [root]
    while pending:
        docname = pending.pop(0)
        if docname in order:
            continue
        order.append(docname)
        pending = list(env.toctree_includes.get(docname, [])) + pending
    return order


def fill_cited_in(app: Sphinx, doctree: nodes.document, fromdocname: str) -> None:
    """Replace each placeholder with links to the pages that cite the document."""
    env = app.env
    cites = getattr(env, "van_ban_cites", {})
    order = {name: i for i, name in enumerate(reading_order(env, app.config.root_doc))}
    for node in list(doctree.findall(cited_in)):
        pages = sorted((d for d, keys in cites.items() if node["key"] in keys and d in order),
                       key=order.__getitem__)
        if not pages:
            node.parent.remove(node)
            continue
        paragraph = nodes.paragraph(classes=["trich-dan-o"])
        paragraph += nodes.Text("Trích dẫn ở: ")
        for index, docname in enumerate(pages):
            if index:
                paragraph += nodes.Text("; ")
            uri = app.builder.get_relative_uri(fromdocname, docname)
            paragraph += nodes.reference("", env.titles[docname].astext(), internal=True,
                                         refuri=uri)
        node.replace_self(paragraph)


def outdated_tables(app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str],
                    removed: set[str]) -> list[str]:
    """Rewrite the register tables whenever a page was added, changed or removed."""
    if not (added or changed or removed):
        return []
    return sorted(getattr(env, "van_ban_tables", set()) - removed)


def change_cell(doc: Document, register: Register) -> str:
    parts = []
    if doc.status == "replaced":
        new = register.labels.get(doc.replaced_by, doc.replaced_by)
        parts.append(f"Thay thế bởi {new}, từ ngày {display_date(doc.replaced_on)}")
    if doc.amended_by:
        names = ", ".join(register.labels.get(k, k) for k in doc.amended_by)
        parts.append(f"Sửa đổi, bổ sung bởi {names}")
    if doc.note:
        parts.append(doc.note)
    return ". ".join(p.rstrip(".") for p in parts)


def row(cells: list[object]) -> nodes.row:
    result = nodes.row()
    for cell in cells:
        entry = nodes.entry()
        if isinstance(cell, list | nodes.Node):
            entry += cell
        else:
            entry += nodes.paragraph(text=str(cell))
        result += entry
    return result


def setup(app: Sphinx) -> dict:
    app.add_node(cited_in)
    app.add_directive("danh-muc-van-ban", RegisterTable)
    app.connect("env-get-outdated", outdated_tables)
    app.connect("doctree-resolved", fill_cited_in)
    app.connect("builder-inited", load)
    app.connect("source-read", collect_citations)
    app.connect("env-purge-doc", purge)
    app.connect("env-merge-info", merge)
    app.connect("env-check-consistency", check_citations)
    # After Sphinx's own collector has moved the front matter into env.metadata.
    app.connect("doctree-read", add_update_date, priority=900)
    app.add_css_file("van-ban.css")
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
