"""Structure first: on pages of several layouts (written for these tests, in tests/pages/), every
sentence of the article is kept, the headline is in the text and the title, and menus, breadcrumbs,
share bars, related links, comments and footers go, each with an audit row."""
import json

import pytest

import pipeline

from pipeline.stages import ingest
from pipeline.stages.normalize import Normalize
from pipeline.text.html import strip_site_name
from pipeline.text.sentences import split_sentences

from conftest import ROOT

PAGES = ROOT / "tests" / "pages"


def normalized(name):
    """The ingest record and the normalize row of one page."""
    [record] = ingest.read_file(PAGES / name, name, ingest.Settings())
    row = Normalize().process({"doc_id": name, "text": record.text, "title": record.title,
                               "metadata": json.dumps(record.metadata or {})})
    for removed in row["removed"]:  # every removal is audited with its span in the original
        assert record.text[removed["start"]:removed["end"]] == removed["text"]
    return record, row


def test_news_page_with_menu_breadcrumb_share_bar_related_links_comments_and_footer():
    record, row = normalized("news.html")
    assert row["title"] == "Phát hiện xác cá voi dài 15 mét dạt vào bờ biển Quảng Ngãi"  # the h1, not <title>
    assert row["text"].splitlines() == [
        "Phát hiện xác cá voi dài 15 mét dạt vào bờ biển Quảng Ngãi",  # the headline after the menu stays
        "Một xác cá voi nặng khoảng 10 tấn dạt vào bờ biển thôn Câu Hạ A. Phát hiện sự việc, người dân đã báo "
        "cho chính quyền xã.",
        "Sáng 19/5, ông Nguyễn Văn Tám, ngư dân xã Bình Hải, huyện Bình Sơn, đi kéo lưới thì thấy một vật thể lớn "
        "trôi dạt vào bờ. Đến gần, ông phát hiện đó là xác một con cá voi đã chết nhiều ngày.",
        "Chính quyền tổ chức chôn cất",
        "Ngay trong buổi chiều, Ủy ban nhân dân xã huy động hơn 50 người cùng máy xúc để đưa xác cá voi lên bờ. "
        "Theo phong tục của ngư dân miền Trung, cá voi được gọi là \"cá Ông\" và được chôn cất trang trọng.",
        "Chiều dài khoảng 15 mét",
        "Nặng khoảng 10 tấn",
        "Đã chết khoảng một tuần",
        "Đây là lần thứ ba trong năm nay cá voi dạt vào bờ biển tỉnh Quảng Ngãi.",
        "Minh Anh",  # the article's credit, inside <article>
    ]
    reasons = {removed["text"]: removed["reason"] for removed in row["removed"]}
    assert reasons["Môi trường"] == "page_furniture"  # the breadcrumb's last, unlinked, item
    assert reasons["Zalo"] == "share_prompt"
    assert reasons["Lễ an táng cá Ông tại làng biển Nghệ An"] == "link_dense"
    assert reasons["Người dân làng tôi cũng có tục thờ cá Ông từ bao đời nay, rất thiêng."] == "page_furniture"
    assert reasons["Tin nhanh 24h - Báo điện tử tổng hợp"] == "page_furniture"
    assert len(row["removed"]) == 26  # every line of menu, breadcrumb, share bars, related links, comments, footer


def test_a_sentence_ends_after_a_letter_that_closes_a_place_name():
    _, row = normalized("news.html")
    sentences = [row["text"][s["start"]:s["end"]] for s in row["sentences"]]
    assert sentences[1:3] == ["Một xác cá voi nặng khoảng 10 tấn dạt vào bờ biển thôn Câu Hạ A.",
                              "Phát hiện sự việc, người dân đã báo cho chính quyền xã."]
    text = "Ông Nguyễn V. Anh sống ở khu Tân Lập B. Sau đó ông về tổ A. Hai người gặp nhau."
    assert [text[s:e] for s, e in split_sentences(text)] == [
        "Ông Nguyễn V. Anh sống ở khu Tân Lập B.", "Sau đó ông về tổ A.", "Hai người gặp nhau."]


def test_blog_post_keeps_subheadings_quote_and_list_and_drops_the_sidebar():
    _, row = normalized("blog.html")
    assert row["title"] == "Ba tuần đạp xe xuyên Việt"
    assert row["text"].splitlines() == [
        "Ba tuần đạp xe xuyên Việt",
        "Tôi khởi hành từ Hà Nội vào một buổi sáng mưa phùn, với chiếc xe đạp cũ và hai túi đồ nhỏ.",
        "Chặng một: Hà Nội đến Vinh",
        "Quốc lộ 1 đông xe tải, nên tôi đi đường ven biển qua Nam Định và Thanh Hóa. Mỗi ngày đi khoảng 90 km.",
        "Chặng hai: đèo Hải Vân",
        "Leo đèo mất gần ba tiếng. Trên đỉnh đèo, gió thổi mạnh đến mức tôi phải dắt xe.",
        "Đường dài mới biết ngựa hay.",
        "Những gì tôi mang theo",
        "Hai săm dự phòng",
        "Bộ vá xe",
        "Áo mưa mỏng",
        "Nếu bạn muốn đi, hãy đọc thêm bài chuẩn bị của tôi trước khi lên đường.",  # one inline link: kept
    ]
    assert [removed["reason"] for removed in row["removed"]] == [
        "page_furniture", "link_dense", "link_dense", "page_furniture", "link_dense", "copyright"]


def test_markdown_note_keeps_headings_quote_lists_and_table_rows_and_moves_front_matter_and_byline():
    record, row = normalized("note.md")
    assert record.metadata["author"] == "Minh Anh" and record.metadata["tags"] == ["nông nghiệp", "lúa gạo"]
    assert record.metadata["byline"] == "Đăng bởi Minh Anh · 22/05/2017"
    assert (row["title"], row["date"]) == ("Giá lúa tăng mạnh ở Đồng bằng sông Cửu Long", "2017-05-22")
    assert row["text"].splitlines() == [
        "Giá lúa tăng mạnh ở Đồng bằng sông Cửu Long",
        "Theo Hiệp hội Lương thực Việt Nam, giá lúa tươi tại An Giang đã tăng 300 đồng mỗi kg trong tuần qua.",
        "Chuyên gia nói gì",
        "Nhu cầu nhập khẩu từ Philippines tăng, nên giá còn có thể lên nữa.",
        "Các lý do chính:",
        "Nhu cầu nhập khẩu tăng",
        "Nguồn cung cuối vụ giảm",
        "Đồng USD mạnh lên",
        "Tỉnh | Giá (đồng/kg)",  # a table: one row a line
        "An Giang | 5.800",
        "Kiên Giang | 5.700",
        "Nông dân nên bán dần.",
        "Doanh nghiệp cần ký hợp đồng sớm.",
    ]
    assert row["removed"] == []


def test_short_markdown_post_with_an_inline_link_loses_nothing():
    _, row = normalized("post.md")
    assert row["text"].splitlines() == ["Trạm sạc mới ở Đà Nẵng",
                                        "Công ty VinFast vừa mở thêm trạm sạc ở quận Hải Châu.",
                                        "Trạm có 20 cổng sạc", "Mở cửa cả ngày"]


def test_byline_without_a_date_and_the_date_from_a_byline():
    from pipeline.text.markdown import extract

    page = extract("# Tiêu đề bài\n\nTác giả: Lê Minh Thư\n\nĐoạn văn đầu tiên của bài viết.\n")
    assert page.text.splitlines() == ["Tiêu đề bài", "Đoạn văn đầu tiên của bài viết."]
    assert (page.metadata, page.date) == ({"byline": "Tác giả: Lê Minh Thư", "author": "Lê Minh Thư"}, None)
    assert extract("Bởi Minh Anh · 20/05/2017\n\nMột đoạn.\n").date == "2017-05-20"


def test_page_with_only_a_headline_and_two_paragraphs():
    _, row = normalized("short.html")
    assert row["title"] == "Hà Nội có mưa rào chiều nay"  # <h1>; <title> has the site's name after it
    assert row["text"].splitlines() == [
        "Hà Nội có mưa rào chiều nay",
        "Trung tâm Dự báo khí tượng thủy văn quốc gia cho biết chiều nay Hà Nội có mưa rào và dông rải rác.",
        "Nhiệt độ cao nhất trong ngày khoảng 33 độ C."]
    assert row["removed"] == []


@pytest.mark.parametrize("title, expected", [
    ("Giá vàng hôm nay tăng mạnh - Tin nhanh 24h", "Giá vàng hôm nay tăng mạnh"),
    ("Ba tuần đạp xe xuyên Việt | Nhật ký của Hà", "Ba tuần đạp xe xuyên Việt"),
    ("Việt Nam - Thái Lan: 2-0 - Báo Thể thao", "Việt Nam - Thái Lan: 2-0"),
    ("Việt Nam - Thái Lan", "Việt Nam - Thái Lan"),  # the tail is as long as the head: not a site name
    ("Không có tên trang", "Không có tên trang"),
])
def test_the_site_name_after_a_title_goes(title, expected):
    assert strip_site_name(title) == expected


def test_title_without_og_title_or_h1_comes_from_title_without_the_site_name():
    from pipeline.text.html import extract

    page = extract("<html><head><title>Giá xăng giảm lần thứ ba - Tin nhanh 24h</title></head>"
                   "<body><p>Giá xăng RON 95 giảm 500 đồng mỗi lít từ 15 giờ chiều nay.</p></body></html>")
    assert page.title == "Giá xăng giảm lần thứ ba"


def test_html_table_row_is_one_line_and_kept_in_the_article():
    from pipeline.text.html import extract

    page = extract("<article><h1>Kết quả</h1><table><tr><th>Đội</th><th>Điểm</th></tr>"
                   "<tr><td>Hà Nội</td><td>30</td></tr></table></article>")
    assert page.text.splitlines() == ["Kết quả", "Đội | Điểm", "Hà Nội | 30"]
    row = Normalize().process({"doc_id": "d", "text": page.text, "title": page.title,
                               "metadata": json.dumps({"links": page.links, "blocks": page.blocks})})
    assert row["text"] == page.text and row["removed"] == []


def test_a_container_that_holds_the_article_is_never_furniture_and_a_logo_is_not_the_headline():
    from pipeline.text.html import extract

    page = extract("""<html><head><title>Trang chủ - Báo Mẫu</title></head><body><form id="form1">
        <h1 class="logo"><a href="/">Báo Mẫu</a></h1>
        <div class="layout has-sidebar"><h1>Giá điện tăng 4,8% từ hôm nay</h1>
        <p>Tập đoàn Điện lực Việt Nam điều chỉnh giá bán lẻ điện bình quân từ ngày 11/10.</p>
        <div class="sidebar"><p>Quảng cáo của đối tác, liên hệ ngay để nhận ưu đãi trong tháng này.</p></div>
        </div></form></body></html>""")
    assert page.title == "Giá điện tăng 4,8% từ hôm nay"
    row = Normalize().process({"doc_id": "d", "text": page.text, "title": page.title,
                               "metadata": json.dumps({"links": page.links, "blocks": page.blocks})})
    assert row["text"].splitlines() == ["Giá điện tăng 4,8% từ hôm nay",
                                        "Tập đoàn Điện lực Việt Nam điều chỉnh giá bán lẻ điện bình quân từ ngày 11/10."]
    assert [(r["text"], r["reason"]) for r in row["removed"]] == [
        ("Báo Mẫu", "link_dense"),
        ("Quảng cáo của đối tác, liên hệ ngay để nhận ưu đãi trong tháng này.", "page_furniture")]


def test_items_with_links_under_a_related_header_go_even_inside_main():
    from pipeline.text.html import extract

    page = extract("""<main><h1>Giá điện tăng 4,8% từ hôm nay</h1>
        <p>Tập đoàn Điện lực Việt Nam điều chỉnh giá bán lẻ điện bình quân từ ngày 11/10.</p>
        <ul><li>Giá bậc 1 tăng 80 đồng</li><li>Giá bậc 6 tăng 150 đồng</li></ul>
        <h3>Tin liên quan</h3>
        <ul><li><a href="/a">Giá xăng giảm</a> sau ba lần tăng liên tiếp trong tháng</li>
        <li><a href="/b">Tiền điện tháng 9</a> của nhiều hộ gia đình tăng vọt</li></ul></main>""")
    row = Normalize().process({"doc_id": "d", "text": page.text, "title": page.title,
                               "metadata": json.dumps({"links": page.links, "blocks": page.blocks})})
    assert row["text"].splitlines() == ["Giá điện tăng 4,8% từ hôm nay",
                                        "Tập đoàn Điện lực Việt Nam điều chỉnh giá bán lẻ điện bình quân từ ngày 11/10.",
                                        "Giá bậc 1 tăng 80 đồng", "Giá bậc 6 tăng 150 đồng"]
    assert [r["reason"] for r in row["removed"]] == ["related_header", "related_block", "related_block"]


def test_news_page_without_semantic_containers_but_an_article_column():
    _, row = normalized("column.html")
    assert row["title"] == "Giá thép xây dựng giảm lần thứ năm liên tiếp"
    assert row["text"].splitlines() == [
        "Thứ bảy, 20/5/2017, 08:15 (GMT+7)",
        "Giá thép xây dựng giảm lần thứ năm liên tiếp",
        "Các doanh nghiệp thép đồng loạt giảm giá bán thêm 200.000 đồng một tấn.",
        "Từ hôm nay, thép cuộn CB240 của Hòa Phát còn 14,1 triệu đồng một tấn. Thép thanh vằn D10 giảm về 14,4 "
        "triệu đồng.",
        "Theo Hiệp hội Thép Việt Nam, sức mua yếu vì thị trường bất động sản trầm lắng.",
        "Giá giảm.",  # a two-word paragraph of the article body
        "Minh Châu",
    ]
    reasons = [(r["text"], r["reason"]) for r in row["removed"]]
    assert reasons[:6] == [("Đăng nhập", "share_prompt"), ("Mới nhất", "link_dense"), ("Kinh doanh", "link_dense"),
                           ("Bất động sản", "link_dense"), ("Kinh doanh › Hàng hóa", "link_dense"),
                           ("Facebook Twitter Copy link", "link_dense")]
    assert reasons[-4:] == [("Giá quặng sắt tại Trung Quốc tăng 5% trong tuần qua.", "link_dense"),
                            ("Thép Việt chịu thuế chống bán phá giá", "link_dense"),
                            ("Báo Kinh tế Sáng. Bản quyền thuộc về Công ty ABC.", "page_furniture"),
                            ("Liên hệ quảng cáo: 0901 234 567", "site_footer")]


def test_no_entity_runs_across_the_sentence_end_after_a_place_letter():
    line = "Một xác cá voi dạt vào bờ biển thôn Câu Hạ A. Phát hiện sự việc, người dân đã báo cho chính quyền xã."
    settings = pipeline.RunSettings(ner=pipeline.STAGES["ner"].Settings(backend="vnpipe"))
    [analysis] = pipeline.analyse([line], settings, until="ner")
    assert [(e["text"], e["label"]) for e in analysis["entities"]] == [("thôn Câu Hạ A", "LOC")]  # was `thôn Câu Hạ A. Phát`
