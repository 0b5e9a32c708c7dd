"""The spaCy entry point: our tokens, sentences and entities in a `spacy.Language`, with offsets
into the text the user passed."""
import spacy

import pipeline

TEXT = "CEO của OpenAI, Sam Altman, gặp Ben Horowitz tại Hà Nội."


def test_nlp_gives_our_tokens_and_entities():
    doc = pipeline.spacy_nlp()(TEXT)
    assert doc.text == TEXT and doc.lang_ == "vi"
    assert [t.text for t in doc] == ["CEO", "của", "OpenAI", ",", "Sam Altman", ",", "gặp", "Ben Horowitz",
                                     "tại", "Hà Nội", "."]
    assert [(e.text, e.label_, e.start_char, e.end_char) for e in doc.ents] == [
        ("OpenAI", "ORG", 8, 14), ("Sam Altman", "PER", 16, 26), ("Ben Horowitz", "PER", 32, 44),
        ("Hà Nội", "LOC", 49, 55)]
    # token.tag_ is our tag (one tag set), token.pos_ its Universal POS, as in spaCy's own pipelines
    assert [(t.tag_, t.pos_) for t in doc] == [
        ("Ny", "NOUN"), ("E", "ADP"), ("NNP", "PROPN"), ("CH", "PUNCT"), ("NNP", "PROPN"), ("CH", "PUNCT"),
        ("V", "VERB"), ("NNP", "PROPN"), ("E", "ADP"), ("NNP", "PROPN"), ("CH", "PUNCT")]


def test_offsets_point_into_the_text_as_given():
    # Decomposed letters, a zero-width space, a soft line break and classic tone marks: normalization
    # changes all of them, the Doc keeps the user's text and the entities point into it.
    text = "Bà Lê Thị Thu Thủy\u200b  gặp ông Nguye\u0302\u0303n Văn An ở Hue\u0302\u0301.\r\nHọ bàn về FPT."
    doc = pipeline.spacy_nlp()(text)
    assert doc.text == text
    assert [(e.text, e.label_) for e in doc.ents] == [
        ("Lê Thị Thu Thủy", "PER"), ("Nguye\u0302\u0303n Văn An", "PER"), ("Hue\u0302\u0301", "LOC"), ("FPT", "ORG")]
    assert doc.ents[0].kb_id_ == "Lê Thị Thu Thủy"  # the canonical name, as the text writes it
    assert [s.text.strip() for s in doc.sents][-1] == "Họ bàn về FPT."


def test_the_ner_component_works_after_any_tokenizer():
    nlp = spacy.blank("xx")
    nlp.add_pipe("vnpipe_ner")
    assert [(e.text, e.label_) for e in nlp(TEXT).ents] == [
        ("OpenAI", "ORG"), ("Sam Altman", "PER"), ("Ben Horowitz", "PER"), ("Hà Nội", "LOC")]


def test_the_language_saves_and_loads(tmp_path):
    pipeline.spacy_nlp().to_disk(tmp_path / "nlp")
    nlp = spacy.load(tmp_path / "nlp")
    assert nlp.pipe_names == ["vnpipe_ner"]
    assert [e.text for e in nlp(TEXT).ents] == ["OpenAI", "Sam Altman", "Ben Horowitz", "Hà Nội"]
