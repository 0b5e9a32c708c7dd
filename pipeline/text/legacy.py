"""Vietnamese text in the legacy 8-bit encodings of the 1990s and 2000s: TCVN3 (ABC), VNI-Windows,
VISCII and Windows-1258, found by trying each and keeping the one that reads as Vietnamese.

No maintained Python library decodes these, so the tables are here. VISCII and TCVN3 come from the
GNU C library's charmaps (VISCII, TCVN5712-1); the VNI-Windows marks from OpenKey's code tables;
Windows-1258 is Python's own `cp1258` codec (tone marks stay combining; normalize composes them).
"""
from __future__ import annotations

import codecs
import re
import unicodedata

TCVN3, VNI, VISCII, CP1258 = "tcvn3", "vni-windows", "viscii", "windows-1258"
ENCODINGS = (TCVN3, VNI, VISCII, CP1258)

# Byte -> character, 256 entries each. TCVN3 is the TCVN 5712:1993 table as the ABC fonts use it:
# their capitals with tones are a font switch, not codes, so 0x80-0x9f keep their Windows-1252
# meaning (curly quotes, dashes) where it has one.
_ASCII = "".join(map(chr, range(0x20, 0x80)))  # bytes 0x20-0x7f are ASCII in both tables
_VISCII = (
    "\x00\x01\u1eb2\x03\x04\u1eb4\u1eaa\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f"
    "\x10\x11\x12\x13\u1ef6\x15\x16\x17\x18\u1ef8\x1a\x1b\x1c\x1d\u1ef4\x1f"
    + _ASCII +
    "\u1ea0\u1eae\u1eb0\u1eb6\u1ea4\u1ea6\u1ea8\u1eac\u1ebc\u1eb8\u1ebe\u1ec0\u1ec2\u1ec4\u1ec6\u1ed0"
    "\u1ed2\u1ed4\u1ed6\u1ed8\u1ee2\u1eda\u1edc\u1ede\u1eca\u1ece\u1ecc\u1ec8\u1ee6\u0168\u1ee4\u1ef2"
    "\xd5\u1eaf\u1eb1\u1eb7\u1ea5\u1ea7\u1ea9\u1ead\u1ebd\u1eb9\u1ebf\u1ec1\u1ec3\u1ec5\u1ec7\u1ed1"
    "\u1ed3\u1ed5\u1ed7\u1ee0\u01a0\u1ed9\u1edd\u1edf\u1ecb\u1ef0\u1ee8\u1eea\u1eec\u01a1\u1edb\u01af"
    "\xc0\xc1\xc2\xc3\u1ea2\u0102\u1eb3\u1eb5\xc8\xc9\xca\u1eba\xcc\xcd\u0128\u1ef3"
    "\u0110\u1ee9\xd2\xd3\xd4\u1ea1\u1ef7\u1eeb\u1eed\xd9\xda\u1ef9\u1ef5\xdd\u1ee1\u01b0"
    "\xe0\xe1\xe2\xe3\u1ea3\u0103\u1eef\u1eab\xe8\xe9\xea\u1ebb\xec\xed\u0129\u1ec9"
    "\u0111\u1ef1\xf2\xf3\xf4\xf5\u1ecf\u1ecd\u1ee5\xf9\xfa\u0169\u1ee7\xfd\u1ee3\u1eee"
)
_TCVN3 = (
    "\x00\xda\u1ee4\x03\u1eea\u1eec\u1eee\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f"
    "\x10\u1ee8\u1ef0\u1ef2\u1ef6\u1ef8\xdd\u1ef4\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f"
    + _ASCII +
    "\u20ac\u1ea2\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\xcc\u017d\u0128"
    "\xcd\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\xd9\u017e\u0178"
    "\xa0\u0102\xc2\xca\xd4\u01a0\u01af\u0110\u0103\xe2\xea\xf4\u01a1\u01b0\u0111\u1eb0"
    "\u0300\u0309\u0303\u0301\u0323\xe0\u1ea3\xe3\xe1\u1ea1\u1eb2\u1eb1\u1eb3\u1eb5\u1eaf\u1eb4"
    "\u1eae\u1ea6\u1ea8\u1eaa\u1ea4\u1ec0\u1eb7\u1ea7\u1ea9\u1eab\u1ea5\u1ead\xe8\u1ec2\u1ebb\u1ebd"
    "\xe9\u1eb9\u1ec1\u1ec3\u1ec5\u1ebf\u1ec7\xec\u1ec9\u1ec4\u1ebe\u1ed2\u0129\xed\u1ecb\xf2"
    "\u1ed4\u1ecf\xf5\xf3\u1ecd\u1ed3\u1ed5\u1ed7\u1ed1\u1ed9\u1edd\u1edf\u1ee1\u1edb\u1ee3\xf9"
    "\u1ed6\u1ee7\u0169\xfa\u1ee5\u1eeb\u1eed\u1eef\u1ee9\u1ef1\u1ef3\u1ef7\u1ef9\xfd\u1ef5\u1ed0"
)

# VNI-Windows writes a toned vowel as its base letter and one mark byte (read here through
# Windows-1252): `Vieät` is Việt. Lower-case and capital marks are different bytes.
_VNI_MARKS = {  # mark byte (lower, capital) -> combining marks it stands for
    "ùÙ": "\u0301", "øØ": "\u0300", "ûÛ": "\u0309", "õÕ": "\u0303", "ïÏ": "\u0323",
    "âÂ": "\u0302", "áÁ": "\u0302\u0301", "àÀ": "\u0302\u0300", "åÅ": "\u0302\u0309",
    "ãÃ": "\u0302\u0303", "äÄ": "\u0302\u0323",
    "êÊ": "\u0306", "éÉ": "\u0306\u0301", "èÈ": "\u0306\u0300", "úÚ": "\u0306\u0309",
    "üÜ": "\u0306\u0303", "ëË": "\u0306\u0323",
}
# Letters that are one byte: đ, ơ and ư (which still take a tone mark after them) and toned i / ỵ.
_VNI_SINGLE = {"ñ": "đ", "Ñ": "Đ", "ô": "ơ", "Ô": "Ơ", "ö": "ư", "Ö": "Ư", "æ": "ỉ", "Æ": "Ỉ",
               "ó": "ĩ", "Ó": "Ĩ", "ò": "ị", "Ò": "Ị", "î": "ỵ", "Î": "Ỵ"}


def _vni_table() -> dict[str, str]:
    table = dict(_VNI_SINGLE)
    for base in "aeouyAEOUYôöÔÖ":
        letter = _VNI_SINGLE.get(base, base)
        for marks, combining in _VNI_MARKS.items():
            if combining[0] == "\u0302" and letter.lower() not in "aeo":
                continue  # only â, ê, ô take a circumflex
            if combining[0] == "\u0306" and letter.lower() != "a":
                continue  # only ă takes a breve
            for mark in marks:
                table[base + mark] = unicodedata.normalize("NFC", letter + combining)
    return table


_VNI = _vni_table()
_VNI_PATTERN = re.compile("|".join(sorted(map(re.escape, _VNI), key=len, reverse=True)))
# Windows-1252, with its five undefined bytes read as Latin-1 so that no byte is lost.
_WINDOWS_1252 = "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in range(256))
_LATIN1_TO_1252 = {b: c for b, c in enumerate(_WINDOWS_1252) if chr(b) != c}

_TABLES = {TCVN3: codecs.charmap_build(_TCVN3), VISCII: codecs.charmap_build(_VISCII)}


def decode_legacy(data: bytes, encoding: str) -> str:
    """`data` read as one of ENCODINGS. Windows-1258 and TCVN3 may leave combining tone marks."""
    if encoding == CP1258:
        return data.decode("cp1258", errors="replace")
    if encoding == VNI:
        return _VNI_PATTERN.sub(lambda m: _VNI[m.group()], data.decode("latin-1").translate(_LATIN1_TO_1252))
    return codecs.charmap_decode(data, "strict", {TCVN3: _TCVN3, VISCII: _VISCII}[encoding])[0]



def encode_legacy(text: str, encoding: str) -> bytes:
    """`text` written in a legacy encoding (for tests and for making samples)."""
    if encoding == CP1258:
        return _encode_cp1258(text)
    if encoding == VNI:
        inverse = {composed: pair for pair, composed in _VNI.items()
                   if pair[-1].islower() == composed.islower() or len(pair) == 1}
        return "".join(inverse.get(c, c) for c in unicodedata.normalize("NFC", text)).encode("cp1252")
    if encoding == TCVN3:
        # ABC fonts write a toned capital with the lower-case code in a capitals font (.VnTimeH),
        # so the bytes only say `ệ`: that is what real TCVN3 files hold.
        text = "".join(c if c.lower() == c or _encodable(c) else c.lower() for c in unicodedata.normalize("NFC", text))
    return codecs.charmap_encode(unicodedata.normalize("NFC", text), "strict", _TABLES[encoding])[0]


def _encodable(char: str) -> bool:
    return char in _TCVN3


_TONES = "\u0300\u0301\u0303\u0309\u0323"


def _encode_cp1258(text: str) -> bytes:
    out = bytearray()
    for char in unicodedata.normalize("NFC", text):
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            # A toned letter: its base (maybe with a circumflex, breve or horn) and a combining tone.
            marks = unicodedata.normalize("NFD", char)
            tone = next(mark for mark in marks if mark in _TONES)
            out += unicodedata.normalize("NFC", marks.replace(tone, "")).encode("cp1258") + tone.encode("cp1258")
    return bytes(out)


# -- detection -------------------------------------------------------------------------------------

_TONED = "àáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
_VOWELS = "aăâeêioôơuưy" + _TONED
# A Vietnamese syllable: onset, one to three vowels, coda. Written lower-case, NFC.
_SYLLABLE = re.compile(f"(?:ngh|ng|nh|ch|gh|gi|kh|ph|th|tr|qu|[bcdđghklmnpqrstvx])?[{_VOWELS}]{{1,3}}"
                       "(?:ch|ng|nh|[cmnpt])?")
_WORD = re.compile(r"[^\W\d_]+")
_TONED_SET = frozenset(_TONED)
MIN_SCORE = 0.9


def vietnamese_score(text: str) -> tuple[float, int]:
    """(share of words with letters beyond ASCII that are well-formed Vietnamese syllables, how many
    such words there are). Text read in the wrong encoding has words like `Vieät` or `Hµ`."""
    sample = unicodedata.normalize("NFC", text[:20000]).lower()
    good = total = 0
    for word in _WORD.findall(sample):
        if word.isascii():
            continue
        total += 1
        if _SYLLABLE.fullmatch(word) and sum(c in _TONED_SET for c in word) <= 1:
            good += 1
    return (good / total if total else 0.0), total


def detect_legacy(data: bytes) -> tuple[str, str] | None:
    """(text, encoding) if `data` reads as Vietnamese in one of the legacy encodings, else None.

    Each encoding is tried; the one whose words are best-formed Vietnamese wins if at least
    MIN_SCORE of its accented words are real syllables (a handful of words are not evidence)."""
    best: tuple[float, int, str, str] | None = None
    for encoding in ENCODINGS:
        try:
            text = decode_legacy(data, encoding)
        except UnicodeDecodeError:
            continue
        score, words = vietnamese_score(text)
        if best is None or (score, words) > best[:2]:
            best = (score, words, text, encoding)
    if best is None or best[0] < MIN_SCORE or best[1] < 3:
        return None
    return best[2], best[3]


# Characters that Vietnamese text does not use but legacy text read as Windows-1252 is full of.
_MOJIBAKE = re.compile("[\u00a7\u00a8\u00ab\u00ad\u00b5-\u00b9\u00c4-\u00c6\u00cb\u00cf\u00d1\u00d6\u00d8\u00db"
                       "\u00dc\u00e4-\u00e6\u00eb\u00ef\u00f1\u00f6\u00f8\u00fb\u00fc]")


def repair_mojibake(text: str) -> tuple[str, str] | None:
    """(text, encoding) if `text` is legacy Vietnamese already read as Windows-1252 or Latin-1
    (`Hµ Néi`, `Vieät Nam`), else None. Text with no such characters costs one regex search."""
    if not _MOJIBAKE.search(text, 0, 20000):
        return None
    score, words = vietnamese_score(text)
    if score >= MIN_SCORE or not words:
        return None
    try:
        data = text.encode("cp1252")
    except UnicodeEncodeError:
        try:
            data = text.encode("latin-1")
        except UnicodeEncodeError:
            return None  # characters beyond any 8-bit code page: not a mis-read legacy file
    found = detect_legacy(data)
    return found if found and vietnamese_score(found[0])[0] > score else None


def with_mojibake_repaired(text: str, encoding: str) -> tuple[str, str]:
    """(text, encoding) of a decoded file, legacy Vietnamese inside it converted: `utf-8 (tcvn3)`."""
    found = repair_mojibake(text)
    return (found[0], f"{encoding} ({found[1]})") if found else (text, encoding)
