"""Inline markup (italic, bold, sub/superscript, MathML) to plain text, the same way for every
source: JATS full texts (elements), PubMed abstracts (Biopython keeps `<sup>2</sup>` as literal
text) and Europe PMC JSON (HTML fragments in `abstractText` and `title`).

Rules, chosen so that no number is glued onto a word or another number:
* italic, bold, small caps, underline, monospace, styled spans: their text, no spaces added;
* superscript: Unicode superscript characters when every character has one ("I²", "10⁶",
  "Ca²⁺"), else "^(text)"; superscript digits are not `\\d` in Python regexes, so a citation
  mark ("pain¹²") is never read as a count;
* subscript: the text itself ("CO2", "SpO2", "T1");
* MathML: msup/msub as above, mfrac "a/b", msqrt "√(x)", mfenced "(a, b)", other elements
  their text; TeX alternatives are used only when no MathML is given.
Both paths build the same small tree of `Node`s and render it with `render`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

SUPERSCRIPT = str.maketrans("0123456789+-=()ni−", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱ⁻")
_SUP_OK = set("0123456789+-=()ni−")
TRANSPARENT = {"i", "b", "u", "em", "strong", "italic", "bold", "sc", "underline", "monospace",
               "roman", "sans-serif", "styled-content", "named-content", "span", "overline",
               "strike", "mrow", "mstyle", "mpadded", "semantics", "math", "inline-formula",
               "mi", "mn", "mo", "mtext", "ms", "abbrev", "ext-link", "uri", "email"}
DROPPED = {"annotation", "annotation-xml", "tex-math", "mspace"}
MATH_CONTAINERS = {"math", "mrow", "msup", "msub", "msubsup", "mfrac", "msqrt", "mroot", "mfenced",
                   "mstyle", "semantics", "mpadded"}
SUP, SUB = {"sup", "superscript"}, {"sub", "inf", "subscript"}
_STRING_TAGS = (sorted(TRANSPARENT | DROPPED | SUP | SUB | {"msup", "msub", "msubsup", "mfrac", "msqrt",
                "mfenced", "mroot", "br"}, key=len, reverse=True))
_TAG = re.compile(r"<(/?)((?:mml:)?(?:" + "|".join(re.escape(t) for t in _STRING_TAGS)
                  + r"))((?:\s+[\w:-]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)\s*(/?)>", re.I)


@dataclass
class Node:
    tag: str
    children: list = field(default_factory=list)   # str | Node
    attrs: dict = field(default_factory=dict)


def superscript(text: str) -> str:
    text = text.strip()
    if text and set(text) <= _SUP_OK:
        return text.translate(SUPERSCRIPT)
    return f"^({text})" if text else ""


def render(node, xref=None) -> str:
    """Plain text of a tree; `xref(node) -> str | None` may render cross-references."""
    if isinstance(node, str):
        return node
    tag = node.tag.lower().split(":")[-1]
    if tag == "xref" and xref is not None:
        out = xref(node)
        if out is not None:
            return out
    if tag in DROPPED:
        return ""
    if tag == "br":
        return " "
    if tag == "alternatives":
        maths = [c for c in node.children if isinstance(c, Node) and c.tag.split(":")[-1] == "math"]
        if maths:
            return render(maths[0], xref)
        tex = [c for c in node.children if isinstance(c, Node) and c.tag.split(":")[-1] == "tex-math"]
        return _text(tex[0]) if tex else "".join(render(c, xref) for c in node.children)
    # Whitespace between MathML elements is indentation, not text.
    parts = [c for c in node.children if not (tag in MATH_CONTAINERS and isinstance(c, str) and not c.strip())]
    if tag in SUP:
        return superscript("".join(render(c, xref) for c in parts))
    if tag in SUB:
        return "".join(render(c, xref) for c in parts)
    elems = [c for c in parts if isinstance(c, Node)]
    if tag in ("msup", "msub", "msubsup") and len(elems) >= 2:
        base = render(elems[0], xref)
        if tag == "msup":
            return base + superscript(render(elems[1], xref))
        if tag == "msub":
            return base + render(elems[1], xref)
        return base + render(elems[1], xref) + (superscript(render(elems[2], xref)) if len(elems) > 2 else "")
    if tag == "mfrac" and len(elems) == 2:
        return f"{render(elems[0], xref)}/{render(elems[1], xref)}"
    if tag == "msqrt":
        return "√(" + "".join(render(c, xref) for c in elems) + ")"
    if tag == "mroot" and len(elems) == 2:
        return f"{render(elems[1], xref)}√({render(elems[0], xref)})"
    if tag == "mfenced":
        open_, close = node.attrs.get("open", "("), node.attrs.get("close", ")")
        return open_ + ", ".join(render(c, xref) for c in elems) + close
    return "".join(render(c, xref) for c in parts)


def _text(node) -> str:
    return node if isinstance(node, str) else "".join(_text(c) for c in node.children)


def from_element(element) -> Node:
    """An ElementTree element (namespaces stripped to local names) as a Node tree; tails kept."""
    node = Node(element.tag.rsplit("}", 1)[-1], [], {k.rsplit("}", 1)[-1]: v for k, v in element.attrib.items()})
    if element.text:
        node.children.append(element.text)
    for child in element:
        node.children.append(from_element(child))
        if child.tail:
            node.children.append(child.tail)
    return node


def from_string(text: str) -> Node:
    """A string with literal inline tags as a Node tree. Only the known inline tags are markup;
    any other "<" is text ("p < 0.05"). Unclosed tags close at the end, stray closers are text."""
    root = Node("span")
    stack = [root]
    pos = 0
    for m in _TAG.finditer(text):
        if m.start() > pos:
            stack[-1].children.append(text[pos:m.start()])
        pos = m.end()
        closing, name, attrs, selfclosing = m.group(1), m.group(2).lower(), m.group(3) or "", m.group(4)
        local = name.split(":")[-1]
        if closing:
            depth = next((i for i in range(len(stack) - 1, 0, -1) if stack[i].tag == local), None)
            if depth is None:
                stack[-1].children.append(m.group(0))
            else:
                del stack[depth:]
            continue
        node = Node(local, [], dict(re.findall(r'([\w:-]+)\s*=\s*"([^"]*)"', attrs)))
        stack[-1].children.append(node)
        if not selfclosing and local != "br":
            stack.append(node)
    if pos < len(text):
        stack[-1].children.append(text[pos:])
    return root


def normalise_markup(text: str) -> str:
    """`text` with its inline tags rendered (see module docstring); other text untouched."""
    if not text or "<" not in text:
        return text
    return render(from_string(text))


def element_text(element, xref=None) -> str:
    """The plain, whitespace-collapsed text of an XML element, inline markup rendered."""
    return re.sub(r"\s+", " ", render(from_element(element), xref)).strip()
