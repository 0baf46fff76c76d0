"""Vietnamese full-text search for the HTML site (Sphinx search language ``vi``).

Sphinx has no Vietnamese search language and falls back to English: the English
stemmer and stop words run on Vietnamese text ("to", "no", "in" are Vietnamese words
too) and nothing folds diacritics, so "quyen tre em" finds nothing. This extension
registers a language for ``language: vi`` that:

- splits text into syllables (letters and digits; numbers are kept: "1079");
- folds each syllable for the index: lower case, diacritics removed, and ``đ`` mapped
  to ``d`` explicitly (Unicode decomposition leaves ``đ`` alone):
  ``fold("Quyền Trẻ Em Đảng") == "quyen tre em dang"``;
- has no stop words (a Vietnamese syllable is never dropped).

The query side lives in ``vi_search.js`` (next to this file) and is embedded in
``language_data.js`` as the language's "stemmer" code: the same folding, the same
splitting, and a small ranking step that puts pages where the query's syllables
stand together as a phrase above pages where they are scattered (see that file).
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.search import SearchLanguage

# Letters and digits only: "_" and punctuation separate syllables, as in the JS splitter.
SYLLABLE = re.compile(r"[^\W_]+")
QUERY_JS = Path(__file__).with_name("vi_search.js")


def fold(text: str) -> str:
    """Lower-case ``text`` and remove Vietnamese diacritics; ``đ`` becomes ``d``.

    >>> fold("Chủ trương của Đảng")
    'chu truong cua dang'
    """
    lowered = text.lower().replace("đ", "d")
    decomposed = unicodedata.normalize("NFD", lowered)
    return "".join(char for char in decomposed if unicodedata.category(char) != "Mn")


def split_syllables(text: str) -> list[str]:
    """Split text into syllables and numbers, keeping their diacritics.

    >>> split_syllables("Quyết định 1079/QĐ-TTg: quyền trẻ em")
    ['Quyết', 'định', '1079', 'QĐ', 'TTg', 'quyền', 'trẻ', 'em']
    """
    return SYLLABLE.findall(unicodedata.normalize("NFC", text))


class SearchVietnamese(SearchLanguage):
    """Search language ``vi``: syllables folded to plain ASCII-like letters."""

    lang = "vi"
    language_name = "Vietnamese"
    stopwords: set[str] = set()
    js_stemmer_code = QUERY_JS.read_text(encoding="utf-8")

    def split(self, input: str) -> list[str]:
        return split_syllables(input)

    def stem(self, word: str) -> str:
        return fold(word)

    def word_filter(self, word: str) -> bool:
        """Keep every syllable: short ones ("em", "ở", "và") carry meaning."""
        return bool(word)


def setup(app: Sphinx) -> dict:
    app.add_search_language(SearchVietnamese)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
