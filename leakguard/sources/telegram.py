"""Telegram Desktop JSON export (``result.json``), single chat or "export all".

The document is streamed (see jsonstream): each object of a ``messages`` array, at the
root or under ``chats.list[]`` / ``left_chats.list[]``, is decoded on its own.  ``line`` is
the line where the message object starts.

``text`` may be a string or a list of strings and entity objects; links hidden behind
``text_link`` entities are appended so they are scanned too.  ``date`` is local time
without a zone and is kept as is; a message with only ``date_unixtime`` gets UTC.
Service messages (joins, calls, pins …) are emitted with kind="system".  Media become
placeholders ([图片], [文件] name, [视频] …) before the caption.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from .base import BadRecord, Event, ParseOptions, make_message
from .jsonstream import JsonReader, JsonSyntaxError, RecordError, Walk
from .streams import stream_format
from .timefmt import UTC, from_epoch

WALK = Walk(
    record_keys=frozenset({"messages"}),
    container_keys=frozenset({"chats", "left_chats", "list"}),
    context_keys=frozenset({"name", "id", "type"}),
)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}")
_MEDIA = {
    "sticker": "[表情]", "voice_message": "[语音]", "audio_file": "[音频]", "video_file": "[视频]",
    "video_message": "[视频]", "animation": "[动图]",
}


def text_of(value: object) -> str:
    """Plain text of a ``text`` field (string or list of strings/entities), plus the
    targets of ``text_link`` entities that the visible text does not show."""
    if isinstance(value, str):
        return value
    if not isinstance(value, list):
        return ""
    parts: list[str] = []
    hrefs: list[str] = []
    for part in value:
        if isinstance(part, str):
            parts.append(part)
        elif isinstance(part, dict):
            parts.append(str(part.get("text", "")))
            href = part.get("href")
            if isinstance(href, str) and href:
                hrefs.append(href)
    text = "".join(parts)
    extra = [h for h in hrefs if h not in text]
    return "\n".join([text, *extra]) if extra else text


def _media(msg: dict[str, Any]) -> str:
    if "photo" in msg:
        return "[图片]"
    media = msg.get("media_type")
    if isinstance(media, str) and media in _MEDIA:
        return f"{_MEDIA[media]} {msg.get('sticker_emoji', '')}".strip()
    if "file" in msg or "file_name" in msg:
        return f"[文件] {msg.get('file_name', '')}".strip()
    contact = msg.get("contact_information")
    if isinstance(contact, dict):
        fields = (contact.get("first_name"), contact.get("last_name"), contact.get("phone_number"))
        return "[名片] " + " ".join(str(f) for f in fields if f)
    if "location_information" in msg:
        return " ".join(["[位置]", str(msg.get("place_name", "")), str(msg.get("address", ""))]).strip()
    poll = msg.get("poll")
    if isinstance(poll, dict):
        answers = [str(a.get("text", "")) for a in poll.get("answers", []) if isinstance(a, dict)]
        return "\n".join(["[投票] " + str(poll.get("question", "")), *answers])
    return ""


def _kind(msg: dict[str, Any]) -> str:
    if "photo" in msg:
        return "image"
    media = msg.get("media_type")
    if media in ("voice_message", "audio_file"):
        return "voice"
    if media in ("video_file", "video_message", "animation"):
        return "video"
    if media == "sticker":
        return "sticker"
    if "file" in msg or "file_name" in msg:
        return "file"
    if "contact_information" in msg:
        return "card"
    if "location_information" in msg:
        return "location"
    return "text"


def _time(msg: dict[str, Any]) -> str | None:
    date = msg.get("date")
    if isinstance(date, str) and _DATE.match(date):
        return date[:10] + "T" + date[11:19]
    unix = msg.get("date_unixtime")
    if isinstance(unix, (str, int)) and str(unix).isdecimal():  # isdigit() takes "²", which float() refuses
        return from_epoch(float(unix), UTC)
    return None


def _service_text(msg: dict[str, Any]) -> str:
    parts = [str(msg.get("actor") or ""), str(msg.get("action") or "service")]
    if msg.get("title"):
        parts.append(str(msg["title"]))
    members = msg.get("members")
    if isinstance(members, list):
        parts.append(", ".join(str(m) for m in members if m))
    body = text_of(msg.get("text"))
    return " ".join(p for p in parts if p) + (f"\n{body}" if body else "")


def _conversation(ctx: dict[str, object]) -> str | None:
    name = ctx.get("name")
    if isinstance(name, str) and name:
        return name
    ident = ctx.get("id")
    return f"{ctx.get('type', 'chat')}:{ident}" if ident is not None else None


def message_event(value: object, line: int, ctx: dict[str, object], label: str) -> Event | None:
    if isinstance(value, RecordError):
        return BadRecord(label, line, str(value))
    if not isinstance(value, dict):
        return BadRecord(label, line, "message is not a JSON object")
    conv = _conversation(ctx)
    when = _time(value)
    if value.get("type") == "service":
        return make_message(_service_text(value), label, line, sender=_str(value.get("actor")),
                            time=when, conversation=conv, kind="system")
    text = text_of(value.get("text"))
    if not text and "text_entities" in value:
        text = text_of(value.get("text_entities"))
    media = _media(value)
    body = "\n".join(p for p in (media, text) if p)
    if not body:
        return None
    sender = _str(value.get("from")) or _str(value.get("from_id"))
    return make_message(body, label, line, sender=sender, time=when, conversation=conv, kind=_kind(value))


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _body(stream: TextIO, label: str, options: ParseOptions) -> Iterator[Event]:
    reader = JsonReader(stream)
    try:
        for line, value, ctx in WALK.run(reader):
            ev = message_event(value, line, ctx, label)
            if ev is not None:
                yield ev
    except JsonSyntaxError as e:
        yield BadRecord(label, e.line, f"{e}; rest of file skipped")


_CHAT_TYPES = re.compile(
    r'"type"\s*:\s*"(?:personal_chat|bot_chat|saved_messages|private_group|public_group'
    r'|private_supergroup|public_supergroup|private_channel|public_channel)"'
)


def _sniff(head: str, path: Path) -> float:
    s = head.lstrip("\ufeff \t\r\n")
    if not s.startswith("{") or '"messages"' not in s and '"chats"' not in s:
        return 0.0
    if _CHAT_TYPES.search(s) or '"text_entities"' in s or '"date_unixtime"' in s:
        return 0.95
    if '"personal_information"' in s or '"frequent_contacts"' in s:
        return 0.9
    return 0.0


TELEGRAM_JSON = stream_format(
    "telegram-json", "Telegram Desktop export result.json (one chat or the whole account)", _sniff, _body
)
