"""Word segmentation: the shared rules, the backends and (slow) accuracy on the gold test sets."""
from __future__ import annotations


import pytest

from pipeline.evaluate.ws import evaluate, gold_sentence
from pipeline.backends.wordseg import RuleBackend, get_segmenter, is_vietnamese_syllable, load_rules, tokenize

from conftest import shared_file



class _Backend(RuleBackend):
    """A stand-in backend: one word per token (`joined=False`) or the whole sentence as one word,
    so the rules are tested on their own against the two worst backends there are."""

    name = "test"

    def __init__(self, joined: bool):
        super().__init__(load_rules())
        self.joined = joined

    @classmethod
    def model_checksum(cls) -> str:
        return "test"

    def _segment(self, sentence, tokens):
        if self.joined:
            return [(tokens[0][0], tokens[-1][1], "X")] if tokens else []
        return [(start, end, "X") for start, end, _ in tokens]


# Each kind of token the rules keep whole: a sentence and its exact segmentation by the rules alone
# (behind a backend that gives one word per token, and behind one that joins the whole sentence).
KEPT_WHOLE = {
    "url": ("Xem https://openai.com/blog/gpt-5 nhé.",
            ["Xem", "https://openai.com/blog/gpt-5", "nhé", "."]),
    "email": ("Gửi press@openai.com ngay.", ["Gửi", "press@openai.com", "ngay", "."]),
    "handle and hashtag": ("Theo @sama và #AI hôm nay", ["Theo", "@sama", "và", "#AI", "hôm", "nay"]),
    "number with separators": ("Tăng 3,5% lên 1.000.000 người", ["Tăng", "3,5%", "lên", "1.000.000", "người"]),
    "date and time": ("Lúc 8:30 ngày 12/10/2025 tại", ["Lúc", "8:30", "ngày", "12/10/2025", "tại"]),
    "brands": ("ChatGPT và GPT-4o của OpenAI và a16z", ["ChatGPT", "và", "GPT-4o", "của", "OpenAI", "và", "a16z"]),
    "foreign names": ("Sam Altman gặp Ben Horowitz tại", ["Sam Altman", "gặp", "Ben Horowitz", "tại"]),
    "document code": ("Theo Nghị định 34/2004/NĐ-CP về", ["Theo", "Nghị", "định", "34/2004/NĐ-CP", "về"]),
    "punctuation": ("(Nvidia): tăng", ["(", "Nvidia", ")", ":", "tăng"]),
}


@pytest.mark.parametrize("kind", KEPT_WHOLE)
def test_rules_keep_each_kind_whole_exactly(kind):
    sentence, expected = KEPT_WHOLE[kind]
    split = _Backend(joined=False).segment(sentence)
    assert [sentence[start:end] for start, end, _ in split] == expected
    joined = _Backend(joined=True).segment(sentence)
    kept = {sentence[start:end] for start, end, _ in joined}
    for word in expected:
        if len(tokenize(word)) > 1 or not word.isalpha() or word in ("ChatGPT", "OpenAI"):
            assert word in kept, (word, [sentence[start:end] for start, end, _ in joined])


@pytest.mark.parametrize("backend", ["vnpipe", "underthesea", "pyvi"])
@pytest.mark.parametrize("kind", KEPT_WHOLE)
def test_every_backend_keeps_each_kind_whole(backend, kind):
    sentence, expected = KEPT_WHOLE[kind]
    result = words(sentence, backend)
    for word in expected:
        if not is_vietnamese_syllable(word):
            assert word in result, (word, result)


def test_a_number_written_in_parts_may_stay_one_word():
    # Viet Treebank writes `84_._4`; each number in it is still whole.
    sentence = "tăng 84 . 4 lần"
    class Joining(_Backend):
        def _segment(self, sentence, tokens):
            return [(0, 4, "V"), (5, 11, "M"), (12, 15, "N")]
    assert [sentence[s:e] for s, e, _ in Joining(joined=False).segment(sentence)] == ["tăng", "84 . 4", "lần"]


def test_first_seed_keeps_people_and_companies_whole():
    text = shared_file("corpora/seeds/000_1fc83d6af2e2c079.txt").read_text(encoding="utf-8")
    segmenter = get_segmenter("vnpipe")
    found = set()
    for line in text.splitlines():
        found.update(line[start:end] for start, end, _ in segmenter.segment(line))
    assert {"Sam Altman", "Ben Horowitz", "OpenAI", "Nvidia", "a16z"} <= found


def words(sentence: str, backend: str = "vnpipe") -> list[str]:
    return [sentence[start:end] for start, end, _ in get_segmenter(backend).segment(sentence)]


def test_tokenize_keeps_urls_numbers_dates_and_brands_whole():
    sentence = "Xem https://openai.com/blog, gửi a.b@gmail.com lúc 8:30 ngày 12/10/2025: tăng 3,5% lên 1.000.000 #AI @sama GPT-4o."
    assert [sentence[start:end] for start, end, _ in tokenize(sentence)] == [
        "Xem", "https://openai.com/blog", ",", "gửi", "a.b@gmail.com", "lúc", "8:30", "ngày", "12/10/2025", ":",
        "tăng", "3,5%", "lên", "1.000.000", "#AI", "@sama", "GPT-4o", "."]
    assert [kind for _, _, kind in tokenize("a16z: 12/2004/NĐ-CP")] == ["word", "punct", "number", "punct", "number", "punct", "word"]


def test_tokenize_reads_each_run_of_non_spaces_as_the_whole_sentence_scan_does():
    # tokenize works (and caches) run by run; an abbreviation keeps its stop only when a word follows.
    from pipeline.backends.wordseg.tokens import _TOKEN

    for sentence in ("TP. HCM", "ở TP.", "Ông H. Nam và Th. Sĩ", "xem www.abc.com. Rồi", "(https://a.vn/b) nhé",
                     "Uỷ ban\u00a0TP.\u2003HCM", "_a_ 3-4–2004 84 . 4", "10h30 5:30:00 50% 12/2004/NĐ-CP", ""):
        assert tokenize(sentence) == [(m.start(), m.end(), m.lastgroup) for m in _TOKEN.finditer(sentence)], sentence
    assert tokenize("ở TP.")[1:] == [(2, 4, "word"), (4, 5, "punct")]
    assert tokenize("TP. HCM")[0] == (0, 3, "abbreviation")


def test_syllable_forms_per_token_are_those_of_the_sentence_styled_at_once():
    # Forms are cached per token; the tone style of the whole sentence reads the space before each
    # token (none before the first), and so must they.
    from pipeline.backends.wordseg import syllable_forms
    from pipeline.text.vietnamese import apply_tone_style

    for sentence in ("Ủy ban ủy quý hòa", "Hoà TP. 12/3 ABC x", "ΟΔΟΣ Σ ΑΣ. ủy", ""):
        tokens = tokenize(sentence)
        joined = apply_tone_style(" ".join(sentence[s:e] for s, e, _ in tokens), "modern").lower().split(" ")
        forms, _ = syllable_forms(sentence, tokens)
        assert forms == [form if kind in ("word", "abbreviation", "punct") else f"<{kind}>"
                         for form, (_, _, kind) in zip(joined, tokens)], sentence


def test_vietnamese_phonotactics():
    assert [is_vietnamese_syllable(s) for s in ("nghiêng", "quý", "khuya", "Kim", "Altman", "John", "Kong", "Musk")] \
        == [True, True, True, True, False, False, False, False]


@pytest.mark.parametrize("backend", ["vnpipe", "underthesea", "pyvi"])
def test_rules_apply_whatever_the_backend(backend):
    sentence = "Sam Altman nói ChatGPT có 800 triệu người dùng, xem https://openai.com hoặc gửi thư tới press@openai.com."
    result = words(sentence, backend)
    for whole in ("Sam Altman", "ChatGPT", "800", "https://openai.com", "press@openai.com"):
        assert whole in result


@pytest.mark.parametrize("backend", ["vnpipe", "underthesea", "pyvi"])
def test_spans_cover_every_character_in_order(backend):
    sentence = "Ông Ben Horowitz (a16z) dự đoán: iPhone 17 sẽ bán 100 tỷ USD trong năm 2026!"
    spans = get_segmenter(backend).segment(sentence)
    covered = "".join(sentence[start:end] for start, end, _ in spans)
    assert covered.replace(" ", "") == sentence.replace(" ", "")
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))
    assert all(tag for _, _, tag in spans)


def test_user_words(tmp_path):
    user_words = tmp_path / "words.txt"
    user_words.write_text("Quỹ Đầu tư Mạo hiểm\n", encoding="utf-8")
    sentence = "Quỹ Đầu tư Mạo hiểm rót vốn."
    segmenter = get_segmenter("vnpipe", str(user_words))
    assert [sentence[s:e] for s, e, _ in segmenter.segment(sentence)][0] == "Quỹ Đầu tư Mạo hiểm"
    assert segmenter.checksum() != get_segmenter("vnpipe").checksum()


def test_evaluate_scores_word_spans(tmp_path):
    gold = tmp_path / "gold.txt"
    gold.write_text("Sinh_viên đọc sách ở thư_viện .\n", encoding="utf-8")
    sentence, spans = gold_sentence(["Sinh_viên", "đọc"])
    assert sentence == "Sinh viên đọc" and spans == {(0, 9), (10, 13)}
    result = evaluate(gold, get_segmenter("vnpipe"))
    assert (result["sentences"], result["words"], result["f1"]) == (1, 6, 100.0)


@pytest.mark.slow
@pytest.mark.parametrize("gold", ["vlsp2013/test.txt", "vlsp2016/test.txt", "ud-vtb/test.txt", "ud-tuecl/test.txt"])
def test_vnpipe_never_below_underthesea_on_gold_test_sets(gold):
    # The floor; the figures themselves are in models/ws/MODEL_CARD.md.
    ours = evaluate(shared_file(f"eval/ws/{gold}"), get_segmenter("vnpipe"))["f1"]
    assert ours >= evaluate(shared_file(f"eval/ws/{gold}"), get_segmenter("underthesea"))["f1"]


def test_harmonize_follows_underthesea_only_on_pairs_it_always_labels_otherwise():
    from pipeline.train.ws import Settings, example_of, harmonize, words_of

    # Gold writes `người dân` apart three times; an opinion that joins it every time is a convention.
    # `nhà máy` disagrees once in three: a sporadic disagreement, so the gold stays.
    sentences = [["người", "dân", "đi", "nhà_máy"], ["người", "dân", "ở", "nhà_máy"], ["người", "dân", "nhà_máy"]]
    examples = [example_of(words) for words in sentences]
    opinions = [["ut=B0", "ut=I5", "ut=B0", "ut=B0", "ut=B0"],
                ["ut=B0", "ut=I5", "ut=B0", "ut=B0", "ut=I5"],
                ["ut=B0", "ut=I5", "ut=B0", "ut=I5"]]
    harmonized, changed = harmonize(examples, opinions, Settings(harmonize_min_count=2, harmonize_min_rate=0.7))
    assert changed == 3
    assert [words_of(example) for example in harmonized] == [
        ["người_dân", "đi", "nhà_máy"], ["người_dân", "ở", "nhà_máy"], ["người_dân", "nhà_máy"]]
    assert harmonize(examples, opinions, Settings(harmonize_min_count=0))[1] == 0
