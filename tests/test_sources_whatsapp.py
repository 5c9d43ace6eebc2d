"""WhatsApp .txt exports: Android/iOS layouts, locales, marks and multi-line messages."""

from __future__ import annotations

from pathlib import Path

from leakguard.sources import BadRecord, Message, detect_format, iter_messages

FIX = Path(__file__).parent / "fixtures" / "exports" / "whatsapp"


def run(path: Path, **kw: object) -> tuple[list[Message], list[BadRecord]]:
    items = list(iter_messages([path], **kw))  # type: ignore[arg-type]
    return [i for i in items if isinstance(i, Message)], [i for i in items if isinstance(i, BadRecord)]


def test_android_day_first_24h_multiline_and_system_lines() -> None:
    msgs, bad = run(FIX / "WhatsApp Chat with 项目组.txt")
    assert bad == []
    assert [(m.line, m.time, m.sender, m.kind) for m in msgs] == [
        (1, "2024-03-25T09:00:00", None, "system"),
        (2, "2024-03-25T09:01:00", None, "system"),
        (3, "2024-03-25T09:02:00", "陈经理", "text"),
        (5, "2024-03-25T09:05:00", "林助理", "file"),
        (6, "2024-03-26T18:40:00", "林助理", "recall"),
        (7, "2024-04-02T08:15:00", "陈经理", "text"),  # 02/04 is 2 April: the file is day-first
    ]
    assert msgs[2].text == "合同草稿先发大家看看\n第二页的报价还没定，别外传"
    assert msgs[1].text == '陈经理 created group "项目组"'
    assert msgs[3].text == "<Media omitted>"
    assert {m.conversation for m in msgs} == {"项目组"}


def test_ios_month_first_12h_marks_and_non_contacts() -> None:
    msgs, bad = run(FIX / "_chat.txt")
    assert bad == []
    assert [(m.line, m.time, m.sender, m.kind) for m in msgs] == [
        (1, "2024-01-05T09:12:03", "王老师", "system"),
        (2, "2024-01-05T09:12:40", "王老师", "text"),
        (3, "2024-01-05T09:12:48", "王老师", "image"),
        (4, "2024-01-05T21:15:10", "家长李女士", "text"),  # U+202F before PM, '~ ' prefix
        (5, "2024-01-13T10:01:00", "王老师", "text"),
    ]
    assert msgs[2].text == "image omitted"  # the U+200E marks are gone
    assert msgs[4].text == "这个不行\n全班的不能给"
    assert {m.conversation for m in msgs} == {None}


def test_chinese_locale_in_utf16() -> None:
    raw = (FIX / "与李四的 WhatsApp 聊天.txt").read_bytes()
    assert raw.startswith(b"\xff\xfe")
    msgs, bad = run(FIX / "与李四的 WhatsApp 聊天.txt")
    assert bad == []
    assert [(m.time, m.sender, m.kind, m.text) for m in msgs] == [
        ("2024-05-06T15:19:00", None, "system", msgs[0].text),
        ("2024-05-06T15:20:00", "李四", "text", "报价单我晚点发你"),
        ("2024-05-06T15:21:00", "李四", "file", "<省略影音内容>"),
        ("2024-05-07T09:00:00", "张三", "text", "收到，别给别的供应商看"),
    ]
    assert msgs[0].text.startswith("消息和通话已进行端到端加密")
    assert {m.conversation for m in msgs} == {"李四"}


def test_locale_variants_line_by_line(tmp_path: Path) -> None:
    p = tmp_path / "variants.txt"
    p.write_text(
        "[05.05.23, 15:48:11] 甲: 德语区格式\n"
        "1/23/23, 3:22_AM - 乙: 下划线的时间\n"
        "[2023/5/4, 16:13:23] ~ 丙: 年在前\n"
        "7/19/22, 11:32\u202fPM - 丁: 窄空格\n"
        "[2022/7/21 05:11:12] 戊: 中文系统\n",
        encoding="utf-8",
    )
    assert detect_format(p) == "whatsapp-txt"
    msgs, bad = run(p)
    assert bad == []
    assert [(m.time, m.sender) for m in msgs] == [
        ("2023-05-05T15:48:11", "甲"), ("2023-01-23T03:22:00", "乙"), ("2023-05-04T16:13:23", "丙"),
        ("2022-07-19T23:32:00", "丁"), ("2022-07-21T05:11:12", "戊")]


def test_ambiguous_dates_follow_the_clock_style(tmp_path: Path) -> None:
    p24 = tmp_path / "a.txt"
    p24.write_text("03/04/24, 10:00 - 甲: 二十四小时制\n", encoding="utf-8")
    p12 = tmp_path / "b.txt"
    p12.write_text("[03/04/24, 10:00:00 AM] 甲: 十二小时制\n", encoding="utf-8")
    assert run(p24)[0][0].time == "2024-04-03T10:00:00"  # day first
    assert run(p12)[0][0].time == "2024-03-04T10:00:00"  # month first (US clients write AM/PM)
