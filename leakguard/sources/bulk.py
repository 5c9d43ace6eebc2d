"""Chat exports in chunks: the bulk-scan path of the formats other than JSON Lines.

JSON Lines have their own chunk reader (:mod:`leakguard.sources.chunks`).  A format with a
:class:`Bulk` (QQ 消息管理器 TXT, WeChatMsg TXT, WhatsApp TXT, the WeChatMsg and PyWxDump
CSVs) is read the same way with ``ParseOptions(chunks=True)``: the reading process cuts the
file into :class:`~leakguard.sources.base.Chunk` items of complete messages without parsing
them — a UTF-8 file stays undecoded — and :func:`open_chunk` (in a worker process with
``scan --jobs``) parses a chunk in bulk: one split and one ``findall`` over the chunk find the
messages, and a full :class:`Message` (sender, time, kind, masked names) is built only for
the messages the scanner reports.

Both paths give what the ordinary parser gives, by construction:

- A chunk starts where the parser would start a new message whatever came before: at a
  header line (after a blank line, for the formats that need one), or at a record boundary
  of a CSV, and carries the parser's state there (``Reader.state``: the QQ conversation, the
  WhatsApp day/month order, the CSV columns).  A chunk that may change that state (a QQ
  ``消息对象`` line) is parsed by the reading process itself, with the ordinary parser.
- A recall reaches back up to 2000 messages, across chunk boundaries, so the raw file is looked
  over first (:meth:`Bulk.prepass`, a necessary condition for a recall): a file that could hold
  one is read the ordinary way, or (the CSVs) no chunk ends between a recall and the first
  place its message could be, so the ordinary parser reads both in one chunk.
- The bulk parse takes only the plain, common case; anything unusual in a chunk (undecodable
  bytes, a lone CR, layout lines, over-long lines) sends the chunk through the ordinary
  parser (with the chunk's state), and an unusual message (a system notice, a header line of
  a rare shape) goes through the ordinary parser's own header and message steps.
- A file whose cut points cannot be found (a huge line, an irregular CSV) is read the
  ordinary way from there on.

``tests/test_bulk.py`` compares the two paths on random files mixing ordinary messages with
every oddity, with tiny chunks.
"""

from __future__ import annotations

import codecs
import io
import re
from bisect import bisect_left
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from itertools import accumulate, compress
from operator import add, and_, not_
from pathlib import Path
from typing import IO, Any, Generic, TextIO, TypeVar, cast

from .base import (
    ESCAPE,
    UNCHECKED_KINDS,
    BadRecord,
    Chunk,
    Event,
    Format,
    Item,
    Message,
    ParseOptions,
    PathParser,
    Reader,
    Sniffer,
    StreamParser,
    Unit,
    count_lines,
    finish,
    masked_name,
)
from .streams import open_stream

CHUNK_BYTES = 256 << 10  # bytes (or characters) read per chunk
LONG_CHUNKS = 4  # no cut point within this many chunks: the rest of the file is read the ordinary way
SCAN_BYTES = 1 << 20  # block size of the pre-pass that looks for recalls
_SURROGATE = re.compile(r"[\ud800-\udfff]")

S = TypeVar("S", str, bytes)


# ----------------------------------------------------------------------------- opened chunks


@dataclass(frozen=True, slots=True)
class Opened:
    """A parsed chunk.  ``texts``/``tos`` are the texts and conversations of the messages to
    check (as ``Message.text``/``Message.conversation`` hold them); ``message(i)`` builds
    message i of those (``index`` 0: the caller numbers it); ``bad`` lists ``(i, record)``: a
    bad record found before message i.  ``at[i]`` is message i's position among all the
    chunk's messages, ``count`` their number: messages of an unchecked kind (client notices,
    :data:`~leakguard.sources.base.UNCHECKED_KINDS`) are numbered but not checked.  ``at``
    None means none were skipped."""

    texts: list[str]
    tos: list[str | None]
    message: Callable[[int], Message]
    bad: list[tuple[int, BadRecord]]
    at: list[int] | None = None
    count: int | None = None

    @property
    def system(self) -> int:
        """Messages in the chunk that are not checked."""
        return 0 if self.count is None else self.count - len(self.texts)


def open_chunk(chunk: Chunk) -> Opened:
    """Parse a chunk (JSON Lines or a bulk format) into the columns the scanner needs."""
    if chunk.reader is None:
        from .chunks import open_chunk as open_jsonl

        o = open_jsonl(chunk)
        return Opened(o.texts, o.tos, o.message, o.bad)
    opened = open_fast(chunk)
    if opened is not None:
        return opened
    return slow(bulk_reader(chunk.reader.format).events(chunk, chunk.text))


def open_fast(chunk: Chunk) -> Opened | None:
    """A non-JSON-Lines chunk parsed in bulk, or None when it holds anything unusual."""
    assert chunk.reader is not None
    body = chunk.body
    if isinstance(body, str):
        if _SURROGATE.search(body):
            return None
        text = body
    else:
        try:
            text = body.decode(chunk.encoding)  # strict: undecodable bytes are the ordinary parser's
        except UnicodeDecodeError:
            return None
    return bulk_reader(chunk.reader.format).fast(chunk, text)


def expand(chunk: Chunk) -> Iterator[Item]:
    """A chunk's messages and bad records, in order (for callers that want items)."""
    if chunk.reader is None:
        from .chunks import expand as expand_jsonl

        yield from expand_jsonl(chunk)
        return
    for item in finish(bulk_reader(chunk.reader.format).events(chunk, chunk.text)):
        if isinstance(item, (Message, BadRecord)):
            yield item


def slow(events: Iterable[Event]) -> Opened:
    """An Opened from the ordinary parser's events (what a file without chunks gives)."""
    texts: list[str] = []
    tos: list[str | None] = []
    messages: list[Message] = []
    at: list[int] = []
    bad: list[tuple[int, BadRecord]] = []
    count = 0
    for item in finish(events):
        if isinstance(item, BadRecord):
            bad.append((len(texts), item))
        elif isinstance(item, Message):
            if item.kind not in UNCHECKED_KINDS:
                texts.append(item.text)
                tos.append(item.conversation)
                messages.append(item)
                at.append(count)
            count += 1
    return Opened(texts, tos, messages.__getitem__, bad, at, count)


def masked(m: Message) -> Message:
    """``m`` with personal data masked in its names (what :func:`finish` does)."""
    sender, conversation = masked_name(m.sender), masked_name(m.conversation)
    if sender is not m.sender or conversation is not m.conversation:
        m = replace(m, sender=sender, conversation=conversation)
    return m


# ----------------------------------------------------------------------------- formats

_BULKS: dict[str, Bulk] = {}


def bulk_reader(name: str) -> Bulk:
    if name not in _BULKS:
        from . import registry  # noqa: F401 - imports every format module, which registers its reader
    return _BULKS[name]


def bulk_format(name: str, description: str, sniff: Sniffer, body: StreamParser, bulk: Bulk) -> Format:
    """A stream format whose files come in chunks with ``ParseOptions(chunks=True)``."""
    bulk.name = name
    _BULKS[name] = bulk
    return Format(name, description, sniff, _path_parser(body, bulk), body)


def _path_parser(body: StreamParser, bulk: Bulk) -> PathParser:
    def parse(path: Path, encoding: str | None, options: ParseOptions) -> Iterator[Unit]:
        label = str(path)
        with open_stream(path, encoding) as stream:
            source = _source(path, stream, bulk) if options.chunks else None
            plan = bulk.plan(source, label, options) if source is not None else None
            if source is None or plan is None:
                yield from finish(body(stream, label, options))
            else:
                yield from finish(bulk.read(source, plan, label, options))

    return parse


@dataclass(frozen=True, slots=True)
class Plan:
    """Where the chunks of a file start: ``offset`` (bytes or characters from the start of the
    source), the number of lines before it, and the parser state there."""

    offset: int
    line: int
    state: tuple[object, ...]


class Bulk:
    """The bulk reader of one format (subclasses: :class:`BlockBulk`, the CSV readers)."""

    name = ""
    #: A necessary condition (over the raw text) for an event that needs the recall window of
    #: :func:`~leakguard.sources.base.finish`; a file where it matches is read the ordinary way.
    window: re.Pattern[str]
    #: The same condition over UTF-8 bytes.
    window_bytes: re.Pattern[bytes]

    def prepass(self, f: IO[Any], start: int) -> list[tuple[int, int]] | None:
        """A look over the raw file (``f``: the bytes of a UTF-8 file from ``start``, after its
        BOM, or its text) before it is cut: None when it must be read the ordinary way, else
        the spans ``(a, b)`` (offsets from ``start``) in which no chunk may end (a < end <= b).
        By default: the ordinary way if :attr:`window` matches anywhere."""
        text = isinstance(f, io.TextIOBase)
        found = next(matches(self.window if text else self.window_bytes, f, start), None)
        return None if found is not None else []

    def plan(self, source: Source[Any], label: str, options: ParseOptions) -> Plan | None:
        """Read the file's head (a CSV header, a WhatsApp date-order probe); None: read the
        whole file the ordinary way."""
        raise NotImplementedError

    def cut(self, buf: S, state: tuple[object, ...], label: str, options: ParseOptions) -> int | None:
        """The last position in ``buf`` (which starts at a cut point) where a chunk may end."""
        raise NotImplementedError

    def changes(self, body: S) -> bool:
        """Whether ``body`` may change the parser state (the reading process then parses it)."""
        return False

    def lines(self, source: Source[S], body: S) -> int:
        """The number of lines in ``body`` as the ordinary parser counts them."""
        return count_lines(body)

    def here(self, text: str, line: int, state: tuple[object, ...], label: str,
             options: ParseOptions) -> Generator[Event, None, tuple[object, ...]]:
        """Parse ``text`` (lines after line ``line``) the ordinary way, in the reading process;
        returns the parser state after it."""
        raise NotImplementedError

    def rest(self, stream: TextIO, line: int, state: tuple[object, ...], label: str,
             options: ParseOptions) -> Iterator[Event]:
        """The ordinary parser over the rest of the file (``stream`` starts at a cut point)."""
        raise NotImplementedError

    def events(self, chunk: Chunk, text: str) -> Iterator[Event]:
        """The ordinary parser's events for a chunk (given its state)."""
        assert chunk.reader is not None
        return self.rest(io.StringIO(text, newline=""), chunk.line - 1, chunk.reader.state, chunk.path,
                         chunk.options)

    def fast(self, chunk: Chunk, text: str) -> Opened | None:
        """The chunk (``text``: its text, which holds no undecodable bytes) parsed in bulk, or
        None when it holds anything unusual."""
        return None

    def read(self, source: Source[Any], plan: Plan, label: str, options: ParseOptions) -> Iterator[Event]:
        """The file as chunks (and, where needed, ordinary events), in order."""
        source.seek(plan.offset)
        line, state, at = plan.line, plan.state, plan.offset
        pending = source.empty
        limit = LONG_CHUNKS * CHUNK_BYTES
        while True:
            data = source.read(CHUNK_BYTES)
            if not data:
                if pending:
                    yield from self._emit(source, pending, line, state, label, options)
                return
            buf = pending + data if pending else data
            cut = self.cut(buf, state, label, options)
            while cut and source.spans:  # not inside a span: back to a cut point before it
                span = source.span(at + cut)
                if span is None:
                    break
                cut = self.cut(buf[: span[0] - at], state, label, options) if span[0] > at else None
            if not cut:
                if len(buf) > limit:  # no cut point: the ordinary parser reads the rest
                    yield from self.rest(source.reopen(buf), line, state, label, options)
                    return
                pending = buf
                continue
            body, pending = buf[:cut], buf[cut:]
            state = yield from self._emit(source, body, line, state, label, options)
            line += self.lines(source, body)
            at += cut

    def _emit(self, source: Source[S], body: S, line: int, state: tuple[object, ...], label: str,
              options: ParseOptions) -> Generator[Event, None, tuple[object, ...]]:
        if self.changes(body):
            return (yield from self.here(source.decode(body), line, state, label, options))
        yield Chunk(label, line + 1, body, options, "utf-8", Reader(self.name, state))
        return state


# ----------------------------------------------------------------------------- sources


class Source(Generic[S]):
    """The file being cut into chunks: UTF-8 bytes, or text for the other encodings."""

    empty: S
    spans: Sequence[tuple[int, int]] = ()  # from Bulk.prepass: disjoint, in order

    def span(self, end: int) -> tuple[int, int] | None:
        """The span in which a chunk ending at ``end`` would end, if any."""
        k = bisect_left(self.spans, (end,)) - 1
        return self.spans[k] if k >= 0 and self.spans[k][1] >= end else None

    def seek(self, offset: int) -> None:
        raise NotImplementedError

    def read(self, n: int) -> S:
        raise NotImplementedError

    def decode(self, data: S) -> str:
        raise NotImplementedError

    def reopen(self, pending: S) -> TextIO:
        """A text stream of ``pending`` (which starts at a line start) and the rest of the file."""
        raise NotImplementedError

    def text_stream(self) -> TextIO:
        """A new text stream of the whole file (for a look at its head)."""
        raise NotImplementedError

    def units(self, text: str) -> int:
        """The length of ``text`` (as read from :meth:`text_stream`) in the source's units."""
        raise NotImplementedError


class _Bytes(Source[bytes]):
    empty = b""

    def __init__(self, path: Path, raw: IO[bytes], start: int) -> None:
        self.path = path
        self.raw = raw
        self.start = start  # after a BOM

    def seek(self, offset: int) -> None:
        self.raw.seek(self.start + offset)

    def read(self, n: int) -> bytes:
        return self.raw.read(n)

    def decode(self, data: bytes) -> str:
        return data.decode("utf-8", ESCAPE)

    def reopen(self, pending: bytes) -> TextIO:
        at = self.raw.tell() - len(pending)
        raw = open(self.path, "rb")  # noqa: SIM115 - owned by the wrapper, closed with it
        raw.seek(at)
        return io.TextIOWrapper(raw, encoding="utf-8", errors=ESCAPE, newline="")

    def text_stream(self) -> TextIO:
        raw = open(self.path, "rb")  # noqa: SIM115 - owned by the wrapper, closed with it
        raw.seek(self.start)
        return io.TextIOWrapper(raw, encoding="utf-8", errors=ESCAPE, newline="")

    def units(self, text: str) -> int:
        return len(text.encode("utf-8", "surrogateescape"))


class _Text(Source[str]):
    empty = ""

    def __init__(self, path: Path, stream: TextIO) -> None:
        self.path = path
        self.stream = stream

    def seek(self, offset: int) -> None:
        self.stream.seek(0)
        while offset > 0:
            offset -= len(self.stream.read(min(offset, CHUNK_BYTES)) or "x" * offset)

    def read(self, n: int) -> str:
        return self.stream.read(n)

    def decode(self, data: str) -> str:
        return data

    def reopen(self, pending: str) -> TextIO:
        return cast(TextIO, _Joined(pending, self.stream))

    def text_stream(self) -> TextIO:
        return open_stream(self.path, self.stream.encoding)

    def units(self, text: str) -> int:
        return len(text)


class _Joined(io.TextIOBase):
    """``head`` followed by the rest of ``stream``, read with ``readline(limit)`` exactly as a
    ``newline=''`` text stream reads it (a CR at the end of the text read so far waits for
    the next character, to tell CR from CRLF)."""

    def __init__(self, head: str, stream: TextIO) -> None:
        super().__init__()
        self.buf = head
        self.stream = stream
        self.eof = False

    def _more(self) -> bool:
        if self.eof:
            return False
        data = self.stream.read(CHUNK_BYTES)
        if not data:
            self.eof = True
            return False
        self.buf += data
        return True

    def readable(self) -> bool:
        return True

    def readline(self, limit: int | None = -1) -> str:  # type: ignore[override]
        limit = -1 if limit is None else limit
        while True:
            buf = self.buf
            n = buf.find("\n")
            r = buf.find("\r", 0, n if n >= 0 else len(buf))
            if r >= 0 and r + 1 == len(buf) and self._more():
                continue  # CR at the end: CRLF or CR?
            end = r + 1 + (buf[r + 1 : r + 2] == "\n") if r >= 0 else n + 1 if n >= 0 else -1
            if end < 0:
                if (0 <= limit <= len(buf)) or not self._more():
                    end = len(buf)
                else:
                    continue
            if 0 <= limit < end:
                end = limit
            line, self.buf = buf[:end], buf[end:]
            return line

    def read(self, n: int | None = -1) -> str:
        n = -1 if n is None else n
        while (n < 0 or len(self.buf) < n) and self._more():
            pass
        out, self.buf = (self.buf, "") if n < 0 else (self.buf[:n], self.buf[n:])
        return out


def _source(path: Path, stream: TextIO, bulk: Bulk) -> Source[Any] | None:
    """The file under ``stream`` for cutting, or None when it must be read the ordinary way
    (see :meth:`Bulk.prepass`, or the stream is no plain seekable file)."""
    raw = getattr(stream, "buffer", None)
    if not isinstance(stream, io.TextIOWrapper) or raw is None:
        return None
    try:
        if not raw.seekable():
            return None
        name = codecs.lookup(stream.encoding).name
        source: Source[Any]
        if name in ("utf-8", "utf-8-sig"):
            with open(path, "rb") as f:  # the stream stays where it is, for the ordinary parser
                start = 3 if name == "utf-8-sig" and f.read(3) == codecs.BOM_UTF8 else 0
                spans = bulk.prepass(f, start)
            source = _Bytes(path, raw, start)
        else:
            with open_stream(path, stream.encoding) as other:
                spans = bulk.prepass(other, 0)
            stream.seek(0)
            source = _Text(path, stream)
    except (OSError, ValueError, LookupError):
        return None
    if spans is None:
        return None
    source.spans = _disjoint(spans)
    return source


def _disjoint(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(b, out[-1][1]))
        else:
            out.append((a, b))
    return out


def matches(pattern: re.Pattern[S], f: IO[S], start: int) -> Iterator[tuple[int, re.Match[S]]]:
    """(offset from ``start``, match) of ``pattern`` in the file, read in blocks; a match must be
    shorter than :data:`OVERLAP` (a match near the end of a block is looked for again, whole,
    in the next one)."""
    f.seek(start)
    base = 0  # offset of data[0]
    data = f.read(SCAN_BYTES)
    while data:
        more = f.read(SCAN_BYTES)
        last = len(data) if not more else len(data) - OVERLAP  # later matches: in the next round
        for m in pattern.finditer(data):
            if m.start() >= last:
                break
            yield base + m.start(), m
        if not more:
            return
        base += last
        data = data[last:] + more


OVERLAP = 256


# ----------------------------------------------------------------------------- header-line formats

#: A necessary condition for a recall notice that names its content (``markers.recall_content``:
#: 撤回了一条消息：…, 尝试撤回…：…, 拦截到…撤回…：…), the only recall of the header-line formats.
RECALL = re.compile(r"撤回[^\n\r]{0,10}[：:]")
RECALL_BYTES = re.compile("撤回".encode() + rb"[^\n\r]{0,40}(?:" + "：".encode() + rb"|:)")
#: 'YYYY-M-D' / 'YYYY-MM-DD' that are valid dates (all but February 29th, which the spec checks)
VALID_DATE = (r"(?!0000)[0-9]{4}-(?:(?:0?[1-9]|1[0-2])-(?:0?[1-9]|1[0-9]|2[0-8])|(?:0?[13-9]|1[0-2])-(?:29|30)"
              r"|(?:0?[13578]|1[02])-31)")
VALID_DATE2 = (r"(?!0000)[0-9]{4}-(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])|(?:0[13-9]|1[0-2])-(?:29|30)"
               r"|(?:0[13578]|1[02])-31)")

MAX_HEAD = 4096  # a cut point's header line is at most this long (bytes)


class BlockBulk(Bulk):
    """Bulk reading of a header-line text format (``blocks.run_blocks``).

    Subclasses give the ordinary parser (:meth:`spec`, :meth:`state_of`), the regular
    expressions of the bulk parse and :meth:`plain`, which says which messages the bulk
    parse may take as they are."""

    blank_before = True  # as the BlockSpec: a header line follows a blank line
    #: lines that start a candidate header (a superset of the spec's header lines), at a line start
    cand: str
    #: a header line of the plain, common shape, as groups for :meth:`plain` (a subset of the
    #: spec's header lines: a line it matches is a header line, read the same way)
    head: re.Pattern[str]
    #: substrings of anything in a chunk that sends it through the ordinary parser
    odd: tuple[str, ...] = ()

    def __init__(self) -> None:
        sep = r"(\n[^\S\n]*\n)" if self.blank_before else r"(\n)"
        self.split = re.compile(sep + rf"((?:{self.cand})[^\n]*)")
        self.cand_start = re.compile(self.cand)
        self.prefix = "\n\n" if self.blank_before else "\n"

    # -- the ordinary parser
    def spec(self, label: str, options: ParseOptions, state: tuple[object, ...]) -> Any:
        raise NotImplementedError

    def state_of(self, spec: Any) -> tuple[object, ...]:
        return ()

    def plan(self, source: Source[Any], label: str, options: ParseOptions) -> Plan | None:
        return Plan(0, 0, self.state_of(self.spec(label, options, ())))

    def lines(self, source: Source[S], body: S) -> int:
        from .blocks import MAX_LINE, iter_lines

        if len(body) < MAX_LINE:
            return count_lines(body)
        # a line longer than MAX_LINE is read in pieces that share its number
        n = 0
        for n, _ in iter_lines(io.StringIO(source.decode(body), newline="")):
            pass
        return n

    def here(self, text: str, line: int, state: tuple[object, ...], label: str,
             options: ParseOptions) -> Generator[Event, None, tuple[object, ...]]:
        from .blocks import iter_lines, run_blocks

        spec = self.spec(label, options, state)
        yield from run_blocks(_numbered(iter_lines(io.StringIO(text, newline="")), line), spec)
        return self.state_of(spec)

    def rest(self, stream: TextIO, line: int, state: tuple[object, ...], label: str,
             options: ParseOptions) -> Iterator[Event]:
        from .blocks import iter_lines, run_blocks

        with stream:
            yield from run_blocks(_numbered(iter_lines(stream), line), self.spec(label, options, state))

    # -- cutting
    def cut(self, buf: S, state: tuple[object, ...], label: str, options: ParseOptions) -> int | None:
        from .blocks import MAX_LINE

        nl: Any = "\n" if isinstance(buf, str) else b"\n"
        cr: Any = "\r" if isinstance(buf, str) else b"\r"
        stop = buf.rfind(nl)  # the header line after a cut must be complete
        spec = None
        while stop > 0:
            if self.blank_before:  # after an empty line (LF or CRLF)
                a, b = buf.rfind(nl + nl, 0, stop), buf.rfind(nl + cr + nl, 0, stop)
                at = max(a + 2 if a >= 0 else -1, b + 3 if b >= 0 else -1)
            else:
                at = buf.rfind(nl, 0, stop) + 1
            if at <= 0:
                return None
            end = buf.find(nl, at)
            if end - at < min(MAX_HEAD, MAX_LINE - 1):  # read whole by the line reader, whatever the line end
                if spec is None:
                    spec = self.spec(label, options, state)
                line = buf[at:end]
                text = line.decode("utf-8", ESCAPE) if isinstance(line, bytes) else line
                text = text.rstrip("\r\n")
                if self.cand_start.match(text) and not _SURROGATE.search(text) and spec.header(
                        text, text.strip()) is not None:
                    return at
            stop = at - 1
        return None

    # -- the bulk parse
    def plain(self, spec: Any, found: list[Any], texts: list[str], chunk_text: str) -> list[bool] | None:
        """Which messages (one ``head`` match each, None for a header line of another shape) the
        bulk parse takes as they are (their text as :meth:`texts` gives it, not blank: a message;
        blank: dropped); None: all of them.  The others go through the spec's header and
        message steps.  Raises :class:`Unusual` to send the chunk to the ordinary parser."""
        return None

    def texts(self, found: list[Any], bodies: list[str], chunk_text: str) -> list[str]:
        """The messages' texts from the raw bodies (each "" or "\\n" + its lines); only those of
        plain messages are used."""
        return strip_edges(bodies, chunk_text)

    def fast(self, chunk: Chunk, text: str) -> Opened | None:
        assert chunk.reader is not None
        if "\r" in text:
            if text.count("\r") != text.count("\r\n"):
                return None
            text = text.replace("\r\n", "\n")
        from .blocks import MAX_LINE

        if len(text) >= MAX_LINE or self.window.search(text) or any(odd in text for odd in self.odd):
            return None
        full = self.prefix + text
        parts = self.split.split(full)
        if parts[0]:
            return None  # content before the first header (the ordinary parser makes it an orphan)
        seps, heads, bodies = parts[1::3], parts[2::3], parts[3::3]
        spec = self.spec(chunk.path, chunk.options, chunk.reader.state)
        if _SURROGATE.search(spec.conversation or ""):
            return None  # finish() reports and repairs it
        joined = "\n" + "\n".join(heads) + "\n"
        found = self.head.findall(joined)
        odd: list[int] = []
        if len(found) != len(heads):
            merged = _merge(self.head, spec, seps, heads, bodies)
            if merged is None:
                return None
            seps, heads, bodies, odd = merged
            found = [_groups(self.head, h) for h in heads]
        return _Parsed(self, spec, chunk, full, seps, heads, bodies, found, odd).opened()


def _numbered(lines: Iterable[tuple[int, str]], base: int) -> Iterator[tuple[int, str]]:
    for n, line in lines:
        yield n + base, line


def _groups(head: re.Pattern[str], line: str) -> Any:
    """What ``findall`` gives for one line, or None when ``head`` does not match it."""
    s = "\n" + line + "\n"
    m = head.match(s)
    if m is None or m.end() != len(s) - 1:
        return None
    g = m.groups("")  # as findall gives them
    return g if len(g) != 1 else g[0]


def _merge(head: re.Pattern[str], spec: Any, seps: list[str], heads: list[str],
           bodies: list[str]) -> tuple[list[str], list[str], list[str], list[int]] | None:
    """Candidate header lines that are not of the plain shape: a line the spec takes for a
    header starts a message the bulk parse leaves to the spec (its index is listed); any other
    line is message text, joined to the message before it."""
    s: list[str] = []
    h: list[str] = []
    b: list[str] = []
    odd: list[int] = []
    for sep, line, body in zip(seps, heads, bodies, strict=True):
        if _groups(head, line) is None:
            if spec.header(line, line.strip()) is None:
                if not h:
                    return None  # text before the first header
                b[-1] += sep + line + body
                continue
            odd.append(len(h))
        s.append(sep)
        h.append(line)
        b.append(body)
    return s, h, b, odd


EDGES = re.compile(r"\A(?:[^\S\n]*\n)+|(?:\n[^\S\n]*)+\Z")
_BLANK_LINE = re.compile(r"\n[^\S\n]+(?=\n|\Z)")


def strip_edges(bodies: list[str], chunk_text: str) -> list[str]:
    """Message texts as ``_Block.text`` makes them: blank lines (whitespace only) at the start
    and end removed.  Bodies are "" or "\\n" + lines."""
    if _BLANK_LINE.search(chunk_text) is None:
        return [b.strip("\n") for b in bodies]
    return [EDGES.sub("", b) for b in bodies]


class _Parsed:
    """The messages of one chunk, found in bulk."""

    def __init__(self, bulk: BlockBulk, spec: Any, chunk: Chunk, full: str, seps: list[str],
                 heads: list[str], bodies: list[str], found: list[Any], odd: list[int]) -> None:
        self.bulk = bulk
        self.spec = spec
        self.chunk = chunk
        self.full = full
        self.seps = seps
        self.heads = heads
        self.bodies = bodies
        self.found = found
        self.odd = odd
        self._starts: list[int] | None = None
        self._counted = (len(bulk.prefix), chunk.line)  # (offset in full, line there)

    def lineno(self, k: int) -> int:
        """Line of piece k's header (asked for in increasing k, mostly)."""
        if self._starts is None:
            sizes = map(add, map(add, map(len, self.seps), map(len, self.heads)), map(len, self.bodies))
            self._starts = [0, *accumulate(sizes)]
        start = self._starts[k] + len(self.seps[k])
        at, line = self._counted
        if start < at:
            at, line = len(self.bulk.prefix), self.chunk.line
        line += self.full.count("\n", at, start)
        self._counted = (start, line)
        return line

    def exact(self, k: int) -> Message | None:
        """Piece k through the spec's own header and message steps."""
        from .blocks import _Block

        line = self.heads[k]
        head = self.spec.header(line, line.strip())
        if head is None:
            raise Unusual
        block = _Block(head, 0)
        body = self.bodies[k]
        for part in body[1:].split("\n") if body else ():
            block.add(part)
        if block.size > self.spec.max_chars:
            raise Unusual
        ev = self.spec.message(head, block.text(), self.lineno(k))
        if ev is not None and not isinstance(ev, Message):
            raise Unusual  # a recall: its window is the ordinary parser's business
        return ev

    def opened(self) -> Opened | None:
        heads, found = self.heads, self.found
        if max(map(len, self.bodies), default=0) + max(map(len, heads), default=0) >= self.spec.max_chars:
            return None
        texts = self.bulk.texts(found, self.bodies, self.full)
        conversation = masked_name(self.spec.conversation)
        try:
            plain = self.bulk.plain(self.spec, found, texts, self.full)
        except Unusual:
            return None
        if self.odd:
            plain = [True] * len(heads) if plain is None else plain
            for k in self.odd:
                plain[k] = False
        blank = list(map(str.strip, texts))  # "": a blank text, dropped
        if plain is None:  # the common case: every message as it is
            keep = list(compress(range(len(texts)), blank))
            return Opened([texts[k] for k in keep], [conversation] * len(keep), lambda i: self.message(keep[i]), [])
        # Messages the spec reads itself, merged in order with the plain ones
        built: dict[int, Message] = {}
        try:
            for k in compress(range(len(texts)), map(not_, plain)):
                ev = self.exact(k)
                if ev is not None:
                    built[k] = masked(ev)
        except Unusual:
            return None
        out: list[str] = []
        tos: list[str | None] = []
        where: list[int | Message] = []  # piece index (plain) or the message built
        at: list[int] = []
        count = 0
        for k in sorted([*compress(range(len(texts)), map(and_, plain, map(bool, blank))), *built]):
            m = built.get(k)
            if m is None:
                out.append(texts[k])
                tos.append(conversation)
                where.append(k)
                at.append(count)
            elif m.kind not in UNCHECKED_KINDS:
                out.append(m.text)
                tos.append(m.conversation)
                where.append(m)
                at.append(count)
            count += 1
        return Opened(out, tos, lambda i: self.message(where[i]), [], at, count)

    def message(self, w: int | Message) -> Message:
        if isinstance(w, Message):
            return w
        ev = self.exact(w)
        assert isinstance(ev, Message)
        return masked(ev)


class Unusual(Exception):
    """A message the bulk parse cannot take after all: the chunk goes to the ordinary parser."""


# ----------------------------------------------------------------------------- CSV


def _strict(delimiter: str) -> tuple[re.Pattern[str], re.Pattern[bytes]]:
    """Whole CSV records whose quotes only enclose whole fields (doubled inside), each ending
    in LF or CRLF: where such records end, the csv reader ends a record too, and reading
    from there gives the records the reader gives (a quote inside an unquoted field, text
    after a closing quote or a lone CR would make that uncertain)."""
    d = re.escape(delimiter)
    field = rf'(?:"(?:[^"]|"")*+"|[^"{d}\r\n]*+)'
    text = rf"(?:{field}(?:{d}{field})*+(?:\r\n|\n))*+"
    return re.compile(text), re.compile(text.encode())


_STRICT = {d: _strict(d) for d in (",", "\t", ";", "|")}


class CsvBulk(Bulk):
    """Bulk reading of a CSV export with a header row (``fields.csv_rows``): chunks are cut
    after whole records of the strict shape (:func:`_strict`); a stretch of another shape ends
    the chunks (the rest of the file is read the ordinary way).  Subclasses read the header
    (:meth:`header`) and the records (:meth:`row_events`, :meth:`rows_opened`)."""

    def header(self, row: list[str], label: str, options: ParseOptions) -> tuple[object, ...] | None:
        """The parser state after the header row (its last item is the delimiter), or None."""
        raise NotImplementedError

    def row_events(self, records: Iterator[tuple[int, list[str]] | BadRecord], label: str,
                   options: ParseOptions, state: tuple[object, ...]) -> Iterator[Event]:
        """The ordinary parser's events for the records after the header."""
        raise NotImplementedError

    def rows_opened(self, chunk: Chunk, rows: list[list[str]], lines: list[int], text: str) -> Opened | None:
        """The chunk's records (row k starts on line ``lines[k]``; ``text``: the chunk) parsed in bulk."""
        raise NotImplementedError

    def plan(self, source: Source[Any], label: str, options: ParseOptions) -> Plan | None:
        import csv

        from .fields import CSV_FIELD_LIMIT, csv_delimiter

        with source.text_stream() as stream:
            first = stream.readline(CSV_FIELD_LIMIT)
        head = first.removeprefix("\ufeff")
        d = csv_delimiter(head)
        if not first.endswith("\n") or _SURROGATE.search(first) or _STRICT[d][0].fullmatch(head) is None:
            return None  # a header the chunks cannot follow: the ordinary parser reads the file
        state = self.header(next(csv.reader([head], delimiter=d)), label, options)
        if state is None:
            return None
        return Plan(source.units(first), 1, (*state, d))

    def cut(self, buf: S, state: tuple[object, ...], label: str, options: ParseOptions) -> int | None:
        strict = _STRICT[str(state[-1])]
        m = strict[0].match(buf) if isinstance(buf, str) else strict[1].match(buf)
        return m.end() if m else None

    def rest(self, stream: TextIO, line: int, state: tuple[object, ...], label: str,
             options: ParseOptions) -> Iterator[Event]:
        from functools import partial

        from .fields import CSV_FIELD_LIMIT, csv_records

        with stream:
            lines = iter(partial(stream.readline, CSV_FIELD_LIMIT), "")
            yield from self.row_events(csv_records(lines, label, str(state[-1]), line), label, options, state)

    def fast(self, chunk: Chunk, text: str) -> Opened | None:
        import csv
        from functools import partial

        from .fields import CSV_FIELD_LIMIT, raise_field_limit

        assert chunk.reader is not None
        raise_field_limit()
        stream = io.StringIO(text, newline="")
        reader = csv.reader(iter(partial(stream.readline, CSV_FIELD_LIMIT), ""), delimiter=str(chunk.reader.state[-1]))
        try:
            rows = list(reader)
            lines = list(range(chunk.line, chunk.line + len(rows)))
            if len(rows) != count_lines(text):  # a quoted cell spans lines: where each record starts
                stream.seek(0)
                reader = csv.reader(iter(partial(stream.readline, CSV_FIELD_LIMIT), ""),
                                    delimiter=str(chunk.reader.state[-1]))
                lines = []
                start = chunk.line
                for _ in reader:
                    lines.append(start)
                    start = chunk.line + reader.line_num
        except csv.Error:
            return None
        try:
            return self.rows_opened(chunk, rows, lines, text)
        except Unusual:
            return None
