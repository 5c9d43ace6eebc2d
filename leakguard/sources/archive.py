"""Reading ZIP archives safely (zip-bomb guard) and scanning generic archives member by member.

Every member is checked before it is opened: an absurd uncompressed size, or a
compression ratio no real chat log reaches, is refused with a BadRecord (the other members
are still read).  Members are streamed, never extracted to disk; zipfile itself stops at
the declared size and checks the CRC.  Labels are ``archive.zip!dir/member.txt``.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import IO, TextIO
from zipfile import ZipFile, ZipInfo

from ..model import LeakguardError
from ..textio import SNIFF_BYTES, canonical_encoding, sniff_encoding
from .base import ESCAPE, BadRecord, Format, ParseOptions, Unit, finish

MAX_MEMBER_BYTES = 2 << 30  # uncompressed size of one member
MAX_RATIO = 200  # uncompressed / compressed
RATIO_FLOOR = 1 << 20  # members smaller than this are never refused for their ratio
MAX_MEMBERS = 200_000

#: what reading a corrupt archive member can raise (zipfile itself imports bz2/lzma)
READ_ERRORS: tuple[type[Exception], ...] = (
    OSError, EOFError, ValueError, zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError,
    *((zipfile.lzma.LZMAError,) if getattr(zipfile, "lzma", None) else ()),  # type: ignore[attr-defined]
)

#: extensions that are never chat text (media sent along with WhatsApp/Slack exports …)
BINARY_EXTS = frozenset(
    [".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp", ".heic", ".tif", ".tiff", ".ico", ".mp4", ".mov", ".avi", ".mkv", ".webm", ".3gp", ".mp3", ".m4a", ".aac", ".amr", ".ogg", ".opus", ".wav", ".silk", ".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".db", ".sqlite", ".dat", ".exe", ".dll", ".so", ".bin", ".gz", ".tgz", ".bz2", ".xz", ".7z", ".rar", ".pyc", ".woff", ".woff2", ".ttf", ".otf", ".apk", ".ipa", ".vcf"]
)


def member_problem(info: ZipInfo) -> str | None:
    """Why a member must not be read, or None."""
    if info.file_size > MAX_MEMBER_BYTES:
        return f"uncompressed size {info.file_size} bytes exceeds the {MAX_MEMBER_BYTES >> 20} MB limit"
    if info.file_size > RATIO_FLOOR:
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > MAX_RATIO:
            return f"compression ratio {ratio:.0f}:1 is implausible (zip bomb?)"
    if info.flag_bits & 0x1:
        return "encrypted member"
    return None


def open_zip(path: Path) -> ZipFile:
    try:
        zf = ZipFile(path)
    except (zipfile.BadZipFile, ValueError, EOFError, NotImplementedError, RuntimeError):
        raise LeakguardError(f"{path}: not a readable ZIP archive") from None
    except OSError as e:
        raise LeakguardError(f"{path}: cannot open ({e.strerror or e})") from None
    if len(zf.infolist()) > MAX_MEMBERS:
        zf.close()
        raise LeakguardError(f"{path}: more than {MAX_MEMBERS} members; refusing to read")
    return zf


def skipped(name: str) -> bool:
    """Directories, hidden/macOS metadata members and media files."""
    parts = PurePosixPath(name).parts
    if name.endswith("/") or not parts:
        return True
    if any(p.startswith(".") or p == "__MACOSX" for p in parts):
        return True
    return PurePosixPath(name).suffix.lower() in BINARY_EXTS


def member_head(zf: ZipFile, info: ZipInfo) -> bytes:
    with zf.open(info) as raw:
        return raw.read(SNIFF_BYTES)


def open_member(zf: ZipFile, info: ZipInfo, label: str, encoding: str | None, head: bytes) -> TextIO:
    """A member as a text stream (encoding sniffed from ``head`` unless given)."""
    enc = canonical_encoding(encoding) if encoding else sniff_encoding(head, label)
    if enc == "utf-8" and head.startswith(b"\xef\xbb\xbf"):
        enc = "utf-8-sig"
    raw: IO[bytes] = zf.open(info)
    return io.TextIOWrapper(raw, encoding=enc, errors=ESCAPE, newline="")


def head_text(head: bytes, label: str, encoding: str | None) -> str:
    enc = canonical_encoding(encoding) if encoding else sniff_encoding(head, label)
    return head.decode(enc, errors="ignore").lstrip("\ufeff")


def zip_items(path: Path, encoding: str | None, options: ParseOptions) -> Iterator[Unit]:
    """Each text member of a (non-Slack) archive, its format detected on its own."""
    from .registry import FORMATS, detect_head  # deferred: registry imports this module

    with open_zip(path) as zf:
        for info in sorted(zf.infolist(), key=lambda i: i.filename):
            if skipped(info.filename):
                continue
            label = f"{path}!{info.filename}"
            problem = member_problem(info)
            if problem:
                yield BadRecord(label, 0, problem)
                continue
            yield from _member_items(zf, info, label, encoding, options, FORMATS, detect_head)


def _member_items(zf: ZipFile, info: ZipInfo, label: str, encoding: str | None, options: ParseOptions,
                  formats: dict[str, Format], detect: object) -> Iterator[Unit]:
    try:
        head = member_head(zf, info)
        if head.startswith(b"PK\x03\x04"):
            yield BadRecord(label, 0, "nested archive not scanned")
            return
        name = detect(head_text(head, label, encoding), PurePosixPath(info.filename))  # type: ignore[operator]
        body = formats[name].body
        if body is None:
            yield BadRecord(label, 0, f"format {name} cannot be read inside an archive")
            return
        with open_member(zf, info, label, encoding, head) as stream:
            yield from finish(body(stream, label, options))
    except LeakguardError as e:
        yield BadRecord(label, 0, str(e).removeprefix(f"{label}: "))
    except READ_ERRORS as e:  # corrupt member, CRC error …
        yield BadRecord(label, 0, f"cannot read member: {e}")


def _sniff_zip(head: str, path: Path) -> float:
    return 0.0  # decided from the file's magic bytes in detect_format


def _parse_zip(path: Path, encoding: str | None, options: ParseOptions) -> Iterator[Unit]:
    return zip_items(path, encoding, options)


ZIP = Format("zip", "ZIP archive of exports: each text member detected and parsed on its own",
             _sniff_zip, _parse_zip)
