"""The features of our CRF tagger: syllable and word forms, shapes, the segmenter's word
boundaries, name-list matches, word clusters, and the cue words before runs of capitalised syllables."""
from __future__ import annotations

import functools
import re
from pathlib import Path

from ..names import gazetteer_tags, normalize_token, spells_vietnamese, syllables_of
from ..registry import Word

@functools.lru_cache(maxsize=200_000)
def _syllable_facts(syllable: str) -> tuple[str, str, bool, str]:
    """(lower-case form, shape, looks Vietnamese, short shape) of one syllable."""
    norm = normalize_token(syllable)
    lower = norm.lower()
    shape = "".join("X" if c.isupper() else "x" if c.islower() else "d" if c.isdigit() else c
                    for c in norm)
    short = re.sub(r"(.)\1+", r"\1", shape)
    return lower, shape if len(shape) <= 4 else short, spells_vietnamese(lower), short


def load_clusters(path: Path) -> dict[str, str]:
    """Lower-cased syllable to `coarse/fine` cluster ids, learned from unlabeled news."""
    if not Path(path).exists():
        return {}
    clusters = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        token, _, cluster = line.partition("\t")
        clusters[token] = cluster
    return clusters


# Words that head or precede a name and say what kind it is (lower case, syllables spaced). A
# capitalised run of syllables gets the class of the cue just before it and of its own first words:
# `công ty cổ phần Vinamilk`, `Ngân hàng Nhà nước`, `tỉnh Quảng Nam`, `ca sĩ Mỹ Tâm`.
CUES = {
    "ORG": """công ty|tập đoàn|tổng công ty|ngân hàng|bộ|sở|ủy ban|ubnd|hđnd|trường|đại học|học viện|báo|
        tờ báo|đài|viện|hội|hiệp hội|liên đoàn|câu lạc bộ|clb|đội|đội tuyển|đảng|quỹ|bệnh viện|ban|cục|tổng cục|
        chi cục|phòng|tòa án|tand|viện kiểm sát|vks|vksnd|công an|ctcp|tnhh|cổ phần|hãng|trung tâm|
        nhà máy|xí nghiệp|tổ chức|liên minh|hợp tác xã|htx|doanh nghiệp|startup|nhà băng|nhóm|tòa soạn|
        tạp chí|đài truyền hình|kênh|mặt trận|đoàn|chi nhánh|văn phòng|quân đội|quân khu|bộ tư lệnh|
        sư đoàn|lữ đoàn|trung đoàn|tiểu đoàn|thông tấn xã|ttxvn|hãng tin|cơ quan|nhà xuất bản|nxb|
        tổng liên đoàn|ủy ban nhân dân|hội đồng|tỉnh ủy|thành ủy|huyện ủy|quốc hội|chính phủ|group|corp|inc|
        jsc|bank|university|club|fc""",
    "LOC": """tỉnh|thành phố|tp|tp.|huyện|quận|xã|phường|thị xã|thị trấn|thôn|ấp|bản|làng|xóm|khu|sông|
        núi|hồ|biển|vịnh|đảo|đường|phố|ngõ|hẻm|cầu|chợ|sân bay|cảng|nước|quốc gia|thủ đô|miền|vùng|châu|
        bang|đèo|suối|eo biển|quần đảo|thung lũng|cao nguyên|đồng bằng|khu vực|địa bàn|quê|
        tại|ở|đến|từ|sang|về""",
    "PER": """ông|bà|anh|chị|em|cô|chú|bác|cháu|cụ|bé|cậu|mợ|dì|thím|ngài|chủ tịch|giám đốc|tổng giám đốc|
        bộ trưởng|thứ trưởng|thủ tướng|tổng thống|phó|trưởng|ca sĩ|nghệ sĩ|nhạc sĩ|họa sĩ|nhà văn|nhà thơ|
        cầu thủ|hlv|huấn luyện viên|tiền vệ|tiền đạo|hậu vệ|thủ môn|võ sĩ|vđv|vận động viên|bác sĩ|bs|
        giáo sư|gs|ts|tiến sĩ|pgs|thạc sĩ|ths|luật sư|ls|đại tá|thượng tá|trung tá|thiếu tá|đại úy|
        thượng úy|trung úy|thiếu úy|tướng|trung tướng|thiếu tướng|đại tướng|thượng tướng|đồng chí|
        bị cáo|bị can|nghi phạm|đối tượng|chồng|vợ|con|mẹ|cha|bố|ceo|sếp|nhà sáng lập|tỷ phú|tỉ phú|
        doanh nhân|phóng viên|pv|người phát ngôn""",
}
_CUES = {tuple(normalize_token(c.strip()).split()): label for label, text in CUES.items()
         for c in text.split("|") if c.strip()}
_CUE_MAX = max(len(c) for c in _CUES)


def _cue_at_end(lowers: list[str], end: int) -> tuple[str, str]:
    """The longest cue word that ends just before syllable `end`: (class, the cue) or ('', '')."""
    for length in range(min(_CUE_MAX, end), 0, -1):
        cue = tuple(lowers[end - length:end])
        if cue in _CUES:
            return _CUES[cue], "_".join(cue)
    return "", ""


def _cue_at_start(lowers: list[str], start: int, stop: int) -> str:
    """Class of the longest cue word that starts at syllable `start` and ends by `stop`."""
    for length in range(min(_CUE_MAX, stop - start), 0, -1):
        cue = tuple(lowers[start:start + length])
        if cue in _CUES:
            return _CUES[cue]
    return ""


def _capital_runs(texts: list[str]) -> list[tuple[int, int] | None]:
    """For each syllable, the (start, end) of the run of capitalised syllables it is in."""
    runs: list[tuple[int, int] | None] = [None] * len(texts)
    i = 0
    while i < len(texts):
        if texts[i][:1].isupper() or (texts[i][:1].isdigit() and any(c.isalpha() for c in texts[i])):
            j = i
            while j + 1 < len(texts) and (texts[j + 1][:1].isupper() or texts[j + 1][:1].isdigit()):
                j += 1
            for k in range(i, j + 1):
                runs[k] = (i, j + 1)
            i = j + 1
        else:
            i += 1
    return runs


def sentence_features(sentence: str, words: list[Word], gazetteer: dict[tuple[str, ...], str],
                      clusters: dict[str, str], context: dict[tuple[str, ...], str] | None = None,
                      learned: dict[tuple[str, ...], str] | None = None, version: int = 1
                      ) -> tuple[list[tuple[int, int]], list[list[str]]]:
    """Syllable spans of the sentence and the CRF features of each syllable.

    Only surface evidence available at run time: syllable and word forms, shapes, the word
    boundaries the segmenter found, gazetteer matches, word clusters, cue words before runs of
    capitalised syllables (`CUES`) and, when given, the names found in the rest of the document
    (`context`, name syllables -> label). No POS, so the model does not depend on one tagger's tag set.
    `version` 2 (models/ner-unseen) adds the typed names learned from unlabeled text (`learned`),
    2- and 4-character affixes of foreign syllables and every cluster granularity; version 1 is the
    feature set of the default model (models/ner).
    """
    syllables = syllables_of(sentence, words)
    texts = [normalize_token(sentence[s:e]) for s, e, _, _ in syllables]
    facts = [_syllable_facts(t) for t in texts]
    word_forms = {}
    for (s, e, w, _), text in zip(syllables, texts):
        word_forms.setdefault(w, []).append(text)
    word_lower = {w: "_".join(parts).lower() for w, parts in word_forms.items()}
    word_order = sorted(word_forms)
    word_rank = {w: r for r, w in enumerate(word_order)}
    gaz = gazetteer_tags(texts, gazetteer)
    doc = gazetteer_tags(texts, context) if context else None
    known = gazetteer_tags(texts, learned) if learned else None
    n = len(syllables)
    lowers = [f[0] for f in facts]
    runs = _capital_runs(texts)
    run_facts: dict[tuple[int, int], list[str]] = {}
    for run in set(r for r in runs if r):
        start, end = run
        cue_class, cue = _cue_at_end(lowers, start)
        if not cue_class:  # a cue a word further back: `công ty cổ phần X`, `ông Phó chủ tịch X`
            for back in range(1, 4):
                cue_class, cue = _cue_at_end(lowers, start - back) if start - back > 0 else ("", "")
                if cue_class:
                    cue = f"{cue}+{back}"
                    break
        head = _cue_at_start(lowers, start, end)
        length = min(end - start, 5)
        run_facts[run] = [f"rcue={cue_class}", f"rcw={cue}", f"rhead={head}", f"rhead|len={head}|{length}",
                          f"rcue|head={cue_class}|{head}", f"rfirst={lowers[start]}", f"rlast={lowers[end - 1]}",
                          f"rcue|first={cue_class}|{int(start == 0)}"]

    def lower(i: int) -> str:
        return facts[i][0] if 0 <= i < n else ("<s>" if i < 0 else "</s>")

    features = []
    for i, (_, _, w, place) in enumerate(syllables):
        low, shape, vietnamese, short = facts[i]
        rank = word_rank[w]
        word = word_lower[w]
        prev_word = word_lower[word_order[rank - 1]] if rank > 0 else "<s>"
        next_word = word_lower[word_order[rank + 1]] if rank + 1 < len(word_order) else "</s>"
        prev2 = word_lower[word_order[rank - 2]] if rank > 1 else "<s>"
        next2 = word_lower[word_order[rank + 2]] if rank + 2 < len(word_order) else "</s>"
        row = [
            "bias", f"s={low}", f"sh={shape}", f"wp={place}", f"w={word}", f"vn={int(vietnamese)}",
            f"s-1={lower(i - 1)}", f"s+1={lower(i + 1)}", f"s-2={lower(i - 2)}", f"s+2={lower(i + 2)}",
            f"s-1|s={lower(i - 1)}|{low}", f"s|s+1={low}|{lower(i + 1)}",
            f"s-2|s-1={lower(i - 2)}|{lower(i - 1)}", f"s+1|s+2={lower(i + 1)}|{lower(i + 2)}",
            f"w-1={prev_word}", f"w+1={next_word}", f"w-2={prev2}", f"w+2={next2}",
            f"w-1|w={prev_word}|{word}", f"w|w+1={word}|{next_word}",
            f"wshape={'_'.join(_syllable_facts(t)[3] for t in word_forms[w])}",
            f"gz={gaz[i]}", f"gz-1={gaz[i - 1] if i else '<s>'}", f"gz+1={gaz[i + 1] if i + 1 < n else '</s>'}",
            f"gz|sh={gaz[i]}|{short}", f"gz|first={gaz[i]}|{int(i == 0)}",
        ]
        if i == 0:
            row.append("first")
        if not vietnamese and len(low) > 3:
            row += [f"p3={low[:3]}", f"x3={low[-3:]}"]
            if version >= 2:
                row += [f"p2={low[:2]}", f"x2={low[-2:]}"]
                if len(low) > 4:
                    row += [f"p4={low[:4]}", f"x4={low[-4:]}"]
        if known is not None and version >= 2:
            row += [f"ln={known[i]}", f"ln|sh={known[i]}|{short}", f"ln|gz={known[i]}|{gaz[i]}"]
        for d in (-1, 1):
            j = i + d
            if 0 <= j < n:
                row.append(f"sh{d:+d}={facts[j][3]}")
                row.append(f"vn{d:+d}={int(facts[j][2])}")
        run = runs[i]
        if run:
            start, end = run
            place_in_run = "S" if end - start == 1 else "B" if i == start else "E" if i == end - 1 else "I"
            row += [f"{fact}|{place_in_run}" for fact in run_facts[run]]
        else:
            row.append("norun")
        if doc is not None and doc[i] != "O":
            row += [f"dc={doc[i]}", f"dc|sh={doc[i]}|{short}", f"dc|gz={doc[i]}|{gaz[i]}"]
        cluster = clusters.get(low)
        if cluster and version >= 2:  # `coarse/.../fine` ids: one feature per granularity
            levels = cluster.split("/")
            row += [f"c={cluster}", *(f"c{k}={level}" for k, level in enumerate(levels[:-1]))]
        elif cluster:
            row += [f"c={cluster}", f"cc={cluster.partition('/')[0]}"]
        for d in (-1, 1):
            neighbour = clusters.get(lower(i + d)) if clusters else None
            if neighbour:
                row.append(f"c{d:+d}={neighbour}")
                if version >= 2:
                    row.append(f"cc{d:+d}={neighbour.partition('/')[0]}")
        features.append(row)
    return [(s, e) for s, e, _, _ in syllables], features


