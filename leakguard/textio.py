"""Reading user files: encoding sniffing and clear one-line errors.

Supported: UTF-8 (with or without BOM), UTF-16 (with BOM; BOM-less UTF-16 is recognised
from its NUL pattern), GB18030 (which covers GBK/GB2312).  Anything else is refused with
a message naming the file.  Files are opened read-only; nothing is ever written back.
"""

from __future__ import annotations

import codecs
import io
import os
import stat
from typing import TYPE_CHECKING, BinaryIO, TextIO

from .model import LeakguardError

if TYPE_CHECKING:
    from pathlib import Path

ENCODINGS = ("utf-8", "utf-8-sig", "gb18030", "utf-16", "utf-16-le", "utf-16-be")
_ALIASES = {"utf8": "utf-8", "gbk": "gb18030", "gb2312": "gb18030", "cp936": "gb18030", "utf16": "utf-16"}
SNIFF_BYTES = 64 * 1024
MAX_TEXT_BYTES = 64 << 20  # one draft read whole (check); logs are streamed by scan


def canonical_encoding(name: str) -> str:
    key = name.strip().lower().replace("_", "-")
    key = _ALIASES.get(key, key)
    try:
        codecs.lookup(key)
    except LookupError:
        raise LeakguardError(f"unknown encoding {name!r} (try utf-8, gb18030 or utf-16)") from None
    return key


def sniff_encoding(head: bytes, label: str = "<input>") -> str:
    """Choose an encoding from the first bytes of a file.

    ``head`` should be a prefix of the file (up to SNIFF_BYTES).  A prefix may cut a
    multi-byte character in half; that is tolerated.
    """
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        if _utf8_behind_utf16_bom(head):
            raise LeakguardError(f"{label}: starts with a UTF-16 byte-order mark but holds UTF-8 text "
                                 "(BOM mismatch: remove the first two bytes)")
        return "utf-16"
    if not head:
        return "utf-8"
    sample = head[:4096]
    if len(sample) >= 4 and b"\x00" in sample:
        even_nul = sample[0::2].count(0)
        odd_nul = sample[1::2].count(0)
        half = len(sample) // 2
        # BOM-less UTF-16: one byte of most ASCII-range pairs is NUL.
        if odd_nul > half * 0.3 and even_nul < half * 0.05:
            return "utf-16-le"
        if even_nul > half * 0.3 and odd_nul < half * 0.05:
            return "utf-16-be"
        raise LeakguardError(f"{label}: looks like a binary file (NUL bytes), not text")
    if _decodes(head, "utf-8"):
        return "utf-8"
    if _decodes(head, "gb18030"):
        return "gb18030"
    # A few corrupt bytes in otherwise clean text: choose that encoding, so the readers
    # report the bad bytes by line (scan) or by offset (check) instead of refusing the file.
    for enc in ("utf-8", "gb18030"):
        bad = _bad_sequences(head, enc)
        if bad <= min(MAX_BAD_IN_HEAD, max(1, len(head) // 200)):
            return enc
    raise LeakguardError(f"{label}: cannot decode as UTF-8, UTF-16 or GB18030 (use --encoding to force one)")


def _utf8_behind_utf16_bom(head: bytes) -> bool:
    """A UTF-16 BOM before UTF-8 text: the text would decode to nonsense and pass unchecked.

    UTF-16 text with any ASCII character (a newline, a digit, a space) holds NUL bytes;
    UTF-8 text never does, and non-ASCII UTF-16 code units are almost never valid UTF-8."""
    body = head[2:4096]
    return len(body) >= 6 and b"\x00" not in body and max(body) >= 0x80 and _decodes(body, "utf-8")


MAX_BAD_IN_HEAD = 8  # corrupt sequences tolerated in a sniffed head (one, or at most 1 per 200 bytes)


def _bad_sequences(data: bytes, encoding: str) -> int:
    """How many undecodable sequences ``data`` holds (a character cut at the end is not one)."""
    text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(data, final=False)
    return text.count("\ufffd") - data.count("\ufffd".encode(encoding))


def _decodes(data: bytes, encoding: str) -> bool:
    dec = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        dec.decode(data, final=False)
    except UnicodeDecodeError:
        return False
    return True


def _check_regular(path: Path) -> os.stat_result:
    """Refuse what cannot be read as a file: missing, a folder, or not a regular file.

    A FIFO, socket or device is refused before it is opened: opening a FIFO that has no
    writer blocks forever (and /dev/zero never ends).  Streams are checked through stdin."""
    try:
        st = path.stat()
    except FileNotFoundError:
        raise LeakguardError(f"{path}: no such file") from None
    except PermissionError:
        raise LeakguardError(f"{path}: permission denied") from None
    except OSError as e:  # symlink loops, name too long …
        raise LeakguardError(f"{path}: cannot open ({e.strerror or e})") from None
    if stat.S_ISDIR(st.st_mode):
        raise LeakguardError(f"{path}: is a directory (use 'leakguard scan' for folders)")
    if not stat.S_ISREG(st.st_mode):
        raise LeakguardError(f"{path}: not a regular file ({_file_kind(st.st_mode)}); pipe a stream to stdin instead")
    return st


def _file_kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "special file"


def _too_big(label: str, size: int, limit: int) -> LeakguardError:
    return LeakguardError(
        f"{label}: {size / (1 << 20):.0f} MB is too large to check as one text (limit {limit >> 20} MB); "
        "use 'leakguard scan' for chat logs"
    )


def decode_bytes(data: bytes, label: str, encoding: str | None = None) -> str:
    enc = canonical_encoding(encoding) if encoding else sniff_encoding(data[:SNIFF_BYTES], label)
    try:
        text = data.decode(enc)
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise LeakguardError(
            f"{label}:{line}: invalid {enc} bytes at offset {e.start} (use --encoding to force one)"
        ) from None
    text = text.removeprefix("\ufeff")
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise LeakguardError(f"{label}:{line}: NUL character in text; is this a binary file?")
    return text


def read_text(path: str | os.PathLike[str], encoding: str | None = None, max_bytes: int = MAX_TEXT_BYTES) -> str:
    """Read a whole (small) text file, sniffing its encoding.  Bigger than ``max_bytes``
    is refused (one line) instead of filling memory."""
    from pathlib import Path  # deferred: reading stdin (a pre-send check) needs no pathlib

    p = Path(path)
    st = _check_regular(p)
    if st.st_size > max_bytes:
        raise _too_big(str(p), st.st_size, max_bytes)
    try:
        with open(p, "rb") as f:
            data = f.read(max_bytes + 1)
    except PermissionError:
        raise LeakguardError(f"{p}: permission denied") from None
    except OSError as e:
        raise LeakguardError(f"{p}: cannot read ({e.strerror or e})") from None
    if len(data) > max_bytes:  # grew since stat
        raise _too_big(str(p), len(data), max_bytes)
    return decode_bytes(data, str(p), encoding)


def read_stdin(stream: BinaryIO, encoding: str | None = None, max_bytes: int = MAX_TEXT_BYTES) -> str:
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise _too_big("<stdin>", len(data), max_bytes)
    return decode_bytes(data, "<stdin>", encoding)


def open_text(path: str | os.PathLike[str], encoding: str | None = None) -> TextIO:
    """Open a possibly huge text file for streaming, with the sniffed encoding.

    Newlines are passed through untranslated (``newline=''``) so callers see CRLF and
    can count lines themselves.  Invalid bytes later in the file raise
    UnicodeDecodeError from the stream; callers count and report them.
    """
    from pathlib import Path  # deferred: reading stdin (a pre-send check) needs no pathlib

    p = Path(path)
    _check_regular(p)
    try:
        raw = open(p, "rb")  # noqa: SIM115 - handed to TextIOWrapper
    except PermissionError:
        raise LeakguardError(f"{p}: permission denied") from None
    except OSError as e:
        raise LeakguardError(f"{p}: cannot open ({e.strerror or e})") from None
    head = raw.peek(SNIFF_BYTES)[:SNIFF_BYTES] if hasattr(raw, "peek") else b""
    try:
        enc = canonical_encoding(encoding) if encoding else sniff_encoding(head, str(p))
    except LeakguardError:
        raw.close()
        raise
    if enc == "utf-8" and head.startswith(codecs.BOM_UTF8):
        enc = "utf-8-sig"
    return io.TextIOWrapper(raw, encoding=enc, errors="strict", newline="")
