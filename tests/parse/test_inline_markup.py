"""Inline markup comes out the same from every source: PubMed XML, Europe PMC JSON and JATS."""

from __future__ import annotations

import json
import re

from pipeline.mirror.corpus import SAMPLE_CORPUS
from pipeline.models import RawRecord
from pipeline.parse import europepmc_json, pubmed_xml
from pipeline.parse.inline_markup import normalise_markup
from pipeline.parse.jats import parse_jats

FRAGMENT = ("Pain fell in <i>all</i> 40 patients<sup>12</sup> (I<sup>2</sup>=58%; SpO<sub>2</sub> "
            "stable; p < 0.05; 10<sup>6</sup> cells; <b>n</b>=40)")
EXPECTED = "Pain fell in all 40 patients¹² (I²=58%; SpO2 stable; p < 0.05; 10⁶ cells; n=40)"


def test_the_same_fragment_reads_the_same_from_every_source():
    pubmed = (SAMPLE_CORPUS / "pubmed" / "990000001.xml").read_text()
    pubmed = re.sub(r"(<AbstractText[^>]*>)", lambda m: m.group(1) + FRAGMENT.replace("p < 0.05", "p &lt; 0.05") + " ",
                    pubmed, count=1)
    raw = RawRecord(source="pubmed", source_id="990000001", payload=pubmed,
                    content_type="application/xml", fetched_at="2024-01-01T00:00:00+00:00")
    assert EXPECTED in pubmed_xml.parse_record(raw).abstract

    result = {"id": "PPR1", "source": "PPR", "title": "T", "abstractText": FRAGMENT}
    article = europepmc_json.parse_record(europepmc_json.raw_record(result))
    assert article.abstract == EXPECTED

    jats = f"<article><body><sec><title>Results</title><p>{FRAGMENT.replace('p < 0.05', 'p &lt; 0.05')}</p></sec></body></article>"
    assert parse_jats(jats)["sections"][0]["text"] == EXPECTED


def test_sample_record_with_a_superscript_reads_as_one():
    body = (SAMPLE_CORPUS / "pubmed" / "990000011.xml").read_bytes()
    (raw, article), = pubmed_xml.parse_efetch(b"<PubmedArticleSet>" + body + b"</PubmedArticleSet>")[0]
    assert "I²=58%" in article.abstract and "<sup>" not in article.abstract


def test_text_that_only_looks_like_markup_is_left_alone():
    assert normalise_markup("a <b or c> d") == "a <b or c> d"
    assert normalise_markup("x</i> y") == "x</i> y"
    assert normalise_markup("<sup>a,b</sup>") == "^(a,b)"       # no superscript letters for these
    assert json.dumps(normalise_markup("<sub>2</sub>")) == '"2"'
