"""WhatsApp chat export (.txt): Android 'D/M/YY, HH:MM - Name: text' and iOS
'[M/D/YY, h:mm:ss AM] Name: text', including zh/ja/ko 12-hour markers, U+200E marks,
U+202F before AM/PM, '~ ' non-contact prefixes and multi-line messages.

Times keep the phone's local wall-clock (no zone).  The day/month order is decided from
the first lines of the file (any component > 12 settles it; else AM/PM means M/D, a dot
separator or a 24-hour clock means D/M); a line whose own numbers settle it wins.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from .base import Event, ParseOptions
from .blocks import BlockSpec, Head, iter_lines, run_blocks
from .bulk import EDGES, RECALL, RECALL_BYTES, BlockBulk, Plan, Source, Unusual, bulk_format
from .streams import head_lines, member_name, share
from .timefmt import hour24, iso, valid, year4

_MARKS = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\ufeff"
_HEAD = re.compile(
    rf"[{_MARKS}]*(?P<br>\[)?(?P<a>\d{{1,4}})(?P<sep>[-/.])\s?(?P<b>\d{{1,2}})[-/.]\s?(?P<c>\d{{1,4}})[,.]?\s+"
    r"(?:(?P<pre>上午|下午|午前|午後|오전|오후)\s?)?"
    r"(?P<h>\d{1,2})[.:](?P<mi>\d{2})(?:[.:](?P<s>\d{2}))?"
    r"(?:[\s\u202f\u00a0_]?(?P<ampm>[AaPp]\.?\s?[Mm]\.?|上午|下午))?"
    r"(?(br)\]\s|\s[-–]\s)(?P<rest>.*)"
)
_NAME = re.compile(rf"[{_MARKS}]*(?:~\s?)?(?P<name>[^:\"\n]{{1,80}}?): (?P<text>.*)")
_E2E = re.compile(r"(?:Messages and calls are end-to-end encrypted|消息和通话已进行端到端加密|訊息和通話已端對端加密).*")
_DELETED = re.compile(
    r"(?:This message was deleted|You deleted this message|这条消息已删除|此消息已删除|此訊息已刪除|你删除了此消息)\.?"
)
_FILE_NAMES = (
    re.compile(r"WhatsApp Chat (?:with|-) (.+)\.txt", re.IGNORECASE),
    re.compile(r"与(.+?)的 ?WhatsApp ?聊天\.txt"),
    re.compile(r"與(.+?)的 ?WhatsApp ?對話\.txt"),
)
_PROBE_LINES = 2000


def _order(lines: list[str]) -> str:
    """'dmy' or 'mdy' for the ambiguous lines of this file."""
    dmy = mdy = ampm = dots = 0
    for line in lines:
        m = _HEAD.match(line)
        if not m or len(m["a"]) == 4:
            continue
        a, b = int(m["a"]), int(m["b"])
        dmy += a > 12
        mdy += b > 12
        ampm += bool(m["ampm"] or m["pre"])
        dots += m["sep"] == "."
    if dmy != mdy:
        return "dmy" if dmy > mdy else "mdy"
    return "mdy" if ampm and not dots else "dmy"


class WhatsAppTxt(BlockSpec):
    blank_before = False

    def __init__(self, label: str, options: ParseOptions, order: str = "dmy") -> None:
        super().__init__(label, options)
        self.order = order
        name = member_name(label)
        for rx in _FILE_NAMES:
            found = rx.fullmatch(name)
            if found:
                self.conversation = found[1].strip()

    def _date(self, m: re.Match[str]) -> tuple[int, int, int]:
        return self._date_of(m["a"], int(m["b"]), int(m["c"]))

    def _date_of(self, a_digits: str, b: int, c: int) -> tuple[int, int, int]:
        a = int(a_digits)
        if len(a_digits) == 4:
            return a, b, c
        if a > 12 or (self.order == "dmy" and b <= 12):
            return year4(c), b, a
        return year4(c), a, b

    def header(self, line: str, stripped: str) -> Head | None:
        m = _HEAD.fullmatch(line)
        if not m:
            return None
        y, mo, d = self._date(m)
        hour = hour24(int(m["h"]), m["pre"] or m["ampm"])
        when = iso(y, mo, d, hour, int(m["mi"]), int(m["s"] or 0))
        if when is None:
            return None
        rest = m["rest"]
        who = _NAME.fullmatch(rest)
        if who is None:
            return Head(None, when, "system", first=rest.lstrip(_MARKS), conversation=self.conversation)
        text = who["text"].lstrip(_MARKS)
        kind = "system" if _E2E.fullmatch(text) else "recall" if _DELETED.fullmatch(text.strip()) else None
        return Head(who["name"].strip(), when, kind, first=text, conversation=self.conversation)


def _body(stream: TextIO, label: str, options: ParseOptions) -> Iterator[Event]:
    lines = iter_lines(stream)
    probe = list(itertools.islice(lines, _PROBE_LINES))
    spec = WhatsAppTxt(label, options, _order([ln for _, ln in probe]))
    return run_blocks(itertools.chain(probe, lines), spec)


def _sniff(head: str, path: Path) -> float:
    lines = [ln for ln in head_lines(head, 200) if ln.strip()]
    score = share(lines, _HEAD)
    if score and any(_E2E.search(ln) for ln in lines[:5]):
        return 0.95
    return 0.4 + 0.5 * score if score >= 0.5 else 0.0


_NOT_NL = r"[^\S\n]"  # \s on one line
_DAY = re.compile(r"(\d{1,4})[-/.]\s?(\d{1,2})[-/.]\s?(\d{1,4})")
_E2E_MARKS = ("end-to-end encrypted", "端到端加密", "端對端加密")


class WhatsAppBulk(BlockBulk):
    """Bulk reading (:mod:`.bulk`): a chunk starts at a header line; notices without a sender
    and the end-to-end notice go through the spec.  The day/month order is probed from the
    first lines of the file, as the ordinary parser does."""

    blank_before = False
    window, window_bytes = RECALL, RECALL_BYTES
    cand = rf"[{_MARKS}]*\[?\d{{1,4}}[-/.]"
    # _HEAD with ASCII digits, valid times and (inline) _NAME; \s kept to the line
    head = re.compile(
        rf"\n[{_MARKS}]*(\[)?([0-9]{{1,4}}[-/.]{_NOT_NL}?[0-9]{{1,2}}[-/.]{_NOT_NL}?[0-9]{{1,4}})[,.]?{_NOT_NL}+"
        rf"(?:(?:上午|下午|午前|午後|오전|오후){_NOT_NL}?)?(?:[01]?[0-9]|2[0-3])[.:][0-5][0-9](?:[.:][0-9]{{2}})?"
        rf"(?:(?:{_NOT_NL}|_)?(?:[AaPp]\.?{_NOT_NL}?[Mm]\.?|上午|下午))?"
        rf"(?(1)\]{_NOT_NL}|{_NOT_NL}[-–]{_NOT_NL})"
        rf"(?:[{_MARKS}]*(?:~{_NOT_NL}?)?([^:\"\n]{{1,80}}?): ([^\n]*)|[^\n]*)(?=\n)"
    )

    def spec(self, label: str, options: ParseOptions, state: tuple[object, ...]) -> WhatsAppTxt:
        if not state:
            return WhatsAppTxt(label, options)
        spec = WhatsAppTxt(label, options, str(state[0]))
        spec.conversation = state[1]  # type: ignore[assignment]  # named after the file by the reading process
        return spec

    def state_of(self, spec: Any) -> tuple[object, ...]:
        return (spec.order, spec.conversation)

    def plan(self, source: Source[Any], label: str, options: ParseOptions) -> Plan | None:
        with source.text_stream() as stream:
            probe = [ln for _, ln in itertools.islice(iter_lines(stream), _PROBE_LINES)]
        return Plan(0, 0, (_order(probe), WhatsAppTxt(label, options).conversation))

    def texts(self, found: list[Any], bodies: list[str], chunk_text: str) -> list[str]:
        firsts = [g[3].lstrip(_MARKS) if g else "" for g in found]
        return [EDGES.sub("", f + b) if b else f for f, b in zip(firsts, bodies, strict=True)]

    def plain(self, spec: Any, found: list[Any], texts: list[str], chunk_text: str) -> list[bool] | None:
        for day in {g[1] for g in found if g}:
            if not _valid_day(spec, day):
                raise Unusual  # not a header line after all: the ordinary parser joins it to the message before
        plain = [bool(g and g[2]) for g in found]
        if any(mark in chunk_text for mark in _E2E_MARKS):
            plain = [p and not _E2E.fullmatch(g[3].lstrip(_MARKS)) for p, g in zip(plain, found, strict=True)]
        return None if all(plain) else plain


def _valid_day(spec: WhatsAppTxt, day: str) -> bool:
    m = _DAY.fullmatch(day)
    assert m is not None
    y, mo, d = spec._date_of(m[1], int(m[2]), int(m[3]))
    return valid(y, mo, d, 0, 0, 0)


WHATSAPP_TXT = bulk_format(
    "whatsapp-txt", "WhatsApp chat export .txt (Android and iOS layouts, any locale)", _sniff, _body,
    WhatsAppBulk(),
)
