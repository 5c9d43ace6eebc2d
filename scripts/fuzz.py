#!/usr/bin/env python3
"""Fuzz leakguard's export parsers and data-file loaders for a fixed budget.

Targets (``--list``):

* ``parse-<format>`` for every format in ``leakguard.sources.FORMATS``: the bytes are written
  to a temp file and read with that format's ``parse``.  Only ``LeakguardError`` (an
  unreadable file) may escape; every item must be a well-formed ``Message`` or ``BadRecord``.
* ``iter_messages``: the same bytes through format auto-detection.  Nothing may escape, and
  a ``BadRecord`` produced by the registry's last-resort ``except Exception`` counts as a
  crash too (a parser must turn a bad record into a BadRecord itself).
* ``scan``: ``iter_messages`` + the default scanner + every scan report renderer.
* ``scan-chunks`` and ``scan-chunks-<format>`` (the formats with a bulk reader): differential: a
  file scanned in tiny unparsed chunks (what ``leakguard scan`` does) must give the ordinary
  parser's messages, verdicts and summary.
* ``check``: ``textio.decode_bytes`` + ``Scanner.check`` + the text/JSON renderers.
* ``lexicon`` / ``cases`` / ``config``: the TOML loaders (``ruleset.compile_sources``,
  ``cases.load_cases``, ``config.load_settings``).  Only a one-line ``LeakguardError`` is
  allowed.

Inputs are seeded from ``tests/fixtures/exports``, ``lexicons/``, ``seeds/`` and
``tests/fixtures/{core,badinput,crashers}`` (plus re-encoded and zipped variants).  Each
input runs under a per-input time limit (``--timeout``): one that runs longer is a hang.

Engines: ``atheris`` (coverage-guided libFuzzer, used when installed) or ``hypothesis``
(byte strings: random, and seeds mutated by insert/delete/replace/splice).  Each target runs
in its own subprocess; a crash or hang is saved as
``tests/fixtures/crashers/<target>/<kind>-<sha1>.bin`` and replayed by
``tests/test_reliability_fuzz.py``.

    python scripts/fuzz.py --seconds 60                 # every target, 60 s each
    python scripts/fuzz.py --target parse-qq-txt --examples 5000 --engine hypothesis
    python scripts/fuzz.py --replay tests/fixtures/crashers/scan/crash-….bin --target scan

Exit status: 0 when no target crashed or hung, 1 otherwise.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EXPORTS = ROOT / "tests" / "fixtures" / "exports"
CRASHERS = ROOT / "tests" / "fixtures" / "crashers"
BADINPUT = ROOT / "tests" / "fixtures" / "badinput"
RESULT_TAG = "FUZZ-RESULT "

# Leakguard is imported lazily (inside the functions) so that the atheris child can import it
# under coverage instrumentation.


class Crash(Exception):
    """An oracle violation: an exception that must not escape, or a malformed item."""


class Hang(BaseException):
    """Raised by the per-input alarm (a BaseException, so parsers' ``except Exception`` cannot eat it)."""


# ----------------------------------------------------------------------------- file names

#: the file name each format's input is written under (some sniffers look at the name)
FILE_NAMES = {
    "wechatmsg-csv": "项目组.csv",
    "pywxdump-csv": "wxid_demo_0_9.csv",
    "qq-txt": "全部消息记录.txt",
    "wechatexporter-txt": "财务科工作群.txt",
    "wechat-mail": "mail_share.txt",
    "telegram-json": "result.json",
    "wecom-json": "chatdata.json",
    "whatsapp-txt": "WhatsApp Chat with 项目组.txt",
    "wechatmsg-txt": "项目组.txt",
    "qq-copy": "window_copy.txt",
    "wechat-copy": "desktop_copy.txt",
    "slack": "general/2024-05-01.json",
    "zip": "export.zip",
    "csv": "chat.csv",
    "jsonl": "chat.jsonl",
    "json": "chat.json",
    "text": "notes.txt",
}
AUTO_NAMES = sorted(set(FILE_NAMES.values()) | {"chat.tsv", "_chat.txt", "msgaudit.jsonl"})


def input_path(workdir: Path, data: bytes, fmt: str | None) -> Path:
    """Where an input is written: a name suited to ``fmt``; for auto-detection a name chosen
    from the bytes (deterministic, so a saved crasher replays the same way)."""
    if data[:2] == b"PK":
        name = "export.zip"
    elif fmt is not None:
        name = FILE_NAMES.get(fmt, "export.txt")
    else:
        name = AUTO_NAMES[zlib.crc32(data) % len(AUTO_NAMES)]
    base = workdir / "in"
    if base.exists():
        shutil.rmtree(base)
    path = base / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


# ----------------------------------------------------------------------------- oracles

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_MASKED = re.compile(r"^cannot parse as [\w-]+: \w+(Error|Exception|Warning|Exit)?: ", re.DOTALL)


def check_items(items: Iterator[Any], path: Path, auto: bool) -> list[Any]:
    """Drain a parser, checking every item; returns them."""
    from leakguard.sources import KINDS, BadRecord, Message

    out = []
    expected_index = 0
    for item in items:
        if isinstance(item, BadRecord):
            _check_bad(item, auto)
        elif isinstance(item, Message):
            _check_message(item, path, KINDS)
            if auto and item.index != expected_index:
                raise Crash(f"message index {item.index}, expected {expected_index}")
            expected_index += 1
        else:
            raise Crash(f"parser yielded {type(item).__name__}, not Message | BadRecord")
        out.append(item)
    return out


def _check_bad(bad: Any, auto: bool) -> None:
    if not isinstance(bad.line, int) or bad.line < 0:
        raise Crash(f"BadRecord line {bad.line!r}")
    if not isinstance(bad.reason, str) or not bad.reason or "\n" in bad.reason or "\r" in bad.reason:
        raise Crash(f"BadRecord reason is not one line: {bad.reason!r}")
    if _SURROGATE.search(bad.reason) or _SURROGATE.search(bad.path):
        raise Crash(f"lone surrogate in BadRecord (cannot be printed): {bad!r}")
    if auto and _MASKED.match(bad.reason):
        raise Crash(f"a parser exception reached the registry's safety net: {bad.reason}")


def _check_message(m: Any, path: Path, kinds: tuple[str, ...]) -> None:
    if not isinstance(m.text, str):
        raise Crash(f"message text is {type(m.text).__name__}")
    for name in ("text", "sender", "conversation", "time"):
        value = getattr(m, name)
        if value is not None and not isinstance(value, str):
            raise Crash(f"message {name} is {type(value).__name__}")
        if value and _SURROGATE.search(value):
            raise Crash(f"lone surrogate left in message {name}: {value!r}")
    if not isinstance(m.line, int) or m.line < 1:
        raise Crash(f"message line {m.line!r}")
    if m.kind not in kinds:
        raise Crash(f"message kind {m.kind!r}")
    if m.time is not None and not _ISO.match(m.time):
        raise Crash(f"message time {m.time!r} is not ISO 8601")
    if not m.path.startswith(str(path)):
        raise Crash(f"message path {m.path!r} is not under {path}")


def _loader_error(e: Exception, path: Path) -> None:
    """A LeakguardError from a loader must be one line naming the file."""
    msg = str(e)
    if "\n" in msg or "\r" in msg:
        raise Crash(f"error message is not one line: {msg!r}")
    if str(path) not in msg:
        raise Crash(f"error message does not name the file: {msg!r}")


# ----------------------------------------------------------------------------- targets

_STATE: dict[str, Any] = {}


def _scanner() -> Any:
    if "scanner" not in _STATE:
        from leakguard.scanner import Scanner

        _STATE["scanner"] = Scanner.default()
    return _STATE["scanner"]


def run_parse(fmt: str) -> Callable[[bytes, Path], None]:
    def run(data: bytes, workdir: Path) -> None:
        from leakguard.model import LeakguardError
        from leakguard.sources import FORMATS, ParseOptions

        path = input_path(workdir, data, fmt)
        try:
            check_items(iter(FORMATS[fmt].parse(path, None, ParseOptions())), path, auto=False)
        except LeakguardError as e:
            _loader_error(e, path)

    return run


def run_iter_messages(data: bytes, workdir: Path) -> None:
    from leakguard.sources import iter_messages

    path = input_path(workdir, data, None)
    check_items(iter_messages([path]), path, auto=True)


def run_scan(data: bytes, workdir: Path) -> None:
    from leakguard.render.html import render_html
    from leakguard.render.scan_text import render_message, render_summary
    from leakguard.render.text import _plain
    from leakguard.scan import Summary, scan
    from leakguard.sources import iter_messages

    path = input_path(workdir, data, None)
    items = check_items(iter_messages([path]), path, auto=True)
    summary = Summary()
    kept = []
    for sm in scan(_scanner(), items, summary):
        for show in (False, True):
            json.dumps(sm.to_dict(show), ensure_ascii=False).encode("utf-8")
        if sm.verdict.flagged:
            render_message(sm, "zh", False, _plain).encode("utf-8")
            kept.append(sm)
    render_summary(summary, "en", _plain).encode("utf-8")
    json.dumps(summary.to_dict(), ensure_ascii=False).encode("utf-8")
    render_html(summary, kept, "zh", False).encode("utf-8")


def run_scan_chunks(fmt: str) -> Callable[[bytes, Path], None]:
    """Differential: a file of ``fmt`` scanned in (tiny, unparsed) chunks, as `leakguard scan`
    does, must give exactly what the ordinary parser gives: messages, verdicts, summary."""

    def run(data: bytes, workdir: Path) -> None:
        import dataclasses

        from leakguard.scan import Summary, scan
        from leakguard.sources import bulk, chunks, iter_messages, jsonstream

        path = input_path(workdir, data, fmt)
        saved = chunks.CHUNK_CHARS, chunks.MAX_JSONL_LINE, jsonstream.MAX_JSONL_LINE, bulk.CHUNK_BYTES
        chunks.CHUNK_CHARS, chunks.MAX_JSONL_LINE, jsonstream.MAX_JSONL_LINE, bulk.CHUNK_BYTES = 61, 300, 300, 61
        try:
            results = []
            for chunked in (False, True):
                summary = Summary()
                out = [(dataclasses.asdict(sm.message), sm.verdict.to_dict(True))
                       for sm in scan(_scanner(), iter_messages([path], fmt=fmt, chunks=chunked), summary,
                                      flagged_only=True)]
                results.append((out, summary.to_dict()))
        finally:
            chunks.CHUNK_CHARS, chunks.MAX_JSONL_LINE, jsonstream.MAX_JSONL_LINE, bulk.CHUNK_BYTES = saved
        if results[0] != results[1]:
            raise Crash("chunked scan differs from the ordinary parser")

    return run


def run_check(data: bytes, workdir: Path) -> None:
    from leakguard.model import LeakguardError
    from leakguard.render.text import render_verdict
    from leakguard.textio import decode_bytes

    try:
        text = decode_bytes(data, "<fuzz>")
    except LeakguardError as e:
        if "\n" in str(e):
            raise Crash(f"error message is not one line: {e}") from None
        return
    v = _scanner().check(text, to="家族群" if len(text) % 2 else None, explain=True)
    for f in (*v.findings, *v.notes):
        if not (0 <= f.start <= f.end <= len(text)) or text[f.start:f.end] != f.match:
            raise Crash(f"finding {f.code} span {f.start}:{f.end} does not hold its match {f.match!r}")
    json.dumps(v.to_dict(), ensure_ascii=False).encode("utf-8")
    render_verdict(text, v, "<fuzz>", "zh", False, True).encode("utf-8", "surrogateescape")


def run_lexicon(data: bytes, workdir: Path) -> None:
    from leakguard.model import LeakguardError
    from leakguard.ruleset import compile_sources, from_compiled
    from leakguard.scanner import Scanner

    path = workdir / "fuzz_lexicon.toml"
    path.write_bytes(data)
    try:
        compiled = compile_sources([path])
    except LeakguardError as e:
        _loader_error(e, path)
        return
    Scanner(from_compiled(compiled)).check("交办单拍给你们看看，别外传。身份证 110101199003074578")


def run_cases(data: bytes, workdir: Path) -> None:
    from leakguard.cases import load_cases, to_dict
    from leakguard.model import LeakguardError

    path = workdir / "fuzz_cases.toml"
    path.write_bytes(data)
    try:
        lib = load_cases([ROOT / "seeds" / "sources.toml", path])
    except LeakguardError as e:
        _loader_error(e, path)
        return
    for case in lib:
        case.summary("zh"), case.summary("en")
        json.dumps(to_dict(case), ensure_ascii=False).encode("utf-8")
        lib.children(case.id)


def run_config(data: bytes, workdir: Path) -> None:
    from leakguard.config import load_settings
    from leakguard.model import LeakguardError

    path = workdir / ".leakguard.toml"
    path.write_bytes(data)
    try:
        settings = load_settings(path)
    except LeakguardError as e:
        _loader_error(e, path)
        return
    for w in settings.warnings:
        if "\n" in w:
            raise Crash(f"warning is not one line: {w!r}")


# Formats read in chunks by `leakguard scan` (sources/bulk.py), besides JSON Lines.
BULK_FORMATS = ("qq-txt", "wechatmsg-txt", "whatsapp-txt", "wechatmsg-csv", "pywxdump-csv")


@dataclass(frozen=True)
class Target:
    name: str
    run: Callable[[bytes, Path], None]
    seeds: Callable[[], list[bytes]]
    max_len: int = 16384


def targets() -> dict[str, Target]:
    from leakguard.sources import FORMATS

    out = [Target(f"parse-{name}", run_parse(name), _format_seeds(name)) for name in FORMATS]
    out += [
        Target("iter_messages", run_iter_messages, _all_export_seeds),
        Target("scan", run_scan, _all_export_seeds),
        Target("scan-chunks", run_scan_chunks("jsonl"), _jsonl_seeds),
        *(Target(f"scan-chunks-{name}", run_scan_chunks(name), _format_seeds(name)) for name in BULK_FORMATS),
        Target("check", run_check, _check_seeds),
        Target("lexicon", run_lexicon, _lexicon_seeds, max_len=65536),
        Target("cases", run_cases, _case_seeds, max_len=65536),
    ]
    with contextlib.suppress(ImportError):
        import leakguard.config  # noqa: F401  (settings exist in this version)

        out.append(Target("config", run_config, _config_seeds))
    return {t.name: t for t in out}


def _import_all() -> None:
    """Import every module the targets use (the atheris child instruments these imports)."""
    import leakguard.cases
    import leakguard.render.html
    import leakguard.render.scan_text
    import leakguard.render.text
    import leakguard.ruleset
    import leakguard.scan
    import leakguard.scanner
    import leakguard.sources
    import leakguard.textio
    import leakguard.tomlsrc

    with contextlib.suppress(ImportError):
        import leakguard.config  # noqa: F401


# ----------------------------------------------------------------------------- seeds


def _files(root: Path, pattern: str = "*") -> list[Path]:
    return sorted(p for p in root.rglob(pattern) if p.is_file()) if root.is_dir() else []


def _variants(data: bytes) -> list[bytes]:
    """The file as is, re-encoded (GB18030, UTF-16 with BOM, UTF-8 with BOM) and with CRLF."""
    out = [data]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return out
    out += [text.encode("gb18030"), text.encode("utf-16"), b"\xef\xbb\xbf" + text.encode("utf-8"),
            text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8")]
    return out


def _zip_of(files: list[tuple[str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files:
            zf.writestr(name, data)
    return buf.getvalue()


def _slack_zip() -> bytes:
    root = EXPORTS / "slack" / "workspace"
    return _zip_of([(f"export/{p.relative_to(root).as_posix()}", p.read_bytes()) for p in _files(root)])


def _export_files() -> list[Path]:
    return [p for p in _files(EXPORTS) if "slack" not in p.parts or p.parent.name != "workspace"]


def _crashers(target: str) -> list[bytes]:
    return [p.read_bytes() for p in _files(CRASHERS / target, "*.bin")]


def _format_seeds(fmt: str) -> Callable[[], list[bytes]]:
    def seeds() -> list[bytes]:
        from leakguard.model import LeakguardError
        from leakguard.sources import detect_format

        own: list[bytes] = []
        others: list[bytes] = []
        for p in _export_files():
            try:
                mine = detect_format(p) == fmt
            except LeakguardError:
                mine = False
            (own if mine else others).append(p.read_bytes())
        if fmt in ("zip", "slack"):
            own += [_slack_zip(), _zip_of([(p.name, p.read_bytes()) for p in _export_files()[:6]])]
        out = [v for d in own for v in _variants(d)] + others[:4] + _crashers(f"parse-{fmt}")
        return out or [b""]

    return seeds


def _all_export_seeds() -> list[bytes]:
    out = [p.read_bytes() for p in _export_files()]
    out += [v for p in _export_files()[::5] for v in _variants(p.read_bytes())[1:]]
    out += [_slack_zip()] + [p.read_bytes() for p in _files(BADINPUT) if p.stat().st_size < 65536]
    return out + _crashers("iter_messages") + _crashers("scan")


def _jsonl_seeds() -> list[bytes]:
    """JSON Lines seeds: the fixtures' .jsonl files and their variants (CRLF, other encodings, …)."""
    out = [p.read_bytes() for p in _export_files() if p.suffix == ".jsonl"]
    out += [v for raw in list(out) for v in _variants(raw)[1:]]
    return out + _crashers("scan-chunks")


def _check_seeds() -> list[bytes]:
    out = [p.read_bytes() for p in _files(ROOT / "examples")] + [p.read_bytes() for p in _export_files()[:10]]
    out.append("身份证号110101199003074578，手机13912345678，卡号6222021234567890128，交.办.单拍给你".encode())
    return out + _crashers("check")


def _tables(raw: bytes, header: bytes, per: int) -> list[bytes]:
    """Small seeds: the file's head plus ``per`` consecutive ``header`` tables at a time."""
    parts = raw.split(b"\n" + header)
    head, tables = parts[0], [header + p for p in parts[1:]]
    return [head + b"\n" + b"\n".join(tables[i:i + per]) for i in range(0, len(tables), per)]


def _lexicon_seeds() -> list[bytes]:
    out: list[bytes] = []
    for p in _files(ROOT / "lexicons", "*.toml"):
        raw = p.read_bytes()
        out += _tables(raw, b"[[rule]]", 3) + _tables(raw, b"[[cue]]", 4)
    out += [p.read_bytes() for p in _files(ROOT / "tests" / "fixtures" / "core", "*.toml")]
    return out + _crashers("lexicon")


def _case_seeds() -> list[bytes]:
    raw = (ROOT / "seeds" / "cases.toml").read_bytes()
    return _tables(raw, b"[[case]]", 2) + [(ROOT / "seeds" / "sources.toml").read_bytes()] + _crashers("cases")


def _config_seeds() -> list[bytes]:
    return [
        b'lang = "en"\nfail_on = "block"\ndisable = ["DOC101"]\n[thresholds]\nwarn = 2.5\nblock = 6\n',
        "[allow]\nterms = [\"调度会通知模板\"]\npatterns = ['第\\\\d+期工作简报']\n".encode(),
        b'lexicons = ["extra.toml"]\nbaseline = ".leakguard-baseline.json"\nunknown = 1\n',
        b"[tool.leakguard]\nlang = 'zh'\n",
    ] + _crashers("config")


# ----------------------------------------------------------------------------- running one input


@contextlib.contextmanager
def alarm(seconds: float) -> Iterator[None]:
    def fire(signum: int, frame: Any) -> None:
        raise Hang(f"input ran longer than {seconds} s")

    old = signal.signal(signal.SIGALRM, fire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def replay(target: str, data: bytes, timeout: float = 10.0) -> None:
    """Run one input of ``target`` (raises Crash, or any escaping exception; Hang is a Crash)."""
    t = targets()[target]
    with tempfile.TemporaryDirectory(prefix="leakguard-fuzz-") as tmp:
        try:
            with alarm(timeout):
                t.run(data, Path(tmp))
        except Hang as e:
            raise Crash(f"hang: {e}") from None


# ----------------------------------------------------------------------------- hypothesis engine

TOKENS = [
    b'"', b"{", b"}", b"[", b"]", b",", b":", b"\\", b"\\x", b"\\u", b"\\ud800", b"\\x9", b"\r\n", b"\n", b"\r",
    b"\x00", b"\xff", b"\xfe\xff", b"\xef\xbb\xbf", b"\xe4\xb8", b"\x81\x30", b'""', b"'", b"=", b"[[rule]]",
    b"[[case]]", b"[[source]]", b"PK\x03\x04", b"\t", b" ", b"0", b"-1", b"1e999", b"null", b"true", b"[]", b"{}",
    b"2024-05-01 10:00:00", b"\xe2\x80\x8b", b"\xf0\x9f\x98\x80", b"\xed\xa0\x80", "撤回了一条消息".encode(),
    b"<msg><appmsg><title>", b"]]>", b"&#x0;", b"1715000000.000100", b"\"\"\"", b"'''",
]


def _strategy(seeds: list[bytes], max_len: int) -> Any:
    from hypothesis import strategies as st

    ops = st.sampled_from(["insert", "delete", "replace", "truncate", "duplicate", "flip", "splice"])

    @st.composite
    def mutated(draw: Any) -> bytes:
        data = bytearray(draw(st.sampled_from(seeds)))
        for _ in range(draw(st.integers(1, 8))):
            op = draw(ops)
            pos = draw(st.integers(0, len(data)))
            if op == "insert":
                data[pos:pos] = draw(st.one_of(st.sampled_from(TOKENS), st.binary(min_size=1, max_size=8)))
            elif op == "delete":
                del data[pos:pos + draw(st.integers(1, 64))]
            elif op == "replace":
                data[pos:pos + 1] = draw(st.binary(min_size=1, max_size=4))
            elif op == "truncate":
                del data[pos:]
            elif op == "duplicate":
                data[pos:pos] = data[pos:pos + draw(st.integers(1, 256))] * draw(st.integers(1, 4))
            elif op == "flip" and data:
                i = min(pos, len(data) - 1)
                data[i] ^= 1 << draw(st.integers(0, 7))
            elif op == "splice":
                other = draw(st.sampled_from(seeds))
                data[pos:] = other[draw(st.integers(0, len(other))):]
        return bytes(data[:max_len])

    return st.one_of(mutated(), st.binary(max_size=512),
                     st.lists(st.sampled_from(TOKENS), max_size=40).map(b"".join))


def run_hypothesis(t: Target, seconds: float, examples: int, timeout: float, workdir: Path,
                   artifacts: Path) -> dict[str, Any]:
    from hypothesis import HealthCheck, given, settings

    strategy = _strategy(t.seeds(), t.max_len)
    count = 0
    last_bad: list[tuple[bytes, str]] = []
    current = workdir / "current.bin"

    def one(data: bytes) -> None:
        nonlocal count
        count += 1
        current.write_bytes(data)
        try:
            with alarm(timeout):
                t.run(data, workdir)
        except Hang as e:
            last_bad.append((data, "timeout"))
            raise Crash(f"hang: {e}") from None
        except Exception:
            last_bad.append((data, "crash"))
            raise

    one(t.seeds()[0])  # warm up (imports, default scanner) outside the budget's first input
    count = 0
    start = time.monotonic()
    deadline = start + seconds
    failure = None
    while count < examples and time.monotonic() < deadline:
        # batch size from the rate so far, so the budget is kept without cutting a batch
        # short (skipping inputs near the deadline would make a failure look flaky)
        rate = count / max(time.monotonic() - start, 1e-3) if count else 50.0
        size = int(max(10, min(500, examples - count, rate * (deadline - time.monotonic()))))

        @settings(max_examples=size, database=None, deadline=None,
                  suppress_health_check=list(HealthCheck), report_multiple_bugs=False)
        @given(strategy)
        def batch(data: bytes) -> None:
            one(data)

        try:
            batch()
        except Exception as e:  # noqa: BLE001 - the (shrunk) failure of this target
            failure = f"{type(e).__name__}: {e}"
            break
    saved = None
    if failure and last_bad:
        data, kind = last_bad[-1]
        saved = str(_save(artifacts, kind, data))
    return {"inputs": count, "failure": failure, "artifact": saved}


def _save(folder: Path, kind: str, data: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{kind}-{hashlib.sha1(data).hexdigest()}"
    path.write_bytes(data)
    return path


# ----------------------------------------------------------------------------- complexity probe

#: runs of these (inside a seed) are what makes a careless regex or loop quadratic
RUN_TOKENS = TOKENS + [
    "<title>", "<![CDATA[", "<appmsg>", "<refermsg>", "<msg>", "&lt;", "[图片]", "【文件】", "撤回了一条消息",
    "2024-05-01 10:00:00 张三\n", "张三 2024/5/1 10:00:00\n", "[2024/5/1 10:00:00] 张三: x\n", "1,文本,", "\t", "|",
    ";", "@", "http://a.b/", "交办单", "交.", "1", "13912345678 ", "110101199003074578", "a", "\u200b", "　",
    '{"text": "', '{"messages": [', "\\x41", "\\u00", "====", "消息对象:", "\r", "\n\n",
]
RUN_TOKENS = [t.encode() if isinstance(t, str) else t for t in RUN_TOKENS]


_ANCHORS = (b"<msg", b"<appmsg", b"<title>", b'"text": "', b'"content":"', b'"msg": "', b"\n", b"\n\n", b",", b'"')


def _run_positions(seed: bytes) -> list[int]:
    """Where runs go: the middle and end of the seed, and just after some landmarks (inside
    an XML body, a JSON string, the second line …)."""
    spots = {len(seed) // 2, len(seed)}
    for anchor in _ANCHORS:
        i = seed.find(anchor, seed.find(b"\n") + 1)
        if i >= 0:
            spots.add(i + len(anchor))
    return sorted(spots)


def probe(t: Target, small: int = 32 << 10, factor: int = 4, limit: float = 0.5,
          timeout: float = 30.0) -> list[str]:
    """Inputs holding a long run of one token, at two sizes: a target whose time grows
    much faster than the input (quadratic: ~factor**2), or that spends more than ``limit``
    on the small one (quadratic code behind a size cap, like a sniffer's 64 KB), is reported."""
    problems = []
    unique = {s: sum(a in s for a in _ANCHORS) for s in t.seeds() if b"\x00" not in s[:64]}
    seeds = sorted(unique, key=lambda s: (-unique[s], len(s)))[:4]
    with tempfile.TemporaryDirectory(prefix="leakguard-probe-") as tmp:
        work = Path(tmp)
        for seed, at in ((s, i) for s in seeds for i in _run_positions(s)):
            for token in RUN_TOKENS:
                times = []
                for size in (small, small * factor):
                    run = token * max(1, size // len(token))
                    data = seed[:at] + run + seed[at:]
                    t0 = time.perf_counter()
                    try:
                        with alarm(timeout):
                            t.run(data, work)
                    except Hang:
                        problems.append(f"{t.name}: run of {token!r} ({size} bytes) > {timeout} s")
                        break
                    except Exception:  # noqa: BLE001, S110 - crashes are the fuzzer's business
                        pass
                    times.append(time.perf_counter() - t0)
                if len(times) == 2 and times[1] > limit and times[1] > times[0] * factor * 2:
                    problems.append(f"{t.name}: run of {token!r}: {times[0]:.2f} s -> {times[1]:.2f} s "
                                    f"for {factor}x the input (superlinear)")
                elif times and times[0] > limit * 2:
                    problems.append(f"{t.name}: run of {token!r} ({small} bytes): {times[0]:.2f} s (slow)")
    return problems


# ----------------------------------------------------------------------------- atheris engine


def run_atheris(name: str, seconds: float, examples: int, timeout: float, workdir: Path, artifacts: Path,
                corpus: Path) -> None:
    """Never returns: libFuzzer exits the process (the parent reads its statistics)."""
    import atheris

    with atheris.instrument_imports(include=["leakguard", "tomllib"]):
        _import_all()
    t = targets()[name]
    corpus.mkdir(parents=True, exist_ok=True)
    for seed in t.seeds():
        (corpus / hashlib.sha1(seed).hexdigest()).write_bytes(seed[: t.max_len])
    t.run(t.seeds()[0], workdir)  # warm up

    def one(data: bytes) -> None:
        t.run(data, workdir)

    artifacts.mkdir(parents=True, exist_ok=True)
    argv = [sys.argv[0], f"-max_total_time={int(seconds)}", f"-timeout={int(max(timeout, 1))}",
            f"-max_len={t.max_len}", f"-artifact_prefix={artifacts}/", "-print_final_stats=1",
            "-rss_limit_mb=2048", str(corpus)]
    if examples:
        argv.append(f"-runs={examples}")
    atheris.Setup(argv, one)
    atheris.Fuzz()


# ----------------------------------------------------------------------------- parent / child


def child(args: argparse.Namespace) -> int:
    workdir = Path(args.workdir)
    os.environ.setdefault("LEAKGUARD_CACHE_DIR", str(workdir / "cache"))
    artifacts = workdir / "artifacts"
    if args.engine == "atheris":
        run_atheris(args.child, args.seconds, args.examples, args.timeout, workdir, artifacts, workdir / "corpus")
        return 0
    result = run_hypothesis(targets()[args.child], args.seconds, args.examples, args.timeout, workdir, artifacts)
    print(RESULT_TAG + json.dumps(result), flush=True)
    return 0


@dataclass
class Outcome:
    target: str
    engine: str
    inputs: int
    seconds: float
    problem: str | None
    saved: str | None


def _atheris_outcome(out: str, artifacts: Path) -> tuple[int, str | None, Path | None]:
    m = re.search(r"stat::number_of_executed_units:\s*(\d+)", out) or re.search(r"Done (\d+) runs", out)
    runs = [int(x) for x in re.findall(r"^#(\d+)\s", out, re.MULTILINE)]
    inputs = int(m.group(1)) if m else (runs[-1] if runs else 0)
    found = sorted(p for p in artifacts.glob("*") if p.name.startswith(("crash-", "timeout-", "oom-", "leak-")))
    if not found:
        return inputs, None, None
    tb = re.search(r"=== Uncaught Python exception: ===\n(.*?)\n\n", out, re.DOTALL)
    return inputs, (tb.group(1).strip().splitlines()[-1] if tb else found[0].name.split("-")[0]), found[0]


def run_target(name: str, args: argparse.Namespace) -> Outcome:
    with tempfile.TemporaryDirectory(prefix=f"leakguard-fuzz-{name}-") as tmp:
        work = Path(tmp)
        cmd = [sys.executable, str(Path(__file__).resolve()), "--child", name, "--engine", args.engine,
               "--seconds", str(args.seconds), "--examples", str(args.examples), "--timeout", str(args.timeout),
               "--workdir", str(work)]
        t0 = time.monotonic()
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, errors="replace", check=False,
                                  timeout=args.seconds * 2 + 120)
            out = proc.stdout + proc.stderr
        except subprocess.TimeoutExpired as e:  # stuck where no alarm reaches (C code)
            cur = work / "current.bin"
            saved = _keep(name, _save(work / "artifacts", "timeout", cur.read_bytes())) if cur.exists() else None
            return Outcome(name, args.engine, 0, time.monotonic() - t0, f"child hung: {e}", saved)
        elapsed = time.monotonic() - t0
        if args.engine == "atheris":
            inputs, problem, art = _atheris_outcome(out, work / "artifacts")
            saved = _keep(name, art) if art else None
            if problem is None and proc.returncode != 0:
                problem = f"exit status {proc.returncode}: {out.strip().splitlines()[-1:]}"
        else:
            line = next((ln for ln in out.splitlines() if ln.startswith(RESULT_TAG)), None)
            if line is None:
                return Outcome(name, args.engine, 0, elapsed, f"child failed: {out.strip()[-2000:]}", None)
            res = json.loads(line[len(RESULT_TAG):])
            inputs, problem = res["inputs"], res["failure"]
            saved = _keep(name, Path(res["artifact"])) if res["artifact"] else None
        if problem and args.verbose:
            print(out[-6000:], file=sys.stderr)
        return Outcome(name, args.engine, inputs, elapsed, problem, saved)


def _keep(target: str, artifact: Path) -> str:
    dest = CRASHERS / target / (artifact.name[:len("timeout-") + 16] + ".bin")
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(artifact, dest)
    return str(dest.relative_to(ROOT))


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--target", action="append", help="target name (repeatable; default: all). See --list.")
    p.add_argument("--list", action="store_true", help="list the targets and exit")
    p.add_argument("--seconds", type=float, default=30.0, help="time budget per target (default 30)")
    p.add_argument("--examples", type=int, default=0, help="stop a target after this many inputs (0: no limit)")
    p.add_argument("--timeout", type=float, default=5.0, help="per-input time limit in seconds (default 5)")
    p.add_argument("--engine", choices=["auto", "atheris", "hypothesis"], default="auto")
    p.add_argument("--jobs", type=int, default=max(1, (os.cpu_count() or 1)), help="targets fuzzed in parallel")
    p.add_argument("--json", dest="json_out", type=Path, help="also write the results as JSON here")
    p.add_argument("--replay", type=Path, help="run one saved input of --target and show what happens")
    p.add_argument("--complexity", action="store_true",
                   help="instead of fuzzing, time long runs of tokens inside seeds (finds quadratic code)")
    p.add_argument("-v", "--verbose", action="store_true", help="print the child's output on a failure")
    p.add_argument("--child", help=argparse.SUPPRESS)
    p.add_argument("--workdir", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.engine == "auto":
        try:
            import atheris  # noqa: F401
        except ImportError:
            args.engine = "hypothesis"
        else:
            args.engine = "atheris"
    if args.examples == 0 and args.engine == "hypothesis":
        args.examples = 10**12
    return args


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, str(ROOT))
    args = parse_args(argv)
    if args.child:
        return child(args)
    names = list(targets())
    if args.list:
        print("\n".join(names))
        return 0
    if args.replay:
        (name,) = args.target
        replay(name, args.replay.read_bytes(), args.timeout)
        print(f"{args.replay}: {name}: no crash")
        return 0
    chosen = args.target or names
    unknown = sorted(set(chosen) - set(names))
    if unknown:
        print(f"fuzz.py: unknown target(s): {', '.join(unknown)} (see --list)", file=sys.stderr)
        return 2
    if args.complexity:
        found = []
        for name in chosen:
            t0 = time.monotonic()
            problems = probe(targets()[name], timeout=args.timeout * 6)
            print(f"{name:<26} {time.monotonic() - t0:6.1f} s  " + ("ok" if not problems else "SLOW"), flush=True)
            for p in problems:
                print("   " + p, flush=True)
            found += problems
        return 1 if found else 0
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        outcomes = list(pool.map(lambda n: run_target(n, args), chosen))
    return report(outcomes, args)


def report(outcomes: list[Outcome], args: argparse.Namespace) -> int:
    width = max(len(o.target) for o in outcomes)
    for o in outcomes:
        status = "ok" if o.problem is None else f"FAIL {o.problem}" + (f" -> {o.saved}" if o.saved else "")
        print(f"{o.target:<{width}}  {o.engine:<10} {o.inputs:>10,} inputs  {o.seconds:7.1f} s  {status}")
    total = sum(o.inputs for o in outcomes)
    bad = [o for o in outcomes if o.problem]
    print(f"total: {total:,} inputs over {len(outcomes)} targets; {len(bad)} crashed or hung")
    if args.json_out:
        args.json_out.write_text(json.dumps([o.__dict__ for o in outcomes], indent=2, ensure_ascii=False) + "\n")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
