"""Lexicon loading, validation and compilation into one Aho-Corasick automaton.

Source of truth: TOML files in ``lexicons/`` (rules and context cues) and ``seeds/``
(precedent cases).  Parsing TOML costs tens of milliseconds, so the loaded data is
compiled to a plain-JSON "compiled ruleset" cached under the user's cache directory and
keyed by a SHA-256 of every source file's bytes (plus the leakguard version): editing any
file invalidates it.  JSON cannot execute code, so a swapped cache file can at worst
change rules, never run anything.  The compiled form also holds the matcher's tables (the
normalised keys, what each key stands for, which keys need a word boundary), so loading does
no per-term work; the automaton itself is built from the keys on first use
(:mod:`leakguard.matcher`), and a short draft is matched without one.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from . import __version__
from .matcher import Matcher, key_lengths
from .model import CATEGORIES, SEVERITIES, LeakguardError
from .normalise import normalise
from .paths import cache_dir, data_dir

if TYPE_CHECKING:
    from hashlib import sha256
else:
    try:  # the built-in SHA-256 imports in 0.2 ms; hashlib (OpenSSL) takes ~3 ms of a pre-send check
        from _sha256 import sha256  # CPython 3.11
    except ImportError:  # pragma: no cover - other interpreters / versions
        try:
            from _sha2 import sha256  # CPython 3.12+
        except ImportError:
            from hashlib import sha256

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
_FORMAT_VERSION = 5
KINDS = ("r", "c", "k", "g")  # rule term, cue word, case keyword, detector gate (codes: index 0..3)

_RULE_FIELDS = {
    "code", "name", "category", "severity", "terms", "detector", "precedents", "advice", "features",
    "requires", "examples", "window", "invalid", "doc", "provides",
}
_CUE_FIELDS = {"code", "name", "signal", "feature", "weight", "scope", "window", "terms", "applies_to", "doc"}


# Rule, Cue and CaseInfo are NamedTuples: immutable like a frozen dataclass, and created in a
# tenth of the time (a 16-field slotted dataclass costs ~1.5 ms of every start-up).
class Rule(NamedTuple):
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


class Cue(NamedTuple):
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


class CaseInfo(NamedTuple):
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
    _matcher: Matcher = field(default_factory=lambda: Matcher([]), repr=False, compare=False)
    # Per key: what it stands for.  code >= 0: one entry (KINDS[code & 3], code >> 2);
    # code < 0: the entries _multi[-code - 1] (a word that is, say, both a term and a cue).
    _codes: list[int] = field(default_factory=list, repr=False, compare=False)
    _multi: list[tuple[tuple[str, int], ...]] = field(default_factory=list, repr=False, compare=False)
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
        elif p.is_file():
            out.append(p)
        elif p.exists():  # a FIFO or device: reading it could block forever
            raise LeakguardError(f"{p}: not a regular file, expected a .toml file or a folder")
        else:
            raise LeakguardError(f"{p}: no such file or directory")
    return out


def _digest(files: Sequence[Path]) -> str:
    h = sha256(f"leakguard {__version__} format {_FORMAT_VERSION}\n".encode())
    for f in files:
        try:
            data = f.read_bytes()
        except OSError as e:
            raise LeakguardError(f"{f}: cannot read ({e.strerror or e})") from None
        h.update(str(f.resolve()).encode() + b"\0" + sha256(data).digest())
    return h.hexdigest()


def load_ruleset(
    paths: Sequence[Path] | None = None,
    extra: Sequence[Path] = (),
    use_cache: bool = True,
) -> Ruleset:
    """Load lexicons and cases (defaults: the bundled ones), using the compiled cache.

    The cache file of a set of sources is found from their stamp (path, size and mtime of
    each file, like Python's own bytecode cache), so a warm start reads no source file; the
    file's name also carries the SHA-256 content digest it was compiled from, which must
    match the digest recorded inside.  Any change to a file changes its stamp: recompiled.
    """
    files = _expand(list(paths) if paths is not None else default_sources())
    files += _expand(extra)
    stamp = _stamp(files)
    compiled = _read_cache(stamp) if use_cache else None
    if compiled is not None:
        try:
            return from_compiled(compiled)
        except (KeyError, TypeError, ValueError, AttributeError):
            pass  # a cache of the wrong shape (another version, a hand edit): rebuild it
    digest = _digest(files)
    compiled = compile_sources(files)
    compiled["matcher"] = matcher_tables(compiled)
    compiled["digest"] = digest
    compiled["stamp"] = stamp
    if use_cache:
        _write_cache(stamp, digest, _for_cache(compiled))
    return from_compiled(compiled)


def _stamp(files: Sequence[Path]) -> str:
    parts = [f"leakguard {__version__} format {_FORMAT_VERSION}"]
    for f in files:
        try:
            st = f.stat()
        except OSError as e:
            raise LeakguardError(f"{f}: cannot read ({e.strerror or e})") from None
        parts.append(f"{f.resolve()}\0{st.st_size}\0{st.st_mtime_ns}")
    return "\n".join(parts)


def _prefix(stamp: str) -> str:
    return f"ruleset-{sha256(stamp.encode()).hexdigest()[:16]}-"


def _read_cache(stamp: str) -> dict[str, Any] | None:
    prefix = _prefix(stamp)
    try:
        names = [e.name for e in os.scandir(cache_dir()) if e.name.startswith(prefix) and e.name.endswith(".json")]
    except OSError:
        return None
    for name in names:
        try:
            with open(cache_dir() / name, "rb") as f:
                data = json.loads(f.read())
        except (OSError, ValueError):
            continue
        if (
            isinstance(data, dict)
            and data.get("format") == _FORMAT_VERSION
            and data.get("stamp") == stamp
            and isinstance(data.get("digest"), str)
            and name == _cache_name(stamp, data["digest"])
            and _read_keys(data, cache_dir() / name)
        ):
            return data
    return None


def _read_keys(data: dict[str, Any], path: Path) -> bool:
    """Put the keys from the cache's side file (UTF-16, one per line) into ``data``."""
    m = data.get("matcher")
    if not isinstance(m, dict) or "keys" in m:
        return True
    try:
        keys = path.with_suffix(".keys").read_bytes().decode("utf-16-le")
    except (OSError, UnicodeDecodeError):
        return False
    if len(keys) != m.get("keys_length"):
        return False
    m["keys"] = keys
    return True


def _cache_name(stamp: str, digest: str) -> str:
    return f"{_prefix(stamp)}{digest[:16]}.json"


def _write_cache(stamp: str, digest: str, compiled: dict[str, Any]) -> None:
    import tempfile  # deferred: only when the cache is (re)written

    target = cache_dir() / _cache_name(stamp, digest)
    m = compiled["matcher"]
    keys = m["keys"] if isinstance(m["keys"], str) else None
    if keys is not None:  # the keys go to a side file: decoding UTF-16 beats parsing a JSON string
        compiled = compiled | {"matcher": {k: v for k, v in m.items() if k != "keys"} | {"keys_length": len(keys)}}
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if keys is not None:
            _atomic_bytes(target.with_suffix(".keys"), keys.encode("utf-16-le", "surrogatepass"), tempfile)
        data = json.dumps(compiled, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass")
        _atomic_bytes(target, data, tempfile)
    except OSError:
        pass  # a read-only home just means no cache


def _atomic_bytes(target: Path, data: bytes, tempfile: Any) -> None:
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".ruleset-", suffix=".tmp")
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, target)


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


def matcher_tables(c: dict[str, Any]) -> dict[str, Any]:
    """The matcher's tables for compiled data: normalised keys and what each stands for.

    One key per distinct normalised term, cue word or case keyword, in order of first
    appearance (rule terms, then cue words, then case keywords).  Most keys stand for exactly
    the entry that introduced them, so the table is stored as *runs*: [kind, index, count]
    says that the next ``count`` keys belong to that rule/cue/case alone.  Keys with other or
    more entries (a word that is both a term and a cue) are listed in ``multi``.
    """
    keyed: dict[str, list[tuple[str, int]]] = {}
    runs: list[list[Any]] = []

    def add(term: str, entry: tuple[str, int]) -> None:
        key = normalise(term).text
        if key not in keyed:
            keyed[key] = []
            if runs and runs[-1][:2] == list(entry):
                runs[-1][2] += 1
            else:
                runs.append([entry[0], entry[1], 1])
        keyed[key].append(entry)

    for i, r in enumerate(c["rules"]):
        for t in r["terms"]:
            add(t, ("g" if r["detector"] else "r", i))
    for i, q in enumerate(c["cues"]):
        for t in q["terms"]:
            add(t, ("c", i))
    for i, case in enumerate(c["cases"].values()):
        for t in case["keywords"]:
            add(t, ("k", i))
    keys = list(keyed)
    implied = [(kind, i) for kind, i, n in runs for _ in range(n)]
    multi = {}
    for idx, refs in enumerate(keyed.values()):
        entries = list(dict.fromkeys(refs))
        if entries != [implied[idx]]:
            multi[str(idx)] = entries
    return {
        # one string when possible: json parses one long string much faster than 50k short ones
        "keys": "\n".join(keys) if not any("\n" in k for k in keys) else keys,
        "runs": runs,
        "multi": multi,
        "lengths": list(key_lengths(keys)),
    }


_RULE_DEFAULTS: dict[str, Any] = {
    "detector": None, "precedents": [], "features": [], "requires": [], "window": 30, "invalid": "drop",
    "provides": None, "doc": {}, "examples": {"risky": [], "benign": []},
}


def _for_cache(compiled: dict[str, Any]) -> dict[str, Any]:
    """The compiled data as cached, smaller to parse: a rule leaves out fields at their default,
    and a rule whose terms are exactly a run of keys (already normalised, all new) stores that
    run's position instead of the terms, so 50,000 terms are parsed once, not twice."""
    m = compiled["matcher"]
    keys = m["keys"].split("\n") if isinstance(m["keys"], str) else m["keys"]
    starts: dict[tuple[str, int], int] = {}
    pos = 0
    for kind, i, n in m["runs"]:
        starts.setdefault((kind, i), pos)
        pos += n
    rules = []
    for i, r in enumerate(compiled["rules"]):
        r = {k: v for k, v in r.items() if k not in _RULE_DEFAULTS or v != _RULE_DEFAULTS[k]}
        for k in ("name", "advice"):  # one string when both languages say the same
            if r[k].get("zh") == r[k].get("en") and set(r[k]) == {"zh", "en"}:
                r[k] = r[k]["zh"]
        a = starts.get(("g" if r.get("detector") else "r", i))
        terms = r["terms"]
        if a is not None and len(terms) > 8 and keys[a : a + len(terms)] == terms:
            r = {k: v for k, v in r.items() if k != "terms"} | {"terms_at": [a, a + len(terms)]}
        rules.append(r)
    return compiled | {"rules": rules}


def _rule_of(r: dict[str, Any], keys: list[str]) -> Rule:
    get = r.get
    provides = get("provides")
    examples = get("examples")
    name, advice = r["name"], r["advice"]
    return Rule(
        r["code"], {"zh": name, "en": name} if isinstance(name, str) else name, r["category"], r["severity"],
        tuple(r["terms"]) if "terms" in r else tuple(keys[slice(*r["terms_at"])]),
        get("detector"), tuple(get("precedents", ())),
        {"zh": advice, "en": advice} if isinstance(advice, str) else advice, tuple(get("features", ())),
        tuple(get("requires", ())), get("window", 30), get("invalid", "drop"),
        (provides[0], float(provides[1])) if provides else None, get("doc", {}),
        {k: tuple(v) for k, v in examples.items()} if examples else {"risky": (), "benign": ()},
        r["origin"],
    )


def _decode_runs(m: dict[str, Any], n_keys: int, sizes: dict[str, int]) -> tuple[list[int], list[Any]]:
    """Per-key codes (see Ruleset._codes) and the multi-entry table from the stored runs."""
    codes: list[int] = []
    for kind, i, n in m["runs"]:
        if kind not in sizes or not 0 <= i < sizes[kind] or n < 1:
            raise ValueError("bad run in the compiled matcher tables")
        codes.extend([KINDS.index(kind) + 4 * i] * n)
    if len(codes) != n_keys:
        raise ValueError("compiled matcher tables do not fit together")  # a stale or hand-edited cache
    multi: list[tuple[tuple[str, int], ...]] = []
    for idx, entries in m["multi"].items():
        decoded = tuple((str(kind), int(i)) for kind, i in entries)
        if not decoded or any(kind not in sizes or not 0 <= i < sizes[kind] for kind, i in decoded):
            raise ValueError("bad entry in the compiled matcher tables")
        multi.append(decoded)
        codes[int(idx)] = -len(multi)
    return codes, multi


def from_compiled(c: dict[str, Any]) -> Ruleset:
    m = c.get("matcher") or matcher_tables(c)
    keys = m["keys"].split("\n") if isinstance(m["keys"], str) else list(m["keys"])
    if keys == [""]:
        keys = []
    rules = tuple(_rule_of(r, keys) for r in c["rules"])
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
    sizes = {"r": len(rules), "g": len(rules), "c": len(cues), "k": len(cases)}
    codes, multi = _decode_runs(m, len(keys), sizes)
    digit_detectors = tuple(i for i, r in enumerate(rules) if r.detector and not r.terms)
    return Ruleset(
        rules=rules, cues=cues, cases=cases, thresholds=dict(c["thresholds"]), digest=c.get("digest", ""),
        sources=tuple(c.get("sources", ())), _matcher=Matcher(keys, m["lengths"]), _codes=codes,
        _multi=multi, _case_ids=tuple(cases),
        _digit_detectors=digit_detectors,
    )


# A key that starts or ends with one of these matches only at a word boundary (mj ≠ mjpeg).
ALNUM = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
