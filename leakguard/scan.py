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
from itertools import chain
from typing import Any, NamedTuple

from .model import Verdict
from .scanner import Scanner, passed
from .sources.base import UNCHECKED_KINDS, BadRecord, Chunk, with_index

SCHEMA_VERSION = 1
BATCH_CHARS = 64 * 1024  # characters of message text per batch
BATCH_MESSAGES = 1024
POOL_AFTER = 4  # batches read before worker processes are started (small inputs stay in-process)
Post = Callable[[str, str, Verdict], Verdict]  # (source path, text, verdict) -> verdict (suppression, baseline)
_ORDER = {"pass": 0, "warn": 1, "block": 2}
MAX_BAD_KEPT = 200
# Message kinds that are not the sender's words (client notices): never scored.
_SKIP_KINDS = UNCHECKED_KINDS


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

    def count(self, path: str, messages: int, chars: int) -> None:
        """Messages that were checked and not reported (nothing found)."""
        self.messages += messages
        self.files.add(path)
        self.bytes_text += chars

    def add(self, sm: ScannedMessage) -> None:
        m, v = sm.message, sm.verdict
        self.count(m.path, 1, len(m.text))
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
    flagged_only: bool = False,
    tick: Callable[[], None] | None = None,
) -> Iterator[ScannedMessage]:
    """Check every message; yield each one with its verdict, in input order, numbered 0.. in
    input order (``Message.index``).  Bad records go to the summary.  ``post`` (e.g.
    suppression and baseline filters) sees every verdict that has findings, with the
    message's source path, and every other one unless ``flagged_only``; ``flagged_only``
    yields only messages with findings (the rest are counted: on a chat log that is nearly
    all of them, and :class:`~leakguard.sources.base.Chunk` items are then never turned
    into messages).  ``jobs > 1`` checks batches in that many worker processes; ``tick`` is
    called after each batch (progress display)."""
    from .sources.bulk import expand

    attachments: list[Any] = []  # paths only: read after the messages, so memory stays flat
    bulk = isinstance(scanner, Scanner)
    run = _Run(summary, post, since, until, not flagged_only, attachments)
    if not bulk:  # a wrapper with its own check(): one message at a time
        for item in items:
            for one in expand(item) if isinstance(item, Chunk) else (item,):
                verdicts = []
                if not isinstance(one, BadRecord) and run.checked(one):
                    verdicts.append(scanner.check(one.text, to=one.conversation, lang=lang))
                yield from run.collect([one], verdicts)
            if tick is not None:
                tick()
    else:
        for unit, result in _checked(scanner, _units(items, run, since or until), run, lang, jobs):
            if isinstance(unit, Chunk):
                yield from run.collect_chunk(unit, result)
            else:
                yield from run.collect(unit, result)
            if tick is not None:
                tick()
    for att in attachments:
        yield from _attachment(scanner, att, summary, post, lang)


class _Run:
    """What one scan does with each item once its verdicts are known (in input order)."""

    def __init__(self, summary: Summary, post: Post | None, since: str | None, until: str | None,
                 everything: bool, attachments: list[Any]) -> None:
        self.summary = summary
        self.post = post
        self.since = since
        self.until = until
        self.everything = everything
        self.attachments = attachments
        self.index = 0

    def checked(self, item: Any) -> bool:
        """Whether a message is checked: not a client notice or an attachment, within the dates."""
        if isinstance(item, BadRecord) or item.kind == "attachment" or item.kind in _SKIP_KINDS:
            return False
        if (self.since or self.until) and item.time:
            day = item.time[:10]
            if (self.since and day < self.since) or (self.until and day > self.until):
                return False
        return True

    def collect(self, batch: list[Any], verdicts: list[Verdict]) -> Iterator[ScannedMessage]:
        it = iter(verdicts)
        summary = self.summary
        for item in batch:
            if isinstance(item, BadRecord):
                summary.add_bad(item)
                continue
            with_index(item, self.index)
            self.index += 1
            if not self.checked(item):
                if item.kind == "attachment":
                    self.attachments.append(item)
                elif item.kind in _SKIP_KINDS:
                    summary.system += 1
                continue
            v = next(it)
            if v.findings or v.notes or self.everything:
                yield _emit(summary, self.post, item, v)
            else:
                summary.count(item.path, 1, len(item.text))

    def collect_chunk(self, chunk: Chunk, result: ChunkResult) -> Iterator[ScannedMessage]:
        summary = self.summary
        chars = 0
        for entry in result.items:
            if isinstance(entry, BadRecord):
                summary.add_bad(entry)
                continue
            pos, m, v = entry
            chars += len(m.text)
            yield _emit(summary, self.post, with_index(m, self.index + pos), v)
        emitted = len(result.items) - result.bad
        if result.messages > emitted:
            summary.count(chunk.path, result.messages - emitted, result.chars - chars)
        summary.system += result.system
        self.index += result.messages + result.system


class ChunkResult(NamedTuple):
    """A checked chunk: its checked message count and text length, and in input order its bad
    records and the ``(position, message, verdict)`` of each message to report.  ``system``
    counts the client notices (numbered, not checked) among its messages."""

    messages: int
    chars: int
    items: list[Any]
    bad: int
    system: int = 0


def check_chunk(scanner: Scanner, chunk: Chunk, lang: str, everything: bool) -> ChunkResult:
    """Parse a chunk and check its messages (in a worker process with jobs)."""
    from .sources.bulk import open_chunk

    opened = open_chunk(chunk)
    at = opened.at
    verdicts = scanner.check_many(opened.texts, opened.tos, lang, flagged_only=not everything)
    report = range(len(verdicts)) if everything else [i for i, v in enumerate(verdicts) if v.findings or v.notes]
    items: list[Any] = []
    bad = iter(opened.bad)
    nxt = next(bad, None)
    for i in report:
        while nxt is not None and nxt[0] <= i:
            items.append(nxt[1])
            nxt = next(bad, None)
        items.append((i if at is None else at[i], opened.message(i), verdicts[i]))
    while nxt is not None:
        items.append(nxt[1])
        nxt = next(bad, None)
    return ChunkResult(len(verdicts), sum(map(len, opened.texts)), items, len(opened.bad), opened.system)


Unit = Any  # list[Message | BadRecord] (a batch) or Chunk


def _units(items: Iterable[Any], run: _Run, expand_chunks: object) -> Iterator[Unit]:
    """Batches of items (up to BATCH_CHARS of text to check or BATCH_MESSAGES items) and chunks."""
    from .sources.bulk import expand

    batch: list[Any] = []
    size = 0
    for item in items:
        if isinstance(item, Chunk):
            if not expand_chunks:
                if batch:
                    yield batch
                    batch, size = [], 0
                yield item
                continue
            parts: Iterable[Any] = expand(item)
        else:
            parts = (item,)
        for part in parts:
            batch.append(part)
            if run.checked(part):
                size += len(part.text)
            if size >= BATCH_CHARS or len(batch) >= BATCH_MESSAGES:
                yield batch
                batch, size = [], 0
    if batch:
        yield batch


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


def _checked(scanner: Scanner, units: Iterator[Unit], run: _Run, lang: str, jobs: int) -> Iterator[tuple[Unit, Any]]:
    """(unit, result) in input order; in worker processes once the input proves large."""
    early: list[Unit] = []
    if jobs > 1:
        for unit in units:
            early.append(unit)
            if len(early) >= POOL_AFTER:
                break
        if len(early) >= POOL_AFTER:
            yield from _parallel(scanner, early, units, run, lang, jobs)
            return
    for unit in chain(early, units):
        if isinstance(unit, Chunk):
            yield unit, check_chunk(scanner, unit, lang, run.everything)
        else:
            texts, tos = _inputs(unit, run)
            yield unit, scanner.check_many(texts, tos, lang, flagged_only=not run.everything)


def _inputs(batch: list[Any], run: _Run) -> tuple[list[str], list[str | None]]:
    checked = [m for m in batch if run.checked(m)]
    return [m.text for m in checked], [m.conversation for m in checked]


# ----------------------------------------------------------------------------- worker processes

_worker: Scanner | None = None


def _init_worker(scanner: Scanner) -> None:
    import signal

    global _worker
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _worker = scanner


def _work(texts: list[str], tos: list[str | None], lang: str, flagged_only: bool) -> list[Verdict | None]:
    assert _worker is not None
    # A message that cannot produce a finding travels back as None (most of a chat log).
    verdicts = _worker.check_many(texts, tos, lang, flagged_only=flagged_only)
    return [None if v == passed(len(t)) else v for t, v in zip(texts, verdicts)]


def _work_chunks(chunks: list[Chunk], lang: str, everything: bool) -> list[ChunkResult]:
    assert _worker is not None
    return [check_chunk(_worker, chunk, lang, everything) for chunk in chunks]


TASK_CHARS = 1 << 20  # consecutive chunks go to a worker together, up to about this much text


def _tasks(units: Iterable[Unit]) -> Iterator[Unit | list[Chunk]]:
    """Units for the worker processes: consecutive chunks grouped (each task costs the pool
    about as much as reading 100 KB, so a task carries several chunks), batches as they are."""
    group: list[Chunk] = []
    size = 0
    for unit in units:
        if isinstance(unit, Chunk):
            group.append(unit)
            size += len(unit.body)
            if size < TASK_CHARS:
                continue
        if group:
            yield group
            group, size = [], 0
        if not isinstance(unit, Chunk):
            yield unit
    if group:
        yield group


def _parallel(
    scanner: Scanner, early: list[Unit], units: Iterator[Unit], run: _Run, lang: str, jobs: int
) -> Iterator[tuple[Unit, Any]]:
    import multiprocessing

    pool = multiprocessing.get_context().Pool(jobs, _init_worker, (scanner,))
    pending: deque[tuple[Any, Any]] = deque()
    try:
        for task in _tasks(chain(early, units)):
            job: Any
            if isinstance(task, list) and task and isinstance(task[0], Chunk):
                job = pool.apply_async(_work_chunks, (task, lang, run.everything))
            else:
                job = pool.apply_async(_work, (*_inputs(task, run), lang, not run.everything))
            pending.append((task, job))
            if len(pending) >= 2 * jobs:
                yield from _collect(*pending.popleft(), run)
        while pending:
            yield from _collect(*pending.popleft(), run)
        pool.close()
    finally:
        pool.terminate()
        pool.join()


def _collect(task: Any, job: Any, run: _Run) -> Iterator[tuple[Unit, Any]]:
    result = job.get()
    if task and isinstance(task[0], Chunk):
        yield from zip(task, result)
        return
    texts, _ = _inputs(task, run)
    yield task, [passed(len(t)) if v is None else v for t, v in zip(texts, result)]
