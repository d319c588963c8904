"""The mirror answers as E-utilities and Europe PMC do, for the requests litmine makes."""

from __future__ import annotations

import io
import json

import httpx
import pytest
from Bio import Entrez

from pipeline.mirror.query import Document, QueryError, compile_query
from pipeline.mirror.server import MirrorServer
from pipeline.parse.pubmed_xml import parse_efetch

QUERY = "cryoneurolysis AND (pain OR spasticity)"


def esearch(mirror, **params):
    params.setdefault("db", "pubmed")
    response = httpx.get(f"{mirror.base_url}/entrez/eutils/esearch.fcgi", params=params)
    assert response.status_code == 200
    return Entrez.read(io.BytesIO(response.content), validate=False)


def test_esearch_filters_by_entrez_date_and_keeps_history(mirror):
    # 5 records a day from 2024-01-01: the first two days hold 10 records.
    result = esearch(mirror, term=QUERY, datetype="edat", mindate="2024/01/01",
                     maxdate="2024/01/02", usehistory="y", retmax="3")
    assert int(result["Count"]) == 10
    assert len(result["IdList"]) == 3
    assert result["WebEnv"].startswith("MCID_") and result["QueryKey"] == "1"
    fetched = httpx.post(f"{mirror.base_url}/entrez/eutils/efetch.fcgi",
                         data={"db": "pubmed", "WebEnv": result["WebEnv"], "query_key": "1",
                               "retstart": "0", "retmax": "200", "rettype": "xml"})
    good, bad = parse_efetch(fetched.content)
    assert len(good) == 10 and not bad
    assert all("2024-01-01" <= article.entrez_date <= "2024-01-02" for _, article in good)


def test_esearch_reports_bad_requests_as_ncbi_does(mirror):
    with pytest.raises(RuntimeError, match="mindate and maxdate"):
        esearch(mirror, term=QUERY, datetype="edat", mindate="2024/01/01")
    with pytest.raises(RuntimeError, match="Invalid db"):
        esearch(mirror, db="protein", term=QUERY)


def test_efetch_by_id_returns_only_known_records(mirror):
    ids = "980000001,980000002,123"
    fetched = httpx.get(f"{mirror.base_url}/entrez/eutils/efetch.fcgi",
                        params={"db": "pubmed", "id": ids, "rettype": "xml"})
    good, _ = parse_efetch(fetched.content)
    assert sorted(raw.source_id for raw, _ in good) == ["980000001", "980000002"]


def test_europepmc_cursor_paging_visits_every_hit_once(mirror):
    cursor, seen = "*", []
    for _ in range(10):
        body = httpx.get(f"{mirror.base_url}/europepmc/webservices/rest/search",
                         params={"query": "cryoneurolysis AND SRC:PPR", "format": "json",
                                 "resultType": "core", "pageSize": "3", "cursorMark": cursor}).json()
        seen += [r["id"] for r in body["resultList"]["result"]]
        if body["nextCursorMark"] == cursor:
            break
        cursor = body["nextCursorMark"]
    assert body["hitCount"] == 7
    assert sorted(seen) == sorted(set(seen)) and len(seen) == 7


def test_europepmc_filters_by_first_index_date(mirror):
    body = httpx.get(f"{mirror.base_url}/europepmc/webservices/rest/search",
                     params={"query": "cryoneurolysis AND FIRST_IDATE:[2024-01-01 TO 2024-01-01]",
                             "format": "json", "resultType": "core"}).json()
    assert body["hitCount"] == 5


def test_pdfs_are_served_and_paths_cannot_escape(tmp_path):
    (tmp_path / "pdfs").mkdir()
    (tmp_path / "pdfs" / "a.pdf").write_bytes(b"%PDF-1.4 test")
    (tmp_path / "secret.pdf").write_bytes(b"%PDF-1.4 secret")
    with MirrorServer(tmp_path) as mirror:
        ok = httpx.get(f"{mirror.base_url}/pdfs/a.pdf")
        assert ok.status_code == 200 and ok.headers["content-type"] == "application/pdf"
        assert httpx.get(f"{mirror.base_url}/pdfs/..%2Fsecret.pdf").status_code == 404
        assert httpx.get(f"{mirror.base_url}/pdfs/missing.pdf").status_code == 404


def test_fault_plan_can_be_replaced_over_http(mirror):
    plan = [{"endpoint": "esearch", "kind": "503", "times": 1}]
    assert httpx.post(f"{mirror.base_url}/_mirror/faults", content=json.dumps(plan)).status_code == 200
    first = httpx.get(f"{mirror.base_url}/entrez/eutils/esearch.fcgi", params={"db": "pubmed", "term": "x"})
    second = httpx.get(f"{mirror.base_url}/entrez/eutils/esearch.fcgi", params={"db": "pubmed", "term": "x"})
    assert (first.status_code, second.status_code) == (503, 200)
    bad = httpx.post(f"{mirror.base_url}/_mirror/faults", content=b'[{"endpoint": "nope", "kind": "503"}]')
    assert bad.status_code == 400


@pytest.mark.parametrize("query,title,expected", [
    ("cryoneurolysis AND pain", "Cryoneurolysis for knee pain", True),
    ("cryoneurolysis NOT knee", "Cryoneurolysis for knee pain", False),
    ('"knee pain"[tiab]', "Cryoneurolysis for knee pain", True),
    ('"pain knee"', "Cryoneurolysis for knee pain", False),
    ("cryo*", "Cryoanalgesia of the intercostal nerves", True),
    ("(tumour OR tumor) AND cryoablation", "Cryoablation of renal tumours", False),
    ("nerve", "Peripheral nerves", False),   # whole words: no stemming, like a phrase search
    ("randomized[pt]", "A trial", False),
])
def test_boolean_queries(query, title, expected):
    assert compile_query(query)(Document(title=title)) is expected


@pytest.mark.parametrize("query", ["", "(pain", "pain)", "AND", "FIRST_IDATE:[2024 TO x]"])
def test_malformed_queries_are_rejected(query):
    with pytest.raises(QueryError):
        compile_query(query)


def test_history_parameters_are_case_insensitive_and_errors_come_as_ncbi_sends_them(mirror):
    result = esearch(mirror, term=QUERY, datetype="edat", mindate="2024/01/01",
                     maxdate="2024/01/02", usehistory="y")
    lower = httpx.post(f"{mirror.base_url}/entrez/eutils/efetch.fcgi",
                       data={"db": "pubmed", "webenv": result["WebEnv"], "query_key": "1",
                             "retstart": "0", "retmax": "200", "rettype": "xml"})
    assert len(parse_efetch(lower.content)[0]) == 10
    expired = httpx.post(f"{mirror.base_url}/entrez/eutils/efetch.fcgi",
                         data={"db": "pubmed", "WebEnv": "MCID_gone", "query_key": "1"})
    assert expired.status_code == 200
    assert b"<eFetchResult>" in expired.content and b"<ERROR>Cannot retrieve history data" in expired.content


def test_only_the_first_ids_of_a_search_can_be_paged(mirror):
    mirror.state.max_search_ids = 30
    result = esearch(mirror, term=QUERY, usehistory="y", retmax="100")
    assert int(result["Count"]) == 450 and len(result["IdList"]) == 30
    fetched = httpx.post(f"{mirror.base_url}/entrez/eutils/efetch.fcgi",
                         data={"db": "pubmed", "WebEnv": result["WebEnv"], "query_key": "1",
                               "retstart": "0", "retmax": "200"})
    assert len(parse_efetch(fetched.content)[0]) == 30
    with pytest.raises(RuntimeError, match="can only retrieve the first 30"):
        esearch(mirror, term=QUERY, retstart="30")
