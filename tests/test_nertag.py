import json
import math
import shutil

import pytest

from pipeline.backends.names import syllable_spans
from pipeline.errors import InvalidSetting
from pipeline.backends.names import spans_from_bio, syllables_of
from pipeline.backends.nertag import document_names, get_tagger, names_context

from conftest import shared_file

# Words as a segmenter gives them: spans into the sentence, with a POS tag the model ignores.


def words_of(sentence: str, tokens: list[str]) -> list[tuple[int, int, str]]:
    spans, position = [], 0
    for token in tokens:
        start = sentence.index(token, position)
        position = start + len(token)
        spans.append((start, position, ""))
    return spans


def entities(sentence: str, tokens: list[str]) -> list[tuple[str, str]]:
    return [(sentence[s:e], label) for s, e, label, _ in get_tagger("vnpipe").tag(sentence, words_of(sentence, tokens))]


def test_spans_from_bio_joins_tokens_and_starts_an_entity_on_a_stray_inside_tag():
    spans = [(0, 3), (4, 10), (11, 14), (15, 18)]
    assert spans_from_bio(spans, ["B-PER", "I-PER", "O", "I-ORG"]) == [(0, 10, "PER"), (15, 18, "ORG")]


def test_syllables_keep_their_word_and_place():
    sentence = "Sam Altman nói"
    assert syllables_of(sentence, [(0, 10, "NNP"), (11, 14, "V")]) == [
        (0, 3, 0, "B"), (4, 10, 0, "E"), (11, 14, 1, "S")]


def test_syllables_split_at_any_white_space_inside_a_word():
    sentence = "Hà  Nội\u00a0mới,TP. HCM"
    assert syllable_spans(sentence, [(0, 11, "NNP"), (11, 12, "CH"), (12, 19, "NNP")]) == [
        (0, 2), (4, 7), (8, 11), (11, 12), (12, 15), (16, 19)]


def test_tech_companies_and_people_get_the_right_label():
    sentence = "Ngày 8 tháng 10, CEO của OpenAI, Sam Altman, trong cuộc trò chuyện với Ben Horowitz, đồng sáng lập công ty đầu tư a16z."
    tokens = ["Ngày", "8", "tháng", "10", ",", "CEO", "của", "OpenAI", ",", "Sam Altman", ",", "trong", "cuộc",
              "trò chuyện", "với", "Ben Horowitz", ",", "đồng", "sáng lập", "công ty", "đầu tư", "a16z", "."]
    assert entities(sentence, tokens) == [("OpenAI", "ORG"), ("Sam Altman", "PER"), ("Ben Horowitz", "PER"),
                                          ("a16z", "ORG")]


def test_partners_listed_after_a_cue_are_organisations():
    sentence = "OpenAI hợp tác với các ông lớn công nghệ như Nvidia, Oracle, AMD và Apple."
    tokens = ["OpenAI", "hợp tác", "với", "các", "ông", "lớn", "công nghệ", "như", "Nvidia", ",", "Oracle", ",",
              "AMD", "và", "Apple", "."]
    assert entities(sentence, tokens) == [("OpenAI", "ORG"), ("Nvidia", "ORG"), ("Oracle", "ORG"), ("AMD", "ORG"),
                                          ("Apple", "ORG")]


def test_vietnamese_people_places_and_organisations():
    sentence = "Ông Nguyễn Văn Bình làm việc tại Ngân hàng Nhà nước ở Hà Nội."
    tokens = ["Ông", "Nguyễn Văn Bình", "làm việc", "tại", "Ngân hàng", "Nhà nước", "ở", "Hà Nội", "."]
    assert entities(sentence, tokens) == [("Nguyễn Văn Bình", "PER"), ("Ngân hàng Nhà nước", "ORG"),
                                          ("Hà Nội", "LOC")]


def test_confidence_is_a_probability():
    sentence = "Sam Altman đến Hà Nội."
    found = get_tagger("vnpipe").tag(sentence, words_of(sentence, ["Sam Altman", "đến", "Hà Nội", "."]))
    assert [sentence[s:e] for s, e, _, _ in found] == ["Sam Altman", "Hà Nội"]
    assert all(0.5 < confidence <= 1.0 and not math.isnan(confidence) for *_, confidence in found)


def test_tone_placement_does_not_change_the_result():
    classic = "Ông Lê Văn Hòa đến Khánh Hòa."
    modern = "Ông Lê Văn Hoà đến Khánh Hoà."
    tagger = get_tagger("vnpipe")
    spans = lambda s: [(a, b, label) for a, b, label, _ in tagger.tag(s, words_of(s, ["Ông", s[4:14], "đến", s[19:28], "."]))]
    assert spans(classic) == spans(modern) == [(4, 14, "PER"), (19, 28, "LOC")]


def test_products_are_not_people_and_a_title_is_not_a_name():
    # Real sentences of the second seed (VietNamNet): ChatGPT is a product (MISC in the gazetteer).
    sentence = "AI tạo ra cơn sốt đối với công chúng kể từ cuối năm 2022 với sự ra mắt của ChatGPT, chatbot dựa trên LLM do OpenAI phát triển."
    tokens = ["AI", "tạo", "ra", "cơn", "sốt", "đối với", "công chúng", "kể", "từ", "cuối", "năm", "2022", "với", "sự",
              "ra mắt", "của", "ChatGPT", ",", "chatbot", "dựa", "trên", "LLM", "do", "OpenAI", "phát triển", "."]
    found = entities(sentence, tokens)
    assert ("ChatGPT", "PER") not in found and ("OpenAI", "ORG") in found


def test_a_document_tags_a_name_alike_in_every_sentence():
    tagger = get_tagger("vnpipe")
    sentences = ["Sam Altman là CEO của OpenAI.", "Altman cho biết OpenAI sẽ hợp tác với Nvidia."]
    tokens = [["Sam Altman", "là", "CEO", "của", "OpenAI", "."],
              ["Altman", "cho", "biết", "OpenAI", "sẽ", "hợp tác", "với", "Nvidia", "."]]
    found = tagger.tag_document([(s, words_of(s, t)) for s, t in zip(sentences, tokens)])
    assert [[(s[a:b], label) for a, b, label, _ in f] for s, f in zip(sentences, found)] == [
        [("Sam Altman", "PER"), ("OpenAI", "ORG")], [("Altman", "PER"), ("OpenAI", "ORG"), ("Nvidia", "ORG")]]


def test_names_of_other_sentences_keep_their_most_frequent_label():
    first = document_names("Ông Được đến Hà Nội .", [(4, 8, "PER"), (13, 19, "LOC")])
    second = document_names("Được ở Hà Nội .", [(0, 4, "LOC"), (7, 13, "LOC")])
    third = document_names("Anh Được nói .", [(4, 8, "PER")])
    assert names_context([first, second, third]) == {("Được",): "PER", ("Hà", "Nội"): "LOC"}
    assert document_names('" Được', [(0, 6, "PER")]) == []  # a name starts with a letter or digit


def test_an_empty_sentence_has_no_entities():
    assert get_tagger("vnpipe").tag("", []) == []


def test_unknown_tagger_says_which_exist():
    with pytest.raises(InvalidSetting, match=r"invalid --ner \(ner.backend\): 'spacy'; choose one of vnpipe-neural, vnpipe, vnpipe-unseen, underthesea"):
        get_tagger("spacy")


def test_evaluate_scores_entities_on_character_spans(tmp_path):
    from pipeline.evaluate.ner import evaluate

    gold = tmp_path / "gold.conll"
    gold.write_text("Ông\tO\nSam_Altman\tB-PER\nđến\tO\nHà_Nội\tB-LOC\n.\tO\n\n"
                    "Nvidia\tB-ORG\nvà\tO\nAMD\tB-ORG\nhợp_tác\tO\n.\tO\n", encoding="utf-8")
    result = evaluate(gold, "vnpipe", words="gold")
    assert result["micro"] == {"precision": 100.0, "recall": 100.0, "f1": 100.0, "tp": 4, "fp": 0, "fn": 0,
                               "support": 4}
    assert result["labels"]["ORG"]["support"] == 2
    assert result["sentences"] == 2 and result["errors"] == []


def test_evaluate_scores_sentences_alone_or_with_their_document(tmp_path):
    from pipeline.evaluate.ner import evaluate

    gold = tmp_path / "gold.conll"
    gold.write_text("Ông\tO\nSam_Altman\tB-PER\nđến\tO\nHà_Nội\tB-LOC\n.\tO\n\n"
                    "Altman\tB-PER\nvà\tO\nNvidia\tB-ORG\nhợp_tác\tO\n.\tO\n", encoding="utf-8")
    alone, together = (evaluate(gold, "vnpipe", words="gold", context=c) for c in ("sentence", "document"))
    assert (alone["context"], together["context"]) == ("sentence", "document")
    assert together["micro"]["f1"] == 100.0
    assert evaluate(gold, "vnpipe", words="gold")["context"] == "sentence"  # the published protocol


def test_evaluate_says_which_context_it_accepts(tmp_path):
    from pipeline.evaluate.ner import evaluate

    gold = tmp_path / "gold.conll"
    gold.write_text("Hà_Nội\tB-LOC\n", encoding="utf-8")
    with pytest.raises(ValueError, match="context must be 'sentence' or 'document', not 'paragraph'"):
        evaluate(gold, "vnpipe", words="gold", context="paragraph")


def test_recall_is_split_into_names_seen_and_unseen_in_training(tmp_path):
    from pipeline.evaluate.ner import evaluate

    train = tmp_path / "train.conll"  # `Hà Nội` is a seen LOC in any case; `Nvidia` was seen, but as PER
    train.write_text("HÀ_NỘI\tB-LOC\nđẹp\tO\n\nNvidia\tB-PER\nnói\tO\n", encoding="utf-8")
    gold = tmp_path / "gold.conll"
    gold.write_text("Ông\tO\nSam_Altman\tB-PER\nđến\tO\nHà_Nội\tB-LOC\n.\tO\n\n"
                    "Nvidia\tB-ORG\nvà\tO\nAMD\tB-ORG\nhợp_tác\tO\n.\tO\n", encoding="utf-8")
    result = evaluate(gold, "vnpipe", words="gold", train_files=[train])
    novelty = result["recall_by_novelty"]
    assert novelty["seen"]["all"] == {"recall": 100.0, "tp": 1, "support": 1}
    assert novelty["seen"]["LOC"]["support"] == 1 and novelty["seen"]["ORG"]["support"] == 0
    assert novelty["unseen"]["ORG"] == {"recall": 100.0, "tp": 2, "support": 2}
    assert novelty["unseen"]["all"]["support"] == 3
    assert result["train_files"] == [str(train)]


def test_unseen_names_missed_count_against_unseen_recall(tmp_path):
    from pipeline.evaluate.ner import seen_unseen_recall, GoldSentence

    sentence = GoldSentence("Anh Tèo gặp Lan", None, [(4, 7, "PER"), (12, 15, "PER")])
    report = seen_unseen_recall([sentence], [[(12, 15, "PER")]], {"PER": {"lan"}})
    assert report["seen"]["PER"] == {"recall": 100.0, "tp": 1, "support": 1}
    assert report["unseen"]["PER"] == {"recall": 0.0, "tp": 0, "support": 1}


def test_seen_names_are_read_from_the_training_files_of_the_model_card():
    from pipeline.backends.nertag import MODEL_DIR
    from pipeline.evaluate.ner import model_train_files

    names = [path.as_posix() for path in model_train_files(MODEL_DIR, shared_file("eval/ner"))]
    assert [name.rsplit("/ner/", 1)[1] for name in names] == ["vlsp2016/word/train.conll",
                                                             "vlsp2018/syllable/train.conll"]


def test_a_missing_training_folder_says_what_to_pass(tmp_path):
    from pipeline.backends.nertag import MODEL_DIR
    from pipeline.evaluate.ner import model_train_files

    with pytest.raises(ValueError, match="training files of the NER model not found: .*pass the folder that holds "
                                         "them \\(--train-dir\\)"):
        model_train_files(MODEL_DIR, tmp_path)


def test_without_the_training_files_the_scores_come_with_a_note_and_no_split(tmp_path):
    from pipeline.evaluate.ner import evaluate

    gold = tmp_path / "gold.conll"
    gold.write_text("Hà_Nội\tB-LOC\n", encoding="utf-8")
    with pytest.raises(ValueError, match="training files of the NER model not found"):
        evaluate(gold, "vnpipe", words="gold", train_dir=tmp_path)
    result = evaluate(gold, "underthesea", words="gold")
    assert result["recall_by_novelty"] is None and result["micro"]["support"] == 1


def test_the_gazetteer_can_be_switched_off():
    from pipeline.backends.names import load_gazetteer
    from pipeline.backends.nertag import GAZETTEER_FILE, LEXICON_FILE, MODEL_DIR

    without = get_tagger("vnpipe", gazetteer=False)
    assert without.gazetteer == load_gazetteer([MODEL_DIR / LEXICON_FILE])  # the training names only
    assert get_tagger("vnpipe").gazetteer == load_gazetteer([MODEL_DIR / LEXICON_FILE, MODEL_DIR / GAZETTEER_FILE])
    assert without.checksum() != get_tagger("vnpipe").checksum()
    with pytest.raises(InvalidSetting, match="the NER tagger 'underthesea' takes no gazetteer option"):
        get_tagger("underthesea", gazetteer=False)


def test_evaluate_refuses_gold_words_for_a_syllable_file(tmp_path):
    from pipeline.evaluate.ner import evaluate

    gold = tmp_path / "gold.conll"
    gold.write_text("Hà\tB-LOC\nNội\tI-LOC\n", encoding="utf-8")
    with pytest.raises(ValueError, match="has no gold word segmentation"):
        evaluate(gold, "vnpipe", words="gold")




@pytest.mark.slow
def test_vlsp2016_test_with_gold_words_keeps_the_model_card_score():
    from pipeline.evaluate.ner import evaluate

    result = evaluate(shared_file("eval/ner/vlsp2016/word/test.conll"), "vnpipe", words="gold", context="document")
    assert result["context"] == "document"
    assert result["micro"]["f1"] >= 88.7  # MODEL_CARD.md: 88.78 (VnCoreNLP 88.55; sentence alone 86.78)
    assert result["sentences_per_second"] > 130  # underthesea ner(): ~130


@pytest.mark.slow
def test_vlsp2018_dev_from_raw_paragraphs_keeps_the_model_card_score():
    from pipeline.evaluate.ner import evaluate

    result = evaluate(shared_file("eval/ner/vlsp2018/spans/dev.jsonl"), "vnpipe", words="segmenter",
                      context="document")
    assert result["micro"]["f1"] >= 84.25  # MODEL_CARD.md: 84.31 with the underthesea segmenter


@pytest.mark.slow
def test_vlsp2016_test_sentence_by_sentence_keeps_the_model_card_score():
    from pipeline.evaluate.ner import evaluate

    result = evaluate(shared_file("eval/ner/vlsp2016/word/test.conll"), "vnpipe", words="gold")
    assert result["context"] == "sentence"
    assert result["micro"]["f1"] >= 86.7  # MODEL_CARD.md: 86.78, unseen-name recall 71.81
    assert result["recall_by_novelty"]["unseen"]["all"]["support"] == 1401


@pytest.mark.slow
def test_the_unseen_model_keeps_its_vlsp2018_dev_unseen_recall():
    from pipeline.evaluate.ner import evaluate

    result = evaluate(shared_file("eval/ner/vlsp2018/spans/dev.jsonl"), "vnpipe-unseen", words="segmenter",
                      segmenter_name="vnpipe")
    assert result["recall_by_novelty"]["unseen"]["all"]["recall"] >= 66.4  # models/ner-unseen card: 66.54
    assert result["micro"]["f1"] >= 83.7  # 83.79 (vnpipe 84.12)


def test_a_user_name_list_is_read_and_changes_the_checksum(tmp_path):
    from pipeline.backends.nertag import VnpipeTagger

    names = tmp_path / "names.tsv"
    names.write_text("Công ty Sao Khuê Labs\tORG\n", encoding="utf-8")
    tagger = VnpipeTagger(gazetteer_paths=[names])
    assert tagger.gazetteer[("Công", "ty", "Sao", "Khuê", "Labs")] == "ORG"
    assert tagger.checksum() != get_tagger("vnpipe").checksum()


def test_a_bad_name_list_line_says_where_and_what_to_write(tmp_path):
    from pipeline.backends.nertag import VnpipeTagger

    names = tmp_path / "names.tsv"
    names.write_text("OpenAI\tCOMPANY\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"names.tsv:1: label 'COMPANY' is not one of PER, ORG, LOC, MISC"):
        VnpipeTagger(gazetteer_paths=[names])


def test_names_after_cue_words_are_harvested_with_their_label():
    from pipeline.train.ner import HARVEST_CUES, _phrases, harvest_names

    texts = ["Tối qua, ca sĩ Taylor Swift đến Hà Nội cùng ban nhạc Coldplay.\nCLB Arsenal thắng ở tỉnh Quảng Nam.",
             "Thủ tướng Chính phủ họp."]
    counts = harvest_names(texts, _phrases(HARVEST_CUES))
    assert counts == {(("Taylor", "Swift"), "PER"): 1, (("Coldplay",), "ORG"): 1, (("Arsenal",), "ORG"): 1,
                      (("Quảng", "Nam"), "LOC"): 1}  # `Chính` (of `Chính phủ`) is no name


def test_wikipedia_first_sentences_give_typed_names(tmp_path):
    from pipeline.train.ner import first_sentence_names

    articles = [{"id": "a", "title": "arctic monkeys", "text": "Arctic Monkeys là một ban nhạc rock của Anh."},
                {"id": "b", "title": "lahore", "text": "Lahore (tiếng Urdu: لاہور) là thành phố lớn thứ hai Pakistan."},
                {"id": "c", "title": "argon", "text": "Argon là một nguyên tố hóa học."}]
    (tmp_path / "viwiki.jsonl").write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in articles),
                                           encoding="utf-8")
    assert first_sentence_names(tmp_path) == {(("Arctic", "Monkeys"), "ORG"): 1, (("Lahore",), "LOC"): 1}


def test_mention_replacement_swaps_whole_word_names_and_keeps_offsets():
    from pipeline.evaluate.ner import GoldSentence
    from pipeline.train.ner import with_replaced_names

    text = "CLB Arsenal thua ở Luân Đôn"
    sentence = GoldSentence(text, [(0, 3, ""), (4, 11, ""), (12, 16, ""), (17, 18, ""), (19, 27, "")],
                            [(4, 11, "ORG"), (19, 27, "LOC")])
    (copy,) = with_replaced_names([sentence], {"ORG": ["Brelox Labs"], "LOC": ["Giodiok"]})
    assert copy.text == "CLB Brelox Labs thua ở Giodiok"
    assert [(copy.text[s:e], label) for s, e, label in copy.entities] == [("Brelox Labs", "ORG"), ("Giodiok", "LOC")]
    assert [copy.text[s:e] for s, e, _ in copy.words] == ["CLB", "Brelox Labs", "thua", "ở", "Giodiok"]


def test_synthetic_names_are_foreign_looking_and_repeat_with_the_seed():
    from pipeline.train.ner import synthetic_names

    names = synthetic_names(50)
    assert names == synthetic_names(50) and set(names) == {"PER", "ORG", "LOC"}
    assert all(len(person.split()) == 2 and person[0].isupper() for person in names["PER"])


def test_each_model_reads_the_features_it_was_trained_with():
    default, unseen = get_tagger("vnpipe"), get_tagger("vnpipe-unseen")
    assert (default.features, unseen.features) == (1, 2)
    assert default.learned is None and unseen.learned[("Samsung",)] == "ORG"


def test_the_unseen_model_reads_the_cue_before_a_club_it_never_saw():
    sentence = "Tiền đạo của CLB Brentford ghi bàn vào lưới Wolverhampton."
    tokens = ["Tiền đạo", "của", "CLB", "Brentford", "ghi", "bàn", "vào", "lưới", "Wolverhampton", "."]
    found = get_tagger("vnpipe-unseen").tag(sentence, words_of(sentence, tokens))
    assert [(sentence[s:e], label) for s, e, label, _ in found][0] == ("CLB Brentford", "ORG")


def test_a_crf_folder_with_a_name_list_its_features_do_not_read_loads_and_ignores_it(tmp_path):
    # models/ner's features (version 1) read no learned names: a learned_names.tsv beside them is
    # neither loaded nor part of the checksum (it once failed an assert).
    from pipeline.backends.nertag import MODEL_DIR, VnpipeTagger, tagger_checksum

    folder = tmp_path / "ner"
    shutil.copytree(MODEL_DIR, folder)
    (folder / "learned_names.tsv").write_text("Zenthira\tORG\n", encoding="utf-8")
    tagger = VnpipeTagger(folder)
    assert tagger.learned is None
    assert tagger.checksum() == get_tagger("vnpipe").checksum() == tagger_checksum("vnpipe", model_dir=folder)
