"""Shared OOXML (docx/xlsx) plumbing: container checks, document properties, embedded media."""

from __future__ import annotations

import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable
from pathlib import Path

from ..model import LeakguardError
from .detect import CFB_MAGIC
from .image import Embedded
from .types import DocIssue, TextUnit, issue, join_names

CORE_FIELDS = {  # element local name -> human field name
    "title": "title",
    "subject": "subject",
    "creator": "author",
    "keywords": "keywords",
    "description": "description",
    "lastModifiedBy": "last modified by",
    "category": "category",
}
APP_FIELDS = {"Company": "company", "Manager": "manager"}
IDENTIFYING_FIELDS = ("author", "last modified by", "company", "manager")
MEDIA_DIRS = ("word/media/", "xl/media/")
ENCRYPTED_MARK = "EncryptionInfo".encode("utf-16-le")
LEGACY_HINT = {"docx": "Word 97-2003 (.doc)", "xlsx": "Excel 97-2003 (.xls)"}


def check_container(path: Path, kind: str) -> None:
    """Refuse encrypted OOXML, legacy binary formats and non-zip files with one clear line."""
    try:
        with path.open("rb") as fh:
            head = fh.read(256 * 1024)
    except OSError as e:
        raise LeakguardError(f"{path}: cannot read file: {e.strerror or e}") from None
    if head.startswith(CFB_MAGIC):
        if ENCRYPTED_MARK in head:
            raise LeakguardError(
                f"{path}: the file is password-protected (encrypted); remove the password to check it"
            )
        raise LeakguardError(f"{path}: {LEGACY_HINT[kind]} files are not supported; save it as .{kind} first")
    if not zipfile.is_zipfile(path):
        raise LeakguardError(f"{path}: not a valid .{kind} file (corrupt or truncated zip container)")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _props(zf: zipfile.ZipFile, name: str, fields: dict[str, str]) -> list[tuple[str, str]]:
    try:
        root = ET.fromstring(zf.read(name))
    except (KeyError, ET.ParseError):
        return []
    found = []
    for el in root:
        field = fields.get(_local(el.tag))
        if field and el.text and el.text.strip():
            found.append((field, el.text.strip()))
    return found


def properties(zf: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(field, value) from docProps/core.xml and docProps/app.xml."""
    return _props(zf, "docProps/core.xml", CORE_FIELDS) + _props(zf, "docProps/app.xml", APP_FIELDS)


def metadata_result(props: list[tuple[str, str]]) -> tuple[list[TextUnit], list[DocIssue]]:
    """Every property value is a TextUnit; identifying ones (author, company …) raise HYG-METADATA."""
    units = [TextUnit(value, f"metadata: {field}") for field, value in props]
    ident = [(f, v) for f, v in props if f in IDENTIFYING_FIELDS]
    if not ident:
        return units, []
    listing = "; ".join(f"{f}={v}" for f, v in ident)
    names = join_names(v for _, v in ident)
    return units, [
        issue(
            "HYG-METADATA",
            "document",
            "low",
            "metadata",
            f"文件属性中含作者/单位信息（{names}），发送前可在“文件-信息-检查文档”中删除",
            f"the file properties name people or organisations: {listing}",
        )
    ]


def media(zf: zipfile.ZipFile) -> list[Embedded]:
    names = sorted(n for n in zf.namelist() if n.startswith(MEDIA_DIRS) and not n.endswith("/"))
    return [Embedded(n, _reader(zf.filename or "", n)) for n in names]


def _reader(archive: str, member: str) -> Callable[[], bytes]:
    def load() -> bytes:
        with zipfile.ZipFile(archive) as zf:
            return zf.read(member)

    return load
