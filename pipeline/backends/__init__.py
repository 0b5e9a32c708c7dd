"""The models behind the stages: segmenters and POS taggers, the NER tagger, canonical
names and tag rules."""
