"""The normaliser: folding, stripping, and the exact offset map back to the original."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from leakguard import _t2s
from leakguard.normalise import fold, line_col, normalise
from leakguard.scanner import Scanner

# ----------------------------------------------------------------------------- unit tests


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("交.办.单", "交办单"),
        ("交 办 单", "交办单"),
        ("交\t办\t单", "交办单"),
        ("交·办·单", "交办单"),
        ("交 . 办 - 单", "交办单"),
        ("調-度-會", "调度会"),
        ("調度會", "调度会"),
        ("ＱＱ４５１", "qq451"),
        ("ＱＱ群", "qq群"),
        ("交\u200b办\u200d单", "交办单"),
        ("\ufeff交办单", "交办单"),
        ("交\u00ad办单", "交办单"),
        ("交\u0301办\u0308单", "交办单"),
        ("cafe\u0301", "cafe"),
        ("\u2f2f作材料", "工作材料"),  # KANGXI RADICAL WORK
        ("\u2f08员名单", "人员名单"),  # KANGXI RADICAL MAN
        ("交．办．单", "交办单"),  # full-width full stop folds to '.', then is stripped
        ("交　办　单", "交办单"),  # ideographic space
    ],
)
def test_normalise_examples(raw: str, expected: str) -> None:
    assert normalise(raw).text == expected


@pytest.mark.parametrize(
    "raw",
    [
        "交办 qq群",  # separator between Han and ASCII stays
        "qq 群",
        "群 qq",
        "a.b",
        "会议 10点",
        "名单 - 2",
    ],
)
def test_separators_next_to_ascii_are_kept(raw: str) -> None:
    assert normalise(raw).text == raw


@pytest.mark.parametrize("nl", ["\n", "\r\n", "\r"])
def test_newlines_are_never_stripped(nl: str) -> None:
    for raw in (f"交{nl}办", f"交 {nl} 办", f"交\u200b{nl}\u200b办", f"交.{nl}.办"):
        assert nl in normalise(raw).text, repr(raw)
    assert normalise(f"交{nl}办").text == f"交{nl}办"


def test_plain_text_is_identity() -> None:
    n = normalise("明天上午九点开调度会")
    assert n.identity
    assert n.text == n.original
    assert n.to_original(3, 5) == (3, 5)


def test_offsets_map_back_through_stripped_characters() -> None:
    raw = "请看 交.办.单，拍\u200b给你"
    n = normalise(raw)
    i = n.text.index("交办单")
    a, b = n.to_original(i, i + 3)
    assert raw[a:b] == "交.办.单"
    j = n.text.index("拍给")
    a, b = n.to_original(j, j + 2)
    assert raw[a:b] == "拍\u200b给"


def test_fold_is_length_preserving() -> None:
    raw = "調度會ＱＱ\u2f2f"
    assert len(fold(raw)) == len(raw)
    assert fold(raw) == "调度会qq工"


@pytest.mark.parametrize(
    ("text", "offset", "expected"),
    [
        ("abc", 0, (1, 1)),
        ("abc", 2, (1, 3)),
        ("ab\ncd", 3, (2, 1)),
        ("ab\r\ncd", 4, (2, 1)),
        ("ab\r\ncd\r\nef", 9, (3, 2)),
        ("ab\rcd", 3, (2, 1)),
        ("一\n二\r\n三\r四", 7, (4, 1)),
    ],
)
def test_line_col(text: str, offset: int, expected: tuple[int, int]) -> None:
    assert line_col(text, offset) == expected


# --- known bugs (deterministic counterexamples found by the properties below) ------------------


def test_fold_table_is_a_fixed_point() -> None:
    assert fold("什麼") == fold(fold("什麼"))
    assert fold("怎麼填") == fold("怎么填")


def test_zero_width_before_separator_is_stripped_in_one_pass() -> None:
    assert normalise("交\u200b.办\u200b.单").text == "交办单"
    assert normalise("交\u0301 办").text == "交办"


# ----------------------------------------------------------------------------- properties

_LEXICON_HAN = "交办单调度会拍给你们看看别外传工作材料名单确诊阳了秘密级机"
_TRADITIONAL = "調會辦單麼麽薴苧么機級確診陽"
_FORMAT_CHARS = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u202e", "\ufe0f", "\u034f"]
_COMBINING_CHARS = ["\u0301", "\u0308", "\u0323", "\u20dd", "\u1ab0", "\ufe20"]
_SEP_CHARS = list(" \t.·-_*~|/\\'`^°・．　")
_EMOJI = ["😀", "🐑", "👍🏻", "🇨🇳", "❤️", "★"]

pieces = st.one_of(
    st.sampled_from(list(_LEXICON_HAN)),
    st.sampled_from(list(_TRADITIONAL)),
    st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
    st.characters(min_codepoint=0xFF01, max_codepoint=0xFF5E),  # full-width forms
    st.characters(min_codepoint=0x2F00, max_codepoint=0x2FD5),  # Kangxi radicals
    st.sampled_from(_FORMAT_CHARS + _COMBINING_CHARS + _SEP_CHARS + _EMOJI),
    st.sampled_from(["\r\n", "\n", "\r", "qq", "QQ", "ab", "Ab"]),
    st.binary(max_size=4).map(lambda b: b.decode("utf-8", "surrogateescape")),  # lone surrogates
    st.characters(),
)
texts = st.lists(pieces, max_size=24).map("".join)

PROPS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPS
@given(texts)
@example("交\u200b.办\u200b.单")
@example("調\udce4度\u0301會\r\n")
def test_offset_map_is_bounded_monotone_and_exact(raw: str) -> None:
    n = normalise(raw)
    size = len(n.text)
    prev = (0, 0)
    for i in range(size):  # every single character maps to exactly one original character
        a, b = n.to_original(i, i + 1)
        assert b - a == 1
        assert fold(raw[a]) == n.text[i]
        assert a >= prev[1]
        prev = (a, b)
    for a in range(size + 1):
        last = (0, 0)
        for b in range(a, size + 1):
            oa, ob = n.to_original(a, b)
            assert 0 <= oa <= ob <= len(raw)
            assert ob >= last[1]
            if b > a:
                assert (oa, ob) == (n.to_original(a, a + 1)[0], n.to_original(b - 1, b)[1])
            last = (oa, ob)
        if a < size:
            assert n.to_original(a, size)[0] <= n.to_original(a + 1, size)[0]


def _adhoc_scanner(adhoc: Any) -> Scanner:
    rules = [
        adhoc.rule("T1", ["交办单", "调度会", "工作材料"]),
        adhoc.rule("T2", ["名单", "qq群", "秘密级", "机密★"], category="personal_data"),
        adhoc.rule("T3", ["阳了", "🐑", "ab"], category="rumor"),
    ]
    cues = [adhoc.cue("C1", "action", 1.5, ["拍给", "你们看看"]), adhoc.cue("C2", "secrecy", 1.5, ["别外传"])]
    return Scanner(adhoc.ruleset(rules, cues))


def _keys(sc: Scanner, kind: str, index: int) -> set[str]:
    rs = sc.ruleset
    if kind in ("r", "g"):
        terms = rs.rules[index].terms
    elif kind == "c":
        terms = rs.cues[index].terms
    else:
        terms = rs.cases[rs._case_ids[index]].keywords
    return {normalise(t).text for t in terms}


def _check_hits(sc: Scanner, raw: str) -> int:
    n = normalise(raw)
    hits = sc.hits(n.text)
    for h in hits:
        key = n.text[h.start : h.end]
        assert key in _keys(sc, h.kind, h.index)
        oa, ob = n.to_original(h.start, h.end)
        assert normalise(raw[oa:ob]).text == key, (raw, h, raw[oa:ob])
    return len(hits)


@PROPS
@given(st.lists(st.one_of(pieces, st.sampled_from(["交办单", "调度会", "名单", "qq群", "机密★", "阳了"])),
                max_size=24).map("".join))
@example("交.办.单拍\u200b给你们看看，别外传")
@example("調-度-會🐑ＱＱ群\r\n名\u0301单")
def test_every_hit_maps_back_to_its_term(adhoc: Any, raw: str) -> None:
    _check_hits(_adhoc_scanner(adhoc), raw)


@PROPS
@given(st.lists(st.one_of(pieces, st.sampled_from(["交办单", "拍给", "别外传", "确诊", "阳了", "名单"])),
                max_size=20).map("".join))
def test_every_hit_of_the_default_ruleset_maps_back(raw: str) -> None:
    _check_hits(Scanner.default(), raw)


def test_hits_are_found_through_obfuscation(adhoc: Any) -> None:
    sc = _adhoc_scanner(adhoc)
    assert _check_hits(sc, "調 度 會\u200b上说的交.办.单") >= 2
    n = normalise("ＡＢ")
    assert [n.text[h.start : h.end] for h in sc.hits(n.text)] == ["ab"]
    n = normalise("xab")  # ASCII terms need a word boundary
    assert sc.hits(n.text) == []


def test_fold_has_no_chains() -> None:
    """No folded character folds again (the table is a fixed point)."""
    chains = [c for c in _t2s.SRC + _t2s.DST if fold(fold(c)) != fold(c)]
    assert chains == []


@PROPS
@given(texts)
@example("交 . 办\r\n单")
@example("交\u200b.办\u0301 单")
def test_normalisation_is_idempotent(raw: str) -> None:
    once = normalise(raw).text
    assert normalise(once).text == once
