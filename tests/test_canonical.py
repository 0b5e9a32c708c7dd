import re

from pipeline.backends.canonical import canonical_names, load_aliases, name_key


def test_mentions_of_one_person_share_the_full_name():
    entities = [(0, 10, "PER", "Sam Altman"), (30, 36, "ORG", "OpenAI"), (50, 56, "PER", "Altman"),
                (70, 80, "PER", "ông Altman"), (90, 97, "ORG", "Open AI")]
    assert canonical_names(entities) == ["Sam Altman", "OpenAI", "Sam Altman", "Sam Altman", "OpenAI"]


def test_shipped_aliases_join_variants_across_documents():
    entities = [(0, 4, "ORG", "a16z"), (10, 29, "ORG", "Andreessen Horowitz"), (40, 46, "LOC", "Hoa Kỳ"),
                (50, 52, "LOC", "Mỹ")]
    assert canonical_names(entities) == ["Andreessen Horowitz", "Andreessen Horowitz", "Mỹ", "Mỹ"]


def test_a_family_name_shared_by_two_people_is_left_alone():
    entities = [(0, 12, "PER", "Ben Horowitz"), (20, 34, "PER", "Marc Horowitz"), (40, 48, "PER", "Horowitz")]
    assert canonical_names(entities, aliases={}) == ["Ben Horowitz", "Marc Horowitz", "Horowitz"]


def test_a_title_tells_two_people_with_one_family_name_apart():
    text = ("Anthropic được thành lập bởi Dario Amodei và em gái ông, bà Daniela Amodei, hiện là chủ tịch. "
            "Ông Amodei cho biết công ty sẽ mở văn phòng mới. Theo bà Amodei, doanh thu tăng nhanh. "
            "Amodei không bình luận.")
    entities = [(m.start(), m.end(), "PER", m.group()) for m in re.finditer(r"(?:Dario |Daniela )?Amodei", text)]
    # `Ông Amodei` cannot be Daniela, whom the text calls `bà`; `bà Amodei` is her; `Amodei` alone is either
    assert canonical_names(entities, aliases={}, text=text) == [
        "Dario Amodei", "Daniela Amodei", "Dario Amodei", "Daniela Amodei", "Amodei"]
    # without the text the titles are unknown, and no mention is given to either of them
    assert canonical_names(entities, aliases={}) == ["Dario Amodei", "Daniela Amodei", "Amodei", "Amodei", "Amodei"]


def test_a_title_that_contradicts_the_only_full_name_does_not_link():
    text = "Ông Dario Amodei phát biểu. Bà Amodei, em gái ông, giữ chức chủ tịch. Ông Amodei nói thêm."
    entities = [(m.start(), m.end(), "PER", m.group()) for m in re.finditer(r"(?:Dario )?Amodei", text)]
    assert canonical_names(entities, aliases={}, text=text) == ["Dario Amodei", "Amodei", "Dario Amodei"]


def test_kinship_words_are_titles_only_in_lower_case():
    entities = [(0, 11, "PER", "Lê Anh Tuấn"), (20, 28, "PER", "anh Tuấn"), (30, 38, "PER", "Anh Tuấn")]
    assert canonical_names(entities, aliases={}) == ["Lê Anh Tuấn"] * 3


def test_tone_placement_does_not_split_a_name():
    entities = [(0, 8, "LOC", "Khánh Hòa"), (10, 18, "LOC", "Khánh Hoà")]
    # One name, as first written (a run writes one tone style: the name is as its text writes it).
    assert canonical_names(entities, aliases={}) == ["Khánh Hòa", "Khánh Hòa"]


def test_user_aliases_extend_and_override_the_shipped_list(tmp_path):
    user = tmp_path / "aliases.csv"
    user.write_text("alias,canonical\nHoa Kỳ,Hoa Kỳ\nMỹ,Hoa Kỳ\nNV,Nvidia\n", encoding="utf-8")
    aliases = load_aliases(user)
    assert aliases[name_key("a16z")] == "Andreessen Horowitz"
    entities = [(0, 2, "LOC", "Mỹ"), (5, 7, "ORG", "NV")]
    assert canonical_names(entities, aliases) == ["Hoa Kỳ", "Nvidia"]


def test_a_malformed_alias_row_names_the_file_and_line(tmp_path):
    user = tmp_path / "aliases.csv"
    user.write_text("alias,canonical\nOpenAI,\n", encoding="utf-8")
    try:
        load_aliases(user, include_shipped=False)
    except ValueError as error:
        assert str(error).startswith(f"{user}:2: expected `alias,canonical`")
    else:
        raise AssertionError("no error")
