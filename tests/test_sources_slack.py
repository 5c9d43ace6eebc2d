"""Slack exports (folder and ZIP), generic ZIP archives and the zip-bomb guard."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from leakguard.sources import BadRecord, Message, archive, detect_format, iter_messages

FIX = Path(__file__).parent / "fixtures" / "exports"
WORKSPACE = FIX / "slack" / "workspace"


def run(path: Path, **kw: object) -> tuple[list[Message], list[BadRecord]]:
    items = list(iter_messages([path], **kw))  # type: ignore[arg-type]
    return [i for i in items if isinstance(i, Message)], [i for i in items if isinstance(i, BadRecord)]


def _zip(path: Path, root: Path, prefix: str = "") -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in sorted(root.rglob("*")):
            if f.is_file():
                zf.write(f, prefix + f.relative_to(root).as_posix())
    return path


def _summary(msgs: list[Message]) -> list[tuple[object, ...]]:
    return [(m.conversation, m.sender, m.kind, m.recalled, m.text, m.time, m.line) for m in msgs]


def test_slack_folder() -> None:
    msgs, bad = run(WORKSPACE)
    assert [(b.path.rsplit("/", 1)[-1], b.line) for b in bad] == [("2024-05-02.json", 15)]
    assert bad[0].reason.startswith("invalid JSON: Expecting ','")
    assert _summary(msgs) == [
        ("general", "李四", "system", False, "@李四 has joined the channel", "2024-05-01T08:00:00+00:00", 2),
        ("general", "张三", "text", False, "@李四 面试名单在这里 候选人名单 (https://example.org/hr/list)，别转发 & 看完删",
         "2024-05-01T08:01:00+00:00", 9),
        ("general", "李四", "file", False, "[文件] 薪资方案.xlsx", "2024-05-01T08:02:00+00:00", 15),
        ("general", "张三", "text", True, "这条发错群了", "2024-05-01T08:03:00+00:00", 27),  # deleted later
        ("hr-内部", "张三", "recall", False, "上周的离职名单", "2024-05-02T08:00:00+00:00", 2),  # original not here
        ("hr-内部", "李四", "text", False, "好的", "2024-05-02T08:01:00+00:00", 21),
    ]
    assert msgs[0].path == str(WORKSPACE / "general" / "2024-05-01.json")


def test_slack_zip_gives_the_same_messages(tmp_path: Path) -> None:
    z = _zip(tmp_path / "export.zip", WORKSPACE)
    assert detect_format(z) == "slack"
    msgs, bad = run(z)
    want, want_bad = run(WORKSPACE)
    assert _summary(msgs) == _summary(want)
    assert msgs[0].path == f"{z}!general/2024-05-01.json"
    assert [(b.path, b.line) for b in bad] == [(f"{z}!hr-内部/2024-05-02.json", 15)]
    assert len(want_bad) == 1


def test_slack_zip_with_a_top_folder(tmp_path: Path) -> None:
    z = _zip(tmp_path / "export.zip", WORKSPACE, prefix="公司导出/")
    msgs, _ = run(z)
    assert [m.conversation for m in msgs] == ["general"] * 4 + ["hr-内部"] * 2
    assert msgs[1].sender == "张三"


def test_zip_bomb_member_is_refused_and_the_rest_is_read(tmp_path: Path) -> None:
    z = _zip(tmp_path / "export.zip", WORKSPACE)
    with zipfile.ZipFile(z, "a", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("general/2024-05-03.json", b"[" + b" " * (20 << 20) + b"]")
    msgs, bad = run(z)
    assert len(msgs) == 6
    bomb = [b for b in bad if b.path.endswith("2024-05-03.json")]
    assert len(bomb) == 1 and "zip bomb" in bomb[0].reason and bomb[0].line == 0


def test_oversized_member_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    z = _zip(tmp_path / "export.zip", WORKSPACE)
    monkeypatch.setattr(archive, "MAX_MEMBER_BYTES", 700)
    msgs, bad = run(z)
    assert msgs and all(m.conversation == "hr-内部" for m in msgs)  # the small day file is still read
    assert any(b.path.endswith("general/2024-05-01.json") and "exceeds" in b.reason for b in bad)


def test_generic_zip_reads_each_text_member_with_its_own_format(tmp_path: Path) -> None:
    z = tmp_path / "WhatsApp Chat - 项目组.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(FIX / "whatsapp" / "_chat.txt", "_chat.txt")
        zf.writestr("00000042-PHOTO-2024-01-05-09-12-48.jpg", b"\xff\xd8\xff\xe0JFIF")
        zf.writestr("__MACOSX/._chat.txt", b"\x00\x05\x16\x07")
        zf.write(FIX / "qq" / "全部消息记录.txt", "备份/全部消息记录.txt")
        zf.writestr("inner.zip", b"PK\x03\x04rest")
    assert detect_format(z) == "zip"
    msgs, bad = run(z)
    assert [(b.path.rsplit("!", 1)[-1], b.reason) for b in bad] == [("inner.zip", "nested archive not scanned")]
    assert [m.path.rsplit("!", 1)[-1] for m in msgs] == ["_chat.txt"] * 5 + ["备份/全部消息记录.txt"] * 6
    assert msgs[5].conversation == "老郑" and msgs[5].time == "2016-11-02T09:15:02+08:00"


def test_broken_zip_is_one_bad_record(tmp_path: Path) -> None:
    z = tmp_path / "broken.zip"
    z.write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    msgs, bad = run(z)
    assert msgs == [] and len(bad) == 1 and bad[0].line == 0 and "ZIP" in bad[0].reason
