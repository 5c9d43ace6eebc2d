"""QQ 消息管理器 .txt exports and QQ window copies."""

from __future__ import annotations

from pathlib import Path

from leakguard.sources import BadRecord, Message, detect_format, iter_messages

FIX = Path(__file__).parent / "fixtures" / "exports"


def run(path: Path, **kw: object) -> tuple[list[Message], list[BadRecord]]:
    items = list(iter_messages([path], **kw))  # type: ignore[arg-type]
    return [i for i in items if isinstance(i, Message)], [i for i in items if isinstance(i, BadRecord)]


def test_fixture_really_is_gb18030_with_crlf() -> None:
    raw = (FIX / "qq" / "全部消息记录.txt").read_bytes()
    assert b"\r\n" in raw and raw.count(b"\n") == raw.count(b"\r\n")
    raw.decode("gb18030")
    assert not _is_utf8(raw)


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def test_export_all_switches_conversation_per_block() -> None:
    msgs, bad = run(FIX / "qq" / "全部消息记录.txt")
    assert bad == []
    assert [(m.line, m.conversation, m.sender) for m in msgs] == [
        (9, "老郑", "老郑"),
        (13, "老郑", "我的昵称"),
        (22, "市局信息化项目组", "项目经理【老周】(20001)"),
        (25, "市局信息化项目组", "系统消息(10000)"),
        (28, "市局信息化项目组", "小唐<tang@example.com>"),
        (31, "市局信息化项目组", "项目经理【老周】(20001)"),
    ]
    assert msgs[0].text == "周报我改好了，\n你看看第三段那几个数字"
    assert msgs[0].time == "2016-11-02T09:15:02+08:00"  # unpadded hour
    assert (msgs[3].kind, msgs[3].text) == ("system", "小唐加入本群。")
    assert msgs[4].kind == "image"
    assert msgs[5].text == "数据库密码统一改成新的了\n找我单独要"


def test_twelve_hour_export_empty_message_and_header_like_body() -> None:
    msgs, bad = run(FIX / "qq" / "卫健委值班群_12h.txt")
    assert bad == []
    assert [(m.line, m.time, m.kind) for m in msgs] == [
        (9, "2019-12-30T20:05:17+08:00", "text"),
        (13, "2019-12-30T20:06:02+08:00", "system"),
        (19, "2019-12-30T23:59:59+08:00", "file"),  # the empty message at line 16 is dropped
        (22, "2019-12-31T00:00:30+08:00", "text"),  # 12:00:30 AM
    ]
    # a body line shaped like a header stays in the message: headers follow a blank line
    assert msgs[0].text == "今晚值班表：\n2019-12-31 8:00:00 AM 交班"
    assert msgs[1].text == "值班员小林撤回了一条消息"
    assert {m.conversation for m in msgs} == {"卫健委值班群"}


def test_single_conversation_without_banner_is_still_qq(tmp_path: Path) -> None:
    p = tmp_path / "老友.txt"
    p.write_text("2012-03-04 21:05:06 阿明(123456)\n周末加班的事别跟别人说\n\n"
                 "2012-03-04 21:06:00 阿亮(654321)\n好\n", encoding="utf-8")
    assert detect_format(p) == "qq-txt"
    msgs, _ = run(p)
    assert [(m.sender, m.text, m.conversation) for m in msgs] == [
        ("阿明(123456)", "周末加班的事别跟别人说", None), ("阿亮(654321)", "好", None)]


def test_window_copy_in_utf16_with_notices_and_date_lines() -> None:
    raw = (FIX / "qq" / "window_copy.txt").read_bytes()
    assert raw.startswith(b"\xff\xfe") and b"\r\x00\n\x00" in raw
    msgs, bad = run(FIX / "qq" / "window_copy.txt")
    assert bad == []
    assert [(m.line, m.sender, m.time, m.kind) for m in msgs] == [
        (1, "【管理员】周站长", "2021-01-06T08:02:11+08:00", "text"),
        (4, "小何", "2021-01-06T08:03:27+08:00", "text"),
        (7, None, None, "system"),
        (9, "小何", "2021-01-06T08:04:01+08:00", "image"),
        (12, None, None, "system"),
        (14, "小吴", "2021-01-06T15:15:09+08:00", "text"),  # '2021/1/6 星期三 下午 3:15:09'
        (19, "周站长", "2021-01-07T09:30:00+08:00", "text"),  # time only; date from ' 2021-01-07'
    ]
    assert msgs[2].text == "你撤回了一条消息"
    assert msgs[4].text == "周站长邀请小吴加入了本群。"
    assert msgs[5].text == "我是新来的小吴\n以后请多关照"


def test_window_copy_recall_notice_that_names_the_content(tmp_path: Path) -> None:
    p = tmp_path / "copy.txt"
    p.write_text("老李 3/2/2020 10:00:01 AM\n考生名单发你了\n\n老李 3/2/2020 10:00:09 AM\n先别外传\n\n"
                 "老李撤回了一条消息：考生名单发你了\n\n老王撤回了一条消息：从没发过的话\n", encoding="utf-8")
    msgs, _ = run(p, fmt="qq-copy")
    assert [(m.text, m.kind, m.recalled) for m in msgs] == [
        ("考生名单发你了", "text", True),
        ("先别外传", "text", False),
        ("从没发过的话", "recall", False),
    ]
    assert msgs[2].sender == "老王"


def test_user_text_mentioning_recall_is_not_a_notice(tmp_path: Path) -> None:
    p = tmp_path / "copy.txt"
    p.write_text("小周 3/2/2020 10:00:01 AM\n第一段\n\n你撤回了一条消息，但我已经截图了\n", encoding="utf-8")
    msgs, _ = run(p, fmt="qq-copy")
    assert [(m.text, m.kind) for m in msgs] == [("第一段\n\n你撤回了一条消息，但我已经截图了", "text")]
