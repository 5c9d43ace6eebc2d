"""Value types of the sources layer and the post-processing every parser shares.

A parser turns one export into *events*: plain :class:`Message` / :class:`BadRecord`
items, :class:`Keyed` messages (a message with the id a later recall may name) and
:class:`Recall` notices.  :func:`finish` resolves recalls against a bounded window of
recent messages (memory stays flat), numbers the messages and replaces undecodable
bytes, so every format's ``parse`` yields only ``Message | BadRecord``.
"""

from __future__ import annotations

import codecs
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import AnyStr, TextIO

#: Message kinds emitted by the parsers.  ``text`` is user text; ``system`` is a client
#: notice (join, pat, date bar, content-less recall notice); ``recall`` is a recall whose
#: original message could not be found (its text is the recalled content when known).
KINDS = (
    "text", "quote", "image", "voice", "video", "sticker", "file", "link", "card", "attachment",
    "location", "transfer", "forward", "call", "recall", "system",
)


@dataclass(frozen=True, slots=True)
class Message:
    text: str
    conversation: str | None
    sender: str | None
    time: str | None  # ISO 8601 'YYYY-MM-DDTHH:MM:SS' (+zone when known/assumed) or None
    path: str  # source file; for archives 'export.zip!member'
    line: int  # 1-based line where the message starts (JSON: line of the object's '{')
    index: int  # 0-based message index within the whole scan input
    kind: str = "text"
    recalled: bool = False


@dataclass(frozen=True, slots=True)
class BadRecord:
    """A record that could not be parsed (or a file that could not be read: line 0).

    ``reason`` is always one printable line (at most MAX_REASON characters): reasons quote
    pieces of the input (a header row, a field name), which may hold line breaks or
    undecodable bytes."""

    path: str
    line: int
    reason: str

    @property
    def where(self) -> str:
        """``path:line``, or the path alone for a whole file (line 0)."""
        return f"{self.path}:{self.line}" if self.line else self.path

    def __post_init__(self) -> None:
        reason = one_line(self.reason)
        if reason != self.reason:
            object.__setattr__(self, "reason", reason)


Item = Message | BadRecord

MAX_REASON = 300
_BREAKS = re.compile(r"[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]+")
_UNPRINTABLE = re.compile(r"[\ud800-\udfff]")


def one_line(text: str) -> str:
    """``text`` on one line (line breaks shown as ⏎), lone surrogates replaced, length capped."""
    if _BREAKS.search(text):
        text = _BREAKS.sub(" ⏎ ", text)
    if _UNPRINTABLE.search(text):
        text = _UNPRINTABLE.sub("\ufffd", text)
    return text if len(text) <= MAX_REASON else text[: MAX_REASON - 1] + "…"


def _escape_bytes(e: UnicodeError) -> tuple[str, int]:
    """Codec error handler ``leakguard-escape``: like ``surrogateescape`` but for every byte.

    ``surrogateescape`` refuses bytes below 0x80, and a UTF-16 or GB18030 error can involve
    them (a truncated UTF-16 unit, an unpaired surrogate, a GB18030 lead byte before ASCII),
    which made the decode raise mid-file.  Each undecodable byte b becomes U+DC00+b; :func:`finish`
    reports the message as a BadRecord and replaces them with U+FFFD."""
    if isinstance(e, UnicodeDecodeError):
        return "".join(chr(0xDC00 | b) for b in e.object[e.start : e.end]), e.end
    raise e


ESCAPE = "leakguard-escape"
codecs.register_error(ESCAPE, _escape_bytes)


@dataclass(frozen=True, slots=True)
class ParseOptions:
    text_field: str | None = None  # generic CSV/JSON: column or (dotted) key holding the text
    chunks: bool = False  # JSON Lines may come as undecoded Chunk items (the bulk-scan fast path)


@dataclass(frozen=True, slots=True)
class Reader:
    """Which format reads a :class:`Chunk` that is not JSON Lines, and the format's parser
    state at the chunk's first line (e.g. the QQ conversation named by an earlier
    ``消息对象`` line).  Small and picklable: it travels to the worker with the chunk."""

    format: str
    state: tuple[object, ...] = ()


@dataclass(frozen=True, slots=True)
class Chunk:
    """Complete, not yet parsed lines or records of one file (``leakguard.sources.chunks`` for
    JSON Lines, ``leakguard.sources.bulk`` for the other formats that have a bulk reader).

    Only with ``ParseOptions(chunks=True)``: the scanner decodes and checks a chunk in one go
    (in a worker process with ``--jobs``) and builds :class:`Message` objects only for the
    messages it reports.  ``line`` is the 1-based line number of the chunk's first line.
    ``body`` is the lines as text, or as the file's bytes in ``encoding`` (a UTF-8 file is
    handed over undecoded: with ``--jobs`` the worker, not the reading process, decodes it).
    ``reader`` is None for JSON Lines."""

    path: str
    line: int
    body: str | bytes
    options: ParseOptions
    encoding: str = "utf-8"
    reader: Reader | None = None

    @property
    def text(self) -> str:
        """The lines as text; undecodable bytes as lone surrogates, as a text stream gives them."""
        body = self.body
        return body if isinstance(body, str) else body.decode(self.encoding, ESCAPE)


def count_lines(text: AnyStr) -> int:
    """Lines in ``text`` as a ``newline=''`` stream counts them (\\n, \\r and \\r\\n end one);
    the same count for UTF-8 bytes."""
    nl, cr = ("\n", "\r") if isinstance(text, str) else (b"\n", b"\r")
    ends = text.count(nl)
    if cr in text:
        ends += text.count(cr) - text.count(cr + nl)
    return ends + (not text.endswith((nl, cr)))


@dataclass(frozen=True, slots=True)
class Keyed:
    """A message carrying the source's message id, so that a later recall can find it."""

    key: str
    message: Message


@dataclass(frozen=True, slots=True)
class Recall:
    """A recall notice.  ``key`` names the recalled message's id, ``text`` its content."""

    key: str | None
    text: str | None
    sender: str | None
    fallback: Message  # emitted (kind='recall') when the original is not in the window


#: Message kinds that are numbered but not checked (client notices); ``scan`` counts them.
UNCHECKED_KINDS = frozenset({"system"})

Event = Message | BadRecord | Keyed | Recall | Chunk
Unit = Message | BadRecord | Chunk  # what a parser yields (chunks only with ParseOptions(chunks=True))
StreamParser = Callable[[TextIO, str, ParseOptions], Iterator[Event]]
Sniffer = Callable[[str, Path], float]
PathParser = Callable[[Path, "str | None", ParseOptions], Iterator["Unit"]]


@dataclass(frozen=True, slots=True)
class Format:
    name: str
    description: str
    sniff: Sniffer  # (first ~64 KB of text, path) -> score 0..1
    parse: PathParser  # (path, encoding, options) -> messages and bad records
    body: StreamParser | None = None  # the same parser over an open text stream (zip members)


def make_message(
    text: str,
    label: str,
    line: int,
    *,
    sender: str | None = None,
    time: str | None = None,
    conversation: str | None = None,
    kind: str = "text",
) -> Message:
    return Message(text, conversation, sender, time, label, line, 0, kind)


def with_index(m: Message, index: int) -> Message:
    """``m`` numbered ``index``.

    Messages travel from their parser through :func:`finish` to ``iter_messages`` without
    anyone else holding them, so the number is written into the not-yet-published
    object (building a new frozen dataclass per message would cost a few µs each, which
    is most of the parsing time on a multi-GB log)."""
    if m.index != index:
        object.__setattr__(m, "index", index)
    return m


RECALL_WINDOW = 2000
#: characters of message text the window may hold: 2000 chat messages are ~100k characters,
#: but a file without newlines comes as 2000 one-MB "messages", which must not all be held
WINDOW_CHARS = 8 << 20
_SURROGATE = re.compile(r"[\ud800-\udfff]")


class _Window:
    """The last RECALL_WINDOW items (and at most WINDOW_CHARS characters of text), held back
    so a recall can still mark them."""

    def __init__(self, size: int, chars: int = WINDOW_CHARS) -> None:
        self.size = size
        self.max_chars = chars
        self.chars = 0
        self.queue: deque[list[object]] = deque()  # cells [key, item]
        self.by_key: dict[str, list[object]] = {}

    def push(self, key: str | None, item: Item) -> Item | None:
        """Hold ``item``; return the oldest held item once the window is full (call
        :meth:`full` and ``_pop`` for any further ones)."""
        cell: list[object] = [key, item]
        queue = self.queue
        queue.append(cell)
        if item.__class__ is Message:
            self.chars += len(item.text)
        if key is not None:
            self.by_key[key] = cell
        if len(queue) > self.size or (self.chars > self.max_chars and len(queue) > 1):
            return self._pop()
        return None

    def full(self) -> bool:
        return len(self.queue) > self.size or (self.chars > self.max_chars and len(self.queue) > 1)

    def _pop(self) -> Item:
        cell = self.queue.popleft()
        key, item = cell
        if isinstance(key, str) and self.by_key.get(key) is cell:
            del self.by_key[key]
        assert isinstance(item, (Message, BadRecord))
        if isinstance(item, Message):
            self.chars -= len(item.text)
        return item

    def mark(self, recall: Recall) -> bool:
        cell = self.by_key.get(recall.key) if recall.key is not None else None
        if cell is None and recall.text:
            cell = self._find_text(recall.text.strip(), recall.sender)
        if cell is None or not isinstance(cell[1], Message):
            return False
        m = cell[1]
        cell[1] = Message(m.text, m.conversation, m.sender, m.time, m.path, m.line, m.index, m.kind, True)
        return True

    def _find_text(self, text: str, sender: str | None) -> list[object] | None:
        for cell in reversed(self.queue):
            msg = cell[1]
            if not isinstance(msg, Message) or msg.kind in ("system", "recall"):
                continue
            if sender and msg.sender and sender not in msg.sender and msg.sender not in sender:
                continue
            if msg.text.strip() == text:
                return cell
        return None

    def drain(self) -> Iterator[Item]:
        while self.queue:
            yield self._pop()


def finish(events: Iterable[Event], window: int = RECALL_WINDOW) -> Iterator[Unit]:
    """Resolve recalls, number messages per file (0-based), repair undecodable text and mask
    personal data in sender and conversation names."""
    win = _Window(window)
    index = 0
    search = _SURROGATE.search
    for item in _resolved(events, win):
        if item.__class__ is not Message:
            yield item
            continue
        assert isinstance(item, Message)
        sender, conversation = item.sender, item.conversation
        if search(item.text) or (sender and search(sender)) or (conversation and search(conversation)):
            yield BadRecord(item.path, item.line, "undecodable bytes replaced with U+FFFD")
            item = _repaired(item)
            sender, conversation = item.sender, item.conversation
        masked_sender, masked_conversation = masked_name(sender), masked_name(conversation)
        if masked_sender is not sender or masked_conversation is not conversation:
            item = replace(item, sender=masked_sender, conversation=masked_conversation)
        if item.index != index:
            object.__setattr__(item, "index", index)  # with_index: the object is not published yet
        yield item
        index += 1


_NAMES: dict[str, str] = {}  # name -> masked name (names repeat: one check per distinct name)
_NAME_KINDS = ("cn_id", "mobile", "bank_card")


def masked_name(name: str | None) -> str | None:
    """A sender or conversation name with ID, mobile and bank card numbers masked.

    WhatsApp names an unsaved contact by phone number (``+86 136 8388 2220``), and a name can
    carry an ID number; names are printed in every report, where personal data is never
    shown raw (the export keeps them, at the message's path:line).  Returns ``name`` itself
    when nothing is masked."""
    if not name:
        return name
    done = _NAMES.get(name)
    if done is None:
        done = _mask_numbers(name) if len(name) >= 7 and sum(map(str.isdigit, name)) >= 7 else name
        if len(_NAMES) >= 65536:
            _NAMES.clear()
        _NAMES[name] = done
    return done if done != name else name


def _mask_numbers(name: str) -> str:
    from ..detectors import detect, mask  # deferred: compiled on first use
    from ..normalise import normalise

    n = normalise(name)
    out = name
    for d in reversed(detect(n.text, _NAME_KINDS)):
        if d.sensitive:
            a, b = n.to_original(d.start, d.end)
            out = out[:a] + mask(d.kind, d.value) + out[b:]
    return out


def _repaired(m: Message) -> Message:
    def fix(value: str | None) -> str | None:
        return _SURROGATE.sub("\ufffd", value) if value else value

    return replace(m, text=fix(m.text) or "", sender=fix(m.sender), conversation=fix(m.conversation))


def _resolved(events: Iterable[Event], win: _Window) -> Iterator[Unit]:
    push = win.push
    try:
        for ev in events:
            cls = ev.__class__
            if cls is Message or cls is BadRecord:
                out = push(None, ev)  # type: ignore[arg-type]
            elif cls is Keyed:
                out = push(ev.key, ev.message)  # type: ignore[union-attr]
            elif cls is Recall:
                out = None if win.mark(ev) else push(None, ev.fallback)  # type: ignore[arg-type, union-attr]
            elif cls is Chunk:  # a recall can no longer reach what came before it
                yield from win.drain()
                yield ev  # type: ignore[misc]
                continue
            else:
                out = push(None, ev)  # type: ignore[arg-type]
            if out is not None:
                yield out
                while win.full():
                    yield win._pop()
    except Exception:
        # A parser failed mid-file: the messages held for recalls were read fine, so they
        # still go out before the error (the registry reports it as a BadRecord).
        yield from win.drain()
        raise
    yield from win.drain()
