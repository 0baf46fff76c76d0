"""The register: the status of every legal or policy document in ``book/references.bib``.

The register lives in the bibliography itself, as extra BibTeX fields of each legal or policy
entry (pybtex and sphinxcontrib-bibtex ignore fields they do not know)::

    @misc{luat-bao-chi-2016,
      shorthand    = {Luật Báo chí 2016},
      title        = {Luật Báo chí, số 103/2016/QH13},
      status       = {replaced},              % in-force | amended | replaced | expired | pending
      replaced_by  = {luat-bao-chi-2025},     % successor key (status replaced)
      replaced_on  = {2026-07-01},            % date the successor took effect
      amended_by   = {key-1, key-2},          % amending documents (status amended, optional)
      checked      = {2026-12-05},            % date this status was last checked
      status_note  = {...},                   % optional note shown in the appendix
      aliases      = {Luật Báo chí năm 2016}, % optional: how exam questions name it
    }

Example::

    >>> register = load_register(Path("book/references.bib"))
    >>> register.documents["luat-bao-chi-2016"].replaced_by
    'luat-bao-chi-2025'
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

STATUSES = {
    "in-force": "Có hiệu lực",
    "amended": "Có hiệu lực, đã sửa đổi",
    "replaced": "Đã bị thay thế",
    "expired": "Hết hiệu lực",
    "pending": "Chưa có hiệu lực",
}
REGISTER_FIELDS = ("status", "checked", "replaced_by", "replaced_on", "amended_by",
                   "status_note", "aliases")
# What makes an entry a legal or policy document: the kind of document its title starts with
# and an issuing body (a Vietnamese state or Party body, the UN or a regional organisation),
# not a newspaper reporting on it.
DOCUMENT_KINDS = (
    "Hiến pháp", "Bộ luật", "Luật", "Pháp lệnh", "Nghị định", "Nghị quyết", "Quyết định",
    "Chỉ thị", "Thông tư", "Công văn", "Kế hoạch", "Kết luận", "Văn kiện", "Văn bản hợp nhất",
    "Công ước", "Nghị định thư", "Hiến chương",
)
VIETNAMESE_BODIES = (
    "Quốc hội", "Ủy ban Thường vụ Quốc hội", "Văn phòng Quốc hội", "Chính phủ", "Thủ tướng",
    "Ủy ban nhân dân", "Hội đồng nhân dân", "Ban Bí thư", "Ban Chấp hành Trung ương",
    "Bộ Chính trị", "Đảng Cộng sản Việt Nam", "Bộ ",
)
INTERNATIONAL_BODIES = (
    "Liên hợp quốc", "Đại hội đồng", "Hội đồng Nhân quyền", "Hội đồng Kinh tế và Xã hội",
    "Hội đồng châu Âu", "Tổ chức các quốc gia châu Mỹ", "Tổ chức Thống nhất châu Phi", "ASEAN",
)
BIB = "book/references.bib"  # the register, relative to the repository root
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class RegisterError(Exception):
    """The bibliography cannot be read (message in Vietnamese)."""


@dataclass(frozen=True)
class Document:
    """One legal or policy document of the register."""

    key: str
    label: str  # the citation label ("Luật Báo chí 2016"), the entry's shorthand
    title: str
    year: str
    vietnamese: bool  # issued by a Vietnamese state or Party body
    status: str  # one of STATUSES, or "" when the entry has no status yet
    checked: dt.date | None = None
    checked_text: str = ""  # the field as written (kept to tell "missing" from "malformed")
    replaced_by: str = ""
    replaced_on: dt.date | None = None
    amended_by: tuple[str, ...] = ()
    note: str = ""
    aliases: tuple[str, ...] = ()

    @property
    def status_text(self) -> str:
        return STATUSES.get(self.status, "Chưa ghi tình trạng")


@dataclass
class Register:
    """The register read from one bibliography file."""

    path: Path
    documents: dict[str, Document] = field(default_factory=dict)  # legal/policy entries only
    labels: dict[str, str] = field(default_factory=dict)  # every entry key -> its label
    problems: list[str] = field(default_factory=list)  # fields that could not be read

    def successors(self, key: str) -> list[str]:
        """The chain of documents that replaced ``key``, nearest first (no loops)."""
        chain: list[str] = []
        document = self.documents.get(key)
        while document and document.status == "replaced" and document.replaced_by:
            if document.replaced_by in chain or document.replaced_by == key:
                break
            chain.append(document.replaced_by)
            document = self.documents.get(document.replaced_by)
        return chain

    def replaced(self) -> list[Document]:
        return [d for d in self.documents.values() if d.status == "replaced"]


def plain(text: str) -> str:
    """A BibTeX value without its protective braces and doubled spaces."""
    return re.sub(r"\s+", " ", text.replace("{", "").replace("}", "")).strip()


def is_legal_document(title: str, author: str) -> bool:
    """Whether an entry is a legal or policy document that the register must cover.

    >>> is_legal_document("Luật Báo chí, số 103/2016/QH13", "Quốc hội")
    True
    >>> is_legal_document("Kết luận của Ban Bí thư khóa XII ...", "Báo Biên phòng")
    False
    """
    kind = any(title.startswith(word + " ") or title.startswith(word + ",")
               for word in DOCUMENT_KINDS)
    return kind and issuer_kind(author) is not None


def issuer_kind(author: str) -> str | None:
    """``"vn"`` for a Vietnamese state or Party body, ``"intl"`` for an international one."""
    if any(author.startswith(body) for body in VIETNAMESE_BODIES):
        return "vn"
    if any(body in author for body in INTERNATIONAL_BODIES):
        return "intl"
    return None


def parse_date(value: str, where: str, name: str, problems: list[str]) -> dt.date | None:
    if not value:
        return None
    try:
        if not DATE.match(value):
            raise ValueError(value)
        return dt.date.fromisoformat(value)
    except ValueError:
        problems.append(f"{where}: trường {name} = {{{value}}} không phải ngày dạng "
                        "NNNN-TT-NN (ví dụ 2026-12-05).")
        return None


def split_list(value: str, separator: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(separator) if part.strip())


def load_register(bib: Path) -> Register:
    """Read the register from a bibliography; unreadable fields go to ``problems``."""
    from pybtex.database import parse_file  # only when the register is read
    from pybtex.scanner import PybtexError

    try:
        database = parse_file(str(bib), bib_format="bibtex")
    except (OSError, PybtexError) as error:
        raise RegisterError(f"Không đọc được danh mục tài liệu {bib}: {error}") from error
    register = Register(path=bib)
    for key, entry in database.entries.items():
        fields = {name.lower(): plain(value) for name, value in entry.fields.items()}
        author = " ".join(plain(str(person)) for person in entry.persons.get("author", []))
        title = fields.get("title", "")
        label = fields.get("shorthand") or key
        register.labels[key] = label
        has_register_fields = any(name in fields for name in REGISTER_FIELDS)
        if not (is_legal_document(title, author) or has_register_fields):
            continue
        where = f"{bib}, mục {key}"
        problems = register.problems
        register.documents[key] = Document(
            key=key, label=label, title=title, year=fields.get("year", ""),
            vietnamese=issuer_kind(author) == "vn",
            status=fields.get("status", ""),
            checked=parse_date(fields.get("checked", ""), where, "checked", problems),
            checked_text=fields.get("checked", ""),
            replaced_by=fields.get("replaced_by", ""),
            replaced_on=parse_date(fields.get("replaced_on", ""), where, "replaced_on", problems),
            amended_by=split_list(fields.get("amended_by", ""), ","),
            note=fields.get("status_note", ""),
            aliases=split_list(fields.get("aliases", ""), ";"),
        )
    return register


def check_register(register: Register, today: dt.date | None = None) -> list[str]:
    """Every problem of the register, one Vietnamese message each (empty when it is sound)."""
    today = today or dt.date.today()
    problems = list(register.problems)
    for doc in register.documents.values():
        where = f"{register.path}, mục {doc.key} ({doc.label})"
        if not doc.status:
            problems.append(f"{where}: văn bản pháp luật/chính sách chưa có tình trạng; thêm "
                            f"status = {{in-force}} (hoặc {', '.join(list(STATUSES)[1:])}) "
                            "và checked = {NNNN-TT-NN}.")
            continue
        if doc.status not in STATUSES:
            problems.append(f"{where}: status = {{{doc.status}}} không hợp lệ "
                            f"(chọn: {', '.join(STATUSES)}).")
        if not doc.checked_text:
            problems.append(f"{where}: thiếu checked = {{NNNN-TT-NN}} (ngày kiểm tra tình trạng).")
        elif doc.checked and doc.checked > today:
            problems.append(f"{where}: ngày kiểm tra {doc.checked} ở tương lai.")
        if doc.status == "replaced":
            if not doc.replaced_by or not doc.replaced_on:
                problems.append(f"{where}: văn bản đã bị thay thế phải ghi replaced_by = "
                                "{mã văn bản thay thế} và replaced_on = {NNNN-TT-NN}.")
            elif doc.replaced_by not in register.labels:
                problems.append(f"{where}: replaced_by = {{{doc.replaced_by}}} không có trong "
                                "danh mục tài liệu; hãy thêm mục cho văn bản thay thế.")
            elif doc.replaced_by == doc.key or doc.key in register.successors(doc.replaced_by):
                problems.append(f"{where}: chuỗi thay thế bị vòng lặp qua {doc.replaced_by}.")
        elif doc.replaced_by or doc.replaced_on:
            problems.append(f"{where}: có replaced_by/replaced_on nhưng status = "
                            f"{{{doc.status}}}; văn bản bị thay thế ghi status = {{replaced}}.")
        problems += [f"{where}: amended_by nhắc mã {key} không có trong danh mục tài liệu."
                     for key in doc.amended_by if key not in register.labels]
    return problems


def display_date(value: dt.date | None) -> str:
    """``2026-07-01`` -> ``"1/7/2026"`` (the way Vietnamese documents write dates)."""
    return f"{value.day}/{value.month}/{value.year}" if value else ""
