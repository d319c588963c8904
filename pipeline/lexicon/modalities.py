"""Guidance modalities: their order and the cue patterns that name each one.

`vocab/guidance.json` holds, per modality, regular expressions with a weight, the context some
cues need (`needs_context`), what cancels them (`not_guidance`) and literal keys that must occur
before a modality's patterns are worth searching.
"""

from __future__ import annotations

import re

from .alternations import CueAlternation, cue_alternation

ORDER = ["ultrasound", "fluoroscopy", "ct", "mri", "nerve_stimulator", "landmark", "surgical", "blind"]


def guidance_cues(vocab: dict) -> list[tuple[str, CueAlternation, list[float]]]:
    """(modality, alternation, weight per cue): a match's lastindex is cue i + 1."""
    return [(k, cue_alternation([p for p, _ in v]), [w for _, w in v]) for k, v in vocab["cues"].items()]


def not_guidance(vocab: dict) -> dict[str, re.Pattern]:
    """Per modality, what makes a mention no guidance at all."""
    return {k: re.compile(v, re.I) for k, v in vocab["not_guidance"].items()}
