"""Loads the vocabulary data files in `vocab/` (JSON), once per process (cached)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

VOCAB_DIR = Path(__file__).resolve().parent / "vocab"


@lru_cache(maxsize=32)
def load_vocab(name: str, path: str | None = None) -> dict:
    """`vocab/<name>.json`, or the file at `path` when a config overrides it."""
    p = Path(path) if path else VOCAB_DIR / f"{name}.json"
    with open(p, encoding="utf-8") as fh:
        data = json.load(fh)
    data.pop("_doc", None)
    return data
