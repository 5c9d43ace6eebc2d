"""JSON Lines in chunks (the bulk-scan fast path) give exactly what the line-by-line reader gives.

Random files mix ordinary records with every oddity the fast path must hand back to the line
reader: blank, broken and over-long lines, CR and CRLF line ends, undecodable bytes,
non-objects, texts that are not strings, blank texts, keys in other cases, missing and
differing fields, and personal data in names.  Chunks are made tiny so that a file spans many.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leakguard import scan as scan_mod
from leakguard.cli import main
from leakguard.scan import Summary, scan
from leakguard.scanner import Scanner
from leakguard.sources import chunks as chunks_mod
from leakguard.sources import iter_messages, jsonstream

TEXTS = [
    "明天上午九点开会，大家准时到。",
    "这是内部讨论稿，先别外传，正式通知下周发。",
    "患者张某某，身份证 110105194912310025，住院病历我拍给你们看。",
    "今晚开会研究要不要封城，先别往外说。",
    "好的收到",
    "  ",
    "",
    "[图片]",
    "我家住在幸福路18号3栋2单元501室",
    "电话 13912345678 有事联系",
    "據說明天全市停課，內部消息",
    "\u00e9t\u00e9 caf\u00e9 ok",
    "表情😀和\u200b零宽字符",
]
NAMES = ["家族群", "项目组", "Family", "客户 13812345678", None, "", "研究所内部群"]


def _record(draw: Any) -> str:
    kind = draw(st.sampled_from(["plain"] * 8 + ["odd-key", "other-field", "dotted", "no-conv", "extra-key"]))
    text: Any = draw(st.sampled_from(TEXTS))
    conv = draw(st.sampled_from(NAMES))
    rec: dict[str, Any] = {"time": "2024-05-01 09:00:00", "sender": draw(st.sampled_from(NAMES)), "content": text,
                           "conversation": conv}
    if kind == "odd-key":
        rec = {"Content": text, "Conversation": conv}
    elif kind == "other-field":
        rec = {"text": text, "chat": conv}
    elif kind == "dotted":
        rec = {"message": {"text": text}, "conversation": conv}
    elif kind == "no-conv":
        rec = {"content": text}
    elif kind == "extra-key":
        rec = {**rec, "reply_to": draw(st.integers(0, 9))}
    return json.dumps(rec, ensure_ascii=draw(st.booleans()) and kind == "plain")


ODD = [
    "", "   ", " {\"content\": \"前面有空格\"}", "{\"content\": \"后面有空格\"}  ", "{\"content\": 12}",
    "{\"content\": [\"列\", \"表\"]}", "{\"content\": null}", "[1, 2]", "42", "{broken", "{\"a\": 1}, {\"b\": 2}",
    "{\"content\": \"x\"} trailing", "{\"sender\": \"无文本\"}", "{\"content\": \"\\x41 坏转义\"}",
    "{\"content\": \"内部讨论稿\", \"conversation\": {\"name\": \"字典群\"}}",
    "{\"content\": \"内部讨论稿\", \"conversation\": 7}", "{\"content\": \"回车\r在字符串里\"}", "{\"content\": \"" + "长" * 300 + "\"}",
]


@st.composite
def jsonl_files(draw: Any) -> bytes:
    lines = [_record(draw) if draw(st.integers(0, 5)) else draw(st.sampled_from(ODD))
             for _ in range(draw(st.integers(1, 60)))]
    ends = draw(st.sampled_from(["\n", "\n", "\r\n", "mixed"]))
    out = b""
    for i, line in enumerate(lines):
        end = ends if ends != "mixed" else draw(st.sampled_from(["\n", "\r\n", "\r"]))
        out += line.encode("utf-8") + end.encode()
        if draw(st.integers(0, 40)) == 0:
            out += b'{"content": "\xff\xfe bad bytes"}\n'
    if draw(st.booleans()):
        out = out.rstrip(b"\r\n")  # no final line end
    return out


def _run(path: Path, chunked: bool, flagged_only: bool = False, jobs: int = 1,
         text_field: str | None = None) -> tuple[list[Any], dict[str, Any]]:
    summary = Summary()
    out = [(dataclasses.asdict(sm.message), sm.verdict.to_dict(True))
           for sm in scan(Scanner.default(), iter_messages([path], text_field=text_field, chunks=chunked), summary,
                          flagged_only=flagged_only, jobs=jobs)]
    return out, summary.to_dict()


@pytest.fixture
def tiny(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chunks_mod, "CHUNK_CHARS", 97)
    monkeypatch.setattr(chunks_mod, "MAX_JSONL_LINE", 400)
    monkeypatch.setattr(jsonstream, "MAX_JSONL_LINE", 400)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(data=jsonl_files(), flagged_only=st.booleans())
def test_chunks_give_what_the_line_reader_gives(tmp_path: Path, tiny: None, data: bytes, flagged_only: bool) -> None:
    path = tmp_path / "log.jsonl"
    path.write_bytes(data)
    lines, lines_summary = _run(path, chunked=False, flagged_only=flagged_only)
    chunked, chunked_summary = _run(path, chunked=True, flagged_only=flagged_only)
    assert chunked == lines
    assert chunked_summary == lines_summary


def test_fast_path_is_taken_and_agrees_on_a_plain_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An ordinary export goes through the fast path (not the fallback), and agrees."""
    path = tmp_path / "plain.jsonl"
    with open(path, "w", encoding="utf-8") as f:
        f.writelines(json.dumps({"time": f"2024-05-01 09:{i % 60:02d}:00", "sender": NAMES[i % 4],
                                "content": TEXTS[i % 5] + str(i), "conversation": NAMES[i % 3]},
                               ensure_ascii=False) + "\n" for i in range(3000))
    slow_calls = []
    real_slow = chunks_mod._slow
    monkeypatch.setattr(chunks_mod, "_slow", lambda c: slow_calls.append(c) or real_slow(c))
    monkeypatch.setattr(chunks_mod, "CHUNK_CHARS", 4096)
    chunked, s1 = _run(path, chunked=True)
    assert slow_calls == [] and s1["messages"] == 3000 and s1["flagged"] > 0
    assert (chunked, s1) == _run(path, chunked=False)
    flagged, s2 = _run(path, chunked=True, flagged_only=True)
    assert s2 == s1 and flagged == [x for x in chunked if x[1]["findings"]]


def test_text_field_option_and_other_keys(tmp_path: Path, tiny: None) -> None:
    path = tmp_path / "k.jsonl"
    rows = [{"body": "这是内部讨论稿，别外传", "msg": "好的", "room": "家族群"},
            {"body": "今晚开会研究要不要封城，先别往外说", "msg": "收到", "room": "项目组"}] * 20
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    for field in (None, "body", "BODY", "msg"):
        assert _run(path, chunked=True, text_field=field) == _run(path, chunked=False, text_field=field)
    flagged = [m for m, v in _run(path, chunked=True, text_field="body")[0] if v["findings"]]
    assert flagged and {m["conversation"] for m in flagged} <= {"家族群", "项目组"}


def test_jobs_with_chunks_are_identical_and_ordered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "big.jsonl"
    with open(path, "w", encoding="utf-8") as f:
        for i in range(4000):
            f.write(json.dumps({"content": TEXTS[i % len(TEXTS)] or "好", "conversation": NAMES[i % 3]},
                               ensure_ascii=False) + "\n")
            if i % 997 == 0:
                f.write("{not json\n")
    monkeypatch.setattr(chunks_mod, "CHUNK_CHARS", 2048)
    monkeypatch.setattr(scan_mod, "POOL_AFTER", 2)
    one = _run(path, chunked=True, flagged_only=True)
    two = _run(path, chunked=True, flagged_only=True, jobs=2)
    assert one == two == _run(path, chunked=False, flagged_only=True)
    assert [m["index"] for m, _ in one[0]] == sorted(m["index"] for m, _ in one[0])
    lines = [b["line"] for b in one[1]["bad_records"]]
    assert one[1]["skipped"] == 5 and lines == sorted(lines) and lines[0] == 2


def test_scan_cli_reports_chunked_input_like_before(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text("".join(json.dumps({"content": t, "conversation": "家族群"}, ensure_ascii=False) + "\n"
                            for t in TEXTS if t.strip()), encoding="utf-8")
    outs = []
    for extra in ((), ("--since", "2000-01-01")):  # --since reads messages one by one
        assert main(["scan", str(path), "--format", "jsonl", "--no-config", *extra]) == 1
        outs.append(capsys.readouterr().out)
    assert outs[0] == outs[1] and len(outs[0].splitlines()) >= 3


def test_utf8_is_read_as_bytes_and_long_lines_go_to_the_text_reader(tmp_path: Path, tiny: None) -> None:
    """A UTF-8 file comes as undecoded chunks cut after \\n; a line that runs over several
    chunks (and a file with only \\r line ends) is handed to the text reader, which applies
    the line-length limit in characters, and nothing differs from the line reader."""
    long_cjk = json.dumps({"content": "长" * 150 + "内部讨论稿"}, ensure_ascii=False)  # 150 chars, 450+ bytes
    too_long = json.dumps({"content": "x" * 500})  # over the 400-character limit
    rows = [json.dumps({"content": t, "conversation": "家族群"}, ensure_ascii=False) for t in TEXTS if t.strip()]
    for name, lines, end in (("long.jsonl", rows + [long_cjk, too_long] + rows, "\n"),
                             ("cr.jsonl", rows * 3, "\r")):
        path = tmp_path / name
        path.write_bytes(("\ufeff" + end.join(lines) + end).encode("utf-8"))
        kinds = {type(c.body) for c in iter_messages([path], chunks=True) if isinstance(c, chunks_mod.Chunk)}
        assert kinds == ({bytes, str} if name == "long.jsonl" else {str})
        assert _run(path, chunked=True) == _run(path, chunked=False)
    bad = _run(tmp_path / "long.jsonl", chunked=True)[1]["bad_records"]
    assert [b["reason"] for b in bad] == ["line longer than 0 MB skipped"]


def test_other_encodings_come_as_text_chunks(tmp_path: Path, tiny: None) -> None:
    rows = "".join(json.dumps({"content": t}, ensure_ascii=False) + "\n" for t in TEXTS if t.strip()) * 4
    for enc in ("gb18030", "utf-16"):
        path = tmp_path / f"{enc}.jsonl"
        path.write_bytes(rows.encode(enc))
        items = [c for c in iter_messages([path], chunks=True) if isinstance(c, chunks_mod.Chunk)]
        assert items and all(isinstance(c.body, str) for c in items)
        assert _run(path, chunked=True) == _run(path, chunked=False)
