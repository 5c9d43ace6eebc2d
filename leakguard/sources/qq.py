"""QQ text layouts: 消息管理器 "导出为 .txt" and text copied from a QQ chat window.

Times are the client's local time; +08:00 is assumed.  Separators, 消息分组/消息对象 lines
and date lines are layout, not messages.  Messages from ``系统消息(10000)`` and grey-bar
notices are emitted with kind="system".  Messages with an empty body are dropped.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .base import ParseOptions
from .blocks import BlockSpec, Head, block_parser
from .bulk import RECALL, RECALL_BYTES, VALID_DATE, BlockBulk, bulk_format
from .streams import head_lines, paragraph_firsts, share, stream_format
from .timefmt import CST, hour24, iso, year4

_TIME = (
    r"(?:(?P<pre>上午|下午) ?)?(?P<h>\d{1,2}):(?P<mi>\d{2}):(?P<s>\d{2})"
    r"(?: (?P<ampm>[AaPp][Mm]|上午|下午)(?= |$))?"
)

# --- 消息管理器 .txt --------------------------------------------------------------------------
_TXT_BANNER = "消息记录（此消息记录为文本格式"
_SEP = re.compile(r"={16,}")
_GROUP = re.compile(r"消息分组[:：]\s*(.*)")
_OBJECT = re.compile(r"消息对象[:：]\s*(.*)")
_TXT_HEAD = re.compile(rf"(?P<y>\d{{4}})-(?P<mo>\d{{1,2}})-(?P<d>\d{{1,2}}) {_TIME}(?: (?P<rest>.*))?")
_TXT_ID = re.compile(r".*(?:\(\d{4,}\)|<[^<>]+>)\s*")


def _when(m: re.Match[str], y: int, mo: int, d: int) -> str | None:
    hour = hour24(int(m["h"]), m["pre"] or m["ampm"])
    return iso(y, mo, d, hour, int(m["mi"]), int(m["s"]), CST)


class QqTxt(BlockSpec):
    def __init__(self, label: str, options: ParseOptions) -> None:
        super().__init__(label, options)
        self.prev_sep = False
        self.group: str | None = None

    def layout(self, line: str, stripped: str, lineno: int) -> bool:
        was_sep, self.prev_sep = self.prev_sep, False
        if not was_sep and stripped[:1] not in ("=", "消"):
            return False
        if _SEP.fullmatch(stripped):
            self.prev_sep = True
            return True
        if stripped.startswith(_TXT_BANNER):
            return True
        if was_sep:
            group, obj = _GROUP.fullmatch(stripped), _OBJECT.fullmatch(stripped)
            if group:
                self.group = group[1].strip()
            if obj:
                self.conversation = obj[1].strip()
            return bool(group or obj)
        return False

    def header(self, line: str, stripped: str) -> Head | None:
        m = _TXT_HEAD.fullmatch(line.rstrip())
        if not m:
            return None
        when = _when(m, int(m["y"]), int(m["mo"]), int(m["d"]))
        if when is None:
            return None
        sender = (m["rest"] or "").strip() or None
        kind = "system" if sender and sender.startswith("系统消息") else None
        return Head(sender, when, kind, conversation=self.conversation)


_txt = block_parser(QqTxt)


def _sniff_txt(head: str, path: Path) -> float:
    lines = head_lines(head)
    if any(ln.startswith(_TXT_BANNER) for ln in lines[:3]):
        return 1.0
    if any(_OBJECT.fullmatch(ln.strip()) for ln in lines) and any(_SEP.fullmatch(ln) for ln in lines):
        return 0.95
    firsts = paragraph_firsts(lines)
    score = share(firsts, _TXT_HEAD)
    if score < 0.5:
        return 0.0
    with_id = sum(1 for ln in firsts if _TXT_HEAD.fullmatch(ln) and _TXT_ID.fullmatch(ln))
    return 0.85 if with_id * 2 >= len(firsts) else 0.45


class QqTxtBulk(BlockBulk):
    """Bulk reading (:mod:`.bulk`): a chunk starts at a header line after a blank line.  A chunk
    with a ``消息对象`` line is parsed by the reading process (it names the conversation of
    the messages after it); layout lines anywhere else send a chunk to the ordinary parser;
    messages from ``系统消息`` go through the spec's own steps."""

    window, window_bytes = RECALL, RECALL_BYTES
    cand = r"\d{4}-"
    # _TXT_HEAD with ASCII digits, valid dates and times (Feb 29 aside) and no trailing space
    head = re.compile(
        rf"\n{VALID_DATE} (?:(?:上午|下午) ?)?(?:[01]?[0-9]|2[0-3]):[0-5][0-9]:[0-9]{{2}}"
        r"(?: (?:[AaPp][Mm]|上午|下午)(?= |\n))?(?: ([^\n]*))?(?<=\S)(?=\n)"
    )
    odd = ("=" * 16, _TXT_BANNER)  # layout lines (消息分组/消息对象 lines follow a separator)
    _object = "消息对象"
    _object_bytes = _object.encode()

    def spec(self, label: str, options: ParseOptions, state: tuple[object, ...]) -> QqTxt:
        spec = QqTxt(label, options)
        if state:
            spec.conversation = state[0]  # type: ignore[assignment]
        return spec

    def state_of(self, spec: Any) -> tuple[object, ...]:
        return (spec.conversation,)

    def changes(self, body: str | bytes) -> bool:
        return (self._object if isinstance(body, str) else self._object_bytes) in body  # type: ignore[operator]

    def plain(self, spec: Any, found: list[Any], texts: list[str], chunk_text: str) -> list[bool] | None:
        if "系统消息" not in chunk_text:
            return None
        return [rest is not None and not (rest.strip().startswith("系统消息")) for rest in found]


QQ_TXT = bulk_format(
    "qq-txt", "QQ 消息管理器 .txt export (消息分组/消息对象 blocks, '2020-01-31 21:19:33 昵称(QQ号)')",
    _sniff_txt, _txt, QqTxtBulk(),
)

# --- QQ window copy ----------------------------------------------------------------------------
_DATE = r"(?P<a>\d{1,4})/(?P<b>\d{1,2})/(?P<c>\d{1,4})"
_COPY_FULL = re.compile(rf"(?P<name>.+?) {_DATE}(?: (?:星期|周)[一二三四五六日天])? {_TIME}")
# the name ends in a non-space: ``(.+?) +`` retried the space run at each of its positions
# (quadratic: a 64 KB line of spaces took 13 s to sniff)
_COPY_TIME = re.compile(rf"(?P<name>.*?\S) +{_TIME}")
_COPY_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_COPY_RULE = re.compile(r"[—\-\s]*—[—\-\s]*(\d{4})-(\d{1,2})-(\d{1,2})[—\-\s]*")


def _ymd(a: int, b: int, c: int) -> tuple[int, int, int]:
    if a > 31:
        return a, b, c
    if a > 12:  # D/M/YYYY
        return year4(c), b, a
    return year4(c), a, b  # M/D/YYYY (the US-locale clients that write AM/PM)


class QqCopy(BlockSpec):
    notices = True

    def __init__(self, label: str, options: ParseOptions) -> None:
        super().__init__(label, options)
        self.date: tuple[int, int, int] | None = None

    def layout(self, line: str, stripped: str, lineno: int) -> bool:
        m = _COPY_RULE.fullmatch(stripped) or (_COPY_DAY.fullmatch(stripped) if self.boundary else None)
        if m:
            self.date = (int(m[1]), int(m[2]), int(m[3]))
        return m is not None

    def header(self, line: str, stripped: str) -> Head | None:
        m = _COPY_FULL.fullmatch(stripped)
        if m:
            self.date = _ymd(int(m["a"]), int(m["b"]), int(m["c"]))
        else:
            m = _COPY_TIME.fullmatch(stripped)
            if not m:
                return None
        when = _when(m, *self.date) if self.date else None
        return Head(m["name"].strip(), when)


_copy = block_parser(QqCopy)


def _sniff_copy(head: str, path: Path) -> float:
    firsts = paragraph_firsts(head_lines(head))
    full = share(firsts, _COPY_FULL, 1)
    timed = share(firsts, _COPY_TIME, 2)
    if full >= 0.3:
        return 0.5 + 0.3 * full
    return 0.35 + 0.2 * timed if timed >= 0.5 else 0.0


QQ_COPY = stream_format(
    "qq-copy", "text copied from a QQ chat window ('昵称 2/14/2020 9:16:13 PM' + content)",
    _sniff_copy, _copy,
)
