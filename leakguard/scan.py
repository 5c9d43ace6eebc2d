"""Scanning chat exports: messages in, flagged messages and a summary out (streaming).

:func:`scan` walks :func:`leakguard.sources.iter_messages`, checks every message with the
conversation name as destination, and yields :class:`ScannedMessage` items; a
:class:`Summary` accumulates counts with memory bounded by the number of distinct
conversations/senders and a cap on the kept examples.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .model import Verdict
from .scanner import Scanner

SCHEMA_VERSION = 1
_ORDER = {"pass": 0, "warn": 1, "block": 2}
MAX_BAD_KEPT = 200
# Message kinds that are not the sender's words (client notices): never scored.
_SKIP_KINDS = frozenset({"system"})


@dataclass(frozen=True, slots=True)
class ScannedMessage:
    message: Any  # leakguard.sources.Message
    verdict: Verdict

    def to_dict(self, show_matches: bool = False) -> dict[str, Any]:
        m = self.message
        d = self.verdict.to_dict(show_matches, SCHEMA_VERSION)
        d.pop("schema_version")
        d.update(
            conversation=m.conversation,
            sender=m.sender,
            time=m.time,
            message_index=m.index,
            kind=m.kind,
            recalled=m.recalled,
            source={"path": m.path, "line": m.line},
        )
        return d


@dataclass
class Summary:
    messages: int = 0
    skipped: int = 0
    system: int = 0
    flagged: int = 0
    blocked: int = 0
    recalled_flagged: int = 0
    bytes_text: int = 0
    by_category: Counter[str] = field(default_factory=Counter)
    by_conversation: Counter[str] = field(default_factory=Counter)
    by_sender: Counter[str] = field(default_factory=Counter)
    by_code: Counter[str] = field(default_factory=Counter)
    by_precedent: Counter[str] = field(default_factory=Counter)
    bad: list[Any] = field(default_factory=list)
    files: set[str] = field(default_factory=set)
    interrupted: bool = False
    worst: str = "pass"

    def add_bad(self, bad: Any) -> None:
        self.skipped += 1
        self.files.add(bad.path)
        if len(self.bad) < MAX_BAD_KEPT:
            self.bad.append(bad)

    def add(self, sm: ScannedMessage) -> None:
        m, v = sm.message, sm.verdict
        self.messages += 1
        self.files.add(m.path)
        self.bytes_text += len(m.text)
        if not v.flagged:
            return
        self.flagged += 1
        self.blocked += v.verdict == "block"
        self.recalled_flagged += bool(m.recalled)
        if _ORDER[v.verdict] > _ORDER[self.worst]:
            self.worst = v.verdict
        top = v.findings[0]
        self.by_category[top.category] += 1
        self.by_conversation[m.conversation or "-"] += 1
        self.by_sender[m.sender or "-"] += 1
        self.by_code[top.code] += 1
        if top.precedent:
            self.by_precedent[top.precedent.id] += 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "verdict": self.worst,
            "messages": self.messages,
            "skipped": self.skipped,
            "system": self.system,
            "flagged": self.flagged,
            "blocked": self.blocked,
            "recalled_flagged": self.recalled_flagged,
            "interrupted": self.interrupted,
            "files": sorted(self.files),
            "by_category": dict(self.by_category.most_common()),
            "by_conversation": dict(self.by_conversation.most_common()),
            "by_sender": dict(self.by_sender.most_common()),
            "by_code": dict(self.by_code.most_common()),
            "by_precedent": dict(self.by_precedent.most_common()),
            "bad_records": [{"path": b.path, "line": b.line, "reason": b.reason} for b in self.bad],
            "bad_records_truncated": self.skipped > len(self.bad),
        }


def scan(
    scanner: Scanner,
    items: Iterable[Any],
    summary: Summary,
    lang: str = "zh",
    since: str | None = None,
    until: str | None = None,
) -> Iterator[ScannedMessage]:
    """Check every message; yield each one with its verdict.  Bad records go to the summary."""
    from .sources import BadRecord

    for item in items:
        if isinstance(item, BadRecord):
            summary.add_bad(item)
            continue
        if item.kind in _SKIP_KINDS:
            summary.system += 1
            continue
        if (since or until) and item.time:
            day = item.time[:10]
            if (since and day < since) or (until and day > until):
                continue
        v = scanner.check(item.text, to=item.conversation, lang=lang)
        sm = ScannedMessage(item, v)
        summary.add(sm)
        yield sm
