"""Loading lexicons: the compiled JSON cache, its invalidation, and validation errors."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from leakguard import ruleset as rs_mod
from leakguard.model import LeakguardError
from leakguard.ruleset import load_ruleset

ROOT = Path(__file__).parents[1]
FIX = Path(__file__).parent / "fixtures" / "core"


@pytest.fixture
def sources(tmp_path: Path) -> list[Path]:
    """A private copy of the bundled lexicons and seeds, safe to edit."""
    lex = shutil.copytree(ROOT / "lexicons", tmp_path / "src" / "lexicons")
    seeds = shutil.copytree(ROOT / "seeds", tmp_path / "src" / "seeds")
    return [Path(lex), Path(seeds)]


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    d = tmp_path / "cache"
    monkeypatch.setenv("LEAKGUARD_CACHE_DIR", str(d))
    return d / "leakguard"


@pytest.fixture
def compiles(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count calls to compile_sources (the slow TOML path)."""
    calls: list[int] = []
    real: Callable[..., Any] = rs_mod.compile_sources

    def counting(files: Any) -> Any:
        calls.append(1)
        return real(files)

    monkeypatch.setattr(rs_mod, "compile_sources", counting)
    return calls


def _forbid_compiling(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(files: Any) -> Any:
        raise AssertionError("compile_sources called although the cache is valid")

    monkeypatch.setattr(rs_mod, "compile_sources", boom)


def _cache_files(cache: Path) -> list[Path]:
    return sorted(cache.glob("ruleset-*.json"))


def test_second_load_reads_the_json_cache(
    sources: list[Path], cache: Path, compiles: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    first = load_ruleset(sources)
    assert len(compiles) == 1
    files = _cache_files(cache)
    assert len(files) == 1
    data = json.loads(files[0].read_text(encoding="utf-8"))  # plain JSON, nothing executable
    assert data["digest"] == first.digest and data["format"] == rs_mod._FORMAT_VERSION
    _forbid_compiling(monkeypatch)
    second = load_ruleset(sources)
    assert [r.code for r in second.rules] == [r.code for r in first.rules]
    assert second.digest == first.digest
    assert second.thresholds == first.thresholds and set(second.cases) == set(first.cases)


def test_editing_a_lexicon_invalidates_the_cache(sources: list[Path], cache: Path, compiles: list[int]) -> None:
    before = load_ruleset(sources)
    doc = sources[0] / "documents.toml"
    doc.write_text(doc.read_text(encoding="utf-8").replace('"交办单", "督办单"', '"交办单", "督办单", "派单表"'),
                   encoding="utf-8")
    after = load_ruleset(sources)
    assert len(compiles) == 2
    assert after.digest != before.digest
    rule = after.rule("DOC101")
    assert rule is not None and "派单表" in rule.terms
    assert len(_cache_files(cache)) == 2
    load_ruleset(sources)
    assert len(compiles) == 2  # the new version is cached in turn


def test_editing_a_case_file_invalidates_the_cache(sources: list[Path], cache: Path, compiles: list[int]) -> None:
    before = load_ruleset(sources)
    cases = sources[1] / "cases.toml"
    cases.write_text(cases.read_text(encoding="utf-8") + "\n# a comment changes the digest\n", encoding="utf-8")
    assert load_ruleset(sources).digest != before.digest
    assert len(compiles) == 2


def test_adding_an_extra_lexicon_changes_the_key(sources: list[Path], cache: Path, compiles: list[int]) -> None:
    plain = load_ruleset(sources)
    extra = load_ruleset(sources, extra=[FIX / "lexicon_extra.toml"])
    assert plain.digest != extra.digest and extra.rule("ZZZ931") is not None and plain.rule("ZZZ931") is None
    assert len(compiles) == 2


def test_cached_origins_name_the_files_actually_loaded(sources: list[Path], cache: Path) -> None:
    load_ruleset(sources)
    real = load_ruleset([ROOT / "lexicons", ROOT / "seeds"])
    rule = real.rule("DOC101")
    assert rule is not None
    assert rule.origin.startswith(str(ROOT / "lexicons" / "documents.toml") + ":"), rule.origin
    assert str(ROOT / "seeds" / "cases.toml") in real.sources


@pytest.mark.parametrize("garbage", [
    b"", b"\x00\xff not json", b'{"format": 3, "rules": [', b"[1, 2, 3]", b'"just a string"',
])
def test_corrupt_cache_is_ignored_and_rebuilt(
    sources: list[Path], cache: Path, compiles: list[int], garbage: bytes
) -> None:
    good = load_ruleset(sources)
    (path,) = _cache_files(cache)
    path.write_bytes(garbage)
    again = load_ruleset(sources)
    assert len(compiles) == 2
    assert [r.code for r in again.rules] == [r.code for r in good.rules]
    assert json.loads(path.read_text(encoding="utf-8"))["digest"] == good.digest  # rewritten


def test_cache_with_wrong_digest_or_format_is_ignored(sources: list[Path], cache: Path, compiles: list[int]) -> None:
    good = load_ruleset(sources)
    (path,) = _cache_files(cache)
    data = json.loads(path.read_text(encoding="utf-8"))
    for key, value in (("digest", "0" * 64), ("format", -1)):
        bad = dict(data, **{key: value}, rules=[])
        path.write_text(json.dumps(bad), encoding="utf-8")
        assert [r.code for r in load_ruleset(sources).rules] == [r.code for r in good.rules]
    assert len(compiles) == 3


def test_cache_of_the_wrong_shape_is_rebuilt(sources: list[Path], cache: Path) -> None:
    good = load_ruleset(sources)
    (path,) = _cache_files(cache)
    path.write_text(json.dumps({"digest": good.digest, "format": rs_mod._FORMAT_VERSION}), encoding="utf-8")
    assert [r.code for r in load_ruleset(sources).rules] == [r.code for r in good.rules]


def test_cache_dir_that_cannot_be_created_still_works(
    sources: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, compiles: list[int]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory", encoding="utf-8")
    monkeypatch.setenv("LEAKGUARD_CACHE_DIR", str(blocker))  # cache dir would be a-file/leakguard
    a = load_ruleset(sources)
    b = load_ruleset(sources)
    assert a.rule("DOC101") is not None and a.digest == b.digest
    assert len(compiles) == 2  # no cache, so compiled each time, and no error
    assert blocker.read_text(encoding="utf-8") == "not a directory"


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root ignores directory permissions")
def test_read_only_cache_dir_still_works(sources: list[Path], cache: Path, compiles: list[int]) -> None:
    cache.mkdir(parents=True)
    cache.chmod(0o500)
    try:
        assert load_ruleset(sources).rule("DOC101") is not None
        assert load_ruleset(sources).rule("DOC101") is not None
        assert _cache_files(cache) == []
    finally:
        cache.chmod(0o700)


def test_use_cache_false_neither_reads_nor_writes(sources: list[Path], cache: Path, compiles: list[int]) -> None:
    load_ruleset(sources, use_cache=False)
    load_ruleset(sources, use_cache=False)
    assert len(compiles) == 2 and not cache.exists()


def test_default_sources_use_the_env_cache(cache: Path) -> None:
    load_ruleset()
    assert len(_cache_files(cache)) == 1


# ----------------------------------------------------------------------------- validation


def _write(tmp_path: Path, name: str, body: str) -> Path:
    p = tmp_path / name
    p.write_text(body, encoding="utf-8")
    return p


RULE = """
[[rule]]
code = "{code}"
name = {{ zh = "测试", en = "test" }}
category = "document"
severity = "high"
terms = [{terms}]
advice = {{ zh = "测试", en = "test" }}
{extra}
"""


def _rule(code: str = "ZZZ001", terms: str = '"测试专用词"', extra: str = "") -> str:
    return RULE.format(code=code, terms=terms, extra=extra)


@pytest.mark.parametrize(("body", "words"), [
    (_rule(extra='precedents = ["no-such-case"]'), "unknown precedent id 'no-such-case'"),
    (_rule(terms='"密"'), "single character"),
    (_rule(terms=""), "must not be empty"),
    (_rule(extra='requires = ["vibes"]'), "unknown signal"),
    (_rule(extra='examples = { risky = "not a list" }'), "examples.risky"),
    ("[[rule]]\ncode = \"ZZZ002\"\n", "missing required field"),
    ("[bogus]\nx = 1\n", "unknown top-level key 'bogus'"),
    ('[thresholds]\nwarn = "high"\n', "thresholds.warn must be a number"),
])
def test_invalid_lexicon_is_a_one_line_error_with_file_and_line(
    sources: list[Path], tmp_path: Path, body: str, words: str
) -> None:
    bad = _write(tmp_path, "bad.toml", "# invented test lexicon\n" + body)
    with pytest.raises(LeakguardError) as e:
        load_ruleset(sources, extra=[bad], use_cache=False)
    msg = str(e.value)
    assert msg.startswith(f"{bad}:") and words in msg and "\n" not in msg


def test_rule_error_points_at_the_rule_header_line(sources: list[Path], tmp_path: Path) -> None:
    body = "# line 1\n" + _rule("ZZZ010") + _rule("ZZZ011", extra='severity2 = "x"')
    bad = _write(tmp_path, "bad.toml", body)
    header = [i for i, line in enumerate(body.splitlines(), 1) if line == "[[rule]]"][1]
    with pytest.raises(LeakguardError, match=rf"bad\.toml:{header}: rule: unknown field\(s\): severity2"):
        load_ruleset(sources, extra=[bad], use_cache=False)


def test_duplicate_code_across_files(sources: list[Path], tmp_path: Path) -> None:
    bad = _write(tmp_path, "dup.toml", _rule("DOC101"))
    with pytest.raises(LeakguardError, match=r"duplicate code 'DOC101' \(first defined at .*documents\.toml:\d+\)"):
        load_ruleset(sources, extra=[bad], use_cache=False)


def test_lexicon_that_is_not_utf8(sources: list[Path], tmp_path: Path) -> None:
    bad = tmp_path / "gbk.toml"
    bad.write_bytes(("# 测试\n" + _rule()).encode("gbk"))
    with pytest.raises(LeakguardError, match=r"gbk\.toml:1: data files must be UTF-8"):
        load_ruleset(sources, extra=[bad], use_cache=False)


def test_invalid_lexicon_is_not_cached(sources: list[Path], tmp_path: Path, cache: Path) -> None:
    bad = _write(tmp_path, "bad.toml", _rule(extra='severity = "x"'))
    for _ in range(2):
        with pytest.raises(LeakguardError):
            load_ruleset(sources, extra=[bad])
    assert _cache_files(cache) == []
