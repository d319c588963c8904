"""Errors the parsers raise for a document that cannot be read; str(exc) is the quarantine reason.
Kept apart from the parsers so that callers can catch them without importing pdfplumber or the
vocabularies."""


class PdfError(ValueError):
    """A PDF that cannot be parsed; str(exc) is the reason recorded in quarantine."""
