"""JSON Lines in chunks: the bulk-scan fast path.

With ``ParseOptions(chunks=True)`` the JSON Lines reader hands over its input as
:class:`~leakguard.sources.base.Chunk` items (about :data:`CHUNK_CHARS` characters of
complete lines) instead of one :class:`Message` per line.  :func:`open_chunk` decodes a
chunk into columns — the message texts and destinations the scanner needs — and builds a
full ``Message`` (sender, time, kind, masked names) only for the positions asked for:
on a chat log almost every message passes, and building it would cost more than checking it.

The fast path takes a chunk only when every line is plainly one JSON object whose fields
resolve like the ordinary reader resolves them; anything else (a blank or broken line,
``\\r`` line ends, undecodable bytes, a non-object, a text that is not a string, a text
key that is a dotted path …) sends the whole chunk through the ordinary line reader and
:func:`~leakguard.sources.base.finish`, so both paths give the same messages and bad
records by construction.  ``tests/test_chunks.py`` compares them on random files.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, replace
from itertools import repeat
from operator import itemgetter
from typing import Any, BinaryIO, TextIO

from .base import BadRecord, Chunk, Item, Message, ParseOptions, count_lines, finish, masked_name
from .jsonstream import _DECODER, MAX_JSONL_LINE

CHUNK_CHARS = 256 << 10
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_scan_once = _DECODER.scan_once  # type: ignore[attr-defined]  # the C scanner: one JSON value from an index
_LINE_ENDS = ("\n", "\r")


def read_chunks(stream: TextIO, label: str, line: int, options: ParseOptions) -> Iterator[Chunk]:
    """The rest of a JSON Lines stream (after line ``line``) as chunks of complete lines.

    A UTF-8 file is read as bytes and cut after a ``\\n`` byte (which in UTF-8 is only ever a
    line end), so the reading process does not decode it.  A line too long to find its end
    within :data:`LONG_LINE_CHUNKS` chunks hands the rest of the file to the text reader,
    which applies the line reader's length limit in characters: a chunk ends where the limit
    falls and the rest of that line is skipped here (in the chunk, the line reader reports
    it as too long).  Both kinds of chunk hold whole lines, so the results cannot differ."""
    raw = _binary(stream)
    if raw is not None:
        line, at = yield from _byte_chunks(raw, label, line, options)
        if at is None:
            return
        stream.seek(at)  # the start of an over-long line (or of a file without \n line ends)
    while True:
        text = stream.read(CHUNK_CHARS)
        if not text:
            return
        if not text.endswith("\n"):  # a "\r" may be the first half of "\r\n"
            more = stream.readline(MAX_JSONL_LINE)
            text += more
            if len(more) >= MAX_JSONL_LINE and not more.endswith(_LINE_ENDS):
                _skip_line(stream)
        yield Chunk(label, line + 1, text, options)
        line += count_lines(text)


LONG_LINE_CHUNKS = 4  # a line running over this many chunks goes to the text reader


def _binary(stream: TextIO) -> BinaryIO | None:
    """The file under a UTF-8 text stream, positioned where the stream has read to (None for
    other encodings, archives members and anything that cannot tell its position)."""
    import codecs

    buffer = getattr(stream, "buffer", None)
    if not isinstance(stream, io.TextIOWrapper) or not isinstance(buffer, io.BufferedReader):
        return None
    try:
        if codecs.lookup(stream.encoding).name not in ("utf-8", "utf-8-sig") or not buffer.seekable():
            return None
        buffer.seek(stream.tell())  # for UTF-8 at a line start, the byte position
    except (OSError, ValueError, LookupError):
        return None
    return buffer


def _byte_chunks(raw: BinaryIO, label: str, line: int,
                 options: ParseOptions) -> Generator[Chunk, None, tuple[int, int | None]]:
    """Chunks of undecoded UTF-8 lines; returns (line, None) at the end of the file, or
    (line, byte position) of a line that found no end within LONG_LINE_CHUNKS chunks."""
    pending = b""  # the start of a line whose end is not read yet
    while True:
        data = raw.read(CHUNK_CHARS)
        if not data:
            if pending:
                yield Chunk(label, line + 1, pending, options)
            return line, None
        cut = data.rfind(b"\n") + 1
        if not cut:
            pending += data
            if len(pending) > LONG_LINE_CHUNKS * CHUNK_CHARS:
                return line, raw.tell() - len(pending)
            continue
        body = pending + data[:cut] if pending else data[:cut]
        pending = data[cut:]
        yield Chunk(label, line + 1, body, options)
        line += count_lines(body)


def _skip_line(stream: TextIO) -> None:
    while True:
        rest = stream.readline(MAX_JSONL_LINE)
        if not rest or rest.endswith(_LINE_ENDS):
            return


@dataclass(frozen=True, slots=True)
class Opened:
    """A decoded chunk.  ``texts``/``tos`` are the messages' texts and conversations (as
    ``Message.text``/``Message.conversation`` would hold them); ``message(i)`` builds message
    i (``index`` 0: the caller numbers it); ``bad`` lists ``(i, record)``: a bad record found
    before message i."""

    texts: list[str]
    tos: list[str | None]
    message: Callable[[int], Message]
    bad: list[tuple[int, BadRecord]]


def open_chunk(chunk: Chunk) -> Opened:
    opened = _fast(chunk)
    return opened if opened is not None else _slow(chunk)


def _slow(chunk: Chunk) -> Opened:
    """The chunk through the ordinary line reader (what a file without chunks gives)."""
    from .generic import jsonl_events

    messages: list[Message] = []
    bad: list[tuple[int, BadRecord]] = []
    stream = io.StringIO(chunk.text, newline="")
    for item in finish(jsonl_events(stream, chunk.path, chunk.line - 1, chunk.options)):
        if isinstance(item, Message):
            messages.append(item)
        elif isinstance(item, BadRecord):
            bad.append((len(messages), item))
    return Opened([m.text for m in messages], [m.conversation for m in messages], messages.__getitem__, bad)


def _fast(chunk: Chunk) -> Opened | None:
    body = chunk.body
    if isinstance(body, bytes):
        try:  # strict: undecodable bytes (lone surrogates once escaped) go to the line reader
            text = body.decode(chunk.encoding)
        except UnicodeDecodeError:
            return None
    elif _SURROGATE.search(body):
        return None
    else:
        text = body
    if "\r" in text or len(text) >= MAX_JSONL_LINE:
        return None
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    try:
        records, ends = zip(*map(_scan_once, lines, repeat(0, len(lines))))
    except (StopIteration, ValueError, RecursionError):  # a blank, broken or deep line
        return None
    if list(ends) != list(map(len, lines)):  # something after the value
        return None
    if set(map(type, records)) != {dict}:
        return None
    fields = _resolve(records, chunk.options)
    if fields is None:
        return None
    text_key, conv_key = fields
    texts = list(map(itemgetter(text_key), records))
    if set(map(type, texts)) != {str}:
        return None
    convs = list(map(dict.get, records, repeat(conv_key))) if conv_key is not None else [None] * len(records)
    keep: list[int] | None = None
    if not all(map(str.strip, texts)):  # blank texts are not messages
        keep = [i for i, t in enumerate(texts) if t.strip()]
        texts = [texts[i] for i in keep]
        convs = [convs[i] for i in keep]
    tos = _destinations(convs)
    if tos is None:
        return None
    return Opened(texts, tos, _builder(chunk, records, keep), [])


def _resolve(records: tuple[dict[str, Any], ...], options: ParseOptions) -> tuple[str, str | None] | None:
    """The text and conversation keys, when every record resolves them to the same top-level
    keys the ordinary reader would pick (its case-insensitive lookup included)."""
    from .fields import CONVERSATION_NAMES, TEXT_NAMES
    from .generic import _field

    names = (options.text_field,) if options.text_field else TEXT_NAMES
    if any("." in n for n in names + CONVERSATION_NAMES):
        return None
    seen: set[tuple[str, ...]] = set(map(tuple, records))
    if len(seen) > 16:
        return None
    picked: set[tuple[object, object]] = set()
    for keys in seen:
        probe = {k: k for k in keys}  # each key's value is its own name: _field tells which it took
        found, text_key = _field(probe, TEXT_NAMES, options.text_field)
        if not found:
            return None  # a record without text is a bad record: the line reader reports it
        picked.add((text_key, _field(probe, CONVERSATION_NAMES)[1]))
    if len(picked) != 1:
        return None
    text_key, conv_key = picked.pop()
    if not isinstance(text_key, str) or not (conv_key is None or isinstance(conv_key, str)):
        return None
    if conv_key is not None and any(conv_key not in keys for keys in seen):
        return None  # some records lack it: they would fall back to another name
    return text_key, conv_key


def _destinations(convs: list[Any]) -> list[str | None] | None:
    """Conversation names as Message.conversation holds them (masked)."""
    if not set(map(type, convs)) <= {str, type(None)}:
        return None
    names = {c: masked_name(c or None) for c in set(convs)}
    return list(map(names.__getitem__, convs))


def _builder(chunk: Chunk, records: tuple[dict[str, object], ...], keep: list[int] | None) -> Callable[[int], Message]:
    from .generic import record_message

    def message(i: int) -> Message:
        at = keep[i] if keep is not None else i
        m = record_message(records[at], chunk.line + at, {}, chunk.path, chunk.options)
        assert isinstance(m, Message)
        sender, conversation = masked_name(m.sender), masked_name(m.conversation)
        if sender is not m.sender or conversation is not m.conversation:
            m = replace(m, sender=sender, conversation=conversation)
        return m

    return message


def expand(chunk: Chunk) -> Iterator[Item]:
    """A chunk's messages and bad records, in order (for callers that want items)."""
    opened = open_chunk(chunk)
    bad = iter(opened.bad)
    nxt = next(bad, None)
    for i in range(len(opened.texts)):
        while nxt is not None and nxt[0] <= i:
            yield nxt[1]
            nxt = next(bad, None)
        yield opened.message(i)
    while nxt is not None:
        yield nxt[1]
        nxt = next(bad, None)
