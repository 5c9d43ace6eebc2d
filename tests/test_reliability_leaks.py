"""Reports never leak the personal data they find.

A corpus of planted personal data — ID numbers with valid GB 11643 check digits, mobile
numbers and Luhn-valid bank card numbers, generated here, written plain, spaced, dashed and
in full-width digits, inside drafts and chat exports (also as a WhatsApp sender) — goes
through ``check`` and ``scan`` in every output format their ``--format`` offers (read from
click, so a new format is covered), ``scan --format jsonl --all``, and the audit log,
``redact`` and baseline files where those commands exist.  No output may contain any planted
number, even with spaces, dashes or full-width digits.  ``--show-matches`` does show them,
and says so on stderr.
"""

from __future__ import annotations

import json
import random
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
import pytest

from leakguard.cli import main
from leakguard.detectors import gb11643_check_digit, luhn_ok

REGIONS = ["110101", "310104", "440305", "430102", "510107", "320106", "420106", "330106"]
NAMES = ["赵一鸣", "钱二丫", "孙三省", "李四海", "周五福", "吴六顺"]


@dataclass(frozen=True)
class Person:
    name: str
    cn_id: str
    mobile: str
    card: str


def _person(rng: random.Random, name: str) -> Person:
    body = f"{rng.choice(REGIONS)}{rng.randint(1955, 2004)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}" \
           f"{rng.randint(100, 999)}"
    mobile = f"1{rng.choice('3456789')}{rng.randint(0, 9)}{rng.randint(0, 99_999_999):08d}"
    stem = "62" + "".join(str(rng.randint(0, 9)) for _ in range(rng.choice([14, 16])))
    card = next(stem + str(d) for d in range(10) if luhn_ok(stem + str(d)))
    return Person(name, body + gb11643_check_digit(body), mobile, card)


PEOPLE = [_person(random.Random(20240501 + i), n) for i, n in enumerate(NAMES)]
SECRETS = [v for p in PEOPLE for v in (p.cn_id, p.mobile, p.card)]


def spaced(number: str, group: int = 4) -> str:
    return " ".join(number[i:i + group] for i in range(0, len(number), group))


def fullwidth(number: str) -> str:
    return number.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})


def messages() -> list[str]:
    a, b, c, d, e, f = PEOPLE
    return [
        f"{a.name}的身份证号{a.cn_id}，手机{a.mobile}，昨天确诊了，别外传",
        f"返乡人员名单：{b.name} {b.cn_id} {b.mobile}；{c.name} {c.cn_id} {c.mobile}",
        f"工资卡号 {spaced(d.card)}，户名{d.name}，身份证{d.cn_id[:6]}-{d.cn_id[6:14]}-{d.cn_id[14:]}",
        f"{e.name}电话{e.mobile[:3]}-{e.mobile[3:7]}-{e.mobile[7:]}，卡号{e.card}，交办单拍给你们看看",
        f"密接：{f.name}，证件号{fullwidth(f.cn_id)}，手机{fullwidth(f.mobile)}，银行卡{f.card}",
        f"{a.name} {a.mobile[:3]} {a.mobile[3:7]} {a.mobile[7:]} 的核酸阳性，通知一下家属",
    ]


_SEPARATORS = re.compile(r"[\s\-_.·*,，/\\]+")


def leaked(output: str) -> list[str]:
    """Planted numbers found in ``output``, after folding full-width digits and dropping the
    separators people write inside numbers."""
    folded = _SEPARATORS.sub("", unicodedata.normalize("NFKC", output))
    return [s for s in SECRETS if s in folded]


def formats(command: str) -> tuple[str, ...]:
    from leakguard.cli import _register, cli

    _register()
    cmd = cli.get_command(click.Context(cli), command)
    assert cmd is not None
    for p in cmd.params:
        if isinstance(p, click.Option) and "--format" in p.opts and isinstance(p.type, click.Choice):
            return tuple(p.type.choices)
    raise AssertionError(f"{command} has no --format")


@pytest.fixture()
def corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LEAKGUARD_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    root = tmp_path / "exports"
    root.mkdir()
    msgs = messages()
    (root / "chat.jsonl").write_text("".join(
        json.dumps({"time": f"2024-05-01 10:0{i}:00", "sender": NAMES[i], "text": m, "conversation": "家族群"},
                   ensure_ascii=False) + "\n" for i, m in enumerate(msgs)), encoding="utf-8")
    (root / "qq.txt").write_text("\n\n".join(f"2024-05-02 09:{i:02d}:00 {NAMES[i]}\n{m}" for i, m in enumerate(msgs))
                                 + "\n", encoding="utf-8")
    sender = f"+86 {PEOPLE[0].mobile[:3]} {PEOPLE[0].mobile[3:7]} {PEOPLE[0].mobile[7:]}"
    (root / "WhatsApp Chat with 家族群.txt").write_text(
        "\n".join(f"2024/5/3 20:0{i} - {sender if i % 2 else NAMES[i]}: {m}" for i, m in enumerate(msgs)) + "\n",
        encoding="utf-8")
    (tmp_path / "draft.txt").write_text("\n".join(msgs) + "\n", encoding="utf-8")
    return tmp_path


def run(args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        stdin: str = "") -> tuple[int, str, str]:
    import io
    import sys

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin.encode()), encoding="utf-8"))
    code = main(args)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_the_corpus_is_really_flagged(corpus: Path, capsys: pytest.CaptureFixture[str],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The planted data is found (otherwise a clean report would prove nothing)."""
    code, out, _ = run(["check", "--format", "json", "--show-matches", str(corpus / "draft.txt")], capsys,
                       monkeypatch)
    assert code == 1
    found = {f["match"] for f in json.loads(out)["findings"]}
    assert {p.cn_id for p in PEOPLE[:3]} <= found
    assert len(leaked(out)) >= len(SECRETS) // 2


@pytest.mark.parametrize("extra", [[], ["--explain"], ["--lang", "en", "--to", "家族群"]])
def test_check_reports_do_not_leak(corpus: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
                                   extra: list[str]) -> None:
    draft = corpus / "draft.txt"
    for fmt in formats("check"):
        code, out, err = run(["check", "--format", fmt, *extra, str(draft)], capsys, monkeypatch)
        assert code == 1, (fmt, err)
        assert out.strip()
        assert leaked(out + err) == [], (fmt, leaked(out + err))
        code, out, err = run(["check", "--format", fmt, *extra], capsys, monkeypatch, stdin=draft.read_text())
        assert code == 1 and leaked(out + err) == [], fmt


def test_scan_reports_do_not_leak(corpus: Path, capsys: pytest.CaptureFixture[str],
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    exports = str(corpus / "exports")
    for fmt in formats("scan"):
        target = corpus / f"report.{fmt}"
        code, out, err = run(["scan", "--format", fmt, "-o", str(target), exports], capsys, monkeypatch)
        assert code == 1, (fmt, err)
        report = target.read_text(encoding="utf-8")
        assert report.strip()
        assert leaked(report + out + err) == [], (fmt, leaked(report + out + err))
        code, out, err = run(["scan", "--format", fmt, exports], capsys, monkeypatch)  # to stdout
        assert leaked(out + err) == [], fmt
    code, out, err = run(["scan", "--format", "jsonl", "--all", exports], capsys, monkeypatch)
    assert len(out.splitlines()) >= 3 * len(messages())
    assert leaked(out + err) == []


def test_show_matches_reveals_and_says_so(corpus: Path, capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    for args in (["check", "--show-matches", str(corpus / "draft.txt")],
                 ["check", "--format", "json", "--show-matches", str(corpus / "draft.txt")],
                 ["scan", "--show-matches", str(corpus / "exports")],
                 ["scan", "--format", "jsonl", "--show-matches", str(corpus / "exports")]):
        code, out, err = run(args, capsys, monkeypatch)
        assert code == 1
        assert leaked(out), args
        assert "--show-matches" in err and "unmasked" in err, err


def test_audit_redact_and_baseline_do_not_leak(corpus: Path, capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from leakguard.cli import _register, cli

    _register()
    commands = set(cli.list_commands(click.Context(cli)))
    draft = corpus / "draft.txt"
    written: list[Path] = []
    if "sendmail" in commands:  # an override with a reason is what fills the audit log
        mail = "From: a@example.invalid\nSubject: 名单\nContent-Type: text/plain; charset=utf-8\n\n" + draft.read_text()
        code, out, err = run(["sendmail", "--reason", "已获授权", "--sendmail", "/bin/true", "--", "-t"], capsys,
                             monkeypatch, stdin=mail)
        assert leaked(out + err) == []
    if "audit" in commands:
        for fmt in formats("audit"):
            code, out, err = run(["audit", "--format", fmt], capsys, monkeypatch)
            assert code == 0 and leaked(out + err) == [], fmt
        written += list((corpus / "data").rglob("*.jsonl"))
    if "redact" in commands:
        code, out, err = run(["redact", str(draft)], capsys, monkeypatch)
        assert code in (0, 1) and out.strip()
        assert leaked(out + err) == []
    if "baseline" in commands:
        code, out, err = run(["baseline", "create", str(corpus / "bl.json"), str(draft)], capsys, monkeypatch)
        assert code == 0, err
        written.append(corpus / "bl.json")
    if not written:
        pytest.skip("no audit log or baseline commands in this version")
    for path in written:
        assert leaked(path.read_text(encoding="utf-8")) == [], path


def test_sarif_fingerprints_do_not_encode_the_raw_numbers(corpus: Path, capsys: pytest.CaptureFixture[str],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """A SARIF result's fingerprint must not be the hash of the raw value: the message shows
    the mask (136****2220), so a hash of the raw number is reversed with 10^4 tries."""
    if "sarif" not in formats("check") or "sarif" not in formats("scan"):
        pytest.skip("no SARIF output in this version")
    from leakguard.baseline import fingerprint

    reports = [run(["check", "--format", "sarif", "draft.txt"], capsys, monkeypatch)[1]]
    run(["scan", "--format", "sarif", "-o", "r.sarif", "exports"], capsys, monkeypatch)
    reports.append((corpus / "r.sarif").read_text(encoding="utf-8"))
    for report in reports:
        data = json.loads(report)
        results = [r for run_ in data["runs"] for r in run_["results"]]
        pii = [r for r in results if r["properties"]["category"] == "personal_data"]
        assert pii
        for r in pii:
            uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            raw = {fingerprint(r["ruleId"], source, s) for s in SECRETS for source in (uri, uri.split("!")[0])}
            assert raw.isdisjoint(_fingerprints(json.dumps(r))), r["message"]["text"]


def _fingerprints(report: str) -> set[str]:
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                if k == "partialFingerprints" and isinstance(v, dict):
                    found.update(str(x) for x in v.values())
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(json.loads(report))
    return found
