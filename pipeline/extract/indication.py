"""indication: the condition treated, lower case ("knee osteoarthritis", "phantom limb pain",
"spasticity after stroke").

Method: a noun phrase ending in a condition head word (pain, neuralgia, spasticity,
osteoarthritis, neuroma, syndrome, headache ...) introduced by "for", "of", "in patients with",
"treatment of" - first in the title, then in the abstract. Leading articles and
treatment words are trimmed.
"""

from __future__ import annotations

import re

from pipeline.lexicon.patterns import compile_cue

from .evidence import FieldResult, evidence_at

HEAD = compile_cue(r"\b(?:pain|neuralgia|spasticity|osteoarthritis|neuromas?|syndromes?|headaches?|migraines?|"
                  r"neuropath(?:y|ies)|contractures?|fibromyalgia|fibrillation|metastas[ie]s|masses|tumou?rs?|"
                  r"cancer|arthritis|injur(?:y|ies)|amputation|limb\s+loss)\b", re.I)
BEFORE = compile_cue(r"((?:[\w'’-]+\s+){0,5})$", 0)
AFTER = compile_cue(r"^(\s+(?:after|following|due\s+to|in|from)\s+(?:[\w'’-]+\s+){0,3}?[\w'’-]+)(?=[\s.,;:)]|$)", re.I)
INTRO = compile_cue(r"\b(?:for|of|in\s+patients\s+with|with|treat(?:ment|ing)?\s+of|manag(?:ement|ing)\s+of|relief\s+of|palliation\s+of)\s+(?:the\s+)?(?:treatment\s+of\s+|management\s+of\s+)?$", re.I)
TRIM = compile_cue(r"^(?:(?:the|a|an|of|for|in|with|and|to|patients?|treatment|management|relief|painful|intractable|chronic|on|after|is|are|was|were|as|by|from|this|that|these|its|their|our)\s+)*", re.I)
STOP_WORDS = compile_cue(r"\b(?:cryo\w*|effect|efficacy|safety|role|use|comparison|review|study|trial|evaluation|analysis|results?|technique|applications?|reduces?|reduced|provides?|improves?|managing|treating|for|of|in|with|and|or|the|to|is|are|was|were|has|have|had)\b", re.I)
KEEP_INSIDE = compile_cue(r"\b(?:after|following|due to|in|from|of)\b", re.I)


# small patterns of the rules below, compiled once
_WORD_TOKEN = re.compile(r"[\w'’-]+")


class IndicationRules:
    def __call__(self, ctx) -> FieldResult:
        for sentence in ctx.main_sentences[:12]:
            text = sentence.text
            for m in HEAD.finditer(text):
                before = BEFORE.search(text[max(0, m.start() - 70): m.start()]).group(1)
                words = before.split()
                # the modifiers: words after the last stop word ("Cryoanalgesia for postherniorrhaphy pain")
                keep = []
                for w in reversed(words):
                    if STOP_WORDS.fullmatch(w.strip(",:;()")) or not _WORD_TOKEN.fullmatch(w):
                        break
                    keep.insert(0, w)
                if not keep and m.group(0).lower() in ("pain", "cancer", "injury", "injuries", "amputation"):
                    continue          # a bare "pain" says nothing about the condition
                after = AFTER.match(text[m.end():])
                tail = after.group(1) if after else ""
                start = text.find(keep[0], max(0, m.start() - 70)) if keep else m.start()
                end = m.end() + len(tail)
                conf = 0.75 if (sentence.section == "title" or INTRO.search(text[:start])) else 0.55
                value = TRIM.sub("", " ".join(text[start:end].lower().split()))
                if len(value) < 4:
                    continue
                return FieldResult(value, [evidence_at(sentence, start, end, "indication.condition_phrase", conf)])
        return FieldResult()


def build_indication_rules(config: dict | None = None) -> IndicationRules:
    return IndicationRules()
