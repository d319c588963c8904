"""The public API: output schema, evidence offsets, JSONL file handling, full text."""
import json
from pathlib import Path

import jsonschema

from pipeline.extract import EXTRACTOR_VERSION, extract_file

SCHEMAS = Path(__file__).resolve().parents[3] / "schemas"
ABSTRACT = ("BACKGROUND: Knee pain after arthroplasty is common.\n"
            "METHODS: In this randomized, sham-controlled trial, 121 patients received cryoneurolysis and 59 sham, "
            "e.g. with a 2:1 allocation (n = 180). The infrapatellar branch of the saphenous nerve (IPBSN) was frozen "
            "under ultrasound guidance. Follow-up was 12 weeks.\n"
            "RESULTS: Pain decreased from 6.1 to 2.9 on the NRS. There was no significant difference in WOMAC scores.\n"
            "CONCLUSIONS: Cryoneurolysis of the IPBSN did not reduce pain compared with sham. No serious adverse events occurred.")


def _validator(name):
    schema = json.loads((SCHEMAS / name).read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_output_matches_schema_and_offsets(extractor):
    record = {"id": "pubmed:1", "title": "Cryoneurolysis before knee arthroplasty", "abstract": ABSTRACT,
              "publication_types": ["Randomized Controlled Trial"]}
    _validator("extraction_input.schema.json").validate(record)
    out = extractor.extract(record)
    _validator("extraction.schema.json").validate(out)
    text = record["title"] + "\n" + record["abstract"]
    for field, items in out["evidence"].items():
        for ev in items:
            assert text[ev["start"]:ev["end"]] == ev["text"], field
    assert out["design"] == "rct" and out["sample_size"] == 180
    assert out["target_groups"] == ["saphenous"] and out["guidance"] == ["ultrasound"]
    assert out["follow_up_days"] == 84
    assert out["extractor_version"] == EXTRACTOR_VERSION


def test_every_value_has_evidence(extractor):
    out = extractor.extract({"id": "x", "title": "Cryoanalgesia after thoracotomy", "abstract": ABSTRACT})
    for field, key in [("design", "design"), ("sample_size", "sample_size"), ("follow_up_days", "follow_up")]:
        if out[field] is not None:
            assert out["evidence"][key]


def test_extract_file_keeps_order_and_reports_bad_lines(tmp_path, extractor):
    src = tmp_path / "in.jsonl"
    dst = tmp_path / "out.jsonl"
    src.write_text("\n".join([
        json.dumps({"id": "a", "title": "Cryoneurolysis", "abstract": "Ten patients were treated."}),
        "{not json",
        json.dumps({"title": "no id"}),
        json.dumps({"id": "b", "title": "Cryoanalgesia", "abstract": "We report a 60-year-old man."}),
    ]) + "\n")
    n = extract_file(src, dst, extractor=extractor)
    rows = [json.loads(l) for l in dst.read_text().splitlines()]
    assert n == 4 and [r["id"] for r in rows] == ["a", None, None, "b"]
    assert "error" in rows[1] and "error" in rows[2]
    v = _validator("extraction.schema.json")
    for r in rows:
        v.validate(r)


def test_full_text_methods_are_read(extractor):
    out = extractor.extract({"id": "ft", "title": "Cryoneurolysis for knee pain",
                             "abstract": "Cryoneurolysis of the genicular nerves reduced pain.",
                             "full_text": [{"name": "Methods", "text": "Thirty-four patients were enrolled. Follow-up was 6 months."}]})
    assert out["sample_size"] == 34 and out["follow_up_days"] == 180
    ev = out["evidence"]["sample_size"][0]
    assert ev["section"] == "Methods" and ev["text"] == "Thirty-four patients"


def test_many_records_on_several_processes_come_back_in_order_and_identical(tmp_path):
    from pipeline.extract.parallel import CHUNK
    records = [{"id": f"r{i}", "title": "Cryoneurolysis of the genicular nerves",
                "abstract": f"Methods: {20 + i % 7} patients were treated under ultrasound guidance."}
               for i in range(CHUNK * 2 + 5)]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in records))
    extract_file(src, tmp_path / "one.jsonl", workers=1)
    extract_file(src, tmp_path / "two.jsonl", workers=2)
    one = (tmp_path / "one.jsonl").read_text()
    assert one == (tmp_path / "two.jsonl").read_text()
    rows = [json.loads(line) for line in one.splitlines()]
    assert [r["id"] for r in rows] == [r["id"] for r in records]
    assert rows[3]["sample_size"] == 23


def test_a_process_running_threads_starts_its_workers_safely(tmp_path):
    """Forking a threaded process can copy a lock some thread holds, and the worker then waits
    on it forever: the workers of a threaded process come from a fork server, and still give
    the records back in order and identical."""
    import subprocess
    import sys
    import threading

    from pipeline.extract.parallel import CHUNK, extract_records, start_method

    probe = "from pipeline.extract.parallel import start_method; print(start_method())"
    alone = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert alone.stdout.strip() == "fork"          # a single thread: workers start loaded

    records = [{"id": f"t{i}", "title": "Cryoneurolysis of the infrapatellar branch",
                "abstract": f"Methods: {30 + i % 5} patients were treated under CT guidance."}
               for i in range(CHUNK + 9)]
    stop = threading.Event()
    busy = threading.Lock()

    def server():                                  # a thread holding a lock, as a server does
        with busy:
            stop.wait(60)

    thread = threading.Thread(target=server, daemon=True)
    thread.start()
    try:
        assert start_method() in ("forkserver", "spawn")
        pooled = list(extract_records(records, workers=2, as_json=True))
    finally:
        stop.set()
        thread.join()
    single = list(extract_records(records, workers=1, as_json=True))
    assert pooled == single and json.loads(pooled[2])["sample_size"] == 32


def test_a_record_the_extractor_fails_on_costs_only_its_own_row():
    from pipeline.extract.parallel import extract_isolated

    class Fragile:
        def extract_many(self, records):
            return [self.extract(r) for r in records]

        def extract(self, record):
            if record["id"] == "bad":
                raise ValueError("cannot read")
            return {"id": record["id"], "ok": True}

    rows = extract_isolated(Fragile(), [{"id": "a"}, {"id": "bad"}, {"id": "c"}])
    assert [r.get("ok") for r in rows] == [True, None, True]
    assert "cannot read" in rows[1]["error"] and rows[1]["id"] == "bad"
