"""Lexicon loading, validation and compilation into one Aho-Corasick automaton.

Source of truth: TOML files in ``lexicons/`` (rules and context cues) and ``seeds/``
(precedent cases).  Parsing TOML costs tens of milliseconds, so the loaded data is
compiled to a plain-JSON "compiled ruleset" cached under the user's cache directory and
keyed by a SHA-256 of every source file's bytes (plus the leakguard version): editing any
file invalidates it.  JSON cannot execute code, so a swapped cache file can at worst
change rules, never run anything.  Building the automaton from the compiled data takes a
few milliseconds and is done once per :class:`Ruleset`.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from .model import CATEGORIES, SEVERITIES, LeakguardError
from .normalise import normalise
from .paths import cache_dir, data_dir

SIGNALS = (
    # raise the score
    "action", "attachment", "channel", "secrecy", "unreleased", "internal", "hearsay", "claim",
    "person", "people", "identifier", "health", "list", "urgency", "content", "marker",
    # lower the score
    "public", "discussion", "template", "self", "hotline", "schedule", "fiction", "negation",
    "everyday", "work_channel",
)
DETECTOR_KINDS = (
    "cn_id", "mobile", "landline", "bank_card", "uscc", "plate", "passport", "hk_macau_permit",
    "doc_number", "doc_title", "address", "email",
)
SEVERITY_BASE = {"info": 0.5, "low": 1.0, "medium": 1.5, "high": 2.0, "critical": 3.0}
DEFAULT_THRESHOLDS = {"warn": 3.0, "block": 5.0}
_FORMAT_VERSION = 3

_RULE_FIELDS = {
    "code", "name", "category", "severity", "terms", "detector", "precedents", "advice", "features",
    "requires", "examples", "window", "invalid", "doc", "provides",
}
_CUE_FIELDS = {"code", "name", "signal", "feature", "weight", "scope", "window", "terms", "applies_to", "doc"}


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    name: dict[str, str]
    category: str
    severity: str
    terms: tuple[str, ...]
    detector: str | None
    precedents: tuple[str, ...]
    advice: dict[str, str]
    features: tuple[str, ...]
    requires: tuple[str, ...]
    window: int
    invalid: str  # detectors: what to do when a checksum refutes the match: drop | info
    provides: tuple[str, float] | None  # (signal, weight) this rule's hits lend to other findings
    doc: dict[str, str]
    examples: dict[str, tuple[str, ...]]
    origin: str  # file:line

    @property
    def base(self) -> float:
        return SEVERITY_BASE[self.severity]


@dataclass(frozen=True, slots=True)
class Cue:
    code: str
    name: dict[str, str]
    signal: str
    feature: str
    weight: float
    scope: str  # near | message
    window: int
    terms: tuple[str, ...]
    applies_to: tuple[str, ...]
    origin: str


@dataclass(frozen=True, slots=True)
class CaseInfo:
    """What the hot path needs of a precedent case (the full record lives in leakguard.cases)."""

    id: str
    category: str
    features: frozenset[str]
    keywords: tuple[str, ...]
    messaging_leak: bool
    parent: str | None
    summary: dict[str, str]
    lesson: dict[str, str]


@dataclass(frozen=True)
class Ruleset:
    rules: tuple[Rule, ...]
    cues: tuple[Cue, ...]
    cases: dict[str, CaseInfo]
    thresholds: dict[str, float]
    digest: str
    sources: tuple[str, ...]
    _automaton: Any = field(default=None, repr=False, compare=False)
    _entries: list[tuple[tuple[str, int], ...]] = field(default_factory=list, repr=False, compare=False)
    _boundary: frozenset[int] = field(default_factory=frozenset, repr=False, compare=False)
    _keylen: list[int] = field(default_factory=list, repr=False, compare=False)
    _case_ids: tuple[str, ...] = field(default=(), repr=False, compare=False)
    _digit_detectors: tuple[int, ...] = field(default=(), repr=False, compare=False)

    def rule(self, code: str) -> Rule | None:
        for r in self.rules:
            if r.code == code:
                return r
        return None


# ----------------------------------------------------------------------------- loading


def default_sources() -> list[Path]:
    return [data_dir("lexicons"), data_dir("seeds")]


def _expand(paths: Iterable[Path]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(sorted(x for x in p.glob("*.toml") if not x.name.startswith(".")))
        elif p.exists():
            out.append(p)
        else:
            raise LeakguardError(f"{p}: no such file or directory")
    return out


def _digest(files: Sequence[Path]) -> str:
    h = hashlib.sha256(f"leakguard {__version__} format {_FORMAT_VERSION}\n".encode())
    for f in files:
        try:
            data = f.read_bytes()
        except OSError as e:
            raise LeakguardError(f"{f}: cannot read ({e.strerror or e})") from None
        h.update(str(f.resolve()).encode() + b"\0" + hashlib.sha256(data).digest())
    return h.hexdigest()


def load_ruleset(
    paths: Sequence[Path] | None = None,
    extra: Sequence[Path] = (),
    use_cache: bool = True,
) -> Ruleset:
    """Load lexicons and cases (defaults: the bundled ones), using the compiled cache."""
    files = _expand(list(paths) if paths is not None else default_sources())
    files += _expand(extra)
    digest = _digest(files)
    compiled = _read_cache(digest) if use_cache else None
    if compiled is not None:
        try:
            return from_compiled(compiled)
        except (KeyError, TypeError, ValueError, AttributeError):
            pass  # a cache of the wrong shape (another version, a hand edit): rebuild it
    compiled = compile_sources(files)
    compiled["digest"] = digest
    if use_cache:
        _write_cache(digest, compiled)
    return from_compiled(compiled)


def _cache_path(digest: str) -> Path:
    return cache_dir() / f"ruleset-{digest[:32]}.json"


def _read_cache(digest: str) -> dict[str, Any] | None:
    try:
        with open(_cache_path(digest), encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("digest") != digest or data.get("format") != _FORMAT_VERSION:
        return None
    return data


def _write_cache(digest: str, compiled: dict[str, Any]) -> None:
    target = _cache_path(digest)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".ruleset-", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(compiled, f, ensure_ascii=False, separators=(",", ":"))
        os.replace(tmp, target)
    except OSError:
        pass  # a read-only home just means no cache


def compile_sources(files: Sequence[Path]) -> dict[str, Any]:
    """Parse and validate every TOML file; return the JSON-ready compiled form."""
    from .cases import load_cases
    from .tomlsrc import Fields, array_of_tables, load_toml

    rules: list[dict[str, Any]] = []
    cues: list[dict[str, Any]] = []
    thresholds = dict(DEFAULT_THRESHOLDS)
    case_files: list[Path] = []
    seen: dict[str, str] = {}
    for path in files:
        data, raw = load_toml(path)
        if "case" in data or "source" in data:
            case_files.append(path)
            continue
        for key in data:
            if key not in ("meta", "rule", "cue", "thresholds"):
                raise LeakguardError(f"{path}:1: unknown top-level key '{key}' (expected meta, rule, cue, thresholds)")
        if "thresholds" in data:
            thresholds.update(_thresholds(path, data["thresholds"]))
        for table, line in array_of_tables(path, data, raw, "rule"):
            r = _rule(Fields(path, line, table, "rule"))
            _unique(seen, r["code"], r["origin"])
            rules.append(r)
        for table, line in array_of_tables(path, data, raw, "cue"):
            c = _cue(Fields(path, line, table, "cue"))
            _unique(seen, c["code"], c["origin"])
            cues.append(c)
    library = load_cases(case_files) if case_files else None
    cases: dict[str, Any] = {}
    if library is not None:
        for case in library.cases.values():
            cases[case.id] = _case_info(case)
    for r in rules:
        for pid in r["precedents"]:
            if pid not in cases:
                raise LeakguardError(f"{r['origin']}: rule {r['code']}: unknown precedent id '{pid}'")
    return {
        "format": _FORMAT_VERSION,
        "rules": rules,
        "cues": cues,
        "cases": cases,
        "thresholds": thresholds,
        "sources": [str(f) for f in files],
    }


def _thresholds(path: Path, t: Any) -> dict[str, float]:
    if not isinstance(t, dict) or set(t) - {"warn", "block"}:
        raise LeakguardError(f"{path}:1: [thresholds] takes only warn and block")
    for k, v in t.items():
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise LeakguardError(f"{path}:1: thresholds.{k} must be a number")
    return {k: float(v) for k, v in t.items()}


def _unique(seen: dict[str, str], code: str, origin: str) -> None:
    if code in seen:
        raise LeakguardError(f"{origin}: duplicate code '{code}' (first defined at {seen[code]})")
    seen[code] = origin


def _checked_terms(f: Any, key: str, required: bool, gates: bool = False) -> tuple[str, ...]:
    terms = f.strs(key, default=None if required else [])
    out = []
    for t in terms:
        n = normalise(t).text.strip()
        if not n:
            raise f.fail(f"empty term in '{key}'")
        if len(n) < 2 and "\u3400" <= n <= "\u9fff" and not gates:
            raise f.fail(f"term {t!r} is a single character: it would match everywhere")
        out.append(t)
    if required and not out:
        raise f.fail(f"'{key}' must not be empty")
    return tuple(out)


def _rule(f: Any) -> dict[str, Any]:
    f.unknown(_RULE_FIELDS)
    code = f.str("code")
    detector = f.table.get("detector")
    if detector is not None:
        detector = f.str("detector", choices=DETECTOR_KINDS)
    examples = f.table.get("examples", {})
    if not isinstance(examples, dict) or set(examples) - {"risky", "benign"}:
        raise f.fail("'examples' must be a table with 'risky' and/or 'benign' lists")
    ex = {}
    for k in ("risky", "benign"):
        v = examples.get(k, [])
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            raise f.fail(f"examples.{k} must be a list of strings")
        ex[k] = v
    requires = f.strs("requires", default=[])
    for s in requires:
        if s not in SIGNALS:
            raise f.fail(f"unknown signal {s!r} in 'requires' (known: {', '.join(SIGNALS)})")
    return {
        "code": code,
        "name": f.text("name"),
        "category": f.str("category", choices=CATEGORIES),
        "severity": f.str("severity", choices=SEVERITIES),
        "terms": list(_checked_terms(f, "terms", required=detector is None, gates=detector is not None)),
        "detector": detector,
        "precedents": list(f.strs("precedents", default=[])),
        "advice": f.text("advice"),
        "features": list(f.strs("features", default=[])),
        "requires": list(requires),
        "window": int(f.num("window", default=30)),
        "invalid": f.str("invalid", default="drop", choices=("drop", "info")),
        "provides": _provides(f),
        "doc": f.text("doc", required=False),
        "examples": ex,
        "origin": f"{f.path}:{f.line}",
    }


def _provides(f: Any) -> list[Any] | None:
    p = f.table.get("provides")
    if p is None:
        return None
    if not isinstance(p, dict) or set(p) != {"signal", "weight"} or p["signal"] not in SIGNALS:
        raise f.fail("'provides' must be {signal = <a known signal>, weight = <number>}")
    if isinstance(p["weight"], bool) or not isinstance(p["weight"], (int, float)):
        raise f.fail("provides.weight must be a number")
    return [p["signal"], float(p["weight"])]


def _cue(f: Any) -> dict[str, Any]:
    f.unknown(_CUE_FIELDS)
    applies = f.strs("applies_to", default=[])
    for c in applies:
        if c not in CATEGORIES:
            raise f.fail(f"unknown category {c!r} in 'applies_to'")
    return {
        "code": f.str("code"),
        "name": f.text("name"),
        "signal": f.str("signal", choices=SIGNALS),
        "feature": f.str("feature", default=""),
        "weight": f.num("weight"),
        "scope": f.str("scope", default="message", choices=("near", "message")),
        "window": int(f.num("window", default=20)),
        "terms": list(_checked_terms(f, "terms", required=True)),
        "applies_to": list(applies),
        "origin": f"{f.path}:{f.line}",
    }


def _case_info(case: Any) -> dict[str, Any]:
    features = set(case.action) | set(case.channel) | set(case.data)
    return {
        "id": case.id,
        "category": case.category,
        "features": sorted(features),
        "keywords": list(case.keywords),
        "messaging_leak": bool(case.messaging_leak),
        "parent": getattr(case, "parent", None),
        "summary": {"zh": case.summary("zh"), "en": case.summary("en")},
        "lesson": {"zh": case.lesson.get("zh", "") if isinstance(case.lesson, dict) else case.lesson.zh,
                   "en": case.lesson.get("en", "") if isinstance(case.lesson, dict) else case.lesson.en},
    }


# ----------------------------------------------------------------------------- building


def from_compiled(c: dict[str, Any]) -> Ruleset:
    import ahocorasick

    rules = tuple(
        Rule(
            code=r["code"], name=r["name"], category=r["category"], severity=r["severity"],
            terms=tuple(r["terms"]), detector=r["detector"], precedents=tuple(r["precedents"]),
            advice=r["advice"], features=tuple(r["features"]), requires=tuple(r["requires"]),
            window=r["window"], invalid=r["invalid"], doc=r["doc"],
            provides=(r["provides"][0], float(r["provides"][1])) if r["provides"] else None,
            examples={k: tuple(v) for k, v in r["examples"].items()}, origin=r["origin"],
        )
        for r in c["rules"]
    )
    cues = tuple(
        Cue(
            code=q["code"], name=q["name"], signal=q["signal"], feature=q["feature"], weight=q["weight"],
            scope=q["scope"], window=q["window"], terms=tuple(q["terms"]),
            applies_to=tuple(q["applies_to"]), origin=q["origin"],
        )
        for q in c["cues"]
    )
    cases = {
        k: CaseInfo(
            id=v["id"], category=v["category"], features=frozenset(v["features"]),
            keywords=tuple(v["keywords"]), messaging_leak=v["messaging_leak"], parent=v.get("parent"),
            summary=v["summary"], lesson=v["lesson"],
        )
        for k, v in c["cases"].items()
    }
    # One automaton over every term, cue word and case keyword.  Each key maps to an
    # entry: a tuple of (kind, index) with kind r(ule) / c(ue) / k(case keyword).
    keyed: dict[str, list[tuple[str, int]]] = {}
    for i, r in enumerate(rules):
        for t in r.terms:
            keyed.setdefault(normalise(t).text, []).append(("g" if r.detector else "r", i))
    for i, q in enumerate(cues):
        for t in q.terms:
            keyed.setdefault(normalise(t).text, []).append(("c", i))
    case_ids = list(cases)
    for i, cid in enumerate(case_ids):
        for t in cases[cid].keywords:
            keyed.setdefault(normalise(t).text, []).append(("k", i))
    entries: list[tuple[tuple[str, int], ...]] = []
    keylen: list[int] = []
    boundary: set[int] = set()
    automaton = ahocorasick.Automaton(ahocorasick.STORE_INTS)
    for key, refs in keyed.items():
        idx = len(entries)
        entries.append(tuple(dict.fromkeys(refs)))
        keylen.append(len(key))
        if _needs_boundary(key):
            boundary.add(idx)
        automaton.add_word(key, idx)
    if len(automaton):
        automaton.make_automaton()
    digit_detectors = tuple(i for i, r in enumerate(rules) if r.detector and not r.terms)
    return Ruleset(
        rules=rules, cues=cues, cases=cases, thresholds=dict(c["thresholds"]), digest=c.get("digest", ""),
        sources=tuple(c.get("sources", ())), _automaton=automaton, _entries=entries,
        _boundary=frozenset(boundary), _keylen=keylen, _case_ids=tuple(case_ids),
        _digit_detectors=digit_detectors,
    )


def _needs_boundary(key: str) -> bool:
    return bool(key) and (key[0].isascii() and key[0].isalnum() or key[-1].isascii() and key[-1].isalnum())
