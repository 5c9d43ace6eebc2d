"""WeCom (企业微信) 会话内容存档: decrypted message objects, as JSON Lines or a JSON array
(also under ``chatdata``/``messages``/``data``).

``action`` send/recall/switch.  A recall (msgtype ``revoke``) marks the message named by
``revoke.pre_msgid`` as recalled when it is among the last messages read; otherwise a
kind="recall" record is emitted.  ``switch`` (企业日志切换) becomes a system record.
Payloads are reduced to their readable fields (text, file names, link titles and URLs,
locations, meeting topics, nested chat records …).  ``msgtime`` (ms) is rendered in +08:00.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from .base import BadRecord, Event, Keyed, ParseOptions, Recall, make_message
from .jsonstream import RecordError, Walk, json_records
from .streams import head_lines, stream_format
from .timefmt import CST, from_epoch

WALK = Walk(
    record_keys=frozenset({"chatdata", "messages", "msgs", "data", "list", "records", "items"}),
    container_keys=frozenset({"data", "result"}),
)
_KINDS = {
    "text": "text", "markdown": "text", "mixed": "text", "image": "image", "voice": "voice",
    "video": "video", "emotion": "sticker", "file": "file", "link": "link", "weapp": "link",
    "card": "card", "location": "location", "chatrecord": "forward", "redpacket": "transfer",
    "external_redpacket": "transfer", "agree": "system", "disagree": "system", "meeting_voice_call": "call",
    "voip_doc_share": "file", "qydiskfile": "file", "docmsg": "link", "news": "link", "sphfeed": "link",
}
_PLACEHOLDERS = {
    "image": "[图片]", "voice": "[语音]", "video": "[视频]", "emotion": "[表情]", "file": "[文件]",
    "link": "[链接]", "weapp": "[小程序]", "card": "[名片]", "location": "[位置]", "chatrecord": "[聊天记录]",
    "redpacket": "[红包]", "external_redpacket": "[红包]", "voip_doc_share": "[文件]", "qydiskfile": "[文件]",
    "docmsg": "[文档]", "meeting_voice_call": "[音视频通话]", "sphfeed": "[视频号]",
}
# payload keys worth scanning (ids, hashes, sizes and coordinates are not)
_TEXT_KEYS = (
    "content", "title", "description", "filename", "link_url", "url", "address", "wish", "topic",
    "remarks", "votetitle", "voteitem", "ques", "feed_desc", "sph_name", "corpname", "place", "doc_creator",
    "displayname", "creatorname", "attendeename", "room_name", "details", "item", "info", "text",
)
_MAX_DEPTH = 6


def harvest(value: object, depth: int = 0) -> list[str]:
    """Readable strings of a payload, in order; JSON strings (chatrecord/mixed items) are
    decoded and descended."""
    if depth > _MAX_DEPTH:
        return []
    if isinstance(value, str):
        s = value.strip()
        if s[:1] in ("{", "[") and len(s) > 1:
            try:
                return harvest(json.loads(s), depth + 1)
            except (ValueError, RecursionError):
                pass
        return [s] if s else []
    if isinstance(value, list):
        return [t for v in value for t in harvest(v, depth + 1)]
    if isinstance(value, dict):
        return [t for k in _TEXT_KEYS if k in value for t in harvest(value[k], depth + 1)]
    return []


def _text(msgtype: str, payload: object) -> str:
    parts = harvest(payload)
    head = _PLACEHOLDERS.get(msgtype)
    if head and parts:
        parts[0] = f"{head} {parts[0]}"
    elif head:
        parts = [head]
    return "\n".join(parts)


def _conversation(rec: dict[str, Any]) -> str | None:
    room = rec.get("roomid")
    if isinstance(room, str) and room:
        return room
    people = {str(rec.get("from") or "")} | {str(t) for t in rec.get("tolist") or [] if t}
    people.discard("")
    return "、".join(sorted(people)) or None


def _when(rec: dict[str, Any]) -> str | None:
    value = rec.get("msgtime", rec.get("time"))
    if isinstance(value, (int, float)) or (isinstance(value, str) and value.isdecimal()):
        return from_epoch(float(value), CST)
    return None


def record_event(rec: object, line: int, label: str) -> Event | None:
    if isinstance(rec, RecordError):
        return BadRecord(label, line, str(rec))
    if not isinstance(rec, dict):
        return BadRecord(label, line, "record is not a JSON object")
    if "encrypt_chat_msg" in rec:
        return BadRecord(label, line, "encrypted record (decrypt it with the WeCom finance SDK first)")
    action = str(rec.get("action") or "send")
    sender = str(rec["from"]) if rec.get("from") else (str(rec["user"]) if rec.get("user") else None)
    when, conv = _when(rec), _conversation(rec)
    if action == "switch":
        return make_message("[企业日志切换]", label, line, sender=sender, time=when, conversation=conv, kind="system")
    msgtype = str(rec.get("msgtype") or "")
    if action == "recall" or msgtype == "revoke":
        pre = rec.get("revoke", {}).get("pre_msgid") if isinstance(rec.get("revoke"), dict) else None
        fallback = make_message("[撤回了一条消息]", label, line, sender=sender, time=when, conversation=conv,
                                kind="recall")
        return Recall(str(pre) if pre else None, None, sender, fallback)
    if not msgtype:
        return BadRecord(label, line, "no msgtype (not a WeCom archive message)")
    text = _text(msgtype, rec.get(msgtype))
    if not text:
        return None
    msg = make_message(text, label, line, sender=sender, time=when, conversation=conv,
                       kind=_KINDS.get(msgtype, "text"))
    msgid = rec.get("msgid")
    return Keyed(str(msgid), msg) if msgid else msg


def _body(stream: TextIO, label: str, options: ParseOptions) -> Iterator[Event]:
    for item in json_records(stream, label, WALK):
        if isinstance(item, BadRecord):
            yield item
            continue
        line, value, _ = item
        ev = record_event(value, line, label)
        if ev is not None:
            yield ev


def _sniff(head: str, path: Path) -> float:
    text = "\n".join(head_lines(head, 50))
    if '"msgid"' in text and '"msgtype"' in text and ('"msgtime"' in text or '"action"' in text):
        return 0.95
    if '"encrypt_chat_msg"' in text:
        return 0.9
    return 0.0


WECOM_JSON = stream_format(
    "wecom-json", "WeCom 会话内容存档 decrypted messages (JSON Lines or JSON array)", _sniff, _body
)
