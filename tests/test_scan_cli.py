"""`leakguard scan` end to end on small exports written here (generic JSONL and WhatsApp text)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from leakguard.cli import main

LEAKY = "这是今天镇里刚下的交办单，我拍下来了，家里人看看就行别转 [图片]"
PLAIN = "明天上午九点开调度会，请准时参加"
PII = "患者韦某某身份证451123196408143315，刚确诊，住城北路18号"


def _jsonl(tmp_path: Path) -> Path:
    rows = [
        {"content": PLAIN, "talker": "局办公室工作群", "sender": "小李", "time": "2022-09-01 09:00:00"},
        {"content": LEAKY, "talker": "相亲相爱一家人", "sender": "老向", "time": "2022-09-02 20:10:00"},
        {"content": PII, "talker": "老同学群", "sender": "宋某", "time": "2022-09-03 08:00:00"},
    ]
    p = tmp_path / "export.jsonl"
    lines = [json.dumps(r, ensure_ascii=False) for r in rows]
    lines.insert(2, '{"content": "broken')  # a malformed record: counted and skipped
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


def test_jsonl_output_one_object_per_flagged_message(tmp_path, capsys):
    p = _jsonl(tmp_path)
    rc = main(["scan", str(p), "--format", "jsonl", "--text-field", "content"])
    out, err = capsys.readouterr()
    assert rc == 1
    objs = [json.loads(line) for line in out.splitlines()]
    assert len(objs) == 2
    first = objs[0]
    assert set(first) >= {"verdict", "score", "findings", "conversation", "sender", "time", "message_index", "source"}
    assert first["source"]["line"] == 2 and first["source"]["path"].endswith("export.jsonl")
    assert first["findings"][0]["precedent"]["id"] == "jishou-jiaobandan"
    assert "451123196408143315" not in out  # masked by default
    assert "skipped 1" in err or "跳过 1" in err


def test_all_includes_benign_messages(tmp_path, capsys):
    main(["scan", str(_jsonl(tmp_path)), "--format", "jsonl", "--all", "--text-field", "content"])
    out = capsys.readouterr().out
    assert len(out.splitlines()) == 3


def test_json_summary_counts(tmp_path, capsys):
    rc = main(["scan", str(_jsonl(tmp_path)), "--format", "json", "--text-field", "content"])
    s = json.loads(capsys.readouterr().out)
    assert rc == 1
    assert (s["messages"], s["skipped"], s["flagged"]) == (3, 1, 2)
    assert s["bad_records"][0]["line"] == 3
    assert set(s["by_category"]) == {"document", "personal_data"}


def test_text_report_and_since_filter(tmp_path, capsys):
    rc = main(["scan", str(_jsonl(tmp_path)), "--since", "2022-09-03", "--text-field", "content", "--lang", "en"])
    out = capsys.readouterr().out
    assert rc == 1
    assert "messages read: 1" in out and "PII201" in out
    assert "451123196408143315" not in out


def test_html_report_is_self_contained(tmp_path, capsys):
    report = tmp_path / "r.html"
    rc = main(["scan", str(_jsonl(tmp_path)), "--format", "html", "-o", str(report), "--text-field", "content"])
    html = report.read_text(encoding="utf-8")
    assert rc == 1
    assert html.startswith("<!DOCTYPE html>") and "<mark" in html
    assert "http://" not in html and "https://" not in html
    assert "451123196408143315" not in html
    assert not list(tmp_path.glob(".r.html.*"))  # no temp file left behind


@pytest.mark.parametrize("bad", [["--since", "yesterday"], ["--input-format", "nope"]])
def test_bad_options_exit_2(tmp_path, capsys, bad):
    assert main(["scan", str(_jsonl(tmp_path)), *bad]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_missing_path_is_counted_not_fatal(tmp_path, capsys):
    good = _jsonl(tmp_path)
    rc = main(["scan", str(tmp_path / "missing.txt"), str(good), "--format", "json", "--text-field", "content"])
    s = json.loads(capsys.readouterr().out)
    assert rc == 1 and s["skipped"] >= 2 and s["messages"] == 3


def test_a_skipped_record_is_named_by_line_and_a_skipped_file_by_path(tmp_path, capsys):
    p = _jsonl(tmp_path)
    blob = tmp_path / "blob.txt"
    blob.write_bytes(b"\x80\xfd\xff\x81\x20\xfe\xfe" * 10)  # not text in any encoding
    main(["scan", str(tmp_path), "--text-field", "content", "--lang", "en", "--no-color"])
    lines = [s.strip() for s in capsys.readouterr().out.splitlines() if s.strip().startswith("skipped ")]
    assert len(lines) == 2
    assert any(s.startswith(f"skipped {p}:3: ") for s in lines)
    assert f"skipped {blob}: cannot decode as UTF-8, UTF-16 or GB18030 (use --encoding to force one)" in lines
    report = tmp_path / "report.html"
    main(["scan", str(p), str(blob), "--text-field", "content", "--format", "html", "-o", str(report)])
    html = report.read_text(encoding="utf-8")
    assert f"{blob}: cannot decode" in html and f"{blob}:0" not in html
