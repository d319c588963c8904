"""End to end in headless Chromium: queue -> record -> correct a sample size (form), accept a
design (keyboard) -> evidence_current -> re-extraction -> the corrections still stand.

Skips (with the reason) when chromium or chromedriver is not installed; on Debian:
    apt-get install -y chromium chromium-driver
"""

from __future__ import annotations

import shutil

import duckdb
import pytest

from pipeline.curate.web import CurationServer
from tests.curate.helpers import GENICULAR, T0, add_extraction, evidence_current
from tests.curate.webdriver import Browser, find_binaries

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
