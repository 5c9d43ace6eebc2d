"""Regex + checksum detectors for personal data and document identifiers in Chinese text.

The input is text already normalised by leakguard (ASCII digits and letters, lower case,
simplified characters, no zero-width characters); offsets refer to that text.

    detect(text, kinds=None) -> list[Detection]   sorted by start, overlaps resolved
    mask(kind, value) -> str                      masked display form
    GATES[kind]                                   keywords without which a kind cannot match
                                                  (() = needs an ASCII digit)
    PREFILTERS[kind]                              a stdlib-``re`` source without which a kind
                                                  cannot match (see below)

Patterns use the stdlib ``re`` (already loaded by click) and are compiled on first use, so
importing this package compiles nothing and a check that runs one detector compiles only
that detector's patterns.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator
from importlib import import_module
from typing import TYPE_CHECKING, Any

from ..model import LeakguardError
from . import address
from .address import ESTATE_SUFFIXES, STREET_SUFFIXES, detect_addresses
from .base import KINDS, Detection
from .checks import PLATE_PROVINCES, gb11643_check_digit, luhn_ok, uscc_ok

if TYPE_CHECKING:
    PREFILTERS: dict[str, str]

__all__ = [
    "GATES",
    "KINDS",
    "PREFILTERS",
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



def _deferred(module: str, name: str) -> Callable[..., Any]:
    """``module.name``, imported on first call: a check imports only the detectors it runs."""
    found: list[Callable[..., Any]] = []

    def call(*args: Any) -> Any:
        if not found:
            found.append(getattr(import_module(f"{__name__}.{module}"), name))
        return found[0](*args)

    call.__name__ = call.__qualname__ = name
    call.__doc__ = f"{module}.{name} (imported on first use)."
    return call


def __getattr__(name: str) -> Any:
    if name == "PREFILTERS":
        return _prefilters()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _prefilters() -> dict[str, str]:
    """PREFILTERS (built on first use: it imports every detector module).

    Per kind, the source of a stdlib ``re`` pattern that every text in which ``detect`` finds
    the kind matches: a cheap necessary condition, far more selective than the gate words (a
    plate needs a province character, a letter and four serial characters; an address a
    suffix and the start of a unit number).  The batch scanner may run them over many
    messages joined by "\x00": no pattern can match that character, and none uses an anchor or
    a look-around, so a match lies within one message.  Proven in
    tests/test_detector_prefilters.py over the lexicon and test examples and random texts.
    """
    done: dict[str, str] | None = globals().get("PREFILTERS")
    if done is not None:
        return done
    from . import codes, documents, numbers

    globals()["PREFILTERS"] = done = {
        "cn_id": numbers.PREFILTER,
        "mobile": numbers.PREFILTER,
        "landline": numbers.PREFILTER,
        "bank_card": numbers.PREFILTER,
        "uscc": codes.PREFILTER_USCC,
        "plate": codes.PREFILTER_PLATE,
        "passport": codes.PREFILTER_PASSPORT,
        "hk_macau_permit": codes.PREFILTER_PERMIT,
        "doc_number": documents.PREFILTER_NUMBER,
        "doc_title": documents.PREFILTER_TITLE,
        "address": address.PREFILTER,
        "email": codes.PREFILTER_EMAIL,
    }
    return done


mask: Callable[[str, str], str] = _deferred("masking", "mask")
detect_numbers = _deferred("numbers", "detect_numbers")
detect_uscc = _deferred("codes", "detect_uscc")
detect_plates = _deferred("codes", "detect_plates")
detect_passports = _deferred("codes", "detect_passports")
detect_permits = _deferred("codes", "detect_permits")
detect_emails = _deferred("codes", "detect_emails")
detect_doc_numbers = _deferred("documents", "detect_doc_numbers")
detect_doc_titles = _deferred("documents", "detect_doc_titles")
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
# The prefilter checks detect() makes before running a detector: str.find versions of the
# PREFILTERS patterns (exactly equivalent, tested; for plates a weaker necessary condition),
# so that a short draft compiles nothing; after a few texts, the patterns themselves.
# The other detectors start with their prefilter's test themselves (a digit stretch, six
# digits) or compile little.
_PLATE_LETTERS = frozenset("abcdefghjklmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ")


def _plate_possible(text: str) -> bool:
    """A province character followed by a plate letter: the start of PREFILTERS["plate"]."""
    for province in PLATE_PROVINCES:
        i = text.find(province)
        while i >= 0:
            if text[i + 1 : i + 2] in _PLATE_LETTERS:
                return True
            i = text.find(province, i + 1)
    return False


class _Prefilter:
    """A detector's prefilter test: the ``str.find`` version for the first texts (a pre-send
    check compiles nothing), then the compiled PREFILTERS pattern (C speed, for batch scans)."""

    __slots__ = ("calls", "check", "compiled", "kind")
    WARM = 32  # texts checked before the pattern is worth compiling

    def __init__(self, kind: str, check: Callable[[str], bool]) -> None:
        self.kind, self.check, self.calls = kind, check, 0
        self.compiled: re.Pattern[str] | None = None

    def __call__(self, text: str) -> bool:
        if self.compiled is not None:
            return self.compiled.search(text) is not None
        self.calls += 1
        if self.calls >= self.WARM:
            self.compiled = re.compile(_prefilters()[self.kind])
        return self.check(text)


_PREFILTER_CHECKS: dict[_Runner, Callable[[str], bool]] = {
    detect_plates: _Prefilter("plate", _plate_possible),
    detect_doc_numbers: _Prefilter("doc_number", _deferred("documents", "possible_number")),
    detect_doc_titles: _Prefilter("doc_title", _deferred("documents", "possible_title")),
    detect_addresses: _Prefilter("address", address.possible),
    detect_emails: _Prefilter("email", _deferred("codes", "possible_email")),
}
# Per runner: the union of its kinds' gates, split into single characters (one set test) and
# words, and its prefilter check.
_PLAN = tuple(
    (
        frozenset(run_kinds),
        frozenset().union(*(_GATE_PARTS[k][0] for k in run_kinds)),
        tuple(dict.fromkeys(w for k in run_kinds for w in _GATE_PARTS[k][1])),
        _PREFILTER_CHECKS.get(runner),
        runner,
    )
    for run_kinds, runner in _RUNNERS
)


def detect(text: str, kinds: Iterable[str] | None = None) -> list[Detection]:
    """All detections of ``kinds`` (default: all) in normalised ``text``, sorted by start."""
    wanted = _wanted(kinds)
    chars = frozenset(text)
    found: list[Detection] = []
    for run_kinds, singles, multis, prefilter, runner in _PLAN:
        if wanted.isdisjoint(run_kinds) or not _gate(text, chars, singles, multis):
            continue
        if prefilter is not None and not prefilter(text):
            continue  # cannot match: skip the detector (and compiling its patterns)
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
