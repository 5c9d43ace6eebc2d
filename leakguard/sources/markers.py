"""Placeholders and client notices shared by the text formats.

Placeholders (``[图片]``, ``【文件】…``, ``[文件] name.pdf``) stay in the message text: the
scorer uses them as attachment cues.  They only choose the message's ``kind``.

System lines are recognised by *whole-line* patterns only, so user text that merely
mentions 撤回 or 加入 is never taken for a notice.
"""

from __future__ import annotations

import re

_PLACEHOLDERS: tuple[tuple[str, str], ...] = (
    (r"图片|照片|image|photo", "image"),
    (r"文件|file", "file"),
    (r"分享链接|链接|link|小程序|视频号|公众号文章", "link"),
    (r"视频|video", "video"),
    (r"语音|voice|audio|音频", "voice"),
    (r"表情包|动画表情|表情|GIF表情|sticker|emoji", "sticker"),
    (r"个人名片|名片|公众号名片|企业微信名片|contact", "card"),
    (r"位置分享|位置|location", "location"),
    (r"QQ红包|红包|转账|微信转账", "transfer"),
    (r"合并转发的聊天记录|合并转发|聊天记录", "forward"),
    (r"音视频通话|视频/语音通话|语音通话|视频通话|call", "call"),
)
_KIND_RE = [
    (re.compile(rf"\s*(?:!?\[|【)(?:{alts})(?:[\]】:：|\s]|$)", re.IGNORECASE), kind)
    for alts, kind in _PLACEHOLDERS
]

_WA_MEDIA = re.compile(
    r"\s*(?:<Media omitted>|<省略影音内容>|<已省略多媒體檔案>|<媒体已省略>|<attached: [^>]+>"
    r"|(?:image|video|audio|sticker|GIF|document) omitted|\S+\.\w{2,5} \(file attached\))\s*$",
    re.IGNORECASE,
)


def kind_of(text: str) -> str:
    """The kind a leading placeholder gives a message, else 'text'."""
    head = text.lstrip()[:1]
    if head in ("[", "【", "!"):
        for rx, kind in _KIND_RE:
            if rx.match(text):
                return kind
    if _WA_MEDIA.match(text):
        low = text.lower()
        return "image" if ("image" in low or "photo" in low or ".jpg" in low) else "file"
    return "text"


_NAME = r"(?:\"[^\"\n]{1,40}\"|“[^”\n]{1,40}”|[^\s\"“]{1,40})"
_PAT_WHO = r"(?:\"[^\"\n]{1,40}\"|“[^”\n]{1,40}”|你|我)"  # pats name people in quotes
_SYSTEM = re.compile(
    "|".join(
        [
            rf"(?:{_NAME} ?)?撤回了一条(?:消息|成员消息)(?:\s*重新编辑)?",
            rf"(?:{_NAME} ?)?撤回了一條訊息",
            rf"{_NAME} ?(?:邀请|邀請)\S{{1,200}}加入了?(?:群聊|本群)[。.]?",
            rf"{_NAME} ?(?:加入了?(?:群聊|本群)|退出了?群聊|已退出群聊)[。.]?",
            rf"{_NAME} ?(?:将|把)\S{{1,100}}移出了?群聊[。.]?",
            rf"{_NAME} ?(?:修改群名为|修改了群名为).{{1,60}}",
            rf"{_PAT_WHO} ?拍了拍 ?(?:{_PAT_WHO}|自己)[^，。！？,!?\n]{{0,20}}",
            rf"{_NAME} 拍了拍 (?:我|你|自己)",
            r"以下为新消息|以上是打招呼的内容|—+ ?以下为新消息 ?—+",
            r"你已添加了.{1,40}，现在可以开始聊天了。?",
            r"你和.{1,40}有\d+个共同好友，点击添加好友。?",
            rf"{_NAME} ?(?:开启了朋友验证|已成为新群主|成为新群主)。?.{{0,40}}",
            r"收到红包，请在手机上查看|对方已成功接收了你发送的离线文件",
            r"(?:你|对方)已?(?:取消|拒绝)了?(?:语音|视频)?通话(?:，?时长 ?\d{1,2}:\d{2}(?::\d{2})?)?",
            r"Messages and calls are end-to-end encrypted\..*|消息和通话已进行端到端加密.*",
        ]
    )
)
_RECALL_CONTENT = re.compile(
    r"(?P<who>.{0,40}?)\s*(?:撤回了一条消息|尝试撤回.{0,10}|拦截到.{0,10}撤回.{0,6})[：:]\s*(?P<text>.+)"
)


def system_line(line: str) -> bool:
    """True when the whole (stripped) line is a client notice."""
    s = line.strip()
    if not s or len(s) > 300:
        return False
    return _SYSTEM.fullmatch(s) is not None or _RECALL_CONTENT.fullmatch(s) is not None


def recall_content(line: str) -> tuple[str | None, str] | None:
    """(who, content) when a notice names the recalled content (anti-recall tools)."""
    m = _RECALL_CONTENT.fullmatch(line.strip())
    if not m:
        return None
    who = m.group("who").strip().strip('"“”') or None
    return who, m.group("text").strip()
