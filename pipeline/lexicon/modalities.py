"""Guidance modalities: their order and the cue patterns that name each one.

`vocab/guidance.json` holds, per modality, regular expressions with a weight, the context some
cues need (`needs_context`), what cancels them (`not_guidance`) and literal keys that must occur
before a modality's patterns are worth searching.
"""

from __future__ import annotations

import re

from .patterns import compile_cue

ORDER = ["ultrasound", "fluoroscopy", "ct", "mri", "nerve_stimulator", "landmark", "surgical", "blind"]


def guidance_cues(vocab: dict) -> list[tuple[str, re.Pattern, list[float]]]:
    """(modality, alternation, weight per cue): capture group i+1 wraps cue i."""
    return [(k, compile_cue("|".join(f"({p})" for p, _ in v)), [w for _, w in v]) for k, v in vocab["cues"].items()]


def not_guidance(vocab: dict) -> dict[str, re.Pattern]:
    """Per modality, what makes a mention no guidance at all."""
    return {k: re.compile(v, re.I) for k, v in vocab["not_guidance"].items()}
