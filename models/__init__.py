"""vnpipe's shipped model files (ws, ner, keywords), installed as the package data `pipeline.models`.

Nothing to import here: `pipeline.backends.model_files` finds these files through
importlib.resources, in a checkout and in an installed wheel alike. Each folder has a MODEL_CARD.md.
"""
