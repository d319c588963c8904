"""What a full text changed in an extraction, and where each value was read.

A record with a full text is extracted twice: from its abstract alone, and from the abstract
with the full text. `reconcile` keeps both values per field in `field_sources` and applies the
rule for the value shown (the extraction's own value, which the evidence table displays):

* the value read with the full text is shown when there is one: the full text is the complete
  report (the methods state the guidance, the results the analysed number, the follow-up
  section the last visit) -- except for `design`, where the title and abstract's own statement
  wins: a full text also describes the designs of the studies it cites or compares with; the
  fields the extractor derives from the design (sample size, follow-up) then follow it;
* when the full text yields nothing for a field the abstract has, the abstract's value is shown
  with the abstract's evidence (a full text never silently removes a value);
* when both have a value and they differ (for lists: the full text lacks one of the abstract's
  items; items it adds are additions, not disagreement), the extraction is flagged for a
  curator, naming both and which one is shown.

`locate_evidence` adds a `location` to every evidence item: the abstract, or section and
paragraph, or table, row and column (`pipeline.parse.fulltext_input.locate`). Value and
evidence are always taken together, from the same extraction.
"""

from __future__ import annotations

from pipeline.parse.fulltext_input import locate

# extraction key -> evidence key
FIELDS = {"design": "design", "sample_size": "sample_size", "targets": "targets",
          "guidance": "guidance", "follow_up_days": "follow_up"}
ABSTRACT_FIRST = {"design"}
# The extractor derives these from its design (no sample size for a review, 1 for a case
# report): when the abstract's design is shown, so are they.
DESIGN_DEPENDENT = {"sample_size", "follow_up_days"}


def _empty(value) -> bool:
    return value in (None, [], "")


def _agree(a, b) -> bool:
    if isinstance(a, list) and isinstance(b, list):
        return set(map(str, a)) <= set(map(str, b))
    return a == b


def reconcile(abstract_only: dict, with_full_text: dict, document_sha256: str | None = None) -> dict:
    """`with_full_text`, completed and annotated with `field_sources` (see module docstring)."""
    out = dict(with_full_text)
    out["evidence"] = dict(out.get("evidence") or {})
    out["confidence"] = dict(out.get("confidence") or {})
    out["flags"] = list(out.get("flags") or [])
    sources = []
    design_from_abstract = False
    for key, evidence_key in FIELDS.items():
        a, f = abstract_only.get(key), with_full_text.get(key)
        disagree = not _empty(a) and not _empty(f) and not _agree(a, f)
        follows_design = (design_from_abstract and key in DESIGN_DEPENDENT and not _empty(f)
                          and not _agree(a, f))
        if (_empty(f) and not _empty(a)) or (disagree and key in ABSTRACT_FIRST) or follows_design:
            design_from_abstract = design_from_abstract or key == "design"
            disagree = disagree or follows_design
            out[key] = a
            out["evidence"][evidence_key] = (abstract_only.get("evidence") or {}).get(evidence_key, [])
            out["confidence"][evidence_key] = (abstract_only.get("confidence") or {}).get(evidence_key)
            if key == "targets":
                out["target_groups"] = abstract_only.get("target_groups", [])
            shown = "abstract"
        else:
            shown = "full_text" if not _empty(f) else "abstract"
        if disagree:
            out["flags"].append({"field": evidence_key, "reason":
                                 f"abstract and full text disagree: abstract {a!r}, full text {f!r}; "
                                 f"the {shown.replace('_', ' ')}'s value is shown"})
        sources.append({"field": key, "abstract": a, "full_text": f, "shown": shown,
                        "disagree": disagree})
    out["field_sources"] = sources
    out["full_text_sha256"] = document_sha256
    return out


def locate_evidence(extraction: dict, parsed: dict | None) -> dict:
    """Every evidence item of `extraction` gains `location` (in place; returned for chaining)."""
    for items in (extraction.get("evidence") or {}).values():
        for item in items:
            item["location"] = locate(parsed, item.get("section"), int(item.get("start") or 0))
    return extraction


def extract_record(extractor, record: dict, staged: dict | None) -> dict:
    """One record's extraction: from the abstract, and with its full text when one was read."""
    from pipeline.parse.fulltext_input import extractor_sections

    parsed = (staged or {}).get("parsed")
    if not parsed:
        return locate_evidence(extractor.extract(record), None)
    abstract_only = extractor.extract(record)
    full = extractor.extract({**record, "full_text": extractor_sections(parsed)})
    return locate_evidence(reconcile(abstract_only, full, staged.get("sha256")), parsed)
