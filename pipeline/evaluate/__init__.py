"""Accuracy evaluation against gold files: `vnpipe eval ws|ner GOLD`."""
