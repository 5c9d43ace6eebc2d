"""The local audit log of overrides: ``audit.jsonl`` in the user's data folder.

One JSON object per line, appended: ``time``, ``action`` (override | bypass), ``fingerprint``
(sha256 of the normalised message — identifies it without storing it), ``codes``, ``verdict``,
``score``, ``reason`` (a key from :data:`REASONS`), ``note`` (the user's words), ``source``,
``to`` and ``excerpt``.  The excerpt and the note are masked: personal data found by the
detectors is shown in its masked form and any other run of seven or more digits is starred,
so the log never holds a raw ID, phone or bank number.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from .model import LeakguardError, Verdict

AUDIT_NAME = "audit.jsonl"
EXCERPT_LEN = 80
# (key, zh, en): a short list like Purview's override justifications.
REASONS: tuple[tuple[str, str, str], ...] = (
    ("authorised", "已获授权", "authorised to share it"),
    ("public", "内容已公开", "the content is already public"),
    ("false_positive", "误报", "false positive"),
    ("other", "其他（填写）", "other (describe)"),
)
REASON_KEYS = tuple(k for k, _, _ in REASONS)
_DIGITS = re.compile(r"\d(?:[\d \-]{5,})\d[\dXx]?")


def audit_path() -> Path:
    from .paths import user_data_dir

    return user_data_dir() / AUDIT_NAME


def reason_label(key: str, lang: str = "zh") -> str:
    for k, zh, en in REASONS:
        if k == key:
            return zh if lang == "zh" else en
    return key


def mask_digits(s: str) -> str:
    """Star long digit runs (IDs, phones, card numbers) that slipped past the detectors."""
    def repl(m: re.Match[str]) -> str:
        v = m.group()
        return v[:3] + re.sub(r"[0-9Xx]", "*", v[3:-2]) + v[-2:]

    return _DIGITS.sub(repl, s)


def message_fingerprint(text: str) -> str:
    from .normalise import normalise

    return hashlib.sha256(normalise(text).text.encode("utf-8", "surrogatepass")).hexdigest()


def excerpt(text: str, verdict: Verdict, limit: int = EXCERPT_LEN) -> str:
    """The line of the first finding, personal data masked, at most ``limit`` characters."""
    masked = masked_text(text, verdict)
    lines = masked.splitlines() or [""]
    first = verdict.findings[0] if verdict.findings else None
    line = lines[min(first.line, len(lines)) - 1] if first and first.line >= 1 else lines[0]
    line = line.strip()
    return line if len(line) <= limit else line[: limit - 1] + "…"


def masked_text(text: str, verdict: Verdict) -> str:
    """``text`` with every sensitive finding replaced by its masked form (same lines)."""
    spans = sorted({(f.start, f.end, f.masked) for f in (*verdict.findings, *verdict.notes) if f.sensitive},
                   reverse=True)
    last = len(text) + 1
    for start, end, masked in spans:
        if end > last:  # overlapping spans: keep the later one
            continue
        text = text[:start] + masked + text[end:]
        last = start
    return mask_digits(text)


@dataclass(frozen=True, slots=True)
class AuditEntry:
    time: str
    action: str  # override | bypass
    fingerprint: str
    codes: tuple[str, ...]
    verdict: str
    score: float
    reason: str
    note: str
    source: str
    to: str | None
    excerpt: str

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["codes"] = list(self.codes)
        return d


def make_entry(text: str, verdict: Verdict, reason: str, note: str, source: str, to: str | None,
               action: str = "override", masked_excerpt: str | None = None) -> AuditEntry:
    return AuditEntry(
        time=datetime.now().astimezone().isoformat(timespec="seconds"),
        action=action,
        fingerprint=message_fingerprint(text) if text else "",
        codes=tuple(dict.fromkeys(f.code for f in verdict.findings)),
        verdict=verdict.verdict,
        score=round(verdict.score, 3),
        reason=reason,
        note=mask_digits(note.strip()),
        source=source,
        to=to,
        excerpt=mask_digits(masked_excerpt) if masked_excerpt is not None else excerpt(text, verdict),
    )


def append(entry: AuditEntry, path: Path | None = None) -> Path:
    """Append one entry (one ``write`` on an ``O_APPEND`` descriptor: safe with parallel hooks)."""
    path = path or audit_path()
    line = (json.dumps(entry.to_dict(), ensure_ascii=False) + "\n").encode("utf-8")
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line)
        finally:
            os.close(fd)
    except OSError as e:
        raise LeakguardError(f"{path}: cannot write the audit log ({e.strerror or e})") from None
    return path


@dataclass(frozen=True, slots=True)
class BadLine:
    line: int
    reason: str


def read(path: Path | None = None) -> Iterator[AuditEntry | BadLine]:
    """Entries in order; a damaged line is yielded as :class:`BadLine` (counted, never dropped)."""
    path = path or audit_path()
    try:
        f = path.open("r", encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return
    except OSError as e:
        raise LeakguardError(f"{path}: cannot read the audit log ({e.strerror or e})") from None
    with f:
        for no, raw in enumerate(f, 1):
            if not raw.strip():
                continue
            yield _parse(raw, no)


_FIELDS = {"time": str, "action": str, "fingerprint": str, "verdict": str, "reason": str, "note": str,
           "source": str, "excerpt": str}


def _parse(raw: str, no: int) -> AuditEntry | BadLine:
    try:
        d = json.loads(raw)
    except json.JSONDecodeError as e:
        return BadLine(no, f"not JSON ({e.msg})")
    if not isinstance(d, dict):
        return BadLine(no, "not a JSON object")
    for key, typ in _FIELDS.items():
        if not isinstance(d.get(key), typ):
            return BadLine(no, f"missing or bad field '{key}'")
    codes = d.get("codes", [])
    score = d.get("score", 0.0)
    if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes) or not isinstance(score, (int, float)):
        return BadLine(no, "bad 'codes' or 'score'")
    to = d.get("to")
    return AuditEntry(d["time"], d["action"], d["fingerprint"], tuple(codes), d["verdict"], float(score),
                      d["reason"], d["note"], d["source"], to if isinstance(to, str) else None, d["excerpt"])
