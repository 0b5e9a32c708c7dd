"""A near-duplicate benchmark built from VNTC: a corpus with gold pairs, then the dedup stage run
over it and scored with `vnpipe eval dedup`.

    python benchmarks/dedup_pairs.py --out runs/dedup-bench            # seed 2: the figures in the README
    python benchmarks/dedup_pairs.py --out runs/dedup-dev --seed 1 --sweep   # seed 1: how the defaults were chosen

The corpus (OUT/corpus/bench.jsonl, one article a line with `id`, `kind`, `text`) holds
* base articles from VNTC and, for each, copies made by one realistic edit (kind):
  `header-footer` (another site's header, breadcrumb, byline, related headlines, footer),
  `paragraph-dropped`, `paragraph-added` (a paragraph of another article of the topic: an update),
  `sentence-rewritten` (two sentences reworded), `numbers-updated` (the figures of a later
  version), `tone-style` (classic tone marks: `hòa` for `hoà`), `nfd` (decomposed Unicode),
  `republished` (header and footer, a sentence reworded and the numbers updated, together), and
  `wire-copies` (one story on three other sites: clusters of four);
* hard negatives, never duplicates: `same-event` (two different VNTC articles of one topic with
  the highest word overlap, TF-IDF cosine, among those that share no passage), `same-template`
  (a price report, a match report, an admission notice and a site's page template, each filled
  with other figures, names and a different article paragraph);
* 2,000 other VNTC articles as distractors.
The pool leaves out every VNTC article that shares a passage with another (10 or more rare
8-word runs), so that the only duplicates in the corpus are the ones made here (VNTC's own are
counted by benchmarks/dedup_vntc.py). The gold file OUT/gold.tsv lists the duplicate pairs and the
hard negatives, in the format of `vnpipe eval dedup`.
"""
from __future__ import annotations

import argparse
import json
import random
import re
import subprocess
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
VNTC = ROOT.parent / "shared" / "corpora" / "vntc"
sys.path.insert(0, str(ROOT))

from pipeline.text.vietnamese import CLASSIC, apply_tone_style  # noqa: E402

KINDS = ("header-footer", "paragraph-dropped", "paragraph-added", "sentence-rewritten", "numbers-updated",
         "tone-style", "nfd", "republished")
PER_KIND, WIRE_STORIES, SAME_EVENT, PER_TEMPLATE, DISTRACTORS = 40, 40, 150, 30, 2000

SITES = [  # (header lines, footer lines) of other sites, as crawled pages have them
    (["Trang chủ » Tin tức » {topic}", "Báo Điện tử Đất Việt - Cập nhật lúc {time} ngày {date}", "Chia sẻ | In bài | Gửi email"],
     ["{author}", "Theo TTXVN", "Tin liên quan:", "{related}", "© Bản quyền thuộc về Báo Điện tử Đất Việt. Ghi rõ nguồn khi phát hành lại thông tin từ website này."]),
    (["VIETBAO.VN", "{topic} | {date} {time} GMT+7", "Cỡ chữ: A A A"],
     ["({author})", "Nguồn: Tiền Phong", "Bạn đọc bình luận (0) | Gửi bình luận", "Các tin khác:", "{related}", "Tòa soạn: 123 Lò Đúc, Hà Nội. Điện thoại: (04) 3821 1234"]),
    (["Tin mới cập nhật", "{date} - {time}", "{topic} » Trong nước"],
     ["{author} (tổng hợp)", "Xem thêm:", "{related}", "Đăng ký nhận bản tin | Liên hệ quảng cáo | RSS", "Copyright © 2007 Báo Sài Gòn Giải Phóng Online"]),
    (["24H.COM.VN | Thứ Sáu, {date}", "Tin tức {topic}"],
     ["Theo {author} (Dân Trí)", "Ý kiến của bạn về bài viết này:", "Bài cùng chuyên mục:", "{related}", "Bản quyền © 2007 24H. Cấm sao chép dưới mọi hình thức."]),
]
AUTHORS = ["Minh Anh", "Thanh Hà", "Quốc Việt", "Lê Hoàng", "Ngọc Mai", "Đức Trung", "Phương Thảo", "Hữu Nghĩa"]
REWORDS = [("cho biết", "nói"), ("hiện nay", "hiện tại"), ("tuy nhiên", "song"), ("rất", "khá"), ("các", "những"),
           ("khoảng", "chừng"), ("sau đó", "tiếp đó"), ("nhiều", "không ít"), ("đã", "vừa"), ("được", "đã được"),
           ("theo", "căn cứ theo"), ("cũng", "đồng thời"), ("để", "nhằm"), ("người", "người ta")]
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


# -- the VNTC pool --------------------------------------------------------------------------------

def load_vntc() -> list[dict]:
    articles = []
    for path in sorted(VNTC.glob("*.jsonl")):
        with path.open(encoding="utf-8") as lines:
            articles += [json.loads(line) for line in lines]
    return articles


def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.split("\n") if p.strip()]


def related_articles(texts: list[str], size: int = 8, min_shared: int = 10, common: int = 20) -> set[int]:
    """Articles that share a passage with another: `min_shared` or more `size`-word runs that at
    most `common` articles have (more are stock phrases)."""
    hashes, owners = [], []
    for index, text in enumerate(texts):
        words = re.findall(r"\w+", text.lower())
        grams = np.fromiter({hash(" ".join(words[i:i + size])) for i in range(len(words) - size + 1)}, dtype=np.int64)
        hashes.append(grams)
        owners.append(np.full(len(grams), index, dtype=np.int64))
    hashes, owners = np.concatenate(hashes), np.concatenate(owners)
    order = np.argsort(hashes, kind="stable")
    hashes, owners = hashes[order], owners[order]
    starts = np.flatnonzero(np.concatenate([[True], hashes[1:] != hashes[:-1]]))
    sizes = np.diff(np.concatenate([starts, [len(hashes)]]))
    shared: Counter = Counter()
    for start, count in zip(starts[(sizes > 1) & (sizes <= common)], sizes[(sizes > 1) & (sizes <= common)]):
        group = owners[start:start + count].tolist()
        for i in range(len(group)):
            for j in range(i + 1, len(group)):
                shared[(group[i], group[j])] += 1
    return {doc for pair, count in shared.items() if count >= min_shared for doc in pair}


# -- edits ----------------------------------------------------------------------------------------

def with_site(text: str, site: int, rng: random.Random, topic: str, titles: list[str]) -> str:
    header, footer = SITES[site % len(SITES)]
    values = {"topic": topic, "time": f"{rng.randint(6, 22):02d}:{rng.randint(0, 59):02d}",
              "date": f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/2007", "author": rng.choice(AUTHORS),
              "related": "\n".join(rng.sample(titles, 4))}
    fill = lambda lines: "\n".join(line.format(**values) for line in lines)  # noqa: E731
    return f"{fill(header)}\n{text}\n{fill(footer)}"


def drop_paragraph(text: str, rng: random.Random) -> str:
    parts = paragraphs(text)
    del parts[rng.randrange(1, len(parts))]
    return "\n".join(parts)


def add_paragraph(text: str, rng: random.Random, other: str) -> str:
    parts = paragraphs(text)
    extra = max(paragraphs(other), key=len)
    parts.insert(rng.randrange(1, len(parts) + 1), extra)
    return "\n".join(parts)


def rewrite_sentences(text: str, rng: random.Random, count: int = 2) -> str:
    sentences = re.split(r"(?<=[.!?])\s+", text)
    candidates = [i for i, s in enumerate(sentences) if len(s.split()) >= 12] or list(range(len(sentences)))
    for index in rng.sample(candidates, min(count, len(candidates))):
        sentence = sentences[index]
        for old, new in rng.sample(REWORDS, len(REWORDS)):
            sentence = re.sub(rf"\b{old}\b", new, sentence, count=1)
        clauses = sentence.rstrip(".").split(", ")
        if len(clauses) > 1:  # the last clause first: "X, Y." -> "Y, X."
            clauses = [clauses[-1][:1].upper() + clauses[-1][1:], clauses[0][:1].lower() + clauses[0][1:], *clauses[1:-1]]
        sentences[index] = ", ".join(clauses) + "."
    return " ".join(sentences) if "\n" not in text else _keep_lines(text, sentences)


def _keep_lines(text: str, sentences: list[str]) -> str:
    # re.split above joined across line breaks; rebuild by putting each original line's sentences back.
    out, position = [], 0
    for line in text.split("\n"):
        count = len(re.split(r"(?<=[.!?])\s+", line)) if line.strip() else 0
        out.append(" ".join(sentences[position:position + count]) if count else line)
        position += count
    return "\n".join(out)


def update_numbers(text: str, rng: random.Random) -> str:
    def change(match: re.Match) -> str:
        digits = match.group().replace(".", "").replace(",", "")
        if rng.random() < 0.2 or not digits.isdigit():
            return match.group()
        value = int(digits)
        new = max(1, value + rng.choice([-1, 1]) * max(1, int(value * rng.uniform(0.05, 0.3))))
        return f"{new:,}".replace(",", ".") if "." in match.group() else str(new)
    return NUMBER.sub(change, text)


def edit(kind: str, text: str, rng: random.Random, topic: str, titles: list[str], other: str) -> str:
    if kind == "header-footer":
        return with_site(text, rng.randrange(len(SITES)), rng, topic, titles)
    if kind == "paragraph-dropped":
        return drop_paragraph(text, rng)
    if kind == "paragraph-added":
        return add_paragraph(text, rng, other)
    if kind == "sentence-rewritten":
        return rewrite_sentences(text, rng)
    if kind == "numbers-updated":
        return update_numbers(text, rng)
    if kind == "tone-style":
        return apply_tone_style(unicodedata.normalize("NFC", text), CLASSIC)
    if kind == "nfd":
        return unicodedata.normalize("NFD", text)
    if kind == "republished":
        return with_site(update_numbers(rewrite_sentences(text, rng, 1), rng), rng.randrange(len(SITES)), rng, topic, titles)
    raise ValueError(kind)


# -- hard negatives -----------------------------------------------------------------------------------

TEMPLATES = {
    "gold-price": ("Giá vàng hôm nay {d}/{m}: {verb} {x} nghìn đồng mỗi lượng\n"
                   "Sáng nay, giá vàng SJC tại Hà Nội được niêm yết ở mức {a} - {b} triệu đồng/lượng (mua vào - bán ra), "
                   "{verb} {x} nghìn đồng so với phiên trước. Tại TP HCM, giá vàng SJC được giao dịch ở mức {c} - {e} triệu đồng/lượng.\n"
                   "{body}\n"
                   "Trên thị trường thế giới, giá vàng giao ngay đứng ở mức {usd} USD/ounce. Giá đô la Mỹ tại các ngân hàng thương mại "
                   "được niêm yết ở mức {fx} đồng/USD. Giới kinh doanh cho rằng giá vàng trong nước sẽ còn biến động trong những ngày tới."),
    "match-report": ("Vòng {d} V-League: {team1} {g1}-{g2} {team2}\n"
                     "Trên sân nhà trước hơn {x} nghìn khán giả, {team1} đã có trận đấu {verb} trước {team2} trong khuôn khổ vòng {d} "
                     "giải bóng đá chuyên nghiệp quốc gia. Phút thứ {m}, tiền đạo {player} mở tỷ số cho đội chủ nhà.\n"
                     "{body}\n"
                     "Với kết quả này, {team1} tạm thời đứng thứ {a} trên bảng xếp hạng với {b} điểm. Vòng tới, đội bóng sẽ làm khách "
                     "trên sân của {team3}. Ban tổ chức giải cho biết các trận đấu của vòng {d} được truyền hình trực tiếp trên VTV3."),
    "admission": ("Trường {school} thông báo tuyển sinh năm {year}\n"
                  "Trường {school} thông báo tuyển {x} chỉ tiêu hệ chính quy năm {year}, trong đó ngành {major} có {a} chỉ tiêu. "
                  "Thí sinh nộp hồ sơ đăng ký dự thi tại các sở giáo dục và đào tạo từ ngày {d}/{m} đến ngày {e}/{m}.\n"
                  "{body}\n"
                  "Mọi thắc mắc xin liên hệ phòng đào tạo của trường, điện thoại {phone}. Thông tin chi tiết về chỉ tiêu, khối thi và "
                  "điểm chuẩn các năm trước được đăng tải trên trang thông tin điện tử của trường."),
}
TEAMS = ["Hoàng Anh Gia Lai", "Bình Dương", "Đà Nẵng", "Sông Lam Nghệ An", "Hải Phòng", "Thể Công", "Khánh Hòa",
         "Đồng Tâm Long An", "Hòa Phát Hà Nội", "Thanh Hóa", "Bình Định", "Hà Nội ACB"]
PLAYERS = ["Công Vinh", "Thạch Bảo Khanh", "Amaobi", "Huỳnh Kesley", "Việt Thắng", "Quốc Anh", "Tài Em", "Văn Quyến"]
SCHOOLS = ["Đại học Bách khoa Hà Nội", "Đại học Kinh tế Quốc dân", "Đại học Y Hà Nội", "Đại học Cần Thơ",
           "Đại học Sư phạm TP HCM", "Học viện Ngân hàng", "Đại học Ngoại thương", "Đại học Đà Nẵng"]
MAJORS = ["công nghệ thông tin", "kế toán", "y đa khoa", "nông học", "sư phạm toán", "tài chính", "kinh tế đối ngoại", "xây dựng"]


def fill_template(name: str, rng: random.Random, body: str) -> str:
    n = lambda a, b: rng.randint(a, b)  # noqa: E731
    teams = rng.sample(TEAMS, 3)
    values = {"d": n(1, 28), "m": n(1, 12), "e": n(1, 28), "x": n(2, 90), "a": n(1, 14), "b": n(10, 60),
              "c": f"{n(11, 15)},{n(10, 99)}", "usd": n(620, 700), "fx": f"16.{n(100, 300)}", "year": n(2005, 2008),
              "verb": rng.choice(["tăng", "giảm", "ấn tượng", "nhạt nhòa"]), "g1": n(0, 4), "g2": n(0, 4),
              "team1": teams[0], "team2": teams[1], "team3": teams[2], "player": rng.choice(PLAYERS),
              "school": rng.choice(SCHOOLS), "major": rng.choice(MAJORS), "phone": f"(0{n(4, 8)}) {n(3000, 3999)} {n(1000, 9999)}",
              "body": body}
    values["a"] = values["a"] if name != "gold-price" else f"{n(11, 15)},{n(10, 99)}"
    values["b"] = values["b"] if name != "gold-price" else f"{n(11, 15)},{n(10, 99)}"
    return TEMPLATES[name].format(**values)


def same_event_pairs(pool: list[dict], count: int) -> list[tuple[int, int, float]]:
    """The `count` most similar pairs by word TF-IDF cosine among articles of one topic."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.neighbors import NearestNeighbors

    pairs = []
    by_topic = defaultdict(list)
    for index, article in enumerate(pool):
        by_topic[article["topic"]].append(index)
    for members in by_topic.values():
        vectors = TfidfVectorizer(token_pattern=r"\w+", sublinear_tf=True).fit_transform([pool[i]["text"] for i in members])
        distances, neighbours = NearestNeighbors(n_neighbors=2, metric="cosine").fit(vectors).kneighbors(vectors)
        for row, (distance, neighbour) in enumerate(zip(distances[:, 1], neighbours[:, 1])):
            a, b = sorted((members[row], members[neighbour]))
            pairs.append((a, b, 1 - float(distance)))
    unique = sorted(set(pairs), key=lambda p: -p[2])
    chosen, used = [], set()
    for a, b, cosine in unique:
        if a in used or b in used:
            continue
        chosen.append((a, b, cosine))
        used |= {a, b}
        if len(chosen) == count:
            break
    return chosen


# -- the corpus and the gold ----------------------------------------------------------------------

def build(out: Path, seed: int) -> dict:
    rng = random.Random(seed)
    articles = load_vntc()
    related = related_articles([a["text"] for a in articles])
    pool = [a for i, a in enumerate(articles) if i not in related]
    rng.shuffle(pool)
    titles = [paragraphs(a["text"])[0][:90] for a in pool[-500:]]
    documents, gold = [], []

    def add(doc_id: str, text: str, kind: str) -> None:
        documents.append({"id": doc_id, "kind": kind, "text": text})

    next_article = iter(range(len(pool) - 500))
    take = lambda: pool[next(next_article)]  # noqa: E731 - each pool article is used once
    for kind in KINDS:
        for _ in range(PER_KIND):
            base = take()
            while len(paragraphs(base["text"])) < 3:
                base = take()
            other = take()
            base_id = f"{base['id']}"
            add(base_id, base["text"], "base")
            add(f"{base_id}~{kind}", edit(kind, base["text"], rng, base["topic"], titles, other["text"]), kind)
            gold.append((base_id, f"{base_id}~{kind}", "duplicate", kind))
    for _ in range(WIRE_STORIES):
        base = take()
        copies = [base["id"]] + [f"{base['id']}~site{site}" for site in range(1, 4)]
        add(copies[0], base["text"], "base")
        for site, copy in enumerate(copies[1:]):
            add(copy, with_site(base["text"], site, rng, base["topic"], titles), "wire-copies")
        gold += [(a, b, "duplicate", "wire-copies") for i, a in enumerate(copies) for b in copies[i + 1:]]
    remaining = [pool[next(next_article)] for _ in range(6000)]
    for a, b, _ in same_event_pairs(remaining, SAME_EVENT):
        add(remaining[a]["id"], remaining[a]["text"], "same-event")
        add(remaining[b]["id"], remaining[b]["text"], "same-event")
        gold.append((remaining[a]["id"], remaining[b]["id"], "distinct", "same-event"))
    used = {d["id"] for d in documents}
    spare = [a for a in remaining if a["id"] not in used]
    for name in TEMPLATES:
        for pair in range(PER_TEMPLATE):
            ids = [f"{name}-{pair}-{side}" for side in "ab"]
            for doc_id in ids:
                add(doc_id, fill_template(name, rng, max(paragraphs(spare.pop()["text"]), key=len)), "same-template")
            gold.append((*ids, "distinct", "same-template"))
    for pair in range(PER_TEMPLATE):  # one site's page template around two different articles
        ids = [f"site-template-{pair}-{side}" for side in "ab"]
        site = rng.randrange(len(SITES))
        for doc_id in ids:
            article = spare.pop()
            add(doc_id, with_site(article["text"], site, random.Random(pair), article["topic"], titles), "same-template")
        gold.append((*ids, "distinct", "same-template"))
    for _ in range(DISTRACTORS):
        article = spare.pop()
        add(article["id"], article["text"], "distractor")
    rng.shuffle(documents)
    corpus = out / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    with (corpus / "bench.jsonl").open("w", encoding="utf-8") as handle:
        handle.writelines(json.dumps(d, ensure_ascii=False) + "\n" for d in documents)
    with (out / "gold.tsv").open("w", encoding="utf-8") as handle:
        handle.write(f"# built by benchmarks/dedup_pairs.py --seed {seed}\na\tb\tlabel\tkind\n")
        handle.writelines("\t".join(pair) + "\n" for pair in gold)
    return {"documents": len(documents), "pool": len(pool), "left_out_related": len(related),
            "pairs": Counter(kind for *_, kind in gold)}


def vnpipe(*arguments: str) -> str:
    done = subprocess.run([sys.executable, "-m", "pipeline.cli", *arguments], cwd=ROOT, capture_output=True, text=True)
    if done.returncode not in (0, 1):
        raise SystemExit(done.stderr)
    return done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "runs" / "dedup-bench")
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--sweep", action="store_true", help="also score shingle sizes, permutations, bands and thresholds")
    args = parser.parse_args()
    out = args.out.resolve()
    print(json.dumps(build(out, args.seed), ensure_ascii=False))
    run = out / "run"
    vnpipe("run", str(out / "corpus"), "--out", str(run), "--until", "dedup", "--no-progress")
    print(vnpipe("eval", "dedup", str(out / "gold.tsv"), "--run", str(run)))
    if args.sweep:
        for shingle_size in (3, 4, 5, 7):
            for num_perm in (64, 128, 256):
                vnpipe("run", str(out / "corpus"), "--out", str(run), "--only", "dedup", "--no-progress",
                       "--shingle-size", str(shingle_size), "--num-perm", str(num_perm), "--bands", str(num_perm // 4))
                result = json.loads(vnpipe("eval", "dedup", str(out / "gold.tsv"), "--run", str(run), "--json",
                                           "--thresholds", "0.3,0.35,0.4,0.45,0.5,0.6,0.7",
                                           "--bands", ",".join(str(num_perm // r) for r in (2, 4, 8))))
                for row in result["sweep"]:
                    print(f"shingles {shingle_size} perms {num_perm} bands {row['bands']:3d} threshold "
                          f"{row['threshold']}: precision {row['precision']:.4f} recall {row['recall']:.4f} "
                          f"f1 {row['f1']:.4f}")


if __name__ == "__main__":
    main()
