"""Settings files: discovery, validation with file:line, and their effect on check/scan."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from leakguard.cli import main
from leakguard.config import discover, find_config, key_lines, load_settings
from leakguard.model import LeakguardError

RISKY = "社区的任务交办单拍给你们看一下，千万别转出去"  # DOC101, block
WARN_ONLY = "县防控办的工作材料我转到老乡QQ群了，大家参考 [文件]"  # DOC102, warn


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# ----------------------------------------------------------------------------- discovery


def test_found_by_walking_up_from_a_subfolder(tmp_path: Path) -> None:
    cfg = write(tmp_path / ".leakguard.toml", 'fail_on = "block"\n')
    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)
    assert find_config(sub) == cfg
    assert discover(sub).fail_on == "block"


def test_pyproject_without_a_leakguard_table_is_passed_over(tmp_path: Path) -> None:
    outer = write(tmp_path / "pyproject.toml", '[tool.leakguard]\nlang = "en"\n')
    write(tmp_path / "pkg" / "pyproject.toml", '[project]\nname = "x"\n')
    assert find_config(tmp_path / "pkg") == outer
    assert discover(tmp_path / "pkg").lang == "en"


def test_leakguard_toml_wins_over_pyproject_in_the_same_folder(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.leakguard]\nlang = "en"\n')
    cfg = write(tmp_path / ".leakguard.toml", 'lang = "zh"\n')
    assert find_config(tmp_path) == cfg


def test_pyproject_sub_tables_and_lines(tmp_path: Path) -> None:
    py = write(tmp_path / "pyproject.toml",
               '[project]\nname = "x"\n\n[tool.leakguard]\ndisable = ["DOC102"]\n\n'
               '[tool.leakguard.thresholds]\nwarn = 3.5\nblock = 6\n\n[tool.leakguard.allow]\nterms = ["調度會通知"]\n')
    s = load_settings(py)
    assert s.disabled == {"DOC102"}
    assert s.thresholds == {"warn": 3.5, "block": 6.0}
    assert s.allow_terms == ("调度会通知",)  # normalised: traditional folded
    assert s.disable[0][1] == f"{py}:5"


def test_key_lines_tracks_tables_and_dotted_keys() -> None:
    raw = 'lang = "zh"\n[thresholds]\n# c\nwarn = 3\n[allow]\nterms = []\nallow.patterns = []\n'
    lines = key_lines(raw)
    assert lines[("lang",)] == 1 and lines[("thresholds",)] == 2 and lines[("thresholds", "warn")] == 4
    assert lines[("allow", "terms")] == 6


# ----------------------------------------------------------------------------- warnings and errors


def test_unknown_keys_are_warnings_naming_file_and_line(tmp_path: Path) -> None:
    cfg = write(tmp_path / ".leakguard.toml", 'lang = "zh"\ncolour = true\n[thresholds]\nwarn = 3\nblok = 5\n')
    s = load_settings(cfg)
    assert s.warnings == (f"{cfg}:2: unknown setting 'colour' (ignored)",
                          f"{cfg}:5: unknown setting 'thresholds.blok' (ignored)")


@pytest.mark.parametrize(
    ("content", "line", "words"),
    [
        ('lang = "fr"\n', 1, "lang: must be one of zh, en"),
        ('fail_on = "warn"\n[thresholds]\nwarn = "high"\n', 3, "thresholds.warn: must be a positive number"),
        ('[thresholds]\nwarn = 4\nblock = 3\n', 3, "must not be below warn"),
        ('\ndisable = "doc101"\n', 2, "is not a rule code"),
        ('[allow]\nterms = ["a"]\npatterns = ["(unclosed"]\n', 3, "bad regular expression"),
        ('lexicons = [1, 2]\n', 1, "must be a list of non-empty strings"),
        ('allow = 3\n', 1, "allow: must be a table"),
        ('lang = \n', 1, "TOML syntax error"),
    ],
)
def test_bad_values_are_one_line_errors_with_file_and_line(tmp_path: Path, content: str, line: int,
                                                            words: str) -> None:
    cfg = write(tmp_path / ".leakguard.toml", content)
    with pytest.raises(LeakguardError) as e:
        load_settings(cfg)
    msg = str(e.value)
    assert msg.startswith(f"{cfg}:{line}:") and words in msg and "\n" not in msg


def test_cli_bad_settings_exit_2_with_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    cfg = write(tmp_path / ".leakguard.toml", '[thresholds]\nblock = "x"\n')
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, "check", "--text", RISKY)
    assert code == 2
    assert err.strip() == f"leakguard: error: {cfg}:2: thresholds.block: must be a positive number, got 'x'"


def test_cli_prints_unknown_key_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / ".leakguard.toml", '\n\nfoo = 1\n')
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, "check", "--text", "明天上午九点开调度会")
    assert code == 0
    assert ".leakguard.toml:3: unknown setting 'foo' (ignored)" in err


# ----------------------------------------------------------------------------- effects


def test_disabled_rule_and_no_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / ".leakguard.toml", 'disable = ["DOC101"]\n')
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, "check", "--format", "json", "--text", RISKY)
    assert code == 0 and all(f["code"] != "DOC101" for f in json.loads(out)["findings"])
    code, out, _ = run(capsys, "check", "--no-config", "--format", "json", "--text", RISKY)
    assert code == 1 and json.loads(out)["findings"][0]["code"] == "DOC101"


def test_unknown_disabled_code_is_a_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    cfg = write(tmp_path / ".leakguard.toml", 'disable = ["NOPE999"]\n')
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, "check", "--text", RISKY)
    assert code == 1 and f"{cfg}:1: disable: no rule NOPE999 (ignored)" in err


def test_thresholds_change_the_verdict(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, "check", "--format", "json", "--text", RISKY)
    assert code == 1 and json.loads(out)["verdict"] == "block"
    write(tmp_path / ".leakguard.toml", "[thresholds]\nwarn = 4.0\nblock = 9.5\n")
    code, out, _ = run(capsys, "check", "--format", "json", "--text", RISKY)
    assert code == 1 and json.loads(out)["verdict"] == "warn"
    write(tmp_path / ".leakguard.toml", "[thresholds]\nwarn = 9.0\nblock = 9.5\n")
    code, out, _ = run(capsys, "check", "--format", "json", "--text", RISKY)
    assert code == 0 and json.loads(out)["verdict"] == "pass"


def test_fail_on_and_lang_from_settings_but_options_win(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / ".leakguard.toml", 'fail_on = "block"\nlang = "en"\n')
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, "check", "--text", WARN_ONLY)
    assert code == 0 and "check before sending" in out
    code, out, _ = run(capsys, "check", "--fail-on", "warn", "--lang", "zh", "--text", WARN_ONLY)
    assert code == 1 and "请注意" in out


def test_extra_lexicon_relative_to_the_settings_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "org" / "terms.toml", """
[[rule]]
code = "ORG901"
name = { zh = "青松计划", en = "Project Qingsong" }
category = "document"
severity = "critical"
terms = ["青松计划"]
advice = { zh = "内部项目代号，不外传。", en = "Internal code name." }
""")
    write(tmp_path / ".leakguard.toml", 'lexicons = ["org/terms.toml"]\n')
    sub = tmp_path / "work"
    sub.mkdir()
    monkeypatch.chdir(sub)
    code, out, _ = run(capsys, "check", "--format", "json", "--text", "青松计划的进度表发到家族群了")
    assert code == 1 and json.loads(out)["findings"][0]["code"] == "ORG901"


def test_explicit_config_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = write(tmp_path / "strict.toml", "[thresholds]\nwarn = 9.0\nblock = 9.9\n")
    code, _, _ = run(capsys, "check", "--config", str(cfg), "--text", RISKY)
    assert code == 0


def test_allow_pattern_timeout_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    cfg = write(tmp_path / ".leakguard.toml", "[allow]\n\npatterns = ['(a|aa)+$']\n")
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, "check", "--text", RISKY + "a" * 60 + "!")
    assert code == 2
    line = err.strip()
    assert "\n" not in line and f"{cfg}:3: allow pattern '(a|aa)+$' took longer than" in line


def test_settings_apply_to_scan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                capsys: pytest.CaptureFixture[str]) -> None:
    log = write(tmp_path / "log.jsonl",
                json.dumps({"text": RISKY, "sender": "甲"}, ensure_ascii=False) + "\n"
                + json.dumps({"text": WARN_ONLY, "sender": "乙"}, ensure_ascii=False) + "\n")
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, "scan", str(log), "--text-field", "text", "--format", "json")
    assert code == 1 and json.loads(out)["flagged"] == 2
    write(tmp_path / ".leakguard.toml", 'disable = ["DOC101"]\nfail_on = "block"\n')
    code, out, _ = run(capsys, "scan", str(log), "--text-field", "text", "--format", "json")
    assert json.loads(out)["flagged"] == 1 and code == 0


def test_stdin_is_untouched_by_settings_lookup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(RISKY.encode()), encoding="utf-8"))
    code, out, _ = run(capsys, "check")
    assert code == 1 and "DOC101" in out
