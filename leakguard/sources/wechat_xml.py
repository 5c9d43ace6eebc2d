"""Text hidden in WeChat's XML message bodies (app messages, cards, system templates).

WeChatMsg/PyWxDump CSVs keep the raw ``<msg>…</msg>`` XML of type-49 app messages, cards,
locations and system templates.  File names, link titles, transfer memos and merged-forward
items are exactly where leaks hide, so we pull those fields out with tolerant regexes (no
XML parser: bodies are often truncated or not well-formed, and entities must not expand).
The raw XML is not scanned itself: it is full of ids and hashes that look like numbers.
"""

from __future__ import annotations

import html
import re

# Every search below is linear in the body: a lazy ``<x>(.*?)</x>`` over a body with many
# unclosed ``<x>`` rescans the rest of the body for each of them (a 100 KB cell of
# ``<title>`` took 30 s), so closing tags are found with str.find, and only where one exists.
_CDATA = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.DOTALL)
_OPEN = re.compile(
    r"<(title|des|desc|filename|pay_memo|feedesc|content|datadesc|datatitle|sourcename|displayname"
    r"|url|replacemsg|template|appname|sourcedisplayname|nickname|label|poiname|newmsgid"
    r"|fileext|recorditem)(?:\s[^<>]*)?>"
)
_ATTR = re.compile(r'\b(nickname|alias|label|poiname|fromnickname|province|city|sign)="([^"]*)"')
_ANY_TAG = re.compile(r"<[^<>]{1,300}>")
_APPMSG = re.compile(r"<appmsg\b")
_TYPE = re.compile(r"<type>\s*(\d+)\s*</type>")
_MAX_DEPTH = 3


def looks_like_xml(text: str) -> bool:
    s = text.lstrip()
    return s.startswith("<") and ">" in s and ("<msg" in s or "<?xml" in s or "<sysmsg" in s or "</" in s)


def fields(xml: str, depth: int = 0) -> list[tuple[str, str]]:
    """(tag, text) leaves in document order; nested (CDATA or escaped) XML is descended."""
    out: list[tuple[str, str]] = []
    for tag, raw in _elements(xml):
        value = _unwrap(raw)
        if "<" in value and ">" in value and depth < _MAX_DEPTH:
            inner = fields(value, depth + 1)
            if inner:
                out.extend(inner)
                continue
            value = _ANY_TAG.sub(" ", value).strip()
        if value:
            out.append((tag, value))
    for name, raw in _ATTR.findall(xml):
        value = html.unescape(raw).strip()
        if value:
            out.append((name, value))
    return out


def _elements(xml: str) -> list[tuple[str, str]]:
    """(tag, inner text) of each known element, left to right, not overlapping (what
    ``<(tag)…>(.*?)</\\1>`` would find, in linear time)."""
    out: list[tuple[str, str]] = []
    last_close: dict[str, int] = {}
    pos = 0
    while (m := _OPEN.search(xml, pos)) is not None:
        tag = m.group(1)
        close = f"</{tag}>"
        if tag not in last_close:
            last_close[tag] = xml.rfind(close)
        end = xml.find(close, m.end()) if last_close[tag] >= m.end() else -1
        if end < 0:  # never closed: skip the opening tag
            pos = m.end()
            continue
        out.append((tag, xml[m.end() : end]))
        pos = end + len(close)
    return out


def _between(text: str, start: str, end: str) -> str | None:
    """The text between the first ``start`` and the next ``end`` (first match of a lazy regex)."""
    i = text.find(start)
    if i < 0:
        return None
    j = text.find(end, i + len(start))
    return text[i + len(start) : j] if j >= 0 else None


def strip_cdata(value: str) -> str:
    last = value.rfind("]]>")  # no CDATA section can close after this: leave the rest alone
    if last < 0 or "<![CDATA[" not in value:
        return value
    return _CDATA.sub(lambda m: m.group(1), value[: last + 3]) + value[last + 3 :]


def _unwrap(raw: str) -> str:
    value = strip_cdata(raw)
    if "&lt;" in value or "&amp;" in value or "&#" in value:
        value = html.unescape(value)
    return value.strip()


def appmsg_type(xml: str) -> int | None:
    """The number in the first ``<type>N</type>`` after ``<appmsg``."""
    a = _APPMSG.search(xml)
    m = _TYPE.search(xml, a.end()) if a else None
    return int(m.group(1)) if m else None


def _first(fs: list[tuple[str, str]], *tags: str) -> str:
    for tag, value in fs:
        if tag in tags:
            return value
    return ""


def _join(*parts: str) -> str:
    seen: list[str] = []
    for p in parts:
        p = p.strip()
        if p and p not in seen:
            seen.append(p)
    return "\n".join(seen)


#: WeChat appmsg sub-types (the <type> inside <appmsg>) -> message kind
APP_KINDS = {
    6: "file", 5: "link", 4: "link", 3: "link", 33: "link", 36: "link", 51: "link", 63: "link",
    57: "quote", 19: "forward", 40: "forward", 2000: "transfer", 2001: "transfer", 8: "sticker",
    24: "forward", 17: "location", 62: "system",
}


def appmsg_text(xml: str, subtype: int | None = None) -> tuple[str, str]:
    """(kind, readable text) for an app message / card / location body."""
    fs = fields(xml)
    sub = subtype if subtype else appmsg_type(xml)
    kind = APP_KINDS.get(sub or 0, "link")
    title = _first(fs, "title")
    if "<location" in xml and not title:
        return "location", _join("[位置]", _first(fs, "poiname"), _first(fs, "label"))
    if 'username="' in xml and "bigheadimgurl" in xml:
        return "card", _join("[名片]", _first(fs, "nickname"), _first(fs, "alias"))
    if kind == "file":
        return kind, _join(f"[文件] {title}".strip(), _first(fs, "des"))
    if kind == "quote":
        quoted = _quoted(xml)
        return kind, _join(title, quoted)
    if kind == "forward":
        items = [v for t, v in fs if t in ("datadesc", "datatitle")]
        return kind, _join(f"[聊天记录] {title}".strip(), _first(fs, "des"), *items)
    if kind == "transfer":
        return kind, _join("[转账]", _first(fs, "feedesc"), _first(fs, "pay_memo"), _first(fs, "des"))
    if kind == "location":
        return kind, _join("[位置]", title, _first(fs, "des"))
    if kind == "system":
        return kind, _join(title, _first(fs, "des"))
    return kind, _join(f"[链接] {title}".strip(), _first(fs, "des"), _first(fs, "url"), _first(fs, "appname"))


def _quoted(xml: str) -> str:
    body = _between(xml, "<refermsg>", "</refermsg>")
    if body is None:
        return ""
    name = _between(body, "<displayname>", "</displayname>")
    content = _between(body, "<content>", "</content>")
    who = _unwrap(name) if name is not None else ""
    text = _unwrap(content) if content is not None else ""
    if looks_like_xml(text):
        text = appmsg_text(text)[1]
    return f"引用 {who}: {text}".strip() if (who or text) else ""


def system_text(raw: str) -> str:
    """A system message (type 10000/10002) as plain text: tags and CDATA stripped."""
    if "<sysmsg" in raw or "<msg" in raw:
        fs = fields(raw)
        text = _first(fs, "replacemsg", "template", "content", "title", "des")
        if text:
            return _ANY_TAG.sub("", text).strip()
    value = strip_cdata(raw)
    return html.unescape(_ANY_TAG.sub("", value)).strip()


def revoked_id(raw: str) -> str | None:
    """The <newmsgid> (server id of the recalled message) of a revokemsg system body."""
    if "revokemsg" not in raw:
        return None
    m = re.search(r"<newmsgid>\s*(\d+)\s*</newmsgid>", raw)
    return m.group(1) if m else None
