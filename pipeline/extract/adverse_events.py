"""adverse_events: the sentence that reports harms or their absence, if any.

Method: sentences of the results and conclusions (all sentences when the abstract is
unstructured) are scored by harm words: an explicit "adverse events / complications / side
effects" statement scores highest, named harms (pneumothorax, infection, numbness, neuritis,
dysesthesia, hyperalgesia, hematoma) next. Negation is kept in the text and named in the rule:
"No adverse events occurred" gives rule adverse_events.none_reported. Aims and research still
needed are skipped.
"""

from __future__ import annotations

import re

from pipeline.lexicon.patterns import compile_cue

from .evidence import FieldResult, sentence_evidence

EXPLICIT = compile_cue(r"\b(?:adverse\s+(?:events?|effects?|reactions?)|complications?|side[\s-]effects?|harms?|well[\s-]tolerated|safety\s+profile|serious\s+events?)\b", re.I)
NAMED = compile_cue(r"\b(?:pneumothorax|infections?|cellulitis|numbness|neuritis|neuroma\s+formation|dysesthesia\w*|dysaesthesia\w*|hyperalgesia|allodynia|hematoma|haematoma|bruising|frostbite|skin\s+necrosis|sensory\s+disturbances?|disturbed\s+sensibility|neuropath(?:ic|y)\s+(?:pain|scores?))\b", re.I)
NEGATED = compile_cue(r"\b(?:no|none|without|free\s+of|neither|nor|not\s+(?:any|associated))\b[^.]{0,40}$", re.I)
SKIP = compile_cue(r"\b(?:aims?|objectives?|purpose|hypothesi\w+|needed|warranted|required)\b", re.I)


class AdverseEventRules:
    def __call__(self, ctx) -> FieldResult:
        sents = [s for s in ctx.sentences if s.section not in ("title", "background")]
        best, best_score = None, 0
        for s in sents:
            if ctx.search(SKIP, s.text):
                continue
            m = ctx.search(EXPLICIT, s.text)
            score = 2 if m else (1 if ctx.search(NAMED, s.text) else 0)
            if score > best_score:
                best, best_score, match = s, score, (m or NAMED.search(s.text))
            if best_score == 2:
                break
        if not best:
            return FieldResult()
        negated = bool(NEGATED.search(best.text[: match.start()]))
        rule = "adverse_events.none_reported" if negated else "adverse_events.reported"
        return FieldResult(best.text, [sentence_evidence(best, rule, 0.8 if best_score == 2 else 0.65)])


def build_adverse_event_rules(config: dict | None = None) -> AdverseEventRules:
    return AdverseEventRules()
