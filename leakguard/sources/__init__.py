"""Chat exports -> messages.

``iter_messages(paths)`` streams every message of the given files/folders as
:class:`Message` (text, conversation, sender, ISO time, path, line, index, kind, recalled)
and reports unparseable records as :class:`BadRecord` without stopping.  ``FORMATS`` lists
the supported layouts; ``detect_format`` sniffs one file.  See docs/sources.md.
"""

from __future__ import annotations

from .base import KINDS, BadRecord, Format, Message, ParseOptions
from .registry import FORMATS, detect_format, iter_messages

__all__ = ["FORMATS", "KINDS", "BadRecord", "Format", "Message", "ParseOptions", "detect_format", "iter_messages"]
