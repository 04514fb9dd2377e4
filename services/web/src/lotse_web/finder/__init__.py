"""The public offer finder: its languages, words, search and view models (no I/O here)."""
