"""The curatable fields: their types, allowed values, and how a typed value is read and shown.

What: `FIELDS` lists the fields `core.evidence_current` lets a curator override, in display
order, each with its kind (bool, enum, enum list, free-text list, integer, text), the enum of
EXTRACTION_SPEC.md, integer bounds, and the extractor's name for it (evidence rows and
extraction flags say `follow_up` and `outcome`, the warehouse columns `follow_up_days` and
`outcome_direction`). `parse_value` turns what a curator typed (a form field, a CSV cell, a CLI
argument, a list of checked boxes) into the value stored in `core.curation.new_value`, or
raises `InvalidValue` with a sentence saying what is allowed; `show_value` is the inverse for
tables, CSV cells and forms.

Why: the web form, the CLI and the CSV import must accept and refuse exactly the same values,
so the rules live here once.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

DESIGNS = ("rct", "nonrandomized_trial", "prospective_observational", "retrospective_observational",
           "case_series", "case_report", "systematic_review", "narrative_review", "protocol",
           "technical_note", "other")
GUIDANCE = ("ultrasound", "fluoroscopy", "ct", "mri", "nerve_stimulator", "landmark", "surgical",
            "blind")
TARGET_GROUPS = ("saphenous", "genicular", "intercostal", "intercostobrachial", "occipital",
                 "lumbar_medial_branch", "sacral_lateral_branch", "sciatic", "femoral", "tibial",
                 "peroneal", "sural", "suprascapular", "axillary", "pudendal",
                 "genitofemoral_ilioinguinal", "stellate_ganglion", "celiac_plexus",
                 "trigeminal_branches", "digital", "neuroma", "musculocutaneous",
                 "median_ulnar_radial", "obturator", "other")
DIRECTIONS = ("improved", "no_difference", "worse")
SCALES = ("nrs", "vas", "womac", "other")

ACTIONS = ("accept", "correct", "not_reported")
CORE_FIELDS = ("design", "sample_size", "targets")
MAX_TEXT = 200


class InvalidValue(ValueError):
    """A value a curator typed that the field does not allow; the message says what is allowed."""


@dataclass(frozen=True)
class Field:
    name: str
    kind: str                       # bool | enum | enum_list | text_list | int | number | text
    label: str
    extractor_name: str             # the field's name in core.evidence and extraction flags
    choices: tuple[str, ...] = ()
    low: float | None = None
    high: float | None = None
    unit: str = ""
    help: str = ""

    @property
    def core(self) -> bool:
        return self.name in CORE_FIELDS

    @property
    def is_list(self) -> bool:
        return self.kind in ("enum_list", "text_list")


FIELDS: dict[str, Field] = {f.name: f for f in (
    Field("relevant", "bool", "Relevant", "relevant",
          help="cryoneurolysis of nerves in humans for pain or spasticity: yes or no"),
    Field("design", "enum", "Study design", "design", choices=DESIGNS),
    Field("sample_size", "int", "Sample size", "sample_size", low=1, high=100000,
          unit="participants", help="participants enrolled across all arms (1 for a case report)"),
    Field("targets", "text_list", "Targets", "targets",
          help="nerves as named, lower case, separated by ';'"),
    Field("target_groups", "enum_list", "Target groups", "targets", choices=TARGET_GROUPS),
    Field("guidance", "enum_list", "Guidance", "guidance", choices=GUIDANCE),
    Field("follow_up_days", "int", "Follow-up", "follow_up", low=1, high=7305, unit="days",
          help="longest follow-up in days (a number, or e.g. '6 months': week 7, month 30, year 365)"),
    Field("outcome_scale", "enum", "Outcome measure", "outcome", choices=SCALES,
          help="the scale the outcome is measured on"),
    Field("mean_change", "number", "Mean change", "outcome", low=-1000, high=1000,
          help="mean change from baseline on that scale, negative for a decrease (e.g. -3.1)"),
    Field("responder_pct", "number", "Responders", "outcome", low=0, high=100, unit="%",
          help="share of patients who responded, in percent"),
    Field("responder_threshold_pct", "number", "Responder threshold", "outcome", low=0, high=100,
          unit="%", help="the relief that counts as a response, in percent (e.g. 50)"),
    Field("outcome_direction", "enum", "Outcome direction", "outcome", choices=DIRECTIONS),
    Field("indication", "text", "Indication", "indication",
          help="the condition treated, lower case, as a full phrase"),
    Field("adverse_events", "text", "Adverse events", "adverse_events",
          help="adverse events as reported, e.g. 'none serious' or 'transient numbness in 2'"),
)}

# Names the extractor (flags, evidence) or validation (ops.flags.column_name) use for a field.
ALIASES = {"follow_up": "follow_up_days", "outcome": "outcome_direction",
           "outcome_text": "outcome_direction"}

_UNITS = {"d": 1, "day": 1, "days": 1, "w": 7, "wk": 7, "wks": 7, "week": 7, "weeks": 7,
          "m": 30, "mo": 30, "mos": 30, "month": 30, "months": 30,
          "y": 365, "yr": 365, "yrs": 365, "year": 365, "years": 365}
_TRUE = {"true", "yes", "y", "1", "relevant"}
_FALSE = {"false", "no", "n", "0", "not relevant", "irrelevant"}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def field_for(name: str | None) -> Field | None:
    """The curatable field an extraction flag, evidence row or ops.flags column is about."""
    if not name:
        return None
    name = ALIASES.get(name, name)
    return FIELDS.get(name)


def get_field(name: str) -> Field:
    found = FIELDS.get((name or "").strip())
    if found is None:
        raise InvalidValue(f"unknown field {name!r}: curatable fields are {', '.join(FIELDS)}")
    return found


def _token(text: str) -> str:
    return re.sub(r"[\s\-/]+", "_", text.strip().lower())


def _split(raw) -> list[str]:
    if isinstance(raw, (list, tuple)):
        items = []
        for item in raw:
            items.extend(_split(item) if isinstance(item, str) else [item])
        return [i for i in items if i not in ("", None)]
    text = str(raw).strip()
    if text.startswith("["):
        try:
            loaded = json.loads(text)
        except ValueError:
            raise InvalidValue(f"{text!r} looks like a JSON list but does not parse") from None
        if not isinstance(loaded, list) or not all(isinstance(i, str) for i in loaded):
            raise InvalidValue("a JSON list of strings is expected")
        return [i.strip() for i in loaded if i.strip()]
    return [part.strip() for part in re.split(r"[;,\n]", text) if part.strip()]


def _clean_text(text: str, what: str) -> str:
    if _CONTROL.search(text):
        raise InvalidValue(f"{what} contains control characters")
    text = " ".join(text.split()).lower()
    if not text:
        raise InvalidValue(f"{what} is empty")
    if len(text) > MAX_TEXT:
        raise InvalidValue(f"{what} is longer than {MAX_TEXT} characters")
    return text


def _integer(field: Field, raw) -> int:
    if isinstance(raw, bool):
        raise InvalidValue(f"{field.label.lower()} must be a whole number")
    if isinstance(raw, int):
        value = raw
    else:
        text = str(raw).strip().lower()
        match = re.fullmatch(r"(\d+)\s*([a-z]+)?", text)
        if not match:
            raise InvalidValue(f"{field.label.lower()} must be a whole number from {field.low} to "
                               f"{field.high}{' ' + field.unit if field.unit else ''}, not {str(raw)!r}")
        value, unit = int(match.group(1)), match.group(2)
        if unit:
            if field.unit == "days" and unit in _UNITS:
                value *= _UNITS[unit]
            elif not (field.unit == "participants" and unit in ("participants", "patients")):
                raise InvalidValue(f"{field.label.lower()}: unknown unit {unit!r}"
                                   + (" (use days, weeks, months or years)" if field.unit == "days" else ""))
    if not field.low <= value <= field.high:
        raise InvalidValue(f"{field.label.lower()} must be from {field.low} to {field.high}"
                           f"{' ' + field.unit if field.unit else ''}, not {value}")
    return value


def _number(field: Field, raw) -> float:
    if isinstance(raw, bool):
        raise InvalidValue(f"{field.label.lower()} must be a number")
    text = str(raw).strip().replace("\u2212", "-").rstrip("%").strip()
    try:
        value = float(text)
    except ValueError:
        raise InvalidValue(f"{field.label.lower()} must be a number from {field.low:g} to "
                           f"{field.high:g}{' ' + field.unit if field.unit else ''}, not {str(raw)!r}") from None
    if value != value or not field.low <= value <= field.high:
        raise InvalidValue(f"{field.label.lower()} must be from {field.low:g} to {field.high:g}"
                           f"{' ' + field.unit if field.unit else ''}, not {text}")
    return value


def parse_value(field: Field | str, raw):
    """The stored value for what a curator typed into `field`; raises InvalidValue."""
    field = get_field(field) if isinstance(field, str) else field
    if raw is None or (isinstance(raw, str) and not raw.strip()) or (isinstance(raw, (list, tuple)) and not _split(raw)):
        raise InvalidValue(f"{field.label.lower()}: a value is required to correct "
                           "(use 'not reported' when the record does not say)")
    if field.kind == "bool":
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise InvalidValue(f"relevant must be yes or no, not {str(raw)!r}")
    if field.kind == "int":
        return _integer(field, raw)
    if field.kind == "number":
        return _number(field, raw)
    if field.kind == "enum":
        token = _token(str(raw))
        if token not in field.choices:
            raise InvalidValue(f"{field.label.lower()} {str(raw).strip()!r} is not one of: "
                               f"{', '.join(field.choices)}")
        return token
    if field.kind == "enum_list":
        values, bad = [], []
        for item in _split(raw):
            token = _token(str(item))
            if token not in field.choices:
                bad.append(str(item))
            elif token not in values:
                values.append(token)
        if bad:
            raise InvalidValue(f"{field.label.lower()}: {', '.join(repr(b) for b in bad)} "
                               f"{'is' if len(bad) == 1 else 'are'} not among: {', '.join(field.choices)}")
        return values
    if field.kind == "text_list":
        values = []
        for item in _split(raw):
            text = _clean_text(str(item), field.label.lower())
            if text not in values:
                values.append(text)
        return values
    if isinstance(raw, (list, tuple)):
        raise InvalidValue(f"{field.label.lower()} takes one value")
    return _clean_text(str(raw), field.label.lower())


def normalise(field: Field, value):
    """A value read from the warehouse in the shape `parse_value` returns (lists as lists)."""
    if value is None:
        return None
    if field.is_list:
        return list(value)
    return value


def show_value(value) -> str:
    """A value as text for a table, a CSV cell or a form field: '' for not reported."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return "; ".join(str(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
