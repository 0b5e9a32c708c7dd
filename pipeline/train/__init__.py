"""Training the shipped models: `vnpipe train ws|ner`."""
