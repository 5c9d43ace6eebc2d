"""Per-project settings: ``.leakguard.toml`` or ``[tool.leakguard]`` in ``pyproject.toml``.

The file is found by walking up from the current directory; the first directory holding a
``.leakguard.toml``, or a ``pyproject.toml`` with a ``[tool.leakguard]`` table, wins.

    lang = "zh"                    # report language (zh | en)
    fail_on = "warn"               # lowest verdict that makes the exit code 1 (warn | block)
    lexicons = ["our_terms.toml"]  # extra lexicon / case files, relative to the settings file
    disable = ["DOC105"]           # rule codes never reported
    baseline = ".leakguard-baseline.json"   # known findings (see leakguard.baseline)

    [thresholds]
    warn = 3.0
    block = 5.0

    [allow]
    terms = ["调度会通知模板"]        # a finding inside one of these is not reported
    patterns = ['第\\d+期工作简报']   # regular expressions (``regex`` module), run with a time limit

Unknown keys are warnings (``file:line: unknown setting …``); bad values raise
:class:`~leakguard.model.LeakguardError` with ``file:line: …``.
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, Any

from .model import FrozenValue, LeakguardError

if TYPE_CHECKING:
    from pathlib import Path

CONFIG_NAME = ".leakguard.toml"
PYPROJECT = "pyproject.toml"
_TOP_KEYS = frozenset({"lang", "fail_on", "lexicons", "disable", "thresholds", "allow", "baseline"})
_TABLE_KEYS = {"thresholds": frozenset({"warn", "block"}), "allow": frozenset({"terms", "patterns"})}
# Sources only: they are compiled (and cached by ``re``) when a settings file is read.
_HEADER = r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(?:#.*)?$"
_KEY = r"""^\s*((?:[A-Za-z0-9_\-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_\-]+|"[^"]*"|'[^']*'))*)\s*="""
_CODE = r"^[A-Z][A-Z0-9_-]*$"
_set = object.__setattr__


class AllowPattern(FrozenValue):
    """A user regex from the allow list, with where it was written (``file:line``)."""

    __slots__ = ("source", "origin", "compiled")  # noqa: RUF023 - field order
    source: str
    origin: str
    compiled: Any  # regex.Pattern[str]

    def __init__(self, source: str, origin: str, compiled: Any) -> None:
        _set(self, "source", source)
        _set(self, "origin", origin)
        _set(self, "compiled", compiled)


class Settings(FrozenValue):
    """Validated settings (immutable; all fields optional).  A FrozenValue, not a @dataclass:
    every pre-send check makes one, and defining a dataclass costs start-up time."""

    __slots__ = (  # noqa: RUF023 - field order
        "path", "lang", "fail_on", "thresholds", "lexicons", "disable", "allow_terms", "allow_patterns",
        "baseline", "warnings",
    )
    path: Path | None
    lang: str | None
    fail_on: str | None
    thresholds: dict[str, float]  # default: {} (a new dict each time)
    lexicons: tuple[Path, ...]
    disable: tuple[tuple[str, str], ...]  # (code, origin)
    allow_terms: tuple[str, ...]
    allow_patterns: tuple[AllowPattern, ...]
    baseline: Path | None
    warnings: tuple[str, ...]

    def __init__(
        self, path: Path | None = None, lang: str | None = None, fail_on: str | None = None,
        thresholds: dict[str, float] | None = None, lexicons: tuple[Path, ...] = (),
        disable: tuple[tuple[str, str], ...] = (), allow_terms: tuple[str, ...] = (),
        allow_patterns: tuple[AllowPattern, ...] = (), baseline: Path | None = None, warnings: tuple[str, ...] = (),
    ) -> None:
        _set(self, "path", path)
        _set(self, "lang", lang)
        _set(self, "fail_on", fail_on)
        _set(self, "thresholds", {} if thresholds is None else thresholds)
        _set(self, "lexicons", lexicons)
        _set(self, "disable", disable)
        _set(self, "allow_terms", allow_terms)
        _set(self, "allow_patterns", allow_patterns)
        _set(self, "baseline", baseline)
        _set(self, "warnings", warnings)

    @property
    def disabled(self) -> frozenset[str]:
        return frozenset(code for code, _ in self.disable)


def find_config(start: Path | None = None) -> Path | None:
    """The settings file that applies to ``start`` (default: the current directory), if any.

    Walks up with ``os.path`` (what ``Path.resolve()`` and ``.parents`` do): pathlib is imported
    only when a file is found, not on every pre-send check.
    """
    d = os.path.realpath(os.getcwd() if start is None else start)
    while True:
        candidate = os.path.join(d, CONFIG_NAME)
        if os.path.isfile(candidate):
            return _path(candidate)
        py = os.path.join(d, PYPROJECT)
        if os.path.isfile(py) and _mentions_leakguard(py):
            return _path(py)
        parent = os.path.dirname(d)
        if parent == d:
            return None
        d = parent


def _path(p: str) -> Path:
    from pathlib import Path

    return Path(p)


def _mentions_leakguard(py: str | Path) -> bool:
    try:
        with open(py, "rb") as f:
            raw = f.read()
    except OSError:
        return False
    return b"tool.leakguard" in raw and bool(re.search(rb"^\s*\[\s*tool\.leakguard\s*[\].]", raw, re.MULTILINE))


def discover(start: Path | None = None) -> Settings:
    path = find_config(start)
    return load_settings(path) if path is not None else Settings()


def load_settings(path: Path) -> Settings:
    """Read and validate one settings file (``.leakguard.toml`` or a ``pyproject.toml``)."""
    from .tomlsrc import load_toml

    data, raw = load_toml(path)
    prefix: tuple[str, ...] = ()
    if path.name == PYPROJECT:
        prefix = ("tool", "leakguard")
        tool = data.get("tool", {})
        data = tool.get("leakguard", {}) if isinstance(tool, dict) else {}
        if not isinstance(data, dict):
            raise LeakguardError(f"{path}:1: [tool.leakguard] must be a table")
    return _Reader(path, key_lines(raw, prefix)).read(data)


def key_lines(raw: str, prefix: tuple[str, ...] = ()) -> dict[tuple[str, ...], int]:
    """Line of every key and table header, as a dotted path below ``prefix``."""
    out: dict[tuple[str, ...], int] = {}
    table: tuple[str, ...] = ()
    header, key = re.compile(_HEADER), re.compile(_KEY)
    for no, line in enumerate(raw.splitlines(), 1):
        m = header.match(line)
        if m:
            table = _split_key(m.group(1))
            _record(out, table, prefix, no)
            continue
        m = key.match(line)
        if m:
            _record(out, table + _split_key(m.group(1)), prefix, no)
    return out


def _split_key(key: str) -> tuple[str, ...]:
    return tuple(part.strip().strip("\"'") for part in re.split(r"\.(?=(?:[^\"']*[\"'][^\"']*[\"'])*[^\"']*$)", key))


def _record(out: dict[tuple[str, ...], int], path: tuple[str, ...], prefix: tuple[str, ...], no: int) -> None:
    if path[: len(prefix)] == prefix and len(path) > len(prefix):
        out.setdefault(path[len(prefix):], no)


class _Reader:
    def __init__(self, path: Path, lines: dict[tuple[str, ...], int]):
        self.path, self.lines = path, lines
        self.warnings: list[str] = []

    def where(self, *key: str) -> str:
        for n in range(len(key), 0, -1):
            if key[:n] in self.lines:
                return f"{self.path}:{self.lines[key[:n]]}"
        return f"{self.path}:1"

    def fail(self, key: tuple[str, ...], message: str) -> LeakguardError:
        return LeakguardError(f"{self.where(*key)}: {'.'.join(key)}: {message}")

    def read(self, data: dict[str, Any]) -> Settings:
        for key in sorted(set(data) - _TOP_KEYS):
            self.warnings.append(f"{self.where(key)}: unknown setting '{key}' (ignored)")
        for table, allowed in _TABLE_KEYS.items():
            value = data.get(table, {})
            if not isinstance(value, dict):
                raise self.fail((table,), "must be a table")
            for key in sorted(set(value) - allowed):
                self.warnings.append(f"{self.where(table, key)}: unknown setting '{table}.{key}' (ignored)")
        base = self.path.parent
        baseline = self._str(data, ("baseline",))
        return Settings(
            path=self.path,
            lang=self._choice(data, ("lang",), ("zh", "en")),
            fail_on=self._choice(data, ("fail_on",), ("warn", "block")),
            thresholds=self._thresholds(data.get("thresholds", {})),
            lexicons=tuple(base / p for p in self._strs(data, ("lexicons",))),
            disable=self._codes(data),
            allow_terms=self._terms(data.get("allow", {})),
            allow_patterns=self._patterns(data.get("allow", {})),
            baseline=base / baseline if baseline else None,
            warnings=tuple(self.warnings),
        )

    def _str(self, table: dict[str, Any], key: tuple[str, ...]) -> str | None:
        v = table.get(key[-1])
        if v is not None and (not isinstance(v, str) or not v):
            raise self.fail(key, "must be a non-empty string")
        return v

    def _choice(self, table: dict[str, Any], key: tuple[str, ...], choices: tuple[str, ...]) -> str | None:
        v = self._str(table, key)
        if v is not None and v not in choices:
            raise self.fail(key, f"must be one of {', '.join(choices)}; got {v!r}")
        return v

    def _strs(self, table: dict[str, Any], key: tuple[str, ...]) -> tuple[str, ...]:
        v = table.get(key[-1], [])
        if isinstance(v, str):
            v = [v]
        if not isinstance(v, list) or not all(isinstance(x, str) and x for x in v):
            raise self.fail(key, "must be a list of non-empty strings")
        return tuple(v)

    def _thresholds(self, t: dict[str, Any]) -> dict[str, float]:
        out: dict[str, float] = {}
        for k in ("warn", "block"):
            if k not in t:
                continue
            v = t[k]
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 < v < 100:
                raise self.fail(("thresholds", k), f"must be a positive number, got {v!r}")
            out[k] = float(v)
        if "warn" in out and "block" in out and out["warn"] > out["block"]:
            raise self.fail(("thresholds", "block"), f"must not be below warn ({out['warn']})")
        return out

    def _codes(self, data: dict[str, Any]) -> tuple[tuple[str, str], ...]:
        codes = self._strs(data, ("disable",))
        for c in codes:
            if not re.match(_CODE, c):
                raise self.fail(("disable",), f"{c!r} is not a rule code (like DOC101)")
        return tuple((c, self.where("disable")) for c in codes)

    def _terms(self, allow: dict[str, Any]) -> tuple[str, ...]:
        from .normalise import normalise

        return tuple(normalise(t).text for t in self._strs(allow, ("allow", "terms")))

    def _patterns(self, allow: dict[str, Any]) -> tuple[AllowPattern, ...]:
        import regex

        out = []
        origin = self.where("allow", "patterns")
        for p in self._strs(allow, ("allow", "patterns")):
            try:
                compiled = regex.compile(p)
            except regex.error as e:
                raise self.fail(("allow", "patterns"), f"bad regular expression {p!r}: {e}") from None
            out.append(AllowPattern(p, origin, compiled))
        return tuple(out)


def apply_thresholds(scanner: Any, settings: Settings) -> Any:
    """A scanner using the settings' thresholds (the given scanner when they change nothing)."""
    if not settings.thresholds:
        return scanner
    from dataclasses import replace

    from .scanner import Scanner

    merged = {**scanner.ruleset.thresholds, **settings.thresholds}
    if merged["warn"] > merged["block"]:
        where = settings.path or "settings"
        raise LeakguardError(f"{where}: thresholds: warn {merged['warn']} is above block {merged['block']}")
    if merged == scanner.ruleset.thresholds:
        return scanner
    return Scanner(replace(scanner.ruleset, thresholds=merged), lang=scanner.lang)
