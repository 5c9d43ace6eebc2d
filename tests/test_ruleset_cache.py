"""The compiled-ruleset cache in its compact form: what it stores, and that loading it gives the
same ruleset as compiling the sources."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from leakguard import ruleset as rs_mod
from leakguard.ruleset import Ruleset, load_ruleset

ROOT = Path(__file__).parents[1]

USER = """# invented user lexicon for the cache tests
[[rule]]
code = "USR001"
name = "内部项目"
category = "document"
severity = "medium"
terms = [{terms}]
advice = "内部名称，不要外发。"

[[rule]]
code = "USR002"
name = {{ zh = "混合", en = "mixed" }}
category = "document"
severity = "high"
terms = ["青山专班", "調度會", "交办单", "QQ群组"]
advice = "测试"
features = ["internal_document"]
examples = {{ risky = ["青山专班的台账发你"], benign = [] }}
"""


@pytest.fixture
def sources(tmp_path: Path) -> list[Path]:
    lex = shutil.copytree(ROOT / "lexicons", tmp_path / "src" / "lexicons")
    seeds = shutil.copytree(ROOT / "seeds", tmp_path / "src" / "seeds")
    terms = ", ".join(f'"滨江{i:03d}项目"' for i in range(40))
    (tmp_path / "src" / "user.toml").write_text(USER.format(terms=terms), encoding="utf-8")
    return [Path(lex), Path(seeds), tmp_path / "src" / "user.toml"]


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LEAKGUARD_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache" / "leakguard"


@pytest.fixture
def compiles(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real: Callable[..., Any] = rs_mod.compile_sources

    def counting(files: Any) -> Any:
        calls.append(1)
        return real(files)

    monkeypatch.setattr(rs_mod, "compile_sources", counting)
    return calls


def _same(a: Ruleset, b: Ruleset) -> None:
    assert a.rules == b.rules and a.cues == b.cues and a.cases == b.cases and a.thresholds == b.thresholds
    assert list(a._matcher.keys) == list(b._matcher.keys) and a._matcher.lengths == b._matcher.lengths
    assert a._codes == b._codes and a._multi == b._multi and a._case_ids == b._case_ids


def test_cached_ruleset_equals_the_compiled_one(sources: list[Path], cache: Path, compiles: list[int]) -> None:
    fresh = load_ruleset(sources[:2], extra=sources[2:], use_cache=False)
    load_ruleset(sources[:2], extra=sources[2:])
    cached = load_ruleset(sources[:2], extra=sources[2:])
    assert len(compiles) == 2  # use_cache=False, then the first cached load
    _same(fresh, cached)
    (path,) = sorted(cache.glob("ruleset-*.json"))
    data = json.loads(path.read_text(encoding="utf-8"))
    user = {r["code"]: r for r in data["rules"]}
    assert "terms" not in user["USR001"] and user["USR001"]["terms_at"][1] - user["USR001"]["terms_at"][0] == 40
    assert user["USR002"]["terms"] == ["青山专班", "調度會", "交办单", "QQ群组"]  # not all new keys: kept
    assert "doc" not in user["USR001"] and "examples" not in user["USR001"]  # defaults left out
    keys = path.with_suffix(".keys").read_bytes().decode("utf-16-le").split("\n")
    assert keys == list(cached._matcher.keys) and "调度会" in keys and "qq群组" in keys


@pytest.mark.parametrize("damage", ["delete", "truncate", "odd-bytes"])
def test_damaged_key_file_means_a_rebuild(sources: list[Path], cache: Path, compiles: list[int], damage: str) -> None:
    good = load_ruleset(sources)
    (path,) = sorted(cache.glob("ruleset-*.keys"))
    if damage == "delete":
        path.unlink()
    elif damage == "truncate":
        path.write_bytes(path.read_bytes()[:-4])
    else:
        path.write_bytes(path.read_bytes() + b"\x00")
    again = load_ruleset(sources)
    assert len(compiles) == 2
    _same(good, again)


def test_touching_a_source_recompiles(sources: list[Path], cache: Path, compiles: list[int]) -> None:
    load_ruleset(sources)
    doc = sources[0] / "documents.toml"
    st = doc.stat()
    os.utime(doc, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    load_ruleset(sources)
    assert len(compiles) == 2


def test_bad_runs_are_rejected(sources: list[Path], cache: Path, compiles: list[int]) -> None:
    load_ruleset(sources)
    (path,) = sorted(cache.glob("ruleset-*.json"))
    data = json.loads(path.read_text(encoding="utf-8"))
    data["matcher"]["runs"][0][1] = 10**6  # an index beyond the rules
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert load_ruleset(sources).rule("DOC101") is not None
    assert len(compiles) == 2


def test_paths_as_strings_find_the_same_files_without_pathlib(sources: list[Path], cache: Path, compiles: list[int],
                                                              tmp_path: Path) -> None:
    """The warm path lists folders with os alone (pathlib costs a pre-send check ~3 ms): the same
    files as _expand's Path.glob, so the same stamp and cache, whether paths are str or Path."""
    lex = sources[0]
    (lex / ".hidden.toml").write_text("not = [valid", encoding="utf-8")  # hidden: skipped by both
    (lex / "notes.txt").write_text("x", encoding="utf-8")
    (lex / "sub.toml").mkdir()  # a folder named like a lexicon is listed by both (and stat-ed)
    os.symlink(sources[2], lex / "zz_link.toml")
    odd = [str(lex) + "/", f"{tmp_path}/src/./user.toml"]
    found, expanded = rs_mod._files(odd), rs_mod._expand([Path(p) for p in odd])
    assert found is not None and len(found) == len(expanded) > 10
    assert [os.path.realpath(p) for p in found] == [os.path.realpath(p) for p in expanded]
    assert rs_mod._stamp(found) == rs_mod._stamp(expanded)
    (lex / "sub.toml").rmdir()
    (lex / "zz_link.toml").unlink()  # (it would define user.toml's rules twice)
    load_ruleset([str(lex), str(sources[1])], extra=[str(sources[2])])
    load_ruleset([lex, sources[1]], extra=[sources[2]])
    assert len(compiles) == 1
    assert rs_mod._files([str(tmp_path / "nope.toml")]) is None  # the Path road reports it:
    with pytest.raises(rs_mod.LeakguardError, match="nope.toml: no such file or directory"):
        load_ruleset(None, extra=[str(tmp_path / "nope.toml")])
