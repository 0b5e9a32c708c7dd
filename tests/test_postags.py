"""POS tags: one tag set in the segment stage's `pos` for every token and backend, Universal POS beside
it, and (slow) accuracy on VLSP 2016 test's POS column."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.backends.postags import TAGSET, tag_in_tagset, upos
from pipeline.backends.wordseg import get_segmenter
from pipeline.cli import app
from pipeline.evaluate.pos import evaluate
from pipeline.stages.segment import segment_text

from conftest import shared_file

README = Path(__file__).resolve().parents[1] / "README.md"


def tagged(sentence: str, backend: str = "vnpipe", user_words: str | None = None) -> list[tuple[str, str]]:
    return [(sentence[start:end], tag) for start, end, tag in get_segmenter(backend, user_words).segment(sentence)]


def test_a_sentence_of_vlsp_2016_test_gets_the_tags_of_its_gold():
    assert tagged("Chị Minh ôm đứa con gái và kể cho chúng tôi nghe về cái chết của chồng.") == [
        ("Chị", "Ns"), ("Minh", "NNP"), ("ôm", "V"), ("đứa", "Ns"), ("con", "N"), ("gái", "N"), ("và", "Cc"),
        ("kể", "V"), ("cho", "E"), ("chúng tôi", "P"), ("nghe", "V"), ("về", "E"), ("cái", "Ns"), ("chết", "V"),
        ("của", "E"), ("chồng", "N"), (".", "CH")]


def test_words_the_rules_keep_whole_get_tags_of_the_same_set():
    # URLs, e-mails, handles: NNP; numbers and dates: M; foreign names: NNP
    assert tagged("Liên hệ ban@vnexpress.net hoặc xem https://vnexpress.net/ai, theo dõi @vnexpress và #AI.") == [
        ("Liên hệ", "V"), ("ban@vnexpress.net", "NNP"), ("hoặc", "Cc"), ("xem", "V"),
        ("https://vnexpress.net/ai", "NNP"), (",", "CH"), ("theo dõi", "V"), ("@vnexpress", "NNP"), ("và", "Cc"),
        ("#AI", "NNP"), (".", "CH")]
    assert tagged("Ông John Stuart Mill nói chuyện với CEO của OpenAI tại Hà Nội ngày 12/5/2024.") == [
        ("Ông", "Ns"), ("John Stuart Mill", "NNP"), ("nói chuyện", "V"), ("với", "E"), ("CEO", "Ny"), ("của", "E"),
        ("OpenAI", "NNP"), ("tại", "E"), ("Hà Nội", "NNP"), ("ngày", "N"), ("12/5/2024", "M"), (".", "CH")]
    # abbreviations: the tagger tells an abbreviated noun (Ny) from a name (NNP) and a unit (Nu)
    assert tagged("UBND TP. HCM chi 15 triệu USD.") == [
        ("UBND", "Ny"), ("TP.", "NNP"), ("HCM", "NNP"), ("chi", "V"), ("15", "M"), ("triệu", "M"), ("USD", "Nu"),
        (".", "CH")]


def test_user_words_are_proper_nouns(tmp_path):
    words = tmp_path / "words.txt"
    words.write_text("Quỹ Vì người nghèo\n", encoding="utf-8")
    assert tagged("Quỹ Vì người nghèo nhận 2 tỷ đồng.", user_words=str(words))[0] == ("Quỹ Vì người nghèo", "NNP")


@pytest.mark.parametrize("backend", ["underthesea", "pyvi"])
def test_other_backends_speak_the_same_tag_set(backend):
    words = tagged("Chị Minh và anh Ba xem tivi ở Hà Nội, nhưng UBND TP. HCM chi 15 triệu USD.", backend)
    assert all(tag in TAGSET for _, tag in words)
    assert ("Hà Nội", "NNP") in words and (",", "CH") in words  # VLSP 2013's Np, pyvi's F


def test_tags_of_other_sets_are_mapped_and_each_tag_has_a_universal_pos():
    assert [tag_in_tagset(tag) for tag in ("Np", "F", "CC", "Y", "B", "NPP", "N", "?")] == \
        ["NNP", "CH", "Cc", "Ny", "FW", "NNP", "N", "X"]
    assert [upos(tag) for tag in ("N", "NNP", "Nc", "V", "A", "P", "R", "L", "M", "E", "C", "Cc", "T", "CH")] == \
        ["NOUN", "PROPN", "NOUN", "VERB", "ADJ", "PRON", "ADV", "DET", "NUM", "ADP", "SCONJ", "CCONJ", "PART", "PUNCT"]


def test_segment_tokens_carry_the_tag_and_its_universal_pos():
    text = "OpenAI ra mắt ChatGPT ở Hà Nội."
    assert [(t["text"], t["pos"], t["upos"]) for t in segment_text(text, [{"start": 0, "end": len(text)}], "vnpipe")] \
        == [("OpenAI", "NNP", "PROPN"), ("ra mắt", "V", "VERB"), ("ChatGPT", "NNP", "PROPN"), ("ở", "E", "ADP"),
            ("Hà Nội", "NNP", "PROPN"), (".", "CH", "PUNCT")]


def test_the_readme_table_lists_every_tag_with_its_universal_pos():
    rows = re.findall(r"^\| `([^`]+)` \| (.+?) \| (.+?) \| (\w+) \|$", README.read_text(encoding="utf-8"), re.M)
    assert [(tag, meaning, examples, universal) for tag, meaning, examples, universal in rows] == \
        [(tag, meaning, examples, universal) for tag, (meaning, examples, universal) in TAGSET.items()]


def test_eval_pos_scores_the_gold_words_a_backend_finds(tmp_path):
    gold = tmp_path / "gold.5col.conll"
    gold.write_text("Chị\tNc\tB-NP\tO\tO\nMinh\tNNP\tB-NP\tB-PER\tO\nôm_đứa\tV\tB-VP\tO\tO\n"
                    "con_gái\tN\tB-NP\tO\tO\n.\tCH\tO\tO\tO\n", encoding="utf-8")
    result = evaluate(gold, get_segmenter("vnpipe"))
    # `ôm đứa` is two words for our segmenter: 4 of 5 gold words matched; `Chị` Ns against Nc counts
    # as right, except in `exact`
    assert (result["tokens"], result["matched"], result["accuracy"], result["exact"]) == (5, 80.0, 100.0, 75.0)
    cli = CliRunner().invoke(app, ["eval", "pos", str(gold), "--segmenter", "vnpipe", "--json"])
    assert cli.exit_code == 0 and '"accuracy": 100.0' in cli.stdout


@pytest.mark.slow
def test_pos_accuracy_on_vlsp_2016_test_is_at_least_the_issues_floor():
    # 93.21 was measured before the tag set was one (issue 26); the README quotes the figure itself.
    assert evaluate(shared_file("eval/ner/vlsp2016/word/test.5col.conll"), get_segmenter("vnpipe"))["accuracy"] >= 93.21
