"""Attachments: text, hygiene and people-list findings from photos, Word, Excel and PDF files.

    from leakguard.attachments import kind_of, extract
    if kind_of(path):                      # None: plain text, read it as usual
        ex = extract(path)                 # Extraction(path, kind, units, issues)

Images need the ``ocr`` extra (RapidOCR + Pillow), documents the ``docs`` extra (python-docx,
openpyxl, pypdf).  Without it, :func:`extract` raises :class:`MissingExtra` naming the extra.
A corrupt, truncated or password-protected file raises ``LeakguardError`` naming the file.
Importing this package is cheap: every heavy library is imported inside the reader that needs it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..model import LeakguardError
from .detect import kind_of
from .people import table_issue, text_issues
from .types import DocIssue, Extraction, MissingExtra, TextUnit

__all__ = [
    "DocIssue",
    "Extraction",
    "MissingExtra",
    "TextUnit",
    "extract",
    "kind_of",
    "table_issue",
    "text_issues",
]

KIND_NAMES = {"image": "image", "docx": "Word document", "xlsx": "Excel workbook", "pdf": "PDF"}


def _reader(kind: str) -> Callable[[Path], Extraction]:
    if kind == "image":
        from .image import extract_image

        return extract_image
    if kind == "docx":
        from .docx import extract_docx

        return extract_docx
    if kind == "xlsx":
        from .xlsx import extract_xlsx

        return extract_xlsx
    from .pdf import extract_pdf

    return extract_pdf


def extract(path: Path) -> Extraction:
    """Read one attachment.  Raises MissingExtra / LeakguardError (one line, naming the file)."""
    path = Path(path)
    kind = kind_of(path)
    if kind is None:
        raise LeakguardError(f"{path}: not an image, Word, Excel or PDF file")
    try:
        return _reader(kind)(path)
    except LeakguardError:
        raise
    except MemoryError:
        raise LeakguardError(f"{path}: too large to read") from None
    except Exception as e:  # noqa: BLE001 - parsers of untrusted files raise anything; report it in one line
        detail = str(e).splitlines()[0][:200] if str(e) else ""
        raise LeakguardError(
            f"{path}: cannot read this {KIND_NAMES[kind]} (corrupt or unsupported: {type(e).__name__}"
            + (f": {detail})" if detail else ")")
        ) from None
