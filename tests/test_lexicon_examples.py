"""Every rule's own examples (lexicons/*.toml `examples.risky` / `examples.benign`) behave as documented."""

from __future__ import annotations

import re

import pytest

from leakguard.ruleset import Rule, load_ruleset
from leakguard.scanner import Scanner

HAN = re.compile(r"[\u3400-\u9fff]")

# Collected before fixtures run, so compile without touching any cache.
_RULESET = load_ruleset(use_cache=False)
RULES: tuple[Rule, ...] = _RULESET.rules

# Examples that currently fail, with the reason found; remove an entry when its lexicon is fixed.
KNOWN: dict[tuple[str, str, str], str] = {
}


def _cases() -> list[object]:
    out: list[object] = []
    for r in RULES:
        for kind in ("risky", "benign"):
            for i, text in enumerate(r.examples.get(kind, ())):
                reason = KNOWN.get((r.code, kind, text))
                marks = [pytest.mark.xfail(strict=True, reason="bug: " + reason)] if reason else []
                out.append(pytest.param(r.code, kind, text, id=f"{r.code}-{kind}-{i}", marks=marks))
    return out


@pytest.fixture(scope="module")
def sc() -> Scanner:
    return Scanner(_RULESET)


@pytest.mark.parametrize(("code", "kind", "text"), _cases())
def test_rule_example(sc: Scanner, code: str, kind: str, text: str) -> None:
    rule = _RULESET.rule(code)
    assert rule is not None
    v = sc.check(text)
    found = [(f.code, f.category, round(f.score, 1)) for f in v.findings]
    if kind == "risky":
        assert v.verdict != "pass", found
        # exact code wanted; the same category is tolerated (and listed in the report)
        assert any(f.code == code for f in v.findings) or any(f.category == rule.category for f in v.findings), found
    else:
        assert all(f.code != code for f in v.findings), found


def test_risky_examples_hit_their_own_code(sc: Scanner) -> None:
    """Stricter than the tolerance above: no risky example is satisfied only by its category."""
    category_only = []
    for r in RULES:
        for text in r.examples.get("risky", ()):
            if (r.code, "risky", text) in KNOWN:
                continue
            codes = [f.code for f in sc.check(text).findings]
            if r.code not in codes:
                category_only.append((r.code, text, codes))
    assert category_only == []


def test_every_lexicon_rule_has_examples() -> None:
    missing = [r.code for r in RULES if not r.detector and not (r.examples.get("risky") and r.examples.get("benign"))]
    assert missing == []


def test_there_are_examples_at_all() -> None:
    assert sum(len(r.examples.get("risky", ())) for r in RULES) >= 30


@pytest.mark.parametrize("code", [r.code for r in RULES])
def test_rule_precedents_exist_and_advice_is_bilingual(code: str) -> None:
    rule = _RULESET.rule(code)
    assert rule is not None
    for pid in rule.precedents:
        assert pid in _RULESET.cases, pid
    assert len(set(rule.precedents)) == len(rule.precedents)
    assert set(rule.advice) >= {"zh", "en"}
    assert rule.advice["zh"].strip() and rule.advice["en"].strip()
    assert rule.advice["zh"] != rule.advice["en"], "English advice is missing (zh copied)"
    assert not HAN.search(rule.advice["en"]), "English advice is not English"
    assert set(rule.name) >= {"zh", "en"} and not HAN.search(rule.name["en"])


def test_precedents_cover_every_messaging_case() -> None:
    cited = {pid for r in RULES for pid in r.precedents}
    top = {cid for cid, c in _RULESET.cases.items() if not c.parent}
    assert top <= cited, sorted(top - cited)
