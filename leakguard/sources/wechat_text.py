"""WeChat text layouts: 留痕/WeChatMsg TXT, desktop copy, mobile mail share, WechatExporter TXT.

Times are the exporter's local time; WeChat is a Chinese client, so +08:00 is assumed.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

from .base import Event, ParseOptions
from .blocks import BlockSpec, Head, block_parser
from .bulk import RECALL, RECALL_BYTES, VALID_DATE2, BlockBulk, bulk_format, strip_edges
from .streams import head_lines, paragraph_firsts, share, stem_of, stream_format
from .timefmt import CST, hour24, iso

# --- 留痕 / WeChatMsg / MemoTrace TXT -------------------------------------------------------
# v1: '2024-05-01 09:12:33 张三' + content + blank; system: '2024-05-01 09:14:00 <notice>' alone.
# v2: the same title, or the bare time for a system message whose text follows.
_WCM_HEAD = re.compile(r"(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?: (.*))?")


def _unescape_name(name: str) -> str:
    """Undo WeChatMsg's escape_js_and_html() on display names."""
    name = name.replace('\\"', '"').replace("\\'", "'").replace("\\n", " ")
    return html.unescape(name).strip()


class WeChatMsgTxt(BlockSpec):
    def __init__(self, label: str, options: ParseOptions) -> None:
        super().__init__(label, options)
        stem = stem_of(label)
        self.conversation = stem.removesuffix("_utf8")

    def header(self, line: str, stripped: str) -> Head | None:
        m = _WCM_HEAD.fullmatch(line.rstrip())
        if not m:
            return None
        y, mo, d, h, mi, s = (int(g) for g in m.groups()[:6])
        when = iso(y, mo, d, h, mi, s, CST)
        if when is None:
            return None
        rest = (m.group(7) or "").strip()
        if not rest:  # v2 system message: the notice follows on the next line
            return Head(None, when, "system", conversation=self.conversation)
        return Head(_unescape_name(rest), when, conversation=self.conversation)

    def message(self, head: Head, text: str, lineno: int) -> Event | None:
        if not text.strip() and head.sender:
            # v1 system message: the whole notice is the title, no content follows
            text = head.sender
            head = Head(None, head.time, "system", conversation=head.conversation)
        return super().message(head, _dedent_card(text), lineno)


_CARD_INDENT = " " * 12


def _dedent_card(text: str) -> str:
    """v1 writes link cards with every line indented by 12 spaces (an f-string artefact)."""
    if not text.startswith(_CARD_INDENT):
        return text
    lines = text.split("\n")
    if all(ln.startswith(_CARD_INDENT) or not ln.strip() for ln in lines):
        return "\n".join(ln[12:] for ln in lines)
    return text


_wcm_txt = block_parser(WeChatMsgTxt)


def _sniff_wcm_txt(head: str, path: Path) -> float:
    score = share(paragraph_firsts(head_lines(head)), _WCM_HEAD)
    return 0.5 + 0.3 * score if score >= 0.5 else 0.0


class WeChatMsgTxtBulk(BlockBulk):
    """Bulk reading (:mod:`.bulk`): a chunk starts at a header line after a blank line; system
    messages (a title without a name, or a title without content) go through the spec."""

    window, window_bytes = RECALL, RECALL_BYTES
    cand = r"\d{4}-"
    # _WCM_HEAD with ASCII digits, valid dates and times (Feb 29 aside) and no trailing space
    head = re.compile(rf"\n{VALID_DATE2} (?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-9]{{2}}(?: ([^\n]*))?(?<=\S)(?=\n)")

    def spec(self, label: str, options: ParseOptions, state: tuple[object, ...]) -> WeChatMsgTxt:
        spec = WeChatMsgTxt(label, options)
        if state:  # named after the file by the reading process (a chunk's label is printable)
            spec.conversation = state[0]  # type: ignore[assignment]
        return spec

    def state_of(self, spec: Any) -> tuple[object, ...]:
        return (spec.conversation,)

    def texts(self, found: list[Any], bodies: list[str], chunk_text: str) -> list[str]:
        texts = strip_edges(bodies, chunk_text)
        if _CARD_INDENT in chunk_text:
            texts = [_dedent_card(t) for t in texts]
        return texts

    def plain(self, spec: Any, found: list[Any], texts: list[str], chunk_text: str) -> list[bool] | None:
        plain = [bool(rest and rest.strip()) and bool(t.strip()) for rest, t in zip(found, texts, strict=True)]
        return None if all(plain) else plain


WECHATMSG_TXT = bulk_format(
    "wechatmsg-txt", "留痕/WeChatMsg/MemoTrace TXT ('YYYY-MM-DD HH:MM:SS 名字' + content)",
    _sniff_wcm_txt, _wcm_txt, WeChatMsgTxtBulk(),
)

# --- WeChat desktop multi-select copy -------------------------------------------------------
# '昵称 2023/09/16 2:51 PM' or '昵称 2022/11/17 21:07', content lines, blank line.
_COPY_HEAD = re.compile(
    r"(?P<name>.+?) (?P<y>\d{4})/(?P<mo>\d{1,2})/(?P<d>\d{1,2}) (?:(?P<pre>上午|下午) ?)?"
    r"(?P<h>\d{1,2}):(?P<mi>\d{2})(?: ?(?P<ampm>[AaPp][Mm]))?"
)


class WeChatCopy(BlockSpec):
    notices = True

    def header(self, line: str, stripped: str) -> Head | None:
        m = _COPY_HEAD.fullmatch(stripped)
        if not m:
            return None
        hour = hour24(int(m["h"]), m["pre"] or m["ampm"])
        when = iso(int(m["y"]), int(m["mo"]), int(m["d"]), hour, int(m["mi"]), 0, CST)
        return Head(m["name"].strip(), when) if when else None


_copy = block_parser(WeChatCopy)


def _sniff_copy(head: str, path: Path) -> float:
    score = share(paragraph_firsts(head_lines(head)), _COPY_HEAD)
    return 0.45 + 0.3 * score if score >= 0.5 else 0.0


WECHAT_COPY = stream_format(
    "wechat-copy", "text copied from WeChat desktop ('昵称 2023/09/16 2:51 PM' + content)",
    _sniff_copy, _copy,
)

# --- WeChat mobile "多选 → 邮件" share ------------------------------------------------------
_MAIL_GROUP = re.compile(r'微信群["“](?P<name>.*)["”]的聊天记录如下[:：]?')
_MAIL_PRIVATE = re.compile(r"(?P<name>.+?)在微信上的聊天记录如下[，,]?\s*(?:请查收。?)?")
_MAIL_RULE = re.compile(
    r"[—–\-─]{2,}\s*(\d{4})\s*[-/年.]\s*(\d{1,2})\s*[-/月.]\s*(\d{1,2})\s*+(?:日\s*+)?[—–\-─]{2,}"
)
_MAIL_HEAD = re.compile(r"(?P<name>.*?\S)\s+(?P<h>\d{1,2}):(?P<mi>\d{2})")  # \S: no quadratic retries
_MAIL_LAYOUT = re.compile(r"Dear[:：]?|发自我的\s?\S{1,20}|Sent from my \S{1,20}")


class WeChatMail(BlockSpec):
    notices = True

    def __init__(self, label: str, options: ParseOptions) -> None:
        super().__init__(label, options)
        self.date: tuple[int, int, int] | None = None

    def layout(self, line: str, stripped: str, lineno: int) -> bool:
        m = _MAIL_GROUP.fullmatch(stripped) or _MAIL_PRIVATE.fullmatch(stripped)
        if m:
            self.conversation = m["name"].strip()
            return True
        rule = _MAIL_RULE.fullmatch(stripped)
        if rule:
            self.date = (int(rule[1]), int(rule[2]), int(rule[3]))
            return True
        return self.boundary and _MAIL_LAYOUT.fullmatch(stripped) is not None

    def header(self, line: str, stripped: str) -> Head | None:
        m = _MAIL_HEAD.fullmatch(stripped)
        if not m or int(m["h"]) > 23 or int(m["mi"]) > 59:
            return None
        when = iso(*self.date, int(m["h"]), int(m["mi"]), 0, CST) if self.date else None
        return Head(m["name"].strip(), when, conversation=self.conversation)


_mail = block_parser(WeChatMail)


def _sniff_mail(head: str, path: Path) -> float:
    lines = [ln.strip() for ln in head_lines(head, 60)]
    if any(_MAIL_GROUP.fullmatch(ln) or _MAIL_PRIVATE.fullmatch(ln) for ln in lines):
        return 0.95
    if any(_MAIL_RULE.fullmatch(ln) for ln in lines):
        return 0.7
    return 0.0


WECHAT_MAIL = stream_format(
    "wechat-mail", "WeChat mobile 多选→邮件 share ('—— 2025-5-31 ——' date rules, '昵称  12:57' lines)",
    _sniff_mail, _mail,
)

# --- BlueMatthew/WechatExporter TXT (iOS backups) --------------------------------------------
_WE_TITLE = re.compile(r"(?P<name>.+) - 微信聊天记录")
_WE_HEAD = re.compile(
    r"(?P<name>.*?) \((?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2}) (?P<h>\d{2}):(?P<mi>\d{2}):(?P<s>\d{2})\):(?P<text>.*)"
)


class WechatExporterTxt(BlockSpec):
    blank_before = False
    notices = True
    notice_needs_blank = False

    def layout(self, line: str, stripped: str, lineno: int) -> bool:
        m = _WE_TITLE.fullmatch(stripped) if lineno == 1 else None
        if m:
            self.conversation = m["name"].strip()
        return m is not None

    def header(self, line: str, stripped: str) -> Head | None:
        m = _WE_HEAD.fullmatch(line)
        if not m:
            return None
        y, mo, d, h, mi, s = (int(m[k]) for k in ("y", "mo", "d", "h", "mi", "s"))
        when = iso(y, mo, d, h, mi, s, CST)
        if when is None:
            return None
        return Head(m["name"].strip(), when, first=m["text"], conversation=self.conversation)


_exporter = block_parser(WechatExporterTxt)


def _sniff_exporter(head: str, path: Path) -> float:
    lines = head_lines(head)
    if lines and _WE_TITLE.fullmatch(lines[0].strip()):
        return 0.95
    score = share([ln for ln in lines if ln.strip()], _WE_HEAD, 3)
    return 0.4 + 0.4 * score if score >= 0.5 else 0.0


WECHATEXPORTER_TXT = stream_format(
    "wechatexporter-txt", "BlueMatthew/WechatExporter TXT ('名字 (2021-03-05 12:34:56):消息')",
    _sniff_exporter, _exporter,
)
