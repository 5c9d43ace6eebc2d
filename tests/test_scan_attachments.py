"""`leakguard scan` reads photos and documents found beside an export."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from leakguard.cli import main

FIX = Path(__file__).parent / "fixtures" / "attachments"
EXPORT = "2022-09-01 08:30:12 小林\n今天下午三点开会，请准时参加。\n"


def _folder(tmp_path: Path) -> Path:
    d = tmp_path / "导出"
    d.mkdir()
    (d / "chat.txt").write_text(EXPORT, encoding="utf-8")
    shutil.copy(FIX / "returnees.xlsx", d / "returnees.xlsx")
    return d


def test_documents_beside_an_export_are_scanned(tmp_path, capsys):
    pytest.importorskip("openpyxl", reason="needs the docs extra: pip install 'leakguard[docs]'")
    rc = main(["scan", str(_folder(tmp_path)), "--format", "jsonl"])
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert rc == 1
    codes = {f["code"] for x in lines for f in x["findings"]}
    assert "LIST-PEOPLE" in codes
    paths = {x["source"]["path"] for x in lines}
    assert any(p.split("#")[0].endswith("returnees.xlsx") for p in paths)
    assert all(x["kind"] == "attachment" for x in lines)  # the chat line itself is harmless


def test_missing_extra_is_a_counted_skip(tmp_path, capsys, monkeypatch):
    from leakguard import attachments
    from leakguard.attachments import MissingExtra

    def refuse(path):
        raise MissingExtra(f"{path}: reading Excel files needs the docs extra: pip install 'leakguard[docs]'")

    monkeypatch.setattr(attachments, "extract", refuse)
    rc = main(["scan", str(_folder(tmp_path)), "--format", "json"])
    s = json.loads(capsys.readouterr().out)
    assert rc == 0
    assert s["skipped"] == 1 and "docs extra" in s["bad_records"][0]["reason"]
    assert s["messages"] == 1
