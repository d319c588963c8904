"""direction: which way a finding goes - improved, no_difference or worse - read clause by clause.

A finding is a claim about an arm (the intervention, a comparator, or both) and a measure. The
grammar below reads three kinds of claim, in this order, from each clause:

1. **Between-group null**: "no (significant|intergroup) difference", "did not differ",
   "comparable/similar pain relief", "did not reach significance", "non-inferior", "equally
   effective", "not significantly different", and a negated effect verb ("did not reduce",
   "failed to improve", "no benefit").
2. **Comparative**: "<A> ... better/superior/lower pain/higher recurrence ... than <B>" and
   "<measure> was lower in <A> than in <B>". The comparative word has a polarity (better,
   superior, more effective are good; lower/less/fewer are good for a harmful measure - pain,
   opioids, recurrence, complications - and bad for a wanted one - relief, success, function;
   higher/more/greater the other way round), and the sides decide whose win it is: a comparator
   (control, sham, placebo, usual care, baseline) after "than" means the intervention won; the
   intervention (the procedure words of the title, cryo-) after "than" means it lost.
3. **Improvement**: an effect predicate (reduce, relieve, alleviate, improve, benefit,
   effective, successful, valuable, pain-free, analgesia provided) not under negation, as in
   NegEx (Chapman et al., 2001: a negation trigger governs the next few words). "Without
   complications" negates a harm, not the effect. An improvement "in both groups" says nothing
   about which arm did better, so in a comparative study it is no direction of its own.

`clause_direction(text, intervention)` returns (direction, kind) or None; kind is "null",
"comparative", "improvement" or "improvement_both_arms", which the outcome rules use to weigh
one finding against another. Whether the study compares arms may be given as a function, asked
only when a finding depends on it (it searches the whole abstract).
"""

from __future__ import annotations

import re

from typing import Callable

from pipeline.lexicon.keyscan import KEYS
from pipeline.lexicon.patterns import compile_cue, keyed_alternation


NEG_SCOPE = r"(?:\w+\s+){0,3}?"
# 1. between-group null findings
NULL = compile_cue(
    r"\bno\s+(?:statistically\s+|clinically\s+)?(?:significant\s+|relevant\s+|meaningful\s+|major\s+|obvious\s+)?"
    r"(?:inter-?group\s+|between-?group\s+|overall\s+)?(?:differences?|benefits?|(?:treatment\s+)?effects?|improvements?|reductions?|advantages?|superiority|change)\b"
    r"|\b(?:did|does|do|could|was|were)\s+not\s+(?:significantly\s+)?(?:differ|decrease|reduce|improve|produce|result\s+in|show|"
    r"demonstrate|change|affect|provide|lower|relieve|alleviate|prevent|benefit|reach\s+(?:statistical\s+)?significance)\w*"
    r"|\bnot\s+(?:statistically\s+)?significant(?:ly)?(?:\s+different)?\b|\bnon-?significant(?:ly)?\b"
    r"|\b(?:were|was|are|is|remained)\s+(?:statistically\s+)?(?:similar|equal|comparable|equivalent|identical)\b"
    r"|\b(?:comparable|similar|equivalent)\s+(?:\w+\s+){0,2}?(?:pain\s+relief|relief|analgesia|efficacy|outcomes?|results?|effects?|pain\s+scores?|improvements?|success(?:\s+rates?)?)\b"
    r"|\bfailed\s+to\s+(?:show|demonstrate|improve|reduce|reach|detect)|\bcannot\s+be\s+recommended\b"
    r"|\bnot\s+(?:been\s+)?possible\s+to\s+demonstrate\b|\bnon-?inferior\w*|\bequally\s+effective\b"
    r"|\bsimilar\s+(?:between|in\s+both|across)\b|\bno\s+(?:\w+\s+)?differences?\s+(?:was|were)\s+(?:observed|found|seen|detected)"
    r"|\bneither\s+\w+\s+nor\b[^.;]{0,60}\b(?:reduced|improved|affected)", re.I)
# 2. comparatives
GOOD_COMPARATIVE = r"better|superior|more\s+effective|more\s+efficacious|more\s+pronounced\s+(?:relief|improvement)"
BAD_COMPARATIVE = r"worse|inferior|less\s+effective|less\s+efficacious"
LOWER = r"lower|less|fewer|shorter|smaller|weaker|reduced|decreased"
HIGHER = r"higher|more|greater|longer|larger|stronger|increased"
HARMFUL = (r"pain|vas|nrs|scores?|opioids?|morphine|analgesics?|consumption|requirements?|use|recurrences?|relapses?|failures?|"
           r"complications?|adverse|side\s+effects?|length\s+of\s+stay|disability|spasticity|intensity|incidence|rates?\s+of\s+(?:recurrence|failure)")
WANTED = (r"relief|analgesia|satisfaction|success(?:\s+rates?)?|function|improvements?|reductions?|decreases?|efficacy|benefits?|"
          r"responders?|duration\s+of\s+(?:relief|analgesia)")
COMPARATIVE = compile_cue(
    rf"\b(?P<cmp>{GOOD_COMPARATIVE}|{BAD_COMPARATIVE}|{LOWER}|{HIGHER})\b(?P<mid>[^;]{{0,80}}?)"
    rf"\b(?:than|(?:as\s+)?compared\s+(?:with|to)|in\s+comparison\s+(?:with|to)|relative\s+to|versus|vs\.?)\b(?P<b>[^;]{{0,80}})", re.I)
# clauses that are not findings: baseline comparability, an outcome's definition, a purpose
BASELINE = compile_cue(r"\b(?:age|sex|gender|demographic\w*|baseline\s+characteristics|body\s+mass|BMI|ASA)\b", re.I)
DEFINITION = compile_cue(r"^\s*(?:the\s+)?(?:primary|secondary|main)\s+(?:outcomes?|end[\s-]?points?)(?:\s+measures?)?\s*(?::|was|were|is|are|included)\s", re.I)
RESULT_STATED = compile_cue(r"\bsignifican|\b[Pp]\s*[<=>≤]|\bdiffer", re.I)
PURPOSE = compile_cue(r"\b(?:in\s+order\s+)?to\s+(?:\w+\s+)?$|\b(?:aims?|designed|intended|used)\s+to\s+(?:\w+\s+){0,2}$", re.I)
COMPARED_WITH = compile_cue(r"\b(?:compared\s+(?:to|with)|versus|vs\.?|relative\s+to|in\s+comparison\s+(?:to|with))\b(?P<b>[^;]{0,60})", re.I)
COMPARATORS = compile_cue(r"\b(?:controls?|sham|placebo|usual\s+care|standard\s+(?:care|treatment|therapy)|conventional|conservative|baseline|"
                         r"pre-?(?:operative|procedure|procedural|treatment|intervention)\s+(?:values?|levels?|scores?)|before\s+(?:the\s+)?(?:procedure|treatment)|"
                         r"no\s+(?:treatment|intervention))\b", re.I)
# 3. improvement predicates
IMPROVEMENT = keyed_alternation([
    (("signific", "substanti", "marked", "drastic", "dramatic", "clinically"),
     r"\b(?:significant(?:ly)?|substantial(?:ly)?|marked(?:ly)?|drastic(?:ally)?|dramatic(?:ally)?|clinically\s+meaningful)\s+(?:\w+\s+){0,2}?"
     r"(?:reduc\w*|decreas\w*|lower\w*|less|fewer|shorter|improv\w*|better|relie\w*|declin\w*|drop\w*|weaker)"),
    (("reduc", "decreas", "declin", "lower", "drop", "fell"),
     r"\b(?:reduc\w*|decreas\w*|declin\w*|lower\w*|drop\w*|fell)\s+(?:\w+\s+){0,5}?(?:pain|opioids?|analgesics?|morphine|length\s+of\s+stay|"
     r"spasticity|MMEs?|consumption|utili[sz]ation|use|scores?|VAS|NRS|intensity|disability|requirements?)"),
    (("reduc", "decreas", "declin", "dropped", "fell", "improved"),
     r"\b(?:pain|VAS|NRS|scores?|intensity|opioid\s+(?:use|consumption))\s+(?:\w+\s+){0,4}?(?:reduc\w*|decreas\w*|declin\w*|dropped|fell|improved)"),
    (("reduce from", "improv", "free", "absent", "resolved", "abolished", "eliminated"),
     r"\breduce\s+from\b|\bimprov(?:ed|ement|ements|es|ing)\b|\bpain[\s-]free\b|\bfree\s+of\s+pain\b|\bpain\s+(?:was\s+)?(?:absent|resolved|abolished|eliminated)"),
    (("relief", "analgesia", "response", "result", "outcome"),
     r"\b(?:complete|significant|adequate|good|excellent|major|prolonged|long-?lasting|durable|sustained|effective|satisfactory|substantial)\s+(?:\w+\s+)?(?:pain\s+)?(?:relief|analgesia|responses?|results?|outcomes?)\b"),
    (("reliev", "allevia", "eliminat", "abolish"), r"\b(?:relieve[sd]?|alleviate[sd]?|eliminate[sd]?|abolishe[sd]?)\b"),
    (("relief",), r"\b(?:got|obtained|achieved|experienced|reported)\s+(?:[\w>≥%.-]+\s+){0,3}?(?:pain\s+)?relief"),
    (("effective", "efficacious", "successful"), r"(?<!less\s)(?<!in)\beffective(?:ly|ness)?\b|\befficacious\b|\bsuccessful(?:ly)?\b"),
    (("valuable", "useful", "promising", "viable", "favorable", "favourable"),
     r"\b(?:valuable|useful|promising|viable|favou?rable)\s+(?:\w+\s+)?(?:alternative|tool|option|technique|method|treatment|therapy|modality|adjunct|approach|results?|outcomes?)"),
    (("efficacy", "effectiveness", "benefit", "usefulness", "value"),
     r"\b(?:suggest|support|show|demonstrate|confirm)\w*\s+(?:the\s+)?(?:\w+\s+)?(?:efficacy|effectiveness|benefits?|usefulness|value)"),
    (("benefit",), r"\bbenefit(?:ed|s)?\s+(?:\w+\s+)?from\b|\bsignificant\s+benefits?\b|(?<!no\s)\bbenefits?\s+of\b"),
    (("analges", "relief", "benefit"),
     r"\b(?:provide[sd]?|promote[sd]?|produce[sd]?|offer(?:s|ed)?|yield(?:s|ed)?)\s+(?:\w+\s+){0,3}?(?:analgesi\w*|pain\s+relief|relief|benefit)"),
    (("less", "lower pain", "shortened", "reduction"),
     r"\bless\s+(?:\w+\s+)?pain\b|\blower\s+pain\b|\bshortened\b|\breduction\s+(?:in|of)\s+(?:\w+\s+){0,3}(?:pain|opioid|epidural|analgesic|spasticity|scores?)"),
])
NEGATION = compile_cue(rf"\b(?:no|not|never|neither|nor|cannot|unable\s+to|failed\s+to|lack\s+of|absence\s+of|did\s+not|does\s+not|do\s+not|was\s+not|were\s+not)\s+{NEG_SCOPE}$", re.I)
BOTH_ARMS = compile_cue(r"\b(?:in|for|of)\s+(?:both|all|each\s+of\s+the)\s+(?:the\s+)?(?:\w+\s+)?(?:groups?|arms?|cohorts?)\b|\bboth\s+(?:groups?|arms?|treatments?|procedures?|techniques?)\b", re.I)
CLAUSE_SPLIT = compile_cue(r";|,\s*but\b|\bbut\s+|,?\s*however,?|\bwhereas\b|\balthough\b|\bwhile\b", 0)

_KEYS = KEYS.keyset(("signific", "reduc", "decreas", "declin", "lower", "improv", "free", "absent", "relie", "effective",
         "efficac", "benefit", "less", "shorten", "success", "valuable", "useful", "promising", "favo", "analges",
         "no ", "not ", "similar", "equal", "comparable", "equivalent", "failed", "cannot", "inferior", "than",
         "better", "superior", "worse", "alleviat", "drop", "fell", "resolved", "eliminat", "neither", "higher",
         "greater", "more ", "fewer", "shorter", "longer", "compared", "versus", "relative"))


_GOOD, _BAD = compile_cue(GOOD_COMPARATIVE, re.I), compile_cue(BAD_COMPARATIVE, re.I)
_HIGHER, _LOWER = compile_cue(HIGHER, re.I), compile_cue(LOWER, re.I)
_WANTED, _HARMFUL = compile_cue(rf"\b(?:{WANTED})\b", re.I), compile_cue(rf"\b(?:{HARMFUL})\b", re.I)


# small patterns of the rules below, compiled once
_TO_OR_WITH = re.compile(r"\s*(?:to|with)\b")
_PAIN_WORD = re.compile(r"\bpain|relief|analges", re.I)


def _polarity(cmp: str, measure: str) -> int:
    """+1 when the comparative says the subject did better, -1 worse, 0 unknown. `measure` is
    the text around the comparative word, which says what was higher or lower."""
    if _GOOD.fullmatch(cmp):
        return 1
    if _BAD.fullmatch(cmp):
        return -1
    # "greater reductions in pain": the wanted word governs the harmful measure after "in"
    if _WANTED.search(measure) and not _HARMFUL.search(measure.split(" in ")[0]):
        return 1 if _HIGHER.fullmatch(cmp) else -1
    if _HARMFUL.search(measure) or not measure.strip():
        return 1 if _LOWER.fullmatch(cmp) else -1
    return 0


def _side(text: str, intervention: re.Pattern | None) -> int:
    """+1 when a phrase names the intervention, -1 a comparator, 0 neither."""
    if COMPARATORS.search(text):
        return -1
    if intervention is not None and intervention.search(text):
        return 1
    return 0


def comparative(clause: str, intervention: re.Pattern | None, before_clause: str = ""):
    """The direction of a comparison in `clause`; `before_clause` is the sentence before it,
    whose subject a clause after "but" shares ("X had similar success but a higher recurrence
    rate than Y")."""
    m = COMPARATIVE.search(clause)
    if not m:
        return None
    subject = clause[: m.start()]
    pol = _polarity(m.group("cmp"), m.group("mid") + " " + subject[-60:])
    if not pol:
        return None
    before = subject + " " + m.group("mid")
    after = m.group("b")
    b_side = _side(after, intervention)
    a_side = _side(before, intervention) or _side(before_clause, intervention)
    if b_side:
        winner = -b_side
    elif a_side:
        winner = a_side
    else:
        return "unknown"     # a comparison whose winner cannot be told ("group B better than group A")
    return "improved" if pol * winner > 0 else "worse"


def _negated(clause: str, start: int) -> bool:
    return bool(NEGATION.search(clause[max(0, start - 40): start]))


def has_direction_words(text: str) -> bool:
    """Does the text hold a word any direction cue needs? Without one, `clause_direction` finds none."""
    return _has_keys(text.lower())


def _has_keys(lower: str) -> bool:
    return KEYS.holds(lower, _KEYS)


def clause_direction(text: str, intervention: re.Pattern | None = None,
                     comparative_study: bool | Callable[[], bool] = False) -> tuple[str, str] | None:
    lower = text.lower()
    if not _has_keys(lower):
        return None
    clauses = CLAUSE_SPLIT.split(text) if any(map(lower.__contains__, (";", "but", "however", "whereas", "although", "while"))) else [text]
    both_arms = None
    if DEFINITION.search(text) and not RESULT_STATED.search(text):
        return None
    seen = ""
    for clause in clauses:
        if not clause or not clause.strip():
            continue
        before_clause, seen = seen, seen + " " + clause
        null = NULL.search(clause)
        if null and BASELINE.search(clause) and not _PAIN_WORD.search(clause):
            continue                     # "the groups were similar for age and sex"
        if null and _TO_OR_WITH.match(clause[null.end():]) and not _told(comparative_study):
            null = None                  # a single arm "similar to" an external benchmark
        if null:
            return "no_difference", "null"
        comp = comparative(clause, intervention, before_clause)
        if comp == "unknown":
            continue
        if comp:
            return comp, "comparative"
        # the first improvement predicate decides (where it starts is all that is read of it)
        m = IMPROVEMENT.search(clause)
        if m is None or PURPOSE.search(clause[max(0, m.start() - 40): m.start()]):
            continue                     # "used to reduce pain, reduce analgesic dose": a purpose, not a finding
        if _negated(clause, m.start()):
            return "no_difference", "null"
        if BOTH_ARMS.search(clause):
            both_arms = both_arms or ("improved", "improvement_both_arms")
            continue
        if COMPARED_WITH.search(clause) and _side(COMPARED_WITH.search(clause).group("b"), intervention) > 0:
            return "worse", "comparative"     # "pain was reduced with epidural compared with cryo"
        return "improved", "improvement"
    if both_arms and not _told(comparative_study):
        return "improved", "improvement"
    return both_arms


def _told(flag: bool | Callable[[], bool]) -> bool:
    return flag() if callable(flag) else flag


def intervention_pattern(title: str, procedure_words: re.Pattern) -> re.Pattern | None:
    """The words that name this study's intervention: the first procedure word of its title
    (titles name the intervention before its comparator; cryo- when the title names none),
    plus the arm names abstracts use for it."""
    first = procedure_words.search(title or "")
    word = first.group(0) if first else "cryo"
    alts = [r"[ck]ryo[\w-]*" if word.lower()[1:].startswith("ryo") else re.escape(word)]
    alts += [r"(?:treatment|trial|study|intervention|active|experimental)\s+(?:group|arm)"]
    return re.compile(r"\b(?:" + "|".join(alts) + r")", re.I)
