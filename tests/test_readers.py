"""Ingest: each input format and encoding, stable ids, and unreadable input as error rows."""
import json

import pyarrow as pa
import pyarrow.parquet as pq

import pipeline

from pipeline.stages import ingest

SETTINGS = ingest.Settings()
TEXT = "Hà Nội là thủ đô của Việt Nam."


def read_all(folder, settings=SETTINGS):
    return list(ingest.read_corpus(folder, settings))


def test_each_format_gives_its_documents(tmp_path):
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "b.md").write_text("# Tiêu đề\n\n" + TEXT, encoding="utf-8")
    (tmp_path / "c.html").write_text(f"<html><head><title>Tin</title></head><body><p>{TEXT}</p>"
                                     "<script>alert(1)</script></body></html>", encoding="utf-8")
    (tmp_path / "d.jsonl").write_text(json.dumps({"id": 7, "title": "T", "topic": "x", "text": TEXT},
                                                 ensure_ascii=False) + "\n", encoding="utf-8")
    (tmp_path / "e.json").write_text(json.dumps([{"text": TEXT}, {"text": TEXT}], ensure_ascii=False), encoding="utf-8")
    (tmp_path / "f.csv").write_text(f"id,text\n1,\"{TEXT}\"\n", encoding="utf-8")
    (tmp_path / "g.tsv").write_text(f"text\tsource\n{TEXT}\tvne\n", encoding="utf-8")
    pq.write_table(pa.table({"text": [TEXT], "year": [2025]}), tmp_path / "h.parquet")
    records = read_all(tmp_path)
    assert [(r.source, r.record, r.format) for r in records] == [
        ("a.txt", 0, "text"), ("b.md", 0, "markdown"), ("c.html", 0, "html"), ("d.jsonl", 0, "jsonl"),
        ("e.json", 0, "json"), ("e.json", 1, "json"), ("f.csv", 0, "csv"), ("g.tsv", 0, "tsv"),
        ("h.parquet", 0, "parquet")]
    assert all(r.error is None and TEXT in r.text for r in records)
    html, jsonl, parquet = records[2], records[3], records[8]
    assert html.title == "Tin" and "alert" not in html.text
    assert (jsonl.source_id, jsonl.title, jsonl.metadata) == ("7", "T", {"topic": "x"})
    assert parquet.metadata == {"year": 2025}


def test_encodings_utf8_bom_and_utf16(tmp_path):
    (tmp_path / "bom.txt").write_bytes(TEXT.encode("utf-8-sig"))
    (tmp_path / "utf16.txt").write_bytes(TEXT.encode("utf-16"))
    bom, utf16 = read_all(tmp_path)
    assert (bom.text, bom.encoding) == (TEXT, "utf-8-sig")
    assert (utf16.text, utf16.encoding) == (TEXT, "utf-16")


def test_doc_ids_are_stable_and_distinct():
    assert ingest.make_doc_id("a/b.jsonl", 3) == ingest.make_doc_id("a/b.jsonl", 3)
    assert ingest.make_doc_id("a/b.jsonl", 3) != ingest.make_doc_id("a/b.jsonl", 4)
    assert len(ingest.make_doc_id("x.txt", 0)) == 16


def test_bad_records_and_files_become_errors(tmp_path):
    (tmp_path / "mixed.jsonl").write_text('{"text": "Tốt."}\n{broken\n{"body": "x"}\n', encoding="utf-8")
    (tmp_path / "nocol.csv").write_text("id,body\n1,x\n", encoding="utf-8")
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 4)
    (tmp_path / "image.png").write_bytes(b"\x89PNG")
    errors = {(r.source, r.record): r.error for r in read_all(tmp_path) if r.error}
    assert errors == {
        ("binary.txt", None): "not text: contains NUL bytes (binary file, or UTF-16 without a byte-order mark)",
        ("image.png", None): "unsupported file type .png; vnpipe reads .csv, .htm, .html, .json, .jsonl, .markdown, .md, .parquet, .tsv, .txt",
        ("mixed.jsonl", 1): "line 2 is not valid JSON: Expecting property name enclosed in double quotes at column 2",
        ("mixed.jsonl", 2): "record has no 'text' field (fields: body); choose the field with --text-field",
        ("nocol.csv", None): "no 'text' column (columns: id, body); choose it with --text-field",
    }


def test_text_field_setting(tmp_path):
    (tmp_path / "a.jsonl").write_text('{"body": "Nội dung."}\n', encoding="utf-8")
    [record] = read_all(tmp_path, ingest.Settings(text_field="body"))
    assert record.text == "Nội dung."


def test_jsonl_lines_may_hold_unicode_line_separators(tmp_path):
    (tmp_path / "a.jsonl").write_text(json.dumps({"text": "Dòng một\u2028dòng hai\x85ba"}, ensure_ascii=False)
                                      + "\n" + json.dumps({"text": "Bài hai"}) + "\n", encoding="utf-8")
    records = list(ingest.read_corpus(tmp_path, ingest.Settings()))
    assert [(r.record, r.text, r.error) for r in records] == [
        (0, "Dòng một\u2028dòng hai\x85ba", None), (1, "Bài hai", None)]


ARTICLE_MD = """---
title: Ngân hàng số tăng tốc
date: 2026-11-20
---
# Ngân hàng số tăng tốc nhờ trí tuệ nhân tạo

Nhiều **ngân hàng** tại Việt Nam đang đưa *trợ lý ảo* vào ứng dụng di động, theo báo cáo của
[Ngân hàng Nhà nước](https://sbv.gov.vn).

## Những điểm chính

- Hơn 80% giao dịch đã diễn ra trên kênh số trong năm 2026.
- Chi phí vận hành mỗi giao dịch giảm gần một nửa so với quầy.

Các chuyên gia cho rằng bảo mật dữ liệu khách hàng vẫn là thách thức lớn nhất của ngành.

[Đọc thêm: Thanh toán QR tăng mạnh](https://example.vn/qr)
"""


def test_markdown_is_read_as_markdown_markup_gone_content_kept(tmp_path):
    (tmp_path / "bai.md").write_text(ARTICLE_MD, encoding="utf-8")
    [record] = read_all(tmp_path)
    assert (record.format, record.title, record.metadata["date"]) == ("markdown", "Ngân hàng số tăng tốc", "2026-11-20")
    assert record.text.splitlines() == [
        "Ngân hàng số tăng tốc nhờ trí tuệ nhân tạo",
        "Nhiều ngân hàng tại Việt Nam đang đưa trợ lý ảo vào ứng dụng di động, theo báo cáo của Ngân hàng Nhà nước.",
        "Những điểm chính",
        "Hơn 80% giao dịch đã diễn ra trên kênh số trong năm 2026.",
        "Chi phí vận hành mỗi giao dịch giảm gần một nửa so với quầy.",
        "Các chuyên gia cho rằng bảo mật dữ liệu khách hàng vẫn là thách thức lớn nhất của ngành.",
        "Đọc thêm: Thanh toán QR tăng mạnh"]
    assert [record.text[s:e] for s, e in record.metadata["links"]] == ["Ngân hàng Nhà nước",
                                                                        "Đọc thêm: Thanh toán QR tăng mạnh"]


def test_markdown_key_points_stay_and_the_read_more_link_goes(tmp_path):
    (tmp_path / "bai.md").write_text(ARTICLE_MD, encoding="utf-8")
    run = tmp_path / "run"
    pipeline.run(tmp_path / "bai.md", run, until="normalize", progress=False)
    [row] = pipeline.read_stage(run, "normalize").to_dict("records")
    assert "Những điểm chính\nHơn 80% giao dịch" in row["text"]
    assert "Chi phí vận hành" in row["text"] and "bảo mật dữ liệu" in row["text"]
    assert "Đọc thêm" not in row["text"] and "#" not in row["text"] and "*" not in row["text"]
    assert [removed["text"] for removed in row["removed"]] == ["Đọc thêm: Thanh toán QR tăng mạnh"]
