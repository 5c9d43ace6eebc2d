"""What keeps `leakguard check` fast to start, and that each shortcut gives what it replaced.

A pre-send check must start in about the time `python -c "import click"` takes (issue #7), so
its path avoids json, dataclasses, regex and the detectors it does not run; the value types
are hand-written but behave as frozen dataclasses; the default ruleset is found with ``os``.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import os
import pickle
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leakguard import paths, ruleset
from leakguard.config import Settings, find_config
from leakguard.model import CaseRef, Finding, Step, Verdict
from leakguard.normalise import _RUN_SOURCE, _STRIPPABLE
from leakguard.suppress import Suppressor

ROOT = Path(__file__).parents[1]

# ----------------------------------------------------------------------------- value types

STEP = Step("base", 2.0, "DOC101 high")
CASE = CaseRef("case-1", "某地某人转发内部文件", 0.75, ("forward",))
FINDING = Finding("DOC101", "document", "high", 0, 3, 1, 1, "交办单", "交办单", False, 3.5, (STEP,), CASE, "别外传")
VERDICT = Verdict("warn", 3.5, (FINDING,), 12)


def _reference(cls: type) -> type:
    """The @dataclass(frozen=True) the class stands in for, built from its fields."""
    fields = [(f.name, f.type, dataclasses.field(default=f.default)) if f.default is not dataclasses.MISSING
              else (f.name, f.type) for f in dataclasses.fields(cls)]
    return dataclasses.make_dataclass(cls.__name__, fields, frozen=True)


@pytest.mark.parametrize("value", [STEP, CASE, FINDING, VERDICT], ids=lambda v: type(v).__name__)
def test_value_types_behave_as_frozen_dataclasses(value: object) -> None:
    ref_cls = _reference(type(value))
    ref = ref_cls(*(getattr(value, f.name) for f in dataclasses.fields(ref_cls)))
    assert repr(value) == repr(ref) and hash(value) == hash(ref)
    assert dataclasses.is_dataclass(value) and dataclasses.asdict(value) == dataclasses.asdict(ref)
    assert pickle.loads(pickle.dumps(value)) == value == copy.deepcopy(value)
    assert value != ref  # like a dataclass: equal only to its own class
    with pytest.raises(dataclasses.FrozenInstanceError):
        value.score = 1.0  # type: ignore[attr-defined]
    with pytest.raises(AttributeError):
        value.__dict__  # noqa: B018 - slotted


def test_replace_and_defaults() -> None:
    assert dataclasses.replace(VERDICT, verdict="block").verdict == "block"
    assert dataclasses.replace(FINDING, location="Sheet1!A1").location == "Sheet1!A1"
    assert Verdict("pass", 0.0, ()).notes == () and FINDING.name == "" and CASE.matched_features == ("forward",)
    assert Settings().thresholds == {} and Settings().thresholds is not Settings().thresholds
    assert dataclasses.replace(Suppressor(), inline=False) == Suppressor(inline=False)


# ----------------------------------------------------------------------------- what a check imports

def _imported_by_check(text: str, cwd: Path) -> set[str]:
    ruleset.load_ruleset()  # a warm compiled-ruleset cache, as after the first run
    code = (
        "import sys, io\nfrom leakguard.cli import main\n"
        "sys.stdout = io.StringIO()\n"
        f"rc = main(['check', '--text', {text!r}])\n"
        "sys.stdout = sys.__stdout__\nprint(rc, ' '.join(sorted(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=cwd,
                         env=os.environ | {"PYTHONPATH": str(ROOT)}, check=True).stdout
    return set(out.split()[1:])


AVOIDED = {"json", "dataclasses", "regex", "tomllib", "leakguard.cases", "leakguard.tomlsrc",
           "leakguard.detectors.numbers", "leakguard.detectors.documents", "leakguard.detectors.masking"}


def test_a_plain_draft_imports_no_detector_and_nothing_heavy(tmp_path: Path) -> None:
    mods = _imported_by_check("各位同事好，明天上午九点开部门例会，请大家准时参加。", tmp_path)
    assert "leakguard.scanner" in mods  # it did check
    assert not mods & (AVOIDED | {"leakguard.detectors"})


def test_a_gate_opening_draft_imports_only_what_it_runs(tmp_path: Path) -> None:
    # 新 opens the plate gate and 小区 the address gate; neither prefilter matches
    mods = _imported_by_check("新来的同事住在我们小区，周末一起吃饭吧。", tmp_path)
    assert "leakguard.detectors" in mods
    assert not mods & (AVOIDED | {"leakguard.detectors.codes"})


# ----------------------------------------------------------------------------- os-based stand-ins


def test_default_files_equal_expanded_default_sources() -> None:
    assert ruleset._default_files() == [str(p) for p in ruleset._expand(ruleset.default_sources())]


@pytest.mark.parametrize("env", [{"LEAKGUARD_CACHE_DIR": "/tmp/lg-a"}, {"XDG_CACHE_HOME": "/tmp/xdg-b"},
                                 {"HOME": "/tmp/home-c"}])
def test_cache_dir_equals_paths_cache_dir(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    for k in ("LEAKGUARD_CACHE_DIR", "XDG_CACHE_HOME"):
        monkeypatch.delenv(k, raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    assert ruleset._cache_dir() == str(paths.cache_dir())


def test_cache_json_reader_equals_json_loads(tmp_path: Path) -> None:
    ruleset.load_ruleset()  # make sure the cache exists
    files = list(Path(ruleset._cache_dir()).glob("ruleset-*.json"))
    assert files
    for f in files:
        raw = f.read_bytes()
        assert ruleset._loads(raw) == json.loads(raw)
    assert ruleset._loads(b' {"a": [1, 2.5, "\xe4\xb8\xad", null, true]} \n') == {"a": [1, 2.5, "中", None, True]}
    for bad in (b"", b"{", b"{} {}", b"[1,]", b"\xff"):
        with pytest.raises(ValueError):
            ruleset._loads(bad)


def test_find_config_walks_up_with_os_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    assert find_config(deep) is None
    (tmp_path / "a" / "pyproject.toml").write_text("[project]\nname = 'x'\n", encoding="utf-8")
    assert find_config(deep) is None  # a pyproject.toml without [tool.leakguard] does not count
    (tmp_path / "pyproject.toml").write_text("[tool.leakguard]\nlang = 'en'\n", encoding="utf-8")
    assert find_config(deep) == tmp_path / "pyproject.toml"
    (tmp_path / "a" / ".leakguard.toml").write_text("lang = 'zh'\n", encoding="utf-8")
    monkeypatch.chdir(deep)
    found = find_config()
    assert isinstance(found, Path) and found == tmp_path / "a" / ".leakguard.toml"


def test_strippable_set_is_what_the_strip_pattern_matches() -> None:
    every = "".join(map(chr, range(0x110000)))
    assert frozenset(re.findall(_RUN_SOURCE.rstrip("+"), every)) == _STRIPPABLE


def test_display_width_fast_ranges_agree_with_unicodedata() -> None:
    from leakguard.render.text import _NARROW, _WIDE, _width, width

    for lo, hi in (*_NARROW, *_WIDE):
        chars = "".join(map(chr, range(lo, hi + 1)))
        assert width(chars) == _width(chars)
    for s in ("交办单 abc，。！", "混合\u0301ｱ", "😀 emoji", ""):
        assert width(s) == _width(s)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="0123456789０１٣४ \u00a0\u3000-\u2010\u2212()（xX号电话", max_size=24))
def test_digit_gate_needs_an_ascii_digit(text: str) -> None:
    """The scanner skips the digit gate (and compiling it) for a text without an ASCII digit."""
    from leakguard.digitgate import GATE

    if re.search(GATE, text):
        assert any(d in text for d in "0123456789")
    assert re.search(GATE, "电话 138 0013 8000") and re.search(GATE, "（(010") and not re.search(GATE, "١٣٨٠٠١٣٨٠٠٠")
