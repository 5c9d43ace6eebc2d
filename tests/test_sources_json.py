"""Telegram Desktop result.json, WeCom 会话内容存档 JSON/JSONL and the incremental JSON reader."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from leakguard.sources import BadRecord, Message, iter_messages, jsonstream
from leakguard.sources.jsonstream import JsonReader, JsonSyntaxError, RecordError, Walk, sanitize

FIX = Path(__file__).parent / "fixtures" / "exports"


def run(path: Path, **kw: object) -> tuple[list[Message], list[BadRecord]]:
    items = list(iter_messages([path], **kw))  # type: ignore[arg-type]
    return [i for i in items if isinstance(i, Message)], [i for i in items if isinstance(i, BadRecord)]


# --- Telegram ----------------------------------------------------------------------------


def test_telegram_single_chat() -> None:
    msgs, bad = run(FIX / "telegram" / "result.json")
    assert [(b.line, b.reason) for b in bad] == [(100, "invalid JSON: Expecting ',' delimiter (line 103)")]
    assert [(m.line, m.kind, m.sender) for m in msgs] == [
        (6, "system", "周组长"), (22, "text", "周组长"), (37, "text", "韩干事"), (82, "image", "韩干事"),
        (105, "file", "周组长"), (118, "sticker", "user1003")]
    assert {m.conversation for m in msgs} == {"督导组"}
    assert msgs[0].text == "周组长 create_group 督导组 周组长, 韩干事"
    assert msgs[1].time == "2024-02-01T09:05:11"  # local time without zone, as written


def test_telegram_entity_list_link_targets_and_invalid_escape() -> None:
    raw = (FIX / "telegram" / "result.json").read_text(encoding="utf-8")
    assert '"\\x07。"' in raw
    with pytest.raises(json.JSONDecodeError):
        json.loads(raw)
    msgs, _ = run(FIX / "telegram" / "result.json")
    entity = msgs[2]
    assert entity.text == "点位清单见这里，联系人电话 13800001111\x07。\nhttps://example.org/internal/route-2024"


def test_telegram_media_placeholders_and_unix_time() -> None:
    msgs, _ = run(FIX / "telegram" / "result.json")
    assert msgs[3].text == "[图片]\n暗访路线图"
    assert msgs[4].text == "[文件] 暗访点位及联系人.xlsx"
    assert msgs[5].text == "[表情] 👍" and msgs[5].time == "2024-02-01T01:13:20+00:00"


def test_telegram_export_all_layout() -> None:
    msgs, bad = run(FIX / "telegram" / "export_all_result.json")
    assert bad == []
    assert [(m.conversation, m.text, m.line) for m in msgs] == [
        ("韩干事", "处分名单周五公布，之前别说", 1),
        ("saved_messages:1001", "备忘：会议纪要第3条不公开", 1),
        ("旧项目群", "项目预算表别外发", 1),
    ]
    # the contacts and personal_information sections are skipped, not read as messages
    assert not any("+86" in m.text for m in msgs)


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 7, 64, 1000])
def test_telegram_same_result_with_tiny_chunks(monkeypatch: pytest.MonkeyPatch, chunk: int) -> None:
    want = run(FIX / "telegram" / "result.json")
    monkeypatch.setattr(jsonstream, "CHUNK", chunk)
    assert run(FIX / "telegram" / "result.json") == want


def test_truncated_document_reports_where_it_broke(tmp_path: Path) -> None:
    src = (FIX / "telegram" / "result.json").read_text(encoding="utf-8")
    p = tmp_path / "result.json"
    p.write_text(src[: src.index('"id": 6')], encoding="utf-8")
    msgs, bad = run(p)
    assert len(msgs) == 4
    assert bad[-1].reason == "invalid JSON: unexpected end of file; rest of file skipped"
    assert bad[-1].line == 106  # where the file ends, inside the message that starts on line 105


# --- the reader itself -------------------------------------------------------------------------


def _records(text: str, walk: Walk, chunk: int = 4) -> list[tuple[int, object]]:
    jsonstream.CHUNK, old = chunk, jsonstream.CHUNK
    try:
        return [(line, value) for line, value, _ in walk.run(JsonReader(io.StringIO(text)))]
    finally:
        jsonstream.CHUNK = old


def test_reader_escapes_across_chunk_boundaries() -> None:
    text = '[\n{"t": "a\\x41b"},\n{"t": "c\\\\x41d"},\n{"t": "\\u4e2d\\"\\\\"}\n]'
    walk = Walk(frozenset())
    for chunk in range(1, 12):
        assert _records(text, walk, chunk) == [(2, {"t": "aAb"}), (3, {"t": "c\\x41d"}), (4, {"t": '中"\\'})]


def test_reader_skips_unwanted_sections_and_keeps_context() -> None:
    text = json.dumps({"skip": {"messages": [{"no": 1}], "x": "]}"}, "name": "甲群", "messages": [{"a": 1}, 2]})
    got = [(v, dict(ctx)) for _, v, ctx in Walk(frozenset({"messages"}), frozenset(),
                                                frozenset({"name"})).run(JsonReader(io.StringIO(text)))]
    assert got == [({"a": 1}, {"name": "甲群"}), (2, {"name": "甲群"})]


def test_reader_bad_record_keeps_going_and_bad_structure_stops() -> None:
    walk = Walk(frozenset())
    got = _records('[{"a": 1}, {"b": 2 "c": 3}, {"d": 4}]', walk)
    assert got[0] == (1, {"a": 1}) and isinstance(got[1][1], RecordError) and got[2] == (1, {"d": 4})
    with pytest.raises(JsonSyntaxError):
        _records('[{"a": 1} {"b": 2}]', walk)
    with pytest.raises(JsonSyntaxError):
        _records("42", walk)


def test_sanitize_only_touches_hex_escapes() -> None:
    assert sanitize('"\\x1b[0m \\\\x41 \\u0041"') == '"\\u001b[0m \\\\x41 \\u0041"'


# --- WeCom ---------------------------------------------------------------------------------------


def test_wecom_jsonl_actions_and_payloads() -> None:
    msgs, bad = run(FIX / "wecom" / "msgaudit_2024-06.jsonl")
    assert [(b.line, b.reason) for b in bad] == [(5, "invalid JSON: Expecting property name enclosed in double quotes")]
    assert [(m.line, m.kind, m.sender, m.recalled) for m in msgs] == [
        (1, "text", "zhangwei", False),
        (2, "file", "zhangwei", True),  # recalled by line 3, which is not emitted itself
        (4, "link", "lihong", False),
        (6, "system", "zhangwei", False),
        (7, "forward", "wangfang", False),
        (8, "recall", "wangfang", False),  # its pre_msgid is not in the file
        (9, "location", "lihong", False),
    ]
    assert msgs[0].time == "2024-06-10T14:13:20+08:00"
    assert msgs[0].conversation == "lihong、zhangwei"
    assert msgs[1].text == "[文件] 体检异常人员名单.xlsx"
    assert msgs[2].text == "[链接] 关于调整年度考核结果的说明\n内部讨论稿\nhttps://example.org/wecom/doc/5"
    assert msgs[2].conversation == "wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA"
    assert msgs[4].text == "[聊天记录] 群聊的聊天记录\n考核结果周五前不要外传\n考核结果.xlsx"
    assert msgs[6].text == "[位置] 体检中心\n北京市海淀区学院路9号"
    assert not any("sdkfileid" in m.text or "CtYB" in m.text for m in msgs)


def test_wecom_json_document_with_an_encrypted_record() -> None:
    msgs, bad = run(FIX / "wecom" / "chatdata_page1.json")
    assert [(b.line, b.reason) for b in bad] == [
        (20, "encrypted record (decrypt it with the WeCom finance SDK first)")]
    assert [(m.line, m.text) for m in msgs] == [(5, "孙丽，巡察组下周进驻的消息先保密"), (27, "**收到**，名单不外传")]
