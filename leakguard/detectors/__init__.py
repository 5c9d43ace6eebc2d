"""Regex + checksum detectors for personal data and document identifiers in Chinese text.

The input is text already normalised by leakguard (ASCII digits and letters, lower case,
simplified characters, no zero-width characters); offsets refer to that text.

    detect(text, kinds=None) -> list[Detection]   sorted by start, overlaps resolved
    mask(kind, value) -> str                      masked display form
    GATES[kind]                                   keywords without which a kind cannot match
                                                  (() = needs an ASCII digit)
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator

from ..model import LeakguardError
from .address import ESTATE_SUFFIXES, STREET_SUFFIXES, detect_addresses
from .base import KINDS, Detection
from .checks import PLATE_PROVINCES, gb11643_check_digit, luhn_ok, uscc_ok
from .codes import detect_emails, detect_passports, detect_permits, detect_plates, detect_uscc
from .documents import detect_doc_numbers, detect_doc_titles
from .masking import mask
from .numbers import detect_numbers

__all__ = [
    "GATES",
    "KINDS",
    "Detection",
    "detect",
    "gate_open",
    "gb11643_check_digit",
    "luhn_ok",
    "mask",
    "uscc_ok",
]

_DIGIT_KINDS = ("cn_id", "mobile", "landline", "bank_card")


def _minimal_cover(words: tuple[str, ...]) -> tuple[str, ...]:
    """The words not containing another word: finding none of them means finding none of ``words``."""
    return tuple(w for w in words if not any(o != w and o in w for o in words))


GATES: dict[str, tuple[str, ...]] = {
    "cn_id": (),
    "mobile": (),
    "landline": (),
    "bank_card": (),
    "uscc": (),
    "plate": tuple(PLATE_PROVINCES),
    "passport": ("护照", "passport"),
    "hk_macau_permit": ("通行证", "港澳"),
    "doc_number": ("号", "期"),
    "doc_title": ("《", "【"),
    "address": _minimal_cover(STREET_SUFFIXES + ESTATE_SUFFIXES),
    "email": ("@",),
}


def _gate_parts(words: tuple[str, ...]) -> tuple[frozenset[str], tuple[str, ...]]:
    words = words or tuple("0123456789")
    return frozenset(w for w in words if len(w) == 1), tuple(w for w in words if len(w) > 1)


_GATE_PARTS = {k: _gate_parts(g) for k, g in GATES.items()}
# Kinds that may contain other detections (a title can quote a phone number); all others
# compete for their characters.
_CONTAINERS = frozenset({"doc_title"})
_PRIORITY = {
    k: i
    for i, k in enumerate(
        (
            "email",
            "cn_id",
            "uscc",
            "bank_card",
            "passport",
            "hk_macau_permit",
            "mobile",
            "landline",
            "plate",
            "doc_number",
            "address",
            "doc_title",
        )
    )
}

_Runner = Callable[[str], Iterator[Detection]]
_RUNNERS: tuple[tuple[tuple[str, ...], _Runner], ...] = (
    (_DIGIT_KINDS, detect_numbers),
    (("uscc",), detect_uscc),
    (("plate",), detect_plates),
    (("passport",), detect_passports),
    (("hk_macau_permit",), detect_permits),
    (("doc_number",), detect_doc_numbers),
    (("doc_title",), detect_doc_titles),
    (("address",), detect_addresses),
    (("email",), detect_emails),
)
# Per runner: the union of its kinds' gates, split into single characters (one set test) and words.
_PLAN = tuple(
    (
        frozenset(run_kinds),
        frozenset().union(*(_GATE_PARTS[k][0] for k in run_kinds)),
        tuple(dict.fromkeys(w for k in run_kinds for w in _GATE_PARTS[k][1])),
        runner,
    )
    for run_kinds, runner in _RUNNERS
)


def detect(text: str, kinds: Iterable[str] | None = None) -> list[Detection]:
    """All detections of ``kinds`` (default: all) in normalised ``text``, sorted by start."""
    wanted = _wanted(kinds)
    chars = frozenset(text)
    found: list[Detection] = []
    for run_kinds, singles, multis, runner in _PLAN:
        if wanted.isdisjoint(run_kinds) or not _gate(text, chars, singles, multis):
            continue
        found.extend(d for d in runner(text) if d.kind in wanted)
    return resolve(found)


def gate_open(kind: str, text: str) -> bool:
    """Whether ``kind`` can possibly match ``text`` (its gate keywords, or an ASCII digit, occur)."""
    return _gate(text, frozenset(text), *_GATE_PARTS[kind])


def _gate(text: str, chars: frozenset[str], singles: frozenset[str], multis: tuple[str, ...]) -> bool:
    return not chars.isdisjoint(singles) or any(w in text for w in multis)


def _wanted(kinds: Iterable[str] | None) -> frozenset[str]:
    if kinds is None:
        return frozenset(KINDS)
    wanted = frozenset([kinds] if isinstance(kinds, str) else kinds)
    unknown = sorted(wanted - set(KINDS))
    if unknown:
        raise LeakguardError(f"unknown detector kind(s) {', '.join(unknown)}; known: {', '.join(KINDS)}")
    return wanted


def resolve(found: list[Detection]) -> list[Detection]:
    """Drop detections overlapping a stronger one: longer first, then by kind priority, then confirmed.

    Kind before checksum: an all-digit string with an ID's date and region is an ID even when its
    check digit fails and it happens to pass the 1-in-31 credit-code check.
    """
    if len(found) < 2:
        return found

    def strength(d: Detection) -> tuple[int, int, int, int]:
        confidence = {True: 0, None: 1, False: 2}[d.valid]
        return (d.start - d.end, _PRIORITY[d.kind], confidence, d.start)

    starts: list[int] = []
    ends: list[int] = []
    kept = [d for d in found if d.kind in _CONTAINERS]
    for d in sorted((d for d in found if d.kind not in _CONTAINERS), key=strength):
        i = bisect_left(starts, d.start)
        if (i > 0 and ends[i - 1] > d.start) or (i < len(starts) and starts[i] < d.end):
            continue
        starts.insert(i, d.start)
        ends.insert(i, d.end)
        kept.append(d)
    return sorted(set(kept), key=lambda d: (d.start, d.end, d.kind))
