"""Chat exports in chunks (``leakguard.sources.bulk``) give exactly what the ordinary parsers give.

Random exports of each format with a bulk reader mix ordinary messages with every oddity the
bulk parse must leave to the ordinary parser or get right itself: multi-line bodies, blank and
whitespace-only lines, layout and separator lines, system notices, recalls that mark earlier
messages, header-like body lines, invalid dates, undecodable bytes, CRLF/CR line ends,
over-long lines and blocks, other encodings, personal data in names.  Chunks are made tiny
so that a file spans many; the same files are also compared chunk by chunk (bulk parse
against the ordinary parser with the chunk's state) and with ``--jobs 2``.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leakguard import scan as scan_mod
from leakguard.scan import Summary, scan
from leakguard.scanner import Scanner
from leakguard.sources import blocks, bulk, iter_messages
from leakguard.sources.base import Chunk, Message

TEXTS = [
    "明天上午九点开会，大家准时到。",
    "这是内部讨论稿，先别外传，正式通知下周发。",
    "患者张某某，身份证 110105194912310025，住院病历我拍给你们看。",
    "今晚开会研究要不要封城，先别往外说。",
    "好的收到",
    "[图片]",
    "【文件】名单.xlsx",
    "我家住在幸福路18号3栋2单元501室",
    "电话 13912345678 有事联系",
    "據說明天全市停課，內部消息",
    "表情😀和\u200b零宽字符",
    "ok 👍",
]
NAMES = ["张三", "李四(10001)", "客户 13812345678", "王主任<wang@example.com>", "系统消息(10000)", "~ 赵敏",
         "小刘&amp;小陈", "身份证110105194912310025", "\u200e陈经理", "Dr. Feather", "尾有空格 ", "全角空格\u3000",
         "~\u202f钱七"]
ODD_LINES = ["", "   ", "\u3000", "\t", "2024-05-01 开会", "2024-02-30 09:00:00 张三", "2023-02-29 10:00:00 李四",
             "2024-02-29 10:00:00 闰日", "2024-05-01 24:00:00 晚", "================", "=" * 64,
             "消息分组:我的群聊", "消息对象:另一个群", "消息记录（此消息记录为文本格式，不支持重新导入）",
             "1. 第一条", "3.5 小时", "12/9/20, 23:55", "            [链接]:标题", "李四撤回了一条消息：这是内部讨论稿，先别外传，正式通知下周发。",
             "\"王主任\" 撤回了一条消息", "  缩进的一行", "行尾有空格   ", "２０２４-05-01 09:00:00 全角", "\x1c", "\x0c",
             "行内\u2028分隔", "\ufeff2024-05-01 09:00:00 张三", "2024-05-01 09:00:00\t", "[1/5/24, 9:12:03 AM] 王老师: 假头"]
BAD = "\udcff"  # stands for an undecodable byte (written as b"\xff")


def _time(draw: Any, style: str) -> str:
    y, mo, d = draw(st.sampled_from([(2024, 5, 1), (2019, 9, 23), (2024, 2, 29), (2023, 12, 31), (2020, 1, 31)]))
    h, mi, s = draw(st.integers(0, 23)), draw(st.integers(0, 59)), draw(st.integers(0, 59))
    if style == "qq":
        fmt = draw(st.sampled_from(["24", "pad", "ampm", "pre"]))
        if fmt == "24":
            return f"{y}-{mo}-{d} {h}:{mi:02d}:{s:02d}"
        if fmt == "pad":
            return f"{y}-{mo:02d}-{d:02d} {h:02d}:{mi:02d}:{s:02d}"
        if fmt == "ampm":
            return f"{y}-{mo:02d}-{d:02d} {h % 12 or 12}:{mi:02d}:{s:02d} {'PM' if h >= 12 else 'AM'}"
        return f"{y}-{mo:02d}-{d:02d} {'下午' if h >= 12 else '上午'} {h % 12 or 12}:{mi:02d}:{s:02d}"
    return f"{y}-{mo:02d}-{d:02d} {h:02d}:{mi:02d}:{s:02d}"


def _body(draw: Any) -> list[str]:
    lines = []
    for _ in range(draw(st.integers(0, 3))):
        lines.append(draw(st.sampled_from(TEXTS)) if draw(st.integers(0, 4)) else draw(st.sampled_from(ODD_LINES)))
    return lines


def _qq(draw: Any) -> list[str]:
    out: list[str] = []
    if draw(st.booleans()):
        out += ["消息记录（此消息记录为文本格式，不支持重新导入）", ""]
    for _ in range(draw(st.integers(1, 25))):
        kind = draw(st.sampled_from(["msg"] * 8 + ["section", "system", "odd"]))
        if kind == "section":
            out += ["=" * 64, "消息分组:我的群聊", "=" * 64, f"消息对象:{draw(st.sampled_from(NAMES))}", "=" * 64, ""]
        elif kind == "odd":
            out.append(draw(st.sampled_from(ODD_LINES)))
        else:
            name = "系统消息(10000)" if kind == "system" else draw(st.sampled_from(NAMES))
            out.append(f"{_time(draw, 'qq')} {name}")
            out += _body(draw)
            out += [""] * draw(st.sampled_from([1, 1, 1, 2, 0]))
    return out


def _wechatmsg(draw: Any) -> list[str]:
    out: list[str] = []
    for _ in range(draw(st.integers(1, 25))):
        kind = draw(st.sampled_from(["msg"] * 8 + ["v1-system", "v2-system", "card", "odd"]))
        when = _time(draw, "wcm")
        if kind == "v1-system":
            out += [f"{when} \"{draw(st.sampled_from(NAMES))}\" 撤回了一条消息", ""]
        elif kind == "v2-system":
            out += [when, "\"陈科长\"邀请\"林涛\"加入了群聊", ""]
        elif kind == "card":
            out += [f"{when} {draw(st.sampled_from(NAMES))}", " " * 12 + "[链接]:关于调整值班安排的通知:",
                    " " * 12 + "url:https://example.org/notice", " " * 12, ""]
        elif kind == "odd":
            out.append(draw(st.sampled_from(ODD_LINES)))
        else:
            out.append(f"{when} {draw(st.sampled_from(NAMES))}")
            out += _body(draw)
            out += [""] * draw(st.sampled_from([1, 1, 1, 2, 0]))
    return out


def _whatsapp(draw: Any) -> list[str]:
    out: list[str] = []
    ios = draw(st.booleans())
    if draw(st.booleans()):
        e2e = "Messages and calls are end-to-end encrypted. No one outside of this chat can read them."
        out.append(f"[1/5/24, 9:12:03 AM] 王老师: \u200e{e2e}" if ios else f"25/03/2024, 09:00 - {e2e}")
    for _ in range(draw(st.integers(1, 30))):
        kind = draw(st.sampled_from(["msg"] * 8 + ["notice", "deleted", "media", "odd"]))
        d, mo = draw(st.sampled_from([(25, 3), (1, 5), (12, 9), (31, 12), (30, 2), (13, 13)]))
        h, mi = draw(st.integers(0, 23)), draw(st.integers(0, 59))
        stamp = (f"[{mo}/{d}/24, {h % 12 or 12}:{mi:02d}:{draw(st.integers(0, 59)):02d} {'PM' if h >= 12 else 'AM'}] "
                 if ios else f"{d:02d}/{mo:02d}/2024, {h:02d}:{mi:02d} - ")
        mark = draw(st.sampled_from(["", "", "\u200e"]))
        if kind == "notice":
            out.append(f"{mark}{stamp}陈经理 created group \"项目组\"")
        elif kind == "odd":
            out.append(draw(st.sampled_from(ODD_LINES)))
        else:
            text = {"deleted": "This message was deleted", "media": "\u200eimage omitted"}.get(
                kind, draw(st.sampled_from(TEXTS)))
            out.append(f"{mark}{stamp}{draw(st.sampled_from(NAMES))}: {text}")
            out += _body(draw) if draw(st.integers(0, 3)) == 0 else []
    return out


LAYOUTS: dict[str, tuple[str, Callable[[Any], list[str]]]] = {
    "qq-txt": ("qq.txt", _qq),
    "wechatmsg-txt": ("项目组.txt", _wechatmsg),
    "whatsapp-txt": ("WhatsApp Chat with 家族群.txt", _whatsapp),
}


@st.composite
def exports(draw: Any, fmt: str) -> tuple[str, bytes, str | None]:
    name, layout = LAYOUTS[fmt]
    lines = layout(draw)
    if draw(st.integers(0, 3)) == 0:  # an over-long line (blocks.MAX_LINE is made small)
        lines.insert(draw(st.integers(0, len(lines))), "长" * draw(st.integers(60, 200)))
    encoding = draw(st.sampled_from(["utf-8"] * 6 + ["utf-8-sig", "gb18030", "utf-16"]))
    ends = draw(st.sampled_from(["\n", "\n", "\r\n", "mixed"]))
    out = b"" if encoding != "utf-8-sig" else b"\xef\xbb\xbf"
    forced = None
    for line in lines:
        end = ends if ends != "mixed" else draw(st.sampled_from(["\n", "\r\n", "\r"]))
        data = (line + end).encode("utf-8" if encoding == "utf-8-sig" else encoding)
        if encoding == "utf-8" and draw(st.integers(0, 50)) == 0:
            data = data[:1] + b"\xff" + data[1:]  # an undecodable byte (read with --encoding utf-8)
            forced = "utf-8"
        out += data
    if draw(st.booleans()):
        out = out.rstrip(b"\r\n") if encoding != "utf-16" else out
    return name, out, forced


def _run(path: Path, chunked: bool, flagged_only: bool = False, jobs: int = 1,
         fmt: str | None = None, encoding: str | None = None) -> tuple[list[Any], dict[str, Any]]:
    summary = Summary()
    out = [(dataclasses.asdict(sm.message), sm.verdict.to_dict(True))
           for sm in scan(Scanner.default(), iter_messages([path], fmt, encoding, chunks=chunked), summary,
                          flagged_only=flagged_only, jobs=jobs)]
    return out, summary.to_dict()


def _opened(o: bulk.Opened) -> tuple[Any, ...]:
    messages = [dataclasses.replace(o.message(i), index=0) for i in range(len(o.texts))]  # scan numbers them
    return o.texts, o.tos, o.at or list(range(len(o.texts))), o.count or len(o.texts), o.bad, messages


def _chunk_by_chunk(path: Path, fmt: str | None = None, encoding: str | None = None) -> int:
    """Each chunk parsed in bulk equals the ordinary parser over it; returns how many were."""
    fast = 0
    for item in iter_messages([path], fmt, encoding, chunks=True):
        if isinstance(item, Chunk) and item.reader is not None:
            reader = bulk.bulk_reader(item.reader.format)
            opened = bulk.open_fast(item)
            if opened is not None:
                fast += 1
                assert _opened(opened) == _opened(bulk.slow(reader.events(item, item.text)))
    return fast


@pytest.fixture
def tiny(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bulk, "CHUNK_BYTES", 61)
    monkeypatch.setattr(bulk, "LONG_CHUNKS", 40)
    monkeypatch.setattr(blocks, "MAX_LINE", 150)
    monkeypatch.setattr(blocks.BlockSpec, "max_chars", 400)


SETTINGS = settings(max_examples=int(os.environ.get("LG_BULK_EXAMPLES", "120")), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def _same_as_ordinary(tmp_path: Path, fmt: str, files: Any) -> None:
    """Random files from ``files``, each scanned in chunks of several sizes and the ordinary way."""
    @SETTINGS
    @given(data=files, flagged_only=st.booleans(), chunk=st.sampled_from([37, 61, 200, 4096]))
    def check(data: tuple[str, bytes, str | None], flagged_only: bool, chunk: int) -> None:
        bulk.CHUNK_BYTES = chunk
        name, body, encoding = data
        path = tmp_path / name
        path.write_bytes(body)
        ordinary = _run(path, chunked=False, flagged_only=flagged_only, fmt=fmt, encoding=encoding)
        assert _run(path, chunked=True, flagged_only=flagged_only, fmt=fmt, encoding=encoding) == ordinary
        _chunk_by_chunk(path, fmt, encoding)

    check()


@pytest.mark.parametrize("fmt", sorted(LAYOUTS))
def test_bulk_gives_what_the_ordinary_parser_gives(tmp_path: Path, tiny: None, fmt: str) -> None:
    _same_as_ordinary(tmp_path, fmt, exports(fmt))


def _plain_export(path: Path, fmt: str, n: int) -> None:
    rows = []
    for i in range(n):
        text = TEXTS[i % len(TEXTS)]
        if fmt == "qq-txt":
            rows += [f"2024-05-{1 + i % 28:02d} {i % 24}:{i % 60:02d}:{i % 59:02d} {NAMES[i % 4]}", text, "第二行", ""]
        elif fmt == "wechatmsg-txt":
            rows += [f"2024-05-{1 + i % 28:02d} {i % 24:02d}:{i % 60:02d}:{i % 59:02d} {NAMES[i % 4]}", text, ""]
        else:
            rows += [f"{1 + i % 28:02d}/05/2024, {i % 24:02d}:{i % 60:02d} - {NAMES[i % 4]}: {text}"]
            if i % 7 == 0:
                rows.append("1. 第二行")
    head = "消息记录（此消息记录为文本格式，不支持重新导入）\n\n" + "=" * 64 + "\n消息对象:家族群\n" + "=" * 64 + "\n\n"
    path.write_text((head if fmt == "qq-txt" else "") + "\n".join(rows) + "\n", encoding="utf-8")


@pytest.mark.parametrize("fmt", sorted(LAYOUTS))
def test_plain_exports_take_the_fast_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str) -> None:
    """An ordinary export comes as chunks that are parsed in bulk (not by the fallback), and agrees."""
    path = tmp_path / LAYOUTS[fmt][0]
    _plain_export(path, fmt, 3000)
    monkeypatch.setattr(bulk, "CHUNK_BYTES", 4096)
    items = list(iter_messages([path], chunks=True))
    chunks = [c for c in items if isinstance(c, Chunk)]
    assert len(chunks) > 20 and all(isinstance(c.body, bytes) for c in chunks)
    assert sum(isinstance(m, Message) for m in items) < 100  # only the QQ head is parsed by the reader
    slow_calls = []
    real_slow = bulk.slow
    monkeypatch.setattr(bulk, "slow", lambda events: slow_calls.append(1) or real_slow(events))
    chunked, summary = _run(path, chunked=True)
    assert slow_calls == [] and summary["messages"] == 3000 and summary["flagged"] > 0
    assert (chunked, summary) == _run(path, chunked=False)
    assert _chunk_by_chunk(path) == len(chunks)


@pytest.mark.parametrize("fmt", sorted(LAYOUTS))
def test_jobs_give_the_same_results(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str) -> None:
    path = tmp_path / LAYOUTS[fmt][0]
    _plain_export(path, fmt, 4000)
    with open(path, "a", encoding="utf-8") as f:  # an oddity late in the file
        f.write("\n2024-05-01 09:00:00 系统消息(10000)\n小黄加入本群\n\n" if fmt == "qq-txt" else "\n")
    monkeypatch.setattr(bulk, "CHUNK_BYTES", 2048)
    monkeypatch.setattr(scan_mod, "POOL_AFTER", 2)
    one = _run(path, chunked=True, flagged_only=True)
    two = _run(path, chunked=True, flagged_only=True, jobs=2)
    assert one == two == _run(path, chunked=False, flagged_only=True)
    assert [m["index"] for m, _ in one[0]] == sorted(m["index"] for m, _ in one[0])
    assert one[1]["flagged"] > 0


def test_a_recall_anywhere_means_the_ordinary_parser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A recall can mark a message up to 2000 messages back, across any chunk boundary: a file
    with anything that could be one is read the ordinary way, and the mark is not lost."""
    path = tmp_path / "qq.txt"
    _plain_export(path, "qq-txt", 500)
    with open(path, "a", encoding="utf-8") as f:  # 1000 messages after the one recalled
        f.write(f"2024-05-30 09:00:00 {NAMES[1]}\n{TEXTS[1]}\n\n" + "2024-05-30 09:01:00 张三\n好的\n\n" * 1000)
        f.write(f"2024-05-30 10:00:00 系统消息(10000)\n{NAMES[1]}撤回了一条消息：{TEXTS[1]}\n\n")
    monkeypatch.setattr(bulk, "CHUNK_BYTES", 2048)
    assert not any(isinstance(c, Chunk) for c in iter_messages([path], chunks=True))
    chunked, summary = _run(path, chunked=True, flagged_only=True)
    assert summary["recalled_flagged"] == 1
    assert (chunked, summary) == _run(path, chunked=False, flagged_only=True)


def test_no_cut_point_hands_the_rest_to_the_ordinary_parser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A stretch without a place to cut (a huge message) ends the chunks: the rest of the file
    is read the ordinary way, from the last cut, with the parser state carried over."""
    path = tmp_path / "qq.txt"
    _plain_export(path, "qq-txt", 300)
    with open(path, "a", encoding="utf-8") as f:
        f.write("2024-05-30 10:00:00 张三\n" + "\n".join(TEXTS * 40) + "\n\n2024-05-30 10:01:00 李四\n内部讨论稿\n")
    monkeypatch.setattr(bulk, "CHUNK_BYTES", 1024)
    monkeypatch.setattr(bulk, "LONG_CHUNKS", 2)
    items = list(iter_messages([path], chunks=True))
    assert isinstance(items[-1], Message) and items[-1].conversation == "家族群"
    assert any(isinstance(c, Chunk) for c in items)
    assert _run(path, chunked=True) == _run(path, chunked=False)


def test_joined_reader_reads_lines_like_a_text_stream() -> None:
    """The text reader used for the rest of a non-UTF-8 file splits lines (CR, LF, CRLF, the
    length limit) exactly as a ``newline=''`` text stream does, across the joint."""
    import io

    text = "ab\r\ncd\ref\n\r\n\rgh" + "x" * 30 + "\r\n" + "y" * 9 + "\r" + "\nz"
    for cut in range(len(text) + 1):
        for limit in (-1, 3, 9, 10):
            joined = bulk._Joined(text[:cut], io.StringIO(text[cut:], newline=""))
            plain = io.StringIO(text, newline="")
            got, want = [], []
            while (line := joined.readline(limit)) != "":
                got.append(line)
            while (line := plain.readline(limit)) != "":
                want.append(line)
            assert got == want, (cut, limit)


FIX = Path(__file__).parent / "fixtures" / "exports"


@pytest.mark.parametrize("name", ["qq/全部消息记录.txt", "qq/卫健委值班群_12h.txt", "wechatmsg/项目组_utf8.txt",
                                  "wechatmsg/项目组v2.txt", "whatsapp/WhatsApp Chat with 项目组.txt",
                                  "whatsapp/_chat.txt", "whatsapp/与李四的 WhatsApp 聊天.txt",
                                  "wechatmsg/项目组_utf8.csv", "wechatmsg/v2导出.csv", "pywxdump/wxid_demo_0_9.csv",
                                  "pywxdump/old_content_2024.csv"])
def test_fixtures(tiny: None, name: str) -> None:
    for chunk in (37, 100, 4096):
        bulk.CHUNK_BYTES = chunk
        for flagged_only in (True, False):
            assert _run(FIX / name, chunked=True, flagged_only=flagged_only) == _run(
                FIX / name, chunked=False, flagged_only=flagged_only)
        _chunk_by_chunk(FIX / name)


def test_undecodable_file_names(tmp_path: Path, tiny: None) -> None:
    """Conversations named after the file come from the file's real name (a chunk's label is
    the printable one)."""

    for raw, fmt in ((b"WhatsApp Chat with \xff\xfe.txt", "whatsapp-txt"), (b"\xff\xfe.txt", "wechatmsg-txt"),
                     (b"\xff\xfe_utf8.csv", "wechatmsg-csv")):
        path = Path(os.fsdecode(bytes(tmp_path) + b"/" + raw))
        if fmt == "wechatmsg-csv":  # WeChatMsg v2 names the conversation after the file
            rows = [f"{8000 + i},文本,wxid_{i % 3},2024-08-12 08:30:00,{TEXTS[i % 5]},孙处,孙明,more" for i in range(60)]
            path.write_text("\n".join([CSV_HEADERS["wcm-v2"], *rows]) + "\n", encoding="utf-8")
        else:
            _plain_export(path, fmt, 60)
        assert any(isinstance(c, Chunk) for c in iter_messages([path], fmt, chunks=True))
        chunked = _run(path, chunked=True, fmt=fmt)
        assert chunked == _run(path, chunked=False, fmt=fmt)
        assert chunked[1]["skipped"] == 60  # the name is repaired and reported, once per message


# ----------------------------------------------------------------------------- CSV

CSV_HEADERS = {
    "wcm-v1": "localId,TalkerId,Type,SubType,IsSender,CreateTime,Status,StrContent,StrTime,Remark,NickName,Sender",
    "wcm-v2": "消息ID,类型,发送人,时间,内容,备注,昵称,更多信息",
    "pyw": "id,MsgSvrID,type_name,is_sender,talker,room_name,msg,src,CreateTime",
    "pyw-old": "id,MsgSvrID,type_name,is_sender,talker,room_name,content,CreateTime",
}
XML = ('<msg><appmsg appid="" sdkver="0"><title>干部考察材料（征求意见稿）.docx</title><type>6</type>'
       '<appattach><fileext>docx</fileext></appattach></appmsg></msg>')
REVOKE = ('<sysmsg type="revokemsg"><revokemsg><newmsgid>{}</newmsgid><replacemsg><![CDATA["李主任" 撤回了一条消息]]>'
          '</replacemsg></revokemsg></sysmsg>')
CSV_TEXTS = [*TEXTS, "多行\n第二行", "带,逗号", '带"引号"', "  前面有空格", "<不是xml", "{\"msg\": \"像JSON\"}", "", " ",
             "回车\r\n换行"]
ODD_ROWS = ['1,2,3', '', ',,,,,,,,,,,', 'a,b"c,d', '"open,quote', 'x\ry', ',,,,,,,,,,,,,,,,', '"a"b,c']


def _csv_row(draw: Any, layout: str, i: int, recall: bool) -> list[str]:
    kinds = ["text"] * 6 + ["xml", "image", "system", "spaced-type", "file"] + ["revoke"] * recall
    kind = draw(st.sampled_from(kinds))
    text = draw(st.sampled_from(CSV_TEXTS))
    who = draw(st.sampled_from(NAMES))
    when = draw(st.sampled_from(["2024-06-03 10:00:00", "2024/10/4 11:43", "", "1717380000", "bad"]))
    conv = draw(st.sampled_from(["45678901@chatroom", "客户 13812345678", "", "家族群"]))
    if kind == "revoke":
        text = REVOKE.format(7000000000000000000 + draw(st.integers(0, i)))
    elif kind == "xml":
        text = XML
    if layout == "wcm-v1":
        code = {"text": "1", "xml": "49", "image": "3", "system": "10000", "revoke": "10000", "spaced-type": " 1 ",
                "file": "49"}[kind]
        return [str(i), conv, code, "6" if kind == "file" else "0", "0", "1717380000", "", text, when, who, who, "wxid_x"]
    name = {"text": "文本", "xml": "文件", "image": "图片", "system": "系统消息", "revoke": "消息撤回1",
            "spaced-type": " 文本", "file": "文件"}[kind]
    if layout == "wcm-v2":
        return [str(7000000000000000000 + i), name, who, when, text, who, who, "more"]
    if layout == "pyw":
        return [str(i), str(7000000000000000000 + i), name, "0", who, conv, text, "C:\\a\\b.docx", when]
    cell = json.dumps({"src": "", "msg": text}, ensure_ascii=recall and draw(st.booleans()))
    return [str(i), str(7000000000000000000 + i), name, "0", who, conv, cell, when]


@st.composite
def csv_exports(draw: Any, layout: str) -> tuple[str, bytes, str | None]:
    import csv
    import io

    end = draw(st.sampled_from(["\n", "\r\n"]))
    delimiter = draw(st.sampled_from([",", ",", ",", "\t", ";"]))
    out = io.StringIO()
    quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL] * 3 + [csv.QUOTE_ALL]))
    writer = csv.writer(out, lineterminator=end, delimiter=delimiter, quoting=quoting)
    writer.writerow(CSV_HEADERS[layout].split(","))
    recall = draw(st.integers(0, 4)) == 0  # a recall (or a JSON escape) sends the file to the ordinary parser
    for i in range(draw(st.integers(0, 40))):
        if draw(st.integers(0, 12)):
            writer.writerow(_csv_row(draw, layout, i, recall))
        else:
            out.write(draw(st.sampled_from(ODD_ROWS)) + draw(st.sampled_from([end, "\r", ""])))
    text = out.getvalue()
    encoding = draw(st.sampled_from(["utf-8"] * 5 + ["utf-8-sig", "gb18030", "utf-16"]))
    data = text.encode(encoding, "replace")
    forced = None
    if encoding == "utf-8" and draw(st.integers(0, 8)) == 0:
        at = draw(st.integers(0, len(data)))
        data = data[:at] + b"\xff" + data[at:]  # an undecodable byte (read with --encoding utf-8)
        forced = "utf-8"
    name = {"wcm-v1": "项目组_utf8.csv", "wcm-v2": "v2导出.csv"}.get(layout, "wxid_demo_0_9.csv")
    return name, data, forced


@pytest.mark.parametrize("layout", sorted(CSV_HEADERS))
def test_csv_bulk_gives_what_the_ordinary_parser_gives(tmp_path: Path, tiny: None, layout: str) -> None:
    _same_as_ordinary(tmp_path, "pywxdump-csv" if layout.startswith("pyw") else "wechatmsg-csv", csv_exports(layout))


def test_csv_recalls_keep_their_message_in_one_chunk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A revokemsg row marks the message with its id: no chunk ends between the two, so the
    mark is made whether they are a row or a thousand rows apart (the latter end the chunks)."""
    import csv

    path = tmp_path / "wxid_demo_0_5000.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(CSV_HEADERS["pyw"].split(","))
        for i in range(3000):
            text = TEXTS[1] if i in (100, 1500) else TEXTS[i % len(TEXTS)]
            w.writerow([i, 7 * 10**18 + i, "文本", 0, NAMES[i % 4], "家族群", text, "", "2024-07-01 10:00:00"])
            if i in (103, 2500):
                gone = 7 * 10**18 + (100 if i == 103 else 1500)
                w.writerow([i, 8 * 10**18 + i, "消息撤回1", 0, NAMES[1], "家族群", REVOKE.format(gone), "",
                            "2024-07-01 10:00:00"])
    monkeypatch.setattr(bulk, "CHUNK_BYTES", 4096)
    items = list(iter_messages([path], chunks=True))
    first = next(c for c in items if isinstance(c, Chunk) and b",7000000000000000100," in c.body)
    opened = bulk.open_fast(first)  # the message and its recall: one chunk, resolved in bulk
    assert b"revokemsg" in first.body and opened is not None
    assert [opened.message(i).line for i in range(len(opened.texts)) if opened.message(i).recalled] == [102]
    assert any(isinstance(m, Message) for m in items)  # rows 1500..2500: no chunk ends there
    chunked, summary = _run(path, chunked=True, flagged_only=True)
    assert (chunked, summary) == _run(path, chunked=False, flagged_only=True)
    assert summary["recalled_flagged"] == 2


def test_matches_finds_each_match_once_across_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    import io
    import re

    monkeypatch.setattr(bulk, "SCAN_BYTES", 300)
    text = "".join(f"x{i}<newmsgid>{10**18 + i}</newmsgid>" + "y" * (i % 37) for i in range(200))
    pattern = re.compile(r"<newmsgid>([^<]{0,64})</newmsgid>")
    want = [(m.start(), m[1]) for m in pattern.finditer(text)]
    assert [(at, m[1]) for at, m in bulk.matches(pattern, io.StringIO(text), 0)] == want
    data = text.encode()
    got = [(at, m[1]) for at, m in bulk.matches(re.compile(pattern.pattern.encode()), io.BytesIO(data), 0)]
    assert got == [(m.start(), m[1]) for m in re.compile(pattern.pattern.encode()).finditer(data)]


def test_no_cut_point_in_a_text_decoded_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same for a GB18030 file, which the reading process decodes: the rest is read from the
    text already read and the rest of the stream, line by line as the stream would give them."""
    path = tmp_path / "qq.txt"
    _plain_export(path, "qq-txt", 300)
    text = path.read_text(encoding="utf-8") + "2024-05-30 10:00:00 张三\r\n" + "\r\n".join(TEXTS * 40) + "\r\n"
    path.write_bytes((text + "\r\n2024-05-30 10:01:00 李四\r\n内部讨论稿\r").encode("gb18030"))
    monkeypatch.setattr(bulk, "CHUNK_BYTES", 1024)
    monkeypatch.setattr(bulk, "LONG_CHUNKS", 2)
    items = list(iter_messages([path], chunks=True))
    assert any(isinstance(c, Chunk) and isinstance(c.body, str) for c in items)
    assert isinstance(items[-1], Message) and items[-1].text == "内部讨论稿"
    assert _run(path, chunked=True) == _run(path, chunked=False)


@pytest.mark.parametrize("fmt", sorted(LAYOUTS))
def test_unusual_chunks_go_to_the_ordinary_parser(tmp_path: Path, tiny: None, fmt: str) -> None:
    """Text before the first header and a message longer than a block are left to the
    ordinary parser (which splits the block), chunk by chunk; the results agree."""
    path = tmp_path / LAYOUTS[fmt][0]
    _plain_export(path, fmt, 40)
    text = path.read_text(encoding="utf-8")
    big = "\n".join(["内部讨论稿，先别外传"] * 60)  # 600 characters: over BlockSpec.max_chars (400)
    head = {"qq-txt": "2024-05-30 10:00:00 张三", "wechatmsg-txt": "2024-05-30 10:00:00 张三",
            "whatsapp-txt": "30/05/2024, 10:00 - 张三: 开头"}[fmt]
    rest = text[text.index("2024-") if fmt == "qq-txt" else 0:]  # (without the QQ banner and 消息对象 lines, which the reader parses)
    path.write_text("前言一行\n\n" + text + f"\n{head}\n{big}\n\n" + rest, encoding="utf-8")
    bulk.CHUNK_BYTES = 4096
    chunks = [c for c in iter_messages([path], fmt, chunks=True) if isinstance(c, Chunk)]
    assert bulk.open_fast(chunks[0]) is None or fmt == "qq-txt"  # (QQ's head is read by the reader)
    assert any(bulk.open_fast(c) is None for c in chunks[1:])
    assert _run(path, chunked=True, fmt=fmt) == _run(path, chunked=False, fmt=fmt)
    _chunk_by_chunk(path, fmt)


@pytest.mark.parametrize("fmt", sorted(LAYOUTS))
def test_a_line_cut_between_cr_and_lf(tmp_path: Path, tiny: None, fmt: str) -> None:
    """The line reader reads a long line in pieces; one that ends between CR and LF still ends
    the line.  Chunks after such a line are numbered as the reader numbers them."""
    path = tmp_path / LAYOUTS[fmt][0]
    _plain_export(path, fmt, 30)
    text = path.read_text(encoding="utf-8").replace("\n", "\r\n")
    head = {"qq-txt": "2024-05-30 10:00:00 张三", "wechatmsg-txt": "2024-05-30 10:00:00 张三",
            "whatsapp-txt": "30/05/2024, 10:00 - 张三: 开头"}[fmt]
    long = "长" * (blocks.MAX_LINE - 1)  # with its CR: one whole piece; its LF: dropped
    path.write_bytes((text + f"{head}\r\n{long}\r\n\r\n" + text[text.index("2024-"):] if fmt == "qq-txt"
                      else text + f"{head}\r\n{long}\r\n\r\n" + text).encode("utf-8"))
    bulk.CHUNK_BYTES = 2048
    assert _run(path, chunked=True, fmt=fmt) == _run(path, chunked=False, fmt=fmt)


def test_csv_recalls_reach_back_as_far_as_the_window(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """In bulk, a revokemsg marks its message only within the last 2000 items, as finish() does."""
    import csv

    path = tmp_path / "wxid_demo_0_9000.csv"
    targets = {100: 100 + 1998, 3000: 3000 + 1999, 6000: 6000 + 2000, 9000: 9000 + 2001}
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(CSV_HEADERS["pyw"].split(","))
        for i in range(12000):
            text = TEXTS[1] if i in targets else "好"
            w.writerow([i, 7 * 10**18 + i, "文本", 0, "张三", "家族群", text, "", ""])
            for target, at in targets.items():
                if i == at:
                    w.writerow([i, 8 * 10**18 + i, "消息撤回1", 0, "张三", "家族群", REVOKE.format(7 * 10**18 + target), "", ""])
    monkeypatch.setattr(bulk, "CHUNK_BYTES", 1 << 20)
    chunks = [c for c in iter_messages([path], chunks=True) if isinstance(c, Chunk)]
    assert chunks and all(bulk.open_fast(c) is not None for c in chunks)
    chunked, summary = _run(path, chunked=True, flagged_only=True)
    assert (chunked, summary) == _run(path, chunked=False, flagged_only=True)
    assert [m["recalled"] for m, _ in chunked] == [True, True, False, False]
