"""Suppression: inline pragmas, allow-listed terms and patterns, disabled rules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import regex

from leakguard.cli import main
from leakguard.config import AllowPattern
from leakguard.model import LeakguardError
from leakguard.scanner import Scanner
from leakguard.suppress import Suppressor, inline_pragmas

TH = {"warn": 3.0, "block": 5.0}
DOC = "交办单拍给你们看看，别外传"  # DOC101 block
PHONE = "那个确诊的人电话是13912345678，别外传"  # PII202 (+ health)


def codes(v: object) -> list[str]:
    return [f.code for f in v.findings]  # type: ignore[attr-defined]


def check(text: str, sup: Suppressor) -> object:
    return sup.apply(Scanner.default().check(text), text, TH)


def pattern(p: str) -> AllowPattern:
    return AllowPattern(p, "cfg.toml:7", regex.compile(p))


def test_pragma_parsing() -> None:
    text = "a\nb leakguard:ignore\nc leakguard:ignore[doc101, PII202]\nd leakguard:ignore[X] leakguard:ignore[Y]"
    p = inline_pragmas(text)
    c, d = text.index("c "), text.index("d ")
    assert p == {2: None, c: frozenset({"DOC101", "PII202"}), d: frozenset({"X", "Y"})}


def test_inline_ignore_suppresses_only_its_line() -> None:
    text = DOC + "  # leakguard:ignore\n" + DOC
    v = Scanner.default().check(text)
    assert [f.line for f in v.findings] == [1, 2]
    kept = check(text, Suppressor())
    assert [f.line for f in kept.findings] == [2] and kept.verdict == "block"  # type: ignore[attr-defined]


def test_inline_ignore_with_codes_only_those() -> None:
    text = PHONE + " leakguard:ignore[DOC101]"
    before = codes(Scanner.default().check(text))
    assert "PII202" in before
    assert codes(check(text, Suppressor())) == before
    after = codes(check(PHONE + " leakguard:ignore[PII202]", Suppressor()))
    assert "PII202" not in after


def test_everything_suppressed_means_pass() -> None:
    v = check(DOC + " leakguard:ignore", Suppressor())
    assert v.verdict == "pass" and v.findings == () and v.score < 3.0  # type: ignore[attr-defined]


def test_inline_can_be_switched_off() -> None:
    assert codes(check(DOC + " leakguard:ignore", Suppressor(inline=False))) == ["DOC101"]


def test_disabled_codes() -> None:
    assert codes(check(DOC, Suppressor(disabled=frozenset({"DOC101"})))) == []
    assert codes(check(DOC, Suppressor(disabled=frozenset({"DOC999"})))) == ["DOC101"]


def test_allow_term_matches_normalised_text_and_only_covering_spans() -> None:
    sup = Suppressor(terms=("交办单拍给你们",))
    assert codes(check("交辦單拍給你們看看，別外傳", sup)) == []  # traditional still matches
    assert codes(check("交办单发你们看看，别外传", sup)) == ["DOC101"]  # not covered


def test_allow_pattern() -> None:
    sup = Suppressor(patterns=(pattern(r"交办单(?=拍)"),))
    assert codes(check(DOC, sup)) == []
    sup = Suppressor(patterns=(pattern(r"督办单"),))
    assert codes(check(DOC, sup)) == ["DOC101"]


def test_slow_allow_pattern_is_rejected_with_its_origin() -> None:
    sup = Suppressor(patterns=(pattern(r"(a|aa)+$"),))
    text = DOC + "a" * 60 + "!"
    with pytest.raises(LeakguardError, match=r"^cfg\.toml:7: allow pattern .* took longer than 0\.5 s on <text>"):
        check(text, sup)


def test_notes_are_filtered_too() -> None:
    text = DOC + " leakguard:ignore"
    v = Scanner.default().check(text, explain=True)
    kept = Suppressor().apply(v, text, TH)
    assert all(n.line != 1 for n in kept.notes) and all(f.line != 1 for f in kept.findings)


def test_cli_inline_ignore(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "draft.txt"
    f.write_text("第一行没事\n" + DOC + " <!-- leakguard:ignore[DOC101] -->\n", encoding="utf-8")
    assert main(["check", "--no-config", str(f)]) == 0
    capsys.readouterr()
    f.write_text("第一行没事\n" + DOC + " <!-- leakguard:ignore[DOC102] -->\n", encoding="utf-8")
    assert main(["check", "--no-config", "--format", "json", str(f)]) == 1
    assert json.loads(capsys.readouterr().out)["findings"][0]["line"] == 2
