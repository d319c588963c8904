"""The curation web UI over real HTTP: pages, forms, validation, conflicts and origin checks."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import duckdb
import httpx
import pytest

from pipeline.curate.server import CurationServer
from pipeline.curate.web import record_url
from tests.curate.helpers import evidence_current


@pytest.fixture
def server(built):
    with CurationServer(built) as srv:
        yield srv


@pytest.fixture
def client(server):
    with httpx.Client(base_url=server.url, headers={"Origin": server.url}, timeout=10) as c:
        r = c.post("/whoami", data={"name": "Ann Curator", "next": "/"})
        assert r.status_code == 303
        yield c


def read(settings, article_id):
    con = duckdb.connect(str(settings.warehouse))
    try:
        row = evidence_current(con, article_id)
        n = con.execute("SELECT count(*) FROM core.curation").fetchone()[0]
        return row, n
    finally:
        con.close()


def form(page: str, field: str) -> dict:
    """The hidden inputs of a field's form on a record page."""
    card = page[page.index(f'id="field-{field}"'):]
    card = card[:card.index("</form>")]
    return {name: value.replace("&#34;", '"').replace("&quot;", '"')
            for name, value in re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', card)}


def test_a_curator_name_is_asked_once_and_kept(server):
    with httpx.Client(base_url=server.url, headers={"Origin": server.url}) as c:
        r = c.get("/record/pmid%3A1001")
        assert r.status_code == 303 and r.headers["location"].startswith("/whoami?next=")
        assert c.post("/whoami", data={"name": "  ", "next": "/"}).status_code == 400
        r = c.post("/whoami", data={"name": "Ann", "next": "/record/pmid%3A1001"})
        assert r.headers["location"] == "/record/pmid%3A1001"
        assert "SameSite=Strict" in r.headers["set-cookie"]
        r = c.get("/record/pmid%3A1001")
        assert r.status_code == 200 and 'id="curator-name">Ann<' in r.text
        r = c.post("/whoami", data={"name": "x", "next": "//evil.example/"})
        assert r.headers["location"] == "/"


def test_queue_page_is_ordered_and_self_contained(client):
    r = client.get("/")
    assert r.status_code == 200
    order = re.findall(r'data-id="([^"]+)"', r.text)
    assert order == ["pmid:1001", "pmid:1003", "pmid:1002"]
    assert "default-src 'none'" in r.headers["content-security-policy"]
    external = re.findall(r'(?:src|href)="(https?:)?//', r.text)
    assert external == []
    assert client.get("/static/curate.js").headers["content-type"].startswith("text/javascript")
    assert client.get("/static/../web.py").status_code == 404


def test_record_page_escapes_markup_and_highlights_evidence(client):
    r = client.get(record_url("pmid:1001"))
    assert r.status_code == 200
    assert "<script>alert" not in r.text and "<b>Bold" not in r.text
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in r.text
    assert re.search(r'<mark class="ev ev-design"[^>]*data-fields="design"[^>]*>randomized</mark>', r.text)
    assert 'data-fields="targets target_groups"' in r.text
    assert "missing on a relevant record" in r.text
    assert 'class="field-card pending current" id="field-design"' in r.text
    assert '<option value="rct" selected>' in r.text
    assert client.get(record_url("pmid:404")).status_code == 404


def test_correct_and_accept_through_forms(client, settings):
    page = client.get(record_url("pmid:1001")).text
    r = client.post(record_url("pmid:1001"), data={**form(page, "sample_size"), "value": "42",
                                                   "reason": "Forty-two patients", "action": "correct"})
    assert r.status_code == 303 and "saved=sample_size" in r.headers["location"]
    page = client.get(r.headers["location"]).text
    assert "Saved: sample_size = 42 (correct by Ann Curator)." in page
    r = client.post(record_url("pmid:1001"), data={**form(page, "design"), "action": "accept",
                                                   "value": "rct", "reason": ""})
    assert r.status_code == 303
    row, n = read(settings, "pmid:1001")
    assert (row["sample_size"], row["design"], n) == (42, "rct", 2)
    page = client.get(record_url("pmid:1001")).text
    assert "Ann Curator" in page[page.index('id="history"'):]
    r = client.post(record_url("pmid:1003"), data={"field": "guidance", "expected": "",
                                                   "value": ["ultrasound", "ct"], "action": "correct",
                                                   "reason": "methods"})
    assert r.status_code == 303
    assert read(settings, "pmid:1003")[0]["guidance"] == ["ultrasound", "ct"]
    assert client.get("/next", params={"after": "pmid:1003"}).headers["location"] == record_url("pmid:1002")


@pytest.mark.parametrize("value, message", [("0", "from 1 to 100000"), ("abc", "whole number"),
                                            ("", "a value is required")])
def test_invalid_input_gets_a_message_and_writes_nothing(client, settings, value, message):
    page = client.get(record_url("pmid:1001")).text
    r = client.post(record_url("pmid:1001"), data={**form(page, "sample_size"), "value": value,
                                                   "reason": "r", "action": "correct"})
    assert r.status_code == 400
    assert re.search(r'class="note error" role="alert">[^<]*' + re.escape(message), r.text)
    assert f'value="{value}"' in r.text           # what was typed is kept
    assert read(settings, "pmid:1001")[1] == 0


def test_second_concurrent_edit_sees_a_conflict(client, server, settings):
    page = client.get(record_url("pmid:1001")).text          # both curators open the page
    stale_form = form(page, "sample_size")
    assert stale_form["expected"] == ""
    with httpx.Client(base_url=server.url, headers={"Origin": server.url}) as bo:
        bo.post("/whoami", data={"name": "Bo"})
        r = bo.post(record_url("pmid:1001"), data={**stale_form, "value": "40",
                                                   "reason": "table 1", "action": "correct"})
        assert r.status_code == 303
    r = client.post(record_url("pmid:1001"), data={**stale_form, "value": "42",
                                                   "reason": "abstract", "action": "correct"})
    assert r.status_code == 409
    assert re.search(r"sample_size was changed by Bo at [^<]* to &#39;40&#39; \(reason: table 1\)", r.text)
    row, n = read(settings, "pmid:1001")
    assert (row["sample_size"], n) == (40, 1)
    fresh = form(r.text, "sample_size")                  # the re-rendered form is current
    assert fresh["expected"] != ""
    r = client.post(record_url("pmid:1001"), data={**fresh, "value": "42", "reason": "abstract",
                                                   "action": "correct"})
    assert r.status_code == 303 and read(settings, "pmid:1001")[0]["sample_size"] == 42


def test_cross_origin_and_foreign_host_requests_are_refused(server, settings):
    data = {"field": "sample_size", "expected": "", "value": "7", "reason": "r", "action": "correct"}
    cookie = {"litmine_curator": "Mallory"}
    with httpx.Client(base_url=server.url, cookies=cookie) as c:
        assert c.post(record_url("pmid:1001"), data=data).status_code == 403        # no Origin
        assert c.post(record_url("pmid:1001"), data=data,
                      headers={"Origin": "http://evil.example"}).status_code == 403
        assert c.post(record_url("pmid:1001"), data=data,
                      headers={"Origin": "null"}).status_code == 403
        assert c.post(record_url("pmid:1001"), data=data,
                      headers={"Referer": "http://evil.example/x"}).status_code == 403
        assert c.get("/", headers={"Host": "evil.example"}).status_code == 421     # DNS rebinding
        assert c.post(record_url("pmid:1001"), data=data,
                      headers={"Referer": server.url + "/record/x"}).status_code == 303
    assert read(settings, "pmid:1001")[1] == 1


def test_while_the_night_holds_the_warehouse_pages_read_the_snapshot_and_saves_are_queued(
        server, settings):
    from pipeline.warehouse import db
    from pipeline.warehouse.publish import publish_snapshot

    con = db.connect(settings)
    publish_snapshot(con, settings.warehouse, settings.published)
    con.close()
    with httpx.Client(base_url=server.url, headers={"Origin": server.url},
                      cookies={"litmine_curator": "Ann"}) as c:
        page = c.get(record_url("pmid:1001")).text
        holder = subprocess.Popen([sys.executable, "-c",
                                   "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
                                   "print('locked', flush=True); time.sleep(30)", str(settings.warehouse)],
                                  stdout=subprocess.PIPE, text=True)
        try:
            assert holder.stdout.readline().strip() == "locked"
            server.server.get_app().busy_wait = 0.2
            r = c.get("/")
            assert r.status_code == 200 and "reading the published snapshot" in r.text
            assert 'data-id="pmid:1001"' in r.text
            r = c.post(record_url("pmid:1001"), data={**form(page, "sample_size"), "value": "42",
                                                      "reason": "abstract says 42", "action": "correct"})
            assert r.status_code == 202 and "queued" in r.text
        finally:
            holder.kill()
            holder.wait()
        assert read(settings, "pmid:1001")[1] == 0          # not written yet, but not lost
        assert "1 save(s) queued" in c.get("/").text
        # The next save (or the nightly run) applies the queue first, in order.
        r = c.post(record_url("pmid:1001"), data={**form(page, "design"), "action": "accept"})
        assert r.status_code == 303
        row, n = read(settings, "pmid:1001")
        assert (row["sample_size"], n) == (42, 2) and row["curated_fields"] == ["design", "sample_size"]


def test_pages_never_keep_the_night_from_opening_the_warehouse(server, settings):
    """A reader loop on the UI while the night opens the warehouse for writing, again and again."""
    import threading

    from pipeline.warehouse import db

    stop, failures = threading.Event(), []

    def browse():
        with httpx.Client(base_url=server.url, cookies={"litmine_curator": "Ann"}, timeout=10) as c:
            while not stop.is_set():
                if c.get(record_url("pmid:1001")).status_code != 200:
                    failures.append("page")

    reader = threading.Thread(target=browse)
    reader.start()
    try:
        night = ("import sys; from pathlib import Path; from pipeline.config import Settings; "
                 "from pipeline.warehouse import db; w = Path(sys.argv[1]); "
                 "s = Settings(warehouse=w, published=w.parent / 'published' / 'litmine.duckdb'); "
                 "[db.connect(s).close() for _ in range(20)]; print('opened 20 times')")
        done = subprocess.run([sys.executable, "-c", night, str(settings.warehouse)],
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == "opened 20 times"
    finally:
        stop.set()
        reader.join()
    assert failures == []


def test_litmine_curate_serve_binds_loopback_on_the_given_port(built, tmp_path):
    env = {"LITMINE_WAREHOUSE": str(built.warehouse), "PATH": "/usr/bin:/bin"}
    proc = subprocess.Popen([sys.executable, "-c", "from pipeline.curate.cli import curate; curate()",
                             "serve", "--port", "0"], stderr=subprocess.PIPE, text=True, env=env)
    try:
        line = proc.stderr.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+", line).group(0)
        assert httpx.get(url + "/healthz").text == "ok"
    finally:
        proc.terminate()
        proc.wait(10)


def test_every_cue_of_a_disagreement_is_highlighted_title_included(client, settings):
    con = duckdb.connect(str(settings.warehouse))
    con.execute("""UPDATE core.articles SET title = 'Cryoneurolysis in 18 knees of eleven patients'
                   WHERE article_id = 'pmid:1004'""")
    con.execute("""UPDATE core.extractions SET flags = '[{"field": "sample_size",
                   "reason": "rules disagree: largest count 18, enrolment count 11"}]'
                   WHERE article_id = 'pmid:1004'""")
    con.close()
    page = client.get(record_url("pmid:1004")).text
    cues = re.findall(r'<mark class="[^"]*\bcue cue-sample_size\b[^"]*"[^>]*>([^<]+)</mark>', page)
    assert cues == ["18", "eleven"]                    # both sides, both in the title


def test_links_browse_and_search_reach_unflagged_records(client):
    page = client.get(record_url("pmid:1001")).text
    assert 'href="https://pubmed.ncbi.nlm.nih.gov/1001/"' in page
    everything = client.get("/browse").text
    assert all(f'data-id="pmid:{n}"' in everything for n in (1001, 1002, 1003, 1004))
    found = client.get("/browse", params={"q": "intercostal thoracotomy", "flagged": "no"}).text
    assert re.findall(r'<tr data-id="([^"]+)"', found) == ["pmid:1004"]     # never in the queue
    assert "pmid:1004" not in client.get("/").text
    only = client.get("/browse", params={"design": "case_series", "relevant": "yes"}).text
    assert re.findall(r'<tr data-id="([^"]+)"', only) == ["pmid:1003"]


def test_next_continues_from_the_records_place_in_the_queue(client):
    # Queue: 1001, 1003, 1002. The curator skips 1001 and settles every flag of 1003.
    page = client.get(record_url("pmid:1003")).text
    assert "record 2 of 3 in the queue" in page
    for field in ("guidance", "follow_up_days"):
        r = client.post(record_url("pmid:1003"), data={**form(page, field), "action": "accept"})
        assert r.status_code == 303 and "at=2" in r.headers["location"]
    page = client.get(r.headers["location"]).text
    nxt = re.search(r'id="next" href="([^"]+)"', page).group(1).replace("&amp;", "&")
    assert client.get(nxt).headers["location"] == record_url("pmid:1002")   # not back to 1001


def test_undo_of_the_curators_last_action(client, settings):
    page = client.get(record_url("pmid:1001")).text
    client.post(record_url("pmid:1001"), data={**form(page, "sample_size"), "value": "42",
                                               "reason": "abstract", "action": "correct"})
    assert read(settings, "pmid:1001")[0]["sample_size"] == 42
    r = client.post("/undo", data={"article_id": "pmid:1001"})
    assert r.status_code == 303 and "undone=sample_size" in r.headers["location"]
    assert "Undone: sample_size is now not reported" in client.get(r.headers["location"]).text
    row, n = read(settings, "pmid:1001")
    assert row["sample_size"] is None and row["curated_fields"] == [] and n == 2


def test_full_text_evidence_shows_its_sentence_section_and_pdf_page(client, settings):
    con = duckdb.connect(str(settings.warehouse))
    con.execute("UPDATE core.articles SET pdf_url = 'https://example.org/p1004.pdf' WHERE article_id = 'pmid:1004'")
    sections = [{"name": "Introduction", "text": "Pain after thoracotomy is common.", "page_start": 1},
                {"name": "Methods", "text": "Patients were followed up. Follow-up lasted 12 weeks "
                                            "after the procedure. Data were analysed.", "page_start": 3}]
    con.execute("""INSERT INTO core.pdf_documents (article_id, article_version, pdf_url, pdf_sha256, pages,
                   sections, references_list, run_id, parsed_at)
                   VALUES ('pmid:1004', 1, 'https://example.org/p1004.pdf', 'sha', 5, ?, '[]', 'run-test', now())""",
                [json.dumps(sections)])
    con.execute("""INSERT INTO core.evidence VALUES ('pmid:1004', 1, 't1', 'follow_up', 0, '12 weeks',
                   9000, 9008, 'follow_up.weeks', 0.8)""")
    con.close()
    page = client.get(record_url("pmid:1004")).text
    card = page[page.index('id="field-follow_up_days"'):]
    card = card[:card.index("</article>")]
    assert "<b>Methods</b>, page 3: “Follow-up lasted 12 weeks after the procedure.”" in card
    assert 'href="https://example.org/p1004.pdf#page=3"' in card
    assert 'href="https://pubmed.ncbi.nlm.nih.gov/1004/"' in page and ">PDF</a>" in page
