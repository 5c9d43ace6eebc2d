"""The command line, driven through leakguard.cli.main(argv) (the real entry point)."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from leakguard.cli import main
from leakguard.scanner import Scanner

FIX = Path(__file__).parent / "fixtures" / "core"
RISKY = "社区的任务交办单拍给你们看一下，千万别转出去"  # DOC101, block
WARNISH = "县防控办的工作材料我转到老乡QQ群了，大家参考 [文件]"  # DOC102, warn only
BENIGN = "明天上午九点开调度会"
PII = "隔离点跑出来的那个人电话是13800138000，他是密接，大家注意"
HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(autouse=True)
def _reset_default_lang() -> Iterator[None]:
    yield
    if Scanner._default is not None:  # see test_cli_lang_does_not_leak_into_the_library
        Scanner._default.lang = "zh"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def one_line_error(err: str) -> str:
    lines = err.strip("\n").split("\n")
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def feed_stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


# ----------------------------------------------------------------------------- exit codes


def test_exit_0_for_a_clean_draft(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "check", "--text", BENIGN)
    assert code == 0 and "pass" in out and err == ""


def test_exit_1_for_a_risky_draft(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", "--text", RISKY)
    assert code == 1
    assert "DOC101" in out and "jishou-jiaobandan" in out and "block" in out


def test_exit_2_for_a_bad_option(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "check", "--no-such-option")
    assert code == 2 and "no-such-option" in err and "Traceback" not in err


def test_exit_2_for_a_bad_encoding_name(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    p = tmp_path / "draft.txt"
    p.write_text(BENIGN, encoding="utf-8")
    code, _, err = run(capsys, "check", "--encoding", "klingon", str(p))
    assert code == 2 and "klingon" in one_line_error(err)


def test_exit_3_for_an_internal_error_without_traceback(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(self: Scanner, *a: object, **k: object) -> None:
        raise RuntimeError("simulated failure")

    monkeypatch.setattr(Scanner, "check", boom)
    code, out, err = run(capsys, "check", "--text", RISKY)
    assert code == 3
    line = one_line_error(err)
    assert "internal error" in line and "simulated failure" in line
    assert out == ""


@pytest.mark.parametrize(("text", "fail_on", "expected"), [
    (WARNISH, "warn", 1), (WARNISH, "block", 0), (RISKY, "block", 1), (BENIGN, "block", 0),
])
def test_fail_on(capsys: pytest.CaptureFixture[str], text: str, fail_on: str, expected: int) -> None:
    code, _, _ = run(capsys, "check", "--fail-on", fail_on, "--text", text)
    assert code == expected


def test_warnish_text_really_is_warn(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "check", "--format", "json", "--text", WARNISH)
    assert json.loads(out)["verdict"] == "warn"


# ----------------------------------------------------------------------------- JSON


FINDING_KEYS = {"code", "category", "severity", "start", "end", "line", "column", "match", "score", "reasons",
                "precedent", "advice"}


def test_json_shape(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", "--format", "json", "--to", "家族群", "--text", RISKY + "\n" + PII)
    assert code == 1
    d = json.loads(out)
    assert set(d) == {"schema_version", "verdict", "score", "findings"}
    assert d["schema_version"] == 1 and d["verdict"] == "block" and isinstance(d["score"], float)
    assert d["findings"]
    for f in d["findings"]:
        assert set(f) == FINDING_KEYS
        assert isinstance(f["start"], int) and isinstance(f["end"], int) and f["start"] < f["end"]
        assert f["line"] >= 1 and f["column"] >= 1
        assert f["severity"] in ("info", "low", "medium", "high", "critical")
        assert f["reasons"] and all(set(r) == {"kind", "delta", "detail"} for r in f["reasons"])
        assert set(f["precedent"]) == {"id", "summary", "fit", "matched_features"}
        assert isinstance(f["precedent"]["matched_features"], list)
        assert f["advice"]
    assert any(r["kind"] == "destination" for f in d["findings"] for r in f["reasons"])
    assert "13800138000" not in out  # masked by default
    assert max(f["score"] for f in d["findings"]) == d["score"]


def test_json_show_matches_unmasks_and_warns_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "check", "--format", "json", "--show-matches", "--text", PII)
    assert code == 1
    assert "13800138000" in [f["match"] for f in json.loads(out)["findings"]]
    assert "--show-matches" in err


def test_json_for_several_inputs_names_each(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    p = tmp_path / "draft.txt"
    p.write_text(RISKY, encoding="utf-8")
    code, out, _ = run(capsys, "check", "--format", "json", "--text", BENIGN, str(p))
    assert code == 1
    d = json.loads(out)
    assert [i["path"] for i in d["inputs"]] == ["<text>", str(p)]
    assert [i["verdict"] for i in d["inputs"]] == ["pass", "block"]
    assert {f["path"] for f in d["findings"]} == {str(p)}


# ----------------------------------------------------------------------------- input files


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16", "utf-16-le-bom", "utf-16-be-bom"])
def test_files_in_every_supported_encoding(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, encoding: str
) -> None:
    text = "第一行：你好\r\n" + RISKY + "\n"
    if encoding.endswith("-bom"):
        codec = encoding[: -len("-bom")]
        bom = "\ufeff".encode(codec)
        data = bom + text.encode(codec)
    else:
        data = text.encode(encoding)
    p = tmp_path / f"draft-{encoding}.txt"
    p.write_bytes(data)
    code, out, err = run(capsys, "check", "--format", "json", str(p))
    assert code == 1, err
    f = json.loads(out)["findings"][0]
    assert (f["code"], f["match"], f["line"], f["column"]) == ("DOC101", "任务交办单", 2, 4)
    assert text[f["start"] : f["end"]] == "任务交办单"  # offsets ignore the BOM


def test_forced_encoding(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    p = tmp_path / "gbk.txt"
    p.write_bytes(RISKY.encode("gbk"))
    code, out, _ = run(capsys, "check", "--encoding", "gbk", str(p))
    assert code == 1 and "DOC101" in out


def _bad_input(tmp_path: Path, kind: str) -> Path:
    if kind == "missing":
        return tmp_path / "no-such-draft.txt"
    if kind == "directory":
        d = tmp_path / "a-folder"
        d.mkdir()
        return d
    p = tmp_path / f"{kind}.bin"
    if kind == "binary":
        p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10" * 4)
    else:  # bytes that are neither UTF-8, UTF-16 nor GB18030
        p.write_bytes(b"\x81\x30\x81\x30\xff\xff\xfe\x80" * 3)
    return p


@pytest.mark.parametrize("kind", ["missing", "directory", "binary", "undecodable"])
def test_bad_input_is_one_line_naming_the_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, kind: str
) -> None:
    path = _bad_input(tmp_path, kind)
    code, out, err = run(capsys, "check", str(path))
    assert code == 2
    line = one_line_error(err)
    assert line.startswith("leakguard: error: ") and str(path) in line
    assert out == ""


@pytest.mark.parametrize(("name", "line", "words"), [
    ("lexicon_bad_syntax.toml", 6, "TOML syntax error"),
    ("lexicon_unknown_field.toml", 13, "colour"),
    ("lexicon_bad_severity.toml", 5, "catastrophic"),
])
def test_malformed_lexicon_names_file_and_line(
    capsys: pytest.CaptureFixture[str], name: str, line: int, words: str
) -> None:
    path = FIX / name
    code, _, err = run(capsys, "check", "--lexicon", str(path), "--text", BENIGN)
    assert code == 2
    msg = one_line_error(err)
    assert f"{path}:{line}: " in msg and words in msg


def test_missing_lexicon_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "check", "--lexicon", str(tmp_path / "nope.toml"), "--text", BENIGN)
    assert code == 2 and "nope.toml" in one_line_error(err)


def test_extra_lexicon_adds_a_rule(capsys: pytest.CaptureFixture[str]) -> None:
    text = "今晚的蓝鲸行动已经开始了"
    assert run(capsys, "check", "--text", text)[0] == 0
    code, out, _ = run(capsys, "check", "--lexicon", str(FIX / "lexicon_extra.toml"), "--text", text)
    assert code == 1 and "ZZZ931" in out


def test_empty_file_is_a_clean_pass(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    p = tmp_path / "empty.txt"
    p.write_bytes(b"")
    code, out, err = run(capsys, "check", str(p))
    assert code == 0 and "pass" in out and err == ""


@pytest.mark.parametrize("data", [b"", "\ufeff".encode("utf-8")])
def test_empty_stdin_is_a_clean_pass(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, data: bytes
) -> None:
    feed_stdin(monkeypatch, data)
    code, out, err = run(capsys, "check", "--format", "json")
    assert code == 0 and json.loads(out)["verdict"] == "pass" and err == ""


@pytest.mark.parametrize("args", [(), ("-",)])
def test_stdin_is_read(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...]) -> None:
    feed_stdin(monkeypatch, RISKY.encode("gb18030"))
    code, out, _ = run(capsys, "check", *args)
    assert code == 1 and "DOC101" in out and "<stdin>" in out


def test_python_dash_m(tmp_path: Path) -> None:
    r = subprocess.run([sys.executable, "-m", "leakguard", "check", "--text", RISKY],
                       capture_output=True, text=True, timeout=60, cwd=tmp_path, check=False)
    assert r.returncode == 1, r.stderr
    assert "jishou-jiaobandan" in r.stdout and r.stderr == ""
    r = subprocess.run([sys.executable, "-m", "leakguard", "check", "--text", BENIGN],
                       capture_output=True, text=True, timeout=60, cwd=tmp_path, check=False)
    assert r.returncode == 0, r.stderr


# ----------------------------------------------------------------------------- help

COMMANDS = [(), ("check",), ("cases",), ("cases", "show"), ("rules",), ("rules", "show"), ("eval",)]
NO_EXAMPLE: set[tuple[str, ...]] = set()


@pytest.mark.parametrize("cmd", [
    pytest.param(c, marks=pytest.mark.xfail(
        strict=True, reason=f"bug: leakguard/cli/info.py: `leakguard {' '.join(c)} --help` has no example"))
    if c in NO_EXAMPLE else c
    for c in COMMANDS
], ids=lambda c: " ".join(c) or "leakguard")
def test_help_exits_0_and_shows_an_example(capsys: pytest.CaptureFixture[str], cmd: tuple[str, ...]) -> None:
    code, out, _ = run(capsys, *cmd, "--help")
    assert code == 0
    assert "Usage:" in out
    at = out.find("Example")
    assert at >= 0, out
    assert ("leakguard " + " ".join(cmd)).strip() in out[at:], out[at:]


def test_short_help_and_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "check", "-h")[0] == 0
    code, out, _ = run(capsys, "--version")
    assert code == 0 and "leakguard" in out and "0.1.0" in out


# ----------------------------------------------------------------------------- cases and rules


def test_cases_lists_every_case(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "cases")
    assert code == 0
    for cid in ("jishou-jiaobandan", "zhumadian-health-code", "chengdu-dispatch-photo-qingyang"):
        assert cid in out


def test_cases_show_zh(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "cases", "show", "jishou-jiaobandan")
    assert code == 0
    assert "案例：jishou-jiaobandan" in out and "吉首" in out and "教训：" in out


def test_cases_show_en_via_group_option(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "cases", "--lang", "en", "show", "jishou-jiaobandan")
    assert code == 0
    assert "case: jishou-jiaobandan" in out and "Jishou" in out and "lesson: " in out
    assert "教训" not in out


def test_cases_show_en_as_in_the_help_example(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "cases", "show", "jishou-jiaobandan", "--lang", "en")
    assert code == 0 and "case: jishou-jiaobandan" in out


def test_cases_show_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "cases", "show", "wuxue-rumor", "--format", "json")
    assert code == 0 and json.loads(out)["id"] == "wuxue-rumor"


def test_unknown_case_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "cases", "show", "no-such-case")
    assert code == 2 and "no-such-case" in one_line_error(err)


def test_rules_lists_every_rule(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rules")
    assert code == 0
    for r in Scanner.default().ruleset.rules:
        assert r.code in out


def test_rules_show(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rules", "show", "DOC101")
    assert code == 0
    assert out.startswith("DOC101") and "交办单" in out and "jishou-jiaobandan" in out
    assert "documents.toml:" in out
    code, out_lower, _ = run(capsys, "rules", "show", "doc101")
    assert code == 0 and out_lower == out


def test_rules_show_cue(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rules", "show", "CTX131")
    assert code == 0 and "别外传" in out


@pytest.mark.parametrize(("code_arg", "hint"), [("DOC1O1", "did you mean DOC101"), ("QQQ999", "leakguard rules")])
def test_unknown_rule_code_exit_2_with_hint(capsys: pytest.CaptureFixture[str], code_arg: str, hint: str) -> None:
    code, out, err = run(capsys, "rules", "show", code_arg)
    assert code == 2 and out == ""
    line = one_line_error(err)
    assert code_arg in line and hint in line


def test_rules_json_and_cues(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rules", "--cues", "--format", "json")
    assert code == 0
    d = json.loads(out)
    assert {r["code"] for r in d["rules"]} >= {"DOC101", "PII202", "RUM101"}
    assert {c["code"] for c in d["cues"]} >= {"CTX131", "CTX201"}


# ----------------------------------------------------------------------------- --lang en


def test_check_lang_en_is_english(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", "--lang", "en", "--no-color", "--text", RISKY)
    assert code == 1
    for label in ("why: ", "precedent: ", "instead: ", "verdict: ", "do not send"):
        assert label in out, label
    for zh in ("原因", "先例", "建议", "结论", "不建议发送"):
        assert zh not in out
    # the only Chinese left is quoted from the draft (context line, cue words, the term itself)
    assert set(HAN.findall(out)) <= set(RISKY)


def test_rules_lang_en(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rules", "--lang", "en", "show", "DOC101")
    assert code == 0 and "category: internal document" in out and "instead: " in out


def test_cli_lang_does_not_leak_into_the_library(capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "check", "--lang", "en", "--text", RISKY)
    try:
        f = Scanner.default().check(RISKY).findings[0]
        assert HAN.search(f.advice), f.advice
    finally:
        Scanner.default().lang = "zh"


# ----------------------------------------------------------------------------- eval


def test_eval_text(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "eval", str(FIX / "eval_small.jsonl"))
    assert code == 0
    assert re.search(r"P=\d\.\d{3}\s+R=\d\.\d{3}\s+F1=\d\.\d{3}", out), out
    assert "items: 9" in out and "missed (risky passed): r5" in out


def test_eval_json_matches_an_independent_count(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    preds = tmp_path / "preds.jsonl"
    code, out, _ = run(capsys, "eval", str(FIX / "eval_small.jsonl"), "--format", "json", "--predictions", str(preds))
    assert code == 0
    d = json.loads(out)
    for key in ("items", "precision", "recall", "f1", "benign_pass_rate", "precedent_match", "confusion",
                "per_category", "missed", "false_alarms", "wrong_precedent"):
        assert key in d, key
    sc = Scanner(Scanner.default().ruleset)
    items = [json.loads(x) for x in (FIX / "eval_small.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
    tp = sum(1 for i in items if i["label"] == "risky" and sc.check(i["text"]).flagged)
    fp = sum(1 for i in items if i["label"] == "benign" and sc.check(i["text"]).flagged)
    fn = sum(1 for i in items if i["label"] == "risky") - tp
    assert d["confusion"] == {"tp": tp, "fp": fp, "fn": fn, "tn": len(items) - tp - fp - fn}
    assert d["items"] == len(items) == 9
    assert d["precision"] == pytest.approx(tp / (tp + fp), abs=1e-4)
    assert d["recall"] == pytest.approx(tp / (tp + fn), abs=1e-4)
    p, r = d["precision"], d["recall"]
    assert d["f1"] == pytest.approx(2 * p * r / (p + r), abs=1e-3)
    lines = preds.read_text(encoding="utf-8").splitlines()
    assert [json.loads(x)["id"] for x in lines] == [i["id"] for i in items]


def test_eval_bad_record_names_file_and_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    p = tmp_path / "bad.jsonl"
    p.write_text('{"id": "a", "text": "你好", "label": "benign"}\n{"id": "b", "text": "你好", "label": "maybe"}\n',
                 encoding="utf-8")
    code, _, err = run(capsys, "eval", str(p))
    assert code == 2 and f"{p}:2:" in one_line_error(err)
