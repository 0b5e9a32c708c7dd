"""Boilerplate removal: each kind of page furniture goes, with an audit row; the article stays."""
import json

from pipeline.evaluate.boilerplate import evaluate
from pipeline.text.html import extract
from pipeline.stages.normalize import Normalize

from conftest import ROOT, shared_file

ARTICLE = [
    "Giá vàng miếng SJC sáng nay tăng thêm 500.000 đồng mỗi lượng, lên mức cao nhất từ trước đến nay, "
    "trong khi giá vàng thế giới đi ngang quanh 2.650 USD một ounce.",
    "Theo các doanh nghiệp kinh doanh vàng, lượng khách mua vào tăng mạnh từ đầu tuần, nhiều người xếp "
    "hàng từ sớm trước cửa hàng trên phố Trần Nhân Tông, Hà Nội.",
    "Ngân hàng Nhà nước cho biết sẽ tiếp tục theo dõi sát diễn biến thị trường và sẵn sàng can thiệp "
    "để bình ổn giá khi cần thiết.",
]


def normalize(text, metadata=None, **settings):
    return Normalize(Normalize.Settings(**settings)).process(
        {"doc_id": "d", "text": text, "title": None, "metadata": json.dumps(metadata or {})})


def removed_reasons(page_lines):
    original = "\n".join(page_lines)
    row = normalize(original)
    for removed in row["removed"]:  # every removal is audited with its span in the original
        assert original[removed["start"]:removed["end"]] == removed["text"]
    for paragraph in ARTICLE:
        assert paragraph in row["text"]
    return {removed["text"]: removed["reason"] for removed in row["removed"]}


def test_headline_link_list():
    headlines = ["Bão số 6 khả năng sắp hình thành, trọng tâm mưa lớn ở miền Trung",
                 "Ô tô bất ngờ \"sụt hố\" trên phố Đội Cấn, Hà Nội",
                 "iPhone 17 hoàn toàn \"mất tích\" khỏi đại lý chính hãng Việt Nam",
                 "Loạt ngân hàng hướng dẫn cách liên kết tài khoản trên VNeID"]
    reasons = removed_reasons([*ARTICLE, *headlines])
    assert [reasons[h] for h in headlines] == ["link_list"] * 4


def test_related_and_you_may_also_like_blocks():
    reasons = removed_reasons([*ARTICLE, "Tin liên quan:", "Giá xăng giảm lần thứ ba liên tiếp",
                               "Có thể bạn quan tâm", "Thị trường ô tô tháng 7 tăng trưởng mạnh"])
    assert reasons == {"Tin liên quan:": "related_header", "Giá xăng giảm lần thứ ba liên tiếp": "related_block",
                       "Có thể bạn quan tâm": "related_header",
                       "Thị trường ô tô tháng 7 tăng trưởng mạnh": "related_block"}


def test_trending_list():
    reasons = removed_reasons([*ARTICLE, "Đọc nhiều nhất", "Cục Cảnh sát kinh tế ra yêu cầu khẩn",
                               "Danh tính chàng chiến sĩ 'triệu view' dịp lễ 2/9"])
    assert set(reasons.values()) == {"trending_header", "trending_block"}


def test_share_comment_and_subscribe_prompts():
    prompts = ["Chia sẻ", "Bình luận (12)", "Theo dõi chúng tôi trên Google News", "Facebook Twitter Zalo",
               "Đăng ký nhận bản tin"]
    reasons = removed_reasons([ARTICLE[0], prompts[0], prompts[1], *ARTICLE[1:], *prompts[2:]])
    assert [reasons[p] for p in prompts] == ["share_prompt"] * 5


def test_bylines_and_dates_of_other_articles():
    reasons = removed_reasons([*ARTICLE, "- Nhiều cảnh sát xuất hiện tại nhà \"bầu\" Đoan (28/08/25 23:57)",
                               "Hà Nội đề xuất cấm xe máy từ năm 2030", "Thanh Hà | 2 giờ trước"])
    assert reasons["- Nhiều cảnh sát xuất hiện tại nhà \"bầu\" Đoan (28/08/25 23:57)"] == "dated_headline"
    assert reasons["Thanh Hà | 2 giờ trước"] == "byline"


def test_copyright_disclaimer_footer_and_tags():
    lines = ["Tags: giá vàng, SJC, Ngân hàng Nhà nước",
             "Tuyên bố miễn trừ trách nhiệm: Bài viết không phải lời khuyên đầu tư.",
             "© 2025 Báo Điện tử. Ghi rõ nguồn khi phát hành lại thông tin từ website này.",
             "Tổng biên tập: Nguyễn Văn A"]
    reasons = removed_reasons([*ARTICLE, *lines])
    assert [reasons[line] for line in lines] == ["tags", "disclaimer", "copyright", "site_footer"]


def test_navigation_breadcrumb():
    reasons = removed_reasons(["Trang chủ » Kinh doanh » Thị trường", *ARTICLE])
    assert reasons == {"Trang chủ » Kinh doanh » Thị trường": "navigation"}


LAST = ("Nhiều người dân đồng tình với đề xuất vì giao thông nội đô ngày càng ùn tắc, nhất là vào giờ cao "
        "điểm buổi sáng.")


def test_html_link_density_removes_link_blocks_with_an_audit():
    page = extract(
        "<html><body><div><a href='/a'>Thời sự</a> <a href='/b'>Góc nhìn</a> <a href='/c'>Thế giới</a></div>"
        + "".join(f"<p>{paragraph}</p>" for paragraph in ARTICLE)
        + "<div class='box'><a href='/x'>Hà Nội đề xuất cấm xe máy từ năm 2030 ở nội đô</a></div>"
        f"<p>{LAST}</p></body></html>")
    assert "\x02" not in page.text and page.text[slice(*page.links[0])] == "Thời sự"
    row = normalize(page.text, {"links": page.links})
    assert row["text"].split("\n") == [*ARTICLE, LAST]
    assert [(r["reason"], r["text"]) for r in row["removed"]] == [
        ("link_dense", "Thời sự Góc nhìn Thế giới"),
        ("link_dense", "Hà Nội đề xuất cấm xe máy từ năm 2030 ở nội đô")]


def test_article_lists_and_subheadings_stay():
    text = "\n".join([ARTICLE[0], "Những điều cần biết", ARTICLE[1], "1. Mang theo căn cước.", ARTICLE[2]])
    assert normalize(text)["text"] == text


def test_gold_scores_on_seeds_and_sample():
    shared_file("corpora/seeds")  # the gold labels the seed pages too
    result = evaluate(ROOT / "data/gold/boilerplate.tsv", ROOT)
    assert result["overall"]["article_kept_pct"] >= 99
    assert result["overall"]["boilerplate_removed_pct"] >= 95


def test_a_block_header_never_takes_the_whole_article():
    # A crawled page that opens with a "latest news" header and then a short article: the header
    # goes, the title and the two paragraphs stay (they used to be removed as the header's block).
    text = ("Tin mới cập nhật\n\nGiá xăng giảm lần thứ ba liên tiếp từ chiều nay\n\n"
            "Liên bộ Công Thương - Tài chính vừa quyết định giảm giá xăng RON 95 thêm 300 đồng mỗi lít, "
            "mức giảm thứ ba liên tiếp kể từ đầu tháng.\n\n"
            "Theo cơ quan điều hành, giá dầu thế giới đi xuống trong hai tuần qua nên giá bán lẻ trong nước "
            "cũng được điều chỉnh tương ứng.\n")
    row = Normalize().process({"doc_id": "x", "text": text, "title": None, "metadata": None})
    assert row["title"] == "Giá xăng giảm lần thứ ba liên tiếp từ chiều nay"
    assert row["text"].splitlines()[1:] == [text.split("\n\n")[2], text.split("\n\n")[3].strip()]
    assert [(r["text"], r["reason"]) for r in row["removed"]] == [("Tin mới cập nhật", "related_header")]
