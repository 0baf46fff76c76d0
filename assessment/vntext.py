"""Vietnamese text: normalising, folding to ASCII keys, and reading legacy encodings.

Old offices still save CSV files in Windows-1258 (Excel's "CSV" on a Vietnamese Windows) or in
TCVN3 (ABC, the ``.VnTime`` fonts). Both are single-byte encodings, so any byte string "decodes"
in either; we only accept a guess when the decoded text is clearly well-formed Vietnamese.

>>> fold("  Mã cán bộ ")
'ma can bo'
>>> decode_legacy("Hä vµ tªn".encode("latin-1"))
('Họ và tên', 'TCVN3')
"""

from __future__ import annotations

import re
import unicodedata

# TCVN3 (ABC): byte → letter. Capital letters with tones used a separate font with the same
# codes, so they come back lower case; only the seven base capitals have their own codes.
_TCVN3_BYTES = (
    "µ¸¶·¹" "¨»¾¼½Æ" "©ÇÊÈÉË" "®ÌÐÎÏÑ" "ªÒÕÓÔÖ" "×ÝØÜÞ" "ßãáâä" "«åèæçé" "¬êíëìî" "ïóñòô"
    "\xadõøö÷ù" "úýûüþ" "¡¢§£¤¥¦"
)
_TCVN3_LETTERS = (
    "àáảãạ" "ăằắẳẵặ" "âầấẩẫậ" "đèéẻẽẹ" "êềếểễệ" "ìíỉĩị" "òóỏõọ" "ôồốổỗộ" "ơờớởỡợ" "ùúủũụ"
    "ưừứửữự" "ỳýỷỹỵ" "ĂÂĐÊÔƠƯ"
)
assert len(_TCVN3_BYTES) == len(_TCVN3_LETTERS) == 74
TCVN3_TABLE = {ord(b): c for b, c in zip(_TCVN3_BYTES, _TCVN3_LETTERS, strict=True)}

# Letters of the Vietnamese alphabet with every tone, in both cases.
_BASE_VOWELS = "aăâeêioôơuưy"
_TONES = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")
VIETNAMESE_LETTERS = frozenset(
    unicodedata.normalize("NFC", v + t)
    for base in _BASE_VOWELS
    for v in (base, base.upper())
    for t in _TONES
) | frozenset("đĐ") | frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")

# A syllable without its tone: onset, vowel cluster, coda. Permissive on purpose (names).
_SYLLABLE = re.compile(
    r"^(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx])?"
    r"(uyê|uya|uyu|iêu|yêu|oai|oay|oao|oeo|uây|uôi|ươi|ươu|"
    r"ai|ao|au|ay|âu|ây|eo|êu|ia|iê|iu|oa|oă|oe|oi|ôi|ơi|oo|ua|uâ|uê|ui|uô|uơ|ưa|ưi|ươ|ưu|"
    r"uy|yê|[aăâeêioôơuưy])"
    r"(ch|ng|nh|[cmnpt])?$"
)


def nfc(text: str) -> str:
    """Unicode NFC form: the same letter typed with or without combining marks compares equal."""
    return unicodedata.normalize("NFC", text)


def strip_marks(text: str) -> str:
    """Remove every diacritic: "Đơn vị" → "Don vi"."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold(text: str) -> str:
    """A loose key for matching what people type: no marks, lower case, single spaces.

    Underscores, hyphens and dots count as spaces, so "ma_can_bo" and "Mã cán bộ" match.
    """
    plain = strip_marks(nfc(str(text))).lower()
    return " ".join(re.sub(r"[_\-.:/*()]+", " ", plain).split())


def clean(text: object) -> str:
    """A cell's text as typed, NFC, with outer spaces and doubled inner spaces removed."""
    if text is None:
        return ""
    return " ".join(nfc(str(text)).split())


def _strip_tone(word: str) -> tuple[str, int]:
    """The word without tone marks, and how many tone marks it had."""
    decomposed = unicodedata.normalize("NFD", word)
    tones = sum(1 for c in decomposed if c in _TONES[1:])
    kept = "".join(c for c in decomposed if c not in _TONES[1:])
    return nfc(kept), tones


def is_vietnamese_word(word: str) -> bool:
    """True for a well-formed Vietnamese syllable (any case), e.g. "Nguyễn", "thị", "Hương"."""
    if not word or any(c not in VIETNAMESE_LETTERS for c in word):
        return False
    base, tones = _strip_tone(word.lower())
    return tones <= 1 and bool(_SYLLABLE.match(base))


def vietnamese_score(text: str) -> tuple[int, float]:
    """(words with a non-ASCII letter, share of them that are well-formed Vietnamese)."""
    words = [w for w in re.split(r"[\s,;\t\"'()\[\]/.\-:0-9]+", text) if w]
    marked = [w for w in words if not w.isascii()]
    if not marked:
        return 0, 0.0
    good = sum(1 for w in marked if is_vietnamese_word(w))
    return len(marked), good / len(marked)


def decode_tcvn3(data: bytes) -> str:
    """Decode TCVN3 (ABC) bytes; bytes outside the table keep their Latin-1 meaning."""
    return data.decode("latin-1").translate(TCVN3_TABLE)


def decode_cp1258(data: bytes) -> str:
    """Decode Windows-1258 (tones are separate combining marks) into NFC text."""
    return nfc(data.decode("cp1258", errors="replace"))


LEGACY_DECODERS = {"Windows-1258": decode_cp1258, "TCVN3": decode_tcvn3}

# How sure we must be: most marked words well formed in the winner, few in the loser.
MIN_WORDS = 3
MIN_GOOD = 0.9
MAX_OTHER = 0.6


def decode_legacy(data: bytes) -> tuple[str, str] | None:
    """Guess Windows-1258 or TCVN3 for bytes that are not UTF-8; None when it is not clear.

    Returns (text, encoding name) only when exactly one candidate reads as Vietnamese.
    """
    scored = []
    for name, decode in LEGACY_DECODERS.items():
        text = decode(data)
        count, share = vietnamese_score(text)
        scored.append((share, count, name, text))
    scored.sort(reverse=True)
    (best, count, name, text), (other, _, _, _) = scored
    if count >= MIN_WORDS and best >= MIN_GOOD and other <= MAX_OTHER:
        return text, name
    return None
