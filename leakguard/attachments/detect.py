"""Which extractor reads a file: by magic bytes first, then by extension.

A file whose bytes say what it is wins over its name (a PNG called ``.jpg`` is an image, a Word
file without an extension is ``docx``).  A file whose name says ``.docx`` but whose bytes are not
a zip is still ``docx``, so that :func:`extract` can say clearly that it is corrupt or encrypted
instead of the file being read as text.  Legacy ``.doc``/``.xls`` map to ``docx``/``xlsx`` for
the same reason: their reader refuses them with a one-line message.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from ..model import LeakguardError

IMAGE_EXTS = frozenset({".png", ".jpg", ".jpeg", ".jpe", ".webp", ".heic", ".heif"})
EXT_KIND = {
    **{e: "image" for e in IMAGE_EXTS},
    ".docx": "docx",
    ".docm": "docx",
    ".doc": "docx",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".xls": "xlsx",
    ".pdf": "pdf",
}
CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE2: legacy .doc/.xls, or an encrypted OOXML file
HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1")
HEAD_BYTES = 1024


def image_magic(head: bytes) -> bool:
    if head.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")):
        return True
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return True
    return head[4:8] == b"ftyp" and head[8:12] in HEIF_BRANDS


def _zip_kind(path: Path) -> str | None:
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, OSError):
        return None
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    return None


def _read_head(path: Path) -> bytes:
    try:
        with path.open("rb") as fh:
            return fh.read(HEAD_BYTES)
    except OSError as e:
        raise LeakguardError(f"{path}: cannot read file: {e.strerror or e}") from None


def kind_of(path: Path) -> str | None:
    """``image`` | ``docx`` | ``xlsx`` | ``pdf`` for attachments; ``None`` for anything else (plain text)."""
    head = _read_head(path)
    by_ext = EXT_KIND.get(path.suffix.lower())
    if image_magic(head):
        return "image"
    if head.lstrip(b"\x00\t\n\r\f ").startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(path) or (by_ext if by_ext in ("docx", "xlsx") else None)
    return by_ext
