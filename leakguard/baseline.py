"""Baselines: remember known findings so repeated scans report only new ones.

A finding's fingerprint is ``sha256(code NUL source NUL normalised match)`` — never a line or
column — so editing the text around a known finding does not make it new again.  ``source`` is
the input's path relative to the baseline file's folder (POSIX separators), ``<stdin>`` or
``<text>``.  The baseline counts occurrences per fingerprint: a third copy of a known match in
the same file is new when the baseline saw two.

The file is JSON (sorted, stable for diffs) and holds no matched text; the fingerprint of a short
personal-data value can still be brute-forced, so keep a baseline as private as the data.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .model import Finding, LeakguardError

FORMAT = 1
_KEY = "leakguard_baseline"


def fingerprint(code: str, source: str, match: str) -> str:
    from .normalise import normalise

    data = f"{code}\0{source}\0{normalise(match).text}"
    return hashlib.sha256(data.encode("utf-8", "surrogatepass")).hexdigest()


def source_key(label: str, root: Path | None = None) -> str:
    """The stable name of an input: relative to ``root`` when it is a path below it."""
    if not label or label.startswith("<"):
        return label or "<stdin>"
    path, sep, member = label.partition("!")  # archives: 'export.zip!channel/1.json'
    p = Path(path)
    if root is not None:
        try:
            rel = os.path.relpath(p.resolve(), root.resolve())
        except ValueError:  # another drive (Windows)
            rel = str(p.resolve())
        if not rel.startswith(".."):
            path = rel
        else:
            path = str(p.resolve())
    return Path(path).as_posix() + sep + member


@dataclass(frozen=True, slots=True)
class Entry:
    fingerprint: str
    code: str
    source: str
    count: int = 1

    def to_dict(self) -> dict[str, Any]:
        return {"fingerprint": self.fingerprint, "code": self.code, "source": self.source, "count": self.count}


@dataclass(frozen=True)
class Baseline:
    path: Path
    entries: dict[str, Entry] = field(default_factory=dict)

    @property
    def root(self) -> Path:
        return self.path.parent if str(self.path.parent) else Path(".")

    def matcher(self) -> Matcher:
        return Matcher(self)


class Matcher:
    """Per-run state: how many occurrences of each known fingerprint were already seen."""

    def __init__(self, baseline: Baseline):
        self.baseline = baseline
        self.seen: Counter[str] = Counter()
        self.known = 0

    def new_findings(self, label: str, findings: Iterable[Finding]) -> list[Finding]:
        source = source_key(label, self.baseline.root)
        out = []
        for f in findings:
            fp = fingerprint(f.code, source, f.match)
            entry = self.baseline.entries.get(fp)
            self.seen[fp] += 1
            if entry is not None and self.seen[fp] <= entry.count:
                self.known += 1
                continue
            out.append(f)
        return out


class Collector:
    """Accumulates entries for ``baseline create|update``."""

    def __init__(self, root: Path):
        self.root = root
        self.entries: dict[str, Entry] = {}
        self.sources: set[str] = set()

    def add(self, label: str, findings: Iterable[Finding]) -> None:
        source = source_key(label, self.root)
        self.sources.add(source.partition("!")[0])
        for f in findings:
            fp = fingerprint(f.code, source, f.match)
            prev = self.entries.get(fp)
            self.entries[fp] = Entry(fp, f.code, source, prev.count + 1 if prev else 1)


def merge(old: Baseline, new: Collector) -> dict[str, Entry]:
    """``update``: entries of rescanned sources are replaced, all others kept."""
    kept = {fp: e for fp, e in old.entries.items() if e.source.partition("!")[0] not in new.sources}
    kept.update(new.entries)
    return kept


def load_baseline(path: Path) -> Baseline:
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise LeakguardError(f"{path}: no such baseline file (create one with `leakguard baseline create`)") from None
    except (OSError, UnicodeDecodeError) as e:
        raise LeakguardError(f"{path}: cannot read baseline ({getattr(e, 'strerror', None) or e})") from None
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as e:
        raise LeakguardError(f"{path}:{e.lineno}: not a leakguard baseline (JSON: {e.msg})") from None
    if not isinstance(data, dict) or data.get(_KEY) != FORMAT or not isinstance(data.get("findings"), list):
        raise LeakguardError(f"{path}:1: not a leakguard baseline (expected {{\"{_KEY}\": {FORMAT}, \"findings\": […]}})")
    entries: dict[str, Entry] = {}
    for i, item in enumerate(data["findings"], 1):
        entry = _entry(path, i, item)
        entries[entry.fingerprint] = entry
    return Baseline(path, entries)


def _entry(path: Path, i: int, item: Any) -> Entry:
    ok = (
        isinstance(item, dict)
        and isinstance(item.get("fingerprint"), str) and len(item["fingerprint"]) == 64
        and isinstance(item.get("code"), str) and isinstance(item.get("source"), str)
        and isinstance(item.get("count", 1), int) and not isinstance(item.get("count", 1), bool)
        and item.get("count", 1) >= 1
    )
    if not ok:
        raise LeakguardError(f"{path}: finding {i}: needs fingerprint (64 hex), code, source and a count ≥ 1")
    return Entry(item["fingerprint"], item["code"], item["source"], item.get("count", 1))


def dump(entries: Iterable[Entry]) -> str:
    ordered: Sequence[Entry] = sorted(entries, key=lambda e: (e.source, e.code, e.fingerprint))
    doc = {_KEY: FORMAT, "findings": [e.to_dict() for e in ordered]}
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"


def save_baseline(path: Path, entries: Iterable[Entry]) -> None:
    from .atomic import write_atomic

    write_atomic(path, dump(entries))
