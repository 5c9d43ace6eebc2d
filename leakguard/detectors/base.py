"""The detection value type and helpers shared by the detector modules."""

# No ``from __future__ import annotations`` here: with real (not string) annotations a
# NamedTuple is created without compiling a ForwardRef per field (~0.3 ms of a pre-send check).

import re
from collections.abc import Callable
from typing import NamedTuple

KINDS = (
    "cn_id",
    "mobile",
    "landline",
    "bank_card",
    "uscc",
    "plate",
    "passport",
    "hk_macau_permit",
    "doc_number",
    "doc_title",
    "address",
    "email",
)

# Not personal data: reported for scoring, never masked.
NOT_SENSITIVE = frozenset({"landline", "uscc", "doc_number", "doc_title"})


class Detection(NamedTuple):
    """One detector hit.  ``start``/``end`` are offsets into the text given to ``detect``.

    A NamedTuple (immutable, hashable): created in a fraction of a slotted dataclass's time.
    """

    kind: str
    start: int
    end: int
    value: str  # canonical: digits only for numbers (ID check 'X' uppercase), plates without separators
    valid: bool | None  # True: checksum/structure confirms; False: refutes; None: nothing to check
    detail: str  # short English evidence
    sensitive: bool  # personal data: mask in reports


def words(spaced: str) -> tuple[str, ...]:
    """A word list written as one space-separated string (compact for long Chinese lists)."""
    return tuple(spaced.split())


def make(kind: str, span: tuple[int, int], value: str, valid: bool | None, detail: str) -> Detection:
    return Detection(kind, span[0], span[1], value, valid, detail, kind not in NOT_SENSITIVE)


def lazy(source: str) -> Callable[[], re.Pattern[str]]:
    """A stdlib ``re`` pattern compiled on its first use, not when the detectors are imported.

    A pre-send check that opens no detector gate (or whose prefilter fails) compiles nothing.
    Every source is recorded in :data:`SOURCES` (tests compare each with the ``regex`` module).
    """
    compiled: list[re.Pattern[str]] = []

    def get() -> re.Pattern[str]:
        if not compiled:
            compiled.append(re.compile(source))
        return compiled[0]

    SOURCES.append(source)
    return get


SOURCES: list[str] = []
_URL = lazy(r"(?i)(?:https?://|www\.)[!-~]+")


def url_spans(text: str) -> list[tuple[int, int]]:
    """Spans of URLs: numbers and codes inside a link are identifiers of pages, not people."""
    if "http" not in text and "www." not in text and "WWW." not in text:
        return []
    return [m.span() for m in _URL().finditer(text)]


def inside(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s <= start and end <= e for s, e in spans)


def near(text: str, start: int, end: int, words: tuple[str, ...], window: int) -> str | None:
    """The first of ``words`` found within ``window`` characters either side of a span."""
    before = text[max(0, start - window) : start]
    after = text[end : end + window]
    for w in words:
        if w in before or w in after:
            return w
    return None
