"""Immutable value types shared by every stage of the pipeline.

Coordinates: every ``start``/``end`` is a code-point offset into the ORIGINAL text of the
unit being checked (a draft, one chat message, one document cell).  ``line`` and ``column``
are 1-based, columns counted in code points.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from dataclasses import Field

CATEGORIES = ("document", "meeting", "personal_data", "unreleased_decision", "rumor", "marker")
SEVERITIES = ("info", "low", "medium", "high", "critical")
VERDICTS = ("pass", "warn", "block")


class LeakguardError(Exception):
    """A user-facing error: bad input, bad data file, bad option.  Printed as one line, exit 2."""


class _DataclassInfo:
    """``__dataclass_fields__`` / ``__dataclass_params__`` of a :class:`FrozenValue` class, made on first use.

    ``dataclasses.fields``, ``replace``, ``asdict`` and ``is_dataclass`` work on the value types
    as on any frozen dataclass, but defining them costs nothing at start-up: ``@dataclass``
    generates and compiles code for each class (~1 ms apiece, a tenth of what a whole pre-send
    check may take).  The first look-up builds an equivalent frozen dataclass and keeps its tables.
    """

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: object, owner: type) -> Any:
        import dataclasses

        fields = owner.__dict__["__slots__"]
        defaults = owner.__init__.__defaults__ or ()  # type: ignore[misc]
        ns: dict[str, Any] = dict(zip(fields[len(fields) - len(defaults):], defaults))
        ns["__annotations__"] = {f: owner.__annotations__[f] for f in fields}
        shadow: Any = dataclasses.dataclass(frozen=True)(type(owner.__name__, (), ns))
        owner.__dataclass_fields__ = shadow.__dataclass_fields__  # type: ignore[attr-defined]
        owner.__dataclass_params__ = shadow.__dataclass_params__  # type: ignore[attr-defined]
        return getattr(owner, self.name)


class FrozenValue:
    """Base of the value types: immutable and slotted, compared, hashed, printed and pickled by
    their fields in order (``__slots__``), exactly like ``@dataclass(frozen=True, slots=True)``."""

    __slots__: tuple[str, ...] = ()
    if TYPE_CHECKING:  # what dataclasses.replace & co. look for (typeshed's DataclassInstance)
        __dataclass_fields__: ClassVar[dict[str, Field[Any]]]
        __dataclass_params__: ClassVar[Any]
    else:
        __dataclass_fields__ = _DataclassInfo()
        __dataclass_params__ = _DataclassInfo()

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, f) for f in self.__slots__)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return self._values() == other._values()
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        return f"{self.__class__.__qualname__}({', '.join(f'{f}={getattr(self, f)!r}' for f in self.__slots__)})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (self.__class__, self._values())

    def __setattr__(self, name: str, value: Any) -> None:
        from dataclasses import FrozenInstanceError

        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        from dataclasses import FrozenInstanceError

        raise FrozenInstanceError(f"cannot delete field {name!r}")


_set = object.__setattr__


class Step(FrozenValue):
    """One step of a finding's score arithmetic (a reason).

    ``kind`` is a stable machine key (``base``, ``validator``, ``cue``, ``damper``,
    ``destination``, ``aggregate``, ``ocr`` …); ``delta`` is what it added to the score;
    ``detail`` names the evidence (e.g. the cue word found, or the checksum verdict).
    """

    __slots__ = ("kind", "delta", "detail")  # noqa: RUF023 - field order
    kind: str
    delta: float
    detail: str

    def __init__(self, kind: str, delta: float, detail: str) -> None:
        _set(self, "kind", kind)
        _set(self, "delta", delta)
        _set(self, "detail", detail)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "delta": round(self.delta, 3), "detail": self.detail}


class CaseRef(FrozenValue):
    """The precedent a finding cites, with how well it fits the evidence (0..1)."""

    __slots__ = ("id", "summary", "fit", "matched_features")  # noqa: RUF023 - field order
    id: str
    summary: str
    fit: float
    matched_features: tuple[str, ...]

    def __init__(self, id: str, summary: str, fit: float, matched_features: tuple[str, ...] = ()) -> None:
        _set(self, "id", id)
        _set(self, "summary", summary)
        _set(self, "fit", fit)
        _set(self, "matched_features", matched_features)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "summary": self.summary,
            "fit": round(self.fit, 3),
            "matched_features": list(self.matched_features),
        }


class Finding(FrozenValue):
    """One reported (or, with --explain, noted) match, scored, with its reasons and precedent."""

    __slots__ = (  # noqa: RUF023 - field order
        "code", "category", "severity", "start", "end", "line", "column", "match", "masked", "sensitive",
        "score", "steps", "precedent", "advice", "name", "location",
    )
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
    name: str  # human name of the rule (default "")
    location: str  # extra location inside a container (sheet!cell, image box …; default "")

    def __init__(
        self, code: str, category: str, severity: str, start: int, end: int, line: int, column: int, match: str,
        masked: str, sensitive: bool, score: float, steps: tuple[Step, ...], precedent: CaseRef | None,
        advice: str, name: str = "", location: str = "",
    ) -> None:
        _set(self, "code", code)
        _set(self, "category", category)
        _set(self, "severity", severity)
        _set(self, "start", start)
        _set(self, "end", end)
        _set(self, "line", line)
        _set(self, "column", column)
        _set(self, "match", match)
        _set(self, "masked", masked)
        _set(self, "sensitive", sensitive)
        _set(self, "score", score)
        _set(self, "steps", steps)
        _set(self, "precedent", precedent)
        _set(self, "advice", advice)
        _set(self, "name", name)
        _set(self, "location", location)

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


class Verdict(FrozenValue):
    """The outcome of checking one text: pass | warn | block, the top score, the findings."""

    __slots__ = ("verdict", "score", "findings", "text_length", "notes")  # noqa: RUF023 - field order
    verdict: str  # pass | warn | block
    score: float
    findings: tuple[Finding, ...]
    text_length: int  # default 0
    notes: tuple[Finding, ...]  # below-threshold findings, for --explain (default ())

    def __init__(
        self, verdict: str, score: float, findings: tuple[Finding, ...], text_length: int = 0,
        notes: tuple[Finding, ...] = (),
    ) -> None:
        _set(self, "verdict", verdict)
        _set(self, "score", score)
        _set(self, "findings", findings)
        _set(self, "text_length", text_length)
        _set(self, "notes", notes)

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
