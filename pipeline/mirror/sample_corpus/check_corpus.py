"""Check the illustrative sample corpus that the offline mirror serves.

    python pipeline/mirror/sample_corpus/check_corpus.py [--root DIR] [--no-pdf-text]

For every `pubmed/<PMID>.xml`:
  * the file holds exactly one <PubmedArticle> element, with no XML declaration, DOCTYPE or
    <PubmedArticleSet> wrapper, and its PMID matches the file name;
  * wrapped in the efetch envelope (declaration + pubmed_250101 DOCTYPE + <PubmedArticleSet>),
    it is read by Biopython's validating parser, `Entrez.read(..., validate=True)`, against the
    DTD Biopython bundles (no network);
  * it conforms to the content models and attribute lists of that same DTD file. Biopython's
    validation only rejects undeclared elements; it does not check element order, required
    children or attribute values, so this script checks those itself;
  * its DOI (ELocationID and ArticleIdList) is 10.5555/litmine.NNNN and it has an entrez date.

For every `europepmc/<ID>.json`: the object loads, carries the fields the pipeline reads, has
index dates 1-3 days after publication, and links `{mirror}/pdfs/<ID>.pdf`, a PDF that exists,
is under 60 KB and (with pdfplumber installed) yields its title and section headings as text.

Prints one line per record and a summary; exits 1 if anything failed. Word counts outside
150-300 are reported as warnings (record 990000020 has no abstract on purpose).
"""

from __future__ import annotations

import argparse
import io
import json
import re
import sys
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
DTD_NAME = "pubmed_250101.dtd"
ENVELOPE_HEAD = (
    '<?xml version="1.0" ?>\n'
    '<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" '
    f'"https://dtd.nlm.nih.gov/ncbi/pubmed/out/{DTD_NAME}">\n'
    "<PubmedArticleSet>")
ENVELOPE_TAIL = "</PubmedArticleSet>"

PMID_RANGE = (990000001, 990000020)
ENTREZ_WINDOW = (date(2023, 1, 1), date(2025, 10, 31))
PREPRINT_WINDOW = (date(2024, 6, 1), date(2025, 10, 31))
PDF_MAX_BYTES = 60 * 1024
WORDS = (150, 300)
PDF_HEADINGS = ("Abstract", "Introduction", "Methods", "Results", "Discussion", "References")


# --------------------------------------------------------------------------------------------
# A small DTD validator: content models as regular expressions over child element names.

class Dtd:
    def __init__(self, path: Path):
        text = re.sub(r"<!--.*?-->", "", path.read_text(encoding="utf-8"), flags=re.S)
        literal = dict(re.findall(r'<!ENTITY\s+%\s+([\w.-]+)\s+"([^"]*)"\s*>', text))
        # External parameter entities (the MathML module) are not loaded: records here use no MathML.
        text = re.sub(r'<!ENTITY\s+%\s+[\w.-]+\s+(?:SYSTEM|PUBLIC)[^>]*>', "", text)
        text = re.sub(r'<!ENTITY\s+%\s+[\w.-]+\s+"[^"]*"\s*>', "", text)
        for _ in range(5):
            text = re.sub(r"%([\w.-]+);", lambda m: literal.get(m.group(1), ""), text)
        self.models: dict[str, tuple[str, object]] = {}
        for name, model in re.findall(r"<!ELEMENT\s+([\w:.-]+)\s+(.*?)>", text, flags=re.S):
            self.models[name] = self._compile(model)
        self.attributes: dict[str, dict[str, tuple[str, str]]] = {}
        attr_def = re.compile(r'([\w:.-]+)\s+(CDATA|IDREFS|IDREF|ID|NMTOKENS|NMTOKEN|ENTITY|ENTITIES|'
                              r'\([^)]*\))\s+(#REQUIRED|#IMPLIED|#FIXED\s+"[^"]*"|"[^"]*")', re.S)
        for name, body in re.findall(r"<!ATTLIST\s+([\w:.-]+)\s+(.*?)>", text, flags=re.S):
            decl = self.attributes.setdefault(name, {})
            for attr, kind, default in attr_def.findall(body):
                decl[attr] = (re.sub(r"\s+", "", kind), default)

    @staticmethod
    def _compile(model: str):
        model = model.strip()
        if model == "EMPTY":
            return ("empty", None)
        if model == "ANY":
            return ("any", None)
        if "#PCDATA" in model:
            return ("mixed", set(re.findall(r"[\w:.-]+", model.replace("#PCDATA", ""))))
        regex = []
        for token in re.findall(r"[\w:.-]+|[(),|?*+]", model):
            if token == "(":
                regex.append("(?:")
            elif token == ",":
                continue
            elif token in ")|?*+":
                regex.append(token)
            else:
                regex.append("(?:<" + re.escape(token) + ">)")
        return ("children", re.compile("".join(regex)))

    def validate(self, element: ET.Element, path: str = "") -> list[str]:
        here = f"{path}/{element.tag}"
        errors = []
        if element.tag not in self.models:
            return [f"{here}: element not declared in {DTD_NAME}"]
        kind, model = self.models[element.tag]
        children = list(element)
        text_parts = [element.text or ""] + [c.tail or "" for c in children]
        has_text = any(part.strip() for part in text_parts)
        if kind == "empty" and (children or has_text):
            errors.append(f"{here}: declared EMPTY but has content")
        elif kind == "mixed":
            for child in children:
                if child.tag not in model:
                    errors.append(f"{here}: <{child.tag}> not allowed here")
        elif kind == "children":
            if has_text:
                errors.append(f"{here}: text not allowed (element content only)")
            sequence = "".join(f"<{c.tag}>" for c in children)
            if not model.fullmatch(sequence):
                names = " ".join(c.tag for c in children) or "(nothing)"
                errors.append(f"{here}: children [{names}] do not match the content model")
        declared = self.attributes.get(element.tag, {})
        for attr, value in element.attrib.items():
            if attr not in declared:
                errors.append(f"{here}: attribute {attr!r} not declared")
                continue
            kind_, default = declared[attr]
            if kind_.startswith("(") and value not in kind_.strip("()").split("|"):
                errors.append(f"{here}: {attr}={value!r} not one of {kind_}")
            if default.startswith("#FIXED") and value != default.split('"')[1]:
                errors.append(f"{here}: {attr} is fixed to {default.split(chr(34))[1]!r}")
        for attr, (_, default) in declared.items():
            if default == "#REQUIRED" and attr not in element.attrib:
                errors.append(f"{here}: required attribute {attr!r} missing")
        for child in children:
            errors.extend(self.validate(child, here))
        return errors


def bundled_dtd() -> Path:
    from Bio.Entrez.Parser import DataHandler
    path = Path(DataHandler.global_dtd_dir) / DTD_NAME
    if not path.is_file():
        raise SystemExit(f"Biopython does not bundle {DTD_NAME} (looked in {path.parent})")
    return path


# --------------------------------------------------------------------------------------------

def words(text: str) -> int:
    return len(re.sub(r"<[^>]+>", " ", text).split())


def check_pubmed(path: Path, dtd: Dtd) -> tuple[list[str], list[str], dict]:
    from Bio import Entrez

    errors, warnings, info = [], [], {}
    raw = path.read_bytes()
    text = raw.decode("utf-8")
    stripped = text.strip()
    if stripped.startswith("<?xml") or "<!DOCTYPE" in text or "PubmedArticleSet" in text:
        errors.append("file must hold a bare <PubmedArticle> (no declaration, DOCTYPE or wrapper)")
    if not stripped.startswith("<PubmedArticle>") or not stripped.endswith("</PubmedArticle>"):
        errors.append("file does not start with <PubmedArticle> and end with </PubmedArticle>")
    if text.count("<PubmedArticle>") != 1:
        errors.append(f"{text.count('<PubmedArticle>')} <PubmedArticle> elements (want exactly 1)")
    document = ENVELOPE_HEAD + text + ENVELOPE_TAIL
    try:
        root = ET.fromstring(document.encode("utf-8"))
    except ET.ParseError as exc:
        return [f"not well-formed XML: {exc}"], warnings, info

    # 1. Biopython's validating parser.
    try:
        parsed = Entrez.read(io.BytesIO(document.encode("utf-8")), validate=True)
        if len(parsed.get("PubmedArticle", [])) != 1:
            errors.append("Biopython did not read exactly one PubmedArticle")
    except Exception as exc:  # ValidationError, CorruptedXMLError, NotXMLError, ...
        errors.append(f"Biopython Entrez.read(validate=True) failed: {type(exc).__name__}: {exc}")

    # 2. Content models and attributes of the DTD.
    errors.extend(dtd.validate(root))

    # 3. Identity, DOI, dates.
    pmid = (root.findtext("PubmedArticle/MedlineCitation/PMID") or "").strip()
    info["pmid"] = pmid
    if pmid != path.stem:
        errors.append(f"PMID {pmid!r} does not match file name {path.name}")
    if not (pmid.isdigit() and PMID_RANGE[0] <= int(pmid) <= PMID_RANGE[1]):
        errors.append(f"PMID {pmid!r} outside the invented range {PMID_RANGE[0]}..{PMID_RANGE[1]}")
    want_doi = f"10.5555/litmine.{pmid[-4:]}"
    elocation = [e.text for e in root.iter("ELocationID") if e.get("EIdType") == "doi"]
    article_ids = [e.text for e in root.iter("ArticleId") if e.get("IdType") == "doi"]
    if elocation != [want_doi] or article_ids != [want_doi]:
        errors.append(f"DOI should be {want_doi} in ELocationID and ArticleIdList "
                      f"(found {elocation} / {article_ids})")
    entrez = [d for d in root.iter("PubMedPubDate") if d.get("PubStatus") == "entrez"]
    if len(entrez) != 1:
        errors.append("needs exactly one PubMedPubDate PubStatus='entrez'")
    else:
        e = entrez[0]
        try:
            when = date(int(e.findtext("Year")), int(e.findtext("Month")), int(e.findtext("Day")))
            info["entrez"] = when.isoformat()
            if not ENTREZ_WINDOW[0] <= when <= ENTREZ_WINDOW[1]:
                errors.append(f"entrez date {when} outside {ENTREZ_WINDOW[0]}..{ENTREZ_WINDOW[1]}")
        except (TypeError, ValueError) as exc:
            errors.append(f"bad entrez date: {exc}")
    title = "".join(root.find("PubmedArticle/MedlineCitation/Article/ArticleTitle").itertext()).strip()
    abstract = " ".join("".join(a.itertext()) for a in root.iter("AbstractText"))
    info["title"] = title
    info["words"] = words(abstract)
    info["structured"] = any(a.get("Label") for a in root.iter("AbstractText"))
    info["types"] = [p.text for p in root.iter("PublicationType")]
    info["status"] = root.find("PubmedArticle/MedlineCitation").get("Status")
    if pmid == "990000020":
        if title or abstract.strip():
            errors.append("990000020 is the quarantine record: it must keep an empty title and no abstract")
    elif not title:
        errors.append("empty ArticleTitle")
    elif not WORDS[0] <= info["words"] <= WORDS[1]:
        warnings.append(f"abstract has {info['words']} words (aim {WORDS[0]}-{WORDS[1]})")
    return errors, warnings, info


REQUIRED_JSON = {
    "id": str, "source": str, "doi": str, "title": str, "authorString": str, "authorList": dict,
    "abstractText": str, "language": str, "pubYear": str, "pubTypeList": dict,
    "bookOrReportDetails": dict, "firstPublicationDate": str, "firstIndexDate": str,
    "isOpenAccess": str, "hasPDF": str, "fullTextUrlList": dict,
}


def check_preprint(path: Path, root: Path, pdf_text: bool) -> tuple[list[str], list[str], dict]:
    errors, warnings, info = [], [], {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return [f"does not load as JSON: {exc}"], warnings, info
    if not isinstance(data, dict):
        return ["file must hold one JSON object"], warnings, info
    for key, kind in REQUIRED_JSON.items():
        if not isinstance(data.get(key), kind):
            errors.append(f"field {key!r} missing or not {kind.__name__}")
    if errors:
        return errors, warnings, info
    rid = data["id"]
    info.update(id=rid, publisher=data["bookOrReportDetails"].get("publisher"),
                pub=data["firstPublicationDate"], idx=data["firstIndexDate"],
                words=words(data["abstractText"]), title=data["title"])
    if rid != path.stem or not re.fullmatch(r"PPR9000\d\d", rid):
        errors.append(f"id {rid!r} must match the file name and PPR9000NN")
    if data["source"] != "PPR":
        errors.append("source must be 'PPR'")
    if data["doi"] != f"10.5555/litmine.ppr{rid[-4:]}":
        errors.append(f"doi should be 10.5555/litmine.ppr{rid[-4:]}")
    if data["language"] != "eng":
        errors.append("language must be 'eng'")
    if data["pubTypeList"].get("pubType") != ["Preprint"]:
        errors.append("pubTypeList.pubType must be ['Preprint']")
    if info["publisher"] not in ("medRxiv", "Research Square"):
        errors.append("bookOrReportDetails.publisher must be medRxiv or Research Square")
    if data["isOpenAccess"] != "Y" or data["hasPDF"] != "Y":
        errors.append("isOpenAccess and hasPDF must be 'Y'")
    authors = data["authorList"].get("author") or []
    names = [a.get("fullName") for a in authors]
    if not authors or any(not all(a.get(k) for k in ("fullName", "firstName", "lastName", "initials"))
                          for a in authors):
        errors.append("authorList.author entries need fullName, firstName, lastName, initials")
    elif data["authorString"] != ", ".join(names) + ".":
        errors.append("authorString does not match authorList")
    try:
        published = date.fromisoformat(data["firstPublicationDate"])
        indexed = date.fromisoformat(data["firstIndexDate"])
        if not 1 <= (indexed - published).days <= 3:
            errors.append("firstIndexDate must be 1-3 days after firstPublicationDate")
        if not (PREPRINT_WINDOW[0] <= published and indexed <= PREPRINT_WINDOW[1]):
            errors.append(f"dates outside {PREPRINT_WINDOW[0]}..{PREPRINT_WINDOW[1]}")
        if data["pubYear"] != str(published.year):
            errors.append("pubYear does not match firstPublicationDate")
    except ValueError as exc:
        errors.append(f"bad date: {exc}")
    links = data["fullTextUrlList"].get("fullTextUrl") or []
    want_url = "{mirror}/pdfs/" + rid + ".pdf"
    pdf_links = [l for l in links if l.get("documentStyle") == "pdf"]
    if len(pdf_links) != 1 or pdf_links[0].get("url") != want_url \
            or pdf_links[0].get("availabilityCode") != "F":
        errors.append(f"needs one free pdf link with url {want_url!r}")
    if not WORDS[0] <= info["words"] <= WORDS[1]:
        warnings.append(f"abstract has {info['words']} words (aim {WORDS[0]}-{WORDS[1]})")

    pdf = root / "pdfs" / f"{rid}.pdf"
    if not pdf.is_file():
        errors.append(f"missing {pdf.relative_to(root)}")
        return errors, warnings, info
    blob = pdf.read_bytes()
    info["pdf_kb"] = round(len(blob) / 1024, 1)
    if not blob.startswith(b"%PDF-"):
        errors.append(f"{pdf.name} is not a PDF")
    if len(blob) >= PDF_MAX_BYTES:
        errors.append(f"{pdf.name} is {len(blob)} bytes (limit {PDF_MAX_BYTES})")
    if pdf_text:
        try:
            import pdfplumber
        except ImportError:
            warnings.append("pdfplumber not installed: PDF text not checked")
            return errors, warnings, info
        with pdfplumber.open(pdf) as doc:
            info["pages"] = len(doc.pages)
            text = "\n".join(page.extract_text() or "" for page in doc.pages)
        flat = re.sub(r"\s+", " ", text)
        if not 2 <= info["pages"] <= 4:
            errors.append(f"{pdf.name} has {info['pages']} pages (want 2-4)")
        # Two-column pages interleave the columns line by line, so headings need not start a line.
        missing = [h for h in PDF_HEADINGS if not re.search(rf"\b{h}\b", text)]
        if missing:
            errors.append(f"{pdf.name}: headings not found in extracted text: {missing}")
        first_words = " ".join(data["title"].split()[:6])
        if first_words not in flat:
            errors.append(f"{pdf.name}: title not found in extracted text")
        if info["publisher"] and info["publisher"] not in flat:
            errors.append(f"{pdf.name}: running header does not name {info['publisher']}")
    return errors, warnings, info


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=HERE, help="corpus folder (default: this one)")
    parser.add_argument("--no-pdf-text", action="store_true", help="skip pdfplumber text checks")
    args = parser.parse_args(argv)
    root = args.root
    failures = 0
    warning_count = 0

    dtd = Dtd(bundled_dtd())
    pubmed = sorted((root / "pubmed").glob("*.xml"))
    print(f"PubMed records ({len(pubmed)} files; Biopython validate=True + {DTD_NAME} content models)")
    for path in pubmed:
        errors, warnings, info = check_pubmed(path, dtd)
        failures += bool(errors)
        warning_count += len(warnings)
        types = ", ".join(t for t in info.get("types", []) if t != "Journal Article") or "Journal Article"
        print(f"  {'FAIL' if errors else 'ok  '} {path.name:<15} entrez {info.get('entrez', '?'):<10} "
              f"{info.get('status', '?'):<18} {info.get('words', 0):>3} words "
              f"{'S' if info.get('structured') else 'U'}  {types[:48]:<48} "
              f"{(info.get('title') or '(empty title)')[:60]}")
        for message in errors:
            print(f"       error: {message}")
        for message in warnings:
            print(f"       warning: {message}")
    if len(pubmed) != 20:
        print(f"  FAIL expected 20 PubMed files, found {len(pubmed)}")
        failures += 1

    preprints = sorted((root / "europepmc").glob("*.json"))
    print(f"\nEurope PMC preprints ({len(preprints)} files)")
    for path in preprints:
        errors, warnings, info = check_preprint(path, root, not args.no_pdf_text)
        failures += bool(errors)
        warning_count += len(warnings)
        print(f"  {'FAIL' if errors else 'ok  '} {path.name:<15} {info.get('publisher', '?'):<16} "
              f"posted {info.get('pub', '?')} indexed {info.get('idx', '?')} "
              f"{info.get('words', 0):>3} words  pdf {info.get('pdf_kb', '?')} KB, "
              f"{info.get('pages', '?')} pages  {(info.get('title') or '')[:50]}")
        for message in errors:
            print(f"       error: {message}")
        for message in warnings:
            print(f"       warning: {message}")
    if len(preprints) != 4:
        print(f"  FAIL expected 4 Europe PMC files, found {len(preprints)}")
        failures += 1
    linked = {f"{p.stem}.pdf" for p in preprints}
    for pdf in sorted((root / "pdfs").glob("*.pdf")):
        if pdf.name not in linked:
            print(f"  warning: {pdf.name} is not linked from any Europe PMC record")
            warning_count += 1

    print(f"\n{len(pubmed)} PubMed + {len(preprints)} preprint records checked: "
          f"{failures} failed, {warning_count} warnings")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
