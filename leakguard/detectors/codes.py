"""Alphanumeric codes: unified social credit code, licence plate, passport, HK/Macau permit, e-mail."""

from __future__ import annotations

from collections.abc import Iterator

import regex

from .base import Detection, inside, make, near, url_spans
from .checks import PLATE_PROVINCES, PROVINCES, USCC_DEPARTMENTS, uscc_ok

_USCC_CHARS = "0-9a-hj-np-rtuwyA-HJ-NP-RTUWY"
_USCC = regex.compile(rf"(?<![0-9A-Za-z])[1-9aAnNyY][1-9][0-9]{{6}}[{_USCC_CHARS}]{{10}}(?![0-9A-Za-z])")
_SIX_DIGITS = regex.compile("[0-9]{6}")  # every credit code carries a 6-digit region code
_USCC_CUES = ("信用代码", "社会信用", "税号", "纳税人", "识别号", "注册号", "营业执照", "uscc", "credit code")

_PLATE_SERIAL = "[a-hj-np-zA-HJ-NP-Z0-9]"
_PLATE = regex.compile(
    f"([{''.join(PLATE_PROVINCES)}])([a-hj-np-zA-HJ-NP-Z])[ ·•・‧∙.\\-]?({_PLATE_SERIAL}{{4,6}})"
    f"([挂学警港澳领试超])?(?![0-9A-Za-z])"
)

_PLATE_CHARS = tuple(PLATE_PROVINCES)

_PASSPORT = regex.compile(r"(?<![0-9A-Za-z])[eEgG](?:[0-9]{8}|[a-hj-np-zA-HJ-NP-Z][0-9]{7})(?![0-9A-Za-z])")
_PASSPORT_CUES = ("护照", "passport")
_PERMIT = regex.compile(r"(?<![0-9A-Za-z])[cC](?:[0-9]{8}|[a-hj-np-zA-HJ-NP-Z][0-9]{7})(?![0-9A-Za-z])")
_PERMIT_CUES = ("通行证", "港澳")
_CUE_WINDOW = 16

_EMAIL = regex.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@"
    r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*"
    r"\.[A-Za-z]{2,24}(?![A-Za-z0-9])"
)


def detect_uscc(text: str) -> Iterator[Detection]:
    if not _SIX_DIGITS.search(text):
        return
    urls = url_spans(text)
    for m in _USCC.finditer(text):
        code = m.group().upper()
        region = PROVINCES.get(code[2:4]) or ("central" if code[2:4] == "10" else None)
        if region is None or inside(urls, *m.span()):
            continue
        ok = uscc_ok(code)
        cue = near(text.lower(), m.start(), m.end(), _USCC_CUES, 24)
        if not ok and (code.isdigit() or cue is None):
            continue  # a failing code is only worth reporting when it looks like one and is named as one
        check = "GB 32100 check character ok" if ok else "GB 32100 check character wrong"
        dept = USCC_DEPARTMENTS.get(code[0], "unknown")
        yield make(
            "uscc", m.span(), code, ok, f"{check}; registered by {dept}; region {code[2:4]} ({region})"
        )


def detect_plates(text: str) -> Iterator[Detection]:
    for m in _plate_matches(text):
        serial = m.group(3).upper()
        kind = _plate_kind(serial, bool(m.group(4)))
        if kind is None:
            continue
        value = m.group(1) + m.group(2).upper() + serial + (m.group(4) or "")
        yield make(
            "plate",
            m.span(),
            value,
            None,
            f"{kind} plate; province {m.group(1)} ({PLATE_PROVINCES[m.group(1)]})",
        )


def _plate_matches(text: str) -> Iterator[regex.Match[str]]:
    """Anchor on each province character followed by an ASCII letter (str.find is far cheaper than a scan)."""
    for province in _PLATE_CHARS:
        i = text.find(province)
        while i >= 0:
            nxt = text[i + 1 : i + 2]
            if nxt.isascii() and nxt.isalpha():
                m = _PLATE.match(text, i)
                if m:
                    yield m
            i = text.find(province, i + 1)


def _plate_kind(serial: str, suffixed: bool) -> str | None:
    letters = sum(c.isalpha() for c in serial)
    if len(serial) == 4:  # 4 characters + 学/挂/警 …
        return "special-use" if suffixed and letters <= 1 and serial[-1].isdigit() else None
    if suffixed:
        return None
    if len(serial) == 5:
        ok = letters <= 2 and serial[-1].isdigit() and sum(c.isdigit() for c in serial) >= 3
        return "standard" if ok else None
    if serial[0] in "ABCDEFGHJK" and letters <= 2 and serial[2:].isdigit():
        return "new-energy (small)"
    if serial[:5].isdigit() and serial[5] in "DF":
        return "new-energy (large)"
    return None


def detect_passports(text: str) -> Iterator[Detection]:
    yield from _cued(text, _PASSPORT, _PASSPORT_CUES, "passport")


def detect_permits(text: str) -> Iterator[Detection]:
    yield from _cued(text, _PERMIT, _PERMIT_CUES, "hk_macau_permit")


def _cued(text: str, pattern: regex.Pattern[str], cues: tuple[str, ...], kind: str) -> Iterator[Detection]:
    lowered = text.lower()
    for m in pattern.finditer(text):
        cue = near(lowered, m.start(), m.end(), cues, _CUE_WINDOW)
        if cue is not None:
            yield make(
                kind,
                m.span(),
                m.group().upper(),
                None,
                f"{m.group()[0].upper()}-series number; cue word {cue!r} nearby",
            )


def detect_emails(text: str) -> Iterator[Detection]:
    for m in _EMAIL.finditer(text):
        yield make(
            "email", m.span(), m.group().lower(), None, f"e-mail at {m.group().rsplit('@', 1)[1].lower()}"
        )
