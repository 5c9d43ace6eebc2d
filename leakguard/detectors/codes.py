"""Alphanumeric codes: unified social credit code, licence plate, passport, HK/Macau permit, e-mail."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from .base import Detection, inside, lazy, make, near, url_spans
from .checks import PLATE_PROVINCES, PROVINCES, USCC_DEPARTMENTS, uscc_ok

_USCC_CHARS = "0-9a-hj-np-rtuwyA-HJ-NP-RTUWY"
_USCC_CORE = rf"[1-9aAnNyY][1-9][0-9]{{6}}[{_USCC_CHARS}]{{10}}"
_USCC = lazy(rf"(?<![0-9A-Za-z]){_USCC_CORE}(?![0-9A-Za-z])")
_SIX_DIGITS = lazy("[0-9]{6}")  # every credit code carries a 6-digit region code
_USCC_CUES = ("信用代码", "社会信用", "税号", "纳税人", "识别号", "注册号", "营业执照", "uscc", "credit code")

_PLATE_SERIAL = "[a-hj-np-zA-HJ-NP-Z0-9]"
_PLATE_HEAD = f"([{''.join(PLATE_PROVINCES)}])([a-hj-np-zA-HJ-NP-Z])[ ·•・‧∙.\\-]?({_PLATE_SERIAL}{{4,6}})"
_PLATE = lazy(f"{_PLATE_HEAD}([挂学警港澳领试超])?(?![0-9A-Za-z])")

_PLATE_CHARS = tuple(PLATE_PROVINCES)

_SERIES_NUMBER = "(?:[0-9]{8}|[a-hj-np-zA-HJ-NP-Z][0-9]{7})"
_PASSPORT = lazy(rf"(?<![0-9A-Za-z])[eEgG]{_SERIES_NUMBER}(?![0-9A-Za-z])")
_PASSPORT_CUES = ("护照", "passport")
_PERMIT = lazy(rf"(?<![0-9A-Za-z])[cC]{_SERIES_NUMBER}(?![0-9A-Za-z])")
_PERMIT_CUES = ("通行证", "港澳")
_CUE_WINDOW = 16

_EMAIL = lazy(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@"
    r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*"
    r"\.[A-Za-z]{2,24}(?![A-Za-z0-9])"
)

# Necessary conditions of each pattern above (detectors.PREFILTERS): the pattern without its
# look-arounds, or the part of it no match can lack.
PREFILTER_USCC = _USCC_CORE
PREFILTER_PLATE = _PLATE_HEAD
PREFILTER_PASSPORT = f"[eEgG]{_SERIES_NUMBER}"
PREFILTER_PERMIT = f"[cC]{_SERIES_NUMBER}"
# the last local-part character, "@", the domain's first character … a dot and two letters
PREFILTER_EMAIL = r"[A-Za-z0-9._%+-]@[A-Za-z0-9][A-Za-z0-9.-]*\.[A-Za-z]{2}"
_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_ALNUM = _LETTERS.union("0123456789")
_LOCAL_END = _ALNUM.union("._%+-")
_DOMAIN = _ALNUM.union(".-")


def possible_email(text: str) -> bool:
    """``re.search(PREFILTER_EMAIL, text) is not None``, found with ``str.find``."""
    i = text.find("@")
    while i >= 0:
        if i and text[i - 1] in _LOCAL_END and text[i + 1 : i + 2] in _ALNUM:
            k = i + 2
            while text[k : k + 1] in _DOMAIN:
                if text[k] == "." and text[k + 1 : k + 2] in _LETTERS and text[k + 2 : k + 3] in _LETTERS:
                    return True
                k += 1
        i = text.find("@", i + 1)
    return False


def detect_uscc(text: str) -> Iterator[Detection]:
    if not _SIX_DIGITS().search(text):
        return
    urls = url_spans(text)
    for m in _USCC().finditer(text):
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


def _plate_matches(text: str) -> Iterator[re.Match[str]]:
    """Anchor on each province character followed by an ASCII letter (str.find is far cheaper than a scan)."""
    for province in _PLATE_CHARS:
        i = text.find(province)
        while i >= 0:
            nxt = text[i + 1 : i + 2]
            if nxt.isascii() and nxt.isalpha():
                m = _PLATE().match(text, i)
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


def _cued(text: str, pattern: Callable[[], re.Pattern[str]], cues: tuple[str, ...], kind: str) -> Iterator[Detection]:
    lowered = text.lower()
    for m in pattern().finditer(text):
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
    for m in _EMAIL().finditer(text):
        yield make(
            "email", m.span(), m.group().lower(), None, f"e-mail at {m.group().rsplit('@', 1)[1].lower()}"
        )
