"""The interactive pre-send decision and the audit log it writes."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from leakguard import audit
from leakguard.cli import main
from leakguard.scanner import Scanner

ID = "11010519491231002X"
PHONE = "13912345678"
LEAK = f"王建国确诊了，身份证{ID}，电话{PHONE}，别外传"


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    d = tmp_path / "data"
    monkeypatch.setenv("LEAKGUARD_DATA_DIR", str(d))
    monkeypatch.delenv("LEAKGUARD_BYPASS", raising=False)
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("EDITOR", raising=False)
    monkeypatch.chdir(tmp_path)
    return d


@pytest.fixture()
def draft(tmp_path: Path) -> Path:
    f = tmp_path / "draft.txt"
    f.write_text("各位好\n" + LEAK + "\n", encoding="utf-8")
    return f


def answer(monkeypatch: pytest.MonkeyPatch, text: str, tty: bool = False) -> None:
    stream = io.StringIO(text)
    stream.isatty = lambda: tty  # type: ignore[method-assign]
    monkeypatch.setattr(sys, "stdin", stream)


def entries(d: Path) -> list[dict[str, object]]:
    path = d / "audit.jsonl"
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def test_cancel_exits_1_and_logs_nothing(draft: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    answer(monkeypatch, "1\n")
    assert main(["check", "--interactive", str(draft)]) == 1
    out, err = capsys.readouterr()
    assert "先例" in out  # the findings were shown with their precedents
    assert "1 取消（不发送）" in err and "2 修改" in err and "3 说明理由后发送" in err
    assert "已取消" in err and entries(data_dir) == []


def test_end_of_input_counts_as_cancel(draft: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    answer(monkeypatch, "")
    assert main(["check", "--interactive", str(draft)]) == 1
    assert entries(data_dir) == []


def test_override_with_a_reason_is_audited_without_raw_personal_data(
        draft: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    answer(monkeypatch, "9\n3\n1\n领导同意转给卫健委联络人\n")  # 9: invalid, asked again
    assert main(["check", "--interactive", "--to", "工作群", str(draft)]) == 0
    err = capsys.readouterr().err
    assert "请输入编号" in err and "已获授权" in err and "已记录到审计日志" in err
    [e] = entries(data_dir)
    assert e["action"] == "override" and e["reason"] == "authorised" and e["note"] == "领导同意转给卫健委联络人"
    assert e["to"] == "工作群" and e["source"] == str(draft) and e["verdict"] == "block"
    assert "PII201" in e["codes"]  # type: ignore[operator]
    raw = (data_dir / "audit.jsonl").read_text(encoding="utf-8")
    assert ID not in raw and PHONE not in raw and "王建国" not in raw
    assert "1101**********002X" in e["excerpt"]  # type: ignore[operator]
    assert e["fingerprint"] == audit.message_fingerprint(draft.read_text(encoding="utf-8"))


def test_other_reason_needs_free_text_and_digits_in_it_are_masked(
        draft: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    answer(monkeypatch, f"3\n4\n\n已电话确认 {PHONE}\n")
    assert main(["check", "--interactive", str(draft)]) == 0
    assert "（必填）" in capsys.readouterr().err
    [e] = entries(data_dir)
    assert e["reason"] == "other" and PHONE not in e["note"] and str(e["note"]).startswith("已电话确认 139")  # type: ignore[operator]


def test_edit_opens_a_copy_rechecks_and_never_touches_the_original(
        draft: Path, tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    editor = tmp_path / "fake-editor.py"
    editor.write_text("import sys\nopen(sys.argv[1], 'w', encoding='utf-8').write('明天上午九点开会\\n')\n",
                      encoding="utf-8")
    monkeypatch.setenv("EDITOR", f"{sys.executable} {editor}")
    original = draft.read_bytes()
    answer(monkeypatch, "2\n")
    assert main(["check", "--interactive", str(draft)]) == 0
    err = capsys.readouterr().err
    assert draft.read_bytes() == original
    copies = list((data_dir / "drafts").iterdir())
    assert len(copies) == 1 and copies[0].read_text(encoding="utf-8") == "明天上午九点开会\n"
    assert "修改稿已通过检查" in err and str(copies[0]) in err and entries(data_dir) == []


def test_edit_still_flagged_asks_again(draft: Path, tmp_path: Path, data_dir: Path,
                                       monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    editor = tmp_path / "noop-editor.py"
    editor.write_text("pass\n", encoding="utf-8")
    monkeypatch.setenv("VISUAL", f"{sys.executable} {editor}")
    answer(monkeypatch, "2\n1\n")
    assert main(["check", "--interactive", str(draft)]) == 1
    err = capsys.readouterr().err
    assert err.count("怎么办？") == 2 and "已取消" in err


def test_no_editor_offers_the_menu_again(draft: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    answer(monkeypatch, "2\n1\n")
    assert main(["check", "--interactive", str(draft)]) == 1
    assert "未设置 $VISUAL / $EDITOR" in capsys.readouterr().err


def test_english_prompt(draft: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch,
                        capsys: pytest.CaptureFixture[str]) -> None:
    answer(monkeypatch, "3\n3\n\n")
    assert main(["check", "--interactive", "--lang", "en", str(draft)]) == 0
    err = capsys.readouterr().err
    assert "1 cancel (do not send)" in err and "3 false positive" in err
    assert entries(data_dir)[0]["reason"] == "false_positive"


def test_prompt_is_automatic_only_when_stdin_and_stderr_are_terminals(
        draft: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    answer(monkeypatch, "3\n2\n\n", tty=False)
    assert main(["check", str(draft)]) == 1  # piped stdin: no prompt
    assert "怎么办" not in capsys.readouterr().err
    answer(monkeypatch, "3\n2\n\n", tty=True)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    assert main(["check", str(draft)]) == 0
    assert "怎么办" in capsys.readouterr().err and entries(data_dir)[0]["reason"] == "public"
    answer(monkeypatch, "3\n2\n\n", tty=True)
    assert main(["check", "--hook", str(draft)]) == 1  # hook mode never prompts on its own
    assert main(["check", "--no-interactive", str(draft)]) == 1


def test_clean_draft_never_prompts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    answer(monkeypatch, "")
    assert main(["check", "--interactive", "--text", "明天上午九点开会"]) == 0
    assert "怎么办" not in capsys.readouterr().err


# ----------------------------------------------------------------------------- the log and `leakguard audit`


def test_audit_lists_entries_and_skips_bad_lines_with_their_number(
        data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    v = Scanner.default().check(LEAK)
    audit.append(audit.make_entry(LEAK, v, "public", "已在官网公布", "a.txt", "家族群"))
    with (data_dir / "audit.jsonl").open("a", encoding="utf-8") as f:
        f.write("{broken\n")
    audit.append(audit.make_entry(LEAK, v, "false_positive", "", "b.txt", None))
    assert main(["audit"]) == 0
    out, err = capsys.readouterr()
    assert err.strip() == f"leakguard: warning: {data_dir / 'audit.jsonl'}:2: not JSON (Expecting property name " \
        "enclosed in double quotes) — skipped"
    lines = out.splitlines()
    assert "内容已公开 · 已在官网公布" in lines[0] and "a.txt → 家族群" in lines[0]
    assert ID not in out and PHONE not in out
    assert main(["audit", "--format", "jsonl", "--limit", "1"]) == 0
    [last] = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert last["source"] == "b.txt" and last["reason"] == "false_positive"


def test_audit_path_and_empty_log(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", "--path"]) == 0
    assert capsys.readouterr().out.strip() == str(data_dir / "audit.jsonl")
    assert main(["audit"]) == 0
    assert "审计日志为空" in capsys.readouterr().err


def test_excerpt_masks_every_long_number() -> None:
    text = f"名单：{ID} 卡号6222020200112233445 电话{PHONE}"
    v = Scanner.default().check(text)
    ex = audit.excerpt(text, v)
    assert ID not in ex and "6222020200112233445" not in ex and PHONE not in ex


def test_bypass_in_hook_mode_is_audited(data_dir: Path, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("LEAKGUARD_BYPASS", "1")
    assert main(["check", "--hook", "--text", LEAK]) == 0
    assert "LEAKGUARD_BYPASS=1: not checked" in capsys.readouterr().err
    [e] = entries(data_dir)
    assert e["action"] == "bypass" and e["excerpt"] == ""
    monkeypatch.setenv("LEAKGUARD_BYPASS", "1")
    assert main(["check", "--text", LEAK]) == 1  # outside hook mode the variable means nothing
