"""Names across a corpus: the aliases stage joins the spellings, abbreviations and short forms of one
entity, never two people who share a Vietnamese name or an initial."""
import pipeline
from pipeline.backends.aliases import corpus_names


def test_an_abbreviation_a_family_name_and_a_first_word_join_the_one_name_they_fit():
    documents = [[("Manchester United", "ORG"), ("Vladimir Putin", "PER"), ("Real Madrid", "ORG")],
                 [("MU", "ORG"), ("Putin", "PER")], [("M.U", "ORG"), ("Real", "ORG")]]
    names = corpus_names(documents)
    assert names[("MU", "ORG")] == names[("M.U", "ORG")] == "Manchester United"
    assert names[("Putin", "PER")] == "Vladimir Putin"
    assert names[("Real", "ORG")] == "Real Madrid"


def test_two_names_that_fit_join_neither():
    documents = [[("Real Madrid", "ORG")], [("Real Betis", "ORG")], [("Real", "ORG")],
                 [("Kim Jong-un", "PER")], [("Kim", "PER")], [("H.", "PER")], [("Hoàng Hà", "PER")]]
    names = corpus_names(documents)
    assert names[("Real", "ORG")] == "Real"  # Madrid or Betis: nobody can tell
    assert names[("Kim", "PER")] == "Kim"  # a Vietnamese-spelled name is many people across a corpus
    assert names[("H.", "PER")] == "H."  # an initial stays in its document


def test_spellings_of_one_name_take_the_one_written_most():
    documents = [[("OpenAI", "ORG")], [("OpenAI", "ORG")], [("Open AI", "ORG")]]
    assert corpus_names(documents)[("Open AI", "ORG")] == "OpenAI"


def test_a_run_counts_the_aliases_as_one_name(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Tổng thống Nga Vladimir Putin tiếp Thủ tướng Ấn Độ tại Moskva hôm qua.",
                                  encoding="utf-8")
    (corpus / "b.txt").write_text("Ông Putin nói Nga sẵn sàng đàm phán về khí đốt.", encoding="utf-8")
    pipeline.run(corpus, tmp_path / "run", pipeline.RunSettings(workers=1), progress=False)
    entities = pipeline.read_run(tmp_path / "run").set_index("source")["entities"]
    assert "Vladimir Putin" in {e["canonical"] for e in entities["b.txt"]}
    ner = pipeline.read_stage(tmp_path / "run", "ner", shape="items")
    assert "Putin" in set(ner["canonical"])  # the ner stage names it as its document does


def test_a_person_named_by_an_initial_or_one_vietnamese_syllable_is_not_ranked_across_documents():
    # `H.` in one letter to the editor and `H.` in another are different people; so are two `Thành`.
    import pandas as pd

    from pipeline.outputs.ranking import top_entities

    entities = pd.DataFrame({"doc_id": ["a", "b", "c", "a", "b", "a", "b", "c"],
                             "canonical": ["H.", "H.", "H.", "Thành", "Thành", "Bush", "Bush", "Thành Công"],
                             "label": ["PER", "PER", "PER", "PER", "PER", "PER", "PER", "ORG"]})
    assert top_entities(entities)[["canonical", "documents"]].values.tolist() == [["Bush", 2], ["Thành Công", 1]]


def test_a_family_name_never_joins_a_common_word_glued_to_it():
    # `Thời Saddam ...` ("In Saddam's era"): the tagger took `Thời` into the name at a sentence's start.
    names = corpus_names([[("Thời Saddam", "PER")], [("Saddam", "PER")], [("George W. Bush", "PER")], [("Bush", "PER")]])
    assert names[("Saddam", "PER")] == "Saddam" and names[("Bush", "PER")] == "George W. Bush"
