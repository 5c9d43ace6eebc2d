"""The bad-input catalogue: every way an input can be broken gives a one-line error (exit 2)
or a counted skip — never a traceback, a hang, or a partial report file.

Each case runs the real CLI in a subprocess (so a hang is a timeout and a traceback is
visible) through a small wrapper that reports the process's peak RSS.  ``scan`` cases write
their report with ``-o``: after an error no report may exist, after a skip it must be whole,
and no temporary file may be left behind either way.

Policies pinned here:
* a FIFO, socket or device is never opened: ``check`` refuses it (exit 2, pipe streams to
  stdin instead), ``scan`` counts it as a skipped record ("not a regular file");
* ``check`` reads one draft whole and refuses more than 64 MB; ``scan`` streams any size
  in bounded memory (the 1 GB single line runs with LEAKGUARD_HUGE_TESTS=1, ~3 minutes;
  by default a 32 MB line, large enough that reading it whole breaks the memory bound);
* lexicons hold no regular expressions (a ``pattern`` field is an unknown-field error); the
  only user regexes are ``[allow] patterns`` in the settings, which run with a time limit.

Unreadable files: the tests run as root, for whom ``chmod 000`` changes nothing, so the
wrapper makes ``open()`` raise PermissionError for paths containing ``LG_TEST_DENY``
(with a normal user the file is really made unreadable instead).
"""

from __future__ import annotations

import codecs
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).parents[1]
RISKY = "交办单拍给你们看看，别外传"
WRAPPER = r"""
import atexit, builtins, io, os, resource, sys
deny = os.environ.get("LG_TEST_DENY")
real_open = io.open
if deny:
    def guarded(file, *args, **kwargs):
        if not isinstance(file, int) and deny in os.fsdecode(os.fspath(file)):
            raise PermissionError(13, "Permission denied", os.fsdecode(os.fspath(file)))
        return real_open(file, *args, **kwargs)
    builtins.open = io.open = guarded
if os.environ.get("LG_TEST_BREAK"):  # an internal error inside the check
    import leakguard.scanner
    def broken(*args, **kwargs):
        raise RuntimeError("simulated internal error")
    leakguard.scanner.Scanner.check = broken
def peak_kb():
    # VmHWM is reset by exec; ru_maxrss keeps the forking parent's peak (pytest's)
    try:
        with real_open("/proc/self/status") as f:
            return next(int(ln.split()[1]) for ln in f if ln.startswith("VmHWM:"))
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
atexit.register(lambda: sys.stderr.write("\n@@maxrss=%d\n" % peak_kb()))
from leakguard.cli import main
sys.exit(main(sys.argv[1:]))
"""
AS_ROOT = os.geteuid() == 0
HUGE = os.environ.get("LEAKGUARD_HUGE_TESTS") == "1"


@dataclass
class Outcome:
    code: int
    stdout: str
    errors: list[str]  # stderr lines, blank lines and the RSS marker removed
    rss_mb: float
    seconds: float


def run_cli(args: list[str], cwd: Path, stdin: bytes = b"", env: dict[str, str] | None = None,
            timeout: float = 60) -> Outcome:
    full = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8", **(env or {})}
    t0 = time.monotonic()
    try:
        p = subprocess.run([sys.executable, "-c", WRAPPER, *args], input=stdin, capture_output=True,
                           cwd=cwd, env=full, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        pytest.fail(f"leakguard {' '.join(args)} hung (no result after {timeout} s)")
    err = p.stderr.decode("utf-8", "replace")
    rss = [int(ln.split("=")[1]) for ln in err.splitlines() if ln.startswith("@@maxrss=")]
    lines = [ln for ln in err.splitlines() if ln.strip() and not ln.startswith("@@maxrss=")]
    return Outcome(p.returncode, p.stdout.decode("utf-8", "replace"), lines, (rss[0] if rss else 0) / 1024,
                   time.monotonic() - t0)


# ----------------------------------------------------------------------------- the catalogue


@dataclass(frozen=True)
class Case:
    id: str
    build: Callable[[Path], list[str]]  # writes the inputs into the folder; returns the arguments
    expect: str  # "error": exit 2 + one line | "skip": counted bad record | "ok": runs through
    #              | "blocked": hook mode failed closed (exit 1 + one line)
    needle: str = ""  # in the error line, or in a skipped record's reason
    stdin: bytes = b""
    env: dict[str, str] = field(default_factory=dict)
    timeout: float = 60
    max_rss_mb: float = 400
    max_growth_mb: float | None = None  # peak RSS above that of scanning a tiny file
    check: Callable[[dict[str, Any]], None] | None = None  # more assertions on the scan report
    marks: tuple[Any, ...] = ()


def scan(*paths: str, extra: tuple[str, ...] = ()) -> list[str]:
    return ["scan", "--lang", "en", "--format", "json", "-o", "report.json", *extra, *paths]


def check(*args: str) -> list[str]:
    return ["check", "--lang", "en", "--no-color", *args]


def write(folder: Path, name: str, data: bytes) -> Path:
    p = folder / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(data)
    return p


# --- invalid bytes in every supported encoding -----------------------------------------------

GOOD = "会议纪要：明天九点开会。\n"
INVALID = {  # encoding -> a file in that encoding with undecodable bytes in the middle
    "utf-8": GOOD.encode() + b"\xff\xfe broken \xc3\x28\n" + GOOD.encode(),
    "utf-8-sig": codecs.BOM_UTF8 + GOOD.encode() + b"\xed\xa0\x80 lone surrogate\n" + GOOD.encode(),
    "gb18030": GOOD.encode("gb18030") + b"\x81\x20 lead byte before ASCII\n" + GOOD.encode("gb18030"),
    "utf-16": codecs.BOM_UTF16_LE + GOOD.encode("utf-16-le") + b"\x00\xd8A\x00" + GOOD.encode("utf-16-le"),
    "utf-16-le": GOOD.encode("utf-16-le") + b"\x00\xdc\x00\xd8" + GOOD.encode("utf-16-le"),
    "utf-16-be": GOOD.encode("utf-16-be") + b"\xd8\x00\x00A" + GOOD.encode("utf-16-be") + b"\x00",
}


def invalid_cases() -> list[Case]:
    out = []
    for enc, data in INVALID.items():
        def build(d: Path, data: bytes = data) -> Path:
            return write(d, "notes.txt", data)

        out.append(Case(f"invalid-bytes-{enc}-check", lambda d, b=build, e=enc: check("--encoding", e, str(b(d))),
                        "error", f"invalid {enc} bytes"))
        out.append(Case(f"invalid-bytes-{enc}-scan", lambda d, b=build, e=enc: scan(str(b(d)), extra=("--encoding", e)),
                        "skip", "undecodable bytes replaced"))
    late = "今天天气很好，大家早点休息。\n\n".encode() * 3000 + b"\xff\xff tail\n"  # valid for the sniffed 64 KB
    early = GOOD.encode() + b"\xff" + GOOD.encode() * 40  # one bad byte in clean text: still UTF-8
    out += [
        Case("undecodable-sniffed-check", lambda d: check(str(write(d, "x.txt", b"\x80\xfd\xffabc\x81\x20"))),
             "error", "cannot decode"),
        Case("undecodable-sniffed-scan", lambda d: scan(str(write(d, "x.txt", b"\x80\xfd\xffabc\x81\x20"))),
             "skip", "cannot decode"),
        Case("invalid-bytes-after-sniff-check", lambda d: check(str(write(d, "late.txt", late))), "error",
             "invalid utf-8 bytes"),
        Case("invalid-bytes-after-sniff-scan", lambda d: scan(str(write(d, "late.txt", late))), "skip",
             "undecodable bytes replaced"),
        Case("invalid-bytes-early-check", lambda d: check(str(write(d, "early.txt", early))), "error",
             "early.txt:2: invalid utf-8 bytes"),
        Case("invalid-bytes-early-scan", lambda d: scan(str(write(d, "early.txt", early))), "skip",
             "undecodable bytes replaced"),
        Case("invalid-bytes-stdin", lambda d: check("-"), "error", "<stdin>", stdin=b"abc\xff\xfe\x81\x20"),
    ]
    return out


# --- BOM mismatches --------------------------------------------------------------------------

def bom_cases() -> list[Case]:
    utf8_bom_gbk = codecs.BOM_UTF8 + (RISKY + "\n").encode("gb18030")
    utf16_bom_utf8 = codecs.BOM_UTF16_LE + (RISKY + "\n").encode("utf-8")  # would decode to nonsense
    utf16_file = (RISKY + "\n").encode("utf-16")
    return [
        Case("bom-utf8-gbk-body-check", lambda d: check(str(write(d, "a.txt", utf8_bom_gbk))), "error",
             "invalid utf-8-sig bytes"),
        Case("bom-utf8-gbk-body-scan", lambda d: scan(str(write(d, "a.txt", utf8_bom_gbk))), "skip",
             "undecodable bytes replaced"),
        Case("bom-utf16-utf8-body-check", lambda d: check(str(write(d, "b.txt", utf16_bom_utf8))), "error",
             "BOM mismatch"),
        Case("bom-utf16-utf8-body-scan", lambda d: scan(str(write(d, "b.txt", utf16_bom_utf8))), "skip",
             "BOM mismatch"),
        Case("bom-utf16-forced-utf8-check", lambda d: check("--encoding", "utf-8", str(write(d, "c.txt", utf16_file))),
             "error", "invalid utf-8 bytes"),
        Case("bom-utf16-forced-gb18030-scan",
             lambda d: scan(str(write(d, "c.txt", utf16_file)), extra=("--encoding", "gb18030")),
             "skip", ""),
    ]


# --- NUL bytes, huge inputs ------------------------------------------------------------------

NUL = (RISKY + "\x00\x00\x00\x00 binary\n").encode()


def _long_line(folder: Path, size: int) -> Path:
    if shutil.disk_usage(folder).free < 2 * size:
        pytest.skip(f"not enough disk for a {size >> 20} MB file")
    chunk = b"hello world this is one very long line without any newline " * (1 << 14)
    path = folder / "one_line.txt"
    with open(path, "wb") as f:
        left = size
        while left > 0:
            f.write(chunk[:left])
            left -= len(chunk)
        f.write(("。" + RISKY + " 身份证 110101199003074578").encode())  # at the very end: no newline
    return path


def _reached_the_end(report: dict[str, Any]) -> None:
    assert report["messages"] >= 2 and report["flagged"] >= 1 and report["skipped"] == 0


def size_cases() -> list[Case]:
    def sparse(d: Path) -> Path:  # 65 MB without writing it: check refuses it from its size
        p = d / "huge.txt"
        with open(p, "wb") as f:
            f.truncate((64 << 20) + 1)
        return p

    return [
        Case("nul-bytes-check", lambda d: check(str(write(d, "n.txt", NUL))), "error", "NUL"),
        Case("nul-bytes-scan", lambda d: scan(str(write(d, "n.txt", NUL))), "skip", "NUL"),
        Case("nul-bytes-stdin", lambda d: check(), "error", "NUL", stdin=NUL),
        Case("check-draft-over-64MB", lambda d: check(str(sparse(d))), "error", "too large to check", timeout=30),
        Case("check-stdin-over-64MB", lambda d: check("-"), "error", "too large to check",
             stdin=b"a" * ((64 << 20) + 10), timeout=60),
        # reading 32 MB whole needs 64 MB more (bytes + str); holding the 32 one-MB pieces for
        # recalls (as before the recall window had a size cap) ~40 MB; streaming ~22 MB
        Case("single-line-32MB-scan", lambda d: scan(str(_long_line(d, 32 << 20))), "ok", timeout=120,
             max_growth_mb=34, check=_reached_the_end),
        Case("single-line-1GB-scan", lambda d: scan(str(_long_line(d, 1 << 30))), "ok", timeout=900,
             max_growth_mb=40, check=_reached_the_end,
             marks=(pytest.mark.slow, pytest.mark.skipif(not HUGE, reason="set LEAKGUARD_HUGE_TESTS=1 (~3 min)"))),
    ]


# --- broken JSON / CSV / Telegram --------------------------------------------------------------

def telegram(messages: list[str]) -> str:
    """A Telegram result.json whose message objects are the given raw JSON snippets."""
    return ('{"name": "家族群", "type": "private_group", "id": 42, "messages": [\n'
            + ",\n".join(messages) + "\n]}\n")


def tg_msg(i: int, text_json: str) -> str:
    return (f'{{"id": {i}, "type": "message", "date": "2024-03-05T20:0{i % 10}:00", '
            f'"date_unixtime": "1709640000", "from": "周组长", "text": {text_json}}}')


def json_cases() -> list[Case]:
    deep = telegram([tg_msg(1, json.dumps(RISKY, ensure_ascii=False)),
                     tg_msg(2, "[" * 100_000 + "]" * 100_000), tg_msg(3, '"晚上好"')])
    truncated = telegram([tg_msg(i, json.dumps(RISKY, ensure_ascii=False)) for i in range(1, 40)])[:2000]
    escapes = telegram([tg_msg(1, r'"tdesktop \x41\x42 escapes are read"'), tg_msg(2, r'"bad \q escape"'),
                        tg_msg(3, r'"lone \ud800 surrogate"'), tg_msg(4, json.dumps(RISKY, ensure_ascii=False))])

    def messages_read(n: int) -> Callable[[dict[str, Any]], None]:
        def checker(report: dict[str, Any]) -> None:
            assert report["messages"] >= n, report

        return checker

    return [
        Case("json-deeply-nested-record", lambda d: scan(str(write(d, "result.json", deep.encode()))), "skip",
             "nesting too deep", check=messages_read(2)),
        Case("json-deeply-nested-document", lambda d: scan(str(write(d, "chat.json", b"[" * 1_000_000))), "skip",
             "unexpected end of file"),
        Case("json-deeply-nested-jsonl", lambda d: scan(str(write(
            d, "chat.jsonl", b'{"text": "ok"}\n{"text": ' + b"[" * 100_000 + b"]" * 100_000 + b"}\n"))), "skip",
             "nesting too deep"),
        Case("json-truncated", lambda d: scan(str(write(d, "result.json", truncated.encode()))), "skip",
             "rest of file skipped", check=messages_read(5)),
        Case("telegram-invalid-escapes", lambda d: scan(str(write(d, "result.json", escapes.encode()))), "skip",
             "escape", check=messages_read(2)),
        Case("csv-unbalanced-quote", lambda d: scan(str(write(d, "项目组.csv", (
            "消息ID,类型,发送人,时间,内容,备注,昵称,更多信息\n"
            f'1,文本,wxid_a,2024-08-12 08:30:00,"{RISKY},x,y,z\n'
            "2,文本,wxid_a,2024-08-12 08:31:00,晚上好,x,y,z\n").encode()))), "skip", "fields"),
        Case("csv-unbalanced-quote-generic", lambda d: scan(str(write(d, "chat.csv", (
            'sender,text\n张三,"未闭合的引号\n李四,' + RISKY + "\n").encode()))), "ok"),
    ]


# --- archives -----------------------------------------------------------------------------------

def _slack_zip(day: bytes) -> bytes:
    import io

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("export/channels.json", '[{"id": "C1", "name": "general"}]')
        zf.writestr("export/users.json", '[{"id": "U1", "name": "zhang", "real_name": "张三"}]')
        zf.writestr("export/general/2024-05-01.json", day)
        ok = json.dumps([{"type": "message", "user": "U1", "text": RISKY, "ts": "1714550400.000100"}],
                        ensure_ascii=False)
        zf.writestr("export/general/2024-05-02.json", ok)
    return buf.getvalue()


def _zip_bomb(d: Path) -> Path:
    return write(d, "slack_export.zip", _slack_zip(b"[" + b" " * (48 << 20) + b"]"))


def _lying_zip(d: Path) -> Path:
    """A member whose headers claim 1000 bytes: zipfile stops there and the CRC fails."""
    body = ("\n".join(f"2024-05-01 10:{i % 60:02d}:00 张三\n消息 {i}" for i in range(20000))).encode()
    data = bytearray(_zip_of({"chat.txt": body}))
    for sig, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        i = data.find(sig)
        data[i + offset : i + offset + 4] = (1000).to_bytes(4, "little")
    return write(d, "lying.zip", bytes(data))


def _zip_of(members: dict[str, bytes]) -> bytes:
    import io

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in members.items():
            zf.writestr(name, body)
    return buf.getvalue()


def zip_cases() -> list[Case]:
    def one_flagged(report: dict[str, Any]) -> None:
        assert report["flagged"] >= 1, report  # the good day file is still read

    return [
        Case("slack-zip-bomb", lambda d: scan(str(_zip_bomb(d))), "skip", "zip bomb", max_growth_mb=24,
             check=one_flagged),
        Case("zip-lying-size", lambda d: scan(str(_lying_zip(d))), "skip", "CRC"),
        Case("zip-truncated", lambda d: scan(str(write(d, "cut.zip", _zip_of({"a.txt": RISKY.encode() * 100})[:60]))),
             "skip", "ZIP"),
        Case("zip-nested", lambda d: scan(str(write(d, "outer.zip", _zip_of(
            {"inner.zip": _zip_of({"a.txt": RISKY.encode()}), "b.txt": RISKY.encode()})))), "skip", "nested"),
    ]


# --- the file system ----------------------------------------------------------------------------

def _unreadable(d: Path) -> Path:
    p = write(d, "unreadable_notes.txt", RISKY.encode())
    p.chmod(0)
    return p


DENY = {"LG_TEST_DENY": "unreadable_"} if AS_ROOT else {}


def _loop(d: Path) -> Path:
    (d / "loop_a").symlink_to("loop_b")
    (d / "loop_b").symlink_to("loop_a")
    return d / "loop_a"


def _dir_loop(d: Path) -> Path:
    root = d / "exports"
    write(root, "chat.txt", (RISKY + "\n").encode())
    (root / "again").symlink_to(root, target_is_directory=True)
    return root


def _fifo(d: Path) -> Path:
    p = d / "pipe.txt"
    os.mkfifo(p)
    return p


def _folder_with_fifo(d: Path) -> Path:
    root = d / "exports"
    write(root, "chat.txt", (RISKY + "\n").encode())
    os.mkfifo(root / "pipe.txt")
    return root


def _socket_file(d: Path) -> Path:
    p = d / "sock.txt"
    s = socket.socket(socket.AF_UNIX)
    s.bind(str(p))
    s.close()
    return p


def _bad_name(d: Path) -> Path:
    root = d / "exports"
    root.mkdir()
    with open(os.path.join(os.fsencode(root), b"chat_\xff\xfe.txt"), "wb") as f:
        f.write((RISKY + " 身份证 110101199003074578\n").encode())
    return root


def fs_cases() -> list[Case]:
    return [
        Case("missing-file-check", lambda d: check(str(d / "nope.txt")), "error", "no such file"),
        Case("missing-file-scan", lambda d: scan(str(d / "nope.txt")), "skip", "no such file"),
        Case("directory-as-draft", lambda d: check(str(d)), "error", "is a directory"),
        Case("unreadable-file-check", lambda d: check(str(_unreadable(d))), "error", "permission denied", env=DENY),
        Case("unreadable-file-scan", lambda d: scan(str(_unreadable(d))), "skip", "permission denied", env=DENY),
        Case("symlink-loop-check", lambda d: check(str(_loop(d))), "error", "symbolic links"),
        Case("symlink-loop-scan", lambda d: scan(str(_loop(d))), "skip", "symbolic links"),
        Case("directory-symlink-loop-scan", lambda d: scan(str(_dir_loop(d))), "ok", timeout=30),
        Case("fifo-check", lambda d: check(str(_fifo(d))), "error", "not a regular file", timeout=20),
        Case("fifo-scan", lambda d: scan(str(_fifo(d))), "skip", "not a regular file", timeout=20),
        Case("fifo-in-folder-scan", lambda d: scan(str(_folder_with_fifo(d))), "skip", "not a regular file",
             timeout=20),
        Case("fifo-as-lexicon", lambda d: check("--lexicon", str(_fifo(d)), "--text", RISKY), "error",
             "not a regular file", timeout=20),
        Case("socket-check", lambda d: check(str(_socket_file(d))), "error", "not a regular file", timeout=20),
        Case("dev-zero-check", lambda d: check("/dev/zero"), "error", "not a regular file", timeout=20),
        Case("undecodable-file-name-scan", lambda d: scan(str(_bad_name(d))), "ok",
             check=lambda r: r["flagged"] >= 1),
        Case("undecodable-file-name-scan-text", lambda d: ["scan", "--lang", "en", str(_bad_name(d))], "ok"),
    ]


# --- data files: lexicons, cases, settings ------------------------------------------------------

LEXICON_REGEX = """[[rule]]
code = "USR001"
name = "our tender numbers"
category = "document"
severity = "high"
terms = ["标书编号"]
pattern = '(a+)+$'
advice = "用公开编号"
"""
LEXICON_TYPE = LEXICON_REGEX.replace("pattern = '(a+)+$'\n", "").replace('severity = "high"', "severity = 3")
CASES_TYPE = """[[case]]
id = "x"
date = 2020
"""
SETTINGS_BACKTRACK = "[allow]\npatterns = ['(a|aa)+$']\n"


def data_cases() -> list[Case]:
    def file(name: str, text: str) -> Callable[[Path], str]:
        return lambda d: str(write(d, name, text.encode()))

    catastrophic = RISKY + " " + "a" * 40 + "!"
    return [
        Case("lexicon-with-a-regex-field", lambda d: check("--lexicon", file("ours.toml", LEXICON_REGEX)(d),
                                                           "--text", RISKY), "error", "unknown field"),
        Case("lexicon-wrong-type", lambda d: check("--lexicon", file("ours.toml", LEXICON_TYPE)(d), "--text", RISKY),
             "error", "ours.toml:1"),
        Case("lexicon-bad-toml", lambda d: check("--lexicon", file("ours.toml", "[[rule]\ncode = 1\n")(d),
                                                 "--text", RISKY), "error", "TOML syntax error"),
        Case("lexicon-not-utf8", lambda d: check("--lexicon", str(write(d, "ours.toml", "名单".encode("gb18030"))),
                                                 "--text", RISKY), "error", "must be UTF-8"),
        Case("cases-wrong-type", lambda d: ["cases", "--lexicon", file("c.toml", CASES_TYPE)(d)], "error", "c.toml:"),
        Case("settings-catastrophic-pattern", lambda d: check("--config", file("s.toml", SETTINGS_BACKTRACK)(d),
                                                              "--text", catastrophic),
             "error", "took longer than", timeout=30),
        Case("settings-unknown-key", lambda d: check("--config", file("s.toml", 'colour = "red"\n')(d), "--text", "你好"),
             "ok", "unknown setting"),
        Case("settings-wrong-type", lambda d: check("--config", file("s.toml", "fail_on = 3\n")(d), "--text", "你好"),
             "error", "s.toml:1"),
        Case("settings-wrong-table-type", lambda d: check("--config", file("s.toml", "thresholds = 5\n")(d),
                                                          "--text", "你好"), "error", "s.toml:1"),
        Case("settings-unknown-key-scan", lambda d: scan(str(write(d, "chat.txt", RISKY.encode())),
                                                         extra=("--config", file("s.toml", "[allow]\nwords = 1\n")(d))),
             "ok", "unknown setting"),
    ]


def hook_cases() -> list[Case]:
    """Hook mode fails closed: an internal error blocks, with the bypass named."""
    return [
        Case("hook-internal-error", lambda d: check("--hook", "--text", "你好"), "blocked", "LEAKGUARD_BYPASS=1",
             env={"LG_TEST_BREAK": "1"}),
        Case("hook-internal-error-stdin", lambda d: check("--hook"), "blocked", "fail closed", stdin=b"hello",
             env={"LG_TEST_BREAK": "1"}),
        Case("hook-bad-input", lambda d: check("--hook", str(write(d, "x.txt", b"\x80\xfd\xffabc\x81\x20"))),
             "error", "LEAKGUARD_BYPASS=1"),
        Case("hook-fifo", lambda d: check("--hook", str(_fifo(d))), "error", "blocked", timeout=20),
    ]


def attachment_cases() -> list[Case]:
    fixtures = ROOT / "tests" / "fixtures" / "attachments"
    return [
        Case("corrupt-docx", lambda d: check(str(fixtures / "corrupt.docx")), "error", "corrupt.docx"),
        Case("image-that-is-not-an-image", lambda d: check(str(write(d, "photo.png", b"\x89PNG\r\n\x1a\n garbage"))),
             "error", "photo.png"),
        Case("pdf-that-is-not-a-pdf", lambda d: check(str(write(d, "r.pdf", b"%PDF-1.4\n%%EOF garbage"))), "error",
             "r.pdf"),
    ]


CASES = [*invalid_cases(), *bom_cases(), *size_cases(), *json_cases(), *zip_cases(), *fs_cases(), *data_cases(),
         *attachment_cases(), *hook_cases()]


def _needs_settings(case: Case) -> bool:
    return case.id.startswith("settings-")


@pytest.fixture(scope="module")
def baseline_rss(tmp_path_factory: pytest.TempPathFactory) -> float:
    """Peak RSS of scanning a tiny export (what the big inputs are compared with)."""
    work = tmp_path_factory.mktemp("baseline")
    out = run_cli(scan(str(write(work, "chat.txt", (RISKY + "\n").encode()))), work)
    assert out.code == 1 and out.rss_mb > 0
    return out.rss_mb


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id, marks=c.marks) for c in CASES])
def test_bad_input(case: Case, tmp_path: Path, baseline_rss: float) -> None:
    if _needs_settings(case):
        pytest.importorskip("leakguard.config")
    if "fifo" in case.id and not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this system")
    if case.id.startswith("hook-") and "--hook" not in run_cli(["check", "--help"], tmp_path).stdout:
        pytest.skip("no hook mode in this version")
    work = tmp_path / "work"
    work.mkdir()
    args = case.build(work)
    out = run_cli(args, work, case.stdin, case.env, case.timeout)
    everything = out.stdout + "\n".join(out.errors)
    assert "Traceback" not in everything, everything[-3000:]
    if case.expect != "blocked":
        assert "internal error" not in everything, everything[-3000:]
    assert out.rss_mb < case.max_rss_mb, f"peak RSS {out.rss_mb:.0f} MB"
    if case.max_growth_mb is not None:
        assert out.rss_mb - baseline_rss < case.max_growth_mb, f"peak RSS {out.rss_mb:.0f} MB, {baseline_rss:.0f} MB"
    assert all(ln.startswith("leakguard: ") for ln in out.errors), out.errors
    report = work / "report.json"
    assert not [p.name for p in work.iterdir() if p.name.startswith(".report.json")], "temporary file left"
    if case.expect == "error":
        assert out.code == 2, (out.code, out.errors)
        assert len(out.errors) == 1 and out.errors[0].startswith("leakguard: error: "), out.errors
        assert case.needle in out.errors[0], out.errors
        assert not report.exists(), "an error must not leave a report"
        return
    if case.expect == "blocked":
        assert out.code == 1, (out.code, out.errors)
        assert len(out.errors) == 1 and "blocked" in out.errors[0] and case.needle in out.errors[0], out.errors
        return
    assert out.code in (0, 1), (out.code, out.errors)
    if case.expect == "ok" and case.needle:
        assert any(case.needle in ln for ln in out.errors), out.errors
    if "-o" not in args:
        return
    data = json.loads(report.read_text(encoding="utf-8"))  # whole, valid JSON
    assert not data["interrupted"]
    if case.expect == "skip":
        assert data["skipped"] >= 1, data
        reasons = [b["reason"] for b in data["bad_records"]]
        assert any(case.needle in r for r in reasons), reasons
        assert all("\n" not in r for r in reasons)
    if case.check is not None:
        case.check(data)


def test_the_catalogue_covers_the_issue() -> None:
    """Every item of the issue's list has at least one case (a guard against trimming it)."""
    ids = " ".join(c.id for c in CASES)
    for item in ("invalid-bytes-utf-8-", "invalid-bytes-gb18030", "invalid-bytes-utf-16-le", "invalid-bytes-utf-16-be",
                 "invalid-bytes-utf-8-sig", "bom-", "single-line-1GB", "single-line-32MB", "nul-bytes", "deeply-nested", "truncated",
                 "csv-unbalanced-quote", "telegram-invalid-escapes", "slack-zip-bomb", "unreadable-file",
                 "symlink-loop", "fifo", "settings-catastrophic-pattern", "lexicon-with-a-regex-field",
                 "settings-unknown-key", "settings-wrong-type", "hook-internal-error"):
        assert item in ids, item


# ----------------------------------------------------------------------------- -o is atomic


def _complete(fmt: str, text: str) -> bool:
    if fmt == "json":
        return isinstance(json.loads(text), dict)
    if fmt == "jsonl":
        return all(isinstance(json.loads(ln), dict) for ln in text.splitlines())
    if fmt == "html":
        return text.rstrip().endswith("</html>")
    return "\n" in text


EXPORT = "\n\n".join(f"2024-05-01 10:{i:02d}:00 张三\n{RISKY}（第{i}条）" for i in range(20)) + "\n"


def _interrupting_scan(monkeypatch: pytest.MonkeyPatch, exc: BaseException, after: int) -> None:
    import leakguard.scan

    real = leakguard.scan.scan

    def scan(*args: Any, **kwargs: Any) -> Any:
        for i, sm in enumerate(real(*args, **kwargs)):
            if i == after:
                raise exc
            yield sm

    monkeypatch.setattr(leakguard.scan, "scan", scan)


@pytest.mark.parametrize("fmt", ["text", "json", "jsonl", "html"])
def test_an_error_mid_scan_leaves_no_report(fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    from leakguard.cli import main

    src = write(tmp_path, "qq.txt", EXPORT.encode())
    out = tmp_path / f"report.{fmt}"
    _interrupting_scan(monkeypatch, RuntimeError("disk on fire"), after=3)
    code = main(["scan", "--format", fmt, "-o", str(out), str(src)])
    assert code == 3
    assert "internal error" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["qq.txt"]  # no report, no temp file


@pytest.mark.parametrize("fmt", ["text", "json", "jsonl", "html"])
def test_ctrl_c_mid_scan_leaves_no_partial_report(fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """Ctrl-C while reading: the report of what was read so far is written whole and says it
    was interrupted (exit 130); it is never cut off in the middle."""
    from leakguard.cli import main

    src = write(tmp_path, "qq.txt", EXPORT.encode())
    out = tmp_path / f"report.{fmt}"
    _interrupting_scan(monkeypatch, KeyboardInterrupt(), after=3)
    code = main(["scan", "--lang", "en", "--format", fmt, "-o", str(out), str(src)])
    assert code == 130
    assert "interrupted" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["qq.txt", out.name])
    text = out.read_text(encoding="utf-8")
    assert _complete(fmt, text), text[-500:]
    if fmt == "json":
        assert json.loads(text)["interrupted"] is True
    if fmt == "jsonl":
        assert len(text.splitlines()) == 3


def test_ctrl_c_while_writing_the_report_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import leakguard.render.html
    from leakguard.cli import main

    src = write(tmp_path, "qq.txt", EXPORT.encode())

    def boom(*args: Any, **kwargs: Any) -> str:
        raise KeyboardInterrupt

    monkeypatch.setattr(leakguard.render.html, "render_html", boom)
    assert main(["scan", "--format", "html", "-o", str(tmp_path / "r.html"), str(src)]) == 130
    assert sorted(p.name for p in tmp_path.iterdir()) == ["qq.txt"]
