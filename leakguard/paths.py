"""Where bundled data and per-user files live."""

from __future__ import annotations

import os
from pathlib import Path

_PKG = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """Bundled ``lexicons`` or ``seeds``: inside the wheel (``leakguard/_data``) or the source tree."""
    bundled = _PKG / "_data" / name
    if bundled.is_dir():
        return bundled
    return _PKG.parent / name


def cache_dir() -> Path:
    base = os.environ.get("LEAKGUARD_CACHE_DIR") or os.environ.get("XDG_CACHE_HOME")
    return Path(base) / "leakguard" if base else Path.home() / ".cache" / "leakguard"


def user_data_dir() -> Path:
    base = os.environ.get("LEAKGUARD_DATA_DIR")
    if base:
        return Path(base)
    xdg = os.environ.get("XDG_DATA_HOME")
    return (Path(xdg) if xdg else Path.home() / ".local" / "share") / "leakguard"
