"""WeChat CSV exports: 留痕/WeChatMsg (v1 English header, v0.2.6 9 columns, v2 Chinese
header, the late-2023 pandas header) and PyWxDump (msg/src columns, or the older JSON
``content`` cell).

XML bodies (type-49 app messages, cards, locations, system templates) are reduced to the
readable fields: file names, link titles/descriptions/URLs, quoted text, merged-forward
items, transfer memos.  A revokemsg system body marks the recalled message (looked up by
its server id, PyWxDump's MsgSvrID) as recalled.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import replace
from operator import and_, itemgetter
from pathlib import Path, PureWindowsPath
from typing import IO, Any, NamedTuple, TextIO

from .base import (
    RECALL_WINDOW,
    UNCHECKED_KINDS,
    WINDOW_CHARS,
    BadRecord,
    Chunk,
    Event,
    Keyed,
    Message,
    ParseOptions,
    Recall,
    make_message,
    masked_name,
)
from .bulk import SCAN_BYTES, CsvBulk, Opened, Unusual, bulk_format, masked, matches
from .fields import csv_rows, fit_row, one_newline
from .markers import kind_of
from .streams import head_lines, stem_of
from .timefmt import CST, from_epoch, parse_datetime
from .wechat_xml import appmsg_text, looks_like_xml, revoked_id, system_text

_SURROGATE = re.compile(r"[\ud800-\udfff]")

# WeChat message type codes (WeChatMsg v1 'Type' column)
_TYPE_KINDS = {1: "text", 3: "image", 34: "voice", 43: "video", 47: "sticker", 42: "card", 48: "location",
               49: "link", 50: "call", 10000: "system", 10002: "system"}
_PLACEHOLDER = {"image": "[图片]", "voice": "[语音]", "video": "[视频]", "sticker": "[表情]", "call": "[音视频通话]"}

# Chinese type names (WeChatMsg v2 类型, PyWxDump type_name)
_NAME_KINDS = {
    "文本": "text", "图片": "image", "视频": "video", "语音": "voice", "表情包": "sticker", "动画表情": "sticker",
    "文件": "file", "分享链接": "link", "卡片式链接": "link", "小程序": "link", "视频号": "link",
    "音乐分享": "link", "公众号名片": "card", "个人": "card", "名片": "card", "企业微信名片": "card",
    "位置分享": "location", "位置": "location", "红包": "transfer", "转账": "transfer",
    "引用消息": "quote", "引用回复": "quote", "带有引用的文本消息": "quote",
    "合并转发的聊天记录": "forward", "聊天记录": "forward", "收藏笔记": "forward", "笔记": "forward",
    "音视频通话": "call", "语音通话": "call", "视频通话": "call",
    "系统消息": "system", "系统通知": "system", "拍一拍": "system", "拍一拍消息": "system",
    "邀请加群": "system", "群公告": "system",
}


class Cols(NamedTuple):
    text: int
    sender: int | None
    time: int | None
    conversation: int | None
    type: int | None
    subtype: int | None
    is_sender: int | None
    epoch: int | None
    names: tuple[int, ...]  # display-name columns tried before ``sender``
    msgid: int | None
    src: int | None


def _col(header: list[str], name: str) -> int | None:
    return header.index(name) if name in header else None


def _wcm_cols(header: list[str]) -> Cols | None:
    h = [c.strip().lstrip("\ufeff") for c in header]
    if "StrContent" in h and "localId" in h:  # v1 / 0.2.6
        names = tuple(i for i in (_col(h, "Remark"), _col(h, "NickName")) if i is not None)
        return Cols(h.index("StrContent"), _col(h, "Sender"), _col(h, "StrTime"), _col(h, "TalkerId"),
                    _col(h, "Type"), _col(h, "SubType"), _col(h, "IsSender"), _col(h, "CreateTime"),
                    names, None, None)
    if "内容" in h and "类型" in h:  # v2
        names = tuple(i for i in (_col(h, "备注"), _col(h, "昵称")) if i is not None)
        return Cols(h.index("内容"), _col(h, "发送人"), _col(h, "时间"), None, _col(h, "类型"), None,
                    None, None, names, _col(h, "消息ID"), None)
    if "消息内容" in h and "用户名" in h:  # late-2023 pandas export
        return Cols(h.index("消息内容"), _col(h, "用户名"), _col(h, "发送时间"), None, _col(h, "消息类型"),
                    None, _col(h, "isSend"), None, (), _col(h, "msgId"), None)
    return None


def _pyw_cols(header: list[str]) -> Cols | None:
    h = [c.strip().lstrip("\ufeff") for c in header]
    if "MsgSvrID" not in h or "type_name" not in h:
        return None
    text = _col(h, "msg") if "msg" in h else _col(h, "content")
    if text is None:
        return None
    return Cols(text, _col(h, "talker"), _col(h, "CreateTime"), _col(h, "room_name"), _col(h, "type_name"),
                None, _col(h, "is_sender"), None, (), _col(h, "MsgSvrID"), _col(h, "src"))


def _cell(row: list[str], i: int | None) -> str:
    return row[i].strip() if i is not None else ""


def _time(row: list[str], cols: Cols) -> str | None:
    when = parse_datetime(_cell(row, cols.time), CST) if cols.time is not None else None
    if when is None and cols.epoch is not None and _cell(row, cols.epoch).isdecimal():
        when = from_epoch(float(_cell(row, cols.epoch)), CST)
    return when


def _sender(row: list[str], cols: Cols) -> str | None:
    for i in cols.names:
        if _cell(row, i):
            return _cell(row, i)
    if _cell(row, cols.is_sender) in ("1", "True", "true"):
        return "我"
    return _cell(row, cols.sender) or None


def _kind_text(raw: str, type_cell: str, subtype_cell: str, src: str) -> tuple[str, str]:
    """(kind, readable text) for one row's content cell."""
    if type_cell.isdecimal() and len(type_cell) < 10:  # int() refuses "²" and 4,300+ digit strings
        code = int(type_cell)
        kind = _TYPE_KINDS.get(code, "text")
    else:
        code = 0
        kind = _NAME_KINDS.get(type_cell, "")
        if not kind:
            kind = "system" if type_cell.startswith("消息撤回") else kind_of(raw)
    if kind == "system":
        return kind, system_text(raw) if looks_like_xml(raw) or "CDATA" in raw else raw
    if looks_like_xml(raw):
        numeric = subtype_cell.isdecimal() and len(subtype_cell) < 10 and subtype_cell != "0"
        sub = int(subtype_cell) if numeric else None
        if code == 49 or kind in ("file", "link", "quote", "forward", "transfer", "card", "location"):
            app_kind, text = appmsg_text(raw, sub)
            return (app_kind if kind in ("text", "link") else kind), text
        return kind, _PLACEHOLDER.get(kind, "")
    return kind, _with_placeholder(kind, raw, src)


def _with_placeholder(kind: str, raw: str, src: str) -> str:
    """Media rows carry only the type word ('图片'); make it a placeholder the scorer knows."""
    if kind_of(raw) != "text":  # already a placeholder ('【文件】name …', '[图片]')
        return raw
    if kind == "file":
        if raw and raw not in ("文件", "[文件]"):
            label = raw
        else:
            label = PureWindowsPath(src).name if src and not src.startswith("http") else ""
        return f"[文件] {label}".strip()
    if kind in _PLACEHOLDER and (not raw or raw.strip("[]") in _NAME_KINDS or raw in ("表情", "图片")):
        return _PLACEHOLDER[kind]
    return raw


def _row_content(row: list[str], line: int, cols: Cols, label: str) -> tuple[str, str, str] | BadRecord:
    """(kind, readable text, raw content cell) of a row."""
    raw = one_newline(row[cols.text])
    src = _cell(row, cols.src)
    if raw.lstrip().startswith("{") and '"msg"' in raw:  # old PyWxDump: {"src": ..., "msg": ...}
        try:
            cell = json.loads(raw)
        except (ValueError, RecursionError):
            return BadRecord(label, line, "content cell is not valid JSON")
        raw, src = str(cell.get("msg") or ""), str(cell.get("src") or "")
    type_cell, sub_cell = _cell(row, cols.type), _cell(row, cols.subtype)
    kind, text = _kind_text(raw, type_cell, sub_cell, src)
    return kind, text, raw


def _row_event(row: list[str], line: int, cols: Cols, label: str, conv: str | None) -> Event | None:
    content = _row_content(row, line, cols, label)
    if isinstance(content, BadRecord):
        return content
    kind, text, raw = content
    conversation = _cell(row, cols.conversation) or conv
    msg = make_message(text, label, line, sender=_sender(row, cols), time=_time(row, cols),
                       conversation=conversation, kind=kind)
    gone = revoked_id(raw) if kind == "system" else None
    if gone is not None:
        return Recall(gone, None, None, msg)
    if not text.strip():
        return None
    key = _cell(row, cols.msgid)
    return Keyed(key, msg) if key else msg


def _rows(stream: TextIO, label: str, wechatmsg: bool) -> Iterator[Event]:
    rows = csv_rows(stream, label)
    for item in rows:
        if isinstance(item, BadRecord):
            yield item
            continue
        line, row = item
        head = _header(row, label, wechatmsg)
        if head is None:
            yield BadRecord(label, line, f"unexpected header: {','.join(row)[:200]}")
            return
        yield from _events(rows, label, *head)
        return


def _header(row: list[str], label: str, wechatmsg: bool) -> tuple[Cols, int, str | None] | None:
    """(columns, row width, conversation named after the file) from the header row."""
    cols = _wcm_cols(row) if wechatmsg else _pyw_cols(row)
    if cols is None:
        return None
    conv = stem_of(label).removesuffix("_utf8") if wechatmsg and cols.conversation is None else None
    return cols, len(row), conv


def _events(rows: Iterable[tuple[int, list[str]] | BadRecord], label: str, cols: Cols, width: int,
            conv: str | None) -> Iterator[Event]:
    for item in rows:
        if isinstance(item, BadRecord):
            yield item
            continue
        line, row = item
        if not any(c.strip() for c in row):
            continue
        fitted = fit_row(row, width)
        if fitted is None:
            yield BadRecord(label, line, f"expected {width} fields, got {len(row)}")
            continue
        ev = _row_event(fitted, line, cols, label, conv)
        if ev is not None:
            yield ev


#: type cells of plain text messages (WeChatMsg v1 and the pandas export: 1; v2 and PyWxDump: 文本)
_TEXT_TYPES = frozenset({"1", "文本"})


class WeChatCsvBulk(CsvBulk):
    """Bulk reading (:mod:`.bulk`): a row of a text message whose cell holds no XML or JSON is
    taken as it is (sender and time are read only for the messages reported); other rows go
    through the ordinary row steps.

    A revokemsg row marks the message with that id among the 2000 before it.  No chunk ends
    between the first place the id occurs in the file and the revokemsg row (:meth:`prepass`),
    so the recalled message and its recall are in one chunk, where the bulk parse marks it as
    the recall window of ``finish`` would (no message with that id came before the chunk).  A
    JSON escape, which could spell a revokemsg in an old PyWxDump content cell, sends the file
    to the ordinary parser."""

    _revoke = r"\\u|<newmsgid>([^<]{0,64})</newmsgid>|<newmsgid>"
    window = re.compile(_revoke)
    window_bytes = re.compile(_revoke.encode())

    def __init__(self, wechatmsg: bool) -> None:
        self.wechatmsg = wechatmsg

    def prepass(self, f: IO[Any], start: int) -> list[tuple[int, int]] | None:
        text = isinstance(f, io.TextIOBase)
        revokes: list[tuple[int, str]] = []
        for at, m in matches(self.window if text else self.window_bytes, f, start):
            if m[1] is None:
                return None  # a JSON escape, or a <newmsgid> of no usual shape
            inner = m[1] if text else m[1].decode("utf-8", "replace")
            key = re.fullmatch(r"\s*(\d+)\s*", inner)  # as revoked_id reads it
            if key is not None:
                if not key[1].isascii():
                    return None
                revokes.append((at, key[1]))
        if not revokes:
            return []
        first = _first_places({k for _, k in revokes}, f, start, text)
        return [(first[k], at) for at, k in revokes if first.get(k, at) < at]

    def header(self, row: list[str], label: str, options: ParseOptions) -> tuple[object, ...] | None:
        return _header(row, label, self.wechatmsg)

    def row_events(self, records: Iterator[tuple[int, list[str]] | BadRecord], label: str,
                   options: ParseOptions, state: tuple[object, ...]) -> Iterator[Event]:
        cols, width, conv, _ = state
        assert isinstance(cols, Cols) and isinstance(width, int) and (conv is None or isinstance(conv, str))
        return _events(records, label, cols, width, conv)

    def rows_opened(self, chunk: Chunk, rows: list[list[str]], lines: list[int], text: str) -> Opened | None:
        assert chunk.reader is not None
        cols, width, conv, _ = chunk.reader.state
        assert isinstance(cols, Cols) and isinstance(width, int) and (conv is None or isinstance(conv, str))
        if _SURROGATE.search(conv or "") or not rows:
            return None  # finish() reports and repairs it
        label = chunk.path
        ti, ty, ci, mi = cols.text, cols.type, cols.conversation, cols.msgid
        n = len(rows)
        if min(map(len, rows)) == width == max(map(len, rows)):
            # A plain row: a text message whose cell starts with neither XML, JSON nor a space
            raws = list(map(itemgetter(ti), rows))
            plain = list(map(bool, map(_PLAIN_START.match, raws)))
            if ty is not None:
                plain = list(map(and_, plain, map(_TEXT_TYPES.__contains__, map(itemgetter(ty), rows))))
        else:
            raws = [row[ti] if len(row) == width else "" for row in rows]
            plain = [len(row) == width and bool(_PLAIN_START.match(raw)) and (ty is None or row[ty] in _TEXT_TYPES)
                     for row, raw in zip(rows, raws, strict=True)]
        if "\r" in text:
            raws = list(map(one_newline, raws))
        names: dict[str, str | None] = {}

        def destination(name: str) -> str | None:
            to = names.get(name, "")
            if to == "":
                to = names[name] = masked_name(name or conv)
            return to

        # Recalls, as finish() resolves them: a revokemsg marks the last message with its id among
        # the RECALL_WINDOW items before it (the prepass keeps earlier chunks out of reach; a chunk
        # is far shorter than the window's WINDOW_CHARS)
        track = mi is not None and "revokemsg" in text
        if track and len(text) * 2 > WINDOW_CHARS:
            return None
        if not track and all(plain):  # the common case: every row as it is
            if ci is None:
                tos = [destination("")] * n
            else:
                for name in set(map(str.strip, map(itemgetter(ci), rows))):
                    destination(name)
                tos = list(map(names.__getitem__, map(str.strip, map(itemgetter(ci), rows))))
            return Opened(raws, tos, lambda i: self._message(chunk, rows, lines, i, False), [])
        msgids = [row[mi].strip() if plain[k] else "" for k, row in enumerate(rows)] if track else []  # type: ignore[index]
        texts: list[str] = []
        tos = []
        where: list[int] = []  # row of each message
        at: list[int] = []
        bad: list[tuple[int, BadRecord]] = []
        count = 0
        keys: dict[str, tuple[int, int]] = {}  # id -> (position among the items held, message or -1)
        held = 0  # items the window has held: messages and bad records
        recalled: set[int] = set()
        for k in range(n):
            if plain[k]:
                if track and msgids[k]:
                    keys[msgids[k]] = (held, len(texts))
                texts.append(raws[k])
                tos.append(destination(rows[k][ci].strip() if ci is not None else ""))
                where.append(k)
                at.append(count)
                count += 1
                held += 1
                continue
            row = rows[k]
            if not any(c.strip() for c in row):
                continue
            fitted = fit_row(row, width)
            if fitted is None:
                bad.append((len(texts), BadRecord(label, lines[k], f"expected {width} fields, got {len(row)}")))
                held += 1
                continue
            # The steps of _row_event, the message itself built only if it is reported
            content = _row_content(fitted, lines[k], cols, label)
            if isinstance(content, BadRecord):
                bad.append((len(texts), content))
                held += 1
                continue
            kind, body, raw = content
            if _SURROGATE.search(body):
                raise Unusual  # undecodable bytes out of a JSON cell: the ordinary parser
            gone = revoked_id(raw) if kind == "system" else None
            key = _cell(fitted, mi) if gone is None else ""
            if gone is not None:
                target = keys.get(gone)
                if target is not None and target[0] >= held - RECALL_WINDOW:
                    if target[1] >= 0:
                        recalled.add(target[1])
                    continue  # marked: the recall itself is no message
            elif not body.strip():
                continue
            checked = kind not in UNCHECKED_KINDS
            if track and key:
                keys[key] = (held, len(texts) if checked else -1)
            if checked:
                texts.append(body)
                tos.append(destination(_cell(fitted, ci)))
                where.append(k)
                at.append(count)
            count += 1
            held += 1
        return Opened(texts, tos, lambda i: self._message(chunk, rows, lines, where[i], i in recalled), bad, at,
                      count)

    def _message(self, chunk: Chunk, rows: list[list[str]], lines: list[int], k: int, recalled: bool) -> Message:
        """The message of row k (as finish() gives it)."""
        assert chunk.reader is not None
        cols, width, conv, _ = chunk.reader.state
        assert isinstance(cols, Cols) and isinstance(width, int) and (conv is None or isinstance(conv, str))
        fitted = fit_row(rows[k], width)
        assert fitted is not None
        ev = _row_event(fitted, lines[k], cols, chunk.path, conv)
        m = ev.message if isinstance(ev, Keyed) else ev
        assert isinstance(m, Message)
        m = masked(m)
        return replace(m, recalled=True) if recalled else m


#: a content cell that is neither XML nor JSON nor blank (its first character)
_PLAIN_START = re.compile(r"[^<{\s]")


def _first_places(keys: set[str], f: IO[Any], start: int, text: bool) -> dict[str, int]:
    """Where each of ``keys`` (ASCII) first occurs in the file (offsets from ``start``, in the
    file's units): one Aho-Corasick pass, bytes read as Latin-1 so that offsets stay byte offsets."""
    import ahocorasick

    automaton = ahocorasick.Automaton()
    for key in keys:
        automaton.add_word(key, key)
    automaton.make_automaton()
    overlap = max(map(len, keys)) - 1
    first: dict[str, int] = {}
    f.seek(start)
    base, tail = 0, ""
    while len(first) < len(keys):
        data = f.read(SCAN_BYTES)
        if not data:
            break
        block = tail + (data if text else data.decode("latin-1"))
        for end, key in automaton.iter(block):
            if key not in first:
                first[key] = base + end - len(key) + 1
        tail = block[-overlap:] if overlap else ""
        base += len(block) - len(tail)
    return first


def _wechatmsg(stream: TextIO, label: str, options: ParseOptions) -> Iterator[Event]:
    return _rows(stream, label, True)


def _pywxdump(stream: TextIO, label: str, options: ParseOptions) -> Iterator[Event]:
    return _rows(stream, label, False)


_CSV_SPLIT = re.compile(r"[,\t]")


def _first_cells(head: str) -> list[str]:
    lines = head_lines(head, 2)
    return [c.strip().strip('"') for c in _CSV_SPLIT.split(lines[0].lstrip("\ufeff"))] if lines else []


def _sniff_wechatmsg(head: str, path: Path) -> float:
    return 1.0 if _wcm_cols(_first_cells(head)) is not None else 0.0


def _sniff_pywxdump(head: str, path: Path) -> float:
    return 1.0 if _pyw_cols(_first_cells(head)) is not None else 0.0


WECHATMSG_CSV = bulk_format(
    "wechatmsg-csv", "留痕/WeChatMsg CSV (localId,TalkerId,Type,…,StrContent or 消息ID,类型,发送人,时间,内容)",
    _sniff_wechatmsg, _wechatmsg, WeChatCsvBulk(wechatmsg=True),
)
PYWXDUMP_CSV = bulk_format(
    "pywxdump-csv", "PyWxDump CSV (id,MsgSvrID,type_name,is_sender,talker,room_name,msg,src,CreateTime)",
    _sniff_pywxdump, _pywxdump, WeChatCsvBulk(wechatmsg=False),
)
