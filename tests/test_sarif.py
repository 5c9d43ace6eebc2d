"""`--format sarif` (SARIF 2.1.0) for check and scan, validated against our schema of the subset we emit."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from leakguard.baseline import fingerprint
from leakguard.cli import main
from leakguard.render.sarif import FINGERPRINT_KEY

SCHEMA = Path(__file__).parent / "fixtures" / "sarif" / "sarif-subset.schema.json"
ID = "11010519491231002X"
PHONE = "13912345678"
CARD = "6222020200112233445"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def validate(doc: dict[str, Any]) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    jsonschema.Draft7Validator(schema).validate(doc)
    for res in doc["runs"][0]["results"]:  # what a format checker would need rfc3987 for
        uri = res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert re.fullmatch(r"[A-Za-z0-9\-._~%!$&'()*+,;=:@/]+", uri), uri


def test_schema_rejects_what_it_should() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    bad = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "columnKind": "bytes", "results": []}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)
    bad = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [
        {"message": {"text": "m"}, "locations": [{"physicalLocation": {"artifactLocation": {"uri": "a"},
                                                                       "region": {"startColumn": 0}}}]}]}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)


@pytest.fixture()
def draft(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes").mkdir()
    f = tmp_path / "notes" / "草稿 1.txt"
    # an astral emoji before the finding: code points and UTF-16 units differ from here on
    f.write_text(f"第一行\n😷👉交办单拍给你们看看，别外传\n那个确诊的人身份证{ID}，电话{PHONE}，卡号{CARD}\n",
                 encoding="utf-8")
    return f


def test_check_sarif_is_valid_and_uses_code_point_regions(draft: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", "--no-config", "--format", "sarif", "notes/草稿 1.txt")
    assert code == 1
    doc = json.loads(out)
    validate(doc)
    run0 = doc["runs"][0]
    assert doc["version"] == "2.1.0" and run0["columnKind"] == "unicodeCodePoints"
    by_rule = {r["ruleId"]: r for r in run0["results"]}
    doc101 = by_rule["DOC101"]
    loc = doc101["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "notes/%E8%8D%89%E7%A8%BF%201.txt"
    text = draft.read_text(encoding="utf-8")
    start = text.index("交办单")
    assert loc["region"] == {"startLine": 2, "startColumn": 3, "endLine": 2, "endColumn": 6,
                             "charOffset": start, "charLength": 3}
    assert doc101["level"] == "error" and doc101["properties"]["precedent"] == "jishou-jiaobandan"
    assert doc101["partialFingerprints"][FINGERPRINT_KEY] == fingerprint("DOC101", "notes/草稿 1.txt", "交办单")
    rules = run0["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted({r["id"] for r in rules}, key=[r["id"] for r in rules].index)
    for res in run0["results"]:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
    doc_rule = rules[doc101["ruleIndex"]]
    assert doc_rule["name"] == "交办单 / 督办单" and "吉首市" in doc_rule["help"]["text"]
    assert doc_rule["help"]["text"].startswith("建议：交办单是内部工作文件")
    assert doc_rule["properties"]["precedents"][0] == "jishou-jiaobandan"


def test_sarif_never_contains_raw_personal_data(draft: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", "--no-config", "--format", "sarif", str(draft))
    assert code == 1
    assert ID not in out and PHONE not in out and CARD not in out
    results = json.loads(out)["runs"][0]["results"]
    id_result = next(r for r in results if r["ruleId"] == "PII201")
    assert "1101**********002X" in id_result["message"]["text"]
    region = id_result["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] == 3 and region["charLength"] == 18


def test_sarif_in_english_and_for_stdin_like_inputs(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "check", "--no-config", "--format", "sarif", "--lang", "en",
                       "--text", "交办单拍给你们看看，别外传")
    doc = json.loads(out)
    validate(doc)
    res = doc["runs"][0]["results"][0]
    assert res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "%3Ctext%3E"
    assert "tasking or supervision sheet" in res["message"]["text"]
    help_text = doc["runs"][0]["tool"]["driver"]["rules"][0]["help"]["text"]
    assert help_text.startswith("instead: A tasking sheet") and "\nprecedent: " in help_text


def test_clean_input_gives_an_empty_valid_run(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", "--no-config", "--format", "sarif", "--text", "明天上午九点开会")
    doc = json.loads(out)
    validate(doc)
    assert code == 0 and doc["runs"][0]["results"] == [] and doc["runs"][0]["tool"]["driver"]["rules"] == []


def test_scan_sarif(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    rows = [{"text": "好的", "who": "甲"}, {"text": f"那个确诊的人电话是{PHONE}，别外传", "who": "乙"},
            {"text": "交办单拍给你们看看，别外传", "who": "丙"}]
    (tmp_path / "log.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                                        encoding="utf-8")
    code, out, err = run(capsys, "scan", "--no-config", "log.jsonl", "--text-field", "text", "--format", "sarif")
    assert code == 1 and "标记 2 条" in err
    doc = json.loads(out)
    validate(doc)
    results = doc["runs"][0]["results"]
    assert {r["ruleId"] for r in results} >= {"PII202", "DOC101"}
    lines = {r["ruleId"]: r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in results}
    assert lines["PII202"] == 2 and lines["DOC101"] == 3
    assert all(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "log.jsonl" for r in results)
    assert PHONE not in out
