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
from typing import TextIO

from .base import Event, ParseOptions
from .blocks import BlockSpec, Head, iter_lines, run_blocks
from .streams import head_lines, member_name, share, stream_format
from .timefmt import hour24, iso, year4

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
        a, b, c = int(m["a"]), int(m["b"]), int(m["c"])
        if len(m["a"]) == 4:
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


WHATSAPP_TXT = stream_format(
    "whatsapp-txt", "WhatsApp chat export .txt (Android and iOS layouts, any locale)", _sniff, _body
)
