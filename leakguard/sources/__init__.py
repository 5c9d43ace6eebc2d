"""Chat exports -> messages.

``iter_messages(paths)`` streams every message of the given files/folders as
:class:`Message` and reports what it cannot parse as :class:`BadRecord` without stopping.
``FORMATS`` lists the supported layouts; ``detect_format`` sniffs one file or folder.

Conventions shared by every format:

- ``line`` is the 1-based line where the message starts.  For JSON documents it is the
  line of the message object's ``{``; for JSON Lines the record's line; for CSV the line
  where the record starts (a quoted cell may span several lines).
- ``index`` numbers the messages 0.. across the whole input of one ``iter_messages``
  call, after the --since/--until filter (``Format.parse`` numbers per file).
- ``time`` is ISO 8601 ``YYYY-MM-DDTHH:MM:SS``.  WeChat/QQ/WeCom times get ``+08:00``;
  Telegram ``date``, WhatsApp and generic inputs keep the source's wall-clock time (with a
  zone only if the source writes one); epoch-only values (Slack ``ts``, Telegram
  ``date_unixtime``, epoch cells in generic files) are rendered in UTC.  None if unknown.
- Client notices (joins, pats, recall notices that do not name the recalled text, the
  WhatsApp E2E notice, Telegram service messages, QQ ``系统消息(10000)``) are *emitted* with
  ``kind="system"``: nothing is silently dropped.  Layout lines are not messages and are not
  emitted: QQ ``====`` separators and 消息分组/消息对象 lines, date rules and day lines, the
  mail-share ``Dear:`` / ``…的聊天记录如下`` header and ``发自我的 iPhone`` footer, file banners.
  Messages whose body is empty (QQ exports have some) are not emitted either.
- Recalls: a WeCom ``recall`` action, a Slack ``message_deleted`` event, a WeChat
  ``revokemsg`` body naming a message id, or a notice that names the recalled text (anti-
  recall tools: ``X撤回了一条消息：…``) sets ``recalled=True`` on the original when it is among
  the last 2000 messages of the file; otherwise a ``kind="recall"`` message is emitted
  (its text is the recalled content when known, else ``[撤回了一条消息]``).
- Media placeholders stay in the text (``[图片]``, ``【文件】name``, ``[文件] name.pdf``);
  formats that keep media in fields (Telegram, WeCom, PyWxDump, WeChat XML) get the same
  placeholders written in front of the caption/file name.  ``kind`` is one of ``KINDS``.
- XML (WeChat app messages) and JSON payloads are reduced to their readable fields (file
  names, link titles/descriptions/URLs, quoted text, forwarded items, memos); raw XML with
  its ids and hashes is not passed on.
- Undecodable bytes are replaced with U+FFFD and reported as a BadRecord for that message.
  A file that cannot be read at all gives one BadRecord with ``line=0``.
"""

from __future__ import annotations

from .base import KINDS, BadRecord, Format, Message, ParseOptions
from .registry import FORMATS, detect_format, iter_messages

__all__ = ["FORMATS", "KINDS", "BadRecord", "Format", "Message", "ParseOptions", "detect_format", "iter_messages"]
