"""Properties of whole checks and scans (the offset map itself is tested in test_normalise.py).

* every finding of the default ruleset (terms and detectors) maps to an original substring
  that holds its match, at the reported line/column, and whose normalisation is one of the
  rule's terms;
* text that went through a byte decoder with ``surrogateescape`` (undecodable bytes) is
  checked without errors;
* in a scan of a multi-message export, every finding lies inside its own message: a
  message's verdict is exactly what checking that message alone gives, and the parser gives
  back each message's text unchanged (lone surrogates replaced and counted).
"""

from __future__ import annotations

import json
import random
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from test_normalise import pieces  # the normaliser's alphabet: CJK, full-width, marks, emoji …

from leakguard.detectors import gb11643_check_digit, luhn_ok
from leakguard.model import Verdict
from leakguard.normalise import line_col, normalise
from leakguard.scan import Summary, scan
from leakguard.scanner import Scanner
from leakguard.sources import BadRecord, iter_messages

PROPS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SURROGATE = "\udc80\udcff\ud800"


def cn_id(rng: random.Random) -> str:
    body = f"{rng.choice(['110101', '430101', '440305'])}{rng.randint(1950, 2005)}{rng.randint(1, 12):02d}" \
           f"{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
    return body + gb11643_check_digit(body)


def bank_card(rng: random.Random) -> str:
    body = "622202" + "".join(str(rng.randint(0, 9)) for _ in range(12))
    return next(body + str(d) for d in range(10) if luhn_ok(body + str(d)))


identifiers = st.randoms(use_true_random=False).map(
    lambda r: r.choice([cn_id(r), bank_card(r), f"1{r.choice('3589')}{r.randint(0, 999_999_999):09d}"]))
planted = st.sampled_from(["交办单", "调度会", "拍给", "别外传", "确诊", "名单", "身份证", "手机号", "银行卡",
                           "封城", "还没公布", "家族群", "交.办.单", "調度會", "ＱＱ群"])
texts = st.lists(st.one_of(pieces, planted, identifiers), max_size=20).map("".join)


def _assert_sound(text: str, v: Verdict, scanner: Scanner) -> None:
    for f in (*v.findings, *v.notes):
        assert 0 <= f.start < f.end <= len(text), (f.code, f.start, f.end, len(text))
        assert text[f.start : f.end] == f.match
        assert (f.line, f.column) == line_col(text, f.start)
        rule = scanner.ruleset.rule(f.code)
        assert rule is not None
        norm = normalise(f.match).text
        if rule.detector is None:
            assert norm in {normalise(t).text for t in rule.terms}, (f.code, f.match)
        else:
            assert norm.strip(), (f.code, f.match)
        if f.sensitive:
            assert f.shown(False) != f.match and f.shown(True) == f.match


@PROPS
@given(texts)
@example("交.办.单拍\u200b给你们看看，身份证 110101199003074578\r\n别外传")
@example("調\udce4度\u0301會 ＱＱ群 13912345678")
def test_every_finding_is_an_original_substring_of_its_rule(raw: str) -> None:
    scanner = Scanner.default()
    _assert_sound(raw, scanner.check(raw, explain=True), scanner)
    _assert_sound(raw, scanner.check(raw, to="家族群", explain=True), scanner)


decoded = st.lists(
    st.one_of(texts.map(lambda s: s.encode("utf-8", "surrogatepass")), st.binary(max_size=6),
              planted.map(lambda s: s.encode("gb18030"))),
    max_size=12,
).map(lambda parts: b"".join(parts).decode("utf-8", "surrogateescape"))


@PROPS
@given(decoded)
@example(b"\xbd\xbb\xb0\xec\xb5\xa5 \xff\r\n110101199003074578".decode("utf-8", "surrogateescape"))
def test_text_with_decoder_escaped_bytes_is_checked_soundly(raw: str) -> None:
    scanner = Scanner.default()
    _assert_sound(raw, scanner.check(raw, explain=True), scanner)


# ----------------------------------------------------------------------------- scans

messages = st.lists(texts.filter(lambda s: s.strip() != ""), min_size=2, max_size=6)


def _scan_jsonl(folder: Path, bodies: list[str]) -> tuple[list[Any], list[BadRecord]]:
    path = folder / "chat.jsonl"
    # ensure_ascii: lone surrogates travel as \udcxx escapes, like a broken export's
    path.write_text("".join(json.dumps({"sender": f"s{i}", "text": body, "conversation": "家族群"}) + "\n"
                            for i, body in enumerate(bodies)), encoding="utf-8")
    summary = Summary()
    scanned = list(scan(Scanner.default(), iter_messages([path], fmt="jsonl"), summary))
    return scanned, list(summary.bad)


def _repaired(body: str) -> str:
    return "".join("\ufffd" if "\ud800" <= c <= "\udfff" else c for c in body)


@PROPS
@given(messages)
@example(["下午的会上说的交办", "单拍给你们看看，别外传"])  # a term split across two messages
@example(["身份证号 1101011990", "03074578 发你了", "好\udcff的"])
def test_scan_findings_stay_inside_their_message(bodies: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        scanned, bad = _scan_jsonl(Path(tmp), bodies)
    assert [sm.message.text for sm in scanned] == [_repaired(b) for b in bodies]
    assert len(bad) == sum(1 for b in bodies if _repaired(b) != b)  # each repair is counted
    scanner = Scanner.default()
    for sm in scanned:
        text = sm.message.text
        _assert_sound(text, sm.verdict, scanner)
        alone = scanner.check(text, to=sm.message.conversation)
        assert [(f.code, f.start, f.end, f.score) for f in sm.verdict.findings] == \
               [(f.code, f.start, f.end, f.score) for f in alone.findings]


def test_a_term_split_across_messages_is_not_found() -> None:
    """The deterministic core of the property: neither half of 交办单 is a finding."""
    with tempfile.TemporaryDirectory() as tmp:
        scanned, _ = _scan_jsonl(Path(tmp), ["明早的交办", "单拍给你们看看"])
    assert len(scanned) == 2
    assert all(f.code != "DOC101" for sm in scanned for f in sm.verdict.findings)
    with tempfile.TemporaryDirectory() as tmp:
        joined, _ = _scan_jsonl(Path(tmp), ["明早的交办单拍给你们看看"])
    assert any(f.code == "DOC101" for f in joined[0].verdict.findings)
