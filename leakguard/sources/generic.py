"""Generic inputs: CSV/TSV with a header row, JSON Lines / JSON documents of message
objects, and plain text (one message per paragraph).

The text column/key is ``--text-field`` (dotted paths such as ``message.text`` work for
JSON) or the first of the usual names present (text, content, message, msg, body,
StrContent, 内容, 消息内容 …); sender, time and conversation are guessed likewise.  Times
keep what the source says (a zone only if it writes one; epoch values in UTC).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from .base import BadRecord, Chunk, Event, ParseOptions, make_message
from .blocks import BlockSpec, Head, block_parser
from .fields import (
    CONVERSATION_NAMES,
    SENDER_NAMES,
    TEXT_NAMES,
    TIME_NAMES,
    csv_rows,
    fit_row,
    one_newline,
    pick,
)
from .jsonstream import RecordError, Walk, json_records, jsonl_rest
from .markers import kind_of
from .streams import head_lines, stream_format
from .timefmt import parse_datetime

# --- CSV ---------------------------------------------------------------------------------


def _csv(stream: TextIO, label: str, options: ParseOptions) -> Iterator[Event]:
    header: list[str] | None = None
    cols: tuple[int, int | None, int | None, int | None] = (0, None, None, None)
    for item in csv_rows(stream, label):
        if isinstance(item, BadRecord):
            yield item
            continue
        line, row = item
        if header is None:
            header = row
            text = pick(row, TEXT_NAMES, options.text_field)
            if text is None:
                yield _no_text(label, line, row, options)
                return
            cols = (text, pick(row, SENDER_NAMES), pick(row, TIME_NAMES), pick(row, CONVERSATION_NAMES))
            continue
        if not any(c.strip() for c in row):
            continue
        fitted = fit_row(row, len(header))
        if fitted is None:
            yield BadRecord(label, line, f"expected {len(header)} fields, got {len(row)}")
            continue
        ev = _csv_message(fitted, line, cols, label)
        if ev is not None:
            yield ev


def _no_text(label: str, line: int, keys: list[str], options: ParseOptions) -> BadRecord:
    shown = ", ".join(k for k in keys[:20])
    if options.text_field:
        return BadRecord(label, line, f"no field {options.text_field!r} (fields: {shown})")
    return BadRecord(label, line, f"no text field found; use --text-field (fields: {shown})")


def _csv_message(row: list[str], line: int, cols: tuple[int, int | None, int | None, int | None],
                 label: str) -> Event | None:
    text_i, sender_i, time_i, conv_i = cols
    text = one_newline(row[text_i])
    if not text.strip():
        return None
    sender = row[sender_i].strip() or None if sender_i is not None else None
    when = parse_datetime(row[time_i]) if time_i is not None else None
    conv = row[conv_i].strip() or None if conv_i is not None else None
    return make_message(text, label, line, sender=sender, time=when, conversation=conv, kind=kind_of(text))


def _sniff_csv(head: str, path: Path) -> float:
    lines = head_lines(head, 3)
    first = lines[0] if lines else ""
    cells = [c.strip().strip('"').lower() for c in re.split(r"[,\t;|]", first)]
    ext = path.suffix.lower()
    if len(cells) < 2:
        return 0.0
    guessed = pick(cells, TEXT_NAMES) is not None
    if ext in (".csv", ".tsv"):
        return 0.5 if guessed else 0.4
    return 0.35 if guessed else 0.0


CSV = stream_format("csv", "CSV/TSV with a header row; text column from --text-field or guessed",
                    _sniff_csv, _csv)

# --- JSON Lines / JSON -------------------------------------------------------------------

WALK = Walk(
    record_keys=frozenset({"messages", "msgs", "chatdata", "records", "items", "list", "data", "history"}),
    container_keys=frozenset({"data", "result", "chats"}),
    context_keys=frozenset({"name", "title", "chat_name", "conversation"}),
)


def _get(rec: dict[str, Any], path: str) -> object:
    """A key (case-insensitive) or dotted path of a record; KeyError when absent."""
    cur: object = rec
    for part in path.split(".") if "." in path and path not in rec else [path]:
        if not isinstance(cur, dict):
            raise KeyError(path)
        if part in cur:
            cur = cur[part]
            continue
        low = {str(k).lower(): k for k in cur}
        if part.lower() not in low:
            raise KeyError(path)
        cur = cur[low[part.lower()]]
    return cur


def _field(rec: dict[str, Any], names: tuple[str, ...], chosen: str | None = None) -> tuple[bool, object]:
    for name in (chosen,) if chosen else names:
        try:
            return True, _get(rec, name)
        except KeyError:
            continue
    return False, None


def _flat(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "".join(_flat(v) for v in value)
    if isinstance(value, dict):
        return str(value.get("text", "")) if "text" in value else ""
    return "" if value is None else str(value)


def _scalar_str(value: object) -> str | None:
    if isinstance(value, dict):
        value = value.get("name") or value.get("nickname") or value.get("id")
    return str(value) if value not in (None, "") and not isinstance(value, (list, dict)) else None


def record_message(rec: object, line: int, ctx: dict[str, object], label: str,
                   options: ParseOptions) -> Event | None:
    if isinstance(rec, RecordError):
        return BadRecord(label, line, str(rec))
    if not isinstance(rec, dict):
        return BadRecord(label, line, "record is not a JSON object")
    found, value = _field(rec, TEXT_NAMES, options.text_field)
    if not found:
        return _no_text(label, line, [str(k) for k in rec], options)
    text = _flat(value)
    if not text.strip():
        return None
    sender = _scalar_str(_field(rec, SENDER_NAMES)[1])
    when_raw = _field(rec, TIME_NAMES)[1]
    when = parse_datetime(str(when_raw)) if isinstance(when_raw, (str, int, float)) else None
    conv = _scalar_str(_field(rec, CONVERSATION_NAMES)[1]) or _scalar_str(
        ctx.get("name") or ctx.get("title") or ctx.get("chat_name") or ctx.get("conversation"))
    return make_message(text, label, line, sender=sender, time=when, conversation=conv, kind=kind_of(text))


def _json(stream: TextIO, label: str, options: ParseOptions) -> Iterator[Event]:
    rest = None
    if options.chunks:
        from .chunks import read_chunks

        def rest(s: TextIO, label: str, line: int) -> Iterator[Chunk]:
            return read_chunks(s, label, line, options)

    yield from _events(json_records(stream, label, WALK, rest), label, options)


def jsonl_events(stream: TextIO, label: str, line: int, options: ParseOptions) -> Iterator[Event]:
    """Messages and bad records of the JSON Lines after line ``line``, one line at a time."""
    return _events(jsonl_rest(stream, label, line), label, options)


def _events(items: Iterator[Any], label: str, options: ParseOptions) -> Iterator[Event]:
    for item in items:
        if isinstance(item, (BadRecord, Chunk)):
            yield item
            continue
        line, value, ctx = item
        ev = record_message(value, line, ctx, label, options)
        if ev is not None:
            yield ev


def _sniff_jsonl(head: str, path: Path) -> float:
    lines = [ln.strip() for ln in head_lines(head, 20) if ln.strip()]
    if not lines or not lines[0].startswith("{"):
        return 0.0
    whole = sum(1 for ln in lines if ln.startswith("{") and ln.endswith("}"))
    if path.suffix.lower() in (".jsonl", ".ndjson"):
        return 0.5
    return 0.45 if whole == len(lines) and len(lines) > 1 else 0.0


def _sniff_json(head: str, path: Path) -> float:
    s = head.lstrip("\ufeff \t\r\n")
    if s[:1] not in ("{", "["):
        return 0.0
    return 0.4 if path.suffix.lower() == ".json" else 0.3


JSONL = stream_format("jsonl", "JSON Lines, one message object per line (text key from --text-field or guessed)",
                      _sniff_jsonl, _json)
JSON = stream_format("json", "JSON array of message objects (or under messages/data/records …)",
                     _sniff_json, _json)

# --- plain text ----------------------------------------------------------------------------


class PlainText(BlockSpec):
    """Each paragraph (lines up to a blank line) is one message."""

    max_chars = 64 * 1024

    def header(self, line: str, stripped: str) -> Head | None:
        return Head(None, None, first=line)


_text = block_parser(PlainText)


def _sniff_text(head: str, path: Path) -> float:
    return 0.1


TEXT = stream_format("text", "plain text: each paragraph is a message (the fallback)", _sniff_text, _text)
