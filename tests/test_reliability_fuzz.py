"""Regression tests for what ``scripts/fuzz.py`` found, and for the fuzz harness itself.

Every file under ``tests/fixtures/crashers/<target>/`` is an input that once crashed or hung
that target (an exception escaping a parser or loader, a malformed message, a multi-line
error, a hang).  Each is replayed through the same target and oracle as in the fuzzer.
"""

from __future__ import annotations

import importlib.util
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).parents[1]
CRASHERS = ROOT / "tests" / "fixtures" / "crashers"


def _load_fuzz() -> Any:
    spec = importlib.util.spec_from_file_location("leakguard_fuzz", ROOT / "scripts" / "fuzz.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["leakguard_fuzz"] = module
    spec.loader.exec_module(module)
    return module


fuzz = _load_fuzz()
SAVED = sorted(CRASHERS.glob("*/*.bin"))


def test_there_are_crashers_for_known_targets() -> None:
    names = set(fuzz.targets())
    assert SAVED, "the regression fixtures are missing"
    assert {p.parent.name for p in SAVED} <= names


@pytest.mark.parametrize("path", SAVED, ids=[f"{p.parent.name}/{p.stem}" for p in SAVED])
def test_saved_crasher_no_longer_crashes(path: Path) -> None:
    fuzz.replay(path.parent.name, path.read_bytes(), timeout=5)  # hangs were 13 s and more


@pytest.mark.parametrize("target", ["parse-telegram-json", "parse-wechatmsg-csv", "iter_messages", "lexicon", "cases"])
def test_fuzzing_briefly_finds_nothing(target: str, tmp_path: Path) -> None:
    """A short hypothesis run of the harness itself (the long runs are in the README)."""
    result = fuzz.run_hypothesis(fuzz.targets()[target], seconds=20, examples=40, timeout=10, workdir=tmp_path,
                                 artifacts=tmp_path / "artifacts")
    assert result["failure"] is None, result
    assert result["inputs"] >= 40


# ----------------------------------------------------------------------------- the oracle can fail


@pytest.fixture()
def broken_text_format(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    from leakguard.sources import FORMATS
    from leakguard.sources.base import Format

    def parse(path: Path, encoding: str | None, options: Any) -> Iterator[Any]:
        raise KeyError("boom")
        yield  # pragma: no cover

    monkeypatch.setitem(FORMATS, "text", Format("text", "broken", FORMATS["text"].sniff, parse))
    yield


def test_an_escaping_exception_is_a_crash(broken_text_format: None) -> None:
    with pytest.raises(KeyError):
        fuzz.replay("parse-text", b"hello")


def test_an_exception_caught_by_the_safety_net_is_a_crash(broken_text_format: None) -> None:
    """iter_messages turns a parser exception into a BadRecord; the fuzzer still calls it a crash."""
    with pytest.raises(fuzz.Crash, match="safety net"):
        fuzz.replay("iter_messages", b"just some words\n")


def test_a_malformed_message_is_a_crash(monkeypatch: pytest.MonkeyPatch) -> None:
    from leakguard.sources import FORMATS, Message
    from leakguard.sources.base import Format

    def parse(path: Path, encoding: str | None, options: Any) -> Iterator[Any]:
        yield Message("x\udcff", None, None, "yesterday", str(path), 1, 0)

    monkeypatch.setitem(FORMATS, "text", Format("text", "bad", FORMATS["text"].sniff, parse))
    with pytest.raises(fuzz.Crash, match="surrogate"):
        fuzz.replay("parse-text", b"x")


def test_a_hang_is_a_crash(monkeypatch: pytest.MonkeyPatch) -> None:
    from leakguard.sources import FORMATS
    from leakguard.sources.base import Format

    def parse(path: Path, encoding: str | None, options: Any) -> Iterator[Any]:
        time.sleep(5)
        yield from ()

    monkeypatch.setitem(FORMATS, "text", Format("text", "slow", FORMATS["text"].sniff, parse))
    t0 = time.monotonic()
    with pytest.raises(fuzz.Crash, match="hang"):
        fuzz.replay("parse-text", b"x", timeout=0.3)
    assert time.monotonic() - t0 < 3


def test_a_multi_line_loader_error_is_a_crash(monkeypatch: pytest.MonkeyPatch) -> None:
    import leakguard.ruleset
    from leakguard.model import LeakguardError

    def compile_sources(files: Any) -> Any:
        raise LeakguardError(f"{files[0]}:1: first line\nsecond line")

    monkeypatch.setattr(leakguard.ruleset, "compile_sources", compile_sources)
    with pytest.raises(fuzz.Crash, match="not one line"):
        fuzz.replay("lexicon", b"x = 1\n")


def test_the_complexity_probe_flags_quadratic_code(monkeypatch: pytest.MonkeyPatch) -> None:
    """The probe (``fuzz.py --complexity``) reports a parser whose time grows with the square
    of a run in its input — as the WeChat XML reader's did before it was made linear."""
    from leakguard.sources import FORMATS
    from leakguard.sources.base import Format

    def parse(path: Path, encoding: str | None, options: Any) -> Iterator[Any]:
        n = path.read_bytes().count(b"<title>")
        for _ in range(n):  # a scan of the whole run for each tag in it
            sum(range(n))
        yield from ()

    monkeypatch.setitem(FORMATS, "text", Format("text", "quadratic", FORMATS["text"].sniff, parse))
    monkeypatch.setattr(fuzz, "RUN_TOKENS", [b"<title>"])
    target = fuzz.Target("parse-text", fuzz.run_parse("text"), lambda: [b"a\nb\n"])
    problems = fuzz.probe(target, small=8 << 10, limit=0.05, timeout=30)
    assert problems and "parse-text" in problems[0]
