"""The format registry, format detection and :func:`iter_messages` (the scan input)."""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Literal, overload

from ..model import LeakguardError
from ..textio import SNIFF_BYTES, canonical_encoding, sniff_encoding
from .archive import BINARY_EXTS, ZIP, open_zip
from .base import BadRecord, Chunk, Format, Message, ParseOptions, Unit, with_index
from .generic import CSV, JSON, JSONL, TEXT
from .qq import QQ_COPY, QQ_TXT
from .slack import SLACK, is_slack_dir, slack_root
from .telegram import TELEGRAM_JSON
from .timefmt import bound
from .wechat_csv import PYWXDUMP_CSV, WECHATMSG_CSV
from .wechat_text import WECHAT_COPY, WECHAT_MAIL, WECHATEXPORTER_TXT, WECHATMSG_TXT
from .wecom import WECOM_JSON
from .whatsapp import WHATSAPP_TXT

#: name -> Format, in tie-breaking order (earlier wins an equal sniff score)
FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        WECHATMSG_CSV, PYWXDUMP_CSV, QQ_TXT, WECHATEXPORTER_TXT, WECHAT_MAIL, TELEGRAM_JSON, WECOM_JSON,
        WHATSAPP_TXT, WECHATMSG_TXT, QQ_COPY, WECHAT_COPY, SLACK, ZIP, CSV, JSONL, JSON, TEXT,
    )
}
MIN_SCORE = 0.3
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def detect_head(head: str, path: Path) -> str:
    """The best-scoring format for the first ~64 KB of text of ``path``; 'text' if none fits."""
    best, best_score = "text", MIN_SCORE
    for name, fmt in FORMATS.items():
        score = fmt.sniff(head, path)
        if score > best_score:
            best, best_score = name, score
    return best


def detect_format(path: Path, encoding: str | None = None) -> str:
    """Detect the format of a file (from its first 64 KB and its name) or of a folder
    (a Slack export).  Raises LeakguardError for unreadable or binary input."""
    path = Path(path)
    if path.is_dir():
        if is_slack_dir(path):
            return "slack"
        raise LeakguardError(f"{path}: is a directory, not a chat export (scan it to walk it)")
    head = _head_bytes(path)
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        with open_zip(path) as zf:
            return "slack" if slack_root(zf.namelist()) is not None else "zip"
    enc = canonical_encoding(encoding) if encoding else sniff_encoding(head, str(path))
    text = head.decode(enc, errors="ignore").lstrip("\ufeff")
    return detect_head(text, path)


def _head_bytes(path: Path) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read(SNIFF_BYTES)
    except FileNotFoundError:
        raise LeakguardError(f"{path}: no such file") from None
    except PermissionError:
        raise LeakguardError(f"{path}: permission denied") from None
    except OSError as e:
        raise LeakguardError(f"{path}: cannot open ({e.strerror or e})") from None


@overload
def iter_messages(paths: Sequence[Path], fmt: str | None = None, encoding: str | None = None,
                  text_field: str | None = None, since: str | None = None, until: str | None = None,
                  *, chunks: Literal[False] = False) -> Iterator[Message | BadRecord]: ...


@overload
def iter_messages(paths: Sequence[Path], fmt: str | None = None, encoding: str | None = None,
                  text_field: str | None = None, since: str | None = None, until: str | None = None,
                  *, chunks: bool) -> Iterator[Message | BadRecord | Chunk]: ...


def iter_messages(
    paths: Sequence[Path],
    fmt: str | None = None,
    encoding: str | None = None,
    text_field: str | None = None,
    since: str | None = None,
    until: str | None = None,
    *,
    chunks: bool = False,
) -> Iterator[Message | BadRecord | Chunk]:
    """Messages of every input, in order, numbered 0.. across the whole input.

    Folders are walked (sorted; hidden entries and media files skipped; a folder holding a
    Slack export is read as one).  Each file's format is detected on its own unless ``fmt``
    is given.  A file that cannot be read yields one BadRecord (line 0) and the scan goes on.
    ``since``/``until`` ('YYYY-MM-DD' or 'YYYY-MM-DD HH:MM[:SS]', inclusive) compare the
    wall-clock part of message times; messages without a time are kept.

    ``chunks=True`` lets JSON Lines files come as undecoded :class:`Chunk` items (see
    :mod:`leakguard.sources.chunks`; ``leakguard.scan`` checks them in bulk).  Messages are
    then not numbered here: the consumer numbers them, a chunk's messages included.
    """
    if fmt is not None and fmt not in FORMATS:
        raise LeakguardError(f"unknown format {fmt!r} (choose from: {', '.join(FORMATS)})")
    if encoding is not None:
        canonical_encoding(encoding)
    lo, hi = _bounds(since, until)
    options = ParseOptions(text_field=text_field, chunks=chunks and not (lo or hi))
    index = 0
    label, printable = "", ""
    for item in _all_items(paths, fmt, encoding, options):
        if item.path is not label:  # one check per file, not per message
            label, printable = item.path, printable_path(item.path)
        if printable is not label:
            object.__setattr__(item, "path", printable)
        if isinstance(item, Chunk):
            yield item
            continue
        if isinstance(item, Message):
            if item.time is not None and ((lo and item.time[:19] < lo) or (hi and item.time[:19] > hi)):
                continue
            item = with_index(item, index)
            index += 1
        yield item


def printable_path(label: str) -> str:
    """``label`` itself, or with undecodable bytes of a file name (which os.scandir hands over
    as lone surrogates, and which no report can encode) shown as ``\\xNN``."""
    if not _SURROGATE.search(label):
        return label
    return _SURROGATE.sub(lambda m: _escaped(ord(m.group())), label)


def _escaped(code: int) -> str:
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"


def _bounds(since: str | None, until: str | None) -> tuple[str | None, str | None]:
    try:
        lo = bound(since) if since else None
        hi = bound(until, end=True) if until else None
    except ValueError as e:
        raise LeakguardError(f"bad date {e}: use YYYY-MM-DD or 'YYYY-MM-DD HH:MM:SS'") from None
    return lo, hi


#: files beside an export that `scan` reads as attachments (photos via OCR, Office, PDF)
ATTACHMENT_EXTS = frozenset({".jpg", ".jpeg", ".png", ".webp", ".heic", ".docx", ".xlsx", ".pdf"})


def attachment(path: Path) -> Message:
    """A placeholder message (kind ``attachment``, no text) naming a file for the scanner to read."""
    return Message(text="", conversation=path.parent.name or None, sender=None, time=None, path=str(path),
                   line=0, index=0, kind="attachment")


def _all_items(paths: Sequence[Path], fmt: str | None, encoding: str | None,
               options: ParseOptions) -> Iterator[Unit]:
    seen: set[tuple[int, int]] = set()
    for path in paths:
        path = Path(path)
        if path.is_dir():
            yield from _walk(path, fmt, encoding, options, seen)
        elif fmt is None and path.suffix.lower() in ATTACHMENT_EXTS:
            yield attachment(path)
        else:
            yield from _file_items(path, fmt, encoding, options)


def _walk(root: Path, fmt: str | None, encoding: str | None, options: ParseOptions,
          seen: set[tuple[int, int]]) -> Iterator[Unit]:
    try:
        st = root.stat()
    except OSError as e:
        yield BadRecord(str(root), 0, f"cannot open ({e.strerror or e})")
        return
    key = (st.st_dev, st.st_ino)
    if key in seen:  # a symlink loop or the same folder twice
        return
    seen.add(key)
    if fmt in (None, "slack") and is_slack_dir(root):
        yield from _parsed(root, "slack", encoding, options)
        return
    try:
        entries = sorted(os.scandir(root), key=lambda e: e.name)
    except OSError as e:
        yield BadRecord(str(root), 0, f"cannot list folder ({e.strerror or e})")
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        child = Path(entry.path)
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        if is_dir:
            yield from _walk(child, fmt, encoding, options, seen)
        elif child.suffix.lower() in ATTACHMENT_EXTS:
            yield attachment(child)  # a photo or document sent along: the scanner reads it
        elif child.suffix.lower() not in BINARY_EXTS:
            yield from _file_items(child, fmt, encoding, options)


def _file_items(path: Path, fmt: str | None, encoding: str | None, options: ParseOptions) -> Iterator[Unit]:
    label = str(path)
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):
            yield BadRecord(label, 0, "not a regular file")
            return
        name = fmt or detect_format(path, encoding)
    except LeakguardError as e:
        yield BadRecord(label, 0, _reason(e, label))
        return
    except FileNotFoundError:
        yield BadRecord(label, 0, "no such file")
        return
    except OSError as e:
        yield BadRecord(label, 0, f"cannot open ({e.strerror or e})")
        return
    yield from _parsed(path, name, encoding, options)


def _parsed(path: Path, name: str, encoding: str | None, options: ParseOptions) -> Iterator[Unit]:
    label = str(path)
    try:
        yield from FORMATS[name].parse(path, encoding, options)
    except LeakguardError as e:
        yield BadRecord(label, 0, _reason(e, label))
    except Exception as e:  # noqa: BLE001 - one broken input must not end the whole scan
        yield BadRecord(label, 0, f"cannot parse as {name}: {type(e).__name__}: {e}")


def _reason(e: LeakguardError, label: str) -> str:
    return str(e).removeprefix(f"{label}: ")
