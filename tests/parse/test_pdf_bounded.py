"""Hostile PDFs cost a quarantine line, not the night: a compression bomb hits the parser
process's memory ceiling, a 10,000-page file is refused from its declared page count before
any page is enumerated, a parse over its time limit is stopped, and the parser goes on."""

from __future__ import annotations

import time
import zlib

import pytest

from pipeline.mirror.corpus import SAMPLE_CORPUS
from pipeline.parse.errors import PdfError
from pipeline.parse.pdf import parse_pdf
from pipeline.parse.pdf_bounded import BoundedPdfParser

SAMPLE = (SAMPLE_CORPUS / "pdfs" / "PPR900001.pdf").read_bytes()


def write_pdf(objects: list[bytes]) -> bytes:
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out


def bomb(decompressed_mb: int) -> bytes:
    """One page whose content stream inflates to `decompressed_mb` MB of path operators."""
    packer = zlib.compressobj(1)
    chunk = b"0 0 m\n" * (1 << 20)
    data = b"".join(packer.compress(chunk) for _ in range(decompressed_mb // 6)) + packer.flush()
    return write_pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                      b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
                      b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream"])


def many_pages(n: int) -> bytes:
    kids = b" ".join(b"%d 0 R" % (i + 3) for i in range(n))
    return write_pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                      b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % n]
                     + [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>"] * n)


def test_ten_thousand_pages_are_refused_before_enumeration(monkeypatch):
    import pdfplumber.pdf

    def enumerate_pages(self):
        raise AssertionError("the page tree was enumerated")

    monkeypatch.setattr(pdfplumber.pdf.PDF, "pages", property(enumerate_pages))
    data = many_pages(10_000)
    started = time.monotonic()
    with pytest.raises(PdfError, match="too many pages: 10000"):
        parse_pdf(data, max_pages=500)
    assert time.monotonic() - started < 10.0


def test_compression_bomb_hits_the_memory_ceiling_and_the_parser_goes_on():
    with BoundedPdfParser(memory_mb=448, timeout=120) as parser:
        with pytest.raises(PdfError, match="too much memory"):
            parser.parse(bomb(420))
        assert parser.parse(SAMPLE)["sections"]      # a fresh or surviving child reads on


def test_a_parse_over_its_time_limit_is_stopped():
    with BoundedPdfParser(timeout=0.01) as parser:
        with pytest.raises(PdfError, match="took over"):
            parser.parse(SAMPLE)
    with BoundedPdfParser(timeout=120) as parser:
        assert parser.parse(SAMPLE)["tables"]
