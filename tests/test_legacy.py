"""Legacy Vietnamese encodings: each one detected and converted, in files and in mis-read text."""
import unicodedata

import pytest

from pipeline.stages import ingest
from pipeline.text.legacy import (CP1258, ENCODINGS, TCVN3, VISCII, VNI, decode_legacy, detect_legacy, encode_legacy,
                             repair_mojibake)

SENTENCE = "Người dân Thủ đô đón Tết Độc lập trong cơn mưa nhẹ."
# The same sentence as GNU iconv writes it (VISCII, CP1258) and as the ABC and VNI fonts store it.
REAL_BYTES = {
    VISCII: b"Ng\xdf\xb6i d\xe2n Th\xfc \xf0\xf4 \xf0\xf3n T\xaat \xd0\xb5c l\xa7p trong c\xbdn m\xdfa nh\xa9.",
    CP1258: b"Ng\xfd\xf5\xcci d\xe2n Thu\xd2 \xf0\xf4 \xf0\xf3n T\xea\xect \xd0\xf4\xf2c l\xe2\xf2p trong "
            b"c\xf5n m\xfda nhe\xf2.",
    TCVN3: b"Ng\xad\xeai d\xa9n Th\xf1 \xae\xab \xae\xe3n T\xd5t \xa7\xe9c l\xcbp trong c\xacn m\xada nh\xd1.",
    VNI: "Ngöôøi daân Thuû ñoâ ñoùn Teát Ñoäc laäp trong côn möa nheï.".encode("cp1252"),
}


def nfc(text):
    return unicodedata.normalize("NFC", text)


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_each_encoding_decodes_a_real_sentence(encoding):
    assert nfc(decode_legacy(REAL_BYTES[encoding], encoding)) == SENTENCE
    assert detect_legacy(REAL_BYTES[encoding] * 3)[1] == encoding


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_round_trip_on_a_news_paragraph(encoding):
    text = ("Sáng 2/9, hàng vạn người dân TP.HCM và Hà Nội xếp hàng xem diễu binh. Ông Nguyễn Văn Thuỷ, "
            "khách quen của quán phở, nói: \"Tôi khoẻ, chỉ hơi mệt vì đứng lâu\". Giá vàng tăng 3,5%.")
    if encoding == TCVN3:
        text = text.replace("Ô", "ô")  # ABC fonts have no toned capitals: the bytes say `ô`
    data = encode_legacy(text, encoding)
    found = detect_legacy(data)
    assert found is not None and found[1] == encoding
    assert nfc(found[0]) == text


def test_windows_1258_keeps_its_combining_tone_marks_until_normalize():
    text = decode_legacy(REAL_BYTES[CP1258], CP1258)
    assert "u\u0309" in text and nfc(text) == SENTENCE  # `Thủ` is u + combining hook above


def test_ingest_detects_the_encoding_of_a_file(tmp_path):
    for encoding, data in REAL_BYTES.items():
        (tmp_path / f"{encoding}.txt").write_bytes(data + b"\n" + data)
    records = {r.source: r for r in ingest.read_corpus(tmp_path, ingest.Settings())}
    for encoding in ENCODINGS:
        record = records[f"{encoding}.txt"]
        assert record.encoding == encoding
        assert nfc(record.text) == f"{SENTENCE}\n{SENTENCE}"


def test_text_already_read_as_windows_1252_is_repaired(tmp_path):
    assert repair_mojibake("Tr\xadêng §¹i häc B¸ch khoa Hµ Néi") == ("Trường Đại học Bách khoa Hà Nội", TCVN3)
    assert repair_mojibake("Vieät Nam ñoùn Teát") == ("Việt Nam đón Tết", VNI)
    assert repair_mojibake("Hà Nội đón Tết, ông Müller nói.") is None
    (tmp_path / "a.jsonl").write_text('{"text": "Tr\xadêng §¹i häc B¸ch khoa Hµ Néi"}\n', encoding="utf-8")
    [record] = ingest.read_corpus(tmp_path, ingest.Settings())
    assert (record.text, record.encoding) == ("Trường Đại học Bách khoa Hà Nội", "utf-8 (tcvn3)")


def test_other_8_bit_text_is_not_taken_for_vietnamese():
    french = "L'été à Paris où les cafés débordent, c'est très agréable et déjà français.".encode("cp1252")
    assert detect_legacy(french) is None
    assert ingest.decode(french)[1] != VNI
