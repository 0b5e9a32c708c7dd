"""Normalize: characters, tone style, boilerplate with audit, title/date, sentences, offsets."""
import unicodedata

from pipeline.stages.normalize import Normalize, detect_language, offset_map_of
from pipeline.text.sentences import split_sentences
from pipeline.text.vietnamese import apply_tone_style

from conftest import shared_file


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
    original = shared_file("corpora/seeds/000_1fc83d6af2e2c079.txt").read_text(encoding="utf-8")
    row = normalize(original)
    assert row["title"].startswith("Sam Altman đối thoại với đồng sáng lập a16z")
    assert "Chất xúc tác cho AGI" in row["text"]
    assert [credit["text"] for credit in row["credits"]] == ["Nguồn gốc: a16z"]  # metadata, not text to analyse
    reasons = {r["text"][:25]: r["reason"] for r in row["removed"]}
    assert reasons["Bạn cũng có thể thích"] == "related_header"
    assert reasons["Thịnh hành"] == "trending_header"
    assert reasons["Tuyên bố miễn trừ trách n"] == "disclaimer"
    assert "Bitcoin" not in row["text"]
    for removed in row["removed"]:
        assert original[removed["start"]:removed["end"]] == removed["text"]


def test_second_seed_title_and_dateline():
    original = shared_file("corpora/seeds/001_a724639d212df85e.txt").read_text(encoding="utf-8")
    row = normalize(original)
    assert row["title"] == "Tương lai AI không nằm ‘trong tay’ Google hay OpenAI"
    assert row["date"] == "2023-05-14T16:01"
    assert row["text"].startswith("14/05/2023 16:01Tương lai AI")
    assert [credit["text"] for credit in row["credits"]] == ["Theo Thế Vinh (VietNamNet)"]


def test_boilerplate_removal_can_be_switched_off():
    text = "Bài viết chính có đủ dài để là một đoạn văn bản thật sự của bài báo này.\nXem thêm\nTin A\nTin B\nTin C"
    assert normalize(text)["text"].count("\n") == 0
    kept = normalize(text, remove_boilerplate=False)
    assert kept["text"].count("\n") == 4 and kept["removed"] == []


def sentences_of(text):
    return [text[s:e] for s, e in split_sentences(text)]


def test_sentence_trap_abbreviations():
    assert sentences_of("Hội thảo diễn ra tại TP.HCM vào sáng 12/5. Th.S Nguyễn Văn An, giảng viên "
                        "Trường ĐH Bách khoa, chủ trì. Đoàn gồm bác sĩ, y tá, v.v. Buổi họp kết thúc lúc 11h.") == [
        "Hội thảo diễn ra tại TP.HCM vào sáng 12/5.",
        "Th.S Nguyễn Văn An, giảng viên Trường ĐH Bách khoa, chủ trì.",
        "Đoàn gồm bác sĩ, y tá, v.v.", "Buổi họp kết thúc lúc 11h."]
    assert sentences_of("ThS. Lê Thị Hoa và PGS.TS Trần Văn Bình dự họp. Tp. Hà Nội cũng cử đại diện.") == [
        "ThS. Lê Thị Hoa và PGS.TS Trần Văn Bình dự họp.", "Tp. Hà Nội cũng cử đại diện."]


def test_sentence_trap_decimals_and_roman_numerals():
    assert sentences_of("Tăng trưởng GDP đạt 3,5% trong quý I. Lạm phát ở mức 3.2%, giá dầu 85,5 USD/thùng.") == [
        "Tăng trưởng GDP đạt 3,5% trong quý I.", "Lạm phát ở mức 3.2%, giá dầu 85,5 USD/thùng."]


def test_sentence_trap_numbered_lists():
    assert sentences_of("Hồ sơ gồm:\n1. Đơn đề nghị.\n2. Bản sao căn cước.\nII. Thủ tục nộp") == [
        "Hồ sơ gồm:", "1. Đơn đề nghị.", "2. Bản sao căn cước.", "II. Thủ tục nộp"]


def test_sentence_trap_quotes():
    assert sentences_of('Anh ấy hỏi: "Bao giờ xong?" Chị trả lời ngay. Ông nói “Tôi khoẻ.” Rồi ông về.') == [
        'Anh ấy hỏi: "Bao giờ xong?"', "Chị trả lời ngay.", "Ông nói “Tôi khoẻ.”", "Rồi ông về."]


def test_sentences_keep_offsets_into_the_normalized_text():
    row = normalize("Giá vàng tăng 3,5%.  Người mua\u00a0xếp hàng ở TP.HCM. Hết")
    assert [row["text"][s["start"]:s["end"]] for s in row["sentences"]] == [
        "Giá vàng tăng 3,5%.", "Người mua xếp hàng ở TP.HCM.", "Hết"]


def test_markdown_heading_is_a_title_without_its_marker():
    row = normalize("# Mô hình AI nguồn mở thu hẹp khoảng cách\n\n" + "Theo một ghi chép nội bộ của Google bị "
                    "rò rỉ, cộng đồng nguồn mở đang tiến nhanh hơn dự đoán của nhiều chuyên gia.")
    assert row["title"] == "Mô hình AI nguồn mở thu hẹp khoảng cách"


def test_a_span_ending_in_a_composed_letter_maps_back_to_all_its_marks():
    from pipeline.runtime.analyse import analyse_texts

    original = unicodedata.normalize("NFD", "Ông Huế và Hà Nội\u200b  hôm qua")
    [analysis] = analyse_texts([original], until="normalize")
    text, offsets = analysis.rows["normalize"]["text"], analysis.offset_map()
    for name in ("Huế", "Hà Nội"):
        start = text.index(name)
        orig_start, orig_end = offsets.span_to_original(start, start + len(name))
        assert unicodedata.normalize("NFC", original[orig_start:orig_end]) == name
