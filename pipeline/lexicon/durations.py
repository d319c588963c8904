"""Durations as clinical texts write them, normalised to days.

"6 months", "2-18 months" (a range), "1, 6, and 12 months" (a list), "6-month", "3-mo",
"48 h"; ordinals ("the sixth month") and day numbers ("day 140", "postoperative days 3-5").
A month is 30 days and a year 365, as EXTRACTION_SPEC.md normalises them. The patterns say what
a duration is; which durations are follow-up is the extractor's business (extract/follow_up.py),
and a table cell's duration is the parser's (parse/field_normalisers.py).
"""

from __future__ import annotations

import re

from .numbers import NUMBER, ORDINAL
from .patterns import compile_cue

UNIT_DAYS = {"hour": 1 / 24, "day": 1, "week": 7, "month": 30, "year": 365}
_UNIT = r"(?P<unit>hours?|hrs?|h|days?|d|weeks?|wks?|months?|mos?|years?|yrs?|y)"
_N = rf"(?:{NUMBER}|\d+(?:\.\d+)?)"
_SEP = r"(?:\s*(?:-|–|—|‐|to)\s*)"
# "1, 6, and 12 months" | "2-18 months" | "6 to 12 months" | "27 months" | "6-month" | "3-mo"
DURATION = compile_cue(
    rf"(?<![\w.])(?P<nums>{_N}(?:(?:{_SEP}|\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+){_N}){{0,4}})"
    rf"(?:\s*|[\s-]|‐){_UNIT}(?![a-z])", re.I)
ORDINAL_DURATION = compile_cue(rf"\b(?:the\s+)?(?P<ord>{ORDINAL})\s+(?P<unit>day|week|month|year)\b", re.I)
DAY_N = compile_cue(r"\b(?:(?:post-?operative|post-?procedure|postprocedural)\s+)?(?P<unit>days?|weeks?|months?)\s+(?P<nums>\d+(?:\s*(?:-|–|to|and)\s*\d+)?)\b", re.I)
NUMBER_IN = re.compile(_N, re.I)


def unit_days(unit: str) -> float:
    """Days in one of `unit` ("mo", "weeks", "y", "h")."""
    u = unit.lower()
    if u.startswith("h"):
        return UNIT_DAYS["hour"]
    if u.startswith("d"):
        return 1
    if u.startswith("w"):
        return 7
    if u.startswith("m"):
        return 30
    return 365
