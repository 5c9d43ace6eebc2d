"""The matcher's three engines (substring lookup, UTF-16 automaton, code-point automaton) agree."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from leakguard.matcher import SHORT, Matcher
from leakguard.scanner import Scanner

PROPS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Characters chosen to collide in UTF-16 (big-endian bytes): 交 is 4E A4, so "N\ua400" (00 4E A4 00)
# holds 交's bytes across a character boundary; 䨀 is 4A 00, found in "\u4e4aa" (4E 4A 00 61).
ALPHABET = "交办单会议䨀丄ab1N \n😀🐑𠀀\U0002ebef\u4e00\u00a4\u4e4a\ua400\u0400"
KEYS = ["交办单", "办单", "单", "会议", "ab", "a", "b1", "😀交", "🐑", "𠀀办", "\u4e00\u00a4", "䨀", "交交"]


def _engines(m: Matcher, text: str) -> list[list[tuple[int, int]]]:
    return [m.find_short(text), m.find_u16(text), m.find_plain(text)]


@PROPS
@given(st.text(alphabet=ALPHABET, max_size=40))
@example("交办单😀交办单")
@example("\u4e00\u00a4交")  # bytes 4E 00 00 A4 4E A4: 䨀-like and 交-like unit pairs across boundaries
@example("🐑🐑😀交")
@example("N\ua400\u4e4aa")
@example("😀N\ua400")
def test_engines_agree_on_random_text(text: str) -> None:
    m = Matcher(KEYS)
    short, u16, plain = _engines(m, text)
    assert short == plain and u16 == plain
    for end, idx in plain:
        assert text[end - len(KEYS[idx]) + 1 : end + 1] == KEYS[idx]


def test_every_occurrence_longest_first() -> None:
    m = Matcher(KEYS)
    found = m.find_plain("交办单")
    assert [(e, KEYS[i]) for e, i in found] == [(2, "交办单"), (2, "办单"), (2, "单")]
    assert m.find_short("交办单") == found == m.find_u16("交办单")


def test_lone_surrogates_use_the_code_point_automaton() -> None:
    m = Matcher(["\U0001f411", "ab"])  # 🐑 is D83D DC11 in UTF-16
    text = "\ud83d\udc11 ab 🐑"  # two lone surrogates look like 🐑 in code units but are not 🐑
    assert m.find_u16(text) == m.find_plain(text) == m.find_short(text)
    assert [idx for _, idx in m.find_u16(text)] == [1, 0]


def test_short_texts_need_no_automaton_until_one_is_built() -> None:
    m = Matcher(KEYS)
    m.find("交办单")
    assert m._u16 is None and m._plain is None
    m.find("交" * SHORT)
    assert m._u16 is not None
    assert m.find("交办单") == m.find_short("交办单")


def test_empty_matcher_and_empty_text() -> None:
    assert Matcher([]).find("交办单") == []
    assert Matcher(KEYS).find("") == []


@pytest.mark.parametrize("seed", range(3))
def test_shipped_keys_agree_on_a_large_random_corpus(seed: int) -> None:
    """The shipped lexicon's keys, on text built from key fragments and everyday characters."""
    keys = Scanner.default().ruleset._matcher.keys
    m = Matcher(keys)
    rng = random.Random(seed)
    filler = "的一是了我不人在他有这个上们来到时大地为子中你说生国年着就那和要她出也得里后自以会"
    pieces = [k[: rng.randint(1, len(k))] for k in rng.sample(keys, 400)] + list(filler) + ["😀", " ", "\n", "A1"]
    text = "".join(rng.choice(pieces) for _ in range(20_000))
    plain = m.find_plain(text)
    assert len(plain) > 1000
    assert m.find_u16(text) == plain
    assert m.find_short(text[:3000]) == m.find_plain(text[:3000])


def test_big_lexicon_drafts_use_the_intersection_then_the_map(monkeypatch: pytest.MonkeyPatch) -> None:
    import leakguard.matcher as matcher_mod

    monkeypatch.setattr(matcher_mod, "BIG", 10)
    monkeypatch.setattr(matcher_mod, "HEAD", 50)  # keys past the head are found by list.index
    rng = random.Random(5)
    keys = list(dict.fromkeys("".join(rng.choice("交办单会议通知名单") for _ in range(rng.randint(1, 4)))
                              for _ in range(400)))
    m = Matcher(keys)
    for i in range(12):  # the first 8 short texts without the full map, then with it
        text = "".join(rng.choice("交办单会议通知名单的了😀") for _ in range(60))
        assert m.find_short(text) == m.find_plain(text)
        assert (m._map is None) == (i < 8)


def test_pickling_drops_the_automata() -> None:
    import pickle

    m = Matcher(KEYS)
    m.find("交" * SHORT)
    again = pickle.loads(pickle.dumps(m))
    assert again._u16 is None and again.keys == m.keys and again.lengths == m.lengths
    assert again.find("交办单会议") == m.find("交办单会议")
