"""Suppression: inline pragmas, allow-listed terms and patterns, disabled rules.

Filters run on finished :class:`~leakguard.model.Verdict` objects, after scoring:

* ``leakguard:ignore`` anywhere on a line suppresses every finding that starts on that line;
  ``leakguard:ignore[DOC101,PII201]`` only those codes.
* an allow-listed term (matched on normalised text, so 調度會 matches 调度会) suppresses a
  finding lying inside one of its occurrences;
* an allow-listed pattern (``regex`` module, run with a time limit) likewise;
* a disabled rule code is never reported.

The verdict and score are recomputed from what is left, with the ruleset's thresholds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from .config import AllowPattern, Settings
from .model import Finding, FrozenValue, LeakguardError, Verdict

PATTERN_TIMEOUT = 0.5  # seconds per allow pattern per text
_PRAGMA = r"leakguard:ignore(?:\[([A-Za-z0-9_,\- ]*)\])?"  # compiled (and cached by re) on use
Span = tuple[int, int]
_set = object.__setattr__


class Suppressor(FrozenValue):
    """What a run suppresses (immutable): disabled codes, allowed terms and patterns, pragmas."""

    __slots__ = ("disabled", "terms", "patterns", "inline")  # noqa: RUF023 - field order
    disabled: frozenset[str]
    terms: tuple[str, ...]  # normalised
    patterns: tuple[AllowPattern, ...]
    inline: bool

    def __init__(self, disabled: frozenset[str] = frozenset(), terms: tuple[str, ...] = (),
                 patterns: tuple[AllowPattern, ...] = (), inline: bool = True) -> None:
        _set(self, "disabled", disabled)
        _set(self, "terms", terms)
        _set(self, "patterns", patterns)
        _set(self, "inline", inline)

    @classmethod
    def from_settings(cls, settings: Settings) -> Suppressor:
        return cls(settings.disabled, settings.allow_terms, settings.allow_patterns)

    @property
    def active(self) -> bool:
        return bool(self.disabled or self.terms or self.patterns or self.inline)

    def keep(self, text: str, findings: Sequence[Finding], label: str = "<text>") -> list[Finding]:
        """The findings that are not suppressed."""
        findings = [f for f in findings if f.code not in self.disabled]
        if not findings:
            return findings
        pragmas = inline_pragmas(text) if self.inline and "leakguard:ignore" in text else {}
        allowed = self._allowed_spans(text, label) if (self.terms or self.patterns) else []
        return [f for f in findings if not _pragma_hits(text, f, pragmas) and not _inside(f, allowed)]

    def _allowed_spans(self, text: str, label: str) -> list[Span]:
        spans = term_spans(text, self.terms)
        for p in self.patterns:
            spans.extend(pattern_spans(text, p, label))
        return spans

    def apply(self, v: Verdict, text: str, thresholds: dict[str, float], label: str = "<text>") -> Verdict:
        kept = self.keep(text, v.findings, label)
        notes = self.keep(text, v.notes, label) if v.notes else []
        if len(kept) == len(v.findings) and len(notes) == len(v.notes):
            return v
        return rebuild(v, kept, thresholds, notes)


def rebuild(v: Verdict, findings: Iterable[Finding], thresholds: dict[str, float],
            notes: Iterable[Finding] | None = None) -> Verdict:
    """The verdict of ``v`` recomputed for a subset of its findings."""
    kept = tuple(findings)
    kept_notes = tuple(notes) if notes is not None else v.notes
    top = max((f.score for f in kept), default=max((f.score for f in kept_notes), default=0.0))
    verdict = "block" if top >= thresholds["block"] else "warn" if top >= thresholds["warn"] else "pass"
    return Verdict(verdict, top, kept, v.text_length, kept_notes)


def inline_pragmas(text: str) -> dict[int, frozenset[str] | None]:
    """Line start offset → codes ignored on that line (``None``: all codes)."""
    out: dict[int, frozenset[str] | None] = {}
    for m in re.finditer(_PRAGMA, text):
        start = _line_start(text, m.start())
        codes = None if m.group(1) is None else frozenset(c.strip().upper() for c in m.group(1).split(",") if c.strip())
        prev = out.get(start, frozenset())
        out[start] = None if codes is None or prev is None else prev | codes
    return out


def _line_start(text: str, offset: int) -> int:
    return max(text.rfind("\n", 0, offset), text.rfind("\r", 0, offset)) + 1


def _pragma_hits(text: str, f: Finding, pragmas: dict[int, frozenset[str] | None]) -> bool:
    if not pragmas:
        return False
    start = _line_start(text, f.start)
    if start not in pragmas:
        return False
    codes = pragmas[start]
    return codes is None or f.code.upper() in codes


def _inside(f: Finding, spans: list[Span]) -> bool:
    return any(a <= f.start and f.end <= b for a, b in spans)


def term_spans(text: str, terms: Sequence[str]) -> list[Span]:
    """Original-text spans of every occurrence of the (normalised) allowed terms."""
    if not terms:
        return []
    from .normalise import normalise

    norm = normalise(text)
    out: list[Span] = []
    for term in terms:
        if not term:
            continue
        i = norm.text.find(term)
        while i != -1:
            out.append(norm.to_original(i, i + len(term)))
            i = norm.text.find(term, i + 1)
    return out


def pattern_spans(text: str, p: AllowPattern, label: str = "<text>") -> list[Span]:
    """Spans matched by an allow pattern; a pattern that runs too long is a clear error."""
    try:
        return [m.span() for m in p.compiled.finditer(text, timeout=PATTERN_TIMEOUT) if m.end() > m.start()]
    except TimeoutError:
        raise LeakguardError(
            f"{p.origin}: allow pattern {p.source!r} took longer than {PATTERN_TIMEOUT} s on {label} "
            "(catastrophic backtracking?); simplify it"
        ) from None
