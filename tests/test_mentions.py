"""Mentions made well-formed after tagging: a name never ends inside a word, a repeated name is two,
a country after a title is a place. The inputs are what a tagger gave on crawled text."""
from pipeline.backends.mentions import well_formed


def words(text: str, pieces: list[str]) -> list[dict]:
    """The segment stage's tokens for `pieces`, in order (offsets into `text`)."""
    tokens, position = [], 0
    for piece in pieces:
        start = text.index(piece, position)
        tokens.append({"start": start, "end": start + len(piece), "text": piece})
        position = start + len(piece)
    return tokens


def mentions(text: str, spans: list[tuple[int, int, str]], pieces: list[str]) -> list[tuple[str, str]]:
    found = well_formed(text, [(s, e, label, 0.9) for s, e, label in spans], words(text, pieces))
    return [(text[s:e], label) for s, e, label, _ in found]


def test_a_name_ends_where_a_heading_glued_to_it_begins():
    text = "HLV Chelsea Giai đoạn hai bắt đầu."
    assert mentions(text, [(4, 16, "ORG")], ["HLV", "Chelsea", "Giai đoạn", "hai", "bắt đầu", "."]) == [
        ("Chelsea", "ORG")]


def test_a_capitalised_syllable_of_a_common_word_is_no_name():
    text = "Nghị định số 100 có hiệu lực. Chung kết diễn ra tối nay."
    pieces = ["Nghị định", "số", "100", "có", "hiệu lực", ".", "Chung kết", "diễn", "ra", "tối", "nay", "."]
    assert mentions(text, [(0, 4, "PER"), (30, 35, "PER")], pieces) == []


def test_a_name_inside_a_longer_name_word_stays():
    text = "Sam Altman đến Hà Nội."
    assert mentions(text, [(0, 3, "PER")], ["Sam Altman", "đến", "Hà Nội", "."]) == [("Sam", "PER")]


def test_a_name_that_repeats_is_two_mentions():
    text = "Lý Nhã Kỳ Lý Nhã Kỳ khoe ảnh mới. Conte Antonio Conte nói đội đã cố gắng."
    assert mentions(text, [(0, 19, "PER"), (34, 53, "PER")],
                    ["Lý Nhã Kỳ", "Lý", "Nhã Kỳ", "khoe", "ảnh", "mới", ".", "Conte Antonio Conte", "nói", "đội",
                     "đã", "cố gắng", "."]) == [("Lý Nhã Kỳ", "PER"), ("Lý Nhã Kỳ", "PER"), ("Conte", "PER"),
                                                ("Antonio Conte", "PER")]


def test_a_country_after_a_title_is_a_place_and_a_person_named_after_one_is_not():
    text = "Thủ tướng Đức Angela Merkel gặp ông Đức, trưởng thôn."
    found = mentions(text, [(10, 13, "PER"), (14, 27, "PER"), (36, 39, "PER")],
                     ["Thủ tướng", "Đức", "Angela Merkel", "gặp", "ông", "Đức", ",", "trưởng thôn", "."])
    assert found == [("Đức", "LOC"), ("Angela Merkel", "PER"), ("Đức", "PER")]


def test_a_country_whose_name_is_no_given_name_is_never_a_person():
    # Crawled football news: the team is named by its country, which a tagger reads as a person.
    text = "Họ thắng Bồ Đào Nha và Anh ghi bàn."
    found = mentions(text, [(9, 19, "PER"), (23, 26, "PER")],
                     ["Họ", "thắng", "Bồ Đào Nha", "và", "Anh", "ghi", "bàn", "."])
    assert found == [("Bồ Đào Nha", "LOC"), ("Anh", "PER")]  # `Anh` is a given name too: left as tagged
