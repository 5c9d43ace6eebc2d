"""Slack workspace export, as the ZIP Slack hands out or an unpacked folder:
``channels.json``, ``users.json`` (plus groups/dms/mpims.json) and ``<channel>/<YYYY-MM-DD>.json``
day files, each a JSON array of message objects.

The conversation is the channel folder's name; senders are resolved through users.json.
mrkdwn is made readable (``<@U1>`` → ``@name``, ``<url|label>`` → ``label (url)``, ``&amp;``
…); file names and attachment titles/texts are appended.  ``ts`` is rendered in UTC.
Join/leave/topic/purpose subtypes are kind="system"; ``message_deleted`` marks the original
as recalled (or yields a kind="recall" record carrying the deleted text).  ``line`` is the
line where the message object starts in its day file.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any, TextIO

from ..model import LeakguardError
from .archive import READ_ERRORS, member_head, member_problem, open_member, open_zip, skipped
from .base import BadRecord, Event, Format, Keyed, ParseOptions, Recall, Unit, finish, make_message
from .jsonstream import JsonReader, JsonSyntaxError, RecordError, Walk
from .streams import open_stream
from .timefmt import UTC, from_epoch

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}\.json")
_META = ("users.json", "channels.json", "groups.json", "dms.json", "mpims.json", "integration_logs.json")
MAX_META_BYTES = 256 << 20
_SYSTEM_SUBTYPES = frozenset(
    ["channel_join", "channel_leave", "channel_topic", "channel_purpose", "channel_name", "channel_archive", "channel_unarchive", "group_join", "group_leave", "group_topic", "group_purpose", "group_name", "group_archive", "group_unarchive", "pinned_item", "unpinned_item", "reminder_add", "channel_convert_to_private", "bot_add", "bot_remove"]
)
_ROOT_ARRAY = Walk(record_keys=frozenset())
_MENTION = re.compile(r"<([@#!])([^<>|]+)(?:\|([^<>]*))?>")
_LINK = re.compile(r"<((?:https?|mailto|tel|ftp)[^<>|]*)(?:\|([^<>]*))?>")

#: reading users.json from an archive: a corrupt member, bad JSON, or JSON nested too deep
_META_ERRORS: tuple[type[Exception], ...] = (*READ_ERRORS, RecursionError)


def readable(text: str, users: dict[str, str]) -> str:
    def mention(m: re.Match[str]) -> str:
        sigil, ident, label = m.groups()
        if label:
            return f"{sigil if sigil != '!' else '@'}{label}"
        if sigil == "@":
            return "@" + users.get(ident, ident)
        return ("@" if sigil == "!" else "#") + ident

    def link(m: re.Match[str]) -> str:
        url, label = m.groups()
        url = url.removeprefix("mailto:").removeprefix("tel:") if label else url
        return f"{label} ({url})" if label and label != url else url

    return html.unescape(_LINK.sub(link, _MENTION.sub(mention, text)))


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def user_names(data: object) -> dict[str, str]:
    names: dict[str, str] = {}
    if not isinstance(data, list):
        return names
    for u in data:
        if not isinstance(u, dict) or "id" not in u:
            continue
        prof = _dict(u.get("profile"))
        name = (prof.get("real_name") or prof.get("display_name") or u.get("real_name") or u.get("name"))
        if name:
            names[str(u["id"])] = str(name)
    return names


def _extras(obj: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for f in obj.get("files") or []:
        if isinstance(f, dict):
            name = f.get("name") or f.get("title")
            if name:
                out.append(f"[文件] {name}")
    for a in obj.get("attachments") or []:
        if isinstance(a, dict):
            out.extend(str(a[k]) for k in ("title", "text", "title_link") if a.get(k))
    return out


def _sender(obj: dict[str, Any], users: dict[str, str]) -> str | None:
    prof = obj.get("user_profile")
    if isinstance(prof, dict) and (prof.get("real_name") or prof.get("display_name")):
        return str(prof.get("real_name") or prof.get("display_name"))
    user = obj.get("user")
    if isinstance(user, str) and user:
        return users.get(user, user)
    name = obj.get("username") or obj.get("bot_id")
    return str(name) if name else None


def _when(obj: dict[str, Any]) -> str | None:
    try:
        return from_epoch(float(obj.get("ts") or ""), UTC)
    except (TypeError, ValueError):
        return None


def message_event(obj: object, line: int, label: str, channel: str, users: dict[str, str]) -> Event | None:
    if isinstance(obj, RecordError):
        return BadRecord(label, line, str(obj))
    if not isinstance(obj, dict):
        return BadRecord(label, line, "message is not a JSON object")
    subtype = obj.get("subtype")
    if subtype == "message_changed" and isinstance(obj.get("message"), dict):
        obj = {**obj["message"], "ts": obj["message"].get("ts", obj.get("ts"))}
        subtype = None
    if subtype == "message_deleted":
        prev = _dict(obj.get("previous_message"))
        text = readable(str(prev.get("text") or ""), users)
        fallback = make_message(text or "[消息已删除]", label, line, sender=_sender(prev, users),
                                time=_when(obj), conversation=channel, kind="recall")
        deleted = obj.get("deleted_ts")
        return Recall(str(deleted) if deleted else None, text or None, None, fallback)
    parts = [readable(str(obj.get("text") or ""), users), *_extras(obj)]
    text = "\n".join(p for p in parts if p)
    if not text.strip():
        return None
    kind = "system" if subtype in _SYSTEM_SUBTYPES else ("file" if obj.get("files") and not obj.get("text")
                                                         else "text")
    msg = make_message(text, label, line, sender=_sender(obj, users), time=_when(obj), conversation=channel,
                       kind=kind)
    ts = obj.get("ts")
    return Keyed(str(ts), msg) if ts else msg


def day_events(stream: TextIO, label: str, channel: str, users: dict[str, str]) -> Iterator[Event]:
    try:
        for line, value, _ in _ROOT_ARRAY.run(JsonReader(stream)):
            ev = message_event(value, line, label, channel, users)
            if ev is not None:
                yield ev
    except JsonSyntaxError as e:
        yield BadRecord(label, e.line, f"{e}; rest of file skipped")


# --- folder -------------------------------------------------------------------------------


def is_slack_dir(path: Path) -> bool:
    return (path / "channels.json").is_file() or (
        (path / "users.json").is_file() and any((path / n).is_file() for n in _META[2:5])
    )


def _load_meta(path: Path, label: str) -> tuple[object, BadRecord | None]:
    if not path.is_file():
        return None, None
    if path.stat().st_size > MAX_META_BYTES:
        return None, BadRecord(label, 0, "metadata file too large; ignored")
    try:
        with open_stream(path, None) as f:
            return json.loads(f.read()), None
    except (ValueError, RecursionError, LeakguardError, OSError) as e:
        return None, BadRecord(label, 0, f"cannot read: {e}")


def dir_items(root: Path, encoding: str | None) -> Iterator[Unit]:
    data, bad = _load_meta(root / "users.json", str(root / "users.json"))
    if bad:
        yield bad
    users = user_names(data)
    for channel in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        for day in sorted(p for p in channel.iterdir() if _DAY.fullmatch(p.name) and p.is_file()):
            try:
                with open_stream(day, encoding) as stream:
                    yield from finish(day_events(stream, str(day), channel.name, users))
            except LeakguardError as e:
                yield BadRecord(str(day), 0, str(e).removeprefix(f"{day}: "))


# --- zip ------------------------------------------------------------------------------------


def slack_root(names: list[str]) -> str | None:
    """The folder prefix ('' or 'export/') holding channels.json/users.json, if any."""
    for name in names:
        p = PurePosixPath(name)
        if p.name in ("channels.json", "users.json") and len(p.parts) <= 2:
            prefix = "" if len(p.parts) == 1 else p.parts[0] + "/"
            if any(_DAY.fullmatch(PurePosixPath(n).name) for n in names if n.startswith(prefix)):
                return prefix
    return None


def zip_items(path: Path, encoding: str | None) -> Iterator[Unit]:
    with open_zip(path) as zf:
        infos = {i.filename: i for i in zf.infolist()}
        root = slack_root(list(infos)) or ""
        users: dict[str, str] = {}
        meta = infos.get(root + "users.json")
        if meta is not None:
            problem = member_problem(meta) or (
                "metadata file too large; ignored" if meta.file_size > MAX_META_BYTES else None)
            if problem:
                yield BadRecord(f"{path}!{meta.filename}", 0, problem)
            else:
                try:
                    users = user_names(json.loads(zf.read(meta).decode("utf-8-sig", errors="replace")))
                except _META_ERRORS as e:  # bad JSON (a ValueError) or a corrupt member
                    yield BadRecord(f"{path}!{meta.filename}", 0, f"cannot read: {e}")
        for name in sorted(infos):
            rel = PurePosixPath(name[len(root):]) if name.startswith(root) else None
            if rel is None or len(rel.parts) != 2 or not _DAY.fullmatch(rel.name) or skipped(name):
                continue
            yield from _zip_day(zf, infos[name], f"{path}!{name}", rel.parts[0], encoding, users)


def _zip_day(zf: Any, info: Any, label: str, channel: str, encoding: str | None,
             users: dict[str, str]) -> Iterator[Unit]:
    problem = member_problem(info)
    if problem:
        yield BadRecord(label, 0, problem)
        return
    try:
        head = member_head(zf, info)
        with open_member(zf, info, label, encoding, head) as stream:
            yield from finish(day_events(stream, label, channel, users))
    except LeakguardError as e:
        yield BadRecord(label, 0, str(e).removeprefix(f"{label}: "))
    except READ_ERRORS as e:
        yield BadRecord(label, 0, f"cannot read member: {e}")


def day_file_items(path: Path, encoding: str | None) -> Iterator[Unit]:
    """One day file on its own: the channel is its folder, users come from ../users.json."""
    data, bad = _load_meta(path.parent.parent / "users.json", str(path.parent.parent / "users.json"))
    if bad:
        yield bad
    with open_stream(path, encoding) as stream:
        yield from finish(day_events(stream, str(path), path.parent.name, user_names(data)))


def _parse(path: Path, encoding: str | None, options: ParseOptions) -> Iterator[Unit]:
    if path.is_dir():
        return dir_items(path, encoding)
    with open(path, "rb") as f:
        magic = f.read(4)
    if magic == b"PK\x03\x04" or magic == b"PK\x05\x06":
        return zip_items(path, encoding)
    return day_file_items(path, encoding)


_DAY_HEAD = re.compile(r'\[\s*\{[^\[\]]*?"(?:type|ts|user|text)"\s*:')


def _sniff(head: str, path: Path) -> float:
    """A day file ('<channel>/YYYY-MM-DD.json' holding message objects with ts).  Folders
    and ZIP archives are recognised from their layout in detect_format."""
    s = head.lstrip("\ufeff \t\r\n")
    if not _DAY_HEAD.match(s) or '"ts"' not in s or '"type": "message"' not in s.replace('":"', '": "'):
        return 0.0
    return 0.9 if _DAY.fullmatch(path.name) else 0.6


SLACK = Format("slack", "Slack workspace export (.zip or unpacked folder with channels.json/users.json)",
               _sniff, _parse)
