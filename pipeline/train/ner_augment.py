"""Training sentences that look like crawled news, for the neural NER tagger (train/ner_neural.py).

* Glued sentences: crawled text runs a caption or subheading into the next sentence with no stop
  (`... ca sĩ Lý Nhã Kỳ Lý Nhã Kỳ khoe ...`, `HLV Chelsea Giai đoạn hai ...`). A copy of one training
  sentence in `every` that ends with a name is glued to the sentence after it, its final stop
  dropped: the name must end where it ends, whatever capitalised word comes next.
* Platforms: `Facebook`, `Google`, `Grab` are the companies that run them, ORG, wherever they stand
  (VLSP 2018 marks a platform as nothing: O in all 61 mentions of `Facebook` in its train split).
  A reader counting organisations counts them; `đăng trên Facebook` and `Facebook cho biết` name one.
"""
from __future__ import annotations

Example = tuple[list[str], list[str]]  # syllables, BIO labels

PLATFORMS = frozenset("""Facebook Google YouTube Youtube Zalo TikTok Tiktok Grab Twitter Instagram Telegram Viber
Shopee Lazada Tiki Sendo Netflix Uber Gojek Be WhatsApp Messenger LinkedIn Amazon Alibaba Baidu Weibo WeChat
Skype Spotify Airbnb MoMo Momo ZaloPay VNPay Yahoo Bing Wikipedia Reddit Pinterest Snapchat""".split()) - {"Be"}
_STOPS = frozenset(".!?…;")


def as_platforms(example: Example) -> Example:
    """The example with each platform name that stands alone (not part of a longer name: `Google
    Maps` stays what it was) labelled ORG."""
    tokens, labels = example
    if PLATFORMS.isdisjoint(tokens):
        return example
    labels = list(labels)
    for k, token in enumerate(tokens):
        alone = labels[k][:2] != "I-" and (k + 1 == len(tokens) or labels[k + 1][:2] != "I-")
        if token in PLATFORMS and alone and labels[k] in ("O", "B-MISC", "B-ORG"):
            labels[k] = "B-ORG"
    return tokens, labels


def glued(examples: list[Example], every: int = 4) -> list[Example]:
    """Copies of one in `every` sentences that end with a name, glued to the next sentence (its
    first word capitalised, as a sentence's is) without the stop between them."""
    copies, eligible = [], 0
    for (tokens, labels), (next_tokens, next_labels) in zip(examples, examples[1:]):
        end = len(tokens)
        while end and tokens[end - 1] in _STOPS:
            end -= 1
        if not end or labels[end - 1] == "O" or not next_tokens or not next_tokens[0][:1].isupper():
            continue
        eligible += 1
        if eligible % every == 0:
            copies.append((tokens[:end] + next_tokens, labels[:end] + next_labels))
    return copies
