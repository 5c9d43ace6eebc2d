"""Load TOML data files (lexicons, cases, settings) with ``file:line: message`` errors.

``tomllib`` reports syntax errors with a line number but forgets positions after parsing.
To name the line of a *semantically* bad entry we record where each ``[[array]]`` header
stands in the raw text: the k-th table of an array of tables comes from the k-th header.
"""

from __future__ import annotations

import builtins
import re
from pathlib import Path
from typing import Any

from .model import LeakguardError

_TOML_LINE = re.compile(r"at line (\d+)")


def load_toml(path: Path) -> tuple[dict[str, Any], str]:
    """Parse a TOML file; return (data, raw text).  Errors name the file and line."""
    import tomllib  # deferred: only needed when data files are (re)compiled

    try:
        if path.exists() and not path.is_file() and not path.is_dir():  # a FIFO would block
            raise LeakguardError(f"{path}: not a regular file, expected a .toml file")
        raw_bytes = path.read_bytes()
    except FileNotFoundError:
        raise LeakguardError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise LeakguardError(f"{path}: is a directory, expected a .toml file") from None
    except OSError as e:
        raise LeakguardError(f"{path}: cannot read ({e.strerror or e})") from None
    try:
        raw = raw_bytes.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw_bytes[: e.start].count(b"\n") + 1
        raise LeakguardError(f"{path}:{line}: data files must be UTF-8") from None
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as e:
        msg = str(e)
        m = _TOML_LINE.search(msg)
        where = m.group(1) if m else "1"
        short = msg.split(" (at line")[0]
        raise LeakguardError(f"{path}:{where}: TOML syntax error: {short}") from None
    return data, raw


def table_lines(raw: str, array: str) -> list[int]:
    """1-based line numbers of every ``[[array]]`` header, in order."""
    pat = re.compile(r"^\s*\[\[\s*" + re.escape(array) + r"\s*\]\]\s*(#.*)?$")
    return [i for i, line in enumerate(raw.splitlines(), 1) if pat.match(line)]


def array_of_tables(path: Path, data: dict[str, Any], raw: str, array: str) -> list[tuple[dict[str, Any], int]]:
    """The entries of ``[[array]]`` paired with the line each starts on."""
    items = data.get(array, [])
    if not isinstance(items, list) or not all(isinstance(t, dict) for t in items):
        raise LeakguardError(f"{path}:1: '{array}' must be an array of tables ([[{array}]])")
    lines = table_lines(raw, array)
    if len(lines) != len(items):  # inline arrays: fall back to the file's first line
        lines = [1] * len(items)
    return list(zip(items, lines))


class Fields:
    """Typed access to one table's fields, raising ``file:line: message`` on bad values."""

    def __init__(self, path: Path, line: int, table: dict[builtins.str, Any], what: builtins.str):
        self.path, self.line, self.table, self.what = path, line, table, what

    def fail(self, message: builtins.str) -> LeakguardError:
        return LeakguardError(f"{self.path}:{self.line}: {self.what}: {message}")

    def str(
        self, key: builtins.str, default: builtins.str | None = None, choices: tuple[builtins.str, ...] | None = None
    ) -> builtins.str:
        v = self.table.get(key, default)
        if v is None:
            raise self.fail(f"missing required field '{key}'")
        if not isinstance(v, str):
            raise self.fail(f"'{key}' must be a string, not {type(v).__name__}")
        if choices is not None and v not in choices:
            raise self.fail(f"'{key}' must be one of {', '.join(choices)}; got {v!r}")
        return v

    def strs(
        self, key: builtins.str, default: list[builtins.str] | None = None, allow_empty: builtins.bool = True
    ) -> tuple[builtins.str, ...]:
        v = self.table.get(key, default)
        if v is None:
            raise self.fail(f"missing required field '{key}'")
        if isinstance(v, str):
            v = [v]
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            raise self.fail(f"'{key}' must be a list of strings")
        if not allow_empty and not v:
            raise self.fail(f"'{key}' must not be empty")
        return tuple(v)

    def num(self, key: builtins.str, default: float | None = None) -> float:
        v = self.table.get(key, default)
        if v is None:
            raise self.fail(f"missing required field '{key}'")
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise self.fail(f"'{key}' must be a number")
        return float(v)

    def bool(self, key: builtins.str, default: builtins.bool | None = None) -> builtins.bool:
        v = self.table.get(key, default)
        if not isinstance(v, bool):
            raise self.fail(f"'{key}' must be true or false")
        return v

    def text(self, key: builtins.str, required: builtins.bool = True) -> dict[builtins.str, builtins.str]:
        """A bilingual text: either a string (used for both) or {zh = "...", en = "..."}."""
        v = self.table.get(key)
        if v is None:
            if required:
                raise self.fail(f"missing required field '{key}'")
            return {}
        if isinstance(v, str):
            return {"zh": v, "en": v}
        if isinstance(v, dict) and all(isinstance(x, str) for x in v.values()) and "zh" in v:
            return {"zh": v["zh"], "en": v.get("en", v["zh"])}
        raise self.fail(f"'{key}' must be a string or a table {{zh = \"…\", en = \"…\"}}")

    def unknown(self, allowed: set[builtins.str]) -> None:
        extra = sorted(set(self.table) - allowed)
        if extra:
            raise self.fail(f"unknown field(s): {', '.join(extra)}")
