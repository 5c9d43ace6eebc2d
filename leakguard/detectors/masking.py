"""Masked display forms of detected values (what a report shows by default)."""

from __future__ import annotations

from .base import lazy

_ADMIN_PREFIX = lazy(r"^.*(?:省|市|(?<![小社园校景厂片城新老])区|县|旗|镇|乡)")
_FULL_STAR = "＊"


def mask(kind: str, value: str) -> str:
    """Mask a canonical detection value; non-sensitive kinds come back unchanged."""
    masker = _MASKERS.get(kind)
    if masker is None:
        raise ValueError(f"unknown detection kind {kind!r}")
    return masker(value)


def _keep(value: str, head: int, tail: int) -> str:
    if len(value) <= head + tail:
        return "*" * len(value)
    return value[:head] + "*" * (len(value) - head - tail) + value[len(value) - tail :]


def _mobile(value: str) -> str:
    return value[:3] + "****" + value[-4:] if len(value) == 11 else _keep(value, 3, 4)


def _landline(value: str) -> str:
    area = 3 if value[1:2] in ("1", "2") else 4
    return _keep(value, area, 4)


def _plate(value: str) -> str:
    head, serial = value[:2], value[2:]
    return f"{head}·{'*' * (len(serial) - 2)}{serial[-2:]}"


def _email(value: str) -> str:
    local, _, domain = value.rpartition("@")
    return f"{local[:1]}***@{domain}" if local else _keep(value, 1, 0)


def _address(value: str) -> str:
    m = _ADMIN_PREFIX().match(value)
    kept = m.group() if m and m.end() < len(value) else ""
    return kept + _FULL_STAR * (len(value) - len(kept))


def _same(value: str) -> str:
    return value


_MASKERS = {
    "cn_id": lambda v: _keep(v, 4, 4),
    "mobile": _mobile,
    "landline": _landline,
    "bank_card": lambda v: _keep(v, 6, 4),
    "uscc": _same,
    "plate": _plate,
    "passport": lambda v: _keep(v, 1, 2),
    "hk_macau_permit": lambda v: _keep(v, 1, 2),
    "doc_number": _same,
    "doc_title": _same,
    "address": _address,
    "email": _email,
}
