"""Text primitives the stages are built from: tone conventions, offsets, sentences, legacy
encodings, HTML and boilerplate lines."""
