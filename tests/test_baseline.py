"""Baselines: line-independent fingerprints, create/update, --baseline on check and scan."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from leakguard.baseline import Collector, fingerprint, load_baseline, source_key
from leakguard.cli import main
from leakguard.model import LeakguardError
from leakguard.scanner import Scanner

DOC = "交办单拍给你们看看，别外传"  # DOC101
ID = "11010519491231002X"
PII = f"那个确诊的人身份证{ID}，别外传"  # PII201 (+ health)
NEW = "讨论稿发你看看，别外传"  # DEC102


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture()
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.txt").write_text("第一行\n" + DOC + "\n" + PII + "\n", encoding="utf-8")
    (tmp_path / "docs" / "b.txt").write_text("明天上午九点开会\n", encoding="utf-8")
    (tmp_path / "docs" / ".hidden.txt").write_text(NEW, encoding="utf-8")
    return tmp_path


def test_fingerprint_ignores_position_but_not_code_source_or_match() -> None:
    fp = fingerprint("DOC101", "docs/a.txt", "交办单")
    assert fp == fingerprint("DOC101", "docs/a.txt", "交辦單")  # normalised match
    assert len({fp, fingerprint("DOC102", "docs/a.txt", "交办单"), fingerprint("DOC101", "docs/b.txt", "交办单"),
                fingerprint("DOC101", "docs/a.txt", "督办单")}) == 4


def test_source_key_is_relative_to_the_baseline_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    assert source_key("sub/x.txt", tmp_path) == "sub/x.txt"
    assert source_key(str(tmp_path / "sub" / "x.txt"), tmp_path) == "sub/x.txt"
    assert source_key("x.txt", tmp_path / "sub") == str((tmp_path / "x.txt").resolve())
    assert source_key("<stdin>", tmp_path) == "<stdin>"
    assert source_key("e.zip!c/1.json", tmp_path) == "e.zip!c/1.json"


def test_create_then_check_reports_only_new_findings_after_edits(repo: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "baseline", "create", "base.json", "docs")
    assert code == 0 and "3 finding(s) from 1 source(s)" in err
    raw = (repo / "base.json").read_text(encoding="utf-8")
    assert ID not in raw and "交办单" not in raw  # no matched text in the file
    data = json.loads(raw)
    assert {e["code"] for e in data["findings"]} == {"DOC101", "PII201", "PII103"}
    # lines inserted above: positions move, fingerprints do not
    a = repo / "docs" / "a.txt"
    a.write_text("新加的一行\n\n另一行\n" + a.read_text(encoding="utf-8"), encoding="utf-8")
    assert run(capsys, "check", "--baseline", "base.json", str(a))[0] == 0
    # a new leak is reported, the known ones are not
    a.write_text(a.read_text(encoding="utf-8") + NEW + "\n", encoding="utf-8")
    code, out, _ = run(capsys, "check", "--baseline", "base.json", "--format", "json", str(a))
    assert code == 1 and [f["code"] for f in json.loads(out)["findings"]] == ["DEC102"]
    # without the baseline everything is back
    code, out, _ = run(capsys, "check", "--format", "json", str(a))
    assert {f["code"] for f in json.loads(out)["findings"]} >= {"DOC101", "PII201", "DEC102"}


def test_a_further_copy_of_a_known_match_is_new(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "baseline", "create", "base.json", "docs/a.txt")
    a = repo / "docs" / "a.txt"
    a.write_text(a.read_text(encoding="utf-8") + DOC + "\n", encoding="utf-8")
    code, out, _ = run(capsys, "check", "--baseline", "base.json", "--format", "json", str(a))
    found = json.loads(out)["findings"]
    assert code == 1 and [f["code"] for f in found] == ["DOC101"]


def test_baseline_is_relative_to_its_own_folder(repo: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "baseline", "create", "base.json", "docs/a.txt")
    monkeypatch.chdir(repo / "docs")
    assert run(capsys, "check", "--baseline", "../base.json", "a.txt")[0] == 0


def test_update_replaces_rescanned_sources_and_keeps_others(repo: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "docs" / "b.txt").write_text(NEW + "\n", encoding="utf-8")
    run(capsys, "baseline", "create", "base.json", "docs/a.txt", "docs/b.txt")
    before = load_baseline(repo / "base.json").entries
    assert {e.source for e in before.values()} == {"docs/a.txt", "docs/b.txt"}
    (repo / "docs" / "b.txt").write_text("没事了\n", encoding="utf-8")
    code, _, _ = run(capsys, "baseline", "update", "base.json", "docs/b.txt")
    after = load_baseline(repo / "base.json").entries
    assert code == 0 and {e.source for e in after.values()} == {"docs/a.txt"}
    assert {k: v for k, v in before.items() if v.source == "docs/a.txt"} == after


def test_baseline_is_stable_for_diffs(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "baseline", "create", "one.json", "docs")
    run(capsys, "baseline", "create", "two.json", "docs")
    assert (repo / "one.json").read_bytes() == (repo / "two.json").read_bytes()


def test_stdin_source(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    c = Collector(repo)
    c.add("<stdin>", Scanner.default().check(DOC).findings)
    assert [e.source for e in c.entries.values()] == ["<stdin>"]


@pytest.mark.parametrize(
    ("content", "where"),
    [
        ("{not json", ":1: not a leakguard baseline (JSON"),
        ('{"findings": []}', ":1: not a leakguard baseline"),
        ('{"leakguard_baseline": 1, "findings": [{"fingerprint": "x", "code": "A", "source": "s"}]}', ": finding 1:"),
    ],
)
def test_bad_baseline_files_are_one_line_errors(repo: Path, capsys: pytest.CaptureFixture[str], content: str,
                                                where: str) -> None:
    (repo / "bad.json").write_text(content, encoding="utf-8")
    with pytest.raises(LeakguardError, match="bad.json" + where.replace("(", r"\(")):
        load_baseline(repo / "bad.json")
    code, _, err = run(capsys, "check", "--baseline", "bad.json", "--text", DOC)
    assert code == 2 and len(err.strip().splitlines()) == 1


def test_missing_baseline_says_how_to_create_one(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "check", "--baseline", "nope.json", "--text", DOC)
    assert code == 2 and "leakguard baseline create" in err


def test_baseline_from_settings(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "baseline", "create", "base.json", "docs")
    (repo / ".leakguard.toml").write_text('baseline = "base.json"\n', encoding="utf-8")
    assert run(capsys, "check", "docs/a.txt")[0] == 0


def test_scan_with_a_baseline(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = repo / "chat.jsonl"
    rows = [{"text": DOC, "sender": "甲"}, {"text": "好的", "sender": "乙"}]
    log.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    code, _, _ = run(capsys, "baseline", "create", "logs.json", "--scan", "--text-field", "text", str(log))
    assert code == 0 and len(load_baseline(repo / "logs.json").entries) == 1
    code, out, _ = run(capsys, "scan", str(log), "--text-field", "text", "--baseline", "logs.json", "--format", "json")
    assert code == 0 and json.loads(out)["flagged"] == 0
    rows.append({"text": NEW, "sender": "丙"})
    log.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    code, out, _ = run(capsys, "scan", str(log), "--text-field", "text", "--baseline", "logs.json",
                       "--format", "jsonl")
    lines = [json.loads(x) for x in out.splitlines()]
    assert code == 1 and [f["code"] for x in lines for f in x["findings"]] == ["DEC102"]
