"""PDF: text per page, annotations (comments), document info, lists of people, embedded images.

Locations: ``p.3``, ``p.1 comment 1 (author X)``, ``metadata: author``, ``embedded image 2 line 1``.
A PDF that opens with an empty password (owner-password "restricted" PDFs) is read; one that needs a
user password is refused with a one-line error.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..model import LeakguardError
from . import people
from .image import Embedded, read_embedded
from .types import DocIssue, Extraction, TextUnit, issue, join_names, missing_extra

INFO_FIELDS = {"/Title": "title", "/Subject": "subject", "/Author": "author", "/Keywords": "keywords"}
PLACEHOLDERS = frozenset({"unspecified", "untitled", "anonymous", "unknown", "none"})
COMMENT_SUBTYPES = frozenset(
    {
        "/Text",
        "/FreeText",
        "/Highlight",
        "/Underline",
        "/StrikeOut",
        "/Squiggly",
        "/Caret",
        "/Ink",
        "/Square",
        "/Circle",
        "/Polygon",
        "/PolyLine",
        "/Line",
        "/Stamp",
        "/FileAttachment",
        "/Sound",
    }
)


def _open(path: Path) -> Any:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(str(path), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise LeakguardError(f"{path}: the PDF is password-protected; remove the password to check it")
    except PdfReadError as e:
        raise LeakguardError(f"{path}: not a readable PDF ({e})") from None
    return reader


def _people(page: Any, text: str, n: int) -> list[DocIssue]:
    """LIST-PEOPLE on a page; table cells drawn one by one need the layout-preserving text."""
    if not people.mentions_name_column(text):
        return []
    return people.text_issues(text, f"p.{n}") or people.text_issues(
        page.extract_text(extraction_mode="layout") or "", f"p.{n}"
    )


def _page_comments(page: Any, n: int, start: int) -> list[tuple[str, TextUnit]]:
    found: list[tuple[str, TextUnit]] = []
    for ref in page.get("/Annots") or []:
        annot = ref.get_object()
        text = str(annot.get("/Contents") or "").strip()
        if annot.get("/Subtype") not in COMMENT_SUBTYPES or not text:
            continue
        author = str(annot.get("/T") or "?")
        where = f"p.{n} comment {start + len(found) + 1} (author {author})"
        found.append((author, TextUnit(text, where)))
    return found


def _image_loader(images: Any, key: Any) -> Callable[[], bytes]:
    def load() -> bytes:
        return bytes(images[key].data)

    return load


def _images(page: Any, n: int) -> list[Embedded]:
    images = page.images  # listing ids does not decode; decoding (Pillow) happens only for OCR
    return [Embedded(f"p.{n}", _image_loader(images, key)) for key in images.keys()]  # noqa: SIM118


def _metadata(reader: Any) -> tuple[list[TextUnit], list[DocIssue]]:
    info = reader.metadata or {}
    props = [(field, str(info.get(key)).strip()) for key, field in INFO_FIELDS.items() if info.get(key)]
    props = [(f, v) for f, v in props if v and v.lower().strip("()") not in PLACEHOLDERS]
    units = [TextUnit(value, f"metadata: {field}") for field, value in props]
    authors = [v for f, v in props if f == "author" and v]
    if not authors:
        return units, []
    return units, [
        issue(
            "HYG-METADATA",
            "document",
            "low",
            "metadata",
            f"PDF 属性中含作者信息（{join_names(authors)}）",
            f"the PDF properties name the author: {join_names(authors)}",
        )
    ]


def _comments_issue(comments: list[tuple[str, TextUnit]]) -> list[DocIssue]:
    if not comments:
        return []
    who = join_names(a for a, _ in comments)
    return [
        issue(
            "HYG-COMMENTS",
            "document",
            "medium",
            comments[0][1].location,
            f"PDF 含 {len(comments)} 条注释（作者：{who}），注释随文件发出",
            f"{len(comments)} annotation comment(s) by {who} travel with the file",
        )
    ]


def extract_pdf(path: Path) -> Extraction:
    try:
        import pypdf  # noqa: F401
        from pypdf.errors import DependencyError
    except ImportError as e:
        raise missing_extra(path, "docs", e) from None
    try:
        return _read(path)
    except DependencyError:  # AES-encrypted (even owner-only "restricted") PDFs need pypdf[crypto]
        raise missing_extra(path, "docs") from None


def _read(path: Path) -> Extraction:
    reader = _open(path)
    units: list[TextUnit] = []
    issues: list[DocIssue] = []
    comments: list[tuple[str, TextUnit]] = []
    images: list[Embedded] = []
    for n, page in enumerate(reader.pages, 1):
        text = (page.extract_text() or "").strip()
        if text:
            units.append(TextUnit(text, f"p.{n}"))
            issues += _people(page, text, n)
        comments += _page_comments(page, n, len(comments))
        images += _images(page, n)
    meta_units, meta_issues = _metadata(reader)
    img_units, img_issues = read_embedded(images)
    units += [u for _, u in comments] + meta_units + img_units
    return Extraction(
        str(path), "pdf", tuple(units), tuple(_comments_issue(comments) + issues + meta_issues + img_issues)
    )
