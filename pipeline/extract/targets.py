"""targets + target_groups: the nerves or neural structures that were treated.

Method
* `litmine_nerve_lexicon` (a spaCy factory) runs a PhraseMatcher (LOWER) over the nerve
  lexicon in `pipeline/lexicon/vocab/nerves.json` (synonyms, plurals) and a case-sensitive PhraseMatcher over its
  abbreviations, keeps the longest non-overlapping matches, and stores them on
  `doc._.nerve_hits`. Abbreviations defined in the abstract ("infrapatellar branch of the
  saphenous nerve (IPBSN)") are resolved with scispacy's AbbreviationDetector, so a later bare
  "IPBSN" counts as the same nerve.
* Coordinated lists are expanded: "medial and lateral pectoral nerves" -> medial pectoral
  nerve + lateral pectoral nerve; "nerve branches (musculocutaneous, radial, median)" -> three
  nerves; "4th, 5th, 6th, or 7th intercostal nerves" -> intercostal nerves.
* Joints count only as denervation targets ("cervical facet joint cryoneurolysis",
  "cryodenervation of lumbar facet joints"), never as a pain site ("facet joint pain").
* A nerve that names where a neuroma sits ("a superficial radial nerve neuroma") is not a target
  of its own: the neuroma is.
* A nerve named as a complication ("phrenic nerve palsy", "neuroma formation", "nerve
  damage/neuroma") or as one the procedure protects ("phrenic nerve function was monitored",
  "to spare the femoral nerve") is not a target, nor one named as the usual alternative ("conventional
  blocks such as the femoral nerve block", "instead of the sciatic nerve").
* Spinal levels: "S1-3 lateral branches" and "lateral branches of S1, S2 and S3" are sacral
  lateral branches, "L3-L5 medial branches" lumbar medial branches; dorsal rami and cervical or
  thoracic branches are "other".
* An adjectival nerve name before a nerve noun with words the lexicon does not list ("intercostal
  spinal nerve", "intercostals nerve roots") names that nerve, and so does one before a
  procedure noun ("pudendal cryoablation", "genicular RF", "suprascapular PRF").
* A review's nerves are those of the studies it includes: kept at a confidence that sends them
  to a curator.
Targets are lower case, deduplicated by singular form; each maps to one canonical group.
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc
from spacy.util import filter_spans

from pipeline.lexicon.keyscan import KEYS
from pipeline.lexicon.nerves import plural_forms, singular
from pipeline.lexicon.patterns import compile_cue
from pipeline.lexicon.vocabulary import load_vocab

from .evidence import Evidence, FieldResult, evidence_at

if not Doc.has_extension("nerve_hits"):
    Doc.set_extension("nerve_hits", default=None)   # [(start_char, end_char, group, rule)]

CRYO_WORD = compile_cue(r"[ck]ryo|freez|froze|denervat|neurotom|neurolys|ablat|lesion|treat|block")
COMPLICATION_AFTER = compile_cue(r"^[\s-]*(?:\w+\s+){0,1}(?:palsy|palsies|injur\w*|damage|paralys\w*|formation|dysfunction|irritation|entrapment|deficit"
                                r"|function|monitor\w*|integrity|preservation|protection|pacing|conduction)", re.I)
NEUROMA_AFTER = compile_cue(r"^[\s-]*(?:stump\s+|end\s+|terminal\s+)?neuromas?\b", re.I)   # "sural nerve neuroma"
COMPLICATION_BEFORE = compile_cue(r"(?:risk of|damage|injury (?:to|of)|/|protect(?:ing|ed)?|avoid(?:ing)?|spar(?:e|ing)|monitor(?:ing|ed)?)\s*(?:the\s+)?$", re.I)
MODIFIERS = {"medial", "lateral", "superior", "inferior", "anterior", "posterior", "deep",
             "superficial", "common", "greater", "lesser", "third", "proximal", "distal",
             "right", "left", "bilateral", "motor", "sensory", "mixed", "primarily",
             "inferior alveolar"}
DROP_FROM_NAME = {"right", "left", "bilateral", "motor", "sensory", "mixed", "primarily"}
_ORDINAL = compile_cue(r"^(?:\d+(?:st|nd|rd|th)|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth)$", re.I)
_HEAD = compile_cue(r"\b((?:nerve|motor|sensory)\s+branches|nerve\s+trunks|nerves?)\b(\s*\(([^()]{3,200})\))?", re.I)
_JOINT = compile_cue(r"\b((?:cervical|thoracic|lumbar|lumbosacral)\s+(?:facet|zygapophyseal)\s+joints?|facet\s+joints?|sacroiliac\s+joints?|SI\s+joints?)\b", re.I)
_DENERVATION_AFTER = compile_cue(r"^\s*(?:cryo\w*|denervation\w*|neurotom\w*|neurolys\w*|rhizotom\w*)", re.I)
# spinal levels: "S1-3 lateral branch", "lateral branches of S1, S2 and S3", "L4-5 primary dorsal rami"
_LEVELS = r"(?:[CTLS]\d{1,2}(?:\s*[-–]\s*[CTLS]?\d{1,2})?)(?:\s*(?:,|and|,\s*and|/)\s*[CTLS]?\d{1,2}(?:\s*[-–]\s*[CTLS]?\d{1,2})?)*"
_RAMUS_PART = r"(?P<part>lateral|medial)\s+branch(?:es)?"
_SPINAL = compile_cue(
    rf"\b(?:(?P<lv1>{_LEVELS})\s+{_RAMUS_PART}"
    rf"|(?P<part2>lateral|medial)\s+branch(?:es)?\s+of\s+(?:the\s+)?(?:(?:dorsal|posterior|primary)\s+)*(?:rami\s+of\s+)?(?P<lv2>{_LEVELS})"
    rf"|(?P<lv3>{_LEVELS})\s+(?:primary\s+)?(?:dorsal|posterior)\s+ram(?:us|i)"
    rf"|(?:primary\s+)?(?:dorsal|posterior)\s+ram(?:us|i)(?:\s+dorsalis)?\s+of\s+(?P<lv4>{_LEVELS}))", re.I)
# an adjectival nerve name before a nerve noun, with words in between the lexicon does not
# list: "intercostal spinal nerve", "intercostals nerve roots", "genicular sensory branches"
_FILLER = {"spinal", "cutaneous", "sensory", "motor", "peripheral", "articular", "terminal", "main", "nerve"}
_NERVE_NOUN = compile_cue(r"\b(?:nerves?(?:\s+roots?)?|roots?|branch(?:es)?|trunks?)\b", re.I)
# a procedure named by the nerve it treats: "pudendal cryoablation", "genicular RF", "suprascapular PRF"
_PROCEDURE_NOUN = compile_cue(r"\b(?:[ck]ryo[\w-]*|neurolys[ie]s|neurotomy|ablation|denervation|radiofrequency|(?-i:P?RFA?)|"
                             r"blocks?|blockade|freezing|rhizotomy|neurectomy|release|decompression)\b", re.I)
# nerves named as the usual alternative, not as what this study treated
_ALTERNATIVE = compile_cue(r"\b(?:(?:conventional|standard|traditional|other|classic(?:al)?)\s+(?:[\w-]+\s+){0,4}?(?:such\s+as|like|including)"
                          r"|instead\s+of|rather\s+than|alternative\s+to|as\s+opposed\s+to)\s+(?:the\s+)?(?:[\w-]+\s+){0,6}?$", re.I)
_DENERVATION_BEFORE = compile_cue(r"(?:cryo\w*|denervation|neurotomy|neurolysis|rhizotomy|ablation)\s+(?:of|to)\s+(?:the\s+)?(?:bilateral\s+)?(?:\w+\s+)?$", re.I)


# small patterns of the rules below, compiled once
_LIST_TAIL = re.compile(r"((?:[\w'-]+(?:\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or|and/or)\s+))+[\w'-]+(?:\s+[\w'-]+){0,2})\s*$")
_SPINAL_LEVEL = re.compile(r"\b[CTLS]\d")
_WORD_BEFORE = re.compile(r"([A-Za-z'-]+)\s+$")
_LIST_SEPARATOR = re.compile(r"\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or|and/or)\s+")
_WORDS = re.compile(r"[A-Za-z'-]+")


class NerveLexicon:
    """spaCy component: nerve mentions -> doc._.nerve_hits."""

    def __init__(self, nlp: Language, name: str, vocab_path: str | None = None):
        vocab = load_vocab("nerves", vocab_path)
        self.groups: dict[str, str] = {}
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.abbrev_matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
        for group, terms in vocab["groups"].items():
            patterns = []
            for term in terms:
                for form in plural_forms(term):
                    patterns.append(nlp.make_doc(form))
            self.matcher.add(group, patterns)
        for abbr, group in vocab["abbreviations"].items():
            self.abbrev_matcher.add(group, [nlp.make_doc(abbr)])

    def __call__(self, doc: Doc) -> Doc:
        matches = self.matcher(doc)
        spans = [doc[s:e] for _, s, e in matches]
        labels = {(s, e): doc.vocab.strings[m] for m, s, e in matches}
        hits = [(sp.start_char, sp.end_char, labels[(sp.start, sp.end)], "lexicon")
                for sp in filter_spans(spans)]
        for m, s, e in self.abbrev_matcher(doc):
            hits.append((doc[s].idx, doc[e - 1].idx + len(doc[e - 1]), doc.vocab.strings[m], "abbreviation"))
        abbrevs = doc._.abbreviations if Doc.has_extension("abbreviations") else []
        for short in abbrevs or []:
            long = short._.long_form
            for hs, he, group, _ in list(hits):
                if hs >= long.start_char and he <= long.end_char:
                    if not any(h[0] == short.start_char for h in hits):
                        hits.append((short.start_char, short.end_char, group, "abbreviation"))
                    break
        doc._.nerve_hits = sorted(hits)
        return doc


@Language.factory("litmine_nerve_lexicon", default_config={"vocab_path": None})
def make_nerve_lexicon(nlp: Language, name: str, vocab_path: str | None) -> NerveLexicon:
    return NerveLexicon(nlp, name, vocab_path)


class TargetRules:
    def __init__(self, vocab: dict):
        self.bare = vocab["bare_names"]
        self.bare_keys = KEYS.keyset(self.bare)
        self.joints = vocab["joints"]

    def _element(self, words: list[str]) -> tuple[list[str], str | None]:
        words = [w for w in words if w]
        bare = None
        if words and words[-1].lower() in self.bare:
            bare = words[-1].lower()
            words = words[:-1]
        mods = [w.lower() for w in words]
        if not all(m in MODIFIERS or _ORDINAL.match(m) for m in mods):
            return [], "INVALID"
        return mods, bare

    def _coordinated(self, sentence) -> list[tuple[str, str, int, int]]:
        """(target, group, start, end) for coordinated lists around a 'nerve(s)' head."""
        out = []
        if "nerve" not in sentence.text and "branches" not in sentence.text and "Nerve" not in sentence.text:
            return out
        for m in _HEAD.finditer(sentence.text):
            # backwards: "medial and lateral pectoral nerves", "ilioinguinal and iliohypogastric nerves"
            offset = max(0, m.start() - 160)
            before = sentence.text[offset: m.start()]
            tail = _LIST_TAIL.search(before)
            items = []
            if tail:
                parts = _LIST_SEPARATOR.split(tail.group(1))
                parsed = [self._element(p.split()) for p in parts]
                # keep the longest valid suffix of the list
                valid = []
                for mods, bare in reversed(parsed):
                    if bare == "INVALID":
                        break
                    valid.insert(0, (mods, bare))
                if len(valid) >= 2 and valid[-1][1]:
                    items = valid
                    span = (offset + tail.start(1), m.end(1))
            if not items and m.group(3):
                inner = m.group(3)
                parts = _LIST_SEPARATOR.split(inner.strip())
                parsed = [self._element(p.split()) for p in parts]
                if parsed and all(b != "INVALID" for _, b in parsed) and sum(1 for _, b in parsed if b) >= 2:
                    items = parsed
                    span = (m.start(), m.end())
            if not items:
                continue
            nxt = None
            for mods, bare in reversed(items):     # distribute the bare name leftwards
                bare = bare or nxt
                nxt = bare
                if not bare:
                    continue
                name_mods = [w for w in mods if w not in DROP_FROM_NAME and not _ORDINAL.match(w)]
                out.append((" ".join(name_mods + [bare, "nerve"]), self.bare[bare], span[0], span[1]))
        return out

    @staticmethod
    def _spinal(sentence, ctx) -> list[tuple[str, str, int, int]]:
        """(target, group, start, end) for branches and rami named by their spinal level."""
        out = []
        if ctx.lacks(_SPINAL) or not _SPINAL_LEVEL.search(sentence.text):
            return out
        for m in _SPINAL.finditer(sentence.text):
            levels = m.group("lv1") or m.group("lv2") or m.group("lv3") or m.group("lv4")
            part = (m.group("part") or m.group("part2") or "").lower()
            region = levels.strip()[0].upper()
            if part == "lateral" and region == "S":
                group = "sacral_lateral_branch"
            elif part == "medial" and region == "L":
                group = "lumbar_medial_branch"
            else:
                group = "other"      # dorsal rami, cervical/thoracic branches
            out.append((" ".join(m.group(0).lower().split()), group, m.start(), m.end()))
        return out

    def _adjectival(self, sentence, covered) -> list[tuple[str, str, int, int]]:
        """(target, group, start, end) for "<nerve adjective> [filler words] nerve/root/branch"
        and for "<nerve adjective> <procedure>" ("pudendal cryoablation")."""
        out = []
        for m in _PROCEDURE_NOUN.finditer(sentence.text):
            w = _WORD_BEFORE.search(sentence.text[max(0, m.start() - 40): m.start()])
            word = w.group(1).lower() if w else ""
            if word in self.bare and not any(s <= m.start() - len(w.group(0)) < e for s, e in covered):
                start = m.start() - len(w.group(0))
                out.append((f"{word} nerve", self.bare[word], start, m.end()))
        for m in _NERVE_NOUN.finditer(sentence.text):
            if any(s <= m.start() < e for s, e in covered):
                continue
            words = list(_WORDS.finditer(sentence.text[max(0, m.start() - 60): m.start()]))
            base = max(0, m.start() - 60)
            for w in reversed(words[-4:]):
                word = w.group(0).lower()
                name = word if word in self.bare else (word[:-1] if word.endswith("s") and word[:-1] in self.bare else None)
                if name:
                    start = base + w.start()
                    out.append((f"{name} nerve", self.bare[name], start, m.end()))
                    break
                if word not in _FILLER:
                    break
        return out

    def __call__(self, ctx) -> FieldResult:
        result = FieldResult(value=([], []))
        seen: dict[str, str] = {}
        order: list[str] = []

        def add(target, group, sentence, s, e, rule, conf):
            k = singular(target)
            if k not in seen:
                seen[k] = group
                order.append(k)
                result.evidence.append(evidence_at(sentence, s, e, rule, conf))

        # coordinated lists and adjectival names need a bare nerve name ("radial") in their sentence
        for sentence in ctx.sentences:
            hits = ctx.hits_in(sentence)
            cryo = None      # does the sentence name the procedure? looked up when a nerve is found
            low = sentence.text.lower()
            names_bare = KEYS.holds(low, self.bare_keys)
            for target, group, s, e in (self._coordinated(sentence) if names_bare else ()):
                add(target, group, sentence, s, e, "targets.coordinated_list", 0.85)
            spinal = self._spinal(sentence, ctx)
            for target, group, s, e in spinal:
                add(target, group, sentence, s, e, "targets.spinal_level", 0.8)
            covered = [(hs - sentence.start, he - sentence.start) for hs, he, _, _ in hits] + [(s, e) for _, _, s, e in spinal]
            for target, group, s, e in (self._adjectival(sentence, covered) if names_bare else ()):
                if not _ALTERNATIVE.search(sentence.text[:s]):
                    if cryo is None:
                        cryo = bool(CRYO_WORD.search(sentence.text))
                    add(target, group, sentence, s, e, "targets.adjectival", 0.75 if cryo else 0.6)
            for hs, he, group, rule in hits:
                s, e = hs - sentence.start, he - sentence.start
                if any(ss <= s < se for _, _, ss, se in spinal):
                    continue      # read with its spinal level
                if _ALTERNATIVE.search(sentence.text[:s]):
                    continue      # "conventional blocks such as the femoral nerve block"
                if COMPLICATION_AFTER.match(sentence.text[e:]) or COMPLICATION_BEFORE.search(sentence.text[:s]):
                    continue
                if group != "neuroma" and NEUROMA_AFTER.match(sentence.text[e:]):
                    continue      # the nerve only says where the neuroma is; the neuroma is treated
                surface = sentence.text[s:e]
                if rule == "abbreviation":
                    # name the nerve by its long form when the abstract defines it
                    surface = ctx.long_form(sentence, hs) or surface
                if cryo is None:
                    cryo = bool(CRYO_WORD.search(sentence.text))
                conf = 0.9 if cryo else 0.7
                add(surface.lower(), group, sentence, s, e, f"targets.{rule}", conf)
            for m in (_JOINT.finditer(sentence.text) if "joint" in low else ()):
                after, before = sentence.text[m.end():], sentence.text[: m.start()]
                if _DENERVATION_AFTER.match(after) or _DENERVATION_BEFORE.search(before):
                    phrase = m.group(1).lower()
                    base = singular(phrase)
                    group = self.joints.get(base) or self.joints.get(" ".join(base.split()[-2:]), "other")
                    add(base, group, sentence, m.start(), m.end(), "targets.denervated_joint", 0.75)
        if ctx.results.get("design") and ctx.results["design"].value in ("systematic_review", "narrative_review"):
            # a review's nerves are those of the studies it includes: keep them, for a curator to confirm
            result.evidence = [Evidence(e.text, e.start, e.end, e.rule + ".in_review", round(e.confidence * 0.6, 3), e.section)
                               for e in result.evidence]
        groups: list[str] = []
        for k in order:
            if seen[k] not in groups:
                groups.append(seen[k])
        result.value = (order, groups)
        return result


def build_target_rules(config: dict | None = None) -> TargetRules:
    config = config or {}
    return TargetRules(load_vocab("nerves", config.get("nerve_vocab")))
