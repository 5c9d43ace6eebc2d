"""Fast paths give the same answers as the plain ones: normalisation of long text, batch checks,
scanning in worker processes."""

from __future__ import annotations

import json
import multiprocessing
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from leakguard import _t2s
from leakguard import normalise as N
from leakguard import scan as scan_mod
from leakguard.cli import main
from leakguard.model import Verdict
from leakguard.scan import Summary, scan
from leakguard.scanner import Scanner
from leakguard.sources import iter_messages

PROPS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# The strip rule as one regular expression (how it was first written): the reference.
STRIP = re.compile(f"(?<=[{N.HAN}])[{N._SEPS}{N._FORMAT}{N._COMBINING}]+(?=[{N.HAN}])|[{N._FORMAT}{N._COMBINING}]+")
TABLE = str.maketrans(_t2s.SRC, _t2s.DST)


def reference(text: str) -> tuple[str, tuple[int, ...], tuple[int, ...]]:
    folded = text.translate(TABLE)
    pieces, n_starts, o_starts, pos, n_len = [], [0], [0], 0, 0
    for m in STRIP.finditer(folded):
        a, b = m.span()
        pieces.append(folded[pos:a])
        n_len += a - pos
        pos = b
        n_starts.append(n_len)
        o_starts.append(b)
    pieces.append(folded[pos:])
    return "".join(pieces), tuple(n_starts), tuple(o_starts)


ODD = "交办單會議 \t.·-_/\\*~|'`^°\u200b\u200d\u0301\ufe0f\u3164ＡＢa Z１\n\r，😀𠀀\U0002ebef\U0002ebf0\x00"
chunks = st.text(alphabet=ODD, max_size=12)


@PROPS
@given(st.lists(chunks, min_size=1, max_size=8))
@example(["交.\n办", "交 \u200b 办"])
@example(["Ａ" * 20 + "會" * 20 + "\u0301"])
def test_long_and_short_normalisation_match_the_reference(parts: list[str]) -> None:
    for text in ("".join(parts), "".join(parts) * (N.SHORT // max(1, len("".join(parts))) + 1)):
        n = N.normalise(text)
        assert (n.text, n.n_starts, n.o_starts) == reference(text)


def test_sep_chars_are_the_separator_class() -> None:
    cls = re.compile(f"[{N._SEPS}]")
    assert {chr(c) for c in range(0x10000) if cls.match(chr(c))} == set(N._SEP_CHARS)


def test_fold_paths_agree() -> None:
    few = "ＡＢ會議" * 200  # ≤ 16 distinct characters to fold: str.replace
    some = "".join(_t2s.SRC[::200]) * 20  # ≤ 64 in a long text: str.replace too
    many = "".join(_t2s.SRC[::97]) * 3  # many, densely: translate
    sparse = "".join(c + "今天天气很好😀" * 4 for c in _t2s.SRC[::97])  # many, sparsely: per-run translate
    assert 16 < len(set(some)) <= 64 < len(set(many))
    for text in (few, some, many, sparse, few[:20], many[:100]):
        assert N.fold(text) == text.translate(TABLE)


# ----------------------------------------------------------------------------- batches

MESSAGES = [
    "交办单拍给你们看看，别外传", "明天上午九点开调度会", "身份证号码110101199003074578，电话13912345678",
    "收到", "", "交", "\u200b办单", "據說醫院有確診了，先別外傳", "我在路上", "地址是人民路12号3栋", "京A12345",
    "名单：张三 110101199003074578 13912345678\n李四 110101199003071234 13812345678", "qq群里发", "A1", "😀交办单",
    "《关于调整防控措施的通知（讨论稿）》先发你们看", "交 办 单拍给你", "\n", "会议纪要\r\n第二页",
]


@PROPS
@given(st.lists(st.one_of(st.sampled_from(MESSAGES), chunks), min_size=0, max_size=12),
       st.lists(st.sampled_from([None, "家族群", "XX局工作群", ""]), min_size=12, max_size=12),
       st.booleans(), st.sampled_from([None, "en"]))
@example(["收到", "交\x00办单"], [None] * 12, False, None)  # a message holding the batch separator
def test_check_many_equals_check(texts: list[str], tos: list[str | None], explain: bool, lang: str | None) -> None:
    sc = Scanner.default()
    tos = tos[: len(texts)]
    expected = [sc.check(t, to, lang, explain) for t, to in zip(texts, tos)]
    got = sc.check_many(texts, tos, lang, explain)
    assert got == expected
    assert [repr(v) for v in got] == [repr(v) for v in expected]


# Personal data and document identifiers found by the detectors that keywords gate (not the digit ones).
GATED_PII = [
    "刚确诊的那位住在幸福路18号3栋2单元501室", "密接的车牌是京A12345，他昨天确诊", "他的护照号E12345678，确诊了",
    "港澳通行证C12345678的旅客确诊", "确诊者的邮箱是zhangsan@example.com", "《关于调整防控措施的通知（讨论稿）》先发你们看",
    "市防指〔2022〕15号文件拍给你们看看",
]


def _flagged_only_agrees(sc: Scanner, texts: list[str], tos: list[str | None]) -> int:
    """check_many(flagged_only=True): a flagged message's verdict is exactly check()'s, any
    other one is a plain pass.  Returns how many were flagged."""
    expected = [sc.check(t, to) for t, to in zip(texts, tos)]
    got = sc.check_many(texts, tos, flagged_only=True)
    assert len(got) == len(expected)
    for g, e in zip(got, expected):
        if e.flagged:
            assert g == e
        else:
            assert g.verdict == "pass" and not g.findings
    return sum(e.flagged for e in expected)


@PROPS
@given(st.lists(st.one_of(st.sampled_from(MESSAGES), chunks), min_size=0, max_size=12),
       st.lists(st.sampled_from([None, "家族群", "XX局工作群", ""]), min_size=12, max_size=12))
def test_check_many_flagged_only_equals_check(texts: list[str], tos: list[str | None]) -> None:
    _flagged_only_agrees(Scanner.default(), texts, tos[: len(texts)])


def test_flagged_only_on_every_lexicon_example() -> None:
    """Every rule's risky and benign examples, alone, joined in pairs (so one lends signals to
    the other) and with a destination: the messages skipped early (rules held back by their
    ``requires``, gates whose detector cannot match) are exactly those check() does not flag."""
    sc = Scanner.default()
    examples = [t for r in sc.ruleset.rules for kind in ("risky", "benign") for t in r.examples.get(kind, ())]
    assert len(examples) > 100
    pairs = [a + "，" + b for a, b in zip(examples, examples[1:] + examples[:1])]
    # A term held back by ``requires`` beside personal data that only a gated detector finds.
    held = [t for r in sc.ruleset.rules if r.requires for t in r.examples.get("benign", ())]
    found = GATED_PII
    assert held and found
    mixed = [a + "，" + b for a in held for b in found]
    flagged = 0
    for to in (None, "家族群", "XX局工作群"):
        texts = examples + pairs + mixed
        flagged += _flagged_only_agrees(sc, texts, [to] * len(texts))
    assert flagged > 150


def test_check_many_with_a_newline_key(adhoc: Any) -> None:
    rs = adhoc.ruleset([adhoc.rule("T1", ["交办单", "甲\n乙"])])
    sc = Scanner(rs)
    texts = ["甲\n乙", "交办单", "甲", "乙"]
    assert sc.check_many(texts) == [sc.check(t) for t in texts]


# ----------------------------------------------------------------------------- scan and --jobs


def _export(tmp_path: Path, n: int = 600) -> Path:
    path = tmp_path / "chat.jsonl"
    with open(path, "w", encoding="utf-8") as f:
        for i in range(n):
            text = MESSAGES[i % len(MESSAGES)] or "好的"
            conv = ("家族群", "项目组", None)[i % 3]
            f.write(json.dumps({"time": f"2024-05-{1 + i % 28:02d} 09:00:00", "sender": f"用户{i % 7}",
                                "content": text, "conversation": conv}, ensure_ascii=False) + "\n")
    return path


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scan_mod, "BATCH_MESSAGES", 16)  # many batches from a small file


def _scan(path: Path, jobs: int, post: Any = None) -> tuple[list[tuple[int, Verdict]], dict[str, Any]]:
    summary = Summary()
    out = [(sm.message.index, sm.verdict) for sm in scan(Scanner.default(), iter_messages([path]), summary,
                                                          jobs=jobs, post=post)]
    return out, summary.to_dict()


def test_jobs_give_the_same_results_in_input_order(tmp_path: Path, small_batches: None) -> None:
    path = _export(tmp_path)
    one, s1 = _scan(path, 1)
    two, s2 = _scan(path, 2)
    assert [i for i, _ in one] == list(range(len(one)))
    assert two == one and s2 == s1
    sc = Scanner.default()
    messages = [m for m in iter_messages([path])]
    assert [v for _, v in one] == [sc.check(m.text, to=m.conversation) for m in messages]
    assert s1["flagged"] > 0 and multiprocessing.active_children() == []


def test_post_filter_sees_every_verdict_with_its_source(tmp_path: Path, small_batches: None) -> None:
    path = _export(tmp_path, 100)
    seen: list[str] = []

    def post(label: str, text: str, v: Verdict) -> Verdict:
        seen.append(label)
        return Verdict("pass", 0.0, (), len(text))

    out, summary = _scan(path, 2, post)
    assert len(seen) == len(out) == summary["messages"] > 90 and set(seen) == {str(path)}
    assert summary["flagged"] == 0


def test_interrupt_stops_the_workers(tmp_path: Path, small_batches: None) -> None:
    path = _export(tmp_path, 2000)

    def interrupted() -> Iterator[Any]:
        for i, m in enumerate(iter_messages([path])):
            if i == 1500:
                raise KeyboardInterrupt
            yield m

    summary = Summary()
    stream = scan(Scanner.default(), interrupted(), summary, jobs=2)
    with pytest.raises(KeyboardInterrupt):
        for _ in stream:
            pass
    assert multiprocessing.active_children() == []
    assert 0 < summary.messages <= 1500


def test_scan_cli_jobs_output_is_identical(tmp_path: Path, small_batches: None,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    path = _export(tmp_path)
    outs = []
    for jobs in ("1", "2", "0"):
        code = main(["scan", str(path), "--format", "jsonl", "--all", "--no-config", "--jobs", jobs])
        outs.append((code, capsys.readouterr().out))
    assert outs[0][0] == 1 and outs[0][1].count("\n") == len(list(iter_messages([path])))
    assert outs[1] == outs[0] and outs[2] == outs[0]


def test_a_check_imports_neither_scan_nor_the_automaton(tmp_path: Path) -> None:
    import subprocess
    import sys

    code = ("import sys; from leakguard.cli import main; main(['check', '--text', '明天上午九点开例会']); "
            "print(sorted(m for m in ('leakguard.cli.scan', 'leakguard.detectors', 'ahocorasick', 'regex') "
            "if m in sys.modules))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=tmp_path,
                       check=False)
    assert r.stdout.strip().splitlines()[-1] == "[]", r.stdout + r.stderr
