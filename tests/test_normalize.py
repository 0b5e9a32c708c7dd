"""Normalize: characters, tone style, boilerplate with audit, title/date, sentences, offsets."""
import unicodedata

from pipeline.normalize import Normalize, detect_language, offset_map_of
from pipeline.sentences import split_sentences
from pipeline.vietnamese import apply_tone_style

from conftest import SHARED


def normalize(text, **settings):
    stage = Normalize(Normalize.Settings(**settings)) if settings else Normalize()
    return stage.process({"doc_id": "d", "text": text, "title": None, "metadata": "{}"})


def test_characters_are_cleaned_and_offsets_map_back():
    original = unicodedata.normalize("NFD", "Hoà") + "\u200b bình&nbsp;và phát   tri\u00adển\r\nTP.HCM"
    row = normalize(original)
    assert row["text"] == "Hoà bình và phát triển\nTP.HCM"
    offsets = offset_map_of(row)
    start = row["text"].index("phát")
    assert original[offsets.to_original(start):][:4] == "phát"
    assert offsets.span_to_original(row["text"].index("TP"), len(row["text"])) == (len(original) - 6, len(original))


def test_tone_styles():
    text = "Hòa bình, khỏe mạnh, thủy lợi, quý, hoàng, khuya, Ủy ban"
    assert apply_tone_style(text, "modern") == "Hoà bình, khoẻ mạnh, thuỷ lợi, quý, hoàng, khuya, Uỷ ban"
    assert apply_tone_style(apply_tone_style(text, "modern"), "classic") == text
    assert normalize("Thỏa thuận hòa bình.", tone_style="classic")["text"] == "Thỏa thuận hòa bình."


def test_sentence_traps():
    text = 'Ông Nguyễn V. An về TP. Hồ Chí Minh. Giá tăng 3,5% lên 1.000 đồng. "Tốt lắm." Ông nói v.v. Hết'
    assert [text[s:e] for s, e in split_sentences(text)] == [
        "Ông Nguyễn V. An về TP. Hồ Chí Minh.", "Giá tăng 3,5% lên 1.000 đồng.", '"Tốt lắm."',
        "Ông nói v.v.", "Hết"]
    listed = "1. Mở đầu. Nội dung đi... rồi hết."
    assert [listed[s:e] for s, e in split_sentences(listed)] == [
        "1. Mở đầu.", "Nội dung đi... rồi hết."]


def test_language_is_detected():
    assert detect_language("Hà Nội là thủ đô của Việt Nam, nơi có nhiều di tích lịch sử.") == "vi"
    assert detect_language("The company said on Monday that it would invest in the project.") == "en"
    assert detect_language("北京是中华人民共和国的首都。") == "zh"


def test_first_seed_keeps_the_article_and_drops_the_furniture():
    original = (SHARED / "corpora/seeds/000_1fc83d6af2e2c079.txt").read_text(encoding="utf-8")
    row = normalize(original)
    assert row["title"].startswith("Sam Altman đối thoại với đồng sáng lập a16z")
    assert "Chất xúc tác cho AGI" in row["text"] and "Nguồn gốc: a16z" in row["text"]
    reasons = {r["text"][:25]: r["reason"] for r in row["removed"]}
    assert reasons["Bạn cũng có thể thích"] == "related_header"
    assert reasons["Thịnh hành"] == "trending_header"
    assert reasons["Tuyên bố miễn trừ trách n"] == "disclaimer"
    assert "Bitcoin" not in row["text"]
    for removed in row["removed"]:
        assert original[removed["start"]:removed["end"]] == removed["text"]


def test_second_seed_title_and_dateline():
    original = (SHARED / "corpora/seeds/001_a724639d212df85e.txt").read_text(encoding="utf-8")
    row = normalize(original)
    assert row["title"] == "Tương lai AI không nằm ‘trong tay’ Google hay OpenAI"
    assert row["date"] == "2023-05-14T16:01"
    assert row["text"].startswith("14/05/2023 16:01Tương lai AI")
    assert row["text"].endswith("Theo Thế Vinh (VietNamNet)")


def test_boilerplate_removal_can_be_switched_off():
    text = "Bài viết chính có đủ dài để là một đoạn văn bản thật sự của bài báo này.\nXem thêm\nTin A\nTin B\nTin C"
    assert normalize(text)["text"].count("\n") == 0
    kept = normalize(text, remove_boilerplate=False)
    assert kept["text"].count("\n") == 4 and kept["removed"] == []
