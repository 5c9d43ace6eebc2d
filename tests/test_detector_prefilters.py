"""detectors.PREFILTERS: a necessary condition per kind, and the stdlib-re patterns' equivalence.

Contract (for the batch scanner): for every text t, ``detect(t, [kind])`` non-empty implies
``re.search(PREFILTERS[kind], t)``; no prefilter can match "\\x00" (the batch separator) and
none depends on where the text starts or ends.  Checked over every string literal of the test
suite, every string of the bundled lexicons and cases, and random texts built from the
detectors' own vocabulary.  The detectors' patterns moved from ``regex`` to ``re``: each
source is checked to mean the same in both.
"""

from __future__ import annotations

import ast
import random
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from leakguard import detectors
from leakguard.detectors import KINDS, PREFILTERS, address, base, codes, detect, documents, gate_open, resolve
from leakguard.detectors.checks import PLATE_PROVINCES, gb11643_check_digit, luhn_ok, uscc_check_char
from leakguard.normalise import normalise

ROOT = Path(__file__).parents[1]
COMPILED = {k: re.compile(v) for k, v in PREFILTERS.items()}


def _id(body17: str) -> str:
    return body17 + gb11643_check_digit(body17)


def _card(prefix: str) -> str:
    return next(prefix + str(d) for d in range(10) if luhn_ok(prefix + str(d)))


def _uscc(body17: str) -> str:
    return (body17 + uscc_check_char(body17)).lower()


# Whole identifiers (checksums right) and the pieces texts are built from: every detector's
# suffixes, cue words, brackets, separators, digits, letters, numerals and some filler.
WHOLE = [
    _id("11010519870514123"), _id("44030419800101123").lower(), "440301800101123", "13912345678",
    "138 0013 8000", "+86 138-0013-8000", "(0571)8888-1234", "010 8888 1234", _card("621700012345678901"),
    _card("411111111111111"), _uscc("91440300MA5F00012"), _uscc("12440300455667788"),
    "e12345678", "ea1234567", "c12345678", "cd1234567", "zhang.san_01@example.com.cn", "a@b.cn",
    "吉政办发〔2020〕12号", "[2019]3号", "（ 2021 ）京0105民初123号", "(第010号)", "第010期", "简报第12期",
    "《关于做好值班工作的通知》", "《复工复产方案》（征求意见稿）", "【某某工作方案】", "《2020年度工作计划》",
    "城北路18号", "阳光小区3栋2单元501室", "锦绣花园3-2-501", "翠湖苑b座1203室", "东风小区十二栋",
    "川a12345", "豫q·1q2u1", "粤b d12345", "鲁a1234学",
]
PIECES = (
    list(address.STREET_SUFFIXES) + list(address.ESTATE_SUFFIXES) + list(PLATE_PROVINCES)
    + list(documents.STRONG_TYPES) + list(documents.WEAK_TYPES)
    + list("0123456789") * 4 + list("abcdefghxyzABEGCX") + list("一二三四五六七八九十")
    + list("号楼院铺单元栋幢座室层弄巷组队区门第期")
    + ["那边", "附近", "对面", "-", " ", "  ", ".", "·", "(", ")", "（", "）", "〔", "〕", "[", "]", "［", "］",
       "【", "】", "《", "》", "\n", "\x1c", "\x85", "\u3000", "\xa0", "\u2010", "@", ".com", ".cn", "_", "%", "+",
       "护照", "passport", "通行证", "港澳", "信用代码", "http://", "www.", "2020", "1999", "19", "20", "简报",
       "关于", "工作", "会议", "省", "市", "县", "镇", "住在", "到达", "地址", "的", "我", "某某", "阳光", "城北",
       "学", "挂", "*", "+86", "0086", "138", "0571", "010", "62", "ſ", "K", "𠀀", "〇", "々", "\x00"]
)
VOCAB = WHOLE + PIECES
texts = st.lists(st.sampled_from(VOCAB), max_size=24).map("".join)


def _assert_contract(text: str) -> list[str]:
    """Check the contract on ``text`` and its normalised form; the kinds detected."""
    found = []
    for t in {text, normalise(text).text}:
        for kind in KINDS:
            if detect(t, [kind]):
                found.append(kind)
                assert COMPILED[kind].search(t), (kind, t)
    return found


# ----------------------------------------------------------------------------- the contract


def _literals() -> list[str]:
    out: list[str] = []
    for path in sorted((ROOT / "tests").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.strip():
                out.append(node.value)
    return out


def _toml_strings(data: Any) -> list[str]:
    if isinstance(data, str):
        return [data]
    if isinstance(data, dict):
        return [s for v in data.values() for s in _toml_strings(v)]
    if isinstance(data, list):
        return [s for v in data for s in _toml_strings(v)]
    return []


def _data_strings() -> list[str]:
    out: list[str] = []
    for path in sorted((ROOT / "lexicons").glob("*.toml")) + sorted((ROOT / "seeds").glob("*.toml")):
        out.extend(_toml_strings(tomllib.loads(path.read_text(encoding="utf-8"))))
    return out


def test_contract_over_test_literals_and_lexicon_strings() -> None:
    texts_ = _literals() + _data_strings() + WHOLE
    data = _data_strings()
    assert len(data) > 300  # the lexicons' examples, terms, advice and the cases' texts
    seen: set[str] = set()
    for t in texts_:
        seen.update(_assert_contract(t))
    assert seen == set(KINDS)  # every kind was actually detected somewhere


@settings(max_examples=600, deadline=None)
@given(texts)
def test_contract_on_random_vocabulary_texts(text: str) -> None:
    _assert_contract(text)


def test_random_vocabulary_texts_do_find_every_kind() -> None:
    """The random texts above are no vacuous test: built the same way, they hold every kind."""
    rng = random.Random(7)
    seen: set[str] = set()
    for _ in range(4000):
        seen.update(_assert_contract("".join(rng.choice(VOCAB) for _ in range(rng.randint(1, 24)))))
    assert seen == set(KINDS)


@settings(max_examples=300, deadline=None)
@given(texts)
def test_detect_with_prefilter_checks_equals_detect_without(text: str) -> None:
    """detect() skips a detector whose prefilter fails: the results are those of running every
    gated detector."""
    reference = resolve([d for kinds, runner in detectors._RUNNERS
                         if any(gate_open(k, text) for k in kinds) for d in runner(text)])
    assert detect(text) == reference


@pytest.mark.parametrize(("check", "kind"), [
    (address.possible, "address"), (documents.possible_number, "doc_number"),
    (documents.possible_title, "doc_title"), (codes.possible_email, "email"),
])
def test_str_find_checks_equal_the_prefilter_patterns(check: Any, kind: str) -> None:
    rng = random.Random(kind)
    hits = 0
    for _ in range(3000):
        t = "".join(rng.choice(VOCAB) for _ in range(rng.randint(0, 16)))
        hits += check(t)
        assert check(t) == bool(COMPILED[kind].search(t)), t
    assert hits > 20


def test_plate_check_is_implied_by_the_plate_prefilter() -> None:
    rng = random.Random(3)
    hits = 0
    for _ in range(3000):
        t = "".join(rng.choice(VOCAB) for _ in range(rng.randint(0, 16)))
        if COMPILED["plate"].search(t):
            hits += 1
            assert detectors._plate_possible(t), t
    assert hits > 20


# ----------------------------------------------------------------------------- batch safety


def test_prefilters_use_no_anchor_or_look_around() -> None:
    for kind, source in PREFILTERS.items():
        for token in ("^", "$", "\\A", "\\Z", "\\b", "\\B", "(?=", "(?!", "(?<"):
            assert token not in source, (kind, token)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(VOCAB + ["\x00"] * 20), max_size=30).map("".join))
def test_no_prefilter_match_holds_the_batch_separator(text: str) -> None:
    for kind, rx in COMPILED.items():
        for m in rx.finditer(text):
            assert "\x00" not in m.group(), kind


def test_a_batch_match_belongs_to_one_message() -> None:
    messages = ["住城北路18号", "没有地址", "车牌川a12345", "发到a@b.cn", "《关于值班的通知》"]
    joined = "\x00".join(messages)
    starts = [sum(len(m) + 1 for m in messages[:i]) for i in range(len(messages))]
    for kind, rx in COMPILED.items():
        for m in rx.finditer(joined):
            k = max(i for i, s in enumerate(starts) if s <= m.start())
            assert m.end() <= starts[k] + len(messages[k])
            assert rx.search(messages[k]), (kind, messages[k])


# ----------------------------------------------------------------------------- re means what regex meant


def _all_sources() -> list[str]:
    detect("住城北路18号《关于值班的通知》第010期〔2020〕3号 a@b.cn 护照e12345678 c12345678 川a12345")
    detectors.mask("address", "某市城北路18号")
    return list(dict.fromkeys(base.SOURCES + list(PREFILTERS.values())))


ALPHABET = "".join(dict.fromkeys("".join(VOCAB) + "\t\r\x0b\x0c\x1d\x1e\x1f\u2028\u200a\u180e\uff10Ⅻ"))


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=40), st.integers(0, 40), st.integers(0, 45))
def test_every_pattern_means_the_same_in_re_and_regex(text: str, pos: int, endpos: int) -> None:
    for source in _all_sources():
        a, b = re.compile(source), regex.compile(source)
        assert [(m.span(), m.groups()) for m in a.finditer(text)] == \
            [(m.span(), m.groups()) for m in b.finditer(text)], source
        assert [m.span() for m in a.finditer(text, pos, endpos)] == [m.span() for m in b.finditer(text, pos, endpos)]
        ma, mb = a.match(text, pos), b.match(text, pos)
        assert (ma and (ma.span(), ma.groups())) == (mb and (mb.span(), mb.groups())), source


def test_han_and_space_classes_equal_regex_properties() -> None:
    every = "".join(map(chr, range(0x110000)))
    assert re.findall(f"[{documents.HAN}]", every) == regex.findall(r"\p{Han}", every)
    assert re.findall(f"[{documents.SPACE}]", every) == regex.findall(r"\s", every)
    assert frozenset(regex.findall(r"\s", every)) == documents._SPACE_SET
