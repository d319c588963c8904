"""`parse_pdf` in a child process with a memory ceiling and a time limit, so one hostile PDF (a
compression bomb, a 10,000-page file, a parser loop) costs a quarantine line, not the night.

    with BoundedPdfParser(memory_mb=2048, timeout=120) as parser:
        parser.parse(data, max_bytes=...)    # the parse_pdf dict, or PdfError with the reason
    parse_pdf_bounded(data, ...)             # the same for one PDF

The child is started once and reused for many PDFs (its start-up, spaCy's vocabularies
included, costs ~2 s). Its address space is capped with RLIMIT_AS: a PDF that needs more raises
MemoryError inside the child, which answers "too much memory". A parse that outlives the time
limit gets the child killed (and a fresh one for the next PDF). A child that dies any other way
is reported as such. The page count is read from the document catalogue before any page is
enumerated (`pdf.py`), so a 10,000-page PDF is refused in milliseconds.
Protocol on the child's stdin/stdout: 8-byte big-endian length + JSON header + PDF bytes in;
one JSON line out.
"""

from __future__ import annotations

import json
import os
import resource
import select
import struct
import subprocess
import sys
import time

from .errors import PdfError

DEFAULT_MEMORY_MB = int(os.environ.get("LITMINE_PDF_MEMORY_MB", "2048"))
DEFAULT_TIMEOUT = float(os.environ.get("LITMINE_PDF_TIMEOUT", "120"))


class BoundedPdfParser:
    def __init__(self, memory_mb: int = DEFAULT_MEMORY_MB, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.memory_mb, self.timeout = memory_mb, timeout
        self._child: subprocess.Popen | None = None

    def _start(self) -> subprocess.Popen:
        limit = self.memory_mb * 1024 * 1024

        def limit_memory():   # runs in the child before exec
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

        env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
        return subprocess.Popen([sys.executable, "-m", "pipeline.parse.pdf_bounded"],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, preexec_fn=limit_memory, env=env)

    def close(self) -> None:
        if self._child is not None:
            self._child.kill()
            self._child.wait()
            self._child = None

    def __enter__(self) -> "BoundedPdfParser":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def parse(self, data: bytes, *, max_pages: int = 500, max_bytes: int = 50 * 1024 * 1024) -> dict:
        if len(data) > max_bytes:
            raise PdfError(f"too large: {len(data)} bytes exceeds the limit of {max_bytes} bytes")
        if self._child is None or self._child.poll() is not None:
            self._child = self._start()
        child = self._child
        header = json.dumps({"max_pages": max_pages, "max_bytes": max_bytes}).encode()
        try:
            child.stdin.write(struct.pack(">QQ", len(header), len(data)) + header + data)
            child.stdin.flush()
        except BrokenPipeError:
            self.close()
            raise PdfError("PDF parser process died before reading the file") from None
        deadline = time.monotonic() + self.timeout
        line = b""
        while not line.endswith(b"\n"):
            left = deadline - time.monotonic()
            ready, _, _ = select.select([child.stdout], [], [], max(0.0, left))
            if not ready:
                self.close()
                raise PdfError(f"parsing took over {self.timeout:g} s: stopped")
            chunk = os.read(child.stdout.fileno(), 1 << 20)
            if not chunk:
                code = child.wait()
                self._child = None
                raise PdfError(f"PDF parser process died (exit {code}): the file exhausts the parser")
            line += chunk
        answer = json.loads(line)
        if "error" in answer:
            raise PdfError(answer["error"])
        return answer["parsed"]


def parse_pdf_bounded(data: bytes, *, max_pages: int = 500, max_bytes: int = 50 * 1024 * 1024,
                      memory_mb: int = DEFAULT_MEMORY_MB, timeout: float = DEFAULT_TIMEOUT) -> dict:
    with BoundedPdfParser(memory_mb, timeout) as parser:
        return parser.parse(data, max_pages=max_pages, max_bytes=max_bytes)


def _read_exact(stream, n: int) -> bytes:
    out = b""
    while len(out) < n:
        chunk = stream.read(n - len(out))
        if not chunk:
            raise EOFError
        out += chunk
    return out


def _serve() -> None:
    from .pdf import parse_pdf
    from . import evidence_table  # noqa: F401  (load the vocabularies once, before any PDF)

    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    while True:
        try:
            n_header, n_data = struct.unpack(">QQ", _read_exact(stdin, 16))
            header = json.loads(_read_exact(stdin, n_header))
            data = _read_exact(stdin, n_data)
        except EOFError:
            return
        try:
            answer = {"parsed": parse_pdf(data, max_pages=header["max_pages"], max_bytes=header["max_bytes"])}
        except PdfError as exc:
            answer = {"error": str(exc)}
        except MemoryError:
            answer = {"error": "too much memory: the PDF expands past the parser's memory limit "
                               "(a compression bomb?)"}
        except Exception as exc:   # never let one PDF end the worker silently
            answer = {"error": f"corrupt PDF: {type(exc).__name__}: {str(exc)[:200]}"}
        data = b""
        stdout.write(json.dumps(answer, ensure_ascii=False).encode() + b"\n")
        stdout.flush()


if __name__ == "__main__":
    _serve()
