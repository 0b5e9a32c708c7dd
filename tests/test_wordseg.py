"""Word segmentation: the shared rules, the backends and (slow) accuracy on the gold test sets."""
from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.evaluate.ws import evaluate, gold_sentence
from pipeline.wordseg import get_segmenter, is_vietnamese_syllable, tokenize

SHARED = Path(__file__).resolve().parents[2] / "shared" / "eval" / "ws"


def words(sentence: str, backend: str = "vnpipe") -> list[str]:
    return [sentence[start:end] for start, end, _ in get_segmenter(backend).segment(sentence)]


def test_tokenize_keeps_urls_numbers_dates_and_brands_whole():
    sentence = "Xem https://openai.com/blog, gửi a.b@gmail.com lúc 8:30 ngày 12/10/2025: tăng 3,5% lên 1.000.000 #AI @sama GPT-4o."
    assert [sentence[start:end] for start, end, _ in tokenize(sentence)] == [
        "Xem", "https://openai.com/blog", ",", "gửi", "a.b@gmail.com", "lúc", "8:30", "ngày", "12/10/2025", ":",
        "tăng", "3,5%", "lên", "1.000.000", "#AI", "@sama", "GPT-4o", "."]


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
@pytest.mark.parametrize("gold, at_least", [("vlsp2013/test.txt", 97.8), ("vlsp2016/test.txt", 96.3),
                                            ("ud-vtb/test.txt", 95.7), ("ud-tuecl/test.txt", 90.0)])
def test_vnpipe_accuracy_on_gold_test_sets(gold, at_least):
    assert evaluate(SHARED / gold, get_segmenter("vnpipe"))["f1"] >= at_least
