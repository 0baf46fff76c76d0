"""The Vietnamese search language: folding and splitting (Python and JavaScript alike),
phrase ranking, and the built search index (Vietnamese terms, no exam answers)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import unicodedata

import pytest
import yaml
from sphinx.search.en import SearchEnglish

from conftest import ROOT, toc_files

sys.path.insert(0, str(ROOT / "book" / "_ext"))
from vi_search import QUERY_JS, SearchVietnamese, fold, split_syllables  # noqa: E402

NODE = shutil.which("node")
SAMPLES = [
    "Quyền trẻ em",
    "QUYỀN TRẺ EM",
    "Chủ trương của Đảng, chính sách, pháp luật của Nhà nước",
    "đường Đống Đa; ĐẠI HỘI XIII",
    "Quyết định 1079/QĐ-TTg ngày 14/9/2022",
    "ưu tiên, ơn, Ỹ, ỵ, ặ, ầ",
    "snake_case and English: to no in",
    unicodedata.normalize("NFD", "Quyền trẻ em (chữ tổ hợp)"),
]


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Quyền trẻ em", "quyen tre em"),
        ("QUYỀN TRẺ EM", "quyen tre em"),
        ("Đảng", "dang"),
        ("đăng, đang, dạng, đáng", "dang, dang, dang, dang"),
        ("Nghị quyết, ưu tiên, người", "nghi quyet, uu tien, nguoi"),
        (unicodedata.normalize("NFD", "Việt Nam"), "viet nam"),
    ],
)
def test_fold_removes_diacritics_and_maps_d_bar(text, folded):
    assert fold(text) == folded


def test_split_keeps_syllables_and_numbers():
    assert split_syllables("Quyết định 1079/QĐ-TTg: quyền_trẻ em") == [
        "Quyết", "định", "1079", "QĐ", "TTg", "quyền", "trẻ", "em"]
    assert split_syllables(unicodedata.normalize("NFD", "Quyền trẻ")) == ["Quyền", "trẻ"]


def test_no_vietnamese_syllable_is_dropped_as_an_english_stop_word():
    english, vietnamese = SearchEnglish({}), SearchVietnamese({})
    for word in ["to", "no", "in", "a", "em", "ở"]:
        assert vietnamese.word_filter(vietnamese.stem(word)), word
    assert not all(english.word_filter(word) for word in ["to", "no", "in"])  # the bug we fix
    assert vietnamese.stem("Đảng") == vietnamese.stem("dang") == "dang"


def run_node(script: str, payload: object) -> object:
    assert NODE, "node is required for the JavaScript tests (apt-get install nodejs)"
    harness = f"""
const vm = require("vm"), fs = require("fs");
const context = {{console, setTimeout}};
vm.createContext(context);
vm.runInContext(fs.readFileSync({json.dumps(str(QUERY_JS))}, "utf8"), context);
const payload = JSON.parse(fs.readFileSync(0, "utf8"));
context.payload = payload;
Promise.resolve(vm.runInContext({json.dumps(script)}, context))
  .then((result) => process.stdout.write(JSON.stringify(result)));
"""
    done = subprocess.run([NODE, "-e", harness], input=json.dumps(payload),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_javascript_folds_and_splits_like_python():
    result = run_node(
        "payload.map((text) => [splitQuery(text).map((w) => new Stemmer().stemWord(w)),"
        " foldVietnamese(text)])",
        SAMPLES,
    )
    expected = [[[fold(word) for word in split_syllables(text)], fold(text)] for text in SAMPLES]
    assert result == expected


def test_javascript_keeps_positions_when_folding():
    text = "Công ước về quyền trẻ em, Đảng"
    folded = run_node("foldKeepingPositions(payload)", text)
    assert len(folded) == len(text) and folded == "cong uoc ve quyen tre em, dang"


RANKING = """(async () => {
  const pages = payload.pages;
  let fetched = 0;
  globalThis.document = {documentElement: {dataset: {content_root: ""}}};
  globalThis.DOCUMENTATION_OPTIONS = {FILE_SUFFIX: ".html"};
  globalThis.fetch = async (url) => { fetched += 1; return {text: async () => pages[url]}; };
  globalThis.Search = {
    _index: {docnames: Object.keys(payload.titles), titles: Object.values(payload.titles),
             alltitles: {}},
    htmlToText: (html) => html,
  };
  const scores = {};
  let spellings = [];
  for (const query of payload.queries) {
    const results = Object.keys(payload.titles).map((doc) => [doc, "", "", null, 15, doc]);
    spellings = [...await rankPhrases(results, query)].sort();
    scores[query] = Object.fromEntries(results.map((r) => [r[0], r[4]]));
  }
  const before = fetched;
  await rankPhrases([["a", "", "", null, 15, "a"]], "dang");
  return {scores, spellings, fetchedForPlainWord: fetched - before};
})()"""


def test_phrase_outranks_scattered_syllables():
    """Sphinx scores both pages alike; the phrase bonus puts "trẻ em" together first."""
    payload = {
        "titles": {"phrase": "Một trang", "scattered": "Trang khác", "titled": "Quyền trẻ em"},
        "pages": {
            "phrase.html": "Công ước về quyền trẻ em được thông qua năm 1989.",
            "scattered.html": "Quyền của người lớn; trẻ nhỏ; em và anh.",
            "titled.html": "Công ước về quyền trẻ em.",
        },
        "queries": ["quyen tre em", "Quyền trẻ em"],
    }
    result = run_node(RANKING, payload)
    for query, scores in result["scores"].items():
        assert scores["titled"] > scores["phrase"] > scores["scattered"], (query, scores)
    # Typed with diacritics, an exact match earns a little more than the folded one.
    assert result["scores"]["Quyền trẻ em"]["phrase"] > result["scores"]["quyen tre em"]["phrase"]
    assert result["fetchedForPlainWord"] == 0  # a one-word query needs no page text
    assert result["spellings"] == ["em", "quyền", "trẻ"]  # to highlight in the results


def search_index(html) -> dict:
    text = (html / "searchindex.js").read_text(encoding="utf-8")
    return json.loads(text[len("Search.setIndex("):-1])


def test_built_index_holds_folded_vietnamese_syllables(book_html):
    index = search_index(book_html)
    terms = set(index["terms"]) | set(index["titleterms"])
    assert all(term == fold(term) for term in terms), "a term kept its diacritics"
    assert {"quyen", "con", "nguoi", "dang", "to", "no"} <= terms
    assert any(term.isdigit() for term in terms)
    language_data = (book_html / "_static" / "language_data.js").read_text(encoding="utf-8")
    assert "foldVietnamese" in language_data and "var stopwords = [];" in language_data


def answer_texts(bank_files) -> list[str]:
    """Text written for the exam bank: each question's stem and its explanation of the key.

    A correct option alone ("Tuyên ngôn thế giới về quyền con người") is often a title in
    the book, which teaches it: what must not leak is the question with its key.
    """
    texts = []
    for path in bank_files:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader) or {}
        for question in data.get("questions", []):
            texts += [str(question.get("stem", "")), str(question.get("explanation", ""))]
    return [text for text in texts if len(text.split()) >= 6]


def _phrase(text: str) -> str:
    return f" {fold(' '.join(split_syllables(text)))} "


def leaked(index: dict, texts: list[str]) -> list[str]:
    """The answer texts found in the index's texts (titles, section titles, entries).

    The term lists hold single syllables by construction, so they are left out.
    """
    sources = {key: value for key, value in index.items() if key not in {"terms", "titleterms"}}
    haystack = "\n".join(_phrase(s) for s in _strings(sources))
    return [text for text in texts if _phrase(text) in haystack]


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for key, item in value.items() for s in [key, *_strings(item)]]
    if isinstance(value, list | tuple):
        return [s for item in value for s in _strings(item)]
    return []


def test_leak_check_would_see_a_leak():
    texts = ["Chỉ thị 12-CT/TW ngày 12/7/1992 là văn kiện chuyên đề về quyền con người"]
    index = {"alltitles": {"Đáp án: chỉ thị 12-CT/TW ngày 12/7/1992 là văn kiện chuyên đề "
                           "về quyền con người.": []}}
    assert leaked(index, texts) == texts and leaked({"titles": ["Khác"]}, texts) == []


def test_search_index_holds_no_exam_answer(book_html):
    index = search_index(book_html)
    assert set(index["docnames"]) <= set(toc_files()), "a page outside the book is indexed"
    bank = ROOT / "quizzes" / "bank"
    files = sorted(bank.glob("*.yml")) + sorted(bank.glob("drafts/*.yml"))
    texts = answer_texts(files)
    if files:
        assert texts, f"no answer found in {len(files)} bank files: has the format changed?"
    assert not leaked(index, texts), leaked(index, texts)
