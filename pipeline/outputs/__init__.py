"""What users read back: results readers, the corpus summary, `vnpipe show`, exports and the
spaCy Language."""
