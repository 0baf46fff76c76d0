"""The register of cited documents (status fields of references.bib) and the checks using it.

Pages: a page that cites a replaced document without its successor is refused, by the check
in Python and by the real Sphinx build (see test_van_ban_build.py). Questions: `assessment
bank check` refuses a question naming a replaced law alone and lists old sources.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from assessment.cli import main
from assessment.quiz.bank import load_bank
from assessment.quiz.simulate import copy_course
from assessment.register.citations import (
    DocumentFinder,
    book_pages_text,
    cited_keys,
    present_tense,
    stale_keys,
    stale_pages,
)
from assessment.register.documents import (
    STATUSES,
    check_register,
    is_legal_document,
    load_register,
)
from assessment.register.questions import old_sources, stale_questions

from conftest import ROOT, toc_files

BIB = ROOT / "book" / "references.bib"
TODAY = dt.date(2026, 12, 5)
# An independent reading of "legal or policy document": entries issued by a Vietnamese state
# or Party body whose title names a kind of legal document, and the treaties.
VN_ISSUERS = ("Quốc hội", "Chính phủ", "Thủ tướng", "Ủy ban", "Ban Bí thư", "Đảng", "Bộ ",
              "Văn phòng Quốc hội")
VN_KINDS = re.compile(r"^(Hiến pháp|Bộ luật|Luật|Pháp lệnh|Nghị định|Nghị quyết số|Quyết định"
                      r"|Chỉ thị|Kế hoạch|Công văn|Văn kiện|Văn bản hợp nhất)\b")
TREATY = re.compile(r"^(Công ước|Nghị định thư|Hiến chương)\b")


@pytest.fixture(scope="module")
def register():
    return load_register(BIB)


def bib_entries() -> dict[str, tuple[str, str]]:
    """key -> (author, title) read with a plain regular expression, not with pybtex."""
    text = BIB.read_text(encoding="utf-8")
    entries = {}
    for match in re.finditer(r"@\w+\{([^,]+),(.*?)\n\}", text, re.S):
        body = match.group(2)
        author = re.search(r"author\s*=\s*\{\{?([^}]*)", body)
        title = re.search(r"title\s*=\s*\{([^\n]*)\},?\n", body)
        entries[match.group(1)] = (author.group(1) if author else "",
                                   title.group(1) if title else "")
    return entries


def test_the_register_covers_every_legal_and_policy_entry(register):
    entries = bib_entries()
    expected = {key for key, (author, title) in entries.items()
                if (author.startswith(VN_ISSUERS) and VN_KINDS.match(title))
                or TREATY.match(title)}
    assert len(expected) >= 60, sorted(expected)
    missing = sorted(expected - set(register.documents))
    assert not missing, f"legal/policy entries the register does not see: {missing}"
    no_status = sorted(k for k in expected if register.documents[k].status not in STATUSES)
    assert not no_status, f"entries without a valid status: {no_status}"
    assert all(register.documents[k].checked for k in expected)


def test_the_register_is_sound(register):
    assert check_register(register, TODAY) == []


def test_the_known_replacements_are_recorded(register):
    docs = register.documents
    for old, new in [("luat-bao-chi-2016", "luat-bao-chi-2025"),
                     ("luat-tam-giu-tam-giam-2015", "luat-tam-giu-tam-giam-2025"),
                     ("luat-an-ninh-mang-2018", "luat-an-ninh-mang-2025")]:
        assert docs[old].status == "replaced" and docs[old].replaced_by == new
        assert docs[old].replaced_on == dt.date(2026, 7, 1)
        assert docs[new].status == "in-force"
    assert docs["luat-dieu-uoc-2016"].status == "amended"
    assert "luat-dieu-uoc-sd-2025" in docs["luat-dieu-uoc-2016"].amended_by
    assert "nd-14-2022" in docs["nd-15-2020"].amended_by
    assert not is_legal_document("Kết luận của Ban Bí thư khóa XII", "Báo Biên phòng")


BAD_ENTRIES = {
    "no status": ("", "chưa có tình trạng"),
    "bad status": ("status = {repealed}, checked = {2026-12-05},", "không hợp lệ"),
    "no checked": ("status = {in-force},", "thiếu checked"),
    "bad date": ("status = {in-force}, checked = {5/12/2026},", "không phải ngày"),
    "no successor": ("status = {replaced}, checked = {2026-12-05},", "replaced_by"),
    "unknown successor": ("status = {replaced}, replaced_by = {luat-khong-co},"
                          " replaced_on = {2026-07-01}, checked = {2026-12-05},",
                          "không có trong danh mục"),
}


@pytest.mark.parametrize("case", BAD_ENTRIES)
def test_a_bad_register_entry_is_reported_by_key(tmp_path, case):
    fields, message = BAD_ENTRIES[case]
    bib = tmp_path / "references.bib"
    bib.write_text("@misc{luat-thu-2016,\n  author = {{Quốc hội}},\n"
                   f"  title = {{Luật Thử, số 1/2016/QH13}},\n  {fields}\n}}\n", encoding="utf-8")
    problems = check_register(load_register(bib), TODAY)
    assert len(problems) == 1 and "luat-thu-2016" in problems[0], problems
    assert message in problems[0], problems


def test_cited_keys_reads_every_cite_role():
    text = "A {cite:p}`iccpr-1966, luat-bao-chi-2016` b {cite}`udhr-1948` c {cite:t}`x`"
    assert cited_keys(text) == {"iccpr-1966", "luat-bao-chi-2016", "udhr-1948", "x"}


def test_the_book_cites_no_replaced_document_alone(register):
    pages = book_pages_text(ROOT, toc_files())
    assert len(pages) == len(toc_files())
    assert stale_pages(pages, register) == []


def test_a_planted_stale_citation_in_a_page_is_caught(register, tmp_path):
    source = ROOT / "book" / "cong-uoc" / "quyen-dan-su-chinh-tri.md"
    page = tmp_path / "book" / "cong-uoc" / source.name
    page.parent.mkdir(parents=True)
    text = source.read_text(encoding="utf-8").replace("luat-bao-chi-2025", "iccpr-1966")
    page.write_text(text + "\nLuật Báo chí 2016 quy định {cite:p}`luat-bao-chi-2016`.\n",
                    encoding="utf-8")
    problems = stale_pages(book_pages_text(tmp_path, ["book/cong-uoc/quyen-dan-su-chinh-tri"]),
                           register)
    assert len(problems) == 1, problems
    assert problems[0].startswith("book/cong-uoc/quyen-dan-su-chinh-tri.md: ")
    assert "Luật Báo chí 2016 [luat-bao-chi-2016]" in problems[0]
    assert "{cite:p}`luat-bao-chi-2025`" in problems[0] and "1/7/2026" in problems[0]
    assert stale_keys({"luat-bao-chi-2016", "luat-bao-chi-2025"}, register) == []


def test_no_page_presents_a_replaced_document_as_current(register):
    pages = book_pages_text(ROOT, toc_files())
    found = {page: present_tense(text, register) for page, text in pages.items()}
    assert not {page: hits for page, hits in found.items() if hits}


@pytest.mark.parametrize("sentence, stale", [
    ("Hiện nay, Luật Báo chí 2016 quy định quyền tự do báo chí.", True),
    ("Luật An ninh mạng năm 2018 là luật hiện hành về không gian mạng.", True),
    ("Trước đây, Luật Báo chí 2016 quy định việc này.", False),
    ("Hiện nay Luật Báo chí 2025 thay Luật Báo chí 2016.", False),
    ("Luật Báo chí 2016 quy định việc cấp thẻ nhà báo.", False),  # no present-tense marker
])
def test_the_present_tense_heuristic(register, sentence, stale):
    assert bool(present_tense(f"Đoạn văn.\n\n{sentence}\n", register)) is stale


def test_questions_name_documents_by_label_number_and_title(register):
    finder = DocumentFinder(register)
    assert finder.named("Luật Báo chí năm 2016, Điều 38") == {"luat-bao-chi-2016"}
    assert finder.named("Luật số 103/2016/QH13") == {"luat-bao-chi-2016"}
    assert finder.named("Bộ luật Hình sự 2015, Điều 40") == {"blhs-2015"}
    assert finder.named("Luật Báo chí 2025; Nghị định 09/2017/NĐ-CP") == {
        "luat-bao-chi-2025", "nd-09-2017"}
    assert finder.named("Nghị định 109/2017/NĐ-CP") == set()  # not 09/2017


# --- assessment bank check -------------------------------------------------------------------

def question(**changes) -> dict:
    base = {
        "id": "quyen-dan-su-chinh-tri-91", "page": "book/cong-uoc/quyen-dan-su-chinh-tri",
        "tags": ["ICCPR"], "type": "single",
        "stem": "Câu thử của kiểm thử sổ văn bản: luật nào cụ thể hóa Điều 19 ICCPR về báo chí?",
        "options": {"A": "Luật về báo chí", "B": "Luật Đất đai", "C": "Luật Thuế",
                    "D": "Luật Hải quan"},
        "answer": "A", "explanation": "Luật về báo chí cụ thể hóa quyền tự do báo chí.",
        "source": "ICCPR, Điều 19; Luật Báo chí 2025", "points": 1,
    }
    base.update(changes)
    return base


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    return copy_course(ROOT, tmp_path_factory.mktemp("van-ban"), with_bank=False)


def check(course: Path, questions: list[dict], *args: str):
    path = course / "bank" / "phan-2.yml"
    data = {"part": "phan-2", "title": "Phần 2. Bảy công ước", "questions": questions}
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return CliRunner().invoke(main, ["bank", "check", "--course-dir", str(course), *args])


def test_bank_check_passes_a_question_citing_the_current_law(course):
    result = check(course, [question()], "--today", "2026-12-05")
    assert result.exit_code == 0, result.output
    assert "Mọi văn bản mà câu hỏi ghi làm nguồn đều được kiểm tra trong vòng một năm" in (
        result.output)


@pytest.mark.parametrize("changes", [
    {"source": "ICCPR, Điều 19; Luật Báo chí 2016, Điều 4"},
    {"source": "ICCPR, Điều 19", "options": {"A": "Luật Báo chí năm 2016", "B": "Luật Đất đai",
                                             "C": "Luật Thuế", "D": "Luật Hải quan"}},
])
def test_bank_check_refuses_a_planted_stale_citation(course, changes):
    result = check(course, [question(**changes)])
    assert result.exit_code == 1, result.output
    assert "phan-2.yml, câu quyen-dan-su-chinh-tri-91" in result.output
    assert "Luật Báo chí 2016 [luat-bao-chi-2016] đã được thay thế bằng Luật Báo chí 2025" in (
        result.output)


def test_bank_check_accepts_the_old_law_named_beside_its_successor(course):
    stem = ("Câu thử: Luật Báo chí 2025 thay thế Luật Báo chí 2016 từ ngày nào?")
    result = check(course, [question(stem=stem)])
    assert result.exit_code == 0, result.output


def test_bank_check_lists_sources_checked_more_than_a_year_ago(course):
    result = check(course, [question()], "--today", "2028-01-10")
    assert result.exit_code == 0, result.output
    assert "kiểm tra lần cuối trước ngày 10/1/2027" in result.output
    assert "bank/phan-2.yml, câu quyen-dan-su-chinh-tri-91: nguồn Luật Báo chí 2025 " \
           "[luat-bao-chi-2025] kiểm tra lần cuối ngày 5/12/2026" in result.output
    assert "nguồn ICCPR [iccpr-1966]" in result.output


def test_bank_check_without_the_register_says_which_file(tmp_path):
    course = copy_course(ROOT, tmp_path / "c", with_bank=False)
    (tmp_path / "c" / "book" / "references.bib").unlink()
    result = check(course, [question()])
    assert result.exit_code == 1
    assert "Không đọc được danh mục tài liệu" in result.output
    assert "references.bib" in result.output


def test_the_real_bank_names_no_replaced_document_alone(register):
    bank = load_bank(ROOT / "quizzes" / "bank", ROOT)
    assert stale_questions(bank.questions, register) == []
    # Every document a question's source names was checked within the year.
    assert old_sources(bank.questions, register, TODAY) == []


def test_a_temp_copy_of_the_real_bank_with_a_stale_source_fails(tmp_path):
    course = copy_course(ROOT, tmp_path / "c", with_bank=True)
    path = course / "bank" / "phan-4.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["questions"][0]["source"] += "; Luật An ninh mạng 2018, Điều 16"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = CliRunner().invoke(main, ["bank", "check", "--course-dir", str(course)])
    assert result.exit_code == 1, result.output
    assert f"câu {data['questions'][0]['id']}" in result.output
    assert "Luật An ninh mạng 2018 [luat-an-ninh-mang-2018]" in result.output
    shutil.rmtree(course.parent)
