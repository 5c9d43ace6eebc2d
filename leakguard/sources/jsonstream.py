"""Incremental JSON reading: yield the records of big JSON documents without loading them.

A chat export such as Telegram's ``result.json`` is one JSON document that can be hundreds
of MB.  :class:`JsonReader` reads it in 256 KB chunks and walks only the structure we need:
object keys on the way down to the record arrays (``messages``, ``chats.list[]`` …).  Each
record (one message object) is decoded on its own, with the C decoder straight from the
buffer when possible; everything else is skipped with a regex-driven bracket scanner.
Memory holds one chunk plus the record being decoded.

Tolerances: control characters inside strings, and Telegram Desktop's ``\\xNN`` escapes
(invalid JSON), which are read as ``\\u00NN``.  A record that still does not decode is
reported with the line where it starts and the walk continues after it.

JSON Lines input (one object per line) is recognised from its first line and read line by
line (:func:`json_records`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any, TextIO

from .base import BadRecord

CHUNK = 256 << 10
MAX_RECORD = 64 << 20  # characters; a bigger record is skipped and reported
MAX_DEPTH = 6  # how deep container keys are followed

_WS = re.compile(r"[ \t\r\n]*")
_STR_SPECIAL = re.compile(r'["\\]')
_STRUCT = re.compile(r'[\[\]{}"]')
_SCALAR = re.compile(r"[^\s,\]}:\[{\"]+")
_BAD_ESCAPE = re.compile(r"\\(\\|x([0-9A-Fa-f]{2}))")
_DECODER = json.JSONDecoder(strict=False)


class JsonSyntaxError(Exception):
    """The document's structure is broken at ``line``; the rest cannot be walked."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


class RecordError(str):
    """Why one record could not be decoded (yielded in place of the record)."""


def sanitize(raw: str) -> str:
    """Turn tdesktop's invalid ``\\xNN`` escapes into ``\\u00NN`` (keeping ``\\\\`` pairs)."""
    if "\\x" not in raw:
        return raw
    return _BAD_ESCAPE.sub(lambda m: "\\\\" if m.group(1) == "\\" else "\\u00" + m.group(2), raw)


def loads(raw: str) -> object:
    """json.loads with the same tolerances as the streaming reader.  Nesting deeper than
    the recursion limit is a ValueError too (the C decoder raises RecursionError)."""
    try:
        return _decode(raw)
    except RecursionError:
        raise ValueError("nesting too deep") from None


def _decode(raw: str) -> object:
    try:
        return _DECODER.decode(raw)
    except ValueError:
        fixed = sanitize(raw)
        if fixed is raw:
            raise
        return _DECODER.decode(fixed)


class JsonReader:
    def __init__(self, stream: TextIO, prefix: str = "", first_line: int = 1) -> None:
        self.stream = stream
        self.buf = prefix
        self.pos = 0
        self.eof = False
        self.line = first_line  # line number at buf[line_pos]
        self.line_pos = 0
        self.mark: int | None = None  # start of a value being captured (kept on refill)
        self.too_big = False
        self._tail = ""  # end of the last chunk, held back (see _read)

    # -- buffer ------------------------------------------------------------------------
    def _more(self) -> int:
        """Read another chunk; drop what is no longer needed.  Returns how many characters
        were dropped from the front (callers shift their indexes), or -1 at end of file."""
        if self.eof:
            return -1
        keep = self.pos if self.mark is None else min(self.mark, self.pos)
        if self.mark is not None and len(self.buf) - self.mark > MAX_RECORD:
            self.mark, self.too_big, keep = None, True, self.pos
        if keep:
            self._count(keep)
            self.buf = self.buf[keep:]
            self.pos -= keep
            self.line_pos -= keep
            if self.mark is not None:
                self.mark -= keep
        data = self._read()
        if not data:
            self.eof = True
            return -1 if not keep else keep
        self.buf += data
        return keep

    def _read(self) -> str:
        """The next chunk with tdesktop's ``\\xNN`` escapes already repaired.  The last
        characters wait for the next chunk when a backslash is near the end, so no
        escape (or backslash run) is ever repaired in two halves."""
        data, self._tail = self._tail, ""
        while True:
            chunk = self.stream.read(CHUNK)
            data += chunk
            if not chunk or "\\" not in data:
                break
            cut = len(data) - 4
            while cut > 0 and "\\" in data[max(0, cut - 4) : cut]:
                cut -= 1
            if cut > 0:
                data, self._tail = data[:cut], data[cut:]
                break
        return sanitize(data) if "\\x" in data else data

    def _count(self, p: int) -> None:
        if p > self.line_pos:
            self.line += self.buf.count("\n", self.line_pos, p)
            self.line_pos = p

    def line_at(self, p: int) -> int:
        self._count(p)
        return self.line

    def error(self, message: str) -> JsonSyntaxError:
        return JsonSyntaxError(self.line_at(self.pos), message)

    # -- tokens ------------------------------------------------------------------------
    def peek(self) -> str:
        """Skip whitespace; the next character, or '' at end of file."""
        while True:
            m = _WS.match(self.buf, self.pos)
            self.pos = m.end() if m else self.pos
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if self._more() < 0 and self.pos >= len(self.buf):
                return ""

    def expect(self, ch: str) -> None:
        if self.peek() != ch:
            got = self.peek() or "end of file"
            raise self.error(f"invalid JSON: expected {ch!r}, found {got!r}")
        self.pos += 1

    def raw_string(self) -> str:
        """The raw text of the string token at ``pos`` (quotes included)."""
        start = i = self.pos
        i += 1
        while True:
            m = _STR_SPECIAL.search(self.buf, i)
            if m is not None:
                j = m.start()
                if self.buf[j] == '"':
                    self.pos = j + 1
                    return self.buf[start : j + 1]
                if j + 1 < len(self.buf):
                    i = j + 2
                    continue
                i = j
            else:
                i = len(self.buf)
            self.pos = start
            shift = self._more()
            if shift < 0:
                raise self.error("invalid JSON: unterminated string")
            start, i = start - shift, i - shift

    def read_string(self) -> str:
        raw = self.raw_string()
        try:
            value = loads(raw)
        except json.JSONDecodeError as e:  # a bad escape in a key or a context value
            raise self.error(f"invalid JSON string: {e.msg}") from None
        assert isinstance(value, str)
        return value

    def scalar(self) -> object:
        """A number, true, false, null (or a string) at ``pos``."""
        if self.peek() == '"':
            return self.read_string()
        start = self.pos
        while True:
            m = _SCALAR.match(self.buf, start)
            if m and (m.end() < len(self.buf) or self.eof):
                self.pos = m.end()
                try:
                    return json.loads(m.group())
                except ValueError:
                    raise self.error(f"invalid JSON value {m.group()[:40]!r}") from None
            if not m:
                raise self.error("invalid JSON: expected a value")
            self.pos = start
            shift = self._more()
            start -= max(shift, 0)

    def skip_value(self) -> None:
        c = self.peek()
        if c == '"':
            self.raw_string()
        elif c in ("{", "["):
            self._skip_container()
        elif c == "":
            raise self.error("invalid JSON: unexpected end of file")
        else:
            self.scalar()

    def _skip_container(self) -> None:
        depth = 0
        i = self.pos
        while True:
            m = _STRUCT.search(self.buf, i)
            if m is None:
                self.pos = len(self.buf)
                if self._more() < 0:
                    raise self.error("invalid JSON: unexpected end of file")
                i = self.pos
                continue
            j = m.start()
            c = m.group()
            if c == '"':
                self.pos = j
                self.raw_string()
                i = self.pos
                continue
            depth += 1 if c in "[{" else -1
            if depth == 0:
                self.pos = j + 1
                return
            if depth < 0:
                self.pos = j
                raise self.error(f"invalid JSON: unbalanced {c!r}")
            i = j + 1

    def record(self) -> tuple[int, object]:
        """(line where it starts, decoded value or RecordError) for the value at ``pos``."""
        c = self.peek()
        start = self.pos
        line = self.line_at(start)
        if c in ("{", "[", '"'):
            try:
                value, end = _DECODER.raw_decode(self.buf, start)
            except (ValueError, RecursionError):  # decoded again below, with a reason
                pass
            else:
                self.pos = end
                return line, value
        self.mark, self.too_big = start, False
        try:
            self.skip_value()
        finally:
            mark, self.mark = self.mark, None
        if self.too_big or mark is None:
            return line, RecordError(f"record larger than {MAX_RECORD >> 20} MB skipped")
        try:
            return line, loads(self.buf[mark : self.pos])
        except json.JSONDecodeError as e:
            return line, RecordError(f"invalid JSON: {e.msg} (line {line + e.lineno - 1})")
        except ValueError as e:
            return line, RecordError(f"invalid JSON: {e}")


Found = tuple[int, object, dict[str, object]]


class Walk:
    """Where the records of a document are: arrays under ``record_keys`` (or a root
    array), reached through objects/arrays under ``container_keys``.  Scalars under
    ``context_keys`` are collected into the dict yielded with each record of the object
    that holds them (e.g. a Telegram chat's ``name``)."""

    def __init__(self, record_keys: frozenset[str], container_keys: frozenset[str] = frozenset(),
                 context_keys: frozenset[str] = frozenset()) -> None:
        self.record_keys = record_keys
        self.container_keys = container_keys
        self.context_keys = context_keys

    def run(self, reader: JsonReader) -> Iterator[Found]:
        c = reader.peek()
        if c == "[":
            yield from self._records(reader, {})
        elif c == "{":
            yield from self._object(reader, 0)
        else:
            raise reader.error("not a JSON object or array")

    def _records(self, reader: JsonReader, ctx: dict[str, object]) -> Iterator[Found]:
        reader.expect("[")
        if reader.peek() == "]":
            reader.pos += 1
            return
        while True:
            line, value = reader.record()
            yield line, value, ctx
            if not self._next(reader, "]"):
                return

    def _object(self, reader: JsonReader, depth: int) -> Iterator[Found]:
        ctx: dict[str, object] = {}
        reader.expect("{")
        if reader.peek() == "}":
            reader.pos += 1
            return
        while True:
            if reader.peek() != '"':
                raise reader.error("invalid JSON: expected a key")
            key = reader.read_string()
            reader.expect(":")
            c = reader.peek()
            if key in self.record_keys and c == "[":
                yield from self._records(reader, ctx)
            elif key in self.container_keys and depth < MAX_DEPTH and c in ("{", "["):
                yield from self._container(reader, depth + 1)
            elif key in self.context_keys and c not in ("{", "["):
                ctx[key] = reader.scalar()
            else:
                reader.skip_value()
            if not self._next(reader, "}"):
                return

    def _container(self, reader: JsonReader, depth: int) -> Iterator[Found]:
        if reader.peek() == "{":
            yield from self._object(reader, depth)
            return
        reader.expect("[")
        if reader.peek() == "]":
            reader.pos += 1
            return
        while True:
            if reader.peek() == "{":
                yield from self._object(reader, depth)
            else:
                reader.skip_value()
            if not self._next(reader, "]"):
                return

    @staticmethod
    def _next(reader: JsonReader, close: str) -> bool:
        c = reader.peek()
        reader.pos += 1
        if c == ",":
            return True
        if c == close:
            return False
        reader.pos -= 1
        raise reader.error(f"invalid JSON: expected ',' or {close!r}")


_LINE_LIMIT = 1 << 20  # a first line longer than this is read as a document, not JSON Lines
MAX_JSONL_LINE = 64 << 20


Rest = Callable[[TextIO, str, int], Iterator[Any]]


def json_records(stream: TextIO, label: str, walk: Walk, rest: Rest | None = None) -> Iterator[Any]:
    """Records of a JSON Lines file (one object per line) or of one JSON document:
    ``(line, value, context)`` tuples and BadRecords.

    The first non-blank line decides: if it is a complete JSON object that does not hold
    a record array, the input is JSON Lines; otherwise it is walked as a document.  The
    lines after the first one are read by ``rest(stream, label, line)`` when given
    (chunked reading), else one by one."""
    consumed: list[str] = []
    line = 0
    first = ""
    while True:
        first = stream.readline(_LINE_LIMIT)
        if not first:
            return
        consumed.append(first)
        line += 1
        if first.strip():
            break
    obj = _complete_object(first)
    if obj is None or any(isinstance(obj.get(k), list) for k in walk.record_keys | walk.container_keys):
        reader = JsonReader(stream, "".join(consumed), 1)
        try:
            yield from walk.run(reader)
        except JsonSyntaxError as e:
            yield BadRecord(label, e.line, f"{e}; rest of file skipped")
        return
    yield line, obj, {}
    yield from (rest or jsonl_rest)(stream, label, line)


def _complete_object(line: str) -> dict[str, object] | None:
    if len(line) >= _LINE_LIMIT and not line.endswith(("\n", "\r")):
        return None
    try:
        value = loads(line)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def jsonl_rest(stream: TextIO, label: str, line: int) -> Iterator[Found | BadRecord]:
    """The JSON Lines after line ``line``, one record per line."""
    while True:
        text = stream.readline(MAX_JSONL_LINE)
        if not text:
            return
        line += 1
        if not text.endswith(("\n", "\r")) and len(text) >= MAX_JSONL_LINE:
            while text and not text.endswith(("\n", "\r")):
                text = stream.readline(MAX_JSONL_LINE)
            yield BadRecord(label, line, f"line longer than {MAX_JSONL_LINE >> 20} MB skipped")
            continue
        if not text.strip():
            continue
        try:
            value = loads(text)
        except json.JSONDecodeError as e:
            yield BadRecord(label, line, f"invalid JSON: {e.msg}")
            continue
        except ValueError as e:
            yield BadRecord(label, line, f"invalid JSON: {e}")
            continue
        yield line, value, {}
