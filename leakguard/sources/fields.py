"""Choosing the text/sender/time/conversation field of generic CSV and JSON records."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from functools import partial
from itertools import chain
from typing import TextIO

from .base import BadRecord

TEXT_NAMES = (
    "text", "content", "message", "msg", "body", "strcontent", "内容", "消息内容", "消息", "聊天内容",
    "正文", "message_text", "messagecontent",
)
SENDER_NAMES = (
    "sender", "sendername", "senderdisplayname", "from", "from_name", "user", "username", "author",
    "name", "nickname", "发送人", "发送者", "发言人", "用户名", "昵称", "talker",
)
TIME_NAMES = (
    "time", "timestamp", "datetime", "date", "created_at", "createtime", "create_time", "strtime",
    "formattedtime", "msgtime", "ts", "时间", "发送时间", "日期",
)
CONVERSATION_NAMES = (
    "conversation", "chat", "chat_name", "channel", "room", "room_name", "roomid", "group", "talkername",
    "session", "会话", "群名", "群聊", "聊天对象", "对话",
)


def pick(keys: Sequence[str], names: Iterable[str], chosen: str | None = None) -> int | None:
    """Index of the key to use: ``chosen`` (exact, then case-insensitive) or the first of
    ``names`` present (case-insensitive)."""
    folded = [k.strip().lstrip("\ufeff").lower() for k in keys]
    if chosen is not None:
        if chosen in keys:
            return list(keys).index(chosen)
        low = chosen.lower()
        return folded.index(low) if low in folded else None
    for name in names:
        if name in folded:
            return folded.index(name)
    return None


CSV_FIELD_LIMIT = 64 * 1024 * 1024


def raise_field_limit() -> None:
    """Allow big cells (an unclosed quote then costs at most CSV_FIELD_LIMIT characters)."""
    if csv.field_size_limit() < CSV_FIELD_LIMIT:
        csv.field_size_limit(CSV_FIELD_LIMIT)


def csv_delimiter(header: str) -> str:
    counts = {d: header.count(d) for d in (",", "\t", ";", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def csv_rows(stream: TextIO, label: str) -> Iterator[tuple[int, list[str]] | BadRecord]:
    """(line where the record starts, cells) for each CSV record; broken records become
    BadRecords.  The delimiter (comma, tab, semicolon, bar) is read from the first line."""
    # Lines are read in bounded pieces: iterating the stream itself would hold a whole
    # physical line (a 1 GB line without a newline) in memory.
    first = stream.readline(CSV_FIELD_LIMIT)
    first = first.removeprefix("\ufeff")
    lines = iter(partial(stream.readline, CSV_FIELD_LIMIT), "")
    yield from csv_records(chain([first], lines), label, csv_delimiter(first))


def csv_records(lines: Iterable[str], label: str, delimiter: str,
                line: int = 0) -> Iterator[tuple[int, list[str]] | BadRecord]:
    """The records of ``lines`` (which follow line ``line`` of the file), as :func:`csv_rows`."""
    raise_field_limit()
    reader = csv.reader(lines, delimiter=delimiter)
    start = line + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            yield BadRecord(label, start, f"CSV error: {e}")
            start = line + reader.line_num + 1
            continue
        yield start, row
        start = line + reader.line_num + 1


def one_newline(text: str) -> str:
    """CRLF and CR inside a cell (quoted multi-line text) become LF, like every other source."""
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def fit_row(row: list[str], width: int) -> list[str] | None:
    """The row padded/trimmed to ``width`` cells, or None when it cannot be that record
    (missing cells, or extra non-empty cells)."""
    if len(row) == width:
        return row
    if len(row) > width and not any(c.strip() for c in row[width:]):
        return row[:width]
    return None
