"""The `vnpipe` command: a thin layer that turns arguments into settings and calls the library.
run.py (`vnpipe run`), text.py (one text a line: segment, ner), browse.py (show, report, summary,
export), evaluate.py (`vnpipe eval ...`), train.py (`vnpipe train ...`)."""
from . import browse, evaluate, run, text, train  # noqa: F401 - each adds its commands to the app
from .app import app

__all__ = ["app"]

if __name__ == "__main__":
    app()
