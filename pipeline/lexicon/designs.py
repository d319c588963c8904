"""Study designs: the enum's precedence and the cue patterns that name each design.

`vocab/design_cues.json` holds, per design, regular expressions with a weight (and, for a
design implied rather than named, a rule name of its own). `design_cues(vocab)` compiles them
into one alternation per design, in the order of PRECEDENCE: when several designs are named,
the first in PRECEDENCE is what the study is (an animal study before a protocol, a review before
the trials it cites, a case report before a series).
"""

from __future__ import annotations

import re

from .alternations import CueAlternation, cue_alternation

PRECEDENCE = ["other", "protocol", "systematic_review", "narrative_review", "technical_note",
              "case_report", "rct", "nonrandomized_trial", "retrospective_observational",
              "prospective_observational", "case_series"]


def design_cues(vocab: dict) -> list[tuple[str, CueAlternation, list[tuple[float, str]]]]:
    """(design, alternation, [(weight, rule) per cue]): a match's lastindex is cue i + 1."""
    return [(design, cue_alternation([c[0] for c in vocab["cues"][design]]),
             [(c[1], f"design.{design}" + (f".{c[2]}" if len(c) > 2 else "")) for c in vocab["cues"][design]])
            for design in PRECEDENCE if design in vocab["cues"]]
