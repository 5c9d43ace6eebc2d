"""Generic CSV/TSV, JSON Lines, JSON documents and plain text."""

from __future__ import annotations

from pathlib import Path

from leakguard.sources import BadRecord, Message, iter_messages

FIX = Path(__file__).parent / "fixtures" / "exports" / "generic"


def run(path: Path, **kw: object) -> tuple[list[Message], list[BadRecord]]:
    items = list(iter_messages([path], **kw))  # type: ignore[arg-type]
    return [i for i in items if isinstance(i, Message)], [i for i in items if isinstance(i, BadRecord)]


def test_csv_with_guessed_chinese_columns() -> None:
    msgs, bad = run(FIX / "工作记录.csv")
    assert bad == []
    assert [(m.line, m.sender, m.time, m.conversation, m.kind) for m in msgs] == [
        (2, "郑科员", "2024-01-08T10:00:00", "考核工作群", "text"),
        (3, "何主任", "2024-01-08T10:02:30", "考核工作群", "text"),
        (6, "郑科员", "2024-01-08T10:04:00", "考核工作群", "file"),  # the empty row at line 5 is skipped
    ]
    assert msgs[1].text == "收到。\n结果公示前不要外传"


def test_tsv_times_keep_the_zone_the_source_gives() -> None:
    msgs, _ = run(FIX / "tickets.tsv")
    assert [(m.sender, m.time, m.text) for m in msgs] == [
        ("客服小孟", "2024-02-02T08:00:00+08:00", "用户反映身份证信息被泄露，已登记"),
        ("客服小孟", "2024-02-02T00:00:00+00:00", "已转交安全组处理"),  # epoch seconds
    ]


def test_csv_text_field_option(tmp_path: Path) -> None:
    p = tmp_path / "log.csv"
    p.write_text("编号,备注,说明\n1,名单已发,第二列\n", encoding="utf-8")
    msgs, bad = run(p)
    assert msgs == [] and [(b.line, b.reason) for b in bad] == [
        (1, "no text field found; use --text-field (fields: 编号, 备注, 说明)")]
    msgs, bad = run(p, text_field="备注")
    assert [m.text for m in msgs] == ["名单已发"] and bad == []
    _, bad = run(p, text_field="正文")
    assert bad[0].reason == "no field '正文' (fields: 编号, 备注, 说明)"


def test_csv_broken_rows_are_counted(tmp_path: Path) -> None:
    p = tmp_path / "log.csv"
    p.write_text("sender,content\n甲,第一条\n乙,第二条,多出来的一列\n丙,第三条,\n", encoding="utf-8")
    msgs, bad = run(p)
    assert [m.text for m in msgs] == ["第一条", "第三条"]  # an empty extra cell is tolerated
    assert [(b.line, b.reason) for b in bad] == [(3, "expected 2 fields, got 3")]


def test_jsonl_guesses_fields_and_reports_bad_lines() -> None:
    msgs, bad = run(FIX / "chat.jsonl")
    assert [(m.line, m.sender, m.time, m.conversation, m.text) for m in msgs] == [
        (1, "钟主任", "2024-05-20T09:00:00", "办公室", "新一批干部任免名单还在审，不要打听"),
        (2, "小冯", "2024-05-20T09:01:00", None, "明白"),
    ]
    assert [(b.line, b.reason) for b in bad] == [
        (3, "invalid JSON: Expecting value"),
        (4, "no text field found; use --text-field (fields: time, sender, note)"),
    ]


def test_jsonl_dotted_text_field() -> None:
    msgs, bad = run(FIX / "custom_fields.jsonl", text_field="payload.note")
    assert bad == []
    assert [(m.sender, m.time, m.text) for m in msgs] == [
        ("钟主任", None, "任免名单下周一上会"), ("小冯", None, "好的")]


def test_json_document_with_a_messages_array() -> None:
    msgs, bad = run(FIX / "值班群.json")
    assert bad == []
    assert [(m.line, m.sender, m.conversation, m.time, m.text) for m in msgs] == [
        (4, "值班长", "值班群", "2024-06-01T20:00:00", "今晚的巡查路线别发到外面"),
        (9, "队员甲", "值班群", "2024-06-01T20:01:00", "收到"),
    ]


def test_plain_text_paragraphs() -> None:
    msgs, bad = run(FIX / "随手记.txt")
    assert bad == []
    assert [(m.line, m.text) for m in msgs] == [
        (1, "周一例会要点\n下季度人员调整方案暂不公开"),
        (4, "联系人：\n张某某 13900001234"),
        (7, "其余事项另行通知"),
    ]
    assert {(m.sender, m.time, m.conversation, m.kind) for m in msgs} == {(None, None, None, "text")}
