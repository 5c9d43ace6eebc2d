"""Timestamps to ISO 8601 ('YYYY-MM-DDTHH:MM:SS' plus an optional zone).

Text exports carry the exporter's wall-clock time.  For Chinese exporters (WeChat, QQ,
WeCom) we append +08:00 (China Standard Time); for the others we keep what the source
says: no zone for local times, +00:00 for epoch values.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

CST = "+08:00"
UTC = "+00:00"

_PM = {"PM", "P.M.", "下午", "午後", "오후", "晚上"}
_AM = {"AM", "A.M.", "上午", "午前", "오전", "凌晨", "早上"}

# Whitespace runs are possessive (``\s*+``) and never adjacent to another whitespace
# quantifier: ``\s*日?(?:\s+|T)…\s*…\s*$`` tried every way of sharing a run of spaces among
# them, cubic in its length (a time cell with 4,000 spaces took minutes).
_DT = re.compile(
    r"\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?:\s*+日)?"
    r"(?:(?:\s*+T|\s++)(?:(?:星期|周|週)[一二三四五六日天]\s*+)?"
    r"(上午|下午|凌晨|早上|晚上)?\s*+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:[.,]\d+)?"
    r"\s*+([AaPp]\.?[Mm]\.?)?\s*+(Z|[+-]\d{2}:?\d{2})?)?\s*+$"
)
_EPOCH = re.compile(r"\s*(\d{9,10}|\d{12,13})(?:\.\d+)?\s*$")


def hour24(hour: int, marker: str | None) -> int:
    """Convert a 12-hour clock hour with an AM/PM (上午/下午 …) marker to 0..23."""
    if not marker:
        return hour
    m = marker.strip().upper().replace(" ", "")
    if m in _PM and hour < 12:
        return hour + 12
    if m in _AM and hour == 12:
        return 0
    return hour


_MONTH_DAYS = (0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def valid(y: int, mo: int, d: int, h: int, mi: int, s: int) -> bool:
    if not (1 <= mo <= 12 and 1 <= d <= _MONTH_DAYS[mo] and 1 <= y <= 9999):
        return False
    if mo == 2 and d == 29 and not (y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)):
        return False
    return 0 <= h <= 23 and 0 <= mi <= 59 and 0 <= s <= 60


_DAYS: dict[tuple[int, int, int], str] = {}  # (y, mo, d) -> 'YYYY-MM-DDT', or '' if no such day


def iso(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0, tz: str = "") -> str | None:
    """Format a wall-clock time; None when the fields are out of range."""
    s = min(s, 59)  # a leap second is shown as :59
    if not (0 <= h <= 23 and 0 <= mi <= 59 and 0 <= s):
        return None
    day = _DAYS.get((y, mo, d))
    if day is None:  # messages of a chat share a few days: each is checked and formatted once
        day = f"{y:04d}-{mo:02d}-{d:02d}T" if valid(y, mo, d, 0, 0, 0) else ""
        if len(_DAYS) >= 65536:
            _DAYS.clear()
        _DAYS[(y, mo, d)] = day
    return f"{day}{h:02d}:{mi:02d}:{s:02d}{tz}" if day else None


def year4(y: int) -> int:
    return y + 2000 if y < 100 else y


def parse_datetime(text: str, tz: str = "") -> str | None:
    """Parse common date-time shapes ('2024-05-01 09:12:33', '2024/10/4 11:43',
    '2021/8/20 星期五 下午 2:04:59', ISO with zone, epoch seconds/ms).  A zone written in the
    source wins over ``tz``; epoch values are rendered in ``tz`` (UTC when empty)."""
    m = _DT.match(text)
    if m:
        y, mo, d, pre, h, mi, s, post, zone = m.groups()
        hh = hour24(int(h), pre or post) if h else 0
        zone_s = _zone(zone) if zone else tz
        return iso(int(y), int(mo), int(d), hh, int(mi or 0), int(s or 0), zone_s)
    e = _EPOCH.match(text)
    if e:  # str.strip: float() refuses some of the whitespace \s allows (U+001C …)
        return from_epoch(float(text.strip()), tz or UTC)
    return None


def _zone(z: str) -> str:
    if z == "Z":
        return UTC
    z = z.replace(":", "")
    return f"{z[:3]}:{z[3:]}"


def from_epoch(value: float, tz: str = CST) -> str | None:
    """Epoch seconds (or milliseconds, when > 1e11) to ISO in the fixed offset ``tz``."""
    if value > 1e11:
        value /= 1000.0
    sign = -1 if tz.startswith("-") else 1
    hours, minutes = int(tz[1:3]), int(tz[4:6])
    zone = timezone(sign * timedelta(hours=hours, minutes=minutes))
    try:
        dt = datetime.fromtimestamp(int(value), zone)
    except (OverflowError, OSError, ValueError):
        return None
    return dt.strftime("%Y-%m-%dT%H:%M:%S") + tz


def bound(text: str, end: bool = False) -> str:
    """A --since/--until value as a 19-character wall-clock key ('YYYY-MM-DDTHH:MM:SS').

    A date alone means the start of the day (``end`` False) or its last second (True).
    Raises ValueError for anything else.
    """
    parsed = parse_datetime(text)
    if parsed is None:
        raise ValueError(text)
    if end and _DT.match(text) and not re.search(r"\d:\d", text):
        return parsed[:10] + "T23:59:59"
    return parsed[:19]
