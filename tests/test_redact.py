"""`leakguard redact`: masked personal data, 某某 for names, suggestions, input untouched."""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

import pytest

from leakguard.cli import main
from leakguard.redact import redact
from leakguard.scanner import Scanner

ID = "11010519491231002X"
PHONE = "13912345678"
RECORD = f"王建国，身份证{ID}，电话{PHONE}，确诊了，别外传"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_masks_ids_and_phones_and_replaces_the_name() -> None:
    r = redact(RECORD, Scanner.default())
    assert r.text == "某某，身份证1101**********002X，电话139****5678，确诊了，别外传"
    assert (r.masked, r.names, r.suggestions) == (2, 1, ())


def test_person_cues_near_a_record_become_mou() -> None:
    text = f"小王是密接，电话{PHONE}，住在隔壁楼，别外传"
    r = redact(text, Scanner.default())
    assert r.text.startswith("某某是密接") and PHONE not in r.text and "139****5678" in r.text
    r = redact(f"姓王的那个确诊了，电话{PHONE}", Scanner.default())
    assert r.text.startswith("姓某的那个确诊了")


def test_names_are_left_alone_without_a_flagged_personal_data_record() -> None:
    text = "小王明天上午九点开会"
    assert redact(text, Scanner.default()).text == text


def test_unflagged_personal_data_is_still_masked() -> None:
    text = f"我的电话{PHONE}"
    assert not Scanner.default().check(text).findings  # one's own number: below the warning threshold
    r = redact(text, Scanner.default())
    assert r.text == "我的电话139****5678" and r.masked == 1


def test_document_finding_gets_a_suggestion_line() -> None:
    text = "讨论稿发你看看，别外传"
    r = redact(text, Scanner.default())
    assert r.text == text  # a document cannot be masked into safety
    assert len(r.suggestions) == 1 and r.suggestions[0].startswith("【leakguard 建议】")
    assert "讨论稿" in r.suggestions[0] and "正式" in r.suggestions[0]  # the rule's advice: send the final version
    rendered = r.render()
    assert rendered.startswith(text + "\n\n【leakguard 建议】") and rendered.endswith("\n")


def test_english_suggestions() -> None:
    r = redact("交办单拍给你们看看，别外传", Scanner.default(), lang="en")
    assert r.suggestions and r.suggestions[0].startswith("[leakguard suggestion]")


def test_cli_writes_stdout_and_never_touches_the_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "draft.txt"
    f.write_text(RECORD + "\n交办单拍给你们看看\n", encoding="utf-8")
    before = (f.read_bytes(), os.stat(f).st_mtime_ns)
    code, out, err = run(capsys, "redact", "--no-config", str(f))
    assert code == 0
    assert ID not in out and PHONE not in out and "王建国" not in out
    assert out.startswith("某某，身份证1101**********002X") and "【leakguard 建议】交办单" in out
    assert "已遮蔽 2 处个人信息" in err
    assert (f.read_bytes(), os.stat(f).st_mtime_ns) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["draft.txt"]


def test_cli_stdin_and_no_suggestions(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(("讨论稿发你 " + RECORD).encode()), encoding="utf-8"))
    code, out, _ = run(capsys, "redact", "--no-config", "--no-suggestions")
    assert code == 0 and "【leakguard" not in out and ID not in out


def test_cli_masks_even_suppressed_findings(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "redact", "--no-config", "--text", RECORD + " leakguard:ignore")
    assert code == 0 and ID not in out and PHONE not in out


def test_cli_refuses_attachments(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    img = tmp_path / "交办单.png"
    img.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 20)
    code, out, err = run(capsys, "redact", "--no-config", str(img))
    assert code == 2 and out == "" and "redact works on text" in err and len(err.strip().splitlines()) == 1
