"""The Python API for bots and plug-ins: check(text, to=None) -> Verdict, the same fields as the JSON output."""

from __future__ import annotations

import dataclasses
import inspect
import json

import pytest

import leakguard
from leakguard.cli import main
from leakguard.model import Verdict

DRAFTS = [
    ("交办单拍给你们看看，别外传", None),
    ("那个确诊的人身份证11010519491231002X，电话13912345678，别外传", "家族群"),
    ("讨论稿发你看看", "单位工作群"),
    ("明天上午九点开调度会", None),
]


@pytest.mark.parametrize(("text", "to"), DRAFTS)
def test_check_equals_the_json_output(text: str, to: str | None, capsys: pytest.CaptureFixture[str]) -> None:
    v = leakguard.check(text, to=to)
    assert isinstance(v, Verdict)
    argv = ["check", "--no-config", "--format", "json", "--text", text] + (["--to", to] if to else [])
    code = main(argv)
    cli = json.loads(capsys.readouterr().out)
    assert v.to_dict() == cli
    assert code == (1 if v.flagged else 0)


def test_verdict_fields_cover_every_json_key() -> None:
    v = leakguard.check("交办单拍给你们看看，别外传")
    d = v.to_dict()
    assert set(d) == {"schema_version", "verdict", "score", "findings"}
    assert (d["verdict"], d["score"]) == (v.verdict, round(v.score, 3))
    f, fd = v.findings[0], d["findings"][0]
    names = {x.name for x in dataclasses.fields(f)}
    for key in fd:
        attr = {"reasons": "steps"}.get(key, key)
        assert attr in names, key
    assert fd["precedent"]["id"] == f.precedent.id and fd["reasons"][0]["kind"] == f.steps[0].kind


def test_api_masks_like_the_cli_unless_asked() -> None:
    v = leakguard.check("那个确诊的人身份证11010519491231002X，别外传")
    assert "11010519491231002X" not in json.dumps(v.to_dict(), ensure_ascii=False)
    assert "11010519491231002X" in json.dumps(v.to_dict(show_matches=True), ensure_ascii=False)


def test_signature_and_lang() -> None:
    params = inspect.signature(leakguard.check).parameters
    assert list(params)[:3] == ["text", "to", "lang"] and params["to"].default is None
    en = leakguard.check("交办单拍给你们看看，别外传", lang="en")
    assert en.findings[0].name == "tasking or supervision sheet"


@pytest.mark.parametrize("cmd", [("hook",), ("hook", "install"), ("hook", "uninstall"), ("hook", "run"),
                                 ("sendmail",), ("baseline",), ("baseline", "create"), ("baseline", "update"),
                                 ("audit",), ("redact",)], ids=" ".join)
def test_integration_commands_have_help_with_an_example(capsys: pytest.CaptureFixture[str],
                                                        cmd: tuple[str, ...]) -> None:
    code = main([*cmd, "--help"])
    out = capsys.readouterr().out
    assert code == 0 and "Usage:" in out
    at = out.find("Example")
    assert at >= 0 and ("leakguard " + " ".join(cmd)) in out[at:], out
