"""litmine extraction engine: scispacy rules for design, sample size, target, guidance,
follow-up and outcome, each value with evidence and flags.

Public API
    EXTRACTOR_VERSION                    bumped whenever rules or vocabulary change
    build_extractor(config=None)         -> Extractor (builds the spaCy pipeline once)
    Extractor.extract(record)            -> dict (schemas/extraction.schema.json)
    Extractor.extract_many(records)      -> iterator of dicts, same order (uses nlp.pipe)
    extract_file(input_path, output_path) -> int  (JSONL in, JSONL out; bad lines -> error rows)

Evidence offsets index into `title + "\\n" + abstract`; evidence from a full-text section has
a "section" key and indexes into that section's text.
"""

EXTRACTOR_VERSION = "0.3.0"

__all__ = ["EXTRACTOR_VERSION", "Extractor", "build_extractor", "extract_file"]


def __getattr__(name: str):
    # spaCy loads only when something extracts: a quiet night asks for the version alone
    if name in ("Extractor", "build_extractor"):
        from . import extractor
        return getattr(extractor, name)
    if name == "extract_file":
        from .files import extract_file
        return extract_file
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
