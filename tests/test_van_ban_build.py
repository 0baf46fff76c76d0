"""The book extension van_ban (book/_ext/van_ban.py) in real Sphinx builds.

A small Sphinx project (MyST, sphinxcontrib-bibtex, the real references.bib and our
extensions) is built with -W as the book is: a planted stale citation or a page without its
update date fails the build; the good project builds and shows the date and the register
table. The full book is checked in test_van_ban_book.py.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import ROOT

CONF = f"""
import sys
sys.path.insert(0, {str(ROOT / "book" / "_ext")!r})
extensions = ["myst_parser", "sphinxcontrib.bibtex", "bibstyle", "van_ban"]
bibtex_bibfiles = ["references.bib"]
bibtex_default_style = "vi"
bibtex_reference_style = "label"
root_doc = "index"
language = "vi"
"""
INDEX = """# Thử

```{toctree}
trang
danh-muc
```

```{bibliography}
```
"""
PAGE = """---
cap_nhat: 2026-12-05
---
# Trang thử

Luật Báo chí hiện hành {cite:p}`luat-bao-chi-2025`; ICCPR {cite:p}`iccpr-1966`.
"""
APPENDIX = """---
cap_nhat: 2026-12-05
---
# Văn bản được trích dẫn

## Đã thay đổi

```{danh-muc-van-ban}
:tinh-trang: replaced amended expired pending
```

## Có hiệu lực

```{danh-muc-van-ban}
:tinh-trang: in-force
```
"""


def build(tmp_path: Path, page: str = PAGE) -> tuple[subprocess.CompletedProcess, Path]:
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text(CONF, encoding="utf-8")
    shutil.copyfile(ROOT / "book" / "references.bib", src / "references.bib")
    (src / "index.md").write_text(INDEX, encoding="utf-8")
    (src / "trang.md").write_text(page, encoding="utf-8")
    (src / "danh-muc.md").write_text(APPENDIX, encoding="utf-8")
    out = tmp_path / "html"
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html", str(src),
         str(out)], capture_output=True, text=True, cwd=tmp_path)
    return result, out


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


@pytest.fixture(scope="module")
def good_build(tmp_path_factory) -> Path:
    result, out = build(tmp_path_factory.mktemp("van-ban"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNING" not in result.stderr, result.stderr
    return out


def test_the_update_date_is_shown_under_the_title(good_build):
    page = soup(good_build / "trang.html")
    h1 = page.find("h1")
    note = page.select_one("p.cap-nhat")
    assert note is not None and note.get_text(strip=True) == "Cập nhật đến ngày 5/12/2026"
    assert h1.find_next("p") is note


def test_the_register_table_lists_every_document_with_its_status(good_build):
    page = soup(good_build / "danh-muc.html")
    tables = page.select("table.danh-muc-van-ban")
    assert len(tables) == 2
    assert [t.find_previous("h2").get_text(strip=True).rstrip("¶#") for t in tables] == [
        "Đã thay đổi", "Có hiệu lực"]
    from assessment.register.documents import load_register

    register = load_register(ROOT / "book" / "references.bib")
    changed = [d for d in register.documents.values() if d.status != "in-force"]
    replaced = len(register.replaced())
    assert tables[0].find_previous("p").get_text(strip=True).startswith(
        f"{len(changed)} văn bản: {replaced} đã bị thay thế; ")
    assert not re.search(r"\b0 ", tables[0].find_previous("p").get_text())  # no empty status
    assert tables[1].find_previous("p").get_text(strip=True) == (
        f"{len(register.documents) - len(changed)} văn bản.")
    rows = {tr.find("td").get_text(" ", strip=True): [td.get_text(" ", strip=True)
                                                       for td in tr.find_all("td")]
            for table in tables for tr in table.select("tbody tr")}
    old = next(v for k, v in rows.items() if k.startswith("Luật Báo chí 2016"))
    assert old[1] == "Đã bị thay thế"
    assert old[2] == "Thay thế bởi Luật Báo chí 2025, từ ngày 1/7/2026"
    assert old[3] == "5/12/2026"
    cited = next(tr for t in tables for tr in t.select("tbody tr")
                 if tr.find("strong").get_text() == "Luật Báo chí 2025")
    link = cited.select_one("p.trich-dan-o a")
    assert cited.select_one("p.trich-dan-o").get_text(strip=True) == "Trích dẫn ở:Trang thử"
    assert link["href"] == "trang.html"
    uncited = next(tr for t in tables for tr in t.select("tbody tr")
                   if tr.find("strong").get_text() == "Luật Báo chí 2016")
    assert uncited.select_one("p.trich-dan-o") is None
    current = next(v for k, v in rows.items() if k.startswith("ICCPR"))
    assert current[1] == "Có hiệu lực"
    assert all(r[1] != "Có hiệu lực" for r in (tr.find_all("td") for tr in tables[0].select(
        "tbody tr")))
    amended = next(v for k, v in rows.items() if k.startswith("NĐ 15/2020"))
    assert "Sửa đổi, bổ sung bởi NĐ 14/2022" in amended[2]
    assert len(rows) == len(register.documents)


def test_a_planted_stale_citation_fails_the_build(tmp_path):
    stale = PAGE.replace("luat-bao-chi-2025", "luat-bao-chi-2016")
    result, _ = build(tmp_path, stale)
    assert result.returncode != 0
    assert "trang.md" in result.stderr
    assert "Luật Báo chí 2016 [luat-bao-chi-2016] đã được thay thế bằng Luật Báo chí 2025" in (
        result.stderr)


def test_citing_the_old_law_beside_its_successor_builds(tmp_path):
    both = PAGE + "\nTrước đây là Luật Báo chí 2016 {cite:p}`luat-bao-chi-2016`.\n"
    result, _ = build(tmp_path, both)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("page, message", [
    (PAGE.split("---\n", 2)[2], "thiếu ngày cập nhật"),
    (PAGE.replace("2026-12-05", "5/12/2026"), "không đúng dạng NNNN-TT-NN"),
])
def test_a_page_without_a_valid_update_date_fails_the_build(tmp_path, page, message):
    result, _ = build(tmp_path, page)
    assert result.returncode != 0
    assert "trang.md" in result.stderr and message in result.stderr, result.stderr


def test_a_planted_present_tense_sentence_fails_the_build(tmp_path):
    planted = PAGE + "\nHiện nay, Luật Thi hành tạm giữ, tạm giam 2015 bảo vệ người bị tạm giữ.\n"
    result, _ = build(tmp_path, planted)
    assert result.returncode != 0
    assert "như văn bản hiện hành" in result.stderr
    assert "luat-tam-giu-tam-giam-2015" in result.stderr


def test_an_unknown_status_in_the_directive_fails_the_build(tmp_path):
    result, _ = build(tmp_path)
    assert result.returncode == 0
    appendix = tmp_path / "src" / "danh-muc.md"
    appendix.write_text(APPENDIX.replace(":tinh-trang: in-force", ":tinh-trang: repealed"),
                        encoding="utf-8")
    rerun = subprocess.run([sys.executable, "-m", "sphinx", "-W", "-q", "-b", "html",
                            str(tmp_path / "src"), str(tmp_path / "html2")],
                           capture_output=True, text=True)
    assert rerun.returncode != 0
    assert "tình trạng không hợp lệ repealed" in rerun.stderr


def test_an_incremental_build_updates_the_pages_citing_each_document(tmp_path):
    result, out = build(tmp_path)
    assert result.returncode == 0, result.stderr
    page = tmp_path / "src" / "trang.md"
    page.write_text(PAGE + "\nTrước đây: Luật Báo chí 2016 {cite:p}`luat-bao-chi-2016`.\n",
                    encoding="utf-8")
    again = subprocess.run([sys.executable, "-m", "sphinx", "-W", "-q", "-b", "html",
                            str(tmp_path / "src"), str(out)], capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    row = next(tr for tr in soup(out / "danh-muc.html").select("table.danh-muc-van-ban tbody tr")
               if tr.find("strong").get_text() == "Luật Báo chí 2016")
    assert row.select_one("p.trich-dan-o a")["href"] == "trang.html"
