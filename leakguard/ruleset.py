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

import os
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from . import __version__
from .matcher import Matcher, key_lengths
from .model import CATEGORIES, SEVERITIES, FrozenValue, LeakguardError
from .normalise import normalise

if TYPE_CHECKING:
    from pathlib import Path

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
# tenth of the time (a 16-field slotted dataclass costs ~1.5 ms of every start-up).  They are
# written in the functional form: its field types are real types, where the class form would
# compile a ForwardRef per (string) annotation of this module (~0.35 ms per class).
_RuleFields = NamedTuple("_RuleFields", [  # noqa: UP014 - see above
    ("code", str),
    ("name", dict[str, str]),
    ("category", str),
    ("severity", str),
    ("terms", tuple[str, ...]),
    ("detector", str | None),
    ("precedents", tuple[str, ...]),
    ("advice", dict[str, str]),
    ("features", tuple[str, ...]),
    ("requires", tuple[str, ...]),
    ("window", int),
    ("invalid", str),  # detectors: what to do when a checksum refutes the match: drop | info
    ("provides", tuple[str, float] | None),  # (signal, weight) this rule's hits lend to other findings
    ("doc", dict[str, str]),
    ("examples", dict[str, tuple[str, ...]]),
    ("origin", str),  # file:line
])


class Rule(_RuleFields):
    __slots__ = ()

    @property
    def base(self) -> float:
        return SEVERITY_BASE[self.severity]


Cue = NamedTuple("Cue", [  # noqa: UP014
    ("code", str),
    ("name", dict[str, str]),
    ("signal", str),
    ("feature", str),
    ("weight", float),
    ("scope", str),  # near | message
    ("window", int),
    ("terms", tuple[str, ...]),
    ("applies_to", tuple[str, ...]),
    ("origin", str),
])

# What the hot path needs of a precedent case (the full record lives in leakguard.cases).
CaseInfo = NamedTuple("CaseInfo", [  # noqa: UP014
    ("id", str),
    ("category", str),
    ("features", frozenset[str]),
    ("keywords", tuple[str, ...]),
    ("messaging_leak", bool),
    ("parent", str | None),
    ("summary", dict[str, str]),
    ("lesson", dict[str, str]),
])


class Ruleset(FrozenValue):
    """Rules, cues and cases compiled for matching (immutable; ``dataclasses.replace`` works).

    Compared, hashed and printed by the public fields only (the matcher tables are derived).
    """

    __slots__ = (  # noqa: RUF023 - field order
        "rules", "cues", "cases", "thresholds", "digest", "sources",
        "_matcher", "_codes", "_multi", "_case_ids", "_digit_detectors",
    )
    _PUBLIC = __slots__[:6]
    rules: tuple[Rule, ...]
    cues: tuple[Cue, ...]
    cases: dict[str, CaseInfo]
    thresholds: dict[str, float]
    digest: str
    sources: tuple[str, ...]
    _matcher: Matcher
    # Per key: what it stands for.  code >= 0: one entry (KINDS[code & 3], code >> 2);
    # code < 0: the entries _multi[-code - 1] (a word that is, say, both a term and a cue).
    _codes: list[int]
    _multi: list[tuple[tuple[str, int], ...]]
    _case_ids: tuple[str, ...]
    _digit_detectors: tuple[int, ...]

    def __init__(
        self, rules: tuple[Rule, ...], cues: tuple[Cue, ...], cases: dict[str, CaseInfo],
        thresholds: dict[str, float], digest: str, sources: tuple[str, ...], _matcher: Matcher | None = None,
        _codes: list[int] | None = None, _multi: list[tuple[tuple[str, int], ...]] | None = None,
        _case_ids: tuple[str, ...] = (), _digit_detectors: tuple[int, ...] = (),
    ) -> None:
        s = object.__setattr__
        s(self, "rules", rules)
        s(self, "cues", cues)
        s(self, "cases", cases)
        s(self, "thresholds", thresholds)
        s(self, "digest", digest)
        s(self, "sources", sources)
        s(self, "_matcher", Matcher([]) if _matcher is None else _matcher)
        s(self, "_codes", [] if _codes is None else _codes)
        s(self, "_multi", [] if _multi is None else _multi)
        s(self, "_case_ids", _case_ids)
        s(self, "_digit_detectors", _digit_detectors)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return all(getattr(self, f) == getattr(other, f) for f in self._PUBLIC)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(getattr(self, f) for f in self._PUBLIC))

    def __repr__(self) -> str:
        return f"Ruleset({', '.join(f'{f}={getattr(self, f)!r}' for f in self._PUBLIC)})"

    def rule(self, code: str) -> Rule | None:
        for r in self.rules:
            if r.code == code:
                return r
        return None


# ----------------------------------------------------------------------------- loading


def default_sources() -> list[Path]:
    from .paths import data_dir

    return [data_dir("lexicons"), data_dir("seeds")]


def _default_files() -> list[str] | None:
    """The bundled source files as strings, found with ``os`` alone (pathlib costs a pre-send
    check ~3 ms): what ``_expand(default_sources())`` gives, or None to take that slower road
    (a missing or unreadable folder, whose error it reports)."""
    pkg = os.path.dirname(os.path.realpath(__file__))  # paths.data_dir: the wheel's _data, else the tree
    out: list[str] = []
    for name in ("lexicons", "seeds"):
        folder = os.path.join(pkg, "_data", name)
        if not os.path.isdir(folder):
            folder = os.path.join(os.path.dirname(pkg), name)
        try:
            names = os.listdir(folder)
        except OSError:
            return None
        # Path.glob("*.toml") in sorted order, without hidden files
        out.extend(sorted(os.path.join(folder, n) for n in names if n.endswith(".toml") and not n.startswith(".")))
    return out


def _cache_dir() -> str:
    """paths.cache_dir(), as a string."""
    base = os.environ.get("LEAKGUARD_CACHE_DIR") or os.environ.get("XDG_CACHE_HOME")
    return os.path.join(base, "leakguard") if base else os.path.join(os.path.expanduser("~"), ".cache", "leakguard")


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
    from hashlib import sha256  # only when compiling: a warm start hashes nothing

    h = sha256(f"leakguard {__version__} format {_FORMAT_VERSION}\n".encode())
    for f in files:
        try:
            data = f.read_bytes()
        except OSError as e:
            raise LeakguardError(f"{f}: cannot read ({e.strerror or e})") from None
        h.update(str(f.resolve()).encode() + b"\0" + sha256(data).digest())
    return h.hexdigest()


def load_ruleset(
    paths: Sequence[str | os.PathLike[str]] | None = None,
    extra: Sequence[str | os.PathLike[str]] = (),
    use_cache: bool = True,
) -> Ruleset:
    """Load lexicons and cases (defaults: the bundled ones), using the compiled cache.

    The cache file of a set of sources is found from their stamp (path, size and mtime of
    each file, like Python's own bytecode cache), so a warm start reads no source file; the
    file's name also carries the SHA-256 content digest it was compiled from, which must
    match the digest recorded inside.  Any change to a file changes its stamp: recompiled.
    """
    # The source files as strings, found with ``os`` alone (pathlib costs a pre-send check ~3 ms);
    # only a cache miss or an unusual path (missing, not a regular file: its error message comes
    # from _expand) takes the pathlib road.  Both give the same stamp: it holds real paths.
    found = _default_files() if paths is None else _files(paths)
    if found is not None and extra:
        more = _files(extra)
        found = None if more is None else found + more
    files: list[Path] = []
    if found is None:
        from pathlib import Path

        files = (_expand([Path(p) for p in paths]) if paths is not None else _expand(default_sources())) + _expand(
            [Path(p) for p in extra])
    stamp = _stamp(found if found is not None else files)
    compiled = _read_cache(stamp) if use_cache else None
    if compiled is not None:
        try:
            return from_compiled(compiled)
        except (KeyError, TypeError, ValueError, AttributeError):
            pass  # a cache of the wrong shape (another version, a hand edit): rebuild it
    if found is not None:
        from pathlib import Path

        files = [Path(f) for f in found]
    return _compile_and_cache(files, stamp, use_cache)


def _files(paths: Iterable[str | os.PathLike[str]]) -> list[str] | None:
    """What :func:`_expand` finds, as strings, with ``os`` alone; None for anything but an
    existing regular file or folder (``_expand`` then says what is wrong)."""
    import stat

    out: list[str] = []
    for p in paths:
        p = os.fspath(p)
        try:
            mode = os.stat(p).st_mode
        except (OSError, ValueError):
            return None
        if stat.S_ISDIR(mode):
            try:
                names = os.listdir(p)
            except OSError:
                return None
            # Path.glob("*.toml") in sorted order, without hidden files
            out.extend(sorted(os.path.join(p, n) for n in names if n.endswith(".toml") and not n.startswith(".")))
        elif stat.S_ISREG(mode):
            out.append(p)
        else:
            return None
    return out


def _compile_and_cache(files: Sequence[Path], stamp: str, use_cache: bool) -> Ruleset:
    digest = _digest(files)
    compiled = compile_sources(files)
    compiled["matcher"] = matcher_tables(compiled)
    compiled["digest"] = digest
    compiled["stamp"] = stamp
    if use_cache:
        _write_cache(stamp, digest, _for_cache(compiled))
    return from_compiled(compiled)


def _stamp(files: Sequence[str | Path]) -> str:
    parts = [f"leakguard {__version__} format {_FORMAT_VERSION}"]
    for f in files:
        try:
            st = os.stat(f)
        except OSError as e:
            raise LeakguardError(f"{f}: cannot read ({e.strerror or e})") from None
        parts.append(f"{os.path.realpath(f)}\0{st.st_size}\0{st.st_mtime_ns}")  # realpath: Path.resolve()
    return "\n".join(parts)


_STAMP_MODULUS = (1 << 61) - 1  # a Mersenne prime


def _prefix(stamp: str) -> str:
    # The name only narrows the search (the stamp recorded inside is compared in full), so a
    # cheap hash does: the stamp's bytes as one integer modulo a prime, at C speed, where a
    # SHA-256 would cost a warm start loading its module.
    n = int.from_bytes(stamp.encode("utf-8", "surrogatepass"), "big") % _STAMP_MODULUS
    return f"ruleset-{n:016x}-"


def _read_cache(stamp: str) -> dict[str, Any] | None:
    prefix = _prefix(stamp)
    folder = _cache_dir()
    try:
        names = [e.name for e in os.scandir(folder) if e.name.startswith(prefix) and e.name.endswith(".json")]
    except OSError:
        return None
    for name in names:
        try:
            with open(os.path.join(folder, name), "rb") as f:
                data = _loads(f.read())
        except (OSError, ValueError):
            continue
        if (
            isinstance(data, dict)
            and data.get("format") == _FORMAT_VERSION
            and data.get("stamp") == stamp
            and isinstance(data.get("digest"), str)
            and name == _cache_name(stamp, data["digest"])
            and _read_keys(data, os.path.join(folder, name))
        ):
            return data
    return None


class _JSONContext:
    """What json's C scanner reads from a JSONDecoder: the defaults of ``json.loads``."""

    strict = True
    object_hook = object_pairs_hook = None
    parse_float, parse_int = float, int
    parse_constant = {"-Infinity": float("-inf"), "Infinity": float("inf"), "NaN": float("nan")}.__getitem__


def _loads(raw: bytes) -> Any:
    """``json.loads`` of a cache file with json's C scanner alone (the json package compiles its
    regular expressions on import: ~1.5 ms of a pre-send check).  ValueError if not one JSON value."""
    try:
        from _json import make_scanner
    except ImportError:  # pragma: no cover - not CPython
        import json

        return json.loads(raw)
    text = raw.decode("utf-8", "surrogatepass")
    ws = " \t\n\r"
    try:
        scan = make_scanner(_JSONContext())  # type: ignore[arg-type]  # duck-typed like JSONDecoder
        value, end = scan(text, len(text) - len(text.lstrip(ws)))
    except StopIteration:
        raise ValueError("not JSON") from None
    if text[end:].strip(ws):
        raise ValueError("extra data after the JSON value")
    return value


def _read_keys(data: dict[str, Any], path: str) -> bool:
    """Put the keys from the cache's side file (UTF-16, one per line) into ``data``."""
    m = data.get("matcher")
    if not isinstance(m, dict) or "keys" in m:
        return True
    try:
        with open(path[: -len(".json")] + ".keys", "rb") as f:
            keys = _utf_16_le(f.read())
    except (OSError, UnicodeDecodeError):
        return False
    if len(keys) != m.get("keys_length"):
        return False
    m["keys"] = keys
    return True


def _utf_16_le(data: bytes) -> str:
    """``data.decode("utf-16-le")`` without the codec look-up (which imports a module)."""
    import codecs  # loaded at interpreter start-up

    return codecs.utf_16_le_decode(data, "strict", True)[0]


def _cache_name(stamp: str, digest: str) -> str:
    return f"{_prefix(stamp)}{digest[:16]}.json"


def _write_cache(stamp: str, digest: str, compiled: dict[str, Any]) -> None:
    import tempfile  # deferred: only when the cache is (re)written

    target = os.path.join(_cache_dir(), _cache_name(stamp, digest))
    m = compiled["matcher"]
    keys = m["keys"] if isinstance(m["keys"], str) else None
    if keys is not None:  # the keys go to a side file: decoding UTF-16 beats parsing a JSON string
        compiled = compiled | {"matcher": {k: v for k, v in m.items() if k != "keys"} | {"keys_length": len(keys)}}
    try:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if keys is not None:
            keys_target = target[: -len(".json")] + ".keys"
            _atomic_bytes(keys_target, keys.encode("utf-16-le", "surrogatepass"), tempfile)
        import json

        data = json.dumps(compiled, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass")
        _atomic_bytes(target, data, tempfile)
    except OSError:
        pass  # a read-only home just means no cache


def _atomic_bytes(target: str, data: bytes, tempfile: Any) -> None:
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(target), prefix=".ruleset-", suffix=".tmp")
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
        decoded = []
        for kind, i in entries:  # a plain loop: ~300 entries on every start-up
            kind, i = str(kind), int(i)
            if not 0 <= i < sizes.get(kind, 0):
                raise ValueError("bad entry in the compiled matcher tables")
            decoded.append((kind, i))
        if not decoded:
            raise ValueError("bad entry in the compiled matcher tables")
        multi.append(tuple(decoded))
        codes[int(idx)] = -len(multi)
    return codes, multi


def from_compiled(c: dict[str, Any]) -> Ruleset:
    m = c.get("matcher") or matcher_tables(c)
    keys = m["keys"].split("\n") if isinstance(m["keys"], str) else list(m["keys"])
    if keys == [""]:
        keys = []
    rules = tuple(_rule_of(r, keys) for r in c["rules"])
    cues = tuple(  # positional: the fields in order (code, name, signal, feature, weight, scope, …)
        Cue(
            q["code"], q["name"], q["signal"], q["feature"], q["weight"], q["scope"], q["window"],
            tuple(q["terms"]), tuple(q["applies_to"]), q["origin"],
        )
        for q in c["cues"]
    )
    cases = {  # positional: id, category, features, keywords, messaging_leak, parent, summary, lesson
        k: CaseInfo(
            v["id"], v["category"], frozenset(v["features"]), tuple(v["keywords"]), v["messaging_leak"],
            v.get("parent"), v["summary"], v["lesson"],
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
