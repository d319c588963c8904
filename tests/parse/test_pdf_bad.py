"""Bad PDFs raise PdfError with a human reason (the nightly run quarantines them); none crash."""

from __future__ import annotations

import pytest

from pipeline.parse.pdf import PdfError, parse_pdf
from tests.parse import pdf_factory as F


def reason(data, **kw) -> str:
    with pytest.raises(PdfError) as exc:
        parse_pdf(data, **kw)
    return str(exc.value)


def test_encrypted():
    assert reason(F.encrypted_pdf()).startswith("encrypted")


def test_not_a_pdf_and_empty():
    assert reason(b"<html>hello</html>").startswith("not a PDF")
    assert reason(b"").startswith("not a PDF")


def test_truncated():
    pdf, _ = F.ruled_table_pdf()
    assert reason(pdf[: len(pdf) // 2]).startswith("truncated")


def test_corrupt():
    assert reason(b"%PDF-1.4\n" + bytes(range(256)) * 20 + b"\n%%EOF\n").startswith("corrupt")
    pdf, _ = F.ruled_table_pdf()
    mangled = pdf[:400] + b"\x00garbage\x00" * 200 + pdf[-30:]
    assert reason(mangled).startswith(("corrupt", "no text layer"))


def test_image_only():
    assert reason(F.image_only_pdf()).startswith("no text layer")


def test_too_many_pages_and_too_large():
    assert reason(F.pages_pdf(6), max_pages=5).startswith("too many pages")
    pdf = F.pages_pdf(1)
    assert reason(pdf, max_bytes=len(pdf) - 1).startswith("too large")


def test_absurd_page_size():
    assert reason(F.pages_pdf(1, pagesize=(20000, 20000))).startswith("absurd page size")


def test_path_input_and_missing_file(tmp_path):
    p = tmp_path / "x.pdf"
    pdf, _ = F.ruled_table_pdf()
    p.write_bytes(pdf)
    assert parse_pdf(p)["tables"]
    assert reason(tmp_path / "missing.pdf").startswith("cannot read")


def test_a_run_continues_past_bad_pdfs():
    good, _ = F.ruled_table_pdf()
    batch = [b"junk", good, F.encrypted_pdf(), F.image_only_pdf(), good[:300]]
    quarantined, parsed = [], []
    for data in batch:
        try:
            parsed.append(parse_pdf(data))
        except PdfError as exc:
            quarantined.append(str(exc))
    assert len(parsed) == 1 and len(quarantined) == 4 and all(quarantined)
