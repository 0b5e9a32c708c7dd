"""Trust: no article body is deleted for one phrase, credits are metadata, a document that the rules
would empty keeps its text with a warning, and the tone style is the corpus's own. Pages written
for these tests, as crawled news looks (one long line of body, furniture around it)."""
import json

from typer.testing import CliRunner

import pipeline
from pipeline.cli import app
from pipeline.outputs.show import summarize
from pipeline.stages.normalize import Normalize
from pipeline.text.vietnamese import apply_tone_style

BODY = ("Sạc dự phòng giá rẻ đang được bán tràn lan ở các chợ và trên mạng. Nhiều sản phẩm không ghi rõ nguồn "
        "gốc xuất xứ, dung lượng thật chỉ bằng một nửa con số in trên vỏ. Theo các chuyên gia, pin kém chất lượng "
        "có thể phồng, nóng và gây cháy khi sạc qua đêm. Người mua nên chọn sản phẩm có tem chống hàng giả, hóa "
        "đơn rõ ràng và mua ở cửa hàng uy tín. Cơ quan quản lý thị trường cho biết sẽ kiểm tra các điểm bán lớn "
        "trong tháng tới.")
FOOTER = ["Bản quyền thuộc về Báo Điện tử Mẫu.", "Tổng biên tập: Nguyễn Văn An", "Hotline: 0901 234 567",
          "Chia sẻ bài viết"]


def normalize(text: str) -> dict:
    return Normalize().process({"doc_id": "d", "text": text, "title": None, "metadata": None})


def paragraphs(text: str) -> list[str]:
    return normalize(text)["text"].splitlines()


def test_a_body_with_the_phrase_no_stated_origin_is_kept_and_the_footer_goes():
    page = "\n".join(["Cảnh báo sạc dự phòng giá rẻ", "Nhiều mẫu sạc không rõ nguồn gốc đang bán chạy.", BODY,
                      *FOOTER])
    row = normalize(page)
    assert row["text"].splitlines() == ["Cảnh báo sạc dự phòng giá rẻ", "Nhiều mẫu sạc không rõ nguồn gốc đang bán chạy.",
                                        BODY]
    assert [(r["text"], r["reason"]) for r in row["removed"]] == [
        (FOOTER[0], "copyright"), (FOOTER[1], "site_footer"), (FOOTER[2], "site_footer"), (FOOTER[3], "share_prompt")]
    assert row["warnings"] == []


def test_news_paragraphs_that_begin_like_furniture_stay():
    world_cup = ("Bản quyền truyền hình World Cup 2018 đã được VTV mua lại sau nhiều tuần đàm phán với đơn vị phân "
                 "phối, chỉ vài ngày trước trận khai mạc.")
    editor = ("Tổng biên tập báo Tuổi Trẻ cho biết tòa soạn sẽ mở thêm chuyên mục về chuyển đổi số trong năm nay "
              "để phục vụ bạn đọc trẻ.")
    law = ("Luật Sở hữu trí tuệ cấm sao chép phần mềm khi chưa được phép của chủ sở hữu. Vi phạm có thể bị phạt "
           "đến 500 triệu đồng, theo quy định mới có hiệu lực từ tháng 1.")
    page = "\n".join(["Tin văn hóa tuần này", world_cup, editor, law, *FOOTER])
    assert paragraphs(page) == ["Tin văn hóa tuần này", world_cup, editor, law]


def test_a_story_about_a_hotline_keeps_its_headline_and_first_paragraph():
    headline = "Hotline hỗ trợ người dân khai báo y tế quá tải"
    first = ("Hotline của Sở Y tế nhận hơn 5.000 cuộc gọi mỗi ngày, nhiều người phải chờ cả tiếng mới gặp được "
             "nhân viên tư vấn.")
    page = "\n".join([headline, first, BODY, "Hotline: 1900 1234"])
    row = normalize(page)
    assert row["text"].splitlines() == [headline, first, BODY]
    assert [r["text"] for r in row["removed"]] == ["Hotline: 1900 1234"]


def test_a_notice_glued_into_the_body_goes_and_the_body_stays():
    notice = "© 2017 Báo Điện tử Mẫu. Ghi rõ nguồn khi phát hành lại thông tin từ website này."
    row = normalize("Cảnh báo sạc dự phòng giá rẻ\n" + BODY + " " + notice)
    assert row["text"].splitlines() == ["Cảnh báo sạc dự phòng giá rẻ", BODY]
    assert [(r["text"], r["reason"]) for r in row["removed"]] == [
        ("© 2017 Báo Điện tử Mẫu.", "copyright"), ("Ghi rõ nguồn khi phát hành lại thông tin từ website này.", "copyright")]


def test_credits_are_metadata_and_not_text_to_analyse(tmp_path):
    page = "\n".join([
        "Xe khách lật trên đèo Bảo Lộc",
        "Một xe khách 45 chỗ bị lật trên đèo Bảo Lộc sáng nay, 12 người bị thương. Cảnh sát có mặt tại hiện "
        "trường. Ảnh: H.N Giai đoạn khắc phục: lực lượng cứu hộ dùng cẩu đưa xe lên đường trong hai giờ.",
        "Nguyên nhân vụ tai nạn đang được điều tra. Đèo Bảo Lộc tạm cấm xe tải nặng đến hết tuần. TTXVN/Tin Tức",
        "Theo GĐVN"])
    row = normalize(page)
    assert [credit["text"] for credit in row["credits"]] == ["Ảnh: H.N", "TTXVN/Tin Tức", "Theo GĐVN"]
    assert row["text"].splitlines() == [
        "Xe khách lật trên đèo Bảo Lộc",
        "Một xe khách 45 chỗ bị lật trên đèo Bảo Lộc sáng nay, 12 người bị thương. Cảnh sát có mặt tại hiện trường.",
        "Giai đoạn khắc phục: lực lượng cứu hộ dùng cẩu đưa xe lên đường trong hai giờ.",
        "Nguyên nhân vụ tai nạn đang được điều tra. Đèo Bảo Lộc tạm cấm xe tải nặng đến hết tuần."]
    assert row["removed"] == []  # credits are kept, as metadata: nothing of the article is lost
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "tai-nan.txt").write_text(page, encoding="utf-8")
    pipeline.run(corpus, tmp_path / "run", pipeline.RunSettings(workers=1), progress=False)
    names = {e["text"] for e in pipeline.read_stage(tmp_path / "run", "ner", shape="items").to_dict("records")}
    terms = set(pipeline.read_stage(tmp_path / "run", "keywords", shape="items")["term"])
    assert not {"TTXVN", "TTXVN/Tin Tức", "H.N", "GĐVN", "H.N Giai"} & names
    assert not {"TTXVN", "GĐVN"} & terms


def test_a_document_the_rules_would_empty_keeps_its_text_and_says_so(tmp_path):
    glued = "Từ khóa: sạc dự phòng, pin, cháy nổ " + BODY  # a crawler ran the tags line into the body
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "sac-du-phong.txt").write_text("Cảnh báo sạc dự phòng giá rẻ\n" + glued, encoding="utf-8")
    row = normalize("Cảnh báo sạc dự phòng giá rẻ\n" + glued)
    assert row["text"].splitlines() == ["Cảnh báo sạc dự phòng giá rẻ", glued]
    everything = len(glued) + len("Cảnh báo sạc dự phòng giá rẻ")  # the title would have gone with it
    assert row["warnings"] == [{"reason": "suspicious_removal", "rule": "tags", "characters": everything,
                                "document_characters": everything}]
    result = CliRunner().invoke(app, ["run", str(corpus), "--out", str(tmp_path / "run"), "--no-progress",
                                      "--workers", "1"])
    assert result.exit_code == 0
    assert ("1 document would have lost more than half of its text to one rule; the text was kept: check it"
            in result.stderr)
    assert "sac-du-phong.txt: tags would have removed" in result.stderr
    summary = summarize(tmp_path / "run")
    assert summary.warned == 1 and summary.warnings[0]["rule"] == "tags"
    warned = pipeline.read_warnings(tmp_path / "run")
    assert warned[["source", "rule"]].values.tolist() == [["sac-du-phong.txt", "tags"]]


def test_the_tone_style_is_the_one_the_corpus_writes_most(tmp_path):
    classic = "Ông Lê Văn Hòa đến Khánh Hòa ngày thứ hai. Ủy ban tỉnh Thanh Hóa họp về thủy lợi."
    modern = apply_tone_style(classic, "modern")
    assert modern == "Ông Lê Văn Hoà đến Khánh Hoà ngày thứ hai. Uỷ ban tỉnh Thanh Hoá họp về thuỷ lợi."
    found = {}
    for style, text in (("classic", classic), ("modern", modern)):
        corpus = tmp_path / style
        corpus.mkdir()
        (corpus / "a.txt").write_text(text, encoding="utf-8")
        (corpus / "b.txt").write_text("Hà Nội mưa to.", encoding="utf-8")
        run = tmp_path / f"run-{style}"
        pipeline.run(corpus, run, pipeline.RunSettings(workers=1), progress=False)
        manifest = json.loads((run / "normalize" / "_manifest.json").read_text(encoding="utf-8"))
        assert manifest["settings"]["tone_style"] == style
        settled = {key: value for key, value in manifest["settled"].items() if key != "inputs"}
        assert settled == {"settings": {"tone_style": style}, "classic_spellings": 5 if style == "classic" else 0,
                           "modern_spellings": 5 if style == "modern" else 0}
        documents = pipeline.read_run(run).set_index("source")
        assert documents.loc["a.txt", "text"] == text  # the source's own spelling, never rewritten
        found[style] = [(e["start"], e["end"], e["label"]) for e in documents.loc["a.txt", "entities"]]
    assert found["classic"] == found["modern"]  # the models read one form, whatever the style


def test_a_tone_style_at_the_start_of_a_string_is_applied_as_in_the_middle():
    assert apply_tone_style("Ủy ban", "modern") == "Uỷ ban"
    assert apply_tone_style("Ban Ủy ban", "modern") == "Ban Uỷ ban"
    assert apply_tone_style("úy", "modern") == "uý" and apply_tone_style("quý", "modern") == "quý"
    assert apply_tone_style("hòa_bình", "modern") == "hoà_bình"  # `_` joins the syllables of a word


def test_a_flat_corpus_is_one_group_called_all_documents(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Hà Nội mưa to.", encoding="utf-8")
    (corpus / "b.txt").write_text("TP.HCM nắng nóng.", encoding="utf-8")
    pipeline.run(corpus, tmp_path / "run", pipeline.RunSettings(workers=1), progress=False)
    from pipeline.outputs.summary import document_groups

    assert set(document_groups(tmp_path / "run")) == {"all documents"}
