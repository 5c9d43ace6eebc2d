"""Immutable value types shared by every stage of the pipeline.

Coordinates: every ``start``/``end`` is a code-point offset into the ORIGINAL text of the
unit being checked (a draft, one chat message, one document cell).  ``line`` and ``column``
are 1-based, columns counted in code points.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

CATEGORIES = ("document", "meeting", "personal_data", "unreleased_decision", "rumor", "marker")
SEVERITIES = ("info", "low", "medium", "high", "critical")
VERDICTS = ("pass", "warn", "block")


class LeakguardError(Exception):
    """A user-facing error: bad input, bad data file, bad option.  Printed as one line, exit 2."""


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a finding's score arithmetic (a reason).

    ``kind`` is a stable machine key (``base``, ``validator``, ``cue``, ``damper``,
    ``destination``, ``aggregate``, ``ocr`` …); ``delta`` is what it added to the score;
    ``detail`` names the evidence (e.g. the cue word found, or the checksum verdict).
    """

    kind: str
    delta: float
    detail: str

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "delta": round(self.delta, 3), "detail": self.detail}


@dataclass(frozen=True, slots=True)
class CaseRef:
    """The precedent a finding cites, with how well it fits the evidence (0..1)."""

    id: str
    summary: str
    fit: float
    matched_features: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "summary": self.summary,
            "fit": round(self.fit, 3),
            "matched_features": list(self.matched_features),
        }


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    category: str
    severity: str
    start: int
    end: int
    line: int
    column: int
    match: str  # raw original substring; renderers mask it unless asked otherwise
    masked: str  # what is shown by default
    sensitive: bool  # personal data: never shown raw by default
    score: float
    steps: tuple[Step, ...]
    precedent: CaseRef | None
    advice: str
    name: str = ""  # human name of the rule
    location: str = ""  # extra location inside a container (sheet!cell, image box …)

    def shown(self, show_matches: bool = False) -> str:
        return self.match if (show_matches or not self.sensitive) else self.masked

    def to_dict(self, show_matches: bool = False) -> dict[str, Any]:
        d: dict[str, Any] = {
            "code": self.code,
            "category": self.category,
            "severity": self.severity,
            "start": self.start,
            "end": self.end,
            "line": self.line,
            "column": self.column,
            "match": self.shown(show_matches),
            "score": round(self.score, 3),
            "reasons": [s.to_dict() for s in self.steps],
            "precedent": self.precedent.to_dict() if self.precedent else None,
            "advice": self.advice,
        }
        if self.location:
            d["location"] = self.location
        return d


@dataclass(frozen=True, slots=True)
class Verdict:
    verdict: str  # pass | warn | block
    score: float
    findings: tuple[Finding, ...]
    text_length: int = 0
    notes: tuple[Finding, ...] = field(default=())  # below-threshold findings, for --explain

    @property
    def flagged(self) -> bool:
        return self.verdict != "pass"

    def to_dict(self, show_matches: bool = False, schema_version: int = 1) -> dict[str, Any]:
        return {
            "schema_version": schema_version,
            "verdict": self.verdict,
            "score": round(self.score, 3),
            "findings": [f.to_dict(show_matches) for f in self.findings],
        }
