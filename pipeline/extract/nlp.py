"""The spaCy pipeline and the sentences every field rule reads.

`build_nlp()` makes `spacy.blank("en")` with scispacy's `combined_rule_tokenizer`, then:

* `litmine_sentences` (registered factory): a sentence splitter for clinical abstracts. It
  starts a sentence at every line start and after "." / "?" / "!" followed by white space and
  an upper-case letter, a digit or an opening bracket. Decimals ("2.7", "p =.002"), ratios
  ("2:1") and "n = 121" never split (no white space after the point), nor do abbreviations
  such as "e.g." / "vs." / "et al.". A structured
  abstract's section label at a line start ("METHODS:", "Results:", "MATERIALS AND METHODS We
  ...") becomes its own sentence, and the section it opens is recorded.
* `litmine_abbreviations`: scispacy's abbreviation detector (Schwartz-Hearst) with a faster
  bracket search (abbreviations.py), so "IPBSN" and "US" resolve to their long forms defined
  in the abstract.
* `litmine_nerve_lexicon` (see targets.py): a PhraseMatcher over the nerve vocabulary.

`sentences(doc, ...)` turns a processed Doc into `Sentence` tuples: text, character offsets
into the source text, the section ("title", "background", "methods", "results",
"conclusions" or None when the abstract is unstructured) and the source (None for
title + abstract, else the full-text section name).
"""

from __future__ import annotations

import re
from typing import NamedTuple

import numpy
import spacy
from spacy.attrs import IDX, SENT_START
from spacy.language import Language
from spacy.tokens import Doc

from pipeline.lexicon.anchors import matches_at

if not Doc.has_extension("section_starts"):
    Doc.set_extension("section_starts", default=None)   # [(char_offset, section_name)]
if not Doc.has_extension("source_text"):
    Doc.set_extension("source_text", default=None)      # doc.text, cached (Doc.text re-joins tokens)
if not Doc.has_extension("sentence_starts"):
    Doc.set_extension("sentence_starts", default=None)  # [char_offset of each sentence]

SECTION_NAMES = [
    ("background", r"background|introduction|objectives?|purpose(?: of (?:the )?review)?|aims?|context|rationale|importance"),
    ("methods", r"methods?|materials?(?: and methods?)?|patients?(?: and methods?)?|design|study design|setting|participants|interventions?|description|main outcome measures?|measurements?|case(?: presentation| report| description)?|techniques?|procedures?|data sources?|study selection|data extraction|subjects(?: and methods?)?"),
    ("results", r"(?:methods?\s+and\s+)?results?|findings|recent findings|evaluation|observations?|outcomes?"),
    ("conclusions", r"conclusions?|conclustions?|summary|implications|interpretation|discussion|clinical relevance|significance|comments?|level of evidence|study type|limitations|trial registration"),
]
_SECTION_RES = [(name, re.compile(rf"^(?:{pat})$", re.I)) for name, pat in SECTION_NAMES]
# "Methods:" / "Patients and methods:" (a short label ending in a colon) at a line start
_COLON_LABEL = re.compile(r"^[ \t]*([A-Z][A-Za-z ,&/-]{1,48}?)\s*:\s*", re.M)
# "METHODS Forty patients" / "MATERIALS AND METHODS We ..." (upper-case run, no colon)
_CAPS_LABEL = re.compile(r"^[ \t]*((?:[A-Z]{2,}|AND|OF)(?:[ \t]+(?:[A-Z]{2,}|AND|OF))*)[ \t]+(?=[A-Z][a-z])", re.M)
# "METHODSIn dogs, ..." (a label glued to the first word, as some indexes print them)
_GLUED_LABEL = re.compile(r"^[ \t]*((?:[A-Z]{2,}[ \t]+(?:AND|OF)[ \t]+)?[A-Z]{4,})(?=[A-Z][a-z])", re.M)
# a label alone on its line
_ALONE_LABEL = re.compile(r"^[ \t]*([A-Za-z][A-Za-z ]{1,40}?)[ \t]*$", re.M)
_NO_SPLIT_AFTER = {"e.g.", "i.e.", "vs.", "al.", "fig.", "approx.", "cf.", "no.", "dr.", "mr.",
                   "mrs.", "ms.", "st.", "resp.", "ref.", "vol.", "ca."}


def section_of_label(label: str) -> str | None:
    label = " ".join(label.strip().split()).lower()
    for name, pattern in _SECTION_RES:
        if pattern.match(label):
            return name
    return None


class Sentence(NamedTuple):
    text: str
    start: int            # offset of text[0] in the source text
    end: int
    section: str | None   # title | background | methods | results | conclusions | None
    source: str | None    # None: title + "\n" + abstract; else the full-text section name
    index: int            # position among the source's sentences


def line_starts(text: str) -> list[int]:
    """Offset of every line's first character (0 and each one after a "\\n")."""
    starts, i = [0], text.find("\n")
    while i >= 0:
        starts.append(i + 1)
        i = text.find("\n", i + 1)
    return starts


def _label_spans(text: str, lines: list[int]) -> list[tuple[int, int, str]]:
    """(label_start, label_end, section) for every section label at a line start. The label
    patterns open with "^": they are tried at the line starts alone (`matches_at`)."""
    spans = []
    for m in matches_at(_COLON_LABEL, text, lines):
        name = section_of_label(m.group(1))
        if name:
            spans.append((m.start(1), m.end(), name))
    for m in matches_at(_CAPS_LABEL, text, lines):
        name = section_of_label(m.group(1))
        if name and not any(s <= m.start(1) < e for s, e, _ in spans):
            spans.append((m.start(1), m.end(), name))
    for m in matches_at(_GLUED_LABEL, text, lines):
        name = section_of_label(m.group(1))
        if name and not any(s <= m.start(1) < e for s, e, _ in spans):
            spans.append((m.start(1), m.end(), name))
    for m in matches_at(_ALONE_LABEL, text, lines):
        name = section_of_label(m.group(1))          # a label alone on its line
        if name and not any(s <= m.start(1) < e for s, e, _ in spans):
            spans.append((m.start(1), m.end(), name))
    return sorted(spans)


def _first_characters(text: str, lines: list[int]) -> set[int]:
    """The first non-blank character of each line that has one (spaces and tabs skipped)."""
    out = set()
    n = len(text)
    for i in lines:
        while i < n and text[i] in " \t":
            i += 1
        if i < n and not text[i].isspace():
            out.add(i)
    return out


def _after_stops(text: str) -> list[int]:
    """Offsets right after each ".", "?" and "!", where a sentence boundary can begin."""
    out = []
    for stop in ".?!":
        i = text.find(stop)
        while i >= 0:
            out.append(i + 1)
            i = text.find(stop, i + 1)
    out.sort()
    return out


_BOUNDARY = re.compile(r"(?<=[.?!])[\"'”’)\]]?\s+(?=[A-Z0-9(\[\"'“‘])")
_LAST_WORD = re.compile(r"(\S+)$")


class SentenceSplitter:
    """Finds sentence starts on the text (regular expressions, no per-token Python loop), writes
    them to SENT_START in one array operation and records sentence and section offsets."""

    def __init__(self, nlp: Language, name: str):
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        ext = doc._                  # each `doc._` makes an accessor object: one for the call
        text = ext.source_text
        if text is None:
            text = ext.source_text = doc.text
        if len(doc) == 0:
            ext.section_starts, ext.sentence_starts = [], []
            return doc
        lines = line_starts(text)
        starts = _first_characters(text, lines)
        labels = _label_spans(text, lines)
        for s, e, _ in labels:
            starts.add(s)
            starts.add(e)
        for m in matches_at(_BOUNDARY, text, _after_stops(text)):   # it opens after a stop
            word = _LAST_WORD.search(text, max(0, m.start() - 12), m.start())
            if word and word.group(1).lower() in _NO_SPLIT_AFTER:
                continue                      # "e.g. Lidocaine", "vs. Sham"
            starts.add(m.end())
        first_char = len(text) - len(text.lstrip())
        starts = sorted(s for s in starts if first_char <= s < len(text) and not text[s].isspace())
        if not starts or starts[0] != first_char:
            starts.insert(0, first_char)
        ext.section_starts = [(s, name) for s, _, name in labels]
        ext.sentence_starts = starts
        idx = doc.to_array(IDX)
        # from_array reads the values as uint64 (attr_t): an int32 array would be read past its
        # end. -1 is "not a sentence start", as spaCy's own arrays store it.
        sent = numpy.full(len(doc), -1, dtype="int32").astype("uint64")
        pos = numpy.searchsorted(idx, numpy.asarray(starts, dtype=idx.dtype))
        pos = pos[pos < len(doc)]
        sent[pos] = 1
        sent[0] = 1
        doc.from_array([SENT_START], sent.reshape(-1, 1))
        return doc


@Language.factory("litmine_sentences")
def make_sentence_splitter(nlp: Language, name: str) -> SentenceSplitter:
    return SentenceSplitter(nlp, name)


def sentences(doc: Doc, title_end: int = -1, source: str | None = None,
              default_section: str | None = None) -> list[Sentence]:
    """The doc's sentences with offsets and sections; label-only sentences are dropped."""
    out: list[Sentence] = []
    ext = doc._
    text = ext.source_text or doc.text
    sections = ext.section_starts or []
    label_starts = {s for s, _ in sections}
    starts = ext.sentence_starts
    if starts is None:                      # a doc made without litmine_sentences
        starts = [s.start_char for s in doc.sents]
    bounds = list(zip(starts, starts[1:] + [len(text)]))
    si, current = 0, default_section
    for b, e in bounds:
        raw = text[b:e]
        stripped = raw.strip()
        if not stripped:
            continue
        start = b + (len(raw) - len(raw.lstrip()))
        while si < len(sections) and sections[si][0] <= start:
            current = sections[si][1]
            si += 1
        if start in label_starts:
            continue                      # the label itself
        section = "title" if start < title_end else current
        out.append(Sentence(stripped, start, start + len(stripped), section, source, len(out)))
    return out


def build_nlp(config: dict | None = None) -> Language:
    """spaCy pipeline: scispacy tokenizer, sentence splitter, abbreviations, nerve lexicon."""
    from scispacy.custom_tokenizer import combined_rule_tokenizer
    from . import abbreviations  # noqa: F401  (registers "litmine_abbreviations")
    from . import targets  # noqa: F401       (registers "litmine_nerve_lexicon")

    config = config or {}
    nlp = spacy.blank("en")
    nlp.tokenizer = combined_rule_tokenizer(nlp)
    nlp.add_pipe("litmine_sentences")
    if config.get("abbreviations", True):
        nlp.add_pipe("litmine_abbreviations")
    nlp.add_pipe("litmine_nerve_lexicon", config={"vocab_path": config.get("nerve_vocab")})
    return nlp
