"""leakguard.sources: API, detection, folder walking, encodings, filters, streaming."""

from __future__ import annotations

import codecs
import os
import tracemalloc
from pathlib import Path

import pytest

from leakguard.model import LeakguardError
from leakguard.sources import FORMATS, KINDS, BadRecord, Message, detect_format, iter_messages
from leakguard.sources.base import Keyed, Recall, finish, make_message
from leakguard.sources.timefmt import bound, from_epoch, hour24, parse_datetime

FIX = Path(__file__).parent / "fixtures" / "exports"


def run(paths: list[Path], **kw: object) -> tuple[list[Message], list[BadRecord]]:
    items = list(iter_messages(paths, **kw))  # type: ignore[arg-type]
    return [i for i in items if isinstance(i, Message)], [i for i in items if isinstance(i, BadRecord)]


EXPECTED_FORMATS = {
    "wechatmsg/项目组_utf8.txt": "wechatmsg-txt",
    "wechatmsg/项目组v2.txt": "wechatmsg-txt",
    "wechatmsg/项目组_utf8.csv": "wechatmsg-csv",
    "wechatmsg/v2导出.csv": "wechatmsg-csv",
    "pywxdump/wxid_demo_0_9.csv": "pywxdump-csv",
    "pywxdump/old_content_2024.csv": "pywxdump-csv",
    "wechat-copy/desktop_copy.txt": "wechat-copy",
    "wechat-mail/mail_share_private.txt": "wechat-mail",
    "wechatexporter/财务科工作群.txt": "wechatexporter-txt",
    "qq/全部消息记录.txt": "qq-txt",
    "qq/卫健委值班群_12h.txt": "qq-txt",
    "qq/window_copy.txt": "qq-copy",
    "wecom/msgaudit_2024-06.jsonl": "wecom-json",
    "wecom/chatdata_page1.json": "wecom-json",
    "telegram/result.json": "telegram-json",
    "telegram/export_all_result.json": "telegram-json",
    "whatsapp/WhatsApp Chat with 项目组.txt": "whatsapp-txt",
    "whatsapp/_chat.txt": "whatsapp-txt",
    "whatsapp/与李四的 WhatsApp 聊天.txt": "whatsapp-txt",
    "slack/workspace": "slack",
    "slack/workspace/general/2024-05-01.json": "slack",
    "generic/工作记录.csv": "csv",
    "generic/tickets.tsv": "csv",
    "generic/chat.jsonl": "jsonl",
    "generic/custom_fields.jsonl": "jsonl",
    "generic/值班群.json": "json",
    "generic/随手记.txt": "text",
}


def test_public_api() -> None:
    assert set(FORMATS) == {
        "wechatmsg-txt", "wechatmsg-csv", "pywxdump-csv", "wechat-copy", "wechat-mail", "wechatexporter-txt",
        "qq-txt", "qq-copy", "wecom-json", "telegram-json", "whatsapp-txt", "slack", "zip", "csv", "jsonl",
        "json", "text",
    }
    for name, fmt in FORMATS.items():
        assert fmt.name == name and fmt.description
    m = Message("正文", None, None, None, "x.txt", 1, 0)
    assert (m.kind, m.recalled) == ("text", False)
    with pytest.raises(AttributeError):
        m.text = "改"  # type: ignore[misc]


@pytest.mark.parametrize("rel,expected", sorted(EXPECTED_FORMATS.items()))
def test_detects_every_fixture(rel: str, expected: str) -> None:
    assert detect_format(FIX / rel) == expected


def test_every_fixture_is_listed() -> None:
    files = {str(p.relative_to(FIX)) for p in FIX.rglob("*") if p.is_file()}
    slack = {f for f in files if f.startswith("slack/")}
    assert files - slack <= set(EXPECTED_FORMATS)
    assert files - slack == {k for k in EXPECTED_FORMATS if not k.startswith("slack/")}


def test_all_kinds_are_declared() -> None:
    msgs, _ = run([FIX])
    assert {m.kind for m in msgs} <= set(KINDS)


def test_folder_walk_numbers_messages_across_files() -> None:
    msgs, bad = run([FIX])
    assert [m.index for m in msgs] == list(range(len(msgs)))
    paths = [m.path for m in msgs]
    # sorted walk: generic/ before pywxdump/ before qq/ … ; the Slack folder is read as one export
    assert paths.index(str(FIX / "generic" / "chat.jsonl")) < paths.index(str(FIX / "qq" / "window_copy.txt"))
    slack = [m for m in msgs if "slack" in m.path]
    assert {m.conversation for m in slack} == {"general", "hr-内部"}
    assert not any(b.path.endswith("users.json") or b.path.endswith("channels.json") for b in bad)


def test_walk_skips_hidden_and_media_files_and_survives_symlink_loops(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("第一段\n\n第二段\n", encoding="utf-8")
    (tmp_path / ".secret.txt").write_text("隐藏文件不扫描\n", encoding="utf-8")
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00")
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "b.txt").write_text("子目录的内容\n", encoding="utf-8")
    (sub / "loop").symlink_to(tmp_path, target_is_directory=True)
    msgs, bad = run([tmp_path])
    assert [m.text for m in msgs if m.kind != "attachment"] == ["第一段", "第二段", "子目录的内容"]
    # a photo beside an export is handed to the scanner as an attachment placeholder
    assert [(Path(m.path).name, m.text) for m in msgs if m.kind == "attachment"] == [("photo.jpg", "")]
    assert bad == []


def test_unreadable_inputs_yield_one_bad_record_and_the_scan_goes_on(tmp_path: Path) -> None:
    binary = tmp_path / "a.txt"
    binary.write_bytes(b"\x00\x01\x02\x00" * 100 + b"\x89PNG\x00\x00")
    good = tmp_path / "b.txt"
    good.write_text("正常内容\n", encoding="utf-8")
    fifo = tmp_path / "c.txt"
    os.mkfifo(fifo)
    missing = tmp_path / "missing.txt"
    msgs, bad = run([binary, missing, tmp_path])
    assert [m.text for m in msgs] == ["正常内容"]
    reasons = {Path(b.path).name: (b.line, b.reason) for b in bad}
    assert reasons["missing.txt"] == (0, "no such file")
    assert reasons["c.txt"] == (0, "not a regular file")
    assert reasons["a.txt"][0] == 0 and "binary" in reasons["a.txt"][1]
    assert len(bad) == 4  # a.txt twice: given directly and found again in the folder walk


def test_bad_options_are_errors() -> None:
    with pytest.raises(LeakguardError, match="unknown format"):
        list(iter_messages([FIX], fmt="nope"))
    with pytest.raises(LeakguardError, match="bad date"):
        list(iter_messages([FIX], since="昨天"))
    with pytest.raises(LeakguardError, match="unknown encoding"):
        list(iter_messages([FIX], encoding="latin-9"))


def test_since_until_filter_on_wall_clock_and_keep_timeless() -> None:
    qq = FIX / "qq" / "window_copy.txt"
    msgs, _ = run([qq], since="2021-01-06 08:03", until="2021-01-06")
    assert [m.text for m in msgs] == ["好的", "你撤回了一条消息", "[图片]", "周站长邀请小吴加入了本群。",
                                      "我是新来的小吴\n以后请多关照"]
    assert [m.index for m in msgs] == [0, 1, 2, 3, 4]


def test_forced_format_applies_to_every_file(tmp_path: Path) -> None:
    p = tmp_path / "x.log"
    p.write_text("2024-01-02 03:04:05 某人\n内容\n", encoding="utf-8")
    msgs, _ = run([p], fmt="text")
    assert [m.text for m in msgs] == ["2024-01-02 03:04:05 某人\n内容"]
    msgs, _ = run([p], fmt="wechatmsg-txt")
    assert [(m.sender, m.text) for m in msgs] == [("某人", "内容")]


# --- encodings and line endings ------------------------------------------------------------

TEXT_FIXTURES = [
    "wechatmsg/项目组_utf8.txt", "wechat-copy/desktop_copy.txt", "wechatexporter/财务科工作群.txt",
    "qq/卫健委值班群_12h.txt", "whatsapp/WhatsApp Chat with 项目组.txt", "wechatmsg/项目组_utf8.csv",
    "generic/随手记.txt",
]
VARIANTS = {
    "utf-8-bom": lambda s: codecs.BOM_UTF8 + s.encode("utf-8"),
    "gb18030": lambda s: s.encode("gb18030"),
    "utf-16-bom": lambda s: s.encode("utf-16"),
    "utf-16le-nobom": lambda s: s.encode("utf-16-le"),
    "crlf": lambda s: s.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8"),
    "lone-cr": lambda s: s.replace("\r\n", "\n").replace("\n", "\r").encode("utf-8"),
}


def _key(m: Message) -> tuple[object, ...]:
    return (m.text, m.sender, m.time, m.line, m.kind, m.conversation, m.recalled)


# (a CSV with lone-CR row ends is not produced by any writer: a CR inside a quoted cell is data)
ENCODING_CASES = [(r, v) for r in TEXT_FIXTURES for v in sorted(VARIANTS) if not (r.endswith(".csv") and v == "lone-cr")]


@pytest.mark.parametrize("rel,variant", ENCODING_CASES)
def test_encodings_and_newlines_give_the_same_messages(tmp_path: Path, rel: str, variant: str) -> None:
    src = FIX / rel
    text = src.read_bytes().decode("utf-8-sig")
    dst = tmp_path / src.name
    dst.write_bytes(VARIANTS[variant](text))
    fmt = detect_format(src)
    assert detect_format(dst) == fmt
    want = [_key(m) for m in run([src])[0]]
    got = [_key(m) for m in run([dst])[0]]
    assert got == want and want


def test_invalid_bytes_mid_file_are_reported_and_replaced(tmp_path: Path) -> None:
    p = tmp_path / "notes.txt"
    body = ("正常的一段话\n\n" * 8000).encode("utf-8")  # > 64 KB, so the sniffer sees clean UTF-8
    p.write_bytes(body + "坏字节在这里".encode() + b"\xff\xfe" + "之后\n".encode())
    msgs, bad = run([p])
    assert msgs[-1].text == "坏字节在这里\ufffd\ufffd之后"
    assert [(b.line, b.reason) for b in bad] == [(16001, "undecodable bytes replaced with U+FFFD")]


def test_a_bad_byte_in_the_sniffed_head_is_reported_not_fatal(tmp_path: Path) -> None:
    """One corrupt byte in the first 64 KB no longer makes the whole file unreadable."""
    p = tmp_path / "notes.txt"
    p.write_bytes("第一行\n\n".encode() + b"\xff" + "坏了\n\n".encode() + "正常的一段话\n\n".encode() * 50)
    msgs, bad = run([p])
    assert [m.text for m in msgs[:2]] == ["第一行", "\ufffd坏了"] and len(msgs) == 52
    assert [(b.line, b.reason) for b in bad] == [(3, "undecodable bytes replaced with U+FFFD")]
    p.write_bytes("2024-05-30 10:00:00 张三\n名单发你".encode() + b"\xff" + "们了\n".encode())  # short: one is enough
    msgs, bad = run([p])
    assert [m.text for m in msgs] == ["名单发你\ufffd们了"] and len(bad) == 1
    p.write_bytes(b"\x80\xfd\xff" + "短".encode())  # mostly garbage: still refused
    msgs, bad = run([p])
    assert msgs == [] and len(bad) == 1 and "cannot decode" in bad[0].reason


def test_a_line_without_newlines_is_read_in_bounded_pieces(tmp_path: Path) -> None:
    p = tmp_path / "one_line.txt"
    p.write_text("字" * (3 << 20), encoding="utf-8")
    msgs, bad = run([p])
    assert bad == [] and len(msgs) > 1
    assert sum(len(m.text) for m in msgs) == 3 << 20
    assert max(len(m.text) for m in msgs) <= (1 << 20) + 64 * 1024


@pytest.mark.parametrize("ending", ["\r\n", "\n", "\r"])
@pytest.mark.parametrize("size", [6, 7, 8, 13, 14, 15])
def test_long_lines_keep_their_numbers_whatever_the_line_ending(
        monkeypatch: pytest.MonkeyPatch, ending: str, size: int) -> None:
    """A line cut into MAX_LINE pieces keeps one number, even when a cut falls inside a CRLF."""
    import io

    from leakguard.sources import blocks

    monkeypatch.setattr(blocks, "MAX_LINE", 8)
    lines = ["长" * size, "", "短", "字" * 7]
    got = list(blocks.iter_lines(io.StringIO(ending.join(lines) + ending, newline="")))
    assert [n for n, _ in got][-1] == 4
    assert ["".join(piece for n, piece in got if n == i + 1) for i in range(4)] == lines
    assert all(len(piece) <= 8 for _, piece in got)

# --- streaming ----------------------------------------------------------------------------------


def _peak_while_parsing(path: Path) -> tuple[int, int]:
    tracemalloc.start()
    try:
        count = sum(1 for item in iter_messages([path]) if isinstance(item, Message))
        return count, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _qq_export(path: Path, n: int) -> Path:
    block = "2020-01-31 21:19:33 张三(10001)\r\n一条用来测量内存的消息正文，内容重复。\r\n\r\n"
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("消息记录（此消息记录为文本格式，不支持重新导入）\r\n\r\n")
        f.write(block * n)
    return path


def _telegram_export(path: Path, n: int) -> Path:
    msg = ('  {\n   "id": %d,\n   "type": "message",\n   "date": "2024-01-01T10:00:00",\n   "from": "甲",\n'
           '   "text": ["内部资料", {"type": "bold", "text": "勿外传"}, "\\x07"]\n  }')
    with open(path, "w", encoding="utf-8") as f:
        f.write('{\n "name": "大群",\n "type": "private_group",\n "id": 1,\n "messages": [\n')
        f.write(",\n".join(msg % i for i in range(n)))
        f.write("\n ]\n}\n")
    return path


@pytest.mark.parametrize("make", [_qq_export, _telegram_export], ids=["qq-txt", "telegram-json"])
def test_memory_stays_flat_when_the_input_triples(tmp_path: Path, make: object) -> None:
    small = make(tmp_path / "small", 10000)  # type: ignore[operator]
    big = make(tmp_path / "big", 30000)  # type: ignore[operator]
    n_small, peak_small = _peak_while_parsing(small)
    n_big, peak_big = _peak_while_parsing(big)
    assert (n_small, n_big) == (10000, 30000)
    assert peak_big < peak_small * 1.25 + (256 << 10)
    assert peak_big < 8 << 20  # a few chunks and the recall window, whatever the size


# --- recall window and time helpers ----------------------------------------------------------


def test_finish_marks_recalled_messages_by_id_and_by_content() -> None:
    a = make_message("原话一", "f", 1, sender="甲")
    b = make_message("原话二", "f", 2, sender="乙")
    by_id = Recall("m1", None, "甲", make_message("[撤回了一条消息]", "f", 3, kind="recall"))
    by_text = Recall(None, "原话二", "乙", make_message("原话二", "f", 4, kind="recall"))
    missing = Recall("m9", None, None, make_message("[撤回了一条消息]", "f", 5, kind="recall"))
    out = list(finish([Keyed("m1", a), b, by_id, by_text, missing]))
    assert [(m.text, m.recalled, m.kind, m.index) for m in out if isinstance(m, Message)] == [
        ("原话一", True, "text", 0), ("原话二", True, "text", 1), ("[撤回了一条消息]", False, "recall", 2)]


def test_finish_window_is_bounded() -> None:
    msgs = [Keyed(str(i), make_message(f"第{i}条", "f", i)) for i in range(30)]
    late = Recall("0", None, None, make_message("[撤回了一条消息]", "f", 99, kind="recall"))
    out = [m for m in finish([*msgs, late], window=10) if isinstance(m, Message)]
    assert not out[0].recalled and out[-1].kind == "recall" and len(out) == 31


def test_time_helpers() -> None:
    assert hour24(12, "AM") == 0 and hour24(12, "PM") == 12 and hour24(3, "下午") == 15 and hour24(9, None) == 9
    assert parse_datetime("2021/8/20 星期五 下午 2:04:59", "+08:00") == "2021-08-20T14:04:59+08:00"
    assert parse_datetime("2024/10/4 11:43") == "2024-10-04T11:43:00"
    assert parse_datetime("2024-02-02T08:00:00Z") == "2024-02-02T08:00:00+00:00"
    assert parse_datetime("2024-02-30 08:00:00") is None
    assert parse_datetime("1706832000") == "2024-02-02T00:00:00+00:00"
    assert from_epoch(1718000000000, "+08:00") == "2024-06-10T14:13:20+08:00"
    assert bound("2024-05-01") == "2024-05-01T00:00:00"
    assert bound("2024-05-01", end=True) == "2024-05-01T23:59:59"
    assert bound("2024-05-01 08:30", end=True) == "2024-05-01T08:30:00"


def test_undecodable_bytes_in_a_sender_name_are_repaired(tmp_path: Path) -> None:
    p = tmp_path / "qq.txt"
    clean = ("2020-01-31 21:19:33 张三(10001)\n正文\n\n" * 3000).encode("utf-8")  # > 64 KB
    p.write_bytes(clean + b"2020-01-31 21:19:34 \xff\xfe(10002)\n" + "后来的正文\n".encode())
    msgs, bad = run([p], fmt="qq-txt")
    assert msgs[-1].sender == "\ufffd\ufffd(10002)" and msgs[-1].text == "后来的正文"
    assert [(b.line, b.reason) for b in bad] == [(9001, "undecodable bytes replaced with U+FFFD")]


@pytest.mark.parametrize("line,notice", [
    ("你撤回了一条消息", True), ('"王主任" 撤回了一条消息', True), ("守善锤撤回了一条消息", True),
    ('"甲" 拍了拍 "乙"', True), ("小唐加入本群。", True), ("你和abc有12个共同好友，点击添加好友。", True),
    ("我拍了拍他的肩膀说别外传", False), ("你撤回了一条消息，但我已经截图了", False), ("大家都加入本群讨论一下名单吧", False),
    ("李四撤回了一条消息：名单别外传", True),
])
def test_notice_lines_are_whole_line_patterns(line: str, notice: bool) -> None:
    from leakguard.sources.markers import system_line

    assert system_line(line) is notice
