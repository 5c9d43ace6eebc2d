"""Scanning chat exports: messages in, flagged messages and a summary out (streaming).

:func:`scan` walks :func:`leakguard.sources.iter_messages`, checks every message with the
conversation name as destination, and yields :class:`ScannedMessage` items in input order; a
:class:`Summary` accumulates counts with memory bounded by the number of distinct
conversations/senders and a cap on the kept examples.

Messages are checked in batches (:meth:`Scanner.check_many`: one normalisation and one
automaton pass per batch of up to :data:`BATCH_CHARS` characters).  With ``jobs > 1`` the
batches go to worker processes, each holding its own copy of the scanner, at most
``2 × jobs`` batches in flight (the parent keeps streaming; memory stays bounded), and come
back in input order; the verdicts are those of ``jobs=1``.  The pool starts only once the
input has filled a few batches, so a small export never pays for it.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .model import Verdict
from .scanner import Scanner, passed

SCHEMA_VERSION = 1
BATCH_CHARS = 64 * 1024  # characters of message text per batch
BATCH_MESSAGES = 1024
POOL_AFTER = 4  # batches read before worker processes are started (small inputs stay in-process)
Post = Callable[[str, str, Verdict], Verdict]  # (source path, text, verdict) -> verdict (suppression, baseline)
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
    *,
    post: Post | None = None,
    jobs: int = 1,
) -> Iterator[ScannedMessage]:
    """Check every message; yield each one with its verdict, in input order.  Bad records go to
    the summary.  ``post`` (e.g. suppression and baseline filters) sees every verdict with the
    message's source path; ``jobs > 1`` checks batches in that many worker processes."""
    from .sources import BadRecord

    attachments: list[Any] = []  # paths only: read after the messages, so memory stays flat

    def wanted(item: Any) -> bool:
        if isinstance(item, BadRecord):
            summary.add_bad(item)
            return False
        if item.kind == "attachment":
            attachments.append(item)
            return False
        if item.kind in _SKIP_KINDS:
            summary.system += 1
            return False
        if (since or until) and item.time:
            day = item.time[:10]
            if (since and day < since) or (until and day > until):
                return False
        return True

    messages = (item for item in items if wanted(item))
    if not isinstance(scanner, Scanner):  # a wrapper with its own check(): one message at a time
        for m in messages:
            yield _emit(summary, post, m, scanner.check(m.text, to=m.conversation, lang=lang))
    else:
        checked = _checked(scanner, _batches(messages), lang, jobs)
        for batch, verdicts in checked:
            for m, v in zip(batch, verdicts):
                yield _emit(summary, post, m, v)
    for att in attachments:
        yield from _attachment(scanner, att, summary, post, lang)


def _attachment(scanner: Any, att: Any, summary: Summary, post: Post | None, lang: str) -> Iterator[ScannedMessage]:
    """Photos and documents found beside an export: each text unit with findings becomes a
    scanned message (path ``file#location``); a file that cannot be read is a counted skip."""
    from dataclasses import replace
    from pathlib import Path

    from .attachcheck import check_attachment
    from .model import LeakguardError
    from .sources import BadRecord

    try:
        results = check_attachment(scanner, Path(att.path), att.conversation, lang, False)
    except LeakguardError as e:
        summary.add_bad(BadRecord(att.path, 0, str(e).removeprefix(f"{att.path}: ")))
        return
    for _label, text, v in results:
        where = v.findings[0].location if v.findings else ""
        m = replace(att, text=text, path=f"{att.path}#{where}" if where else att.path)
        yield _emit(summary, post, m, v)


def _emit(summary: Summary, post: Post | None, m: Any, v: Verdict) -> ScannedMessage:
    if post is not None:
        v = post(m.path, m.text, v)
    sm = ScannedMessage(m, v)
    summary.add(sm)
    return sm


def _batches(messages: Iterable[Any]) -> Iterator[list[Any]]:
    batch: list[Any] = []
    size = 0
    for m in messages:
        batch.append(m)
        size += len(m.text)
        if size >= BATCH_CHARS or len(batch) >= BATCH_MESSAGES:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _checked(
    scanner: Scanner, batches: Iterator[list[Any]], lang: str, jobs: int
) -> Iterator[tuple[list[Any], list[Verdict]]]:
    """(batch, verdicts) in input order; in worker processes once the input proves large."""
    early: list[list[Any]] = []
    if jobs > 1:
        for batch in batches:
            early.append(batch)
            if len(early) >= POOL_AFTER:
                break
        if len(early) >= POOL_AFTER:
            yield from _parallel(scanner, early, batches, lang, jobs)
            return
    for batch in early or batches:
        yield batch, _check_batch(scanner, batch, lang)
    if early:
        for batch in batches:
            yield batch, _check_batch(scanner, batch, lang)


def _check_batch(scanner: Scanner, batch: list[Any], lang: str) -> list[Verdict]:
    return scanner.check_many([m.text for m in batch], [m.conversation for m in batch], lang)


# ----------------------------------------------------------------------------- worker processes

_worker: Scanner | None = None


def _init_worker(scanner: Scanner) -> None:
    import signal

    global _worker
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _worker = scanner


def _work(texts: list[str], tos: list[str | None], lang: str) -> list[Verdict | None]:
    assert _worker is not None
    # A message that cannot produce a finding travels back as None (most of a chat log).
    return [None if v == passed(len(t)) else v for t, v in zip(texts, _worker.check_many(texts, tos, lang))]


def _parallel(
    scanner: Scanner, early: list[list[Any]], batches: Iterator[list[Any]], lang: str, jobs: int
) -> Iterator[tuple[list[Any], list[Verdict]]]:
    import multiprocessing
    from itertools import chain

    pool = multiprocessing.get_context().Pool(jobs, _init_worker, (scanner,))
    pending: deque[tuple[list[Any], Any]] = deque()
    try:
        for batch in chain(early, batches):
            texts = [m.text for m in batch]
            pending.append((batch, pool.apply_async(_work, (texts, [m.conversation for m in batch], lang))))
            if len(pending) >= 2 * jobs:
                yield _collect(*pending.popleft())
        while pending:
            yield _collect(*pending.popleft())
        pool.close()
    finally:
        pool.terminate()
        pool.join()


def _collect(batch: list[Any], result: Any) -> tuple[list[Any], list[Verdict]]:
    return batch, [passed(len(m.text)) if v is None else v for m, v in zip(batch, result.get())]
