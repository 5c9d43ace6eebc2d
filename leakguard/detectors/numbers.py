"""Digit-run detectors: resident ID, mobile, landline, bank card.

One regex finds runs of digit groups joined by single separators (space, dash); each run is
then segmented greedily into the longest window of groups whose grouping signature and
digits fit a kind.  A number is never searched for inside a longer unbroken digit run, and a
group touching ``*`` (already masked) or a letter is dropped.
"""

# No ``from __future__ import annotations``: see detectors/base.py (NamedTuples start faster).

import re
from collections.abc import Iterator
from typing import NamedTuple

from ..digitgate import DASH as _DASH
from ..digitgate import GATE
from ..digitgate import SPACE as _SPACE
from ..digitgate import STRETCH as _STRETCH_SOURCE
from .base import Detection, inside, lazy, make, url_spans
from .checks import birth_date, card_network, gb11643_check_digit, luhn_ok, mobile_carrier, region_name

_SEP = f"(?:{_SPACE}?{_DASH}{_SPACE}?|{_SPACE}{{1,2}})"
_STRETCH = lazy(_STRETCH_SOURCE)
_RUN = lazy(rf"(?<![0-9])(\+{_SPACE}?)?[0-9]+(?:{_SEP}[0-9]+)*(?:[xX](?![A-Za-z]))?")
_GROUP = lazy(r"[0-9]+[xX]?")
_PAREN_LANDLINE = lazy(
    rf"\({_SPACE}?(0[1-9][0-9]{{1,2}}){_SPACE}?\){_SPACE}?([2-8][0-9]{{2,3}}){_DASH}?([0-9]{{4}})(?![0-9])"
)
# A necessary condition (detectors.PREFILTERS): every number is found inside a digit stretch
# or is a landline whose area code is in brackets.
PREFILTER = GATE

_ID18_SIGS = {(18,), (6, 8, 4), (6, 4, 4, 4), (4, 4, 4, 4, 2), (3, 3, 4, 4, 4), (6, 12)}
_ID15_SIGS = {(15,), (6, 6, 3), (6, 9)}
_MOBILE_SIGS = {(11,), (3, 4, 4), (3, 8), (7, 4)}
_CARD_SIGS = (
    {(n,) for n in range(16, 20)}
    | {(4, 4, 4, 4)}
    | {(4, 4, 4, 4, k) for k in (1, 2, 3)}
    | {(6, k) for k in range(10, 14)}
)
_MAX_WINDOW = 6
_MIN_RUN = 10  # the shortest number worth classifying: a landline with a 3-digit area code


class Group(NamedTuple):
    start: int
    end: int
    text: str


class Verdict(NamedTuple):
    kind: str
    value: str
    valid: bool | None
    detail: str


def detect_numbers(text: str) -> Iterator[Detection]:
    urls = url_spans(text)
    for stretch in _STRETCH().finditer(text):  # cheap pre-scan: only long digit stretches can be numbers
        for m in _RUN().finditer(text, max(0, stretch.start() - 2), stretch.end() + 1):
            if m.end() - m.start() < _MIN_RUN:
                continue
            groups = _trim(text, m, _groups(m))
            yield from (
                d for d in _segment(groups, bool(m.group(1)), m.start()) if not inside(urls, d.start, d.end)
            )
    for m in _PAREN_LANDLINE().finditer(text) if "(" in text else ():
        parts = _landline(m.group(1) + m.group(2) + m.group(3))
        if parts and parts[0] == m.group(1):
            yield make("landline", m.span(), "".join(parts), None, _landline_detail(parts))


def _groups(m: re.Match[str]) -> list[Group]:
    base = m.start()
    return [Group(base + g.start(), base + g.end(), g.group().lower()) for g in _GROUP().finditer(m.group())]


def _trim(text: str, m: re.Match[str], groups: list[Group]) -> list[Group]:
    """Drop edge groups that are part of a masked value, a decimal fraction or an alphanumeric token."""
    start, end = m.start(), m.end()
    before = text[start - 1] if start else ""
    after = text[end] if end < len(text) else ""
    if groups and (
        _masked_side(text, start, -1) or (before == "." and text[start - 2 : start - 1].isdigit())
    ):
        groups = groups[1:]
    if groups and (
        _masked_side(text, end, 1)
        or _is_ascii_letter(after)
        or (after == "." and text[end + 1 : end + 2].isdigit())
    ):
        groups = groups[:-1]
    return groups


def _masked_side(text: str, edge: int, step: int) -> bool:
    """True when the run continues past ``edge`` as asterisks and then more digits (138****8000)."""
    i = edge if step > 0 else edge - 1
    stars = 0
    while 0 <= i < len(text) and text[i] in "*＊":
        i += step
        stars += 1
    return stars > 0 and 0 <= i < len(text) and text[i].isdigit()


def _is_ascii_letter(c: str) -> bool:
    return c.isascii() and c.isalpha()


def _segment(groups: list[Group], plus: bool, run_start: int) -> Iterator[Detection]:
    """Greedy left-to-right: at each group take the longest window that classifies."""
    i = 0
    while i < len(groups):
        for j in range(min(len(groups), i + _MAX_WINDOW), i, -1):
            window = groups[i:j]
            verdict = classify(window, plus and i == 0)
            if verdict:
                start = run_start if plus and i == 0 else window[0].start
                yield make(
                    verdict.kind, (start, window[-1].end), verdict.value, verdict.valid, verdict.detail
                )
                i = j
                break
        else:
            i += 1


def classify(window: list[Group], plus: bool = False) -> Verdict | None:
    """What a window of digit groups is, judged by its digits and grouping signature."""
    sig = tuple(len(g.text) for g in window)
    raw = "".join(g.text for g in window)
    national = _strip_country_code(window, plus)
    if national is not None:
        return _as_mobile(*national, cc=True) or _as_foreign_landline(national[0])
    if plus:
        return None  # another country's number
    if "x" in raw[:-1]:
        return None
    if raw.endswith("x"):
        return _as_id(raw, sig)
    return _as_id(raw, sig) or _as_mobile(raw, sig) or _as_landline(raw, sig) or _as_card(raw, sig)


def _strip_country_code(window: list[Group], plus: bool) -> tuple[str, tuple[int, ...]] | None:
    first = window[0].text
    if len(window) > 1 and first in ("86", "0086"):
        rest = window[1:]
        return "".join(g.text for g in rest), tuple(len(g.text) for g in rest)
    if len(window) == 1:
        for cc in ("0086", "86"):
            if first.startswith(cc) and (plus or len(first) == len(cc) + 11):
                return first[len(cc) :], (len(first) - len(cc),)
    return None


def _as_id(raw: str, sig: tuple[int, ...]) -> Verdict | None:
    if len(raw) == 18 and sig in _ID18_SIGS and raw[:17].isdigit():
        born, region = birth_date(raw[6:14]), region_name(raw[:6])
        if born is None or region is None:
            return None
        expected, got = gb11643_check_digit(raw[:17]), raw[17].upper()
        check = (
            "GB 11643 check digit ok"
            if got == expected
            else f"GB 11643 check digit wrong (expected {expected})"
        )
        detail = f"{check}; born {born.isoformat()}; region {raw[:2]} ({region})"
        return Verdict("cn_id", raw[:17] + got, got == expected, detail)
    if len(raw) == 15 and sig in _ID15_SIGS and raw.isdigit():
        born, region = birth_date("19" + raw[6:12]), region_name(raw[:6])
        if born is None or region is None:
            return None
        detail = f"15-digit first-generation ID (no check digit); born {born.isoformat()}; region {raw[:2]} ({region})"
        return Verdict("cn_id", raw, None, detail)
    return None


def _as_mobile(raw: str, sig: tuple[int, ...], cc: bool = False) -> Verdict | None:
    if sig not in _MOBILE_SIGS or not raw.isdigit() or raw[0] != "1" or raw[1] not in "3456789":
        return None
    carrier = mobile_carrier(raw)
    note = f"prefix {raw[:3]} ({carrier})" if carrier else f"prefix {raw[:3]} not allocated to a carrier"
    return Verdict("mobile", raw, None, ("country code +86; " if cc else "") + note)


def _as_landline(raw: str, sig: tuple[int, ...]) -> Verdict | None:
    if len(sig) > 3 or not raw.isdigit():
        return None
    parts = _landline(raw)
    if parts is None or (len(sig) > 1 and sig[0] != len(parts[0])):
        return None
    return Verdict("landline", raw, None, _landline_detail(parts))


def _as_foreign_landline(national: str) -> Verdict | None:
    parts = _landline("0" + national) if national.isdigit() else None
    if parts is None:
        return None
    return Verdict("landline", "".join(parts), None, "country code +86; " + _landline_detail(parts))


def _landline(digits: str) -> tuple[str, str] | None:
    """(area code, subscriber number) of a mainland fixed-line number written with its area code."""
    if len(digits) < 10 or digits[0] != "0" or digits[1] == "0":
        return None
    if digits[1] == "1" and digits[2] != "0":
        return None
    area = digits[:3] if digits[1] in "12" else digits[:4]
    sub = digits[len(area) :]
    if len(sub) not in (7, 8) or sub[0] not in "2345678":
        return None
    return area, sub


def _landline_detail(parts: tuple[str, str]) -> str:
    return f"area code {parts[0]}; {len(parts[1])}-digit subscriber number"


def _as_card(raw: str, sig: tuple[int, ...]) -> Verdict | None:
    if sig not in _CARD_SIGS or not raw.isdigit() or not luhn_ok(raw):
        return None
    network = card_network(raw)
    if network is None:
        return None
    return Verdict("bank_card", raw, True, f"Luhn ok; IIN {raw[:6]} ({network}); {len(raw)} digits")
