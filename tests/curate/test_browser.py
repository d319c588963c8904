"""End to end in headless Chromium: queue -> record -> correct a sample size (form), accept a
design (keyboard) -> evidence_current -> re-extraction -> the corrections still stand.

Skips (with the reason) when chromium or chromedriver is not installed; on Debian:
    apt-get install -y chromium chromium-driver
"""

from __future__ import annotations

import shutil

import duckdb
import pytest

from pipeline.curate.server import CurationServer
from tests.curate.helpers import GENICULAR, T0, add_extraction, evidence_current
from tests.curate.webdriver import ELEMENT, Browser, find_binaries

SCREENSHOT_COPY = "/tmp/curate_record.png"

chromium, chromedriver = find_binaries()
pytestmark = pytest.mark.skipif(
    not (chromium and chromedriver),
    reason="headless browser test needs chromium and chromedriver: "
           "apt-get install -y chromium chromium-driver")


@pytest.fixture
def browser(tmp_path):
    b = Browser.start(tmp_path / "chromium-profile", tmp_path / "chromedriver.log")
    yield b
    b.quit()


def current(settings, article_id):
    con = duckdb.connect(str(settings.warehouse))
    try:
        return evidence_current(con, article_id)
    finally:
        con.close()


def test_curate_in_the_browser_and_corrections_survive_re_extraction(built, browser, tmp_path):
    settings = built
    with CurationServer(settings) as server:
        # The queue asks who is curating, once.
        browser.get(server.url + "/")
        browser.wait_for(lambda: "/whoami" in browser.url, what="the name form")
        browser.type("#name", "Ann Curator")
        browser.click("#save-name")
        browser.wait_for(lambda: browser.find_all("table.queue tbody tr"), what="the queue")
        rows = browser.find_all("table.queue tbody tr")
        assert len(rows) == 3
        assert browser.attribute("table.queue tbody tr", "data-id") == "pmid:1001"
        assert browser.text("#curator-name") == "Ann Curator"

        # `n` opens the first record of the queue.
        browser.press("n")
        browser.wait_for(lambda: "/record/" in browser.url, what="the record page")
        assert "randomized trial" in browser.text("#title")
        assert browser.find_all("mark.ev-design") and browser.find_all("mark.ev-follow_up_days")
        assert "<script>" in browser.text("#source-text")           # shown as text, not run
        assert "missing on a relevant record" in browser.text("#field-sample_size")

        # Invalid input: a clear message, nothing written.
        browser.type("#value-sample_size", "0")
        browser.type("#reason-sample_size", "typo test")
        browser.click("#field-sample_size button.correct")
        browser.page_has("sample size must be from 1 to 100000 participants, not 0")
        assert current(settings, "pmid:1001")["curated_fields"] == []

        # Correct the sample size with the form.
        browser.type("#value-sample_size", "42")
        browser.type("#reason-sample_size", "Forty-two patients in the abstract")
        browser.click("#field-sample_size button.correct")
        browser.page_has("Saved: sample_size = 42")

        # The design card is now the current one: `a` accepts it.
        assert "current" in browser.attribute("#field-design", "class")
        browser.execute("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0);")
        browser.press("a")
        browser.page_has("Saved: design = rct")
        browser.execute("window.scrollTo(0, 0);")
        shot = browser.screenshot(tmp_path / "record.png")
        assert shot.stat().st_size > 10_000
        shutil.copyfile(shot, SCREENSHOT_COPY)

        row = current(settings, "pmid:1001")
        assert (row["sample_size"], row["design"], row["extractor_version"]) == (42, "rct", "t1")
        assert row["curated_fields"] == ["design", "sample_size"]

        # The nightly re-extracts with a new extractor version: the corrections still stand.
        con = duckdb.connect(str(settings.warehouse))
        add_extraction(con, "pmid:1001", "t2", dict(GENICULAR, design="case_series", sample_size=7),
                       flags=[("sample_size", "low confidence 0.50 < 0.60 (count.patients)")],
                       extracted_at=T0.replace(year=2025))
        con.close()
        row = current(settings, "pmid:1001")
        assert (row["sample_size"], row["design"], row["extractor_version"]) == (42, "rct", "t2")

        browser.get(server.url + "/record/pmid%3A1001")
        browser.page_has("extractor t2")
        assert browser.text("#field-sample_size .extracted") == "7"
        assert browser.text("#field-sample_size .in-force").startswith("42")
        assert browser.text("#field-design .in-force").startswith("rct")
        browser.get(server.url + "/")
        browser.wait_for(lambda: browser.find_all("table.queue tbody tr"), what="the queue")
        ids = [browser.execute("return arguments[0].dataset.id;", {"element-6066-11e4-a52e-4f735466cecf": e})
               for e in browser.find_all("table.queue tbody tr")]
        assert "pmid:1001" not in ids


SELECT_IN_TEXT = """
const words = arguments[0];
const el = document.querySelector('#source-text [data-o="0"]');
const node = el.firstChild, at = node.textContent.indexOf(words);
const range = document.createRange();
range.setStart(node, at); range.setEnd(node, at + words.length);
const sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(range);
document.getElementById('source-text').dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
return at;
"""


def test_search_an_unflagged_record_correct_its_responders_and_targets_and_keep_them(
        built, browser, tmp_path):
    settings = built
    with CurationServer(settings) as server:
        browser.get(server.url + "/")
        browser.wait_for(lambda: "/whoami" in browser.url, what="the name form")
        browser.type("#name", "Ann Curator")
        browser.click("#save-name")
        browser.wait_for(lambda: browser.find_all("table.queue tbody tr"), what="the queue")
        assert not browser.find_all('table.queue tr[data-id="pmid:1004"]')   # never flagged

        # Search finds it anyway: `/` focuses the search box, Enter submits.
        browser.press("/")
        browser.type("#search", "thoracotomy")
        browser.press("\ue007")
        browser.wait_for(lambda: "/browse" in browser.url, what="the search results")
        assert [browser.execute("return arguments[0].dataset.id;", {ELEMENT: e})
                for e in browser.find_all("#results tbody tr")] == ["pmid:1004"]
        browser.click('#results tr[data-id="pmid:1004"] a.open')
        browser.wait_for(lambda: "/record/pmid%3A1004" in browser.url, what="the record page")

        # Targets: the curator selects the words in the title as evidence, then lists the nerves.
        browser.click("#field-targets h3")
        title_at = browser.execute(SELECT_IN_TEXT, "intercostal nerves")
        browser.wait_for(lambda: browser.execute("return !document.getElementById('selection-bar').hidden;"),
                         what="the selection bar")
        browser.click("#use-selection")
        assert browser.execute("return document.getElementById('value-targets').value;") == "intercostal nerves"
        browser.type("#value-targets", "Intercostal nerves T3-T6; intercostobrachial nerve; intercostal nerves T3-T6")
        browser.type("#reason-targets", "levels in the methods")
        browser.click("#field-targets button.correct")
        browser.page_has("Saved: targets = intercostal nerves t3-t6; intercostobrachial nerve")

        # The outcome's responder rate, which the extractor missed.
        browser.type("#value-responder_pct", "64")
        browser.type("#reason-responder_pct", "Table 2: 64% had at least 50% relief")
        browser.click("#field-responder_pct button.correct")
        browser.page_has("Saved: responder_pct = 64")

        # `x` marks the current field not reported; `u` undoes it.
        browser.click("#field-design h3")
        browser.execute("document.activeElement && document.activeElement.blur();")
        browser.press("x")
        browser.page_has("Saved: design = not reported")
        browser.execute("document.activeElement && document.activeElement.blur();")
        browser.press("u")
        browser.page_has("Undone: design is now prospective_observational")
        browser.execute("window.scrollTo(0, 0);")
        shot = browser.screenshot(tmp_path / "record-outcome.png")
        shutil.copyfile(shot, "/tmp/curate_record_outcome.png")

        row = current(settings, "pmid:1004")
        assert row["targets"] == ["intercostal nerves t3-t6", "intercostobrachial nerve"]
        assert row["responder_pct"] == 64.0 and row["curated_fields"] == ["responder_pct", "targets"]
        con = duckdb.connect(str(settings.warehouse))
        evidence = con.execute("""SELECT evidence->>'$.text', (evidence->>'$.start')::INT
                                  FROM core.curation_in_force
                                  WHERE article_id = 'pmid:1004' AND field = 'targets'""").fetchone()
        assert evidence == ("intercostal nerves", title_at)

        # A new extractor version reads the record again: both corrections still stand.
        add_extraction(con, "pmid:1004", "t2", dict(relevant=True, design="prospective_observational",
                                                    sample_size=20, targets=["intercostal nerves"],
                                                    target_groups=["intercostal"], responder_pct=30.0),
                       extracted_at=T0.replace(year=2025))
        con.close()
        row = current(settings, "pmid:1004")
        assert row["extractor_version"] == "t2"
        assert row["responder_pct"] == 64.0
        assert row["targets"] == ["intercostal nerves t3-t6", "intercostobrachial nerve"]
        browser.get(server.url + "/record/pmid%3A1004")
        browser.page_has("extractor t2")
        assert browser.text("#field-responder_pct .extracted") == "30"
        assert browser.text("#field-responder_pct .in-force").startswith("64")
