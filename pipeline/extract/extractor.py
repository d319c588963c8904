"""The Extractor: one spaCy pipeline (built once) and the field rules, run record by record.

`Extractor.extract(record)` and `Extractor.extract_many(records)` (which streams the texts
through `nlp.pipe`) return one output dict per record, shaped as `schemas/extraction.schema.json`.

Order matters because fields inform each other: relevance -> raw count -> design (a count is
its fallback) -> sample size (null for reviews, 1 for a case report) -> targets, guidance ->
follow-up (null for reviews) -> outcome -> indication, adverse events. Relevance is its own
decision: every structural field is extracted whatever it says, because a study of a
neighbouring procedure still has a design, a sample size and nerves it treated, and analysts
filter on relevance themselves.

Flags: a value under its field's confidence threshold, rules that disagree (raised by the
field modules), values failing expectations (sample size 0, follow-up over 20 years), and a
relevant record missing design, sample size (unless a review, protocol or technical note) or
targets.
"""

from __future__ import annotations

import bisect
import functools
import re
import warnings
from typing import Iterable, Iterator

from spacy.tokens import Doc

from pipeline.lexicon.keyscan import KEYS, KeySet
from pipeline.lexicon.numbers import number_starts
from pipeline.lexicon.patterns import Cue, forget_texts

from . import (adverse_events, design, follow_up, guidance, indication, outcome, relevance,
               sample_size, targets)
from .calibration import deciding, load_calibration
from .evidence import FieldResult
from .nlp import Sentence, build_nlp, sentences

DEFAULT_THRESHOLDS = {"relevant": 0.75, "design": 0.6, "sample_size": 0.6, "targets": 0.6,
                      "guidance": 0.6, "follow_up": 0.6, "outcome": 0.5, "indication": 0.5,
                      "adverse_events": 0.5}
FULL_TEXT_SECTIONS = re.compile(r"method|material|patients|participants|subjects|design|procedure|technique|result|finding|outcome", re.I)
NO_SAMPLE_DESIGNS = ("systematic_review", "narrative_review", "protocol", "technical_note")


# small patterns of the rules below, compiled once
_RESULTS_SECTION = re.compile(r"result|finding|outcome", re.I)
_DIGIT = re.compile(r"\d")


@functools.lru_cache(maxsize=None)
def _split_keys(keys: tuple[str, ...]) -> tuple[tuple[str, ...], KeySet]:
    """(all-caps keys, matched as written; the others, found in the lower-cased text)."""
    return tuple(k for k in keys if k.isupper()), KEYS.keyset(k for k in keys if not k.isupper())


class Context:
    """Everything the field rules read about one record."""

    def __init__(self, record: dict, doc: Doc, full_docs: list[tuple[str, Doc]]):
        forget_texts()            # the last record's texts, lowered and scanned, are of no more use
        self.record = record
        self.title = record.get("title") or ""
        self.text = doc._.source_text or doc.text
        self.doc = doc
        self.publication_types = list(record.get("publication_types") or [])
        self.main_sentences = sentences(doc, title_end=len(self.title))
        extra: list[Sentence] = []
        self.docs = {None: doc}
        for name, fdoc in full_docs:
            self.docs[name] = fdoc
            section = "results" if _RESULTS_SECTION.search(name) else "methods"
            extra.extend(sentences(fdoc, source=name, default_section=section))
        self.sentences = self.main_sentences + extra
        # each source's text, read once (a Doc extension attribute costs a lookup per read)
        self._texts = {src: d._.source_text or d.text for src, d in self.docs.items()}
        self._by_source: dict = {}
        for s in self.sentences:
            self._by_source.setdefault(s.source, []).append(s)
        self._starts = {src: [s.start for s in ss] for src, ss in self._by_source.items()}
        self.results: dict[str, FieldResult] = {}
        self.cache: dict = {}      # per-record values shared by field rules
        self.all_text = self.text if not full_docs else "\n".join([self.text] + [d._.source_text or d.text for _, d in full_docs])
        self._lower = None
        self._lacking: dict = {}
        self._numbers: dict = {}
        self._source_numbers: dict = {}
        self._hits: dict = {}
        self._abbr: dict | None = None      # read when a rule first asks for a long form

    @property
    def lower(self) -> str:
        """Every text of the record (title, abstract, full-text sections) lower-cased, once: a
        word absent from it is absent from every sentence."""
        if self._lower is None:
            self._lower = self.all_text.lower()
        return self._lower

    def lacks(self, cue) -> bool:
        """Does `cue` need a literal that no text of the record holds (its required-literal
        check fails on the whole record)? Then it matches in none of the record's sentences: a
        sentence, lower-cased, is part of the record lower-cased. Once per cue and record."""
        found = self._lacking.get(cue)
        if found is None:
            found = self._lacking[cue] = isinstance(cue, Cue) and cue.absent(self.all_text)
        return found

    def search(self, cue, text: str):
        """`cue.search(text)` for a sentence (or part of one) of this record."""
        return None if self.lacks(cue) else cue.search(text)

    def finditer(self, cue, text: str):
        """`cue.finditer(text)` for a sentence (or part of one) of this record."""
        return iter(()) if self.lacks(cue) else cue.finditer(text)

    def number_starts(self, sentence: Sentence) -> list[int] | None:
        """Where a number can begin in a sentence (as `numbers.number_starts` finds them), found
        once per source text and cut per sentence: the sample-size and follow-up rules both
        try their patterns there. A sentence's own first character is added when it is a digit
        (a superset does no harm; a start missed would)."""
        key = (sentence.source, sentence.index)
        found = self._numbers.get(key, False)
        if found is False:
            whole = self._source_numbers.get(sentence.source, False)
            if whole is False:
                whole = self._source_numbers[sentence.source] = number_starts(self._texts[sentence.source])
            if whole is None:                      # offsets not told for the whole text
                found = number_starts(sentence.text)
            else:
                offset = sentence.start
                found = [p - offset for p in whole[bisect.bisect_left(whole, offset):
                                                   bisect.bisect_left(whole, sentence.end)]]
                if _DIGIT.match(sentence.text) and found[:1] != [0]:
                    found.insert(0, 0)
            self._numbers[key] = found
        return found

    def has_any(self, keys: list[str]) -> bool:
        """Cheap pre-check: does any key occur in the text (all-caps keys case-sensitively)?"""
        upper, lower = _split_keys(tuple(keys))
        return KEYS.holds(self.lower, lower) or any(map(self.all_text.__contains__, upper))

    def find(self, rx: re.Pattern):
        """Matches of `rx` over each source text, as (sentence, match); one search per source
        instead of one per sentence. Matches that cross a sentence boundary are dropped."""
        for src, text in self._texts.items():
            sents = self._by_source.get(src)
            if not sents:
                continue
            for m in rx.finditer(text):
                i = bisect.bisect_right(self._starts[src], m.start()) - 1
                if i < 0:
                    continue
                s = sents[i]
                if m.end() <= s.end:
                    yield s, m

    def hits_in(self, sentence: Sentence):
        hits = self._hits.get(sentence.source)
        if hits is None:     # Doc extension attributes cost a lookup each: read them once
            hits = self._hits[sentence.source] = self.docs[sentence.source]._.nerve_hits or []
        return [h for h in hits if sentence.start <= h[0] < sentence.end]

    def abbreviations(self, source: str | None) -> list[tuple[int, int, str, str]]:
        """(start, end, short form, long form) of each abbreviation the source's text defines or
        uses; read from the Docs once, and only for records whose rules ask."""
        if self._abbr is None:
            self._abbr = {}
            for src, d in self.docs.items():
                self._abbr[src] = [(a.start_char, a.end_char, a.text, a._.long_form.text)
                                   for a in (d._.abbreviations if Doc.has_extension("abbreviations") else []) or []]
        return self._abbr.get(source, [])

    def long_form(self, sentence: Sentence, start: int) -> str | None:
        for s, _, _, long in self.abbreviations(sentence.source):
            if s == start:
                return long
        return None

    def expanded(self, sentence: Sentence) -> str:
        """The sentence with abbreviations defined in the abstract replaced by long forms."""
        abbrs = [a for a in self.abbreviations(sentence.source) if sentence.start <= a[0] < sentence.end]
        if not abbrs:
            return sentence.text
        text, offset = sentence.text, sentence.start
        for s, e, short, long in sorted(abbrs, reverse=True):
            if text[s - offset: e - offset] == short:
                text = text[: s - offset] + long + text[e - offset:]
        return text


class Extractor:
    def __init__(self, config: dict | None = None):
        from . import EXTRACTOR_VERSION
        self.version = EXTRACTOR_VERSION
        self.config = dict(config or {})
        self.thresholds = {**DEFAULT_THRESHOLDS, **self.config.get("thresholds", {})}
        self.calibration = load_calibration(self.config.get("calibration"))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.nlp = build_nlp(self.config)
        self.relevance = relevance.build_relevance_rules(self.config)
        self.design = design.build_design_rules(self.config)
        self.sample_size = sample_size.build_sample_size_rules(self.config)
        self.targets = targets.build_target_rules(self.config)
        self.guidance = guidance.build_guidance_rules(self.config)
        self.follow_up = follow_up.build_follow_up_rules(self.config)
        self.outcome = outcome.build_outcome_rules(self.config)
        self.indication = indication.build_indication_rules(self.config)
        self.adverse_events = adverse_events.build_adverse_event_rules(self.config)

    @staticmethod
    def source_text(record: dict) -> str:
        """The text every main-record offset indexes into: title + "\\n" + abstract."""
        return (record.get("title") or "") + "\n" + (record.get("abstract") or "")

    def _make_docs(self, texts):
        for text in texts:
            doc = self.nlp.make_doc(text)
            doc._.source_text = text
            yield doc

    def _full_text_docs(self, record: dict) -> list[tuple[str, Doc]]:
        sections = [s for s in record.get("full_text") or []
                    if isinstance(s, dict) and s.get("text") and FULL_TEXT_SECTIONS.search(s.get("name") or "")]
        if not sections:
            return []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            docs = list(self.nlp.pipe(self._make_docs(s["text"] for s in sections)))
        return [(s["name"], d) for s, d in zip(sections, docs)]

    def extract(self, record: dict) -> dict:
        return next(self.extract_many([record]))

    def extract_many(self, records: Iterable[dict], batch_size: int = 64) -> Iterator[dict]:
        buffer: list[dict] = []
        for record in records:
            buffer.append(record)
            if len(buffer) >= batch_size:
                yield from self._batch(buffer)
                buffer = []
        if buffer:
            yield from self._batch(buffer)

    def _batch(self, records: list[dict]) -> Iterator[dict]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            docs = list(self.nlp.pipe(self._make_docs(self.source_text(r) for r in records)))
        for record, doc in zip(records, docs):
            yield self._extract_doc(record, doc)

    def _extract_doc(self, record: dict, doc: Doc) -> dict:
        ctx = Context(record, doc, self._full_text_docs(record))
        res = ctx.results
        res["relevant"] = self.relevance(ctx)
        res["sample_size_raw"] = self.sample_size.raw(ctx)
        res["design"] = self.design(ctx)
        d = res["design"].value
        res["sample_size"] = self.sample_size(ctx, d)
        res["targets"] = self.targets(ctx)
        res["guidance"] = self.guidance(ctx)
        res["follow_up"] = self.follow_up(ctx, d)
        res["outcome"] = self.outcome(ctx, d, res["sample_size"].value)
        res["indication"] = self.indication(ctx)
        res["adverse_events"] = self.adverse_events(ctx)
        return self._output(record, res)

    def _output(self, record: dict, res: dict[str, FieldResult]) -> dict:
        tnames, tgroups = res["targets"].value
        out = {
            "id": None if record.get("id") is None else str(record.get("id")),
            "extractor_version": self.version,
            "relevant": bool(res["relevant"].value),
            "design": res["design"].value,
            "sample_size": res["sample_size"].value,
            "targets": list(tnames),
            "target_groups": list(tgroups),
            "guidance": list(res["guidance"].value),
            "follow_up_days": res["follow_up"].value,
            "outcome": res["outcome"].value,
            "indication": res["indication"].value,
            "adverse_events": res["adverse_events"].value,
        }
        fields = ["relevant", "design", "sample_size", "targets", "guidance", "follow_up",
                  "outcome", "indication", "adverse_events"]
        out["evidence"] = {f: [e.to_dict() for e in res[f].evidence] for f in fields}
        out["confidence"] = {f: self.calibration.field_confidence(f, res[f].evidence) for f in fields}
        flags = []
        for f in fields:
            r = res[f]
            for reason in r.flags:
                flags.append({"field": f, "reason": reason})
            has_value = r.value not in (None, [], ([], [])) and not (isinstance(r.value, dict) and r.value.get("direction") is None and r.value.get("text") is None)
            conf = out["confidence"][f]
            if has_value and conf is not None and conf < self.thresholds[f]:
                flags.append({"field": f, "reason": f"low confidence {conf:.2f} < {self.thresholds[f]:.2f} "
                                                    f"({deciding(f, r.evidence).rule})"})
        for f in ("design", "sample_size"):
            r = res[f]
            if f == "sample_size" and r.value is not None and r.value <= 0:
                flags.append({"field": f, "reason": "sample size is not positive"})
        if out["relevant"]:
            if out["design"] is None:
                flags.append({"field": "design", "reason": "missing on a relevant record"})
            if out["sample_size"] is None and out["design"] not in NO_SAMPLE_DESIGNS:
                flags.append({"field": "sample_size", "reason": "missing on a relevant record"})
            if not out["targets"]:
                flags.append({"field": "targets", "reason": "missing on a relevant record"})
        out["flags"] = flags
        return out


def build_extractor(config: dict | None = None) -> Extractor:
    return Extractor(config)
