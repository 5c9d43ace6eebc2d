"""Shared test set-up: every test gets a private compiled-ruleset cache, never the user's."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(scope="session")
def session_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("leakguard-cache")


@pytest.fixture(autouse=True)
def _private_cache(session_cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point LEAKGUARD_CACHE_DIR at a session tmp dir (subprocesses inherit it too)."""
    monkeypatch.setenv("LEAKGUARD_CACHE_DIR", str(session_cache_dir))
    monkeypatch.delenv("LEAKGUARD_DEBUG", raising=False)
    yield session_cache_dir


class Adhoc:
    """Build small ad-hoc rulesets in the compiled (JSON) form that ruleset.from_compiled takes."""

    @staticmethod
    def rule(code: str, terms: list[str], category: str = "document", severity: str = "high",
             requires: tuple[str, ...] = ()) -> dict[str, Any]:
        return {
            "code": code, "name": {"zh": code, "en": code}, "category": category, "severity": severity,
            "terms": terms, "detector": None, "precedents": [], "advice": {"zh": "建议", "en": "advice"},
            "features": [], "requires": list(requires), "window": 30, "invalid": "drop", "provides": None,
            "doc": {}, "examples": {"risky": [], "benign": []}, "origin": f"<test>:{code}",
        }

    @staticmethod
    def cue(code: str, signal: str, weight: float, terms: list[str]) -> dict[str, Any]:
        return {
            "code": code, "name": {"zh": code, "en": code}, "signal": signal, "feature": "", "weight": weight,
            "scope": "message", "window": 20, "terms": terms, "applies_to": [], "origin": f"<test>:{code}",
        }

    @staticmethod
    def ruleset(rules: list[dict[str, Any]], cues: list[dict[str, Any]] | None = None,
                thresholds: dict[str, float] | None = None) -> Any:
        from leakguard.ruleset import DEFAULT_THRESHOLDS, from_compiled

        return from_compiled({
            "format": 3, "rules": list(rules), "cues": list(cues or []), "cases": {},
            "thresholds": dict(thresholds or DEFAULT_THRESHOLDS), "sources": [],
        })


@pytest.fixture(scope="session")
def adhoc() -> Adhoc:
    return Adhoc()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: slower end-to-end tests (still run by default)")
