"""Who wrote, supplied or photographed an article, where crawled text glues it in: a wire credit
after the last sentence (`... chiều nay. TTXVN/Tin Tức`), a source line (`Theo GĐVN`, `Nguồn:
VnExpress`), a photo credit inside a caption (`Ảnh: H.N`). They are metadata, not article text:
normalize lists them in `credits` and leaves them out of the text the later stages analyse.

And the copyright notices that crawled pages glue into a line of text (`© 2017 Báo X. Ghi rõ nguồn
khi phát hành lại`): found as sentences that begin like one, so that only the notice goes, never
the sentences around it (`... không ghi rõ nguồn gốc xuất xứ` is article text).
"""
from __future__ import annotations

import re

_AGENCIES = r"TTXVN|TTXVN/[^\s.]+(?: [^\s.]+){0,2}|VNA|AFP|AP|Reuters|Xinhua|AP/Reuters|AFP/TTXVN|PV|CTV|BTV"
_UPPER = "A-ZĐÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴ"
_NAME = rf"[{_UPPER}][\w.'&/-]*(?: [{_UPPER}][\w.'&/-]*){{0,5}}"
# A whole line that is only a credit.
CREDIT_LINE = re.compile(
    r"^(?:\(\s*)?(?:"
    rf"(?:{_AGENCIES})(?:\s*[-–,]\s*(?:{_AGENCIES}))*"
    rf"|Theo\s+[{_UPPER}][^.!?(),:;]{{0,40}}?(?:\s*\([^()]{{1,30}}\))?"
    r"|(?:Nguồn|Nguồn tin|Nguồn ảnh|Nguồn gốc)\s*:\s*[^.!?()]{1,60}?"
    r"|(?:Ảnh|Ảnh minh họa|Ảnh minh hoạ|Ảnh tư liệu|Video|Clip|Đồ họa|Đồ hoạ|Infographic|Tác giả|Bài và ảnh|"
    r"Bài, ảnh|Thực hiện|Phóng viên|Biên tập)\s*:\s*[^!?()]{1,60}?"
    r")\s*(?:\))?\s*[.]?$")
# A photo credit inside a line: `Ảnh: H.N`, `(Ảnh: Reuters)`.
_PHOTO = r"(?:Ảnh|Ảnh minh họa|Ảnh minh hoạ|Ảnh tư liệu|Nguồn ảnh|Video|Clip|Đồ họa|Đồ hoạ)"
INLINE_PHOTO = re.compile(rf"\(\s*{_PHOTO}\s*:\s*[^()]{{1,50}}\)|(?<![\w(]){_PHOTO}\s*:\s*(?P<name>{_NAME})")
# A credit after the last sentence of a line: `... chiều nay. TTXVN/Tin Tức`, `... (Theo GĐVN)`.
TRAILING = re.compile(rf"(?<=[.!?…\"”])\s+(?P<credit>\(?(?:{_AGENCIES}|Theo\s+{_NAME}|Nguồn\s*:\s*[^.!?]{{1,60}})\)?\.?)\s*$")
# Sentences that are copyright notices: by how they begin, or by a © or `all rights reserved` anywhere.
NOTICE_START = re.compile(r"(?i)(?:nghiêm\s+)?cấm\s+sao\s+chép|ghi\s+rõ\s+nguồn(?!\s+gốc)|copyright\b|\(c\)\s?\d{4}"
                          r"|bản\s+quyền\s+(?:thuộc|©|\(c\)|\d{4}|nội dung|bài viết|tin bài)")
NOTICE_ANYWHERE = re.compile(r"©|(?i:all rights reserved|mọi quyền được bảo lưu)")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=\S)")


def is_credit_line(text: str) -> bool:
    """Whether a whole line is a credit: `TTXVN/Tin Tức`, `Theo GĐVN`, `(Ảnh: Reuters)`."""
    return len(text) <= 80 and CREDIT_LINE.match(text) is not None


def credit_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of the credits inside a line: photo credits, and a credit after its last
    sentence. A photo credit's name that runs into the next sentence stops before it: in
    `Ảnh: H.N Giai đoạn hai` the name is `H.N` (a capitalised word followed by lower-case words
    starts a sentence)."""
    spans = []
    for match in INLINE_PHOTO.finditer(text):
        end = match.end()
        if match.group("name"):
            end = match.start("name") + _name_length(match.group("name"), text[match.end():])
        spans.append((match.start(), end))
    trailing = TRAILING.search(text)
    if trailing and not any(start <= trailing.start("credit") < end for start, end in spans):
        spans.append((trailing.start("credit"), trailing.end("credit")))
    return sorted(spans)


def _name_length(name: str, after: str) -> int:
    words = name.split(" ")
    if len(words) > 1 and after[:1] == " " and after[1:2].islower():
        words = words[:-1]  # the last capitalised word begins the sentence that follows
    if "." in words[0] or words[0].isupper():
        words = words[:1]  # an abbreviation (`H.N`, `TTXVN`) is the whole name
    return len(" ".join(words))


def notice_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of the copyright notices inside a line of several sentences: each sentence that
    begins like a notice or holds a ©, to the end of that sentence."""
    starts = [0, *(match.end() for match in _SENTENCE_END.finditer(text))]
    ends = [*(start for start in starts[1:]), len(text)]
    spans = []
    for start, end in zip(starts, ends):
        sentence = text[start:end].rstrip()
        if NOTICE_START.match(sentence) or NOTICE_ANYWHERE.search(sentence):
            spans.append((start, start + len(sentence)))
    return spans
