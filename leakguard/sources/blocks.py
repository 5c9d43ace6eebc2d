"""Line streaming and the header-block engine shared by the text formats.

Almost every text export is "a header line (sender + time), then content lines", with
messages separated by blank lines.  :class:`BlockSpec` subclasses say what a header, a
layout line (separators, date rules, banners) and a message look like in one format;
:func:`run_blocks` streams the lines and emits events.  Memory holds one message at a
time (split into parts of at most ``max_chars`` characters).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import NamedTuple, TextIO

from .base import Event, ParseOptions, Recall, make_message
from .markers import kind_of, recall_content, system_line

MAX_LINE = 1 << 20  # longer physical lines are read in pieces of this many characters


def iter_lines(stream: TextIO) -> Iterator[tuple[int, str]]:
    """(1-based line number, line without its CRLF/LF/CR ending).

    The stream must be opened with ``newline=''`` (textio.open_text does), so CR, LF and
    CRLF all end a line.  A line longer than MAX_LINE comes in several pieces that share
    one line number, so memory stays bounded even on a file without newlines.  A piece cut
    between the CR and the LF of a CRLF ends the line; the lone LF that follows is dropped.
    """
    n = 0
    whole = True
    cut_cr = False
    readline = stream.readline
    while True:
        s = readline(MAX_LINE)
        if not s:
            return
        if cut_cr and s == "\n":  # the LF of a CRLF the limit cut in two
            cut_cr = False
            continue
        if whole:
            n += 1
        # with newline='' a line ends in exactly one of CRLF, LF or CR
        whole = s[-1] in "\r\n"
        cut_cr = whole and len(s) == MAX_LINE and s[-1] == "\r"
        yield n, s.rstrip("\r\n") if whole else s


class Head(NamedTuple):
    """What a header line says about the message it starts."""

    sender: str | None
    time: str | None
    kind: str | None = None  # None: decided from the text's leading placeholder
    first: str | None = None  # content written on the header line itself
    conversation: str | None = None


class BlockSpec:
    """Per-format rules.  One instance parses one file (it may keep state)."""

    blank_before = True  # a header must follow a blank/layout line or the file start
    notices = False  # recognise standalone client-notice lines (撤回, 加入本群 …)
    notice_needs_blank = True  # … only right after a blank/layout line
    max_chars = 256 * 1024

    def __init__(self, label: str, options: ParseOptions) -> None:
        self.label = label
        self.options = options
        self.conversation: str | None = None
        self.boundary = True  # set by run_blocks: the line follows a blank/layout line

    def layout(self, line: str, stripped: str, lineno: int) -> bool:
        """Consume a structural line (separator, date rule, banner); True if it was one."""
        return False

    def header(self, line: str, stripped: str) -> Head | None:
        raise NotImplementedError

    def orphan(self) -> Head:
        """Head for content that appears before any header."""
        return Head(None, None, conversation=self.conversation)

    def message(self, head: Head, text: str, lineno: int) -> Event | None:
        """Build the event for a finished block; None drops an empty block."""
        if not text.strip():
            return None
        kind = head.kind or kind_of(text)
        if kind == "system":
            found = recall_content(text)
            if found:
                return self.recall(found[0] or head.sender, found[1], head, lineno)
        return make_message(
            text, self.label, lineno, sender=head.sender, time=head.time,
            conversation=head.conversation, kind=kind,
        )

    def recall(self, who: str | None, content: str, head: Head, lineno: int) -> Recall:
        fallback = make_message(
            content, self.label, lineno, sender=who, time=head.time,
            conversation=head.conversation, kind="recall",
        )
        return Recall(None, content, who, fallback)

    def notice(self, stripped: str, lineno: int) -> Event | None:
        head = Head(None, None, "system", conversation=self.conversation)
        return self.message(head, stripped, lineno)


class _Block:
    __slots__ = ("head", "line", "parts", "size")

    def __init__(self, head: Head, line: int) -> None:
        self.head = head
        self.line = line
        self.parts: list[str] = [] if head.first is None else [head.first]
        self.size = len(head.first or "")

    def add(self, line: str) -> None:
        self.parts.append(line)
        self.size += len(line) + 1

    def extend(self, piece: str) -> None:
        """Continue the last line (a physical line longer than MAX_LINE comes in pieces)."""
        if self.parts:
            self.parts[-1] += piece
        else:
            self.parts.append(piece)
        self.size += len(piece)

    def text(self) -> str:
        parts = self.parts
        while parts and not parts[-1].strip():
            parts.pop()
        start = 0
        while start < len(parts) and not parts[start].strip():
            start += 1
        return "\n".join(parts[start:])


def block_parser(spec_class: Callable[[str, ParseOptions], BlockSpec]) -> Callable[[TextIO, str, ParseOptions], Iterator[Event]]:
    """The stream parser of a header-line text format: its lines through :func:`run_blocks`."""

    def parse(stream: TextIO, label: str, options: ParseOptions) -> Iterator[Event]:
        return run_blocks(iter_lines(stream), spec_class(label, options))

    return parse


def run_blocks(lines: Iterable[tuple[int, str]], spec: BlockSpec) -> Iterator[Event]:
    cur: _Block | None = None
    boundary = True  # at file start, or after a blank or layout line
    last = 0
    for n, line in lines:
        if n == last and cur is not None:  # another piece of an over-long line
            if cur.size > spec.max_chars:
                yield from _flush(spec, cur)
                cur = _Block(cur.head._replace(first=None), n)
            cur.extend(line)
            continue
        last = n
        stripped = line.strip()
        spec.boundary = boundary
        if spec.layout(line, stripped, n):
            yield from _flush(spec, cur)
            cur, boundary = None, True
            continue
        head = spec.header(line, stripped) if (boundary or not spec.blank_before) and stripped else None
        if head is not None:
            yield from _flush(spec, cur)
            cur, boundary = _Block(head, n), False
            continue
        if spec.notices and (boundary or not spec.notice_needs_blank) and system_line(stripped):
            yield from _flush(spec, cur)
            ev = spec.notice(stripped, n)
            if ev is not None:
                yield ev
            cur, boundary = None, False
            continue
        if cur is None:
            if not stripped:
                boundary = True
                continue
            cur = _Block(spec.orphan(), n)
        if cur.size > spec.max_chars:
            yield from _flush(spec, cur)
            cur = _Block(cur.head._replace(first=None), n)
        cur.add(line)
        boundary = not stripped
    yield from _flush(spec, cur)


def _flush(spec: BlockSpec, block: _Block | None) -> Iterator[Event]:
    if block is None:
        return
    ev = spec.message(block.head, block.text(), block.line)
    if ev is not None:
        yield ev
