"""A bad record is quarantined with its reason and raw bytes, never fatal: the night loads the
rest, the load cannot trip over what was staged, and loaded + quarantined = what was counted."""

from __future__ import annotations

import json
import time
from datetime import date

from pipeline import nightly
from pipeline.mirror.server import MirrorServer
from pipeline.parse.pubmed_xml import parse_efetch
from pipeline.warehouse import db
from tests.factories import pubmed_xml, write_corpus

OK_PUBMED, OK_PREPRINTS = 20, 3


def preprint(i: int, **fields) -> dict:
    result = {"id": f"PPR97{i:04d}", "source": "PPR", "title": f"Cryoneurolysis for pain {i}",
              "abstractText": "Cryoneurolysis: nerve pain improved.", "authorString": "Tester A.",
              "firstPublicationDate": "2024-01-02", "firstIndexDate": "2024-01-02",
              "pubTypeList": {"pubType": ["Preprint"]}}
    result.update(fields)
    return result


def bad_corpus(root):
    corpus = write_corpus(root, pubmed=OK_PUBMED, preprints=OK_PREPRINTS)
    bad_preprints = [
        preprint(1, title=12345),                                  # a number as title
        preprint(2, authorList="Tester A, Probe B"),               # a string as author list
        preprint(3, firstIndexDate="not-a-date"),
        preprint(4, abstractText="cryoneurolysis pain " * (17 * 1024 * 1024 // 20)),  # > 16 MiB
    ]
    for result in bad_preprints:
        (corpus / "europepmc" / f"{result['id']}.json").write_text(json.dumps(result))
    feb30 = pubmed_xml(970000001, date(2024, 1, 3), "Cryoneurolysis for knee pain: odd date",
                       "Pain improved after cryoneurolysis.")
    feb30 = feb30.replace("<Month>1</Month><Day>3</Day>", "<Month>2</Month><Day>30</Day>")
    (corpus / "pubmed" / "970000001.xml").write_text(feb30)
    return corpus


def test_bad_records_are_quarantined_and_the_night_loads_the_rest(settings, tmp_path):
    with MirrorServer(bad_corpus(tmp_path / "corpus")) as mirror:
        mirrored = settings.with_mirror(mirror.base_url)
        assert nightly.harvest_all(mirrored, None, None) == {}
        nightly.extract_staged(mirrored)
        summary = nightly.load_staged(mirrored, "run-bad")
    assert summary.failed == {}
    con = db.connect(mirrored, read_only=True)
    runs = {s: (status, counted, fetched, quarantined) for s, status, counted, fetched, quarantined in
            con.execute("SELECT source, status, counted, fetched, quarantined FROM ops.runs").fetchall()}
    quarantine = dict(con.execute("""SELECT source_id, reason FROM ops.quarantine
                                     WHERE stage = 'parse'""").fetchall())
    payload_sizes = dict(con.execute("""SELECT source_id, length(payload) FROM ops.quarantine
                                        WHERE stage = 'parse'""").fetchall())
    articles = con.execute("SELECT count(*) FROM core.articles_current").fetchone()[0]
    con.close()
    assert runs["pubmed"] == ("succeeded", OK_PUBMED + 1, OK_PUBMED, 1)
    assert runs["europepmc"] == ("succeeded", OK_PREPRINTS + 4, OK_PREPRINTS, 4)
    assert articles == OK_PUBMED + OK_PREPRINTS
    assert "result.title is int '12345', not string" in quarantine["PPR970001"]
    assert "authorList is str" in quarantine["PPR970002"]
    assert "'not-a-date' is not a calendar date" in quarantine["PPR970003"]
    assert "over the 16,777,216-byte limit" in quarantine["PPR970004"]
    assert payload_sizes["PPR970004"] > 17_000_000       # the raw bytes, as received
    assert "'2024-02-30' is not a calendar date" in quarantine["970000001"]


def test_a_mononymous_author_is_one_name():
    xml = pubmed_xml(970000002, date(2024, 1, 3), "Cryoneurolysis", "Pain improved.")
    xml = xml.replace("<LastName>Tester</LastName><ForeName>Ada</ForeName><Initials>A</Initials>",
                      "<LastName>Chintamani</LastName>")
    (_, article), = parse_efetch(f"<PubmedArticleSet>{xml}</PubmedArticleSet>".encode())[0]
    assert article.authors == ["Chintamani"]


BOOK = ('<PubmedBookArticle><BookDocument><PMID Version="1">970000099</PMID><Book>'
        '<BookTitle>Pain management</BookTitle></Book></BookDocument></PubmedBookArticle>')


def test_one_book_record_does_not_slow_its_batch():
    records = "".join(pubmed_xml(960000000 + i, date(2024, 1, 1), f"Cryoneurolysis {i}",
                                 "Pain improved.") for i in range(200))
    plain = f"<PubmedArticleSet>{records}</PubmedArticleSet>".encode()
    with_book = f"<PubmedArticleSet>{records}{BOOK}</PubmedArticleSet>".encode()
    timings = []
    for body in (plain, with_book, plain, with_book):
        started = time.perf_counter()
        good, bad = parse_efetch(body)
        timings.append(time.perf_counter() - started)
    assert len(good) == 200 and [pmid for _, _, pmid in bad] == ["970000099"]
    assert "book records" in bad[0][0]
    assert min(timings[1], timings[3]) < 3 * min(timings[0], timings[2])
